"""Siblings — questions on one key point, which come from the same passage and so give each
other away — never share a quiz or an attempt: the builder refuses a fixed sibling and
leaves siblings out of a bulk add, the picker shows and disables them, a rule counts the
sibling groups it can draw from, quizzes from before this rule are flagged and their
attempts show one of each, the draw never yields two (property test over many seeds,
fixed slots and rules mixed), and the database refuses two items on one key point."""

import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.models import Attempt, AttemptItem, QuizSlot
from quizzes.selectors.quizzes import rule_match, rule_matches
from quizzes.services.attempts import AttemptError, attempt_finish, attempt_start
from quizzes.services.banks import question_create, question_update
from quizzes.services.quizzes import quiz_add_question, quiz_add_questions, quiz_add_rule

from . import factories
from .test_attempt_flow import DURING, make_assignment

pytestmark = pytest.mark.django_db


# --- Fixtures and helpers -------------------------------------------------------------


@pytest.fixture
def organizer_client(client, organizer, group):
    client.force_login(organizer)
    return client


@pytest.fixture
def bank(organizer):
    return factories.BankFactory(owner=organizer, title="Congress report bank")


@pytest.fixture
def document(bank):
    return factories.DocumentFactory(bank=bank)


@pytest.fixture
def points(document):
    """Three key points of one document: three passages."""
    return [
        factories.KeyPointFactory(document=document, ordinal=n, text=f"Passage {n} of the report.")
        for n in (1, 2, 3)
    ]


@pytest.fixture
def quiz(organizer):
    return factories.QuizFactory(owner=organizer, title="Congress quiz", attempts_allowed=0)


def _draft(stem: str, kind: str = "single", difficulty: int = 3) -> QuestionDraft:
    if kind == "blank":
        stem = stem if "___" in stem else f"{stem} ___"
        return QuestionDraft(kind="blank", stem=stem, blanks=(("x",),), difficulty=difficulty)
    if kind == "true_false":
        return QuestionDraft(
            kind="true_false",
            stem=stem,
            difficulty=difficulty,
            choices=(ChoiceDraft("True", True), ChoiceDraft("False")),
        )
    return QuestionDraft(
        kind=kind,
        stem=stem,
        difficulty=difficulty,
        choices=(ChoiceDraft("Right", True), ChoiceDraft("Wrong")),
    )


def _question(bank, stem, *, key_point=None, kind="single", difficulty=3, status="published"):
    return question_create(
        bank=bank,
        draft=_draft(stem, kind, difficulty),
        created_by=bank.owner,
        status=status,
        key_point=key_point,
    )


def _url(name, quiz, **kwargs):
    return reverse(f"quizzes:{name}", kwargs={"pk": quiz.pk, **kwargs})


def _old_slot(quiz, question, position):
    """A fixed slot as quizzes from before this change could hold it: no sibling check."""
    return QuizSlot.objects.create(quiz=quiz, position=position, question=question)


def _start(quiz, group, organizer, learner, *, seed=0, assignment=None):
    assignment = assignment or make_assignment(quiz, group, organizer)
    return attempt_start(assignment=assignment, user=learner, now=DURING, rng=random.Random(seed))


def _items(attempt):
    return list(attempt.items.select_related("question").order_by("position"))


# --- Fixed questions: one per key point ------------------------------------------------


def test_adding_a_sibling_of_a_fixed_question_is_refused_naming_it(quiz, bank, points):
    blank = _question(bank, "The ____th congress", key_point=points[0], kind="blank")
    quiz_add_question(quiz=quiz, question=blank)
    true_false = _question(
        bank, "This is the 18th congress.", key_point=points[0], kind="true_false"
    )

    with pytest.raises(ValidationError) as refused:
        quiz_add_question(quiz=quiz, question=true_false)

    assert refused.value.code == "sibling_in_quiz"
    message = refused.value.messages[0]
    assert "“This is the 18th congress.”" in message
    assert "question 1 of this quiz, “The ____th congress”" in message
    assert list(quiz.slots.values_list("question_id", flat=True)) == [blank.pk]


