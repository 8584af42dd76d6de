"""Question imports: an uploaded file → a pending ``ImportBatch`` and its preview → the
good questions saved in one transaction, or the batch cancelled.

``import_upload`` refuses, before anything is written, a file that is too large, of a type
we do not read, undecodable, holding no readable question, or already imported into the
bank (the date of that import is given); otherwise it stores the file's bytes in a pending
batch. ``import_preview`` reads the stored bytes again and lists every question with
ok / warning / error, its line (or row) and the reason, in the user's language.
``import_confirm`` saves the questions without errors — those with errors are skipped and
counted, as Moodle does — with bulk inserts, under a row lock on the batch (a double click
imports once), and marks the batch imported; the partial unique index "one imported batch
per bank and file" refuses a second import that raced past the upload check.
``import_cancel`` deletes a pending batch. The command line uses the same functions.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from quizzes.drafts import AnswerDraft, ChoiceDraft, QuestionDraft
from quizzes.exports.questions import EXPORT_FORMATS
from quizzes.formats import IMPORT_FORMATS, FormatRefused, read_upload
from quizzes.formats.base import FormatIssue, ParsedQuestion, ParseResult
from quizzes.models import (
    BlankAnswer,
    ImportBatch,
    KeyPoint,
    Question,
    QuestionBank,
    QuestionVersion,
    User,
)
from quizzes.services.banks import DRAFT_PROBLEMS, NewQuestion, questions_create_bulk
from quizzes.services.documents import INGEST_MESSAGES, LenientParams

logger = logging.getLogger(__name__)

# The formats read are the formats written; they share their names and labels.
FORMAT_LABELS: dict[str, Promise] = {name: EXPORT_FORMATS[name].label for name in IMPORT_FORMATS}

# A pending batch nobody confirmed or cancelled is dropped after this long.
PENDING_LIFETIME = timedelta(days=1)
# ``BlankAnswer.text`` holds at most this many characters.
ANSWER_MAX_LENGTH = BlankAnswer._meta.get_field("text").max_length
SHEET_FORMATS = frozenset({"xlsx", "csv"})

REFUSALS: dict[str, Promise] = {
    "empty": INGEST_MESSAGES["empty"],
    "too_large": INGEST_MESSAGES["too_large"],
    "unsupported_type": _(
        "Files like %(filename)s cannot be imported; upload a GIFT (.gift or .txt), Moodle XML "
        "(.xml), Aiken (.txt), Chinese plain-text (.txt), Excel (.xlsx) or CSV (.csv) file."
    ),
    "wrong_type": _(
        "The content of %(filename)s is not what its name or the chosen format says; save it "
        "again in that format, or choose the format it really is in."
    ),
    "bad_encoding": INGEST_MESSAGES["bad_encoding"],
    "truncated_utf8": INGEST_MESSAGES["truncated_utf8"],
    "broken_utf8": INGEST_MESSAGES["broken_utf8"],
    "no_questions": _("No question could be read from the file; see the reasons below."),
    "already_imported": _(
        "This file was already imported into this bank on %(date)s; it was not imported again."
    ),
    "nothing_to_import": _("Every question of this file has an error: there is nothing to import."),
    "not_pending": _("This import was already finished or cancelled."),
}

ISSUE_MESSAGES: dict[str, Promise] = {
    # errors
    "unbalanced_braces": _("The braces { } of this question do not match."),
    "unsupported_type": _(
        "This kind of question (matching, essay, description…) cannot be imported."
    ),
    "unknown_type": _("The answers are not written in a syntax this format knows."),
    "empty_answers": _("The answer is empty."),
    "bad_weight": _("A weight or fraction is not a percentage between -100 and 100."),
    "bad_number": _("A numerical answer is not a number."),
    "no_correct_answer": _("No answer is marked right."),
    "missing_answer": _("The question has no answer line."),
    "bad_answer": _("The answer does not match the options or the question kind."),
    "duplicate_option": _("An option letter appears twice."),
    "no_question": _("An answer line has no question before it."),
    "unsafe_xml": _(
        "The XML declares a DTD, entities or external references; it was refused unread."
    ),
    "bad_xml": _("The XML is malformed."),
    "missing_columns": _("Required columns are missing from the header row."),
    "duplicate_column": _("A column appears twice in the header row."),
    "unknown_kind": _(
        "The question kind is not one we know (单选, 多选, 判断, 填空 or single, multiple, "
        "true_false, blank)."
    ),
    "too_many_rows": _("The sheet has too many rows; the rest were not read."),
    "corrupt": _("The file is damaged and could not be read."),
    "wrong_type": _("The file is not in the format its name says."),
    "bad_encoding": INGEST_MESSAGES["bad_encoding"],
    "truncated_utf8": _(
        "The text is UTF-8 but ends in the middle of a character: the file seems to have "
        "been cut off. Save it again as UTF-8."
    ),
    "broken_utf8": _(
        "The text is UTF-8 but some of its bytes, the first on this line, are not UTF-8: "
        "the file seems damaged. Save it again as UTF-8."
    ),
    "archive_bomb": INGEST_MESSAGES["archive_bomb"],
    "answer_too_long": _("An accepted answer is longer than %(limit)s characters."),
    # warnings
    "weights_sum": _("The positive weights do not add up to 100%."),
    "several_right_answers": _(
        "Several answers are right; it becomes a multiple-choice question needing all of them."
    ),
    "partial_credit_dropped": _("Answers with partial credit were not kept."),
    "units_dropped": _("The units of a numerical answer are not kept."),
    "html_markup": _("The text holds HTML tags, kept as plain text."),
    "image_dropped": _("Images are not kept."),
    "blank_added": _("The text had no ____ blank; one was added at its end."),
    "ignored_line": _("A line after the answer was ignored."),
    "ignored_columns": _("Columns not in the template were ignored."),
    "bad_difficulty": _("The difficulty is not 1–5; 3 is used."),
    "options_ignored": _("Options of a fill-in-the-blank question were ignored."),
    "options_gap": _("Empty options between filled ones were skipped."),
    "key_point_unknown": _(
        "The key point is not the text of a key point in this bank; the question is "
        "imported without one."
    ),
    "duplicate_in_bank": _("A question with the same text is already in this bank."),
}


@dataclass(frozen=True)
class PreviewIssue:
    severity: str
    code: str
    message: str
    detail: str = ""  # the reader's own sentence (English) when it says more


@dataclass
class PreviewRow:
    """One question of the file (or one note about the file) as the preview lists it."""

    line: int
    title: str
    draft: QuestionDraft | None
    issues: list[PreviewIssue] = field(default_factory=list)
    key_point_id: int | None = None

    @property
    def status(self) -> str:
        severities = {issue.severity for issue in self.issues}
        if "error" in severities or (self.draft is None and not severities):
            return "error"
        return "warning" if severities else "ok"

    @property
    def is_question(self) -> bool:
        """False for a note about the whole file (an ignored column, an ignored line)."""
        return self.draft is not None or self.status == "error"

    @property
    def importable(self) -> bool:
        return self.draft is not None and self.status != "error"


@dataclass
class ImportPreview:
    batch: ImportBatch | None
    format: str
    rows: list[PreviewRow]

    @property
    def importable(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.importable]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.is_question and row.status == status)

    @property
    def skipped(self) -> int:
        return self.count("error")


@dataclass(frozen=True)
class ImportOutcome:
    batch: ImportBatch
    imported: int
    skipped: int
    already_done: bool = False  # a second confirmation (double click): nothing was written


class ImportRefused(ValidationError):
    """A refusal with its reason; ``rows`` lists the located problems when there are some."""

    def __init__(self, message, *, code: str, params=None, rows=(), fmt: str = "") -> None:
        super().__init__(message, code=code, params=params)
        self.rows: list[PreviewRow] = list(rows)
        self.format = fmt

    def __str__(self) -> str:
        return " ".join(self.messages)


def _refuse(code: str, rows=(), fmt: str = "", **params) -> ImportRefused:
    return ImportRefused(
        REFUSALS[code], code=code, params=LenientParams(params), rows=rows, fmt=fmt
    )


# --- reading and checking ---------------------------------------------------------------------


def _english() -> bool:
    """Whether messages come out in English (also when translation is off, as in commands)."""
    language = translation.get_language()
    return language is None or language.startswith("en")


def _issue(issue: FormatIssue) -> PreviewIssue:
    """An issue in the user's language: a sentence per code, with the reader's own (English)
    sentence as the detail — or as the message itself for English readers."""
    if issue.code == "invalid_question" or issue.message.startswith("The question is not usable"):
        codes = [c for c in re.findall(r"[a-z_]+", issue.message) if c in DRAFT_PROBLEMS]
        if codes:
            text = " ".join(str(DRAFT_PROBLEMS[code]) for code in codes)
            return PreviewIssue(issue.severity, issue.code, text)
    template = ISSUE_MESSAGES.get(issue.code) or DRAFT_PROBLEMS.get(issue.code)
    if template is None or _english():
        return PreviewIssue(issue.severity, issue.code, issue.message)
    return PreviewIssue(issue.severity, issue.code, str(template), issue.message)


def _rows(result: ParseResult) -> list[PreviewRow]:
    """Every question, every error and every stray note, in file order."""
    rows: list[PreviewRow] = []
    attached: set[FormatIssue] = set()
    for question in result.questions:
        attached.update(question.warnings)
        rows.append(
            PreviewRow(
                question.line,
                question.title,
                question.draft,
                [_issue(w) for w in question.warnings],
            )
        )
    errors: dict[tuple[int, str], PreviewRow] = {}
    for issue in result.issues:
        if issue.severity == "error":
            key = (issue.line, issue.title)
            if key not in errors:  # several problems of one question make one row
                errors[key] = PreviewRow(issue.line, issue.title, None)
                rows.append(errors[key])
            errors[key].issues.append(_issue(issue))
    rows.sort(key=lambda row: row.line)
    questions = [row for row in rows if row.draft is not None]
    starts = [row.line for row in questions]
    notes: list[PreviewRow] = []
    for issue in result.issues:
        if issue.severity != "warning" or issue in attached:
            continue
        # A note about a line inside a question goes to that question.
        at = bisect.bisect_right(starts, issue.line)
        if at:
            questions[at - 1].issues.append(_issue(issue))
        else:
            notes.append(PreviewRow(issue.line, issue.title, None, [_issue(issue)]))
    return sorted(notes + rows, key=lambda row: row.line) if notes else rows


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _check_against_bank(*, bank: QuestionBank, rows: list[PreviewRow], fmt: str) -> None:
    """Bank-dependent checks: answer lengths, key points named by text, texts already in
    the bank. Two queries."""
    key_points: dict[str, int] = {}
    for pk, text in (
        KeyPoint.objects.filter(document__bank=bank).order_by("pk").values_list("pk", "text")
    ):
        key_points.setdefault(_normal(text), pk)
    newest = QuestionVersion.objects.newest_for().values("stem")[:1]
    existing = {
        _normal(stem or "")
        for stem in Question.objects.filter(bank=bank)
        .annotate(current_stem=Subquery(newest))
        .values_list("current_stem", flat=True)
    }
    for row in rows:
        draft = row.draft
        if draft is None:
            continue
        if any(len(a.strip()) > ANSWER_MAX_LENGTH for answers in draft.blanks for a in answers):
            message = str(ISSUE_MESSAGES["answer_too_long"]) % {"limit": ANSWER_MAX_LENGTH}
            row.issues.append(PreviewIssue("error", "answer_too_long", message))
            continue
        for tag in draft.tags:
            if _normal(tag) in key_points:
                row.key_point_id = key_points[_normal(tag)]
                break
        else:
            if draft.tags and fmt in SHEET_FORMATS:
                row.issues.append(
                    PreviewIssue(
                        "warning",
                        "key_point_unknown",
                        str(ISSUE_MESSAGES["key_point_unknown"]),
                        "、".join(draft.tags),
                    )
                )
        if _normal(draft.stem) in existing:
            row.issues.append(
                PreviewIssue(
                    "warning", "duplicate_in_bank", str(ISSUE_MESSAGES["duplicate_in_bank"])
                )
            )


def import_check_size(*, size: int) -> None:
    """Refuse a file larger than ``STUDYAPP_UPLOAD_MAX_BYTES`` — before it is read."""
    if size > settings.STUDYAPP_UPLOAD_MAX_BYTES:
        raise _refuse("too_large", limit_mb=f"{settings.STUDYAPP_UPLOAD_MAX_BYTES / 2**20:g}")


# --- the parse cache: a pending file is read at upload, on its preview and on confirm ----------
#
# Reading a 10,000-question file takes seconds; its bytes never change while it is pending.
# The reading is kept in the cache (Redis in production, in-process otherwise) as plain
# tuples, which pickle several times faster than the dataclasses; a miss just reads again.


def _cache_key(checksum: str, fmt: str) -> str:
    # v2: drafts carry their answers' details.
    return f"studyapp:import-read:v2:{checksum}:{fmt}"


_DRAFT_FIELDS = tuple(
    f.name for f in dataclasses.fields(QuestionDraft) if f.name not in ("choices", "answers")
)
_ANSWER_FIELDS = tuple(f.name for f in dataclasses.fields(AnswerDraft))


def _pack_issue(issue: FormatIssue) -> tuple:
    return (issue.line, issue.severity, issue.code, issue.message, issue.title)


def _pack(result: ParseResult) -> tuple:
    questions = [
        (
            q.line,
            q.title,
            q.category,
            (
                *(getattr(q.draft, name) for name in _DRAFT_FIELDS),
                tuple(
                    tuple(tuple(getattr(a, name) for name in _ANSWER_FIELDS) for a in per_blank)
                    for per_blank in q.draft.answers
                ),
                tuple((c.text, c.correct, c.feedback) for c in q.draft.choices),
            ),
            tuple(_pack_issue(w) for w in q.warnings),
        )
        for q in result.questions
    ]
    return questions, [_pack_issue(i) for i in result.issues]


def _unpack(packed: tuple) -> ParseResult:
    questions, issues = packed
    return ParseResult(
        [
            ParsedQuestion(
                QuestionDraft(
                    **dict(zip(_DRAFT_FIELDS, draft[:-2], strict=True)),
                    answers=tuple(
                        tuple(AnswerDraft(*a) for a in per_blank) for per_blank in draft[-2]
                    ),
                    choices=tuple(ChoiceDraft(*c) for c in draft[-1]),
                ),
                line,
                title,
                category,
                tuple(FormatIssue(*w) for w in warnings),
            )
            for line, title, category, draft, warnings in questions
        ],
        [FormatIssue(*i) for i in issues],
    )


def _cached(checksum: str, fmt: str) -> ParseResult | None:
    try:
        packed = cache.get(_cache_key(checksum, fmt))
    except Exception:  # a cache outage costs a second reading, nothing more
        logger.warning("import cache unavailable", exc_info=True)
        return None
    return _unpack(packed) if packed is not None else None


def _remember(checksum: str, fmt: str, result: ParseResult) -> None:
    try:
        cache.set(_cache_key(checksum, fmt), _pack(result), PENDING_LIFETIME.total_seconds())
    except Exception:
        logger.warning("import cache unavailable", exc_info=True)


def _parse(
    data: bytes, filename: str, chosen: str | None, checksum: str | None = None
) -> ImportPreview:
    """Read the file: its format and its rows. Bank-independent; writes nothing."""
    import_check_size(size=len(data))
    checksum = checksum or file_checksum(data=data)
    result = _cached(checksum, chosen) if chosen else None
    fmt = chosen
    if result is None:
        try:
            fmt, result = read_upload(data, filename, chosen)
        except FormatRefused as refused:
            params = {**refused.params, "filename": filename}
            raise _refuse(refused.code, **params) from refused
        if result.questions:
            _remember(checksum, fmt, result)
    rows = _rows(result)
    if not result.questions:
        raise _refuse("no_questions", rows=rows, fmt=fmt)
    return ImportPreview(None, fmt, rows)


def import_read(
    *, bank: QuestionBank, data: bytes, filename: str, chosen_format: str | None = None
) -> ImportPreview:
    """Read a file for ``bank`` without writing anything (the preview and ``--dry-run``).

    Raises ``ImportRefused`` for a file that is too large, unreadable or without any
    readable question."""
    preview = _parse(data, filename, chosen_format)
    _check_against_bank(bank=bank, rows=preview.rows, fmt=preview.format)
    return preview


def file_checksum(*, data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _earlier_import(*, bank: QuestionBank, checksum: str) -> ImportBatch | None:
    return (
        ImportBatch.objects.filter(bank=bank, checksum=checksum, state=ImportBatch.State.IMPORTED)
        .order_by("finished_at")
        .first()
    )


def _already_imported(earlier: ImportBatch) -> ImportRefused:
    when = timezone.localtime(earlier.finished_at or earlier.created_at)
    return _refuse("already_imported", date=formats.date_format(when, "DATETIME_FORMAT"))


# --- writes ----------------------------------------------------------------------------------


def import_upload(
    *,
    bank: QuestionBank,
    uploaded_by: User,
    data: bytes,
    filename: str,
    chosen_format: str | None = None,
) -> ImportBatch:
    """Check an uploaded file and keep it as a pending batch, ready for its preview.

    Raises ``ImportRefused`` (nothing written) for a refused file or a file already
    imported into ``bank``. Uploading the file of a batch still pending returns that batch."""
    import_check_size(size=len(data))
    checksum = file_checksum(data=data)
    earlier = _earlier_import(bank=bank, checksum=checksum)
    if earlier is not None:
        raise _already_imported(earlier)
    preview = _parse(data, filename, chosen_format, checksum)  # outside the write transaction
    with transaction.atomic():
        ImportBatch.objects.filter(
            bank=bank,
            state=ImportBatch.State.PENDING,
            created_at__lt=timezone.now() - PENDING_LIFETIME,
        ).delete()
        batch = ImportBatch.objects.filter(
            bank=bank, checksum=checksum, state=ImportBatch.State.PENDING
        ).first()
        if batch is None:
            batch = ImportBatch(bank=bank, checksum=checksum, data=data, created_by=uploaded_by)
        batch.filename = filename[-255:]
        batch.format = preview.format
        batch.full_clean()
        batch.save()
    return batch


def import_preview(*, batch: ImportBatch) -> ImportPreview:
    """The preview of a pending batch: its stored file read again (or that reading taken
    from the cache). Writes nothing."""
    preview = import_read(
        bank=batch.bank,
        data=bytes(batch.data),
        filename=batch.filename,
        chosen_format=batch.format,
    )
    preview.batch = batch
    return preview


def import_confirm(*, batch: ImportBatch, confirmed_by: User, publish: bool) -> ImportOutcome:
    """Save the batch's questions without errors, as drafts or published, in one
    transaction; questions with errors are skipped and counted.

    The batch row is locked first, so a second confirmation waits and then finds it
    imported (``already_done``). Raises ``ImportRefused`` when the same file was imported
    into the bank meanwhile (the unique index decides), when nothing is importable, or when
    the batch was cancelled."""
    status = Question.Status.PUBLISHED if publish else Question.Status.DRAFT
    stored = ImportBatch.objects.filter(pk=batch.pk).first()
    if stored is None or stored.state == ImportBatch.State.CANCELLED:
        raise _refuse("not_pending")
    preview = None
    if stored.state == ImportBatch.State.PENDING:
        # Parsing is the slow part: done before the lock (a pending batch's bytes never change).
        preview = _parse(bytes(stored.data), stored.filename, stored.format, stored.checksum)
    try:
        with transaction.atomic():
            locked = (
                ImportBatch.objects.select_for_update()
                .select_related("bank")
                .filter(pk=batch.pk)
                .first()
            )
            if locked is None or locked.state == ImportBatch.State.CANCELLED:
                raise _refuse("not_pending")
            if locked.state == ImportBatch.State.IMPORTED or preview is None:
                return ImportOutcome(locked, locked.question_count, 0, already_done=True)
            earlier = _earlier_import(bank=locked.bank, checksum=locked.checksum)
            if earlier is not None:
                raise _already_imported(earlier)
            _check_against_bank(bank=locked.bank, rows=preview.rows, fmt=preview.format)
            rows = preview.importable
            if not rows:
                raise _refuse("nothing_to_import", rows=preview.rows, fmt=preview.format)
            imported = len(
                questions_create_bulk(
                    bank=locked.bank,
                    new=[NewQuestion(row.draft, key_point_id=row.key_point_id) for row in rows],
                    created_by=confirmed_by,
                    origin=Question.Origin.IMPORTED,
                    status=status,
                    import_batch=locked,
                )
            )
            locked.state = ImportBatch.State.IMPORTED
            locked.question_count = imported
            locked.data = b""
            locked.finished_at = timezone.now()
            locked.save(update_fields=["state", "question_count", "data", "finished_at"])
    except IntegrityError:
        # Another batch of the same file was imported into the bank in the meantime.
        earlier = _earlier_import(bank=batch.bank, checksum=batch.checksum)
        if earlier is None:
            raise
        raise _already_imported(earlier) from None
    return ImportOutcome(locked, imported, preview.skipped)


@transaction.atomic
def import_cancel(*, batch: ImportBatch) -> bool:
    """Delete a pending batch and its stored file; no question is written. Returns False
    when the batch was no longer pending (already imported, or cancelled before)."""
    deleted, _per_model = ImportBatch.objects.filter(
        pk=batch.pk, state=ImportBatch.State.PENDING
    ).delete()
    return bool(deleted)
