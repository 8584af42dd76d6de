"""Regrading an assignment to a fixed question version: choose, preview, confirm.

Only organizers of the assignment's group (or a group above it) and staff may open these
pages; anyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from quizzes.models import Question
from quizzes.selectors.regrade import regrade_candidates
from quizzes.services.regrade import RegradeError, regrade_apply, regrade_preview
from quizzes.views.common import managed_assignment


@login_required
@require_safe
def regrade_list(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = managed_assignment(request, pk)
    return render(
        request,
        "quizzes/regrade_list.html",
        {"assignment": assignment, "candidates": regrade_candidates(assignment=assignment)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def regrade_question(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    assignment = managed_assignment(request, pk)
    question = get_object_or_404(
        Question.objects.filter(pk__in=assignment.attempts.values("items__question")),
        pk=question_pk,
    )
    target = question.current_version
    error = None
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            regrade = regrade_apply(
                assignment=assignment,
                question=question,
                to_version=target,
                reason=reason,
                regraded_by=request.user,
            )
        except RegradeError as refused:
            error = refused.message
        else:
            changed = regrade.score_changes.count()
            messages.success(
                request,
                _("Regraded to version %(version)s: %(count)s scores changed.")
                % {"version": target.number, "count": changed},
            )
            return redirect("quizzes:regrade_list", pk=assignment.pk)
    try:
        changes = regrade_preview(assignment=assignment, question=question, to_version=target)
    except RegradeError as refused:
        changes, error = [], error or refused.message
    return render(
        request,
        "quizzes/regrade_preview.html",
        {
            "assignment": assignment,
            "question": question,
            "target": target,
            "changes": changes,
            "changed": [c for c in changes if c.changes_score],
            "error": error,
            "reason": reason,
        },
        status=400 if error and request.method == "POST" else 200,
    )