def test_questions_on_other_key_points_or_none_are_added_beside_each_other(quiz, bank, points):
    questions = [
        _question(bank, "On the first passage?", key_point=points[0]),
        _question(bank, "On the second passage?", key_point=points[1]),
        _question(bank, "Written by hand?"),
        _question(bank, "Also by hand?"),
    ]

    for question in questions:
        quiz_add_question(quiz=quiz, question=question)

    assert quiz.slots.count() == 4


def test_bulk_add_keeps_the_first_of_each_key_point_and_names_the_others(quiz, bank, points):
    in_quiz = _question(bank, "Already there?", key_point=points[0])
    quiz_add_question(quiz=quiz, question=in_quiz)
    ticked = [
        _question(bank, "Sibling of the one there?", key_point=points[0]),
        _question(bank, "First on passage two?", key_point=points[1]),
        _question(bank, "Second on passage two?", key_point=points[1]),
        _question(bank, "Without a key point?"),
    ]

    added = quiz_add_questions(quiz=quiz, questions=ticked)

    assert [slot.question for slot in added.slots] == [ticked[1], ticked[3]]
    assert [(o.question, o.sibling_position, o.sibling_stem) for o in added.left_out] == [
        (ticked[0], 1, "Already there?"),
        (ticked[2], 2, "First on passage two?"),
    ]
    assert list(quiz.slots.order_by("position").values_list("question_id", flat=True)) == [
        in_quiz.pk,
        ticked[1].pk,
        ticked[3].pk,
    ]


def test_the_picker_page_says_which_ticked_questions_were_left_out(
    organizer_client, quiz, bank, points
):
    first = _question(bank, "First on passage one?", key_point=points[0])
    second = _question(bank, "Second on passage one?", key_point=points[0])

    response = organizer_client.post(
        _url("quiz_add_questions", quiz),
        {"questions": [str(first.pk), str(second.pk)], "points": "1"},
        follow=True,
    )

    html = response.content.decode()
    assert "1 question added." in html
    assert (
        "1 question was not added: the quiz already holds a question on the same key point" in html
    )
    assert (
        "Not added: “Second on passage one?”, on the same key point as question 1, "
        "“First on passage one?”." in html
    )
    assert list(quiz.slots.values_list("question_id", flat=True)) == [first.pk]


def test_replacing_a_sibling_is_removing_one_and_adding_the_other(
    organizer_client, quiz, bank, points
):
    first = _question(bank, "First?", key_point=points[0])
    second = _question(bank, "Second?", key_point=points[0])
    slot = quiz_add_question(quiz=quiz, question=first)

    organizer_client.post(_url("quiz_slot_remove", quiz, slot_pk=slot.pk))
    response = organizer_client.post(
        _url("quiz_add_questions", quiz), {"questions": [str(second.pk)], "points": "1"}
    )

    assert response.status_code == 302
    assert list(quiz.slots.values_list("question_id", flat=True)) == [second.pk]


def test_picker_marks_and_disables_siblings_of_questions_in_the_quiz(
    organizer_client, quiz, bank, points
):
    first = _question(bank, "The 20th congress met in which year?", key_point=points[0])
    sibling = _question(bank, "The congress met in 2022.", key_point=points[0], kind="true_false")
    free = _question(bank, "On another passage?", key_point=points[1])
    quiz_add_question(quiz=quiz, question=first)

    response = organizer_client.get(_url("quiz_add_questions", quiz))

    rows = {row.pk: row for row in response.context["page_obj"].object_list}
    assert (rows[sibling.pk].sibling_position, rows[sibling.pk].can_add) == (1, False)
    assert (rows[free.pk].sibling_position, rows[free.pk].can_add) == (None, True)
    html = response.content.decode()
    assert (
        f'value="{sibling.pk}" id="pick-{sibling.pk}" disabled '
        f'aria-describedby="pick-{sibling.pk}-sibling"'
    ) in html
    assert f'value="{free.pk}" id="pick-{free.pk}">' in html
    assert (
        "Question 1 of the quiz, “The 20th congress met in which year?”, is on this key point"
        in html
    )


