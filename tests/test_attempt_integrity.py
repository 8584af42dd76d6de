"""Attempt integrity with a frozen clock: the state machine (deadline, grace, expiry with
and without a return visit), finishing and starting twice, attempts allowed, the
assignment window, locked checked answers, and random-draw rules (least-seen first, no
repeats within an attempt)."""

import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.models import AssignmentResult, Attempt, AttemptItem, Question, Quiz, QuizSlot
from quizzes.services.attempts import (
    AttemptError,
    attempt_check_item,
    attempt_close_if_expired,
    attempt_finish,
    attempt_save_answer,
    attempt_start,
    attempts_close_expired,
)
from quizzes.services.banks import bank_create, question_create, question_edit

from . import factories
from .test_attempt_flow import (
    DURING,
    START,
    api_client,
    api_post,
    make_assignment,
    make_quiz,
    question_url,
    right_answer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def grace(settings):
    settings.STUDYAPP_ATTEMPT_GRACE_SECONDS = 30


@pytest.fixture
def assignment(organizer, group):
    return make_assignment(make_quiz(organizer), group, organizer)


@pytest.fixture
def attempt(assignment, learner):
    with time_machine.travel(DURING, tick=False):
        return attempt_start(assignment=assignment, user=learner)


def save_right(attempt, position, sequence=1):
    item = attempt.items.get(position=position)
    return attempt_save_answer(
        attempt=attempt, position=position, sequence=sequence, **right_answer(item)
    )


# --- Deadline and grace -------------------------------------------------------------------


def test_deadline_is_the_time_limit_or_the_due_time_whichever_comes_first(
    organizer, group, learner
):
    quiz = make_quiz(organizer, time_limit=timedelta(minutes=30))
    assignment = make_assignment(quiz, group, organizer, due=START + timedelta(hours=2))
    with time_machine.travel(START + timedelta(minutes=100), tick=False):
        attempt = attempt_start(assignment=assignment, user=learner)
    assert attempt.deadline == assignment.due_at


def test_save_before_the_deadline_is_kept(attempt):
    with time_machine.travel(attempt.deadline - timedelta(seconds=1), tick=False):
        item = save_right(attempt, 1)
    assert item.answered_at == attempt.deadline - timedelta(seconds=1)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS


def test_save_within_the_grace_period_is_kept_and_counts(attempt):
    with time_machine.travel(attempt.deadline + timedelta(seconds=30), tick=False):
        save_right(attempt, 1)
        finished = attempt_finish(attempt=attempt)
    assert finished.score == Decimal(1)
    assert finished.finished_at == attempt.deadline


def test_save_after_the_grace_period_is_refused_and_finishes_as_of_the_deadline(attempt):
    with time_machine.travel(attempt.deadline - timedelta(minutes=1), tick=False):
        save_right(attempt, 1)
    with (
        time_machine.travel(attempt.deadline + timedelta(seconds=31), tick=False),
        pytest.raises(AttemptError) as refused,
    ):
        save_right(attempt, 2)
    assert refused.value.code == "expired"
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.FINISHED
    assert attempt.finished_at == attempt.deadline
    assert attempt.score == Decimal(1)
    assert not attempt.items.get(position=2).choices.filter(selected=True).exists()
    assert AssignmentResult.objects.get(user=attempt.user).attempts_finished == 1


def test_save_to_a_finished_attempt_is_refused(attempt):
    with time_machine.travel(DURING, tick=False):
        attempt_finish(attempt=attempt)
        with pytest.raises(AttemptError) as refused:
            save_right(attempt, 1)
    assert refused.value.code == "finished"


# --- Expiry without a return visit, and on next access -------------------------------


def test_close_expired_attempts_command_finishes_them_as_of_their_deadline(attempt, learner):
    with time_machine.travel(attempt.deadline - timedelta(minutes=2), tick=False):
        save_right(attempt, 1)
    out = StringIO()
    with time_machine.travel(attempt.deadline + timedelta(hours=5), tick=False):
        call_command("close_expired_attempts", stdout=out)
    assert "1" in out.getvalue()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.FINISHED
    assert attempt.finished_at == attempt.deadline
    assert attempt.score == Decimal(1)
    result = AssignmentResult.objects.get(user=learner)
    assert (result.attempts_finished, result.score) == (1, Decimal(1))


def test_close_expired_attempts_is_idempotent(attempt):
    with time_machine.travel(attempt.deadline + timedelta(hours=1), tick=False):
        assert attempts_close_expired() == 1
        finished_at = Attempt.objects.get().finished_at
        out = StringIO()
        call_command("close_expired_attempts", stdout=out)
        assert attempts_close_expired() == 0
    assert "0" in out.getvalue()
    assert Attempt.objects.get().finished_at == finished_at


def test_close_expired_attempts_leaves_attempts_in_their_grace_period(attempt):
    with time_machine.travel(attempt.deadline + timedelta(seconds=20), tick=False):
        assert attempts_close_expired() == 0
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS


def test_close_expired_attempts_leaves_other_learners_running_attempts(attempt, assignment, group):
    other = factories.UserFactory(username="late-starter")
    factories.MembershipFactory(group=group, user=other)
    with time_machine.travel(attempt.deadline + timedelta(minutes=5), tick=False):
        running = attempt_start(assignment=assignment, user=other)
        assert attempts_close_expired() == 1
    running.refresh_from_db()
    assert running.state == Attempt.State.IN_PROGRESS


def test_an_expired_attempt_is_closed_when_its_page_is_next_opened(client, learner, attempt):
    client.force_login(learner)
    with time_machine.travel(attempt.deadline + timedelta(days=1), tick=False):
        response = client.get(question_url(attempt, 2), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "quizzes:attempt_result", kwargs={"pk": attempt.pk}
    )
    assert "Time ran out" in response.content.decode()
    attempt.refresh_from_db()
    assert (attempt.state, attempt.finished_at) == (Attempt.State.FINISHED, attempt.deadline)


def test_an_expired_attempt_is_closed_by_an_api_read(learner, attempt):
    with time_machine.travel(attempt.deadline + timedelta(minutes=1), tick=False):
        body = api_client(learner).get(reverse("api:attempt-detail", kwargs={"pk": attempt.pk}))
    assert body.json()["state"] == "finished"
    attempt.refresh_from_db()
    assert attempt.finished_at == attempt.deadline


def test_an_expired_open_attempt_is_closed_when_the_assignment_page_is_opened(
    client, learner, attempt, assignment
):
    client.force_login(learner)
    with time_machine.travel(attempt.deadline + timedelta(minutes=5), tick=False):
        page = client.get(reverse("quizzes:assignment_take", kwargs={"pk": assignment.pk}))
    assert "Start another attempt" in page.content.decode()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.FINISHED


def test_close_if_expired_needs_no_query_for_a_running_attempt(attempt, django_assert_num_queries):
    with time_machine.travel(DURING, tick=False), django_assert_num_queries(0):
        same, closed = attempt_close_if_expired(attempt=attempt)
    assert (same, closed) == (attempt, False)


def test_starting_again_after_expiry_closes_the_old_attempt_and_starts_a_new_one(
    attempt, assignment, learner
):
    with time_machine.travel(attempt.deadline + timedelta(minutes=1), tick=False):
        second = attempt_start(assignment=assignment, user=learner)
    assert second.number == 2
    attempt.refresh_from_db()
    assert (attempt.state, attempt.finished_at) == (Attempt.State.FINISHED, attempt.deadline)


# --- Finish twice, start twice, attempts, window -----------------------------------------


def test_finishing_twice_returns_the_same_result_and_never_regrades(attempt):
    with time_machine.travel(DURING, tick=False):
        save_right(attempt, 1)
        first = attempt_finish(attempt=attempt)
    with time_machine.travel(DURING + timedelta(minutes=5), tick=False):
        again = attempt_finish(attempt=attempt)
    assert (
        (again.score, again.finished_at)
        == (first.score, first.finished_at)
        == (
            Decimal(1),
            DURING,
        )
    )
    assert AssignmentResult.objects.get().attempts_finished == 1


def test_finishing_twice_by_the_submit_page_shows_the_same_result(client, learner, attempt):
    client.force_login(learner)
    submit = reverse("quizzes:attempt_submit", kwargs={"pk": attempt.pk})
    with time_machine.travel(DURING, tick=False):
        first = client.post(submit)
    with time_machine.travel(DURING + timedelta(minutes=1), tick=False):
        second = client.post(submit)
    assert first["Location"] == second["Location"]
    attempt.refresh_from_db()
    assert attempt.finished_at == DURING


@time_machine.travel(DURING, tick=False)
def test_starting_twice_returns_the_same_open_attempt(assignment, learner):
    first = attempt_start(assignment=assignment, user=learner)
    second = attempt_start(assignment=assignment, user=learner)
    assert first == second
    assert Attempt.objects.count() == 1


@time_machine.travel(DURING, tick=False)
def test_attempts_allowed_are_enforced(client, assignment, learner):
    for _ in range(2):
        attempt_finish(attempt=attempt_start(assignment=assignment, user=learner))
    with pytest.raises(AttemptError) as refused:
        attempt_start(assignment=assignment, user=learner)
    assert refused.value.code == "no_attempts_left"
    client.force_login(learner)
    page = client.get(reverse("quizzes:assignment_take", kwargs={"pk": assignment.pk}))
    html = page.content.decode()
    assert "You have used all the attempts this quiz allows." in html
    assert "Start another attempt" not in html


@time_machine.travel(DURING, tick=False)
def test_unlimited_attempts_when_attempts_allowed_is_zero(organizer, group, learner):
    assignment = make_assignment(make_quiz(organizer, attempts_allowed=0), group, organizer)
    for _ in range(4):
        attempt_finish(attempt=attempt_start(assignment=assignment, user=learner))
    assert Attempt.objects.filter(state=Attempt.State.FINISHED).count() == 4


@pytest.mark.parametrize(
    "moment,code",
    [
        (START - timedelta(seconds=1), "not_open"),
        (START + timedelta(days=3), "closed"),
        (START + timedelta(days=30), "closed"),
    ],
)
def test_the_assignment_window_is_enforced(assignment, learner, moment, code):
    with time_machine.travel(moment, tick=False), pytest.raises(AttemptError) as refused:
        attempt_start(assignment=assignment, user=learner)
    assert refused.value.code == code
    assert not Attempt.objects.exists()


def test_window_opens_exactly_at_its_opening_time(assignment, learner):
    with time_machine.travel(START, tick=False):
        assert attempt_start(assignment=assignment, user=learner).number == 1


@pytest.mark.parametrize(
    "moment,message",
    [
        (START - timedelta(hours=1), "This assignment is not open yet."),
        (START + timedelta(days=4), "This assignment is closed."),
    ],
)
def test_assignment_page_says_why_it_cannot_start(client, learner, assignment, moment, message):
    client.force_login(learner)
    with time_machine.travel(moment, tick=False):
        page = client.get(reverse("quizzes:assignment_take", kwargs={"pk": assignment.pk}))
    assert message in page.content.decode()
    assert "Start the quiz" not in page.content.decode()


# --- Stale saves, locked items, choice order ---------------------------------------------


@time_machine.travel(DURING, tick=False)
def test_a_stale_sequence_never_overwrites_a_newer_answer(attempt):
    save_right(attempt, 4, sequence=5)
    for stale in (5, 4, 1):
        with pytest.raises(AttemptError) as refused:
            attempt_save_answer(attempt=attempt, position=4, sequence=stale, blanks=["x", "y"])
        assert refused.value.code == "stale"
    assert list(attempt.items.get(position=4).blanks.values_list("response", flat=True)) == [
        "12",
        "Tianjin",
    ]


@time_machine.travel(DURING, tick=False)
def test_sequences_are_per_question(attempt):
    save_right(attempt, 1, sequence=7)
    save_right(attempt, 2, sequence=1)
    assert attempt.items.get(position=2).sequence == 1


@time_machine.travel(DURING, tick=False)
def test_a_checked_answer_is_locked(organizer, group, learner):
    quiz = make_quiz(organizer, feedback_timing=Quiz.FeedbackTiming.IMMEDIATE)
    attempt = attempt_start(assignment=make_assignment(quiz, group, organizer), user=learner)
    save_right(attempt, 1)
    attempt_check_item(attempt=attempt, position=1)
    with pytest.raises(AttemptError) as refused:
        attempt_save_answer(attempt=attempt, position=1, sequence=2, selected_positions=[])
    assert refused.value.code == "locked"


@time_machine.travel(DURING, tick=False)
def test_checking_an_unanswered_question_is_refused(organizer, group, learner):
    quiz = make_quiz(organizer, feedback_timing=Quiz.FeedbackTiming.IMMEDIATE)
    attempt = attempt_start(assignment=make_assignment(quiz, group, organizer), user=learner)
    with pytest.raises(AttemptError) as refused:
        attempt_check_item(attempt=attempt, position=1)
    assert refused.value.code == "unanswered"


@time_machine.travel(DURING, tick=False)
def test_choice_positions_follow_the_shuffled_order_fixed_at_start(organizer, group, learner):
    quiz = make_quiz(organizer, shuffle_choices=True, shuffle_questions=True)
    assignment = make_assignment(quiz, group, organizer)
    attempt = attempt_start(assignment=assignment, user=learner, rng=random.Random(3))
    item = attempt.items.get(question_version__kind="single")
    order = list(item.choices.order_by("position").values_list("choice__text", flat=True))
    second_shown = order[1]
    attempt_save_answer(attempt=attempt, position=item.position, sequence=1, selected_positions=[2])
    assert item.choices.get(selected=True).choice.text == second_shown
    # The order does not change on later reads or saves.
    attempt_save_answer(attempt=attempt, position=item.position, sequence=2, selected_positions=[2])
    assert list(item.choices.order_by("position").values_list("choice__text", flat=True)) == order


@time_machine.travel(DURING, tick=False)
def test_only_one_choice_for_single_choice_questions(attempt):
    item = attempt.items.get(question_version__kind="single")
    with pytest.raises(AttemptError) as refused:
        attempt_save_answer(
            attempt=attempt, position=item.position, sequence=1, selected_positions=[1, 2]
        )
    assert refused.value.code == "one_choice"


# --- Random-draw rules -----------------------------------------------------------------


def _draw_bank(organizer, *, count=6, kind="single", difficulty=3, key_point=None, bank=None):
    bank = bank or bank_create(owner=organizer, title="Draw bank")
    questions = []
    for n in range(count):
        if kind == "blank":
            draft = QuestionDraft(
                kind="blank", stem=f"Blank {n} is ___.", blanks=((f"a{n}",),), difficulty=difficulty
            )
        else:
            draft = QuestionDraft(
                kind="single",
                stem=f"{kind} {difficulty} question {n}?",
                choices=(ChoiceDraft(f"right {n}", correct=True), ChoiceDraft(f"wrong {n}")),
                difficulty=difficulty,
            )
        questions.append(
            question_create(
                bank=bank,
                draft=draft,
                created_by=organizer,
                status=Question.Status.PUBLISHED,
                key_point=key_point,
            )
        )
    return bank, questions


def _rule(quiz, *, position, bank, count, points=Decimal(2), **filters) -> QuizSlot:
    slot = QuizSlot(
        quiz=quiz, position=position, draw_bank=bank, draw_count=count, points=points, **filters
    )
    slot.full_clean()
    slot.save()
    return slot


def _rule_quiz(organizer, **options):
    return make_quiz(organizer, drafts=(), attempts_allowed=0, **options)


def test_a_rule_draws_its_count_with_slot_points_and_no_repeats(organizer, group, learner):
    bank, _questions = _draw_bank(organizer, count=6)
    quiz = _rule_quiz(organizer)
    _rule(quiz, position=1, bank=bank, count=4)
    assignment = make_assignment(quiz, group, organizer)
    with time_machine.travel(DURING, tick=False):
        attempt = attempt_start(assignment=assignment, user=learner)
    items = list(attempt.items.all())
    assert len(items) == 4
    assert len({i.question_id for i in items}) == 4
    assert all(i.points == Decimal(2) for i in items)
    assert attempt.max_score == Decimal(8)


def test_draws_are_least_seen_first_across_attempts(organizer, group, learner):
    bank, questions = _draw_bank(organizer, count=6)
    quiz = _rule_quiz(organizer)
    _rule(quiz, position=1, bank=bank, count=2)
    assignment = make_assignment(quiz, group, organizer)
    seen = Counter()
    with time_machine.travel(DURING, tick=False):
        for round_ in range(6):
            attempt = attempt_start(assignment=assignment, user=learner, rng=random.Random(round_))
            drawn = [i.question_id for i in attempt.items.all()]
            # Everything drawn this time was among the least seen before it.
            least = min(seen[q.pk] for q in questions)
            assert all(seen[pk] == least for pk in drawn)
            seen.update(drawn)
            attempt_finish(attempt=attempt)
    # 6 attempts × 2 draws over 6 questions: each seen exactly twice.
    assert set(seen.values()) == {2}


def test_least_seen_counts_attempts_at_other_assignments_too(organizer, group, learner):
    bank, questions = _draw_bank(organizer, count=3)
    quiz = _rule_quiz(organizer)
    _rule(quiz, position=1, bank=bank, count=2)
    with time_machine.travel(DURING, tick=False):
        # Seen elsewhere: the first question, through a fixed slot of another quiz.
        elsewhere = make_quiz(organizer, drafts=())
        QuizSlot.objects.create(quiz=elsewhere, position=1, question=questions[0])
        attempt_finish(
            attempt=attempt_start(
                assignment=make_assignment(elsewhere, group, organizer), user=learner
            )
        )
        attempt = attempt_start(assignment=make_assignment(quiz, group, organizer), user=learner)
    drawn = {i.question_id for i in attempt.items.all()}
    assert drawn == {questions[1].pk, questions[2].pk}


def test_ties_among_the_least_seen_are_broken_by_the_rng(organizer, group, learner):
    bank, _questions = _draw_bank(organizer, count=8)
    quiz = _rule_quiz(organizer)
    _rule(quiz, position=1, bank=bank, count=1)
    assignment = make_assignment(quiz, group, organizer)
    firsts = set()
    with time_machine.travel(DURING, tick=False):
        for seed in range(12):
            attempt = attempt_start(assignment=assignment, user=learner, rng=random.Random(seed))
            firsts.add(attempt.items.get().question_id)
            Attempt.objects.filter(pk=attempt.pk).delete()
    assert len(firsts) > 1


def test_a_rule_never_draws_a_question_fixed_elsewhere_in_the_quiz(organizer, group, learner):
    bank, questions = _draw_bank(organizer, count=3)
    quiz = _rule_quiz(organizer)
    QuizSlot.objects.create(quiz=quiz, position=1, question=questions[0])
    _rule(quiz, position=2, bank=bank, count=3)
    with time_machine.travel(DURING, tick=False):
        attempt = attempt_start(assignment=make_assignment(quiz, group, organizer), user=learner)
    ids = [i.question_id for i in attempt.items.order_by("position")]
    assert ids[0] == questions[0].pk
    assert sorted(ids[1:]) == sorted(q.pk for q in questions[1:])


def test_two_rules_on_one_bank_never_repeat_a_question(organizer, group, learner):
    bank, _questions = _draw_bank(organizer, count=5)
    quiz = _rule_quiz(organizer)
    _rule(quiz, position=1, bank=bank, count=3)
    _rule(quiz, position=2, bank=bank, count=3)
    with time_machine.travel(DURING, tick=False):
        attempt = attempt_start(assignment=make_assignment(quiz, group, organizer), user=learner)
    ids = [i.question_id for i in attempt.items.all()]
    # Five questions for six places: what there is, each once.
    assert len(ids) == 5 and len(set(ids)) == 5


def test_rule_filters_by_key_point_kind_and_newest_difficulty(organizer, group, learner):
    bank = bank_create(owner=organizer, title="Draw bank")
    key_point = factories.KeyPointFactory(document__bank=bank)
    bank, wanted = _draw_bank(organizer, count=2, difficulty=4, key_point=key_point, bank=bank)
    _draw_bank(organizer, count=2, difficulty=4, bank=bank)  # no key point
    _draw_bank(organizer, count=2, difficulty=2, key_point=key_point, bank=bank)
    _draw_bank(organizer, count=2, kind="blank", difficulty=4, key_point=key_point, bank=bank)
    draft_question = question_create(
        bank=bank,
        draft=QuestionDraft(
            kind="single",
            stem="A draft?",
            choices=(ChoiceDraft("a", correct=True), ChoiceDraft("b")),
            difficulty=4,
        ),
        created_by=organizer,
        key_point=key_point,
    )
    assert draft_question.status == Question.Status.DRAFT
    quiz = _rule_quiz(organizer)
    _rule(
        quiz,
        position=1,
        bank=bank,
        count=10,
        draw_key_point=key_point,
        draw_kind="single",
        draw_difficulty=4,
    )
    assignment = make_assignment(quiz, group, organizer)
    drawn = []
    with time_machine.travel(DURING, tick=False):
        for seed in range(8):
            attempt = attempt_start(assignment=assignment, user=learner, rng=random.Random(seed))
            drawn.append([i.question_id for i in attempt.items.all()])
            Attempt.objects.filter(pk=attempt.pk).delete()
    # The matching questions share one key point, so an attempt holds one of them (see
    # test_siblings.py); over a few attempts, each of them and nothing else.
    assert all(len(ids) == 1 for ids in drawn)
    assert {ids[0] for ids in drawn} == {q.pk for q in wanted}


def test_rule_uses_the_newest_version_of_a_drawn_question(organizer, group, learner):
    bank, (question,) = _draw_bank(organizer, count=1, difficulty=3)
    newer = question_edit(
        question=question,
        draft=QuestionDraft(
            kind="single",
            stem="Edited stem?",
            choices=(ChoiceDraft("yes", correct=True), ChoiceDraft("no")),
            difficulty=5,
        ),
        edited_by=organizer,
    )
    quiz = _rule_quiz(organizer)
    _rule(quiz, position=1, bank=bank, count=1, draw_difficulty=5)
    with time_machine.travel(DURING, tick=False):
        attempt = attempt_start(assignment=make_assignment(quiz, group, organizer), user=learner)
    assert attempt.items.get().question_version == newer


def test_a_rule_with_no_match_gives_an_empty_quiz_error(organizer, group, learner):
    bank = bank_create(owner=organizer, title="Empty")
    quiz = _rule_quiz(organizer)
    _rule(quiz, position=1, bank=bank, count=3)
    with time_machine.travel(DURING, tick=False), pytest.raises(AttemptError) as refused:
        attempt_start(assignment=make_assignment(quiz, group, organizer), user=learner)
    assert refused.value.code == "empty_quiz"
    assert not AttemptItem.objects.exists()


def test_fixed_and_drawn_questions_keep_slot_order(organizer, group, learner):
    bank, drawn = _draw_bank(organizer, count=2)
    quiz = make_quiz(
        organizer,
        drafts=(
            QuestionDraft(
                kind="true_false",
                stem="Fixed first?",
                choices=(ChoiceDraft("True", correct=True), ChoiceDraft("False")),
            ),
        ),
    )
    _rule(quiz, position=2, bank=bank, count=2, points=Decimal(3))
    with time_machine.travel(DURING, tick=False):
        attempt = attempt_start(assignment=make_assignment(quiz, group, organizer), user=learner)
    items = list(attempt.items.order_by("position"))
    assert items[0].question_version.stem == "Fixed first?"
    assert {i.question_id for i in items[1:]} == {q.pk for q in drawn}
    assert [i.points for i in items] == [Decimal(1), Decimal(3), Decimal(3)]
    assert attempt.max_score == Decimal(7)


# --- Results stay consistent --------------------------------------------------------------


def test_api_save_of_a_finished_attempt_is_410(learner, attempt):
    with time_machine.travel(DURING, tick=False):
        attempt_finish(attempt=attempt)
        response = api_post(
            api_client(learner),
            reverse("api:attempt-answer", kwargs={"pk": attempt.pk}),
            {"position": 1, "sequence": 1, "choices": [1]},
        )
    assert response.status_code == 410
    assert response.json()["code"] == "finished"
