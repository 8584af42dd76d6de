"""Accounts made by a member import carry an initial password the organizer has seen:
the learner must choose their own before anything else, and then never again."""

import pytest
from django.urls import reverse

from quizzes.models import User

from . import factories

pytestmark = pytest.mark.django_db

HOME = reverse("quizzes:home")
CHANGE = reverse("password_change")
NEW = "willow-harbour-stone-58"


@pytest.fixture
def newcomer():
    user = factories.UserFactory(username="imported", must_change_password=True)
    return user


def test_pages_send_a_person_with_an_initial_password_to_the_password_change(client, newcomer):
    client.force_login(newcomer)

    response = client.get(HOME, follow=True)

    assert response.redirect_chain == [(CHANGE, 302)]
    assert "Choose your own password first" in response.content.decode()
    assert "Cancel" not in response.content.decode()


def test_the_api_refuses_with_the_reason(client, newcomer):
    client.force_login(newcomer)

    response = client.post(reverse("api:attempt-start", args=[1]))

    assert response.status_code == 403
    assert "Choose your own password first" in response.json()["detail"]


def test_logging_out_and_switching_language_still_work(client, newcomer):
    client.force_login(newcomer)

    assert client.post(reverse("set_language"), {"language": "zh-hans"}).status_code == 302
    assert client.post(reverse("logout")).status_code in (200, 302)


def test_choosing_a_password_ends_it(client, newcomer):
    client.force_login(newcomer)

    response = client.post(
        CHANGE,
        {"old_password": factories.PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert not newcomer.must_change_password
    assert newcomer.check_password(NEW)
    assert client.get(HOME).status_code == 200


def test_a_wrong_current_password_changes_nothing(client, newcomer):
    client.force_login(newcomer)

    response = client.post(
        CHANGE, {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW}
    )

    assert response.status_code == 200
    newcomer.refresh_from_db()
    assert newcomer.must_change_password


def test_other_accounts_are_not_stopped(client):
    user = factories.UserFactory()
    client.force_login(user)

    assert client.get(HOME).status_code == 200
    assert User.objects.get(pk=user.pk).must_change_password is False
