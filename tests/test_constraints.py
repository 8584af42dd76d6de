"""Each database invariant rejects the bad row — on SQLite and on PostgreSQL alike.

The rows are written with the ORM, bypassing services and ``full_clean``, because the point
is that the database itself refuses them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from quizzes.models import (
    AssignmentResult,
    Attempt,
    AttemptBlank,
    AttemptChoice,
    AttemptItem,
    BlankAnswer,
    Choice,
    Membership,
    QuestionVersion,
    Quiz,
    QuizSlot,
    ScoreChange,
    StudyGroup,
)

from . import factories

pytestmark = pytest.mark.django_db


def rejects(make_row) -> None:
    """Assert that the database refuses what ``make_row`` writes."""
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        make_row()


@pytest.fixture
def attempt():
    version = factories.VersionFactory(number=1)
    assignment = factories.AssignmentFactory()
    attempt = factories.AttemptFactory(assignment=assignment, max_score=Decimal(2))
    item = AttemptItem.objects.create(
        attempt=attempt,
        position=1,
        question=version.question,
        question_version=version,
        points=Decimal(1),
    )
    return attempt, item


def finished_attempt(**overrides):
    now = timezone.now()
    values = {
        "state": Attempt.State.FINISHED,
        "started_at": now - timedelta(minutes=5),
        "finished_at": now,
        "score": Decimal(1),
        "max_score": Decimal(2),
    }
    values.update(overrides)
    return factories.AttemptFactory(**values)


def test_one_open_attempt_per_learner_and_assignment(attempt):
    open_attempt, _item = attempt
    rejects(
        lambda: Attempt.objects.create(
            assignment=open_attempt.assignment,
            user=open_attempt.user,
            number=2,
            started_at=timezone.now(),
            max_score=1,
        )
    )


def test_a_second_attempt_is_allowed_once_the_first_is_finished():
    first = finished_attempt()
    second = Attempt.objects.create(
        assignment=first.assignment,
        user=first.user,
        number=2,
        started_at=timezone.now(),
        max_score=1,
    )
    assert second.state == Attempt.State.IN_PROGRESS


def test_attempt_numbers_are_unique_per_learner_and_assignment():
    first = finished_attempt()
    rejects(lambda: finished_attempt(assignment=first.assignment, user=first.user, number=1))


def test_one_item_per_attempt_and_position(attempt):
    open_attempt, item = attempt
    other = factories.VersionFactory(number=1)
    rejects(
        lambda: AttemptItem.objects.create(
            attempt=open_attempt,
            position=item.position,
            question=other.question,
            question_version=other,
            points=1,
        )
    )


def test_one_item_per_attempt_and_question(attempt):
    open_attempt, item = attempt
    rejects(
        lambda: AttemptItem.objects.create(
            attempt=open_attempt,
            position=2,
            question=item.question,
            question_version=item.question_version,
            points=1,
        )
    )


def test_one_membership_per_user_and_group(group, learner):
    rejects(lambda: Membership.objects.create(group=group, user=learner))


@pytest.mark.parametrize(
    "fields",
    [
        {"score": Decimal(3)},  # above max_score (2)
        {"score": Decimal(-1)},
        {"max_score": Decimal(-1), "score": Decimal(0)},
    ],
    ids=["above-max", "negative", "negative-max"],
)
def test_attempt_score_within_bounds(fields):
    rejects(lambda: finished_attempt(**fields))


def test_item_score_within_its_points(attempt):
    _attempt, item = attempt
    rejects(lambda: AttemptItem.objects.filter(pk=item.pk).update(score=Decimal("1.5")))
    rejects(lambda: AttemptItem.objects.filter(pk=item.pk).update(score=Decimal("-0.1")))


@pytest.mark.parametrize(
    "fields",
    [
        {"finished_at": None},
        {"score": None},
        {"state": "paused"},
        {"number": 0},
    ],
    ids=["finished-without-time", "finished-without-score", "unknown-state", "number-zero"],
)
def test_attempt_state_invariants(fields):
    rejects(lambda: finished_attempt(**fields))


def test_open_attempt_has_no_score(attempt):
    open_attempt, _item = attempt
    rejects(lambda: Attempt.objects.filter(pk=open_attempt.pk).update(score=Decimal(1)))


def test_attempt_cannot_finish_before_it_started():
    now = timezone.now()
    rejects(lambda: finished_attempt(started_at=now, finished_at=now - timedelta(seconds=1)))


def test_result_score_within_bounds(learner):
    assignment = factories.AssignmentFactory()
    rejects(
        lambda: AssignmentResult.objects.create(
            assignment=assignment, user=learner, score=Decimal(5), max_score=Decimal(4)
        )
    )
    rejects(
        lambda: AssignmentResult.objects.create(
            assignment=assignment, user=learner, percent=Decimal(101), max_score=Decimal(4)
        )
    )


def test_one_result_row_per_learner_and_assignment(learner):
    assignment = factories.AssignmentFactory()
    AssignmentResult.objects.create(assignment=assignment, user=learner, max_score=1)
    rejects(
        lambda: AssignmentResult.objects.create(assignment=assignment, user=learner, max_score=1)
    )


def test_version_numbers_unique_and_positive():
    version = factories.VersionFactory(number=1)
    rejects(lambda: factories.VersionFactory(question=version.question, number=1))
    rejects(lambda: factories.VersionFactory(question=version.question, number=0))


@pytest.mark.parametrize(
    "fields",
    [{"kind": "essay"}, {"difficulty": 0}, {"difficulty": 6}, {"stem": ""}],
    ids=["unknown-kind", "difficulty-0", "difficulty-6", "empty-stem"],
)
def test_version_field_checks(fields):
    rejects(lambda: factories.VersionFactory(**fields))


def test_choice_positions_unique_per_version():
    version = factories.VersionFactory()
    Choice.objects.create(version=version, ordinal=1, text="A")
    rejects(lambda: Choice.objects.create(version=version, ordinal=1, text="B"))


def test_blank_answers_unique_and_numbered_from_one():
    version = factories.VersionFactory(kind="blank", stem="Fill ___")
    BlankAnswer.objects.create(version=version, blank=1, text="this")
    rejects(lambda: BlankAnswer.objects.create(version=version, blank=1, text="this"))
    rejects(lambda: BlankAnswer.objects.create(version=version, blank=0, text="that"))


@pytest.mark.parametrize(
    "model,create",
    [
        (QuestionVersion, lambda v: None),
        (Choice, lambda v: Choice.objects.create(version=v, ordinal=1, text="A")),
        (BlankAnswer, lambda v: BlankAnswer.objects.create(version=v, blank=1, text="A")),
    ],
    ids=["version", "choice", "blank-answer"],
)
def test_database_refuses_any_update_of_version_content(model, create):
    """Even a queryset ``update()`` — which skips ``Model.save`` — is refused."""
    version = factories.VersionFactory(kind="blank", stem="Fill ___")
    create(version)
    row = model.objects.filter(
        **({"pk": version.pk} if model is QuestionVersion else {"version": version})
    )
    assert row.exists()
    column = "stem" if model is QuestionVersion else "text"
    rejects(lambda: row.update(**{column: "changed"}))


def test_saving_an_existing_version_raises():
    version = factories.VersionFactory()
    version.stem = "changed"
    with pytest.raises(ValueError, match="immutable"):
        version.save()


def test_version_used_by_an_attempt_cannot_be_deleted(attempt):
    _attempt, item = attempt
    with pytest.raises(ProtectedError):
        item.question_version.delete()
    with pytest.raises(ProtectedError):
        item.question_version.question.delete()


def test_finished_score_cannot_change_without_an_audit_row():
    done = finished_attempt()
    rejects(lambda: Attempt.objects.filter(pk=done.pk).update(score=Decimal(2)))
    done.refresh_from_db()
    assert done.score == Decimal(1)


def test_finished_score_changes_with_a_matching_audit_row(superuser):
    done = finished_attempt()
    with transaction.atomic():
        ScoreChange.objects.create(
            attempt=done,
            old_score=Decimal(1),
            new_score=Decimal(2),
            reason="Key of question 3 was wrong",
            changed_by=superuser,
        )
        Attempt.objects.filter(pk=done.pk).update(score=Decimal(2))
    done.refresh_from_db()
    assert done.score == Decimal(2)


def test_finished_attempt_cannot_be_reopened():
    done = finished_attempt()
    rejects(
        lambda: Attempt.objects.filter(pk=done.pk).update(
            state=Attempt.State.IN_PROGRESS, finished_at=None, score=None
        )
    )


def test_score_change_needs_a_reason(superuser):
    done = finished_attempt()
    rejects(
        lambda: ScoreChange.objects.create(
            attempt=done, old_score=1, new_score=2, reason="", changed_by=superuser
        )
    )


def test_quiz_settings_checks(organizer):
    rejects(lambda: Quiz.objects.create(owner=organizer, title="q", pass_mark=Decimal(101)))
    rejects(lambda: Quiz.objects.create(owner=organizer, title="q", pass_mark=Decimal(-1)))
    rejects(lambda: Quiz.objects.create(owner=organizer, title="q", time_limit=timedelta(0)))
    rejects(lambda: Quiz.objects.create(owner=organizer, title="q", grading_method="median"))


def test_slot_positions_and_questions_unique_points_positive(organizer):
    quiz = factories.QuizFactory(owner=organizer)
    version = factories.VersionFactory()
    QuizSlot.objects.create(quiz=quiz, position=1, question=version.question)
    other = factories.VersionFactory()
    rejects(lambda: QuizSlot.objects.create(quiz=quiz, position=1, question=other.question))
    rejects(lambda: QuizSlot.objects.create(quiz=quiz, position=2, question=version.question))
    rejects(
        lambda: QuizSlot.objects.create(quiz=quiz, position=3, question=other.question, points=0)
    )


def test_assignment_due_after_open(group, organizer):
    quiz = factories.QuizFactory(owner=organizer)
    now = timezone.now()
    rejects(
        lambda: factories.AssignmentFactory(
            quiz=quiz, group=group, opens_at=now, due_at=now - timedelta(hours=1)
        )
    )


def test_group_cannot_be_its_own_parent(group):
    rejects(lambda: StudyGroup.objects.filter(pk=group.pk).update(parent=group))


def test_group_with_children_cannot_be_deleted(group, organizer):
    factories.GroupFactory(parent=group, created_by=organizer)
    with pytest.raises(ProtectedError):
        group.delete()


def test_membership_role_checked(group):
    rejects(lambda: factories.MembershipFactory(group=group, role="owner"))


def test_document_text_unique_per_bank_and_language_checked():
    document = factories.DocumentFactory()
    rejects(lambda: factories.DocumentFactory(bank=document.bank, checksum=document.checksum))
    rejects(lambda: factories.DocumentFactory(language="fr"))


def test_key_point_offsets_ordered_and_ordinal_unique():
    point = factories.KeyPointFactory()
    rejects(lambda: factories.KeyPointFactory(document=point.document, ordinal=point.ordinal))
    rejects(lambda: factories.KeyPointFactory(start_offset=10, end_offset=10))
    rejects(lambda: factories.KeyPointFactory(score=-1))


def test_shown_choices_unique_per_item(attempt):
    _attempt, item = attempt
    choice = Choice.objects.create(version=item.question_version, ordinal=1, text="A")
    other = Choice.objects.create(version=item.question_version, ordinal=2, text="B")
    AttemptChoice.objects.create(item=item, choice=choice, position=1)
    rejects(lambda: AttemptChoice.objects.create(item=item, choice=choice, position=2))
    rejects(lambda: AttemptChoice.objects.create(item=item, choice=other, position=1))


def test_blank_responses_unique_per_blank(attempt):
    _attempt, item = attempt
    AttemptBlank.objects.create(item=item, blank=1, response="x")
    rejects(lambda: AttemptBlank.objects.create(item=item, blank=1, response="y"))
