"""Regrading on purpose: after an organizer fixes a wrong key (a new question version),
they may move one assignment's attempts to that version and regrade them.

``regrade_preview`` says which finished attempts change and by how much, writing nothing;
``regrade_apply`` does it in one transaction, with the attempts locked, and leaves a
``Regrade`` row plus one ``ScoreChange`` audit row per changed attempt (the database refuses
a finished score change without one). Nothing else ever changes a finished score.

Learners' responses carry over by position: choice *n* of the old version is choice *n*
of the new one, blank *n* is blank *n*. So the new version must be of the same kind with
the same number of choices (or blanks); otherwise the regrade is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from quizzes.grading import item_grade
from quizzes.models import (
    Assignment,
    Attempt,
    AttemptChoice,
    AttemptItem,
    Question,
    QuestionVersion,
    Regrade,
    ScoreChange,
    User,
)
from quizzes.services.attempts import assignment_result_refresh


class RegradeError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RegradeChange:
    """How one attempt's item (and so the attempt) changes."""

    attempt_id: int
    attempt_number: int
    learner: str
    from_version: int
    old_item_score: Decimal | None
    new_item_score: Decimal | None
    old_score: Decimal | None
    new_score: Decimal | None
    finished: bool

    @property
    def delta(self) -> Decimal:
        if self.old_score is None or self.new_score is None:
            return Decimal(0)
        return self.new_score - self.old_score

    @property
    def changes_score(self) -> bool:
        return self.finished and self.delta != 0


def _check_compatible(old: QuestionVersion, new: QuestionVersion) -> None:
    if old.kind != new.kind:
        raise RegradeError(
            _(
                "Version %(new)s is a different kind of question than version %(old)s; "
                "answers cannot be carried over."
            )
            % {"new": new.number, "old": old.number}
        )
    if len(old.choices.all()) != len(new.choices.all()):
        raise RegradeError(
            _(
                "Version %(new)s has a different number of choices than version %(old)s; "
                "answers cannot be carried over."
            )
            % {"new": new.number, "old": old.number}
        )
    old_blanks = {a.blank for a in old.blank_answers.all()}
    new_blanks = {a.blank for a in new.blank_answers.all()}
    if old_blanks != new_blanks:
        raise RegradeError(
            _(
                "Version %(new)s has a different number of blanks than version %(old)s; "
                "answers cannot be carried over."
            )
            % {"new": new.number, "old": old.number}
        )


def _items(assignment: Assignment, question: Question, *, lock: bool) -> list[AttemptItem]:
    items = (
        AttemptItem.objects.filter(attempt__assignment=assignment, question=question)
        .exclude(attempt__state=Attempt.State.ABANDONED)
        .select_related("attempt__user", "question_version")
        .prefetch_related(
            Prefetch("choices", queryset=AttemptChoice.objects.select_related("choice")),
            "blanks",
            "question_version__choices",
            "question_version__blank_answers",
        )
        .order_by("attempt_id")
    )
    if lock:
        # Lock the attempts (not the joined rows) so saves and finishes wait for us.
        attempt_ids = list(
            Attempt.objects.select_for_update()
            .filter(assignment=assignment, items__question=question)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        items = items.filter(attempt_id__in=attempt_ids)
    return list(items)


def _target(question: Question, to_version: QuestionVersion) -> QuestionVersion:
    if to_version.question_id != question.pk:
        raise RegradeError(_("That version belongs to another question."))
    return QuestionVersion.objects.prefetch_related("choices", "blank_answers").get(
        pk=to_version.pk
    )


def _regraded(item: AttemptItem, target: QuestionVersion) -> tuple[AttemptItem, list]:
    """The item as it would be under ``target``: its version swapped and its shown choices
    mapped by position. Returns the (unsaved) item and the remapped shown choices."""
    new_by_ordinal = {c.ordinal: c for c in target.choices.all()}
    remapped = []
    for shown in item.choices.all():
        shown.choice = new_by_ordinal[shown.choice.ordinal]
        remapped.append(shown)
    item.question_version = target
    # item_grade reads prefetched rows; give it the remapped ones.
    item._prefetched_objects_cache["choices"] = remapped
    return item, remapped


def _plan(
    items: list[AttemptItem], target: QuestionVersion
) -> list[tuple[AttemptItem, list, RegradeChange]]:
    planned = []
    for item in items:
        if item.question_version_id == target.pk:
            continue
        _check_compatible(item.question_version, target)
        attempt = item.attempt
        from_version = item.question_version.number
        old_item_score = item.score
        item, remapped = _regraded(item, target)
        finished = attempt.state == Attempt.State.FINISHED
        new_item_score = item_grade(item) if finished else None
        new_score = old_score = attempt.score
        if finished:
            new_score = min(
                attempt.max_score, attempt.score - (old_item_score or 0) + new_item_score
            )
        planned.append(
            (
                item,
                remapped,
                RegradeChange(
                    attempt_id=attempt.pk,
                    attempt_number=attempt.number,
                    learner=str(attempt.user),
                    from_version=from_version,
                    old_item_score=old_item_score,
                    new_item_score=new_item_score,
                    old_score=old_score,
                    new_score=new_score,
                    finished=finished,
                ),
            )
        )
    return planned


def regrade_preview(
    *, assignment: Assignment, question: Question, to_version: QuestionVersion
) -> list[RegradeChange]:
    """What ``regrade_apply`` would change, attempt by attempt. Writes nothing."""
    target = _target(question, to_version)
    return [change for _i, _c, change in _plan(_items(assignment, question, lock=False), target)]


@transaction.atomic
def regrade_apply(
    *,
    assignment: Assignment,
    question: Question,
    to_version: QuestionVersion,
    reason: str,
    regraded_by: User,
) -> Regrade:
    """Move this assignment's attempts to ``to_version`` and regrade the finished ones,
    with an audit row per changed score. Other assignments are not touched."""
    reason = reason.strip()
    if not reason:
        raise RegradeError(_("Say why you are regrading; the reason is kept with each change."))
    target = _target(question, to_version)
    planned = _plan(_items(assignment, question, lock=True), target)
    if not planned:
        raise RegradeError(_("No attempt of this assignment uses an older version of it."))
    regrade = Regrade.objects.create(
        assignment=assignment,
        question=question,
        to_version=target,
        reason=reason,
        created_by=regraded_by,
    )
    items, shown_choices, learners = [], [], set()
    for item, remapped, change in planned:
        item.score = change.new_item_score if change.finished else None
        items.append(item)
        shown_choices.extend(remapped)
        if change.changes_score:
            ScoreChange.objects.create(
                attempt_id=change.attempt_id,
                regrade=regrade,
                old_score=change.old_score,
                new_score=change.new_score,
                reason=reason,
                changed_by=regraded_by,
            )
            Attempt.objects.filter(pk=change.attempt_id).update(score=change.new_score)
            learners.add(item.attempt.user)
    AttemptItem.objects.bulk_update(items, ["question_version", "score"])
    AttemptChoice.objects.bulk_update(shown_choices, ["choice"])
    for learner in learners:
        assignment_result_refresh(assignment=assignment, user=learner)
    return regrade
