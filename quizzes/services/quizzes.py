"""Writes for quizzes, their slots and assignments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from quizzes.models import Assignment, Question, QuestionVersion, Quiz, QuizSlot, StudyGroup, User


def quiz_create(*, owner: User, title: str, **options) -> Quiz:
    """Create a quiz; ``options`` are Quiz fields (time_limit, attempts_allowed, …)."""
    quiz = Quiz(owner=owner, title=title, **options)
    quiz.full_clean()
    quiz.save()
    return quiz


@transaction.atomic
def quiz_add_question(
    *,
    quiz: Quiz,
    question: Question,
    points: Decimal | int = 1,
    pinned_version: QuestionVersion | None = None,
) -> QuizSlot:
    """Append a question to a quiz, following its newest version unless one is pinned."""
    if pinned_version is not None and pinned_version.question_id != question.pk:
        raise ValidationError(_("The pinned version belongs to another question."))
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    position = (quiz.slots.aggregate(p=Max("position"))["p"] or 0) + 1
    slot = QuizSlot(
        quiz=quiz,
        position=position,
        question=question,
        pinned_version=pinned_version,
        points=Decimal(points),
    )
    slot.full_clean()
    slot.save()
    return slot


def assignment_create(
    *, quiz: Quiz, group: StudyGroup, opens_at: datetime, due_at: datetime, created_by: User
) -> Assignment:
    assignment = Assignment(
        quiz=quiz, group=group, opens_at=opens_at, due_at=due_at, created_by=created_by
    )
    assignment.full_clean()  # includes the due-after-open constraint, with its message
    assignment.save()
    return assignment
