"""``manage.py seed_load``: a small run builds a four-level tree, attempts whose stored
scores are what grading gives, results that ``assignment_result_refresh`` would not change,
rows that pass every constraint, and the same data for the same seed."""

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Prefetch, Sum

from quizzes.grading import item_grade
from quizzes.loadgen.seed import SAMPLE_DOCUMENT, seed_load, tree_shape
from quizzes.models import (
    Assignment,
    AssignmentResult,
    Attempt,
    AttemptBlank,
    AttemptChoice,
    AttemptItem,
    Membership,
    QuizSlot,
    StudyGroup,
    User,
)
from quizzes.selectors.assignments import assignment_learners
from quizzes.services.attempts import assignment_result_refresh, attempts_close_expired

from . import factories

LEARNERS = 60
QUIZZES = 3
# The clock the data is built at, so that two runs can be compared row by row.
NOW = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
DEMO_SOURCE = Path("/nonexistent/document.txt")  # absent: the demo editorial is used


def _load(prefix="load", *, source=DEMO_SOURCE, seed=7):
    with time_machine.travel(NOW, tick=False):
        return seed_load(
            learners=LEARNERS,
            quizzes=QUIZZES,
            seed=seed,
            prefix=prefix,
            password="pw",
            source=source,
        )


@pytest.fixture
def loaded(db):
    return _load()


def _depth(group: StudyGroup) -> int:
    depth = 1
    while group.parent_id is not None:
        group = group.parent
        depth += 1
    return depth


def test_the_tree_has_four_levels_and_learners_sit_in_the_study_groups(loaded):
    groups = list(StudyGroup.objects.select_related("parent__parent__parent"))
    leaves = [g for g in groups if not any(other.parent_id == g.pk for other in groups)]

    assert {_depth(leaf) for leaf in leaves} == {4}
    assert [_depth(g) for g in groups].count(1) == 1
    general, branches, per_branch = tree_shape(LEARNERS)
    assert len(leaves) == general * branches * per_branch == loaded.groups_per_level[3]
    members = Membership.objects.filter(role=Membership.Role.MEMBER)
    assert set(members.values_list("group_id", flat=True)) <= {leaf.pk for leaf in leaves}
    assert members.values("user").distinct().count() == LEARNERS
    # Every group has an organizer, who is not also one of its learners.
    organized = set(
        Membership.objects.filter(role=Membership.Role.ORGANIZER).values_list("group", flat=True)
    )
    assert organized == {g.pk for g in groups}
    assert User.objects.filter(username="load-admin", is_staff=True).exists()


def test_every_row_passes_the_database_constraints(loaded):
    # Foreign keys are checked at commit, which a test never reaches: check them now.
    connection.check_constraints()
    assert Attempt.objects.filter(state=Attempt.State.FINISHED, score__isnull=True).count() == 0


def test_stored_scores_are_what_grading_gives(loaded):
    items = (
        AttemptItem.objects.filter(attempt__state=Attempt.State.FINISHED)
        .select_related("question_version")
        .prefetch_related(
            Prefetch("choices", queryset=AttemptChoice.objects.select_related("choice")),
            "blanks",
            "question_version__blank_answers",
        )
    )
    checked = 0
    for item in items:
        assert item.score == item_grade(item), item.pk
        assert item.question_version.question_id == item.question_id
        checked += 1
    assert checked > 500  # hundreds of items, of every kind the generator made
    totals = Attempt.objects.filter(state=Attempt.State.FINISHED).annotate(
        item_total=Sum("items__score"), item_points=Sum("items__points")
    )
    for attempt in totals:
        assert attempt.score == attempt.item_total
        assert attempt.max_score == attempt.item_points
    # Every choice of the shown version is shown, once, at positions 1…n.
    shown = AttemptItem.objects.exclude(question_version__kind="blank").annotate(
        n=Count("choices", distinct=True),
        n_version=Count("question_version__choices", distinct=True),
    )
    assert all(item.n == item.n_version for item in shown)


def test_results_are_what_assignment_result_refresh_computes(loaded):
    fields = [
        "attempts_finished",
        "score",
        "max_score",
        "percent",
        "passed",
        "best_percent",
        "time_spent",
        "first_started_at",
        "last_finished_at",
    ]
    seeded = {
        (r.assignment_id, r.user_id): [getattr(r, f) for f in fields]
        for r in AssignmentResult.objects.all()
    }
    with_finished = set(
        Attempt.objects.filter(state=Attempt.State.FINISHED)
        .values_list("assignment_id", "user_id")
        .distinct()
    )
    assert set(seeded) == with_finished

    assignments = Assignment.objects.select_related("quiz").in_bulk()
    users = User.objects.in_bulk()
    for (assignment_id, user_id), figures in seeded.items():
        refreshed = assignment_result_refresh(
            assignment=assignments[assignment_id], user=users[user_id]
        )
        assert [getattr(refreshed, f) for f in fields] == figures, (assignment_id, user_id)


def test_the_committee_assignment_is_finished_by_every_learner(loaded):
    assignment = Assignment.objects.get(pk=loaded.bench_assignment_id)

    assert assignment.group_id == loaded.committee_id
    assert assignment_learners(assignment=assignment).count() == LEARNERS
    assert assignment.attempts.exclude(state=Attempt.State.FINISHED).count() == 0
    assert assignment.results.filter(attempts_finished__gte=1).count() == LEARNERS
    assert assignment.results.filter(attempts_finished=2).exists()


