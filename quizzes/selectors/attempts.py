"""Reads for a learner's attempts: the assignment page, one question per screen, the
question map, the result and the review.

**No answer key leaves the server before an attempt is finished.** What an open attempt's
pages and API responses are built from — ``QuestionScreen``, ``ShownChoice``,
``StemPart``, ``MapEntry`` — has no field for correctness, keys, explanations or
feedback. Those live only in ``ItemOutcome``, which ``question_screen`` fills in for a
checked item under immediate feedback and ``attempt_review`` once the review is allowed.

Choices are identified by their *shown position* in the attempt, never by their database
id: ids follow the order the author wrote the choices in, and would undo the shuffle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from quizzes import grading
from quizzes.formats.notation import answer_display
from quizzes.models import (
    Assignment,
    AssignmentResult,
    Attempt,
    AttemptBlank,
    AttemptChoice,
    AttemptItem,
    QuestionKind,
    Quiz,
    QuizSlot,
    User,
)
from quizzes.presentation import StemPart, stem_parts

from .access import group_ids_with_ancestors

# --- Finding what a learner may open ---------------------------------------------------


def learner_assignment(*, user: User, pk: int) -> Assignment | None:
    """The assignment ``pk`` with its quiz and group, if it reaches ``user`` (made to a
    group they belong to or one above it); else ``None``. Two queries."""
    _own, reachable = group_ids_with_ancestors(user=user)
    return (
        Assignment.objects.select_related("quiz", "group")
        .filter(pk=pk, group_id__in=reachable)
        .first()
    )


def learner_attempts(*, user: User) -> QuerySet[Attempt]:
    """A learner's own attempts, with assignment and quiz. Anything else is not found."""
    return Attempt.objects.filter(user=user).select_related("assignment__quiz")


def learner_attempt(*, user: User, pk: int) -> Attempt | None:
    """The attempt ``pk`` if it is ``user``'s own, else ``None``. One query."""
    return learner_attempts(user=user).filter(pk=pk).first()


# --- The assignment page ------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentOverview:
    """What a learner sees before starting: the quiz's rules and their own attempts."""

    assignment: Assignment
    quiz: Quiz
    question_count: int
    attempts: list[Attempt]
    open_attempt: Attempt | None
    attempts_used: int
    # None: unlimited.
    attempts_left: int | None
    result: AssignmentResult | None
    can_start: bool
    # Why a new attempt cannot start, when it cannot and none is open.
    blocked_reason: str

    @property
    def time_limit_minutes(self) -> int | None:
        limit = self.quiz.time_limit
        return None if limit is None else max(1, round(limit.total_seconds() / 60))


def assignment_overview(*, user: User, assignment: Assignment, now: datetime) -> AssignmentOverview:
    """The learner's page of one assignment. Three queries."""
    quiz = assignment.quiz
    counts = QuizSlot.objects.filter(quiz=quiz).aggregate(
        fixed=Count("pk", filter=Q(question__isnull=False)), drawn=Sum("draw_count")
    )
    attempts = list(Attempt.objects.filter(assignment=assignment, user=user).order_by("-number"))
    result = AssignmentResult.objects.filter(assignment=assignment, user=user).first()
    open_attempt = next((a for a in attempts if a.state == Attempt.State.IN_PROGRESS), None)
    used = len(attempts)
    left = None if not quiz.attempts_allowed else max(0, quiz.attempts_allowed - used)
    reason = ""
    if open_attempt is None:
        if now < assignment.opens_at:
            reason = _("This assignment is not open yet.")
        elif now >= assignment.due_at:
            reason = _("This assignment is closed.")
        elif left == 0:
            reason = _("You have used all the attempts this quiz allows.")
    return AssignmentOverview(
        assignment=assignment,
        quiz=quiz,
        question_count=(counts["fixed"] or 0) + (counts["drawn"] or 0),
        attempts=attempts,
        open_attempt=open_attempt,
        attempts_used=used,
        attempts_left=left,
        result=result,
        can_start=open_attempt is None and not reason,
        blocked_reason=str(reason),
    )


# --- The question map -------------------------------------------------------------------


@dataclass(frozen=True)
class MapEntry:
    position: int
    answered: bool
    checked: bool


def _has_answer() -> tuple[Exists, Exists]:
    selected = AttemptChoice.objects.filter(item=OuterRef("pk"), selected=True)
    filled = AttemptBlank.objects.filter(item=OuterRef("pk")).exclude(response="")
    return Exists(selected), Exists(filled)


def attempt_map(*, attempt: Attempt) -> list[MapEntry]:
    """Every item of the attempt in order, answered (a choice selected or a blank filled)
    or not. One query."""
    selected, filled = _has_answer()
    rows = (
        AttemptItem.objects.filter(attempt=attempt)
        .annotate(has_choice=selected, has_blank=filled)
        .order_by("position")
        .values_list("position", "has_choice", "has_blank", "checked_at")
    )
    return [
        MapEntry(position=position, answered=has_choice or has_blank, checked=checked is not None)
        for position, has_choice, has_blank, checked in rows
    ]


