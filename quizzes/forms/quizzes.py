"""Forms of the quiz pages: a quiz's settings, the question picker's ticks, a
random-draw rule, a slot's points and the assignment of a quiz to groups. Forms only read
and check input; the views hand the cleaned data to ``quizzes.services.quizzes``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quizzes.forms.common import DIFFICULTY_CHOICES, KIND_CHOICES, key_point_choices, labels, lines
from quizzes.models import KeyPoint, QuestionBank, Quiz, StudyGroup
from quizzes.selectors.groups import tree_order

# --- Quizzes --------------------------------------------------------------------------


def _points_each() -> forms.DecimalField:
    """The points each added question (or drawn question) is worth."""
    return forms.DecimalField(
        label=_("Points each"),
        min_value=Decimal("0.01"),
        max_digits=6,
        decimal_places=2,
        initial=Decimal(1),
    )


class QuizForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit (minutes)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        help_text=_("Empty for no time limit."),
    )
    attempts_allowed = forms.IntegerField(
        label=_("Attempts allowed"),
        min_value=0,
        max_value=100,
        initial=1,
        help_text=_("0 for unlimited attempts."),
    )
    pass_mark = forms.DecimalField(
        label=_("Pass mark (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(60),
    )
    shuffle_questions = forms.BooleanField(label=_("Shuffle questions"), required=False)
    shuffle_choices = forms.BooleanField(label=_("Shuffle choices"), required=False, initial=True)
    grading_method = forms.ChoiceField(
        label=_("Grade of a learner with several attempts"),
        choices=labels(Quiz.GradingMethod.choices),
        initial=Quiz.GradingMethod.HIGHEST,
        widget=forms.RadioSelect,
    )
    feedback_timing = forms.ChoiceField(
        label=_("Learners see correctness and answers"),
        choices=labels(Quiz.FeedbackTiming.choices),
        initial=Quiz.FeedbackTiming.AFTER_SUBMIT,
        widget=forms.RadioSelect,
    )

    def clean_description(self) -> str:
        return lines(self.cleaned_data["description"])

    def settings(self) -> dict:
        """Keyword arguments for ``quiz_create`` / ``quiz_update``."""
        data = dict(self.cleaned_data)
        minutes = data.pop("time_limit_minutes")
        data["time_limit"] = timedelta(minutes=minutes) if minutes else None
        return data

    @staticmethod
    def initial_from(quiz: Quiz) -> dict:
        minutes = int(quiz.time_limit.total_seconds() // 60) if quiz.time_limit else None
        return {
            "title": quiz.title,
            "description": quiz.description,
            "time_limit_minutes": minutes,
            "attempts_allowed": quiz.attempts_allowed,
            "pass_mark": quiz.pass_mark,
            "shuffle_questions": quiz.shuffle_questions,
            "shuffle_choices": quiz.shuffle_choices,
            "grading_method": quiz.grading_method,
            "feedback_timing": quiz.feedback_timing,
        }


class AddQuestionsForm(forms.Form):
    """The questions ticked in the quiz builder's picker."""

    questions = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={
            "required": _("Tick at least one question to add."),
        },
    )
    pin_current = forms.BooleanField(
        label=_("Pin to the current version"),
        required=False,
        help_text=_("Later edits of these questions will not change this quiz."),
    )
    points = _points_each()

    def __init__(self, *args, question_ids: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questions"].choices = [(pk, str(pk)) for pk in question_ids]


class RuleForm(forms.Form):
    """A random-draw rule: how many questions, from which bank, matching what."""

    draw_count = forms.IntegerField(
        label=_("Questions to draw"), min_value=1, max_value=200, initial=5
    )
    bank = forms.ChoiceField(label=_("From bank"))
    key_point = forms.ChoiceField(label=_("Only key point"), required=False)
    kind = forms.ChoiceField(
        label=_("Only kind"), required=False, choices=[("", _("Any kind")), *KIND_CHOICES]
    )
    difficulty = forms.TypedChoiceField(
        label=_("Only difficulty"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any difficulty")), *DIFFICULTY_CHOICES],
    )
    points = _points_each()

    def __init__(
        self, *args, banks: list[QuestionBank], key_points: list[KeyPoint], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.banks = {str(b.pk): b for b in banks}
        self.key_points = {str(kp.pk): kp for kp in key_points}
        self.fields["bank"].choices = [(pk, b.title) for pk, b in self.banks.items()]
        titles = {b.pk: b.title for b in banks} if len(banks) > 1 else None
        choices = key_point_choices(key_points, bank_titles=titles)
        choices[0] = ("", _("Any key point"))
        self.fields["key_point"].choices = choices

    def clean_bank(self) -> QuestionBank:
        return self.banks[self.cleaned_data["bank"]]

    def clean_key_point(self) -> KeyPoint | None:
        value = self.cleaned_data.get("key_point")
        return self.key_points[value] if value else None

    def clean(self) -> dict:
        data = super().clean()
        bank, key_point = data.get("bank"), data.get("key_point")
        if bank is not None and key_point is not None and key_point.document.bank_id != bank.pk:
            self.add_error("key_point", _("This key point belongs to another bank."))
        return data


class SlotPointsForm(forms.Form):
    points = forms.DecimalField(
        label=_("Points"), min_value=Decimal("0.01"), max_digits=6, decimal_places=2
    )


class AssignForm(forms.Form):
    """Assign a quiz to one or more groups (each reaches the groups below it) for a time
    window. The groups are offered in tree order; ``group_options`` feeds the template's
    indented checkbox list."""

    groups = forms.MultipleChoiceField(
        label=_("Groups"),
        help_text=_(
            "Sub-groups are included: choosing a group assigns the quiz to every group below it."
        ),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one group.")},
    )
    opens_at = forms.DateTimeField(
        label=_("Opens"),
        initial=timezone.now,  # shown in the reader's time zone, to the minute
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    due_at = forms.DateTimeField(
        label=_("Due"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    # Indentation stops here; deeper groups still show their parent's name.
    MAX_INDENT = 6

    def __init__(self, *args, groups: list[StudyGroup], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ordered = tree_order(groups=groups)
        self.groups = {str(group.pk): group for group, _depth in ordered}
        self.depths = {str(group.pk): depth for group, depth in ordered}
        self.fields["groups"].choices = [
            (pk, _group_label(group)) for pk, group in self.groups.items()
        ]

    @property
    def group_options(self) -> list[dict]:
        chosen = set(self["groups"].value() or [])
        return [
            {
                "value": pk,
                "name": group.name,
                "parent": group.parent.name if group.parent_id else "",
                "indent": min(self.depths[pk], self.MAX_INDENT),
                "checked": pk in chosen,
                "id": f"{self['groups'].auto_id}_{index}",
            }
            for index, (pk, group) in enumerate(self.groups.items())
        ]

    def clean_groups(self) -> list[StudyGroup]:
        return [self.groups[pk] for pk in self.cleaned_data["groups"]]

    def clean(self) -> dict:
        data = super().clean()
        opens_at, due_at = data.get("opens_at"), data.get("due_at")
        if opens_at and due_at and due_at <= opens_at:
            self.add_error("due_at", _("The due time must be after the opening time."))
        return data


def _group_label(group: StudyGroup) -> str:
    if group.parent_id:
        return _("%(group)s (part of %(parent)s)") % {
            "group": group.name,
            "parent": group.parent.name,
        }
    return group.name
