"""Reads for authoring banks and questions: the organizer's bank list, a bank's questions
searched and filtered by their current version, the key points a question may cite, and a
question's version history with what each version changed.

A question's kind, stem and difficulty live on its versions; "current" always means the
newest version, read with a correlated subquery so that a page of questions is one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext

from quizzes.drafts import QuestionDraft
from quizzes.formats.notation import format_answer
from quizzes.models import (
    KeyPoint,
    Question,
    QuestionBank,
    QuestionKind,
    QuestionVersion,
    QuizSlot,
    SourceDocument,
    User,
)
from quizzes.presentation import DiffSegment, choice_letter, word_diff
from quizzes.selectors.access import banks_visible_to
from quizzes.selectors.home import count_related
from quizzes.versions import version_to_draft

QUESTIONS_PER_PAGE = 25
BANK_QUESTIONS_PER_PAGE = 50
BANKS_PER_PAGE = 50


# --- Banks --------------------------------------------------------------------------------


def bank_list_page(*, user: User, page_number: str | int | None) -> Page:
    """One page of the banks ``user`` may open (their own; all for staff), by title, each
    annotated with ``question_count``, ``published_count`` and ``document_count``.
    Two queries (count, page)."""
    banks = (
        banks_visible_to(user=user)
        .select_related("owner")
        .annotate(
            question_count=count_related(queryset=Question.objects.all(), outer_field="bank"),
            published_count=count_related(
                queryset=Question.objects.filter(status=Question.Status.PUBLISHED),
                outer_field="bank",
            ),
            document_count=count_related(queryset=SourceDocument.objects.all(), outer_field="bank"),
        )
        .order_by("title", "pk")
    )
    return Paginator(banks, BANKS_PER_PAGE).get_page(page_number)


def key_points_of_banks(*, bank_ids: Iterable[int]) -> list[KeyPoint]:
    """The key points of the banks' documents, by document and ordinal, each with its
    document (title only; the long text is not loaded). One query."""
    return list(
        KeyPoint.objects.filter(document__bank_id__in=list(bank_ids))
        .select_related("document")
        .only(
            "pk",
            "ordinal",
            "text",
            "document_id",
            "document__id",
            "document__title",
            "document__bank_id",
        )
        .order_by("document__bank_id", "document__title", "document_id", "ordinal")
    )


# --- Questions: search and filters ----------------------------------------------------------


@dataclass(frozen=True)
class QuestionFilters:
    """What an organizer searched for. Empty values filter nothing."""

    q: str = ""
    bank: int | None = None
    key_point: int | None = None
    kind: str = ""
    difficulty: int | None = None
    status: str = ""

    @property
    def active(self) -> bool:
        values = (
            self.q.strip(),
            self.bank,
            self.key_point,
            self.kind,
            self.difficulty,
            self.status,
        )
        return any(value not in ("", None) for value in values)


@dataclass(frozen=True)
class QuestionSummary:
    """A question as every question list shows it, by its current (newest) version."""

    pk: int
    status: str
    status_label: str
    version: int | None
    stem: str
    kind: str
    kind_label: str


@dataclass(frozen=True)
class QuestionRow(QuestionSummary):
    """A question as listed for authoring: with its bank, difficulty and key point."""

    bank_id: int
    bank_title: str
    difficulty: int | None
    key_point_id: int | None
    key_point_ordinal: int | None
    key_point_text: str
    in_quiz: bool = False


_STATUS_LABELS = dict(Question.Status.choices)
_KIND_LABELS = dict(QuestionKind.choices)
# The ``values()`` columns of ``with_current_version`` each row kind is built from.
SUMMARY_COLUMNS = ("pk", "status", "current_number", "current_stem", "current_kind")
ROW_COLUMNS = (
    *SUMMARY_COLUMNS,
    *("bank_id", "bank__title", "current_difficulty"),
    *("key_point_id", "key_point__ordinal", "key_point__text"),
)


def summary_fields(*, row: dict) -> dict:
    """``QuestionSummary`` fields from a ``values()`` row holding ``SUMMARY_COLUMNS``."""
    return {
        "pk": row["pk"],
        "status": row["status"],
        "status_label": _STATUS_LABELS.get(row["status"], row["status"]),
        "version": row["current_number"],
        "stem": row["current_stem"] or "",
        "kind": row["current_kind"] or "",
        "kind_label": _KIND_LABELS.get(row["current_kind"], ""),
    }


def row_fields(*, row: dict) -> dict:
    """``QuestionRow`` fields from a ``values()`` row holding ``ROW_COLUMNS`` (and
    ``in_quiz`` when it was annotated)."""
    return {
        **summary_fields(row=row),
        "bank_id": row["bank_id"],
        "bank_title": row["bank__title"],
        "difficulty": row["current_difficulty"],
        "key_point_id": row["key_point_id"],
        "key_point_ordinal": row["key_point__ordinal"],
        "key_point_text": row["key_point__text"] or "",
        "in_quiz": row.get("in_quiz", False),
    }


def with_current_version(*, questions: QuerySet[Question]) -> QuerySet[Question]:
    """Annotate ``current_number``, ``current_stem``, ``current_kind`` and
    ``current_difficulty`` from each question's newest version (correlated subqueries)."""
    newest = QuestionVersion.objects.newest_for()
    return questions.annotate(
        current_number=Subquery(newest.values("number")[:1]),
        current_stem=Subquery(newest.values("stem")[:1]),
        current_kind=Subquery(newest.values("kind")[:1]),
        current_difficulty=Subquery(newest.values("difficulty")[:1]),
    )


