"""Editing a question makes a new version; past attempts keep the version they showed and
the score they earned."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.models import Attempt, AttemptItem, Question, QuestionVersion
from quizzes.services import attempts as attempt_services
from quizzes.services.banks import bank_create, question_create, question_edit
from quizzes.services.quizzes import assignment_create, quiz_add_question, quiz_create
from quizzes.versions import version_to_draft

pytestmark = pytest.mark.django_db

CONCEPTS = QuestionDraft(
    kind="single",
    stem="Which is NOT one of the five new development concepts?",
    choices=(
        ChoiceDraft("innovation"),
        ChoiceDraft("coordination"),
        ChoiceDraft("stability", correct=True),
        ChoiceDraft("sharing"),
    ),
    explanation="The five are innovation, coordination, green, openness and sharing.",
)


@pytest.fixture
def setup(organizer, learner, group):
    bank = bank_create(owner=organizer, title="Congress")
    question = question_create(
        bank=bank, draft=CONCEPTS, created_by=organizer, status=Question.Status.PUBLISHED
    )
    quiz = quiz_create(owner=organizer, title="Check", attempts_allowed=0, shuffle_choices=False)
    quiz_add_question(quiz=quiz, question=question)
    now = timezone.now()
    assignment = assignment_create(
        quiz=quiz,
        group=group,
        opens_at=now - timedelta(hours=1),
        due_at=now + timedelta(days=1),
        created_by=organizer,
    )
    return question, assignment


def answer(attempt, text):
    item = attempt.items.get(position=1)
    choice = item.question_version.choices.get(text=text)
    attempt_services.attempt_save_answer(
        attempt=attempt, position=1, sequence=item.sequence + 1, selected_choice_ids=[choice.pk]
    )


def test_question_create_stores_version_one_with_its_choices(setup):
    question, _assignment = setup
    version = question.current_version
    assert version.number == 1
    assert version_to_draft(version) == CONCEPTS


def test_editing_a_used_question_adds_a_version_and_leaves_past_attempts_untouched(
    setup, learner, organizer
):
    question, assignment = setup
    attempt = attempt_services.attempt_start(assignment=assignment, user=learner)
    answer(attempt, "stability")
    attempt = attempt_services.attempt_finish(attempt=attempt)
    assert attempt.score == Decimal(1)
    old_version = attempt.items.get().question_version

    # The organizer decides the key was wrong and rewrites the question.
    fixed = QuestionDraft(
        kind="single",
        stem="Which of these IS one of the five new development concepts?",
        choices=(
            ChoiceDraft("stability"),
            ChoiceDraft("green", correct=True),
            ChoiceDraft("speed"),
        ),
    )
    new_version = question_edit(question=question, draft=fixed, edited_by=organizer)

    assert new_version.number == 2
    assert new_version.pk != old_version.pk
    assert question.current_version == new_version
    assert QuestionVersion.objects.filter(question=question).count() == 2
    # The past attempt still points at version 1, with its original content and score.
    item = AttemptItem.objects.get(attempt=attempt)
    assert item.question_version_id == old_version.pk
    assert item.question_version.stem == CONCEPTS.stem
    assert [c.text for c in item.question_version.choices.all()] == [
        "innovation",
        "coordination",
        "stability",
        "sharing",
    ]
    assert item.score == Decimal(1)
    attempt.refresh_from_db()
    assert attempt.score == Decimal(1)
    assert attempt.state == Attempt.State.FINISHED
    # The learner's next attempt (slot follows the newest version) shows version 2.
    second = attempt_services.attempt_start(assignment=assignment, user=learner)
    assert second.items.get().question_version == new_version


def test_edit_that_changes_nothing_adds_no_version(setup, organizer):
    question, _assignment = setup
    version = question_edit(question=question, draft=CONCEPTS, edited_by=organizer)
    assert version.number == 1
    assert question.versions.count() == 1


def test_pinned_slot_keeps_showing_its_version_after_an_edit(organizer, learner, group):
    bank = bank_create(owner=organizer, title="Congress")
    question = question_create(
        bank=bank, draft=CONCEPTS, created_by=organizer, status=Question.Status.PUBLISHED
    )
    pinned = question.current_version
    question_edit(
        question=question,
        draft=QuestionDraft(
            kind="true_false",
            stem="Green is one of the new development concepts.",
            choices=(ChoiceDraft("True", correct=True), ChoiceDraft("False")),
        ),
        edited_by=organizer,
    )
    quiz = quiz_create(owner=organizer, title="Pinned")
    quiz_add_question(quiz=quiz, question=question, pinned_version=pinned)
    now = timezone.now()
    assignment = assignment_create(
        quiz=quiz,
        group=group,
        opens_at=now - timedelta(hours=1),
        due_at=now + timedelta(hours=1),
        created_by=organizer,
    )
    attempt = attempt_services.attempt_start(assignment=assignment, user=learner)
    assert attempt.items.get().question_version == pinned


@pytest.mark.parametrize(
    "draft,message",
    [
        (QuestionDraft(kind="single", stem="  "), "question text is empty"),
        (
            QuestionDraft(kind="single", stem="Pick", choices=(ChoiceDraft("a"), ChoiceDraft("b"))),
            "exactly one correct choice",
        ),
        (
            QuestionDraft(kind="blank", stem="No marker here", blanks=(("x",),)),
            "number of blanks",
        ),
        (
            QuestionDraft(
                kind="multiple",
                stem="Pick",
                choices=(ChoiceDraft("a", correct=True), ChoiceDraft("A")),
            ),
            "same text",
        ),
        (
            QuestionDraft(kind="blank", stem="End with ___", blanks=(("。", " "),)),
            "at least one accepted answer",
        ),
    ],
    ids=[
        "empty-stem",
        "single-without-key",
        "blank-mismatch",
        "duplicate-choices",
        "punctuation-only-answer",
    ],
)
def test_invalid_drafts_are_refused_with_a_reason_and_nothing_saved(organizer, draft, message):
    bank = bank_create(owner=organizer, title="Bank")
    with pytest.raises(ValidationError, match=message):
        question_create(bank=bank, draft=draft, created_by=organizer)
    assert not Question.objects.filter(bank=bank).exists()
