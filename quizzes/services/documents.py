"""Writes for uploaded documents: ingest, store, run the question generator, review drafts.

The upload path checks and extracts the file before anything is written, so a refused file
leaves no trace. A stored document gets a ``GenerationJob``; the Celery task
``quizzes.tasks.generate_for_document`` runs ``generation_run`` once the upload's
transaction has committed. The generator's key points and drafts are saved in a single
transaction at the end: a failure leaves the job marked failed and nothing else.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quizzes.drafts import QuestionDraft
from quizzes.generation import GenerationResult, generate
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
from quizzes.services.banks import (
    document_create,
    quality_score,
    question_create,
    text_checksum,
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

# How many per cent the generator must advance before the job row is written again.
PROGRESS_STEP = 5

AUTO_LANGUAGE = "auto"


class LenientParams(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def ingest_error_message(error: IngestError) -> str:
    """The refusal as a sentence in the user's language."""
    template = INGEST_MESSAGES.get(error.code)
    if template is None:
        return error.message
    return str(template) % LenientParams(error.params)


def upload_limits() -> IngestLimits:
    return IngestLimits(max_bytes=settings.STUDYAPP_UPLOAD_MAX_BYTES)


def upload_too_large(size: int) -> ValidationError:
    """The refusal for a file over the size limit, found before the file is read."""
    return ValidationError(
        INGEST_MESSAGES["too_large"],
        code="too_large",
        params={"limit_mb": f"{settings.STUDYAPP_UPLOAD_MAX_BYTES / (1024 * 1024):g}"},
    )


def document_extract(*, data: bytes, filename: str) -> Extracted:
    """Extract clean text from an uploaded file. Writes nothing.

    Raises ``ValidationError`` (its code is the ingest refusal code) for a refused file."""
    try:
        return extract(data, filename, limits=upload_limits())
    except IngestError as error:
        raise ValidationError(ingest_error_message(error), code=error.code) from error


def pasted_text_clean(text: str) -> str:
    """Clean pasted text; refuses text that is empty once cleaned. Writes nothing."""
    cleaned = clean_text(text)
    if not cleaned.strip():
        raise ValidationError(INGEST_MESSAGES["empty"], code="empty")
    return cleaned


def _title_from(text: str) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first_line[:80] or str(_("Untitled document"))


@transaction.atomic
def document_upload(
    *,
    bank: QuestionBank,
    uploaded_by: User,
    text: str,
    title: str = "",
    language: str = AUTO_LANGUAGE,
    original_filename: str = "",
) -> GenerationJob:
    """Store extracted text as a document of ``bank`` and queue its question generation.

    The same text twice in a bank is refused with a ``ValidationError``. The generation task
    is sent only once this transaction commits."""
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
    job = GenerationJob(document=document, created_by=uploaded_by)
    job.full_clean()
    job.save()
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _duplicate_error() -> ValidationError:
    return ValidationError(
        _("This bank already has a document with exactly the same text."), code="duplicate"
    )


def _enqueue(job_id: int) -> None:
    from quizzes.tasks import generate_for_document

    generate_for_document.delay(job_id)


def generation_run(*, job_id: int, seed: int = 0, max_drafts: int | None = None) -> GenerationJob:
    """Run the generator for a queued job and save its key points and drafts.

    Idempotent: a job that is done (or running elsewhere) is left alone. Progress is
    written to the job row as the generator advances, at most every ``PROGRESS_STEP`` per
    cent. On any error the job is marked failed and nothing else is saved."""
    with transaction.atomic():
        job = (
            GenerationJob.objects.select_for_update()
            .select_related("document__bank", "created_by")
            .get(pk=job_id)
        )
        if job.status not in (GenerationJob.Status.QUEUED, GenerationJob.Status.FAILED):
            return job
        job.status = GenerationJob.Status.RUNNING
        job.progress = 0
        job.stage = ""
        job.error = ""
        job.started_at = timezone.now()
        job.finished_at = None
        job.save(
            update_fields=["status", "progress", "stage", "error", "started_at", "finished_at"]
        )

    written = {"progress": 0, "stage": ""}

    def progress(fraction: float, stage: str) -> None:
        # 100 is written only with the results.
        percent = max(0, min(99, int(fraction * 100)))
        if percent - written["progress"] < PROGRESS_STEP and stage == written["stage"]:
            return
        written.update(progress=percent, stage=stage[:32])
        GenerationJob.objects.filter(pk=job_id).update(progress=percent, stage=stage[:32])

    document = job.document
    try:
        result = generate(
            document.text,
            language=document.language,
            seed=seed,
            max_drafts=max_drafts,
            progress=progress,
        )
        GenerationJob.objects.filter(pk=job_id).update(stage="saving")
        with transaction.atomic():
            created = _results_save(job=job, result=result)
            job.status = GenerationJob.Status.DONE
            job.progress = 100
            job.stage = "done"
            job.drafts_created = created
            job.finished_at = timezone.now()
            job.full_clean()
            job.save(update_fields=["status", "progress", "stage", "drafts_created", "finished_at"])
    except Exception as error:  # any failure is shown on the job
        logger.exception("Generation job %s failed", job_id)
        message = str(error) or type(error).__name__
        GenerationJob.objects.filter(pk=job_id).update(
            status=GenerationJob.Status.FAILED,
            error=message[:2000],
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


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
    by_ordinal = {point.ordinal: point for point in key_points}
    drafts = list(_sound(result.drafts))
    ranks = review_ranks(drafts)
    for draft, rank in zip(drafts, ranks, strict=True):
        # The rank rides in the question's INSERT: no extra query per draft.
        question_create(
            bank=document.bank,
            draft=draft,
            created_by=job.created_by,
            origin=Question.Origin.GENERATED,
            status=Question.Status.DRAFT,
            key_point=by_ordinal.get(draft.key_point_ordinal),
            review_rank=rank,
        )
    return len(drafts)


def review_ranks(drafts: list[QuestionDraft]) -> list[int]:
    """Each draft's rank within its document, in the drafts' order: 1 for the best quality
    score; drafts without a score after every scored one; ties (and unscored drafts) in
    the generator's order."""
    scores = [quality_score(draft.quality) for draft in drafts]
    order = sorted(
        range(len(drafts)),
        key=lambda index: (scores[index] is None, -(scores[index] or 0.0), index),
    )
    ranks = [0] * len(drafts)
    for rank, index in enumerate(order, start=1):
        ranks[index] = rank
    return ranks


def _sound(drafts: Iterable[QuestionDraft]) -> Iterable[QuestionDraft]:
    for draft in drafts:
        if draft.problems():
            logger.warning("Generated draft skipped (%s): %s", draft.problems(), draft.stem[:80])
            continue
        yield draft


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
