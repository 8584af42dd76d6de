"""Quizzes and their ordered slots."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .banks import Question, QuestionKind, QuestionVersion


class Quiz(models.Model):
    class FeedbackTiming(models.TextChoices):
        IMMEDIATE = "immediate", _("immediately after each question")
        AFTER_SUBMIT = "after_submit", _("after the attempt is submitted")
        AFTER_DUE = "after_due", _("after the due date")

    class GradingMethod(models.TextChoices):
        HIGHEST = "highest", _("highest attempt")
        LAST = "last", _("last attempt")
        FIRST = "first", _("first attempt")
        AVERAGE = "average", _("average of attempts")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="quizzes",
    )
    time_limit = models.DurationField(
        _("time limit"), null=True, blank=True, help_text=_("Empty for no time limit.")
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=1, help_text=_("0 for unlimited attempts.")
    )
    pass_mark = models.DecimalField(
        _("pass mark (%)"), max_digits=5, decimal_places=2, default=Decimal("60")
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_choices = models.BooleanField(_("shuffle choices"), default=True)
    feedback_timing = models.CharField(
        _("learners see correctness and answers"),
        max_length=16,
        choices=FeedbackTiming.choices,
        default=FeedbackTiming.AFTER_SUBMIT,
    )
    grading_method = models.CharField(
        _("grading method"),
        max_length=16,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0, pass_mark__lte=100), name="quiz_pass_mark_0_100"
            ),
            models.CheckConstraint(
                condition=Q(time_limit__isnull=True) | Q(time_limit__gt=timedelta(0)),
                name="quiz_time_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(feedback_timing__in=["immediate", "after_submit", "after_due"]),
                name="quiz_feedback_timing_valid",
            ),
            models.CheckConstraint(
                condition=Q(grading_method__in=["highest", "last", "first", "average"]),
                name="quiz_grading_method_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class QuizSlot(models.Model):
    """A place in a quiz: either a fixed question or a random-draw rule.

    A fixed slot shows ``pinned_version`` when set, else the question's newest version when
    an attempt starts. A rule slot ("draw ``draw_count`` random published questions of
    ``draw_bank`` matching these filters") is drawn per attempt, least-seen first."""

    quiz = models.ForeignKey(
        Quiz, verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="slots"
    )
    position = models.PositiveIntegerField(_("position"))
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="slots",
    )
    pinned_version = models.ForeignKey(
        QuestionVersion,
        verbose_name=_("pinned version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty to follow the newest published version."),
    )
    points = models.DecimalField(
        _("points"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        help_text=_("Points of each question this slot shows."),
    )
    draw_count = models.PositiveSmallIntegerField(_("questions to draw"), null=True, blank=True)
    draw_bank = models.ForeignKey(
        "quizzes.QuestionBank",
        verbose_name=_("draw from bank"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    draw_key_point = models.ForeignKey(
        "quizzes.KeyPoint",
        verbose_name=_("only key point"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    draw_kind = models.CharField(
        _("only kind"), max_length=16, choices=QuestionKind.choices, blank=True
    )
    draw_difficulty = models.PositiveSmallIntegerField(_("only difficulty"), null=True, blank=True)

    class Meta:
        verbose_name = _("quiz slot")
        verbose_name_plural = _("quiz slots")
        ordering = ["quiz", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "position"], name="slot_unique_position"),
            models.UniqueConstraint(fields=["quiz", "question"], name="slot_unique_question"),
            models.CheckConstraint(condition=Q(points__gt=0), name="slot_points_positive"),
            models.CheckConstraint(
                condition=(
                    Q(
                        question__isnull=False,
                        draw_count__isnull=True,
                        draw_bank__isnull=True,
                        draw_key_point__isnull=True,
                        draw_kind="",
                        draw_difficulty__isnull=True,
                    )
                    | Q(
                        question__isnull=True,
                        pinned_version__isnull=True,
                        draw_count__gte=1,
                        draw_bank__isnull=False,
                    )
                ),
                name="slot_fixed_or_rule",
            ),
            models.CheckConstraint(
                condition=Q(draw_difficulty__isnull=True)
                | Q(draw_difficulty__gte=1, draw_difficulty__lte=5),
                name="slot_draw_difficulty_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} #{self.position}"

    @property
    def is_rule(self) -> bool:
        return self.question_id is None
