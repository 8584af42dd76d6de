"""The organizer's authoring pages: banks, the question editor with its preview and
version history, and the quiz builder with its assignment form.

Views stay thin: forms check input and build drafts or keyword arguments, services write,
selectors read. Access: a bank's pages open to its owner and staff, a quiz's pages to its
owner and staff, the lists and creation pages to organizers (see
``selectors.quizzes.user_is_organizer``). Everyone else gets 404, so nothing reveals that a
bank or quiz exists. Every write is a POST protected by the CSRF middleware.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import user_logged_in
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from quizzes.drafts import QuestionDraft
from quizzes.formats.notation import answer_display
from quizzes.forms import (
    AddQuestionsForm,
    AssignForm,
    BankForm,
    QuestionFilterForm,
    QuestionForm,
    QuestionStatusForm,
    QuizForm,
    RuleForm,
    SlotPointsForm,
    question_initial,
)
from quizzes.models import Question, QuestionBank, QuestionKind, Quiz, QuizSlot
from quizzes.presentation import choice_letter, plain_number, short_stem, stem_parts
from quizzes.selectors.access import banks_visible_to, can_view_bank
from quizzes.selectors.banks import (
    bank_list_page,
    key_points_of_banks,
    question_for_editing,
    question_history,
    question_rows_page,
)
from quizzes.selectors.home import bank_documents
from quizzes.selectors.quizzes import (
    RuleMatch,
    assignable_groups,
    can_edit_quiz,
    quiz_assignments,
    quiz_list_page,
    quiz_picker_page,
    quiz_question_count,
    quiz_sibling_conflicts,
    quiz_slot_rows,
    quiz_total_points,
    rule_match,
    user_is_organizer,
)
from quizzes.services import banks as bank_services
from quizzes.services import quizzes as quiz_services
from quizzes.services.banks import DRAFT_PROBLEMS
from quizzes.versions import version_to_draft
from quizzes.views.common import errors_to_form

# Remembered in the session so that the header can show the authoring links without a
# query on every page.
ORGANIZER_SESSION_KEY = "studyapp_organizer"


@receiver(user_logged_in, dispatch_uid="studyapp-remember-organizer")
def remember_organizer(sender, request, user, **kwargs) -> None:
    """Note at log-in whether the user may author. Connected when the URLconf imports this
    module, which happens before any request reaches the log-in view."""
    if request is not None and hasattr(request, "session"):
        request.session[ORGANIZER_SESSION_KEY] = user_is_organizer(user)


def organizer_required(view):
    """Log-in required; anyone who is not an organizer gets 404."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        is_organizer = user_is_organizer(request.user)
        if request.session.get(ORGANIZER_SESSION_KEY) != is_organizer:
            request.session[ORGANIZER_SESSION_KEY] = is_organizer
        if not is_organizer:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def bank_or_404(request: HttpRequest, pk: int) -> QuestionBank:
    bank = get_object_or_404(QuestionBank.objects.select_related("owner"), pk=pk)
    if not can_view_bank(request.user, bank):
        raise Http404
    return bank


def quiz_or_404(request: HttpRequest, pk: int) -> Quiz:
    quiz = get_object_or_404(Quiz.objects.select_related("owner"), pk=pk)
    if not can_edit_quiz(request.user, quiz):
        raise Http404
    return quiz


def _slot_or_404(request: HttpRequest, pk: int, slot_pk: int) -> QuizSlot:
    quiz = quiz_or_404(request, pk)
    return get_object_or_404(QuizSlot.objects.select_related("quiz"), pk=slot_pk, quiz=quiz)


# --- Banks ----------------------------------------------------------------------------


@organizer_required
@require_safe
def bank_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "quizzes/bank_list.html",
        {"page_obj": bank_list_page(user=request.user, page_number=request.GET.get("page"))},
    )


