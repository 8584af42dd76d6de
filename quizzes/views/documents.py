"""Organizer pages for documents: upload (file or pasted text), the document page with its
key points and generation progress, retry and delete, and the review queue of generated
drafts.

Views stay thin: the forms check input, ``services.documents`` extracts and writes (one
service, ``document_upload``, is the whole upload), ``selectors.documents`` reads. A
bank's documents and drafts open to the bank's owner and staff (``can_view_bank``);
anyone else signed in gets 404, anonymous visitors the log-in.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from quizzes.forms.documents import DocumentUploadForm, ReviewFilterForm
from quizzes.models import GenerationJob, QuestionBank, RejectionReason, SourceDocument
from quizzes.selectors.access import can_view_bank
from quizzes.selectors.documents import (
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
from quizzes.views.common import bank_or_404, say_error

# At most this many drafts per document, however far "show more" is followed.
REVIEW_SHOW_MAX = 2000


def _document_or_404(request: HttpRequest, pk: int, *, with_text: bool = True) -> SourceDocument:
    documents = SourceDocument.objects.select_related("bank__owner")
    if not with_text:
        documents = documents.defer("text")
    document = get_object_or_404(documents, pk=pk)
    if not can_view_bank(user=request.user, bank=document.bank):
        raise Http404
    return document


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a document or paste its text; on success, generation starts in the background
    and the document page shows it. The same text already in this bank is refused with a
    link to it; in another of the owner's banks, a warning asks to confirm."""
    bank = bank_or_404(request, pk)
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    context = {"bank": bank, "form": form}
    if request.method != "POST":
        return render(request, "quizzes/document_form.html", context)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            outcome = document_services.document_upload(
                bank=bank,
                uploaded_by=request.user,
                data=upload.read() if upload else None,
                filename=upload.name if upload else "",
                text=data["text"],
                pending=data["pending"],
                title=data["title"],
                language=data["language"],
                upload_anyway=data["upload_anyway"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if outcome.job is not None:
                # Says nothing of the job's state: the document page shows that, live.
                messages.success(request, _("The document was saved."))
                for warning in document_services.ingest_warning_messages(
                    warnings=list(outcome.warnings)
                ):
                    messages.warning(request, warning)
                return redirect("quizzes:document_detail", pk=outcome.job.document_id)
            if outcome.duplicate is not None:
                context["duplicate"] = outcome.duplicate
            else:
                context["elsewhere"] = outcome.elsewhere
                if outcome.pending:
                    context["pending"] = outcome.pending
                    context["pending_filename"] = outcome.filename
                status = 200
    return render(request, "quizzes/document_form.html", context, status=status)


def _latest_job(document: SourceDocument) -> GenerationJob | None:
    """The document's latest job, failed first if it is stale (the embedded set-up has no
    periodic check; this costs no query unless the job looks stale)."""
    job = document_latest_job(document=document)
    if job is not None and document_services.generation_job_is_stale(job=job):
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
    response = JsonResponse(job_progress(job=_latest_job(document)))
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
        say_error(request, error)
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
