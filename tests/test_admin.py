"""The Django admin: every registered model's pages load, changelists stay at a fixed number
of queries, and no admin path edits a question version or a finished attempt's score."""

import csv
import io
import itertools
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.forms import MultiWidget
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from quizzes.models import (
    Assignment,
    AssignmentResult,
    Attempt,
    AttemptBlank,
    AttemptChoice,
    AttemptItem,
    BlankAnswer,
    Choice,
    GenerationJob,
    ImportBatch,
    KeyPoint,
    Membership,
    Notice,
    Question,
    QuestionKind,
    QuestionVersion,
    Quiz,
    QuizSlot,
    Regrade,
    ScoreChange,
    SourceDocument,
    User,
)

from . import factories

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label_lower)
_worlds = itertools.count(1)


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def make_world(*, learner_name="学员 李"):
    """One row of every registered model, linked the way the app links them: a bank with a
    document, a key point and two questions (single choice, blank), a quiz over both, a
    group with an assignment, a finished attempt that was regraded once (1 → 2 of 2), an
    open attempt, and the learner's result."""
    n = next(_worlds)
    organizer = factories.UserFactory(display_name=f"组织者 {n}")
    learner = factories.UserFactory(display_name=learner_name)
    bank = factories.BankFactory(owner=organizer)
    document = factories.DocumentFactory(bank=bank, uploaded_by=organizer)
    key_point = factories.KeyPointFactory(document=document)
    GenerationJob.objects.create(document=document, created_by=organizer)

    choice_question = factories.QuestionFactory(bank=bank, key_point=key_point)
    choice_version = factories.VersionFactory(
        question=choice_question, kind=QuestionKind.SINGLE, stem="我们要坚持什么？"
    )
    right = Choice.objects.create(version=choice_version, ordinal=1, text="坚持", is_correct=True)
    wrong = Choice.objects.create(version=choice_version, ordinal=2, text="放弃")
    blank_question = factories.QuestionFactory(bank=bank, key_point=key_point)
    blank_version = factories.VersionFactory(
        question=blank_question, kind=QuestionKind.BLANK, stem="以____为中心。"
    )
    BlankAnswer.objects.create(version=blank_version, blank=1, text="人民")

    quiz = factories.QuizFactory(owner=organizer, title=f"学习测验 {n}")
    choice_slot = QuizSlot.objects.create(
        quiz=quiz, position=1, question=choice_question, pinned_version=choice_version
    )
    blank_slot = QuizSlot.objects.create(quiz=quiz, position=2, question=blank_question)

    group = factories.GroupFactory(name=f"第{n}支部", created_by=organizer)
    factories.MembershipFactory(group=group, user=organizer, role=Membership.Role.ORGANIZER)
    factories.MembershipFactory(group=group, user=learner)
    assignment = factories.AssignmentFactory(quiz=quiz, group=group, created_by=organizer)

    started = timezone.now() - timedelta(hours=2)
    finished = factories.AttemptFactory(
        assignment=assignment,
        user=learner,
        number=1,
        started_at=started,
        state=Attempt.State.FINISHED,
        finished_at=started + timedelta(minutes=10),
        score=Decimal(1),
        max_score=Decimal(2),
    )
    choice_item = AttemptItem.objects.create(
        attempt=finished,
        position=1,
        slot=choice_slot,
        question=choice_question,
        question_version=choice_version,
        points=Decimal(1),
        score=Decimal(1),
    )
    AttemptChoice.objects.create(item=choice_item, choice=right, position=1, selected=True)
    AttemptChoice.objects.create(item=choice_item, choice=wrong, position=2)
    blank_item = AttemptItem.objects.create(
        attempt=finished,
        position=2,
        slot=blank_slot,
        question=blank_question,
        question_version=blank_version,
        points=Decimal(1),
        score=Decimal(0),
    )
    AttemptBlank.objects.create(item=blank_item, blank=1, response="群众")
    # A regrade: the audit row first, then the score (the database insists on that order).
    regrade = Regrade.objects.create(
        assignment=assignment,
        question=blank_question,
        to_version=blank_version,
        reason="Accepted 群众 as well.",
        created_by=organizer,
    )
    ScoreChange.objects.create(
        attempt=finished,
        regrade=regrade,
        old_score=Decimal(1),
        new_score=Decimal(2),
        reason="Accepted 群众 as well.",
        changed_by=organizer,
    )
    AttemptItem.objects.filter(pk=blank_item.pk).update(score=Decimal(1))
    Attempt.objects.filter(pk=finished.pk).update(score=Decimal(2))
    finished.refresh_from_db()
    open_attempt = factories.AttemptFactory(
        assignment=assignment, user=learner, number=2, max_score=Decimal(2)
    )
    AssignmentResult.objects.create(
        assignment=assignment,
        user=learner,
        attempts_finished=1,
        score=Decimal(2),
        max_score=Decimal(2),
        percent=Decimal(100),
        passed=True,
        first_started_at=started,
        last_finished_at=finished.finished_at,
    )
    Group.objects.create(name=f"Reviewers {n}")
    ImportBatch.objects.create(
        bank=bank,
        filename=f"bank-{n}.gift",
        format="gift",
        checksum=f"{n:064x}",
        created_by=organizer,
    )
    Notice.objects.create(
        user=learner, assignment=assignment, message="请按时完成测验。", created_by=organizer
    )
    return {
        "organizer": organizer,
        "learner": learner,
        "bank": bank,
        "key_point": key_point,
        "question": choice_question,
        "version": choice_version,
        "quiz": quiz,
        "group": group,
        "assignment": assignment,
        "finished": finished,
        "open": open_attempt,
    }


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


