"""Reminders: a notice on the home page and an e-mail for every learner who has not
finished, refused when sent twice in a short time, after the due time or when everyone
has finished; learners dismiss notices."""

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, Membership, Notice
from quizzes.services.groups import REMINDER_INTERVAL, assignment_remind
from quizzes.tasks import send_reminder_emails

from . import factories

HOME = reverse("quizzes:home")


def _remind_url(assignment):
    return reverse("quizzes:assignment_remind", args=[assignment.pk])


@pytest.fixture
def assignment(organizer, group, learner):
    """Open for a week; ``learner`` (with an address) has not started, a second learner
    without an address has started, a third has finished."""
    learner.email = "li@example.org"
    learner.save(update_fields=["email"])
    assignment = factories.AssignmentFactory(group=group, quiz__title="Congress quiz")
    started = factories.UserFactory(username="started", email="")
    done = factories.UserFactory(username="done", email="done@example.org")
    factories.MembershipFactory(group=group, user=started)
    factories.MembershipFactory(group=group, user=done)
    factories.AttemptFactory(assignment=assignment, user=started)
    factories.AttemptFactory(
        assignment=assignment,
        user=done,
        state=Attempt.State.FINISHED,
        started_at=timezone.now() - timedelta(hours=1),
        finished_at=timezone.now(),
        score=10,
    )
    return assignment


def test_reminder_reaches_everyone_not_finished_with_notice_and_mail(
    client, organizer, assignment, learner
):
    client.force_login(organizer)

    response = client.post(_remind_url(assignment), {"message": ""}, follow=True)

    notices = Notice.objects.filter(assignment=assignment)
    assert sorted(notices.values_list("user__username", flat=True)) == ["learner", "started"]
    assert set(notices.values_list("created_by", flat=True)) == {organizer.pk}
    assert [message.to for message in mail.outbox] == [["li@example.org"]]
    message = mail.outbox[0]
    assert message.subject == "Reminder: Congress quiz"
    assert "please finish the quiz “Congress quiz”." in message.body
    assert f"http://testserver/assignments/{assignment.pk}/take/" in message.body
    assert "Reminder sent to 2 learners (1 by e-mail)." in response.content.decode()


def test_the_organizers_own_message_is_sent(organizer, assignment):
    assignment_remind(assignment=assignment, sent_by=organizer, message="  Study group at 8!  ")

    assert set(Notice.objects.values_list("message", flat=True)) == {"Study group at 8!"}
    assert mail.outbox[0].body == "Study group at 8!"


def test_organizers_and_removed_members_are_not_reminded(organizer, assignment, learner):
    Membership.objects.filter(user=learner).delete()

    assignment_remind(assignment=assignment, sent_by=organizer)

    assert list(Notice.objects.values_list("user__username", flat=True)) == ["started"]
    assert mail.outbox == []


def test_learners_deep_below_the_assigned_group_are_reminded(organizer, learner):
    chain = factories.group_chain(10, organizer=organizer)
    factories.MembershipFactory(group=chain[9], user=learner)
    assignment = factories.AssignmentFactory(group=chain[0])

    outcome = assignment_remind(assignment=assignment, sent_by=organizer)

    assert outcome.notices == 1
    assert Notice.objects.get().user == learner


def test_a_second_reminder_soon_after_is_refused(client, organizer, assignment):
    client.force_login(organizer)
    client.post(_remind_url(assignment))

    response = client.post(_remind_url(assignment), follow=True)

    assert Notice.objects.count() == 2
    assert len(mail.outbox) == 1
    assert "A reminder was sent at" in response.content.decode()


def test_a_reminder_after_the_interval_is_sent_again(organizer, assignment):
    assignment_remind(assignment=assignment, sent_by=organizer)

    with time_machine.travel(timezone.now() + REMINDER_INTERVAL + timedelta(seconds=1)):
        outcome = assignment_remind(assignment=assignment, sent_by=organizer)

    assert outcome.notices == 2
    assert Notice.objects.count() == 4


def test_no_reminder_after_the_due_time(organizer, assignment):
    assignment.due_at = timezone.now() - timedelta(minutes=1)
    assignment.opens_at = assignment.due_at - timedelta(days=1)
    assignment.save()

    with pytest.raises(ValidationError) as error:
        assignment_remind(assignment=assignment, sent_by=organizer)

    assert error.value.code == "closed"
    assert not Notice.objects.exists()


