"""The quiz builder: creating a quiz and its settings, adding questions by search and
filters, pinning, points, reordering, removing, random-draw rules, assigning the quiz to a
group, who may open what, and query counts."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.models import Assignment, Membership, Question, Quiz, QuizSlot
from quizzes.services.banks import question_create, question_edit
from quizzes.services.quizzes import (
    quiz_add_question,
    quiz_add_rule,
    quiz_slot_move,
    quiz_slots_reorder,
)

from . import factories

# --- Fixtures and helpers -------------------------------------------------------------


@pytest.fixture
def organizer_client(client, organizer, group):
    client.force_login(organizer)
    return client


@pytest.fixture
def bank(organizer):
    return factories.BankFactory(owner=organizer, title="Congress report bank")


@pytest.fixture
def key_point(bank):
    return factories.KeyPointFactory(document=factories.DocumentFactory(bank=bank), ordinal=1)


@pytest.fixture
def quiz(organizer):
    return factories.QuizFactory(owner=organizer, title="Congress quiz")


def _draft(stem, kind="single", difficulty=3):
    if kind == "blank":
        return QuestionDraft(kind="blank", stem=f"{stem} ___", blanks=(("x",),))
    return QuestionDraft(
        kind=kind,
        stem=stem,
        difficulty=difficulty,
        choices=(ChoiceDraft("Right", True), ChoiceDraft("Wrong")),
    )


def _question(bank, stem="Which is right?", status=Question.Status.PUBLISHED, **kwargs):
    kind = kwargs.pop("kind", "single")
    difficulty = kwargs.pop("difficulty", 3)
    return question_create(
        bank=bank,
        draft=_draft(stem, kind, difficulty),
        created_by=bank.owner,
        status=status,
        **kwargs,
    )


def _url(name, quiz, **kwargs):
    return reverse(f"quizzes:{name}", kwargs={"pk": quiz.pk, **kwargs})


def _positions(quiz):
    return list(quiz.slots.order_by("position").values_list("pk", flat=True))


# --- Creating a quiz and its settings ---------------------------------------------------


def test_organizer_creates_a_quiz_with_all_settings(organizer_client, organizer):
    response = organizer_client.post(
        reverse("quizzes:quiz_create"),
        {
            "title": "Twentieth congress quiz",
            "description": "Ten questions.",
            "time_limit_minutes": "25",
            "attempts_allowed": "0",
            "pass_mark": "75.5",
            "shuffle_questions": "on",
            "grading_method": "average",
            "feedback_timing": "immediate",
        },
    )

    quiz = Quiz.objects.get()
    assert response["Location"] == _url("quiz_builder", quiz)
    assert quiz.owner == organizer
    assert quiz.time_limit == timedelta(minutes=25)
    assert quiz.attempts_allowed == 0
    assert quiz.pass_mark == Decimal("75.5")
    assert quiz.shuffle_questions is True
    assert quiz.shuffle_choices is False
    assert quiz.grading_method == Quiz.GradingMethod.AVERAGE
    assert quiz.feedback_timing == Quiz.FeedbackTiming.IMMEDIATE


def test_quiz_settings_are_saved(organizer_client, quiz):
    response = organizer_client.post(
        _url("quiz_edit", quiz),
        {
            "title": "Renamed quiz",
            "time_limit_minutes": "",
            "attempts_allowed": "3",
            "pass_mark": "60",
            "shuffle_choices": "on",
            "grading_method": "last",
            "feedback_timing": "after_due",
        },
    )

    assert response.status_code == 302
    quiz.refresh_from_db()
    assert quiz.title == "Renamed quiz"
    assert quiz.time_limit is None
    assert quiz.attempts_allowed == 3
    assert (quiz.shuffle_questions, quiz.shuffle_choices) == (False, True)
    assert quiz.grading_method == Quiz.GradingMethod.LAST
    assert quiz.feedback_timing == Quiz.FeedbackTiming.AFTER_DUE


def test_settings_form_shows_the_saved_values(organizer_client, quiz):
    quiz.time_limit = timedelta(minutes=20)
    quiz.save()

    html = organizer_client.get(_url("quiz_edit", quiz)).content.decode()

    assert 'name="time_limit_minutes" value="20"' in html
    assert "<legend>Learners see correctness and answers</legend>" in html


@pytest.mark.parametrize(
    ("field", "value"),
    [("pass_mark", "101"), ("attempts_allowed", "-1"), ("time_limit_minutes", "0")],
)
def test_out_of_range_settings_are_refused(organizer_client, quiz, field, value):
    data = {
        "title": "Congress quiz",
        "attempts_allowed": "1",
        "pass_mark": "60",
        "grading_method": "highest",
        "feedback_timing": "after_submit",
        field: value,
    }

    response = organizer_client.post(_url("quiz_edit", quiz), data)

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    quiz.refresh_from_db()
    assert (quiz.pass_mark, quiz.attempts_allowed, quiz.time_limit) == (Decimal(60), 1, None)


def test_builder_shows_settings_slots_and_total_points(organizer_client, quiz, bank):
    quiz.time_limit = timedelta(minutes=20)
    quiz.attempts_allowed = 0
    quiz.save()
    quiz_add_question(quiz=quiz, question=_question(bank, "First?"), points=2)
    quiz_add_question(quiz=quiz, question=_question(bank, "Second?"), points=Decimal("1.5"))
    for n in range(3):
        _question(bank, f"Pool {n}?")
    quiz_add_rule(quiz=quiz, bank=bank, draw_count=2, points=1)

    response = organizer_client.get(_url("quiz_builder", quiz))

    html = response.content.decode()
    assert "20 minutes" in html
    assert "unlimited" in html
    assert "First?" in html
    assert "Random draw: 2 questions from “Congress report bank”" in html
    assert "5 published questions match now" in html
    # 2 + 1.5 + 2 × 1 points, 4 questions per attempt.
    assert "4 questions per attempt" in html
    assert "5.5 points in total" in html
    assert "/static/js/quiz_builder.js" in html


# --- Adding questions ---------------------------------------------------------------


def test_picker_searches_and_filters_the_organizers_banks(organizer_client, quiz, bank, organizer):
    hard = _question(bank, "Which reform is hardest?", difficulty=5)
    _question(bank, "Which reform is easiest?", difficulty=1)
    blank = _question(bank, "Promote", kind="blank")
    second_bank = factories.BankFactory(owner=organizer, title="Second bank")
    elsewhere = _question(second_bank, "Which reform elsewhere?", difficulty=5)
    factories.QuestionFactory()  # another organizer's bank: never listed

    def listed(**params):
        response = organizer_client.get(_url("quiz_add_questions", quiz), params)
        return {row.pk for row in response.context["page_obj"].object_list}

    assert len(listed()) == 4
    assert listed(q="reform", difficulty="5") == {hard.pk, elsewhere.pk}
    assert listed(q="reform", difficulty="5", bank=str(bank.pk)) == {hard.pk}
    assert listed(kind="blank") == {blank.pk}


def test_add_selected_appends_questions_in_order_following_newest_version(
    organizer_client, quiz, bank
):
    first, second = _question(bank, "First?"), _question(bank, "Second?")

    response = organizer_client.post(
        _url("quiz_add_questions", quiz),
        {"questions": [str(second.pk), str(first.pk)], "points": "2"},
    )

    assert response["Location"] == _url("quiz_builder", quiz)
    slots = list(quiz.slots.order_by("position"))
    assert [s.question_id for s in slots] == [second.pk, first.pk]
    assert [s.position for s in slots] == [1, 2]
    assert all(s.pinned_version is None and s.points == 2 for s in slots)


def test_add_selected_can_pin_to_the_current_version(organizer_client, quiz, bank):
    question = _question(bank)
    version_2 = question_edit(question=question, draft=_draft("Reworded?"), edited_by=bank.owner)

    organizer_client.post(
        _url("quiz_add_questions", quiz),
        {"questions": [str(question.pk)], "pin_current": "on", "points": "1"},
    )

    assert quiz.slots.get().pinned_version == version_2


def test_questions_already_in_the_quiz_are_marked_and_not_added_twice(organizer_client, quiz, bank):
    question = _question(bank)
    quiz_add_question(quiz=quiz, question=question)

    page = organizer_client.get(_url("quiz_add_questions", quiz))
    organizer_client.post(
        _url("quiz_add_questions", quiz), {"questions": [str(question.pk)], "points": "1"}
    )

    assert "already in the quiz" in page.content.decode()
    assert quiz.slots.count() == 1


def test_questions_of_another_organizers_bank_cannot_be_added(organizer_client, quiz):
    foreign = _question(factories.BankFactory(title="Not mine"))

    response = organizer_client.post(
        _url("quiz_add_questions", quiz), {"questions": [str(foreign.pk)], "points": "1"}
    )

    assert response.status_code == 302
    assert not quiz.slots.exists()


def test_adding_with_nothing_ticked_says_so(organizer_client, quiz, bank):
    _question(bank)

    response = organizer_client.post(_url("quiz_add_questions", quiz), {"points": "1"}, follow=True)

    assert "Tick at least one question to add." in response.content.decode()
    assert not quiz.slots.exists()


# --- Slots: pin, points, reorder, remove ------------------------------------------------


@pytest.fixture
def three_slots(quiz, bank):
    return [
        quiz_add_question(quiz=quiz, question=_question(bank, f"Question {n}?"))
        for n in range(1, 4)
    ]


def test_pin_and_unpin_a_slot(organizer_client, quiz, bank, three_slots):
    slot = three_slots[0]
    version_2 = question_edit(question=slot.question, draft=_draft("New?"), edited_by=bank.owner)
    pin_url = _url("quiz_slot_pin", quiz, slot_pk=slot.pk)

    organizer_client.post(pin_url, {"pin": "1"})
    slot.refresh_from_db()
    assert slot.pinned_version == version_2
    assert (
        "pinned to version 2" in organizer_client.get(_url("quiz_builder", quiz)).content.decode()
    )

    organizer_client.post(pin_url, {"pin": "0"})
    slot.refresh_from_db()
    assert slot.pinned_version is None


def test_points_of_a_slot_are_saved_and_must_be_positive(organizer_client, quiz, three_slots):
    slot = three_slots[1]
    url = _url("quiz_slot_points", quiz, slot_pk=slot.pk)

    organizer_client.post(url, {"points": "2.5"})
    slot.refresh_from_db()
    assert slot.points == Decimal("2.5")

    response = organizer_client.post(url, {"points": "0"}, follow=True)
    slot.refresh_from_db()
    assert slot.points == Decimal("2.5")
    assert "Points must be a number greater than 0." in response.content.decode()


@pytest.mark.parametrize(
    ("index", "direction", "expected"),
    [(1, "up", [1, 0, 2]), (1, "down", [0, 2, 1]), (0, "up", [0, 1, 2]), (2, "down", [0, 1, 2])],
)
def test_move_buttons_reorder_slots(
    organizer_client, quiz, three_slots, index, direction, expected
):
    slot = three_slots[index]

    response = organizer_client.post(
        _url("quiz_slot_move", quiz, slot_pk=slot.pk), {"direction": direction}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{_url('quiz_builder', quiz)}#slot-{slot.pk}"
    assert _positions(quiz) == [three_slots[i].pk for i in expected]
    assert list(quiz.slots.order_by("position").values_list("position", flat=True)) == [1, 2, 3]


def test_move_sent_by_script_answers_no_content(organizer_client, quiz, three_slots):
    response = organizer_client.post(
        _url("quiz_slot_move", quiz, slot_pk=three_slots[2].pk),
        {"direction": "up"},
        headers={"X-Requested-With": "fetch"},
    )

    assert response.status_code == 204
    assert _positions(quiz) == [three_slots[0].pk, three_slots[2].pk, three_slots[1].pk]


def test_first_slot_cannot_move_up_and_last_cannot_move_down_on_the_page(
    organizer_client, quiz, three_slots
):
    html = organizer_client.get(_url("quiz_builder", quiz)).content.decode()

    assert html.count("data-move-up disabled") == 1
    assert html.count("data-move-down disabled") == 1


def test_remove_a_slot_closes_the_gap(organizer_client, quiz, three_slots):
    response = organizer_client.post(_url("quiz_slot_remove", quiz, slot_pk=three_slots[0].pk))

    assert response.status_code == 302
    assert _positions(quiz) == [three_slots[1].pk, three_slots[2].pk]
    assert list(quiz.slots.values_list("position", flat=True).order_by("position")) == [1, 2]


def test_slot_of_another_quiz_is_not_found(organizer_client, quiz, organizer, bank):
    other_quiz = factories.QuizFactory(owner=organizer)
    slot = quiz_add_question(quiz=other_quiz, question=_question(bank))

    response = organizer_client.post(_url("quiz_slot_remove", quiz, slot_pk=slot.pk))

    assert response.status_code == 404
    assert QuizSlot.objects.filter(pk=slot.pk).exists()


def test_reorder_service_puts_slots_in_the_given_order(quiz, three_slots):
    order = [three_slots[2].pk, three_slots[0].pk, three_slots[1].pk]

    quiz_slots_reorder(quiz=quiz, slot_ids=order)

    assert _positions(quiz) == order


def test_moving_a_rule_and_a_question_past_each_other(quiz, bank, three_slots):
    _question(bank, "One the rule can draw?")
    rule = quiz_add_rule(quiz=quiz, bank=bank, draw_count=1)

    quiz_slot_move(slot=rule, offset=-1)
    quiz_slot_move(slot=rule, offset=-1)

    assert _positions(quiz) == [three_slots[0].pk, rule.pk, three_slots[1].pk, three_slots[2].pk]


def test_draft_question_in_a_quiz_is_flagged(organizer_client, quiz, bank):
    quiz_add_question(quiz=quiz, question=_question(bank, status=Question.Status.DRAFT))

    html = organizer_client.get(_url("quiz_builder", quiz)).content.decode()

    assert "Learners will not see this question until it is published" in html


# --- Random-draw rules ---------------------------------------------------------------


def _rule_data(bank, **extra):
    data = {"draw_count": "2", "bank": str(bank.pk), "key_point": "", "kind": "", "points": "1"}
    data.update({"difficulty": ""} | extra)
    return data


def test_rule_is_added_with_its_filters(organizer_client, quiz, bank, key_point):
    for n in range(3):
        _question(bank, f"Match {n}?", key_point=key_point, difficulty=4)
    _question(bank, "Other difficulty?", key_point=key_point, difficulty=2)

    # Questions on one key point are siblings: a rule narrowed to one key point draws one.
    response = organizer_client.post(
        _url("quiz_add_rule", quiz),
        _rule_data(
            bank, draw_count="1", key_point=str(key_point.pk), kind="single", difficulty="4"
        ),
    )

    assert response.status_code == 302
    slot = quiz.slots.get()
    assert slot.is_rule
    assert (slot.draw_count, slot.draw_bank, slot.draw_key_point) == (1, bank, key_point)
    assert (slot.draw_kind, slot.draw_difficulty) == ("single", 4)


def test_rule_matching_fewer_questions_than_it_draws_is_refused(organizer_client, quiz, bank):
    _question(bank, "Published?")
    _question(bank, "Draft?", status=Question.Status.DRAFT)
    _question(bank, "Archived?", status=Question.Status.ARCHIVED)

    response = organizer_client.post(_url("quiz_add_rule", quiz), _rule_data(bank, draw_count="2"))

    assert response.status_code == 200
    assert (
        "Only 1 published question matches these filters; the rule cannot draw 2."
        in response.content.decode()
    )
    assert not quiz.slots.exists()


def test_rule_counts_only_the_current_version_kind(organizer_client, quiz, bank):
    question = _question(bank, "Was a choice?")
    question_edit(question=question, draft=_draft("Now", kind="blank"), edited_by=bank.owner)

    response = organizer_client.post(
        _url("quiz_add_rule", quiz), _rule_data(bank, draw_count="1", kind="single")
    )

    assert "Only 0 published questions match" in response.content.decode()


def test_check_button_shows_how_many_match_without_adding(organizer_client, quiz, bank):
    for n in range(4):
        _question(bank, f"Q{n}?")

    response = organizer_client.post(
        _url("quiz_add_rule", quiz), _rule_data(bank, draw_count="9", action="check")
    )

    assert "4 published questions match now." in response.content.decode()
    assert not quiz.slots.exists()


def test_live_rule_count_answers_json(organizer_client, quiz, bank):
    _question(bank, "Easy?", difficulty=1)
    _question(bank, "Hard?", difficulty=5)

    response = organizer_client.get(
        _url("quiz_rule_count", quiz), {"bank": bank.pk, "difficulty": "5"}
    )

    assert response.json() == {
        "count": 1,
        "groups": 1,
        "text": "1 published question matches now.",
    }


def test_rule_from_a_bank_the_organizer_cannot_open_is_refused(organizer_client, quiz):
    foreign_bank = factories.BankFactory(title="Not mine")
    _question(foreign_bank)

    response = organizer_client.post(
        _url("quiz_add_rule", quiz), _rule_data(foreign_bank, draw_count="1")
    )

    assert response.status_code == 200
    assert not quiz.slots.exists()


def test_rule_with_a_key_point_of_another_bank_is_refused(organizer_client, quiz, bank, organizer):
    other = factories.BankFactory(owner=organizer)
    foreign_point = factories.KeyPointFactory(document=factories.DocumentFactory(bank=other))
    _question(bank)

    response = organizer_client.post(
        _url("quiz_add_rule", quiz),
        _rule_data(bank, draw_count="1", key_point=str(foreign_point.pk)),
    )

    assert "This key point belongs to another bank." in response.content.decode()
    assert not quiz.slots.exists()


def test_rule_that_falls_short_later_is_flagged(organizer_client, quiz, bank):
    question = _question(bank)
    quiz_add_rule(quiz=quiz, bank=bank, draw_count=1)
    question.status = Question.Status.ARCHIVED
    question.save()

    html = organizer_client.get(_url("quiz_builder", quiz)).content.decode()

    assert "Fewer questions match than this rule draws" in html


# --- Assigning ------------------------------------------------------------------------


def _assign_data(group, opens, due):
    return {
        "groups": [str(group.pk)],
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "due_at": due.strftime("%Y-%m-%dT%H:%M"),
    }


def test_quiz_is_assigned_to_a_group_the_organizer_organizes(
    organizer_client, quiz, group, organizer
):
    opens = timezone.localtime() + timedelta(days=1)

    response = organizer_client.post(
        _url("quiz_assign", quiz), _assign_data(group, opens, opens + timedelta(days=7))
    )

    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert (assignment.quiz, assignment.group, assignment.created_by) == (quiz, group, organizer)
    assert assignment.due_at - assignment.opens_at == timedelta(days=7)
    html = organizer_client.get(_url("quiz_builder", quiz)).content.decode()
    assert group.get_absolute_url() in html


def test_the_open_time_of_an_assignment_defaults_to_now(organizer_client, quiz, group):
    moment = datetime(2026, 3, 2, 1, 30, 45, tzinfo=UTC)  # 09:30 in Shanghai

    with time_machine.travel(moment, tick=False):
        html = organizer_client.get(_url("quiz_builder", quiz)).content.decode()

    opens = re.search(r'<input[^>]*name="opens_at"[^>]*>', html)[0]
    assert 'value="2026-03-02T09:30"' in opens
    due = re.search(r'<input[^>]*name="due_at"[^>]*>', html)[0]
    assert "value=" not in due


def test_a_failed_assign_lists_its_errors_at_the_top_of_the_form_linked_to_the_fields(
    organizer_client, quiz, group
):
    opens = timezone.localtime() + timedelta(days=1)

    response = organizer_client.post(
        _url("quiz_assign", quiz), {"opens_at": opens.strftime("%Y-%m-%dT%H:%M")}
    )

    assert response.status_code == 200
    html = response.content.decode()
    form = html[html.index('action="' + _url("quiz_assign", quiz)) :]
    # The reloaded page opens at the summary, which comes before every field.
    assert form.startswith(f'action="{_url("quiz_assign", quiz)}#assign-errors"')
    summary = form[form.index('id="assign-errors"') : form.index("</div>")]
    assert form.index('id="assign-errors"') < form.index('name="groups"')
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert links == [
        ("id_groups", "Groups: Choose at least one group."),
        ("id_due_at", "Due: This field is required."),
    ]
    for target, _text in links:
        assert f'id="{target}"' in form
    assert Assignment.objects.count() == 0


def test_due_time_must_be_after_opening_time(organizer_client, quiz, group):
    opens = timezone.localtime() + timedelta(days=1)

    response = organizer_client.post(
        _url("quiz_assign", quiz), _assign_data(group, opens, opens - timedelta(hours=1))
    )

    assert response.status_code == 200
    assert "The due time must be after the opening time." in response.content.decode()
    assert not Assignment.objects.exists()


def test_quiz_cannot_be_assigned_to_a_group_the_organizer_does_not_organize(
    organizer_client, quiz, other_group, learner, group
):
    opens = timezone.localtime()
    member_group = factories.GroupFactory()
    factories.MembershipFactory(group=member_group, user=quiz.owner)

    responses = [
        organizer_client.post(
            _url("quiz_assign", quiz), _assign_data(g, opens, opens + timedelta(days=1))
        )
        for g in (other_group, member_group)
    ]

    assert [r.status_code for r in responses] == [200, 200]
    assert not Assignment.objects.exists()


def test_organizer_of_a_parent_group_may_assign_to_its_sub_groups(client, quiz, group):
    secretary = factories.UserFactory(username="secretary")
    committee = factories.GroupFactory(created_by=secretary)
    factories.MembershipFactory(group=committee, user=secretary, role=Membership.Role.ORGANIZER)
    group.parent = committee
    group.save()
    quiz.owner = secretary
    quiz.save()
    client.force_login(secretary)
    opens = timezone.localtime()

    client.post(_url("quiz_assign", quiz), _assign_data(group, opens, opens + timedelta(days=1)))

    assert Assignment.objects.get().group == group


def test_assign_form_lists_only_organized_groups(organizer_client, quiz, group, other_group):
    response = organizer_client.get(_url("quiz_builder", quiz))

    html = response.content.decode()
    assert f'name="groups" value="{group.pk}"' in html
    assert "Branch study group" in html
    assert "Another branch" not in html


# --- Who may open what -----------------------------------------------------------------


def _quiz_pages(quiz, slot):
    return {
        "quiz list": ("get", reverse("quizzes:quiz_list")),
        "quiz create": ("get", reverse("quizzes:quiz_create")),
        "builder": ("get", _url("quiz_builder", quiz)),
        "settings": ("get", _url("quiz_edit", quiz)),
        "picker": ("get", _url("quiz_add_questions", quiz)),
        "rule count": ("get", _url("quiz_rule_count", quiz)),
        "add questions": ("post", _url("quiz_add_questions", quiz)),
        "add rule": ("post", _url("quiz_add_rule", quiz)),
        "move": ("post", _url("quiz_slot_move", quiz, slot_pk=slot.pk)),
        "points": ("post", _url("quiz_slot_points", quiz, slot_pk=slot.pk)),
        "pin": ("post", _url("quiz_slot_pin", quiz, slot_pk=slot.pk)),
        "remove": ("post", _url("quiz_slot_remove", quiz, slot_pk=slot.pk)),
        "assign": ("post", _url("quiz_assign", quiz)),
    }


PAGES = [
    "quiz list",
    "quiz create",
    "builder",
    "settings",
    "picker",
    "rule count",
    "add questions",
    "add rule",
    "move",
    "points",
    "pin",
    "remove",
    "assign",
]
GET_PAGES = PAGES[:6]
QUIZ_PAGES = PAGES[2:]


@pytest.fixture
def slot(quiz, bank):
    return quiz_add_question(quiz=quiz, question=_question(bank))


def _request(client, method, url):
    return (
        client.post(url, {"direction": "up", "points": "3", "pin": "1"})
        if method == "post"
        else client.get(url)
    )


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_log_in(client, quiz, slot, page):
    method, url = _quiz_pages(quiz, slot)[page]

    response = _request(client, method, url)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")


@pytest.mark.parametrize("page", PAGES)
def test_learner_gets_404(client, learner, group, quiz, slot, page):
    method, url = _quiz_pages(quiz, slot)[page]
    client.force_login(learner)

    assert _request(client, method, url).status_code == 404


@pytest.mark.parametrize("page", QUIZ_PAGES)
def test_organizer_of_another_quiz_gets_404_and_changes_nothing(
    client, other_group, quiz, slot, page
):
    method, url = _quiz_pages(quiz, slot)[page]
    client.force_login(factories.UserFactory(username="other-organizer"))

    assert _request(client, method, url).status_code == 404
    slot.refresh_from_db()
    assert (slot.points, slot.pinned_version) == (1, None)
    assert quiz.slots.count() == 1


@pytest.mark.parametrize("page", GET_PAGES)
def test_staff_can_open_every_page(client, superuser, quiz, slot, page):
    method, url = _quiz_pages(quiz, slot)[page]
    client.force_login(superuser)

    assert _request(client, method, url).status_code == 200


def test_staff_can_change_another_organizers_quiz(client, superuser, quiz, slot):
    client.force_login(superuser)

    response = client.post(_url("quiz_slot_points", quiz, slot_pk=slot.pk), {"points": "4"})

    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.points == 4


@pytest.mark.parametrize(
    "page", ["add questions", "add rule", "move", "points", "remove", "assign"]
)
def test_builder_posts_need_a_csrf_token(organizer, group, quiz, slot, page):
    method, url = _quiz_pages(quiz, slot)[page]
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)

    assert _request(client, method, url).status_code == 403
    slot.refresh_from_db()
    assert slot.points == 1
    assert quiz.slots.count() == 1


@pytest.mark.parametrize("page", ["move", "points", "pin", "remove", "assign", "add rule"])
def test_builder_actions_refuse_get(organizer_client, quiz, slot, page):
    _method, url = _quiz_pages(quiz, slot)[page]

    assert organizer_client.get(url).status_code == 405


def test_quiz_list_shows_own_quizzes_only(organizer_client, quiz):
    factories.QuizFactory(title="Somebody else's quiz")

    html = organizer_client.get(reverse("quizzes:quiz_list")).content.decode()

    assert "Congress quiz" in html
    assert "Somebody else" not in html


# --- Query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 20])
def test_builder_query_count_does_not_grow(
    organizer_client, quiz, bank, key_point, group, size, django_assert_num_queries
):
    points = []
    for n in range(size):
        points.append(factories.KeyPointFactory(document=key_point.document))
        question = _question(bank, f"Question {n}?", key_point=points[-1])
        slot = quiz_add_question(quiz=quiz, question=question)
        if n % 2:
            question_edit(question=question, draft=_draft(f"Reworded {n}?"), edited_by=bank.owner)
            organizer_client.post(_url("quiz_slot_pin", quiz, slot_pk=slot.pk), {"pin": "1"})
    # A sibling of the first question, from before the builder refused siblings: the
    # warning about it costs no query.
    QuizSlot.objects.create(
        quiz=quiz, position=size + 1, question=_question(bank, "Sibling?", key_point=points[0])
    )
    _question(bank, "Pool on the key point?", key_point=key_point)
    _question(bank, "Pool without a key point?")
    quiz_add_rule(quiz=quiz, bank=bank, draw_count=1, key_point=key_point)
    quiz_add_rule(quiz=quiz, bank=bank, draw_count=2, kind="single")
    factories.AssignmentFactory(quiz=quiz, group=group)

    # 1 session, 2 user, 3 quiz, 4 slots with questions, banks, versions and rule
    # filters, 5 rule match counts, 6 banks for the rule form, 7 their key points,
    # 8 groups for the assignment form, 9 assignments with groups.
    with django_assert_num_queries(9):
        response = organizer_client.get(_url("quiz_builder", quiz))

    assert len(response.context["rows"]) == size + 3
    assert [row.slot.position for row in response.context["sibling_conflicts"]] == [size + 1]


@pytest.mark.parametrize("size", [2, 20])
def test_picker_query_count_does_not_grow(
    organizer_client, quiz, bank, key_point, size, django_assert_num_queries
):
    # Siblings: the first is in the quiz, the others are marked as its siblings.
    for n in range(size):
        question = _question(bank, f"Question {n}?", key_point=key_point)
        if n == 0:
            quiz_add_question(quiz=quiz, question=question)

    # 1 session, 2 user, 3 quiz, 4 banks, 5 key points, 6 count, 7 page.
    with django_assert_num_queries(7):
        response = organizer_client.get(_url("quiz_add_questions", quiz), {"q": "Question"})

    rows = response.context["page_obj"].object_list
    assert len(rows) == size
    assert [row.sibling_position for row in rows] == [None] + [1] * (size - 1)


@pytest.mark.parametrize("size", [2, 20])
def test_quiz_list_query_count_does_not_grow(
    organizer_client, organizer, bank, size, django_assert_num_queries
):
    for _ in range(size):
        quiz = factories.QuizFactory(owner=organizer)
        quiz_add_question(quiz=quiz, question=_question(bank))

    # 1 session, 2 user, 3 organizer check, 4 count, 5 quizzes with counts.
    with django_assert_num_queries(5):
        response = organizer_client.get(reverse("quizzes:quiz_list"))

    assert len(response.context["page_obj"].object_list) == size
