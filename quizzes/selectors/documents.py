"""Reads for the document page and the review queue.

The review queue shows the drafts waiting for review best first (``Question.review_rank``,
stored when the generator's drafts are saved), a number of them per document, siblings —
the drafts of one key point — together under their passage. The review tally counts what
reviewers decided, per document and rejection reason, for whoever tunes the generator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.utils.translation import gettext_lazy as _

from quizzes.models import (
    AttemptItem,
    BlankAnswer,
    GenerationJob,
    KeyPoint,
    Question,
    QuestionBank,
    QuestionVersion,
    QuizSlot,
    RejectionReason,
    SourceDocument,
)
from quizzes.models.banks import text_checksum
from quizzes.presentation import choice_letter
from quizzes.quality_labels import QualityReason, quality_reasons


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


def job_progress(*, job: GenerationJob | None) -> dict:
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


def _waiting(bank: QuestionBank):
    return Question.objects.filter(
        bank=bank, origin=Question.Origin.GENERATED, status=Question.Status.DRAFT
    )


def review_counts(*, bank: QuestionBank) -> dict[str, int]:
    """Generated questions of ``bank`` waiting, approved and rejected. One query."""
    return Question.objects.filter(bank=bank, origin=Question.Origin.GENERATED).aggregate(
        waiting=Count("pk", filter=Q(status=Question.Status.DRAFT)),
        approved=Count("pk", filter=Q(status=Question.Status.PUBLISHED)),
        rejected=Count("pk", filter=Q(status=Question.Status.ARCHIVED)),
    )


# --- The review queue -------------------------------------------------------------------


def review_per_document() -> int:
    """How many drafts of each document the queue shows at first, and how many more each
    "show more" adds (``STUDYAPP_REVIEW_PER_DOCUMENT``)."""
    return max(1, settings.STUDYAPP_REVIEW_PER_DOCUMENT)


@dataclass(frozen=True, slots=True)
class ReviewFilters:
    """What the queue is narrowed to; ``None`` or ``""`` narrows nothing. A value that
    matches nothing waiting (a key point whose drafts were all decided, a document of
    another bank) is kept as it is: the queue is then empty, which the page says."""

    document: int | None = None
    key_point: int | None = None
    kind: str = ""

    @property
    def active(self) -> bool:
        return self.document is not None or self.key_point is not None or bool(self.kind)


def review_documents(*, bank: QuestionBank) -> list[SourceDocument]:
    """The bank's documents, newest first (title only), for the queue's document filter.
    One query."""
    return list(
        SourceDocument.objects.filter(bank=bank)
        .only("pk", "title", "bank_id", "created_at")
        .order_by("-created_at", "-pk")
    )


def review_key_points(
    *, bank: QuestionBank, document_id: int | None = None, selected_id: int | None = None
) -> list[KeyPoint]:
    """Key points of the bank's documents (of ``document_id`` only, when given) that have
    drafts waiting, for the queue's key-point filter, by document (newest first) and
    ordinal. The key point ``selected_id`` is included even when nothing of it waits any
    more, so that the filter still shows what it is set to. One query."""
    waiting = _waiting(bank).filter(key_point=OuterRef("pk"))
    points = KeyPoint.objects.filter(document__bank=bank).filter(
        Q(Exists(waiting)) | Q(pk=selected_id if selected_id is not None else -1)
    )
    if document_id is not None:
        points = points.filter(document_id=document_id)
    return list(
        points.select_related("document")
        .only("pk", "ordinal", "text", "document_id", "document__title", "document__bank_id")
        .order_by("-document__created_at", "-document_id", "ordinal")
    )


@dataclass(slots=True)
class ReviewDraft:
    """A draft as the queue shows it: its current version with lettered choices and
    accepted answers, its quality reasons in words, and its source excerpt when that says
    something its group's passage does not (otherwise ``excerpt`` is empty)."""

    question: Question
    version: QuestionVersion | None
    choices: list[dict]
    blank_answers: list[BlankAnswer]
    reasons: list[QualityReason]
    excerpt: str

    @property
    def quality_percent(self) -> int | None:
        quality = self.question.quality
        return None if quality is None else round(quality * 100)