def test_no_reminder_when_everyone_has_finished(organizer, group):
    assignment = factories.AssignmentFactory(group=group)
    Membership.objects.filter(role=Membership.Role.MEMBER).delete()

    with pytest.raises(ValidationError) as error:
        assignment_remind(assignment=assignment, sent_by=organizer)

    assert error.value.code == "nobody"


def test_a_mail_server_that_is_down_keeps_the_notices(client, organizer, assignment):
    client.force_login(organizer)

    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=smtplib.SMTPException("down"),
    ):
        response = client.post(_remind_url(assignment), follow=True)

    assert Notice.objects.count() == 2
    assert "The e-mails could not be sent" in response.content.decode()


def test_reminder_by_get_is_not_allowed(client, organizer, assignment):
    client.force_login(organizer)

    assert client.get(_remind_url(assignment)).status_code == 405
    assert not Notice.objects.exists()


def test_a_too_long_message_is_refused(client, organizer, assignment):
    client.force_login(organizer)

    response = client.post(_remind_url(assignment), {"message": "x" * 501}, follow=True)

    assert not Notice.objects.exists()
    assert "at most 500 characters" in response.content.decode()


def test_a_member_cannot_send_reminders(client, learner, assignment):
    client.force_login(learner)

    assert client.post(_remind_url(assignment)).status_code == 404
    assert not Notice.objects.exists()


# --- Notices on the home page ----------------------------------------------------------


def test_learner_sees_the_notice_and_dismisses_it(client, organizer, assignment, learner):
    assignment_remind(assignment=assignment, sent_by=organizer, message="Please finish!")
    notice = Notice.objects.get(user=learner)
    client.force_login(learner)

    home = client.get(HOME).content.decode()
    response = client.post(reverse("quizzes:notice_dismiss", args=[notice.pk]))
    after = client.get(HOME).content.decode()

    assert "Please finish!" in home
    assert reverse("quizzes:assignment_take", args=[assignment.pk]) in home
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.dismissed_at is not None
    assert "Please finish!" not in after


def test_a_learner_cannot_dismiss_someone_elses_notice(client, organizer, assignment, learner):
    assignment_remind(assignment=assignment, sent_by=organizer)
    theirs = Notice.objects.exclude(user=learner).get()
    client.force_login(learner)

    response = client.post(reverse("quizzes:notice_dismiss", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.dismissed_at is None


def test_dismissing_needs_a_post(client, organizer, assignment, learner):
    assignment_remind(assignment=assignment, sent_by=organizer)
    client.force_login(learner)

    response = client.get(reverse("quizzes:notice_dismiss", args=[Notice.objects.first().pk]))

    assert response.status_code == 405


def test_anonymous_cannot_dismiss(client, organizer, assignment):
    assignment_remind(assignment=assignment, sent_by=organizer)

    response = client.post(reverse("quizzes:notice_dismiss", args=[Notice.objects.first().pk]))

    assert response.status_code == 302
    assert not Notice.objects.filter(dismissed_at__isnull=False).exists()


def test_reminder_emails_go_out_in_batches_of_one_task_each(organizer, assignment, group):
    for n in range(4):
        user = factories.UserFactory(email=f"learner{n}@example.org")
        factories.MembershipFactory(group=group, user=user)

    with (
        mock.patch("quizzes.services.groups.REMINDER_EMAIL_BATCH", 2),
        mock.patch.object(send_reminder_emails, "delay", wraps=send_reminder_emails.delay) as delay,
    ):
        outcome = assignment_remind(assignment=assignment, sent_by=organizer)

    # li@example.org and four more: batches of 2, 2 and 1, each message to one address.
    assert [len(call.kwargs["addresses"]) for call in delay.call_args_list] == [2, 2, 1]
    assert outcome.emails == 5
    assert sorted(len(message.to) for message in mail.outbox) == [1] * 5


def test_with_a_broker_the_emails_are_queued_not_sent_in_the_request(
    organizer, assignment, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    with mock.patch("quizzes.tasks.send_reminder_emails.delay") as delay:
        outcome = assignment_remind(assignment=assignment, sent_by=organizer)

    delay.assert_called_once()
    assert delay.call_args.kwargs["addresses"] == ["li@example.org"]
    assert outcome.emails == 1 and not outcome.email_failed
    assert mail.outbox == []
    assert Notice.objects.count() == 2


def test_the_email_task_retries_a_mail_server_that_is_down_then_gives_up():
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=smtplib.SMTPException("down"),
    ) as send:
        result = send_reminder_emails.apply(
            kwargs={"subject": "s", "body": "b", "addresses": ["a@example.org"]}
        )

    assert result.failed()
    assert send.call_count == 1 + send_reminder_emails.max_retries
