"""A group's members: making a member a co-organizer and back, adding a co-organizer,
taking a person out of the group, and importing members from a sheet (upload, preview,
confirm, the initial passwords shown and downloadable once).

Access: organizers of the group or of a group above it, and staff (``managed_group``);
anyone else gets 404. Every write is a POST protected by the CSRF middleware.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence

from cryptography.fernet import Fernet, InvalidToken
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from quizzes.exports.sheets import private_attachment, text_csv_lines, text_xlsx
from quizzes.formats.members import MemberFileError, MemberRow, RowProblem, read_members
from quizzes.forms.members import MemberImportForm, OrganizerAddForm
from quizzes.models import Membership, StudyGroup
from quizzes.selectors.access import GroupAccess
from quizzes.selectors.groups import ImportAction, member_import_check
from quizzes.services import groups as group_services
from quizzes.views.common import errors_to_form, managed_group, say_error
from quizzes.views.groups import group_page

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


# --- Members and co-organizers ----------------------------------------------------------


def _membership(request: HttpRequest, pk: int, membership_pk: int) -> Membership:
    group = managed_group(request, pk)
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
        say_error(request, error)
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
    group = managed_group(request, pk)
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
    response = group_page(request, group, GroupAccess.ORGANIZER, organizer_form=form)
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
            say_error(request, error)
        else:
            messages.success(
                request,
                _("%(name)s was removed from the group.") % {"name": membership.user.shown_name},
            )
        return redirect(membership.group)
    return render(request, "quizzes/group_member_remove.html", {"membership": membership})


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
    group = managed_group(request, pk)
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
    group = managed_group(request, pk)
    stored = request.session.get(IMPORT_ROWS_KEY % group.pk)
    if not stored:
        messages.error(request, _("Nothing to import: upload the member list again."))
        return redirect("quizzes:member_import", pk=group.pk)
    try:
        outcome = group_services.members_import(
            group=group, rows=_loaded_rows(stored), imported_by=request.user
        )
    except ValidationError as error:
        say_error(request, error)
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
    group = managed_group(request, pk)
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


@login_required
@require_POST
def member_import_passwords(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the new accounts' initial passwords, once, as CSV or Excel."""
    group = managed_group(request, pk)
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
        return HttpResponse(
            text_xlsx(_("Initial passwords"), header, accounts),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers=private_attachment(f"{stem}.xlsx"),
        )
    return HttpResponse(
        "".join(text_csv_lines(header, accounts)),
        content_type="text/csv; charset=utf-8",
        headers=private_attachment(f"{stem}.csv"),
    )
