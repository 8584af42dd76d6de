"""Forms of the document pages: the upload (a file or pasted text) and the review queue's
filters. Forms only read and check input: reading a file, comparing its text with the
bank's documents and storing it is ``quizzes.services.documents.document_upload``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from quizzes.forms.common import KIND_CHOICES, key_point_choices, shorten
from quizzes.models import Language
from quizzes.selectors.documents import ReviewFilters
from quizzes.services import documents as document_services

LANGUAGE_CHOICES = [(document_services.AUTO_LANGUAGE, _("Detect automatically")), *Language.choices]


class DocumentUploadForm(forms.Form):
    """A document file or pasted text (one of the two), an optional title and language.

    ``upload_anyway`` confirms a text that is already in another of the owner's banks;
    ``pending`` names a file already read for that confirmation, so that it need not be
    chosen again."""

    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=300,
        help_text=_("Optional; the first line of the text is used when it is left empty."),
    )
    file = forms.FileField(
        label=_("Document file"),
        required=False,
        # An empty file reaches ingest, which says so in its own words.
        allow_empty_file=True,
        help_text=_(".txt (UTF-8, GB18030 or GBK), .docx, .pdf, .md or .html"),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx,.pdf,.md,.html,.htm"}),
    )
    text = forms.CharField(
        label=_("Or paste the text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=LANGUAGE_CHOICES, initial=document_services.AUTO_LANGUAGE
    )
    upload_anyway = forms.BooleanField(
        label=_("Upload anyway"),
        required=False,
        help_text=_("Add this text to this bank too, as a document of its own."),
    )
    pending = forms.CharField(required=False, widget=forms.HiddenInput)

    CONFIRM_FIELDS = ("upload_anyway", "pending")

    def main_fields(self):
        return [field for field in self if field.name not in self.CONFIRM_FIELDS]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload and (cleaned.get("text") or "").strip():
            raise ValidationError(
                _("Upload a file or paste the text, not both."), code="both_given"
            )
        if upload and upload.size > document_services.upload_limits().max_bytes:
            # Refused before a byte is read.
            raise document_services.upload_too_large(size=upload.size)
        return cleaned


class LenientChoiceField(forms.ChoiceField):
    """A filter's ``<select>`` that takes any value: a stale or hand-edited value filters
    the queue to nothing, which the page says in words, instead of a red form error."""

    def valid_value(self, value) -> bool:
        return True


# A document's title in the queue's document filter.
DOCUMENT_TITLE_CHARS = 60


class ReviewFilterForm(forms.Form):
    """The review queue's filters, submitted with GET: document, key point, kind. Never
    invalid: ``filters()`` reads whatever was sent."""

    document = LenientChoiceField(label=_("Document"), required=False)
    key_point = LenientChoiceField(label=_("Key point"), required=False)
    kind = LenientChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *KIND_CHOICES]
    )

    def __init__(self, *args, documents=(), key_points=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = [("", _("Any document"))] + [
            (str(document.pk), shorten(document.title, DOCUMENT_TITLE_CHARS))
            for document in documents
        ]
        choices = key_point_choices(key_points)
        choices[0] = ("", _("Any key point"))
        self.fields["key_point"].choices = choices

    def filters(self) -> ReviewFilters:
        """The filters asked for. An id that is not a number is kept as one that matches
        nothing (0), so that the queue is empty rather than unfiltered."""
        data = self.data if self.is_bound else {}

        def number(name: str) -> int | None:
            value = (data.get(name) or "").strip()
            if not value:
                return None
            return int(value) if value.isdigit() and len(value) < 12 else 0

        return ReviewFilters(
            document=number("document"),
            key_point=number("key_point"),
            kind=(data.get("kind") or "").strip()[:32],
        )
