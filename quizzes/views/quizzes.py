"""The quiz builder: the organizer's quizzes, a quiz's settings, its slots (fixed
questions and random-draw rules) with the question picker, and assigning it to groups.

Views stay thin: forms check input and build keyword arguments, ``services.quizzes``
writes, ``selectors.quizzes`` reads. Access: a quiz's pages open to its owner and staff,
the list and creation pages to organizers (``views.common.organizer_required``). Everyone
else gets 404, so nothing reveals that a quiz exists. Every write is a POST protected by
the CSRF middleware.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from quizzes.forms.banks import QuestionFilterForm
from quizzes.forms.quizzes import AddQuestionsForm, AssignForm, QuizForm, RuleForm, SlotPointsForm
from quizzes.models import Question, Quiz, QuizSlot
from quizzes.presentation import plain_number, short_stem
from quizzes.selectors.access import banks_visible_to
from quizzes.selectors.banks import key_points_of_banks
from quizzes.selectors.quizzes import (
    RuleMatch,
    assignable_groups,
    quiz_assignments,
    quiz_list_page,
    quiz_picker_page,
    quiz_question_count,
    quiz_sibling_conflicts,
    quiz_slot_rows,
    quiz_total_points,
    rule_match,
)
from quizzes.services import quizzes as quiz_services
from quizzes.views.common import (
    errors_to_form,
    form_saved,
    list_page,
    organizer_required,
    quiz_or_404,
    say_error,
)


def _slot_or_404(request: HttpRequest, pk: int, slot_pk: int) -> QuizSlot:
    quiz = quiz_or_404(request, pk)
    return get_object_or_404(QuizSlot.objects.select_related("quiz"), pk=slot_pk, quiz=quiz)


# --- Quizzes --------------------------------------------------------------------------


@organizer_required
@require_safe
def quiz_list(request: HttpRequest) -> HttpResponse:
    return list_page(request, "quizzes/quiz_list.html", quiz_list_page)


@organizer_required
@require_http_methods(["GET", "HEAD", "POST"])
def quiz_create(request: HttpRequest) -> HttpResponse:
    form = QuizForm(request.POST or None)
    quiz = form_saved(
        request, form, lambda: quiz_services.quiz_create(owner=request.user, **form.settings())
    )
    if quiz is not None:
        messages.success(request, _("Quiz created. Now add its questions."))
        return redirect("quizzes:quiz_builder", pk=quiz.pk)
    return render(request, "quizzes/quiz_form.html", {"form": form, "quiz": None})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quiz_edit(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = quiz_or_404(request, pk)
    form = QuizForm(request.POST or None, initial=QuizForm.initial_from(quiz))
    if form_saved(request, form, lambda: quiz_services.quiz_update(quiz=quiz, **form.settings())):
        messages.success(request, _("Quiz settings saved."))
        return redirect("quizzes:quiz_builder", pk=quiz.pk)
    return render(request, "quizzes/quiz_form.html", {"form": form, "quiz": quiz})


def _rule_form(request: HttpRequest, data=None) -> RuleForm:
    banks = list(banks_visible_to(user=request.user).order_by("title", "pk"))
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
            "total_points": plain_number(quiz_total_points(rows=rows)),
            "question_count": quiz_question_count(rows=rows),
            "sibling_conflicts": quiz_sibling_conflicts(rows=rows),
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
    banks = list(banks_visible_to(user=request.user).order_by("title", "pk"))
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
        say_error(request, error)
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
