"""Writes for uploaded documents: ingest, store, run the question generator, fail stale
jobs, retry, delete, review drafts.

The upload path checks and extracts the file before anything is written, so a refused file
leaves no trace. A stored document gets a ``GenerationJob``; once the upload's transaction
has committed, ``generation_enqueue`` hands it, by the task's name, to a Celery worker
(with a broker) or to the serving process's background thread (without one), so the
upload returns at once. ``generation_run`` saves the generator's key points and drafts in a single
transaction at the end: a failure leaves the job failed with its reason and nothing else.

A job that stops giving signs of life (no heartbeat for ``STUDYAPP_GENERATION_STALE_SECONDS``)
is failed by ``generation_jobs_fail_stale``; should its run wake up later, it finds its job
no longer running and drops its results, so it never overwrites a newer job's work.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quizzes import background
from quizzes.drafts import QuestionDraft
from quizzes.generation import GenerationResult, generate
from quizzes.generation.budget import Budget, BudgetExceeded
from quizzes.generation.text import detect_language
from quizzes.ingest import Extracted, IngestError, IngestLimits, clean_text, extract
from quizzes.models import (
    GenerationJob,
    KeyPoint,
    Language,
    Question,
    QuestionBank,
    RejectionReason,
    SourceDocument,
    User,
)
from quizzes.models.banks import text_checksum
from quizzes.models.generation import GENERATION_FAILURES, generation_failure_message
from quizzes.selectors.documents import document_duplicates, document_usage
from quizzes.services.banks import (
    NewQuestion,
    document_create,
    drafts_sorted_out,
    quality_score,
    questions_create_bulk,
)

logger = logging.getLogger(__name__)

# Our translatable copy of ``quizzes.ingest.MESSAGES`` (same codes and placeholders).
INGEST_MESSAGES = {
    "empty": _("The file is empty: it contains no text."),
    "too_large": _("The file is larger than %(limit_mb)s MB."),
    "unsupported_type": _(
        "Files like %(filename)s cannot be read; upload a .txt, .docx, .pdf, .md or .html file, "
        "or paste the text."
    ),
    "wrong_type": _(
        "The content of %(filename)s does not match its extension %(extension)s; "
        "save it again in that format, or rename it to what it really is."
    ),
    "bad_encoding": _(
        "The text is not in an encoding we can read; save it as UTF-8 (or GB18030/GBK) "
        "and upload it again."
    ),
    "truncated_utf8": _(
        "The text is UTF-8 but ends in the middle of a character, on line %(line)s: the file "
        "seems to have been cut off. Save it again as UTF-8 and upload it again."
    ),
    "broken_utf8": _(
        "The text is UTF-8 but damaged: some of its bytes, the first on line %(line)s, are "
        "not UTF-8. Save it again as UTF-8 and upload it again."
    ),
    "encrypted_pdf": _(
        "The PDF is protected by a password; remove the password and upload it again."
    ),
    "no_text": _(
        "No text was found in the file; it may be a scanned image. Upload a version with "
        "selectable text, or paste the text."
    ),
    "too_many_pages": _("The document has %(pages)s pages; at most %(limit)s pages can be read."),
    "archive_bomb": _(
        "The file unpacks to far more data than a document of its size should, "
        "so it was not opened."
    ),
    "timeout": _("Reading the file took longer than %(seconds)s seconds, so it was stopped."),
    "corrupt": _("The file is damaged and could not be read."),
}

# Our translatable copy of the ingest warnings an organizer is told about at upload: how
# the text's characters were read (the others are routine clean-up).
INGEST_WARNINGS = {
    "encoding_uncertain": _(
        "The text was read as GB18030, but it does not look like ordinary Simplified "
        "Chinese; check that the characters are right."
    ),
    "utf8_truncated": _(
        "The file ends in the middle of a character, as if it had been cut off; that last "
        "character was left out. Check that the end of the text is all there."
    ),
    "utf8_repaired": _(
        "A few bytes of the file are not valid UTF-8; each shows as �. Check the text around them."
    ),
}

# How many per cent the generator must advance before the job row is written again.
PROGRESS_STEP = 5

AUTO_LANGUAGE = "auto"

ACTIVE = (GenerationJob.Status.QUEUED, GenerationJob.Status.RUNNING)


class LenientParams(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def ingest_error_message(*, error: IngestError) -> str:
    """The refusal as a sentence in the user's language."""
    template = INGEST_MESSAGES.get(error.code)
    if template is None:
        return error.message
    return str(template) % LenientParams(error.params)


