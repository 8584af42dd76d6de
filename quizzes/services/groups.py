"""Writes for study groups, memberships, joining, member imports, reminders and notices.

Each function is one transaction. Rules that keep the group tree sound live here, not in
the views: a group is never moved under itself or a group below it; a parent is always a
group its organizer manages; a group at the top of a tree always keeps an organizer of its
own (a sub-group is still managed from above when its last organizer goes).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quizzes import background
from quizzes.formats.members import MemberRow
from quizzes.models import Assignment, Membership, Notice, StudyGroup, User
from quizzes.selectors.access import GroupAccess, ancestor_ids, group_access, subtree_ids
from quizzes.selectors.groups import (
    ImportAction,
    ProgressList,
    member_import_check,
    parent_choices,
    progress_learners,
)

logger = logging.getLogger(__name__)

ORGANIZER = Membership.Role.ORGANIZER
MEMBER = Membership.Role.MEMBER

# A second reminder for the same assignment within this time is refused: a double click
# or an impatient organizer must not mail everyone twice.
REMINDER_INTERVAL = timedelta(minutes=10)

# Initial passwords are read off a sheet and typed on a phone: lower-case letters and
# digits without the look-alikes i, l, o, 0 and 1.
INITIAL_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
INITIAL_PASSWORD_LENGTH = 10
# PBKDF2 rounds for initial passwords. Hashing each at the full default (a million rounds,
# about a quarter of a second) would make importing a few hundred members take minutes.
# These passwords are random (about 50 bits), so fewer rounds still leave an offline guess
# impractical, and Django re-hashes a password at full strength when its owner first logs
# in (the hasher reports that the stored hash needs an update).
INITIAL_PASSWORD_ITERATIONS = 10_000

# Our translatable copy of the member reader's refusals of a damaged or unparsable CSV, or
# of a workbook declaring entities (``quizzes.formats.members.MemberFileError``).
MEMBER_FILE_ERRORS = {
    "not_text": gettext_lazy(
        "The file is not text, so it is not a CSV file; save the sheet as .xlsx or as CSV UTF-8."
    ),
    "truncated_utf8": gettext_lazy(
        "The CSV file ends in the middle of a character, on line %(line)s: it seems to have "
        "been cut off. Save it again as CSV UTF-8."
    ),
    "broken_utf8": gettext_lazy(
        "The CSV file is UTF-8 but damaged: some of its bytes, the first on line %(line)s, "
        "are not UTF-8. Save it again as CSV UTF-8."
    ),
    "csv_open_quote": gettext_lazy(
        'Row %(row)s, column %(column)s: a quote (") opens there and is never closed, so '
        "the rows after it run together. Close the quote or remove it."
    ),
    "csv_nul": gettext_lazy(
        "Row %(row)s, column %(column)s holds a NUL character, which no CSV text holds: the "
        "file may be UTF-16 or not a CSV at all. Save it again as CSV UTF-8."
    ),
    "csv_unreadable": gettext_lazy("Row %(row)s could not be read as CSV: %(detail)s."),
    "unsafe_xml": gettext_lazy(
        "The workbook's XML declares a DTD, entities or external references; it was refused unread."
    ),
}


def _require_manager(user: User, group: StudyGroup) -> None:
    if group_access(user=user, group=group) not in (GroupAccess.STAFF, GroupAccess.ORGANIZER):
        raise PermissionDenied


# --- Groups ---------------------------------------------------------------------------


def _check_parent(*, group: StudyGroup | None, parent: StudyGroup | None, user: User) -> None:
    """Refuse a parent that would make a cycle or that ``user`` does not manage."""
    if parent is None:
        return
    if (
        group is not None
        and group.pk is not None
        and StudyGroup.objects.filter(pk=parent.pk, id__in=subtree_ids(group_ids=group.pk)).exists()
    ):
        raise ValidationError(
            {"parent": _("A group cannot be placed under itself or one of its sub-groups.")},
            code="cycle",
        )
    if not parent_choices(user=user).filter(pk=parent.pk).exists():
        raise ValidationError(
            {"parent": _("You can only place a group under a group you organize.")},
            code="not_organizer",
        )


@transaction.atomic
def group_create(
    *, name: str, created_by: User, parent: StudyGroup | None = None, description: str = ""
) -> StudyGroup:
    """Create a group; its creator becomes its first organizer. A parent must be a group
    the creator manages."""
    _check_parent(group=None, parent=parent, user=created_by)
    group = StudyGroup(name=name, created_by=created_by, parent=parent, description=description)
    group.full_clean()
    group.save()
    membership_add(group=group, user=created_by, role=ORGANIZER)
    return group


@transaction.atomic
def group_update(
    *,
    group: StudyGroup,
    name: str,
    description: str,
    parent: StudyGroup | None,
    updated_by: User,
) -> StudyGroup:
    """Rename, describe or move a group (with everything below it).

    Moving is refused when the new parent is the group itself or below it, when
    ``updated_by`` does not manage the new parent, and when the group would become a
    top group without an organizer of its own. Moving a group out from under its parent
    takes it away from that parent's organizers, so only they (or a site-wide organizer)
    may do it.
    """
    _require_manager(updated_by, group)
    # Lock the group and the new parent with every group above it. Two simultaneous moves
    # that would close a loop each lock the other's group (it lies on their new parent's
    # chain), so the second waits and then sees the first move in its cycle check.
    on_the_way = Q(pk=group.pk)
    if parent is not None:
        on_the_way |= Q(pk__in=ancestor_ids(group_id=parent.pk))
    list(StudyGroup.objects.select_for_update().filter(on_the_way).order_by("pk"))
    current_parent_id = (
        StudyGroup.objects.filter(pk=group.pk).values_list("parent_id", flat=True).get()
    )
    new_parent_id = parent.pk if parent else None
    if new_parent_id != current_parent_id:
        if current_parent_id is not None:
            current_parent = StudyGroup.objects.get(pk=current_parent_id)
            if group_access(user=updated_by, group=current_parent) not in (
                GroupAccess.STAFF,
                GroupAccess.ORGANIZER,
            ):
                raise ValidationError(
                    {
                        "parent": _(
                            "Only an organizer of %(parent)s can move this group out of it."
                        )
                        % {"parent": current_parent.name}
                    },
                    code="not_parent_organizer",
                )
        _check_parent(group=group, parent=parent, user=updated_by)
        if parent is None and not group.memberships.filter(role=ORGANIZER).exists():
            raise ValidationError(
                {"parent": _("A top group needs an organizer of its own; add one first.")},
                code="top_without_organizer",
            )
    group.name = name
    group.description = description
    group.parent = parent
    group.full_clean()
    group.save(update_fields=["name", "description", "parent"])
    return group


@transaction.atomic
def group_join_code_regenerate(*, group: StudyGroup, changed_by: User) -> str:
    """Give the group a new join code; links and QR codes with the old one stop working."""
    _require_manager(changed_by, group)
    for _attempt in range(5):
        code = StudyGroup._meta.get_field("join_code").default()
        if not StudyGroup.objects.filter(join_code=code).exists():
            break
    group.join_code = code
    group.save(update_fields=["join_code"])
    return code


# --- Memberships ----------------------------------------------------------------------


def membership_add(
    *, group: StudyGroup, user: User, role: str = MEMBER, unit: str = ""
) -> Membership:
    """Add a user to a group (idempotent: an existing membership keeps its role)."""
    membership, _created = Membership.objects.get_or_create(
        group=group, user=user, defaults={"role": role, "unit": unit}
    )
    return membership


def _keep_an_organizer(membership: Membership) -> None:
    """Refuse to take away the last organizer of a top group. Locks the group's organizer
    rows, so two organizers stepping down at once cannot both succeed."""
    group = membership.group
    if membership.role != ORGANIZER or group.parent_id is not None:
        return
    organizers = list(
        Membership.objects.select_for_update()
        .filter(group=group, role=ORGANIZER)
        .values_list("pk", flat=True)
    )
    if organizers == [membership.pk]:
        raise ValidationError(
            _("%(group)s must keep at least one organizer; add another organizer first.")
            % {"group": group.name},
            code="last_organizer",
        )


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, changed_by: User) -> Membership:
    """Make a member a co-organizer, or an organizer a member again."""
    _require_manager(changed_by, membership.group)
    if role not in Membership.Role.values:
        raise ValidationError(_("Unknown role."), code="bad_role")
    if role == membership.role:
        return membership
    if role == MEMBER:
        _keep_an_organizer(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def organizer_add(*, group: StudyGroup, username: str, added_by: User) -> Membership:
    """Make the account ``username`` an organizer of ``group``, adding it if needed."""
    _require_manager(added_by, group)
    username = username.strip()
    active = User.objects.filter(is_active=True)
    # Usernames are unique as typed; prefer that account over one differing only in case.
    user = (
        active.filter(username=username).first()
        or active.filter(username__iexact=username).order_by("pk").first()
    )
    if user is None:
        raise ValidationError(
            {
                "username": _("No active account has the username %(username)s.")
                % {"username": username}
            },
            code="unknown_user",
        )
    membership = membership_add(group=group, user=user, role=ORGANIZER)
    if membership.role != ORGANIZER:
        membership.role = ORGANIZER
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, removed_by: User) -> None:
    """Take a person out of a group. Their attempts and results stay (they belong to the
    assignment, not to the membership), so reports still show what they did."""
    _require_manager(removed_by, membership.group)
    _keep_an_organizer(membership)
    membership.delete()


# --- Joining --------------------------------------------------------------------------


@transaction.atomic
def group_join(*, group: StudyGroup, user: User) -> tuple[Membership, bool]:
    """``user`` joins ``group`` by its link; ``(membership, created)``. An existing
    membership is left as it is."""
    membership, created = Membership.objects.get_or_create(
        group=group, user=user, defaults={"role": MEMBER}
    )
    return membership, created


@transaction.atomic
def learner_register(*, group: StudyGroup, username: str, display_name: str, password: str) -> User:
    """Create an account from the join page and put it in ``group``. The password has
    already passed the password validators (the sign-up form runs them)."""
    user = User(username=username, display_name=display_name)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    membership_add(group=group, user=user)
    return user


# --- Member import --------------------------------------------------------------------


def initial_password() -> str:
    """A random password of letters and digits that is easy to read and type."""
    while True:
        password = "".join(
            secrets.choice(INITIAL_PASSWORD_ALPHABET) for _ in range(INITIAL_PASSWORD_LENGTH)
        )
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def _initial_password_hash(password: str) -> str:
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(password, hasher.salt(), iterations=INITIAL_PASSWORD_ITERATIONS)
    return make_password(password)


@dataclass(frozen=True)
class NewAccount:
    name: str
    username: str
    unit: str
    password: str  # shown once to the organizer; only its hash is stored


@dataclass(frozen=True)
class ImportOutcome:
    created: list[NewAccount]
    added: int
    already: int
    skipped: int


@transaction.atomic
def members_import(*, group: StudyGroup, rows: list[MemberRow], imported_by: User) -> ImportOutcome:
    """Import member rows into ``group``, all or nothing. Rows are checked again here (the
    preview may be stale): rows with problems are skipped, existing accounts are added
    with their unit and keep their password, new accounts get a random initial password,
    returned in the outcome and stored only as a hash."""
    _require_manager(imported_by, group)
    checks = member_import_check(group=group, rows=rows)
    created: list[NewAccount] = []
    new_users: list[User] = []
    existing: dict[str, str] = {}  # lower-case username → unit, for accounts to add
    for check in checks:
        row = check.row
        if check.action == ImportAction.CREATE:
            password = initial_password()
            created.append(NewAccount(row.name, row.username, row.unit, password))
            new_users.append(
                User(
                    username=row.username,
                    display_name=row.name,
                    password=_initial_password_hash(password),
                    # The organizer saw the password (and may have printed it): the
                    # learner chooses their own at first login.
                    must_change_password=True,
                )
            )
        elif check.action == ImportAction.ADD:
            existing[check.existing_username] = row.unit
    try:
        with transaction.atomic():
            User.objects.bulk_create(new_users, batch_size=500)
    except IntegrityError as error:
        # Someone took one of the usernames since the check above.
        raise ValidationError(
            _("An account was created with one of these usernames meanwhile; check again."),
            code="username_taken",
        ) from error
    units = {account.username: account.unit for account in created} | existing
    users = User.objects.filter(username__in=list(units)).only("pk", "username")
    Membership.objects.bulk_create(
        [
            Membership(group=group, user=user, role=MEMBER, unit=units[user.username])
            for user in users
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    counts = dict.fromkeys((ImportAction.ALREADY, ImportAction.SKIP), 0)
    for check in checks:
        if check.action in counts:
            counts[check.action] += 1
    return ImportOutcome(
        created=created,
        added=len(existing),
        already=counts[ImportAction.ALREADY],
        skipped=counts[ImportAction.SKIP],
    )


# --- Reminders and notices ------------------------------------------------------------


# Reminder e-mails go out in batches, one background task each: 10,000 learners over a
# real SMTP server take minutes, far longer than a request may last, and a batch that
# fails is retried alone.
REMINDER_EMAIL_BATCH = 200
# The Celery task that sends one batch (``quizzes.tasks``), by its name.
REMINDER_TASK = "quizzes.tasks.send_reminder_emails"


@dataclass(frozen=True)
class ReminderOutcome:
    notices: int
    emails: int  # sent, or handed to the background worker when a broker is configured
    email_failed: bool


def reminder_emails_send(*, subject: str, body: str, addresses: list[str]) -> int:
    """Send one reminder e-mail per address over one connection (one message each, so no
    learner sees another's address). Returns how many were sent; SMTP errors propagate,
    for the task to retry."""
    messages = [EmailMessage(subject, body, to=[address]) for address in addresses]
    return get_connection().send_messages(messages) or 0


def reminder_default_message(*, assignment: Assignment) -> str:
    due = formats.date_format(timezone.localtime(assignment.due_at), "DATETIME_FORMAT")
    # The due time comes first: a time format may end in a full stop ("p.m.").
    return _("Due %(due)s: please finish the quiz “%(quiz)s”.") % {
        "quiz": assignment.quiz.title,
        "due": due,
    }


def assignment_remind(
    *,
    assignment: Assignment,
    sent_by: User,
    message: str = "",
    link: str = "",
    now: datetime | None = None,
) -> ReminderOutcome:
    """Remind every learner of the assignment who has not finished it: a notice on their
    home page and, when they have an address, an e-mail (through Django's mail settings).

    Refused when the assignment has closed, when everyone has finished, and when a
    reminder went out less than ``REMINDER_INTERVAL`` ago. The notices are saved in one
    transaction; the e-mails go out after it, so a mail server that is down loses no
    notice (the outcome says the e-mail failed).
    """
    now = now or timezone.now()
    _require_manager(sent_by, assignment.group)
    text = message.strip() or reminder_default_message(assignment=assignment)
    with transaction.atomic():
        # One reminder at a time per assignment: a double click waits here, then sees the
        # first click's notices and is refused.
        Assignment.objects.select_for_update().filter(pk=assignment.pk).first()
        last = (
            Notice.objects.filter(assignment=assignment)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last is not None and now - last < REMINDER_INTERVAL:
            wait = REMINDER_INTERVAL - (now - last)
            raise ValidationError(
                _(
                    "A reminder was sent at %(time)s. Wait %(minutes)s more minutes "
                    "before sending another."
                )
                % {
                    "time": formats.time_format(timezone.localtime(last), "TIME_FORMAT"),
                    "minutes": max(1, round(wait.total_seconds() / 60)),
                },
                code="too_soon",
            )
        if now >= assignment.due_at:
            raise ValidationError(
                _("This assignment has closed; reminders are no longer sent."), code="closed"
            )
        learners = list(
            progress_learners(assignment=assignment, which=ProgressList.UNFINISHED).values_list(
                "pk", "email"
            )
        )
        if not learners:
            raise ValidationError(
                _("Everyone has finished this assignment; no reminder was needed."),
                code="nobody",
            )
        Notice.objects.bulk_create(
            [
                Notice(user_id=pk, assignment=assignment, message=text, created_by=sent_by)
                for pk, _email in learners
            ],
            batch_size=1000,
        )
    subject = _("Reminder: %(quiz)s") % {"quiz": assignment.quiz.title}
    body = f"{text}\n\n{link}" if link else text
    addresses = [email for _pk, email in learners if email]
    sent, failed = _reminder_emails_enqueue(
        assignment_id=assignment.pk, subject=subject, body=body, addresses=addresses
    )
    return ReminderOutcome(notices=len(learners), emails=sent, email_failed=failed)


def _reminder_emails_enqueue(
    *, assignment_id: int, subject: str, body: str, addresses: list[str]
) -> tuple[int, bool]:
    """Hand the e-mails to the background worker in batches, by the task's name. Called
    once the notices' transaction has committed. Without a broker (``make run``, tests)
    Celery runs each batch here and now, so the count is what was sent and a failure is
    known; with one, the count is what was queued."""
    sent, failed = 0, False
    for start in range(0, len(addresses), REMINDER_EMAIL_BATCH):
        batch = addresses[start : start + REMINDER_EMAIL_BATCH]
        result = background.send(REMINDER_TASK, subject=subject, body=body, addresses=batch)
        if not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            sent += len(batch)
        elif result.successful():
            sent += result.result
        else:
            logger.error(
                "Reminder e-mails for assignment %s failed: %r", assignment_id, result.result
            )
            failed = True
    return sent, failed


@transaction.atomic
def notice_dismiss(*, notice: Notice, user: User) -> None:
    """The learner hides a notice from their home page. Only their own."""
    if notice.user_id != user.pk:
        raise PermissionDenied
    if notice.dismissed_at is None:
        notice.dismissed_at = timezone.now()
        notice.save(update_fields=["dismissed_at"])
