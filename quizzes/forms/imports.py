"""Forms of the question interchange pages: the file to import and how to save its
questions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quizzes.services import imports as import_services


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Question file"),
        # An empty file reaches the service, which says so in its own words.
        allow_empty_file=True,
        help_text=_(
            "GIFT or Moodle XML exported from Moodle, Aiken, a Chinese plain-text bank "
            "(一、单选题 … 答案：B), or our Excel/CSV template."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".gift,.txt,.xml,.xlsx,.csv,.tsv"}),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Detect from the file")), *import_services.FORMAT_LABELS.items()],
    )


class ImportConfirmForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Save the questions as"),
        choices=[
            ("draft", _("Drafts: I review them before learners see them")),
            ("published", _("Published: ready for quizzes now")),
        ],
        initial="draft",
        widget=forms.RadioSelect,
    )
