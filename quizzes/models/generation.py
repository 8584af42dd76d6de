"""Background generation of key points and draft questions from a source document.

A ``GenerationJob`` is the visible state of one run of the generator over a document:
queued when the upload is saved, running while the Celery task works (with a progress
percentage and the stage it is in), then done or failed. The task writes key points and
draft questions in one transaction at the end, so a failed job leaves nothing half-saved.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
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
