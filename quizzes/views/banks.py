"""The organizer's bank pages: the list of banks, a bank's page with its documents and
its questions searched and filtered, the question editor with its live preview, a
question's status and its version history.

Views stay thin: forms check input and build drafts or keyword arguments,
``services.banks`` writes, ``selectors.banks`` reads. Access: a bank's pages open to its
owner and staff, the list and creation pages to organizers
(``views.common.organizer_required``). Everyone else gets 404, so nothing reveals that a
bank exists. Every write is a POST protected by the CSRF middleware.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from quizzes.drafts import QuestionDraft
from quizzes.formats.notation import answer_display
from quizzes.forms.banks import (
    BankForm,
    QuestionFilterForm,
    QuestionForm,
    QuestionStatusForm,
    question_initial,
)
from quizzes.models import Question, QuestionBank, QuestionKind
from quizzes.presentation import choice_letter, stem_parts
from quizzes.selectors.access import can_view_bank
from quizzes.selectors.banks import (
    bank_list_page,
    bank_question_page,
    key_points_of_banks,
    question_for_editing,
    question_history,
    question_rows_page,
)
from quizzes.selectors.home import bank_documents
from quizzes.services import banks as bank_services
from quizzes.services.banks import DRAFT_PROBLEMS
from quizzes.versions import version_to_draft
from quizzes.views.common import (
    bank_or_404,
    errors_to_form,
    form_saved,
    list_page,
    organizer_required,
)

# --- Banks ----------------------------------------------------------------------------


@organizer_required
@require_safe
def bank_list(request: HttpRequest) -> HttpResponse:
    return list_page(request, "quizzes/bank_list.html", bank_list_page)


@organizer_required
@require_http_methods(["GET", "HEAD", "POST"])
def bank_create(request: HttpRequest) -> HttpResponse:
    form = BankForm(request.POST or None)
    bank = form_saved(
        request, form, lambda: bank_services.bank_create(owner=request.user, **form.cleaned_data)
    )
    if bank is not None:
        messages.success(request, _("Bank created. Now write its first question."))
        return redirect("quizzes:bank_questions", pk=bank.pk)
    return render(request, "quizzes/bank_form.html", {"form": form, "bank": None})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def bank_edit(request: HttpRequest, pk: int) -> HttpResponse:
    bank = bank_or_404(request, pk)
    initial = {"title": bank.title, "description": bank.description}
    form = BankForm(request.POST or None, initial=initial)
    if form_saved(request, form, lambda: bank_services.bank_update(bank=bank, **form.cleaned_data)):
        messages.success(request, _("Bank saved."))
        return redirect("quizzes:bank_questions", pk=bank.pk)
    return render(request, "quizzes/bank_form.html", {"form": form, "bank": bank})


@login_required
@require_safe
def bank_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A bank's page: its documents and its questions, a page at a time."""
    bank = bank_or_404(request, pk)
    return render(
        request,
        "quizzes/bank_detail.html",
        {
            "bank": bank,
            "documents": bank_documents(bank=bank),
            "page_obj": bank_question_page(bank=bank, page_number=request.GET.get("page")),
        },
    )


@login_required
@require_safe
def bank_questions(request: HttpRequest, pk: int) -> HttpResponse:
    """The bank page for its author: documents, and its questions searched and filtered."""
    bank = bank_or_404(request, pk)
    key_points = key_points_of_banks(bank_ids=[bank.pk])
    filter_form = QuestionFilterForm(request.GET, key_points=key_points)
    page_obj = question_rows_page(
        banks=[bank.pk], filters=filter_form.filters(), page_number=request.GET.get("page")
    )
    return render(
        request,
        "quizzes/bank_detail.html",
        {
            "bank": bank,
            "documents": bank_documents(bank=bank),
            "page_obj": page_obj,
            "filter_form": filter_form,
            "filters_active": filter_form.filters().active,
            "kinds": QuestionKind.choices,
        },
    )


def _question_or_404(request: HttpRequest, pk: int) -> Question:
    """The question ``pk`` with its bank, if ``request.user`` may open the bank."""
    question = get_object_or_404(Question.objects.select_related("bank"), pk=pk)
    if not can_view_bank(user=request.user, bank=question.bank):
        raise Http404
    return question


# --- Questions ------------------------------------------------------------------------


def _preview(draft: QuestionDraft, *, check: bool) -> dict:
    """What the preview partial shows: the question as a learner sees it, and (with
    ``check``) what is still wrong with it."""
    problems = draft.problems() if check else []
    return {
        "kind": draft.kind,
        "stem": draft.stem,
        "parts": stem_parts(draft.stem),
        "choices": [
            {"letter": choice_letter(i), "text": c.text, "correct": c.correct}
            for i, c in enumerate(draft.choices)
        ],
        "blanks": [
            " | ".join(answer_display(a.text, a.credit) for a in answers)
            for answers in draft.blank_answers()
        ],
        "multiple": draft.kind == QuestionKind.MULTIPLE,
        "problems": [DRAFT_PROBLEMS[code] for code in problems if code in DRAFT_PROBLEMS],
    }


