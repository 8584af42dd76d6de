"""The assignment report's overview: who the report is about (the member table, sorted as
the organizer asks, and its export rows), the summary with its histogram, and roll-ups per
sub-group and for former members."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    Max,
    Min,
    Q,
    QuerySet,
    TextChoices,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, NullIf
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from quizzes.exports.sheets import Column, Kind, Sheet
from quizzes.models import (
    Assignment,
    AssignmentResult,
    Attempt,
    Membership,
    StudyGroup,
    User,
)
from quizzes.selectors.access import GROUPS, MEMBERSHIPS
from quizzes.selectors.assignments import assignment_memberships
from quizzes.selectors.reports.common import (
    as_float,
    share,
)

MEMBERS_PER_PAGE = 50
HISTOGRAM_BINS = 10


# --- Who an assignment's report is about ------------------------------------------------


class LearnerStatus(TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    FINISHED = "finished", _("finished")


def _finished() -> Q:
    return Q(attempts_finished__gt=0)


def report_learners(*, assignment: Assignment) -> QuerySet[User]:
    """Everyone the assignment's report is about, one row per learner: the active members
    of its group's subtree, and anyone else with an attempt on it (former members).

    One grouped query: users joined to their memberships in the subtree, their attempts on
    the assignment and their ``AssignmentResult`` (``result``), so the database reads each
    table once instead of running a subquery per learner. Each row carries
    ``shown_name_sort``, ``group_name`` (their first group in the subtree by name, ``None``
    for former members), ``is_current``, ``is_direct`` (a member of the assignment's group
    itself), ``attempts_started``, ``open_attempts``, ``last_activity`` (their newest start
    or finish) and the result's ``attempts_finished``, ``percent``, ``best_percent``,
    ``passed`` and ``time_spent``."""
    # Who the assignment is for, by the one definition in ``selectors.assignments`` (as
    # SQL: a join condition takes no queryset).
    in_subtree = Q(
        memberships__in=RawSQL(
            *assignment_memberships(assignment=assignment).values("pk").query.sql_with_params()
        )
    )
    memberships = Count("membership", distinct=True)
    return (
        User.objects.annotate(
            membership=FilteredRelation("memberships", condition=in_subtree),
            attempt=FilteredRelation("attempts", condition=Q(attempts__assignment=assignment)),
            result=FilteredRelation(
                "assignment_results", condition=Q(assignment_results__assignment=assignment)
            ),
        )
        .filter(Q(membership__isnull=False, is_active=True) | Q(attempt__isnull=False))
        .annotate(
            shown_name_sort=Coalesce(NullIf("display_name", Value("")), "username"),
            group_name=Min("membership__group__name"),
            is_current=ExpressionWrapper(
                Q(is_active=True) & GreaterThan(memberships, 0), output_field=BooleanField()
            ),
            is_direct=ExpressionWrapper(
                Q(is_active=True)
                & GreaterThan(
                    Count(
                        "membership",
                        filter=Q(membership__group_id=assignment.group_id),
                        distinct=True,
                    ),
                    0,
                ),
                output_field=BooleanField(),
            ),
            attempts_started=Count("attempt", distinct=True),
            open_attempts=Count(
                "attempt", filter=Q(attempt__state=Attempt.State.IN_PROGRESS), distinct=True
            ),
            last_activity=Max(Coalesce("attempt__finished_at", "attempt__started_at")),
            attempts_finished=Coalesce("result__attempts_finished", 0),
            percent=F("result__percent"),
            best_percent=F("result__best_percent"),
            passed=F("result__passed"),
            time_spent=F("result__time_spent"),
        )
    )


# Columns of the member table a reader may sort by: ``?sort=<key>`` or ``?sort=-<key>``.
MEMBER_SORTS = {
    "name": "shown_name_sort",
    "username": "username",
    "group": "group_name",
    "status": "attempts_finished",
    "score": "percent",
    "best": "best_percent",
    "attempts": "attempts_started",
    "time": "time_spent",
    "last": "last_activity",
}


def member_sort(*, value: str | None) -> str:
    """``value`` if it names a sortable column (``-`` in front for descending), else
    ``"name"``."""
    if value and value.removeprefix("-") in MEMBER_SORTS:
        return value
    return "name"


# Rows read from the database cursor at a time by the member table's export.
EXPORT_CHUNK_SIZE = 2000


def report_member_rows(*, assignment: Assignment, sort: str = "name") -> QuerySet[User]:
    """The member table: ``report_learners`` in the order ``sort`` asks for (see
    ``MEMBER_SORTS``), empty values last, ties by name. One query per page shown."""
    sort = member_sort(value=sort)
    descending = sort.startswith("-")
    column = F(MEMBER_SORTS[sort.removeprefix("-")])
    order = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    return report_learners(assignment=assignment).order_by(order, "shown_name_sort", "pk")


def learner_status(*, row: User) -> LearnerStatus:
    """Where a row of ``report_learners`` stands: having finished an attempt wins."""
    if row.attempts_finished:
        return LearnerStatus.FINISHED
    if row.open_attempts:
        return LearnerStatus.IN_PROGRESS
    return LearnerStatus.NOT_STARTED


# --- Summary, histogram, roll-up rows ---------------------------------------------------


class _Rates:
    """Completion and pass rate of learners counted in ``learners``, ``finished`` and
    ``passed``."""

    learners: int
    finished: int
    passed: int

    @property
    def completion(self) -> float | None:
        return share(part=self.finished, whole=self.learners)

    @property
    def pass_rate(self) -> float | None:
        """Share of those who finished that passed (by the quiz's grading method)."""
        return share(part=self.passed, whole=self.finished)


@dataclass(frozen=True)
class Rollup(_Rates):
    """Learners, finished, mean and pass rate of some of an assignment's learners."""

    label: str
    learners: int
    finished: int
    mean: float | None
    passed: int
    group: StudyGroup | None = None


@dataclass(frozen=True)
class HistogramBin:
    low: int
    high: int
    count: int

    @property
    def label(self) -> str:
        return f"{self.low}–{self.high}"


@dataclass(frozen=True)
class AssignmentSummary(_Rates):
    """The head of an assignment report. Scores are the learners' results by the quiz's
    grading method, in percent; ``best`` is the best percent anyone reached."""

    learners: int
    not_started: int
    in_progress: int
    finished: int
    overdue: int
    mean: float | None
    median: float | None
    best: float | None
    passed: int
    histogram: list[HistogramBin]
    current: Rollup
    direct: Rollup
    former: Rollup


def _rollup_aggregates(prefix: str, condition: Q) -> dict:
    finished = condition & _finished()
    return {
        f"{prefix}_learners": Count("pk", filter=condition),
        f"{prefix}_finished": Count("pk", filter=finished),
        f"{prefix}_mean": Avg(Cast("percent", FloatField()), filter=finished),
        f"{prefix}_passed": Count("pk", filter=finished & Q(passed=True)),
    }


def _rollup(totals: dict, prefix: str, label: str) -> Rollup:
    return Rollup(
        label=label,
        learners=totals[f"{prefix}_learners"],
        finished=totals[f"{prefix}_finished"],
        mean=as_float(value=totals[f"{prefix}_mean"]),
        passed=totals[f"{prefix}_passed"],
    )


def _median(assignment: Assignment, count: int) -> float | None:
    """The median percent of the ``count`` learners who finished: the database sorts, and
    sends back the one or two middle rows. Everyone with a finished attempt is in the
    report (former members too), so their results are exactly the finished learners'."""
    if not count:
        return None
    start = (count - 1) // 2
    middle = [
        float(value)
        for value in AssignmentResult.objects.filter(assignment=assignment, attempts_finished__gt=0)
        .order_by("percent")
        .values_list("percent", flat=True)[start : start + 2 - count % 2]
    ]
    return sum(middle) / len(middle)


def _bin_filter(index: int) -> Q:
    width = 100 // HISTOGRAM_BINS
    low = Q(percent__gte=index * width)
    return low if index == HISTOGRAM_BINS - 1 else low & Q(percent__lt=(index + 1) * width)


def assignment_summary(*, assignment: Assignment, now: datetime) -> AssignmentSummary:
    """Completion counts, mean, median and best score, pass rate, a ten-bin histogram of
    the learners' percents and the roll-ups of current, direct and former members. Two
    queries: one aggregate for everything but the median, then the median's rows.
    ``overdue`` counts learners who have not finished once the due time has passed."""
    learners = report_learners(assignment=assignment)
    totals = learners.aggregate(
        learners=Count("pk"),
        finished=Count("pk", filter=_finished()),
        in_progress=Count("pk", filter=~_finished() & Q(open_attempts__gt=0)),
        mean=Avg(Cast("percent", FloatField()), filter=_finished()),
        best=Max("best_percent"),
        passed_count=Count("pk", filter=_finished() & Q(passed=True)),
        **_rollup_aggregates("current", Q(is_current=True)),
        **_rollup_aggregates("direct", Q(is_direct=True)),
        **_rollup_aggregates("former", Q(is_current=False)),
        **{
            f"bin_{index}": Count("pk", filter=_finished() & _bin_filter(index))
            for index in range(HISTOGRAM_BINS)
        },
    )
    width = 100 // HISTOGRAM_BINS
    histogram = [
        HistogramBin(
            low=index * width,
            high=100 if index == HISTOGRAM_BINS - 1 else (index + 1) * width - 1,
            count=totals[f"bin_{index}"],
        )
        for index in range(HISTOGRAM_BINS)
    ]
    not_finished = totals["learners"] - totals["finished"]
    return AssignmentSummary(
        learners=totals["learners"],
        not_started=not_finished - totals["in_progress"],
        in_progress=totals["in_progress"],
        finished=totals["finished"],
        overdue=not_finished if now >= assignment.due_at else 0,
        mean=as_float(value=totals["mean"]),
        median=_median(assignment, totals["finished"]),
        best=as_float(value=totals["best"]),
        passed=totals["passed_count"],
        histogram=histogram,
        current=_rollup(totals, "current", str(_("Current members"))),
        direct=_rollup(
            totals,
            "direct",
            str(_("Members of %(group)s itself") % {"group": assignment.group.name}),
        ),
        former=_rollup(totals, "former", str(_("Former members"))),
    )


_USERS = User._meta.db_table
_RESULTS = AssignmentResult._meta.db_table

# Per direct child of a group: the members of the child's whole subtree (each once per
# child) joined to their results. ``UNION`` ends the walk on a cycle in bad data.
_SUBGROUP_SQL = f"""
WITH RECURSIVE branch(id, root) AS (
    SELECT id, id FROM {GROUPS} WHERE parent_id = %(group)s
    UNION
    SELECT g.id, b.root FROM {GROUPS} g JOIN branch b ON g.parent_id = b.id
),
placed(root, user_id) AS (
    SELECT DISTINCT b.root, m.user_id
    FROM branch b
    JOIN {MEMBERSHIPS} m ON m.group_id = b.id
    JOIN {_USERS} u ON u.id = m.user_id
    WHERE m.role = %(member)s AND u.is_active = %(active)s
)
SELECT c.id, c.name, COUNT(p.user_id), COUNT(r.id), AVG(CAST(r.percent AS DOUBLE PRECISION)),
       COALESCE(SUM(CASE WHEN r.passed THEN 1 ELSE 0 END), 0)
FROM {GROUPS} c
LEFT JOIN placed p ON p.root = c.id
LEFT JOIN {_RESULTS} r
       ON r.user_id = p.user_id AND r.assignment_id = %(assignment)s AND r.attempts_finished > 0
WHERE c.parent_id = %(group)s
GROUP BY c.id, c.name
ORDER BY c.name, c.id
"""


def assignment_subgroup_rows(*, assignment: Assignment) -> list[Rollup]:
    """One roll-up row per direct sub-group of the assignment's group, each aggregating
    its whole subtree (at any depth). A learner in two sub-groups counts in both. One
    query."""
    with connection.cursor() as cursor:
        cursor.execute(
            _SUBGROUP_SQL,
            {
                "group": assignment.group_id,
                "member": Membership.Role.MEMBER.value,
                "active": True,
                "assignment": assignment.pk,
            },
        )
        rows = cursor.fetchall()
    return [
        Rollup(
            label=name,
            learners=learners,
            finished=finished,
            mean=as_float(value=mean),
            passed=int(passed),
            group=StudyGroup(pk=pk, name=name, parent_id=assignment.group_id),
        )
        for pk, name, learners, finished, mean, passed in rows
    ]


# --- The member table as a sheet ----------------------------------------------------


def member_sheet(*, assignment: Assignment, sort: str = "name") -> Sheet:
    """Every learner of the assignment report, in the page's order. One query, read from
    the cursor in chunks."""
    columns = [
        Column(gettext("Name"), width=20),
        Column(gettext("Username"), width=18),
        Column(gettext("Group"), width=20),
        Column(gettext("Status")),
        Column(gettext("Score (%)"), Kind.PERCENT),
        Column(gettext("Best score (%)"), Kind.PERCENT),
        Column(gettext("Passed")),
        Column(gettext("Attempts"), Kind.INTEGER, width=10),
        Column(gettext("Time spent"), Kind.DURATION),
        Column(gettext("Last activity"), Kind.DATETIME, width=18),
    ]
    former = gettext("Former member")
    yes, no = gettext("yes"), gettext("no")

    def rows() -> Iterator[list]:
        for row in report_member_rows(assignment=assignment, sort=sort).iterator(
            chunk_size=EXPORT_CHUNK_SIZE
        ):
            yield [
                row.shown_name,
                row.username,
                row.group_name or former,
                str(learner_status(row=row).label),
                row.percent,
                row.best_percent,
                "" if row.passed is None else (yes if row.passed else no),
                row.attempts_started,
                row.time_spent,
                row.last_activity,
            ]

    return Sheet(gettext("Members"), columns, rows())
