"""Reads for question exports: a bank's or a quiz's questions as ``ExportItem`` drafts,
which ``quizzes.exports.questions`` writes in a format.

A bank exports the current (newest) version of each question that is not archived, oldest
first; a quiz exports its fixed slots in order (a pinned version, else the question's
newest), and leaves out random-draw rules, which hold no particular question. Loading is a
constant number of queries whatever the size: versions, choices and accepted answers are
read by subquery, not by a list of ids.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q, QuerySet, Subquery

from quizzes.drafts import AnswerDraft
from quizzes.exports.questions import ExportItem
from quizzes.models import BlankAnswer, Choice, Question, QuestionBank, QuestionVersion, Quiz
from quizzes.versions import ANSWER_FIELDS, VERSION_FIELDS, version_draft_from_parts


def _items(versions: QuerySet[QuestionVersion], order: list[int] | None = None) -> list[ExportItem]:
    """Drafts of ``versions`` (a queryset, used as a subquery) with their key points.
    Three queries. Ordered by question, or by ``order`` (version ids) when given."""
    ids = versions.values("pk")
    choices: dict[int, list[tuple[str, bool, str]]] = defaultdict(list)
    for version_id, text, correct, feedback in (
        Choice.objects.filter(version_id__in=Subquery(ids))
        .order_by("version_id", "ordinal")
        .values_list("version_id", "text", "is_correct", "feedback")
    ):
        choices[version_id].append((text, correct, feedback))
    blanks: dict[int, dict[int, list[AnswerDraft]]] = defaultdict(lambda: defaultdict(list))
    for version_id, blank, *answer in (
        BlankAnswer.objects.filter(version_id__in=Subquery(ids))
        .order_by("version_id", "blank", "pk")
        .values_list("version_id", "blank", *ANSWER_FIELDS)
    ):
        blanks[version_id][blank].append(AnswerDraft(*answer))
    rows = QuestionVersion.objects.filter(pk__in=Subquery(ids)).values(
        "pk", "question_id", *VERSION_FIELDS, "question__key_point__text"
    )
    items: dict[int, tuple[int, ExportItem]] = {}
    for row in rows:
        per_blank = blanks.get(row["pk"], {})
        draft = version_draft_from_parts(
            **{name: row[name] for name in VERSION_FIELDS},
            choices=choices.get(row["pk"], []),
            blanks=[[a.text for a in per_blank[index]] for index in sorted(per_blank)],
            answers=[per_blank[index] for index in sorted(per_blank)],
        )
        key_point = " ".join((row["question__key_point__text"] or "").split())
        items[row["pk"]] = (row["question_id"], ExportItem(draft, key_point))
    if order is not None:
        return [items[pk][1] for pk in order if pk in items]
    return [item for _question, item in sorted(items.values(), key=lambda pair: pair[0])]


def bank_export_items(*, bank: QuestionBank) -> list[ExportItem]:
    """The current version of every question of ``bank`` that is not archived, oldest
    question first. Three queries."""
    current = QuestionVersion.objects.newest_for().values("pk")[:1]
    version_ids = (
        Question.objects.filter(bank=bank)
        .exclude(status=Question.Status.ARCHIVED)
        .annotate(current_version=Subquery(current))
        .values("current_version")
    )
    return _items(QuestionVersion.objects.filter(pk__in=Subquery(version_ids)))


def quiz_export_items(*, quiz: Quiz) -> tuple[list[ExportItem], int]:
    """The questions of ``quiz``'s fixed slots in slot order (the pinned version, else the
    newest), and how many random-draw rules were left out. Four queries."""
    slots = list(quiz.slots.order_by("position").values_list("question_id", "pinned_version_id"))
    rules = sum(1 for question_id, _pinned in slots if question_id is None)
    pinned = [version for question_id, version in slots if question_id and version]
    following = [question_id for question_id, version in slots if question_id and not version]
    newest: dict[int, int] = {}
    for question_id, version_id, _number in (
        QuestionVersion.objects.filter(question_id__in=following)
        .order_by("question_id", "number")
        .values_list("question_id", "pk", "number")
    ):
        newest[question_id] = version_id  # the last one seen is the newest
    order = [version or newest.get(question_id) for question_id, version in slots if question_id]
    order = [pk for pk in order if pk is not None]
    versions = QuestionVersion.objects.filter(Q(pk__in=pinned) | Q(pk__in=list(newest.values())))
    return _items(versions, order), rules
