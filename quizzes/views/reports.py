"""Organizers' reports: an assignment's overview, mastery per key point, item analysis
and exports, and a group's trend over its assignments.

Organizers of the assignment's group (or of any group above it) and staff may open them;
anyone else signed in gets 404, as on the other organizer pages. Each page runs a fixed
number of queries whatever the number of learners (``tests/test_report_pages.py``).
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from quizzes import charts
from quizzes.exports.sheets import csv_response, duration_text, export_filename, xlsx_response
from quizzes.selectors.reports.items import AnalysedAttempts, item_analysis, item_sheets
from quizzes.selectors.reports.mastery import assignment_mastery
from quizzes.selectors.reports.overview import (
    MEMBERS_PER_PAGE,
    assignment_subgroup_rows,
    assignment_summary,
    learner_status,
    member_sheet,
    member_sort,
    report_member_rows,
)
from quizzes.selectors.reports.trend import group_trend
from quizzes.views.common import managed_assignment, managed_group

# The member table's columns, by sort key. Every column sorts.
MEMBER_COLUMNS = {
    "name": gettext_lazy("Name"),
    "username": gettext_lazy("Username"),
    "group": gettext_lazy("Group"),
    "status": gettext_lazy("Status"),
    "score": gettext_lazy("Score"),
    "best": gettext_lazy("Best"),
    "attempts": gettext_lazy("Attempts"),
    "time": gettext_lazy("Time spent"),
    "last": gettext_lazy("Last activity"),
}
NUMERIC_COLUMNS = {"score", "best", "attempts", "time"}


def _member_columns(sort: str) -> list[dict]:
    """Header cells of the member table: each links to sorting by it (ascending first,
    then descending) and says how the table is sorted now."""
    current, descending = sort.removeprefix("-"), sort.startswith("-")
    columns = []
    for key, label in MEMBER_COLUMNS.items():
        active = key == current
        columns.append(
            {
                "key": key,
                "label": label,
                "next": f"-{key}" if active and not descending else key,
                "aria_sort": ("descending" if descending else "ascending") if active else "",
                "numeric": key in NUMERIC_COLUMNS,
            }
        )
    return columns


def _which(request: HttpRequest) -> str:
    value = request.GET.get("attempts")
    return value if value in AnalysedAttempts.values else AnalysedAttempts.FIRST


@login_required
@require_safe
def assignment_report(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = managed_assignment(request, pk)
    now = timezone.now()
    summary = assignment_summary(assignment=assignment, now=now)
    sort = member_sort(value=request.GET.get("sort"))
    paginator = Paginator(report_member_rows(assignment=assignment, sort=sort), MEMBERS_PER_PAGE)
    # The summary has just counted these same rows; spare the database a second count.
    paginator.count = summary.learners
    page = paginator.get_page(request.GET.get("page"))
    for row in page:
        row.status = learner_status(row=row)
        row.time_text = duration_text(row.time_spent) if row.time_spent else ""
    histogram = charts.histogram_chart(
        [b.count for b in summary.histogram],
        edges=[str(b.low) for b in summary.histogram] + ["100"],
        ident="histogram",
        title=_("Score distribution"),
        desc=_("Number of learners whose score falls in each band of ten percent."),
        x_label=_("Score (%)"),
    )
    completion = charts.stacked_bar(
        [summary.finished, summary.in_progress, summary.not_started],
        ident="completion",
        title=_("Completion"),
        desc=_("%(finished)s of %(learners)s learners finished.")
        % {"finished": summary.finished, "learners": summary.learners},
    )
    return render(
        request,
        "quizzes/report_assignment.html",
        {
            "assignment": assignment,
            "summary": summary,
            "subgroups": assignment_subgroup_rows(assignment=assignment),
            "page_obj": page,
            "columns": _member_columns(sort),
            "sort": sort,
            "query": f"?{urlencode({'sort': sort})}" if sort != "name" else "",
            "histogram": histogram,
            "completion": completion,
            "is_overdue": now >= assignment.due_at,
            "tab": "overview",
        },
    )


@login_required
@require_safe
def assignment_mastery_report(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = managed_assignment(request, pk)
    rows, unlinked = assignment_mastery(assignment=assignment)
    return render(
        request,
        "quizzes/report_mastery.html",
        {"assignment": assignment, "rows": rows, "unlinked": unlinked, "tab": "mastery"},
    )


@login_required
@require_safe
def assignment_items_report(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = managed_assignment(request, pk)
    which = _which(request)
    return render(
        request,
        "quizzes/report_items.html",
        {
            "assignment": assignment,
            "items": item_analysis(assignment=assignment, which=which),
            "which": which,
            "query": f"?{urlencode({'attempts': which})}"
            if which != AnalysedAttempts.FIRST
            else "",
            "which_choices": AnalysedAttempts.choices,
            "tab": "items",
        },
    )


@login_required
@require_safe
def assignment_report_export(request: HttpRequest, pk: int, table: str, fmt: str):
    """``members`` or ``items`` as ``csv`` or ``xlsx``; the page's sort order and choice
    of attempts carry over."""
    assignment = managed_assignment(request, pk)
    if table == "members":
        sheets = [
            member_sheet(assignment=assignment, sort=member_sort(value=request.GET.get("sort")))
        ]
        name = _("members")
    elif table == "items":
        sheets = item_sheets(assignment=assignment, which=_which(request))
        name = _("item analysis")
    else:
        raise Http404
    filename = export_filename(assignment, name, fmt)
    if fmt == "csv":
        return csv_response(sheets[0], filename=filename)
    if fmt == "xlsx":
        return xlsx_response(sheets, filename=filename)
    raise Http404


@login_required
@require_safe
def group_report(request: HttpRequest, pk: int) -> HttpResponse:
    group = managed_group(request, pk)
    points = group_trend(group=group)
    chart = charts.trend_chart(
        [str(index) for index, _point in enumerate(points, start=1)],
        [point.completion for point in points],
        [point.mean for point in points],
        ident="trend",
        title=_("Completion and mean score per assignment"),
        desc=_(
            "Bars: the share of learners who finished each assignment. Line: their mean "
            "score. Assignments in order of due date, numbered as in the table."
        ),
    )
    return render(
        request,
        "quizzes/report_group.html",
        {"group": group, "points": points, "chart": chart},
    )
