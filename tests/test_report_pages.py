"""The report pages: what they show, who may open them, and a fixed number of queries
whatever the number of learners."""

import re
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from quizzes.models import Membership
from tests import factories
from tests.reports_data import add_members, build_course, make_quiz

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]

SVG = "{http://www.w3.org/2000/svg}"


def _report_urls(assignment) -> dict[str, str]:
    return {
        "overview": reverse("quizzes:assignment_report", args=[assignment.pk]),
        "mastery": reverse("quizzes:assignment_mastery", args=[assignment.pk]),
        "items": reverse("quizzes:assignment_items", args=[assignment.pk]),
        "group": reverse("quizzes:group_report", args=[assignment.group_id]),
        "members.csv": reverse(
            "quizzes:assignment_report_export", args=[assignment.pk, "members", "csv"]
        ),
        "members.xlsx": reverse(
            "quizzes:assignment_report_export", args=[assignment.pk, "members", "xlsx"]
        ),
        "items.csv": reverse(
            "quizzes:assignment_report_export", args=[assignment.pk, "items", "csv"]
        ),
        "items.xlsx": reverse(
            "quizzes:assignment_report_export", args=[assignment.pk, "items", "xlsx"]
        ),
    }


def _without_csrf_tokens(body: bytes) -> bytes:
    """A page without its forms' CSRF tokens, which are masked anew on every response."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", body)


def _consume(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def small_course(organizer):
    return build_course(organizer, 10)


# --- What the pages show -----------------------------------------------------------------


def test_overview_shows_figures_subgroups_and_members(client, organizer, small_course):
    client.force_login(organizer)

    response = client.get(reverse("quizzes:assignment_report", args=[small_course.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    summary = response.context["summary"]
    assert (summary.learners, summary.finished, summary.in_progress) == (10, 6, 1)
    assert [row.label for row in response.context["subgroups"]] == ["East branch", "West branch"]
    assert len(response.context["page_obj"]) == 10
    assert "East 00000" in html and "east" in html
    assert 'aria-sort="ascending"' in html


def test_overview_lists_direct_and_former_members_in_the_roll_up(client, organizer):
    assignment = build_course(organizer, 10)
    direct = add_members(assignment.group, 1, prefix="direct")[0]
    leaver = Membership.objects.filter(group__parent=assignment.group).first()
    leaver.delete()  # left after finishing: their result stays in the report
    client.force_login(organizer)

    response = client.get(reverse("quizzes:assignment_report", args=[assignment.pk]))

    html = response.content.decode()
    summary = response.context["summary"]
    assert (summary.direct.learners, summary.former.learners, summary.learners) == (1, 1, 11)
    assert "Members of Committee itself" in html and "Former members" in html
    assert "Former member</span>" in html
    assert direct.username in html


def test_charts_are_valid_svg(client, organizer, small_course):
    client.force_login(organizer)
    overview = client.get(reverse("quizzes:assignment_report", args=[small_course.pk]))
    trend = client.get(reverse("quizzes:group_report", args=[small_course.group_id]))

    charts = [overview.context["histogram"], overview.context["completion"], trend.context["chart"]]

    for markup in charts:
        root = ElementTree.fromstring(str(markup))
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        assert root.find(f"{SVG}title").text
    histogram = ElementTree.fromstring(str(charts[0]))
    bars = histogram.findall(f"{SVG}rect")
    assert len(bars) == 10


def test_chart_text_is_escaped():
    from quizzes.charts import histogram_chart

    markup = histogram_chart([3], edges=["<b>&", "1"], ident="x", title='"T" <script>', desc="d")

    root = ElementTree.fromstring(str(markup))
    assert root.find(f"{SVG}title").text == '"T" <script>'


def test_member_table_sorts_and_paginates_server_side(client, organizer):
    assignment = build_course(organizer, 60)
    client.force_login(organizer)
    url = reverse("quizzes:assignment_report", args=[assignment.pk])

    first = client.get(url, {"sort": "-username"})
    second = client.get(url, {"sort": "-username", "page": 2})

    names = [row.username for row in first.context["page_obj"]]
    assert names == sorted(names, reverse=True) and len(names) == 50
    assert len(second.context["page_obj"]) == 10
    assert "sort=-username" in first.content.decode()  # pagination keeps the sort
    assert first.context["query"] == "?sort=-username"


def test_mastery_page_lists_weakest_key_point_first_with_passage(client, organizer, small_course):
    client.force_login(organizer)

    response = client.get(reverse("quizzes:assignment_mastery", args=[small_course.pk]))

    rows = response.context["rows"]
    assert [row.passage for row in rows] == ["Another idea.", "One idea."]
    assert rows[0].mastery <= rows[1].mastery
    assert "Another idea." in response.content.decode()


def test_items_page_shows_statistics_and_choices(client, organizer, small_course):
    client.force_login(organizer)

    response = client.get(reverse("quizzes:assignment_items", args=[small_course.pk]))
    every = client.get(
        reverse("quizzes:assignment_items", args=[small_course.pk]), {"attempts": "all"}
    )

    html = response.content.decode()
    assert len(response.context["items"]) == 3
    assert "Q1 option 2" in html and "Fooled most" in html
    assert response.context["which"] == "first"
    assert every.context["which"] == "all" and every.context["query"] == "?attempts=all"


def test_group_report_lists_assignments_in_date_order(client, organizer, small_course):
    client.force_login(organizer)

    response = client.get(reverse("quizzes:group_report", args=[small_course.group_id]))

    (point,) = response.context["points"]
    assert (point.learners, point.finished) == (10, 6)
    assert small_course.quiz.title in response.content.decode()


def test_empty_assignment_pages_say_so(client, organizer, group):
    quiz, _items = make_quiz(owner=organizer, questions=1)
    assignment = factories.AssignmentFactory(quiz=quiz, group=group, created_by=organizer)
    client.force_login(organizer)

    urls = _report_urls(assignment)
    for name in ("overview", "mastery", "items", "group"):
        assert client.get(urls[name]).status_code == 200, name
    assert "Nothing to analyse yet" in client.get(urls["items"]).content.decode()
    assert "Nothing to show yet" in client.get(urls["mastery"]).content.decode()


def test_unknown_export_table_or_format_is_404(client, organizer, small_course):
    client.force_login(organizer)

    for table, fmt in (("secrets", "csv"), ("members", "pdf")):
        url = reverse("quizzes:assignment_report_export", args=[small_course.pk, table, fmt])
        assert client.get(url).status_code == 404


def test_links_to_the_report_from_the_group_and_quiz_pages(client, organizer, small_course):
    client.force_login(organizer)
    report_url = reverse("quizzes:assignment_report", args=[small_course.pk])

    group_page = client.get(small_course.group.get_absolute_url()).content.decode()
    quiz_page = client.get(reverse("quizzes:quiz_builder", args=[small_course.quiz_id]))

    assert report_url in group_page
    assert report_url in quiz_page.content.decode()


# --- Who may open them -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "overview",
        "mastery",
        "items",
        "group",
        "members.csv",
        "members.xlsx",
        "items.csv",
        "items.xlsx",
    ],
)
def test_report_permissions(client, organizer, other_group, small_course, name):
    url = _report_urls(small_course)[name]
    member = Membership.objects.filter(
        group__parent=small_course.group, role=Membership.Role.MEMBER
    ).first()
    other_organizer = other_group.memberships.get(role=Membership.Role.ORGANIZER).user
    branch = member.group
    branch_organizer = factories.UserFactory(username="branch-organizer")
    factories.MembershipFactory(group=branch, user=branch_organizer, role=Membership.Role.ORGANIZER)
    staff = factories.UserFactory(username="staff", is_staff=True)
    site_organizer = factories.UserFactory(username="site-organizer", is_staff=True)
    site_organizer.user_permissions.add(
        Permission.objects.get(codename="organize_all_groups", content_type__app_label="quizzes")
    )

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]

    # Staff status alone only opens the admin.
    for outsider in (member.user, other_organizer, branch_organizer, staff):
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider.username

    for allowed in (organizer, site_organizer):
        client.force_login(allowed)
        response = client.get(url)
        assert response.status_code == 200, allowed.username
        _consume(response)


def test_organizer_of_a_parent_group_may_open_a_sub_groups_reports(client, organizer):
    committee = factories.GroupFactory(created_by=organizer)
    factories.MembershipFactory(group=committee, user=organizer, role=Membership.Role.ORGANIZER)
    branch = factories.GroupFactory(parent=committee, created_by=organizer)
    add_members(branch, 3)
    quiz, _items = make_quiz(owner=organizer, questions=1)
    assignment = factories.AssignmentFactory(quiz=quiz, group=branch, created_by=organizer)
    client.force_login(organizer)

    for name, url in _report_urls(assignment).items():
        response = client.get(url)
        assert response.status_code == 200, name
        _consume(response)


# --- Queries: the same number for 10 and for 1,000 learners -----------------------------

# Every page: the session, the user, the assignment with its quiz and group, the access
# check (one query up the group tree). Then:
#   overview: the summary aggregate (with the histogram; its count serves the
#             paginator), the median rows, the sub-group roll-up, the member page = 4 → 8
#   mastery:  the fingerprint of the finished attempts, the totals per question, the
#             questions with their key points and passages = 3 → 7
#   items:    the fingerprint, the sums per question, the pick counts, the questions'
#             stems = 4 → 8
#   group:    (the group instead of the assignment) the member count, the assignments
#             with their figures = 2 → 6
#   members.csv / members.xlsx: the member rows = 1 → 5
#   items.csv / items.xlsx: as the items page = 4 → 8
# The first request to mastery or items computes the figures and caches them.
PAGE_QUERIES = {
    "overview": 8,
    "mastery": 7,
    "items": 8,
    "group": 6,
    "members.csv": 5,
    "members.xlsx": 5,
    "items.csv": 8,
    "items.xlsx": 8,
}
# The next request finds the fingerprint unchanged and reads the figures from the cache:
# mastery loses the totals per question, items the sums and the pick counts.
CACHED_QUERIES = {"mastery": 6, "items": 6, "items.csv": 6, "items.xlsx": 6}


@pytest.mark.parametrize("learners", [10, 1000])
@pytest.mark.parametrize("name", list(PAGE_QUERIES))
def test_reports_run_a_fixed_number_of_queries(
    client, organizer, learners, name, django_assert_num_queries
):
    assignment = build_course(organizer, learners)
    client.force_login(organizer)
    url = _report_urls(assignment)[name]

    with django_assert_num_queries(PAGE_QUERIES[name]):
        response = client.get(url)
        body = _consume(response)
    assert response.status_code == 200
    assert body
    if name not in CACHED_QUERIES:
        return
    with django_assert_num_queries(CACHED_QUERIES[name]):
        again = client.get(url)
        cached_body = _consume(again)
    assert again.status_code == 200
    if not name.endswith(".xlsx"):  # a workbook carries the time it was written
        assert _without_csrf_tokens(cached_body) == _without_csrf_tokens(body)


def test_export_rows_match_the_learner_count(client, organizer):
    assignment = build_course(organizer, 1000)
    client.force_login(organizer)
    url = _report_urls(assignment)["members.csv"]

    body = _consume(client.get(url)).decode("utf-8-sig")

    assert len(body.strip().splitlines()) == 1 + 1000