def test_picker_lists_siblings_next_to_each_other_under_their_key_point(
    organizer_client, quiz, bank, points
):
    one_a = _question(bank, "Passage one, first?", key_point=points[0])
    two = _question(bank, "Passage two?", key_point=points[1])
    by_hand = _question(bank, "By hand?")
    one_b = _question(bank, "Passage one, second?", key_point=points[0], kind="blank")

    response = organizer_client.get(_url("quiz_add_questions", quiz))

    page = response.context["page_obj"]
    assert [row.pk for row in page.object_list] == [one_a.pk, one_b.pk, two.pk, by_hand.pk]
    assert [[row.pk for row in group.rows] for group in page.groups] == [
        [one_a.pk, one_b.pk],
        [two.pk],
        [by_hand.pk],
    ]
    assert "Key point 1: a quiz takes one of these questions" in response.content.decode()


# --- Quizzes that already hold siblings -----------------------------------------------


@pytest.fixture
def old_quiz(quiz, bank, points):
    """A quiz from before the builder refused siblings: slots 1 and 3 share a key point."""
    _old_slot(quiz, _question(bank, "The ____th congress", key_point=points[0], kind="blank"), 1)
    _old_slot(quiz, _question(bank, "On passage two?", key_point=points[1]), 2)
    _old_slot(
        quiz,
        _question(bank, "This is the 18th congress.", key_point=points[0], kind="true_false"),
        3,
    )
    return quiz


def test_builder_warns_about_siblings_already_in_a_quiz(organizer_client, old_quiz):
    response = organizer_client.get(_url("quiz_builder", old_quiz))

    html = response.content.decode()
    assert "1 question of this quiz is on the same key point as an earlier one." in html
    assert (
        "Question 3, “This is the 18th congress.”, is skipped: same key point as question 1, "
        "“The ____th congress”."
    ) in html
    assert "Attempts skip this question: question 1 is on the same key point" in html
    # Slots 1 and 2 are shown; 3 is skipped.
    assert response.context["question_count"] == 2
    assert "2 questions per attempt" in html


def test_builder_shows_no_warning_without_siblings(organizer_client, quiz, bank, points):
    quiz_add_question(quiz=quiz, question=_question(bank, "One?", key_point=points[0]))
    quiz_add_question(quiz=quiz, question=_question(bank, "Two?", key_point=points[1]))

    response = organizer_client.get(_url("quiz_builder", quiz))

    assert response.context["sibling_conflicts"] == []
    assert "data-sibling-conflicts" not in response.content.decode()


def test_an_attempt_at_an_old_quiz_shows_only_the_first_of_its_siblings(
    old_quiz, group, organizer, learner
):
    attempt = _start(old_quiz, group, organizer, learner)

    items = _items(attempt)
    assert [item.slot.position for item in items] == [1, 2]
    assert attempt.max_score == Decimal(2)


def test_a_sibling_behind_an_unpublished_slot_is_shown(
    quiz, bank, points, group, organizer, learner
):
    # The first slot's question is a draft, so learners never see it: it gives nothing away.
    _old_slot(quiz, _question(bank, "Draft?", key_point=points[0], status="draft"), 1)
    _old_slot(quiz, _question(bank, "Published?", key_point=points[0]), 2)

    attempt = _start(quiz, group, organizer, learner)

    assert [item.slot.position for item in _items(attempt)] == [2]


def test_a_key_point_changed_after_adding_is_treated_like_old_data(
    organizer_client, quiz, bank, points, group, organizer, learner
):
    first = _question(bank, "First?", key_point=points[0])
    second = _question(bank, "Second?", key_point=points[1])
    quiz_add_questions(quiz=quiz, questions=[first, second])
    question_update(
        question=second, draft=_draft("Second?"), edited_by=organizer, key_point=points[0]
    )

    html = organizer_client.get(_url("quiz_builder", quiz)).content.decode()
    attempt = _start(quiz, group, organizer, learner)

    assert "Question 2, “Second?”, is skipped: same key point as question 1" in html
    assert [item.question_id for item in _items(attempt)] == [first.pk]


# --- Rules: sibling groups --------------------------------------------------------------


