"""Mastery and item-analysis figures are cached until their data changes: every change to
the finished attempts they read shows on the next request, and what the item analysis
takes from an attempt's score (the rest of the attempt = its score minus the item's mark)
and from its items (every choice of the item's version shown once) holds after finishing
and after a regrade.

The attempts are taken and regraded through the services, as in ``test_regrade``."""

import dataclasses
import io
import pickle
import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db.models import Sum
from django.urls import reverse

from quizzes.models import Attempt, AttemptChoice, AttemptItem, Choice
from quizzes.selectors.reports.common import REPORT_CACHE_SECONDS
from quizzes.selectors.reports.items import AnalysedAttempts, item_analysis
from quizzes.selectors.reports.mastery import assignment_mastery
from quizzes.services.attempts import attempt_finish
from quizzes.services.banks import question_edit
from quizzes.services.regrade import regrade_apply
from tests import factories, test_regrade
from tests.test_regrade import FIXED_KEY, take

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


# ``test_regrade``'s fixture: a quiz whose first question has a wrong key ("speed"; "green"
# is right) and a true/false one, assigned to ``group``.
world = test_regrade.world


def _newcomer(assignment, username):
    user = factories.UserFactory(username=username)
    factories.MembershipFactory(group=assignment.group, user=user)
    return user


def _items_page(client, assignment, **query):
    response = client.get(reverse("quizzes:assignment_items", args=[assignment.pk]), query)
    assert response.status_code == 200
    return response.context["items"]


def _mastery_page(client, assignment):
    response = client.get(reverse("quizzes:assignment_mastery", args=[assignment.pk]))
    assert response.status_code == 200
    return response.context["unlinked"]


def _regrade(world, organizer):
    return regrade_apply(
        assignment=world["assignment"],
        question=world["question"],
        to_version=question_edit(question=world["question"], draft=FIXED_KEY, edited_by=organizer),
        reason="The key said speed; green is right.",
        regraded_by=organizer,
    )


def test_finishing_an_attempt_changes_the_figures_on_the_next_request(
    client, organizer, learner, world
):
    assignment = world["assignment"]
    take(assignment, learner, "green")  # graded wrong by the wrong key
    client.force_login(organizer)
    before = _items_page(client, assignment)[0]
    before_mastery = _mastery_page(client, assignment)

    take(assignment, _newcomer(assignment, "second"), "speed")  # graded right
    after = _items_page(client, assignment)[0]

    assert (before.n, before.facility) == (1, 0)
    assert (after.n, after.facility) == (2, 50)
    assert [c.picked for c in after.choices] == [0, 1, 1]
    assert (before_mastery.answers, _mastery_page(client, assignment).answers) == (2, 4)


def test_an_open_attempt_leaves_the_cached_figures_in_use(
    client, organizer, learner, world, django_assert_num_queries
):
    assignment = world["assignment"]
    take(assignment, learner, "green")
    client.force_login(organizer)
    _items_page(client, assignment)

    take(assignment, _newcomer(assignment, "second"), "speed", finish=False)
    # Session, user, assignment, access; the fingerprint (unchanged), the stems.
    with django_assert_num_queries(6):
        (item, _other) = _items_page(client, assignment)

    assert item.n == 1


def test_a_regrade_changes_the_figures_on_the_next_request(client, organizer, learner, world):
    assignment = world["assignment"]
    take(assignment, learner, "green")
    take(assignment, _newcomer(assignment, "second"), "green")
    client.force_login(organizer)
    before = _items_page(client, assignment)[0]
    before_mastery = _mastery_page(client, assignment)

    _regrade(world, organizer)
    after = _items_page(client, assignment)[0]

    assert (before.facility, after.facility) == (0, 100)
    assert {c.version for c in before.choices} == {1}
    assert {c.version for c in after.choices} == {2}
    assert [(c.text, c.is_correct, c.picked) for c in after.choices] == [
        ("stability", False, 0),
        ("green", True, 2),
        ("speed", False, 0),
    ]
    # Two questions, two learners: 2 of 4 points before, all 4 after.
    assert (before_mastery.mastery, _mastery_page(client, assignment).mastery) == (50, 100)


def test_a_regrade_that_changes_no_score_still_refreshes_the_choices(
    client, organizer, learner, world
):
    """A finished attempt wrong under either key moves to the new version with no score
    change, so no ``ScoreChange`` row: the ``Regrade`` row changes the fingerprint."""
    assignment = world["assignment"]
    take(assignment, learner, "stability")  # wrong under either key
    client.force_login(organizer)
    before = _items_page(client, assignment)[0]

    _regrade(world, organizer)
    after = _items_page(client, assignment)[0]

    assert before.facility == after.facility == 0
    assert ({c.version for c in before.choices}, {c.version for c in after.choices}) == (
        {1},
        {2},
    )


