"""In headless Chromium at a phone's size: an organizer imports a GIFT file with one bad
question among good ones — sees the preview with the error and its line, imports, and
finds the good questions in the bank (axe-core scans of the upload and preview pages)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from quizzes.models import ImportBatch, Question

from .. import factories
from ..test_imports import GIFT
from .conftest import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "tests" / "browser" / "shots"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_organizer_imports_a_gift_file_with_one_bad_question(phone, axe_source):
    organizer = factories.UserFactory(username="importer")
    bank = factories.BankFactory(owner=organizer, title="Geography")
    page = phone
    log_in(page, "importer", factories.PASSWORD)

    page.goto(bank.get_absolute_url())
    page.get_by_role("link", name="Import questions").click()
    page.wait_for_url(re.compile(r"/import/$"))
    assert axe_violations(page, axe_source) == []
    page.get_by_label("Question file").set_input_files(
        files=[{"name": "moodle.gift", "mimeType": "text/plain", "buffer": GIFT.encode()}]
    )
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))

    error = page.locator(".import-row--error")
    assert error.count() == 1
    assert "Line 8" in error.inner_text()
    assert "The braces { } of this question do not match." in error.inner_text()
    assert page.locator(".import-row--ok").count() == 4
    assert "will be skipped" in page.locator(".import-summary").inner_text()
    # Nothing is saved before the organizer confirms.
    assert not Question.objects.exists()
    violations = axe_violations(page, axe_source)
    assert violations == [], violations
    shot(page, "import-preview-390")

    page.get_by_label("Published: ready for quizzes now").check()
    page.get_by_role("button", name="Import 4 questions").click()
    page.wait_for_url(re.compile(rf"{reverse('quizzes:bank_detail', args=[bank.pk])}$"))
    assert "4 questions imported and published." in page.content()
    assert "1 question with an error was skipped." in page.content()
    assert Question.objects.filter(bank=bank, status="published", origin="imported").count() == 4
    assert ImportBatch.objects.get().state == "imported"
    shot(page, "import-done-390")


def test_import_and_export_pages_fit_a_320px_phone(browser, live_server, axe_source):
    organizer = factories.UserFactory(username="narrow")
    bank = factories.BankFactory(owner=organizer, title="很长的题库名称用来检查窄屏幕上的换行情况")
    context = browser.new_context(
        viewport={"width": 320, "height": 700}, locale="en-US", base_url=live_server.url
    )
    page = context.new_page()
    try:
        log_in(page, "narrow", factories.PASSWORD)

        def check(name: str) -> None:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{name} scrolls sideways ({width}px)"
            assert axe_violations(page, axe_source) == [], name
            shot(page, name)

        page.goto(reverse("quizzes:import_upload", args=[bank.pk]))
        check("import-upload-320")
        page.get_by_label("Question file").set_input_files(
            files=[{"name": "moodle.gift", "mimeType": "text/plain", "buffer": GIFT.encode()}]
        )
        page.get_by_role("button", name="Upload and check").click()
        page.wait_for_url(re.compile(r"/imports/\d+/$"))
        check("import-preview-320")
        page.get_by_role("button", name="Import 4 questions").click()
        page.wait_for_url(re.compile(rf"{bank.get_absolute_url()}$"))
        page.goto(reverse("quizzes:bank_export", args=[bank.pk]))
        assert "3 left out" in page.locator(".export-formats").inner_text()  # Aiken
        check("export-320")
    finally:
        context.close()