def questions_matching(
    *, banks: QuerySet[QuestionBank] | Iterable[int], filters: QuestionFilters
) -> QuerySet[Question]:
    """Questions of ``banks`` (a queryset or ids) whose newest version matches ``filters``:
    stem text (case-insensitive substring), key point, kind, difficulty and status.

    Annotated as ``with_current_version``; ordered oldest first. One query when evaluated.
    """
    bank_filter = (
        Q(bank__in=banks.values("pk"))
        if isinstance(banks, QuerySet)
        else Q(bank_id__in=list(banks))
    )
    questions = with_current_version(questions=Question.objects.filter(bank_filter))
    if filters.bank is not None:
        questions = questions.filter(bank_id=filters.bank)
    if filters.status:
        questions = questions.filter(status=filters.status)
    if filters.key_point is not None:
        questions = questions.filter(key_point_id=filters.key_point)
    if filters.kind:
        questions = questions.filter(current_kind=filters.kind)
    if filters.difficulty is not None:
        questions = questions.filter(current_difficulty=filters.difficulty)
    if filters.q.strip():
        questions = questions.filter(current_stem__icontains=filters.q.strip())
    return questions.order_by("pk")


def question_rows_page(
    *,
    banks: QuerySet[QuestionBank] | Iterable[int],
    filters: QuestionFilters,
    page_number: str | int | None,
    per_page: int = QUESTIONS_PER_PAGE,
    quiz_id: int | None = None,
) -> Page:
    """One page of ``questions_matching``; ``object_list`` holds ``QuestionRow`` values.

    With ``quiz_id``, each row says whether the question is already in that quiz. Two
    queries (count, page), whatever the page size; a page number out of range gives the
    last page."""
    questions = questions_matching(banks=banks, filters=filters)
    columns = list(ROW_COLUMNS)
    if quiz_id is not None:
        questions = questions.annotate(
            in_quiz=Exists(QuizSlot.objects.filter(quiz_id=quiz_id, question=OuterRef("pk")))
        )
        columns.append("in_quiz")
    page = Paginator(questions.values(*columns), per_page).get_page(page_number)
    page.object_list = [QuestionRow(**row_fields(row=row)) for row in page.object_list]
    return page