@organizer_required
@require_http_methods(["GET", "HEAD", "POST"])
def bank_create(request: HttpRequest) -> HttpResponse:
    form = BankForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bank = bank_services.bank_create(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("Bank created. Now write its first question."))
            return redirect("quizzes:bank_questions", pk=bank.pk)
    return render(request, "quizzes/bank_form.html", {"form": form, "bank": None})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def bank_edit(request: HttpRequest, pk: int) -> HttpResponse:
    bank = bank_or_404(request, pk)
    initial = {"title": bank.title, "description": bank.description}
    form = BankForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            bank_services.bank_update(bank=bank, **form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("Bank saved."))
            return redirect("quizzes:bank_questions", pk=bank.pk)
    return render(request, "quizzes/bank_form.html", {"form": form, "bank": bank})


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
    if not can_view_bank(request.user, question.bank):
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
    question = get_object_or_404(Question.objects.select_related("bank"), pk=pk)
    if not can_view_bank(request.user, question.bank):
        raise Http404
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
    question = get_object_or_404(Question.objects.select_related("bank"), pk=pk)
    if not can_view_bank(request.user, question.bank):
        raise Http404
    return render(
        request,
        "quizzes/question_history.html",
        {
            "question": question,
            "bank": question.bank,
            "entries": question_history(question=question),
        },
    )


# --- Quizzes --------------------------------------------------------------------------


@organizer_required
@require_safe
def quiz_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "quizzes/quiz_list.html",
        {"page_obj": quiz_list_page(user=request.user, page_number=request.GET.get("page"))},
    )


@organizer_required
@require_http_methods(["GET", "HEAD", "POST"])
def quiz_create(request: HttpRequest) -> HttpResponse:
    form = QuizForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            quiz = quiz_services.quiz_create(owner=request.user, **form.settings())
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("Quiz created. Now add its questions."))
            return redirect("quizzes:quiz_builder", pk=quiz.pk)
    return render(request, "quizzes/quiz_form.html", {"form": form, "quiz": None})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quiz_edit(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = quiz_or_404(request, pk)
    form = QuizForm(request.POST or None, initial=QuizForm.initial_from(quiz))
    if request.method == "POST" and form.is_valid():
        try:
            quiz_services.quiz_update(quiz=quiz, **form.settings())
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("Quiz settings saved."))
            return redirect("quizzes:quiz_builder", pk=quiz.pk)
    return render(request, "quizzes/quiz_form.html", {"form": form, "quiz": quiz})


def _rule_form(request: HttpRequest, data=None) -> RuleForm:
    banks = list(banks_visible_to(request.user).order_by("title", "pk"))
    key_points = key_points_of_banks(bank_ids=[b.pk for b in banks])
    return RuleForm(data, banks=banks, key_points=key_points)


def _assign_form(request: HttpRequest, data=None) -> AssignForm:
    return AssignForm(data, groups=list(assignable_groups(user=request.user)))


def _builder(
    request: HttpRequest,
    quiz: Quiz,
    *,
    rule_form: RuleForm | None = None,
    assign_form: AssignForm | None = None,
    rule_check: RuleMatch | None = None,
) -> HttpResponse:
    rows = quiz_slot_rows(quiz=quiz)
    return render(
        request,
        "quizzes/quiz_builder.html",
        {
            "quiz": quiz,
            "time_limit_minutes": QuizForm.initial_from(quiz)["time_limit_minutes"],
            "rows": rows,
            "total_points": plain_number(quiz_total_points(rows)),
            "question_count": quiz_question_count(rows),
            "sibling_conflicts": quiz_sibling_conflicts(rows),
            "rule_form": rule_form or _rule_form(request),
            "rule_check": rule_check,
            "rule_check_text": rule_match_text(rule_check) if rule_check is not None else "",
            "assign_form": assign_form or _assign_form(request),
            "assignments": quiz_assignments(quiz=quiz),
        },
    )


