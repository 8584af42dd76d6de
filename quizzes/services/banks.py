"""Writes for banks, documents and versioned questions."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quizzes.drafts import QuestionDraft
from quizzes.models import (
    BlankAnswer,
    Choice,
    ImportBatch,
    KeyPoint,
    Question,
    QuestionBank,
    QuestionVersion,
    SourceDocument,
    User,
)
from quizzes.models.banks import text_checksum
from quizzes.versions import (
    ANSWER_FIELDS,
    VERSION_FIELDS,
    answer_columns,
    canonical_answers,
    canonical_draft,
    version_columns,
    version_to_draft,
)

DRAFT_PROBLEMS = {
    "unknown_kind": _("The question kind is not one we know."),
    "empty_stem": _("The question text is empty."),
    "bad_difficulty": _("Difficulty must be between 1 and 5."),
    "bad_source_offsets": _("The source passage offsets are invalid."),
    "blank_with_choices": _("A fill-in-the-blank question cannot have choices."),
    "no_blanks": _("A fill-in-the-blank question needs at least one blank."),
    "blank_without_answer": _("Every blank needs at least one accepted answer."),
    "blank_count_mismatch": _(
        "The number of blanks (runs of ___ in the text) does not match the answers given."
    ),
    "choices_with_blanks": _("A choice question cannot have blank answers."),
    "empty_choice": _("A choice is empty."),
    "duplicate_choices": _("Two choices have the same text."),
    "true_false_needs_two_choices_one_correct": _(
        "A true/false question needs exactly two choices, one of them correct."
    ),
    "too_few_choices": _("A choice question needs at least two choices."),
    "single_needs_one_correct": _("A single-choice question needs exactly one correct choice."),
    "multiple_needs_a_correct_choice": _(
        "A multiple-choice question needs at least one correct choice."
    ),
    "answers_mismatch": _("The details of the accepted answers do not match the blanks."),
    "bad_credit": _("An answer's credit must be a percentage from 0 to 100."),
    "no_full_credit": _("Every blank needs an accepted answer that earns 100 %."),
    "bad_tolerance": _("A numeric answer's tolerance must be a number of 0 or more."),
    "bad_range": _("A numeric range must run from its lower to its higher number."),
    "bad_number": _("A numeric answer is too large or has more than 12 decimal places."),
}


def quality_score(*, value: float | None) -> float | None:
    """A generator's quality score as stored: within 0..1, ``None`` when missing or not a
    number (the database refuses anything outside 0..1)."""
    if value is None or math.isnan(value):
        return None
    return min(1.0, max(0.0, float(value)))


def draft_validate(*, draft: QuestionDraft) -> None:
    """Raise ``ValidationError`` with a readable message for each problem of the draft."""
    problems = draft.problems()
    if problems:
        raise ValidationError([DRAFT_PROBLEMS[code] for code in problems], code="invalid_draft")


def bank_create(*, owner: User, title: str, description: str = "") -> QuestionBank:
    bank = QuestionBank(owner=owner, title=title, description=description)
    bank.full_clean()
    bank.save()
    return bank


def bank_update(*, bank: QuestionBank, title: str, description: str = "") -> QuestionBank:
    """Change a bank's title and description."""
    bank.title = title
    bank.description = description
    bank.full_clean()
    bank.save(update_fields=["title", "description", "updated_at"])
    return bank


def document_create(
    *,
    bank: QuestionBank,
    title: str,
    text: str,
    language: str,
    uploaded_by: User,
    original_filename: str = "",
    source: str = "",
) -> SourceDocument:
    """Store a document's extracted text. The same text twice in a bank is refused."""
    document = SourceDocument(
        bank=bank,
        title=title,
        text=text,
        language=language,
        checksum=text_checksum(text),
        uploaded_by=uploaded_by,
        original_filename=original_filename,
        source=source,
    )
    document.full_clean()
    document.save()
    return document


def _version_insert(
    *, question: Question, number: int, draft: QuestionDraft, created_by: User
) -> QuestionVersion:
    stored = canonical_draft(draft)
    version = QuestionVersion.objects.create(
        question=question, number=number, created_by=created_by, **version_columns(stored)
    )
    Choice.objects.bulk_create(
        Choice(
            version=version,
            ordinal=ordinal,
            text=choice.text,
            is_correct=choice.correct,
            feedback=choice.feedback,
        )
        for ordinal, choice in enumerate(stored.choices, start=1)
    )
    BlankAnswer.objects.bulk_create(
        BlankAnswer(version=version, blank=index, **answer_columns(answer))
        for index, answers in enumerate(canonical_answers(stored), start=1)
        for answer in answers
    )
    return version


