"""Question banks, their source documents and key points, and versioned questions.

A ``Question`` is a bank entry (origin, status); what a learner sees lives in its
``QuestionVersion`` rows, which are immutable: editing a question adds a version. Attempt
items point at versions with ``PROTECT``, so a version any attempt used cannot be deleted,
and a database trigger (migration ``0002``) refuses any UPDATE of a version, a choice or an
accepted blank answer.
"""

import hashlib
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ImmutableRow(models.Model):
    """Rows that are written once. Saving an existing row raises; the database trigger of
    migration 0002 refuses UPDATEs from any other path too."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError(
                f"{type(self).__name__} rows are immutable; create a new question version."
            )
        super().save(*args, **kwargs)


class Language(models.TextChoices):
    CHINESE = "zh-hans", _("Chinese")
    ENGLISH = "en", _("English")


class QuestionBank(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="banks",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quizzes:bank_detail", kwargs={"pk": self.pk})


def text_checksum(text: str) -> str:
    """SHA-256 of the text with its whitespace normalised (every run of spaces, tabs,
    line breaks, full-width spaces becomes one space; none at the ends), so that the same
    document pasted or re-wrapped differently is recognised as the same. Migration 0008
    holds a frozen copy of this rule."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


class SourceDocument(models.Model):
    """A study document uploaded into a bank, kept as extracted plain text."""

    bank = models.ForeignKey(
        QuestionBank,
        verbose_name=_("bank"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    title = models.CharField(_("title"), max_length=300)
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True)
    source = models.CharField(
        _("source"),
        max_length=500,
        blank=True,
        help_text=_("Where the document comes from (publisher, date, address)."),
    )
    text = models.TextField(_("extracted text"))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    checksum = models.CharField(
        _("checksum"),
        max_length=64,
        help_text=_("SHA-256 of the extracted text, whitespace normalised."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank", "checksum"], name="document_unique_text_per_bank"
            ),
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="document_language_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class KeyPoint(models.Model):
    """A sentence or passage of a document that carries one of its claims."""

    document = models.ForeignKey(
        SourceDocument,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="key_points",
    )
    ordinal = models.PositiveIntegerField(_("ordinal"))
    text = models.TextField(_("text"))
    start_offset = models.PositiveIntegerField(_("start offset"))
    end_offset = models.PositiveIntegerField(_("end offset"))
    score = models.FloatField(_("importance"), default=0.0)

    class Meta:
        verbose_name = _("key point")
        verbose_name_plural = _("key points")
        ordering = ["document", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["document", "ordinal"], name="keypoint_unique_ordinal"),
            models.CheckConstraint(
                condition=Q(end_offset__gt=F("start_offset")), name="keypoint_offsets_ordered"
            ),
            models.CheckConstraint(condition=Q(score__gte=0), name="keypoint_score_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.ordinal}. {self.text[:60]}"


class RejectionReason(models.TextChoices):
    """Why a reviewer rejected a generated draft; counted per document for whoever tunes
    the generator."""

    TRIVIAL = "trivial", _("trivial or unimportant")
    WRONG = "wrong", _("wrong")
    AMBIGUOUS = "ambiguous", _("ambiguous")
    DISTRACTORS = "distractors", _("bad distractors")
    OTHER = "other", _("other")


class Question(models.Model):
    """A bank entry. Its content is in its versions; the newest version is current.

    Generated questions of one key point are *siblings*: they ask about the same passage,
    so one can give another away. A quiz (fixed slots or a random draw) holds at most one
    question per key point."""

    class Origin(models.TextChoices):
        GENERATED = "generated", _("generated")
        IMPORTED = "imported", _("imported")
        MANUAL = "manual", _("written by hand")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    bank = models.ForeignKey(
        QuestionBank,
        verbose_name=_("bank"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    key_point = models.ForeignKey(
        KeyPoint,
        verbose_name=_("key point"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
    )
    import_batch = models.ForeignKey(
        "ImportBatch",
        verbose_name=_("imported from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
    )
    # What the generator thought of its draft: a score in 0..1 (the review queue shows
    # the best first), the codes of its reasons, and its rank within its document
    # (1 = best). Empty for imported and hand-written questions.
    quality = models.FloatField(_("quality score"), null=True, blank=True)
    quality_reasons = models.JSONField(_("quality reasons"), default=list, blank=True)
    review_rank = models.PositiveIntegerField(_("rank in its document"), null=True, blank=True)
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=16, choices=RejectionReason.choices, blank=True
    )
    rejection_note = models.CharField(_("rejection note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["bank", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(origin__in=["generated", "imported", "manual"]),
                name="question_origin_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "archived"]),
                name="question_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(quality__isnull=True) | Q(quality__gte=0, quality__lte=1),
                name="question_quality_0_1",
            ),
            models.CheckConstraint(
                condition=Q(rejection_reason__in=["", *RejectionReason.values]),
                name="question_rejection_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        current = self.current_version
        return current.stem[:80] if current else _("question %(id)s") % {"id": self.pk}

    @property
    def current_version(self) -> "QuestionVersion | None":
        """The newest version. Uses prefetched versions when they are there."""
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "versions" in cache:
            versions = list(cache["versions"])
            return max(versions, key=lambda v: v.number) if versions else None
        return self.versions.order_by("-number").first()


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("single choice")
    MULTIPLE = "multiple", _("multiple choice")
    TRUE_FALSE = "true_false", _("true / false")
    BLANK = "blank", _("fill in the blank")


class QuestionVersionQuerySet(models.QuerySet):
    def newest_for(self, outer: str = "pk") -> "QuestionVersionQuerySet":
        """In a subquery: the versions of the question ``OuterRef(outer)`` names, newest
        first — slice ``[:1]`` for its current version."""
        return self.filter(question=OuterRef(outer)).order_by("-number")


class QuestionVersion(ImmutableRow):
    """One immutable, numbered state of a question: what learners are shown and graded on."""

    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    stem = models.TextField(_("stem"))
    explanation = models.TextField(_("explanation"), blank=True)
    source_excerpt = models.TextField(_("source excerpt"), blank=True)
    source_start = models.PositiveIntegerField(_("excerpt start offset"), null=True, blank=True)
    source_end = models.PositiveIntegerField(_("excerpt end offset"), null=True, blank=True)
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), default=3, help_text=_("1 (easiest) to 5 (hardest).")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = QuestionVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("question version")
        verbose_name_plural = _("question versions")
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="version_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=["single", "multiple", "true_false", "blank"]),
                name="version_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(difficulty__gte=1, difficulty__lte=5), name="version_difficulty_1_5"
            ),
            models.CheckConstraint(condition=~Q(stem=""), name="version_stem_not_empty"),
            models.CheckConstraint(
                condition=(
                    Q(source_start__isnull=True, source_end__isnull=True)
                    | Q(source_end__gt=F("source_start"))
                ),
                name="version_excerpt_offsets_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stem[:70]} (v{self.number})"


class Choice(ImmutableRow):
    """An option of a choice or true/false question version."""

    version = models.ForeignKey(
        QuestionVersion,
        verbose_name=_("question version"),
        on_delete=models.CASCADE,
        related_name="choices",
    )
    ordinal = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text"))
    is_correct = models.BooleanField(_("correct"), default=False)
    feedback = models.TextField(_("feedback"), blank=True)

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["version", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["version", "ordinal"], name="choice_unique_ordinal"),
            models.CheckConstraint(condition=~Q(text=""), name="choice_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class BlankAnswer(ImmutableRow):
    """An accepted answer for one blank of a fill-in-the-blank version."""

    version = models.ForeignKey(
        QuestionVersion,
        verbose_name=_("question version"),
        on_delete=models.CASCADE,
        related_name="blank_answers",
    )
    blank = models.PositiveSmallIntegerField(_("blank number"))
    text = models.CharField(_("accepted answer"), max_length=300)
    # Per cent of the blank's mark this answer earns (Moodle's answer fraction).
    credit = models.DecimalField(
        _("credit (%)"), max_digits=7, decimal_places=4, default=Decimal(100)
    )
    # A numeric answer: any response within ``number`` ± ``tolerance`` matches. ``is_range``
    # says it was written as a range (low..high) and is exported that way again.
    number = models.DecimalField(
        _("number"), max_digits=30, decimal_places=12, null=True, blank=True
    )
    tolerance = models.DecimalField(
        _("tolerance"), max_digits=30, decimal_places=12, null=True, blank=True
    )
    is_range = models.BooleanField(_("written as a range"), default=False)
    feedback = models.TextField(_("feedback"), blank=True)

    class Meta:
        verbose_name = _("accepted blank answer")
        verbose_name_plural = _("accepted blank answers")
        ordering = ["version", "blank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "blank", "text"], name="blankanswer_unique_text"
            ),
            models.CheckConstraint(condition=Q(blank__gte=1), name="blankanswer_blank_positive"),
            models.CheckConstraint(condition=~Q(text=""), name="blankanswer_text_not_empty"),
            models.CheckConstraint(
                condition=Q(credit__gte=0, credit__lte=100), name="blankanswer_credit_0_100"
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True, tolerance__isnull=True, is_range=False)
                | Q(number__isnull=False, tolerance__gte=0),
                name="blankanswer_numeric_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.blank}] {self.text}"


class ImportBatch(models.Model):
    """One uploaded question file on its way into a bank: parsed into a preview
    (``pending``), then either imported in one transaction or cancelled. The file's bytes
    are kept only while pending. A file (by SHA-256) is imported into a bank at most once:
    a partial unique index says so."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for confirmation")
        IMPORTED = "imported", _("imported")
        CANCELLED = "cancelled", _("cancelled")

    bank = models.ForeignKey(
        QuestionBank,
        verbose_name=_("bank"),
        on_delete=models.CASCADE,
        related_name="import_batches",
    )
    filename = models.CharField(_("file name"), max_length=255)
    format = models.CharField(_("format"), max_length=32)
    checksum = models.CharField(
        _("checksum"), max_length=64, help_text=_("SHA-256 of the uploaded file.")
    )
    data = models.BinaryField(_("file contents"), blank=True, default=b"")
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    question_count = models.PositiveIntegerField(_("questions imported"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("imported or cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("question import")
        verbose_name_plural = _("question imports")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "imported", "cancelled"]),
                name="import_state_valid",
            ),
            models.UniqueConstraint(
                fields=["bank", "checksum"],
                condition=Q(state="imported"),
                name="import_file_once_per_bank",
                violation_error_message=_("This file has already been imported into this bank."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} → {self.bank}"
