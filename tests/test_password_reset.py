"""Getting back into an account: Django's password reset by e-mail, in the app's pages, and
a log-in page that says where accounts come from."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from . import factories

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "lantern-river-plum-77"


@pytest.fixture
def member(db):
    return factories.UserFactory(
        username="liming", display_name="李明 Li Ming", email="liming@example.org"
    )


def _link(message) -> str:
    return re.search(r"https?://testserver(/accounts/password/reset/\S+/)", message.body)[1]


def _ask(client, email: str):
    return client.post(reverse("password_reset"), {"email": email}, follow=True)


def test_the_log_in_page_offers_a_reset_and_says_where_accounts_come_from(client):
    html = client.get(reverse("login")).content.decode()

    assert f'href="{reverse("password_reset")}"' in html
    assert "Forgot your password?" in html
    assert "open the join link or scan the QR code your organizer shares" in html


def test_the_log_in_page_in_chinese(client):
    client.cookies["django_language"] = "zh-hans"

    html = client.get(reverse("login")).content.decode()

    assert "忘记密码？" in html and "加入链接" in html


def test_a_reset_mails_a_link_that_sets_a_new_password_once(client, member):
    page = _ask(client, "LiMing@example.org")

    assert page.redirect_chain[-1][0] == reverse("password_reset_done")
    assert "Check your e-mail" in page.content.decode()
    [message] = mail.outbox
    assert message.to == ["liming@example.org"]
    assert message.subject == "Choose a new password for studyapp"
    assert "Hello 李明 Li Ming," in message.body and "Your username is liming." in message.body
    link = _link(message)

    form = client.get(link, follow=True)
    assert "Enter your new password twice." in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")
    assert "Your new password is set." in done.content.decode()
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    used = client.get(link, follow=True).content.decode()
    assert "This link has already been used or has expired." in used


def test_a_reset_ends_the_must_change_password_state_of_an_imported_account(client, member):
    member.must_change_password = True
    member.save(update_fields=["must_change_password"])
    _ask(client, member.email)

    form = client.get(_link(mail.outbox[0]), follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD) and not member.must_change_password
    assert client.login(username="liming", password=NEW_PASSWORD)
    assert client.get(reverse("quizzes:home")).status_code == 200  # not sent to change it


def test_an_unknown_address_gets_the_same_page_and_no_mail(client, member):
    page = _ask(client, "nobody@example.org")

    assert page.redirect_chain[-1][0] == reverse("password_reset_done")
    assert mail.outbox == []


def test_the_mail_is_in_the_readers_language(client, member):
    client.cookies["django_language"] = "zh-hans"

    _ask(client, member.email)

    [message] = mail.outbox
    assert message.subject == "设置您的 studyapp 新密码"
    assert "李明 Li Ming，您好" in message.body and "您的用户名是 liming" in message.body


def test_a_wrong_token_is_refused_with_a_way_to_ask_again(client, member):
    html = client.get(
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "wrong-token"})
    ).content.decode()

    assert "This link has already been used or has expired." in html
    assert reverse("password_reset") in html
