"""The review queue: generated drafts best first, siblings together under their source
passage, a number per document with "show more", filtered by document, key point and kind;
approved, or rejected with a reason, one by one, selected or every draft shown; only the
bank's owner and staff may use it."""

from pathlib import Path

import pytest
from django.urls import reverse

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.generation import quality
from quizzes.models import Question
from quizzes.quality_labels import LABELS, quality_reasons
from quizzes.services import documents as document_services
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


def _draft(
    stem: str, kind: str = "single", *, score: float | None = None, reasons=()
) -> QuestionDraft:
    common = {
        "source_excerpt": PASSAGE,
        "source_start": 9,
        "source_end": 9 + len(PASSAGE),
        "quality": score,
        "quality_reasons": tuple(reasons),
    }
    if kind == "blank":
        return QuestionDraft(kind="blank", stem=f"{stem} ____.", blanks=(("concept",),), **common)
    return QuestionDraft(
        kind="single",
        stem=stem,
        choices=(ChoiceDraft("the new development concept", True), ChoiceDraft("the old plan")),
        **common,
    )


def _generated(bank, organizer, key_point, stem, kind="single", *, rank=None):
    return question_create(
        bank=bank,
        draft=_draft(stem, kind),
        created_by=organizer,
        origin=Question.Origin.GENERATED,
        key_point=key_point,
        review_rank=rank,
    )


def _document(bank, organizer, title, passages):
    """A document of ``bank`` whose key points are ``passages``, numbered from 1."""
    text = " ".join(passages)
    document = factories.DocumentFactory(bank=bank, title=title, text=text, uploaded_by=organizer)
    points = []
    for ordinal, passage in enumerate(passages, start=1):
        start = text.index(passage)
        points.append(
            factories.KeyPointFactory(
                document=document,
                ordinal=ordinal,
                text=passage,
                start_offset=start,
                end_offset=start + len(passage),
            )
        )
    return document, points


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


def _shown_stems(response) -> list[str]:
    return [
        draft.version.stem
        for section in response.context["queue"].sections
        for group in section.groups
        for draft in group.drafts
    ]


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
    assert "Key point 1" in content
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


# --- Rejecting with a reason -------------------------------------------------------------------


def test_rejecting_one_draft_with_a_reason_archives_it_and_keeps_the_reason(
    organizer_client, bank, drafts
):
    organizer_client.post(
        _decide_url(bank),
        {
            "decision": "reject",
            "questions": [drafts[2].pk],
            "reason": "wrong",
            "note": "  The plan says  two bases,\n not one. ",
        },
    )
    assert _statuses(drafts) == ["draft", "draft", "archived"]
    rejected = Question.objects.get(pk=drafts[2].pk)
    assert rejected.rejection_reason == "wrong"
    assert rejected.rejection_note == "The plan says two bases, not one."
    assert "1 rejected" in organizer_client.get(_queue_url(bank)).content.decode()


def test_each_draft_offers_every_reason_and_a_note(organizer_client, bank, drafts):
    content = organizer_client.get(_queue_url(bank)).content.decode()
    start = content.index(f'id="draft-{drafts[0].pk}"')
    draft = content[start : content.index('id="draft-', start + 1)]
    for value in ("trivial", "wrong", "ambiguous", "distractors", "other"):
        assert f'name="reason" value="{value}" required' in draft
    assert f'id="note-{drafts[0].pk}" maxlength="300"' in draft
    assert "Bad distractors" in content


@pytest.mark.parametrize("reason", ["", "boring"])
def test_rejecting_without_a_valid_reason_changes_nothing_and_says_why(
    organizer_client, bank, drafts, reason
):
    response = organizer_client.post(
        _decide_url(bank),
        {"decision": "reject", "questions": [drafts[0].pk, drafts[1].pk], "reason": reason},
        follow=True,
    )
    assert response.status_code == 200
    assert "Choose why the drafts are rejected" in response.content.decode()
    assert _statuses(drafts) == ["draft", "draft", "draft"]
    assert set(Question.objects.values_list("rejection_reason", flat=True)) == {""}


