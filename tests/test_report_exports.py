"""Report exports: CSV streamed with a byte order mark and no live formulas, Excel with
typed cells, headers in the reader's language, Chinese file names."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from quizzes.models import Membership
from tests import factories
from tests.reports_data import finish_attempts, make_quiz, open_attempt

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


def _url(assignment, table, fmt, **query):
    url = reverse("quizzes:assignment_report_export", args=[assignment.pk, table, fmt])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def assignment(organizer, group, learner):
    """Learner Li scored 2 of 3 in 12 minutes; a learner with a formula for a name is in
    progress; a third has not started."""
    quiz, items = make_quiz(owner=organizer, questions=3)
    quiz.title = "学习二十大报告"
    quiz.save(update_fields=["title"])
    assignment = factories.AssignmentFactory(quiz=quiz, group=group, created_by=organizer)
    sneaky = factories.UserFactory(username="sneaky", display_name='=HYPERLINK("http://x")')
    idle = factories.UserFactory(username="idle", display_name="Idle Zhao")
    for user in (sneaky, idle):
        factories.MembershipFactory(group=group, user=user, role=Membership.Role.MEMBER)
    finish_attempts(assignment, items, {learner: [0, 1, 0]}, minutes=12)
    open_attempt(assignment, sneaky)
    return assignment


def test_members_csv_streams_utf8_with_bom_and_neutralised_formulas(client, organizer, assignment):
    client.force_login(organizer)

    response = client.get(_url(assignment, "members", "csv"))

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = _body(response)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Name", "Username", "Group", "Status", "Score (%)"]
    by_username = {row[1]: row for row in rows[1:]}
    assert by_username["learner"] == [
        "Learner Li",
        "learner",
        "Branch study group",
        "finished",
        "66.67",
        "66.67",
        "yes",
        "1",
        "0:12:00",
        by_username["learner"][9],
    ]
    assert by_username["learner"][9].count(":") == 2  # local date and time
    assert by_username["sneaky"][0] == '\'=HYPERLINK("http://x")'
    assert by_username["sneaky"][3] == "in progress"
    assert by_username["idle"][3:9] == ["not started", "", "", "", "0", ""]


def test_members_csv_follows_the_pages_sort(client, organizer, assignment):
    client.force_login(organizer)

    body = _body(client.get(_url(assignment, "members", "csv", sort="-username")))

    usernames = [row[1] for row in csv.reader(io.StringIO(body.decode("utf-8-sig")))][1:]
    assert usernames == ["sneaky", "learner", "idle"]


def test_members_xlsx_keeps_numbers_as_numbers(client, organizer, assignment):
    client.force_login(organizer)

    response = client.get(_url(assignment, "members", "xlsx"))

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(io.BytesIO(_body(response)))
    sheet = book["Members"]
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["Name", "Username", "Group", "Status"]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    name, _username, group, status, score, best, passed, attempts, spent, last = rows["learner"]
    assert (name.value, group.value, status.value, passed.value) == (
        "Learner Li",
        "Branch study group",
        "finished",
        "yes",
    )
    assert isinstance(score.value, float) and score.value == pytest.approx(2 / 3, abs=1e-6)
    assert score.number_format == "0.0%" and best.number_format == "0.0%"
    assert attempts.value == 1 and isinstance(attempts.value, int)
    assert spent.value == timedelta(minutes=12)
    assert isinstance(last.value, datetime)
    idle = rows["idle"]
    assert idle[4].value is None and idle[7].value == 0


def test_items_exports_one_row_per_question_and_a_choices_sheet(client, organizer, assignment):
    client.force_login(organizer)

    book = load_workbook(io.BytesIO(_body(client.get(_url(assignment, "items", "xlsx")))))
    questions, choices = book["Questions"], book["Choices"]

    first = [cell.value for cell in questions[2]]
    # One attempt: the facility index is its mark; nothing to correlate yet.
    assert first[:5] == [1, "Question 1?", "single choice", 1, 1.0]
    assert first[6] is None and first[7] is None
    assert questions.max_row == 1 + 3
    assert [cell.value for cell in choices[1]][:4] == ["Position", "Question", "Version", "Choice"]
    assert choices.max_row == 1 + 3 * 4
    picked = [row for row in choices.iter_rows(min_row=2, values_only=True) if row[6]]
    assert [(row[0], row[3], row[4], row[7]) for row in picked] == [
        (1, "Q1 option 1", "yes", 1.0),
        (2, "Q2 option 2", "no", 1.0),
        (3, "Q3 option 1", "yes", 1.0),
    ]


def test_items_csv(client, organizer, assignment):
    client.force_login(organizer)

    body = _body(client.get(_url(assignment, "items", "csv", attempts="all")))

    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Position", "Question", "Kind"]
    assert rows[2][:5] == ["2", "Question 2?", "single choice", "1", "0.00"]
    assert rows[2][8:] == ["Q2 option 2", "100.00"]


def test_chinese_titles_make_rfc_5987_file_names(client, organizer, assignment):
    client.force_login(organizer)

    for fmt in ("csv", "xlsx"):
        response = client.get(_url(assignment, "members", fmt))
        _body(response)
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment; filename*=utf-8''")
        # 学习二十大报告 - Branch study group - members.<fmt>, percent-encoded
        assert "%E5%AD%A6%E4%B9%A0" in disposition and disposition.endswith(f".{fmt}")


def test_headers_follow_the_readers_language(client, organizer, assignment):
    client.force_login(organizer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    body = _body(client.get(_url(assignment, "members", "csv")))

    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    # Django's own catalog already says "Username" in Chinese; ours follows at integration.
    assert header[1] == "用户名"


def test_score_rounding_in_csv_is_two_places(client, organizer, group):
    quiz, items = make_quiz(owner=organizer, questions=3)
    assignment = factories.AssignmentFactory(quiz=quiz, group=group, created_by=organizer)
    learner = group.memberships.get(role=Membership.Role.MEMBER).user
    finish_attempts(assignment, items, {learner: [0, 1, 1]})
    client.force_login(organizer)

    rows = list(
        csv.reader(
            io.StringIO(_body(client.get(_url(assignment, "members", "csv"))).decode("utf-8-sig"))
        )
    )

    assert rows[1][4] == "33.33"
    assert Decimal(rows[1][4]) < 100