# --- One question -----------------------------------------------------------------------


@dataclass(frozen=True)
class ShownChoice:
    """A choice as shown in an open attempt: no correctness, no feedback."""

    position: int
    text: str
    selected: bool


@dataclass(frozen=True)
class ChoiceOutcome:
    position: int
    text: str
    selected: bool
    right: bool
    feedback: str


@dataclass(frozen=True)
class BlankOutcome:
    number: int
    response: str
    # Whether the response earns the blank's whole mark; ``credit`` is what it earns, in
    # per cent, and ``feedback`` that of the accepted answer it matched.
    right: bool
    accepted: tuple[str, ...]
    credit: Decimal = Decimal(100)
    feedback: str = ""

    @property
    def verdict(self) -> str:
        return "right" if self.right else ("partly" if self.credit > 0 else "wrong")


@dataclass(frozen=True)
class ItemOutcome:
    """An item's grade and key: only for a finished attempt whose review is allowed, or a
    checked item under immediate feedback."""

    score: Decimal
    points: Decimal
    # "right", "partly" or "wrong"
    verdict: str
    choices: tuple[ChoiceOutcome, ...]
    blanks: tuple[BlankOutcome, ...]
    explanation: str
    source_excerpt: str
    key_point_text: str

    @property
    def verdict_label(self) -> str:
        return str(VERDICT_LABELS[self.verdict])


VERDICT_LABELS = {
    "right": _("Right"),
    "partly": _("Partly right"),
    "wrong": _("Wrong"),
}

KIND_HINTS = {
    QuestionKind.SINGLE: _("Choose one answer."),
    QuestionKind.TRUE_FALSE: _("Choose true or false."),
    QuestionKind.MULTIPLE: _("Choose every answer that is right."),
    QuestionKind.BLANK: _("Fill in each blank."),
}


@dataclass(frozen=True)
class QuestionScreen:
    position: int
    total: int
    kind: str
    stem: str
    stem_parts: tuple[StemPart, ...]
    choices: tuple[ShownChoice, ...]
    points: Decimal
    # The sequence number the next save of this item must carry.
    next_sequence: int
    answered: bool
    checked: bool
    outcome: ItemOutcome | None

    @property
    def is_blank(self) -> bool:
        return self.kind == QuestionKind.BLANK

    @property
    def is_multiple(self) -> bool:
        return self.kind == QuestionKind.MULTIPLE

    @property
    def kind_hint(self) -> str:
        return str(KIND_HINTS[self.kind])

    @property
    def blank_count(self) -> int:
        return sum(1 for part in self.stem_parts if part.blank is not None)

    @property
    def locked(self) -> bool:
        return self.checked

    @property
    def points_counter(self) -> int:
        """An integer for choosing the plural form of "points" (1.5 points, 2 points)."""
        return 1 if self.points == 1 else 2


def _items(attempt: Attempt, *, with_key: bool) -> QuerySet[AttemptItem]:
    """Items with what a screen needs: three queries (items with their versions, shown
    choices with their text, blank responses). Without ``with_key`` the key columns
    (correctness, feedback, explanation, excerpt) are not even loaded; with it, the
    question's key point joins the items and a fourth query loads accepted blank answers.
    """
    shown = AttemptChoice.objects.select_related("choice").order_by("position")
    items = AttemptItem.objects.filter(attempt=attempt).select_related("question_version")
    if with_key:
        items = items.select_related("question__key_point").prefetch_related(
            "question_version__blank_answers"
        )
    else:
        shown = shown.defer("choice__is_correct", "choice__feedback")
        items = items.defer("question_version__explanation", "question_version__source_excerpt")
    return items.prefetch_related(
        Prefetch("choices", queryset=shown),
        Prefetch("blanks", queryset=AttemptBlank.objects.order_by("blank")),
    ).order_by("position")


def _outcome(item: AttemptItem) -> ItemOutcome:
    """Grade and key of one item, from the rows ``_items(with_key=True)`` loads. Which
    choices are right comes from the shown choices' own ``Choice`` rows."""
    version = item.question_version
    shown = list(item.choices.all())
    responses = {b.blank: b.response for b in item.blanks.all()}
    # What learners are told is accepted: the answers that earn something.
    accepted: dict[int, list[str]] = {}
    for answer in version.blank_answers.all():
        earning = accepted.setdefault(answer.blank, [])
        if answer.credit > 0:
            earning.append(answer_display(answer.text, answer.credit))
    key = grading.blank_key(version)
    matches = {
        number: grading.blank_match(responses.get(number, ""), key[number]) for number in key
    }
    # A checked item of an open attempt has no score yet: grade it as finishing will.
    score = item.score if item.score is not None else grading.item_grade(item)
    if score >= item.points:
        verdict = "right"
    elif score > 0:
        verdict = "partly"
    else:
        verdict = "wrong"
    blanks = tuple(
        BlankOutcome(
            number=number,
            response=responses.get(number, ""),
            right=match is not None and match.credit == 1,
            accepted=tuple(accepted[number]),
            credit=_percent(match.credit) if match is not None else Decimal(0),
            feedback=match.feedback if match is not None else "",
        )
        for number, match in sorted(matches.items())
    )
    key_point = item.question.key_point
    return ItemOutcome(
        score=score,
        points=item.points,
        verdict=verdict,
        choices=tuple(
            ChoiceOutcome(
                position=c.position,
                text=c.choice.text,
                selected=c.selected,
                right=c.choice.is_correct,
                feedback=c.choice.feedback,
            )
            for c in shown
        ),
        blanks=blanks,
        explanation=version.explanation,
        source_excerpt=version.source_excerpt,
        # Often the excerpt is the key point itself; then it is shown once.
        key_point_text=(
            key_point.text
            if key_point is not None and key_point.text.strip() != version.source_excerpt.strip()
            else ""
        ),
    )