def test_a_rejection_note_longer_than_the_field_is_refused_whole(organizer_client, bank, drafts):
    response = organizer_client.post(
        _decide_url(bank),
        {"decision": "reject", "questions": [drafts[0].pk], "reason": "other", "note": "x" * 301},
        follow=True,
    )
    assert "The note is too long: at most 300 characters." in response.content.decode()
    assert _statuses(drafts) == ["draft", "draft", "draft"]


def test_bulk_approve_and_reject_change_every_selected_draft(organizer_client, bank, drafts):
    organizer_client.post(
        _decide_url(bank), {"decision": "approve", "questions": [drafts[0].pk, drafts[1].pk]}
    )
    assert _statuses(drafts) == ["published", "published", "draft"]
    organizer_client.post(
        _decide_url(bank),
        {"decision": "reject", "questions": [drafts[1].pk, drafts[2].pk], "reason": "trivial"},
    )
    # An approved draft has left the queue; only the waiting one is rejected.
    assert _statuses(drafts) == ["published", "published", "archived"]
    reasons = Question.objects.filter(pk__in=[d.pk for d in drafts]).order_by("pk")
    assert [q.rejection_reason for q in reasons] == ["", "", "trivial"]


def test_approving_keeps_the_rejection_reason_and_note_empty(bank, drafts):
    changed = document_services.review_decide(
        bank=bank,
        question_ids=[drafts[0].pk],
        decision="approve",
        reason="wrong",
        note="not for an approval",
    )
    approved = Question.objects.get(pk=drafts[0].pk)
    assert changed == 1
    assert approved.status == "published"
    assert (approved.rejection_reason, approved.rejection_note) == ("", "")


def test_bulk_rejection_is_a_fixed_number_of_queries(
    organizer, bank, key_points, django_assert_num_queries
):
    many = [_generated(bank, organizer, key_points[n % 2], f"Draft {n}?") for n in range(30)]
    # SAVEPOINT, the locking read of the waiting drafts, one UPDATE, RELEASE SAVEPOINT.
    with django_assert_num_queries(4):
        changed = document_services.review_decide(
            bank=bank,
            question_ids=[q.pk for q in many],
            decision="reject",
            reason="distractors",
        )
    assert changed == 30
    assert set(Question.objects.values_list("rejection_reason", flat=True)) == {"distractors"}


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
    organizer_client.post(
        _decide_url(bank),
        {"decision": "reject", "questions": [foreign.pk, manual.pk], "reason": "wrong"},
    )
    # Nor do they slip in as "every draft shown".
    organizer_client.post(
        _decide_url(bank),
        {"decision": "approve", "all_shown": "1", "shown": [foreign.pk, manual.pk]},
    )
    assert _statuses([foreign, manual]) == ["draft", "draft"]
    assert set(Question.objects.values_list("rejection_reason", flat=True)) == {""}


def test_no_selection_or_unknown_decision_changes_nothing(organizer_client, bank, drafts):
    response = organizer_client.post(_decide_url(bank), {"decision": "approve"}, follow=True)
    assert "Select at least one draft." in response.content.decode()
    organizer_client.post(_decide_url(bank), {"decision": "delete", "questions": [drafts[0].pk]})
    assert _statuses(drafts) == ["draft", "draft", "draft"]


def test_the_decision_returns_to_the_same_filters(organizer_client, bank, drafts, key_points):
    query = f"key_point={key_points[0].pk}&kind=single&show=80"
    response = organizer_client.post(
        _decide_url(bank),
        {"decision": "approve", "questions": [drafts[0].pk], "next_query": query},
    )
    assert response["Location"] == f"{_queue_url(bank)}?{query}"


# --- Filters -----------------------------------------------------------------------------------


def test_queue_filters_by_key_point_and_kind(organizer_client, bank, drafts, key_points):
    second = key_points[1]
    by_point = organizer_client.get(_queue_url(bank), {"key_point": second.pk}).content.decode()
    assert "What will be built?" in by_point
    assert "What must we adhere to?" not in by_point
    by_kind = organizer_client.get(_queue_url(bank), {"kind": "blank"}).content.decode()
    assert "We must adhere to the new development ____." in by_kind
    assert "What must we adhere to?" not in by_kind
    assert "What will be built?" not in by_kind


