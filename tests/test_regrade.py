"""Regrading on purpose: fix a key, preview, confirm; scores and audit rows as expected;
other assignments untouched; only organizers of the group may do it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.models import (
    AssignmentResult,
    Attempt,
    AttemptItem,
    Membership,
    Question,
    Regrade,
    ScoreChange,
)
from quizzes.services.attempts import attempt_finish, attempt_save_answer, attempt_start
from quizzes.services.banks import bank_create, question_create, question_edit
from quizzes.services.quizzes import assignment_create, quiz_add_question, quiz_create
from quizzes.services.regrade import RegradeError, regrade_apply, regrade_preview

from . import factories

pytestmark = pytest.mark.django_db

# The organizer's first key is wrong: "coordination" is marked right, "green" is right.
WRONG_KEY = QuestionDraft(
    kind="single",
    stem="Which of these is one of the five new development concepts?",
    choices=(ChoiceDraft("stability"), ChoiceDraft("green"), ChoiceDraft("speed", correct=True)),
)
FIXED_KEY = QuestionDraft(
    kind="single",
    stem="Which of these is one of the five new development concepts?",
    choices=(ChoiceDraft("stability"), ChoiceDraft("green", correct=True), ChoiceDraft("speed")),
)
OTHER = QuestionDraft(
    kind="true_false",
    stem="The blueprint covers the next five years.",
    choices=(ChoiceDraft("True", correct=True), ChoiceDraft("False")),
)


@pytest.fixture
def world(organizer, learner, group):
    bank = bank_create(owner=organizer, title="Congress")
    wrong = question_create(
        bank=bank, draft=WRONG_KEY, created_by=organizer, status=Question.Status.PUBLISHED
    )
    other = question_create(
        bank=bank, draft=OTHER, created_by=organizer, status=Question.Status.PUBLISHED
    )
    quiz = quiz_create(owner=organizer, title="Check", attempts_allowed=0, shuffle_choices=False)
    quiz_add_question(quiz=quiz, question=wrong)
    quiz_add_question(quiz=quiz, question=other)
    now = timezone.now()
    window = {
        "opens_at": now - timedelta(hours=1),
        "due_at": now + timedelta(days=1),
        "created_by": organizer,
    }
    assignment = assignment_create(quiz=quiz, group=group, **window)
    second_group = factories.GroupFactory(name="Second branch", created_by=organizer)
    factories.MembershipFactory(group=second_group, user=learner)
    other_assignment = assignment_create(quiz=quiz, group=second_group, **window)
    return {
        "question": wrong,
        "assignment": assignment,
        "other_assignment": other_assignment,
    }


def take(assignment, user, answer_text, *, finish=True):
    """An attempt answering the first question with ``answer_text`` and the second right."""
    attempt = attempt_start(assignment=assignment, user=user)
    for item in attempt.items.select_related("question_version"):
        texts = [answer_text] if item.position == 1 else ["True"]
        ids = list(
            item.question_version.choices.filter(text__in=texts).values_list("pk", flat=True)
        )
        attempt_save_answer(
            attempt=attempt, position=item.position, sequence=1, selected_choice_ids=ids
        )
    return attempt_finish(attempt=attempt) if finish else attempt


def test_regrade_preview_then_apply_changes_scores_with_audit_rows(world, organizer, learner):
    assignment = world["assignment"]
    question = world["question"]
    green = take(assignment, learner, "green")  # right, but graded wrong
    second_learner = factories.UserFactory(username="second")
    factories.MembershipFactory(group=assignment.group, user=second_learner)
    speed = take(assignment, second_learner, "speed")  # wrong, but graded right
    assert (green.score, speed.score) == (Decimal(1), Decimal(2))

    fixed = question_edit(question=question, draft=FIXED_KEY, edited_by=organizer)
    preview = {
        c.attempt_id: c
        for c in regrade_preview(assignment=assignment, question=question, to_version=fixed)
    }
    assert preview[green.pk].delta == Decimal(1)
    assert preview[speed.pk].delta == Decimal(-1)
    # The preview wrote nothing.
    assert not ScoreChange.objects.exists()
    assert Attempt.objects.get(pk=green.pk).score == Decimal(1)

    regrade = regrade_apply(
        assignment=assignment,
        question=question,
        to_version=fixed,
        reason="The key said speed; green is right.",
        regraded_by=organizer,
    )

    green.refresh_from_db()
    speed.refresh_from_db()
    assert (green.score, speed.score) == (Decimal(2), Decimal(1))
    changes = {c.attempt_id: c for c in ScoreChange.objects.filter(regrade=regrade)}
    assert (changes[green.pk].old_score, changes[green.pk].new_score) == (1, 2)
    assert (changes[speed.pk].old_score, changes[speed.pk].new_score) == (2, 1)
    assert all(c.changed_by == organizer and "green is right" in c.reason for c in changes.values())
    item = AttemptItem.objects.get(attempt=green, question=question)
    assert item.question_version == fixed
    assert item.choices.get(selected=True).choice.text == "green"
    result = AssignmentResult.objects.get(assignment=assignment, user=learner)
    assert result.percent == Decimal(100)


def test_regrade_leaves_other_assignments_untouched(world, organizer, learner):
    question = world["question"]
    take(world["assignment"], learner, "green")
    elsewhere = take(world["other_assignment"], learner, "green")
    fixed = question_edit(question=question, draft=FIXED_KEY, edited_by=organizer)

    regrade_apply(
        assignment=world["assignment"],
        question=question,
        to_version=fixed,
        reason="Fix the key",
        regraded_by=organizer,
    )

    elsewhere.refresh_from_db()
    assert elsewhere.score == Decimal(1)
    assert (
        AttemptItem.objects.get(attempt=elsewhere, question=question).question_version.number == 1
    )
    assert not ScoreChange.objects.filter(attempt=elsewhere).exists()


def test_open_attempts_move_to_the_new_version_without_a_score(world, organizer, learner):
    question = world["question"]
    attempt = take(world["assignment"], learner, "green", finish=False)
    fixed = question_edit(question=question, draft=FIXED_KEY, edited_by=organizer)
    regrade_apply(
        assignment=world["assignment"],
        question=question,
        to_version=fixed,
        reason="Fix the key",
        regraded_by=organizer,
    )
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS and attempt.score is None
    finished = attempt_finish(attempt=attempt)
    assert finished.score == Decimal(2)


def test_regrade_needs_a_reason_and_an_older_version(world, organizer, learner):
    question = world["question"]
    take(world["assignment"], learner, "green")
    current = question.current_version
    with pytest.raises(RegradeError, match="No attempt"):
        regrade_apply(
            assignment=world["assignment"],
            question=question,
            to_version=current,
            reason="nothing to do",
            regraded_by=organizer,
        )
    fixed = question_edit(question=question, draft=FIXED_KEY, edited_by=organizer)
    with pytest.raises(RegradeError, match="why"):
        regrade_apply(
            assignment=world["assignment"],
            question=question,
            to_version=fixed,
            reason="  ",
            regraded_by=organizer,
        )
    assert not Regrade.objects.exists()


def test_regrade_refuses_a_version_with_a_different_number_of_choices(world, organizer, learner):
    question = world["question"]
    take(world["assignment"], learner, "green")
    four = QuestionDraft(
        kind="single",
        stem=FIXED_KEY.stem,
        choices=(*FIXED_KEY.choices, ChoiceDraft("scale")),
    )
    fixed = question_edit(question=question, draft=four, edited_by=organizer)
    with pytest.raises(RegradeError, match="different number of choices"):
        regrade_preview(assignment=world["assignment"], question=question, to_version=fixed)


# --- pages ----------------------------------------------------------------------------


def test_organizer_previews_and_confirms_a_regrade_in_the_pages(client, world, organizer, learner):
    assignment, question = world["assignment"], world["question"]
    attempt = take(assignment, learner, "green")
    question_edit(question=question, draft=FIXED_KEY, edited_by=organizer)
    client.force_login(organizer)

    listing = client.get(reverse("quizzes:regrade_list", args=[assignment.pk]))
    assert listing.status_code == 200
    preview_url = reverse("quizzes:regrade_question", args=[assignment.pk, question.pk])
    assert preview_url in listing.content.decode()

    preview = client.get(preview_url)
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "+1.00" in page and str(learner) in page
    attempt.refresh_from_db()
    assert attempt.score == Decimal(1)  # preview saved nothing

    missing_reason = client.post(preview_url, {"reason": ""})
    assert missing_reason.status_code == 400
    assert not ScoreChange.objects.exists()

    confirmed = client.post(preview_url, {"reason": "Green is right"})
    assert confirmed.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == Decimal(2)
    assert ScoreChange.objects.get().reason == "Green is right"


@pytest.mark.parametrize("who", ["anonymous", "learner", "other_organizer"])
def test_regrade_pages_are_closed_to_everyone_but_organizers(client, world, learner, who):
    assignment, question = world["assignment"], world["question"]
    take(assignment, learner, "green")
    urls = [
        reverse("quizzes:regrade_list", args=[assignment.pk]),
        reverse("quizzes:regrade_question", args=[assignment.pk, question.pk]),
    ]
    if who == "learner":
        client.force_login(learner)
    elif who == "other_organizer":
        stranger = factories.UserFactory(username="stranger")
        other = factories.GroupFactory(created_by=stranger)
        factories.MembershipFactory(group=other, user=stranger, role=Membership.Role.ORGANIZER)
        client.force_login(stranger)
    for url in urls:
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 404
        response = client.post(url, {"reason": "x"})
        assert response.status_code in (302, 404, 405)
    assert not ScoreChange.objects.exists()


def test_organizer_of_a_parent_group_may_regrade(client, world, learner):
    assignment = world["assignment"]
    boss = factories.UserFactory(username="committee")
    parent = factories.GroupFactory(name="Committee", created_by=boss)
    factories.MembershipFactory(group=parent, user=boss, role=Membership.Role.ORGANIZER)
    assignment.group.parent = parent
    assignment.group.save(update_fields=["parent"])
    client.force_login(boss)
    assert client.get(reverse("quizzes:regrade_list", args=[assignment.pk])).status_code == 200
