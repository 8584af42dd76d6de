"""Writes for quizzes, their slots and assignments.

A quiz holds at most one fixed question per key point: questions on one key point
(*siblings*) come from the same passage, so one can give another away. Adding a sibling of
a fixed question is refused (``quiz_add_question``) or left out (``quiz_add_questions``);
to use the other one, remove the first. A rule is refused when an attempt could draw
fewer of its matching questions than it asks for (one per key point). Quizzes that already
hold two siblings (built before this rule, or a question's key point changed later) are
left as they are: the builder lists them with a warning, and attempts show only the first
of them (``services.attempts``), so the organizer chooses which one to keep.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Subquery
from django.db.models.functions import Coalesce
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
from quizzes.presentation import short_stem
from quizzes.selectors.groups import groups_below_others
from quizzes.selectors.quizzes import assignable_groups, rule_match

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


def _key_points_held(quiz: Quiz) -> dict[int, tuple[int, str]]:
    """Key point → (position, stem) of the first fixed slot of ``quiz`` on it; the stem is
    the one the slot shows (its pinned version, else the newest). One query."""
    newest = QuestionVersion.objects.newest_for("question_id").values("stem")[:1]
    held: dict[int, tuple[int, str]] = {}
    for key_point_id, position, stem in (
        quiz.slots.filter(question__key_point__isnull=False)
        .annotate(stem=Coalesce(F("pinned_version__stem"), Subquery(newest)))
        .order_by("position")
        .values_list("question__key_point_id", "position", "stem")
    ):
        held.setdefault(key_point_id, (position, stem or ""))
    return held


def _append_slot(
    *,
    quiz: Quiz,
    position: int,
    question: Question,
    points: Decimal | int,
    pinned_version: QuestionVersion | None,
) -> QuizSlot:
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


def _next_position(quiz: Quiz) -> int:
    return (quiz.slots.aggregate(p=Max("position"))["p"] or 0) + 1


@transaction.atomic
def quiz_add_question(
    *,
    quiz: Quiz,
    question: Question,
    points: Decimal | int = 1,
    pinned_version: QuestionVersion | None = None,
) -> QuizSlot:
    """Append a question to a quiz, following its newest version unless one is pinned.

    Refused when a fixed question of the quiz is on the same key point (a sibling), with a
    message naming it."""
    if pinned_version is not None and pinned_version.question_id != question.pk:
        raise ValidationError(_("The pinned version belongs to another question."))
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if question.key_point_id is not None:
        sibling = _key_points_held(quiz).get(question.key_point_id)
        if sibling is not None and not quiz.slots.filter(question=question).exists():
            position, sibling_stem = sibling
            stem = question.versions.order_by("-number").values_list("stem", flat=True).first()
            raise ValidationError(
                _(
                    "“%(stem)s” is on the same key point as question %(position)s of this "
                    "quiz, “%(sibling)s”. Questions on one key point come from the same "
                    "passage and give each other away, so a quiz holds only one of them. "
                    "To use this one instead, remove question %(position)s first."
                ),
                code="sibling_in_quiz",
                params={
                    "stem": short_stem(stem or ""),
                    "position": position,
                    "sibling": short_stem(sibling_stem),
                },
            )
    return _append_slot(
        quiz=quiz,
        position=_next_position(quiz),
        question=question,
        points=points,
        pinned_version=pinned_version,
    )


@dataclass(frozen=True)
class LeftOut:
    """A question ``quiz_add_questions`` did not add because the quiz holds a question on
    the same key point, at ``sibling_position``: there already, or added just before it."""

    question: Question
    stem: str
    sibling_position: int
    sibling_stem: str


@dataclass(frozen=True)
class QuestionsAdded:
    """What ``quiz_add_questions`` did: the new slots, in order, and the siblings it left
    out."""

    slots: list[QuizSlot]
    left_out: list[LeftOut]


@transaction.atomic
def quiz_add_questions(
    *,
    quiz: Quiz,
    questions: Iterable[Question],
    pin_current: bool = False,
    points: Decimal | int = 1,
) -> QuestionsAdded:
    """Append several questions in the order given. Those already in the quiz are
    skipped, and so is each one on the key point of a fixed question of the quiz or of
    one added before it here: the first of each key point is kept, the others are
    returned as ``left_out``.

    With ``pin_current`` each new slot is pinned to its question's newest version, so
    later edits of the question do not change the quiz."""
    questions = list(questions)
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    already = set(
        QuizSlot.objects.filter(quiz=quiz, question__in=questions).values_list(
            "question_id", flat=True
        )
    )
    held = _key_points_held(quiz)
    newest: dict[int, QuestionVersion] = {}
    for version in QuestionVersion.objects.filter(question__in=questions).order_by("number"):
        newest[version.question_id] = version
    position = _next_position(quiz)
    slots: list[QuizSlot] = []
    left_out: list[LeftOut] = []
    for question in questions:
        if question.pk in already:
            continue
        already.add(question.pk)
        stem = newest[question.pk].stem if question.pk in newest else ""
        key_point_id = question.key_point_id
        if key_point_id is not None and key_point_id in held:
            sibling_position, sibling_stem = held[key_point_id]
            left_out.append(LeftOut(question, stem, sibling_position, sibling_stem))
            continue
        slots.append(
            _append_slot(
                quiz=quiz,
                position=position,
                question=question,
                points=points,
                pinned_version=newest.get(question.pk) if pin_current else None,
            )
        )
        if key_point_id is not None:
            held[key_point_id] = (position, stem)
        position += 1
    return QuestionsAdded(slots=slots, left_out=left_out)


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

    Refused when fewer questions match now than the rule draws, or when an attempt could
    draw fewer of them than that: one per key point, none fixed in the quiz and none on
    the key point of a fixed question (see ``RuleMatch``)."""
    if (
        key_point is not None
        and not KeyPoint.objects.filter(pk=key_point.pk, document__bank_id=bank.pk).exists()
    ):
        raise ValidationError(
            {"key_point": _("The key point must come from a document of the chosen bank.")}
        )
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    match = rule_match(
        quiz_id=quiz.pk,
        bank_id=bank.pk,
        key_point_id=key_point.pk if key_point else None,
        kind=kind,
        difficulty=difficulty,
    )
    if match.questions < draw_count:
        raise ValidationError(
            ngettext_lazy(
                "Only %(matching)s published question matches these filters; the rule "
                "cannot draw %(count)s.",
                "Only %(matching)s published questions match these filters; the rule "
                "cannot draw %(count)s.",
                "matching",
            )
            % {"matching": match.questions, "count": draw_count},
            code="too_few_matches",
        )
    if match.groups < draw_count:
        raise ValidationError(
            ngettext_lazy(
                "%(matching)s published question matches these filters, but an attempt "
                "can draw only %(groups)s from them: questions on one key point give each "
                "other away, so an attempt takes one question per key point, and none that "
                "this quiz holds or that shares a key point with one it holds. The rule "
                "cannot draw %(count)s.",
                "%(matching)s published questions match these filters, but an attempt "
                "can draw only %(groups)s from them: questions on one key point give each "
                "other away, so an attempt takes one question per key point, and none that "
                "this quiz holds or that shares a key point with one it holds. The rule "
                "cannot draw %(count)s.",
                "matching",
            )
            % {"matching": match.questions, "groups": match.groups, "count": draw_count},
            code="too_few_key_points",
        )
    slot = QuizSlot(
        quiz=quiz,
        position=_next_position(quiz),
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
    from a group above; a site-wide organizer to any group), all or nothing.

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
