"""End to end in headless Chromium at a phone's size: a learner takes the demo quiz,
reloads half-way without losing answers, submits, sees the score and the review (with
axe-core scans of the question and review pages); an organizer builds a small quiz."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.defaultfilters import floatformat
from django.urls import reverse

from quizzes.models import Assignment, Attempt, AttemptItem, Question, Quiz, QuizSlot

from .conftest import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "studyapp-demo"
SAVED = re.compile(r"^\s*Saved")
SHOTS = Path(settings.BASE_DIR) / "tests" / "browser" / "shots"


@pytest.fixture
def demo(db):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Assignment.objects.get(quiz__title__startswith="Spirit of the 12th")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def answer_current_question(page) -> None:
    """Give some answer to the question on screen, as a learner would."""
    blanks = page.locator("input.blank__input")
    if blanks.count():
        for index in range(blanks.count()):
            blanks.nth(index).fill("five")
            blanks.nth(index).press("Tab")
    else:
        page.locator("label.choice").first.click()
    page.locator("[data-save-status]").filter(has_text=SAVED).wait_for()


def test_learner_takes_the_demo_quiz_on_a_phone(phone, demo, axe_source):
    page = phone
    log_in(page, "learner1", PASSWORD)
    page.goto(reverse("quizzes:assignment_take", args=[demo.pk]))
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/q/1/$"))
    attempt = Attempt.objects.get(user__username="learner1")
    total = attempt.items.count()
    assert total == demo.quiz.slots.count() >= 12

    violations = axe_violations(page, axe_source)
    assert violations == [], violations
    shot(page, "question-390")

    for position in range(1, total + 1):
        assert page.locator(".question__number").inner_text().startswith(f"Question {position}")
        answer_current_question(page)
        if position == 6:
            # Half-way: reload. The answer just given was saved, and stays.
            page.reload()
            kept = page.locator("input[data-answer-input]:checked, input.blank__input")
            assert kept.count() >= 1
            if page.locator("input.blank__input").count():
                assert page.locator("input.blank__input").first.input_value() == "five"
        if position < total:
            page.get_by_role("button", name="Save and next").click()
            page.wait_for_url(re.compile(rf"/q/{position + 1}/$"))

    answered = AttemptItem.objects.filter(attempt=attempt, answered_at__isnull=False).count()
    assert answered == total

    page.get_by_role("button", name="Save and review before submitting").click()
    page.wait_for_url(re.compile(r"/submit/$"))
    assert f"You have answered {total} of {total} questions." in page.content()
    assert "Every question has an answer." in page.content()
    page.get_by_role("button", name="Submit and finish").click()
    page.wait_for_url(re.compile(r"/result/$"))
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.FINISHED
    # The page rounds half up (floatformat), not half to even as format() does.
    assert f"{floatformat(attempt.percent, 0)}%" in page.content()
    shot(page, "result-390")

    page.get_by_role("link", name="Review your answers").click()
    page.wait_for_url(re.compile(r"/review/$"))
    first_item = attempt.items.select_related("question_version").get(position=1)
    if first_item.question_version.explanation:
        assert first_item.question_version.explanation[:40] in page.content()
    violations = axe_violations(page, axe_source)
    assert violations == [], violations
    shot(page, "review-390")


def test_unsaved_answers_wait_offline_and_are_sent_when_back(phone, demo):
    page = phone
    log_in(page, "learner3", PASSWORD)
    page.goto(reverse("quizzes:assignment_take", args=[demo.pk]))
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url(re.compile(r"/q/1/$"))
    attempt = Attempt.objects.get(user__username="learner3")

    page.context.set_offline(True)
    page.locator("label.choice, input.blank__input").first.click()
    if page.locator("input.blank__input").count():
        page.locator("input.blank__input").first.fill("five")
        page.locator("input.blank__input").first.press("Tab")
    page.locator("[data-save-status]").filter(has_text="Not saved yet").wait_for()
    assert not AttemptItem.objects.filter(attempt=attempt, answered_at__isnull=False).exists()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("[data-save-status]").filter(has_text=SAVED).wait_for()
    assert AttemptItem.objects.get(attempt=attempt, position=1).answered_at is not None


def test_organizer_builds_a_small_quiz(desktop, demo):
    page = desktop
    log_in(page, "organizer", PASSWORD)
    page.goto(reverse("quizzes:quiz_create"))
    page.get_by_label("Title").fill("Five-minute check")
    page.get_by_label("Time limit (minutes)").fill("5")
    page.get_by_role("button", name="Create quiz").click()
    page.wait_for_url(re.compile(r"/quizzes/\d+/$"))
    quiz = Quiz.objects.get(title="Five-minute check")
    assert quiz.time_limit.total_seconds() == 300

    page.get_by_role("link", name="Add questions").click()
    # Two questions on different key points: a quiz holds one question per key point.
    published = Question.objects.filter(
        bank__owner__username="organizer", status=Question.Status.PUBLISHED
    ).exclude(key_point=None)
    first = published.order_by("pk").first()
    second = published.exclude(key_point=first.key_point).order_by("pk").first()
    page.locator(f"#pick-{first.pk}").check()
    page.locator(f"#pick-{second.pk}").check()
    page.get_by_role("button", name="Add selected").click()
    page.wait_for_url(re.compile(rf"/quizzes/{quiz.pk}/$"))
    assert QuizSlot.objects.filter(quiz=quiz).count() == 2
    assert "2 points in total" in page.content()
    shot(page, "builder-1280")