def test_queue_filters_by_document(organizer_client, organizer, bank, drafts):
    other, (point,) = _document(bank, organizer, "Second report", ["Build a strong navy."])
    _generated(bank, organizer, point, "What shall we build?")
    only_other = organizer_client.get(_queue_url(bank), {"document": other.pk})
    assert _shown_stems(only_other) == ["What shall we build?"]
    first = drafts[0].key_point.document
    only_first = organizer_client.get(_queue_url(bank), {"document": first.pk})
    assert "What shall we build?" not in _shown_stems(only_first)
    assert len(_shown_stems(only_first)) == 3
    # The key-point filter then lists only that document's key points.
    choices = only_other.context["filter_form"].fields["key_point"].choices
    assert [label for label, _options in choices[1:]] == ["Second report"]


def test_a_key_point_whose_drafts_were_all_decided_gives_an_empty_list_and_a_plain_note(
    organizer_client, bank, drafts, key_points
):
    first = key_points[0]
    organizer_client.post(
        _decide_url(bank), {"decision": "approve", "questions": [drafts[0].pk, drafts[1].pk]}
    )
    response = organizer_client.get(_queue_url(bank), {"key_point": first.pk})
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["queue"].shown == 0
    assert "errorlist" not in content and "not a valid choice" not in content
    assert "No drafts waiting for review match these filters" in content
    # The filter still says what it is set to.
    assert f'<option value="{first.pk}" selected>' in content


@pytest.mark.parametrize(
    "query",
    [
        {"key_point": "abc"},
        {"key_point": "999999"},
        {"document": "999999"},
        {"document": "-1"},
        {"kind": "essay"},
    ],
)
def test_filter_values_that_match_nothing_give_an_empty_list_never_a_form_error(
    organizer_client, bank, drafts, query
):
    response = organizer_client.get(_queue_url(bank), query)
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["queue"].shown == 0
    assert "errorlist" not in content
    assert "No drafts waiting for review match these filters" in content


def test_a_key_point_of_another_bank_filters_to_nothing(organizer_client, organizer, bank, drafts):
    other_bank = factories.BankFactory(owner=organizer)
    _other, (foreign_point,) = _document(other_bank, organizer, "Elsewhere", ["Far away."])
    _generated(other_bank, organizer, foreign_point, "Not from this bank?")
    response = organizer_client.get(_queue_url(bank), {"key_point": foreign_point.pk})
    assert response.context["queue"].shown == 0
    assert "Not from this bank?" not in response.content.decode()


# --- Order, siblings, how many -----------------------------------------------------------------


def test_the_best_drafts_come_first_with_siblings_together_under_one_passage(
    organizer_client, organizer, bank
):
    passages = ["Adhere to the plan.", "Build two bases.", "Open wider to the world."]
    _doc, (plan, bases, world) = _document(bank, organizer, "Report", passages)
    _generated(bank, organizer, plan, "Plan, second best?", rank=2)
    _generated(bank, organizer, bases, "Bases, third?", rank=3)
    _generated(bank, organizer, world, "World, fourth?", rank=4)
    _generated(bank, organizer, bases, "Bases, best?", rank=1)
    _generated(bank, organizer, plan, "Plan, fifth?", rank=5)
    _generated(bank, organizer, world, "World, unranked?")

    response = organizer_client.get(_queue_url(bank))
    (section,) = response.context["queue"].sections
    assert [group.key_point for group in section.groups] == [bases, plan, world]
    assert _shown_stems(response) == [
        "Bases, best?",
        "Bases, third?",
        "Plan, second best?",
        "Plan, fifth?",
        "World, fourth?",
        "World, unranked?",
    ]
    content = response.content.decode()
    for passage in passages:
        # Each passage once, as the head of its group.
        assert content.count(f'<blockquote class="review-group__passage">{passage}') == 1
    passage = '<blockquote class="review-group__passage">'
    positions = [
        content.index(text)
        for text in (
            f"{passage}Build two bases.",
            "Bases, best?",
            "Bases, third?",
            f"{passage}Adhere to the plan.",
        )
    ]
    assert positions == sorted(positions)


