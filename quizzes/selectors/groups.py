"""Reads for managing study groups: the organizer's group tree, a group's member pages,
an assignment's progress lists, a learner's open notices and the check of a member import.

Every selector runs a fixed number of queries, whatever the number of groups, members or
learners; the page tests pin the totals at two sizes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from quizzes.formats.members import MemberRow
from quizzes.models import Assignment, Attempt, Membership, Notice, StudyGroup, User

from .access import GROUPS, organized_subtree_ids, organizes_everything, subtree_ids, subtree_sql
from .assignments import assignment_learners, assignment_memberships
from .home import group_members, member_count_expression, organizer_count_expression

MEMBERS_PER_PAGE = 50
# The progress lists on the assignment page show this many names each; the CSV has all.
PROGRESS_LIST_LIMIT = 100
NOTICES_SHOWN = 20


# --- The group tree ---------------------------------------------------------------------


@dataclass
class GroupNode:
    group: StudyGroup
    depth: int
    children: list[GroupNode] = field(default_factory=list)


def group_tree(*, groups: Iterable[StudyGroup]) -> list[GroupNode]:
    """Arrange ``groups`` as a forest: a group whose parent is not among them is a root.
    Siblings keep the order they come in. No query; a cycle in bad data is cut."""
    groups = list(groups)
    by_parent: dict[int | None, list[StudyGroup]] = {}
    ids = {group.pk for group in groups}
    for group in groups:
        parent = group.parent_id if group.parent_id in ids else None
        by_parent.setdefault(parent, []).append(group)
    seen: set[int] = set()

    def build(group: StudyGroup, depth: int) -> GroupNode:
        seen.add(group.pk)
        node = GroupNode(group, depth)
        for child in by_parent.get(group.pk, []):
            if child.pk not in seen:
                node.children.append(build(child, depth + 1))
        return node

    # Iterative-safe enough: Python's recursion limit (1000) is far deeper than any tree
    # of study groups.
    return [build(group, 0) for group in by_parent.get(None, [])]


def tree_order(*, groups: Iterable[StudyGroup]) -> list[tuple[StudyGroup, int]]:
    """``groups`` in tree order (each group followed by the groups below it), with depth."""
    ordered: list[tuple[StudyGroup, int]] = []

    def walk(nodes: list[GroupNode]) -> None:
        for node in nodes:
            ordered.append((node.group, node.depth))
            walk(node.children)

    walk(group_tree(groups=groups))
    return ordered


def groups_below_others(*, group_ids: Iterable[int]) -> set[int]:
    """Those of ``group_ids`` that lie below another of them (at any depth). One query."""
    ids = [int(pk) for pk in group_ids]
    if not ids:
        return set()
    placeholders = ", ".join(["%s"] * len(ids))
    below = RawSQL(
        *subtree_sql(
            roots_sql=f"SELECT id FROM {GROUPS} WHERE parent_id IN ({placeholders})",
            params=tuple(ids),
        )
    )
    return set(
        StudyGroup.objects.filter(pk__in=ids).filter(pk__in=below).values_list("pk", flat=True)
    )


def managed_groups(*, user: User) -> QuerySet[StudyGroup]:
    """Groups ``user`` manages — those they organize and every group below one of them;
    all for a site-wide organizer — by name, with ``member_count`` (learners) and
    ``organizer_count`` (direct memberships). One query."""
    groups = (
        StudyGroup.objects.all()
        if organizes_everything(user=user)
        else StudyGroup.objects.filter(pk__in=organized_subtree_ids(user=user))
    )
    return groups.annotate(
        member_count=member_count_expression(), organizer_count=organizer_count_expression()
    ).order_by("name", "pk")


def parent_choices(*, user: User, group: StudyGroup | None = None) -> QuerySet[StudyGroup]:
    """Groups that may become the parent of ``group`` (of a new group when ``None``) for
    ``user``: the groups they manage, without ``group`` and the groups below it. One
    query."""
    groups = (
        StudyGroup.objects.all()
        if organizes_everything(user=user)
        else StudyGroup.objects.filter(pk__in=organized_subtree_ids(user=user))
    )
    if group is not None:
        groups = groups.exclude(pk__in=subtree_ids(group_ids=group.pk))
    return groups.order_by("name", "pk")


# --- The group page ---------------------------------------------------------------------


def group_member_page(*, group: StudyGroup, page_number: str | int | None) -> Page:
    """One page of the group's memberships with their users, organizers first. Two
    queries (count, page); a page out of range gives the last page."""
    return Paginator(group_members(group=group), MEMBERS_PER_PAGE).get_page(page_number)


def group_organizer_count(*, group: StudyGroup) -> int:
    return Membership.objects.filter(group=group, role=Membership.Role.ORGANIZER).count()


# --- An assignment's progress -----------------------------------------------------------


@dataclass(frozen=True)
class ProgressCounts:
    learners: int
    finished: int
    in_progress: int
    not_started: int


def _learners_with_progress(assignment: Assignment) -> QuerySet[User]:
    attempts = Attempt.objects.filter(assignment=assignment, user=OuterRef("pk"))
    return assignment_learners(assignment=assignment).annotate(
        has_started=Exists(attempts),
        has_finished=Exists(attempts.filter(state=Attempt.State.FINISHED)),
    )


def assignment_progress(*, assignment: Assignment) -> ProgressCounts:
    """How many of the assignment's learners have finished an attempt, have started but
    not finished, and have not started. One query."""
    counts = _learners_with_progress(assignment).aggregate(
        learners=Count("pk"),
        finished=Count("pk", filter=Q(has_finished=True)),
        started=Count("pk", filter=Q(has_started=True)),
    )
    return ProgressCounts(
        learners=counts["learners"],
        finished=counts["finished"],
        in_progress=counts["started"] - counts["finished"],
        not_started=counts["learners"] - counts["started"],
    )


class ProgressList:
    """Which learners a progress list holds."""

    NOT_STARTED = "not-started"
    NOT_FINISHED = "not-finished"
    UNFINISHED = "unfinished"  # both of the above: who a reminder goes to
    CHOICES = (NOT_STARTED, NOT_FINISHED)


def progress_learners(*, assignment: Assignment, which: str) -> QuerySet[User]:
    """The assignment's learners who have not started (``NOT_STARTED``), have started but
    not finished (``NOT_FINISHED``), or either (``UNFINISHED``), by name, each once, with
    ``group_name`` and ``unit`` from one of their memberships in the assignment's tree.
    One query."""
    learners = _learners_with_progress(assignment)
    if which == ProgressList.NOT_STARTED:
        learners = learners.filter(has_started=False)
    elif which == ProgressList.NOT_FINISHED:
        learners = learners.filter(has_started=True, has_finished=False)
    elif which == ProgressList.UNFINISHED:
        learners = learners.filter(has_finished=False)
    else:
        raise ValueError(which)
    membership = (
        assignment_memberships(assignment=assignment).filter(user=OuterRef("pk")).order_by("pk")
    )
    return learners.annotate(
        group_name=Subquery(membership.values("group__name")[:1]),
        unit=Subquery(membership.values("unit")[:1]),
    ).order_by("display_name", "username", "pk")


def last_reminder_at(*, assignment: Assignment) -> datetime | None:
    """When the assignment's latest reminder was sent, if ever. One query."""
    return (
        Notice.objects.filter(assignment=assignment)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def open_notices(*, user: User) -> list[Notice]:
    """The user's notices not yet dismissed, newest first, with their assignment's quiz.
    One query."""
    return list(
        Notice.objects.filter(user=user, dismissed_at__isnull=True)
        .select_related("assignment__quiz")
        .order_by("-created_at", "-pk")[:NOTICES_SHOWN]
    )


# --- Member import ----------------------------------------------------------------------


class ImportAction:
    CREATE = "create"  # a new account with an initial password
    ADD = "add"  # an existing account joins the group
    ALREADY = "already"  # already in the group: nothing to do
    SKIP = "skip"  # the row has a problem and is left out


@dataclass(frozen=True)
class ImportRowCheck:
    row: MemberRow
    action: str
    # Problems as (code, params); the view turns them into sentences.
    problems: tuple[tuple[str, dict], ...] = ()
    # The existing account's username as stored (it may differ in case from the sheet's).
    existing_username: str = ""


def member_import_check(*, group: StudyGroup, rows: list[MemberRow]) -> list[ImportRowCheck]:
    """What importing ``rows`` into ``group`` would do to each row. Usernames are checked
    with the account model's own validators; an existing account (matched without regard
    to case, as Django's sign-up form does) is added, never given a new password. Two
    queries, whatever the number of rows."""
    username_field = User._meta.get_field("username")
    name_limit = User._meta.get_field("display_name").max_length
    unit_limit = Membership._meta.get_field("unit").max_length
    keys = {row.username.casefold() for row in rows if row.username}
    existing = {
        lowered: (pk, username, is_active)
        for pk, username, is_active, lowered in User.objects.annotate(lowered=Lower("username"))
        .filter(lowered__in=[key.lower() for key in keys])
        .values_list("pk", "username", "is_active", "lowered")
    }
    member_ids = set(
        Membership.objects.filter(
            group=group, user_id__in=[pk for pk, _u, _a in existing.values()]
        ).values_list("user_id", flat=True)
    )
    checks = []
    for row in rows:
        problems = [(problem.code, problem.params) for problem in row.problems]
        if row.username:
            try:
                username_field.run_validators(row.username)
            except ValidationError:
                problems.append(("username_invalid", {"limit": username_field.max_length}))
        if len(row.name) > name_limit:
            problems.append(("name_too_long", {"limit": name_limit}))
        if len(row.unit) > unit_limit:
            problems.append(("unit_too_long", {"limit": unit_limit}))
        found = existing.get(row.username.lower()) if row.username else None
        if found and not found[2]:
            problems.append(("account_inactive", {}))
        if problems:
            checks.append(ImportRowCheck(row, ImportAction.SKIP, tuple(problems)))
        elif found is None:
            checks.append(ImportRowCheck(row, ImportAction.CREATE))
        elif found[0] in member_ids:
            checks.append(ImportRowCheck(row, ImportAction.ALREADY, existing_username=found[1]))
        else:
            checks.append(ImportRowCheck(row, ImportAction.ADD, existing_username=found[1]))
    return checks