@transaction.atomic
def question_create(
    *,
    bank: QuestionBank,
    draft: QuestionDraft,
    created_by: User,
    origin: str = Question.Origin.MANUAL,
    status: str = Question.Status.DRAFT,
    key_point: KeyPoint | None = None,
    review_rank: int | None = None,
) -> Question:
    """Add a question to a bank from a draft; its content becomes version 1.

    The draft's quality score and reasons (set by the generator) are kept on the question,
    with ``review_rank``, its rank in its document, in the same INSERT."""
    draft_validate(draft=draft)
    _key_point_check(bank=bank, key_point=key_point)
    question = Question(
        bank=bank,
        origin=origin,
        status=status,
        key_point=key_point,
        created_by=created_by,
        quality=quality_score(value=draft.quality),
        quality_reasons=[str(code) for code in draft.quality_reasons],
        review_rank=review_rank,
    )
    question.full_clean()
    question.save()
    _version_insert(question=question, number=1, draft=draft, created_by=created_by)
    return question


@transaction.atomic
def question_edit(*, question: Question, draft: QuestionDraft, edited_by: User) -> QuestionVersion:
    """Record an edit as a new version. Past versions — and every attempt item that points
    at one — stay exactly as they were. An edit that changes nothing adds no version."""
    draft_validate(draft=draft)
    # Lock the question so two simultaneous edits get consecutive numbers.
    question = Question.objects.select_for_update().get(pk=question.pk)
    current = question.versions.order_by("-number").first()
    if current is not None and version_to_draft(current) == canonical_draft(draft):
        return current
    number = (question.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = _version_insert(question=question, number=number, draft=draft, created_by=edited_by)
    question.save(update_fields=["updated_at"])
    return version


def _key_point_check(*, bank: QuestionBank, key_point: KeyPoint | None) -> None:
    if (
        key_point is not None
        and not KeyPoint.objects.filter(pk=key_point.pk, document__bank_id=bank.pk).exists()
    ):
        raise ValidationError(
            {"key_point": _("The key point must come from a document of this bank.")},
            code="foreign_key_point",
        )


@transaction.atomic
def question_update(
    *,
    question: Question,
    draft: QuestionDraft,
    edited_by: User,
    key_point: KeyPoint | None,
    status: str | None = None,
) -> tuple[QuestionVersion, bool]:
    """Save an organizer's edit of a question: its content (a new version only when it
    changed, see ``question_edit``), its key point and, when given, its status.

    Returns the current version and whether this edit created it."""
    draft_validate(draft=draft)
    _key_point_check(bank=question.bank, key_point=key_point)
    locked = Question.objects.select_for_update().get(pk=question.pk)
    before = locked.versions.aggregate(n=Max("number"))["n"] or 0
    version = question_edit(question=locked, draft=draft, edited_by=edited_by)
    changed = []
    new_key_point_id = key_point.pk if key_point is not None else None
    if locked.key_point_id != new_key_point_id:
        locked.key_point = key_point
        changed.append("key_point")
    if status is not None and status != locked.status:
        locked.status = status
        changed.append("status")
    if changed:
        locked.full_clean()
        locked.save(update_fields=[*changed, "updated_at"])
    question.refresh_from_db()
    return version, version.number > before


def question_set_status(*, question: Question, status: str) -> Question:
    """Publish, archive or return a question to draft."""
    question.status = status
    question.full_clean()
    question.save(update_fields=["status", "updated_at"])
    return question


# --- Many questions at once ----------------------------------------------------------


def _insert(model, columns: tuple[str, ...], rows: list[tuple], *, returning: bool) -> list[int]:
    """Insert ``rows`` (values in ``columns`` order) into ``model``'s table, a chunk per
    statement; with ``returning``, the new ids in row order.

    Why not ``bulk_create``: for 10,000 questions it spends nine tenths of its time building
    model instances and compiling values (bench/interchange.py); these rows are already
    checked, and the database's constraints and triggers still apply. PostgreSQL gets one
    array per column (``unnest``), so the statement stays short — psycopg re-parses a long
    statement on every execution; SQLite gets multi-row ``VALUES``. Rows come back from
    ``RETURNING`` in the order given, as ``bulk_create`` itself relies on."""
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    suffix = f" RETURNING {quote('id')}" if returning else ""
    if connection.vendor == "postgresql":
        types = [model._meta.get_field(column).db_type(connection) for column in columns]
        arrays = ", ".join(f"%s::{kind}[]" for kind in types)
        sql = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}){suffix}"
        size = 5000

        def statement(chunk: list[tuple]) -> tuple[str, list]:
            return sql, [list(values) for values in zip(*chunk, strict=True)]

    else:
        size = max(1, min(1000, (connection.features.max_query_params or 30_000) // len(columns)))
        row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"

        def statement(chunk: list[tuple]) -> tuple[str, list]:
            values = ", ".join([row_sql] * len(chunk))
            return (
                f"INSERT INTO {table} ({names}) VALUES {values}{suffix}",
                [value for row in chunk for value in row],
            )

    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            cursor.execute(*statement(rows[start : start + size]))
            if returning:
                ids.extend(pk for (pk,) in cursor.fetchall())
    return ids


_QUESTION_COLUMNS = (
    *("bank_id", "origin", "status", "key_point_id", "import_batch_id", "created_by_id"),
    *("created_at", "updated_at", "quality", "quality_reasons", "review_rank"),
    *("rejection_reason", "rejection_note"),
)
_VERSION_COLUMNS = ("question_id", "number", *VERSION_FIELDS, "created_by_id", "created_at")


@dataclass(frozen=True)
class NewQuestion:
    """A sound draft to store as a new question, with what its caller knows of it: its
    key point and, for a generated draft, its rank in its document."""

    draft: QuestionDraft
    key_point_id: int | None = None
    review_rank: int | None = None


def drafts_sorted_out(
    *,
    drafts: Iterable[QuestionDraft],
) -> tuple[list[QuestionDraft], list[tuple[QuestionDraft, list[str]]]]:
    """The sound drafts, and the others with their problems (``QuestionDraft.problems()``
    codes), each draft checked once."""
    sound: list[QuestionDraft] = []
    refused: list[tuple[QuestionDraft, list[str]]] = []
    for draft in drafts:
        problems = draft.problems()
        if problems:
            refused.append((draft, problems))
        else:
            sound.append(draft)
    return sound, refused


def questions_create_bulk(
    *,
    bank: QuestionBank,
    new: Sequence[NewQuestion],
    created_by: User,
    origin: str,
    status: str,
    import_batch: ImportBatch | None = None,
) -> list[int]:
    """Store drafts as new questions of ``bank``, each with version 1 and its choices and
    accepted answers, as ``question_create`` stores one question — but with multi-row
    inserts: a few statements per thousand questions, whatever their number. Returns the
    new questions' ids, in the order given.

    The generator and the imports store their drafts with it. Their drafts are sound
    already: each was checked once, by ``drafts_sorted_out`` or by the format reader that
    read it, and is not checked again here (the database's constraints still apply). A
    generated draft's quality score and reasons are kept, with ``review_rank``."""
    if not new:
        return []
    drafts = [canonical_draft(entry.draft) for entry in new]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    user = created_by.pk
    batch = import_batch.pk if import_batch is not None else None
    question_ids = _insert(
        Question,
        _QUESTION_COLUMNS,
        [
            (
                *(bank.pk, origin, status, entry.key_point_id, batch, user, now, now),
                quality_score(value=entry.draft.quality),
                json.dumps([str(code) for code in entry.draft.quality_reasons]),
                entry.review_rank,
                # No database default for these (migration 0007): say them.
                *("", ""),
            )
            for entry in new
        ],
        returning=True,
    )
    version_ids = _insert(
        QuestionVersion,
        _VERSION_COLUMNS,
        [
            (question, 1, *version_columns(draft).values(), user, now)
            for question, draft in zip(question_ids, drafts, strict=True)
        ],
        returning=True,
    )
    _insert(
        Choice,
        ("version_id", "ordinal", "text", "is_correct", "feedback"),
        [
            (version, ordinal, choice.text, choice.correct, choice.feedback)
            for version, draft in zip(version_ids, drafts, strict=True)
            for ordinal, choice in enumerate(draft.choices, start=1)
        ],
        returning=False,
    )
    _insert(
        BlankAnswer,
        ("version_id", "blank", *ANSWER_FIELDS),
        [
            (version, index, *answer_columns(answer).values())
            for version, draft in zip(version_ids, drafts, strict=True)
            for index, answers in enumerate(canonical_answers(draft), start=1)
            for answer in answers
        ],
        returning=False,
    )
    return question_ids
