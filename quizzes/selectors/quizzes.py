"""Reads for the quiz builder: who may author, the quizzes an organizer may open, a quiz's
slots with what each shows, how many questions a random-draw rule matches, the question
picker, and the groups a quiz may be assigned to.

*Siblings* are questions on one key point: they come from the same passage, so one can
give another away (a blank ``第____届`` beside a true/false that says ``第十八届``). A quiz
holds at most one of them as a fixed question, and an attempt holds at most one of them in
all (``services.attempts``). The builder and the picker show which questions are siblings
of the quiz's questions; a rule counts the *sibling groups* it can draw from (each key
point once, each question without a key point on its own), since that, not its number of
questions, is how many questions an attempt can get from it.

Each selector runs a fixed number of queries whatever the number of rows; the builder's
page test pins the total at two sizes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

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
from quizzes.selectors.access import organized_subtree_ids, organizes_everything
from quizzes.selectors.banks import (
    QUESTIONS_PER_PAGE,
    ROW_COLUMNS,
    QuestionFilters,
    QuestionRow,
    questions_matching,
    row_fields,
    with_current_version,
)
from quizzes.selectors.home import count_related

QUIZZES_PER_PAGE = 50


# --- Who may author -------------------------------------------------------------------


def user_is_organizer(*, user: User) -> bool:
    """Whether ``user`` may use the authoring pages: a site-wide organizer, and anyone who
    organizes a study group or already owns a bank or a quiz. At most one query (three for
    a staff account that is not a superuser)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if organizes_everything(user=user):
        return True
    return User.objects.filter(
        Q(pk=user.pk)
        & (
            Exists(Membership.objects.filter(user=OuterRef("pk"), role=Membership.Role.ORGANIZER))
            | Exists(QuestionBank.objects.filter(owner=OuterRef("pk")))
            | Exists(Quiz.objects.filter(owner=OuterRef("pk")))
        )
    ).exists()


def quizzes_visible_to(*, user: User) -> QuerySet[Quiz]:
    """Quizzes ``user`` may open and edit: their own, or all of them for a site-wide
    organizer."""
    if not (user.is_authenticated and user.is_active):
        return Quiz.objects.none()
    if organizes_everything(user=user):
        return Quiz.objects.all()
    return Quiz.objects.filter(owner=user)


