"""Writes for quizzes, their slots and assignments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from quizzes.models import (
    Assignment,
    KeyPoint,
    Question,
    QuestionBank,
    QuestionVersion,
    Quiz,
    QuizSlot,
    StudyGroup,
    User,
)
from quizzes.selectors.groups import groups_below_others
from quizzes.selectors.quizzes import assignable_groups, rule_match_count

# The settings an organizer edits on the quiz form; owner and timestamps are not among them.
QUIZ_SETTINGS = frozenset(
    {
        "title",
        "description",
        "time_limit",
        "attempts_allowed",
        "pass_mark",
        "shuffle_questions",
        "shuffle_choices",
        "grading_method",
        "feedback_timing",
    }
)


def quiz_create(*, owner: User, title: str, **options) -> Quiz:
    """Create a quiz; ``options`` are Quiz fields (time_limit, attempts_allowed, …)."""
    quiz = Quiz(owner=owner, title=title, **options)
    quiz.full_clean()
    quiz.save()
    return quiz


def quiz_update(*, quiz: Quiz, **settings) -> Quiz:
    """Change a quiz's settings (``QUIZ_SETTINGS``). Attempts already started keep the
    questions and deadline they started with."""
    unknown = set(settings) - QUIZ_SETTINGS
    if unknown:
        raise TypeError(f"not quiz settings: {sorted(unknown)}")
    for name, value in settings.items():
        setattr(quiz, name, value)
    quiz.full_clean()
    quiz.save(update_fields=[*sorted(settings), "updated_at"])
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


@transaction.atomic
def quiz_add_questions(
    *,
    quiz: Quiz,
    questions: Iterable[Question],
    pin_current: bool = False,
    points: Decimal | int = 1,
) -> list[QuizSlot]:
    """Append several questions in the order given; those already in the quiz are skipped.

    With ``pin_current`` each new slot is pinned to its question's newest version, so
    later edits of the question do not change the quiz."""
    questions = list(questions)
    already = set(
        QuizSlot.objects.filter(quiz=quiz, question__in=questions).values_list(
            "question_id", flat=True
        )
    )
    newest: dict[int, QuestionVersion] = {}
    if pin_current:
        for version in QuestionVersion.objects.filter(question__in=questions).order_by("number"):
            newest[version.question_id] = version
    slots = []
    for question in questions:
        if question.pk in already:
            continue
        already.add(question.pk)
        slots.append(
            quiz_add_question(
                quiz=quiz,
                question=question,
                points=points,
                pinned_version=newest.get(question.pk) if pin_current else None,
            )
        )
    return slots


@transaction.atomic
def quiz_add_rule(
    *,
    quiz: Quiz,
    bank: QuestionBank,
    draw_count: int,
    key_point: KeyPoint | None = None,
    kind: str = "",
    difficulty: int | None = None,
    points: Decimal | int = 1,
) -> QuizSlot:
    """Append a rule: "draw ``draw_count`` random published questions of ``bank``
    matching the key point, kind and difficulty given", drawn anew for each attempt.

    Refused when fewer questions match now than the rule draws."""
    if (
        key_point is not None
        and not KeyPoint.objects.filter(pk=key_point.pk, document__bank_id=bank.pk).exists()
    ):
        raise ValidationError(
            {"key_point": _("The key point must come from a document of the chosen bank.")}
        )
    matching = rule_match_count(
        bank_id=bank.pk,
        key_point_id=key_point.pk if key_point else None,
        kind=kind,
        difficulty=difficulty,
    )
    if matching < draw_count:
        raise ValidationError(
            ngettext_lazy(
                "Only %(matching)s published question matches these filters; the rule "
                "cannot draw %(count)s.",
                "Only %(matching)s published questions match these filters; the rule "
                "cannot draw %(count)s.",
                "matching",
            )
            % {"matching": matching, "count": draw_count},
            code="too_few_matches",
        )
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    position = (quiz.slots.aggregate(p=Max("position"))["p"] or 0) + 1
    slot = QuizSlot(
        quiz=quiz,
        position=position,
        points=Decimal(points),
        draw_count=draw_count,
        draw_bank=bank,
        draw_key_point=key_point,
        draw_kind=kind,
        draw_difficulty=difficulty,
    )
    slot.full_clean()
    slot.save()
    return slot


def _renumber(*, quiz: Quiz, slot_ids: Sequence[int]) -> None:
    """Give the slots positions 1, 2, … in the order of ``slot_ids``.

    Positions are unique per quiz and the constraint is checked row by row, so the slots
    first move above every position in use, then down to their places."""
    top = quiz.slots.aggregate(p=Max("position"))["p"] or 0
    quiz.slots.update(position=F("position") + top + 1)
    slots = {slot.pk: slot for slot in quiz.slots.all()}
    for position, pk in enumerate(slot_ids, start=1):
        slots[pk].position = position
    QuizSlot.objects.bulk_update([slots[pk] for pk in slot_ids], ["position"])


@transaction.atomic
def quiz_slots_reorder(*, quiz: Quiz, slot_ids: Sequence[int]) -> None:
    """Put the quiz's slots in the order of ``slot_ids``, which must name each slot of
    the quiz exactly once."""
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    current = set(quiz.slots.values_list("pk", flat=True))
    if len(slot_ids) != len(current) or set(slot_ids) != current:
        raise ValidationError(_("The new order must list every slot of the quiz once."))
    _renumber(quiz=quiz, slot_ids=list(slot_ids))


@transaction.atomic
def quiz_slot_move(*, slot: QuizSlot, offset: int) -> None:
    """Move a slot ``offset`` places (-1 up, +1 down); at either end it stays put."""
    quiz = Quiz.objects.select_for_update().get(pk=slot.quiz_id)
    order = list(quiz.slots.order_by("position").values_list("pk", flat=True))
    index = order.index(slot.pk)
    target = min(max(index + offset, 0), len(order) - 1)
    if target == index:
        return
    order.insert(target, order.pop(index))
    _renumber(quiz=quiz, slot_ids=order)


@transaction.atomic
def quiz_slot_remove(*, slot: QuizSlot) -> None:
    """Remove a slot and close the gap. Attempts that showed it keep their items."""
    quiz = Quiz.objects.select_for_update().get(pk=slot.quiz_id)
    QuizSlot.objects.filter(pk=slot.pk, quiz=quiz).delete()
    _renumber(
        quiz=quiz, slot_ids=list(quiz.slots.order_by("position").values_list("pk", flat=True))
    )


def quiz_slot_set_points(*, slot: QuizSlot, points: Decimal) -> QuizSlot:
    """Set the points of each question the slot shows."""
    slot.points = points
    slot.full_clean()
    slot.save(update_fields=["points"])
    return slot


def quiz_slot_pin(*, slot: QuizSlot, pin: bool) -> QuizSlot:
    """Pin a fixed slot to its question's newest version, or let it follow the newest
    published version again."""
    if slot.is_rule:
        raise ValidationError(_("A random-draw rule cannot be pinned to a version."))
    slot.pinned_version = (
        QuestionVersion.objects.filter(question_id=slot.question_id).order_by("-number").first()
        if pin
        else None
    )
    slot.full_clean()
    slot.save(update_fields=["pinned_version"])
    return slot


@transaction.atomic
def quiz_assign(
    *,
    quiz: Quiz,
    groups: Sequence[StudyGroup],
    opens_at: datetime,
    due_at: datetime,
    assigned_by: User,
) -> list[Assignment]:
    """Assign a quiz to one or more groups that ``assigned_by`` organizes (directly or
    from a group above; staff to any group), all or nothing.

    An assignment reaches every group below its group, so a chosen group below another
    chosen group adds nothing: one assignment is made per chosen group that has no chosen
    group above it. Returns them in the order the groups were given.
    """
    chosen = list(dict.fromkeys(group.pk for group in groups))
    if not chosen:
        raise ValidationError({"groups": _("Choose at least one group.")}, code="no_group")
    allowed = set(
        assignable_groups(user=assigned_by).filter(pk__in=chosen).values_list("pk", flat=True)
    )
    if allowed != set(chosen):
        raise ValidationError(
            {"groups": _("You can only assign quizzes to groups you organize.")},
            code="not_organizer",
        )
    covered = groups_below_others(group_ids=chosen)
    by_pk = {group.pk: group for group in groups}
    return [
        assignment_create(
            quiz=quiz, group=by_pk[pk], opens_at=opens_at, due_at=due_at, created_by=assigned_by
        )
        for pk in chosen
        if pk not in covered
    ]


def assignment_create(
    *, quiz: Quiz, group: StudyGroup, opens_at: datetime, due_at: datetime, created_by: User
) -> Assignment:
    assignment = Assignment(
        quiz=quiz, group=group, opens_at=opens_at, due_at=due_at, created_by=created_by
    )
    assignment.full_clean()  # includes the due-after-open constraint, with its message
    assignment.save()
    return assignment
