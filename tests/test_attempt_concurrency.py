"""Concurrency on PostgreSQL: threads, each with its own database connection, race on one
attempt. The attempt row lock (``select_for_update``) and the unique indexes must give
one attempt, one result, one score, and the newer of two answers.

SQLite serialises writers with IMMEDIATE transactions, so these races cannot happen there;
the tests are skipped on it."""

import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection, connections
from django.urls import reverse

from quizzes.models import AssignmentResult, Attempt, AttemptItem
from quizzes.services import attempts as attempt_services
from quizzes.services.attempts import (
    AttemptError,
    attempt_finish,
    attempt_save_answer,
    attempt_start,
    attempts_close_expired,
)

from .test_attempt_flow import (
    DURING,
    api_client,
    api_post,
    make_assignment,
    make_quiz,
    right_answer,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Time each racer holds the lock, so the other is sure to arrive while it is held.
HOLD = 0.3


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "row-lock races need PostgreSQL: run with "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/studyapp"
        )


@pytest.fixture
def assignment(organizer, group):
    return make_assignment(make_quiz(organizer), group, organizer)


@pytest.fixture
def attempt(assignment, learner):
    with time_machine.travel(DURING, tick=False):
        return attempt_start(assignment=assignment, user=learner)


def race(*calls):
    """Run ``calls`` at the same moment, each in a thread with its own connection.
    Returns (results, errors) in call order; an error is the exception raised, or None."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    errors = [None] * len(calls)

    def run(index, call):
        try:
            with time_machine.travel(DURING, tick=False):
                barrier.wait(timeout=10)
                results[index] = call()
        except Exception as error:  # reported to the test
            errors[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    return results, errors


def slowed(function, counter: list | None = None):
    """``function``, taking ``HOLD`` seconds longer; each call is counted in ``counter``."""

    def wrapper(*args, **kwargs):
        if counter is not None:
            counter.append(1)
        result = function(*args, **kwargs)
        time.sleep(HOLD)
        return result

    return wrapper


def test_two_simultaneous_finishes_give_one_result_and_one_score(attempt, learner):
    item = attempt.items.get(position=1)
    with time_machine.travel(DURING, tick=False):
        attempt_save_answer(attempt=attempt, position=1, sequence=1, **right_answer(item))
    refreshes = []
    refresh = slowed(attempt_services.assignment_result_refresh, refreshes)
    with mock.patch.object(attempt_services, "assignment_result_refresh", refresh):
        results, errors = race(
            lambda: attempt_finish(attempt=attempt), lambda: attempt_finish(attempt=attempt)
        )
    assert errors == [None, None]
    assert len(refreshes) == 1
    first, second = results
    assert (first.score, first.finished_at) == (second.score, second.finished_at)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.FINISHED
    assert attempt.score == first.score == 1
    result = AssignmentResult.objects.get(user=learner)
    assert (result.attempts_finished, result.score) == (1, 1)


def test_two_simultaneous_starts_give_one_attempt(assignment, learner):
    build = slowed(attempt_services._questions_for_attempt)
    with mock.patch.object(attempt_services, "_questions_for_attempt", build):
        results, errors = race(
            lambda: attempt_start(assignment=assignment, user=learner),
            lambda: attempt_start(assignment=assignment, user=learner),
        )
    assert errors == [None, None]
    assert results[0].pk == results[1].pk
    assert Attempt.objects.count() == 1
    assert AttemptItem.objects.filter(attempt=results[0]).count() == 4


def test_four_simultaneous_api_starts_answer_201_once_and_200_to_the_others(assignment, learner):
    """Four tabs (or retries) start the same attempt at once: one attempt is made, and
    only the request that made it says 201 Created."""
    url = reverse("api:attempt-start", kwargs={"pk": assignment.pk})
    with time_machine.travel(DURING, tick=False):
        clients = [api_client(learner) for _ in range(4)]
    build = slowed(attempt_services._questions_for_attempt)
    with mock.patch.object(attempt_services, "_questions_for_attempt", build):
        results, errors = race(
            *(lambda client=client: api_post(client, url, {}) for client in clients)
        )
    assert errors == [None] * 4
    assert sorted(response.status_code for response in results) == [200, 200, 200, 201]
    assert len({response.json()["id"] for response in results}) == 1
    assert Attempt.objects.count() == 1


@pytest.mark.parametrize("newer_first", [False, True])
def test_simultaneous_saves_of_one_item_keep_the_newer_answer(attempt, newer_first):
    item = attempt.items.get(question_version__kind="blank")

    def save(sequence, text):
        return lambda: attempt_save_answer(
            attempt=attempt, position=item.position, sequence=sequence, blanks=[text, text]
        )

    calls = [save(2, "older"), save(3, "newer")]
    if newer_first:
        calls.reverse()
    _results, errors = race(*calls)
    refused = [e for e in errors if e is not None]
    assert all(isinstance(e, AttemptError) and e.code == "stale" for e in refused)
    item.refresh_from_db()
    assert item.sequence == 3
    assert list(item.blanks.values_list("response", flat=True)) == ["newer", "newer"]


def test_many_racing_saves_end_with_the_highest_sequence(attempt):
    item = attempt.items.get(question_version__kind="blank")
    calls = [
        (
            lambda n=n: attempt_save_answer(
                attempt=attempt, position=item.position, sequence=n, blanks=[f"v{n}"]
            )
        )
        for n in range(1, 9)
    ]
    _results, errors = race(*calls)
    assert all(e is None or e.code == "stale" for e in errors)
    item.refresh_from_db()
    assert item.sequence == 8
    assert item.blanks.get().response == "v8"


def test_a_save_racing_a_finish_is_either_counted_or_refused(attempt):
    item = attempt.items.get(position=1)
    answer = right_answer(item)
    _results, errors = race(
        lambda: attempt_save_answer(attempt=attempt, position=1, sequence=1, **answer),
        lambda: attempt_finish(attempt=attempt),
    )
    attempt.refresh_from_db()
    saved = item.choices.filter(selected=True).exists()
    if errors[0] is None:
        assert saved and attempt.score == 1
    else:
        assert errors[0].code == "finished"
        assert not saved and attempt.score == 0
    assert errors[1] is None


def test_the_close_command_racing_a_learner_finishes_once(attempt, learner):
    refreshes = []
    refresh = slowed(attempt_services.assignment_result_refresh, refreshes)
    later = attempt.deadline + timedelta(hours=1)

    def close():
        with time_machine.travel(later, tick=False):
            return attempts_close_expired()

    def finish():
        with time_machine.travel(later, tick=False):
            return attempt_finish(attempt=attempt)

    with mock.patch.object(attempt_services, "assignment_result_refresh", refresh):
        _results, errors = race(close, finish)
    assert errors == [None, None]
    assert len(refreshes) == 1
    attempt.refresh_from_db()
    assert attempt.finished_at == attempt.deadline
    assert AssignmentResult.objects.get(user=learner).attempts_finished == 1
