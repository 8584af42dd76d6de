"""Reads for the document page and the review queue."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet, Subquery

from quizzes.models import (
    AttemptItem,
    GenerationJob,
    KeyPoint,
    Question,
    QuestionBank,
    QuestionVersion,
    QuizSlot,
    SourceDocument,
)
from quizzes.services.banks import text_checksum

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
    """The JSON the document page polls. ``error`` is the failure reason in the reader's
    language (empty unless the job failed), ``error_code`` its code."""
    if job is None:
        return {"status": None, "active": False}
    failed = job.status == GenerationJob.Status.FAILED
    return {
        "job": job.pk,
        "status": job.status,
        "status_display": str(job.get_status_display()),
        "active": job.is_active,
        "progress": job.progress,
        "stage": job.stage,
        "stage_display": job.stage_display,
        "drafts_created": job.drafts_created,
        "error": job.failure_display,
        "error_code": (job.error_code or "error") if failed else "",
    }


@dataclass(frozen=True, slots=True)
class DocumentUsage:
    """What deleting a document takes with it, and what stops it."""

    key_points: int
    generated_questions: int
    other_questions: int
    jobs: int
    quiz_slots: int
    attempt_items: int

    @property
    def in_use(self) -> bool:
        return bool(self.quiz_slots or self.attempt_items)


def document_usage(*, document: SourceDocument) -> DocumentUsage:
    """Counts for the delete page: its key points, the questions generated from them
    (which go with it) and other questions linked to them (which stay), its generation
    jobs; quiz slots holding one of those generated questions or drawing from one of its
    key points, and attempt items that showed one of them (either stops the delete).
    Four queries."""
    questions = Question.objects.filter(key_point__document=document).aggregate(
        generated=Count("pk", filter=Q(origin=Question.Origin.GENERATED)),
        other=Count("pk", filter=~Q(origin=Question.Origin.GENERATED)),
    )
    generated = Question.objects.filter(
        key_point__document=document, origin=Question.Origin.GENERATED
    ).values("pk")
    return DocumentUsage(
        key_points=document.key_points.count(),
        generated_questions=questions["generated"],
        other_questions=questions["other"],
        jobs=document.generation_jobs.count(),
        quiz_slots=QuizSlot.objects.filter(
            Q(question__in=generated) | Q(draw_key_point__document=document)
        ).count(),
        attempt_items=AttemptItem.objects.filter(question__in=generated).count(),
    )


@dataclass(frozen=True, slots=True)
class Duplicates:
    """Documents with the same text (whitespace aside) as an upload: ``in_bank`` in the
    target bank (the upload is refused), ``elsewhere`` in the owner's other banks (a
    warning)."""

    in_bank: SourceDocument | None
    elsewhere: list[SourceDocument]


def document_duplicates(*, bank: QuestionBank, text: str) -> Duplicates:
    """Documents of ``bank``'s owner whose text equals ``text`` with whitespace
    normalised, by checksum. One query."""
    found = list(
        SourceDocument.objects.filter(bank__owner_id=bank.owner_id, checksum=text_checksum(text))
        .select_related("bank")
        .defer("text")
        .order_by("created_at", "pk")
    )
    return Duplicates(
        in_bank=next((doc for doc in found if doc.bank_id == bank.pk), None),
        elsewhere=[doc for doc in found if doc.bank_id != bank.pk],
    )


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
