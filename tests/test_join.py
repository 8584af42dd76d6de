"""Joining a group by its link or QR code: signing up there, joining when logged in, an
existing member, a wrong or replaced code, CSRF, and the printable QR sheet."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from quizzes.models import Membership
from quizzes.services.groups import group_join_code_regenerate

from . import factories

User = get_user_model()
STRONG = "plum-river-lantern-42"


def _join_url(group_or_code):
    code = getattr(group_or_code, "join_code", group_or_code)
    return reverse("quizzes:join", kwargs={"code": code})


def _sign_up(**overrides):
    data = {
        "display_name": "张三",
        "username": "zhangsan",
        "password1": STRONG,
        "password2": STRONG,
    }
    return data | overrides


# --- Anonymous visitors ----------------------------------------------------------------


def test_anonymous_visitor_sees_the_group_and_a_sign_up_form(client, group):
    response = client.get(_join_url(group))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Join Branch study group" in html
    for name in ("display_name", "username", "password1", "password2"):
        assert f'name="{name}"' in html
    assert f"{reverse('login')}?next=%2Fjoin%2F{group.join_code}%2F" in html


def test_sign_up_creates_the_account_logs_in_and_joins(client, group):
    response = client.post(_join_url(group), _sign_up())

    user = User.objects.get(username="zhangsan")
    assert response.status_code == 302
    assert response["Location"] == group.get_absolute_url()
    assert user.display_name == "张三"
    assert user.check_password(STRONG)
    assert Membership.objects.get(group=group, user=user).role == Membership.Role.MEMBER
    page = client.get(group.get_absolute_url())
    assert page.wsgi_request.user == user
    assert "you joined Branch study group" in page.content.decode()


def test_sign_up_runs_djangos_password_validators(client, group):
    response = client.post(_join_url(group), _sign_up(password1="123", password2="123"))

    assert response.status_code == 200
    errors = response.context["form"].errors["password2"]
    assert any("too short" in error for error in errors)
    assert any("entirely numeric" in error for error in errors)
    assert not User.objects.filter(username="zhangsan").exists()


def test_sign_up_needs_the_same_password_twice(client, group):
    response = client.post(_join_url(group), _sign_up(password2=STRONG + "x"))

    assert "didn’t match" in response.content.decode()
    assert not User.objects.filter(username="zhangsan").exists()


def test_taken_username_gets_only_djangos_form_error(client, group, learner):
    response = client.post(_join_url(group), _sign_up(username="LEARNER"))

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [
        "A user with that username already exists."
    ]
    assert User.objects.filter(username__iexact="learner").count() == 1
    assert not response.wsgi_request.user.is_authenticated


def test_sign_up_is_csrf_protected(group):
    client = Client(enforce_csrf_checks=True)

    response = client.post(_join_url(group), _sign_up())

    assert response.status_code == 403
    assert not User.objects.filter(username="zhangsan").exists()


def test_sign_up_with_the_csrf_token_of_the_page_works(group):
    client = Client(enforce_csrf_checks=True)
    page = client.get(_join_url(group)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = client.post(_join_url(group), _sign_up(csrfmiddlewaretoken=token))

    assert response.status_code == 302
    assert User.objects.filter(username="zhangsan").exists()


# --- Logged-in users -------------------------------------------------------------------


def test_logged_in_user_confirms_and_joins(client, group):
    newcomer = factories.UserFactory(username="newcomer")
    client.force_login(newcomer)

    page = client.get(_join_url(group))
    assert not Membership.objects.filter(group=group, user=newcomer).exists()
    response = client.post(_join_url(group), follow=True)

    assert "Join this group" in page.content.decode()
    assert Membership.objects.get(group=group, user=newcomer).role == Membership.Role.MEMBER
    assert "You joined Branch study group." in response.content.decode()


def test_existing_member_is_told_so_and_nothing_changes(client, group, organizer):
    client.force_login(organizer)

    page = client.get(_join_url(group))
    response = client.post(_join_url(group), follow=True)

    assert "You are already a member of Branch study group." in page.content.decode()
    assert "You are already a member of Branch study group." in response.content.decode()
    # An organizer stays an organizer.
    assert Membership.objects.get(group=group, user=organizer).role == Membership.Role.ORGANIZER


def test_join_code_is_case_insensitive(client, group):
    client.force_login(factories.UserFactory())

    assert client.get(_join_url(group.join_code.lower())).status_code == 200


# --- Wrong and replaced codes ----------------------------------------------------------


@pytest.mark.parametrize("logged_in", [False, True])
def test_wrong_code_gets_a_clear_404_page(client, group, learner, logged_in):
    if logged_in:
        client.force_login(learner)

    response = client.get(_join_url("NOPE2345"))

    assert response.status_code == 404
    html = response.content.decode()
    assert "This join link does not work" in html
    assert "No study group has the join code “NOPE2345”." in html


def test_post_to_a_wrong_code_creates_nothing(client, db):
    response = client.post(_join_url("NOPE2345"), _sign_up())

    assert response.status_code == 404
    assert not User.objects.filter(username="zhangsan").exists()


def test_regenerated_code_stops_the_old_link_and_the_new_one_works(client, organizer, group):
    old = group.join_code

    new = group_join_code_regenerate(group=group, changed_by=organizer)

    assert new != old
    assert client.get(_join_url(old)).status_code == 404
    assert client.post(_join_url(new), _sign_up()).status_code == 302
    assert Membership.objects.filter(group=group, user__username="zhangsan").exists()


# --- The printable QR sheet ------------------------------------------------------------


def test_join_sheet_shows_the_qr_code_of_the_absolute_join_url(client, organizer, group):
    client.force_login(organizer)

    response = client.get(reverse("quizzes:group_join_sheet", args=[group.pk]))

    html = response.content.decode()
    absolute = f"http://testserver/join/{group.join_code}/"
    assert absolute in html
    assert "<svg" in html and "viewBox" in html
    assert f'aria-label="QR code of the link {absolute}"' in html


def test_qr_code_downloads_as_svg(client, organizer, group):
    client.force_login(organizer)

    response = client.get(reverse("quizzes:group_join_qr", args=[group.pk]))

    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<?xml")
    assert b"<svg" in response.content
    assert f"join-{group.join_code}.svg" in response["Content-Disposition"]
