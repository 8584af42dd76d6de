"""Organizer pages for documents: upload (file or pasted text), the document page with its
key points and generation progress, retry and delete, and the review queue of generated
drafts.

Views stay thin: the forms check input, ``services.documents`` extracts and writes,
``selectors.documents`` reads. A bank's documents and drafts open to the bank's owner and
staff (``can_view_bank``); anyone else signed in gets 404, anonymous visitors the log-in.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from quizzes.forms import KIND_CHOICES, key_point_choices, shorten
from quizzes.models import GenerationJob, Language, QuestionBank, RejectionReason, SourceDocument
from quizzes.selectors.access import can_view_bank
from quizzes.selectors.documents import (
    ReviewFilters,
    document_duplicates,
    document_key_points,
    document_latest_job,
    document_usage,
    job_progress,
    review_counts,
    review_documents,
    review_key_points,
    review_per_document,
    review_queue_page,
    review_tally,
    text_segments,
)
from quizzes.services import documents as document_services

LANGUAGE_CHOICES = [(document_services.AUTO_LANGUAGE, _("Detect automatically")), *Language.choices]


class DocumentUploadForm(forms.Form):
    """A document file or pasted text (one of the two), an optional title and language.

    ``upload_anyway`` confirms a text that is already in another of the owner's banks;
    ``pending`` names a file already read for that confirmation (``pending_upload``), so
    that it need not be chosen again."""

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

    def __init__(self, *args, pending_upload: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pending_upload = pending_upload

    def main_fields(self):
        return [field for field in self if field.name not in self.CONFIRM_FIELDS]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        pasted = cleaned.get("text") or ""
        if upload and pasted.strip():
            raise ValidationError(
                _("Upload a file or paste the text, not both."), code="both_given"
            )
        if upload:
            # Refused before a byte is read.
            if upload.size > document_services.upload_limits().max_bytes:
                raise document_services.upload_too_large(upload.size)
            data = upload.read()
            extracted = document_services.document_extract(data=data, filename=upload.name)
            cleaned["extracted_text"] = extracted.text
            cleaned["extracted_title"] = extracted.title
            cleaned["extracted_warnings"] = extracted.warnings
            cleaned["filename"] = upload.name
        elif pasted.strip():
            cleaned["extracted_text"] = document_services.pasted_text_clean(pasted)
            cleaned["extracted_title"] = ""
            cleaned["filename"] = ""
        elif self.pending_upload is not None:
            # The file read at the duplicate warning, confirmed now.
            cleaned["extracted_text"] = self.pending_upload["text"]
            cleaned["extracted_title"] = self.pending_upload["title"]
            cleaned["filename"] = self.pending_upload["filename"]
        elif cleaned.get("pending"):
            raise ValidationError(
                _("The file read a moment ago is no longer held; choose it again."),
                code="pending_expired",
            )
        else:
            raise ValidationError(_("Upload a file or paste the text."), code="nothing_given")
        # Too long to generate from: refused before anything is saved.
        document_services.document_text_check(text=cleaned["extracted_text"])
        return cleaned


class LenientChoiceField(forms.ChoiceField):
    """A filter's ``<select>`` that takes any value: a stale or hand-edited value filters
    the queue to nothing, which the page says in words, instead of a red form error."""

    def valid_value(self, value) -> bool:
        return True


# A file read at the duplicate warning is held this long for its confirmation.
PENDING_SECONDS = 3600


def _pending_key(request: HttpRequest, bank: QuestionBank, token: str) -> str:
    return f"studyapp:document-pending:v1:{request.user.pk}:{bank.pk}:{token}"


def _pending_hold(request: HttpRequest, bank: QuestionBank, data: dict) -> str:
    """Hold an uploaded file's extracted text in the cache (not the database: nothing is
    saved before the organizer confirms) and return the token that finds it again."""
    token = secrets.token_urlsafe(18)
    held = {
        "text": data["extracted_text"],
        "title": data["extracted_title"],
        "filename": data["filename"],
    }
    cache.set(_pending_key(request, bank, token), held, PENDING_SECONDS)
    return token


def _pending_find(request: HttpRequest, bank: QuestionBank) -> dict | None:
    token = request.POST.get("pending", "")
    if not token or len(token) > 64:
        return None
    return cache.get(_pending_key(request, bank, token))


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


# A document's title in the queue's document filter.
DOCUMENT_TITLE_CHARS = 60
# At most this many drafts per document, however far "show more" is followed.
REVIEW_SHOW_MAX = 2000


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
    """Upload a document or paste its text; on success, generation starts in the background
    and the document page shows it. The same text already in this bank is refused with a
    link to it; in another of the owner's banks, a warning asks to confirm."""
    bank = bank_or_404(request, pk)
    pending_upload = _pending_find(request, bank) if request.method == "POST" else None
    form = DocumentUploadForm(
        request.POST or None, request.FILES or None, pending_upload=pending_upload
    )
    context = {"bank": bank, "form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = document_duplicates(bank=bank, text=data["extracted_text"])
        if duplicates.in_bank is not None:
            context["duplicate"] = duplicates.in_bank
            status = 400
        elif duplicates.elsewhere and not data["upload_anyway"]:
            context["elsewhere"] = duplicates.elsewhere
            if data["filename"]:
                context["pending"] = _pending_hold(request, bank, data)
                context["pending_filename"] = data["filename"]
        else:
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
                status = 400
            else:
                # Says nothing of the job's state: the document page shows that, live.
                messages.success(request, _("The document was saved."))
                warnings = data.get("extracted_warnings", [])
                for warning in document_services.ingest_warning_messages(warnings):
                    messages.warning(request, warning)
                return redirect("quizzes:document_detail", pk=job.document_id)
    elif request.method == "POST":
        status = 400
    return render(request, "quizzes/document_form.html", context, status=status)


def _latest_job(document: SourceDocument) -> GenerationJob | None:
    """The document's latest job, failed first if it is stale (the embedded set-up has no
    periodic check; this costs no query unless the job looks stale)."""
    job = document_latest_job(document=document)
    if job is not None and document_services.generation_job_is_stale(job):
        document_services.generation_jobs_fail_stale(document=document)
        job.refresh_from_db()
    return job


@login_required
@require_safe
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The document's text with its key points marked, and its generation progress; a
    failed generation shows why, with Retry and Delete."""
    document = _document_or_404(request, pk)
    job = _latest_job(document)
    key_points = document_key_points(document=document)
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
            "review_tally": next(
                iter(review_tally(bank=document.bank, document_id=document.pk)), None
            ),
        },
    )


@login_required
@require_safe
def document_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """The latest generation job's state as JSON, polled by the document page."""
    document = _document_or_404(request, pk, with_text=False)
    response = JsonResponse(job_progress(_latest_job(document)))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def document_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue generation again after a failure; a second click queues nothing more."""
    document = _document_or_404(request, pk, with_text=False)
    before = document_latest_job(document=document)
    job = document_services.generation_retry(document=document, requested_by=request.user)
    if before is None or job.pk != before.pk:
        messages.success(request, _("Generation was started again."))
    elif job.is_active:
        messages.info(request, _("Generation is already under way."))
    return redirect("quizzes:document_detail", pk=document.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then delete a document with its key points, jobs and generated questions;
    refused while a quiz or an attempt uses one of its questions."""
    document = _document_or_404(request, pk, with_text=False)
    bank = document.bank
    status = 200
    if request.method == "POST":
        try:
            document_services.document_delete(document=document)
        except ValidationError:
            # Put in use since the page was shown: the page now says so and why.
            status = 400
        else:
            messages.success(
                request, _("The document “%(title)s” was deleted.") % {"title": document.title}
            )
            return redirect("quizzes:bank_questions", pk=bank.pk)
    return render(
        request,
        "quizzes/document_delete.html",
        {"bank": bank, "document": document, "usage": document_usage(document=document)},
        status=status,
    )


def _review_url(bank: QuestionBank, request: HttpRequest) -> str:
    url = reverse("quizzes:review_queue", kwargs={"pk": bank.pk})
    query = request.POST.get("next_query", "")
    return f"{url}?{query}" if query and "\n" not in query else url


def _requested_id(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def _per_document(request: HttpRequest) -> int:
    """How many drafts of each document to show: the default, or what "show more" asked."""
    default = review_per_document()
    value = request.GET.get("show", "")
    if not value.isdigit() or len(value) > 6:
        return default
    return min(max(int(value), default), REVIEW_SHOW_MAX)


@login_required
@require_safe
def review_queue(request: HttpRequest, pk: int) -> HttpResponse:
    """Generated drafts waiting for review, best first, a number per document with "show
    more"; siblings together under their source passage."""
    bank = bank_or_404(request, pk)
    document_id = _requested_id(request, "document")
    filter_form = ReviewFilterForm(
        request.GET,
        documents=review_documents(bank=bank),
        key_points=review_key_points(
            bank=bank, document_id=document_id, selected_id=_requested_id(request, "key_point")
        ),
    )
    filters = filter_form.filters()
    per_document = _per_document(request)
    queue = review_queue_page(bank=bank, filters=filters, per_document=per_document)
    return render(
        request,
        "quizzes/review_queue.html",
        {
            "bank": bank,
            "queue": queue,
            "filters": filters,
            "filter_form": filter_form,
            "counts": review_counts(bank=bank),
            "next_show": min(per_document + review_per_document(), REVIEW_SHOW_MAX),
            "rejection_reasons": RejectionReason.choices,
            "note_max": document_services.REJECTION_NOTE_MAX,
        },
    )


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject (with a reason) one draft, the selected drafts, or — with "all
    shown", the path that works without JavaScript — every draft the page showed."""
    bank = bank_or_404(request, pk)
    decision = request.POST.get("decision", "")
    field = "shown" if request.POST.get("all_shown") else "questions"
    question_ids = [int(v) for v in request.POST.getlist(field) if v.isdigit() and len(v) < 12]
    if decision not in document_services.REVIEW_DECISIONS or not question_ids:
        messages.error(request, _("Select at least one draft."))
        return redirect(_review_url(bank, request))
    try:
        changed = document_services.review_decide(
            bank=bank,
            question_ids=question_ids,
            decision=decision,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_review_url(bank, request))
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