def _question_form(
    request: HttpRequest,
    *,
    bank: QuestionBank,
    question: Question | None,
    current: QuestionDraft | None,
    kind: str,
) -> QuestionForm:
    key_points = key_points_of_banks(bank_ids=[bank.pk])
    initial = question_initial(draft=current, question=question, kind=kind)
    if request.method != "POST":
        return QuestionForm(initial=initial, key_points=key_points, current=current)
    rows = None
    if request.POST.get("action") == "add_choice":
        posted = QuestionForm(request.POST, key_points=key_points, current=current)
        rows = posted.choice_count + 1
    return QuestionForm(
        request.POST, initial=initial, key_points=key_points, current=current, choice_rows=rows
    )


def _save_question(
    request: HttpRequest,
    form: QuestionForm,
    *,
    bank: QuestionBank,
    question: Question | None,
) -> Question | None:
    """Save a valid form through the services; on a refused draft put the reasons on the
    form and return ``None``."""
    draft = form.draft()
    data = form.cleaned_data
    try:
        if question is None:
            question = bank_services.question_create(
                bank=bank,
                draft=draft,
                created_by=request.user,
                status=data["status"],
                key_point=data["key_point"],
            )
            messages.success(request, _("Question saved as version 1."))
            return question
        version, created = bank_services.question_update(
            question=question,
            draft=draft,
            edited_by=request.user,
            key_point=data["key_point"],
            status=data["status"],
        )
    except ValidationError as error:
        errors_to_form(form, error)
        return None
    if created:
        messages.success(
            request,
            _("Saved as version %(number)s. Earlier versions stay as they were.")
            % {"number": version.number},
        )
    else:
        messages.info(
            request,
            _("Saved. The question text and answers did not change, so no new version was made."),
        )
    return question


def _question_editor(
    request: HttpRequest,
    *,
    bank: QuestionBank,
    question: Question | None,
    current: QuestionDraft | None,
    version_number: int | None,
    kind: str,
) -> HttpResponse:
    form = _question_form(request, bank=bank, question=question, current=current, kind=kind)
    action = request.POST.get("action", "save")
    if request.method == "POST" and action in ("save", "save_another") and form.is_valid():
        saved = _save_question(request, form, bank=bank, question=question)
        if saved is not None:
            if action == "save_another":
                url = reverse("quizzes:question_create", kwargs={"pk": bank.pk})
                return redirect(f"{url}?kind={form.draft().kind}")
            return redirect("quizzes:question_edit", pk=saved.pk)
    elif request.method == "POST" and action == "preview":
        # Show what was typed, and its problems, without saving anything.
        form.is_valid()
    draft = form.preview_draft()
    return render(
        request,
        "quizzes/question_form.html",
        {
            "bank": bank,
            "question": question,
            "version_number": version_number,
            "form": form,
            "kind": draft.kind,
            # An empty new question is not nagged about; a posted or saved one is checked.
            "preview": _preview(draft, check=form.is_bound or question is not None),
            "previewed": request.method == "POST" and action in ("preview", "add_choice"),
            "statuses": Question.Status,
            "problem_messages": {code: str(text) for code, text in DRAFT_PROBLEMS.items()},
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    bank = bank_or_404(request, pk)
    kind = request.GET.get("kind", "")
    if kind not in QuestionKind.values:
        if request.method != "POST":
            return render(
                request, "quizzes/question_kind.html", {"bank": bank, "kinds": QuestionKind}
            )
        kind = QuestionKind.SINGLE
    return _question_editor(
        request, bank=bank, question=None, current=None, version_number=None, kind=kind
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        question, version = question_for_editing(pk=pk)
    except Question.DoesNotExist:
        raise Http404 from None
    if not can_view_bank(user=request.user, bank=question.bank):
        raise Http404
    current = version_to_draft(version) if version else None
    return _question_editor(
        request,
        bank=question.bank,
        question=question,
        current=current,
        version_number=version.number if version else None,
        kind=current.kind if current else QuestionKind.SINGLE,
    )


@login_required
@require_POST
def question_status(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    form = QuestionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That status does not exist."))
        return redirect("quizzes:question_edit", pk=question.pk)
    bank_services.question_set_status(question=question, status=form.cleaned_data["status"])
    messages.success(
        request,
        _("The question is now %(status)s.") % {"status": question.get_status_display()},
    )
    return redirect("quizzes:question_edit", pk=question.pk)


@login_required
@require_safe
def question_history_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    return render(
        request,
        "quizzes/question_history.html",
        {
            "question": question,
            "bank": question.bank,
            "entries": question_history(question=question),
        },
    )
