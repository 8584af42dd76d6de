"""Attempt services: start, answer, finish, and the learner's result row."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.models import AssignmentResult, Attempt, Question, Quiz
from quizzes.services.attempts import (
    AttemptError,
    attempt_finish,
    attempt_save_answer,
    attempt_start,
)
from quizzes.services.banks import bank_create, question_create
from quizzes.services.quizzes import assignment_create, quiz_add_question, quiz_create

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

DRAFTS = [
    QuestionDraft(
        kind="single",
        stem="The functional orientation of Tianjin is “one base and ___ districts”?",
        choices=(ChoiceDraft("two"), ChoiceDraft("three", correct=True), ChoiceDraft("four")),
    ),
    QuestionDraft(
        kind="multiple",
        stem="Which are new development concepts?",
        choices=(
            ChoiceDraft("innovation", correct=True),
            ChoiceDraft("green", correct=True),
            ChoiceDraft("speed"),
        ),
    ),
    QuestionDraft(
        kind="true_false",
        stem="The blueprint covers the next five years.",
        choices=(ChoiceDraft("True", correct=True), ChoiceDraft("False")),
    ),
    QuestionDraft(
        kind="blank", stem="The ___th Municipal Party Congress", blanks=(("12", "十二"),)
    ),
]


@pytest.fixture
def quiz(organizer):
    bank = bank_create(owner=organizer, title="Congress")
    quiz = quiz_create(
        owner=organizer, title="Check", attempts_allowed=2, time_limit=timedelta(minutes=10)
    )
    for draft in DRAFTS:
        question = question_create(
            bank=bank, draft=draft, created_by=organizer, status=Question.Status.PUBLISHED
        )
        quiz_add_question(quiz=quiz, question=question, points=2)
    return quiz


@pytest.fixture
def assignment(quiz, group, organizer):
    return assignment_create(
        quiz=quiz,
        group=group,
        opens_at=START,
        due_at=START + timedelta(days=3),
        created_by=organizer,
    )


def answer_all_right(attempt):
    for item in attempt.items.select_related("question_version"):
        version = item.question_version
        if version.kind == "blank":
            attempt_save_answer(
                attempt=attempt, position=item.position, sequence=1, blanks=["十二"]
            )
        else:
            right = [c.pk for c in version.choices.all() if c.is_correct]
            attempt_save_answer(
                attempt=attempt, position=item.position, sequence=1, selected_choice_ids=right
            )


@time_machine.travel(START + timedelta(hours=1), tick=False)
def test_start_pins_versions_fixes_order_and_sets_deadline(assignment, learner):
    attempt = attempt_start(assignment=assignment, user=learner)
    assert attempt.number == 1
    assert attempt.deadline == START + timedelta(hours=1, minutes=10)
    assert attempt.max_score == Decimal(8)
    items = list(attempt.items.order_by("position"))
    assert len(items) == 4
    assert all(item.question_version.question_id == item.question_id for item in items)
    for item in items:
        shown = list(item.choices.values_list("choice_id", flat=True))
        assert sorted(shown) == sorted(item.question_version.choices.values_list("pk", flat=True))


@time_machine.travel(START + timedelta(hours=1), tick=False)
def test_starting_twice_returns_the_same_open_attempt(assignment, learner):
    first = attempt_start(assignment=assignment, user=learner)
    assert attempt_start(assignment=assignment, user=learner) == first
    assert Attempt.objects.count() == 1


@time_machine.travel(START + timedelta(hours=1), tick=False)
def test_finishing_grades_and_updates_the_result_row(assignment, learner):
    attempt = attempt_start(assignment=assignment, user=learner)
    answer_all_right(attempt)
    attempt = attempt_finish(attempt=attempt)
    assert attempt.state == Attempt.State.FINISHED
    assert attempt.score == Decimal(8)
    result = AssignmentResult.objects.get(assignment=assignment, user=learner)
    assert result.attempts_finished == 1
    assert result.percent == Decimal(100)
    assert result.passed is True


@time_machine.travel(START + timedelta(hours=1), tick=False)
def test_finishing_twice_returns_the_same_result_and_never_regrades(assignment, learner):
    attempt = attempt_start(assignment=assignment, user=learner)
    first = attempt_finish(attempt=attempt)
    assert first.score == Decimal(0)
    again = attempt_finish(attempt=attempt)
    assert (again.score, again.finished_at) == (first.score, first.finished_at)


def test_finish_after_deadline_records_deadline_as_finish_time(assignment, learner):
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        attempt = attempt_start(assignment=assignment, user=learner)
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        attempt = attempt_finish(attempt=attempt)
    assert attempt.finished_at == attempt.deadline


def test_saves_after_the_grace_period_are_refused(assignment, learner, settings):
    settings.STUDYAPP_ATTEMPT_GRACE_SECONDS = 30
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        attempt = attempt_start(assignment=assignment, user=learner)
    with time_machine.travel(attempt.deadline + timedelta(seconds=20), tick=False):
        attempt_save_answer(attempt=attempt, position=4, sequence=1, blanks=["12"])
    with (
        time_machine.travel(attempt.deadline + timedelta(seconds=31), tick=False),
        pytest.raises(AttemptError) as refused,
    ):
        attempt_save_answer(attempt=attempt, position=4, sequence=2, blanks=["13"])
    assert refused.value.code == "expired"
    assert attempt.items.get(position=4).blanks.get().response == "12"


@time_machine.travel(START + timedelta(hours=1), tick=False)
def test_a_stale_save_never_overwrites_a_newer_answer(assignment, learner):
    attempt = attempt_start(assignment=assignment, user=learner)
    attempt_save_answer(attempt=attempt, position=4, sequence=2, blanks=["12"])
    with pytest.raises(AttemptError) as refused:
        attempt_save_answer(attempt=attempt, position=4, sequence=1, blanks=["old"])
    assert refused.value.code == "stale"
    assert attempt.items.get(position=4).blanks.get().response == "12"


def test_attempts_allowed_and_window_are_enforced(assignment, learner):
    with time_machine.travel(START - timedelta(minutes=1), tick=False), pytest.raises(AttemptError):
        attempt_start(assignment=assignment, user=learner)
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        for _ in range(2):
            attempt_finish(attempt=attempt_start(assignment=assignment, user=learner))
        with pytest.raises(AttemptError) as refused:
            attempt_start(assignment=assignment, user=learner)
    assert refused.value.code == "no_attempts_left"
    with time_machine.travel(START + timedelta(days=4), tick=False), pytest.raises(AttemptError):
        attempt_start(assignment=assignment, user=learner)


@pytest.mark.parametrize(
    "method,expected_percent",
    [("highest", 100), ("last", 0), ("first", 100), ("average", 50)],
)
def test_result_row_follows_the_grading_method(assignment, learner, method, expected_percent):
    Quiz.objects.filter(pk=assignment.quiz_id).update(grading_method=method)
    assignment.quiz.refresh_from_db()
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        first = attempt_start(assignment=assignment, user=learner)
        answer_all_right(first)
        attempt_finish(attempt=first)
        attempt_finish(attempt=attempt_start(assignment=assignment, user=learner))
    result = AssignmentResult.objects.get(assignment=assignment, user=learner)
    assert result.attempts_finished == 2
    assert result.percent == Decimal(expected_percent)
    assert result.passed is (expected_percent >= 60)


@time_machine.travel(START + timedelta(hours=1), tick=False)
def test_a_learner_outside_the_group_cannot_start(assignment, other_group):
    outsider = other_group.memberships.get(user__username="outsider").user
    with pytest.raises(AttemptError) as refused:
        attempt_start(assignment=assignment, user=outsider)
    assert refused.value.code == "not_assigned"
    assert not Attempt.objects.exists()
