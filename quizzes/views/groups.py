"""Study-group pages: the organizer's group tree, creating and editing groups, the group
page with its members, the join link with its printable QR code, and joining (a group's
members and member import are in ``views.members``).

Access: the group tree and creation open to organizers (staff, or anyone who organizes a
group, owns a bank or a quiz); a group's management pages to organizers of the group or
of a group above it, and staff. Anyone else gets 404, so nothing reveals that a group
exists. The join page is public by design: its code is the invitation. Every write is a
POST protected by the CSRF middleware.
"""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from quizzes.forms.groups import GroupForm, JoinRegisterForm
from quizzes.forms.members import OrganizerAddForm
from quizzes.models import Membership, StudyGroup
from quizzes.selectors.access import GroupAccess, group_access
from quizzes.selectors.groups import group_member_page, group_tree, managed_groups, parent_choices
from quizzes.selectors.home import group_assignments, group_children
from quizzes.services import groups as group_services
from quizzes.views.common import (
    MANAGES,
    errors_to_form,
    form_saved,
    managed_group,
    organizer_required,
)


def _join_url(request: HttpRequest, group: StudyGroup) -> str:
    return request.build_absolute_uri(reverse("quizzes:join", kwargs={"code": group.join_code}))


# --- The group tree, creating and editing ------------------------------------------------


@organizer_required
@require_safe
def group_list(request: HttpRequest) -> HttpResponse:
    """Every group the organizer manages, as an indented tree with member counts."""
    return render(
        request,
        "quizzes/group_list.html",
        {"tree": group_tree(groups=managed_groups(user=request.user))},
    )


@organizer_required
@require_http_methods(["GET", "HEAD", "POST"])
def group_create(request: HttpRequest) -> HttpResponse:
    parents = list(parent_choices(user=request.user))
    initial = {"parent": request.GET.get("parent", "")}
    form = GroupForm(request.POST or None, parents=parents, initial=initial)
    group = form_saved(
        request,
        form,
        lambda: group_services.group_create(created_by=request.user, **form.cleaned_data),
    )
    if group is not None:
        messages.success(request, _("Group created. Share its join link with its members."))
        return redirect(group)
    return render(request, "quizzes/group_form.html", {"form": form, "group": None})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = managed_group(request, pk)
    parents = list(parent_choices(user=request.user, group=group))
    if group.parent and group.parent not in parents:
        # The current parent stays selectable even for an organizer who does not manage it.
        parents.append(group.parent)
    form = GroupForm(request.POST or None, parents=parents, initial=GroupForm.initial_from(group))
    saved = form_saved(
        request,
        form,
        lambda: group_services.group_update(
            group=group, updated_by=request.user, **form.cleaned_data
        ),
    )
    if saved is not None:
        messages.success(request, _("Group saved."))
        return redirect(group)
    return render(request, "quizzes/group_form.html", {"form": form, "group": group})


# --- The group page and its members ------------------------------------------------------


def group_page(
    request: HttpRequest, group: StudyGroup, access: GroupAccess, **extra
) -> HttpResponse:
    """The group page; those who manage the group also see its sub-groups, join link and
    the form that adds a co-organizer (``extra`` replaces any of its context)."""
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
    return group_page(request, group, access)


# --- Join link, QR code, joining ---------------------------------------------------------


@login_required
@require_POST
def join_code_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    group = managed_group(request, pk)
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
    group = managed_group(request, pk)
    url = _join_url(request, group)
    svg = _qr(url).svg_inline(scale=1, border=4, omitsize=True, svgclass="join-qr__code", title=url)
    return render(
        request, "quizzes/group_join_sheet.html", {"group": group, "join_url": url, "qr_svg": svg}
    )


@login_required
@require_safe
def group_join_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code of the join link as an SVG file, for posters and slides."""
    group = managed_group(request, pk)
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
