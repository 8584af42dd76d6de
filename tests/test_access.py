"""Who may see which group and bank (quizzes.selectors.access)."""

import pytest

from quizzes.models import Membership, StudyGroup
from quizzes.selectors.access import (
    GroupAccess,
    banks_visible_to,
    can_view_bank,
    can_view_group,
    group_access,
    group_ids_with_ancestors,
    groups_visible_to,
)

from . import factories


@pytest.fixture
def tree(organizer, learner):
    """committee → branch → cell, with ``organizer`` organizing the committee only and
    ``learner`` a member of the cell only."""
    committee = factories.GroupFactory(name="Committee", created_by=organizer)
    branch = factories.GroupFactory(name="Branch", parent=committee, created_by=organizer)
    cell = factories.GroupFactory(name="Cell", parent=branch, created_by=organizer)
    factories.MembershipFactory(group=committee, user=organizer, role=Membership.Role.ORGANIZER)
    factories.MembershipFactory(group=cell, user=learner)
    return committee, branch, cell


def _chain(length, *, created_by):
    groups = [factories.GroupFactory(name="Level 0", created_by=created_by)]
    for level in range(1, length):
        groups.append(
            factories.GroupFactory(name=f"Level {level}", parent=groups[-1], created_by=created_by)
        )
    return groups


def test_member_sees_own_group_only(tree, learner):
    committee, branch, cell = tree

    assert set(groups_visible_to(user=learner)) == {cell}
    assert group_access(user=learner, group=cell) == GroupAccess.MEMBER
    assert not can_view_group(user=learner, group=branch)
    assert not can_view_group(user=learner, group=committee)


def test_organizer_of_top_group_sees_every_group_below(tree, organizer):
    committee, branch, cell = tree

    assert set(groups_visible_to(user=organizer)) == {committee, branch, cell}
    for group in tree:
        assert group_access(user=organizer, group=group) == GroupAccess.ORGANIZER


def test_organizer_of_lower_group_does_not_see_groups_above(tree, db):
    committee, branch, cell = tree
    branch_secretary = factories.UserFactory()
    factories.MembershipFactory(group=branch, user=branch_secretary, role=Membership.Role.ORGANIZER)

    assert set(groups_visible_to(user=branch_secretary)) == {branch, cell}
    assert not can_view_group(user=branch_secretary, group=committee)


def test_plain_member_of_parent_group_does_not_see_groups_below(tree, db):
    committee, branch, _cell = tree
    member = factories.UserFactory()
    factories.MembershipFactory(group=committee, user=member)

    assert set(groups_visible_to(user=member)) == {committee}
    assert not can_view_group(user=member, group=branch)


def test_staff_sees_every_group(tree, other_group, superuser):
    assert set(groups_visible_to(user=superuser)) == {*tree, other_group}
    assert group_access(user=superuser, group=other_group) == GroupAccess.STAFF


def test_inactive_user_sees_nothing(group, learner):
    learner.is_active = False

    assert not groups_visible_to(user=learner).exists()
    assert not can_view_group(user=learner, group=group)


def test_organizer_reaches_groups_at_any_depth(organizer, learner, django_assert_num_queries):
    chain = _chain(25, created_by=organizer)
    factories.MembershipFactory(group=chain[0], user=organizer, role=Membership.Role.ORGANIZER)
    factories.MembershipFactory(group=chain[-1], user=learner)

    with django_assert_num_queries(1):
        visible = set(groups_visible_to(user=organizer))
    with django_assert_num_queries(1):
        own, reachable = group_ids_with_ancestors(user=learner)

    assert visible == set(chain)
    assert can_view_group(user=organizer, group=chain[-1])
    assert own == {chain[-1].pk}
    assert reachable == {group.pk for group in chain}


def test_a_cycle_in_bad_data_ends_the_walk(organizer):
    first, second = _chain(2, created_by=organizer)
    # The services refuse cycles; rows written around them must not hang a query.
    StudyGroup.objects.filter(pk=first.pk).update(parent=second)
    factories.MembershipFactory(group=first, user=organizer, role=Membership.Role.ORGANIZER)

    assert set(groups_visible_to(user=organizer)) == {first, second}
    assert can_view_group(user=organizer, group=second)


def test_access_check_is_one_query(tree, organizer, django_assert_num_queries):
    *_, cell = tree
    with django_assert_num_queries(1):
        assert can_view_group(user=organizer, group=cell)


def test_group_ids_with_ancestors_lists_own_groups_and_all_above(tree, learner):
    committee, branch, cell = tree

    own, reachable = group_ids_with_ancestors(user=learner)

    assert own == {cell.pk}
    assert reachable == {committee.pk, branch.pk, cell.pk}


def test_bank_is_visible_to_owner_and_staff_only(organizer, learner, superuser):
    bank = factories.BankFactory(owner=organizer)

    assert can_view_bank(user=organizer, bank=bank)
    assert can_view_bank(user=superuser, bank=bank)
    assert not can_view_bank(user=learner, bank=bank)
    assert list(banks_visible_to(user=organizer)) == [bank]
    assert not banks_visible_to(user=learner).exists()