def test_unranked_drafts_come_after_ranked_ones_in_the_order_they_were_saved(
    organizer_client, organizer, bank
):
    _doc, points = _document(bank, organizer, "Report", ["One.", "Two.", "Three."])
    _generated(bank, organizer, points[0], "Unranked first saved?")
    _generated(bank, organizer, points[1], "Unranked second saved?")
    _generated(bank, organizer, points[2], "Ranked?", rank=7)
    response = organizer_client.get(_queue_url(bank))
    assert _shown_stems(response) == [
        "Ranked?",
        "Unranked first saved?",
        "Unranked second saved?",
    ]


def test_each_document_shows_its_best_drafts_up_to_the_setting_and_show_more_extends_it(
    organizer_client, organizer, bank, settings
):
    settings.STUDYAPP_REVIEW_PER_DOCUMENT = 3
    first, points = _document(bank, organizer, "First report", [f"Point {n}." for n in range(4)])
    for number, point in enumerate(points):
        _generated(bank, organizer, point, f"First {number}a?", rank=2 * number + 1)
        _generated(bank, organizer, point, f"First {number}b?", "blank", rank=2 * number + 2)
    _second, (only,) = _document(bank, organizer, "Second report", ["Only point."])
    _generated(bank, organizer, only, "Second only?", rank=1)

    response = organizer_client.get(_queue_url(bank), {"kind": ""})
    sections = {s.title: s for s in response.context["queue"].sections}
    # Whole sibling groups until three drafts are shown: two groups of two.
    assert sections["First report"].shown == 4
    assert sections["First report"].waiting == 8
    assert sections["Second report"].shown == 1
    assert not sections["Second report"].has_more
    content = response.content.decode()
    assert "First 1b?" in content and "First 2a?" not in content
    assert f'href="?kind=&amp;show=6#document-{first.pk}"' in content
    assert content.count("Show more drafts") == 1

    extended = organizer_client.get(_queue_url(bank), {"kind": "", "show": 6})
    assert {s.title: s.shown for s in extended.context["queue"].sections} == {
        "First report": 6,
        "Second report": 1,
    }
    everything = organizer_client.get(_queue_url(bank), {"show": 9})
    assert "Show more drafts" not in everything.content.decode()
    # Nonsense, or fewer than the default, shows the default.
    for show in ("lots", "1", "-5"):
        page = organizer_client.get(_queue_url(bank), {"show": show})
        assert page.context["queue"].per_document == 3


def test_show_more_keeps_the_filters(organizer_client, organizer, bank, key_points, settings):
    settings.STUDYAPP_REVIEW_PER_DOCUMENT = 2
    document = key_points[0].document
    for number in range(5):
        _generated(bank, organizer, key_points[number % 2], f"Blank {number}", "blank")
    _generated(bank, organizer, key_points[0], "Not a blank?")
    response = organizer_client.get(_queue_url(bank), {"kind": "blank", "document": document.pk})
    assert response.context["queue"].waiting == 5
    content = response.content.decode()
    assert f'href="?kind=blank&amp;document={document.pk}&amp;show=4#document-{document.pk}"' in (
        content
    )
    assert "Not a blank?" not in content


def test_the_queue_shows_quality_score_and_reasons_in_words_for_and_against(
    organizer_client, organizer, bank, key_points
):
    question = question_create(
        bank=bank,
        draft=_draft("Scored?", score=0.82, reasons=("list", "long_stem", "quoted_term")),
        created_by=organizer,
        origin=Question.Origin.GENERATED,
        key_point=key_points[0],
        review_rank=1,
    )
    _generated(bank, organizer, key_points[1], "Unscored?")
    content = organizer_client.get(_queue_url(bank)).content.decode()
    draft = content[content.index(f'id="draft-{question.pk}"') :]
    assert "Quality 82/100" in draft
    assert "Rank 1 in its document" in draft
    plus = draft.index("asks for the items of a list the document makes")
    also_plus = draft.index("asks for a slogan or term the document puts in quotation marks")
    minus = draft.index("a long stem")
    # What speaks for the draft first, then what holds it back, each marked in words.
    assert plus < also_plus < minus
    assert draft[:plus].rstrip().endswith("For:</span>")
    assert draft[:minus].rstrip().endswith("Against:</span>")
    assert "Not scored" in content


