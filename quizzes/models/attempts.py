"""Attempts, the items they showed (pinning exact question versions), learner results and
the audit trail of deliberate score changes."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .banks import Choice, KeyPoint, Question, QuestionVersion
from .groups import Assignment
from .quizzes import QuizSlot

SCORE_DIGITS = {"max_digits": 10, "decimal_places": 4}


class Attempt(models.Model):
    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        FINISHED = "finished", _("finished")
        ABANDONED = "abandoned", _("abandoned")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="attempts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="attempts",
    )
    number = models.PositiveSmallIntegerField(_("attempt number"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    score = models.DecimalField(_("score"), null=True, blank=True, **SCORE_DIGITS)
    max_score = models.DecimalField(_("maximum score"), **SCORE_DIGITS)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["-started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "user"],
                condition=Q(state="in_progress"),
                name="attempt_one_open_per_learner",
            ),
            models.UniqueConstraint(
                fields=["assignment", "user", "number"], name="attempt_unique_number"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="attempt_number_positive"),
            models.CheckConstraint(
                condition=Q(state__in=["in_progress", "finished", "abandoned"]),
                name="attempt_state_valid",
            ),
            models.CheckConstraint(condition=Q(max_score__gte=0), name="attempt_max_score_valid"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=F("max_score")),
                name="attempt_score_within_bounds",
            ),
            models.CheckConstraint(
                condition=~Q(state="finished") | Q(finished_at__isnull=False, score__isnull=False),
                name="attempt_finished_has_time_and_score",
            ),
            models.CheckConstraint(
                condition=~Q(state="in_progress") | Q(finished_at__isnull=True, score__isnull=True),
                name="attempt_open_has_no_finish",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=F("started_at")),
                name="attempt_finish_after_start",
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__gt=F("started_at")),
                name="attempt_deadline_after_start",
            ),
        ]

    def __str__(self) -> str:
        return _("%(user)s, attempt %(number)s at %(assignment)s") % {
            "user": self.user,
            "number": self.number,
            "assignment": self.assignment,
        }

    @property
    def percent(self):
        if self.score is None or not self.max_score:
            return None
        return self.score * 100 / self.max_score


class AttemptItem(models.Model):
    """One question as shown in one attempt, pinned to the exact version shown."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveIntegerField(_("position"))
    slot = models.ForeignKey(
        QuizSlot,
        verbose_name=_("quiz slot"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    question_version = models.ForeignKey(
        QuestionVersion,
        verbose_name=_("question version"),
        on_delete=models.PROTECT,
        related_name="attempt_items",
    )
    # Copied from the question when the attempt starts, so that the database itself holds
    # the rule "one question per key point in an attempt": questions on one key point
    # come from the same passage and give each other away. Empty when the question has
    # no key point, and for items made before it was recorded (migration 0008).
    key_point = models.ForeignKey(
        KeyPoint,
        verbose_name=_("key point"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    score = models.DecimalField(_("score"), null=True, blank=True, **SCORE_DIGITS)
    sequence = models.PositiveIntegerField(
        _("save sequence"), default=0, help_text=_("Number of the newest accepted save.")
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    checked_at = models.DateTimeField(
        _("checked at"),
        null=True,
        blank=True,
        help_text=_(
            "With immediate feedback: when the learner checked the answer, which locks it."
        ),
    )

    class Meta:
        verbose_name = _("attempt item")
        verbose_name_plural = _("attempt items")
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="item_unique_position"),
            models.UniqueConstraint(fields=["attempt", "question"], name="item_unique_question"),
            models.UniqueConstraint(
                fields=["attempt", "key_point"],
                condition=Q(key_point__isnull=False),
                name="item_one_per_key_point",
            ),
            models.CheckConstraint(condition=Q(points__gt=0), name="item_points_positive"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=F("points")),
                name="item_score_within_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.position}: {self.question_version}"


class AttemptChoice(models.Model):
    """A choice as shown in an attempt item: its fixed position and whether it is selected."""

    item = models.ForeignKey(
        AttemptItem,
        verbose_name=_("attempt item"),
        on_delete=models.CASCADE,
        related_name="choices",
    )
    choice = models.ForeignKey(
        Choice, verbose_name=_("choice"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    selected = models.BooleanField(_("selected"), default=False)

    class Meta:
        verbose_name = _("shown choice")
        verbose_name_plural = _("shown choices")
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "position"], name="attemptchoice_unique_pos"),
            models.UniqueConstraint(fields=["item", "choice"], name="attemptchoice_unique_choice"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.choice}"


class AttemptBlank(models.Model):
    """What a learner typed into one blank of an attempt item."""

    item = models.ForeignKey(
        AttemptItem, verbose_name=_("attempt item"), on_delete=models.CASCADE, related_name="blanks"
    )
    blank = models.PositiveSmallIntegerField(_("blank number"))
    response = models.CharField(_("response"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("blank response")
        verbose_name_plural = _("blank responses")
        ordering = ["item", "blank"]
        constraints = [
            models.UniqueConstraint(fields=["item", "blank"], name="attemptblank_unique_blank"),
            models.CheckConstraint(condition=Q(blank__gte=1), name="attemptblank_blank_positive"),
        ]

    def __str__(self) -> str:
        return f"[{self.blank}] {self.response}"


class AssignmentResult(models.Model):
    """A learner's standing on an assignment, by the quiz's grading method. Kept up to date
    by the attempt services whenever an attempt finishes or is regraded."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="results"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="assignment_results",
    )
    attempts_finished = models.PositiveSmallIntegerField(_("finished attempts"), default=0)
    score = models.DecimalField(_("score"), null=True, blank=True, **SCORE_DIGITS)
    max_score = models.DecimalField(_("maximum score"), **SCORE_DIGITS)
    percent = models.DecimalField(
        _("percent"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    best_percent = models.DecimalField(
        _("best percent"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    time_spent = models.DurationField(
        _("time spent"),
        null=True,
        blank=True,
        help_text=_("Time from start to finish, summed over finished attempts."),
    )
    first_started_at = models.DateTimeField(_("first started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("assignment result")
        verbose_name_plural = _("assignment results")
        ordering = ["assignment", "user"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "user"], name="result_unique_learner"),
            models.CheckConstraint(condition=Q(max_score__gte=0), name="result_max_score_valid"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=F("max_score")),
                name="result_score_within_bounds",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100),
                name="result_percent_0_100",
            ),
            models.CheckConstraint(
                condition=Q(best_percent__isnull=True)
                | Q(best_percent__gte=0, best_percent__lte=100),
                name="result_best_percent_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.assignment}"


class Regrade(models.Model):
    """An organizer's deliberate regrade of one question in one assignment to a fixed
    version, after a wrong key was found. Its score changes are its ``ScoreChange`` rows."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="regrades"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    to_version = models.ForeignKey(
        QuestionVersion,
        verbose_name=_("regraded to version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("regraded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("regraded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("regrade")
        verbose_name_plural = _("regrades")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="regrade_reason_required"),
        ]

    def __str__(self) -> str:
        return _("regrade %(id)s") % {"id": self.pk}


class ScoreChange(models.Model):
    """Audit row for every deliberate change of a finished attempt's score (a regrade)."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("attempt"), on_delete=models.PROTECT, related_name="score_changes"
    )
    regrade = models.ForeignKey(
        Regrade,
        verbose_name=_("regrade"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="score_changes",
    )
    old_score = models.DecimalField(_("old score"), **SCORE_DIGITS)
    new_score = models.DecimalField(_("new score"), **SCORE_DIGITS)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)

    class Meta:
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")
        ordering = ["-changed_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="scorechange_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt}: {self.old_score} → {self.new_score}"