@dataclass(slots=True)
class SiblingGroup:
    """Drafts of one key point (siblings: one can give another away), best first, under
    their passage. Drafts without a key point stand alone (``key_point`` is ``None``).

    The passage is shown once: the key point's sentence, with ``before`` and ``after`` it
    the rest of the longest excerpt of the drafts that holds the sentence (the generator
    often cites the sentence within its paragraph). A draft's own excerpt shows only when
    it is something else."""

    key_point: KeyPoint | None
    drafts: list[ReviewDraft] = field(default_factory=list)
    before: str = ""
    after: str = ""


def _flat(text: str) -> str:
    return " ".join(text.split())


def _sibling_group(key_point: KeyPoint | None, drafts: list[ReviewDraft]) -> SiblingGroup:
    """The drafts under their passage, each excerpt that only repeats it left out."""
    group = SiblingGroup(key_point, drafts)
    sentence = _flat(key_point.text) if key_point is not None else ""
    if not sentence:
        return group
    holding = [_flat(d.excerpt) for d in drafts if sentence in _flat(d.excerpt)]
    passage = max(holding, key=len, default=sentence)
    before, _sentence, after = passage.partition(sentence)
    group.before, group.after = before.strip(), after.strip()
    for draft in drafts:
        if _flat(draft.excerpt) in (sentence, passage):
            draft.excerpt = ""
    return group


@dataclass(slots=True)
class DocumentSection:
    """One document's part of the queue: ``waiting`` drafts match the filters, the best of
    them are shown in ``groups``. ``document_id`` is ``None`` for drafts whose key point
    is gone."""

    document_id: int | None
    title: str
    waiting: int
    groups: list[SiblingGroup] = field(default_factory=list)

    @property
    def shown(self) -> int:
        return sum(len(group.drafts) for group in self.groups)

    @property
    def has_more(self) -> bool:
        return self.shown < self.waiting


@dataclass(slots=True)
class ReviewQueue:
    sections: list[DocumentSection]
    per_document: int

    @property
    def waiting(self) -> int:
        return sum(section.waiting for section in self.sections)

    @property
    def shown(self) -> int:
        return sum(section.shown for section in self.sections)

    @property
    def shown_ids(self) -> list[int]:
        return [
            draft.question.pk
            for section in self.sections
            for group in section.groups
            for draft in group.drafts
        ]

    @property
    def has_more(self) -> bool:
        return any(section.has_more for section in self.sections)


def review_queue_page(
    *, bank: QuestionBank, filters: ReviewFilters = ReviewFilters(), per_document: int
) -> ReviewQueue:
    """Generated drafts of ``bank`` waiting for review, best first, per document.

    Drafts are ranked by ``review_rank`` (drafts without one after every ranked draft,
    then in the order they were saved). Within a document, the drafts of one key point
    form a group under their passage, ordered by rank; groups are ordered by their best
    draft. A document shows whole groups until ``per_document`` drafts are shown (the last
    group may take it a little over), so siblings are never split. Documents come newest
    first; drafts whose key point is gone come last.

    Queries: one for the ranked ids of every matching draft (small rows), then, when any
    is shown, the shown questions with key point and document title, their versions,
    choices and accepted answers — five in all, however many drafts there are."""
    candidates = _waiting(bank)
    if filters.document is not None:
        candidates = candidates.filter(key_point__document_id=filters.document)
    if filters.key_point is not None:
        candidates = candidates.filter(key_point_id=filters.key_point)
    if filters.kind:
        candidates = candidates.annotate(current_kind=_current_kind()).filter(
            current_kind=filters.kind
        )
    ranked = candidates.order_by(F("review_rank").asc(nulls_last=True), "pk").values_list(
        "pk", "key_point_id", "key_point__document_id", "key_point__document__created_at"
    )

    # Per document (in rank order): the key points' drafts, groups in order of their best.
    documents: dict[int | None, dict] = {}
    for pk, key_point_id, document_id, created_at in ranked:
        document = documents.setdefault(document_id, {"created_at": created_at, "groups": {}})
        group_key = key_point_id if key_point_id is not None else ("alone", pk)
        document["groups"].setdefault(group_key, []).append(pk)

    shown_ids: list[int] = []
    plans: list[tuple[int | None, int, list[list[int]]]] = []
    for document_id, document in documents.items():
        chosen: list[list[int]] = []
        count = 0
        for ids in document["groups"].values():
            if count >= per_document:
                break
            chosen.append(ids)
            count += len(ids)
        waiting = sum(len(ids) for ids in document["groups"].values())
        plans.append((document_id, waiting, chosen))
        shown_ids.extend(pk for ids in chosen for pk in ids)

    loaded = _review_drafts(shown_ids)
    order = sorted(
        plans,
        key=lambda plan: (
            plan[0] is None,
            # Newest document first: created_at descending, then id descending.
            -(documents[plan[0]]["created_at"].timestamp() if plan[0] is not None else 0),
            -(plan[0] or 0),
        ),
    )
    sections = []
    for document_id, waiting, chosen in order:
        groups = [
            _sibling_group(loaded[ids[0]].question.key_point, [loaded[pk] for pk in ids])
            for ids in chosen
        ]
        first = groups[0].key_point if groups else None
        title = first.document.title if first is not None else str(_("Drafts without a key point"))
        sections.append(DocumentSection(document_id, title, waiting, groups))
    return ReviewQueue(sections, per_document)


