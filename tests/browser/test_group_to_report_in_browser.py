"""The organizer's whole loop in headless Chromium: an organizer creates a group, a newcomer
joins by its link and takes the quiz on a phone, and the organizer finds them in the
assignment report and downloads the member table as Excel, which openpyxl reads back."""

import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Assignment, AssignmentResult, Attempt, Quiz, StudyGroup

from .conftest import log_in
from .test_quiz_in_browser import PASSWORD, answer_current_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STRONG = "lotus-harbour-river-77"


def test_group_join_quiz_report_and_excel(browser, live_server, tmp_path):
    call_command("demo", stdout=io.StringIO())
    quiz = Quiz.objects.get(title__startswith="Spirit of the 12th")

    organizer = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US", base_url=live_server.url
    ).new_page()
    organizer.set_default_timeout(15_000)
    log_in(organizer, "organizer", PASSWORD)

    # 1. The organizer creates a group.
    organizer.goto(reverse("quizzes:group_create"))
    organizer.get_by_label("Name").fill("Evening reading circle")
    organizer.get_by_role("button", name="Create group").click()
    organizer.wait_for_url(re.compile(r"/groups/\d+/$"))
    group = StudyGroup.objects.get(name="Evening reading circle")

    # 2. …and assigns the demo quiz to it, open now.
    organizer.goto(reverse("quizzes:quiz_builder", args=[quiz.pk]))
    organizer.get_by_label("Evening reading circle").check()
    opens = timezone.localtime() - timedelta(minutes=5)
    organizer.get_by_label("Opens").fill(opens.strftime("%Y-%m-%dT%H:%M"))
    organizer.get_by_label("Due").fill((opens + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    organizer.get_by_role("button", name="Assign", exact=True).click()
    organizer.get_by_text("Assigned to 1 group").wait_for()
    assignment = Assignment.objects.get(group=group)

    # 3. A newcomer opens the join link on a phone and signs up.
    learner = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", base_url=live_server.url
    ).new_page()
    learner.set_default_timeout(15_000)
    learner.goto(reverse("quizzes:join", args=[group.join_code]))
    learner.get_by_label("Your name").fill("Chen Jing")
    learner.get_by_label("Username").fill("chenjing")
    learner.locator("#id_password1").fill(STRONG)
    learner.locator("#id_password2").fill(STRONG)
    learner.get_by_role("button", name="Create account and join").click()
    learner.wait_for_url(f"**{group.get_absolute_url()}")

    # 4. …finds the quiz on the home page, takes it and submits.
    learner.goto(reverse("quizzes:home"))
    learner.get_by_role("link", name=re.compile("Spirit of the 12th")).first.click()
    learner.get_by_role("button", name="Start the quiz").click()
    learner.wait_for_url(re.compile(r"/attempts/\d+/q/1/$"))
    attempt = Attempt.objects.get(user__username="chenjing")
    total = attempt.items.count()
    for position in range(1, total + 1):
        answer_current_question(learner)
        if position < total:
            learner.get_by_role("button", name="Save and next").click()
            learner.wait_for_url(re.compile(rf"/q/{position + 1}/$"))
    learner.get_by_role("button", name="Save and review before submitting").click()
    learner.get_by_role("button", name="Submit and finish").click()
    learner.wait_for_url(re.compile(r"/result/$"))
    result = AssignmentResult.objects.get(assignment=assignment, user__username="chenjing")
    assert result.attempts_finished == 1

    # 5. The organizer sees the newcomer in the report…
    organizer.goto(reverse("quizzes:assignment_report", args=[assignment.pk]))
    organizer.get_by_role("rowheader", name="Chen Jing").wait_for()

    # 6. …and downloads the member table as Excel.
    with organizer.expect_download() as download_info:
        organizer.get_by_role("link", name="Excel (.xlsx)").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = openpyxl.load_workbook(saved, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    header, *body = rows
    row = next(row for row in body if "chenjing" in row)
    record = dict(zip(header, row, strict=False))
    assert record["Name"] == "Chen Jing"
    assert record["Attempts"] == 1
    assert isinstance(record["Score (%)"], float)
    assert record["Score (%)"] == pytest.approx(float(result.percent) / 100, abs=1e-4)
