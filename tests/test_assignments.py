"""Assigning a quiz to several groups at once, learners reaching assignments through deep
trees, and the organizer's assignment page: counts, who has not started or not finished,
the CSV lists, who may open them, and query counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Assignment, Attempt, Membership
from quizzes.services.quizzes import quiz_assign

from . import factories

HOME = reverse("quizzes:home")


def _url(name, *args):
    return reverse(f"quizzes:{name}", args=args)


def _window():
    opens = timezone.now()
    return {"opens_at": opens, "due_at": opens + timedelta(days=7)}


@pytest.fixture
def quiz(organizer):
    return factories.QuizFactory(owner=organizer, title="Congress quiz")


# --- Assigning to several groups -------------------------------------------------------


def _post_assign(client, quiz, groups):
    opens = timezone.localtime()
    return client.post(
        _url("quiz_assign", quiz.pk),
        {
            "groups": [str(group.pk) for group in groups],
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "due_at": (opens + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )


def test_one_assignment_per_chosen_group(client, organizer, group, quiz):
    second = factories.GroupFactory(name="Second branch", created_by=organizer)
    factories.MembershipFactory(group=second, user=organizer, role=Membership.Role.ORGANIZER)
    client.force_login(organizer)

    response = _post_assign(client, quiz, [group, second])

    assert sorted(Assignment.objects.values_list("group__name", flat=True)) == [
        "Branch study group",
        "Second branch",
    ]
    assert "Assigned to 2 groups" in response.content.decode()


def test_a_parent_and_its_descendants_make_one_assignment_for_the_parent(organizer, quiz):
    chain = factories.group_chain(10, organizer=organizer)

    assignments = quiz_assign(
        quiz=quiz, groups=[chain[9], chain[0], chain[4]], assigned_by=organizer, **_window()
    )

    assert [a.group for a in assignments] == [chain[0]]
    assert Assignment.objects.count() == 1


def test_siblings_below_a_chosen_parent_are_left_out_but_other_trees_are_kept(organizer, quiz):
    committee = factories.group_chain(1, organizer=organizer)[0]
    first = factories.GroupFactory(parent=committee, name="First")
    second = factories.GroupFactory(parent=committee, name="Second")
    elsewhere = factories.group_chain(1, organizer=organizer, name="Elsewhere")[0]

    assignments = quiz_assign(
        quiz=quiz,
        groups=[first, committee, second, elsewhere],
        assigned_by=organizer,
        **_window(),
    )

    assert [a.group for a in assignments] == [committee, elsewhere]


def test_one_foreign_group_among_the_chosen_assigns_nothing(organizer, group, other_group, quiz):
    with pytest.raises(ValidationError):
        quiz_assign(quiz=quiz, groups=[group, other_group], assigned_by=organizer, **_window())

    assert not Assignment.objects.exists()


def test_a_bad_window_assigns_nothing_to_any_group(organizer, group, quiz):
    second = factories.group_chain(1, organizer=organizer, name="Second")[0]
    opens = timezone.now()

    with pytest.raises(ValidationError):
        quiz_assign(
            quiz=quiz, groups=[group, second], assigned_by=organizer, opens_at=opens, due_at=opens
        )

    assert not Assignment.objects.exists()


def test_the_form_needs_at_least_one_group(client, organizer, group, quiz):
    client.force_login(organizer)

    response = _post_assign(client, quiz, [])

    assert "Choose at least one group." in response.content.decode()
    assert not Assignment.objects.exists()


def test_the_picker_lists_groups_in_tree_order_indented(client, organizer, quiz):
    chain = factories.group_chain(3, organizer=organizer)
    client.force_login(organizer)

    form = client.get(_url("quiz_builder", quiz.pk)).context["assign_form"]

    assert [(o["name"], o["indent"]) for o in form.group_options] == [
        ("Level 0", 0),
        ("Level 1", 1),
        ("Level 2", 2),
    ]
    assert form.group_options[2]["parent"] == chain[1].name


# --- Learners in deep trees ------------------------------------------------------------


def test_a_learner_ten_levels_down_sees_the_assignment_on_their_home_page(
    client, organizer, learner, quiz
):
    chain = factories.group_chain(10, organizer=organizer)
    factories.MembershipFactory(group=chain[9], user=learner)
    quiz_assign(quiz=quiz, groups=[chain[0]], assigned_by=organizer, **_window())
    client.force_login(learner)

    rows = client.get(HOME).context["assignments"]

    assert [(row.quiz_title, row.group_name, row.group_is_own) for row in rows] == [
        ("Congress quiz", "Level 0", False)
    ]


def test_an_assignment_to_a_deep_group_does_not_reach_the_levels_above(
    client, organizer, learner, quiz
):
    chain = factories.group_chain(10, organizer=organizer)
    factories.MembershipFactory(group=chain[3], user=learner)
    quiz_assign(quiz=quiz, groups=[chain[8]], assigned_by=organizer, **_window())
    client.force_login(learner)

    assert client.get(HOME).context["assignments"] == []


# --- The assignment page ---------------------------------------------------------------


@pytest.fixture
def progress(organizer, group, committee, secretary):
    """An assignment to the committee: four learners below it in ``group`` and a sub-cell,
    one finished, one started, two not started."""
    cell = factories.GroupFactory(name="Cell 1", parent=group)
    assignment = factories.AssignmentFactory(group=committee, quiz__title="Committee quiz")
    finished, started, idle, deep = (
        factories.UserFactory(username=name, display_name=label)
        for name, label in (
            ("done", "Finished Fan"),
            ("busy", "Started Shi"),
            ("idle", "=HYPERLINK(0)"),
            ("deep", "Deep Du"),
        )
    )
    for user in (finished, started, idle):
        factories.MembershipFactory(group=group, user=user, unit="Office 1")
    factories.MembershipFactory(group=cell, user=deep, unit="Cell office")
    factories.AttemptFactory(
        assignment=assignment,
        user=finished,
        state=Attempt.State.FINISHED,
        started_at=timezone.now() - timedelta(hours=1),
        finished_at=timezone.now(),
        score=8,
    )
    factories.AttemptFactory(assignment=assignment, user=started)
    Membership.objects.filter(group=group, user__username="learner").delete()
    return assignment


def test_assignment_page_counts_and_lists_who_has_not_started_or_finished(
    client, secretary, progress
):
    client.force_login(secretary)

    response = client.get(_url("assignment_detail", progress.pk))

    counts = response.context["counts"]
    assert (counts.learners, counts.finished, counts.in_progress, counts.not_started) == (
        4,
        1,
        1,
        2,
    )
    assert [u.username for u in response.context["not_started"]] == ["idle", "deep"]
    assert [u.username for u in response.context["not_finished"]] == ["busy"]
    deep = response.context["not_started"][1]
    assert (deep.group_name, deep.unit) == ("Cell 1", "Cell office")
    html = response.content.decode()
    assert "Finished Fan" not in html
    assert "Send reminder" in html


def test_a_learner_in_two_sub_groups_is_listed_once(client, secretary, progress, group):
    idle = Membership.objects.get(user__username="idle").user
    factories.MembershipFactory(group=group.children.get(), user=idle)
    client.force_login(secretary)

    response = client.get(_url("assignment_detail", progress.pk))

    assert [u.username for u in response.context["not_started"]] == ["idle", "deep"]
    assert response.context["counts"].learners == 4


def test_a_removed_member_leaves_the_lists(client, secretary, progress):
    Membership.objects.filter(user__username="idle").delete()
    client.force_login(secretary)

    response = client.get(_url("assignment_detail", progress.pk))

    assert [u.username for u in response.context["not_started"]] == ["deep"]


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_not_started_list_downloads_as_csv_with_formulas_neutralised(client, secretary, progress):
    client.force_login(secretary)

    response = client.get(_url("assignment_progress_csv", progress.pk, "not-started"))

    rows = _csv(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0] == ["Name", "Username", "Group", "Unit", "E-mail"]
    assert rows[1:] == [
        ["'=HYPERLINK(0)", "idle", "Branch study group", "Office 1", ""],
        ["Deep Du", "deep", "Cell 1", "Cell office", ""],
    ]


def test_not_finished_list_downloads_as_csv(client, secretary, progress):
    client.force_login(secretary)

    rows = _csv(client.get(_url("assignment_progress_csv", progress.pk, "not-finished")))

    assert [row[1] for row in rows[1:]] == ["busy"]


def test_an_unknown_list_is_not_found(client, secretary, progress):
    client.force_login(secretary)

    assert client.get(_url("assignment_progress_csv", progress.pk, "everyone")).status_code == 404


def test_the_page_shows_at_most_the_limit_and_says_the_csv_has_all(
    client, secretary, progress, group, monkeypatch
):
    monkeypatch.setattr("quizzes.views.assignments.PROGRESS_LIST_LIMIT", 1)
    client.force_login(secretary)

    response = client.get(_url("assignment_detail", progress.pk))

    assert len(response.context["not_started"]) == 1
    assert "The first 1 of 2 are shown; the CSV has everyone." in response.content.decode()


@pytest.mark.parametrize("size", [10, 200])
def test_assignment_page_query_count_does_not_grow_with_learners(
    client, organizer, group, size, django_assert_num_queries
):
    assignment = factories.AssignmentFactory(group=group)
    cell = factories.GroupFactory(parent=group)
    for n, user in enumerate(factories.UserFactory.create_batch(size)):
        factories.MembershipFactory(group=cell if n % 2 else group, user=user, unit=f"U{n}")
        if n % 3 == 0:
            factories.AttemptFactory(assignment=assignment, user=user)
    client.force_login(organizer)

    # 1 session, 2 user, 3 assignment with quiz and group, 4 access, 5 counts, 6 not
    # started (first 100), 7 not finished (first 100), 8 the last reminder.
    with django_assert_num_queries(8):
        response = client.get(_url("assignment_detail", assignment.pk))

    assert response.context["counts"].learners == size + 1


@pytest.mark.parametrize("size", [10, 200])
def test_progress_csv_query_count_does_not_grow(
    client, organizer, group, size, django_assert_num_queries
):
    assignment = factories.AssignmentFactory(group=group)
    factories.MembershipFactory.create_batch(size, group=group)
    client.force_login(organizer)

    # 1 session, 2 user, 3 assignment, 4 access, 5 the learners (streamed).
    with django_assert_num_queries(5):
        rows = _csv(client.get(_url("assignment_progress_csv", assignment.pk, "not-started")))

    assert len(rows) == size + 2


# --- Who may open the assignment pages -------------------------------------------------


def _pages(assignment):
    return {
        "page": ("get", _url("assignment_detail", assignment.pk)),
        "csv": ("get", _url("assignment_progress_csv", assignment.pk, "not-started")),
        "remind": ("post", _url("assignment_remind", assignment.pk)),
    }


@pytest.mark.parametrize("page", ["page", "csv", "remind"])
def test_anonymous_is_sent_to_log_in(client, group, page):
    method, url = _pages(factories.AssignmentFactory(group=group))[page]

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", ["page", "csv", "remind"])
def test_a_member_cannot_open_the_assignment_pages(client, learner, group, page):
    method, url = _pages(factories.AssignmentFactory(group=group))[page]
    client.force_login(learner)

    assert getattr(client, method)(url).status_code == 404


@pytest.mark.parametrize("page", ["page", "csv", "remind"])
def test_an_organizer_of_another_group_cannot_open_them(client, organizer, other_group, page):
    method, url = _pages(factories.AssignmentFactory(group=other_group))[page]
    client.force_login(organizer)

    assert getattr(client, method)(url).status_code == 404


@pytest.mark.parametrize("page", ["page", "csv"])
def test_an_organizer_of_a_parent_group_opens_them(client, group, committee, secretary, page):
    method, url = _pages(factories.AssignmentFactory(group=group))[page]
    client.force_login(secretary)

    assert getattr(client, method)(url).status_code == 200


def test_an_organizer_of_a_sub_group_cannot_open_the_parents_assignment(
    client, organizer, group, committee
):
    assignment = factories.AssignmentFactory(group=committee)
    client.force_login(organizer)

    assert client.get(_url("assignment_detail", assignment.pk)).status_code == 404


def test_staff_open_any_assignment_page(client, superuser, other_group):
    assignment = factories.AssignmentFactory(group=other_group)
    client.force_login(superuser)

    assert client.get(_url("assignment_detail", assignment.pk)).status_code == 200


def test_assignment_page_links_to_the_reports(client, secretary, progress):
    client.force_login(secretary)

    html = client.get(_url("assignment_detail", progress.pk)).content.decode()

    for name in ("assignment_report", "assignment_mastery", "assignment_items"):
        assert _url(name, progress.pk) in html
