import pytest

from quizzes.models import Membership
from quizzes.selectors.assignments import assignment_learners

from . import factories

pytestmark = pytest.mark.django_db


def test_learners_are_members_of_the_group_and_every_group_below_it_once(
    django_assert_num_queries,
):
    organizer = factories.UserFactory()
    committee = factories.GroupFactory(created_by=organizer)
    branch = factories.GroupFactory(parent=committee, created_by=organizer)
    cell = factories.GroupFactory(parent=branch, created_by=organizer)
    elsewhere = factories.GroupFactory(created_by=organizer)
    top, deep, twice, outsider = factories.UserFactory.create_batch(4)
    factories.MembershipFactory(group=committee, user=top)
    factories.MembershipFactory(group=cell, user=deep)
    factories.MembershipFactory(group=branch, user=twice)
    factories.MembershipFactory(group=cell, user=twice)
    factories.MembershipFactory(group=elsewhere, user=outsider)
    factories.MembershipFactory(group=committee, user=organizer, role=Membership.Role.ORGANIZER)
    assignment = factories.AssignmentFactory(group=branch)

    with django_assert_num_queries(1):
        learners = list(assignment_learners(assignment=assignment))

    assert sorted(learners, key=lambda user: user.pk) == sorted(
        [deep, twice], key=lambda user: user.pk
    )
