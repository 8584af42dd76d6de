"""What reviewers decided, counted per document and rejection reason for whoever tunes the
generator: on the document page, and in the admin (filter by reason; score and rank read
only)."""

import pytest
from django.urls import reverse

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.models import Question
from quizzes.selectors.documents import review_tally
from quizzes.services import documents as document_services
from quizzes.services.banks import question_create, question_edit, question_set_status

from . import factories


@pytest.fixture
def bank(organizer):
    return factories.BankFactory(owner=organizer, title="Congress study")


def _draft(stem, score=None):
    return QuestionDraft(
        kind="single",
        stem=stem,
        choices=(ChoiceDraft("yes", True), ChoiceDraft("no")),
        quality=score,
        quality_reasons=("list", "long_stem") if score is not None else (),
    )


def _generated(bank, organizer, key_point, stem, **kwargs):
    return question_create(
        bank=bank,
        draft=_draft(stem, kwargs.pop("score", None)),
        created_by=organizer,
        origin=Question.Origin.GENERATED,
        key_point=key_point,
        **kwargs,
    )


@pytest.fixture
def reviewed(bank, organizer):
    """Two documents' drafts, decided: the first document has 2 waiting, 3 approved (one of
    them edited first), 4 rejected (2 wrong, 1 bad distractors, 1 archived from the editor
    without a reason); the second 1 waiting and 1 rejected as trivial."""
    first = factories.KeyPointFactory(document=factories.DocumentFactory(bank=bank), ordinal=1)
    second = factories.KeyPointFactory(document=factories.DocumentFactory(bank=bank), ordinal=1)
    made = [_generated(bank, organizer, first, f"First {n}?") for n in range(9)]
    others = [_generated(bank, organizer, second, f"Second {n}?") for n in range(2)]
    question_edit(question=made[2], draft=_draft("First 2, edited?"), edited_by=organizer)

    def decide(questions, decision, reason=""):
        document_services.review_decide(
            bank=bank, question_ids=[q.pk for q in questions], decision=decision, reason=reason
        )

    decide(made[2:5], "approve")
    decide(made[5:7], "reject", "wrong")
    decide(made[7:8], "reject", "distractors")
    question_set_status(question=made[8], status=Question.Status.ARCHIVED)
    decide(others[:1], "reject", "trivial")
    # Neither a hand-written question nor another bank's draft counts.
    question_create(bank=bank, draft=_draft("By hand?"), created_by=organizer, key_point=first)
    other_bank = factories.BankFactory(owner=organizer)
    _generated(
        other_bank,
        organizer,
        factories.KeyPointFactory(document=factories.DocumentFactory(bank=other_bank)),
        "Elsewhere?",
    )
    return first.document, second.document


def test_the_tally_counts_each_documents_decisions_by_reason_in_one_query(
    bank, reviewed, django_assert_num_queries
):
    first, second = reviewed
    with django_assert_num_queries(1):
        tallies = {tally.document_id: tally for tally in review_tally(bank=bank)}
    assert set(tallies) == {first.pk, second.pk}
    one = tallies[first.pk]
    assert (one.waiting, one.approved, one.edited_approved, one.rejected) == (2, 3, 1, 4)
    assert {value: count for value, _label, count in one.rejected_by_reason} == {
        "trivial": 0,
        "wrong": 2,
        "ambiguous": 0,
        "distractors": 1,
        "other": 0,
    }
    assert one.rejected_unexplained == 1
    assert one.total == 9
    two = tallies[second.pk]
    assert (two.waiting, two.approved, two.rejected, two.rejected_unexplained) == (1, 0, 1, 0)
    assert {value: count for value, _label, count in two.rejected_by_reason}["trivial"] == 1


def test_the_tally_of_one_document(bank, reviewed):
    _first, second = reviewed
    (only,) = review_tally(bank=bank, document_id=second.pk)
    assert only.document_id == second.pk
    assert review_tally(bank=bank, document_id=999_999) == []


def test_the_document_page_shows_its_tally(client, organizer, bank, reviewed):
    first, _second = reviewed
    client.force_login(organizer)
    content = client.get(reverse("quizzes:document_detail", kwargs={"pk": first.pk})).content
    html = content.decode()
    tally = html[html.index("Review of the generated drafts") :]
    tally = tally[: tally.index("</section>")]
    for label, count in [
        ("Waiting for review", 2),
        ("Approved", 3),
        ("of which edited", 1),
        ("Rejected", 4),
        ("Wrong", 2),
        ("Bad distractors", 1),
        ("Trivial or unimportant", 0),
        ("no reason given", 1),
    ]:
        assert f'{label}</th><td class="num">{count}</td>' in tally


def test_a_document_without_generated_drafts_shows_no_tally(client, organizer, bank):
    document = factories.DocumentFactory(bank=bank)
    client.force_login(organizer)
    page = client.get(reverse("quizzes:document_detail", kwargs={"pk": document.pk}))
    assert page.status_code == 200
    assert "Review of the generated drafts" not in page.content.decode()


# --- The admin -------------------------------------------------------------------------------


def test_the_admin_filters_questions_by_rejection_reason(client, superuser, bank, reviewed):
    client.force_login(superuser)
    url = reverse("admin:quizzes_question_changelist")
    response = client.get(url, {"rejection_reason__exact": "wrong"})
    assert response.status_code == 200
    shown = {q.pk for q in response.context["cl"].result_list}
    assert shown == set(
        Question.objects.filter(rejection_reason="wrong").values_list("pk", flat=True)
    )
    assert len(shown) == 2
    assert "rejection_reason__exact=distractors" in response.content.decode()


def test_the_admin_shows_score_reasons_and_rank_read_only(client, superuser, organizer, bank):
    key_point = factories.KeyPointFactory(document=factories.DocumentFactory(bank=bank))
    question = _generated(bank, organizer, key_point, "Scored?", score=0.75, review_rank=4)
    client.force_login(superuser)
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    html = client.get(url).content.decode()
    assert "0.75" in html
    assert "+ asks for the items of a list the document makes" in html
    assert "− a long stem" in html
    for name in ("quality", "quality_reasons", "review_rank", "rejection_reason"):
        assert f'name="{name}"' not in html
    listing = client.get(reverse("admin:quizzes_question_changelist")).content.decode()
    assert "column-quality" in listing and "column-review_rank" in listing
