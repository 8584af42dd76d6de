"""A group's trend: its assignments over time, with completion and mean score."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Avg,
    Count,
    FloatField,
    IntegerField,
    OuterRef,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce

from quizzes.models import (
    Assignment,
    AssignmentResult,
    Attempt,
    Membership,
    StudyGroup,
)
from quizzes.selectors.access import subtree_ids
from quizzes.selectors.home import count_related
from quizzes.selectors.reports.common import (
    as_float,
    share,
)

# --- A group's assignments over time ----------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    assignment: Assignment
    learners: int
    finished: int
    mean: float | None

    @property
    def completion(self) -> float | None:
        return share(part=self.finished, whole=self.learners)


def group_trend(*, group: StudyGroup) -> list[TrendPoint]:
    """The group's assignments in due-date order, each with its learners (today's members
    of the group's subtree plus former members with attempts), how many finished and
    their mean percent. Two queries."""
    members = Membership.objects.filter(
        role=Membership.Role.MEMBER,
        user__is_active=True,
        group_id__in=subtree_ids(group_ids=group.pk),
    )
    current_count = members.values("user_id").distinct().count()
    results = AssignmentResult.objects.filter(assignment=OuterRef("pk"), attempts_finished__gt=0)
    former = Attempt.objects.filter(assignment=OuterRef("pk")).exclude(
        user_id__in=members.values("user_id")
    )
    assignments = (
        Assignment.objects.filter(group=group)
        .select_related("quiz")
        .annotate(
            finished_count=count_related(
                queryset=AssignmentResult.objects.filter(attempts_finished__gt=0),
                outer_field="assignment",
            ),
            mean_percent=Subquery(
                results.order_by()
                .values("assignment")
                .annotate(m=Avg(Cast("percent", FloatField())))
                .values("m"),
                output_field=FloatField(),
            ),
            former_count=Coalesce(
                Subquery(
                    former.order_by()
                    .values("assignment")
                    .annotate(n=Count("user_id", distinct=True))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
        )
        .order_by("due_at", "opens_at", "pk")
    )
    return [
        TrendPoint(
            assignment=assignment,
            learners=current_count + assignment.former_count,
            finished=assignment.finished_count,
            mean=as_float(value=assignment.mean_percent),
        )
        for assignment in assignments
    ]