def test_a_second_attempt_changes_the_figures_on_the_next_request(
    client, organizer, learner, world
):
    assignment = world["assignment"]
    take(assignment, learner, "speed")
    client.force_login(organizer)
    first_before = _items_page(client, assignment)[0]
    every_before = _items_page(client, assignment, attempts="all")[0]

    take(assignment, learner, "green")  # the second attempt
    first_after = _items_page(client, assignment)[0]
    every_after = _items_page(client, assignment, attempts="all")[0]

    assert (first_before.n, first_before.facility) == (1, 100)
    assert (every_before.n, every_before.facility) == (1, 100)
    assert (first_after.n, first_after.facility) == (1, 100)
    assert (every_after.n, every_after.facility) == (2, 50)


def test_stems_and_key_points_are_read_fresh_while_the_figures_are_cached(
    client, organizer, learner, world
):
    assignment = world["assignment"]
    question = world["question"]
    take(assignment, learner, "green")
    client.force_login(organizer)
    _items_page(client, assignment)
    _mastery_page(client, assignment)

    reworded = dataclasses.replace(FIXED_KEY, stem="Which concept is about the environment?")
    question_edit(question=question, draft=reworded, edited_by=organizer)
    key_point = factories.KeyPointFactory(start_offset=0, end_offset=5)
    question.key_point = key_point
    question.save(update_fields=["key_point"])

    item = _items_page(client, assignment)[0]
    response = client.get(reverse("quizzes:assignment_mastery", args=[assignment.pk]))

    assert item.stem == "Which concept is about the environment?"
    assert item.facility == 0 and {c.version for c in item.choices} == {1}  # not regraded
    (row,) = response.context["rows"]
    assert (row.key_point, row.answers, row.mastery) == (key_point, 1, 0)
    assert response.context["unlinked"].answers == 1


def test_an_attempts_score_is_the_sum_of_its_items_after_finishing_and_regrading(
    organizer, learner, world
):
    """The item analysis takes the rest of an attempt as its score minus the item's mark,
    and counts every choice of an item's version as shown once in it."""
    assignment = world["assignment"]
    take(assignment, learner, "green")
    take(assignment, _newcomer(assignment, "second"), "speed")
    take(assignment, _newcomer(assignment, "third"), "stability", finish=False)

    def check():
        for attempt in Attempt.objects.filter(assignment=assignment):
            items = AttemptItem.objects.filter(attempt=attempt)
            if attempt.state == Attempt.State.FINISHED:
                assert attempt.score == items.aggregate(s=Sum("score"))["s"]
            for item in items:
                shown = sorted(
                    AttemptChoice.objects.filter(item=item).values_list("choice_id", flat=True)
                )
                version = sorted(
                    Choice.objects.filter(version_id=item.question_version_id).values_list(
                        "pk", flat=True
                    )
                )
                assert shown == version

    check()
    _regrade(world, organizer)
    check()
    scores = Attempt.objects.filter(assignment=assignment, state=Attempt.State.FINISHED)
    assert sorted(scores.values_list("score", flat=True)) == [Decimal(1), Decimal(2)]
    # The third learner finishes after the regrade, on the new version.
    third = Attempt.objects.get(assignment=assignment, state=Attempt.State.IN_PROGRESS)
    attempt_finish(attempt=third)
    check()


class _PlainOnly(pickle.Unpickler):
    def find_class(self, module, name):
        raise AssertionError(f"a cache entry refers to {module}.{name}")


def test_cache_entries_are_plain_data_kept_for_a_day(organizer, learner, world):
    assignment = world["assignment"]
    take(assignment, learner, "green")
    item_analysis(assignment=assignment)
    item_analysis(assignment=assignment, which=AnalysedAttempts.ALL)
    assignment_mastery(assignment=assignment)

    stored = cache._cache  # LocMemCache keeps each value pickled
    keys = [key for key in stored if ":reports:" in key]
    assert len(keys) == 3
    for key in keys:
        fingerprint, figures = _PlainOnly(io.BytesIO(stored[key])).load()
        assert fingerprint[0] == "1"
        assert figures
        remaining = cache._expire_info[key] - time.time()
        assert REPORT_CACHE_SECONDS - 60 < remaining <= REPORT_CACHE_SECONDS
