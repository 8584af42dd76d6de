"""Reads for the regrade pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Subquery

from quizzes.models import Assignment, Attempt, AttemptItem, QuestionVersion


@dataclass(frozen=True)
class RegradeCandidate:
    question_id: int
    stem: str
    newest_version: int
    items_on_older_versions: int


def regrade_candidates(*, assignment: Assignment) -> list[RegradeCandidate]:
    """Questions of this assignment's attempts that now have a newer version than some
    attempt used, with how many items use an older one. One query."""
    newest = QuestionVersion.objects.newest_for("question_id")
    rows = (
        AttemptItem.objects.filter(attempt__assignment=assignment)
        .exclude(attempt__state=Attempt.State.ABANDONED)
        .values("question_id", "question_version__number")
        .annotate(
            n=Count("pk"),
            newest=Subquery(newest.values("number")[:1]),
            stem=Subquery(newest.values("stem")[:1]),
        )
        .order_by("question_id")
    )
    found: dict[int, RegradeCandidate] = {}
    for row in rows:
        if row["question_version__number"] >= row["newest"]:
            continue
        before = found.get(row["question_id"])
        found[row["question_id"]] = RegradeCandidate(
            question_id=row["question_id"],
            stem=row["stem"],
            newest_version=row["newest"],
            items_on_older_versions=(before.items_on_older_versions if before else 0) + row["n"],
        )
    return list(found.values())
