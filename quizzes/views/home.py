"""The signed-in person's home page: their notices and assignments, and for an organizer
their groups and banks. Reads through ``selectors.home``."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from quizzes.selectors.groups import open_notices
from quizzes.selectors.home import (
    learner_assignments,
    organized_groups,
    owned_banks,
)


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "quizzes/home.html",
        {
            "notices": open_notices(user=user),
            "assignments": learner_assignments(user=user, now=timezone.now()),
            "groups": list(organized_groups(user=user)),
            "banks": list(owned_banks(user=user)),
        },
    )
