"""Reports for organizers: how an assignment went, what its learners still get wrong,
how good its questions are, and how a group does over time.

Everything is computed in the database: aggregates, ``GROUP BY`` and correlated subqueries,
never a Python loop over attempts or items. Each selector runs a fixed number of queries
whatever the number of learners (the report tests pin the totals at 10 and 1,000 learners).
Mastery and item analysis, which read every item of the finished attempts, keep their
figures in Django's cache until a fingerprint of those attempts changes.

Who counts: an assignment is for the members of its group and of every group below it
(``selectors.assignments``). A learner who has left those groups but has attempts on the
assignment still counts, as a *former member*, so scores never silently disappear from a
report.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextChoices,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, NullIf, Substr
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext_lazy as _

from quizzes.models import (
    Assignment,
    AssignmentResult,
    Attempt,
    AttemptChoice,
    AttemptItem,
    Choice,
    KeyPoint,
    Membership,
    Question,
    QuestionKind,
    QuestionVersion,
    Regrade,
    ScoreChange,
    StudyGroup,
    User,
)

from .access import GROUPS, MEMBERSHIPS, subtree_ids
from .assignments import assignment_memberships
from .home import count_related

MEMBERS_PER_PAGE = 50
HISTOGRAM_BINS = 10

T = TypeVar("T")


def _as_float(value) -> float | None:
    return None if value is None else float(value)


def _share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent, or ``None`` when there is nothing to divide."""
    return part * 100.0 / whole if whole else None


# --- Who an assignment's report is about ------------------------------------------------


class LearnerStatus(TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    FINISHED = "finished", _("finished")


def _finished() -> Q:
    return Q(attempts_finished__gt=0)


def report_learners(assignment: Assignment) -> QuerySet[User]:
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
            *assignment_memberships(assignment).values("pk").query.sql_with_params()
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


def member_sort(value: str | None) -> str:
    """``value`` if it names a sortable column (``-`` in front for descending), else
    ``"name"``."""
    if value and value.removeprefix("-") in MEMBER_SORTS:
        return value
    return "name"


def report_member_rows(assignment: Assignment, *, sort: str = "name") -> QuerySet[User]:
    """The member table: ``report_learners`` in the order ``sort`` asks for (see
    ``MEMBER_SORTS``), empty values last, ties by name. One query per page shown."""
    sort = member_sort(sort)
    descending = sort.startswith("-")
    column = F(MEMBER_SORTS[sort.removeprefix("-")])
    order = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    return report_learners(assignment).order_by(order, "shown_name_sort", "pk")


def learner_status(row: User) -> LearnerStatus:
    """Where a row of ``report_learners`` stands: having finished an attempt wins."""
    if row.attempts_finished:
        return LearnerStatus.FINISHED
    if row.open_attempts:
        return LearnerStatus.IN_PROGRESS
    return LearnerStatus.NOT_STARTED


# --- Summary, histogram, roll-up rows ---------------------------------------------------


@dataclass(frozen=True)
class Rollup:
    """Learners, finished, mean and pass rate of some of an assignment's learners."""

    label: str
    learners: int
    finished: int
    mean: float | None
    passed: int
    group: StudyGroup | None = None

    @property
    def completion(self) -> float | None:
        return _share(self.finished, self.learners)

    @property
    def pass_rate(self) -> float | None:
        """Share of those who finished that passed (by the quiz's grading method)."""
        return _share(self.passed, self.finished)


@dataclass(frozen=True)
class HistogramBin:
    low: int
    high: int
    count: int

    @property
    def label(self) -> str:
        return f"{self.low}–{self.high}"


@dataclass(frozen=True)
class AssignmentSummary:
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

    @property
    def completion(self) -> float | None:
        return _share(self.finished, self.learners)

    @property
    def pass_rate(self) -> float | None:
        return _share(self.passed, self.finished)


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
        mean=_as_float(totals[f"{prefix}_mean"]),
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


def assignment_summary(assignment: Assignment, *, now: datetime) -> AssignmentSummary:
    """Completion counts, mean, median and best score, pass rate, a ten-bin histogram of
    the learners' percents and the roll-ups of current, direct and former members. Two
    queries: one aggregate for everything but the median, then the median's rows.
    ``overdue`` counts learners who have not finished once the due time has passed."""
    learners = report_learners(assignment)
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
        mean=_as_float(totals["mean"]),
        median=_median(assignment, totals["finished"]),
        best=_as_float(totals["best"]),
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


def assignment_subgroup_rows(assignment: Assignment) -> list[Rollup]:
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
            mean=_as_float(mean),
            passed=int(passed),
            group=StudyGroup(pk=pk, name=name, parent_id=assignment.group_id),
        )
        for pk, name, learners, finished, mean, passed in rows
    ]