def _percent(share) -> Decimal:
    return (Decimal(share.numerator) * 100 / Decimal(share.denominator)).quantize(Decimal("0.01"))


def _screen(item: AttemptItem, *, total: int, outcome: ItemOutcome | None) -> QuestionScreen:
    version = item.question_version
    responses = {b.blank: b.response for b in item.blanks.all()}
    choices = tuple(
        ShownChoice(position=c.position, text=c.choice.text, selected=c.selected)
        for c in item.choices.all()
    )
    is_blank = version.kind == QuestionKind.BLANK
    return QuestionScreen(
        position=item.position,
        total=total,
        kind=version.kind,
        stem=version.stem,
        stem_parts=tuple(stem_parts(version.stem, responses)) if is_blank else (),
        choices=() if is_blank else choices,
        points=item.points,
        next_sequence=item.sequence + 1,
        answered=any(c.selected for c in choices) or any(r for r in responses.values()),
        checked=item.checked_at is not None,
        outcome=outcome,
    )


def immediate_feedback(*, attempt: Attempt) -> bool:
    return attempt.assignment.quiz.feedback_timing == Quiz.FeedbackTiming.IMMEDIATE


def question_screen(*, attempt: Attempt, position: int, total: int) -> QuestionScreen | None:
    """One item of an open attempt as its page shows it, or ``None`` if there is no such
    position. The key is loaded only for a checked item under immediate feedback. Three
    queries, seven for a checked item."""
    item = _items(attempt, with_key=False).filter(position=position).first()
    if item is None:
        return None
    outcome = None
    if item.checked_at is not None and immediate_feedback(attempt=attempt):
        item = _items(attempt, with_key=True).get(pk=item.pk)
        outcome = _outcome(item)
    return _screen(item, total=total, outcome=outcome)


# --- Result and review ------------------------------------------------------------------


def review_allowed(*, attempt: Attempt, now: datetime) -> bool:
    """Whether the learner may see the key of a finished attempt: after submitting
    (``after_submit`` and ``immediate``) or once the assignment is due (``after_due``)."""
    if attempt.state != Attempt.State.FINISHED:
        return False
    if attempt.assignment.quiz.feedback_timing == Quiz.FeedbackTiming.AFTER_DUE:
        return now >= attempt.assignment.due_at
    return True


@dataclass(frozen=True)
class ResultSummary:
    attempt: Attempt
    percent: Decimal | None
    passed: bool | None
    pass_mark: Decimal
    time_taken: timedelta | None
    question_count: int
    review_allowed: bool
    review_opens_at: datetime | None

    @property
    def minutes_taken(self) -> int:
        return int(self.time_taken.total_seconds()) // 60 if self.time_taken else 0

    @property
    def seconds_taken(self) -> int:
        return int(self.time_taken.total_seconds()) % 60 if self.time_taken else 0


def attempt_result(*, attempt: Attempt, now: datetime) -> ResultSummary:
    """The result page of a finished attempt. One query."""
    quiz = attempt.assignment.quiz
    percent = attempt.percent
    allowed = review_allowed(attempt=attempt, now=now)
    opens = None
    if not allowed and quiz.feedback_timing == Quiz.FeedbackTiming.AFTER_DUE:
        opens = attempt.assignment.due_at
    return ResultSummary(
        attempt=attempt,
        percent=percent,
        passed=None if percent is None else percent >= quiz.pass_mark,
        pass_mark=quiz.pass_mark,
        time_taken=(attempt.finished_at - attempt.started_at) if attempt.finished_at else None,
        question_count=AttemptItem.objects.filter(attempt=attempt).count(),
        review_allowed=allowed,
        review_opens_at=opens,
    )


@dataclass(frozen=True)
class ReviewItem:
    screen: QuestionScreen
    outcome: ItemOutcome


def attempt_review(*, attempt: Attempt) -> list[ReviewItem]:
    """Every item of a finished attempt with its grade and key, using the exact versions
    and choice order the attempt showed. The caller checks ``review_allowed``. Five
    queries, whatever the number of items."""
    items = list(_items(attempt, with_key=True))
    total = len(items)
    review = []
    for item in items:
        outcome = _outcome(item)
        review.append(
            ReviewItem(screen=_screen(item, total=total, outcome=outcome), outcome=outcome)
        )
    return review
