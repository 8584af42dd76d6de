"""Writes for attempts: start, save an answer, check it (immediate feedback), finish,
close expired attempts, and the learner's result row.

The server clock decides. Every write runs in ``transaction.atomic`` with the attempt row
locked (``select_for_update``), so a double click, two tabs or two devices cannot create
two open attempts, finish one twice or overwrite a newer answer with an older one.

An attempt is *expired* once its deadline plus the grace period
(``STUDYAPP_ATTEMPT_GRACE_SECONDS``) has passed. Answers in flight during the grace period
are still saved; an expired attempt is finished as of its deadline by whichever comes
first: the learner's next request (``attempt_close_if_expired``) or
``manage.py close_expired_attempts`` (``attempts_close_expired``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, OuterRef, Prefetch, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quizzes.drafts import BLANK_MARKER
from quizzes.grading import SCORE_QUANTUM, item_grade
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
    QuizSlot,
    User,
)
from quizzes.selectors.access import group_ids_with_ancestors
from quizzes.selectors.quizzes import rule_matching_questions


class AttemptError(Exception):
    """A refused attempt operation, with a message fit to show the learner."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _grace() -> timedelta:
    return timedelta(seconds=settings.STUDYAPP_ATTEMPT_GRACE_SECONDS)


class _Pick(NamedTuple):
    """A question chosen for a new attempt: the slot that shows it, the exact version
    shown, and the question's key point (``None`` when it has none)."""

    slot: QuizSlot
    version: QuestionVersion
    key_point_id: int | None


def _fixed_versions(slots: Sequence[QuizSlot]) -> list[tuple[QuizSlot, QuestionVersion]]:
    """(slot, version) for each of the fixed ``slots`` (loaded with their question and
    pinned version), in their order: the pinned version, or the newest version of a
    published question. Slots whose question is not published and not pinned are
    skipped. Two queries, none when every slot is pinned."""
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


def _rule_candidates(
    *, slot: QuizSlot, user: User, excluded: set[int], held: set[int]
) -> list[tuple[int, int, int, int | None]]:
    """(question pk, newest version pk, times this learner was shown it, key point) for
    every question the rule may draw (``rule_matching_questions``, as the builder counts
    them), none of them in ``excluded`` and none on a key point in ``held``. One query."""
    newest = QuestionVersion.objects.newest_for("pk")
    seen = (
        AttemptItem.objects.filter(attempt__user=user, question=OuterRef("pk"))
        .order_by()
        .values("question")
        .annotate(n=Count("pk"))
        .values("n")
    )
    candidates = (
        rule_matching_questions(
            bank_id=slot.draw_bank_id,
            key_point_id=slot.draw_key_point_id,
            kind=slot.draw_kind,
            difficulty=slot.draw_difficulty,
        )
        .exclude(pk__in=excluded)
        .annotate(newest_id=Subquery(newest.values("pk")[:1]), times_seen=Subquery(seen))
        .filter(newest_id__isnull=False)
    )
    if held:
        # A question without a key point is kept: NOT IN never matches NULL here.
        candidates = candidates.exclude(key_point_id__in=held)
    return [
        (pk, newest_id, times_seen or 0, key_point_id)
        for pk, newest_id, times_seen, key_point_id in candidates.order_by("pk").values_list(
            "pk", "newest_id", "times_seen", "key_point_id"
        )
    ]


