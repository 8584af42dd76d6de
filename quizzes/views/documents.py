"""Organizer pages for documents: upload (file or pasted text), the document page with its
key points and generation progress, and the review queue of generated drafts.

Views stay thin: the forms check input, ``services.documents`` extracts and writes,
``selectors.documents`` reads. A bank's documents and drafts open to the bank's owner and
staff (``can_view_bank``); anyone else signed in gets 404, anonymous visitors the log-in.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from quizzes.models import Language, QuestionBank, QuestionKind, SourceDocument
from quizzes.selectors.access import can_view_bank
from quizzes.selectors.banks import choice_letter
from quizzes.selectors.documents import (
    document_key_points,
    document_latest_job,
    job_progress,
    review_counts,
    review_key_points,
    review_queue_page,
    text_segments,
)
from quizzes.services import documents as document_services

LANGUAGE_CHOICES = [(document_services.AUTO_LANGUAGE, _("Detect automatically")), *Language.choices]


class DocumentUploadForm(forms.Form):
    """A document file or pasted text (one of the two), an optional title and language."""

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

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        pasted = cleaned.get("text") or ""
        if upload and pasted.strip():
            raise ValidationError(
                _("Upload a file or paste the text, not both."), code="both_given"
            )
        if not upload and not pasted.strip():
            raise ValidationError(_("Upload a file or paste the text."), code="nothing_given")
        if upload:
            # Refused before a byte is read.
            if upload.size > document_services.upload_limits().max_bytes:
                raise document_services.upload_too_large(upload.size)
            data = upload.read()
            extracted = document_services.document_extract(data=data, filename=upload.name)
            cleaned["extracted_text"] = extracted.text
            cleaned["extracted_title"] = extracted.title
            cleaned["filename"] = upload.name
        else:
            cleaned["extracted_text"] = document_services.pasted_text_clean(pasted)
            cleaned["extracted_title"] = ""
            cleaned["filename"] = ""
        return cleaned


class ReviewFilterForm(forms.Form):
    key_point = forms.TypedChoiceField(label=_("Key point"), required=False, coerce=int)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *QuestionKind.choices]
    )

    def __init__(self, *args, key_points=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key_point"].choices = [("", _("Any key point"))] + [
            (point.pk, f"{point.document.title} · {point.ordinal}. {point.text[:60]}")
            for point in key_points
        ]


def bank_or_404(request: HttpRequest, pk: int) -> QuestionBank:
    bank = get_object_or_404(QuestionBank.objects.select_related("owner"), pk=pk)
    if not can_view_bank(request.user, bank):
        raise Http404
    return bank


def _document_or_404(request: HttpRequest, pk: int, *, with_text: bool = True) -> SourceDocument:
    documents = SourceDocument.objects.select_related("bank__owner")
    if not with_text:
        documents = documents.defer("text")
    document = get_object_or_404(documents, pk=pk)
    if not can_view_bank(request.user, document.bank):
        raise Http404
    return document


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a document or paste its text; on success, generation starts in the background."""
    bank = bank_or_404(request, pk)
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = document_services.document_upload(
                bank=bank,
                uploaded_by=request.user,
                text=data["extracted_text"],
                title=data["title"] or data["extracted_title"],
                language=data["language"],
                original_filename=data["filename"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The document was saved; its questions are being generated.")
            )
            return redirect("quizzes:document_detail", pk=job.document_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "quizzes/document_form.html", {"bank": bank, "form": form}, status=status
    )


@login_required
@require_safe
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The document's text with its key points marked, and its generation progress."""
    document = _document_or_404(request, pk)
    key_points = document_key_points(document=document)
    job = document_latest_job(document=document)
    return render(
        request,
        "quizzes/document_detail.html",
        {
            "bank": document.bank,
            "document": document,
            "job": job,
            "key_points": key_points,
            "segments": text_segments(text=document.text, key_points=key_points),
            "drafts_total": sum(point.draft_count for point in key_points),
        },
    )


@login_required
@require_safe
def document_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """The latest generation job's state as JSON, polled by the document page."""
    document = _document_or_404(request, pk, with_text=False)
    response = JsonResponse(job_progress(document_latest_job(document=document)))
    response["Cache-Control"] = "no-store"
    return response


def _review_url(bank: QuestionBank, request: HttpRequest) -> str:
    url = reverse("quizzes:review_queue", kwargs={"pk": bank.pk})
    query = request.POST.get("next_query", "")
    return f"{url}?{query}" if query and "\n" not in query else url


@login_required
@require_safe
def review_queue(request: HttpRequest, pk: int) -> HttpResponse:
    """Generated drafts waiting for review, each beside its source passage."""
    bank = bank_or_404(request, pk)
    filter_form = ReviewFilterForm(request.GET or None, key_points=review_key_points(bank=bank))
    key_point_id = kind = None
    if filter_form.is_bound and filter_form.is_valid():
        key_point_id = filter_form.cleaned_data["key_point"] or None
        kind = filter_form.cleaned_data["kind"] or None
    page_obj = review_queue_page(
        bank=bank, key_point_id=key_point_id, kind=kind, page_number=request.GET.get("page")
    )
    rows = []
    for question in page_obj.object_list:
        versions = list(question.versions.all())
        version = versions[-1] if versions else None
        rows.append(
            {
                "question": question,
                "version": version,
                "choices": [
                    {"letter": choice_letter(index), "choice": choice}
                    for index, choice in enumerate(version.choices.all() if version else [])
                ],
                "blank_answers": list(version.blank_answers.all()) if version else [],
            }
        )
    return render(
        request,
        "quizzes/review_queue.html",
        {
            "bank": bank,
            "page_obj": page_obj,
            "rows": rows,
            "filter_form": filter_form,
            "counts": review_counts(bank=bank),
        },
    )


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject one draft or the selected drafts."""
    bank = bank_or_404(request, pk)
    decision = request.POST.get("decision", "")
    question_ids = [int(v) for v in request.POST.getlist("questions") if v.isdigit()]
    if decision not in document_services.REVIEW_DECISIONS or not question_ids:
        messages.error(request, _("Select at least one draft."))
        return redirect(_review_url(bank, request))
    changed = document_services.review_decide(
        bank=bank, question_ids=question_ids, decision=decision
    )
    if decision == "approve":
        text = ngettext(
            "%(count)d draft approved and published.",
            "%(count)d drafts approved and published.",
            changed,
        )
    else:
        text = ngettext("%(count)d draft rejected.", "%(count)d drafts rejected.", changed)
    messages.success(request, text % {"count": changed})
    return redirect(_review_url(bank, request))