def test_the_open_assignment_has_open_attempts_and_learners_not_started(loaded):
    with time_machine.travel(NOW, tick=False):
        assert attempts_close_expired() == 0  # the open attempts are genuinely open
    current = Assignment.objects.get(opens_at__lt=NOW, due_at__gt=NOW)
    started = current.attempts.values("user").distinct().count()

    assert current.attempts.filter(state=Attempt.State.IN_PROGRESS).exists()
    assert current.attempts.filter(state=Attempt.State.FINISHED).exists()
    assert 0 < started < assignment_learners(assignment=current).count()
    upcoming = Assignment.objects.get(opens_at__gt=NOW)
    assert not upcoming.attempts.exists()


def test_quizzes_have_every_kind_of_question(loaded):
    kinds = set(QuizSlot.objects.values_list("question__versions__kind", flat=True))
    assert kinds == {"single", "multiple", "true_false", "blank"}
    assert AttemptItem.objects.filter(blanks__isnull=False).exists()
    assert AttemptChoice.objects.filter(selected=True, choice__is_correct=False).exists()


def _fingerprint(prefix: str) -> dict:
    """Everything a run built for the users named ``prefix-…``, without ids or prefix."""

    def rows(model, user_path, *fields):
        found = model.objects.filter(**{f"{user_path}__username__startswith": f"{prefix}-"})
        return sorted(
            (username.removeprefix(f"{prefix}-"), *rest)
            for username, *rest in found.values_list(f"{user_path}__username", *fields)
        )

    return {
        "memberships": rows(Membership, "user", "group__name", "role", "unit"),
        "attempts": rows(
            Attempt,
            "user",
            "assignment__quiz__title",
            "assignment__group__name",
            "number",
            "state",
            "started_at",
            "deadline",
            "finished_at",
            "score",
        ),
        "items": rows(
            AttemptItem,
            "attempt__user",
            "attempt__assignment__quiz__title",
            "attempt__number",
            "position",
            "question_version__stem",
            "score",
            "answered_at",
        ),
        "answers": rows(
            AttemptChoice,
            "item__attempt__user",
            "item__attempt__assignment__quiz__title",
            "item__attempt__number",
            "item__position",
            "position",
            "choice__text",
            "selected",
        ),
        "blanks": rows(
            AttemptBlank,
            "item__attempt__user",
            "item__attempt__assignment__quiz__title",
            "item__attempt__number",
            "item__position",
            "blank",
            "response",
        ),
        "results": rows(
            AssignmentResult, "user", "assignment__quiz__title", "score", "best_percent"
        ),
    }


def test_the_same_seed_builds_the_same_data(db):
    _load("first")
    _load("second")

    first, second = _fingerprint("first"), _fingerprint("second")
    assert len(first["items"]) > 500  # hundreds of items: enough to differ if anything did
    assert first == second


def test_another_seed_builds_other_data(db):
    _load("first", seed=1)
    _load("second", seed=2)

    assert _fingerprint("first")["attempts"] != _fingerprint("second")["attempts"]


@pytest.mark.skipif(not SAMPLE_DOCUMENT.is_file(), reason=f"{SAMPLE_DOCUMENT} absent")
def test_the_bank_is_generated_from_the_chinese_sample_when_it_is_there(db):
    summary = _load(source=SAMPLE_DOCUMENT)

    assert summary.source.startswith(SAMPLE_DOCUMENT.name)
    assert "zh-hans" in summary.source
    assert summary.counts["quizzes_attemptitem"] > 1000


def test_command_prints_what_it_built_and_how_long_it_took(db):
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command(
            "seed_load",
            learners=20,
            quizzes=2,
            source=DEMO_SOURCE,
            stdout=out,
        )

    text = out.getvalue()
    assert "the bank is generated from the demo editorial" in text
    assert "quizzes_attempt " in text or "quizzes_attempt\n" in text
    assert "Groups per level" in text
    assert "Done in" in text
    assert Membership.objects.filter(role=Membership.Role.MEMBER).count() >= 20


def test_command_refuses_a_database_with_users_unless_forced(db):
    factories.UserFactory()

    with pytest.raises(CommandError, match=r"already has 1 user\..*--force"):
        call_command("seed_load", learners=5, quizzes=1, source=DEMO_SOURCE, stdout=StringIO())
    assert not User.objects.filter(username__startswith="load-").exists()

    call_command(
        "seed_load", learners=5, quizzes=1, source=DEMO_SOURCE, force=True, stdout=StringIO()
    )
    assert User.objects.filter(username__startswith="load-learner").count() == 5


def test_command_refuses_a_prefix_already_used(db):
    _load("taken")

    with pytest.raises(CommandError, match="taken-"):
        call_command(
            "seed_load", learners=5, quizzes=1, prefix="taken", force=True, stdout=StringIO()
        )


@pytest.mark.parametrize(
    ("option", "value"), [("learners", 0), ("quizzes", 0), ("questions_per_quiz", 0)]
)
def test_command_refuses_counts_below_one(db, option, value):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_load", **{option: value}, stdout=StringIO())


def test_tree_shape_gives_about_25_learners_per_study_group():
    general, branches, groups = tree_shape(10_000)
    assert 350 <= general * branches * groups <= 500
    assert tree_shape(1) == (2, 2, 2)


def test_no_points_are_lost_between_quiz_slots_and_attempts(loaded):
    for assignment in Assignment.objects.select_related("quiz"):
        slot_points = assignment.quiz.slots.aggregate(total=Sum("points"))["total"]
        max_scores = set(assignment.attempts.values_list("max_score", flat=True))
        assert max_scores <= {slot_points}
