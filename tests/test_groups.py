"""Study groups: creating, editing and moving them in a tree of any depth, the organizer's
group list, the group page with members and co-organizers, removing members, and who may
open each page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from quizzes.models import Assignment, AssignmentResult, Attempt, Membership, StudyGroup
from quizzes.services.groups import (
    group_create,
    group_update,
    membership_remove,
    membership_set_role,
    organizer_add,
)

from . import factories

ORGANIZER = Membership.Role.ORGANIZER
MEMBER = Membership.Role.MEMBER


def _url(name, *args):
    return reverse(f"quizzes:{name}", args=args)


def _membership(group, user):
    return Membership.objects.get(group=group, user=user)


# --- Creating and moving groups --------------------------------------------------------


def test_creator_becomes_the_first_organizer(organizer):
    group = group_create(name="New branch", created_by=organizer, description="Monthly study")

    assert _membership(group, organizer).role == ORGANIZER
    assert group.description == "Monthly study"


def test_group_cannot_be_created_under_a_group_the_creator_does_not_organize(
    organizer, other_group
):
    with pytest.raises(ValidationError) as error:
        group_create(name="Sneaky", created_by=organizer, parent=other_group)

    assert "parent" in error.value.message_dict
    assert not StudyGroup.objects.filter(name="Sneaky").exists()


def test_group_cannot_be_its_own_parent(organizer, group):
    with pytest.raises(ValidationError) as error:
        group_update(
            group=group, name=group.name, description="", parent=group, updated_by=organizer
        )

    assert error.value.message_dict["parent"] == [
        "A group cannot be placed under itself or one of its sub-groups."
    ]


def test_group_cannot_move_under_its_own_descendant_ten_levels_down(organizer):
    chain = factories.group_chain(10, organizer=organizer)
    top, leaf = chain[0], chain[-1]

    with pytest.raises(ValidationError) as error:
        group_update(group=top, name=top.name, description="", parent=leaf, updated_by=organizer)

    assert "parent" in error.value.message_dict
    top.refresh_from_db()
    assert top.parent_id is None


def test_group_moves_under_another_group_the_organizer_manages(organizer, group):
    other = group_create(name="Second branch", created_by=organizer)

    group_update(
        group=other, name="Second branch", description="", parent=group, updated_by=organizer
    )

    other.refresh_from_db()
    assert other.parent == group


def test_only_an_organizer_of_the_parent_moves_a_group_out_of_it(organizer, group, committee):
    # ``organizer`` organizes ``group`` but not the committee above it.
    with pytest.raises(ValidationError) as error:
        group_update(
            group=group, name=group.name, description="", parent=None, updated_by=organizer
        )

    assert "Party committee" in error.value.message_dict["parent"][0]
    group.refresh_from_db()
    assert group.parent == committee


def test_a_group_without_its_own_organizer_cannot_become_a_top_group(secretary, committee):
    bare = factories.GroupFactory(name="Bare cell", parent=committee, created_by=secretary)

    with pytest.raises(ValidationError) as error:
        group_update(group=bare, name=bare.name, description="", parent=None, updated_by=secretary)

    assert "organizer of its own" in error.value.message_dict["parent"][0]


def test_create_page_creates_a_sub_group(client, organizer, group):
    client.force_login(organizer)

    response = client.post(
        _url("group_create"), {"name": "Cell 1", "description": "", "parent": str(group.pk)}
    )

    cell = StudyGroup.objects.get(name="Cell 1")
    assert response.status_code == 302
    assert response["Location"] == cell.get_absolute_url()
    assert cell.parent == group


def test_create_page_offers_only_managed_groups_as_parents(client, organizer, group, other_group):
    client.force_login(organizer)

    form = client.get(_url("group_create")).context["form"]

    values = [value for value, _label in form.fields["parent"].choices]
    assert values == ["", str(group.pk)]


def test_edit_page_refuses_a_cycle_with_a_message(client, organizer):
    chain = factories.group_chain(3, organizer=organizer)
    client.force_login(organizer)

    # The descendant is not even offered; a forged post is refused by the form.
    response = client.post(
        _url("group_edit", chain[0].pk),
        {"name": "Level 0", "description": "", "parent": str(chain[2].pk)},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    chain[0].refresh_from_db()
    assert chain[0].parent_id is None


def test_edit_page_saves_name_and_description(client, organizer, group):
    client.force_login(organizer)

    client.post(
        _url("group_edit", group.pk),
        {"name": "Renamed branch", "description": "Thursdays", "parent": ""},
    )

    group.refresh_from_db()
    assert (group.name, group.description) == ("Renamed branch", "Thursdays")


def test_edit_page_keeps_a_parent_the_organizer_does_not_manage(
    client, organizer, group, committee
):
    client.force_login(organizer)

    response = client.post(
        _url("group_edit", group.pk),
        {"name": "Renamed", "description": "", "parent": str(committee.pk)},
    )

    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.parent) == ("Renamed", committee)


# --- The group list --------------------------------------------------------------------


def test_group_list_shows_the_tree_nested_with_member_counts(client, organizer):
    chain = factories.group_chain(10, organizer=organizer)
    factories.MembershipFactory.create_batch(3, group=chain[9])
    client.force_login(organizer)

    response = client.get(_url("group_list"))

    html = response.content.decode()
    # Each level is its own nested list: ten levels, ten <ul>.
    assert html.count('<ul class="group-tree">') == 10
    assert html.index("Level 0") < html.index("Level 5") < html.index("Level 9")
    leaf = response.context["tree"][0]
    for _level in range(9):
        leaf = leaf.children[0]
    assert (leaf.group.name, leaf.depth, leaf.group.member_count) == ("Level 9", 9, 3)


def test_group_list_hides_groups_the_organizer_does_not_manage(
    client, organizer, group, other_group
):
    client.force_login(organizer)

    html = client.get(_url("group_list")).content.decode()

    assert "Branch study group" in html
    assert "Another branch" not in html


@pytest.mark.parametrize("size", [5, 50])
def test_group_list_query_count_does_not_grow(client, organizer, size, django_assert_num_queries):
    top = factories.group_chain(2, organizer=organizer)[1]
    for n in range(size):
        child = factories.GroupFactory(parent=top, name=f"Cell {n}")
        factories.MembershipFactory.create_batch(2, group=child)
    client.force_login(organizer)

    # 1 session, 2 user, 3 is-organizer check, 4 groups with member and organizer counts.
    with django_assert_num_queries(4):
        response = client.get(_url("group_list"))

    assert len(response.context["tree"][0].children[0].children) == size


def test_learner_who_organizes_nothing_gets_404_for_the_group_list(client, learner, group):
    client.force_login(learner)

    assert client.get(_url("group_list")).status_code == 404
    assert client.get(_url("group_create")).status_code == 404


# --- The group page --------------------------------------------------------------------


def test_organizer_sees_members_with_username_unit_and_role(client, organizer, group, learner):
    Membership.objects.filter(user=learner).update(unit="First branch office")
    client.force_login(organizer)

    html = client.get(group.get_absolute_url()).content.decode()

    assert "Learner Li" in html
    assert "learner" in html
    assert "First branch office" in html
    assert "Make organizer" in html
    assert group.join_code in html


def test_member_sees_names_but_no_usernames_or_actions(client, learner, group):
    client.force_login(learner)

    response = client.get(group.get_absolute_url())

    html = response.content.decode()
    assert "Organizer Wang" in html
    assert "Make organizer" not in html
    assert _url("member_import", group.pk) not in html


def test_group_page_of_a_deep_sub_group_opens_to_the_top_organizer(client, organizer):
    chain = factories.group_chain(10, organizer=organizer)
    client.force_login(organizer)

    response = client.get(chain[-1].get_absolute_url())

    assert response.status_code == 200
    assert response.context["manages"]


@pytest.mark.parametrize("size", [10, 200])
def test_group_page_query_count_does_not_grow_with_members(
    client, organizer, group, size, django_assert_num_queries
):
    factories.MembershipFactory.create_batch(size, group=group)
    for _n in range(3):
        factories.GroupFactory(parent=group, created_by=organizer)
        factories.AssignmentFactory(group=group)
    client.force_login(organizer)

    # 1 session, 2 user, 3 group with parent, 4 access, 5 member count, 6 member page with
    # users, 7 assignments with quiz and finished counts, 8 sub-groups with member counts.
    with django_assert_num_queries(8):
        response = client.get(group.get_absolute_url())

    assert response.context["page_obj"].paginator.count == size + 2


def test_member_list_is_paginated(client, organizer, group):
    factories.MembershipFactory.create_batch(60, group=group)
    client.force_login(organizer)

    second = client.get(group.get_absolute_url(), {"page": 2})

    assert second.context["page_obj"].number == 2
    assert len(second.context["page_obj"].object_list) == 12


# --- Co-organizers ---------------------------------------------------------------------


def test_member_is_promoted_and_demoted(client, organizer, group, learner):
    client.force_login(organizer)
    membership = _membership(group, learner)

    client.post(_url("member_role", group.pk, membership.pk), {"role": "organizer"})
    membership.refresh_from_db()
    promoted = membership.role
    client.post(_url("member_role", group.pk, membership.pk), {"role": "member"})
    membership.refresh_from_db()

    assert (promoted, membership.role) == (ORGANIZER, MEMBER)


def test_the_last_organizer_of_a_top_group_cannot_step_down(client, organizer, group):
    client.force_login(organizer)
    membership = _membership(group, organizer)

    response = client.post(
        _url("member_role", group.pk, membership.pk), {"role": "member"}, follow=True
    )

    membership.refresh_from_db()
    assert membership.role == ORGANIZER
    assert "must keep at least one organizer" in response.content.decode()


def test_the_last_organizer_of_a_top_group_cannot_be_removed(organizer, group):
    with pytest.raises(ValidationError):
        membership_remove(membership=_membership(group, organizer), removed_by=organizer)

    assert _membership(group, organizer).role == ORGANIZER


def test_the_last_organizer_of_a_sub_group_can_go_the_parent_still_manages(
    organizer, group, committee, secretary
):
    membership_remove(membership=_membership(group, organizer), removed_by=secretary)

    assert not Membership.objects.filter(group=group, role=ORGANIZER).exists()


def test_a_second_organizer_lets_the_first_step_down(organizer, group, learner):
    organizer_add(group=group, username="LEARNER", added_by=organizer)

    membership_set_role(membership=_membership(group, organizer), role=MEMBER, changed_by=organizer)

    assert _membership(group, learner).role == ORGANIZER
    assert _membership(group, organizer).role == MEMBER


def test_organizer_is_added_by_username(client, organizer, group):
    newcomer = factories.UserFactory(username="zhangsan", display_name="Zhang San")
    client.force_login(organizer)

    response = client.post(_url("organizer_add", group.pk), {"username": "zhangsan"})

    assert response.status_code == 302
    assert _membership(group, newcomer).role == ORGANIZER


def test_unknown_username_for_organizer_is_a_form_error(client, organizer, group):
    client.force_login(organizer)

    response = client.post(_url("organizer_add", group.pk), {"username": "nobody"})

    assert response.status_code == 400
    assert "No active account has the username nobody." in response.content.decode()
    assert Membership.objects.filter(group=group).count() == 2


def test_services_refuse_someone_who_does_not_manage_the_group(learner, group):
    with pytest.raises(PermissionDenied):
        organizer_add(group=group, username="learner", added_by=learner)


# --- Removing members ------------------------------------------------------------------


def test_removing_a_member_keeps_their_attempts_and_results(client, organizer, group, learner):
    assignment = factories.AssignmentFactory(group=group)
    attempt = factories.AttemptFactory(assignment=assignment, user=learner)
    AssignmentResult.objects.create(assignment=assignment, user=learner, max_score=10)
    client.force_login(organizer)
    membership = _membership(group, learner)

    confirm = client.get(_url("member_remove", group.pk, membership.pk))
    response = client.post(_url("member_remove", group.pk, membership.pk))

    assert confirm.status_code == 200
    assert "Learner Li" in confirm.content.decode()
    assert response.status_code == 302
    assert not Membership.objects.filter(group=group, user=learner).exists()
    assert Attempt.objects.filter(pk=attempt.pk).exists()
    assert AssignmentResult.objects.filter(assignment=assignment, user=learner).exists()
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_removed_member_no_longer_opens_the_group(client, organizer, group, learner):
    membership_remove(membership=_membership(group, learner), removed_by=organizer)
    client.force_login(learner)

    assert client.get(group.get_absolute_url()).status_code == 404


def test_membership_of_another_group_is_not_found_through_this_group(
    client, organizer, group, other_group
):
    client.force_login(organizer)
    foreign = Membership.objects.filter(group=other_group).first()

    response = client.post(_url("member_remove", group.pk, foreign.pk))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


# --- Who may open what -----------------------------------------------------------------


def _group_pages(group):
    membership = Membership.objects.filter(group=group, role=MEMBER).first()
    return {
        "page": ("get", group.get_absolute_url()),
        "edit": ("get", _url("group_edit", group.pk)),
        "edit post": ("post", _url("group_edit", group.pk)),
        "add organizer": ("post", _url("organizer_add", group.pk)),
        "role": ("post", _url("member_role", group.pk, membership.pk)),
        "remove": ("get", _url("member_remove", group.pk, membership.pk)),
        "remove post": ("post", _url("member_remove", group.pk, membership.pk)),
        "new code": ("post", _url("join_code_regenerate", group.pk)),
        "join sheet": ("get", _url("group_join_sheet", group.pk)),
        "qr": ("get", _url("group_join_qr", group.pk)),
        "import": ("get", _url("member_import", group.pk)),
        "import confirm": ("post", _url("member_import_confirm", group.pk)),
        "import result": ("get", _url("member_import_result", group.pk)),
        "passwords": ("post", _url("member_import_passwords", group.pk)),
    }


PAGES = [
    "page",
    "edit",
    "edit post",
    "add organizer",
    "role",
    "remove",
    "remove post",
    "new code",
    "join sheet",
    "qr",
    "import",
    "import confirm",
    "import result",
    "passwords",
]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_log_in(client, group, page):
    method, url = _group_pages(group)[page]

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", [p for p in PAGES if p != "page"])
def test_member_cannot_manage_the_group(client, learner, group, page):
    method, url = _group_pages(group)[page]
    client.force_login(learner)
    code = group.join_code

    response = getattr(client, method)(url)

    assert response.status_code == 404
    group.refresh_from_db()
    assert group.join_code == code
    assert Membership.objects.filter(group=group).count() == 2


@pytest.mark.parametrize("page", PAGES)
def test_organizer_of_another_group_cannot_open_group_pages(client, organizer, other_group, page):
    method, url = _group_pages(other_group)[page]
    client.force_login(organizer)

    assert getattr(client, method)(url).status_code == 404


@pytest.mark.parametrize("page", ["page", "edit", "remove", "join sheet", "qr", "import"])
def test_organizer_of_a_parent_group_manages_the_sub_group(
    client, group, committee, secretary, page
):
    method, url = _group_pages(group)[page]
    client.force_login(secretary)

    assert getattr(client, method)(url).status_code == 200


def test_organizer_of_a_parent_group_regenerates_the_sub_groups_code(
    client, group, committee, secretary
):
    code = group.join_code
    client.force_login(secretary)

    client.post(_url("join_code_regenerate", group.pk))

    group.refresh_from_db()
    assert group.join_code != code


def test_group_page_links_organizers_to_the_group_report(client, organizer, learner, group):
    report = _url("group_report", group.pk)
    client.force_login(organizer)
    organizer_html = client.get(group.get_absolute_url()).content.decode()
    client.force_login(learner)
    learner_html = client.get(group.get_absolute_url()).content.decode()

    assert report in organizer_html
    assert report not in learner_html
