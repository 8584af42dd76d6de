"""The answer-save hot path (``attempt_save_answer`` and ``POST /api/attempts/<id>/answers/``),
which runs as plain SQL: the rows it writes, the checks it keeps and the queries it runs,
on SQLite and, with ``DATABASE_URL``, on PostgreSQL."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.models import Attempt, AttemptChoice, AttemptItem
from quizzes.services.attempts import AttemptError, attempt_save_answer, attempt_start

from .test_attempt_flow import (
    DURING,
    answers_url,
    api_client,
    api_post,
    make_assignment,
    make_quiz,
)

pytestmark = pytest.mark.django_db


def choice_drafts(size: int, kind: str = "single") -> QuestionDraft:
    right = 2 if kind == "multiple" else 1
    return QuestionDraft(
        kind=kind,
        stem=f"Pick from {size} options?",
        choices=tuple(ChoiceDraft(f"option {n}", correct=n < right) for n in range(size)),
    )


MULTIPLE = choice_drafts(4, kind="multiple")


def open_attempt(organizer, group, learner, *drafts) -> Attempt:
    quiz = make_quiz(organizer, drafts=drafts or (MULTIPLE,))
    assignment = make_assignment(quiz, group, organizer)
    with time_machine.travel(DURING, tick=False):
        return attempt_start(assignment=assignment, user=learner)


def selected_positions(attempt: Attempt, position: int = 1) -> list[int]:
    return sorted(
        AttemptChoice.objects.filter(
            item__attempt=attempt, item__position=position, selected=True
        ).values_list("position", flat=True)
    )


@pytest.fixture
def attempt(organizer, group, learner):
    return open_attempt(organizer, group, learner)


@time_machine.travel(DURING, tick=False)
def test_each_save_leaves_exactly_the_chosen_choices_selected(attempt):
    for sequence, chosen in enumerate([[1, 3], [3, 4], [2], [], [1, 2, 3, 4]], start=1):
        attempt_save_answer(
            attempt=attempt, position=1, sequence=sequence, selected_positions=chosen
        )
        assert selected_positions(attempt) == chosen


def rows_written_by(save) -> int:
    """How many rows ``save()`` wrote (an unchanged row rewritten counts too)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT total_changes()")
            before = cursor.fetchone()[0]
            save()
            cursor.execute("SELECT total_changes()")
            return cursor.fetchone()[0] - before
        # PostgreSQL: a written row is a new row version, with a new xmin.
        versions = (
            "SELECT 'c' || id, xmin::text FROM quizzes_attemptchoice "
            "UNION ALL SELECT 'i' || id, xmin::text FROM quizzes_attemptitem"
        )
        cursor.execute(versions)
        before = dict(cursor.fetchall())
        save()
        cursor.execute(versions)
        return sum(before[row] != xmin for row, xmin in cursor.fetchall())


@time_machine.travel(DURING, tick=False)
def test_a_save_writes_only_the_choices_whose_flag_changes(attempt):
    attempt_save_answer(attempt=attempt, position=1, sequence=1, selected_positions=[1, 2])
    written = rows_written_by(
        lambda: attempt_save_answer(
            attempt=attempt, position=1, sequence=2, selected_positions=[2, 3]
        )
    )
    # choice 1 unselected, choice 3 selected, the item's sequence; choices 2 and 4 untouched
    assert written == 3
    assert selected_positions(attempt) == [2, 3]


@time_machine.travel(DURING, tick=False)
def test_save_by_choice_ids_accepts_only_this_items_choices(organizer, group, learner):
    attempt = open_attempt(organizer, group, learner, MULTIPLE, choice_drafts(3))
    first, second = attempt.items.order_by("position")
    own = list(first.choices.values_list("choice_id", flat=True)[:2])
    attempt_save_answer(attempt=attempt, position=1, sequence=1, selected_choice_ids=own)
    assert set(first.choices.filter(selected=True).values_list("choice_id", flat=True)) == set(own)
    foreign = second.choices.values_list("choice_id", flat=True).first()
    with pytest.raises(AttemptError) as refused:
        attempt_save_answer(
            attempt=attempt, position=1, sequence=2, selected_choice_ids=[own[0], foreign]
        )
    assert refused.value.code == "bad_choice"
    first.refresh_from_db()
    assert first.sequence == 1


