"""In headless Chromium at a phone's size: an organizer reviews generated drafts — ticks
"select all" (the script ticks every draft, and half-ticks the box when one is unticked),
approves the selection, then rejects a draft with a reason (axe-core scan of the queue)."""

import pytest
from django.urls import reverse

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.models import Question
from quizzes.services.banks import question_create

from .. import factories
from .conftest import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organizer_selects_all_approves_and_rejects_with_a_reason(phone, axe_source):
    organizer = factories.UserFactory(username="reviewer")
    bank = factories.BankFactory(owner=organizer, title="Congress study")
    document = factories.DocumentFactory(bank=bank, title="Report")
    points = [factories.KeyPointFactory(document=document, ordinal=n) for n in (1, 2)]
    drafts = [
        question_create(
            bank=bank,
            draft=QuestionDraft(
                kind="single",
                stem=f"Draft {n}?",
                choices=(ChoiceDraft("yes", True), ChoiceDraft("no")),
                quality=0.9 - n / 10,
                quality_reasons=("list", "long_stem"),
            ),
            created_by=organizer,
            origin=Question.Origin.GENERATED,
            key_point=points[n % 2],
            review_rank=n + 1,
        )
        for n in range(4)
    ]
    page = phone
    log_in(page, "reviewer", factories.PASSWORD)
    page.goto(reverse("quizzes:review_queue", kwargs={"pk": bank.pk}))
    assert axe_violations(page, axe_source) == []

    boxes = page.locator('input[name="questions"][form="review-bulk"]')
    select_all = page.locator("[data-select-all]")
    select_all.check()
    assert page.locator('input[name="questions"][form="review-bulk"]:checked').count() == 4
    boxes.nth(0).uncheck()
    assert select_all.evaluate("box => [box.checked, box.indeterminate]") == [False, True]
    page.get_by_role("button", name="Approve selected").click()
    page.wait_for_load_state()
    assert "3 drafts approved and published." in page.content()
    statuses = {q.pk: q.status for q in Question.objects.filter(bank=bank)}
    assert sorted(statuses.values()) == ["draft", "published", "published", "published"]

    (waiting,) = [pk for pk, status in statuses.items() if status == "draft"]
    draft = page.locator(f"#draft-{waiting}")
    draft.get_by_text("Reject…").click()
    draft.get_by_label("Bad distractors").check()
    draft.get_by_label("Note (optional)").fill("B and C are the same")
    draft.get_by_role("button", name="Reject", exact=True).click()
    page.wait_for_load_state()
    assert "1 draft rejected." in page.content()
    rejected = Question.objects.get(pk=waiting)
    assert (rejected.status, rejected.rejection_reason, rejected.rejection_note) == (
        "archived",
        "distractors",
        "B and C are the same",
    )
    assert {d.pk for d in drafts} == set(statuses)
