"""No export ever hands an organizer a live spreadsheet formula.

Every text cell of every Excel and CSV file the app writes may hold text someone else
typed: a learner's display name (chosen at sign-up by anyone with the join link), an
imported member's name and unit, a group's name, a question's stem, options, explanation
and key point. Each export is made here with hostile values in every such column, then
read back: no Excel cell is a formula, no CSV cell starts as one, and each hostile value is
still there as text (so the check cannot pass on an empty file)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.formats.cells import FORMULA_START, csv_text, looks_like_formula, unquote_csv_text
from quizzes.models import Choice, Membership, QuestionKind, QuizSlot, User
from quizzes.services.banks import question_create

from . import factories
from .reports_data import Item, finish_attempts, open_attempt

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]

LINK = '=HYPERLINK("http://evil.example","click")'
HOSTILE = [LINK, "+SUM(1,2)", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1"]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def xlsx_cells(content: bytes) -> list:
    """Every non-empty cell of every sheet of the workbook."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value]


def assert_xlsx_safe(content: bytes, expected: set[str]) -> None:
    cells = xlsx_cells(content)
    live = [(cell.coordinate, cell.value) for cell in cells if cell.data_type == "f"]
    assert live == []
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    # XML reads a carriage return back as a line feed.
    expected = {value.replace("\r", "\n") for value in expected}
    assert expected <= texts, expected - texts
    for cell in cells:
        if isinstance(cell.value, str) and looks_like_formula(cell.value):
            assert cell.quotePrefix, cell.coordinate


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_csv_safe(content: bytes, expected: set[str]) -> list[list[str]]:
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    cells = [cell for row in rows for cell in row]
    unsafe = [c for c in cells if c.startswith(FORMULA_START) and not _is_number(c)]
    assert unsafe == []
    assert {"'" + value for value in expected} <= set(cells)
    return rows


# --- The helper ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_csv_text_quotes_what_a_spreadsheet_would_run_and_reading_undoes_it(value):
    assert csv_text(value) == "'" + value
    assert unquote_csv_text(csv_text(value)) == value


@pytest.mark.parametrize("value", ["Learner Li", "李老师", "'quoted'", "a=b", "", "3-2"])
def test_csv_text_leaves_ordinary_text_alone(value):
    assert csv_text(value) == value
    assert unquote_csv_text(csv_text(value)) == value


def test_a_value_that_already_starts_with_our_quote_round_trips():
    assert csv_text("'=1") == "''=1"
    assert unquote_csv_text("''=1") == "'=1"


# --- Reports -------------------------------------------------------------------------------


@pytest.fixture
def hostile_assignment(organizer):
    """A group named like a formula, learners with formula names and usernames, a quiz
    whose stems and options are formulas, one finished and one open attempt."""
    group = factories.GroupFactory(name=LINK, created_by=organizer)
    factories.MembershipFactory(group=group, user=organizer, role=Membership.Role.ORGANIZER)
    usernames = ["+plus", "-minus", "@at", "tab", "cr", "eq"]
    learners = [
        factories.UserFactory(username=username, display_name=name)
        for username, name in zip(usernames, HOSTILE[::-1], strict=True)
    ]
    for learner in learners:
        factories.MembershipFactory(group=group, user=learner, unit="@unit")
    quiz = factories.QuizFactory(owner=organizer, pass_mark=Decimal(60))
    bank = factories.BankFactory(owner=organizer)
    items = []
    for position, stem in enumerate(HOSTILE[:3], start=1):
        question = factories.QuestionFactory(bank=bank)
        version = factories.VersionFactory(
            question=question, number=1, kind=QuestionKind.SINGLE, stem=stem
        )
        choices = Choice.objects.bulk_create(
            Choice(version=version, ordinal=n, text=text, is_correct=n == 1)
            for n, text in enumerate(("right", *HOSTILE[3:]), start=1)
        )
        slot = QuizSlot.objects.create(quiz=quiz, position=position, question=question)
        items.append(Item(question, version, choices, slot, Decimal(1)))
    assignment = factories.AssignmentFactory(quiz=quiz, group=group, created_by=organizer)
    finish_attempts(assignment, items, {learners[0]: [1, 2, 3], learners[1]: [0, 1, 2]})
    open_attempt(assignment, learners[2])
    return assignment


def _report(client, assignment, table, fmt):
    url = reverse("quizzes:assignment_report_export", args=[assignment.pk, table, fmt])
    response = client.get(url)
    assert response.status_code == 200
    return _body(response)


def test_member_report_has_no_live_formula(client, organizer, hostile_assignment):
    client.force_login(organizer)
    names_and_usernames = {*HOSTILE, LINK, "+plus", "-minus", "@at"}

    assert_xlsx_safe(_report(client, hostile_assignment, "members", "xlsx"), names_and_usernames)
    assert_csv_safe(_report(client, hostile_assignment, "members", "csv"), names_and_usernames)


def test_item_analysis_has_no_live_formula(client, organizer, hostile_assignment):
    client.force_login(organizer)
    stems_and_choices = set(HOSTILE)

    assert_xlsx_safe(_report(client, hostile_assignment, "items", "xlsx"), stems_and_choices)
    # The CSV holds the question sheet: stems and the wrong choice picked most.
    assert_csv_safe(_report(client, hostile_assignment, "items", "csv"), {*HOSTILE[:3], "@SUM(1)"})


