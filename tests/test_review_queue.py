"""The review queue: generated drafts beside their source passage, approved or rejected one
by one and in bulk, filtered and paginated; only the bank's owner and staff may use it."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.models import Question
from quizzes.selectors.documents import REVIEW_PAGE_SIZE
from quizzes.services.banks import question_create

from . import factories

PASSAGE = "We must adhere to the new development concept."


@pytest.fixture
def bank(organizer):
    return factories.BankFactory(owner=organizer, title="Congress study")


@pytest.fixture
def key_points(bank, organizer):
    text = f"Opening. {PASSAGE} Closing: build one base and three districts."
    document = factories.DocumentFactory(bank=bank, text=text, uploaded_by=organizer)
    first = factories.KeyPointFactory(
        document=document,
        ordinal=1,
        text=PASSAGE,
        start_offset=text.index(PASSAGE),
        end_offset=text.index(PASSAGE) + len(PASSAGE),
    )
    second_text = "Closing: build one base and three districts."
    second = factories.KeyPointFactory(
        document=document,
        ordinal=2,
        text=second_text,
        start_offset=text.index(second_text),
        end_offset=len(text),
    )
    return first, second


def _draft(stem: str, kind: str = "single") -> QuestionDraft:
    if kind == "blank":
        return QuestionDraft(
            kind="blank",
            stem=f"{stem} ____.",
            blanks=(("concept",),),
            source_excerpt=PASSAGE,
            source_start=9,
            source_end=9 + len(PASSAGE),
        )
    return QuestionDraft(
        kind="single",
        stem=stem,
        choices=(ChoiceDraft("the new development concept", True), ChoiceDraft("the old plan")),
        source_excerpt=PASSAGE,
        source_start=9,
        source_end=9 + len(PASSAGE),
    )


def _generated(bank, organizer, key_point, stem, kind="single"):
    return question_create(
        bank=bank,
        draft=_draft(stem, kind),
        created_by=organizer,
        origin=Question.Origin.GENERATED,
        key_point=key_point,
    )


@pytest.fixture
def drafts(bank, organizer, key_points):
    first, second = key_points
    return [
        _generated(bank, organizer, first, "What must we adhere to?"),
        _generated(bank, organizer, first, "We must adhere to the new development", "blank"),
        _generated(bank, organizer, second, "What will be built?"),
    ]


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client


def _queue_url(bank):
    return reverse("quizzes:review_queue", kwargs={"pk": bank.pk})


def _decide_url(bank):
    return reverse("quizzes:review_decide", kwargs={"pk": bank.pk})


def _statuses(questions):
    return [Question.objects.get(pk=q.pk).status for q in questions]


def test_queue_shows_each_draft_beside_its_source_passage_and_key_point(
    organizer_client, bank, drafts
):
    manual = factories.QuestionFactory(bank=bank, status="draft")
    factories.VersionFactory(question=manual, number=1, stem="A hand-written draft?")
    response = organizer_client.get(_queue_url(bank))
    content = response.content.decode()
    assert response.status_code == 200
    assert "What must we adhere to?" in content
    assert "What will be built?" in content
    assert "A hand-written draft?" not in content
    assert PASSAGE in content
    assert "Key point 1 of" in content
    assert reverse("quizzes:question_edit", kwargs={"pk": drafts[0].pk}) in content
    assert "3 waiting" in content and "0 approved" in content and "0 rejected" in content


def test_approving_one_draft_publishes_it(organizer_client, bank, drafts):
    response = organizer_client.post(
        _decide_url(bank), {"decision": "approve", "questions": [drafts[0].pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == _queue_url(bank)
    assert _statuses(drafts) == ["published", "draft", "draft"]
    page = organizer_client.get(_queue_url(bank)).content.decode()
    assert "What must we adhere to?" not in page
    assert "2 waiting" in page and "1 approved" in page


def test_rejecting_one_draft_archives_it(organizer_client, bank, drafts):
    organizer_client.post(_decide_url(bank), {"decision": "reject", "questions": [drafts[2].pk]})
    assert _statuses(drafts) == ["draft", "draft", "archived"]
    assert "1 rejected" in organizer_client.get(_queue_url(bank)).content.decode()


def test_bulk_approve_and_reject_change_every_selected_draft(organizer_client, bank, drafts):
    organizer_client.post(
        _decide_url(bank), {"decision": "approve", "questions": [drafts[0].pk, drafts[1].pk]}
    )
    assert _statuses(drafts) == ["published", "published", "draft"]
    organizer_client.post(
        _decide_url(bank), {"decision": "reject", "questions": [drafts[1].pk, drafts[2].pk]}
    )
    # An approved draft has left the queue; only the waiting one is rejected.
    assert _statuses(drafts) == ["published", "published", "archived"]


def test_decisions_ignore_questions_of_other_banks_and_hand_written_ones(
    organizer_client, organizer, bank, drafts
):
    other_bank = factories.BankFactory(owner=organizer)
    foreign = question_create(
        bank=other_bank,
        draft=_draft("Elsewhere?"),
        created_by=organizer,
        origin=Question.Origin.GENERATED,
    )
    manual = question_create(bank=bank, draft=_draft("By hand?"), created_by=organizer)
    organizer_client.post(
        _decide_url(bank), {"decision": "approve", "questions": [foreign.pk, manual.pk]}
    )
    assert _statuses([foreign, manual]) == ["draft", "draft"]


def test_no_selection_or_unknown_decision_changes_nothing(organizer_client, bank, drafts):
    response = organizer_client.post(_decide_url(bank), {"decision": "approve"}, follow=True)
    assert "Select at least one draft." in response.content.decode()
    organizer_client.post(_decide_url(bank), {"decision": "delete", "questions": [drafts[0].pk]})
    assert _statuses(drafts) == ["draft", "draft", "draft"]


def test_the_decision_returns_to_the_same_filters(organizer_client, bank, drafts, key_points):
    query = f"key_point={key_points[0].pk}&kind=single"
    response = organizer_client.post(
        _decide_url(bank),
        {"decision": "approve", "questions": [drafts[0].pk], "next_query": query},
    )
    assert response["Location"] == f"{_queue_url(bank)}?{query}"


def test_queue_filters_by_key_point_and_kind(organizer_client, bank, drafts, key_points):
    second = key_points[1]
    by_point = organizer_client.get(_queue_url(bank), {"key_point": second.pk}).content.decode()
    assert "What will be built?" in by_point
    assert "What must we adhere to?" not in by_point
    by_kind = organizer_client.get(_queue_url(bank), {"kind": "blank"}).content.decode()
    assert "We must adhere to the new development ____." in by_kind
    assert "What must we adhere to?" not in by_kind
    assert "What will be built?" not in by_kind


def test_queue_is_paginated(organizer_client, organizer, bank, key_points):
    for number in range(REVIEW_PAGE_SIZE + 3):
        _generated(bank, organizer, key_points[0], f"Question number {number}?")
    first = organizer_client.get(_queue_url(bank))
    assert first.context["page_obj"].paginator.num_pages == 2
    assert len(first.context["rows"]) == REVIEW_PAGE_SIZE
    second = organizer_client.get(_queue_url(bank), {"page": 2})
    assert len(second.context["rows"]) == 3


def test_queue_query_count_does_not_grow_with_drafts(organizer_client, organizer, bank, key_points):
    _generated(bank, organizer, key_points[0], "Only one?")
    organizer_client.get(_queue_url(bank))  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as one:
        organizer_client.get(_queue_url(bank))
    for number in range(10):
        _generated(bank, organizer, key_points[number % 2], f"More {number}?", "blank")
    with CaptureQueriesContext(connection) as eleven:
        organizer_client.get(_queue_url(bank))
    assert len(eleven) == len(one)


def test_generated_drafts_reach_the_queue_and_approved_ones_are_published(
    organizer_client, organizer, bank, django_capture_on_commit_callbacks
):
    text = (
        Path(__file__).resolve().parent.parent
        / "quizzes/demo/tianjin-12th-congress-editorial.en.txt"
    ).read_text(encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(
            reverse("quizzes:document_upload", kwargs={"pk": bank.pk}),
            {"text": text, "language": "en"},
        )
    waiting = list(Question.objects.filter(bank=bank, status="draft"))
    assert waiting
    page = organizer_client.get(_queue_url(bank)).context
    shown = page["rows"][0]
    assert shown["version"].source_excerpt
    assert shown["question"].key_point is not None
    organizer_client.post(
        _decide_url(bank), {"decision": "approve", "questions": [q.pk for q in waiting]}
    )
    assert set(Question.objects.filter(bank=bank).values_list("status", flat=True)) == {"published"}


# --- Who may use the queue -------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, bank, drafts):
    response = client.get(_queue_url(bank))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = client.post(_decide_url(bank), {"decision": "approve", "questions": [drafts[0].pk]})
    assert response.status_code == 302
    assert _statuses(drafts) == ["draft", "draft", "draft"]


def test_a_learner_gets_404_and_changes_nothing(client, learner, bank, drafts):
    client.force_login(learner)
    assert client.get(_queue_url(bank)).status_code == 404
    response = client.post(_decide_url(bank), {"decision": "approve", "questions": [drafts[0].pk]})
    assert response.status_code == 404
    assert _statuses(drafts) == ["draft", "draft", "draft"]


def test_an_organizer_of_another_bank_gets_404(client, bank, drafts):
    stranger = factories.UserFactory(username="stranger")
    factories.BankFactory(owner=stranger)
    client.force_login(stranger)
    assert client.get(_queue_url(bank)).status_code == 404
    response = client.post(_decide_url(bank), {"decision": "reject", "questions": [drafts[0].pk]})
    assert response.status_code == 404
    assert _statuses(drafts) == ["draft", "draft", "draft"]


def test_staff_may_review(client, superuser, bank, drafts):
    client.force_login(superuser)
    assert client.get(_queue_url(bank)).status_code == 200
    client.post(_decide_url(bank), {"decision": "approve", "questions": [drafts[0].pk]})
    assert _statuses(drafts)[0] == "published"
