"""Background generation of key points and draft questions from a source document.

A ``GenerationJob`` is the visible state of one run of the generator over a document:
queued when the upload is saved, running while the Celery task or the in-process worker
works (with a progress percentage, the stage it is in and a heartbeat), then done or
failed. The run writes key points and draft questions in one transaction at the end, so a
failed job leaves nothing half-saved. A failed job says why with ``error_code`` (and its
figures in ``error_params``), which pages translate; a retry is a new job.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from .banks import SourceDocument

# The generator's stage codes (see ``quizzes.generation``) as people read them.
GENERATION_STAGES = {
    "": _("waiting to start"),
    "prepare": _("reading the text"),
    "analyse": _("analysing sentences"),
    "key_points": _("finding key points"),
    "drafts": _("writing draft questions"),
    "gates": _("checking the drafts"),
    "saving": _("saving"),
    "done": _("finished"),
}

# Why a job failed, by ``GenerationJob.error_code``, as the organizer reads it. The
# budget messages take ``limit`` and ``found`` from ``error_params``.
GENERATION_FAILURES = {
    "budget_characters": _(
        "The document is too long to generate questions from: %(found)s characters, "
        "at most %(limit)s. Split it and upload the parts."
    ),
    "budget_candidates": _(
        "The document has too many possible answers to work through: %(found)s, "
        "at most %(limit)s. Split it and upload the parts."
    ),
    "budget_seconds": _(
        "Generating questions took longer than %(limit)s seconds, so it was stopped. "
        "Split the document and upload the parts."
    ),
    "stale": _(
        "Generation stopped without finishing (the server was restarted or the task was "
        "lost). Retry it."
    ),
    "busy": _(
        "The server is busy generating questions for other documents, so this one was not "
        "started. Retry it in a few minutes."
    ),
    "error": _(
        "Generation failed because of an error on the server. Retry it; if it fails again, "
        "tell the site's staff."
    ),
}


def generation_failure_message(code: str, params: dict | None = None) -> str:
    """The failure ``code`` as a sentence in the active language, its figures formatted
    for that language. An unknown code reads as the generic server error."""
    template = GENERATION_FAILURES.get(code, GENERATION_FAILURES["error"])
    figures = {
        key: number_format(int(value) if float(value).is_integer() else value, force_grouping=True)
        for key, value in (params or {}).items()
        if isinstance(value, int | float)
    }
    figures.setdefault("limit", "?")
    figures.setdefault("found", "?")
    return str(template) % figures


class GenerationJob(models.Model):
    """One run of the question generator over a document."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    document = models.ForeignKey(
        SourceDocument,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="generation_jobs",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress"), default=0, help_text=_("Per cent done, 0 to 100.")
    )
    stage = models.CharField(_("stage"), max_length=32, blank=True)
    error = models.TextField(_("error message"), blank=True)
    # Why it failed, as a code the pages translate ("budget_characters", "stale", …).
    error_code = models.CharField(_("error code"), max_length=32, blank=True)
    # The figures of that reason ({"limit": …, "found": …} for a budget), so that the
    # page can say it in the reader's language.
    error_params = models.JSONField(_("error figures"), default=dict, db_default={}, blank=True)
    # Written with each progress step: a running job whose heartbeat is old was abandoned.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    drafts_created = models.PositiveIntegerField(_("drafts created"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("generation job")
        verbose_name_plural = _("generation jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="generationjob_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100),
                name="generationjob_progress_0_100",
            ),
        ]

    def __str__(self) -> str:
        return _("Generation for %(document)s (%(status)s)") % {
            "document": self.document_id,
            "status": self.get_status_display(),
        }

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def stage_display(self) -> str:
        return str(GENERATION_STAGES.get(self.stage, self.stage))

    @property
    def failure_display(self) -> str:
        """Why the job failed, in the active language; empty unless it failed."""
        if self.status != self.Status.FAILED:
            return ""
        return generation_failure_message(self.error_code, self.error_params)