def test_a_rule_asking_for_more_than_its_sibling_groups_is_refused_with_both_numbers(
    organizer_client, quiz, bank, points
):
    for n in range(3):
        _question(bank, f"Passage one, {n}?", key_point=points[0])
    _question(bank, "Passage two?", key_point=points[1])
    _question(bank, "By hand?")

    response = organizer_client.post(
        _url("quiz_add_rule", quiz),
        {"draw_count": "4", "bank": str(bank.pk), "key_point": "", "kind": "", "points": "1"},
    )

    assert response.status_code == 200
    assert (
        "5 published questions match these filters, but an attempt can draw only 3 from "
        "them: questions on one key point give each other away"
    ) in response.content.decode()
    assert "The rule cannot draw 4." in response.content.decode()
    assert not quiz.slots.exists()


def test_a_rule_as_large_as_its_sibling_groups_is_saved(quiz, bank, points):
    for n in range(3):
        _question(bank, f"Passage one, {n}?", key_point=points[0])
    _question(bank, "Passage two?", key_point=points[1])
    _question(bank, "By hand?")

    slot = quiz_add_rule(quiz=quiz, bank=bank, draw_count=3)

    assert slot.draw_count == 3


def test_a_key_point_held_by_a_fixed_question_is_no_group_for_a_rule(quiz, bank, points):
    fixed = _question(bank, "Fixed on passage one?", key_point=points[0])
    _question(bank, "Sibling of the fixed one?", key_point=points[0])
    _question(bank, "Passage two?", key_point=points[1])
    quiz_add_question(quiz=quiz, question=fixed)

    match = rule_match(quiz_id=quiz.pk, bank_id=bank.pk)

    assert (match.questions, match.groups) == (3, 1)
    with pytest.raises(ValidationError) as refused:
        quiz_add_rule(quiz=quiz, bank=bank, draw_count=2)
    assert refused.value.code == "too_few_key_points"


def test_a_rule_does_not_count_the_fixed_questions_of_its_quiz(quiz, bank):
    """A fixed question is never drawn, key point or not, so a rule whose only matches
    are fixed questions has nothing to draw."""
    fixed = _question(bank, "Fixed, written by hand?")
    quiz_add_question(quiz=quiz, question=fixed)

    match = rule_match(quiz_id=quiz.pk, bank_id=bank.pk)

    assert (match.questions, match.groups) == (1, 0)
    with pytest.raises(ValidationError):
        quiz_add_rule(quiz=quiz, bank=bank, draw_count=1)


def test_check_and_live_count_say_how_many_an_attempt_can_take(
    organizer_client, quiz, bank, points
):
    for n in range(3):
        _question(bank, f"Passage one, {n}?", key_point=points[0])
    _question(bank, "Passage two?", key_point=points[1])

    live = organizer_client.get(_url("quiz_rule_count", quiz), {"bank": bank.pk})
    checked = organizer_client.post(
        _url("quiz_add_rule", quiz),
        {
            "draw_count": "9",
            "bank": str(bank.pk),
            "key_point": "",
            "kind": "",
            "points": "1",
            "action": "check",
        },
    )

    text = "4 published questions match now; an attempt can take 2: one per key point."
    assert live.json() == {"count": 4, "groups": 2, "text": text}
    assert text in checked.content.decode()


def test_a_rule_that_falls_short_of_groups_later_is_flagged(organizer_client, quiz, bank, points):
    first = _question(bank, "Passage one?", key_point=points[0])
    _question(bank, "Passage two?", key_point=points[1])
    quiz_add_rule(quiz=quiz, bank=bank, draw_count=2)
    # A fixed question on passage one: the rule can now draw from passage two only.
    quiz_add_question(quiz=quiz, question=first)

    response = organizer_client.get(_url("quiz_builder", quiz))

    html = response.content.decode()
    assert "an attempt can take 1: one per key point" in html
    assert "so attempts will get 1 from this rule instead of 2" in html


def test_a_rule_with_more_questions_than_groups_draws_one_per_group(
    quiz, bank, points, group, organizer, learner
):
    """As when a rule has too few questions (the draw gives what there is), the attempt
    starts with fewer questions."""
    for point in points[:2]:
        for n in range(3):
            _question(bank, f"Passage {point.ordinal}, {n}?", key_point=point)
    # Saved before the builder counted groups; the data is as it could be now.
    QuizSlot.objects.create(quiz=quiz, position=1, draw_bank=bank, draw_count=5)

    attempt = _start(quiz, group, organizer, learner)

    items = _items(attempt)
    assert len(items) == 2
    assert {item.question.key_point_id for item in items} == {points[0].pk, points[1].pk}
    assert attempt.max_score == Decimal(2)


