"""The score-review admin in headless Chromium at 1280 px, the smallest desktop screen staff
use: the attempt list shows every column, scores last, beside both sidebars, with long
quiz and group names, in English and in Chinese."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def attempts(db):
    """Finished attempts with long names and a score of 2.3334 out of 3."""
    quiz = factories.QuizFactory(
        title="Spirit of the 12th Municipal Party Congress — check your understanding, part two"
    )
    group = factories.GroupFactory(name="第一党支部学习小组 / First Branch study group of the city")
    assignment = factories.AssignmentFactory(quiz=quiz, group=group)
    started = timezone.now() - timedelta(hours=1)
    for n in range(3):
        factories.AttemptFactory(
            assignment=assignment,
            user=factories.UserFactory(
                username=f"learner-with-a-long-username-{n}",
                display_name=f"欧阳文博 Ouyang Wenbo {n}",
            ),
            state=Attempt.State.FINISHED,
            started_at=started,
            finished_at=started + timedelta(minutes=12),
            score=Decimal("2.3334"),
            max_score=Decimal(3),
        )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_attempt_list_shows_every_column_at_1280_pixels(
    browser, live_server, attempts, language
):
    factories.UserFactory(username="admin", is_staff=True, is_superuser=True)
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US", base_url=live_server.url
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(reverse("admin:login"))
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("input[type=submit]")
    page.goto(reverse("admin:quizzes_attempt_changelist"))

    results = page.evaluate(
        "() => { const r = document.querySelector('.results');"
        " return [r.scrollWidth, r.clientWidth, r.getBoundingClientRect().right]; }"
    )
    percent = page.locator("td.field-percent_shown").first
    box = percent.bounding_box()
    context.close()

    scroll_width, client_width, right = results
    assert scroll_width <= client_width
    assert box["x"] + box["width"] <= right