def _draw_for_rules(
    *,
    rules: Sequence[QuizSlot],
    user: User,
    excluded: set[int],
    held: set[int],
    rng: random.Random,
) -> dict[int, list[_Pick]]:
    """The questions each rule draws for a new attempt, by slot pk: ``draw_count``
    questions per rule, none of them in ``excluded`` (the quiz's fixed questions), and no
    two on one key point, nor one on a key point in ``held`` (those of the fixed
    questions shown): questions on one key point come from the same passage and give
    each other away.

    Least-seen first: the questions this learner was shown least often, over all their
    attempts, come first, ties broken by ``rng``; a question whose key point is taken is
    passed over for the next least-seen. The rule with the fewest key points to draw from
    picks first (slot order among equals), so that a rule narrowed to one key point is
    not left empty by a wider rule that took its only passage. A rule that cannot be
    filled gives what there is. One query per rule, and one for the versions drawn."""
    candidates: dict[int, list[tuple[int, int, int, int | None]]] = {}
    for slot in rules:
        rows = _rule_candidates(slot=slot, user=user, excluded=excluded, held=held)
        # Shuffle, then a stable sort by times seen: random among the equally least-seen.
        rng.shuffle(rows)
        rows.sort(key=lambda row: row[2])
        candidates[slot.pk] = rows

    def groups(slot: QuizSlot) -> int:
        rows = candidates[slot.pk]
        return len({kp for *_, kp in rows if kp is not None}) + sum(
            1 for *_, kp in rows if kp is None
        )

    used, taken = set(excluded), set(held)
    picked: dict[int, list[tuple[int, int | None]]] = {}
    for slot in sorted(rules, key=lambda s: (groups(s), s.position)):
        picked[slot.pk] = []
        for pk, newest_id, _seen, key_point_id in candidates[slot.pk]:
            if len(picked[slot.pk]) == slot.draw_count:
                break
            if pk in used or key_point_id in taken:
                continue
            used.add(pk)
            if key_point_id is not None:
                taken.add(key_point_id)
            picked[slot.pk].append((newest_id, key_point_id))
    by_id = QuestionVersion.objects.in_bulk(
        [newest_id for rows in picked.values() for newest_id, _kp in rows]
    )
    return {
        slot.pk: [_Pick(slot, by_id[newest_id], kp) for newest_id, kp in picked[slot.pk]]
        for slot in rules
    }


def _questions_for_attempt(*, quiz: Quiz, user: User, rng: random.Random) -> list[_Pick]:
    """Every question of a new attempt, in slot order: fixed slots give their question,
    rule slots their draw. A question fixed anywhere in the quiz is never drawn, no
    question is drawn twice, and no two questions of one attempt share a key point.

    A quiz may hold two fixed questions on one key point (made before the builder refused
    that, or a question's key point changed later; the builder warns about them): the
    attempt shows the first of them, by position, that learners can see, and skips the
    others. Three queries; with rules, one more per rule and one for the drawn versions."""
    slots = list(quiz.slots.select_related("question", "pinned_version").order_by("position"))
    fixed_slots = [slot for slot in slots if not slot.is_rule]
    rules = [slot for slot in slots if slot.is_rule]
    picks: dict[int, list[_Pick]] = {}
    held: set[int] = set()
    for slot, version in _fixed_versions(fixed_slots):
        key_point_id = slot.question.key_point_id
        if key_point_id is not None:
            if key_point_id in held:
                continue
            held.add(key_point_id)
        picks[slot.pk] = [_Pick(slot, version, key_point_id)]
    if rules:
        picks.update(
            _draw_for_rules(
                rules=rules,
                user=user,
                excluded={slot.question_id for slot in fixed_slots},
                held=held,
                rng=rng,
            )
        )
    return [pick for slot in slots for pick in picks.get(slot.pk, ())]


class StartedAttempt(NamedTuple):
    """The learner's open attempt, and whether this call created it."""

    attempt: Attempt
    created: bool