@pytest.mark.parametrize("which", ["not-started", "not-finished"])
def test_assignment_lists_have_no_live_formula(client, organizer, hostile_assignment, which):
    client.force_login(organizer)
    url = reverse("quizzes:assignment_progress_csv", args=[hostile_assignment.pk, which])
    response = client.get(url)
    assert response.status_code == 200

    rows = assert_csv_safe(_body(response), {LINK, "@unit"})
    assert len(rows) > 1


def test_admin_attempt_export_has_no_live_formula(client, superuser, hostile_assignment):
    client.force_login(superuser)
    attempts = hostile_assignment.attempts.all()
    response = client.post(
        reverse("admin:quizzes_attempt_changelist"),
        {"action": "export_as_csv", "_selected_action": [a.pk for a in attempts]},
    )

    assert_csv_safe(_body(response), {LINK, "+plus", "-minus", "@at", HOSTILE[-1]})


# --- The join sign-up: a learner alone puts a formula in the organizer's file --------------


def test_a_display_name_chosen_at_sign_up_stays_text_in_every_report(client, organizer, group):
    strong = "plum-river-lantern-42"
    client.post(
        reverse("quizzes:join", kwargs={"code": group.join_code}),
        {"display_name": LINK, "username": "signer", "password1": strong, "password2": strong},
    )
    signer = User.objects.get(username="signer")
    assert signer.display_name == LINK
    assignment = _one_question_assignment(organizer, group)
    open_attempt(assignment, signer)

    client.force_login(organizer)
    assert_xlsx_safe(_report(client, assignment, "members", "xlsx"), {LINK})
    assert_csv_safe(_report(client, assignment, "members", "csv"), {LINK})
    listing = client.get(
        reverse("quizzes:assignment_progress_csv", args=[assignment.pk, "not-finished"])
    )
    assert_csv_safe(_body(listing), {LINK})


def _one_question_assignment(organizer, group):
    quiz = factories.QuizFactory(owner=organizer)
    question = factories.QuestionFactory(bank=factories.BankFactory(owner=organizer))
    factories.VersionFactory(question=question, number=1, kind=QuestionKind.TRUE_FALSE)
    QuizSlot.objects.create(quiz=quiz, position=1, question=question)
    return factories.AssignmentFactory(quiz=quiz, group=group, created_by=organizer)


# --- Member import: the initial-password sheets -------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_initial_password_sheets_have_no_live_formula(client, organizer, group, fmt):
    client.force_login(organizer)
    sheet = "姓名,用户名,单位\n" + "".join(
        f'"{name.replace(chr(34), chr(34) * 2)}",{username},"{unit}"\n'
        for name, username, unit in [
            (LINK, "@first", "+unit"),
            ("-2+3", "-second", "@SUM(1)"),
        ]
    )
    client.post(
        reverse("quizzes:member_import", args=[group.pk]),
        {"file": SimpleUploadedFile("members.csv", sheet.encode())},
    )
    client.post(reverse("quizzes:member_import_confirm", args=[group.pk]))
    assert User.objects.filter(username__in=["@first", "-second"]).count() == 2

    response = client.post(
        reverse("quizzes:member_import_passwords", args=[group.pk]), {"format": fmt}
    )

    expected = {LINK, "@first", "+unit", "-2+3", "-second", "@SUM(1)"}
    if fmt == "xlsx":
        assert_xlsx_safe(response.content, expected)
    else:
        assert_csv_safe(response.content, expected)


# --- Question exports ----------------------------------------------------------------------


@pytest.fixture
def hostile_bank(organizer):
    """A bank whose every text column (stem, options, explanation, key point, blank
    answers) starts like a formula."""
    bank = factories.BankFactory(owner=organizer, title=LINK)
    document = factories.DocumentFactory(bank=bank, uploaded_by=organizer)
    point = factories.KeyPointFactory(document=document, text="@key point")
    question_create(
        bank=bank,
        draft=QuestionDraft(
            "single",
            LINK,
            choices=(ChoiceDraft("@SUM(1)", True), ChoiceDraft("+1"), ChoiceDraft("-1")),
            explanation="=1+1",
        ),
        created_by=organizer,
        key_point=point,
    )
    question_create(
        bank=bank,
        draft=QuestionDraft("blank", "+A1 ____", blanks=(("-5",),), explanation="@2"),
        created_by=organizer,
    )
    return bank


# Questions keep no leading tab or carriage return (drafts are stripped).
QUESTION_TEXTS = {LINK, "@SUM(1)", "+1", "-1", "=1+1", "@key point", "+A1 ____", "-5", "@2"}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_bank_exports_have_no_live_formula(client, organizer, hostile_bank, fmt):
    client.force_login(organizer)
    url = reverse("quizzes:bank_export_download", args=[hostile_bank.pk, fmt])

    content = client.get(url).content

    if fmt == "xlsx":
        assert_xlsx_safe(content, QUESTION_TEXTS)
    else:
        assert_csv_safe(content, QUESTION_TEXTS)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_quiz_exports_have_no_live_formula(client, organizer, hostile_bank, fmt):
    quiz = factories.QuizFactory(owner=organizer, title=LINK)
    for position, question in enumerate(hostile_bank.questions.order_by("pk"), start=1):
        QuizSlot.objects.create(quiz=quiz, position=position, question=question)
    client.force_login(organizer)

    content = client.get(reverse("quizzes:quiz_export_download", args=[quiz.pk, fmt])).content

    if fmt == "xlsx":
        assert_xlsx_safe(content, QUESTION_TEXTS)
    else:
        assert_csv_safe(content, QUESTION_TEXTS)
