"""Item analysis of an assignment, with Moodle's definitions (facility, standard deviation,
discrimination index, discriminative efficiency, the pick rate of every choice), and its
export rows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Exists,
    OuterRef,
    QuerySet,
    Subquery,
    TextChoices,
)
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from quizzes.exports.sheets import Column, Kind, Sheet
from quizzes.models import (
    Assignment,
    Attempt,
    AttemptChoice,
    AttemptItem,
    Choice,
    Question,
    QuestionKind,
    QuestionVersion,
)
from quizzes.selectors.reports.common import (
    cached,
    finished_fingerprint,
    share,
)

# --- Item analysis ----------------------------------------------------------------------


class AnalysedAttempts(TextChoices):
    FIRST = "first", _("each learner's first finished attempt")
    ALL = "all", _("all finished attempts")


def analysed_attempts(*, assignment: Assignment, which: str) -> QuerySet[Attempt]:
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
        return share(part=self.picked, whole=self.shown)


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
    attempts = analysed_attempts(assignment=assignment, which=which).values("id", "score")
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
    *, assignment: Assignment, which: str = AnalysedAttempts.FIRST
) -> list[ItemStats]:
    """Moodle's item statistics for every question of the assignment's analysed attempts
    (``analysed_attempts``), in quiz order, with the pick counts of every choice shown.

    The figures are cached per assignment and choice of attempts (``finished_fingerprint``);
    the questions' current stems are read fresh (a new version changes them). Two queries
    (the fingerprint, the stems), and two more when the figures are recomputed."""
    fingerprint = finished_fingerprint(assignment=assignment)
    if fingerprint[0] == "0":
        return []
    stat_rows, choice_rows = cached(
        key=f"items:{assignment.pk}:{which}",
        fingerprint=fingerprint,
        compute=lambda: _item_figures(assignment, which),
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


# --- The item analysis as sheets ---------------------------------------------------


def item_sheets(*, assignment: Assignment, which: str = AnalysedAttempts.FIRST) -> list[Sheet]:
    """The item analysis: one row per question, then one row per choice shown. Three
    queries (see ``item_analysis``)."""
    items = item_analysis(assignment=assignment, which=which)
    questions = Sheet(
        gettext("Questions"),
        [
            Column(gettext("Position"), Kind.INTEGER, width=9),
            Column(gettext("Question"), width=48),
            Column(gettext("Kind")),
            Column(gettext("Attempts analysed"), Kind.INTEGER),
            Column(gettext("Facility index (%)"), Kind.PERCENT),
            Column(gettext("Standard deviation (%)"), Kind.PERCENT),
            Column(gettext("Discrimination index"), Kind.NUMBER),
            Column(gettext("Discriminative efficiency"), Kind.NUMBER),
            Column(gettext("Wrong choice picked most"), width=30),
            Column(gettext("Its pick rate (%)"), Kind.PERCENT),
        ],
        [
            [
                item.position,
                item.stem,
                str(item.kind_label),
                item.n,
                item.facility,
                item.sd,
                item.discrimination,
                item.efficiency,
                item.top_distractor.text if item.top_distractor else "",
                item.top_distractor.pick_rate if item.top_distractor else None,
            ]
            for item in items
        ],
    )
    yes, no = gettext("yes"), gettext("no")
    choices = Sheet(
        gettext("Choices"),
        [
            Column(gettext("Position"), Kind.INTEGER, width=9),
            Column(gettext("Question"), width=40),
            Column(gettext("Version"), Kind.INTEGER, width=9),
            Column(gettext("Choice"), width=30),
            Column(gettext("Correct")),
            Column(gettext("Shown"), Kind.INTEGER),
            Column(gettext("Picked"), Kind.INTEGER),
            Column(gettext("Pick rate (%)"), Kind.PERCENT),
        ],
        [
            [
                item.position,
                item.stem,
                choice.version,
                choice.text,
                yes if choice.is_correct else no,
                choice.shown,
                choice.picked,
                choice.pick_rate,
            ]
            for item in items
            for choice in item.choices
        ],
    )
    return [questions, choices]
