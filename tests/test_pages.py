"""Log in, log out, password change, language switch, and the home, group and bank pages."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import AssignmentResult, Membership
from quizzes.selectors.home import AssignmentStatus, assignment_status

from . import factories

HOME = reverse("quizzes:home")


def _group_url(group):
    return reverse("quizzes:group_detail", kwargs={"pk": group.pk})


def _bank_url(bank):
    return reverse("quizzes:bank_detail", kwargs={"pk": bank.pk})


@pytest.fixture
def parent_group(group, db):
    """A committee above ``group``, organized by its own secretary."""
    secretary = factories.UserFactory(username="secretary", display_name="Secretary Zhao")
    committee = factories.GroupFactory(name="Party committee", created_by=secretary)
    factories.MembershipFactory(group=committee, user=secretary, role=Membership.Role.ORGANIZER)
    group.parent = committee
    group.save(update_fields=["parent"])
    return committee


# --- Accounts ------------------------------------------------------------------------


def test_login_page_renders_labelled_fields(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'href="/static/css/app.css"' in html


def test_user_logs_in_with_password_and_lands_on_home(client, learner):
    response = client.post(
        reverse("login"),
        {"username": "learner", "password": factories.PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == HOME
    assert response.wsgi_request.user == learner
    assert "Learner Li" in response.content.decode()


def test_login_with_wrong_password_shows_error(client, learner):
    response = client.post(reverse("login"), {"username": "learner", "password": "nope"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_logout_by_post_ends_the_session(client, learner):
    client.force_login(learner)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(HOME).status_code == 302


def test_nav_has_logout_form_not_link(client, learner):
    client.force_login(learner)

    html = client.get(HOME).content.decode()

    assert f'<form class="inline-form" method="post" action="{reverse("logout")}">' in html
    assert f'href="{reverse("password_change")}"' in html
    assert reverse("admin:index") not in html


def test_staff_nav_links_to_admin(client, superuser):
    client.force_login(superuser)

    assert reverse("admin:index") in client.get(HOME).content.decode()


def test_password_change_replaces_password(client, learner):
    client.force_login(learner)
    assert client.get(reverse("password_change")).status_code == 200

    response = client.post(
        reverse("password_change"),
        {
            "old_password": factories.PASSWORD,
            "new_password1": "a-new-study-passphrase",
            "new_password2": "a-new-study-passphrase",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("password_change_done")
    learner.refresh_from_db()
    assert learner.check_password("a-new-study-passphrase")
    # The session survives the change (update_session_auth_hash).
    assert client.get(HOME).status_code == 200


def test_password_change_with_wrong_old_password_is_refused(client, learner):
    client.force_login(learner)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "a-new-study-passphrase",
            "new_password2": "a-new-study-passphrase",
        },
    )

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    learner.refresh_from_db()
    assert learner.check_password(factories.PASSWORD)


@pytest.mark.parametrize("page", ["home", "group", "bank"])
def test_anonymous_is_redirected_to_login(client, group, page):
    url = {
        "home": HOME,
        "group": _group_url(group),
        "bank": _bank_url(factories.BankFactory()),
    }[page]

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_language_switch_sets_chinese(client, learner):
    client.force_login(learner)
    html = client.get(HOME).content.decode()
    assert '<html lang="en">' in html
    assert f'action="{reverse("set_language")}"' in html
    assert 'value="zh-hans"' in html

    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": HOME})

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert '<html lang="zh-hans">' in client.get(HOME).content.decode()


def test_language_switch_is_shown_on_login_page(client, db):
    html = client.get(reverse("login")).content.decode()

    assert "简体中文" in html
    assert "English" in html


# --- Home ----------------------------------------------------------------------------


def test_learner_sees_own_group_assignment_not_other_groups(client, learner, group, other_group):
    factories.AssignmentFactory(group=group, quiz__title="Congress report quiz")
    factories.AssignmentFactory(group=other_group, quiz__title="Someone else's quiz")
    client.force_login(learner)

    html = client.get(HOME).content.decode()

    assert "Congress report quiz" in html
    assert "Someone else&#x27;s quiz" not in html
    assert "Someone else" not in html


def test_assignment_to_parent_group_reaches_members_of_child_group(client, learner, parent_group):
    factories.AssignmentFactory(group=parent_group, quiz__title="Committee-wide quiz")
    client.force_login(learner)

    response = client.get(HOME)

    assert "Committee-wide quiz" in response.content.decode()
    [row] = response.context["assignments"]
    assert row.group_name == "Party committee"
    # The learner is not a member of the committee, so its page is not linked.
    assert not row.group_is_own
    assert _group_url(parent_group) not in response.content.decode()


def test_assignment_to_child_group_does_not_reach_parent_group_members(client, group, parent_group):
    factories.AssignmentFactory(group=group, quiz__title="Branch-only quiz")
    committee_member = factories.UserFactory()
    factories.MembershipFactory(group=parent_group, user=committee_member)
    client.force_login(committee_member)

    assert "Branch-only quiz" not in client.get(HOME).content.decode()


def test_finished_assignment_shows_score_percent(client, learner, group):
    assignment = factories.AssignmentFactory(group=group)
    AssignmentResult.objects.create(
        assignment=assignment,
        user=learner,
        attempts_finished=1,
        score=Decimal("8.5"),
        max_score=Decimal(10),
        percent=Decimal("85.0000"),
        passed=True,
    )
    client.force_login(learner)

    response = client.get(HOME)

    [row] = response.context["assignments"]
    assert row.status == AssignmentStatus.FINISHED
    assert "Finished · 85%" in response.content.decode()


def test_another_learners_result_does_not_count_as_mine(client, learner, group):
    assignment = factories.AssignmentFactory(group=group)
    AssignmentResult.objects.create(
        assignment=assignment,
        user=factories.UserFactory(),
        attempts_finished=1,
        score=Decimal(10),
        max_score=Decimal(10),
        percent=Decimal(100),
    )
    client.force_login(learner)

    [row] = client.get(HOME).context["assignments"]

    assert row.status == AssignmentStatus.OPEN
    assert row.percent is None


def test_assignments_are_listed_by_urgency(client, learner, group):
    now = timezone.now()
    later = factories.AssignmentFactory(
        group=group, opens_at=now + timedelta(days=1), due_at=now + timedelta(days=5)
    )
    soon = factories.AssignmentFactory(
        group=group, opens_at=now - timedelta(days=1), due_at=now + timedelta(hours=5)
    )
    late = factories.AssignmentFactory(
        group=group, opens_at=now - timedelta(days=5), due_at=now - timedelta(hours=1)
    )
    open_ = factories.AssignmentFactory(group=group)
    client.force_login(learner)

    rows = client.get(HOME).context["assignments"]

    assert [row.pk for row in rows] == [soon.pk, open_.pk, later.pk, late.pk]
    assert [row.status for row in rows] == [
        AssignmentStatus.DUE_SOON,
        AssignmentStatus.OPEN,
        AssignmentStatus.NOT_OPEN,
        AssignmentStatus.OVERDUE,
    ]


@pytest.mark.parametrize(
    ("opens", "due", "finished", "expected"),
    [
        (timedelta(hours=1), timedelta(days=3), 0, AssignmentStatus.NOT_OPEN),
        (-timedelta(hours=1), timedelta(days=3), 0, AssignmentStatus.OPEN),
        (-timedelta(hours=1), timedelta(hours=47), 0, AssignmentStatus.DUE_SOON),
        (-timedelta(hours=1), timedelta(hours=48), 0, AssignmentStatus.OPEN),
        (-timedelta(days=3), timedelta(0), 0, AssignmentStatus.OVERDUE),
        (-timedelta(days=3), -timedelta(days=1), 1, AssignmentStatus.FINISHED),
    ],
)
def test_assignment_status_from_times_and_result(opens, due, finished, expected):
    now = timezone.now()

    status = assignment_status(
        opens_at=now + opens, due_at=now + due, attempts_finished=finished, now=now
    )

    assert status == expected


def test_organizer_sees_their_groups_and_banks(client, organizer, group, other_group):
    factories.BankFactory(owner=organizer, title="Congress report bank")
    factories.BankFactory(title="Somebody else's bank")
    client.force_login(organizer)

    response = client.get(HOME)

    html = response.content.decode()
    assert [g.name for g in response.context["groups"]] == ["Branch study group"]
    # The learner is a member; the organizer is counted as an organizer, not a member.
    assert response.context["groups"][0].member_count == 1
    assert response.context["groups"][0].organizer_count == 1
    assert _group_url(group) in html
    assert _group_url(other_group) not in html
    assert "Congress report bank" in html
    assert "Somebody else" not in html


def test_home_groups_page_and_sub_group_list_count_members_alike(client, organizer):
    """A new group with its organizer alone: no member, one organizer, on every page."""
    parent = factories.GroupFactory(name="Committee", created_by=organizer)
    factories.MembershipFactory(group=parent, user=organizer, role=Membership.Role.ORGANIZER)
    child = factories.GroupFactory(name="Fresh group", parent=parent, created_by=organizer)
    factories.MembershipFactory(group=child, user=organizer, role=Membership.Role.ORGANIZER)
    client.force_login(organizer)

    home = client.get(HOME).content.decode()
    groups = client.get(reverse("quizzes:group_list")).content.decode()
    parent_page = client.get(_group_url(parent)).content.decode()

    def shown(html: str, name: str) -> str:
        """The words up to the organizer count that follows the group's name."""
        after = html[html.index(name) :]
        text = re.sub(r"<[^>]+>", " ", after[: after.index("organizer") + len("organizer")])
        return " ".join(text.split()[-5:])

    assert shown(home, "Fresh group") == "0 members · 1 organizer"
    assert shown(groups, "Fresh group") == "0 members · 1 organizer"
    assert shown(parent_page, "Fresh group") == "0 members · 1 organizer"