def ingest_warning_messages(*, warnings: list[str]) -> list[str]:
    """The upload warnings an organizer is told about, as sentences in their language."""
    return [str(INGEST_WARNINGS[code]) for code in warnings if code in INGEST_WARNINGS]


def upload_limits() -> IngestLimits:
    return IngestLimits(max_bytes=settings.STUDYAPP_UPLOAD_MAX_BYTES)


def upload_too_large(*, size: int) -> ValidationError:
    """The refusal for a file over the size limit, found before the file is read."""
    return ValidationError(
        INGEST_MESSAGES["too_large"],
        code="too_large",
        params={"limit_mb": f"{settings.STUDYAPP_UPLOAD_MAX_BYTES / (1024 * 1024):g}"},
    )


def generation_budget() -> Budget:
    """What one generator run may take (characters, answer candidates, seconds)."""
    return Budget()


def document_text_check(*, text: str) -> None:
    """Refuse, before anything is saved, a text longer than the generator's character
    budget, with the message a job stopped by that budget shows. Writes nothing."""
    limit = generation_budget().max_characters
    if len(text) > limit:
        raise ValidationError(
            generation_failure_message("budget_characters", {"limit": limit, "found": len(text)}),
            code="budget_characters",
        )


def document_extract(*, data: bytes, filename: str) -> Extracted:
    """Extract clean text from an uploaded file. Writes nothing.

    Raises ``ValidationError`` (its code is the ingest refusal code) for a refused file."""
    try:
        return extract(data, filename, limits=upload_limits())
    except IngestError as error:
        raise ValidationError(ingest_error_message(error=error), code=error.code) from error


def pasted_text_clean(*, text: str) -> str:
    """Clean pasted text; refuses text that is empty once cleaned. Writes nothing."""
    cleaned = clean_text(text)
    if not cleaned.strip():
        raise ValidationError(INGEST_MESSAGES["empty"], code="empty")
    return cleaned


def _title_from(text: str) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first_line[:80] or str(_("Untitled document"))


# A file read at a duplicate warning is held this long for its confirmation.
PENDING_SECONDS = 3600


@dataclass(frozen=True)
class DocumentUpload:
    """What ``document_upload`` did. With ``job``, the document was stored and its
    generation queued. Otherwise nothing was stored, because the same text is already in
    one of the owner's banks: in this one (``duplicate``, refused), or in others
    (``elsewhere``), and the organizer has not yet confirmed with ``upload_anyway``; the
    text of a file (``filename``) is then held under ``pending`` so that the
    confirmation need not send the file again."""

    job: GenerationJob | None = None
    duplicate: SourceDocument | None = None
    elsewhere: tuple[SourceDocument, ...] = ()
    pending: str = ""
    filename: str = ""
    # What the reading repaired and the organizer should know ("utf8_truncated" …):
    # codes for ``ingest_warning_messages``.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Read:
    text: str
    title: str = ""
    filename: str = ""
    warnings: tuple[str, ...] = ()


def document_upload(
    *,
    bank: QuestionBank,
    uploaded_by: User,
    data: bytes | None = None,
    filename: str = "",
    text: str = "",
    pending: str = "",
    title: str = "",
    language: str = AUTO_LANGUAGE,
    upload_anyway: bool = False,
) -> DocumentUpload:
    """Add a document to ``bank``: the uploaded file's bytes (``data``, with its
    ``filename``), else pasted ``text``, else the file held under ``pending`` at an
    earlier duplicate warning. Its text is extracted and cleaned, refused when it is
    unreadable or longer than the generator's budget (``ValidationError``, nothing is
    stored), compared with the texts of the owner's documents, and stored with its
    generation queued (``document_store``) unless ``DocumentUpload`` says why not.

    The view and the API call this one service; the caller checks the file's size before
    reading it (``upload_limits``), the extraction checks it again."""
    read = _document_read(
        bank=bank, user=uploaded_by, data=data, filename=filename, text=text, pending=pending
    )
    # Too long to generate from: refused before anything is saved.
    document_text_check(text=read.text)
    duplicates = document_duplicates(bank=bank, text=read.text)
    if duplicates.in_bank is not None:
        return DocumentUpload(duplicate=duplicates.in_bank)
    if duplicates.elsewhere and not upload_anyway:
        held = _pending_hold(bank=bank, user=uploaded_by, read=read) if read.filename else ""
        return DocumentUpload(
            elsewhere=tuple(duplicates.elsewhere), pending=held, filename=read.filename
        )
    job = document_store(
        bank=bank,
        uploaded_by=uploaded_by,
        text=read.text,
        title=title or read.title,
        language=language,
        original_filename=read.filename,
    )
    return DocumentUpload(job=job, warnings=read.warnings)


