"""What several views share: the guards that find an object the signed-in person may
manage (404 for anyone else, so that ids of other people's objects reveal nothing), a list
page, a form handed to a service (``form_saved``), and a service's refusal put on a form
or in the messages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from quizzes.models import Assignment, QuestionBank, Quiz, StudyGroup
from quizzes.selectors.access import GroupAccess, can_view_bank, group_access
from quizzes.selectors.quizzes import can_edit_quiz, user_is_organizer
from quizzes.signals import ORGANIZER_SESSION_KEY

MANAGES = (GroupAccess.STAFF, GroupAccess.ORGANIZER)

T = TypeVar("T")


def organizer_required(view):
    """Log-in required; anyone who is not an organizer (``user_is_organizer``) gets 404."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        is_organizer = user_is_organizer(user=request.user)
        if request.session.get(ORGANIZER_SESSION_KEY) != is_organizer:
            request.session[ORGANIZER_SESSION_KEY] = is_organizer
        if not is_organizer:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def bank_or_404(request: HttpRequest, pk: int) -> QuestionBank:
    """The bank ``pk`` if ``request.user`` may open it (its owner, or staff)."""
    bank = get_object_or_404(QuestionBank.objects.select_related("owner"), pk=pk)
    if not can_view_bank(user=request.user, bank=bank):
        raise Http404
    return bank


def quiz_or_404(request: HttpRequest, pk: int) -> Quiz:
    """The quiz ``pk`` if ``request.user`` may edit it (its owner, or staff)."""
    quiz = get_object_or_404(Quiz.objects.select_related("owner"), pk=pk)
    if not can_edit_quiz(user=request.user, quiz=quiz):
        raise Http404
    return quiz


def managed_group(request: HttpRequest, pk: int) -> StudyGroup:
    """The group ``pk`` if ``request.user`` organizes it or a group above it (or is
    staff)."""
    group = get_object_or_404(StudyGroup.objects.select_related("parent"), pk=pk)
    if group_access(user=request.user, group=group) not in MANAGES:
        raise Http404
    return group


def managed_assignment(request: HttpRequest, pk: int) -> Assignment:
    """The assignment ``pk`` if ``request.user`` organizes its group or a group above it
    (or is staff)."""
    assignment = get_object_or_404(Assignment.objects.select_related("quiz", "group"), pk=pk)
    if group_access(user=request.user, group=assignment.group) not in MANAGES:
        raise Http404
    return assignment


def errors_to_form(form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: on its field when it names one the
    form has, otherwise as a form-wide error."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def list_page(request: HttpRequest, template: str, page: Callable[..., Page]) -> HttpResponse:
    """``template`` showing, as ``page_obj``, the page the request asks for of what ``page``
    (a selector taking ``user`` and ``page_number``) lists for the signed-in person."""
    return render(
        request,
        template,
        {"page_obj": page(user=request.user, page_number=request.GET.get("page"))},
    )


def form_saved(request: HttpRequest, form, save: Callable[[], T]) -> T | None:
    """For a valid POSTed ``form``, what ``save()`` (a service call reading the form's
    cleaned data) returns; a ``ValidationError`` it raises goes on the form
    (``errors_to_form``). ``None`` when nothing was saved: not a POST, an invalid form or
    a refusal."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save()
    except ValidationError as error:
        errors_to_form(form, error)
        return None


def say_error(request: HttpRequest, error: ValidationError) -> None:
    """A service's refusal as error messages on the next page."""
    for message in error.messages:
        messages.error(request, message)
