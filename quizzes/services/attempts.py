"""Writes for attempts: start, save an answer, finish, and the learner's result row.

The server clock decides. Every write runs in ``transaction.atomic`` with the attempt row
locked (``select_for_update``), so a double click, two tabs or two devices cannot create
two open attempts, finish one twice or overwrite a newer answer with an older one.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quizzes import grading
from quizzes.models import (
    Assignment,
    AssignmentResult,
    Attempt,
    AttemptBlank,
    AttemptChoice,
    AttemptItem,
    Question,
    QuestionKind,
    QuestionVersion,
    Quiz,
    User,
)
from quizzes.selectors.access import group_ids_with_ancestors

SCORE_QUANTUM = Decimal("0.0001")


class AttemptError(Exception):
    """A refused attempt operation, with a message fit to show the learner."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _grace() -> timedelta:
    return timedelta(seconds=settings.STUDYAPP_ATTEMPT_GRACE_SECONDS)


def _versions_for_quiz(quiz: Quiz) -> list[tuple]:
    """(slot, version) for each slot: the pinned version, or the newest version of a
    published question. Slots whose question is not published and not pinned are skipped."""
    slots = list(quiz.slots.select_related("question", "pinned_version").order_by("position"))
    newest = {
        row["question_id"]: row["n"]
        for row in QuestionVersion.objects.filter(
            question_id__in=[s.question_id for s in slots if s.pinned_version_id is None]
        )
        .values("question_id")
        .annotate(n=Max("number"))
    }
    versions = {
        (v.question_id, v.number): v
        for v in QuestionVersion.objects.filter(
            question_id__in=list(newest), number__in=set(newest.values())
        )
    }
    chosen = []
    for slot in slots:
        if slot.pinned_version_id is not None:
            chosen.append((slot, slot.pinned_version))
        elif slot.question.status == Question.Status.PUBLISHED and slot.question_id in newest:
            chosen.append((slot, versions[(slot.question_id, newest[slot.question_id])]))
    return chosen