def _document_read(
    *, bank: QuestionBank, user: User, data: bytes | None, filename: str, text: str, pending: str
) -> _Read:
    if data is not None:
        extracted = document_extract(data=data, filename=filename)
        return _Read(extracted.text, extracted.title, filename, tuple(extracted.warnings))
    if text.strip():
        return _Read(pasted_text_clean(text=text))
    if pending:
        held = _pending_find(bank=bank, user=user, token=pending)
        if held is None:
            raise ValidationError(
                _("The file read a moment ago is no longer held; choose it again."),
                code="pending_expired",
            )
        return _Read(held["text"], held["title"], held["filename"])
    raise ValidationError(_("Upload a file or paste the text."), code="nothing_given")


def _pending_key(*, bank: QuestionBank, user: User, token: str) -> str:
    return f"studyapp:document-pending:v1:{user.pk}:{bank.pk}:{token}"


def _pending_hold(*, bank: QuestionBank, user: User, read: _Read) -> str:
    """Hold a file's extracted text in the cache (not the database: nothing is saved
    before the organizer confirms) and return the token that finds it again."""
    token = secrets.token_urlsafe(18)
    held = {"text": read.text, "title": read.title, "filename": read.filename}
    cache.set(_pending_key(bank=bank, user=user, token=token), held, PENDING_SECONDS)
    return token


def _pending_find(*, bank: QuestionBank, user: User, token: str) -> dict | None:
    if len(token) > 64:
        return None
    return cache.get(_pending_key(bank=bank, user=user, token=token))


@transaction.atomic
def document_store(
    *,
    bank: QuestionBank,
    uploaded_by: User,
    text: str,
    title: str = "",
    language: str = AUTO_LANGUAGE,
    original_filename: str = "",
) -> GenerationJob:
    """Store extracted text as a document of ``bank`` and queue its question generation
    (the last step of ``document_upload``).

    The same text twice in a bank (whitespace aside) and a text over the generator's
    character budget are refused with a ``ValidationError``. The generation is handed on
    only once this transaction commits."""
    document_text_check(text=text)
    if language not in Language.values:
        language = detect_language(text)
    if SourceDocument.objects.filter(bank=bank, checksum=text_checksum(text)).exists():
        raise _duplicate_error()
    try:
        # A savepoint, so that a concurrent duplicate (the unique constraint) can be
        # reported instead of breaking the surrounding transaction.
        with transaction.atomic():
            document = document_create(
                bank=bank,
                title=(title.strip() or _title_from(text))[:300],
                text=text,
                language=language,
                uploaded_by=uploaded_by,
                original_filename=original_filename[:255],
            )
    except IntegrityError as error:
        raise _duplicate_error() from error
    return _job_queue(document=document, created_by=uploaded_by)


def _duplicate_error() -> ValidationError:
    return ValidationError(
        _("This bank already has a document with exactly the same text."), code="duplicate"
    )


def _job_queue(*, document: SourceDocument, created_by: User) -> GenerationJob:
    job = GenerationJob(document=document, created_by=created_by)
    job.full_clean()
    job.save()
    # Handed on once the job row (and its document) are committed: never before.
    transaction.on_commit(partial(generation_enqueue, job_id=job.pk))
    return job


# The Celery task that runs ``generation_run`` (``quizzes.tasks``), by its name.
GENERATION_TASK = "quizzes.tasks.generate_for_document"


def generation_enqueue(*, job_id: int) -> None:
    """Hand a queued generation job to the runner ``STUDYAPP_GENERATION_RUNNER`` names (see
    ``quizzes.background``); when the in-process queue is full, fail the job as "busy".
    Called once the upload's (or the retry's) transaction has committed."""
    if not background.run(
        GENERATION_TASK, runner=settings.STUDYAPP_GENERATION_RUNNER, job_id=job_id
    ):
        logger.warning("Generation job %s refused: the in-process queue is full", job_id)
        generation_job_fail(job_id=job_id, code="busy")


