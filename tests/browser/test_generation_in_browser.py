"""In headless Chromium at a phone's size, without a broker (the background thread): an
organizer uploads a document, the upload returns at once, the document page follows the
job live (status, stage, bar) and shows the drafts when it is done; a failed job shows its
reason with Retry, which runs it again to the end (axe-core scans of both pages)."""

import re
import threading
from pathlib import Path

import pytest
from django.conf import settings

from quizzes import background as background_work
from quizzes.generation.budget import Budget
from quizzes.models import GenerationJob, Question
from quizzes.services import documents as document_services

from .. import factories
from .conftest import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "tests" / "browser" / "shots"
EDITORIAL = (
    Path(settings.BASE_DIR) / "quizzes" / "demo" / "tianjin-12th-congress-editorial.en.txt"
).read_text(encoding="utf-8")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def background(settings, monkeypatch):
    """Generation in a background thread of its own, as in the embedded set-up."""
    settings.STUDYAPP_GENERATION_RUNNER = "thread"
    worker = background_work.InProcessWorker(maxsize=4)
    monkeypatch.setattr(background_work, "in_process", worker)
    yield worker
    assert worker.wait_idle(60)


def test_the_document_page_follows_a_background_job_to_its_drafts(
    phone, axe_source, background, monkeypatch, request
):
    organizer = factories.UserFactory(username="uploader")
    bank = factories.BankFactory(owner=organizer, title="Tianjin")
    release = threading.Event()
    real_generate = document_services.generate

    def held_generate(text, **kwargs):
        kwargs["progress"](0.1, "analyse")
        assert release.wait(30)
        return real_generate(text, **kwargs)

    monkeypatch.setattr(document_services, "generate", held_generate)
    # Let a held run go on (before the worker is awaited) even if an assertion fails.
    request.addfinalizer(release.set)
    page = phone
    log_in(page, "uploader", factories.PASSWORD)
    page.goto(f"/banks/{bank.pk}/documents/new/")
    page.get_by_label("Or paste the text").fill(EDITORIAL)
    page.get_by_role("button", name="Upload and generate questions").click()
    page.wait_for_url(re.compile(r"/documents/\d+/$"))

    panel = page.locator("[data-generation]")
    assert "The document was saved." in page.content()
    # The script reads the running job (the generator is held at "analyse") and says so,
    # whatever stage the page was rendered at.
    page.wait_for_function(
        "document.querySelector('[data-generation-stage]')?.textContent.trim()"
        " === 'analysing sentences'"
    )
    assert page.locator("[data-generation-status]").inner_text() == "running"
    assert page.locator("[data-generation-reload]").is_hidden()
    violations = axe_violations(page, axe_source)
    assert violations == [], violations
    shot(page, "generation-running-390")

    release.set()
    page.wait_for_selector("[data-generation][data-status=done]", timeout=60_000)
    job = GenerationJob.objects.get()
    assert job.status == GenerationJob.Status.DONE
    assert f"{job.drafts_created} draft questions were written." in panel.inner_text()
    assert page.get_by_role("link", name="Review the drafts").is_visible()
    assert page.locator(".key-points li").count() > 0
    shot(page, "generation-done-390")


def test_a_failed_job_shows_its_reason_and_retry_runs_it_to_the_end(
    phone, axe_source, background, monkeypatch
):
    organizer = factories.UserFactory(username="retrier")
    bank = factories.BankFactory(owner=organizer, title="Tianjin")
    monkeypatch.setattr(document_services, "generation_budget", lambda: Budget(max_candidates=3))
    page = phone
    log_in(page, "retrier", factories.PASSWORD)
    page.goto(f"/banks/{bank.pk}/documents/new/")
    page.get_by_label("Or paste the text").fill(EDITORIAL)
    page.get_by_role("button", name="Upload and generate questions").click()
    page.wait_for_url(re.compile(r"/documents/\d+/$"))
    page.wait_for_selector("[data-generation][data-status=failed]", timeout=60_000)
    alert = page.locator("[data-generation-error]")
    assert alert.get_attribute("data-generation-error") == "budget_candidates"
    assert "too many possible answers to work through" in alert.inner_text()
    violations = axe_violations(page, axe_source)
    assert violations == [], violations
    shot(page, "generation-failed-390")

    monkeypatch.setattr(document_services, "generation_budget", Budget)
    page.get_by_role("button", name="Retry").click()
    page.wait_for_selector("[data-generation][data-status=done]", timeout=60_000)
    jobs = list(GenerationJob.objects.order_by("pk").values_list("status", flat=True))
    assert jobs == ["failed", "done"]
    assert Question.objects.filter(bank=bank).count() > 0
