"""Organizer pages for question interchange: import a file into a bank (upload → preview →
import or cancel), download the sheet template, and export a bank or a quiz.

Views stay thin: ``services.imports`` reads and writes, ``selectors.exports`` reads.
A bank's import and export pages open to the bank's owner and staff (``can_view_bank``), a
quiz's export to its owner and staff (``can_edit_quiz``); anyone else signed in gets 404,
anonymous visitors the log-in page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from quizzes.exports.questions import EXPORT_FORMATS, LEFT_OUT_REASONS, export_file, export_report
from quizzes.formats.spreadsheet import template_xlsx
from quizzes.forms.imports import ImportConfirmForm, ImportUploadForm
from quizzes.models import ImportBatch, QuestionKind
from quizzes.presentation import choice_letter
from quizzes.selectors.access import can_view_bank
from quizzes.selectors.exports import bank_export_items, quiz_export_items
from quizzes.services import imports as import_services
from quizzes.views.common import bank_or_404, quiz_or_404

ROWS_PER_PAGE = 100
XLSX = EXPORT_FORMATS["xlsx"].content_type


def _batch_or_404(request: HttpRequest, pk: int) -> ImportBatch:
    batch = get_object_or_404(ImportBatch.objects.select_related("bank__owner"), pk=pk)
    if not can_view_bank(user=request.user, bank=batch.bank):
        raise Http404
    return batch


def _shown(rows, fmt: str) -> list[dict]:
    """Rows as the template lists them: where (line or row), kind, lettered choices."""
    kinds = dict(QuestionKind.choices)
    by_row = fmt in import_services.SHEET_FORMATS
    shown = []
    for row in rows:
        where = (_("Row %(number)s") if by_row else _("Line %(number)s")) % {"number": row.line}
        draft = row.draft
        shown.append(
            {
                "row": row,
                "where": where,
                "kind_label": kinds.get(draft.kind, "") if draft else "",
                "choices": [(choice_letter(i), c) for i, c in enumerate(draft.choices)]
                if draft
                else [],
            }
        )
    return shown


def _language() -> str:
    return "zh" if (get_language() or "").startswith("zh") else "en"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a question file; a readable one is kept pending and its preview shown."""
    bank = bank_or_404(request, pk)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    refusal_rows = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            import_services.import_check_size(size=upload.size)  # before reading it
            batch = import_services.import_upload(
                bank=bank,
                uploaded_by=request.user,
                data=upload.read(),
                filename=upload.name,
                chosen_format=form.cleaned_data["format"] or None,
            )
        except import_services.ImportRefused as refused:
            form.add_error(None, refused)
            refusal_rows = _shown(refused.rows, refused.format)
        else:
            return redirect("quizzes:import_preview", pk=batch.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "quizzes/import_upload.html",
        {"bank": bank, "form": form, "refusal_rows": refusal_rows},
        status=status,
    )