@login_required
@require_safe
def quiz_builder(request: HttpRequest, pk: int) -> HttpResponse:
    """The quiz page: its settings, its slots in order, the rule and assignment forms."""
    return _builder(request, quiz_or_404(request, pk))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quiz_add_questions(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the question picker (search and filters over the organizer's banks). POST:
    add the ticked questions."""
    quiz = quiz_or_404(request, pk)
    banks = list(banks_visible_to(request.user).order_by("title", "pk"))
    if request.method == "POST":
        # Only questions of banks the organizer may open can be added.
        allowed = list(
            Question.objects.filter(
                bank__in=[b.pk for b in banks],
                pk__in=[v for v in request.POST.getlist("questions") if v.isdigit()],
            ).values_list("pk", flat=True)
        )
        form = AddQuestionsForm(request.POST, question_ids=allowed)
        if form.is_valid():
            by_pk = Question.objects.in_bulk(form.cleaned_data["questions"])
            added = quiz_services.quiz_add_questions(
                quiz=quiz,
                questions=[by_pk[pk] for pk in form.cleaned_data["questions"]],
                pin_current=form.cleaned_data["pin_current"],
                points=form.cleaned_data["points"],
            )
            if added.slots or not added.left_out:
                count = len(added.slots)
                messages.success(
                    request,
                    ngettext("%(count)s question added.", "%(count)s questions added.", count)
                    % {"count": count},
                )
            _say_left_out(request, added.left_out)
            return redirect("quizzes:quiz_builder", pk=quiz.pk)
        for error in form.errors.get("questions", []):
            messages.error(request, error)
        url = reverse("quizzes:quiz_add_questions", kwargs={"pk": quiz.pk})
        return redirect(f"{url}?{request.GET.urlencode()}")
    key_points = key_points_of_banks(bank_ids=[b.pk for b in banks])
    filter_form = QuestionFilterForm(request.GET, key_points=key_points, banks=banks)
    filters = filter_form.filters()
    page_obj = quiz_picker_page(
        quiz_id=quiz.pk,
        banks=[b.pk for b in banks],
        filters=filters,
        page_number=request.GET.get("page"),
    )
    return render(
        request,
        "quizzes/quiz_add_questions.html",
        {
            "quiz": quiz,
            "filter_form": filter_form,
            "filters_active": filters.active,
            "page_obj": page_obj,
            "add_form": AddQuestionsForm(question_ids=[]),
        },
    )


# How many left-out questions are named one by one; the rest are counted.
LEFT_OUT_NAMED = 10


def _say_left_out(request: HttpRequest, left_out: list[quiz_services.LeftOut]) -> None:
    """Tell the organizer which ticked questions were not added, and why."""
    if not left_out:
        return
    messages.warning(
        request,
        ngettext(
            "%(count)s question was not added: the quiz already holds a question on the "
            "same key point, and questions on one key point give each other away.",
            "%(count)s questions were not added: the quiz already holds a question on the "
            "same key point of each, and questions on one key point give each other away.",
            len(left_out),
        )
        % {"count": len(left_out)},
    )
    for item in left_out[:LEFT_OUT_NAMED]:
        messages.warning(
            request,
            _(
                "Not added: “%(stem)s”, on the same key point as question %(position)s, "
                "“%(sibling)s”."
            )
            % {
                "stem": short_stem(item.stem),
                "position": item.sibling_position,
                "sibling": short_stem(item.sibling_stem),
            },
        )
    if len(left_out) > LEFT_OUT_NAMED:
        rest = len(left_out) - LEFT_OUT_NAMED
        messages.warning(
            request,
            ngettext(
                "… and %(count)s more, for the same reason.",
                "… and %(count)s more, for the same reason.",
                rest,
            )
            % {"count": rest},
        )


def _rule_match(quiz: Quiz, data: dict) -> RuleMatch:
    return rule_match(
        quiz_id=quiz.pk,
        bank_id=data["bank"].pk,
        key_point_id=data["key_point"].pk if data["key_point"] else None,
        kind=data["kind"],
        difficulty=data["difficulty"],
    )


def rule_match_text(match: RuleMatch) -> str:
    """How many questions a rule matches, and how many of them one attempt can take when
    that is fewer."""
    if match.groups < match.questions:
        return ngettext(
            "%(count)s published question matches now; an attempt can take "
            "%(groups)s: one per key point.",
            "%(count)s published questions match now; an attempt can take "
            "%(groups)s: one per key point.",
            match.questions,
        ) % {"count": match.questions, "groups": match.groups}
    return ngettext(
        "%(count)s published question matches now.",
        "%(count)s published questions match now.",
        match.questions,
    ) % {"count": match.questions}


@login_required
@require_POST
def quiz_add_rule(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a random-draw rule; with ``action=check`` only show how many questions match."""
    quiz = quiz_or_404(request, pk)
    form = _rule_form(request, request.POST)
    if not form.is_valid():
        return _builder(request, quiz, rule_form=form)
    data = form.cleaned_data
    if request.POST.get("action") == "check":
        return _builder(request, quiz, rule_form=form, rule_check=_rule_match(quiz, data))
    try:
        quiz_services.quiz_add_rule(
            quiz=quiz,
            bank=data["bank"],
            draw_count=data["draw_count"],
            key_point=data["key_point"],
            kind=data["kind"],
            difficulty=data["difficulty"],
            points=data["points"],
        )
    except ValidationError as error:
        errors_to_form(form, error)
        return _builder(request, quiz, rule_form=form)
    messages.success(request, _("Random-draw rule added."))
    return redirect("quizzes:quiz_builder", pk=quiz.pk)


@login_required
@require_safe
def quiz_rule_count(request: HttpRequest, pk: int) -> JsonResponse:
    """How many published questions the rule form's filters match now, and how many of
    them one attempt can take (for the live count next to the rule form)."""
    quiz = quiz_or_404(request, pk)
    form = _rule_form(request, {**request.GET.dict(), "draw_count": 1, "points": 1})
    if not form.is_valid():
        return JsonResponse({"count": None})
    match = _rule_match(quiz, form.cleaned_data)
    return JsonResponse(
        {"count": match.questions, "groups": match.groups, "text": rule_match_text(match)}
    )


def _is_fetch(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@login_required
@require_POST
def quiz_slot_move(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    slot = _slot_or_404(request, pk, slot_pk)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        return HttpResponse(status=400)
    quiz_services.quiz_slot_move(slot=slot, offset=offset)
    if _is_fetch(request):
        return HttpResponse(status=204)
    return redirect(f"{reverse('quizzes:quiz_builder', kwargs={'pk': pk})}#slot-{slot.pk}")


@login_required
@require_POST
def quiz_slot_points(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    slot = _slot_or_404(request, pk, slot_pk)
    form = SlotPointsForm(request.POST)
    if form.is_valid():
        quiz_services.quiz_slot_set_points(slot=slot, points=form.cleaned_data["points"])
        messages.success(request, _("Points saved."))
    else:
        messages.error(request, _("Points must be a number greater than 0."))
    return redirect(f"{reverse('quizzes:quiz_builder', kwargs={'pk': pk})}#slot-{slot.pk}")


@login_required
@require_POST
def quiz_slot_pin(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    slot = _slot_or_404(request, pk, slot_pk)
    try:
        quiz_services.quiz_slot_pin(slot=slot, pin=request.POST.get("pin") == "1")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(f"{reverse('quizzes:quiz_builder', kwargs={'pk': pk})}#slot-{slot.pk}")


@login_required
@require_POST
def quiz_slot_remove(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    slot = _slot_or_404(request, pk, slot_pk)
    quiz_services.quiz_slot_remove(slot=slot)
    messages.success(request, _("Removed from the quiz."))
    return redirect("quizzes:quiz_builder", pk=pk)


@login_required
@require_POST
def quiz_assign(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = quiz_or_404(request, pk)
    form = _assign_form(request, request.POST)
    if form.is_valid():
        try:
            assignments = quiz_services.quiz_assign(
                quiz=quiz,
                groups=form.cleaned_data["groups"],
                opens_at=form.cleaned_data["opens_at"],
                due_at=form.cleaned_data["due_at"],
                assigned_by=request.user,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            names = ", ".join(assignment.group.name for assignment in assignments)
            messages.success(
                request,
                ngettext(
                    "Assigned to %(count)s group: %(groups)s.",
                    "Assigned to %(count)s groups: %(groups)s.",
                    len(assignments),
                )
                % {"count": len(assignments), "groups": names},
            )
            return redirect("quizzes:quiz_builder", pk=quiz.pk)
    return _builder(request, quiz, assign_form=form)