@time_machine.travel(DURING, tick=False)
def test_single_choice_question_takes_one_choice(organizer, group, learner):
    attempt = open_attempt(organizer, group, learner, choice_drafts(4))
    with pytest.raises(AttemptError) as refused:
        attempt_save_answer(attempt=attempt, position=1, sequence=1, selected_positions=[1, 2])
    assert refused.value.code == "one_choice"
    assert selected_positions(attempt) == []


@time_machine.travel(DURING, tick=False)
def test_save_to_a_position_the_attempt_does_not_have_is_refused(attempt):
    with pytest.raises(AttemptError) as refused:
        attempt_save_answer(attempt=attempt, position=2, sequence=1, selected_positions=[1])
    assert refused.value.code == "no_item"


@time_machine.travel(DURING, tick=False)
def test_a_bare_reference_with_another_user_finds_no_attempt(attempt, organizer):
    with pytest.raises(AttemptError) as refused:
        attempt_save_answer(
            attempt=Attempt(pk=attempt.pk, user=organizer),
            position=1,
            sequence=1,
            selected_positions=[1],
        )
    assert refused.value.code == "not_found"
    assert AttemptItem.objects.get(attempt=attempt, position=1).sequence == 0


@time_machine.travel(DURING, tick=False)
def test_save_returns_the_saved_sequence_time_and_the_deadline(attempt):
    saved = attempt_save_answer(
        attempt=Attempt(pk=attempt.pk, user=attempt.user),
        position=1,
        sequence=4,
        selected_positions=[2],
    )
    item = AttemptItem.objects.get(attempt=attempt, position=1)
    assert (saved.item_id, saved.position, saved.sequence) == (item.pk, 1, 4)
    assert saved.answered_at == item.answered_at == DURING
    # Read with plain SQL, yet an aware datetime on every database.
    assert saved.deadline == attempt.deadline
    assert saved.deadline.utcoffset() == timedelta(0)


@time_machine.travel(DURING, tick=False)
def test_api_save_gives_the_deadline_the_lock_read(learner, attempt):
    response = api_post(
        api_client(learner), answers_url(attempt), {"position": 1, "sequence": 1, "choices": [1]}
    )
    assert response.status_code == 200
    assert (
        response.json()["deadline"]
        == api_client(learner).get(f"/api/attempts/{attempt.pk}/").json()["deadline"]
    )


@pytest.mark.parametrize("size", [2, 8])
def test_api_save_runs_a_fixed_number_of_queries(
    organizer, group, learner, size, django_assert_num_queries
):
    attempt = open_attempt(organizer, group, learner, choice_drafts(size))
    with time_machine.travel(DURING, tick=False):
        client = api_client(learner)
        # session, user, and a savepoint (under the test's own transaction) with its
        # release: 4; in it, lock the attempt and read the item with its shown choices: 2;
        # update the changed choices and the item: one statement on PostgreSQL, two on SQLite.
        writes = 1 if connection.vendor == "postgresql" else 2
        with django_assert_num_queries(4 + 2 + writes):
            response = api_post(
                client, answers_url(attempt), {"position": 1, "sequence": 1, "choices": [size]}
            )
    assert response.status_code == 200
    assert selected_positions(attempt) == [size]


@time_machine.travel(DURING, tick=False)
def test_api_names_each_unreadable_field_and_keeps_nothing_between_requests(learner, attempt):
    client = api_client(learner)
    bad = api_post(client, answers_url(attempt), {"position": 0, "sequence": "x", "choices": "1"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert set(bad.json()["errors"]) == {"position", "sequence", "choices"}
    not_an_object = api_post(client, answers_url(attempt), [1, 2])
    assert not_an_object.status_code == 400
    assert "non_field_errors" in not_an_object.json()["errors"]
    # The same (shared) validator then reads a good answer, numbers sent as text included.
    good = api_post(client, answers_url(attempt), {"position": "1", "sequence": 2, "choices": [3]})
    assert good.status_code == 200
    assert good.json()["sequence"] == 2 and good.json()["answered"] is True
    assert selected_positions(attempt) == [3]


@time_machine.travel(DURING, tick=False)
def test_api_save_answers_with_times_in_the_sites_time_zone(learner, attempt):
    body = api_post(
        api_client(learner), answers_url(attempt), {"position": 1, "sequence": 1, "choices": []}
    ).json()
    assert body["answered"] is False
    # In the site's time zone (Asia/Shanghai), as every other time the API gives.
    assert body["saved_at"] == body["server_now"] == timezone.localtime(DURING).isoformat()