def test_learner_home_has_no_organizer_sections(client, learner, group):
    client.force_login(learner)

    response = client.get(HOME)

    assert response.context["groups"] == []
    assert response.context["banks"] == []
    assert "Groups I organize" not in response.content.decode()


def _populate_home(user, group, size):
    """``size`` assignments (half finished), groups and banks for ``user``."""
    for index in range(size):
        assignment = factories.AssignmentFactory(group=group)
        if index % 2:
            AssignmentResult.objects.create(
                assignment=assignment,
                user=user,
                attempts_finished=1,
                score=Decimal(5),
                max_score=Decimal(10),
                percent=Decimal(50),
            )
        organized = factories.GroupFactory(created_by=user)
        factories.MembershipFactory(group=organized, user=user, role=Membership.Role.ORGANIZER)
        factories.MembershipFactory(group=organized)
        factories.DocumentFactory(bank=factories.BankFactory(owner=user))


@pytest.mark.parametrize("size", [2, 20])
def test_home_query_count_does_not_grow_with_data(
    client, organizer, group, parent_group, size, django_assert_num_queries
):
    _populate_home(organizer, group, size)
    factories.AssignmentFactory(group=parent_group)
    client.force_login(organizer)

    # 1 session, 2 user, 3 open notices, 4 the user's groups with their ancestors,
    # 5 assignments joined to the user's results, 6 organized groups with counts, 7 owned
    # banks with counts.
    with django_assert_num_queries(7):
        response = client.get(HOME)

    assert len(response.context["assignments"]) == size + 1
    assert len(response.context["groups"]) == size + 1
    assert len(response.context["banks"]) == size