def _review_drafts(question_ids: Iterable[int]) -> dict[int, ReviewDraft]:
    """The queue's drafts by id, with everything they show. Four queries (none for no
    ids)."""
    question_ids = list(question_ids)
    if not question_ids:
        return {}
    questions = (
        Question.objects.filter(pk__in=question_ids)
        .select_related("key_point__document")
        # The document's text can be long; only its title is shown.
        .defer("key_point__document__text")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=QuestionVersion.objects.order_by("number").prefetch_related(
                    "choices", "blank_answers"
                ),
            )
        )
    )
    drafts = {}
    for question in questions:
        versions = list(question.versions.all())
        version = versions[-1] if versions else None
        excerpt = version.source_excerpt.strip() if version else ""
        drafts[question.pk] = ReviewDraft(
            question=question,
            version=version,
            choices=[
                {"letter": choice_letter(index), "choice": choice}
                for index, choice in enumerate(version.choices.all() if version else [])
            ],
            blank_answers=list(version.blank_answers.all()) if version else [],
            reasons=quality_reasons(question.quality_reasons or []),
            excerpt=excerpt,  # left out by ``_sibling_group`` when it repeats the passage
        )
    return drafts


# --- What reviewers decided -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewTally:
    """What reviewers made of one document's generated drafts. ``edited_approved`` are
    approved drafts with more than one version: edited before (or after) approval.
    ``rejected_by_reason`` lists every reason with its count, in the reasons' order;
    ``rejected_unexplained`` counts drafts archived without a reason (from the editor, or
    rejected before reasons were asked)."""

    document_id: int
    waiting: int
    approved: int
    edited_approved: int
    rejected: int
    rejected_by_reason: list[tuple[str, str, int]]
    rejected_unexplained: int

    @property
    def total(self) -> int:
        return self.waiting + self.approved + self.rejected


def review_tally(*, bank: QuestionBank, document_id: int | None = None) -> list[ReviewTally]:
    """Per document of ``bank`` (only ``document_id``, when given) with generated
    questions: how many wait, were approved (and of those, edited), and were rejected,
    by reason. One query."""
    questions = Question.objects.filter(
        bank=bank, origin=Question.Origin.GENERATED, key_point__isnull=False
    )
    if document_id is not None:
        questions = questions.filter(key_point__document_id=document_id)
    edited = Exists(QuestionVersion.objects.filter(question=OuterRef("pk"), number__gt=1))
    published = Q(status=Question.Status.PUBLISHED)
    archived = Q(status=Question.Status.ARCHIVED)
    by_reason = {
        f"rejected_{reason}": Count("pk", filter=archived & Q(rejection_reason=reason))
        for reason in RejectionReason.values
    }
    rows = (
        questions.values("key_point__document_id")
        .annotate(
            waiting=Count("pk", filter=Q(status=Question.Status.DRAFT)),
            approved=Count("pk", filter=published),
            edited_approved=Count("pk", filter=published & Q(edited)),
            rejected=Count("pk", filter=archived),
            rejected_unexplained=Count("pk", filter=archived & Q(rejection_reason="")),
            **by_reason,
        )
        .order_by("key_point__document_id")
    )
    return [
        ReviewTally(
            document_id=row["key_point__document_id"],
            waiting=row["waiting"],
            approved=row["approved"],
            edited_approved=row["edited_approved"],
            rejected=row["rejected"],
            rejected_by_reason=[
                (value, str(label), row[f"rejected_{value}"])
                for value, label in RejectionReason.choices
            ],
            rejected_unexplained=row["rejected_unexplained"],
        )
        for row in rows
    ]
