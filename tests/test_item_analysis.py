"""Item analysis with Moodle's definitions, on a case worked out by hand.

Five learners take a quiz of three one-point single-choice questions (option 1 is the key
of each). Their marks, and the rest of each attempt's total (total minus that question):

    learner  Q1 Q2 Q3  total | rest Q1 rest Q2 rest Q3
    A         1  0  1    2   |    1       2       1
    B         1  0  0    1   |    0       1       1
    C         0  1  0    1   |    1       0       1
    D         0  0  0    0   |    0       0       0
    E         0  0  0    0   |    0       0       0

Q1: x = 1,1,0,0,0 (mean .4), y = 1,0,1,0,0 (mean .4).
    deviations dx = .6,.6,-.4,-.4,-.4; dy = .6,-.4,.6,-.4,-.4
    Σdx·dy = .36 - .24 - .24 + .16 + .16 = .2; Σdx² = 1.2; Σdy² = 1.2
    F = 40; SD = 100·√(1.2/4) = 54.772; D = 100·.2/√(1.2·1.2) = 16.667
    sorted x 0,0,0,1,1 with sorted y 0,0,0,1,1: Σ = 3·.16 + 2·.36 = 1.2
    → discriminative efficiency = 100·.2/1.2 = 16.667
Q2: x = 0,0,1,0,0 (mean .2), y = 2,1,0,0,0 (mean .6).
    dx = -.2,-.2,.8,-.2,-.2; dy = 1.4,.4,-.6,-.6,-.6
    Σdx·dy = -.28 - .08 - .48 + .12 + .12 = -.6; Σdx² = .8; Σdy² = 3.2
    F = 20; SD = 100·√(.8/4) = 44.721; D = 100·(-.6)/√(.8·3.2) = -60/1.6 = -37.5
    sorted x 0,0,0,0,1 with sorted y 0,0,0,1,2: dy = -.6,-.6,-.6,.4,1.4;
    Σ = .12 + .12 + .12 - .08 + 1.12 = 1.4 → efficiency = 100·(-.6)/1.4 = -42.857
Q3: x = 1,0,0,0,0 (mean .2), y = 1,1,1,0,0 (mean .6).
    dx = .8,-.2,-.2,-.2,-.2; dy = .4,.4,.4,-.6,-.6
    Σdx·dy = .32 - .08 - .08 + .12 + .12 = .4; Σdx² = .8; Σdy² = 1.2
    F = 20; SD = 44.721; D = 100·.4/√(.8·1.2) = 40.825
    sorted y 0,0,1,1,1: dy = -.6,-.6,.4,.4,.4; Σ = .12 + .12 - .08 - .08 + .32 = .4
    → efficiency = 100
(The n − 1 divisors cancel in D and in the efficiency.)

Wrong picks on Q1: C and D chose option 2, E chose option 3 → option 1 40 %, option 2
40 %, option 3 20 %, option 4 0 %; option 2 is the distractor that fooled most.
"""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from quizzes.models import Membership
from quizzes.selectors.reports.items import AnalysedAttempts, item_analysis, item_stats_from_sums
from tests import factories
from tests.reports_data import add_members, finish_attempts, make_quiz

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


@pytest.fixture
def worked_case(organizer):
    group = factories.GroupFactory(created_by=organizer)
    factories.MembershipFactory(group=group, user=organizer, role=Membership.Role.ORGANIZER)
    a, b, c, d, e = add_members(group, 5)
    quiz, items = make_quiz(owner=organizer, questions=3)
    assignment = factories.AssignmentFactory(quiz=quiz, group=group, created_by=organizer)
    # The option index each learner picked per question (0 is the key).
    finish_attempts(
        assignment,
        items,
        {a: [0, 1, 0], b: [0, 2, 1], c: [1, 0, 1], d: [1, 3, 2], e: [2, 1, 1]},
        started_at=timezone.now() - timedelta(days=1),
    )
    return assignment, items, e


def test_item_statistics_match_the_hand_worked_case(worked_case):
    assignment, _items, _e = worked_case

    q1, q2, q3 = item_analysis(assignment=assignment)

    assert [q1.n, q2.n, q3.n] == [5, 5, 5]
    assert q1.facility == pytest.approx(40)
    assert q1.sd == pytest.approx(54.772, abs=1e-3)
    assert q1.discrimination == pytest.approx(16.667, abs=1e-3)
    assert q1.efficiency == pytest.approx(16.667, abs=1e-3)
    assert q2.facility == pytest.approx(20)
    assert q2.sd == pytest.approx(44.721, abs=1e-3)
    assert q2.discrimination == pytest.approx(-37.5)
    assert q2.efficiency == pytest.approx(-42.857, abs=1e-3)
    assert q3.facility == pytest.approx(20)
    assert q3.sd == pytest.approx(44.721, abs=1e-3)
    assert q3.discrimination == pytest.approx(40.825, abs=1e-3)
    assert q3.efficiency == pytest.approx(100)
    assert [q1.stem, q2.stem, q3.stem] == ["Question 1?", "Question 2?", "Question 3?"]