# --- Group page ----------------------------------------------------------------------


def test_member_sees_group_members_and_assignments(client, learner, group):
    factories.AssignmentFactory(group=group, quiz__title="Branch quiz")
    client.force_login(learner)

    response = client.get(_group_url(group))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Branch study group" in html
    assert "Organizer Wang" in html
    assert "Learner Li" in html
    assert "Branch quiz" in html
    # Only organizers see the join code.
    assert group.join_code not in html


def test_learner_cannot_open_another_groups_page(client, learner, other_group):
    client.force_login(learner)

    assert client.get(_group_url(other_group)).status_code == 404


def test_organizer_of_another_group_cannot_open_group_page(client, organizer, other_group):
    client.force_login(organizer)

    assert client.get(_group_url(other_group)).status_code == 404


def test_organizer_of_parent_group_can_open_child_group_page(client, group, parent_group):
    client.force_login(factories.UserFactory(username="secretary"))

    response = client.get(_group_url(group))

    assert response.status_code == 200
    assert group.join_code in response.content.decode()


def test_parent_group_page_lists_sub_groups_to_organizer(client, group, parent_group):
    client.force_login(factories.UserFactory(username="secretary"))

    html = client.get(_group_url(parent_group)).content.decode()

    assert _group_url(group) in html


def test_member_of_child_group_cannot_open_parent_group_page(client, learner, parent_group):
    client.force_login(learner)

    assert client.get(_group_url(parent_group)).status_code == 404


def test_staff_can_open_any_group_page(client, superuser, other_group):
    client.force_login(superuser)

    assert client.get(_group_url(other_group)).status_code == 200


def test_missing_group_is_404(client, learner):
    client.force_login(learner)

    assert client.get(reverse("quizzes:group_detail", kwargs={"pk": 999_999})).status_code == 404


# --- Bank page -----------------------------------------------------------------------


@pytest.fixture
def bank(organizer):
    bank = factories.BankFactory(owner=organizer, title="Congress report bank")
    factories.DocumentFactory(bank=bank, title="Report to the congress")
    question = factories.QuestionFactory(bank=bank)
    factories.VersionFactory(question=question, number=1, stem="Old wording?")
    factories.VersionFactory(
        question=question, number=2, stem="What is the central task?", kind="multiple"
    )
    factories.QuestionFactory(bank=bank, status="draft")  # a question with no version yet
    return bank


def test_owner_sees_bank_questions_by_current_version_and_documents(client, organizer, bank):
    client.force_login(organizer)

    response = client.get(_bank_url(bank))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Report to the congress" in html
    assert "What is the central task?" in html
    assert "Old wording?" not in html
    assert "Multiple choice" in html
    assert "Published" in html
    assert "Draft" in html


def test_learner_cannot_open_bank_page(client, learner, bank):
    client.force_login(learner)

    assert client.get(_bank_url(bank)).status_code == 404


def test_organizer_cannot_open_another_organizers_bank(client, organizer, db):
    client.force_login(organizer)

    assert client.get(_bank_url(factories.BankFactory())).status_code == 404


def test_staff_can_open_any_bank_page(client, superuser, bank):
    client.force_login(superuser)

    assert client.get(_bank_url(bank)).status_code == 200


def test_bank_page_paginates_questions(client, organizer):
    bank = factories.BankFactory(owner=organizer)
    for _ in range(51):
        factories.VersionFactory(question=factories.QuestionFactory(bank=bank), number=1)
    client.force_login(organizer)

    first = client.get(_bank_url(bank))
    second = client.get(_bank_url(bank), {"page": 2})

    assert len(first.context["page_obj"].object_list) == 50
    assert len(second.context["page_obj"].object_list) == 1
    assert 'rel="next"' in first.content.decode()
