"""The signed-in person's pages: home and a question bank (a study group's page is in
``views.groups``).

Views stay thin: they check access through ``selectors.access`` and read through
``selectors.home``. A page someone may not open answers 404, so its existence is not
revealed.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from quizzes.models import QuestionBank
from quizzes.selectors.access import can_view_bank
from quizzes.selectors.groups import open_notices
from quizzes.selectors.home import (
    bank_documents,
    bank_question_page,
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


@login_required
@require_safe
def bank_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bank = get_object_or_404(QuestionBank.objects.select_related("owner"), pk=pk)
    if not can_view_bank(request.user, bank):
        raise Http404
    return render(
        request,
        "quizzes/bank_detail.html",
        {
            "bank": bank,
            "documents": bank_documents(bank=bank),
            "page_obj": bank_question_page(bank=bank, page_number=request.GET.get("page")),
        },
    )
