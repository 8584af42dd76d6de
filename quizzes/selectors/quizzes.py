"""Reads for the quiz builder: who may author, the quizzes an organizer may open, a quiz's
slots with what each shows, how many questions a random-draw rule matches, and the groups a
quiz may be assigned to.

Each selector runs a fixed number of queries whatever the number of rows; the builder's
page test pins the total at two sizes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from quizzes.models import (
    Assignment,
    Membership,
    Question,
    QuestionBank,
    QuestionKind,
    QuestionVersion,
    Quiz,
    QuizSlot,
    StudyGroup,
    User,
)
from quizzes.selectors.access import organized_subtree_ids
from quizzes.selectors.banks import QuestionFilters, questions_matching, with_current_version
from quizzes.selectors.home import count_related

QUIZZES_PER_PAGE = 50


# --- Who may author -------------------------------------------------------------------


def user_is_organizer(user: User) -> bool:
    """Whether ``user`` may use the authoring pages: staff, and anyone who organizes a
    study group or already owns a bank or a quiz. At most one query."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    return User.objects.filter(
        Q(pk=user.pk)
        & (
            Exists(Membership.objects.filter(user=OuterRef("pk"), role=Membership.Role.ORGANIZER))
            | Exists(QuestionBank.objects.filter(owner=OuterRef("pk")))
            | Exists(Quiz.objects.filter(owner=OuterRef("pk")))
        )
    ).exists()


def quizzes_visible_to(user: User) -> QuerySet[Quiz]:
    """Quizzes ``user`` may open and edit: their own, or all of them for staff."""
    if not (user.is_authenticated and user.is_active):
        return Quiz.objects.none()
    if user.is_staff:
        return Quiz.objects.all()
    return Quiz.objects.filter(owner=user)


def can_edit_quiz(user: User, quiz: Quiz) -> bool:
    """Whether ``user`` may open and edit ``quiz``: its owner and staff. No query."""
    return bool(
        user.is_authenticated and user.is_active and (user.is_staff or quiz.owner_id == user.pk)
    )


def quiz_list_page(*, user: User, page_number: str | int | None) -> Page:
    """One page of the quizzes ``user`` may open, by title, with ``slot_count`` and
    ``assignment_count``. Two queries (count, page)."""
    quizzes = (
        quizzes_visible_to(user)
        .select_related("owner")
        .annotate(
            slot_count=count_related(QuizSlot.objects.all(), outer_field="quiz"),
            assignment_count=count_related(Assignment.objects.all(), outer_field="quiz"),
        )
        .order_by("title", "pk")
    )
    return Paginator(quizzes, QUIZZES_PER_PAGE).get_page(page_number)


# --- Random-draw rules ----------------------------------------------------------------


def rule_matching_questions(
    *,
    bank_id: int,
    key_point_id: int | None = None,
    kind: str = "",
    difficulty: int | None = None,
) -> QuerySet[Question]:
    """The questions a random-draw rule may draw from: the published questions of the
    bank whose newest version matches the kind and difficulty, and whose key point is the
    one given (when one is). One query when evaluated."""
    filters = QuestionFilters(
        bank=bank_id,
        key_point=key_point_id,
        kind=kind,
        difficulty=difficulty,
        status=Question.Status.PUBLISHED,
    )
    return questions_matching(banks=[bank_id], filters=filters)


def rule_match_count(
    *,
    bank_id: int,
    key_point_id: int | None = None,
    kind: str = "",
    difficulty: int | None = None,
) -> int:
    """How many questions a rule with these filters matches now. One query."""
    return rule_matching_questions(
        bank_id=bank_id, key_point_id=key_point_id, kind=kind, difficulty=difficulty
    ).count()


def rule_match_counts(rules: Iterable[QuizSlot]) -> dict[int, int]:
    """How many questions each rule slot matches now, by slot pk.

    One query whatever the number of rules: published questions of the rules' banks are
    counted per (bank, key point, kind, difficulty), and each rule adds up the groups it
    matches. No query when there are no rules."""
    rules = [slot for slot in rules if slot.is_rule]
    if not rules:
        return {}
    groups = (
        with_current_version(
            Question.objects.filter(
                bank_id__in={slot.draw_bank_id for slot in rules},
                status=Question.Status.PUBLISHED,
            )
        )
        .values("bank_id", "key_point_id", "current_kind", "current_difficulty")
        .annotate(n=Count("pk"))
        .order_by()
    )
    groups = list(groups)
    counts: dict[int, int] = {}
    for slot in rules:
        counts[slot.pk] = sum(
            group["n"]
            for group in groups
            if group["bank_id"] == slot.draw_bank_id
            and (slot.draw_key_point_id is None or group["key_point_id"] == slot.draw_key_point_id)
            and (not slot.draw_kind or group["current_kind"] == slot.draw_kind)
            and (
                slot.draw_difficulty is None or group["current_difficulty"] == slot.draw_difficulty
            )
        )
    return counts


