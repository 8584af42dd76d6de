"""A learner taking a quiz through the pages and the API: start, answer (with and
without JavaScript), submit, result, review, immediate feedback; and the API's answers to
stale, late and foreign requests.

The helpers at the top (``make_quiz``, ``make_assignment``, ``right_answer``) are shared
by the other attempt test modules."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.models import AssignmentResult, Attempt, AttemptItem, Question, Quiz
from quizzes.services.attempts import (
    attempt_finish,
    attempt_save_answer,
    attempt_start,
    attempt_start_or_resume,
)
from quizzes.services.banks import bank_create, question_create
from quizzes.services.quizzes import assignment_create, quiz_add_question, quiz_create

from . import factories

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DURING = START + timedelta(hours=1)

DRAFTS = (
    QuestionDraft(
        kind="single",
        stem="How many districts are in “one base and ___ districts”?",
        choices=(ChoiceDraft("two"), ChoiceDraft("three", correct=True), ChoiceDraft("four")),
        explanation="The orientation is one base and three districts.",
        source_excerpt="one base and three districts",
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
        kind="blank",
        stem="The ___th Municipal Party Congress met in ___.",
        blanks=(("12", "十二"), ("Tianjin",)),
    ),
)


def make_quiz(organizer, *, drafts=DRAFTS, points=1, key_point=None, **options) -> Quiz:
    """A quiz of published questions, one fixed slot each."""
    bank = bank_create(owner=organizer, title="Congress bank")
    options = {"attempts_allowed": 2, "time_limit": timedelta(minutes=20), **options}
    quiz = quiz_create(owner=organizer, title="Congress quiz", **options)
    for draft in drafts:
        question = question_create(
            bank=bank,
            draft=draft,
            created_by=organizer,
            status=Question.Status.PUBLISHED,
            key_point=key_point,
        )
        quiz_add_question(quiz=quiz, question=question, points=points)
    return quiz


def make_assignment(quiz, group, organizer, *, opens=START, due=START + timedelta(days=3)):
    return assignment_create(
        quiz=quiz, group=group, opens_at=opens, due_at=due, created_by=organizer
    )


def right_answer(item: AttemptItem) -> dict:
    """Keyword arguments of ``attempt_save_answer`` that answer ``item`` fully right,
    choices given by their shown positions."""
    version = item.question_version
    if version.kind == "blank":
        accepted = {}
        for answer in version.blank_answers.order_by("blank", "pk"):
            accepted.setdefault(answer.blank, answer.text)
        return {"blanks": [accepted[n] for n in sorted(accepted)]}
    return {"selected_positions": [c.position for c in item.choices.all() if c.choice.is_correct]}


def wrong_position(item: AttemptItem) -> int:
    return next(c.position for c in item.choices.all() if not c.choice.is_correct)


@pytest.fixture
def quiz(organizer):
    return make_quiz(organizer)


@pytest.fixture
def assignment(quiz, group, organizer):
    return make_assignment(quiz, group, organizer)


@pytest.fixture
def attempt(assignment, learner):
    with time_machine.travel(DURING, tick=False):
        return attempt_start(assignment=assignment, user=learner)


def question_url(attempt, position):
    return reverse("quizzes:attempt_question", kwargs={"pk": attempt.pk, "position": position})


def api_client(user) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    # A page of the app sets the CSRF cookie, as the browser's would.
    client.get(reverse("quizzes:home"))
    return client


def api_post(client: APIClient, url: str, data: dict):
    return client.post(url, data, format="json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)


# --- Home, assignment page, start --------------------------------------------------------


@time_machine.travel(DURING, tick=False)
def test_home_row_links_to_the_assignment_page(client, learner, assignment):
    client.force_login(learner)
    page = client.get(reverse("quizzes:home")).content.decode()
    assert reverse("quizzes:assignment_take", kwargs={"pk": assignment.pk}) in page
    assert "Take the quiz" in page


@time_machine.travel(DURING, tick=False)
def test_assignment_page_shows_rules_and_a_start_button(client, learner, assignment):
    client.force_login(learner)
    response = client.get(reverse("quizzes:assignment_take", kwargs={"pk": assignment.pk}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Start the quiz" in page
    assert "20 minutes" in page
    assert "0 of 2 used" in page


def test_assignment_page_of_another_group_is_not_found(client, other_group, assignment):
    outsider = other_group.memberships.get(user__username="outsider").user
    client.force_login(outsider)
    response = client.get(reverse("quizzes:assignment_take", kwargs={"pk": assignment.pk}))
    assert response.status_code == 404


@time_machine.travel(DURING, tick=False)
def test_start_post_creates_the_attempt_and_opens_its_first_question(client, learner, assignment):
    client.force_login(learner)
    start = reverse("quizzes:attempt_begin", kwargs={"pk": assignment.pk})
    response = client.post(start, follow=True)
    attempt = Attempt.objects.get()
    assert response.redirect_chain[-1][0] == question_url(attempt, 1)
    assert "Question 1 of 4" in response.content.decode()


@time_machine.travel(DURING, tick=False)
def test_start_post_twice_continues_the_same_attempt(client, learner, assignment):
    client.force_login(learner)
    start = reverse("quizzes:attempt_begin", kwargs={"pk": assignment.pk})
    client.post(start)
    client.post(start)
    assert Attempt.objects.count() == 1


def test_start_before_the_window_opens_says_so(client, learner, assignment):
    client.force_login(learner)
    with time_machine.travel(START - timedelta(hours=1), tick=False):
        response = client.post(
            reverse("quizzes:attempt_begin", kwargs={"pk": assignment.pk}), follow=True
        )
    assert "not open yet" in response.content.decode()
    assert not Attempt.objects.exists()


def test_start_by_get_is_not_allowed(client, learner, assignment):
    client.force_login(learner)
    response = client.get(reverse("quizzes:attempt_begin", kwargs={"pk": assignment.pk}))
    assert response.status_code == 405


# --- The question page --------------------------------------------------------------------


@time_machine.travel(DURING, tick=False)
def test_question_pages_use_radio_checkbox_and_labelled_blank_inputs(client, learner, attempt):
    client.force_login(learner)
    pages = {
        item.question_version.kind: client.get(
            question_url(attempt, item.position)
        ).content.decode()
        for item in attempt.items.select_related("question_version")
    }
    assert pages["single"].count('type="radio"') == 3
    assert pages["true_false"].count('type="radio"') == 2
    assert pages["multiple"].count('type="checkbox"') == 3
    blank = pages["blank"]
    assert 'name="blank-1"' in blank and 'name="blank-2"' in blank
    assert "Blank 1" in blank and "Blank 2" in blank
    assert "___" not in blank
    for page in pages.values():
        assert "<fieldset" in page and "<legend" in page
        assert 'name="sequence" value="1"' in page


@time_machine.travel(DURING, tick=False)
def test_question_page_has_a_map_of_links_with_answered_and_current(client, learner, attempt):
    item = attempt.items.get(position=2)
    attempt_save_answer(attempt=attempt, position=2, sequence=1, **right_answer(item))
    client.force_login(learner)
    page = client.get(question_url(attempt, 3)).content.decode()
    for position in range(1, 5):
        assert f'href="{question_url(attempt, position)}"' in page
    assert 'qmap__link qmap__link--answered"' in page
    assert 'qmap__link qmap__link--current"' in page
    assert 'aria-current="step"' in page


@time_machine.travel(DURING, tick=False)
def test_question_page_carries_the_server_deadline_and_clock(client, learner, attempt):
    client.force_login(learner)
    page = client.get(question_url(attempt, 1)).content.decode()
    assert f'data-deadline="{attempt.deadline.isoformat(timespec="milliseconds")}"' in page
    assert f'data-server-now="{DURING.isoformat(timespec="milliseconds")}"' in page
    assert "20:00" in page


@time_machine.travel(DURING, tick=False)
def test_without_a_time_limit_the_page_shows_the_due_time_instead_of_a_countdown(
    client, learner, organizer, group
):
    quiz = make_quiz(organizer, time_limit=None)
    attempt = attempt_start(assignment=make_assignment(quiz, group, organizer), user=learner)
    assert attempt.deadline == attempt.assignment.due_at
    client.force_login(learner)
    page = client.get(question_url(attempt, 1)).content.decode()
    assert "Submit by" in page
    assert "Time left" not in page


@time_machine.travel(DURING, tick=False)
def test_js_off_form_post_saves_the_answer_and_moves_on(client, learner, attempt):
    client.force_login(learner)
    item = attempt.items.get(position=1)
    position = right_answer(item)["selected_positions"][0]
    response = client.post(
        question_url(attempt, 1), {"sequence": "1", "choice": str(position), "go": "next"}
    )
    assert response.status_code == 302
    assert response["Location"] == question_url(attempt, 2)
    item.refresh_from_db()
    assert item.sequence == 1
    assert [c.position for c in item.choices.filter(selected=True)] == [position]


@time_machine.travel(DURING, tick=False)
def test_js_off_blank_post_saves_each_blank(client, learner, attempt):
    client.force_login(learner)
    item = attempt.items.get(question_version__kind="blank")
    client.post(
        question_url(attempt, item.position),
        {"sequence": "1", "blank-1": "十二", "blank-2": "Tianjin", "go": "prev"},
    )
    assert list(item.blanks.values_list("response", flat=True)) == ["十二", "Tianjin"]


@time_machine.travel(DURING, tick=False)
def test_form_post_on_the_last_question_goes_to_the_submit_page(client, learner, attempt):
    client.force_login(learner)
    response = client.post(question_url(attempt, 4), {"sequence": "1", "go": "next"})
    assert response["Location"] == reverse("quizzes:attempt_submit", kwargs={"pk": attempt.pk})


@time_machine.travel(DURING, tick=False)
def test_stale_form_post_shows_a_conflict_and_keeps_the_newer_answer(client, learner, attempt):
    item = attempt.items.get(position=1)
    right = right_answer(item)
    attempt_save_answer(attempt=attempt, position=1, sequence=2, **right)
    client.force_login(learner)
    response = client.post(
        question_url(attempt, 1),
        {"sequence": "1", "choice": str(wrong_position(item)), "go": "next"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == question_url(attempt, 1)
    assert "A newer answer to this question was already saved" in response.content.decode()
    selected = [c.position for c in item.choices.filter(selected=True)]
    assert selected == right["selected_positions"]


def test_form_post_after_the_grace_period_is_refused_and_shows_the_result(
    client, learner, attempt, settings
):
    settings.STUDYAPP_ATTEMPT_GRACE_SECONDS = 30
    client.force_login(learner)
    with time_machine.travel(attempt.deadline + timedelta(seconds=31), tick=False):
        response = client.post(
            question_url(attempt, 1), {"sequence": "1", "choice": "1"}, follow=True
        )
    result = reverse("quizzes:attempt_result", kwargs={"pk": attempt.pk})
    assert response.redirect_chain[-1][0] == result
    assert "Time ran out" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.FINISHED
    assert attempt.finished_at == attempt.deadline
    assert not attempt.items.filter(choices__selected=True).exists()


@time_machine.travel(DURING, tick=False)
def test_question_position_out_of_range_is_not_found(client, learner, attempt):
    client.force_login(learner)
    assert client.get(question_url(attempt, 5)).status_code == 404


# --- Submit, result, review -------------------------------------------------------------


@time_machine.travel(DURING, tick=False)
def test_submit_page_lists_unanswered_questions_as_links(client, learner, attempt):
    item = attempt.items.get(position=2)
    attempt_save_answer(attempt=attempt, position=2, sequence=1, **right_answer(item))
    client.force_login(learner)
    page = client.get(reverse("quizzes:attempt_submit", kwargs={"pk": attempt.pk}))
    html = page.content.decode()
    assert "You have answered 1 of 4 questions." in html
    unanswered = html.split('class="qlinks"')[1].split("</ul>")[0]
    for position in (1, 3, 4):
        assert question_url(attempt, position) in unanswered
    assert question_url(attempt, 2) not in unanswered


def test_finish_post_shows_score_percent_pass_and_time_taken(client, learner, attempt):
    for item in attempt.items.all():
        if item.question_version.kind != "multiple":
            with time_machine.travel(DURING, tick=False):
                attempt_save_answer(
                    attempt=attempt, position=item.position, sequence=1, **right_answer(item)
                )
    client.force_login(learner)
    with time_machine.travel(DURING + timedelta(minutes=7, seconds=5), tick=False):
        response = client.post(
            reverse("quizzes:attempt_submit", kwargs={"pk": attempt.pk}), follow=True
        )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse(
        "quizzes:attempt_result", kwargs={"pk": attempt.pk}
    )
    assert "3 of 4 points" in html
    assert "75%" in html
    assert "Passed" in html
    assert "7 min 5 s" in html
    assert AssignmentResult.objects.get(user=learner).percent == Decimal(75)


def _finish(attempt, when=DURING):
    with time_machine.travel(when, tick=False):
        return attempt_finish(attempt=attempt)


def test_review_after_submit_shows_answer_key_explanation_and_source(client, learner, attempt):
    item = attempt.items.get(question_version__kind="single")
    with time_machine.travel(DURING, tick=False):
        attempt_save_answer(
            attempt=attempt,
            position=item.position,
            sequence=1,
            selected_positions=[wrong_position(item)],
        )
    _finish(attempt)
    client.force_login(learner)
    with time_machine.travel(DURING, tick=False):
        page = client.get(reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "The orientation is one base and three districts." in html
    assert "one base and three districts" in html
    assert "Your answer" in html and "Right answer" in html
    assert "Accepted answers" in html and "十二" in html


def test_review_follows_the_attempts_choice_order(client, learner, organizer, group):
    quiz = make_quiz(organizer, drafts=DRAFTS[:1], shuffle_choices=True)
    assignment = make_assignment(quiz, group, organizer)
    with time_machine.travel(DURING, tick=False):
        attempt = attempt_start(assignment=assignment, user=learner)
    _finish(attempt)
    shown = list(
        attempt.items.get().choices.order_by("position").values_list("choice__text", flat=True)
    )
    client.force_login(learner)
    with time_machine.travel(DURING, tick=False):
        html = client.get(reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk}))
    html = html.content.decode()
    offsets = [html.index(f'review-choice__text">{text}<') for text in shown]
    assert offsets == sorted(offsets)


def test_review_after_due_waits_for_the_due_date(client, learner, organizer, group):
    quiz = make_quiz(organizer, feedback_timing=Quiz.FeedbackTiming.AFTER_DUE)
    assignment = make_assignment(quiz, group, organizer)
    with time_machine.travel(DURING, tick=False):
        attempt = attempt_start(assignment=assignment, user=learner)
    _finish(attempt)
    client.force_login(learner)
    review = reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk})
    with time_machine.travel(DURING, tick=False):
        result = client.get(reverse("quizzes:attempt_result", kwargs={"pk": attempt.pk}))
        early = client.get(review)
    assert "shown after the due date" in result.content.decode()
    assert review not in result.content.decode()
    assert early.status_code == 302
    with time_machine.travel(assignment.due_at + timedelta(minutes=1), tick=False):
        late = client.get(review)
    assert late.status_code == 200
    assert "The orientation is one base and three districts." in late.content.decode()


def test_review_of_an_open_attempt_goes_back_to_the_questions(client, learner, attempt):
    client.force_login(learner)
    with time_machine.travel(DURING, tick=False):
        response = client.get(reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk}))
    assert response["Location"] == reverse("quizzes:attempt_detail", kwargs={"pk": attempt.pk})


@time_machine.travel(DURING, tick=False)
def test_immediate_feedback_check_locks_the_item_and_shows_its_key(
    client, learner, organizer, group
):
    quiz = make_quiz(organizer, feedback_timing=Quiz.FeedbackTiming.IMMEDIATE)
    attempt = attempt_start(assignment=make_assignment(quiz, group, organizer), user=learner)
    item = attempt.items.get(question_version__kind="single")
    client.force_login(learner)
    url = question_url(attempt, item.position)
    before = client.get(url).content.decode()
    assert "Check answer" in before
    assert "The orientation is one base and three districts." not in before
    client.post(url, {"sequence": "1", "choice": str(wrong_position(item)), "go": "check"})
    item.refresh_from_db()
    assert item.checked_at == DURING
    after = client.get(url).content.decode()
    assert "The orientation is one base and three districts." in after
    assert "Wrong" in after
    assert 'name="sequence"' not in after
    # The checked answer is locked: a later post changes nothing.
    right = right_answer(item)["selected_positions"][0]
    client.post(url, {"sequence": "2", "choice": str(right), "go": "next"})
    assert [c.position for c in item.choices.filter(selected=True)] == [wrong_position(item)]


@time_machine.travel(DURING, tick=False)
def test_check_is_refused_when_feedback_comes_after_submitting(client, learner, attempt):
    client.force_login(learner)
    response = client.post(
        question_url(attempt, 1), {"sequence": "1", "choice": "1", "go": "check"}, follow=True
    )
    assert "only after the attempt is finished" in response.content.decode()
    assert attempt.items.get(position=1).checked_at is None


# --- The API ------------------------------------------------------------------------------


def answers_url(attempt):
    return reverse("api:attempt-answer", kwargs={"pk": attempt.pk})


@time_machine.travel(DURING, tick=False)
def test_api_save_returns_the_new_sequence(learner, attempt):
    client = api_client(learner)
    response = api_post(
        client, answers_url(attempt), {"position": 1, "sequence": 1, "choices": [2]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["sequence"] == 1 and body["position"] == 1 and body["answered"] is True
    assert body["deadline"]
    assert attempt.items.get(position=1).choices.get(selected=True).position == 2


@time_machine.travel(DURING, tick=False)
def test_api_stale_save_is_a_409_conflict_with_the_current_sequence(learner, attempt):
    client = api_client(learner)
    api_post(client, answers_url(attempt), {"position": 1, "sequence": 3, "choices": [2]})
    response = api_post(
        client, answers_url(attempt), {"position": 1, "sequence": 2, "choices": [1]}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale"
    assert response.json()["sequence"] == 3
    assert "newer answer" in response.json()["detail"]
    assert attempt.items.get(position=1).choices.get(selected=True).position == 2


def test_api_save_after_the_grace_period_is_410_gone(learner, attempt, settings):
    settings.STUDYAPP_ATTEMPT_GRACE_SECONDS = 30
    with time_machine.travel(DURING, tick=False):
        client = api_client(learner)
    with time_machine.travel(attempt.deadline + timedelta(seconds=31), tick=False):
        response = api_post(
            client, answers_url(attempt), {"position": 1, "sequence": 1, "choices": [1]}
        )
    assert response.status_code == 410
    assert response.json()["result_url"] == reverse(
        "quizzes:attempt_result", kwargs={"pk": attempt.pk}
    )
    attempt.refresh_from_db()
    assert (attempt.state, attempt.finished_at) == (Attempt.State.FINISHED, attempt.deadline)


def test_api_save_within_the_grace_period_is_kept(learner, attempt, settings):
    settings.STUDYAPP_ATTEMPT_GRACE_SECONDS = 30
    with time_machine.travel(DURING, tick=False):
        client = api_client(learner)
    with time_machine.travel(attempt.deadline + timedelta(seconds=29), tick=False):
        response = api_post(
            client, answers_url(attempt), {"position": 1, "sequence": 1, "choices": [1]}
        )
    assert response.status_code == 200


@time_machine.travel(DURING, tick=False)
def test_api_rejects_a_choice_the_question_does_not_have(learner, attempt):
    client = api_client(learner)
    response = api_post(
        client, answers_url(attempt), {"position": 1, "sequence": 1, "choices": [9]}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_choice"


@time_machine.travel(DURING, tick=False)
def test_api_rejects_an_answer_without_a_sequence(learner, attempt):
    response = api_post(api_client(learner), answers_url(attempt), {"position": 1})
    assert response.status_code == 400
    assert "sequence" in response.json()["errors"]


@time_machine.travel(DURING, tick=False)
def test_api_without_csrf_token_is_refused(learner, attempt):
    client = api_client(learner)
    response = client.post(
        answers_url(attempt), {"position": 1, "sequence": 1, "choices": [1]}, format="json"
    )
    assert response.status_code == 403


@time_machine.travel(DURING, tick=False)
def test_api_and_pages_answer_404_for_another_learners_attempt(client, attempt, group):
    other = factories.UserFactory(username="classmate")
    factories.MembershipFactory(group=group, user=other)
    api = api_client(other)
    assert api.get(reverse("api:attempt-detail", kwargs={"pk": attempt.pk})).status_code == 404
    assert api_post(api, answers_url(attempt), {"position": 1, "sequence": 1}).status_code == 404
    client.force_login(other)
    for name in ("attempt_detail", "attempt_submit", "attempt_result", "attempt_review"):
        assert client.get(reverse(f"quizzes:{name}", kwargs={"pk": attempt.pk})).status_code == 404
    assert client.get(question_url(attempt, 1)).status_code == 404
    assert client.post(question_url(attempt, 1), {"sequence": "1"}).status_code == 404


@time_machine.travel(DURING, tick=False)
def test_anonymous_is_sent_to_login_on_pages_and_refused_by_the_api(client, attempt):
    response = client.get(question_url(attempt, 1))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    api = APIClient()
    assert api.get(reverse("api:attempt-detail", kwargs={"pk": attempt.pk})).status_code == 403
    response = api.post(answers_url(attempt), {"position": 1, "sequence": 1}, format="json")
    assert response.status_code == 403


@time_machine.travel(DURING, tick=False)
def test_api_start_twice_returns_the_same_attempt(learner, assignment):
    client = api_client(learner)
    url = reverse("api:attempt-start", kwargs={"pk": assignment.pk})
    first = api_post(client, url, {})
    second = api_post(client, url, {})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["url"] == reverse(
        "quizzes:attempt_detail", kwargs={"pk": first.json()["id"]}
    )


@time_machine.travel(DURING, tick=False)
def test_api_start_answers_201_for_each_new_attempt_and_200_for_the_open_one(learner, assignment):
    client = api_client(learner)
    url = reverse("api:attempt-start", kwargs={"pk": assignment.pk})
    first = api_post(client, url, {})
    again = api_post(client, url, {})
    attempt_finish(attempt=Attempt.objects.get(pk=first.json()["id"]))
    second = api_post(client, url, {})

    assert [r.status_code for r in (first, again, second)] == [201, 200, 201]
    assert first.json()["id"] == again.json()["id"] != second.json()["id"]
    assert Attempt.objects.get(pk=second.json()["id"]).number == 2


@time_machine.travel(DURING, tick=False)
def test_start_or_resume_says_whether_this_call_created_the_attempt(learner, assignment):
    made = attempt_start_or_resume(assignment=assignment, user=learner)
    resumed = attempt_start_or_resume(assignment=assignment, user=learner)

    assert (made.created, resumed.created) == (True, False)
    assert made.attempt.pk == resumed.attempt.pk


@time_machine.travel(DURING, tick=False)
def test_api_detail_gives_the_map_deadline_and_server_clock(learner, attempt):
    api_post(api_client(learner), answers_url(attempt), {"position": 2, "sequence": 1})
    body = api_client(learner).get(reverse("api:attempt-detail", kwargs={"pk": attempt.pk}))
    body = body.json()
    assert body["state"] == "in_progress"
    assert body["score"] is None
    assert [i["position"] for i in body["items"]] == [1, 2, 3, 4]
    assert not any(i["answered"] for i in body["items"])
    assert body["server_now"].startswith("2026-03-02")


@time_machine.travel(DURING, tick=False)
def test_api_finish_twice_returns_the_same_result(learner, attempt):
    client = api_client(learner)
    url = reverse("api:attempt-finish", kwargs={"pk": attempt.pk})
    first = api_post(client, url, {}).json()
    second = api_post(client, url, {}).json()
    assert first == second
    assert first["state"] == "finished"


@time_machine.travel(DURING, tick=False)
def test_api_check_returns_the_outcome_under_immediate_feedback(learner, organizer, group):
    quiz = make_quiz(organizer, feedback_timing=Quiz.FeedbackTiming.IMMEDIATE)
    attempt = attempt_start(assignment=make_assignment(quiz, group, organizer), user=learner)
    item = attempt.items.get(question_version__kind="single")
    client = api_client(learner)
    api_post(
        client,
        answers_url(attempt),
        {"position": item.position, "sequence": 1, **_api_choices(right_answer(item))},
    )
    response = api_post(
        client,
        reverse("api:attempt-check", kwargs={"pk": attempt.pk, "position": item.position}),
        {},
    )
    assert response.status_code == 200
    outcome = response.json()["outcome"]
    assert outcome["verdict"] == "right"
    assert outcome["explanation"] == "The orientation is one base and three districts."
    locked = api_post(
        client, answers_url(attempt), {"position": item.position, "sequence": 2, "choices": []}
    )
    assert locked.status_code == 409
    assert locked.json()["code"] == "locked"


def _api_choices(kwargs: dict) -> dict:
    return {"choices": kwargs.get("selected_positions", []), "blanks": kwargs.get("blanks", [])}


# --- Query counts -----------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 8])
def test_question_and_review_pages_run_a_fixed_number_of_queries(
    client, learner, organizer, group, size, django_assert_num_queries
):
    drafts = [
        QuestionDraft(
            kind="single",
            stem=f"Question {n}?",
            choices=(ChoiceDraft(f"yes {n}", correct=True), ChoiceDraft(f"no {n}")),
        )
        for n in range(size)
    ]
    quiz = make_quiz(organizer, drafts=drafts)
    assignment = make_assignment(quiz, group, organizer)
    with time_machine.travel(DURING, tick=False):
        attempt = attempt_start(assignment=assignment, user=learner)
    client.force_login(learner)
    # session, user, attempt, map, item, shown choices, blanks
    with time_machine.travel(DURING, tick=False), django_assert_num_queries(7):
        client.get(question_url(attempt, 1))
    _finish(attempt)
    # session, user, attempt, items, shown choices, blanks, accepted blank answers
    with time_machine.travel(DURING, tick=False), django_assert_num_queries(7):
        client.get(reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk}))
