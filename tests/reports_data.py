"""Test data for the report tests: a quiz of choice questions, a group tree, and finished
attempts written row by row with the marks a test chooses (``bulk_create`` throughout, so
building 1,000 learners stays fast)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from quizzes.models import (
    Assignment,
    AssignmentResult,
    Attempt,
    AttemptChoice,
    AttemptItem,
    Choice,
    Membership,
    QuestionKind,
    QuizSlot,
    User,
)
from quizzes.services.attempts import assignment_result_refresh

from . import factories


@dataclass
class Item:
    """A question of the test quiz: its version and choices (the first is correct)."""

    question: object
    version: object
    choices: list[Choice]
    slot: QuizSlot
    points: Decimal


def make_quiz(*, owner: User, questions: int = 3, choices: int = 4, points=1, key_points=None):
    """A quiz with ``questions`` single-choice questions of ``choices`` options each; the
    first option of each is the key. ``key_points`` (one per question, or ``None``) link
    the questions to key points."""
    quiz = factories.QuizFactory(owner=owner, pass_mark=Decimal(60))
    bank = factories.BankFactory(owner=owner)
    items = []
    for index in range(questions):
        key_point = key_points[index] if key_points else None
        question = factories.QuestionFactory(bank=bank, key_point=key_point)
        version = factories.VersionFactory(
            question=question, number=1, kind=QuestionKind.SINGLE, stem=f"Question {index + 1}?"
        )
        options = Choice.objects.bulk_create(
            Choice(
                version=version,
                ordinal=n + 1,
                text=f"Q{index + 1} option {n + 1}",
                is_correct=n == 0,
            )
            for n in range(choices)
        )
        slot = QuizSlot.objects.create(
            quiz=quiz, position=index + 1, question=question, points=Decimal(points)
        )
        items.append(Item(question, version, options, slot, Decimal(points)))
    return quiz, items


def add_members(group, count: int, *, prefix: str = "learner") -> list[User]:
    users = User.objects.bulk_create(
        User(username=f"{prefix}{group.pk}-{n:05d}", display_name=f"{prefix.title()} {n:05d}")
        for n in range(count)
    )
    Membership.objects.bulk_create(
        Membership(group=group, user=user, role=Membership.Role.MEMBER) for user in users
    )
    return users


def finish_attempts(
    assignment: Assignment,
    items: list[Item],
    answers: dict[User, list[int | None]],
    *,
    number: int = 1,
    started_at: datetime | None = None,
    minutes: int = 10,
    refresh: bool = True,
) -> list[Attempt]:
    """One finished attempt per learner in ``answers``: for each question, the index of the
    option picked (``0`` is the key, ``None`` is no answer). Scores follow: the key earns
    the question's points. Learners' results are refreshed by the attempt service (or
    written in bulk with ``refresh=False``, for large sets)."""
    started_at = started_at or timezone.now() - timedelta(hours=2)
    max_score = sum(item.points for item in items)
    attempts = []
    for user, picks in answers.items():
        score = sum(
            (item.points for item, pick in zip(items, picks, strict=True) if pick == 0),
            Decimal(0),
        )
        attempts.append(
            Attempt(
                assignment=assignment,
                user=user,
                number=number,
                state=Attempt.State.FINISHED,
                started_at=started_at,
                finished_at=started_at + timedelta(minutes=minutes),
                score=score,
                max_score=max_score,
            )
        )
    attempts = Attempt.objects.bulk_create(attempts)
    attempt_items = []
    for attempt, picks in zip(attempts, answers.values(), strict=True):
        for position, (item, pick) in enumerate(zip(items, picks, strict=True), start=1):
            attempt_items.append(
                AttemptItem(
                    attempt=attempt,
                    position=position,
                    slot=item.slot,
                    question=item.question,
                    question_version=item.version,
                    points=item.points,
                    score=item.points if pick == 0 else Decimal(0),
                )
            )
    attempt_items = AttemptItem.objects.bulk_create(attempt_items)
    shown = []
    flat_picks = [pick for picks in answers.values() for pick in picks]
    for attempt_item, pick, item in zip(
        attempt_items, flat_picks, [i for _ in answers for i in items], strict=True
    ):
        shown.extend(
            AttemptChoice(item=attempt_item, choice=choice, position=n + 1, selected=n == pick)
            for n, choice in enumerate(item.choices)
        )
    AttemptChoice.objects.bulk_create(shown)
    if refresh:
        for user in answers:
            assignment_result_refresh(assignment=assignment, user=user)
    else:
        AssignmentResult.objects.bulk_create(
            AssignmentResult(
                assignment=assignment,
                user=attempt.user,
                attempts_finished=1,
                score=attempt.score,
                max_score=attempt.max_score,
                percent=attempt.score * 100 / attempt.max_score,
                best_percent=attempt.score * 100 / attempt.max_score,
                passed=attempt.score * 100 / attempt.max_score >= assignment.quiz.pass_mark,
                time_spent=attempt.finished_at - attempt.started_at,
                first_started_at=attempt.started_at,
                last_finished_at=attempt.finished_at,
            )
            for attempt in attempts
        )
    return attempts


def open_attempt(assignment: Assignment, user: User, *, number: int = 1) -> Attempt:
    return Attempt.objects.create(
        assignment=assignment,
        user=user,
        number=number,
        started_at=timezone.now() - timedelta(minutes=5),
        max_score=Decimal(3),
    )


def build_course(organizer, learners: int):
    """A committee with two branches, ``learners`` members split between them, a quiz of
    three questions on two key points; 60 % finished, 10 % in progress."""
    committee = factories.GroupFactory(name="Committee", created_by=organizer)
    factories.MembershipFactory(group=committee, user=organizer, role=Membership.Role.ORGANIZER)
    east = factories.GroupFactory(name="East branch", parent=committee, created_by=organizer)
    west = factories.GroupFactory(name="West branch", parent=committee, created_by=organizer)
    people = add_members(east, learners // 2, prefix="east") + add_members(
        west, learners - learners // 2, prefix="west"
    )
    document = factories.DocumentFactory(
        bank=factories.BankFactory(owner=organizer), text="One idea. Another idea."
    )
    first = factories.KeyPointFactory(document=document, ordinal=1, start_offset=0, end_offset=9)
    second = factories.KeyPointFactory(document=document, ordinal=2, start_offset=10, end_offset=23)
    quiz, items = make_quiz(owner=organizer, questions=3, key_points=[first, first, second])
    assignment = factories.AssignmentFactory(quiz=quiz, group=committee, created_by=organizer)
    finishing = people[: learners * 6 // 10]
    patterns = ([0, 0, 0], [0, 1, 0], [1, 0, 2], [0, 0, 3], [2, 2, 1])
    finish_attempts(
        assignment,
        items,
        {user: patterns[n % len(patterns)] for n, user in enumerate(finishing)},
        refresh=False,
    )
    for user in people[len(finishing) : len(finishing) + learners // 10]:
        open_attempt(assignment, user)
    return assignment
