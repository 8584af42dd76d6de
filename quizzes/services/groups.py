"""Writes for study groups and memberships."""

from __future__ import annotations

from django.db import transaction

from quizzes.models import Membership, StudyGroup, User


@transaction.atomic
def group_create(
    *, name: str, created_by: User, parent: StudyGroup | None = None, description: str = ""
) -> StudyGroup:
    """Create a group; its creator becomes its first organizer."""
    group = StudyGroup(name=name, created_by=created_by, parent=parent, description=description)
    group.full_clean()
    group.save()
    membership_add(group=group, user=created_by, role=Membership.Role.ORGANIZER)
    return group


def membership_add(
    *, group: StudyGroup, user: User, role: str = Membership.Role.MEMBER, unit: str = ""
) -> Membership:
    """Add a user to a group (idempotent: an existing membership keeps its role)."""
    membership, _created = Membership.objects.get_or_create(
        group=group, user=user, defaults={"role": role, "unit": unit}
    )
    return membership
