"""Study-group pages: the organizer's group tree, creating and editing groups, the group
page with its members and co-organizers, the join link with its printable QR code, member
import, and an assignment's progress page with reminders; plus the learner's notices.

Access: the group tree and creation open to organizers (staff, or anyone who organizes a
group, owns a bank or a quiz); a group's management pages to organizers of the group or
of a group above it, and staff. Anyone else gets 404, so nothing reveals that a group
exists. The join page is public by design: its code is the invitation. Every write is a
POST protected by the CSRF middleware.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence

import segno
from cryptography.fernet import Fernet, InvalidToken
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from quizzes.downloads import Echo, csv_text, xlsx_text
from quizzes.formats.members import MemberFileError, MemberRow, RowProblem, read_members
from quizzes.group_forms import (
    GroupForm,
    JoinRegisterForm,
    MemberImportForm,
    OrganizerAddForm,
    ReminderForm,
)
from quizzes.models import Membership, Notice, StudyGroup
from quizzes.selectors.access import GroupAccess, group_access
from quizzes.selectors.groups import (
    PROGRESS_LIST_LIMIT,
    ImportAction,
    ProgressList,
    assignment_progress,
    group_member_page,
    group_tree,
    last_reminder_at,
    managed_groups,
    member_import_check,
    parent_choices,
    progress_learners,
)
from quizzes.selectors.home import group_assignments, group_children
from quizzes.services import groups as group_services
from quizzes.views.authoring import organizer_required
from quizzes.views.common import errors_to_form, managed_assignment

MANAGES = (GroupAccess.STAFF, GroupAccess.ORGANIZER)

FILE_ERRORS = {
    "empty": gettext_lazy("The file has no rows."),
    "too_large": gettext_lazy("The file is larger than %(limit_mb)s MB."),
    "unsupported_type": gettext_lazy("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."),
    "corrupt": gettext_lazy("The file is damaged or is not really an .xlsx workbook."),
    "bad_encoding": gettext_lazy("The CSV file is not in UTF-8 or GB18030; save it as UTF-8 CSV."),
    **group_services.MEMBER_FILE_ERRORS,
    "archive_bomb": gettext_lazy(
        "The workbook unpacks to far more data than a member list should."
    ),
    "no_username_column": gettext_lazy(
        "No username column was found in the header row: head it username (or 用户名 or 账号)."
    ),
    "too_many_rows": gettext_lazy("The file has more than %(limit)s member rows."),
}
ROW_PROBLEMS = {
    "username_missing": gettext_lazy("The username is empty."),
    "duplicate_username": gettext_lazy(
        "The username is repeated: it first appears on line %(line)s."
    ),
    "username_invalid": gettext_lazy(
        "A username may contain only letters, digits and @ . + - _ (at most %(limit)s characters)."
    ),
    "name_too_long": gettext_lazy("The name is longer than %(limit)s characters."),
    "unit_too_long": gettext_lazy("The unit is longer than %(limit)s characters."),
    "account_inactive": gettext_lazy("This account is deactivated."),
}

# Session keys, per group: the rows of a previewed import, and the sealed initial
# passwords of a finished one.
IMPORT_ROWS_KEY = "studyapp_member_import_rows:%s"
IMPORT_RESULT_KEY = "studyapp_member_import_result:%s"
# Initial passwords stay (encrypted) in the session at most this long.
PASSWORDS_TTL_SECONDS = 3600


def _managed_group(request: HttpRequest, pk: int) -> StudyGroup:
    group = get_object_or_404(StudyGroup.objects.select_related("parent"), pk=pk)
    if group_access(user=request.user, group=group) not in MANAGES:
        raise Http404
    return group


def _join_url(request: HttpRequest, group: StudyGroup) -> str:
    return request.build_absolute_uri(reverse("quizzes:join", kwargs={"code": group.join_code}))


def _say_error(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- The group tree, creating and editing ------------------------------------------------


@organizer_required
@require_safe
def group_list(request: HttpRequest) -> HttpResponse:
    """Every group the organizer manages, as an indented tree with member counts."""
    return render(
        request,
        "quizzes/group_list.html",
        {"tree": group_tree(managed_groups(user=request.user))},
    )


@organizer_required
@require_http_methods(["GET", "HEAD", "POST"])
def group_create(request: HttpRequest) -> HttpResponse:
    parents = list(parent_choices(user=request.user))
    initial = {"parent": request.GET.get("parent", "")}
    form = GroupForm(request.POST or None, parents=parents, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            group = group_services.group_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("Group created. Share its join link with its members."))
            return redirect(group)
    return render(request, "quizzes/group_form.html", {"form": form, "group": None})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = _managed_group(request, pk)
    parents = list(parent_choices(user=request.user, group=group))
    if group.parent and group.parent not in parents:
        # The current parent stays selectable even for an organizer who does not manage it.
        parents.append(group.parent)
    form = GroupForm(request.POST or None, parents=parents, initial=GroupForm.initial_from(group))
    if request.method == "POST" and form.is_valid():
        try:
            group_services.group_update(group=group, updated_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("Group saved."))
            return redirect(group)
    return render(request, "quizzes/group_form.html", {"form": form, "group": group})


# --- The group page and its members ------------------------------------------------------


def _group_page(
    request: HttpRequest, group: StudyGroup, access: GroupAccess, **extra
) -> HttpResponse:
    manages = access in MANAGES
    context = {
        "group": group,
        "manages": manages,
        "page_obj": group_member_page(group=group, page_number=request.GET.get("page")),
        "assignments": group_assignments(group=group),
        # Members may not open sub-groups, so only those who manage see them.
        "children": group_children(group=group) if manages else [],
        "now": timezone.now(),
    }
    if manages:
        context["join_url"] = _join_url(request, group)
        context.setdefault("organizer_form", OrganizerAddForm())
    context.update(extra)
    return render(request, "quizzes/group_detail.html", context)


@login_required
@require_safe
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(StudyGroup.objects.select_related("parent"), pk=pk)
    access = group_access(user=request.user, group=group)
    if access is None:
        raise Http404
    return _group_page(request, group, access)


def _membership(request: HttpRequest, pk: int, membership_pk: int) -> Membership:
    group = _managed_group(request, pk)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_pk, group=group
    )
    membership.group = group
    return membership


@login_required
@require_POST
def member_role(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    """Make a member a co-organizer, or an organizer a member again."""
    membership = _membership(request, pk, membership_pk)
    role = request.POST.get("role", "")
    try:
        group_services.membership_set_role(
            membership=membership, role=role, changed_by=request.user
        )
    except ValidationError as error:
        _say_error(request, error)
    else:
        if role == Membership.Role.ORGANIZER:
            text = _("%(name)s is now an organizer.")
        else:
            text = _("%(name)s is now a member.")
        messages.success(request, text % {"name": membership.user.shown_name})
    return redirect(membership.group)


@login_required
@require_POST
def organizer_add(request: HttpRequest, pk: int) -> HttpResponse:
    group = _managed_group(request, pk)
    form = OrganizerAddForm(request.POST)
    if form.is_valid():
        try:
            membership = group_services.organizer_add(
                group=group, username=form.cleaned_data["username"], added_by=request.user
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now an organizer.") % {"name": membership.user.shown_name},
            )
            return redirect(group)
    response = _group_page(request, group, GroupAccess.ORGANIZER, organizer_form=form)
    response.status_code = 400
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    """Ask, then take a person out of the group. Their attempts and results stay."""
    membership = _membership(request, pk, membership_pk)
    if request.method == "POST":
        try:
            group_services.membership_remove(membership=membership, removed_by=request.user)
        except ValidationError as error:
            _say_error(request, error)
        else:
            messages.success(
                request,
                _("%(name)s was removed from the group.") % {"name": membership.user.shown_name},
            )
        return redirect(membership.group)
    return render(request, "quizzes/group_member_remove.html", {"membership": membership})


# --- Join link, QR code, joining ---------------------------------------------------------


@login_required
@require_POST
def join_code_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    group = _managed_group(request, pk)
    group_services.group_join_code_regenerate(group=group, changed_by=request.user)
    messages.success(
        request,
        _("The group has a new join code. Links and QR codes with the old one no longer work."),
    )
    return redirect(group)


def _qr(url: str):
    return segno.make(url, error="m")


@login_required
@require_safe
def group_join_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """A page to print or show on a screen: the QR code of the join link, the link and
    the code."""
    group = _managed_group(request, pk)
    url = _join_url(request, group)
    svg = _qr(url).svg_inline(scale=1, border=4, omitsize=True, svgclass="join-qr__code", title=url)
    return render(
        request, "quizzes/group_join_sheet.html", {"group": group, "join_url": url, "qr_svg": svg}
    )


@login_required
@require_safe
def group_join_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code of the join link as an SVG file, for posters and slides."""
    group = _managed_group(request, pk)
    buffer = io.BytesIO()
    _qr(_join_url(request, group)).save(buffer, kind="svg", scale=10, border=4)
    return HttpResponse(
        buffer.getvalue(),
        content_type="image/svg+xml",
        headers={"Content-Disposition": f'attachment; filename="join-{group.join_code}.svg"'},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def join(request: HttpRequest, code: str) -> HttpResponse:
    """A group's join link. Signed in: confirm and join. Not signed in: create an account
    here (or log in) and join."""
    group = StudyGroup.objects.filter(join_code=code.strip().upper()).first()
    if group is None:
        return render(request, "quizzes/join_invalid.html", {"code": code}, status=404)
    user = request.user
    if user.is_authenticated:
        if request.method == "POST":
            _membership, created = group_services.group_join(group=group, user=user)
            if created:
                messages.success(request, _("You joined %(group)s.") % {"group": group.name})
            else:
                messages.info(
                    request, _("You are already a member of %(group)s.") % {"group": group.name}
                )
            return redirect(group)
        is_member = Membership.objects.filter(group=group, user=user).exists()
        return render(request, "quizzes/join.html", {"group": group, "is_member": is_member})

    form = JoinRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new_user = group_services.learner_register(
                group=group,
                username=form.cleaned_data["username"],
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        except IntegrityError:
            # The same username was taken between the form's check and the insert.
            form.add_error("username", _("A user with that username already exists."))
        else:
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome! Your account is ready and you joined %(group)s.")
                % {"group": group.name},
            )
            return redirect(group)
    login_url = f"{reverse('login')}?{urlencode({'next': request.path})}"
    return render(
        request, "quizzes/join.html", {"group": group, "form": form, "login_url": login_url}
    )


# --- Member import -----------------------------------------------------------------------


def _problem_texts(problems: Iterable[tuple[str, dict]]) -> list[str]:
    return [str(ROW_PROBLEMS[code]) % params for code, params in problems]


def _stored_rows(rows: Sequence[MemberRow]) -> list:
    return [
        [row.line, row.name, row.username, row.unit, [[p.code, p.params] for p in row.problems]]
        for row in rows
    ]


def _loaded_rows(stored: list) -> list[MemberRow]:
    return [
        MemberRow(line, name, username, unit, tuple(RowProblem(c, p) for c, p in problems))
        for line, name, username, unit, problems in stored
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a member sheet and preview what importing it would do, row by row."""
    group = _managed_group(request, pk)
    form = MemberImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_members(upload.read(), upload.name)
        except MemberFileError as error:
            form.add_error("file", str(FILE_ERRORS[error.code]) % error.params)
        else:
            checks = member_import_check(group=group, rows=rows)
            request.session[IMPORT_ROWS_KEY % group.pk] = _stored_rows(rows)
            return render(
                request,
                "quizzes/member_import_preview.html",
                _preview_context(group, checks, upload.name),
            )
    return render(request, "quizzes/member_import.html", {"group": group, "form": form})


def _preview_context(group: StudyGroup, checks, filename: str) -> dict:
    counts = dict.fromkeys(
        (ImportAction.CREATE, ImportAction.ADD, ImportAction.ALREADY, ImportAction.SKIP), 0
    )
    rows = []
    for check in checks:
        counts[check.action] += 1
        rows.append({"check": check, "problems": _problem_texts(check.problems)})
    return {
        "group": group,
        "rows": rows,
        "counts": counts,
        "filename": filename,
        "importable": counts[ImportAction.CREATE] + counts[ImportAction.ADD],
    }


def _fernet() -> Fernet:
    """Encrypts initial passwords kept in the session: sessions are written to the
    database, and no plaintext password may land there."""
    key = salted_hmac("studyapp.member-import-passwords", "", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


@login_required
@require_POST
def member_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    group = _managed_group(request, pk)
    stored = request.session.get(IMPORT_ROWS_KEY % group.pk)
    if not stored:
        messages.error(request, _("Nothing to import: upload the member list again."))
        return redirect("quizzes:member_import", pk=group.pk)
    try:
        outcome = group_services.members_import(
            group=group, rows=_loaded_rows(stored), imported_by=request.user
        )
    except ValidationError as error:
        _say_error(request, error)
        return redirect("quizzes:member_import", pk=group.pk)
    del request.session[IMPORT_ROWS_KEY % group.pk]
    accounts = [[a.name, a.username, a.unit, a.password] for a in outcome.created]
    request.session[IMPORT_RESULT_KEY % group.pk] = {
        "sealed": _fernet().encrypt(json.dumps(accounts).encode()).decode() if accounts else "",
        "shown": False,
        "created": len(outcome.created),
        "added": outcome.added,
        "already": outcome.already,
        "skipped": outcome.skipped,
    }
    return redirect("quizzes:member_import_result", pk=group.pk)


def _unseal(sealed: str) -> list | None:
    try:
        return json.loads(_fernet().decrypt(sealed.encode(), ttl=PASSWORDS_TTL_SECONDS))
    except (InvalidToken, ValueError):
        return None


@login_required
@require_safe
def member_import_result(request: HttpRequest, pk: int) -> HttpResponse:
    """What the import did. New accounts' initial passwords are shown on the first view
    only; they can be downloaded once (until then they stay, encrypted, in the session)."""
    group = _managed_group(request, pk)
    key = IMPORT_RESULT_KEY % group.pk
    result = request.session.get(key)
    if result is None:
        raise Http404
    accounts = None
    if result["sealed"] and not result["shown"]:
        accounts = _unseal(result["sealed"])
        result["shown"] = True
        request.session[key] = result
    downloadable = bool(result["sealed"]) and _unseal(result["sealed"]) is not None
    response = render(
        request,
        "quizzes/member_import_result.html",
        {"group": group, "result": result, "accounts": accounts, "downloadable": downloadable},
    )
    # Passwords must not stay in a browser or proxy cache.
    response["Cache-Control"] = "no-store"
    return response


def _csv_rows(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """A CSV as text chunks: a byte order mark (Excel then reads UTF-8), the header, the
    rows; text cells neutralised so a spreadsheet does not run them as formulas."""
    writer = csv.writer(Echo())
    yield "\ufeff"
    yield writer.writerow([str(title) for title in header])
    for row in rows:
        yield writer.writerow([csv_text(cell) if isinstance(cell, str) else cell for cell in row])


def _attachment(filename: str) -> dict:
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }


@login_required
@require_POST
def member_import_passwords(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the new accounts' initial passwords, once, as CSV or Excel."""
    group = _managed_group(request, pk)
    key = IMPORT_RESULT_KEY % group.pk
    result = request.session.get(key)
    accounts = _unseal(result["sealed"]) if result and result["sealed"] else None
    if accounts is None:
        messages.error(
            request,
            _(
                "The initial passwords were already downloaded or have expired; reset a "
                "password in the admin if one is lost."
            ),
        )
        return redirect("quizzes:group_detail", pk=group.pk)
    result["sealed"] = ""
    request.session[key] = result
    header = [_("Name"), _("Username"), _("Unit"), _("Initial password")]
    stem = f"initial-passwords-{group.pk}"
    if request.POST.get("format") == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Initial passwords"))
        sheet.append([str(title) for title in header])
        for row in accounts:
            sheet.append([xlsx_text(sheet, cell) for cell in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers=_attachment(f"{stem}.xlsx"),
        )
    return HttpResponse(
        "".join(_csv_rows(header, accounts)),
        content_type="text/csv; charset=utf-8",
        headers=_attachment(f"{stem}.csv"),
    )


# --- An assignment's progress and reminders ----------------------------------------------


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
        _csv_rows(header, rows),
        content_type="text/csv; charset=utf-8",
        headers=_attachment(f"assignment-{assignment.pk}-{which}.csv"),
    )


@login_required
@require_POST
def assignment_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a reminder to everyone who has not finished: a notice and an e-mail."""
    assignment = managed_assignment(request, pk)
    form = ReminderForm(request.POST)
    if not form.is_valid():
        _say_error(request, ValidationError(list(form.errors.get("message", []))))
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
        _say_error(request, error)
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


@login_required
@require_POST
def notice_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice, pk=pk, user=request.user)
    group_services.notice_dismiss(notice=notice, user=request.user)
    return redirect("quizzes:home")
