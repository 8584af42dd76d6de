"""What the generator thought of its drafts is kept when they become questions: the quality
score, its reasons, and the rank of each draft in its document (1 = best), written in the
question's own INSERT."""

import math
from dataclasses import replace
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.generation import generate
from quizzes.models import Question
from quizzes.services import documents as document_services
from quizzes.services.banks import quality_score, question_create

from . import factories

EDITORIAL = (
    Path(__file__).resolve().parent.parent / "quizzes/demo/tianjin-12th-congress-editorial.en.txt"
).read_text(encoding="utf-8")


def _draft(score):
    return QuestionDraft(
        kind="single",
        stem="Which?",
        choices=(ChoiceDraft("this", True), ChoiceDraft("that")),
        quality=score,
    )


def test_ranks_follow_the_score_with_ties_and_unscored_drafts_in_the_generators_order():
    scores = [0.5, None, 0.9, 0.5, None, 0.7, 0.0]
    assert document_services.review_ranks(drafts=[_draft(s) for s in scores]) == [
        3,
        6,
        1,
        4,
        7,
        2,
        5,
    ]


def test_ranks_of_drafts_none_of_which_is_scored_keep_the_generators_order():
    assert document_services.review_ranks(drafts=[_draft(None) for _ in range(4)]) == [1, 2, 3, 4]
    assert document_services.review_ranks(drafts=[]) == []


@pytest.mark.parametrize(
    "given, stored",
    [(None, None), (0.25, 0.25), (1.0, 1.0), (1.3, 1.0), (-0.2, 0.0), (math.nan, None)],
)
def test_a_score_is_stored_within_0_and_1(given, stored):
    assert quality_score(value=given) == stored


@pytest.fixture
def bank(organizer):
    return factories.BankFactory(owner=organizer)


def test_generation_stores_each_drafts_score_reasons_and_rank(organizer, bank, monkeypatch):
    scores = [0.5, None, 0.9, 0.5, None, 0.7]
    reasons = [("list",), (), ("headline", "long_stem"), ("number",), (), ("compact",)]

    def scored_generate(text, **kwargs):
        result = generate(text, **kwargs)
        drafts = [
            replace(draft, quality=score, quality_reasons=why)
            for draft, score, why in zip(result.drafts, scores, reasons, strict=False)
        ]
        return replace(result, drafts=drafts)

    monkeypatch.setattr(document_services, "generate", scored_generate)
    job = document_services.document_store(
        bank=bank, uploaded_by=organizer, text=EDITORIAL, language="en"
    )
    with CaptureQueriesContext(connection) as saved:
        job = document_services.generation_run(job_id=job.pk, max_drafts=6)

    assert job.drafts_created == 6
    questions = list(Question.objects.filter(bank=bank).order_by("pk"))
    assert [q.quality for q in questions] == scores
    assert [q.quality_reasons for q in questions] == [list(why) for why in reasons]
    assert [q.review_rank for q in questions] == [3, 5, 1, 4, 6, 2]
    # Score and rank ride in each question's INSERT: no question row is written twice.
    updates = [
        q["sql"]
        for q in saved.captured_queries
        if q["sql"].startswith("UPDATE") and '"quizzes_question"' in q["sql"]
    ]
    assert updates == []


def test_generated_drafts_without_scores_are_ranked_in_the_generators_order(
    organizer, bank, monkeypatch
):
    def unscored_generate(text, **kwargs):
        # As the generator did before it scored its drafts.
        result = generate(text, **kwargs)
        drafts = [replace(d, quality=None, quality_reasons=()) for d in result.drafts]
        return replace(result, drafts=drafts)

    monkeypatch.setattr(document_services, "generate", unscored_generate)
    job = document_services.document_store(
        bank=bank, uploaded_by=organizer, text=EDITORIAL, language="en"
    )
    job = document_services.generation_run(job_id=job.pk, max_drafts=5)
    questions = list(Question.objects.filter(bank=bank).order_by("pk"))
    assert len(questions) == job.drafts_created == 5
    assert all(q.quality is None and q.quality_reasons == [] for q in questions)
    assert [q.review_rank for q in questions] == [1, 2, 3, 4, 5]


def test_hand_written_questions_have_no_score_reasons_or_rank(organizer, bank):
    question = question_create(bank=bank, draft=_draft(None), created_by=organizer)
    question.refresh_from_db()
    assert (question.quality, question.quality_reasons, question.review_rank) == (None, [], None)
