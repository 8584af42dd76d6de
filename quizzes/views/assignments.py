"""An assignment's page for organizers: how many have finished, who has not started or not
finished (each downloadable as CSV), and reminders.

Access: organizers of the assignment's group or of a group above it, and staff
(``managed_assignment``); anyone else gets 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from quizzes.exports.sheets import private_attachment, text_csv_lines
from quizzes.forms.assignments import ReminderForm
from quizzes.selectors.groups import (
    PROGRESS_LIST_LIMIT,
    ProgressList,
    assignment_progress,
    last_reminder_at,
    progress_learners,
)
from quizzes.services import groups as group_services
from quizzes.views.common import managed_assignment, say_error


@login_required
@require_safe
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """For organizers: how many have finished, and who has not started or not finished."""
    assignment = managed_assignment(request, pk)
    return render(
        request,
        "quizzes/assignment_detail.html",
        {
            "assignment": assignment,
            "counts": assignment_progress(assignment=assignment),
            "not_started": list(
                progress_learners(assignment=assignment, which=ProgressList.NOT_STARTED)[
                    :PROGRESS_LIST_LIMIT
                ]
            ),
            "not_finished": list(
                progress_learners(assignment=assignment, which=ProgressList.NOT_FINISHED)[
                    :PROGRESS_LIST_LIMIT
                ]
            ),
            "list_limit": PROGRESS_LIST_LIMIT,
            "last_reminder_at": last_reminder_at(assignment=assignment),
            "reminder_form": ReminderForm(),
            "now": timezone.now(),
        },
    )


@login_required
@require_safe
def assignment_progress_csv(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    """Who has not started, or not finished, as CSV (streamed)."""
    assignment = managed_assignment(request, pk)
    if which not in ProgressList.CHOICES:
        raise Http404
    learners = progress_learners(assignment=assignment, which=which).values_list(
        "display_name", "username", "group_name", "unit", "email"
    )
    header = [_("Name"), _("Username"), _("Group"), _("Unit"), _("E-mail")]
    rows = ([cell or "" for cell in row] for row in learners.iterator(chunk_size=2000))
    return StreamingHttpResponse(
        text_csv_lines(header, rows),
        content_type="text/csv; charset=utf-8",
        headers=private_attachment(f"assignment-{assignment.pk}-{which}.csv"),
    )


@login_required
@require_POST
def assignment_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a reminder to everyone who has not finished: a notice and an e-mail."""
    assignment = managed_assignment(request, pk)
    form = ReminderForm(request.POST)
    if not form.is_valid():
        say_error(request, ValidationError(list(form.errors.get("message", []))))
        return redirect("quizzes:assignment_detail", pk=assignment.pk)
    link = request.build_absolute_uri(reverse("quizzes:assignment_take", args=[assignment.pk]))
    try:
        outcome = group_services.assignment_remind(
            assignment=assignment,
            sent_by=request.user,
            message=form.cleaned_data["message"],
            link=link,
        )
    except ValidationError as error:
        say_error(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "Reminder sent to %(count)s learner (%(emails)s by e-mail).",
                "Reminder sent to %(count)s learners (%(emails)s by e-mail).",
                outcome.notices,
            )
            % {"count": outcome.notices, "emails": outcome.emails},
        )
        if outcome.email_failed:
            messages.error(
                request,
                _(
                    "The e-mails could not be sent; learners still see the reminder on "
                    "their home page."
                ),
            )
    return redirect("quizzes:assignment_detail", pk=assignment.pk)