@login_required
@require_safe
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Every question of a pending import with ok / warning / error, its line and reason."""
    batch = _batch_or_404(request, pk)
    if batch.state != ImportBatch.State.PENDING:
        messages.info(request, _("This file has already been imported."))
        return redirect("quizzes:bank_detail", pk=batch.bank_id)
    try:
        preview = import_services.import_preview(batch=batch)
    except import_services.ImportRefused as refused:
        return render(
            request,
            "quizzes/import_preview.html",
            {
                "bank": batch.bank,
                "batch": batch,
                "refused": refused,
                "refusal_rows": _shown(refused.rows, refused.format),
            },
        )
    only_problems = request.GET.get("show") == "problems"
    rows = [row for row in preview.rows if row.status != "ok"] if only_problems else preview.rows
    page_obj = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    page_obj.object_list = _shown(page_obj.object_list, preview.format)
    return render(
        request,
        "quizzes/import_preview.html",
        {
            "bank": batch.bank,
            "batch": batch,
            "preview": preview,
            "format_label": import_services.FORMAT_LABELS.get(preview.format, preview.format),
            "page_obj": page_obj,
            "only_problems": only_problems,
            "counts": {
                "ok": preview.count("ok"),
                "warning": preview.count("warning"),
                "error": preview.count("error"),
                "importable": len(preview.importable),
            },
            "confirm_form": ImportConfirmForm(),
        },
    )


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Import the pending batch's good questions in one transaction."""
    batch = _batch_or_404(request, pk)
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to save the questions as drafts or published."))
        return redirect("quizzes:import_preview", pk=batch.pk)
    publish = form.cleaned_data["status"] == "published"
    try:
        outcome = import_services.import_confirm(
            batch=batch, confirmed_by=request.user, publish=publish
        )
    except import_services.ImportRefused as refused:
        messages.error(request, str(refused))
        if refused.code == "nothing_to_import":
            return redirect("quizzes:import_preview", pk=batch.pk)
        return redirect("quizzes:bank_detail", pk=batch.bank_id)
    if outcome.already_done:
        messages.info(request, _("This file has already been imported."))
    else:
        if publish:
            text = ngettext(
                "%(count)d question imported and published.",
                "%(count)d questions imported and published.",
                outcome.imported,
            )
        else:
            text = ngettext(
                "%(count)d question imported as a draft.",
                "%(count)d questions imported as drafts.",
                outcome.imported,
            )
        messages.success(request, text % {"count": outcome.imported})
        if outcome.skipped:
            skipped = ngettext(
                "%(count)d question with an error was skipped.",
                "%(count)d questions with errors were skipped.",
                outcome.skipped,
            )
            messages.error(request, skipped % {"count": outcome.skipped})
    return redirect("quizzes:bank_detail", pk=batch.bank_id)


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Drop a pending import: its stored file is deleted, no question is written."""
    batch = _batch_or_404(request, pk)
    if import_services.import_cancel(batch=batch):
        messages.success(request, _("The import was cancelled; no question was saved."))
    else:
        messages.info(request, _("This import was already finished or cancelled."))
    return redirect("quizzes:bank_detail", pk=batch.bank_id)


@login_required
@require_safe
def import_template(request: HttpRequest) -> HttpResponse:
    """The Excel template, with Chinese or English headers after the page's language."""
    language = request.GET.get("lang") or _language()
    language = language if language in ("zh", "en") else "zh"
    name = "题库导入模板.xlsx" if language == "zh" else "question-template.xlsx"
    return _download(template_xlsx(language=language), name, XLSX)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _export_page(request, *, title: str, items, back_url: str, download_url, rules=0, is_bank=True):
    report = export_report(items)
    formats = [
        {
            "format": spec,
            "exported": report[name][0],
            "left_out": report[name][1],
            "reasons": [
                (LEFT_OUT_REASONS.get(code, spec.holds), count)
                for code, count in report[name][2].items()
            ],
            "url": download_url(name),
        }
        for name, spec in EXPORT_FORMATS.items()
    ]
    return render(
        request,
        "quizzes/import_export.html",
        {
            "title": title,
            "total": len(items),
            "formats": formats,
            "back_url": back_url,
            "rules": rules,
            "is_bank": is_bank,
        },
    )


def _export_response(items, fmt: str, title: str) -> HttpResponse:
    if fmt not in EXPORT_FORMATS:
        raise Http404
    exported = export_file(items=items, fmt=fmt, title=title, language=_language())
    response = _download(exported.content, exported.filename, exported.content_type)
    response["X-Questions-Exported"] = str(exported.exported)
    response["X-Questions-Left-Out"] = str(exported.left_out)
    return response


@login_required
@require_safe
def bank_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The formats a bank can be exported to, each with how many questions it holds."""
    bank = bank_or_404(request, pk)
    return _export_page(
        request,
        title=bank.title,
        items=bank_export_items(bank=bank),
        back_url=bank.get_absolute_url(),
        download_url=lambda fmt: reverse("quizzes:bank_export_download", args=[bank.pk, fmt]),
    )


@login_required
@require_safe
def bank_export_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    bank = bank_or_404(request, pk)
    return _export_response(bank_export_items(bank=bank), fmt, bank.title)


@login_required
@require_safe
def quiz_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The formats a quiz's fixed questions can be exported to."""
    quiz = quiz_or_404(request, pk)
    items, rules = quiz_export_items(quiz=quiz)
    return _export_page(
        request,
        title=quiz.title,
        items=items,
        back_url=reverse("quizzes:quiz_builder", args=[quiz.pk]),
        download_url=lambda fmt: reverse("quizzes:quiz_export_download", args=[quiz.pk, fmt]),
        rules=rules,
        is_bank=False,
    )


@login_required
@require_safe
def quiz_export_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    quiz = quiz_or_404(request, pk)
    items, _rules = quiz_export_items(quiz=quiz)
    return _export_response(items, fmt, quiz.title)
