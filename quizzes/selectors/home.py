"""Reads for the pages a signed-in person starts from: their home page (a learner's
assignments, an organizer's groups and banks) and the group and bank pages it links to.

Each selector runs a fixed number of queries, whatever the number of rows; the page tests
pin the totals at two data sizes.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from quizzes.models import (
    Assignment,
    KeyPoint,
    Membership,
    Question,
    QuestionBank,
    SourceDocument,
    StudyGroup,
    User,
)

from .access import group_ids_with_ancestors

# An open assignment is "due soon" when less than this is left before it closes.
DUE_SOON = timedelta(hours=48)


def count_related(*, queryset: QuerySet, outer_field: str) -> Coalesce:
    """``COUNT(*)`` of ``queryset`` rows whose ``outer_field`` is the outer row's pk, as a
    correlated subquery: counting several relations this way multiplies no rows."""
    counted = (
        queryset.filter(**{outer_field: OuterRef("pk")})
        .order_by()
        .values(outer_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def member_count_expression() -> Coalesce:
    """A group's members, for ``annotate``: its memberships with the member role, the
    learners. What every page calls a group's members; organizers are counted apart
    (``organizer_count_expression``). Direct memberships only, not those of sub-groups."""
    return count_related(
        queryset=Membership.objects.filter(role=Membership.Role.MEMBER), outer_field="group"
    )


def organizer_count_expression() -> Coalesce:
    """A group's organizers, for ``annotate`` (direct memberships)."""
    return count_related(
        queryset=Membership.objects.filter(role=Membership.Role.ORGANIZER), outer_field="group"
    )


# --- A learner's assignments ----------------------------------------------------------


class AssignmentStatus(TextChoices):
    NOT_OPEN = "not_open", _("not yet open")
    OPEN = "open", _("open")
    DUE_SOON = "due_soon", _("due soon")
    OVERDUE = "overdue", _("overdue")
    FINISHED = "finished", _("finished")


# The order rows are listed in on the home page: what needs doing first.
_STATUS_ORDER = {
    AssignmentStatus.DUE_SOON: 0,
    AssignmentStatus.OPEN: 1,
    AssignmentStatus.NOT_OPEN: 2,
    AssignmentStatus.OVERDUE: 3,
    AssignmentStatus.FINISHED: 4,
}


def assignment_status(
    *, opens_at: datetime, due_at: datetime, attempts_finished: int, now: datetime
) -> AssignmentStatus:
    """Where a learner stands on an assignment at ``now``. Having finished an attempt
    wins over the clock."""
    if attempts_finished > 0:
        return AssignmentStatus.FINISHED
    if now < opens_at:
        return AssignmentStatus.NOT_OPEN
    if now >= due_at:
        return AssignmentStatus.OVERDUE
    if due_at - now < DUE_SOON:
        return AssignmentStatus.DUE_SOON
    return AssignmentStatus.OPEN


@dataclass(frozen=True)
class LearnerAssignment:
    """One row of a learner's assignment list."""

    pk: int
    quiz_title: str
    group_id: int
    group_name: str
    # False when the quiz reached the learner through a group above theirs, whose page
    # they may not open.
    group_is_own: bool
    opens_at: datetime
    due_at: datetime
    attempts_finished: int
    percent: Decimal | None
    passed: bool | None
    status: AssignmentStatus

    @property
    def status_label(self) -> str:
        return self.status.label


