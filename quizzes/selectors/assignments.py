"""Who an assignment is for.

An assignment made to a group reaches the members of that group and of every group below
it (the tree has any depth). Organizers are not counted as learners. Reports, progress
lists and reminders all start from this one definition.
"""

from django.db.models import QuerySet

from quizzes.models import Assignment, Membership, User

from .access import subtree_ids


def assignment_memberships(*, assignment: Assignment) -> QuerySet[Membership]:
    """Member (not organizer) memberships in the assignment's group and every group below
    it. A learner in two of those groups has two rows."""
    return Membership.objects.filter(
        group_id__in=subtree_ids(group_ids=assignment.group_id), role=Membership.Role.MEMBER
    )


def assignment_learners(*, assignment: Assignment) -> QuerySet[User]:
    """The learners the assignment is for, each once. One query when evaluated."""
    return User.objects.filter(
        pk__in=assignment_memberships(assignment=assignment).values("user_id"), is_active=True
    )