def attempt_start(
    *,
    assignment: Assignment,
    user: User,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> Attempt:
    """Start an attempt, or return the learner's open one (double clicks, two tabs).
    See ``attempt_start_or_resume``."""
    return attempt_start_or_resume(assignment=assignment, user=user, now=now, rng=rng).attempt


def attempt_start_or_resume(
    *,
    assignment: Assignment,
    user: User,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> StartedAttempt:
    """Start an attempt, or return the learner's open one (double clicks, two tabs), and
    say which: of simultaneous calls, exactly one creates the attempt (the unique index on
    open attempts decides) and the others get it with ``created`` false.

    An open attempt that has expired is finished first (as of its deadline). Fixes the
    question order, the exact versions (random-draw rules drawn least-seen first, never
    two questions on one key point) and the choice order at start."""
    now = now or timezone.now()
    rng = rng or random.SystemRandom()
    _own, reachable = group_ids_with_ancestors(user=user)
    if assignment.group_id not in reachable:
        raise AttemptError("not_assigned", _("This quiz is not assigned to any of your groups."))
    open_attempt = Attempt.objects.filter(
        assignment=assignment, user=user, state=Attempt.State.IN_PROGRESS
    ).first()
    if open_attempt is not None:
        open_attempt, closed = attempt_close_if_expired(attempt=open_attempt, now=now)
        if not closed:
            return StartedAttempt(open_attempt, created=False)
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
            chosen = _questions_for_attempt(quiz=quiz, user=user, rng=rng)
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
                max_score=sum((pick.slot.points for pick in chosen), Decimal(0)),
            )
            items = AttemptItem.objects.bulk_create(
                AttemptItem(
                    attempt=attempt,
                    position=position,
                    slot=slot,
                    question_id=version.question_id,
                    question_version=version,
                    key_point_id=key_point_id,
                    points=slot.points,
                )
                for position, (slot, version, key_point_id) in enumerate(chosen, start=1)
            )
            choices_by_version: dict[int, list] = {}
            for version in QuestionVersion.objects.filter(
                pk__in=[pick.version.pk for pick in chosen]
            ).prefetch_related("choices"):
                choices_by_version[version.pk] = list(version.choices.all())
            shown = []
            for item in items:
                choices = list(choices_by_version[item.question_version_id])
                if quiz.shuffle_choices and item.question_version.kind != QuestionKind.TRUE_FALSE:
                    rng.shuffle(choices)
                shown.extend(
                    AttemptChoice(item=item, choice=choice, position=position)
                    for position, choice in enumerate(choices, start=1)
                )
            AttemptChoice.objects.bulk_create(shown)
            return StartedAttempt(attempt, created=True)
    except IntegrityError:
        # Another request started the attempt between our check and our insert.
        open_attempt = Attempt.objects.filter(
            assignment=assignment, user=user, state=Attempt.State.IN_PROGRESS
        ).first()
        if open_attempt is None:
            raise
        return StartedAttempt(open_attempt, created=False)


def _expired(attempt: Attempt, now: datetime) -> bool:
    """Past the deadline and the grace period: no more saves; finished on next access."""
    return _past_grace(attempt.deadline, now)


def _past_grace(deadline: datetime | None, now: datetime) -> bool:
    return deadline is not None and now > deadline + _grace()


@dataclass(frozen=True)
class SavedAnswer:
    """A saved answer: its item's new sequence and time, and the attempt's deadline as
    read under the lock (pages reset their timer from it)."""

    item_id: int
    position: int
    sequence: int
    answered_at: datetime
    deadline: datetime | None


# The save path is the hot path of an attempt (one request per answer given, a whole class
# at once), so it runs as plain SQL: compiling its ORM queries cost more than running them
# (bench/answer_save.py). Same rows, same lock, same checks as the ORM would give.
_ATTEMPT = Attempt._meta.db_table
_ITEM = AttemptItem._meta.db_table
_VERSION = QuestionVersion._meta.db_table
_SHOWN = AttemptChoice._meta.db_table
# The item at a position with its version's kind (and stem, only for blanks), then one row
# per shown choice in shown order (a blank question: one row without a choice).
_READ_ITEM_SQL = (
    f"SELECT i.id, i.sequence, i.checked_at, v.kind, "
    f"CASE WHEN v.kind = %s THEN v.stem ELSE '' END, c.position, c.choice_id "
    f"FROM {_ITEM} i JOIN {_VERSION} v ON v.id = i.question_version_id "
    f"LEFT JOIN {_SHOWN} c ON c.item_id = i.id "
    f"WHERE i.attempt_id = %s AND i.position = %s ORDER BY c.position"
)


def _lock_open_attempt(cursor, *, attempt_pk: int, user_id: int | None) -> datetime | None:
    """Lock the attempt row (``SELECT … FOR UPDATE``) of ``user_id`` (any user when None),
    check it is in progress and return its deadline."""
    sql = f"SELECT state, deadline FROM {_ATTEMPT} WHERE id = %s"
    params: list = [attempt_pk]
    if user_id is not None:
        # Ownership is checked by the locking query itself: no separate read of the attempt.
        sql += " AND user_id = %s"
        params.append(user_id)
    if connection.features.has_select_for_update:
        sql += " " + connection.ops.for_update_sql()
    cursor.execute(sql, params)
    row = cursor.fetchone()
    if row is None:
        raise AttemptError("not_found", _("This attempt was not found."))
    state, deadline = row
    if state != Attempt.State.IN_PROGRESS:
        raise AttemptError("finished", _("This attempt is already finished."))
    if deadline is not None and timezone.is_naive(deadline):
        # Plain SQL skips the ORM's converters: SQLite gives naive datetimes in UTC.
        deadline = timezone.make_aware(deadline, connection.timezone)
    return deadline


def attempt_save_answer(
    *,
    attempt: Attempt,
    position: int,
    sequence: int,
    selected_choice_ids: Sequence[int] = (),
    selected_positions: Sequence[int] | None = None,
    blanks: Sequence[str] = (),
    now: datetime | None = None,
) -> SavedAnswer:
    """Save the answer to one item. ``sequence`` must be newer than the item's last save:
    a stale page (back button, second tab) is refused and never overwrites.

    Choices are given either as ``selected_choice_ids`` or, as pages and the API do, as
    ``selected_positions`` in the attempt's shown order (choice ids follow the order the
    author wrote the choices in, so sending them to the browser would undo shuffling).

    The caller may pass a bare reference, ``Attempt(pk=…, user=…)``: ownership is then
    checked by the locking query. A save after the deadline and grace period is refused,
    and the attempt is finished as of its deadline. A checked item (immediate feedback) is
    locked.

    Inside the transaction: lock the attempt, read the item with its shown choices, then
    update the changed choices and the item (one statement on PostgreSQL), or replace the
    blanks and update the item."""
    now = now or timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        deadline = _lock_open_attempt(cursor, attempt_pk=attempt.pk, user_id=attempt.user_id)
        expired = _past_grace(deadline, now)
        if expired:
            _finish_locked(attempt=Attempt.objects.get(pk=attempt.pk), now=now)
        else:
            # Read after the lock is held (not in the locking query, whose joined rows
            # would come from before the wait): a save or a regrade that committed while
            # this one waited is seen, and its sequence decides below.
            cursor.execute(_READ_ITEM_SQL, [QuestionKind.BLANK.value, attempt.pk, position])
            rows = cursor.fetchall()
            _save_locked(
                cursor,
                rows=rows,
                sequence=sequence,
                selected_choice_ids=selected_choice_ids,
                selected_positions=selected_positions,
                blanks=blanks,
                now=now,
            )
    if expired:
        # Raised after the transaction committed, so the finish is kept.
        raise AttemptError(
            "expired",
            _(
                "Time is up: answers given after the deadline are not saved. Your attempt "
                "was submitted with the answers saved before it."
            ),
        )
    return SavedAnswer(
        item_id=rows[0][0], position=position, sequence=sequence, answered_at=now, deadline=deadline
    )


def _save_locked(
    cursor,
    *,
    rows: list[tuple],
    sequence: int,
    selected_choice_ids: Sequence[int],
    selected_positions: Sequence[int] | None,
    blanks: Sequence[str],
    now: datetime,
) -> None:
    """Check and write one answer; ``rows`` are the item's, read under the attempt's lock."""
    if not rows:
        raise AttemptError("no_item", _("This attempt has no such question."))
    item_id, item_sequence, checked_at, kind, stem = rows[0][:5]
    if sequence <= item_sequence:
        raise AttemptError(
            "stale",
            _(
                "A newer answer to this question was already saved (from another tab "
                "or device). Reload the page to see it."
            ),
        )
    if checked_at is not None:
        raise AttemptError(
            "locked", _("You have checked this answer, so it can no longer be changed.")
        )
    if kind == QuestionKind.BLANK:
        if len(blanks) > len(BLANK_MARKER.findall(stem)):
            raise AttemptError("bad_blanks", _("This question has fewer blanks than that."))
        AttemptBlank.objects.filter(item_id=item_id).delete()
        AttemptBlank.objects.bulk_create(
            AttemptBlank(item_id=item_id, blank=index, response=text[:500])
            for index, text in enumerate(blanks, start=1)
        )
        cursor.execute(*_item_update(item_id=item_id, sequence=sequence, now=now))
    else:
        # The choices shown in this item are exactly its pinned version's choices.
        by_position = {shown: choice_id for *_, shown, choice_id in rows if shown is not None}
        if selected_positions is not None:
            if not set(selected_positions) <= by_position.keys():
                raise AttemptError("bad_choice", _("That choice is not part of this question."))
            chosen = {by_position[p] for p in selected_positions}
        else:
            chosen = set(selected_choice_ids)
            if not chosen <= set(by_position.values()):
                raise AttemptError("bad_choice", _("That choice is not part of this question."))
        if kind != QuestionKind.MULTIPLE and len(chosen) > 1:
            raise AttemptError("one_choice", _("Choose only one answer for this question."))
        _write_choices_and_item(cursor, item_id=item_id, chosen=chosen, sequence=sequence, now=now)


def _item_update(*, item_id: int, sequence: int, now: datetime) -> tuple[str, list]:
    return (
        f"UPDATE {_ITEM} SET sequence = %s, answered_at = %s WHERE id = %s",
        [sequence, connection.ops.adapt_datetimefield_value(now), item_id],
    )


def _write_choices_and_item(
    cursor, *, item_id: int, chosen: set[int], sequence: int, now: datetime
) -> None:
    """Mark exactly the ``chosen`` choices of the item selected, writing only the rows
    whose flag changes, and record the item's sequence and time. On PostgreSQL both
    UPDATEs go in one statement (a data-modifying WITH): one round trip fewer, on the
    path every answer takes."""
    if chosen:
        marks = ", ".join(["%s"] * len(chosen))
        wanted = f"(choice_id IN ({marks}))"
        choices_params = [*chosen, *chosen, item_id]
    else:
        wanted = "(1 = 0)"
        choices_params = [item_id]
    choices_sql = (
        f"UPDATE {_SHOWN} SET selected = {wanted} WHERE selected <> {wanted} AND item_id = %s"
    )
    item_sql, item_params = _item_update(item_id=item_id, sequence=sequence, now=now)
    if connection.vendor == "postgresql":
        cursor.execute(f"WITH shown AS ({choices_sql}) {item_sql}", choices_params + item_params)
    else:
        cursor.execute(choices_sql, choices_params)
        cursor.execute(item_sql, item_params)


def attempt_check_item(
    *, attempt: Attempt, position: int, now: datetime | None = None
) -> AttemptItem:
    """With immediate feedback: "check" one answered item. Sets ``checked_at``, which
    locks the answer and lets the learner see its grade, the right answer and the
    explanation while the attempt goes on. Checking twice changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update()
            .select_related("assignment__quiz")
            .get(pk=attempt.pk)
        )
        if attempt.state != Attempt.State.IN_PROGRESS:
            raise AttemptError("finished", _("This attempt is already finished."))
        if attempt.assignment.quiz.feedback_timing != Quiz.FeedbackTiming.IMMEDIATE:
            raise AttemptError(
                "no_feedback", _("This quiz shows answers only after the attempt is finished.")
            )
        expired = _expired(attempt, now)
        if expired:
            _finish_locked(attempt=attempt, now=now)
        else:
            try:
                item = attempt.items.get(position=position)
            except AttemptItem.DoesNotExist:
                raise AttemptError("no_item", _("This attempt has no such question.")) from None
            if item.checked_at is None:
                has_answer = (
                    item.choices.filter(selected=True).exists()
                    or item.blanks.exclude(response="").exists()
                )
                if not has_answer:
                    raise AttemptError("unanswered", _("Answer the question before checking it."))
                item.checked_at = now
                item.save(update_fields=["checked_at"])
    if expired:
        raise AttemptError("expired", _("Time is up: this attempt has been submitted."))
    return item


def _finish_locked(*, attempt: Attempt, now: datetime) -> Attempt:
    """Grade and finish ``attempt``, whose row the caller has locked and found open."""
    items = list(
        attempt.items.select_related("question_version").prefetch_related(
            Prefetch("choices", queryset=AttemptChoice.objects.select_related("choice")),
            "blanks",
            "question_version__blank_answers",
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


def _finish(*, attempt_pk: int, now: datetime) -> tuple[Attempt, bool]:
    """Finish the attempt unless it already is; say whether this call finished it."""
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt_pk)
        if attempt.state != Attempt.State.IN_PROGRESS:
            return attempt, False
        return _finish_locked(attempt=attempt, now=now), True


def attempt_finish(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Finish and grade an attempt. Finishing twice returns the first result unchanged.
    Past the deadline, the attempt is finished as of its deadline."""
    finished, _changed = _finish(attempt_pk=attempt.pk, now=now or timezone.now())
    return finished


def attempt_close_if_expired(
    *, attempt: Attempt, now: datetime | None = None
) -> tuple[Attempt, bool]:
    """Finish ``attempt`` as of its deadline if it is open and expired (its deadline and
    the grace period have passed). Every attempt page and API call runs this first.
    Returns the attempt (fresh when it changed) and whether this call closed it. No query
    when the attempt is finished or still running."""
    now = now or timezone.now()
    if attempt.state != Attempt.State.IN_PROGRESS or not _expired(attempt, now):
        return attempt, False
    return _finish(attempt_pk=attempt.pk, now=now)


def attempts_close_expired(*, now: datetime | None = None) -> int:
    """Finish, as of its deadline, every open attempt whose deadline and grace period have
    passed, each in its own transaction; return how many this call finished. Idempotent:
    a second run, or a learner's request at the same moment, finishes nothing twice."""
    now = now or timezone.now()
    expired = Attempt.objects.filter(
        state=Attempt.State.IN_PROGRESS, deadline__lt=now - _grace()
    ).values_list("pk", flat=True)
    closed = 0
    for pk in list(expired):
        _attempt, changed = _finish(attempt_pk=pk, now=now)
        closed += changed
    return closed


def result_figures(
    *, finished: list, first_started_at: datetime | None, grading_method: str, pass_mark: Decimal
) -> dict:
    """A learner's ``AssignmentResult`` figures from their finished attempts (anything with
    ``number``, ``score``, ``max_score``, ``started_at``, ``finished_at``) by the quiz's
    grading method: highest / last / first / average of the percentages. Pure: the seed
    data builder computes results with it too."""
    figures = {
        "attempts_finished": len(finished),
        "score": None,
        "max_score": Decimal(0),
        "percent": None,
        "passed": None,
        "best_percent": None,
        "time_spent": None,
        "first_started_at": first_started_at,
        "last_finished_at": None,
    }
    if not finished:
        return figures
    finished = sorted(finished, key=lambda a: a.number)
    percents = [a.score * 100 / a.max_score if a.max_score else Decimal(0) for a in finished]
    if grading_method == Quiz.GradingMethod.AVERAGE:
        score = sum((a.score for a in finished), Decimal(0)) / len(finished)
        max_score = sum((a.max_score for a in finished), Decimal(0)) / len(finished)
    else:
        if grading_method == Quiz.GradingMethod.FIRST:
            chosen = finished[0]
        elif grading_method == Quiz.GradingMethod.LAST:
            chosen = finished[-1]
        else:
            chosen = max(
                zip(percents, finished, strict=True), key=lambda pair: (pair[0], -pair[1].number)
            )[1]
        score, max_score = chosen.score, chosen.max_score
    score = score.quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP)
    max_score = max_score.quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP)
    score = min(score, max_score)
    percent = (score * 100 / max_score).quantize(SCORE_QUANTUM) if max_score else Decimal(0)
    best = min(max(percents), Decimal(100)).quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP)
    figures.update(
        score=score,
        max_score=max_score,
        percent=percent,
        passed=percent >= pass_mark,
        best_percent=best,
        time_spent=sum((a.finished_at - a.started_at for a in finished), timedelta()),
        last_finished_at=max(a.finished_at for a in finished),
    )
    return figures


def assignment_result_refresh(*, assignment: Assignment, user: User) -> AssignmentResult:
    """Recompute a learner's result row from their finished attempts by the quiz's
    grading method (see ``result_figures``)."""
    quiz = assignment.quiz
    finished = list(
        Attempt.objects.filter(assignment=assignment, user=user, state=Attempt.State.FINISHED)
    )
    first_started = (
        Attempt.objects.filter(assignment=assignment, user=user)
        .order_by("started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    result, _created = AssignmentResult.objects.update_or_create(
        assignment=assignment,
        user=user,
        defaults=result_figures(
            finished=finished,
            first_started_at=first_started,
            grading_method=quiz.grading_method,
            pass_mark=quiz.pass_mark,
        ),
    )
    return result