# --- The draw ---------------------------------------------------------------------------


def test_a_drawn_question_never_shares_a_key_point_with_a_fixed_one(
    quiz, bank, points, group, organizer, learner
):
    fixed = _question(bank, "Fixed on passage one?", key_point=points[0])
    for n in range(4):
        _question(bank, f"Passage one, {n}?", key_point=points[0])
    other = _question(bank, "Passage two?", key_point=points[1])
    quiz_add_question(quiz=quiz, question=fixed)
    QuizSlot.objects.create(quiz=quiz, position=2, draw_bank=bank, draw_count=3)
    assignment = make_assignment(quiz, group, organizer)

    for seed in range(10):
        attempt = _start(quiz, group, organizer, learner, seed=seed, assignment=assignment)
        assert [item.question_id for item in _items(attempt)] == [fixed.pk, other.pk]
        Attempt.objects.filter(pk=attempt.pk).delete()


def test_a_rule_narrowed_to_one_key_point_is_not_emptied_by_a_wider_rule(
    quiz, bank, points, group, organizer, learner
):
    narrow = [_question(bank, f"Passage one, {n}?", key_point=points[0]) for n in range(2)]
    _question(bank, "Passage two?", key_point=points[1])
    _question(bank, "Passage three?", key_point=points[2])
    # The wide rule comes first and could take passage one; the narrow one picks first.
    QuizSlot.objects.create(quiz=quiz, position=1, draw_bank=bank, draw_count=2)
    QuizSlot.objects.create(
        quiz=quiz, position=2, draw_bank=bank, draw_count=1, draw_key_point=points[0]
    )
    assignment = make_assignment(quiz, group, organizer)

    for seed in range(10):
        attempt = _start(quiz, group, organizer, learner, seed=seed, assignment=assignment)
        items = _items(attempt)
        assert len(items) == 3
        assert items[2].question in narrow
        assert {item.question.key_point_id for item in items[:2]} == {points[1].pk, points[2].pk}
        Attempt.objects.filter(pk=attempt.pk).delete()


def test_least_seen_first_holds_within_sibling_groups(
    quiz, bank, points, group, organizer, learner
):
    """Six questions on three key points, two drawn per attempt: each attempt holds two
    key points, never draws a question seen more often than one it passed over on a key
    point the attempt does not hold, and after four attempts every question was shown."""
    questions = [
        _question(bank, f"Passage {point.ordinal}, {n}?", key_point=point)
        for point in points
        for n in range(2)
    ]
    QuizSlot.objects.create(quiz=quiz, position=1, draw_bank=bank, draw_count=2)
    assignment = make_assignment(quiz, group, organizer)
    seen = Counter()
    for seed in range(4):
        attempt = _start(quiz, group, organizer, learner, seed=seed, assignment=assignment)
        items = _items(attempt)
        held = {item.question.key_point_id for item in items}
        drawn = {item.question_id for item in items}
        assert len(held) == 2
        passed_over = [q for q in questions if q.key_point_id not in held]
        assert max(seen[pk] for pk in drawn) <= min(seen[q.pk] for q in passed_over)
        seen.update(drawn)
        attempt_finish(attempt=attempt, now=DURING + timedelta(minutes=1))
    assert all(seen[q.pk] >= 1 for q in questions)


def test_attempt_items_record_their_key_point(quiz, bank, points, group, organizer, learner):
    quiz_add_question(quiz=quiz, question=_question(bank, "Passage one?", key_point=points[0]))
    quiz_add_question(quiz=quiz, question=_question(bank, "By hand?"))

    attempt = _start(quiz, group, organizer, learner)

    assert [item.key_point_id for item in _items(attempt)] == [points[0].pk, None]


