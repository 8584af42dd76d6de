"""Reads for the document page and the review queue."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet, Subquery

from quizzes.models import (
    GenerationJob,
    KeyPoint,
    Question,
    QuestionBank,
    QuestionVersion,
    SourceDocument,
)

REVIEW_PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of the document text; ``key_point`` is the ordinal of the key point it is,
    or ``None`` for plain text between key points."""

    text: str
    key_point: int | None = None


def document_latest_job(*, document: SourceDocument) -> GenerationJob | None:
    """The document's most recent generation job. One query."""
    return document.generation_jobs.order_by("-created_at", "-pk").first()


def document_key_points(*, document: SourceDocument) -> list[KeyPoint]:
    """The document's key points in order, each with ``draft_count`` (generated questions
    still waiting for review) and ``question_count`` (all its questions). One query."""
    return list(
        KeyPoint.objects.filter(document=document)
        .annotate(
            question_count=Count("questions"),
            draft_count=Count(
                "questions",
                filter=Q(
                    questions__status=Question.Status.DRAFT,
                    questions__origin=Question.Origin.GENERATED,
                ),
            ),
        )
        .order_by("ordinal")
    )


def text_segments(*, text: str, key_points: list[KeyPoint]) -> list[Segment]:
    """Split ``text`` into plain runs and key-point runs, in order, by the key points'
    offsets. A key point that overlaps an earlier one, or lies outside the text, is left
    unmarked. No query; the template escapes every segment."""
    segments: list[Segment] = []
    position = 0
    for point in sorted(key_points, key=lambda p: (p.start_offset, p.ordinal)):
        start, end = point.start_offset, point.end_offset
        if start < position or end > len(text) or start >= end:
            continue
        if start > position:
            segments.append(Segment(text[position:start]))
        segments.append(Segment(text[start:end], point.ordinal))
        position = end
    if position < len(text):
        segments.append(Segment(text[position:]))
    return segments


def job_progress(job: GenerationJob | None) -> dict:
    """The JSON the document page polls."""
    if job is None:
        return {"status": None, "active": False}
    return {
        "status": job.status,
        "status_display": str(job.get_status_display()),
        "active": job.is_active,
        "progress": job.progress,
        "stage": job.stage,
        "stage_display": job.stage_display,
        "drafts_created": job.drafts_created,
        "error": job.error if job.status == GenerationJob.Status.FAILED else "",
    }


def _current_kind() -> Subquery:
    return Subquery(QuestionVersion.objects.newest_for("pk").values("kind")[:1])


def review_counts(*, bank: QuestionBank) -> dict[str, int]:
    """Generated questions of ``bank`` waiting, approved and rejected. One query."""
    return Question.objects.filter(bank=bank, origin=Question.Origin.GENERATED).aggregate(
        waiting=Count("pk", filter=Q(status=Question.Status.DRAFT)),
        approved=Count("pk", filter=Q(status=Question.Status.PUBLISHED)),
        rejected=Count("pk", filter=Q(status=Question.Status.ARCHIVED)),
    )


def review_key_points(*, bank: QuestionBank) -> QuerySet[KeyPoint]:
    """Key points of the bank's documents that have drafts waiting, for the filter."""
    return (
        KeyPoint.objects.filter(
            document__bank=bank,
            questions__origin=Question.Origin.GENERATED,
            questions__status=Question.Status.DRAFT,
        )
        .select_related("document")
        .distinct()
        .order_by("document__created_at", "document_id", "ordinal")
    )


def review_queue_page(
    *,
    bank: QuestionBank,
    key_point_id: int | None = None,
    kind: str | None = None,
    page_number: str | int | None = None,
) -> Page:
    """Generated drafts of ``bank`` waiting for review, oldest first, with their current
    version (choices and accepted answers) and key point. A fixed number of queries per
    page: count, questions, versions, choices, blank answers."""
    questions = (
        Question.objects.filter(
            bank=bank, origin=Question.Origin.GENERATED, status=Question.Status.DRAFT
        )
        .select_related("key_point__document")
        .annotate(current_kind=_current_kind())
        .order_by("key_point__document_id", "key_point__ordinal", "pk")
    )
    if key_point_id is not None:
        questions = questions.filter(key_point_id=key_point_id)
    if kind:
        questions = questions.filter(current_kind=kind)
    questions = questions.prefetch_related(
        Prefetch(
            "versions",
            queryset=QuestionVersion.objects.order_by("number").prefetch_related(
                "choices", "blank_answers"
            ),
        )
    )
    return Paginator(questions, REVIEW_PAGE_SIZE).get_page(page_number)