def _form_data(response) -> dict:
    """The POST data of an admin change form as rendered: its form's current values and
    the management forms of its inlines."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(field.widget, MultiWidget):  # e.g. date and time of a datetime
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{index}"] = part
        else:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{inline.formset.prefix}-{name}"] = management[name].value()
    return data


# --- Every registered model ---------------------------------------------------------------


def test_every_model_of_the_app_is_registered():
    missing = [
        model._meta.label
        for model in apps.get_app_config("quizzes").get_models()
        if not admin.site.is_registered(model)
    ]
    assert missing == []


def test_model_admins_pass_the_admin_system_checks():
    errors = {
        model._meta.label: model_admin.check()
        for model, model_admin in admin.site._registry.items()
    }
    assert {label: found for label, found in errors.items() if found} == {}


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label_lower)
def test_changelist_add_and_change_pages_load_for_a_superuser(staff_client, world, model):
    assert staff_client.get(_url(model, "changelist")).status_code == 200

    model_admin = admin.site._registry[model]
    request = staff_client.get(_url(model, "changelist")).wsgi_request
    expected_add_status = 200 if model_admin.has_add_permission(request) else 403
    assert staff_client.get(_url(model, "add")).status_code == expected_add_status

    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"make_world() creates no {model._meta.label}"
    assert staff_client.get(_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label_lower)
def test_changelist_loads_with_each_filter_choice_applied(staff_client, world, model):
    make_world()  # a filter with a single choice is not shown
    changelist = staff_client.get(_url(model, "changelist")).context["cl"]
    applied = 0
    for spec in changelist.filter_specs:
        for choice in spec.choices(changelist):
            if choice["selected"]:  # "All", already loaded
                continue
            response = staff_client.get(_url(model, "changelist") + choice["query_string"])
            # An invalid lookup redirects to "?e=1" instead of failing.
            assert response.status_code == 200, (spec.title, choice["query_string"])
            applied += 1
    assert applied >= len(changelist.filter_specs)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label_lower)
def test_changelist_search_loads(staff_client, world, model):
    if not admin.site._registry[model].search_fields:
        pytest.skip("no search on this changelist")
    for term in ("学员", "nothing-matches-this"):
        response = staff_client.get(_url(model, "changelist"), {"q": term})
        assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label_lower)
def test_changelist_query_count_does_not_grow_with_rows(staff_client, world, model):
    url = _url(model, "changelist")
    staff_client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as with_one_world:
        assert staff_client.get(url).status_code == 200
    for _ in range(3):
        make_world()
    with CaptureQueriesContext(connection) as with_four_worlds:
        assert staff_client.get(url).status_code == 200
    assert len(with_four_worlds) == len(with_one_world), [
        query["sql"] for query in with_four_worlds.captured_queries
    ]


# --- Attempts: review, totals, export --------------------------------------------------


def test_attempt_changelist_lists_learner_quiz_score_and_percent(staff_client, world):
    response = staff_client.get(_url(Attempt, "changelist"))

    html = response.content.decode()
    learner = world["learner"]
    assert f"{learner.display_name} ({learner.username})" in html
    assert world["assignment"].quiz.title in html and world["assignment"].group.name in html
    assert '<td class="field-percent_shown">100%</td>' in html
    assert '<td class="field-score_of_max">2 / 2</td>' in html


def test_scores_show_as_the_pages_show_them_in_the_attempt_and_result_lists(staff_client, world):
    learner = factories.UserFactory(username="thirds")
    started = timezone.now() - timedelta(hours=1)
    attempt = factories.AttemptFactory(
        assignment=world["assignment"],
        user=learner,
        state=Attempt.State.FINISHED,
        started_at=started,
        finished_at=started + timedelta(minutes=5),
        score=Decimal("2.3334"),
        max_score=Decimal(3),
    )
    AssignmentResult.objects.create(
        assignment=world["assignment"],
        user=learner,
        attempts_finished=1,
        score=Decimal("2.3334"),
        max_score=Decimal(3),
        percent=Decimal("77.78"),
        best_percent=Decimal("77.78"),
        passed=True,
        last_finished_at=attempt.finished_at,
    )

    attempts = staff_client.get(_url(Attempt, "changelist")).content.decode()
    results = staff_client.get(_url(AssignmentResult, "changelist")).content.decode()

    # 2.33 of 3 points and 78 %, as the result page and the reports show them.
    assert '<td class="field-score_of_max">2.33 / 3</td>' in attempts
    assert '<td class="field-percent_shown">78%</td>' in attempts
    assert '<td class="field-score_shown">2.33 / 3</td>' in results
    assert '<td class="field-percent_shown">78%</td>' in results
    assert "2.3334" not in attempts + results and "77.78" not in results
    detail = staff_client.get(_url(Attempt, "change", attempt.pk)).content.decode()
    assert "2.33" in detail and "2.3334" not in detail


# Rows that exist only as parts of another: shown inline under their owner, not in the index.
PARTS = {
    AttemptItem: Attempt,
    AttemptChoice: AttemptItem,
    AttemptBlank: AttemptItem,
    QuizSlot: Quiz,
    QuestionVersion: Question,
    Choice: QuestionVersion,
    BlankAnswer: QuestionVersion,
    KeyPoint: SourceDocument,
}


def test_the_admin_index_lists_owners_not_their_parts(staff_client, world):
    html = staff_client.get(reverse("admin:index")).content.decode()

    for part, owner in PARTS.items():
        assert _url(part, "changelist") not in html, part._meta.label
        assert _url(owner, "changelist") in html or owner in PARTS, owner._meta.label
    assert _url(Attempt, "changelist") in html and _url(AssignmentResult, "changelist") in html


@pytest.mark.parametrize("part", PARTS, ids=lambda model: model._meta.label_lower)
def test_each_part_is_shown_inline_on_its_owners_page_and_keeps_its_own_page(
    staff_client, world, part
):
    owner = PARTS[part]
    admin_of_owner = admin.site._registry[owner]

    assert part in [inline.model for inline in admin_of_owner.inlines]
    row = part._default_manager.order_by("pk").first()
    holder = owner._default_manager.order_by("pk").first()
    assert staff_client.get(_url(owner, "change", holder.pk)).status_code == 200
    assert staff_client.get(_url(part, "change", row.pk)).status_code == 200


def test_the_admins_chinese_model_names_read_naturally():
    with translation.override("zh-hans"):
        names = {
            model._meta.label: (str(model._meta.verbose_name), str(model._meta.verbose_name_plural))
            for model in apps.get_app_config("quizzes").get_models()
        }
    # Chinese has no plural: one name for one and for many, and every one in Chinese.
    assert {label: pair for label, pair in names.items() if pair[0] != pair[1]} == {}
    assert [
        label for label, (name, _) in names.items() if not re.search(r"[\u4e00-\u9fff]", name)
    ] == []
    assert names["quizzes.Membership"][0] == "小组成员"
    assert names["quizzes.QuizSlot"][0] == "测验中的题目"


def test_attempt_changelist_shows_totals_of_the_filtered_attempts(staff_client, world):
    make_world()  # another group's attempts, filtered out below

    response = staff_client.get(
        _url(Attempt, "changelist"), {"assignment__group__id__exact": world["group"].pk}
    )

    totals = response.context["attempt_totals"]
    assert totals["count"] == 2
    assert totals["finished"] == 1
    assert totals["score_sum"] == Decimal(2)
    assert totals["max_score_sum"] == Decimal(2)
    assert totals["percent_mean"] == pytest.approx(100.0)
    html = response.content.decode()
    assert 'id="attempt-totals"' in html
    assert "Mean percent" in html


def test_attempt_totals_follow_the_state_filter_and_the_search(staff_client, world):
    make_world(learner_name="Zhang San")

    finished_only = staff_client.get(_url(Attempt, "changelist"), {"state__exact": "finished"})
    searched = staff_client.get(_url(Attempt, "changelist"), {"q": "Zhang"})

    assert finished_only.context["attempt_totals"]["count"] == 2
    assert finished_only.context["attempt_totals"]["finished"] == 2
    assert searched.context["attempt_totals"]["count"] == 2
    assert {a.user.display_name for a in searched.context["cl"].result_list} == {"Zhang San"}


def test_attempt_totals_are_one_aggregate_query(staff_client, world):
    model_admin = admin.site._registry[Attempt]
    queryset = model_admin.get_queryset(staff_client.get("/").wsgi_request)

    with CaptureQueriesContext(connection) as queries:
        totals = model_admin.totals(queryset)

    assert len(queries) == 1
    assert totals["count"] == 2


def test_attempt_search_finds_by_learner_username_name_and_quiz_title(staff_client, world):
    other = make_world(learner_name="Zhang San")

    def found(term):
        response = staff_client.get(_url(Attempt, "changelist"), {"q": term})
        return {attempt.pk for attempt in response.context["cl"].result_list}

    ours = {world["finished"].pk, world["open"].pk}
    assert found(world["learner"].username) == ours
    assert found("Zhang") == {other["finished"].pk, other["open"].pk}
    assert found(world["quiz"].title) == ours


def test_attempt_changelist_filters_by_group_quiz_assignment_state_and_start(staff_client, world):
    other = make_world()
    url = _url(Attempt, "changelist")

    def found(params):
        response = staff_client.get(url, params)
        assert response.status_code == 200
        return {attempt.pk for attempt in response.context["cl"].result_list}

    ours = {world["finished"].pk, world["open"].pk}
    assert found({"assignment__group__id__exact": world["group"].pk}) == ours
    assert found({"assignment__quiz__id__exact": world["quiz"].pk}) == ours
    assert found({"assignment__id__exact": other["assignment"].pk}) == {
        other["finished"].pk,
        other["open"].pk,
    }
    assert found({"state__exact": "in_progress"}) == {world["open"].pk, other["open"].pk}
    today = timezone.localdate()
    assert len(found({"started_at__year": today.year})) == 4


def test_attempt_change_page_is_read_only_and_shows_the_answers(staff_client, world):
    response = staff_client.get(_url(Attempt, "change", world["finished"].pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="score"' not in html
    assert 'name="_save"' not in html
    assert "A. 坚持" in html  # the selected choice
    assert "[1] 群众" in html  # the typed blank
    assert "[1] 人民" in html  # the accepted answer
    assert "Accepted 群众 as well." in html  # the regrade's audit row


def test_attempt_change_page_query_count_does_not_grow_with_items(staff_client, world):
    attempt = world["open"]
    url = _url(Attempt, "change", attempt.pk)

    def add_item(position):
        version = factories.VersionFactory(question__bank=world["bank"])
        choice = Choice.objects.create(version=version, ordinal=1, text="Yes", is_correct=True)
        item = AttemptItem.objects.create(
            attempt=attempt,
            position=position,
            question=version.question,
            question_version=version,
            points=Decimal(1),
        )
        AttemptChoice.objects.create(item=item, choice=choice, position=1, selected=True)
        AttemptBlank.objects.create(item=item, blank=1, response="—")

    add_item(1)
    staff_client.get(url)
    with CaptureQueriesContext(connection) as with_one_item:
        assert staff_client.get(url).status_code == 200
    for position in range(2, 8):
        add_item(position)
    with CaptureQueriesContext(connection) as with_seven_items:
        assert staff_client.get(url).status_code == 200

    assert len(with_seven_items) == len(with_one_item)


def test_posting_to_the_attempt_change_page_does_not_change_the_score(staff_client, world):
    attempt = world["finished"]

    response = staff_client.post(
        _url(Attempt, "change", attempt.pk),
        {"score": "0", "max_score": "2", "state": "finished", "number": "1"},
    )

    assert response.status_code == 403
    attempt.refresh_from_db()
    assert attempt.score == Decimal(2)
    assert attempt.state == Attempt.State.FINISHED


def test_attempts_cannot_be_added_in_the_admin(staff_client, world):
    assert staff_client.get(_url(Attempt, "add")).status_code == 403
    assert staff_client.post(_url(Attempt, "add"), {}).status_code == 403


def test_a_finished_attempt_cannot_be_deleted(staff_client, world):
    attempt = world["finished"]

    assert staff_client.get(_url(Attempt, "delete", attempt.pk)).status_code == 403
    assert staff_client.post(_url(Attempt, "delete", attempt.pk), {"post": "yes"}).status_code == (
        403
    )
    assert Attempt.objects.filter(pk=attempt.pk).exists()


def test_bulk_delete_refuses_a_selection_with_a_finished_attempt(staff_client, world):
    # Unlike world["finished"], this one has no audit row protecting it from deletion.
    finished = factories.AttemptFactory(
        assignment=world["assignment"],
        user=world["learner"],
        number=3,
        started_at=world["finished"].started_at,
        state=Attempt.State.FINISHED,
        finished_at=world["finished"].finished_at,
        score=Decimal(1),
        max_score=Decimal(2),
    )
    selected = [finished.pk, world["open"].pk]

    response = staff_client.post(
        _url(Attempt, "changelist"),
        {"action": "delete_selected", "_selected_action": selected, "post": "yes"},
    )

    assert response.status_code == 403
    assert Attempt.objects.filter(pk__in=selected).count() == 2


def test_bulk_delete_refuses_an_attempt_with_a_score_change(staff_client, world):
    selected = [world["finished"].pk]

    response = staff_client.post(
        _url(Attempt, "changelist"),
        {"action": "delete_selected", "_selected_action": selected, "post": "yes"},
    )

    assert response.status_code == 200  # the "protected objects" page
    assert Attempt.objects.filter(pk__in=selected).count() == 1


def test_an_unfinished_attempt_can_be_deleted_with_its_items(staff_client, world):
    attempt = world["open"]
    version = world["version"]
    item = AttemptItem.objects.create(
        attempt=attempt,
        position=1,
        question=version.question,
        question_version=version,
        points=Decimal(1),
    )
    AttemptChoice.objects.create(item=item, choice=version.choices.first(), position=1)

    response = staff_client.post(_url(Attempt, "delete", attempt.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Attempt.objects.filter(pk=attempt.pk).exists()
    assert not AttemptItem.objects.filter(pk=item.pk).exists()
    assert world["finished"].items.count() == 2


def test_attempt_admin_offers_no_action_or_editable_column_that_writes(rf, superuser):
    request = rf.get("/")
    request.user = superuser
    model_admin = admin.site._registry[Attempt]

    assert set(model_admin.get_actions(request)) == {"export_as_csv", "delete_selected"}
    assert model_admin.list_editable == ()
    assert not model_admin.has_change_permission(request, None)


def _export(client, attempts):
    response = client.post(
        _url(Attempt, "changelist"),
        {"action": "export_as_csv", "_selected_action": [attempt.pk for attempt in attempts]},
    )
    assert response.status_code == 200
    return response


def test_csv_export_returns_the_selected_attempts_as_utf8_with_bom(staff_client, world):
    other = make_world(learner_name="=HYPERLINK(1)")

    response = _export(staff_client, [world["finished"], other["finished"]])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="attempts-')
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [
        "attempt id",
        "learner username",
        "learner name",
        "group",
        "quiz",
        "attempt number",
        "state",
        "started",
        "finished",
        "score",
        "maximum score",
        "percent",
    ]
    by_id = {int(row[0]): row for row in rows[1:]}
    assert set(by_id) == {world["finished"].pk, other["finished"].pk}
    attempt = world["finished"]
    started = timezone.localtime(attempt.started_at).strftime("%Y-%m-%d %H:%M:%S")
    assert by_id[attempt.pk] == [
        str(attempt.pk),
        world["learner"].username,
        "学员 李",
        world["group"].name,
        world["quiz"].title,
        "1",
        "finished",
        started,
        timezone.localtime(attempt.finished_at).strftime("%Y-%m-%d %H:%M:%S"),
        "2",
        "2",
        "100.00",
    ]
    # A learner-chosen name is never a spreadsheet formula.
    assert by_id[other["finished"].pk][2] == "'=HYPERLINK(1)"


def test_csv_export_of_an_open_attempt_leaves_finish_and_score_empty(staff_client, world):
    response = _export(staff_client, [world["open"]])

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][6:] == ["in progress", rows[1][7], "", "", "2", ""]


def test_csv_export_reads_the_attempts_in_one_query(staff_client, world):
    make_world()
    make_world()
    response = _export(staff_client, Attempt.objects.all())

    with CaptureQueriesContext(connection) as queries:
        body = b"".join(response.streaming_content)

    assert len(queries) == 1
    assert body.decode("utf-8-sig").count("\r\n") == 1 + 6


# --- Records that are view-only -------------------------------------------------------------

VIEW_ONLY = [
    QuestionVersion,
    Choice,
    BlankAnswer,
    AttemptItem,
    AttemptChoice,
    AttemptBlank,
    AssignmentResult,
    ScoreChange,
]


@pytest.mark.parametrize("model", VIEW_ONLY, ids=lambda model: model._meta.label_lower)
def test_view_only_records_cannot_be_added_changed_or_deleted(staff_client, world, model):
    obj = model._default_manager.order_by("pk").first()
    request = staff_client.get(_url(model, "change", obj.pk)).wsgi_request
    model_admin = admin.site._registry[model]

    assert model_admin.has_view_permission(request, obj)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)
    assert staff_client.post(_url(model, "change", obj.pk), {}).status_code == 403
    assert staff_client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=obj.pk).exists()


def test_a_version_posted_to_its_change_page_stays_as_it_was(staff_client, world):
    version = world["version"]

    response = staff_client.post(
        _url(QuestionVersion, "change", version.pk),
        {"stem": "Changed?", "kind": "blank", "number": "9", "difficulty": "1"},
    )

    assert response.status_code == 403
    version.refresh_from_db()
    assert version.stem == "我们要坚持什么？"
    assert version.kind == QuestionKind.SINGLE


def test_question_admin_changes_status_and_nothing_else(staff_client, world):
    question = world["question"]
    other_bank = factories.BankFactory()
    url = _url(Question, "change", question.pk)
    data = _form_data(staff_client.get(url))

    response = staff_client.post(
        url, {**data, "status": Question.Status.ARCHIVED, "bank": other_bank.pk, "origin": "x"}
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    question.refresh_from_db()
    assert question.status == Question.Status.ARCHIVED
    assert question.bank == world["bank"]
    assert question.origin == Question.Origin.MANUAL
    assert [(v.number, v.stem) for v in question.versions.all()] == [
        (world["version"].number, "我们要坚持什么？")
    ]


def test_question_admin_refuses_a_key_point_from_another_bank(staff_client, world):
    question = world["question"]
    foreign_key_point = factories.KeyPointFactory()
    url = _url(Question, "change", question.pk)
    data = _form_data(staff_client.get(url))

    response = staff_client.post(url, {**data, "key_point": foreign_key_point.pk})

    assert response.status_code == 200
    assert "key_point" in response.context["adminform"].form.errors
    question.refresh_from_db()
    assert question.key_point == world["key_point"]


def test_question_page_shows_its_versions_read_only(staff_client, world):
    response = staff_client.get(_url(Question, "change", world["question"].pk))

    html = response.content.decode()
    assert "我们要坚持什么？" in html
    assert 'name="versions-0-stem"' not in html


def test_deleting_an_unused_question_deletes_its_versions(staff_client, db, superuser):
    version = factories.VersionFactory()
    Choice.objects.create(version=version, ordinal=1, text="Yes", is_correct=True)

    response = staff_client.post(_url(Question, "delete", version.question.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not QuestionVersion.objects.filter(pk=version.pk).exists()


# --- Accounts ---------------------------------------------------------------------------


def test_user_changelist_shows_and_searches_the_display_name(staff_client, world):
    response = staff_client.get(_url(User, "changelist"), {"q": "学员"})

    assert [user.pk for user in response.context["cl"].result_list] == [world["learner"].pk]
    assert "学员 李" in response.content.decode()
    assert "display_name" in admin.site._registry[User].list_display


def test_user_change_page_edits_the_display_name(staff_client, world):
    learner = world["learner"]
    url = _url(User, "change", learner.pk)
    data = _form_data(staff_client.get(url))

    response = staff_client.post(url, {**data, "display_name": "李 同志"})

    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.display_name == "李 同志"


def test_assignment_filter_lists_assignments_by_quiz_and_group(staff_client, world):
    make_world()  # a filter with a single choice is not shown
    response = staff_client.get(_url(Attempt, "changelist"))

    spec = next(
        spec for spec in response.context["cl"].filter_specs if spec.field_path == "assignment"
    )
    assert (world["assignment"].pk, str(world["assignment"])) in spec.lookup_choices
    assert isinstance(world["assignment"], Assignment)


# --- Attempts: filters on the group tree and on score bands ---------------------------------


def _nest(child, parent):
    """Put ``child`` below ``parent`` in the group tree."""
    type(child).objects.filter(pk=child.pk).update(parent=parent)
    child.refresh_from_db()


@pytest.fixture
def tree(world):
    """A committee above a branch above ``world``'s group, another branch with its own
    world beside it, and an unrelated world outside the committee."""
    committee = factories.GroupFactory(name="委员会")
    branch = factories.GroupFactory(name="第一支部")
    other_branch = factories.GroupFactory(name="第二支部")
    _nest(branch, committee)
    _nest(other_branch, committee)
    _nest(world["group"], branch)
    sibling = make_world()
    _nest(sibling["group"], other_branch)
    outside = make_world()
    return {
        "committee": committee,
        "branch": branch,
        "other_branch": other_branch,
        "ours": world,
        "sibling": sibling,
        "outside": outside,
    }


def _found(client, params):
    response = client.get(_url(Attempt, "changelist"), params)
    assert response.status_code == 200
    return {attempt.pk for attempt in response.context["cl"].result_list}


def _attempts(*worlds):
    return {w[key].pk for w in worlds for key in ("finished", "open")}


def test_assigned_group_filter_includes_every_group_below_the_chosen_one(staff_client, tree):
    def by_group(group):
        return _found(staff_client, {"assignment__group__subtree": group.pk})

    assert by_group(tree["committee"]) == _attempts(tree["ours"], tree["sibling"])
    assert by_group(tree["branch"]) == _attempts(tree["ours"])
    assert by_group(tree["ours"]["group"]) == _attempts(tree["ours"])
    assert by_group(tree["outside"]["group"]) == _attempts(tree["outside"])


def test_group_filter_totals_cover_the_whole_subtree(staff_client, tree):
    response = staff_client.get(
        _url(Attempt, "changelist"), {"assignment__group__subtree": tree["committee"].pk}
    )

    totals = response.context["attempt_totals"]
    assert totals["count"] == 4
    assert totals["learners"] == 2
    assert totals["finished"] == 2
    assert "<td>2</td>" in response.content.decode()  # the learners row


def _tree_spec(response, kwarg="assignment__group__subtree"):
    return next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "lookup_kwarg", "") == kwarg
    )


def _listed(response, kwarg="assignment__group__subtree"):
    spec = _tree_spec(response, kwarg)
    return [choice["display"] for choice in spec.choices(response.context["cl"])][1:]


def test_group_filter_lists_the_top_two_levels_and_opens_the_chosen_path(staff_client, tree):
    url = _url(Attempt, "changelist")
    ours, outside = tree["ours"]["group"].name, tree["outside"]["group"].name
    sibling = tree["sibling"]["group"].name

    closed = _listed(staff_client.get(url))
    opened = _listed(staff_client.get(url, {"assignment__group__subtree": tree["branch"].pk}))

    # Roots (the committee, the outside group) and the committee's branches only.
    assert sorted(closed) == sorted(["委员会", "\u2003第一支部", "\u2003第二支部", outside])
    # Opening a branch lists its groups, indented one more level; the other branch stays shut.
    assert f"\u2003\u2003{ours}" in opened
    assert f"\u2003\u2003{sibling}" not in opened
    assert opened.index("\u2003第一支部") < opened.index(f"\u2003\u2003{ours}")


def test_learner_group_filter_finds_attempts_at_assignments_made_higher_up(staff_client, tree):
    ours = tree["ours"]
    # The whole committee is given a quiz; our learner (in a study group of the first
    # branch) takes it.
    committee_wide = factories.AssignmentFactory(
        quiz=ours["quiz"], group=tree["committee"], created_by=ours["organizer"]
    )
    taken = factories.AttemptFactory(
        assignment=committee_wide, user=ours["learner"], max_score=Decimal(2)
    )

    by_learner = _found(staff_client, {"user__group_subtree": tree["branch"].pk})
    by_assignment = _found(staff_client, {"assignment__group__subtree": tree["branch"].pk})

    assert by_learner == _attempts(ours) | {taken.pk}
    assert by_assignment == _attempts(ours)
    everyone = _found(staff_client, {"user__group_subtree": tree["committee"].pk})
    assert everyone == _attempts(ours, tree["sibling"]) | {taken.pk}


def test_learner_group_filter_counts_a_learner_in_two_groups_once(staff_client, tree):
    ours = tree["ours"]
    factories.MembershipFactory(group=tree["sibling"]["group"], user=ours["learner"])

    response = staff_client.get(
        _url(Attempt, "changelist"), {"user__group_subtree": tree["committee"].pk}
    )

    assert response.context["attempt_totals"]["count"] == 4
    assert len(response.context["cl"].result_list) == 4


def test_learner_group_filter_opens_its_own_path_in_the_tree(staff_client, tree):
    url = _url(Attempt, "changelist")
    response = staff_client.get(url, {"user__group_subtree": tree["branch"].pk})

    study_group = f"\u2003\u2003{tree['ours']['group'].name}"
    assert study_group in _listed(response, "user__group_subtree")
    assert study_group not in _listed(response)  # the other tree filter stays shut


def test_group_filter_marks_the_chosen_group_and_shows_counts_with_facets(staff_client, tree):
    response = staff_client.get(
        _url(Attempt, "changelist"),
        {"assignment__group__subtree": tree["branch"].pk, "_facets": "1"},
    )

    spec = _tree_spec(response)
    choices = list(spec.choices(response.context["cl"]))
    selected = [choice["display"] for choice in choices if choice["selected"]]
    assert selected == ["\u2003第一支部 (2)"]
    assert "委员会 (4)" in [choice["display"] for choice in choices]


def test_group_filter_with_a_bad_value_shows_the_error_page_not_a_500(staff_client, tree):
    response = staff_client.get(_url(Attempt, "changelist"), {"assignment__group__subtree": "x"})

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def _finished_attempt(world, *, score, number):
    started = world["finished"].started_at
    return factories.AttemptFactory(
        assignment=world["assignment"],
        user=world["learner"],
        number=number,
        started_at=started,
        state=Attempt.State.FINISHED,
        finished_at=started + timedelta(minutes=5),
        score=Decimal(score),
        max_score=Decimal(5),
    )


def test_score_band_filter_splits_attempts_at_60_and_80_percent(staff_client, world):
    # Percentages: 100 (world), 59.8, 60, 79.8, 80 and 0; the open attempt has none.
    scores = {"2.99": 3, "3": 4, "3.99": 5, "4": 6, "0": 7}
    made = {score: _finished_attempt(world, score=score, number=n) for score, n in scores.items()}

    def band(value):
        return _found(staff_client, {"score_band": value})

    assert band("0-59") == {made["2.99"].pk, made["0"].pk}
    assert band("60-79") == {made["3"].pk, made["3.99"].pk}
    assert band("80-100") == {made["4"].pk, world["finished"].pk}
    assert band("none") == {world["open"].pk}


def test_score_band_filter_combines_with_the_group_filter_and_totals(staff_client, tree):
    response = staff_client.get(
        _url(Attempt, "changelist"),
        {"assignment__group__subtree": tree["committee"].pk, "score_band": "80-100"},
    )

    assert {a.pk for a in response.context["cl"].result_list} == {
        tree["ours"]["finished"].pk,
        tree["sibling"]["finished"].pk,
    }
    assert response.context["attempt_totals"]["count"] == 2
    assert response.context["attempt_totals"]["percent_mean"] == pytest.approx(100.0)


def test_an_unknown_score_band_shows_the_error_page_not_a_500(staff_client, world):
    response = staff_client.get(_url(Attempt, "changelist"), {"score_band": "90-99"})

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_result_changelist_filters_by_group_subtree_and_score_band(staff_client, tree):
    url = _url(AssignmentResult, "changelist")

    def found(params):
        response = staff_client.get(url, params)
        assert response.status_code == 200
        return {result.user_id for result in response.context["cl"].result_list}

    committee = {"assignment__group__subtree": tree["committee"].pk}
    assert found(committee) == {tree["ours"]["learner"].pk, tree["sibling"]["learner"].pk}
    assert found({**committee, "score_band": "80-100"}) == found(committee)
    assert found({**committee, "score_band": "0-59"}) == set()


FILTERED = [
    {"assignment__group__subtree": "committee"},
    {"user__group_subtree": "branch", "_facets": "1"},
    {"assignment__group__subtree": "branch", "_facets": "1"},
    {"score_band": "80-100"},
    {"score_band": "60-79", "assignment__group__subtree": "committee", "_facets": "1"},
]


@pytest.mark.parametrize("params", FILTERED, ids=lambda params: "&".join(params))
@pytest.mark.parametrize("model", [Attempt, AssignmentResult], ids=lambda m: m._meta.model_name)
def test_filtered_changelist_query_count_does_not_grow_with_rows_or_groups(
    staff_client, tree, params, model
):
    query = {
        key: tree[value].pk if key.endswith("subtree") else value for key, value in params.items()
    }
    url = _url(model, "changelist")
    staff_client.get(url, query)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        assert staff_client.get(url, query).status_code == 200
    # Three more worlds in the committee's branch, one more group level, three outside.
    for _ in range(3):
        _nest(make_world()["group"], tree["branch"])
        make_world()
    deeper = factories.GroupFactory(name="学习小组")
    _nest(deeper, tree["ours"]["group"])
    _nest(make_world()["group"], deeper)
    with CaptureQueriesContext(connection) as large:
        assert staff_client.get(url, query).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
