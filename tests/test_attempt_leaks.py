"""No answer key leaves the server before an attempt is finished.

An attempt holds every kind of question; explanations, choice feedback, accepted blank
answers, source excerpts and the key point carry unique marker strings, and the right
choices have unique texts. Every page and JSON response of the open attempt is rendered
and searched: no marker, no correctness flag or attribute, and the right choices' texts
appear no more often than the wrong ones' (once, as an option). After finishing, the
review shows them all."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.models import Attempt, Question, Quiz
from quizzes.services.attempts import attempt_finish, attempt_save_answer, attempt_start
from quizzes.services.banks import bank_create, question_create
from quizzes.services.quizzes import quiz_add_question, quiz_create

from . import factories
from .test_attempt_flow import DURING, api_client, api_post, make_assignment, question_url

pytestmark = pytest.mark.django_db

# Strings that may appear only once the key may be shown.
SECRETS = {
    "explanation": [f"EXPLAINSECRET{n}" for n in range(4)],
    "feedback": [f"FEEDBACKSECRET{n}" for n in range(8)],
    "accepted": ["BLANKKEYALPHA", "BLANKKEYBETA", "BLANKKEYGAMMA"],
    "source": [f"SOURCESECRET{n}" for n in range(4)],
    "key_point": ["KEYPOINTSECRET"],
}
RIGHT_TEXTS = ["RIGHTSINGLE", "RIGHTMULTIONE", "RIGHTMULTITWO", "RIGHTTRUTH"]
WRONG_TEXTS = ["WRONGSINGLEA", "WRONGSINGLEB", "WRONGMULTI", "WRONGTRUTH"]


def _drafts() -> list[QuestionDraft]:
    return [
        QuestionDraft(
            kind="single",
            stem="Single: which one?",
            choices=(
                ChoiceDraft("WRONGSINGLEA", feedback="FEEDBACKSECRET0"),
                ChoiceDraft("RIGHTSINGLE", correct=True, feedback="FEEDBACKSECRET1"),
                ChoiceDraft("WRONGSINGLEB", feedback="FEEDBACKSECRET2"),
            ),
            explanation="EXPLAINSECRET0",
            source_excerpt="SOURCESECRET0",
        ),
        QuestionDraft(
            kind="multiple",
            stem="Multiple: which ones?",
            choices=(
                ChoiceDraft("RIGHTMULTIONE", correct=True, feedback="FEEDBACKSECRET3"),
                ChoiceDraft("WRONGMULTI", feedback="FEEDBACKSECRET4"),
                ChoiceDraft("RIGHTMULTITWO", correct=True, feedback="FEEDBACKSECRET5"),
            ),
            explanation="EXPLAINSECRET1",
            source_excerpt="SOURCESECRET1",
        ),
        QuestionDraft(
            kind="true_false",
            stem="True or false: the plan holds.",
            choices=(
                ChoiceDraft("RIGHTTRUTH", correct=True, feedback="FEEDBACKSECRET6"),
                ChoiceDraft("WRONGTRUTH", feedback="FEEDBACKSECRET7"),
            ),
            explanation="EXPLAINSECRET2",
            source_excerpt="SOURCESECRET2",
        ),
        QuestionDraft(
            kind="blank",
            stem="Fill ___ and ___.",
            blanks=(("BLANKKEYALPHA", "BLANKKEYBETA"), ("BLANKKEYGAMMA",)),
            explanation="EXPLAINSECRET3",
            source_excerpt="SOURCESECRET3",
        ),
    ]


def _build(organizer, group, **options) -> Quiz:
    bank = bank_create(owner=organizer, title="Leak bank")
    document = factories.DocumentFactory(bank=bank)
    quiz = quiz_create(
        owner=organizer, title="Leak quiz", time_limit=timedelta(minutes=30), **options
    )
    for n, draft in enumerate(_drafts()):
        # A key point each: a quiz holds one question per key point.
        question = question_create(
            bank=bank,
            draft=draft,
            created_by=organizer,
            status=Question.Status.PUBLISHED,
            key_point=factories.KeyPointFactory(
                document=document, ordinal=n + 1, text=f"KEYPOINTSECRET{n}"
            ),
        )
        quiz_add_question(quiz=quiz, question=question)
    return make_assignment(quiz, group, organizer)


def _answer_some(attempt: Attempt) -> None:
    """Answer right and wrong, so pages show selected choices and typed blanks."""
    for item in attempt.items.select_related("question_version"):
        kind = item.question_version.kind
        shown = {c.choice.text: c.position for c in item.choices.select_related("choice")}
        if kind == "single":
            picks = [shown["RIGHTSINGLE"]]
        elif kind == "multiple":
            picks = [shown["RIGHTMULTIONE"], shown["WRONGMULTI"]]
        elif kind == "true_false":
            picks = [shown["WRONGTRUTH"]]
        else:
            attempt_save_answer(
                attempt=attempt, position=item.position, sequence=1, blanks=["nope", "x"]
            )
            continue
        attempt_save_answer(
            attempt=attempt, position=item.position, sequence=1, selected_positions=picks
        )


def _open_attempt_responses(client, api, attempt, assignment) -> dict[str, str]:
    """Every page and JSON response a learner can get of an open attempt."""
    pages = {}
    n = attempt.items.count()
    for position in range(1, n + 1):
        pages[f"question {position}"] = client.get(question_url(attempt, position))
        pages[f"api item {position}"] = api.get(
            reverse("api:attempt-item", kwargs={"pk": attempt.pk, "position": position})
        )
    pages["submit"] = client.get(reverse("quizzes:attempt_submit", kwargs={"pk": attempt.pk}))
    pages["continue"] = client.get(
        reverse("quizzes:attempt_detail", kwargs={"pk": attempt.pk}), follow=True
    )
    pages["assignment"] = client.get(
        reverse("quizzes:assignment_take", kwargs={"pk": assignment.pk})
    )
    pages["home"] = client.get(reverse("quizzes:home"))
    pages["result while open"] = client.get(
        reverse("quizzes:attempt_result", kwargs={"pk": attempt.pk}), follow=True
    )
    pages["review while open"] = client.get(
        reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk}), follow=True
    )
    pages["api detail"] = api.get(reverse("api:attempt-detail", kwargs={"pk": attempt.pk}))
    pages["api start"] = api_post(
        api, reverse("api:attempt-start", kwargs={"pk": assignment.pk}), {}
    )
    answers = reverse("api:attempt-answer", kwargs={"pk": attempt.pk})
    pages["api save"] = api_post(api, answers, {"position": 1, "sequence": 5, "choices": [1]})
    pages["api stale"] = api_post(api, answers, {"position": 1, "sequence": 2, "choices": [2]})
    pages["api bad"] = api_post(api, answers, {"position": 1, "sequence": 9, "choices": [99]})
    pages["api invalid"] = api_post(api, answers, {"position": "x"})
    for name, response in pages.items():
        assert response.status_code in (200, 201, 400, 409), name
    return {name: response.content.decode() for name, response in pages.items()}


def _assert_no_key(name: str, body: str) -> None:
    for kind, markers in SECRETS.items():
        for marker in markers:
            assert marker not in body, f"{kind} {marker} leaks in {name}"
    assert "is_correct" not in body, name
    assert not re.search(r"data-[\w-]*(correct|right|answer-key)", body), name
    assert not re.search(
        r'"(correct|right|explanation|feedback|accepted|outcome)"\s*:\s*[^n]', body
    ), name
    assert "verdict" not in body, name
    assert "review-choice" not in body, name
    right = sum(body.count(text) for text in RIGHT_TEXTS)
    wrong = sum(body.count(text) for text in WRONG_TEXTS)
    # Each choice text, right or wrong, is shown once on its own question's page.
    if right or wrong:
        per_right = [body.count(text) for text in RIGHT_TEXTS if text in body]
        per_wrong = [body.count(text) for text in WRONG_TEXTS if text in body]
        assert max(per_right, default=0) <= 1 and max(per_wrong, default=0) <= 1, name


@pytest.mark.parametrize(
    "timing",
    [
        Quiz.FeedbackTiming.AFTER_SUBMIT,
        Quiz.FeedbackTiming.AFTER_DUE,
        Quiz.FeedbackTiming.IMMEDIATE,
    ],
)
def test_no_page_or_response_of_an_open_attempt_shows_the_key(
    client, learner, organizer, group, timing
):
    assignment = _build(organizer, group, feedback_timing=timing, shuffle_choices=True)
    with time_machine.travel(DURING, tick=False):
        attempt = attempt_start(assignment=assignment, user=learner)
        _answer_some(attempt)
        client.force_login(learner)
        api = api_client(learner)
        bodies = _open_attempt_responses(client, api, attempt, assignment)
    assert len(bodies) >= 17
    for name, body in bodies.items():
        _assert_no_key(name, body)
    # Every choice text did show up somewhere: the pages were not simply empty.
    everything = "".join(bodies.values())
    for text in RIGHT_TEXTS + WRONG_TEXTS:
        assert text in everything


def test_the_review_after_finishing_shows_every_key(client, learner, organizer, group):
    assignment = _build(organizer, group)
    with time_machine.travel(DURING, tick=False):
        attempt = attempt_start(assignment=assignment, user=learner)
        _answer_some(attempt)
        attempt_finish(attempt=attempt)
        client.force_login(learner)
        review = client.get(reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk}))
    html = review.content.decode()
    assert review.status_code == 200
    for kind, markers in SECRETS.items():
        for marker in markers:
            assert marker in html, f"{kind} {marker} missing from the review"
    assert "Right answer" in html and "Your answer" in html


def test_a_checked_item_shows_only_its_own_key_under_immediate_feedback(
    client, learner, organizer, group
):
    assignment = _build(organizer, group, feedback_timing=Quiz.FeedbackTiming.IMMEDIATE)
    with time_machine.travel(DURING, tick=False):
        attempt = attempt_start(assignment=assignment, user=learner)
        _answer_some(attempt)
        single = attempt.items.get(question_version__kind="single")
        client.force_login(learner)
        client.post(question_url(attempt, single.position), {"go": "check"})
        checked = client.get(question_url(attempt, single.position)).content.decode()
        others = [
            client.get(question_url(attempt, item.position)).content.decode()
            for item in attempt.items.exclude(pk=single.pk)
        ]
        api = api_client(learner)
        item_json = api.get(
            reverse("api:attempt-item", kwargs={"pk": attempt.pk, "position": single.position})
        ).content.decode()
    for body in (checked, item_json):
        assert "EXPLAINSECRET0" in body and "SOURCESECRET0" in body
        assert "KEYPOINTSECRET" in body
        for marker in ("EXPLAINSECRET1", "EXPLAINSECRET2", "EXPLAINSECRET3", "BLANKKEYALPHA"):
            assert marker not in body
    for name, body in enumerate(others):
        _assert_no_key(f"other question {name}", body)


def test_result_page_before_the_due_date_shows_no_key(client, learner, organizer, group):
    assignment = _build(organizer, group, feedback_timing=Quiz.FeedbackTiming.AFTER_DUE)
    with time_machine.travel(DURING, tick=False):
        attempt = attempt_start(assignment=assignment, user=learner)
        _answer_some(attempt)
        attempt_finish(attempt=attempt)
        client.force_login(learner)
        result = client.get(reverse("quizzes:attempt_result", kwargs={"pk": attempt.pk}))
        review = client.get(
            reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk}), follow=True
        )
    for name, response in (("result", result), ("review", review)):
        _assert_no_key(name, response.content.decode())