def test_the_database_refuses_two_items_on_one_key_point_in_an_attempt(
    quiz, bank, points, group, organizer, learner
):
    first = _question(bank, "Passage one?", key_point=points[0])
    second = _question(bank, "Passage one again?", key_point=points[0])
    quiz_add_question(quiz=quiz, question=first)
    attempt = _start(quiz, group, organizer, learner)

    with pytest.raises(IntegrityError), transaction.atomic():
        AttemptItem.objects.create(
            attempt=attempt,
            position=2,
            question=second,
            question_version=second.versions.get(),
            key_point=points[0],
            points=1,
        )
    # Without a key point, any number of items.
    for position, stem in ((2, "By hand?"), (3, "Also by hand?")):
        question = _question(bank, stem)
        AttemptItem.objects.create(
            attempt=attempt,
            position=position,
            question=question,
            question_version=question.versions.get(),
            points=1,
        )
    assert attempt.items.count() == 3


@pytest.mark.parametrize("size", [2, 8])
def test_starting_an_attempt_with_fixed_slots_and_rules_runs_a_fixed_number_of_queries(
    quiz, bank, document, group, organizer, learner, size
):
    for n in range(3 * size):
        point = factories.KeyPointFactory(document=document, ordinal=100 + n)
        question = _question(bank, f"Question {n}?", key_point=point)
        if n < size:
            QuizSlot.objects.create(quiz=quiz, position=n + 1, question=question)
    QuizSlot.objects.create(quiz=quiz, position=size + 1, draw_bank=bank, draw_count=size)
    QuizSlot.objects.create(quiz=quiz, position=size + 2, draw_bank=bank, draw_count=2)
    assignment = make_assignment(quiz, group, organizer)

    with CaptureQueriesContext(connection) as queries:
        attempt = _start(quiz, group, organizer, learner, assignment=assignment)

    # 1 groups above the learner's, 2 open attempt, 3 savepoint, 4 attempt number;
    # the draw: 5 slots, 6 newest version numbers, 7 those versions, 8-9 candidates of
    # each rule, 10 drawn versions; 11 attempt, 12 items, 13 versions with 14 choices,
    # 15 shown choices, 16 release savepoint. (19 before siblings were kept apart: the
    # rules and the fixed questions were read apart, and each rule's versions.)
    assert len(queries) == 16, [q["sql"][:80] for q in queries.captured_queries]
    assert attempt.items.count() == 2 * size + 2


# --- Property: never two siblings, over many seeds and quiz shapes ----------------------

KINDS = ["single", "true_false", "single", "blank"]