# --- The quiz builder -----------------------------------------------------------------


@dataclass(frozen=True)
class SlotRow:
    """A slot of a quiz as the builder shows it."""

    slot: QuizSlot
    is_first: bool
    is_last: bool
    # A fixed slot: the question's newest version, and the pinned version if any.
    current_number: int | None = None
    current_stem: str = ""
    current_kind: str = ""
    # A rule slot: how many questions it matches now.
    match_count: int | None = None

    @property
    def is_rule(self) -> bool:
        return self.slot.is_rule

    @property
    def stem(self) -> str:
        pinned = self.slot.pinned_version
        return pinned.stem if pinned is not None else self.current_stem

    @property
    def kind_label(self) -> str:
        kind = self.slot.pinned_version.kind if self.slot.pinned_version else self.current_kind
        return str(dict(QuestionKind.choices).get(kind, ""))

    @property
    def questions_shown(self) -> int:
        return self.slot.draw_count if self.is_rule else 1

    @property
    def total_points(self) -> Decimal:
        return self.slot.points * self.questions_shown

    @property
    def hidden_from_learners(self) -> bool:
        """A fixed slot that follows the newest version shows nothing while its question
        is not published."""
        return (
            not self.is_rule
            and self.slot.pinned_version_id is None
            and self.slot.question.status != Question.Status.PUBLISHED
        )

    @property
    def short_of_questions(self) -> bool:
        return self.is_rule and (self.match_count or 0) < self.slot.draw_count


def quiz_slot_rows(*, quiz: Quiz) -> list[SlotRow]:
    """The quiz's slots in order, each with what it shows; rules with how many questions
    they match now. Two queries (slots with their questions, banks, pinned versions and
    rule filters; rule match counts — skipped when the quiz has no rule)."""
    newest = QuestionVersion.objects.newest_for("question_id")
    slots = list(
        QuizSlot.objects.filter(quiz=quiz)
        .select_related("question__bank", "pinned_version", "draw_bank", "draw_key_point__document")
        .defer("draw_key_point__document__text")
        .annotate(
            current_number=Subquery(newest.values("number")[:1]),
            current_stem=Subquery(newest.values("stem")[:1]),
            current_kind=Subquery(newest.values("kind")[:1]),
        )
        .order_by("position")
    )
    counts = rule_match_counts(slots)
    last = len(slots) - 1
    return [
        SlotRow(
            slot=slot,
            is_first=index == 0,
            is_last=index == last,
            current_number=slot.current_number,
            current_stem=slot.current_stem or "",
            current_kind=slot.current_kind or "",
            match_count=counts.get(slot.pk),
        )
        for index, slot in enumerate(slots)
    ]


def quiz_total_points(rows: Iterable[SlotRow]) -> Decimal:
    return sum((row.total_points for row in rows), Decimal(0))


def plain_number(value: Decimal) -> str:
    """``Decimal("2.50")`` as ``"2.5"`` and ``Decimal("10.00")`` as ``"10"``."""
    return f"{value.normalize():f}"


def quiz_question_count(rows: Iterable[SlotRow]) -> int:
    return sum(row.questions_shown for row in rows)


def quiz_assignments(*, quiz: Quiz) -> QuerySet[Assignment]:
    """The quiz's assignments with their groups, latest due first. One query."""
    return Assignment.objects.filter(quiz=quiz).select_related("group").order_by("-due_at", "pk")


def assignable_groups(*, user: User) -> QuerySet[StudyGroup]:
    """Groups ``user`` may assign a quiz to: the groups they organize and every group below
    one of them (all groups for staff), by name, with their parent. One query."""
    groups = StudyGroup.objects.select_related("parent").order_by("name", "pk")
    if user.is_staff:
        return groups
    return groups.filter(pk__in=organized_subtree_ids(user))