def test_every_quality_reason_code_has_a_label_and_a_side():
    assert set(LABELS) == set(quality.REASONS)
    assert set(quality.POSITIVE) | set(quality.NEGATIVE) == set(quality.REASONS)
    assert not set(quality.POSITIVE) & set(quality.NEGATIVE)


def test_reason_codes_are_shown_for_first_once_each_and_unknown_ones_as_they_came():
    (unknown,) = quality_reasons(["new_code_from_a_newer_generator"])
    assert unknown.label == "new_code_from_a_newer_generator"
    assert unknown.positive is None
    reasons = quality_reasons(["common_key", "number", "number"])
    assert [(r.code, r.positive) for r in reasons] == [("number", True), ("common_key", False)]


# --- Select all, and its path without JavaScript -------------------------------------------


def test_the_select_all_box_is_attached_from_a_script_file_without_inline_handlers(
    organizer_client, bank, drafts
):
    content = organizer_client.get(_queue_url(bank)).content.decode()
    assert 'name="all_shown"' in content and "data-select-all" in content
    assert "js/review_queue.js" in content
    assert " onclick=" not in content and " onchange=" not in content
    script = Path(__file__).resolve().parent.parent / "static/js/review_queue.js"
    assert "[data-select-all]" in script.read_text(encoding="utf-8")


def test_every_draft_shown_is_decided_without_javascript_and_no_other(
    organizer_client, organizer, bank, key_points, settings
):
    settings.STUDYAPP_REVIEW_PER_DOCUMENT = 2
    first = _generated(bank, organizer, key_points[0], "Best?", rank=1)
    sibling = _generated(bank, organizer, key_points[0], "Its sibling?", rank=3)
    hidden = _generated(bank, organizer, key_points[1], "Not shown?", rank=2)
    page = organizer_client.get(_queue_url(bank))
    shown = page.context["queue"].shown_ids
    assert shown == [first.pk, sibling.pk]
    content = page.content.decode()
    for pk in shown:
        assert f'<input type="hidden" name="shown" value="{pk}">' in content
    # A form post as the browser sends it: the "all shown" box ticked, no draft's own box.
    organizer_client.post(
        _decide_url(bank),
        {"decision": "reject", "all_shown": "1", "shown": shown, "reason": "ambiguous"},
    )
    assert _statuses([first, sibling, hidden]) == ["archived", "archived", "draft"]


def test_without_all_shown_only_the_ticked_drafts_are_decided(organizer_client, bank, drafts):
    organizer_client.post(
        _decide_url(bank),
        {"decision": "approve", "questions": [drafts[1].pk], "shown": [d.pk for d in drafts]},
    )
    assert _statuses(drafts) == ["draft", "published", "draft"]


# --- Queries -----------------------------------------------------------------------------------

# The queue page, however many drafts: session, user, bank (with owner), the bank's
# documents, the key points with drafts waiting, the ranked ids of the waiting drafts, the
# shown questions (with key point and document title), their versions, choices, accepted
# answers, and the bank's counts.
QUEUE_QUERIES = 11