@pytest.fixture
def pool(bank, document):
    """24 published questions: four on each of five key points (kinds and difficulties
    mixed) and four without a key point."""
    points = [
        factories.KeyPointFactory(document=document, ordinal=n, text=f"Passage {n}.")
        for n in range(1, 6)
    ]
    questions = []
    for index in range(24):
        point = points[index // 4] if index < 20 else None
        questions.append(
            _question(
                bank,
                f"Question {index}?",
                key_point=point,
                kind=KINDS[index % 4],
                difficulty=1 + index % 3,
            )
        )
    return points, questions


@st.composite
def quiz_shapes(draw):
    fixed = draw(st.lists(st.integers(0, 23), unique=True, max_size=6))
    rules = draw(
        st.lists(
            st.tuples(
                st.integers(1, 6),  # draw count
                st.none() | st.integers(0, 4),  # key point
                st.sampled_from(["", "single", "true_false", "blank"]),
                st.none() | st.integers(1, 3),  # difficulty
            ),
            max_size=3,
        )
    )
    order = draw(st.permutations(range(len(fixed) + len(rules))))
    seeds = draw(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=3))
    shuffle = draw(st.booleans())
    return fixed, rules, list(order), seeds, shuffle


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=quiz_shapes())
def test_no_attempt_ever_holds_two_siblings(pool, quiz, group, organizer, learner, shape):
    points, questions = pool
    fixed, rules, order, seeds, shuffle = shape
    with transaction.atomic():
        quiz.shuffle_questions = shuffle
        quiz.save()
        slots = []
        positions = iter(p + 1 for p in order)
        for index in fixed:  # any fixed questions, siblings too: data from before
            slots.append(_old_slot(quiz, questions[index], next(positions)))
        for count, point, kind, difficulty in rules:
            slots.append(
                QuizSlot.objects.create(
                    quiz=quiz,
                    position=next(positions),
                    draw_bank_id=questions[0].bank_id,
                    draw_count=count,
                    draw_key_point=points[point] if point is not None else None,
                    draw_kind=kind,
                    draw_difficulty=difficulty,
                )
            )
        assignment = make_assignment(quiz, group, organizer)
        fixed_slots = sorted((s for s in slots if not s.is_rule), key=lambda s: s.position)
        fixed_ids = {s.question_id for s in fixed_slots}
        held: dict[int, int] = {}  # key point → the fixed question shown on it
        for slot in fixed_slots:
            if slot.question.key_point_id is not None:
                held.setdefault(slot.question.key_point_id, slot.question_id)
        expected_fixed = {
            s.question_id
            for s in fixed_slots
            if s.question.key_point_id is None or held[s.question.key_point_id] == s.question_id
        }
        rule_slots = [s for s in slots if s.is_rule]
        for attempt_number, seed in enumerate(seeds):
            seen = Counter(
                AttemptItem.objects.filter(attempt__user=learner).values_list(
                    "question_id", flat=True
                )
            )
            try:
                attempt = _start(quiz, group, organizer, learner, seed=seed, assignment=assignment)
            except AttemptError as refused:
                # Nothing to show: no fixed question, and no rule with a question to draw.
                assert refused.code == "empty_quiz"
                assert not expected_fixed
                assert not any(_candidates(rule, questions, fixed_ids, held) for rule in rule_slots)
                break
            items = list(attempt.items.select_related("question", "question_version", "slot"))
            ids = [item.question_id for item in items]
            key_points = [item.key_point_id for item in items if item.key_point_id is not None]
            assert len(ids) == len(set(ids))
            assert len(key_points) == len(set(key_points))
            assert all(item.key_point_id == item.question.key_point_id for item in items)
            shown_fixed = {item.question_id for item in items if not item.slot.is_rule}
            assert shown_fixed == expected_fixed
            drawn = [item for item in items if item.slot.is_rule]
            for item in drawn:
                rule = item.slot
                assert item.question_id not in fixed_ids
                assert item.question.key_point_id not in held
                assert rule.draw_key_point_id in (None, item.question.key_point_id)
                assert rule.draw_kind in ("", item.question_version.kind)
                assert rule.draw_difficulty in (None, item.question_version.difficulty)
            if len(rule_slots) == 1:
                # What the builder says an attempt can draw is what it draws.
                (match,) = rule_matches(quiz_id=quiz.pk, rules=rule_slots)
                assert len(drawn) == min(rule_slots[0].draw_count, match.groups)
                _assert_fills_least_seen_first(
                    rule_slots[0], questions, items, drawn, fixed_ids, held, seen
                )
            attempt_finish(attempt=attempt, now=DURING + timedelta(minutes=1 + attempt_number))
        transaction.set_rollback(True)


def _matches(rule, question) -> bool:
    version = question.versions.get()
    return (
        rule.draw_key_point_id in (None, question.key_point_id)
        and rule.draw_kind in ("", version.kind)
        and rule.draw_difficulty in (None, version.difficulty)
    )


def _candidates(rule, questions, fixed_ids, held):
    """The questions ``rule`` may draw: matching, not fixed, not on a held key point."""
    return [
        q
        for q in questions
        if q.pk not in fixed_ids and q.key_point_id not in held and _matches(rule, q)
    ]


def _assert_fills_least_seen_first(rule, questions, items, drawn, fixed_ids, held, seen):
    """With one rule: it draws as many as its free sibling groups allow, and no question
    it passed over in a group the attempt does not hold was seen less often than one it
    drew."""
    candidates = _candidates(rule, questions, fixed_ids, held)
    groups = len({q.key_point_id for q in candidates if q.key_point_id is not None}) + sum(
        1 for q in candidates if q.key_point_id is None
    )
    assert len(drawn) == min(rule.draw_count, groups)
    in_attempt = {item.key_point_id for item in items if item.key_point_id is not None}
    drawn_ids = {item.question_id for item in drawn}
    most_seen_drawn = max((seen[pk] for pk in drawn_ids), default=0)
    for q in candidates:
        if q.pk not in drawn_ids and (q.key_point_id is None or q.key_point_id not in in_attempt):
            assert seen[q.pk] >= most_seen_drawn
