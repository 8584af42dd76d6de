"""Staff status opens the admin and nothing else; organizing every group is a permission.

A staff account with no memberships and no permissions once exported answer keys,
confirmed other organizers' imports, removed members and regenerated join codes, because
``is_staff`` counted as organizer of everything. Now a site-wide organizer is a superuser
or a staff account given ``quizzes.organize_all_groups``; plain staff gets 404 on every
organizer page, as any outsider does, and changes nothing by posting to them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import get_resolver, reverse

from quizzes.models import (
    Assignment,
    ImportBatch,
    Membership,
    Notice,
    Question,
    QuestionKind,
    QuizSlot,
    SourceDocument,
    StudyGroup,
)
from quizzes.selectors.access import organizes_everything
from quizzes.services.attempts import attempt_start

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]

# Pages a learner uses: every other page of the app is an organizer's page.
LEARNER_PAGES = {
    "home",
    "join",
    "assignment_take",
    "attempt_begin",
    "attempt_detail",
    "attempt_question",
    "attempt_submit",
    "attempt_result",
    "attempt_review",
    "notice_dismiss",
}
# The empty question template holds nothing of anyone's: any signed-in person may have it.
ANYONE_SIGNED_IN = {"import_template"}


@pytest.fixture
def world(organizer, learner, group):
    """An organizer's bank (a document, a published question), a quiz with a slot assigned
    to their group, a learner's attempt, a pending import."""
    bank = factories.BankFactory(owner=organizer)
    document = factories.DocumentFactory(bank=bank, uploaded_by=organizer)
    question = factories.QuestionFactory(bank=bank)
    factories.VersionFactory(question=question, number=1, kind=QuestionKind.TRUE_FALSE)
    quiz = factories.QuizFactory(owner=organizer)
    slot = QuizSlot.objects.create(quiz=quiz, position=1, question=question)
    assignment = factories.AssignmentFactory(quiz=quiz, group=group, created_by=organizer)
    attempt = attempt_start(assignment=assignment, user=learner)
    batch = ImportBatch.objects.create(
        bank=bank,
        filename="questions.csv",
        format="csv",
        checksum="0" * 64,
        data=b"kind,stem\n",
        created_by=organizer,
    )
    membership = Membership.objects.get(group=group, user=learner)
    return {
        "bank": bank,
        "document": document,
        "question": question,
        "quiz": quiz,
        "slot": slot,
        "group": group,
        "assignment": assignment,
        "attempt": attempt,
        "batch": batch,
        "membership": membership,
    }


def organizer_pages(w) -> dict[str, str]:
    """Every organizer page of the app, by URL name, at the world's objects."""
    bank, quiz, group, assignment = w["bank"], w["quiz"], w["group"], w["assignment"]
    slot = (quiz.pk, w["slot"].pk)
    member = (group.pk, w["membership"].pk)
    args = {
        "bank_detail": [bank.pk],
        "bank_list": [],
        "bank_create": [],
        "bank_edit": [bank.pk],
        "bank_questions": [bank.pk],
        "question_create": [bank.pk],
        "question_edit": [w["question"].pk],
        "question_status": [w["question"].pk],
        "question_history": [w["question"].pk],
        "quiz_list": [],
        "quiz_create": [],
        "quiz_builder": [quiz.pk],
        "quiz_edit": [quiz.pk],
        "quiz_add_questions": [quiz.pk],
        "quiz_add_rule": [quiz.pk],
        "quiz_rule_count": [quiz.pk],
        "quiz_slot_move": slot,
        "quiz_slot_points": slot,
        "quiz_slot_pin": slot,
        "quiz_slot_remove": slot,
        "quiz_assign": [quiz.pk],
        "regrade_list": [assignment.pk],
        "regrade_question": [assignment.pk, w["question"].pk],
        "document_upload": [bank.pk],
        "document_detail": [w["document"].pk],
        "document_progress": [w["document"].pk],
        "document_retry": [w["document"].pk],
        "document_delete": [w["document"].pk],
        "review_queue": [bank.pk],
        "review_decide": [bank.pk],
        "assignment_report": [assignment.pk],
        "assignment_mastery": [assignment.pk],
        "assignment_items": [assignment.pk],
        "assignment_report_export": [assignment.pk, "members", "xlsx"],
        "group_report": [group.pk],
        "group_list": [],
        "group_create": [],
        "group_detail": [group.pk],
        "group_edit": [group.pk],
        "organizer_add": [group.pk],
        "member_role": member,
        "member_remove": member,
        "join_code_regenerate": [group.pk],
        "group_join_sheet": [group.pk],
        "group_join_qr": [group.pk],
        "member_import": [group.pk],
        "member_import_confirm": [group.pk],
        "member_import_result": [group.pk],
        "member_import_passwords": [group.pk],
        "assignment_detail": [assignment.pk],
        "assignment_progress_csv": [assignment.pk, "not-started"],
        "assignment_remind": [assignment.pk],
        "import_upload": [bank.pk],
        "import_preview": [w["batch"].pk],
        "import_confirm": [w["batch"].pk],
        "import_cancel": [w["batch"].pk],
        "bank_export": [bank.pk],
        "bank_export_download": [bank.pk, "gift"],
        "quiz_export": [quiz.pk],
        "quiz_export_download": [quiz.pk, "gift"],
    }
    return {name: reverse(f"quizzes:{name}", args=values) for name, values in args.items()}