def test_pick_rates_show_which_distractor_fooled_people(worked_case):
    assignment, _items, _e = worked_case

    q1 = item_analysis(assignment=assignment)[0]

    assert [(c.text, c.is_correct, c.shown, c.picked) for c in q1.choices] == [
        ("Q1 option 1", True, 5, 2),
        ("Q1 option 2", False, 5, 2),
        ("Q1 option 3", False, 5, 1),
        ("Q1 option 4", False, 5, 0),
    ]
    assert [c.pick_rate for c in q1.choices] == [40, 40, 20, 0]
    assert q1.top_distractor.text == "Q1 option 2"


def test_first_attempts_are_analysed_unless_all_are_asked_for(worked_case):
    assignment, items, e = worked_case
    # E tries again and gets everything right.
    finish_attempts(assignment, items, {e: [0, 0, 0]}, number=2)

    first = item_analysis(assignment=assignment, which=AnalysedAttempts.FIRST)[0]
    every = item_analysis(assignment=assignment, which=AnalysedAttempts.ALL)[0]

    assert (first.n, first.facility) == (5, pytest.approx(40))
    assert (every.n, every.facility) == (6, pytest.approx(50))


def test_undefined_figures_are_none_not_errors():
    # One attempt: a facility, but no spread to correlate.
    assert item_stats_from_sums(n=1, sf=1, sff=1, sx=1, sxx=1, sy=2, syy=4, sxy=2, sxy_max=2) == (
        100,
        None,
        None,
        None,
    )
    # Everyone got it right: no variance, so no discrimination.
    facility, sd, discrimination, efficiency = item_stats_from_sums(
        n=3, sf=3, sff=3, sx=3, sxx=3, sy=3, syy=5, sxy=3, sxy_max=3
    )
    assert (facility, sd, discrimination, efficiency) == (100, 0, None, None)
    assert item_stats_from_sums(n=0, sf=0, sff=0, sx=0, sxx=0, sy=0, syy=0, sxy=0, sxy_max=0) == (
        None,
        None,
        None,
        None,
    )


def test_no_finished_attempts_means_no_rows(organizer):
    assignment = factories.AssignmentFactory(quiz=factories.QuizFactory(owner=organizer))

    assert item_analysis(assignment=assignment) == []


def _expected(xs: list[float], ys: list[float]) -> tuple:
    """Moodle's figures straight from the definitions (points are 1 here)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    best = sum((x - mx) * (y - my) for x, y in zip(sorted(xs), sorted(ys), strict=True))
    return (
        100 * mx,
        100 * (sxx / (n - 1)) ** 0.5,
        100 * sxy / (sxx * syy) ** 0.5 if sxx > 1e-9 and syy > 1e-9 else None,
        100 * sxy / best if best > 1e-9 else None,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_statistics_match_the_definitions_on_random_answers(organizer, seed):
    """Many ties in the marks and in the rest-totals: the run-length pairing behind the
    discriminative efficiency must equal sorting both and pairing them one by one."""
    rng = random.Random(seed)
    group = factories.GroupFactory(created_by=organizer)
    learners = add_members(group, 23)
    quiz, items = make_quiz(owner=organizer, questions=4)
    assignment = factories.AssignmentFactory(quiz=quiz, group=group, created_by=organizer)
    picks = {
        user: [0 if rng.random() < 0.3 + 0.15 * q else rng.randint(1, 3) for q in range(4)]
        for user in learners
    }
    finish_attempts(assignment, items, picks, refresh=False)

    stats = item_analysis(assignment=assignment)

    marks = [[1.0 if pick == 0 else 0.0 for pick in row] for row in picks.values()]
    for q, item in enumerate(stats):
        xs = [row[q] for row in marks]
        ys = [sum(row) - row[q] for row in marks]
        expected = _expected(xs, ys)
        got = (item.facility, item.sd, item.discrimination, item.efficiency)
        assert got == pytest.approx(expected, abs=1e-6), q