# --- Figures cached until their data changes -------------------------------------------
#
# Mastery and item analysis read every item of an assignment's finished attempts (10^5
# rows and more for a large group), so their figures are kept in Django's cache, keyed by
# the assignment, next to a fingerprint of what they were computed from. A request reads
# the fingerprint first (one cheap query) and recomputes whenever it differs: figures are
# never shown stale. Entries are plain tuples (picklable, whatever the cache backend).

REPORT_CACHE_SECONDS = 24 * 60 * 60
# In every key: change it when what an entry holds changes shape, so no code reads an
# entry an older version wrote.
_CACHE_SHAPE = 1

_ATTEMPTS = Attempt._meta.db_table
_REGRADES = Regrade._meta.db_table
_SCORE_CHANGES = ScoreChange._meta.db_table

_FINGERPRINT_SQL = f"""
SELECT COUNT(*), SUM(a.id), MAX(a.finished_at),
       (SELECT MAX(r.id) FROM {_REGRADES} r WHERE r.assignment_id = %(assignment)s),
       (SELECT MAX(s.id) FROM {_SCORE_CHANGES} s JOIN {_ATTEMPTS} c ON c.id = s.attempt_id
        WHERE c.assignment_id = %(assignment)s)
FROM {_ATTEMPTS} a
WHERE a.assignment_id = %(assignment)s AND a.state = %(finished)s
"""


def finished_fingerprint(assignment: Assignment) -> tuple[str, ...]:
    """What the figures over an assignment's finished attempts are computed from, in one
    query. It changes whenever an input does:

    - an attempt finishes, or a finished one disappears: the count, the sum of their ids
      and the newest finish time;
    - a regrade moves items to another version (and regrades them): the newest
      ``Regrade``, even when no score changes;
    - a finished attempt's score changes: the newest ``ScoreChange`` (the database refuses
      such a change without one).

    Nothing else the figures read changes once an attempt is finished: its items, their
    versions and scores (but by a regrade), its shown choices and what was selected, and
    the choices' texts and keys (question versions are immutable). The first element is
    the number of finished attempts."""
    with connection.cursor() as cursor:
        cursor.execute(
            _FINGERPRINT_SQL,
            {"assignment": assignment.pk, "finished": Attempt.State.FINISHED.value},
        )
        row = cursor.fetchone()
    return tuple("" if value is None else str(value) for value in row)