@pytest.mark.parametrize("documents, per_point", [(1, 1), (3, 20)])
def test_queue_page_runs_a_fixed_number_of_queries(
    client, organizer, bank, documents, per_point, django_assert_num_queries
):
    for number in range(documents):
        _doc, points = _document(
            bank, organizer, f"Report {number}", [f"Point {n} of {number}." for n in range(3)]
        )
        for point in points:
            for draft in range(per_point):
                kind = "blank" if draft % 2 else "single"
                _generated(bank, organizer, point, f"Q {number}-{point.ordinal}-{draft}?", kind)
    client.force_login(organizer)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(_queue_url(bank))
    assert response.status_code == 200
    queue = response.context["queue"]
    assert queue.waiting == documents * 3 * per_point
    # 40 a document at most, in whole groups of 20: two groups.
    assert queue.shown == documents * min(3 * per_point, 40)


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
    queue = organizer_client.get(_queue_url(bank)).context["queue"]
    shown = queue.sections[0].groups[0].drafts[0]
    assert shown.version.source_excerpt
    assert shown.question.key_point is not None
    assert shown.question.review_rank == 1
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
    response = client.post(
        _decide_url(bank),
        {"decision": "reject", "questions": [drafts[0].pk], "reason": "wrong"},
    )
    assert response.status_code == 404
    assert _statuses(drafts) == ["draft", "draft", "draft"]


def test_staff_may_review(client, superuser, bank, drafts):
    client.force_login(superuser)
    assert client.get(_queue_url(bank)).status_code == 200
    client.post(_decide_url(bank), {"decision": "approve", "questions": [drafts[0].pk]})
    assert _statuses(drafts)[0] == "published"


# --- The passage is shown once ---------------------------------------------------------------

PARAGRAPH = (
    "(4) Deepen the rule of law. "
    "Law-based governance is a profound revolution in governance. "
    "A leading group for it was set up."
)
SENTENCE = "Law-based governance is a profound revolution in governance."


def _cited(bank, organizer, key_point, stem, excerpt):
    start = PARAGRAPH.index(excerpt.split()[0])
    return question_create(
        bank=bank,
        draft=QuestionDraft(
            kind="true_false",
            stem=stem,
            choices=(ChoiceDraft("True", True), ChoiceDraft("False")),
            source_excerpt=excerpt,
            source_start=start,
            source_end=start + len(excerpt),
        ),
        created_by=organizer,
        origin=Question.Origin.GENERATED,
        key_point=key_point,
    )


@pytest.mark.parametrize(
    "excerpt",
    [SENTENCE, f"  {SENTENCE}\n", SENTENCE.replace(" in ", "\nin ")],
    ids=["same", "padded", "wrapped"],
)
def test_an_excerpt_that_is_the_key_point_is_not_shown_again(
    organizer_client, bank, organizer, excerpt
):
    [point] = _document(bank, organizer, "Rule of law", [SENTENCE])[1]
    _cited(bank, organizer, point, "Law-based governance is a revolution.", excerpt)

    html = organizer_client.get(reverse("quizzes:review_queue", args=[bank.pk])).content.decode()

    assert html.count("is a profound revolution") == 1
    assert "review-draft__excerpt" not in html


def test_an_excerpt_holding_the_key_point_shows_its_paragraph_once_with_the_sentence_marked(
    organizer_client, bank, organizer
):
    [point] = _document(bank, organizer, "Rule of law", [SENTENCE])[1]
    _cited(bank, organizer, point, "Law-based governance is a revolution.", PARAGRAPH)
    _cited(bank, organizer, point, "It is a profound change.", SENTENCE)

    html = organizer_client.get(reverse("quizzes:review_queue", args=[bank.pk])).content.decode()

    assert html.count("is a profound revolution") == 1
    assert html.count("Deepen the rule of law") == 1 and html.count("A leading group") == 1
    assert f'<mark class="review-group__key">{SENTENCE}</mark>' in html
    assert "review-draft__excerpt" not in html


def test_an_excerpt_saying_something_else_is_still_shown(organizer_client, bank, organizer):
    [point] = _document(bank, organizer, "Rule of law", [SENTENCE])[1]
    _cited(bank, organizer, point, "A group was set up.", "A leading group for it was set up.")

    html = organizer_client.get(reverse("quizzes:review_queue", args=[bank.pk])).content.decode()

    assert html.count("is a profound revolution") == 1
    assert html.count("A leading group for it was set up.") == 1
    assert "review-draft__excerpt" in html
