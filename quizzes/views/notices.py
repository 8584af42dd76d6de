"""A learner's notices (reminders shown on the home page): dismissing one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from quizzes.models import Notice
from quizzes.services import groups as group_services


@login_required
@require_POST
def notice_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice, pk=pk, user=request.user)
    group_services.notice_dismiss(notice=notice, user=request.user)
    return redirect("quizzes:home")
