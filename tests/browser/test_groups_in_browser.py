"""Study groups in headless Chromium at phone sizes: an organizer creates a group and a
sub-group, a newcomer joins by the link and signs up, the organizer assigns a quiz to both
groups, sees who has not started and reminds them; the learner sees the reminder and
dismisses it; members are imported from a sheet. Every page is scanned with axe-core and
photographed at 390 and 320 pixels wide, and must not scroll sideways."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Assignment, Membership, Notice, StudyGroup

from .. import factories
from .conftest import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "tests" / "browser" / "shots"
STRONG = "plum-river-lantern-42"


def check(page, axe_source, name: str) -> None:
    """No serious accessibility problem, no sideways scrolling at 390 and 320 pixels;
    a full-page screenshot at each width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 844})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        page.screenshot(path=str(SHOTS / f"groups-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    violations = axe_violations(page, axe_source)
    assert violations == [], (name, violations)


def test_organizer_builds_groups_a_newcomer_joins_and_is_reminded(browser, live_server, axe_source):
    organizer = factories.UserFactory(username="secretary", display_name="王书记")
    factories.UserFactory(username="colleague", display_name="李委员")
    quiz = factories.QuizFactory(owner=organizer, title="二十大报告学习测验")
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, "secretary", factories.PASSWORD)

    # Create a top group and a sub-group through the forms.
    page.goto(reverse("quizzes:group_create"))
    page.get_by_label("Name").fill("机关党委 Party committee of the institute")
    page.get_by_label("Description").fill("Monthly study of the congress report.")
    check(page, axe_source, "create")
    page.get_by_role("button", name="Create group").click()
    page.wait_for_url(re.compile(r"/groups/\d+/$"))
    committee = StudyGroup.objects.get(name__startswith="机关党委")
    page.get_by_role("link", name="Add a sub-group").click()
    page.get_by_label("Name").fill("第一党支部 First branch")
    page.get_by_role("button", name="Create group").click()
    page.wait_for_url(re.compile(r"/groups/\d+/$"))
    branch = StudyGroup.objects.get(name__startswith="第一党支部")
    assert branch.parent == committee

    page.goto(reverse("quizzes:group_list"))
    check(page, axe_source, "list")

    # Co-organizer by username.
    page.goto(branch.get_absolute_url())
    page.get_by_label("Username").fill("colleague")
    page.get_by_role("button", name="Add organizer").click()
    page.get_by_text("李委员 is now an organizer.").wait_for()
    check(page, axe_source, "detail")

    page.get_by_role("link", name="QR code to print").click()
    assert page.locator("svg.join-qr__code").count() == 1
    check(page, axe_source, "join-sheet")

    # A newcomer opens the link on their phone and signs up.
    newcomer_context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", base_url=live_server.url
    )
    newcomer = newcomer_context.new_page()
    newcomer.goto(reverse("quizzes:join", args=[branch.join_code]))
    check(newcomer, axe_source, "join-signup")
    newcomer.get_by_label("Your name").fill("张三")
    newcomer.get_by_label("Username").fill("zhangsan")
    newcomer.locator("#id_password1").fill(STRONG)
    newcomer.locator("#id_password2").fill(STRONG)
    newcomer.get_by_role("button", name="Create account and join").click()
    newcomer.wait_for_url(f"**{branch.get_absolute_url()}")
    newcomer.get_by_text("you joined 第一党支部").wait_for()
    assert Membership.objects.filter(group=branch, user__username="zhangsan").exists()

    newcomer.goto(reverse("quizzes:join", args=["WRONG234"]))
    check(newcomer, axe_source, "join-invalid")

    # Assign the quiz to both groups: one assignment, to the committee.
    page.goto(reverse("quizzes:quiz_builder", args=[quiz.pk]))
    page.get_by_label(re.compile("^机关党委")).check()
    page.get_by_label(re.compile("^第一党支部")).check()
    opens = timezone.localtime() - timedelta(hours=1)
    page.get_by_label("Opens").fill(opens.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Due").fill((opens + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#assign-heading").scroll_into_view_if_needed()
    page.get_by_role("button", name="Assign", exact=True).click()
    page.get_by_text("Assigned to 1 group").wait_for()
    assignment = Assignment.objects.get()
    assert assignment.group == committee

    page.goto(reverse("quizzes:assignment_detail", args=[assignment.pk]))
    not_started = page.locator("section[aria-labelledby='not-started-heading']")
    assert not_started.get_by_text("张三").count() == 1
    check(page, axe_source, "assignment")
    page.get_by_role("button", name="Send reminder").click()
    page.get_by_text("Reminder sent to 1 learner").wait_for()
    page.get_by_role("button", name="Send reminder").click()
    page.get_by_text("A reminder was sent at").wait_for()
    assert Notice.objects.count() == 1

    newcomer.goto(reverse("quizzes:home"))
    newcomer.get_by_role("heading", name="Reminders").wait_for()
    check(newcomer, axe_source, "home-notice")
    newcomer.get_by_role("button", name=re.compile("^Dismiss")).click()
    newcomer.get_by_role("heading", name="My assignments").wait_for()
    assert newcomer.get_by_role("heading", name="Reminders").count() == 0

    newcomer_context.close()
    context.close()


def test_organizer_imports_members_on_a_phone(phone, axe_source, tmp_path):
    organizer = factories.UserFactory(username="secretary", display_name="王书记")
    group = factories.GroupFactory(name="第二党支部", created_by=organizer)
    factories.MembershipFactory(group=group, user=organizer, role=Membership.Role.ORGANIZER)
    factories.UserFactory(username="existing", display_name="老党员")
    sheet = tmp_path / "名单.csv"
    sheet.write_text(
        "姓名,用户名,单位\n张三,zhangsan,第一支部\n老党员,existing,机关\n重复,ZHANGSAN,\n"
        "=HYPERLINK(1),bad name,\n",
        encoding="utf-8-sig",
    )
    page = phone
    log_in(page, "secretary", factories.PASSWORD)

    page.goto(reverse("quizzes:member_import", args=[group.pk]))
    check(page, axe_source, "import")
    page.get_by_label("Member list (.xlsx or .csv)").set_input_files(str(sheet))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", name="Check the import").wait_for()
    check(page, axe_source, "import-preview")
    page.get_by_role("button", name="Import 2 members").click()
    page.get_by_role("heading", name="Initial passwords").wait_for()
    password = page.locator("code.password").first.inner_text()
    check(page, axe_source, "import-result")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download passwords (CSV)").click()
    assert password in Path(download.value.path()).read_text(encoding="utf-8-sig")

    page.reload()
    assert page.locator("code.password").count() == 0
    assert Membership.objects.filter(group=group).count() == 3


def test_a_ten_level_tree_fits_a_small_phone(phone, axe_source):
    organizer = factories.UserFactory(username="secretary", display_name="王书记")
    chain = factories.group_chain(10, organizer=organizer, name="Long-named branch level")
    factories.MembershipFactory.create_batch(3, group=chain[-1])
    quiz = factories.QuizFactory(owner=organizer, title="Deep quiz")
    page = phone
    log_in(page, "secretary", factories.PASSWORD)

    page.goto(reverse("quizzes:group_list"))
    assert page.locator(".group-tree__row").count() == 10
    check(page, axe_source, "list-deep")

    page.goto(reverse("quizzes:quiz_builder", args=[quiz.pk]))
    page.locator("#assign-heading").scroll_into_view_if_needed()
    assert page.locator(".group-picker__item").count() == 10
    check(page, axe_source, "assign-picker")
