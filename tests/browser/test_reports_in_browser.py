"""The report pages in headless Chromium: at phone widths (390 and 320 px) nothing scrolls
sideways and the tables turn into labelled cards; axe-core finds no serious problem; the
print view drops the navigation and keeps the charts. Screenshots land in
tests/browser/shots/ for a person to look at."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from quizzes.models import Membership
from tests import factories
from tests.reports_data import build_course

from .conftest import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "tests" / "browser" / "shots"


@pytest.fixture
def course(db):
    organizer = factories.UserFactory(username="report-organizer", display_name="Organizer Wang")
    assignment = build_course(organizer, 40)
    # A sub-group below a branch, so the roll-up shows whole subtrees.
    branch = assignment.group.children.order_by("name").first()
    cell = factories.GroupFactory(name="Cell 1", parent=branch, created_by=organizer)
    factories.MembershipFactory(group=cell, user=factories.UserFactory(username="cell-member"))
    assert Membership.objects.filter(user=organizer, role=Membership.Role.ORGANIZER).exists()
    return organizer, assignment


def _pages(assignment) -> dict[str, str]:
    return {
        "report-overview": reverse("quizzes:assignment_report", args=[assignment.pk]),
        "report-mastery": reverse("quizzes:assignment_mastery", args=[assignment.pk]),
        "report-items": reverse("quizzes:assignment_items", args=[assignment.pk]),
        "report-group": reverse("quizzes:group_report", args=[assignment.group_id]),
    }


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _scrolls_sideways(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_reports_fit_a_phone_and_pass_axe(phone, course, axe_source):
    organizer, assignment = course
    log_in(phone, organizer.username, factories.PASSWORD)

    for name, url in _pages(assignment).items():
        for width in (390, 320):
            phone.set_viewport_size({"width": width, "height": 844})
            phone.goto(url)
            assert not _scrolls_sideways(phone), f"{name} scrolls sideways at {width}px"
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(url)
        _shot(phone, f"{name}-390")
        assert axe_violations(phone, axe_source) == [], name

    # On a phone a member row is a card whose cells say which column they are.
    phone.goto(_pages(assignment)["report-overview"])
    cell = phone.locator(".members-table tbody tr").first.locator("td").first
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Username"'
    phone.set_viewport_size({"width": 390, "height": 2200})
    phone.screenshot(path=str(SHOTS / "report-overview-390-top.png"))


def test_reports_on_a_desktop_sort_and_print(desktop, course, axe_source):
    organizer, assignment = course
    log_in(desktop, organizer.username, factories.PASSWORD)
    pages = _pages(assignment)

    for name, url in pages.items():
        desktop.goto(url)
        _shot(desktop, f"{name}-desktop")
        assert axe_violations(desktop, axe_source) == [], name

    desktop.goto(pages["report-overview"])
    desktop.get_by_role("link", name="Best", exact=True).click()
    desktop.wait_for_url("**sort=best**")
    assert desktop.locator("th[aria-sort='ascending']").inner_text().startswith("Best")

    desktop.emulate_media(media="print")
    assert not desktop.locator(".site-header").is_visible()
    assert not desktop.locator(".report-tabs").is_visible()
    assert desktop.locator("svg.chart").first.is_visible()
    _shot(desktop, "report-overview-print")