def attempt_start(
    *,
    assignment: Assignment,
    user: User,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> Attempt:
    """Start an attempt, or return the learner's open one (double clicks, two tabs).

    Fixes the question order, the exact versions and the choice order at start."""
    now = now or timezone.now()
    rng = rng or random.SystemRandom()
    _own, reachable = group_ids_with_ancestors(user=user)
    if assignment.group_id not in reachable:
        raise AttemptError("not_assigned", _("This quiz is not assigned to any of your groups."))
    open_attempt = Attempt.objects.filter(
        assignment=assignment, user=user, state=Attempt.State.IN_PROGRESS
    ).first()
    if open_attempt is not None:
        return open_attempt
    if now < assignment.opens_at:
        raise AttemptError("not_open", _("This assignment is not open yet."))
    if now >= assignment.due_at:
        raise AttemptError("closed", _("This assignment is closed."))
    quiz = assignment.quiz
    try:
        with transaction.atomic():
            done = Attempt.objects.filter(assignment=assignment, user=user).aggregate(
                n=Max("number")
            )["n"]
            number = (done or 0) + 1
            if quiz.attempts_allowed and number > quiz.attempts_allowed:
                raise AttemptError(
                    "no_attempts_left", _("You have used all the attempts this quiz allows.")
                )
            chosen = _versions_for_quiz(quiz)
            if not chosen:
                raise AttemptError("empty_quiz", _("This quiz has no questions yet."))
            if quiz.shuffle_questions:
                rng.shuffle(chosen)
            deadline = assignment.due_at
            if quiz.time_limit is not None:
                deadline = min(deadline, now + quiz.time_limit)
            attempt = Attempt.objects.create(
                assignment=assignment,
                user=user,
                number=number,
                started_at=now,
                deadline=deadline,
                max_score=sum((slot.points for slot, _v in chosen), Decimal(0)),
            )
            items = AttemptItem.objects.bulk_create(
                AttemptItem(
                    attempt=attempt,
                    position=position,
                    slot=slot,
                    question_id=version.question_id,
                    question_version=version,
                    points=slot.points,
                )
                for position, (slot, version) in enumerate(chosen, start=1)
            )
            choices_by_version: dict[int, list] = {}
            for version in QuestionVersion.objects.filter(
                pk__in=[v.pk for _s, v in chosen]
            ).prefetch_related("choices"):
                choices_by_version[version.pk] = list(version.choices.all())
            shown = []
            for item in items:
                choices = choices_by_version[item.question_version_id]
                if quiz.shuffle_choices and item.question_version.kind != QuestionKind.TRUE_FALSE:
                    rng.shuffle(choices)
                shown.extend(
                    AttemptChoice(item=item, choice=choice, position=position)
                    for position, choice in enumerate(choices, start=1)
                )
            AttemptChoice.objects.bulk_create(shown)
            return attempt
    except IntegrityError:
        # Another request started the attempt between our check and our insert.
        open_attempt = Attempt.objects.filter(
            assignment=assignment, user=user, state=Attempt.State.IN_PROGRESS
        ).first()
        if open_attempt is None:
            raise
        return open_attempt


def attempt_save_answer(
    *,
    attempt: Attempt,
    position: int,
    sequence: int,
    selected_choice_ids: Sequence[int] = (),
    blanks: Sequence[str] = (),
    now: datetime | None = None,
) -> AttemptItem:
    """Save the answer to one item. ``sequence`` must be newer than the item's last save:
    a stale page (back button, second tab) is refused and never overwrites."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.state != Attempt.State.IN_PROGRESS:
            raise AttemptError("finished", _("This attempt is already finished."))
        if attempt.deadline is not None and now > attempt.deadline + _grace():
            raise AttemptError(
                "expired", _("Time is up: answers given after the deadline are not saved.")
            )
        try:
            item = attempt.items.select_related("question_version").get(position=position)
        except AttemptItem.DoesNotExist:
            raise AttemptError("no_item", _("This attempt has no such question.")) from None
        if sequence <= item.sequence:
            raise AttemptError(
                "stale",
                _(
                    "A newer answer to this question was already saved (from another tab "
                    "or device). Reload the page to see it."
                ),
            )
        kind = item.question_version.kind
        if kind == QuestionKind.BLANK:
            AttemptBlank.objects.filter(item=item).delete()
            AttemptBlank.objects.bulk_create(
                AttemptBlank(item=item, blank=index, response=text[:500])
                for index, text in enumerate(blanks, start=1)
            )
        else:
            shown = {c.choice_id for c in item.choices.all()}
            chosen = set(selected_choice_ids)
            if not chosen <= shown:
                raise AttemptError("bad_choice", _("That choice is not part of this question."))
            if kind != QuestionKind.MULTIPLE and len(chosen) > 1:
                raise AttemptError("one_choice", _("Choose only one answer for this question."))
            item.choices.update(selected=False)
            if chosen:
                item.choices.filter(choice_id__in=chosen).update(selected=True)
        item.sequence = sequence
        item.answered_at = now
        item.save(update_fields=["sequence", "answered_at"])
        return item


def _to_score(fraction: Fraction, points: Decimal) -> Decimal:
    value = Decimal(fraction.numerator) / Decimal(fraction.denominator) * points
    return min(points, value.quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP))


def item_grade(item: AttemptItem) -> Decimal:
    """Grade one item from its stored response against its pinned version's key."""
    version = item.question_version
    if version.kind == QuestionKind.BLANK:
        accepted: dict[int, list[str]] = {}
        for answer in version.blank_answers.all():
            accepted.setdefault(answer.blank, []).append(answer.text)
        responses = {b.blank: b.response for b in item.blanks.all()}
        fraction = grading.grade_blanks(
            [responses.get(index, "") for index in sorted(accepted)],
            [accepted[index] for index in sorted(accepted)],
        )
    else:
        selected = {c.choice_id for c in item.choices.all() if c.selected}
        correct = {c.pk for c in version.choices.all() if c.is_correct}
        if version.kind == QuestionKind.MULTIPLE:
            fraction = grading.grade_multiple(selected, correct)
        else:
            fraction = grading.grade_single(selected, next(iter(correct), -1))
    return _to_score(fraction, item.points)


def attempt_finish(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Finish and grade an attempt. Finishing twice returns the first result unchanged.
    Past the deadline, the attempt is finished as of its deadline."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.state != Attempt.State.IN_PROGRESS:
            return attempt
        items = list(
            attempt.items.select_related("question_version").prefetch_related(
                "choices",
                "blanks",
                Prefetch("question_version__choices"),
                Prefetch("question_version__blank_answers"),
            )
        )
        total = Decimal(0)
        for item in items:
            item.score = item_grade(item)
            total += item.score
        AttemptItem.objects.bulk_update(items, ["score"])
        finished_at = now
        if attempt.deadline is not None and now > attempt.deadline:
            finished_at = attempt.deadline
        attempt.state = Attempt.State.FINISHED
        attempt.finished_at = finished_at
        attempt.score = min(total, attempt.max_score)
        attempt.save(update_fields=["state", "finished_at", "score"])
        assignment_result_refresh(assignment=attempt.assignment, user=attempt.user)
        return attempt


def assignment_result_refresh(*, assignment: Assignment, user: User) -> AssignmentResult:
    """Recompute a learner's result row from their finished attempts by the quiz's
    grading method (highest / last / first / average of the percentages)."""
    quiz = assignment.quiz
    finished = list(
        Attempt.objects.filter(
            assignment=assignment, user=user, state=Attempt.State.FINISHED
        ).order_by("number")
    )
    first_started = (
        Attempt.objects.filter(assignment=assignment, user=user)
        .order_by("started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    score = percent = passed = None
    max_score = Decimal(0)
    if finished:
        method = quiz.grading_method
        if method == Quiz.GradingMethod.AVERAGE:
            score = sum((a.score for a in finished), Decimal(0)) / len(finished)
            max_score = sum((a.max_score for a in finished), Decimal(0)) / len(finished)
        else:
            if method == Quiz.GradingMethod.FIRST:
                chosen = finished[0]
            elif method == Quiz.GradingMethod.LAST:
                chosen = finished[-1]
            else:
                chosen = max(finished, key=lambda a: (a.percent or 0, -a.number))
            score, max_score = chosen.score, chosen.max_score
        score = score.quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP)
        max_score = max_score.quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP)
        score = min(score, max_score)
        percent = (score * 100 / max_score).quantize(SCORE_QUANTUM) if max_score else Decimal(0)
        passed = percent >= quiz.pass_mark
    result, _created = AssignmentResult.objects.update_or_create(
        assignment=assignment,
        user=user,
        defaults={
            "attempts_finished": len(finished),
            "score": score,
            "max_score": max_score,
            "percent": percent,
            "passed": passed,
            "first_started_at": first_started,
            "last_finished_at": max((a.finished_at for a in finished), default=None),
        },
    )
    return result