def bank_question_page(*, bank: QuestionBank, page_number: str | int | None) -> Page:
    """One page of the bank's questions, oldest first; ``object_list`` holds
    ``QuestionSummary`` rows. Two queries (count, page); a page number out of range gives
    the last page."""
    questions = with_current_version(questions=Question.objects.filter(bank=bank)).order_by("pk")
    page = Paginator(questions.values(*SUMMARY_COLUMNS), BANK_QUESTIONS_PER_PAGE).get_page(
        page_number
    )
    page.object_list = [QuestionSummary(**summary_fields(row=row)) for row in page.object_list]
    return page


def question_for_editing(*, pk: int) -> tuple[Question, QuestionVersion | None]:
    """The question with its bank and key point, and its newest version with choices and
    accepted answers. Four queries. Raises ``Question.DoesNotExist``."""
    question = Question.objects.select_related("bank", "key_point").get(pk=pk)
    version = (
        QuestionVersion.objects.filter(question=question)
        .prefetch_related("choices", "blank_answers")
        .order_by("-number")
        .first()
    )
    return question, version


# --- Version history --------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryField:
    label: str
    text: str
    changed: bool
    segments: tuple[DiffSegment, ...]


@dataclass(frozen=True)
class HistoryEntry:
    version: QuestionVersion
    draft: QuestionDraft
    fields: tuple[HistoryField, ...]
    changed_count: int

    @property
    def is_first(self) -> bool:
        return self.version.number == 1


def _describe(draft: QuestionDraft) -> list[tuple[str, str]]:
    """A version's content as (label, text) pairs, in the order the history shows them."""
    kinds = dict(QuestionKind.choices)
    parts = [
        (gettext("Kind"), str(kinds.get(draft.kind, draft.kind)).capitalize()),
        (gettext("Difficulty"), str(draft.difficulty)),
        (gettext("Question"), draft.stem),
    ]
    if draft.choices:
        parts.append(
            (
                gettext("Choices (✓ correct)"),
                "\n".join(
                    f"{choice_letter(i)}. {c.text}{' ✓' if c.correct else ''}"
                    for i, c in enumerate(draft.choices)
                ),
            )
        )
    if draft.blanks:
        parts.append(
            (
                gettext("Accepted answers"),
                "\n".join(
                    gettext("Blank %(number)s: %(answers)s")
                    % {"number": i, "answers": " | ".join(format_answer(a) for a in answers)}
                    for i, answers in enumerate(draft.blank_answers(), start=1)
                ),
            )
        )
    parts.append((gettext("Explanation"), draft.explanation))
    parts.append((gettext("Source excerpt"), draft.source_excerpt))
    return parts


def question_history(*, question: Question) -> list[HistoryEntry]:
    """Every version of ``question``, newest first, each with its content and, field by
    field, a word-level diff against the version before it. Three queries (versions with
    their authors, choices, accepted answers)."""
    versions = list(
        QuestionVersion.objects.filter(question=question)
        .select_related("created_by")
        .prefetch_related("choices", "blank_answers")
        .order_by("number")
    )
    entries: list[HistoryEntry] = []
    previous: dict[str, str] | None = None
    for version in versions:
        draft = version_to_draft(version)
        described = _describe(draft)
        fields = []
        for label, text in described:
            old = None if previous is None else previous.get(label, "")
            changed = old is not None and old != text
            segments = tuple(word_diff(old, text)) if changed else ()
            fields.append(HistoryField(label, text, changed, segments))
        # A field the previous version had and this one lacks (choices → blanks) is a
        # change too: show it as deleted.
        if previous is not None:
            for label, old in previous.items():
                if old and label not in dict(described):
                    fields.append(HistoryField(label, "", True, (DiffSegment("delete", old),)))
        entries.append(
            HistoryEntry(
                version=version,
                draft=draft,
                fields=tuple(fields),
                changed_count=sum(1 for f in fields if f.changed),
            )
        )
        previous = dict(described)
    entries.reverse()
    return entries
