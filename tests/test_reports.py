"""Report figures on small data computed by hand.

The tree: committee → branch A → cell A1, and committee → branch B. The quiz has three
one-point questions, pass mark 60 %.

    learner  where                  attempt              percent  passed
    d1       committee itself       none                    –
    a1       branch A               3/3                   100       yes
    a2       branch A               1/3                    33.3333  no
    c1       cell A1                2/3                    66.6667  yes
    b1       branch B               open (in progress)      –
    x        branch B and cell A1   none                    –
    f1       nowhere any more       2/3 (a former member)  66.6667  yes

Learners 7; finished 4 (a1 a2 c1 f1); in progress 1 (b1); not started 2 (d1 x).
Mean (100 + 33.3333 + 66.6667 + 66.6667) / 4 = 66.6667; median of 33.3333, 66.6667,
66.6667, 100 = 66.6667; best 100; pass rate 3 of 4 = 75 %.
Histogram: 33.3 → bin 30–39, 66.7 twice → 60–69, 100 → 90–100.
Branch A (a1 a2 c1 x): 4 learners, 3 finished, mean 66.6667, 2 of 3 passed.
Branch B (b1 x): 2 learners, none finished. Committee itself: d1. Former: f1.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from quizzes.models import Attempt, Membership
from quizzes.selectors.reports.mastery import assignment_mastery
from quizzes.selectors.reports.overview import (
    LearnerStatus,
    assignment_subgroup_rows,
    assignment_summary,
    learner_status,
    member_sort,
    report_member_rows,
)
from quizzes.selectors.reports.trend import group_trend
from tests import factories
from tests.reports_data import finish_attempts, make_quiz, open_attempt

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


def _member(group, username, display_name=""):
    user = factories.UserFactory(username=username, display_name=display_name or username.upper())
    factories.MembershipFactory(group=group, user=user)
    return user


@pytest.fixture
def tree(organizer):
    committee = factories.GroupFactory(name="Committee", created_by=organizer)
    branch_a = factories.GroupFactory(name="Branch A", parent=committee, created_by=organizer)
    cell = factories.GroupFactory(name="Cell A1", parent=branch_a, created_by=organizer)
    branch_b = factories.GroupFactory(name="Branch B", parent=committee, created_by=organizer)
    factories.MembershipFactory(group=committee, user=organizer, role=Membership.Role.ORGANIZER)
    return committee, branch_a, cell, branch_b


@pytest.fixture
def report(tree, organizer):
    committee, branch_a, cell, branch_b = tree
    people = {
        "d1": _member(committee, "d1"),
        "a1": _member(branch_a, "a1"),
        "a2": _member(branch_a, "a2"),
        "c1": _member(cell, "c1"),
        "b1": _member(branch_b, "b1"),
        "x": _member(branch_b, "x"),
        "f1": factories.UserFactory(username="f1", display_name="F1"),
    }
    factories.MembershipFactory(group=cell, user=people["x"])
    quiz, items = make_quiz(owner=organizer, questions=3)
    assignment = factories.AssignmentFactory(quiz=quiz, group=committee, created_by=organizer)
    started = timezone.now() - timedelta(hours=3)
    finish_attempts(
        assignment,
        items,
        {
            people["a1"]: [0, 0, 0],
            people["a2"]: [0, 1, 2],
            people["c1"]: [0, 0, 1],
            people["f1"]: [1, 0, 0],
        },
        started_at=started,
        minutes=12,
    )
    open_attempt(assignment, people["b1"])
    return assignment, people, items


def test_summary_counts_and_scores(report):
    assignment, _people, _items = report

    summary = assignment_summary(assignment=assignment, now=timezone.now())

    assert (summary.learners, summary.finished, summary.in_progress, summary.not_started) == (
        7,
        4,
        1,
        2,
    )
    assert summary.overdue == 0
    assert summary.mean == pytest.approx(66.6667, abs=1e-3)
    assert summary.median == pytest.approx(66.6667, abs=1e-3)
    assert summary.best == pytest.approx(100)
    assert summary.pass_rate == pytest.approx(75)
    assert summary.completion == pytest.approx(4 * 100 / 7)


def test_learners_who_have_not_finished_are_overdue_after_the_due_time(report):
    assignment, _people, _items = report

    summary = assignment_summary(
        assignment=assignment, now=assignment.due_at + timedelta(seconds=1)
    )

    assert summary.overdue == 3


def test_histogram_has_ten_bins_of_percent(report):
    assignment, _people, _items = report

    histogram = assignment_summary(assignment=assignment, now=timezone.now()).histogram

    assert [b.label for b in histogram][:2] == ["0–9", "10–19"]
    assert histogram[-1].label == "90–100"
    assert [b.count for b in histogram] == [0, 0, 0, 1, 0, 0, 2, 0, 0, 1]


def test_median_of_an_odd_number_is_the_middle_one(report):
    assignment, people, items = report
    finish_attempts(assignment, items, {people["d1"]: [1, 1, 1]})

    summary = assignment_summary(assignment=assignment, now=timezone.now())

    # 0, 33.3333, 66.6667, 66.6667, 100
    assert summary.median == pytest.approx(66.6667, abs=1e-3)
    assert summary.mean == pytest.approx(53.3333, abs=1e-3)


def test_subgroup_rows_roll_up_whole_subtrees(report):
    assignment, _people, _items = report

    branch_a, branch_b = assignment_subgroup_rows(assignment=assignment)

    assert (branch_a.label, branch_a.learners, branch_a.finished, branch_a.passed) == (
        "Branch A",
        4,
        3,
        2,
    )
    assert branch_a.mean == pytest.approx(66.6667, abs=1e-3)
    assert branch_a.pass_rate == pytest.approx(200 / 3)
    assert (branch_b.label, branch_b.learners, branch_b.finished, branch_b.mean) == (
        "Branch B",
        2,
        0,
        None,
    )
    assert branch_b.pass_rate is None


def test_direct_and_former_members_get_their_own_rows(report):
    assignment, _people, _items = report

    summary = assignment_summary(assignment=assignment, now=timezone.now())

    assert (summary.direct.learners, summary.direct.finished) == (1, 0)
    assert (summary.former.learners, summary.former.finished, summary.former.passed) == (1, 1, 1)
    assert summary.former.mean == pytest.approx(66.6667, abs=1e-3)
    assert (summary.current.learners, summary.current.finished) == (6, 3)


def test_member_table_rows(report):
    assignment, people, _items = report

    rows = {row.username: row for row in report_member_rows(assignment=assignment)}

    assert set(rows) == {"d1", "a1", "a2", "c1", "b1", "x", "f1"}
    a1 = rows["a1"]
    assert (a1.group_name, a1.attempts_started, float(a1.best_percent)) == ("Branch A", 1, 100)
    assert a1.time_spent == timedelta(minutes=12)
    assert a1.last_activity == Attempt.objects.get(user=people["a1"]).finished_at
    assert rows["x"].group_name == "Branch B"  # the first of their groups by name
    assert rows["f1"].group_name is None and not rows["f1"].is_current
    assert learner_status(row=rows["a1"]) == LearnerStatus.FINISHED
    assert learner_status(row=rows["b1"]) == LearnerStatus.IN_PROGRESS
    assert learner_status(row=rows["d1"]) == LearnerStatus.NOT_STARTED
    assert rows["b1"].attempts_started == 1 and rows["b1"].best_percent is None
    assert rows["b1"].last_activity is not None and rows["d1"].last_activity is None


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["a1", "a2", "b1", "c1", "d1", "f1", "x"]),
        ("-name", ["x", "f1", "d1", "c1", "b1", "a2", "a1"]),
        ("-score", ["a1", "c1", "f1", "a2", "b1", "d1", "x"]),
        ("score", ["a2", "c1", "f1", "a1", "b1", "d1", "x"]),
        ("group", ["a1", "a2", "b1", "x", "c1", "d1", "f1"]),
        ("-attempts", ["a1", "a2", "b1", "c1", "f1", "d1", "x"]),
        ("nonsense", ["a1", "a2", "b1", "c1", "d1", "f1", "x"]),
    ],
)
def test_member_table_sorts_by_each_column_with_empty_values_last(report, sort, expected):
    assignment, _people, _items = report

    rows = report_member_rows(assignment=assignment, sort=sort)

    assert [row.username for row in rows] == expected


def test_unknown_sort_falls_back_to_name():
    assert member_sort(value="-best") == "-best"
    assert member_sort(value="password") == "name"
    assert member_sort(value=None) == "name"


def test_mastery_per_key_point_weakest_first_with_source_passage(organizer, group, learner):
    document = factories.DocumentFactory(
        bank=factories.BankFactory(owner=organizer),
        text="Preface. Adhere to the plan. Serve the people. Closing.",
    )
    plan = factories.KeyPointFactory(document=document, ordinal=1, start_offset=9, end_offset=28)
    people = factories.KeyPointFactory(document=document, ordinal=2, start_offset=29, end_offset=46)
    # Q1 and Q2 test "plan", Q3 tests "people", Q4 has no key point.
    quiz, items = make_quiz(owner=organizer, questions=4, key_points=[plan, plan, people, None])
    assignment = factories.AssignmentFactory(quiz=quiz, group=group, created_by=organizer)
    others = [factories.UserFactory() for _ in range(3)]
    for other in others:
        factories.MembershipFactory(group=group, user=other)
    finish_attempts(
        assignment,
        items,
        {
            learner: [0, 0, 1, 0],
            others[0]: [0, 1, 1, 0],
            others[1]: [1, 0, 0, 1],
            others[2]: [0, 0, 1, 1],
        },
    )
    open_attempt(assignment, factories.UserFactory())  # unfinished: not counted

    rows, unlinked = assignment_mastery(assignment=assignment)

    # people: 1 of 4 right = 25 %; plan: Q1 3 of 4 + Q2 3 of 4 = 6 of 8 = 75 %.
    assert [(row.key_point, row.mastery, row.answers, row.questions) for row in rows] == [
        (people, 25.0, 4, 1),
        (plan, 75.0, 8, 2),
    ]
    assert rows[0].passage == "Serve the people."
    assert rows[1].passage == "Adhere to the plan."
    assert (unlinked.answers, unlinked.mastery) == (4, 50.0)


def test_trend_lists_the_groups_assignments_in_date_order(organizer, group, learner):
    second = factories.UserFactory()
    factories.MembershipFactory(group=group, user=second)
    quiz, items = make_quiz(owner=organizer, questions=2)
    now = timezone.now()
    later = factories.AssignmentFactory(
        quiz=quiz, group=group, opens_at=now - timedelta(days=3), due_at=now + timedelta(days=3)
    )
    earlier = factories.AssignmentFactory(
        quiz=quiz, group=group, opens_at=now - timedelta(days=9), due_at=now - timedelta(days=5)
    )
    factories.AssignmentFactory(quiz=quiz)  # another group's
    finish_attempts(earlier, items, {learner: [0, 0], second: [0, 1]})
    finish_attempts(later, items, {learner: [1, 1]})

    first, last = group_trend(group=group)

    assert first.assignment == earlier and last.assignment == later
    assert (first.learners, first.finished, first.completion) == (2, 2, 100)
    assert first.mean == pytest.approx(75)
    assert (last.learners, last.finished, last.completion, last.mean) == (2, 1, 50, 0)