def can_edit_quiz(*, user: User, quiz: Quiz) -> bool:
    """Whether ``user`` may open and edit ``quiz``: its owner and a site-wide organizer.
    No query for the owner."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (quiz.owner_id == user.pk or organizes_everything(user=user))
    )


def quiz_list_page(*, user: User, page_number: str | int | None) -> Page:
    """One page of the quizzes ``user`` may open, by title, with ``slot_count`` and
    ``assignment_count``. Two queries (count, page)."""
    quizzes = (
        quizzes_visible_to(user=user)
        .select_related("owner")
        .annotate(
            slot_count=count_related(queryset=QuizSlot.objects.all(), outer_field="quiz"),
            assignment_count=count_related(queryset=Assignment.objects.all(), outer_field="quiz"),
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


@dataclass(frozen=True)
class RuleMatch:
    """What a random-draw rule matches now: its published ``questions``, and how many of
    them one attempt can draw (``groups``, its sibling groups): one per key point, none on
    the key point of a fixed question learners see, no fixed question of the quiz, and
    each other question without a key point."""

    questions: int
    groups: int


def _shown_fixed_slots(quiz_id: int) -> QuerySet[QuizSlot]:
    """The quiz's fixed slots that learners see: pinned, or following a published
    question."""
    return QuizSlot.objects.filter(quiz_id=quiz_id, question__isnull=False).filter(
        Q(pinned_version__isnull=False) | Q(question__status=Question.Status.PUBLISHED)
    )


def rule_matches(*, quiz_id: int, rules: Iterable[QuizSlot]) -> list[RuleMatch]:
    """What each rule slot of quiz ``quiz_id`` matches now, in the order given; a rule
    need not be saved yet.

    One query whatever the number of rules: published questions of the rules' banks are
    counted per (bank, key point, kind, difficulty, fixed in the quiz, key point held by
    a fixed question learners see), and each rule adds up the groups it matches. No query
    when there are no rules. Rules are counted each on its own: two rules that draw from
    the same questions share them in an attempt."""
    rules = [slot for slot in rules if slot.is_rule]
    if not rules:
        return []
    groups = list(
        with_current_version(
            questions=Question.objects.filter(
                bank_id__in={slot.draw_bank_id for slot in rules},
                status=Question.Status.PUBLISHED,
            )
        )
        .annotate(
            fixed=Exists(QuizSlot.objects.filter(quiz_id=quiz_id, question_id=OuterRef("pk"))),
            held=Exists(
                _shown_fixed_slots(quiz_id).filter(question__key_point_id=OuterRef("key_point_id"))
            ),
        )
        .values("bank_id", "key_point_id", "current_kind", "current_difficulty", "fixed", "held")
        .annotate(n=Count("pk"))
        .order_by()
    )
    matches = []
    for slot in rules:
        matched = [
            group
            for group in groups
            if group["bank_id"] == slot.draw_bank_id
            and (slot.draw_key_point_id is None or group["key_point_id"] == slot.draw_key_point_id)
            and (not slot.draw_kind or group["current_kind"] == slot.draw_kind)
            and (
                slot.draw_difficulty is None or group["current_difficulty"] == slot.draw_difficulty
            )
        ]
        drawable = [group for group in matched if not group["fixed"] and not group["held"]]
        matches.append(
            RuleMatch(
                questions=sum(group["n"] for group in matched),
                groups=len({g["key_point_id"] for g in drawable if g["key_point_id"] is not None})
                + sum(g["n"] for g in drawable if g["key_point_id"] is None),
            )
        )
    return matches


def rule_match(
    *,
    quiz_id: int,
    bank_id: int,
    key_point_id: int | None = None,
    kind: str = "",
    difficulty: int | None = None,
) -> RuleMatch:
    """What a rule with these filters would match now in quiz ``quiz_id``. One query."""
    rule = QuizSlot(
        quiz_id=quiz_id,
        draw_count=1,
        draw_bank_id=bank_id,
        draw_key_point_id=key_point_id,
        draw_kind=kind,
        draw_difficulty=difficulty,
    )
    return rule_matches(quiz_id=quiz_id, rules=[rule])[0]


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
    # A fixed slot whose question is on the same key point as an earlier slot that
    # learners see: that slot's position and stem. Attempts skip this one.
    sibling_position: int | None = None
    sibling_stem: str = ""
    # A rule slot: how many questions it matches now, and how many of them one attempt
    # can hold (one per key point; see ``RuleMatch``).
    match_count: int | None = None
    group_count: int | None = None

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
    def skipped_as_sibling(self) -> bool:
        return self.sibling_position is not None

    @property
    def questions_shown(self) -> int:
        if self.is_rule:
            return self.slot.draw_count
        return 0 if self.skipped_as_sibling else 1

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

    @property
    def short_of_key_points(self) -> bool:
        """A rule with enough questions but too few key points among them to fill an
        attempt without siblings."""
        return (
            self.is_rule
            and not self.short_of_questions
            and (self.group_count or 0) < self.slot.draw_count
        )

    @property
    def learners_see(self) -> bool:
        """A fixed slot whose question attempts show (pinned, or published)."""
        return not self.is_rule and not self.hidden_from_learners and not self.skipped_as_sibling


def quiz_slot_rows(*, quiz: Quiz) -> list[SlotRow]:
    """The quiz's slots in order, each with what it shows; rules with how many questions
    they match now; fixed slots on the key point of an earlier slot learners see, with
    that slot (attempts skip them, as ``services.attempts`` does). Two queries (slots
    with their questions, banks, pinned versions and rule filters; rule match counts —
    skipped when the quiz has no rule)."""
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
    rules = [slot for slot in slots if slot.is_rule]
    matches = dict(zip(rules, rule_matches(quiz_id=quiz.pk, rules=rules), strict=True))
    last = len(slots) - 1
    rows = []
    # Key point → (position, stem) of the first slot learners see on it.
    holders: dict[int, tuple[int, str]] = {}
    for index, slot in enumerate(slots):
        row = SlotRow(
            slot=slot,
            is_first=index == 0,
            is_last=index == last,
            current_number=slot.current_number,
            current_stem=slot.current_stem or "",
            current_kind=slot.current_kind or "",
            match_count=matches[slot].questions if slot.is_rule else None,
            group_count=matches[slot].groups if slot.is_rule else None,
        )
        key_point_id = None if slot.is_rule else slot.question.key_point_id
        if key_point_id is not None and not row.hidden_from_learners:
            if key_point_id in holders:
                position, stem = holders[key_point_id]
                row = replace(row, sibling_position=position, sibling_stem=stem)
            else:
                holders[key_point_id] = (slot.position, row.stem)
        rows.append(row)
    return rows


def quiz_sibling_conflicts(*, rows: Iterable[SlotRow]) -> list[SlotRow]:
    """The fixed slots that attempts skip because an earlier slot shows a question on the
    same key point: quizzes built before the builder refused siblings, or a question
    whose key point changed after it was added. No query."""
    return [row for row in rows if row.skipped_as_sibling]


# --- The question picker ---------------------------------------------------------------


@dataclass(frozen=True)
class PickerRow(QuestionRow):
    """A question as the picker lists it. ``sibling_position``: the position of a fixed
    slot of the quiz on the same key point (then this question cannot be added)."""

    sibling_position: int | None = None
    sibling_stem: str = ""

    @property
    def can_add(self) -> bool:
        return not self.in_quiz and self.sibling_position is None


@dataclass(frozen=True)
class PickerGroup:
    """Consecutive rows of a picker page: the siblings of one key point (``is_siblings``,
    two or more rows), or a single question."""

    rows: tuple[PickerRow, ...]

    @property
    def is_siblings(self) -> bool:
        return len(self.rows) > 1

    @property
    def key_point_ordinal(self) -> int | None:
        return self.rows[0].key_point_ordinal

    @property
    def key_point_text(self) -> str:
        return self.rows[0].key_point_text


def quiz_picker_page(
    *,
    quiz_id: int,
    banks: Iterable[int],
    filters: QuestionFilters,
    page_number: str | int | None,
    per_page: int = QUESTIONS_PER_PAGE,
) -> Page:
    """One page of the questions of ``banks`` matching ``filters``, for adding to quiz
    ``quiz_id``; ``object_list`` holds ``PickerRow`` values, and ``groups`` the same rows
    as ``PickerGroup`` values.

    Each row says whether its question is in the quiz, or which fixed slot of the quiz is
    on its key point. Siblings are listed next to each other: questions come in the order
    of the oldest question of their key point, then oldest first, so that a question
    without a key point keeps its place. Two queries (count, page), whatever the page
    size; a page number out of range gives the last page."""
    newest_stem = QuestionVersion.objects.newest_for("question_id").values("stem")[:1]
    sibling_slots = (
        QuizSlot.objects.filter(quiz_id=quiz_id, question__key_point_id=OuterRef("key_point_id"))
        .exclude(question_id=OuterRef("pk"))
        .order_by("position")
    )
    first_of_key_point = (
        Question.objects.filter(key_point_id=OuterRef("key_point_id"))
        .order_by("pk")
        .values("pk")[:1]
    )
    questions = (
        questions_matching(banks=banks, filters=filters)
        .annotate(
            in_quiz=Exists(QuizSlot.objects.filter(quiz_id=quiz_id, question=OuterRef("pk"))),
            sibling_position=Subquery(sibling_slots.values("position")[:1]),
            sibling_stem=Subquery(
                sibling_slots.annotate(
                    stem=Coalesce(F("pinned_version__stem"), Subquery(newest_stem))
                ).values("stem")[:1]
            ),
            sibling_anchor=Coalesce(Subquery(first_of_key_point), F("pk")),
        )
        .order_by("sibling_anchor", "pk")
    )
    page = Paginator(
        questions.values(*ROW_COLUMNS, "in_quiz", "sibling_position", "sibling_stem"), per_page
    ).get_page(page_number)
    rows = [
        PickerRow(
            **row_fields(row=row),
            sibling_position=row["sibling_position"],
            sibling_stem=row["sibling_stem"] or "",
        )
        for row in page.object_list
    ]
    page.object_list = rows
    page.groups = _picker_groups(rows)
    return page


def _picker_groups(rows: list[PickerRow]) -> list[PickerGroup]:
    groups: list[list[PickerRow]] = []
    for row in rows:
        if (
            groups
            and row.key_point_id is not None
            and groups[-1][0].key_point_id == row.key_point_id
        ):
            groups[-1].append(row)
        else:
            groups.append([row])
    return [PickerGroup(rows=tuple(group)) for group in groups]


def quiz_total_points(*, rows: Iterable[SlotRow]) -> Decimal:
    return sum((row.total_points for row in rows), Decimal(0))


def quiz_question_count(*, rows: Iterable[SlotRow]) -> int:
    return sum(row.questions_shown for row in rows)


def quiz_assignments(*, quiz: Quiz) -> QuerySet[Assignment]:
    """The quiz's assignments with their groups, latest due first. One query."""
    return Assignment.objects.filter(quiz=quiz).select_related("group").order_by("-due_at", "pk")


def assignable_groups(*, user: User) -> QuerySet[StudyGroup]:
    """Groups ``user`` may assign a quiz to: the groups they organize and every group below
    one of them (all groups for a site-wide organizer), by name, with their parent. One
    query."""
    groups = StudyGroup.objects.select_related("parent").order_by("name", "pk")
    if organizes_everything(user=user):
        return groups
    return groups.filter(pk__in=organized_subtree_ids(user=user))