class JobAbandoned(Exception):
    """The job stopped being this run's to finish (it was failed as stale meanwhile)."""


def _job_alive(job_id: int, **fields) -> None:
    """Write ``fields`` and a heartbeat to a running job; raises ``JobAbandoned`` when the
    job is no longer running (one conditional UPDATE)."""
    updated = GenerationJob.objects.filter(pk=job_id, status=GenerationJob.Status.RUNNING).update(
        heartbeat_at=timezone.now(), **fields
    )
    if not updated:
        raise JobAbandoned


def generation_job_fail(*, job_id: int, code: str, params: dict | None = None) -> bool:
    """Mark a job failed with a reason code of ``GENERATION_FAILURES`` (and its figures).
    Only a queued or running job changes, so a reason already given is kept. Returns
    whether the job changed."""
    if code not in GENERATION_FAILURES:
        raise ValueError(f"unknown generation failure code {code!r}")
    jobs = GenerationJob.objects.filter(pk=job_id, status__in=ACTIVE)
    return bool(
        jobs.update(
            status=GenerationJob.Status.FAILED,
            error_code=code,
            error_params=params or {},
            error=generation_failure_message(code, params)[:2000],
            finished_at=timezone.now(),
        )
    )


def generation_run(
    *, job_id: int, seed: int = 0, max_drafts: int | None = None
) -> GenerationJob | None:
    """Run the generator for a queued job and save its key points and drafts.

    Only a queued job starts: one that is running elsewhere, done or failed is left alone
    (a retry is a new job). Progress and a heartbeat are written to the job row as the
    generator advances, at most every ``PROGRESS_STEP`` per cent. A job failed meanwhile
    (stale) stops the run, which then saves nothing. A run over the generator's budget
    fails with ``budget_characters``, ``budget_candidates`` or ``budget_seconds`` and its
    figures; any other error fails with ``error`` (the detail goes to the log only). A
    failed job has nothing else saved. Returns the job as it ended (``None`` if it was
    deleted with its document)."""
    with transaction.atomic():
        job = (
            GenerationJob.objects.select_for_update()
            .select_related("document__bank", "created_by")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.status != GenerationJob.Status.QUEUED:
            return job
        now = timezone.now()
        job.status = GenerationJob.Status.RUNNING
        job.progress = 0
        job.stage = ""
        job.error = ""
        job.error_code = ""
        job.error_params = {}
        job.started_at = now
        job.heartbeat_at = now
        job.finished_at = None
        job.save(
            update_fields=[
                "status",
                "progress",
                "stage",
                "error",
                "error_code",
                "error_params",
                "started_at",
                "heartbeat_at",
                "finished_at",
            ]
        )

    written = {"progress": 0, "stage": ""}

    def progress(fraction: float, stage: str) -> None:
        # 100 and "done" are written only with the results: until they are saved, the
        # page must not say "finished" beside "running".
        percent = max(0, min(99, int(fraction * 100)))
        if stage == "done":
            stage = "saving"
        if percent - written["progress"] < PROGRESS_STEP and stage == written["stage"]:
            return
        written.update(progress=percent, stage=stage[:32])
        _job_alive(job_id, progress=percent, stage=stage[:32])

    document = job.document
    try:
        result = generate(
            document.text,
            language=document.language,
            seed=seed,
            max_drafts=max_drafts,
            progress=progress,
            budget=generation_budget(),
        )
        _job_alive(job_id, stage="saving")
        with transaction.atomic():
            # The row lock orders this save after a concurrent stale check: either the
            # check saw a running job with a fresh heartbeat, or this sees a failed job.
            locked = GenerationJob.objects.select_for_update().filter(pk=job_id).first()
            if locked is None or locked.status != GenerationJob.Status.RUNNING:
                raise JobAbandoned
            created = _results_save(job=job, result=result)
            job.status = GenerationJob.Status.DONE
            job.progress = 100
            job.stage = "done"
            job.drafts_created = created
            job.finished_at = timezone.now()
            job.heartbeat_at = job.finished_at
            job.full_clean()
            job.save(
                update_fields=[
                    "status",
                    "progress",
                    "stage",
                    "drafts_created",
                    "finished_at",
                    "heartbeat_at",
                ]
            )
    except JobAbandoned:
        logger.warning(
            "Generation job %s was failed (stale) or deleted while it ran; its results were "
            "dropped",
            job_id,
        )
    except BudgetExceeded as error:
        logger.info("Generation job %s stopped by its budget: %s", job_id, error)
        generation_job_fail(job_id=job_id, code=f"budget_{error.code}", params=error.params)
    except Exception:  # any failure is shown on the job; the detail goes to the log
        logger.exception("Generation job %s failed", job_id)
        generation_job_fail(job_id=job_id, code="error")
    return GenerationJob.objects.filter(pk=job_id).first() or job


def _stale_since(cutoff: datetime) -> Q:
    """Jobs whose last sign of life (heartbeat, else start, else creation) is before
    ``cutoff``: a queued job that never started counts from its creation."""
    return (
        Q(heartbeat_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__isnull=True, created_at__lt=cutoff)
    )


def generation_stale_cutoff(*, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(seconds=settings.STUDYAPP_GENERATION_STALE_SECONDS)


def generation_job_is_stale(*, job: GenerationJob, now: datetime | None = None) -> bool:
    """Whether a job read a moment ago looks stale (no query); the pages use it to decide
    whether to call ``generation_jobs_fail_stale`` at all."""
    if job.status not in ACTIVE:
        return False
    last = job.heartbeat_at or job.started_at or job.created_at
    return last < generation_stale_cutoff(now=now)


def generation_jobs_fail_stale(
    *, document: SourceDocument | None = None, now: datetime | None = None
) -> int:
    """Fail every queued or running job (of ``document``, or all) that has given no sign
    of life for ``STUDYAPP_GENERATION_STALE_SECONDS``, with ``error_code="stale"``.
    Returns how many. One UPDATE whose condition is re-checked row by row, so a job that
    wrote a heartbeat or finished meanwhile is left alone; safe to run at any time.

    Run every minute by Celery beat (``quizzes.tasks.fail_stale_generation_jobs``), by
    ``manage.py fail_stale_generation_jobs`` from cron, and for one document whenever its
    page or progress is read."""
    jobs = GenerationJob.objects.filter(status__in=ACTIVE).filter(
        _stale_since(generation_stale_cutoff(now=now))
    )
    if document is not None:
        jobs = jobs.filter(document=document)
    failed = jobs.update(
        status=GenerationJob.Status.FAILED,
        error_code="stale",
        error_params={},
        error=generation_failure_message("stale"),
        finished_at=now or timezone.now(),
    )
    if failed:
        logger.warning("%s stale generation job(s) marked failed", failed)
    return failed


@transaction.atomic
def generation_retry(*, document: SourceDocument, requested_by: User) -> GenerationJob:
    """Queue a new generation run for a document whose latest job failed.

    Idempotent: the document row is locked, and when its latest job is queued, running
    or done, that job is returned and nothing is queued (a double click queues one run)."""
    SourceDocument.objects.select_for_update().filter(pk=document.pk).first()
    latest = document.generation_jobs.order_by("-created_at", "-pk").first()
    if latest is not None and latest.status != GenerationJob.Status.FAILED:
        return latest
    return _job_queue(document=document, created_by=requested_by)


def document_deletable_questions(*, document: SourceDocument) -> QuerySet[Question]:
    """The questions that go with a document: those generated from its key points."""
    return Question.objects.filter(key_point__document=document, origin=Question.Origin.GENERATED)


def document_delete(*, document: SourceDocument) -> None:
    """Delete a document with its key points, generation jobs and the questions generated
    from it. Refused (``ValidationError``, code ``in_use``) when one of those questions is
    in a quiz or was shown in an attempt, or a quiz draws from one of its key points: past
    attempts and quizzes keep what they showed. Questions written by hand or imported
    stay in the bank, without their key point."""
    with transaction.atomic():
        locked = SourceDocument.objects.select_for_update().filter(pk=document.pk).first()
        if locked is None:
            return
        if document_usage(document=locked).in_use:
            raise _in_use_error()
        try:
            document_deletable_questions(document=locked).delete()
            locked.delete()
        except ProtectedError as error:
            raise _in_use_error() from error


def _in_use_error() -> ValidationError:
    return ValidationError(
        _(
            "This document cannot be deleted: some of its questions are in a quiz or were "
            "answered in an attempt. Remove them from the quizzes first; questions that "
            "learners have answered stay, so that their results stay right."
        ),
        code="in_use",
    )


def _results_save(*, job: GenerationJob, result: GenerationResult) -> int:
    """Key points and draft questions of one generator run; returns the drafts saved."""
    document = job.document
    if KeyPoint.objects.filter(document=document).exists():
        # Saved by an earlier run of this document: never twice.
        return 0
    key_points = KeyPoint.objects.bulk_create(
        KeyPoint(
            document=document,
            ordinal=point.ordinal,
            text=point.text,
            start_offset=point.start,
            end_offset=point.end,
            score=max(0.0, point.score),
        )
        for point in result.key_points
    )
    point_ids = {point.ordinal: point.pk for point in key_points}
    drafts, refused = drafts_sorted_out(drafts=result.drafts)
    for draft, problems in refused:
        logger.warning("Generated draft skipped (%s): %s", problems, draft.stem[:80])
    # Each draft's rank rides in its question's INSERT; all of them in a few statements.
    questions_create_bulk(
        bank=document.bank,
        new=[
            NewQuestion(draft, point_ids.get(draft.key_point_ordinal), review_rank=rank)
            for draft, rank in zip(drafts, review_ranks(drafts=drafts), strict=True)
        ],
        created_by=job.created_by,
        origin=Question.Origin.GENERATED,
        status=Question.Status.DRAFT,
    )
    return len(drafts)


def review_ranks(*, drafts: list[QuestionDraft]) -> list[int]:
    """Each draft's rank within its document, in the drafts' order: 1 for the best quality
    score; drafts without a score after every scored one; ties (and unscored drafts) in
    the generator's order."""
    scores = [quality_score(value=draft.quality) for draft in drafts]
    order = sorted(
        range(len(drafts)),
        key=lambda index: (scores[index] is None, -(scores[index] or 0.0), index),
    )
    ranks = [0] * len(drafts)
    for rank, index in enumerate(order, start=1):
        ranks[index] = rank
    return ranks


REVIEW_DECISIONS = {
    "approve": Question.Status.PUBLISHED,
    "reject": Question.Status.ARCHIVED,
}

REJECTION_NOTE_MAX = Question._meta.get_field("rejection_note").max_length


@transaction.atomic
def review_decide(
    *,
    bank: QuestionBank,
    question_ids: Iterable[int],
    decision: str,
    reason: str = "",
    note: str = "",
) -> int:
    """Approve (publish) or reject (archive) generated drafts of ``bank`` waiting for review.

    A rejection needs a ``reason`` (``RejectionReason``) and may carry a short ``note``;
    both are stored on every rejected draft and counted per document for whoever tunes
    the generator. Approving leaves them empty. Questions of other banks, hand-written
    ones and drafts already decided are ignored. Raises ``ValidationError`` (and changes
    nothing) for an unknown decision, a rejection without a valid reason or a note that is
    too long. Returns how many questions changed; two queries however many there are."""
    if decision not in REVIEW_DECISIONS:
        raise ValidationError(_("Choose to approve or to reject."), code="unknown_decision")
    note = " ".join(note.split())
    if decision == "reject":
        if reason not in RejectionReason.values:
            raise ValidationError(
                _(
                    "Choose why the drafts are rejected: trivial, wrong, ambiguous, bad "
                    "distractors or other."
                ),
                code="reason_required",
            )
        if len(note) > REJECTION_NOTE_MAX:
            raise ValidationError(
                _("The note is too long: at most %(limit)d characters."),
                code="note_too_long",
                params={"limit": REJECTION_NOTE_MAX},
            )
    else:
        reason = note = ""
    waiting = Question.objects.filter(
        bank=bank,
        pk__in=[int(pk) for pk in question_ids],
        origin=Question.Origin.GENERATED,
        status=Question.Status.DRAFT,
    )
    # Lock the drafts first, so that two reviewers deciding at once count each draft once.
    locked = list(waiting.select_for_update().values_list("pk", flat=True))
    if not locked:
        return 0
    return Question.objects.filter(pk__in=locked, status=Question.Status.DRAFT).update(
        status=REVIEW_DECISIONS[decision],
        rejection_reason=reason,
        rejection_note=note,
        updated_at=timezone.now(),
    )
