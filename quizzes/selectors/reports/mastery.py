"""Mastery per key point: how much of what an assignment asked about each key point its
learners answered right, weakest first, with the source passage."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Count,
    F,
    FloatField,
    QuerySet,
    Sum,
)
from django.db.models.functions import Cast, Coalesce, Substr

from quizzes.models import (
    Assignment,
    Attempt,
    AttemptItem,
    KeyPoint,
    Question,
)
from quizzes.selectors.reports.common import (
    cached,
    finished_fingerprint,
)

# --- Mastery per key point --------------------------------------------------------------


@dataclass(frozen=True)
class KeyPointMastery:
    """How much of what was asked about one key point was answered right."""

    key_point: KeyPoint | None
    score: float
    points: float
    answers: int
    questions: int
    passage: str = ""

    @property
    def mastery(self) -> float | None:
        """Share of correct answers: item scores over item points, in percent."""
        return self.score * 100.0 / self.points if self.points else None


def _finished_items(assignment: Assignment) -> QuerySet[AttemptItem]:
    return AttemptItem.objects.filter(
        attempt__assignment=assignment, attempt__state=Attempt.State.FINISHED
    )


def _question_totals(assignment: Assignment) -> list[tuple[int, float, float, int]]:
    """``(question id, score, points, answers)`` summed over the finished attempts' items,
    per question: a hash aggregate into a few dozen groups (grouping the items by key
    point straight away, with a distinct count of questions, sorted them all)."""
    return list(
        _finished_items(assignment)
        .order_by()
        .values("question_id")
        .annotate(
            total=Coalesce(Sum(Cast("score", FloatField())), 0.0),
            possible=Sum(Cast("points", FloatField())),
            answers=Count("pk"),
        )
        .values_list("question_id", "total", "possible", "answers")
    )


def assignment_mastery(*, assignment: Assignment) -> tuple[list[KeyPointMastery], KeyPointMastery]:
    """Mastery per key point across the assignment's finished attempts, weakest first,
    each with its source passage (the document's text between the key point's offsets,
    cut out by the database). Also the row of questions linked to no key point.

    The totals per question are cached (``finished_fingerprint``); which key point a
    question is linked to, and the passages, are read fresh. Two queries (the fingerprint;
    the questions with their key points), and one more when the totals are recomputed."""
    unlinked = KeyPointMastery(key_point=None, score=0.0, points=0.0, answers=0, questions=0)
    fingerprint = finished_fingerprint(assignment=assignment)
    if fingerprint[0] == "0":
        return [], unlinked
    per_question = {
        question_id: (score, points, answers)
        for question_id, score, points, answers in cached(
            key=f"mastery:{assignment.pk}",
            fingerprint=fingerprint,
            compute=lambda: _question_totals(assignment),
        )
    }
    questions = (
        Question.objects.filter(pk__in=list(per_question))
        .select_related("key_point")
        .annotate(
            passage=Substr(
                "key_point__document__text",
                F("key_point__start_offset") + 1,
                F("key_point__end_offset") - F("key_point__start_offset"),
            ),
            document_title=F("key_point__document__title"),
        )
        .order_by()
    )
    key_points: dict[int | None, KeyPoint | None] = {None: None}
    totals: dict[int | None, list] = {}
    for question in questions:
        key_point = question.key_point
        if key_point is not None and key_point.pk not in key_points:
            key_point.passage = question.passage
            key_point.document_title = question.document_title
            key_points[key_point.pk] = key_point
        score, points, answers = per_question[question.pk]
        sums = totals.setdefault(question.key_point_id, [0.0, 0.0, 0, 0])
        sums[0] += score
        sums[1] += points or 0.0
        sums[2] += answers
        sums[3] += 1
    rows = []
    for key_point_id, (score, points, answers, count) in totals.items():
        key_point = key_points[key_point_id]
        mastery = KeyPointMastery(
            key_point=key_point,
            score=score,
            points=points,
            answers=answers,
            questions=count,
            passage=key_point.passage if key_point else "",
        )
        if key_point is None:
            unlinked = mastery
        else:
            rows.append(mastery)
    rows.sort(key=lambda row: (row.mastery is None, row.mastery or 0.0, row.key_point.pk))
    return rows, unlinked