def _cached(key: str, fingerprint: tuple[str, ...], compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned before for the same ``fingerprint``. The caller
    reads the fingerprint before computing, so an entry never holds older data than its
    fingerprint says."""
    key = f"reports:{_CACHE_SHAPE}:{key}"
    entry = cache.get(key)
    if entry is not None and entry[0] == fingerprint:
        return entry[1]
    value = compute()
    cache.set(key, (fingerprint, value), REPORT_CACHE_SECONDS)
    return value


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


def assignment_mastery(assignment: Assignment) -> tuple[list[KeyPointMastery], KeyPointMastery]:
    """Mastery per key point across the assignment's finished attempts, weakest first,
    each with its source passage (the document's text between the key point's offsets,
    cut out by the database). Also the row of questions linked to no key point.

    The totals per question are cached (``finished_fingerprint``); which key point a
    question is linked to, and the passages, are read fresh. Two queries (the fingerprint;
    the questions with their key points), and one more when the totals are recomputed."""
    unlinked = KeyPointMastery(key_point=None, score=0.0, points=0.0, answers=0, questions=0)
    fingerprint = finished_fingerprint(assignment)
    if fingerprint[0] == "0":
        return [], unlinked
    per_question = {
        question_id: (score, points, answers)
        for question_id, score, points, answers in _cached(
            f"mastery:{assignment.pk}", fingerprint, lambda: _question_totals(assignment)
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


# --- Item analysis ----------------------------------------------------------------------


class AnalysedAttempts(TextChoices):
    FIRST = "first", _("each learner's first finished attempt")
    ALL = "all", _("all finished attempts")


def analysed_attempts(assignment: Assignment, which: str) -> QuerySet[Attempt]:
    """The finished attempts an item analysis reads: all of them, or each learner's first
    finished one (the default, as Moodle's; later attempts are taken after seeing
    feedback)."""
    finished = Attempt.objects.filter(
        assignment=assignment, state=Attempt.State.FINISHED
    ).order_by()
    if which == AnalysedAttempts.ALL:
        return finished
    earlier = finished.filter(user=OuterRef("user"), number__lt=OuterRef("number"))
    return finished.filter(~Exists(earlier))


@dataclass(frozen=True)
class ChoiceStats:
    choice_id: int
    text: str
    is_correct: bool
    version: int
    ordinal: int
    shown: int
    picked: int

    @property
    def pick_rate(self) -> float | None:
        return _share(self.picked, self.shown)


@dataclass
class ItemStats:
    """Moodle's statistics of one question over the analysed attempts.

    With x an attempt's mark on the question and y the rest of that attempt's total
    (its total minus x), over the n attempts that showed the question:

    - facility index F = 100 × mean(x / points);
    - SD = 100 × sample standard deviation of x / points;
    - discrimination index D = 100 × cov(x, y) / √(var x · var y), the Pearson
      correlation of the item's mark with the rest of the attempt;
    - discriminative efficiency = 100 × cov(x, y) / cov_max(x, y), where cov_max pairs the
      marks and the rest-totals both sorted ascending — the largest covariance these
      two sets of values could have — so it says how close D comes to the best this
      question's distribution of marks allows.

    A figure is ``None`` when it is undefined (one attempt, or no spread)."""

    question_id: int
    position: int
    n: int
    facility: float | None
    sd: float | None
    discrimination: float | None
    efficiency: float | None
    stem: str = ""
    kind: str = ""
    choices: list[ChoiceStats] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return QuestionKind(self.kind).label if self.kind else ""

    @property
    def top_distractor(self) -> ChoiceStats | None:
        """The wrong choice picked most often, if anyone picked one."""
        wrong = [c for c in self.choices if not c.is_correct and c.picked]
        return max(wrong, key=lambda c: (c.pick_rate or 0, -c.ordinal), default=None)


_ITEMS = AttemptItem._meta.db_table
_SHOWN = AttemptChoice._meta.db_table
_CHOICES = Choice._meta.db_table
_VERSIONS = QuestionVersion._meta.db_table

# Sums, sums of squares and cross-products per question, in one statement. ``marks`` is one
# row per analysed item: its mark x, its points, and y, the rest of its attempt's total:
# the attempt's score minus x (as Moodle: an attempt's score is the sum of its items'
# scores, kept so by finishing and by regrading). Discriminative efficiency needs
# Σ x(k)·y(k), the k-th smallest mark times the k-th smallest rest-total. Marks and
# rest-totals each take few distinct values per question, so ``runs`` and ``yruns`` give
# each distinct value the ranks [hi − c, hi) it occupies once sorted, and a range join
# pairs the x-runs with the y-runs they overlap: Σ x·y·(length of the overlap). No sort
# of every row, and no window over each attempt's items.
_ITEM_STATS_SQL = f"""
WITH chosen AS ({{attempts}}),
marks AS (
    SELECT i.question_id AS q, i.position AS pos,
           CAST(COALESCE(i.score, 0) AS DOUBLE PRECISION) AS x,
           CAST(i.points AS DOUBLE PRECISION) AS pts,
           CAST(a.score - COALESCE(i.score, 0) AS DOUBLE PRECISION) AS y
    FROM {_ITEMS} i JOIN chosen a ON a.id = i.attempt_id
),
runs AS (
    SELECT q, x, COUNT(*) AS c, SUM(COUNT(*)) OVER (PARTITION BY q ORDER BY x) AS hi
    FROM marks
    GROUP BY q, x
),
yruns AS (
    SELECT q, y, COUNT(*) AS c, SUM(COUNT(*)) OVER (PARTITION BY q ORDER BY y) AS hi
    FROM marks
    GROUP BY q, y
),
sorted AS (
    SELECT r.q,
           SUM(r.x * yr.y * ((CASE WHEN r.hi < yr.hi THEN r.hi ELSE yr.hi END)
                             - (CASE WHEN r.hi - r.c > yr.hi - yr.c
                                     THEN r.hi - r.c ELSE yr.hi - yr.c END))) AS sxy_max
    FROM runs r JOIN yruns yr ON yr.q = r.q AND yr.hi - yr.c < r.hi AND yr.hi > r.hi - r.c
    GROUP BY r.q
),
sums AS (
    SELECT q, MIN(pos) AS pos, COUNT(*) AS n,
           SUM(x / pts) AS sf, SUM((x / pts) * (x / pts)) AS sff,
           SUM(x) AS sx, SUM(x * x) AS sxx, SUM(y) AS sy, SUM(y * y) AS syy, SUM(x * y) AS sxy
    FROM marks
    GROUP BY q
)
SELECT sums.q, sums.pos, sums.n, sums.sf, sums.sff, sums.sx, sums.sxx, sums.sy, sums.syy,
       sums.sxy, sorted.sxy_max
FROM sums JOIN sorted ON sorted.q = sums.q
ORDER BY sums.pos, sums.q
"""

# How often each choice was shown and picked, per question. Every choice of an item's
# version is shown once in it (attempts show them all; a regrade moves an item and its
# shown choices to the new version together), so ``shown`` counts items per version and
# only the selected shown choices are read.
_PICKS_SQL = f"""
WITH chosen AS ({{attempts}}),
items AS (
    SELECT i.id, i.question_id, i.question_version_id
    FROM {_ITEMS} i
    WHERE i.attempt_id IN (SELECT id FROM chosen)
),
shown AS (
    SELECT question_version_id, question_id, COUNT(*) AS n
    FROM items
    GROUP BY question_version_id, question_id
),
picked AS (
    SELECT ac.choice_id, COUNT(*) AS n
    FROM {_SHOWN} ac JOIN items ON items.id = ac.item_id
    WHERE ac.selected
    GROUP BY ac.choice_id
)
SELECT s.question_id, c.id, c.text, c.is_correct, c.ordinal, v.number, s.n, COALESCE(p.n, 0)
FROM shown s
JOIN {_CHOICES} c ON c.version_id = s.question_version_id
JOIN {_VERSIONS} v ON v.id = c.version_id
LEFT JOIN picked p ON p.choice_id = c.id
ORDER BY s.question_id, v.number, c.ordinal
"""

# Below this, a variance or covariance is rounding noise of sums of squares.
_EPSILON = 1e-9


def item_stats_from_sums(
    *,
    n: int,
    sf: float,
    sff: float,
    sx: float,
    sxx: float,
    sy: float,
    syy: float,
    sxy: float,
    sxy_max: float,
) -> tuple[float | None, float | None, float | None, float | None]:
    """Facility, SD, discrimination index and discriminative efficiency (all × 100) from
    the sums the database returns (see ``ItemStats``). Sample (n − 1) variances, as Moodle;
    the ratios do not depend on the divisor."""
    if not n:
        return None, None, None, None
    facility = 100.0 * sf / n
    if n < 2:
        return facility, None, None, None
    var_f = max((sff - sf * sf / n) / (n - 1), 0.0)
    sd = 100.0 * math.sqrt(var_f)
    var_x = (sxx - sx * sx / n) / (n - 1)
    var_y = (syy - sy * sy / n) / (n - 1)
    cov = (sxy - sx * sy / n) / (n - 1)
    cov_max = (sxy_max - sx * sy / n) / (n - 1)
    discrimination = (
        100.0 * cov / math.sqrt(var_x * var_y) if var_x > _EPSILON and var_y > _EPSILON else None
    )
    efficiency = 100.0 * cov / cov_max if cov_max > _EPSILON else None
    return facility, sd, discrimination, efficiency


def _item_figures(assignment: Assignment, which: str) -> tuple[list[tuple], list[tuple]]:
    """What ``item_analysis`` caches: ``(question, position, n, facility, sd,
    discrimination, efficiency)`` per question in quiz order, and ``(question, choice,
    text, is correct, ordinal, version number, shown, picked)`` per choice. Two queries."""
    attempts = analysed_attempts(assignment, which).values("id", "score")
    attempts_sql, params = attempts.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_ITEM_STATS_SQL.format(attempts=attempts_sql), params)
        sums = cursor.fetchall()
        cursor.execute(_PICKS_SQL.format(attempts=attempts_sql), params)
        picks = cursor.fetchall()
    stats = [
        (
            q,
            pos,
            n,
            *item_stats_from_sums(
                n=n, sf=sf, sff=sff, sx=sx, sxx=sxx, sy=sy, syy=syy, sxy=sxy, sxy_max=sxy_max
            ),
        )
        for q, pos, n, sf, sff, sx, sxx, sy, syy, sxy, sxy_max in sums
    ]
    choices = [
        (q, choice, text, bool(correct), ordinal, version, shown, picked)
        for q, choice, text, correct, ordinal, version, shown, picked in picks
    ]
    return stats, choices


def item_analysis(
    assignment: Assignment, *, which: str = AnalysedAttempts.FIRST
) -> list[ItemStats]:
    """Moodle's item statistics for every question of the assignment's analysed attempts
    (``analysed_attempts``), in quiz order, with the pick counts of every choice shown.

    The figures are cached per assignment and choice of attempts (``finished_fingerprint``);
    the questions' current stems are read fresh (a new version changes them). Two queries
    (the fingerprint, the stems), and two more when the figures are recomputed."""
    fingerprint = finished_fingerprint(assignment)
    if fingerprint[0] == "0":
        return []
    stat_rows, choice_rows = _cached(
        f"items:{assignment.pk}:{which}", fingerprint, lambda: _item_figures(assignment, which)
    )
    stats = {
        q: ItemStats(
            question_id=q,
            position=pos,
            n=n,
            facility=facility,
            sd=sd,
            discrimination=discrimination,
            efficiency=efficiency,
        )
        for q, pos, n, facility, sd, discrimination, efficiency in stat_rows
    }
    if not stats:
        return []
    newest = QuestionVersion.objects.newest_for()
    for question in Question.objects.filter(pk__in=list(stats)).annotate(
        stem=Subquery(newest.values("stem")[:1]), kind=Subquery(newest.values("kind")[:1])
    ):
        stats[question.pk].stem = question.stem
        stats[question.pk].kind = question.kind
    for q, choice, text, correct, ordinal, version, shown, picked in choice_rows:
        stats[q].choices.append(
            ChoiceStats(
                choice_id=choice,
                text=text,
                is_correct=correct,
                version=version,
                ordinal=ordinal,
                shown=shown,
                picked=picked,
            )
        )
    return list(stats.values())


# --- A group's assignments over time ----------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    assignment: Assignment
    learners: int
    finished: int
    mean: float | None

    @property
    def completion(self) -> float | None:
        return _share(self.finished, self.learners)


def group_trend(group: StudyGroup) -> list[TrendPoint]:
    """The group's assignments in due-date order, each with its learners (today's members
    of the group's subtree plus former members with attempts), how many finished and
    their mean percent. Two queries."""
    members = Membership.objects.filter(
        role=Membership.Role.MEMBER, user__is_active=True, group_id__in=subtree_ids(group.pk)
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
                AssignmentResult.objects.filter(attempts_finished__gt=0), outer_field="assignment"
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
            mean=_as_float(assignment.mean_percent),
        )
        for assignment in assignments
    ]
