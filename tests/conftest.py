import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from quizzes.models import Membership

from . import factories

# Shared, noisy machines: no per-example deadline; in CI the same examples every run.
hypothesis_settings.register_profile(
    "studyapp",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=bool(os.environ.get("CI")),
    print_blob=True,
)
hypothesis_settings.load_profile("studyapp")


@pytest.fixture
def organizer(db):
    return factories.UserFactory(username="organizer", display_name="Organizer Wang")


@pytest.fixture
def learner(db):
    return factories.UserFactory(username="learner", display_name="Learner Li")


@pytest.fixture
def group(organizer, learner):
    group = factories.GroupFactory(name="Branch study group", created_by=organizer)
    factories.MembershipFactory(group=group, user=organizer, role=Membership.Role.ORGANIZER)
    factories.MembershipFactory(group=group, user=learner, role=Membership.Role.MEMBER)
    return group


@pytest.fixture
def other_group(db):
    """A group the ``learner`` and ``organizer`` fixtures do not belong to."""
    other_organizer = factories.UserFactory(username="other-organizer")
    group = factories.GroupFactory(name="Another branch", created_by=other_organizer)
    factories.MembershipFactory(group=group, user=other_organizer, role=Membership.Role.ORGANIZER)
    factories.MembershipFactory(group=group, user=factories.UserFactory(username="outsider"))
    return group


@pytest.fixture
def superuser(db):
    return factories.UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def secretary(db):
    return factories.UserFactory(username="secretary", display_name="Secretary Zhao")


@pytest.fixture
def committee(group, secretary):
    """A committee above ``group``, organized by ``secretary`` only."""
    committee = factories.GroupFactory(name="Party committee", created_by=secretary)
    factories.MembershipFactory(group=committee, user=secretary, role=Membership.Role.ORGANIZER)
    group.parent = committee
    group.save(update_fields=["parent"])
    return committee


@pytest.fixture
def private_cache(settings):
    """An empty local-memory cache of this test's own. Report figures are cached per
    assignment, and ids repeat from one test to the next on SQLite."""
    import uuid

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4().hex}",
        }
    }