def _grant(user, codename="organize_all_groups"):
    user.user_permissions.add(
        Permission.objects.get(codename=codename, content_type__app_label="quizzes")
    )
    return user


@pytest.fixture
def staff(db):
    return factories.UserFactory(username="reviewer", is_staff=True)


@pytest.fixture
def site_organizer(db):
    return _grant(factories.UserFactory(username="secretary-general", is_staff=True))


def test_every_page_of_the_app_is_either_a_learner_or_an_organizer_page(world):
    resolver = get_resolver().namespace_dict["quizzes"][1]
    names = {key for key in resolver.reverse_dict if isinstance(key, str)}

    assert names == LEARNER_PAGES | ANYONE_SIGNED_IN | set(organizer_pages(world))


def test_staff_without_the_permission_gets_404_on_every_organizer_page(client, staff, world):
    client.force_login(staff)

    answers = {}
    for name, url in organizer_pages(world).items():
        answers[name] = (client.get(url).status_code, client.post(url).status_code)

    # GET-only pages answer a POST with 405, POST-only pages a GET: the other is 404.
    wrong = {name: codes for name, codes in answers.items() if 404 not in codes}
    wrong |= {name: codes for name, codes in answers.items() if set(codes) - {404, 405}}
    assert wrong == {}


def test_posting_to_every_organizer_page_as_plain_staff_changes_nothing(client, staff, world):
    group = world["group"]
    code = group.join_code
    client.force_login(staff)

    for url in organizer_pages(world).values():
        client.post(url, {"format": "xlsx", "action": "approve", "message": "Finish it"})

    group.refresh_from_db()
    assert group.join_code == code
    assert Membership.objects.filter(pk=world["membership"].pk).exists()
    assert ImportBatch.objects.get(pk=world["batch"].pk).state == ImportBatch.State.PENDING
    assert SourceDocument.objects.filter(pk=world["document"].pk).exists()
    assert QuizSlot.objects.filter(pk=world["slot"].pk).exists()
    assert Question.objects.get(pk=world["question"].pk).status == Question.Status.PUBLISHED
    assert Assignment.objects.count() == 1
    assert StudyGroup.objects.count() == 1
    assert not Notice.objects.exists()


def test_staff_without_the_permission_cannot_read_or_start_attempts_through_the_api(
    client, staff, world
):
    client.force_login(staff)
    attempt, assignment = world["attempt"], world["assignment"]

    assert client.get(reverse("api:attempt-detail", args=[attempt.pk])).status_code == 404
    started = client.post(reverse("api:attempt-start", args=[assignment.pk]))
    assert started.status_code == 404
    finished = client.post(reverse("api:attempt-finish", args=[attempt.pk]))
    assert finished.status_code == 404


def test_plain_staff_reviews_in_the_admin_and_sees_no_organizer_links(client, staff, world):
    client.force_login(staff)

    home = client.get(reverse("quizzes:home")).content.decode()

    assert reverse("admin:index") in home
    for name in ("bank_list", "quiz_list", "group_list"):
        assert reverse(f"quizzes:{name}") not in home
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_permission_counts_on_staff_accounts_and_superusers_only(db):
    outsider = _grant(factories.UserFactory(username="not-staff"))
    plain_staff = factories.UserFactory(username="plain-staff", is_staff=True)
    granted = _grant(factories.UserFactory(username="granted", is_staff=True))
    superuser = factories.UserFactory(username="root", is_superuser=True)
    inactive = _grant(factories.UserFactory(username="gone", is_staff=True, is_active=False))

    assert [
        organizes_everything(user=user)
        for user in (outsider, plain_staff, granted, superuser, inactive)
    ] == [False, False, True, True, False]


# The pages an organizer reads, answer keys included, each of which a site-wide organizer
# may open without belonging to anything.
READ_PAGES = [
    "bank_detail",
    "bank_list",
    "bank_questions",
    "question_edit",
    "question_history",
    "quiz_list",
    "quiz_builder",
    "quiz_edit",
    "regrade_list",
    "document_detail",
    "review_queue",
    "assignment_report",
    "assignment_mastery",
    "assignment_items",
    "assignment_report_export",
    "group_report",
    "group_list",
    "group_detail",
    "group_edit",
    "group_join_sheet",
    "member_import",
    "assignment_detail",
    "assignment_progress_csv",
    "import_preview",
    "bank_export",
    "bank_export_download",
    "quiz_export",
    "quiz_export_download",
]


@pytest.mark.parametrize("who", ["site_organizer", "superuser"])
def test_a_site_wide_organizer_opens_every_organizer_page(client, request, world, who):
    client.force_login(request.getfixturevalue(who))
    pages = organizer_pages(world)

    codes = {name: client.get(pages[name]).status_code for name in READ_PAGES}

    assert codes == dict.fromkeys(READ_PAGES, 200)


@pytest.mark.parametrize("who", ["site_organizer", "superuser"])
def test_a_site_wide_organizer_regenerates_a_join_code_and_removes_a_member(
    client, request, world, who
):
    client.force_login(request.getfixturevalue(who))
    group = world["group"]
    code = group.join_code
    pages = organizer_pages(world)

    assert client.post(pages["join_code_regenerate"]).status_code == 302
    assert client.post(pages["member_remove"]).status_code == 302

    group.refresh_from_db()
    assert group.join_code != code
    assert not Membership.objects.filter(pk=world["membership"].pk).exists()