def learner_assignments(*, user: User, now: datetime) -> list[LearnerAssignment]:
    """Assignments that reach ``user``: those made to a group they belong to or to any
    group above one, each with the user's ``AssignmentResult`` if there is one.

    Ordered by what needs doing first (due soon, open, not yet open, overdue, finished),
    then by due time. Two queries: the user's groups with their ancestors, then the
    assignments joined to the user's result.
    """
    own_ids, reachable_ids = group_ids_with_ancestors(user=user)
    if not reachable_ids:
        return []
    rows = (
        Assignment.objects.filter(group_id__in=reachable_ids)
        .annotate(
            own_result=FilteredRelation("results", condition=Q(results__user=user)),
            quiz_title=F("quiz__title"),
            group_name=F("group__name"),
            result_attempts=F("own_result__attempts_finished"),
            result_percent=F("own_result__percent"),
            result_passed=F("own_result__passed"),
        )
        .order_by("due_at", "pk")
        .values(
            "pk",
            "quiz_title",
            "group_id",
            "group_name",
            "opens_at",
            "due_at",
            "result_attempts",
            "result_percent",
            "result_passed",
        )
    )
    assignments = []
    for row in rows:
        attempts_finished = row["result_attempts"] or 0
        assignments.append(
            LearnerAssignment(
                pk=row["pk"],
                quiz_title=row["quiz_title"],
                group_id=row["group_id"],
                group_name=row["group_name"],
                group_is_own=row["group_id"] in own_ids,
                opens_at=row["opens_at"],
                due_at=row["due_at"],
                attempts_finished=attempts_finished,
                percent=row["result_percent"],
                passed=row["result_passed"],
                status=assignment_status(
                    opens_at=row["opens_at"],
                    due_at=row["due_at"],
                    attempts_finished=attempts_finished,
                    now=now,
                ),
            )
        )
    # Stable sort: within a status, rows keep the query's due-time order.
    assignments.sort(key=lambda a: _STATUS_ORDER[a.status])
    return assignments


# --- An organizer's groups and banks --------------------------------------------------


def organized_groups(*, user: User) -> QuerySet[StudyGroup]:
    """Groups ``user`` organizes, by name, each annotated with ``parent_name``,
    ``member_count``, ``organizer_count``, ``child_count`` and ``assignment_count``. One
    query."""
    return (
        StudyGroup.objects.filter(
            memberships__user=user, memberships__role=Membership.Role.ORGANIZER
        )
        .annotate(
            parent_name=F("parent__name"),
            member_count=member_count_expression(),
            organizer_count=organizer_count_expression(),
            child_count=count_related(queryset=StudyGroup.objects.all(), outer_field="parent"),
            assignment_count=count_related(queryset=Assignment.objects.all(), outer_field="group"),
        )
        .order_by("name", "pk")
    )


def owned_banks(*, user: User) -> QuerySet[QuestionBank]:
    """Banks ``user`` owns, by title, annotated with ``question_count`` and
    ``document_count``. One query."""
    return (
        QuestionBank.objects.filter(owner=user)
        .annotate(
            question_count=count_related(queryset=Question.objects.all(), outer_field="bank"),
            document_count=count_related(queryset=SourceDocument.objects.all(), outer_field="bank"),
        )
        .order_by("title", "pk")
    )


# --- The group page -------------------------------------------------------------------


def group_members(*, group: StudyGroup) -> QuerySet[Membership]:
    """The group's memberships with their users, organizers first. One query."""
    # "organizer" sorts after "member", so descending role puts organizers first.
    return (
        Membership.objects.filter(group=group)
        .select_related("user")
        .order_by("-role", "user__display_name", "user__username", "pk")
    )


def group_assignments(*, group: StudyGroup) -> QuerySet[Assignment]:
    """Assignments made to the group itself, soonest due first, with the quiz and
    ``finished_count`` (learners with a finished attempt). One query."""
    finished = Q(results__attempts_finished__gt=0)
    return (
        Assignment.objects.filter(group=group)
        .select_related("quiz")
        .annotate(finished_count=Count("results", filter=finished))
        .order_by("due_at", "pk")
    )


def group_children(*, group: StudyGroup) -> QuerySet[StudyGroup]:
    """The groups directly below ``group``, with ``member_count`` and ``organizer_count``.
    One query."""
    return (
        StudyGroup.objects.filter(parent=group)
        .annotate(
            member_count=member_count_expression(), organizer_count=organizer_count_expression()
        )
        .order_by("name", "pk")
    )


# --- The bank page --------------------------------------------------------------------


def bank_documents(*, bank: QuestionBank) -> QuerySet[SourceDocument]:
    """The bank's documents, newest first, with ``key_point_count``; the (long) extracted
    text is not loaded. One query."""
    return (
        SourceDocument.objects.filter(bank=bank)
        .only("pk", "bank_id", "title", "original_filename", "source", "language", "created_at")
        .annotate(
            key_point_count=count_related(queryset=KeyPoint.objects.all(), outer_field="document")
        )
        .order_by("-created_at", "-pk")
    )
