"""Who may see which study group and question bank.

Study groups form a tree (Party committee → branch → study group). A person sees a group
when they are a member of it (any role), when they organize the group or any group above
it, or when they are staff. The tree is walked to a fixed depth, ``MAX_GROUP_DEPTH``, with
chained joins on ``parent`` inside a single query: no recursion in Python, no query per
level, and a cycle in bad data cannot loop forever.
"""

from django.db.models import Q, QuerySet, TextChoices
from django.utils.translation import gettext_lazy as _

from quizzes.models import Membership, QuestionBank, StudyGroup, User

# Deep enough for committee → general branch → branch → group → sub-group with room to
# spare. Groups nested deeper than this are not reached from organizers above the limit.
MAX_GROUP_DEPTH = 8

# "parent", "parent__parent", … : the lookup paths from a group to its ancestors.
ANCESTOR_PATHS: tuple[str, ...] = tuple(
    "__".join(["parent"] * level) for level in range(1, MAX_GROUP_DEPTH + 1)
)


class GroupAccess(TextChoices):
    """Why a user may open a group page, strongest reason first."""

    STAFF = "staff", _("staff")
    ORGANIZER = "organizer", _("organizer")
    MEMBER = "member", _("member")


def _is_signed_in(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def group_ids_with_ancestors(*, user: User) -> tuple[set[int], set[int]]:
    """The ids of the groups ``user`` belongs to, and those ids plus every ancestor's.

    One query. Assignments made to any group in the second set reach the user.
    """
    columns = ("group_id", *(f"group__{path}" for path in ANCESTOR_PATHS))
    rows = Membership.objects.filter(user=user).values_list(*columns)
    own: set[int] = set()
    reachable: set[int] = set()
    for own_id, *ancestors in rows:
        own.add(own_id)
        reachable.add(own_id)
        reachable.update(ancestor for ancestor in ancestors if ancestor is not None)
    return own, reachable


def _below_any_of(group_ids) -> Q:
    """Groups strictly below any of ``group_ids`` (a list or a ``values()`` subquery)."""
    condition = Q()
    for path in ANCESTOR_PATHS:
        condition |= Q(**{f"{path}__in": group_ids})
    return condition


def groups_visible_to(user: User) -> QuerySet[StudyGroup]:
    """Every group ``user`` may open: all for staff; otherwise the groups they belong to
    and every group below one they organize. One query when evaluated."""
    if not _is_signed_in(user):
        return StudyGroup.objects.none()
    if user.is_staff:
        return StudyGroup.objects.all()
    memberships = Membership.objects.filter(user=user)
    member_of = memberships.values("group_id")
    organizer_of = memberships.filter(role=Membership.Role.ORGANIZER).values("group_id")
    # Forward joins on ``parent`` are single-valued, so no row repeats: no DISTINCT.
    return StudyGroup.objects.filter(Q(pk__in=member_of) | _below_any_of(organizer_of))


def group_access(*, user: User, group: StudyGroup) -> GroupAccess | None:
    """Why ``user`` may open ``group``, or ``None`` when they may not.

    ``ORGANIZER`` means they organize this group or a group above it. At most one query.
    """
    if not _is_signed_in(user):
        return None
    if user.is_staff:
        return GroupAccess.STAFF
    this_group = StudyGroup.objects.filter(pk=group.pk)
    condition = Q(group_id=group.pk)
    for path in ANCESTOR_PATHS:
        condition |= Q(role=Membership.Role.ORGANIZER, group_id__in=this_group.values(path))
    roles = set(Membership.objects.filter(user=user).filter(condition).values_list("role"))
    if (Membership.Role.ORGANIZER,) in roles:
        return GroupAccess.ORGANIZER
    if roles:
        return GroupAccess.MEMBER
    return None


def can_view_group(user: User, group: StudyGroup) -> bool:
    """Whether ``user`` may open the page of ``group``. At most one query."""
    return group_access(user=user, group=group) is not None


def banks_visible_to(user: User) -> QuerySet[QuestionBank]:
    """Banks ``user`` may open: their own, or all of them for staff."""
    if not _is_signed_in(user):
        return QuestionBank.objects.none()
    if user.is_staff:
        return QuestionBank.objects.all()
    return QuestionBank.objects.filter(owner=user)


def can_view_bank(user: User, bank: QuestionBank) -> bool:
    """Whether ``user`` may open the page of ``bank``: its owner and staff. No query."""
    return _is_signed_in(user) and (user.is_staff or bank.owner_id == user.pk)
