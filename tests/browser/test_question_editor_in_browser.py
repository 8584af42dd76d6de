"""The question editor in headless Chromium at a phone's size: Enter in a text input saves
the question (there is one Save button and it is the form's default), "Add a choice" adds
a row without a round trip, and checking the preview saves nothing."""

import re

import pytest
from django.urls import reverse

from quizzes.models import Question
from tests import factories

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank(db):
    organizer = factories.UserFactory(username="author", display_name="Author Wang")
    return factories.BankFactory(owner=organizer, title="Editor bank")


def _fill_single_choice(page) -> None:
    page.locator("#id_stem").fill("Which is the central task?")
    page.locator("#id_choice-1-text").fill("Development")
    page.locator("#id_choice-2-text").fill("Stagnation")
    page.locator("#id_choice-1-correct").check()


def test_enter_in_a_choice_saves_and_add_a_choice_stays_on_the_page(phone, bank):
    log_in(phone, "author", factories.PASSWORD)
    phone.goto(reverse("quizzes:question_create", args=[bank.pk]) + "?kind=single")
    rows = phone.locator("[data-choice-row]")
    before = rows.count()

    phone.get_by_role("button", name="Add a choice").click()
    assert rows.count() == before + 1
    assert not Question.objects.exists()

    _fill_single_choice(phone)
    phone.locator("#id_choice-2-text").press("Enter")
    phone.wait_for_url(re.compile(r"/questions/\d+/edit/$"))
    assert Question.objects.get().current_version.stem == "Which is the central task?"


def test_checking_the_preview_saves_nothing(phone, bank):
    log_in(phone, "author", factories.PASSWORD)
    phone.goto(reverse("quizzes:question_create", args=[bank.pk]) + "?kind=single")
    _fill_single_choice(phone)

    phone.get_by_role("button", name="Check without saving").click()
    phone.wait_for_load_state()

    assert "nothing" in phone.locator(".editor__fields [role=status]").inner_text().lower()
    assert not Question.objects.exists()
