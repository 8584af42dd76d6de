"""Who may see which study group and question bank.

Study groups form a tree of any depth (Party committee → general branch → branch → study
group → …). A person sees a group when they are a member of it (any role), when they
organize the group or any group above it, or when they organize everything: a superuser,
or a staff account given the permission ``quizzes.organize_all_groups`` in the admin
(``organizes_everything``). Staff status alone opens the admin to review scores and
nothing else: a staff account without that permission is a learner or organizer like any
other on the site's pages.

The tree is walked in the database with recursive common table expressions (``WITH
RECURSIVE``, on SQLite and PostgreSQL alike), used as ``IN (…)`` subqueries: one query
whatever the depth, no recursion in Python. ``UNION`` (not ``UNION ALL``) drops rows already
seen, so a cycle in bad data ends the walk instead of looping.
"""

from django.db import connection
from django.db.models import Q, QuerySet, TextChoices
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from quizzes.models import Membership, QuestionBank, StudyGroup, User

GROUPS = StudyGroup._meta.db_table
MEMBERSHIPS = Membership._meta.db_table
ORGANIZER = Membership.Role.ORGANIZER.value


# The permission that makes a staff account an organizer of every group, bank and quiz.
ORGANIZE_ALL_GROUPS = "quizzes.organize_all_groups"


class GroupAccess(TextChoices):
    """Why a user may open a group page, strongest reason first. ``STAFF`` is a site-wide
    organizer (``organizes_everything``), not any staff account."""

    STAFF = "staff", _("site-wide organizer")
    ORGANIZER = "organizer", _("organizer")
    MEMBER = "member", _("member")


def _is_signed_in(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def organizes_everything(*, user: User) -> bool:
    """Whether ``user`` organizes every study group, question bank and quiz: a superuser,
    or a staff account holding ``quizzes.organize_all_groups``.

    The permission counts on staff accounts only, as Django's admin permissions do: it is
    given in the admin, to administrative accounts. That also keeps the check free for
    everyone else: no query unless the user is staff without being a superuser (then
    Django's permission cache costs two queries, once per request)."""
    if not _is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    return bool(user.is_staff and user.has_perm(ORGANIZE_ALL_GROUPS))


def subtree_sql(*, roots_sql: str, params: tuple = ()) -> tuple[str, tuple]:
    """SQL selecting the ids of the groups that ``roots_sql`` selects and of every group
    below them, with its parameters. ``roots_sql`` selects one column of group ids."""
    sql = (
        f"WITH RECURSIVE subtree(id) AS ({roots_sql} "
        f"UNION SELECT g.id FROM {GROUPS} g JOIN subtree s ON g.parent_id = s.id) "
        "SELECT id FROM subtree"
    )
    return sql, params


def ancestors_sql(*, roots_sql: str, params: tuple = ()) -> tuple[str, tuple]:
    """SQL selecting the ids of the groups that ``roots_sql`` selects and of every group
    above them, with its parameters."""
    sql = (
        f"WITH RECURSIVE up(id, parent_id) AS ("
        f"SELECT g.id, g.parent_id FROM {GROUPS} g WHERE g.id IN ({roots_sql}) "
        f"UNION SELECT g.id, g.parent_id FROM {GROUPS} g JOIN up ON g.id = up.parent_id) "
        "SELECT id FROM up"
    )
    return sql, params


def subtree_ids(*, group_ids) -> RawSQL:
    """``group_ids`` (ids, or one group's id) and every group below them, as a subquery
    for ``…__in=``. An empty list gives an empty subquery."""
    if isinstance(group_ids, int):
        group_ids = [group_ids]
    ids = [int(pk) for pk in group_ids] or [0]
    placeholders = ", ".join(["%s"] * len(ids))
    return RawSQL(
        *subtree_sql(
            roots_sql=f"SELECT id FROM {GROUPS} WHERE id IN ({placeholders})", params=tuple(ids)
        )
    )


def ancestor_ids(*, group_id: int) -> RawSQL:
    """The group ``group_id`` and every group above it, as a subquery for ``…__in=``."""
    return RawSQL(*ancestors_sql(roots_sql="%s", params=(int(group_id),)))


def organized_subtree_ids(*, user: User) -> RawSQL:
    """Every group ``user`` organizes and every group below one of them, as a subquery."""
    return RawSQL(
        *subtree_sql(
            roots_sql=f"SELECT group_id FROM {MEMBERSHIPS} WHERE user_id = %s AND role = %s",
            params=(user.pk, ORGANIZER),
        )
    )


def group_ids_with_ancestors(*, user: User) -> tuple[set[int], set[int]]:
    """The ids of the groups ``user`` belongs to, and those ids plus every ancestor's.

    One query. Assignments made to any group in the second set reach the user.
    """
    sql, params = ancestors_sql(
        roots_sql=f"SELECT group_id FROM {MEMBERSHIPS} WHERE user_id = %s", params=(user.pk,)
    )
    own_sql = f"SELECT group_id, 1 FROM {MEMBERSHIPS} WHERE user_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, 0 FROM ({sql}) reachable UNION ALL {own_sql}", (*params, user.pk)
        )
        rows = cursor.fetchall()
    own = {pk for pk, is_own in rows if is_own}
    reachable = {pk for pk, _is_own in rows}
    return own, reachable


def groups_visible_to(*, user: User) -> QuerySet[StudyGroup]:
    """Every group ``user`` may open: all for a site-wide organizer; otherwise the groups
    they belong to and every group at or below one they organize. One query when
    evaluated."""
    if not _is_signed_in(user):
        return StudyGroup.objects.none()
    if organizes_everything(user=user):
        return StudyGroup.objects.all()
    member_of = Membership.objects.filter(user=user).values("group_id")
    return StudyGroup.objects.filter(
        Q(pk__in=member_of) | Q(pk__in=organized_subtree_ids(user=user))
    )


def group_access(*, user: User, group: StudyGroup) -> GroupAccess | None:
    """Why ``user`` may open ``group``, or ``None`` when they may not.

    ``ORGANIZER`` means they organize this group or a group above it. At most one query.
    """
    if not _is_signed_in(user):
        return None
    if organizes_everything(user=user):
        return GroupAccess.STAFF
    rows = Membership.objects.filter(
        user=user, group_id__in=ancestor_ids(group_id=group.pk)
    ).values_list("group_id", "role")
    roles = {role for group_id, role in rows if group_id == group.pk or role == ORGANIZER}
    if ORGANIZER in roles:
        return GroupAccess.ORGANIZER
    if roles:
        return GroupAccess.MEMBER
    return None


def can_view_group(*, user: User, group: StudyGroup) -> bool:
    """Whether ``user`` may open the page of ``group``. At most one query."""
    return group_access(user=user, group=group) is not None


def banks_visible_to(*, user: User) -> QuerySet[QuestionBank]:
    """Banks ``user`` may open: their own, or all of them for a site-wide organizer."""
    if not _is_signed_in(user):
        return QuestionBank.objects.none()
    if organizes_everything(user=user):
        return QuestionBank.objects.all()
    return QuestionBank.objects.filter(owner=user)


def can_view_bank(*, user: User, bank: QuestionBank) -> bool:
    """Whether ``user`` may open the page of ``bank``: its owner and a site-wide
    organizer. No query for the owner."""
    return _is_signed_in(user) and (bank.owner_id == user.pk or organizes_everything(user=user))
