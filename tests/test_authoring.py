"""Organizer authoring of banks and questions: the bank pages, the question editor for
every kind, its server-side preview, versions and their history, publishing, search and
filters, who may open what, and query counts."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.models import Membership, Question, QuestionBank, QuestionVersion
from quizzes.services.banks import question_create, question_edit

from . import factories

# --- Fixtures and helpers -------------------------------------------------------------


@pytest.fixture
def organizer_client(client, organizer, group):
    """The ``organizer`` fixture logged in; ``group`` makes them a group organizer."""
    client.force_login(organizer)
    return client


@pytest.fixture
def bank(organizer):
    return factories.BankFactory(owner=organizer, title="Congress report bank")


@pytest.fixture
def key_point(bank):
    document = factories.DocumentFactory(bank=bank, title="Report to the congress")
    return factories.KeyPointFactory(document=document, ordinal=1, text="Adhere to the plan.")


def _single(stem="Which is the central task?", **kwargs) -> QuestionDraft:
    return QuestionDraft(
        kind="single",
        stem=stem,
        choices=(ChoiceDraft("Development", True), ChoiceDraft("Stagnation")),
        **kwargs,
    )


def _question(bank, draft=None, **kwargs) -> Question:
    return question_create(bank=bank, draft=draft or _single(), created_by=bank.owner, **kwargs)


def _create_url(bank, kind=None):
    url = reverse("quizzes:question_create", kwargs={"pk": bank.pk})
    return f"{url}?kind={kind}" if kind else url


def _edit_url(question):
    return reverse("quizzes:question_edit", kwargs={"pk": question.pk})


def _history_url(question):
    return reverse("quizzes:question_history", kwargs={"pk": question.pk})


def _questions_url(bank):
    return reverse("quizzes:bank_questions", kwargs={"pk": bank.pk})


def _form_data(kind="single", stem="Which is the central task?", **extra):
    data = {
        "action": "save",
        "kind": kind,
        "stem": stem,
        "explanation": "",
        "source_excerpt": "",
        "difficulty": "3",
        "key_point": "",
        "status": "draft",
    }
    data.update(extra)
    return data


def _choice_data(*choices):
    """Form fields for (text, correct) pairs, plus two spare empty rows."""
    data = {}
    rows = [*choices, ("", False), ("", False)]
    for n, (text, correct) in enumerate(rows, start=1):
        data[f"choice-{n}-text"] = text
        data[f"choice-{n}-feedback"] = ""
        if correct:
            data[f"choice-{n}-correct"] = "on"
    return data


def _edit_data_for(question):
    """The edit form exactly as the page renders it (a save of it changes nothing)."""
    version = question.current_version
    data = _form_data(
        kind=version.kind,
        stem=version.stem,
        explanation=version.explanation,
        source_excerpt=version.source_excerpt,
        difficulty=str(version.difficulty),
        status=question.status,
        key_point=str(question.key_point_id or ""),
    )
    for n, choice in enumerate(version.choices.all(), start=1):
        data[f"choice-{n}-text"] = choice.text
        data[f"choice-{n}-feedback"] = choice.feedback
        if choice.is_correct:
            data[f"choice-{n}-correct"] = "on"
    blanks: dict[int, list[str]] = {}
    for answer in version.blank_answers.all():
        blanks.setdefault(answer.blank, []).append(answer.text)
    for n, answers in blanks.items():
        data[f"blank-{n}"] = " | ".join(answers)
    return data


# --- Banks ----------------------------------------------------------------------------


def test_organizer_creates_a_bank_and_lands_on_its_page(organizer_client, organizer):
    response = organizer_client.post(
        reverse("quizzes:bank_create"),
        {"title": "Twentieth congress report", "description": "Line one\r\nLine two"},
    )

    bank = QuestionBank.objects.get(title="Twentieth congress report")
    assert bank.owner == organizer
    assert bank.description == "Line one\nLine two"
    assert response.status_code == 302
    assert response["Location"] == _questions_url(bank)


def test_bank_without_a_title_is_refused(organizer_client):
    response = organizer_client.post(reverse("quizzes:bank_create"), {"title": ""})

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not QuestionBank.objects.exists()


def test_owner_edits_bank_title_and_description(organizer_client, bank):
    response = organizer_client.post(
        reverse("quizzes:bank_edit", kwargs={"pk": bank.pk}),
        {"title": "Renamed bank", "description": "About the report."},
    )

    assert response.status_code == 302
    bank.refresh_from_db()
    assert (bank.title, bank.description) == ("Renamed bank", "About the report.")


def test_bank_list_shows_own_banks_with_counts_not_others(organizer_client, bank):
    _question(bank, status=Question.Status.PUBLISHED)
    _question(bank, _single("Another question?"))
    factories.BankFactory(title="Somebody else's bank")

    response = organizer_client.get(reverse("quizzes:bank_list"))

    html = response.content.decode()
    assert "Congress report bank" in html
    assert "2 questions" in html
    assert "1 published" in html
    assert "Somebody else" not in html


def test_header_links_to_banks_and_quizzes_for_organizers_only(client, organizer, learner, group):
    client.force_login(organizer)
    html = client.get(reverse("quizzes:home")).content.decode()
    assert f'href="{reverse("quizzes:bank_list")}"' in html
    assert f'href="{reverse("quizzes:quiz_list")}"' in html

    client.force_login(learner)
    html = client.get(reverse("quizzes:home")).content.decode()
    assert reverse("quizzes:bank_list") not in html


# --- The question editor: each kind ---------------------------------------------------


def test_single_choice_question_is_created_from_the_form(organizer_client, bank, key_point):
    data = _form_data(
        stem="What is the central task?",
        explanation="The report says so.",
        source_excerpt="Adhere to the plan.",
        difficulty="2",
        key_point=str(key_point.pk),
        **_choice_data(("Development", True), ("Stagnation", False), ("Retreat", False)),
    )

    response = organizer_client.post(_create_url(bank, "single"), data)

    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _edit_url(question)
    assert question.origin == Question.Origin.MANUAL
    assert question.key_point == key_point
    version = question.current_version
    assert (version.number, version.kind, version.difficulty) == (1, "single", 2)
    assert version.explanation == "The report says so."
    assert version.source_excerpt == "Adhere to the plan."
    assert [(c.text, c.is_correct) for c in version.choices.all()] == [
        ("Development", True),
        ("Stagnation", False),
        ("Retreat", False),
    ]


def test_multiple_choice_question_keeps_every_correct_choice(organizer_client, bank):
    data = _form_data(
        kind="multiple",
        stem="Which are tasks of the plan?",
        **_choice_data(("Innovation", True), ("Coordination", True), ("Isolation", False)),
    )

    organizer_client.post(_create_url(bank, "multiple"), data)

    version = QuestionVersion.objects.get()
    assert version.kind == "multiple"
    assert [c.is_correct for c in version.choices.all()] == [True, True, False]


def test_true_false_question_form_offers_true_and_false(organizer_client, bank):
    html = organizer_client.get(_create_url(bank, "true_false")).content.decode()
    assert 'value="True"' in html
    assert 'value="False"' in html

    data = _form_data(
        kind="true_false",
        stem="The plan covers five years.",
        **_choice_data(("True", True), ("False", False)),
    )
    organizer_client.post(_create_url(bank, "true_false"), data)

    version = QuestionVersion.objects.get()
    assert version.kind == "true_false"
    assert [(c.text, c.is_correct) for c in version.choices.all()] == [
        ("True", True),
        ("False", False),
    ]


def test_blank_question_keeps_alternatives_of_each_blank(organizer_client, bank):
    data = _form_data(
        kind="blank",
        stem="Promote ___ development through ___.",
        **{"blank-1": "high-quality | high quality｜高质量", "blank-2": "reform\nopening up"},
    )

    organizer_client.post(_create_url(bank, "blank"), data)

    version = QuestionVersion.objects.get()
    assert version.kind == "blank"
    assert [(a.blank, a.text) for a in version.blank_answers.all()] == [
        (1, "high-quality"),
        (1, "high quality"),
        (1, "高质量"),
        (2, "reform"),
        (2, "opening up"),
    ]
    assert not version.choices.exists()


def test_blank_form_has_one_answer_input_per_blank_of_the_stem(organizer_client, bank):
    question = _question(
        bank,
        QuestionDraft(kind="blank", stem="___ and ___ and ___", blanks=(("a",), ("b",), ("c",))),
    )

    html = organizer_client.get(_edit_url(question)).content.decode()

    assert 'name="blank-3"' in html
    assert 'name="blank-4"' not in html
    assert ">c</textarea>" in html


def test_kind_chooser_is_shown_when_no_kind_is_given(organizer_client, bank):
    response = organizer_client.get(_create_url(bank))

    assert response.templates[0].name == "quizzes/question_kind.html"
    assert f"{_create_url(bank)}?kind=blank" in response.content.decode()


def test_save_and_write_another_returns_to_an_empty_form_of_the_same_kind(organizer_client, bank):
    data = _form_data(
        kind="multiple",
        action="save_another",
        **_choice_data(("One", True), ("Two", True)),
    )

    response = organizer_client.post(_create_url(bank, "multiple"), data)

    assert response["Location"] == _create_url(bank, "multiple")
    assert Question.objects.count() == 1


# --- Invalid forms save nothing ---------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            _form_data(**_choice_data(("Development", True), ("Stagnation", True))),
            "A single-choice question needs exactly one correct choice.",
        ),
        (
            _form_data(kind="multiple", **_choice_data(("A", False), ("B", False))),
            "A multiple-choice question needs at least one correct choice.",
        ),
        (
            _form_data(**_choice_data(("Only one", True))),
            "A choice question needs at least two choices.",
        ),
        (
            _form_data(**_choice_data(("Same", True), ("same", False))),
            "Two choices have the same text.",
        ),
        (
            _form_data(kind="blank", stem="Promote ___ through ___.", **{"blank-1": "a"}),
            "The number of blanks (runs of ___ in the text) does not match the answers given.",
        ),
        (
            _form_data(kind="blank", stem="No blank here.", **{"blank-1": ""}),
            "A fill-in-the-blank question needs at least one blank.",
        ),
        (
            _form_data(
                kind="true_false",
                **_choice_data(("True", True), ("False", True)),
            ),
            "A true/false question needs exactly two choices, one of them correct.",
        ),
    ],
)
def test_invalid_question_saves_nothing_and_says_why(organizer_client, bank, data, reason):
    response = organizer_client.post(_create_url(bank, data["kind"]), data)

    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not Question.objects.exists()
    assert not QuestionVersion.objects.exists()


def test_question_without_text_is_refused_with_field_error(organizer_client, bank):
    data = _form_data(stem="", **_choice_data(("A", True), ("B", False)))

    response = organizer_client.post(_create_url(bank, "single"), data)

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Question.objects.exists()


def test_key_point_of_another_bank_is_refused(organizer_client, bank, organizer):
    other_bank = factories.BankFactory(owner=organizer)
    foreign = factories.KeyPointFactory(document=factories.DocumentFactory(bank=other_bank))
    data = _form_data(key_point=str(foreign.pk), **_choice_data(("A", True), ("B", False)))

    response = organizer_client.post(_create_url(bank, "single"), data)

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not Question.objects.exists()


# --- Preview --------------------------------------------------------------------------


def test_preview_without_javascript_renders_the_question_and_saves_nothing(organizer_client, bank):
    data = _form_data(
        kind="blank",
        stem="Promote ___ development.",
        action="preview",
        **{"blank-1": "high-quality"},
    )

    response = organizer_client.post(_create_url(bank, "blank"), data)

    assert response.status_code == 200
    html = response.content.decode()
    preview = html[html.index('id="question-preview"') :]
    assert 'class="preview__blank"' in preview
    assert 'aria-label="Blank 1"' in preview
    assert "Promote" in preview
    assert "Blank 1: high-quality" in preview
    assert "Nothing is saved until you press Save." in html
    assert not Question.objects.exists()


def test_preview_shows_choices_as_a_learner_sees_them_and_lists_problems(organizer_client, bank):
    data = _form_data(
        kind="multiple",
        action="preview",
        **_choice_data(("Innovation", False), ("Coordination", False)),
    )

    html = organizer_client.post(_create_url(bank, "multiple"), data).content.decode()

    preview = html[html.index('id="question-preview"') :]
    assert preview.count('type="checkbox" name="preview-choice" disabled') == 2
    assert "Innovation" in preview
    assert "A multiple-choice question needs at least one correct choice." in preview
    assert not Question.objects.exists()


def test_edit_page_previews_the_current_version(organizer_client, bank):
    question = _question(bank)

    html = organizer_client.get(_edit_url(question)).content.decode()

    preview = html[html.index('id="question-preview"') :]
    assert 'type="radio" name="preview-choice" disabled' in preview
    assert "Development" in preview
    assert "/static/js/question_editor.js" in html
    assert "/static/css/authoring.css" in html


def test_add_a_choice_without_javascript_adds_a_row(organizer_client, bank):
    data = _form_data(action="add_choice", **_choice_data(("A", True), ("B", False)))

    html = organizer_client.post(_create_url(bank, "single"), data).content.decode()

    # Two filled rows and two spare rows were posted: one more is offered.
    assert 'name="choice-5-text"' in html
    assert 'name="choice-6-text"' not in html
    assert not Question.objects.exists()


# --- Versions -------------------------------------------------------------------------


def test_editing_creates_version_two_and_history_shows_both(organizer_client, bank):
    question = _question(bank)
    data = _edit_data_for(question)
    data["stem"] = "Which is the central task of the new era?"
    data["choice-2-text"] = "Standing still"

    response = organizer_client.post(_edit_url(question), data)

    assert response.status_code == 302
    assert [v.number for v in question.versions.order_by("number")] == [1, 2]
    assert question.current_version.stem == "Which is the central task of the new era?"
    history = organizer_client.get(_history_url(question))
    html = history.content.decode()
    assert "Version 2" in html
    assert "Version 1" in html
    assert "Organizer Wang" in html
    # The changes from version 1 are highlighted word by word.
    assert '<span class="visually-hidden">[added] </span> of the new era</ins>?' in html
    assert '<span class="visually-hidden">[removed] </span>Stagnation' in html
    [newest, oldest] = history.context["entries"]
    assert newest.version.number == 2
    assert newest.changed_count == 2
    assert oldest.changed_count == 0


def test_saving_an_unchanged_form_adds_no_version(organizer_client, bank, key_point):
    question = _question(
        bank,
        _single(explanation="Line one\nLine two", source_excerpt="Adhere to the plan."),
        key_point=key_point,
    )
    data = _edit_data_for(question)
    # Browsers send textarea line breaks as CRLF.
    data["explanation"] = "Line one\r\nLine two"

    response = organizer_client.post(_edit_url(question), data, follow=True)

    assert question.versions.count() == 1
    assert "did not change, so no new version was made" in response.content.decode()


def test_changing_key_point_or_status_on_the_form_adds_no_version(
    organizer_client, bank, key_point
):
    question = _question(bank)
    data = _edit_data_for(question)
    data["key_point"] = str(key_point.pk)
    data["status"] = "published"

    organizer_client.post(_edit_url(question), data)

    question.refresh_from_db()
    assert question.key_point == key_point
    assert question.status == Question.Status.PUBLISHED
    assert question.versions.count() == 1


def test_invalid_edit_keeps_the_current_version(organizer_client, bank):
    question = _question(bank)
    data = _edit_data_for(question)
    data.pop("choice-1-correct")

    response = organizer_client.post(_edit_url(question), data)

    assert response.status_code == 200
    assert "A single-choice question needs exactly one correct choice." in (
        response.content.decode()
    )
    assert question.versions.count() == 1


def test_the_editor_has_one_save_button_and_a_check_that_says_it_does_not_save(
    organizer_client, bank
):
    html = organizer_client.get(_create_url(bank, "single")).content.decode()

    buttons = re.findall(r"<button[^>]*>.*?</button>", html, flags=re.S)
    saves = [b for b in buttons if 'value="save"' in b]
    assert len(saves) == 1 and "button--primary" in saves[0]
    assert "visually-hidden" not in saves[0] and 'aria-hidden="true"' not in saves[0]
    # Checking sits in the preview pane, after the save buttons, and says it does not save.
    aside = html[html.index('<aside class="editor__preview"') : html.index("</aside>")]
    [check] = [b for b in buttons if 'value="preview"' in b]
    assert check in aside and "Check without saving" in check
    assert "button--primary" not in check
    assert html.index(saves[0]) < html.index(check)
    actions = html[html.index('class="editor__actions') :]
    assert 'value="preview"' not in actions[: actions.index("<aside")]


def test_history_shows_choices_and_accepted_answers_of_each_version(organizer_client, bank):
    question = _question(
        bank, QuestionDraft(kind="blank", stem="Promote ___.", blanks=(("growth", "发展"),))
    )
    question_edit(
        question=question,
        draft=QuestionDraft(kind="blank", stem="Promote ___.", blanks=(("growth",),)),
        edited_by=bank.owner,
    )

    html = organizer_client.get(_history_url(question)).content.decode()

    assert "Blank 1: growth | 发展" in html
    assert "Accepted answers" in html


def test_history_in_chinese_translates_the_blanks_and_marks_changed_fields_as_changes(
    organizer_client, bank
):
    question = _question(
        bank, QuestionDraft(kind="blank", stem="推动___。", blanks=(("发展", "growth"),))
    )
    question_edit(
        question=question,
        draft=QuestionDraft(kind="blank", stem="推动___。", blanks=(("发展",),)),
        edited_by=bank.owner,
    )
    organizer_client.cookies["django_language"] = "zh-hans"

    html = organizer_client.get(_history_url(question)).content.decode()

    assert "第 1 空：发展 | growth" in html
    assert "Blank 1" not in html and "Choices (✓ correct)" not in html
    badges = re.findall(r'<span class="tag">([^<]+)</span>', html)
    assert badges and set(badges) == {"有改动"}  # a change, not a "modification time"
    assert "修改时间" not in html


# --- Status ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["published", "archived", "draft"])
def test_status_buttons_publish_archive_and_return_to_draft(organizer_client, bank, status):
    question = _question(bank, status=Question.Status.PUBLISHED if status == "draft" else "draft")

    response = organizer_client.post(
        reverse("quizzes:question_status", kwargs={"pk": question.pk}), {"status": status}
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == status
    assert question.versions.count() == 1


def test_edit_page_offers_the_other_statuses_as_post_buttons(organizer_client, bank):
    question = _question(bank)

    html = organizer_client.get(_edit_url(question)).content.decode()

    status_url = reverse("quizzes:question_status", kwargs={"pk": question.pk})
    assert html.count(f'<form method="post" action="{status_url}">') == 2
    assert 'value="published"><button type="submit" class="button button--primary">Publish' in html
    assert ">Archive</button>" in html
    assert ">Back to draft</button>" not in html


def test_unknown_status_changes_nothing(organizer_client, bank):
    question = _question(bank)

    organizer_client.post(
        reverse("quizzes:question_status", kwargs={"pk": question.pk}), {"status": "deleted"}
    )

    question.refresh_from_db()
    assert question.status == Question.Status.DRAFT


def test_status_cannot_be_changed_with_get(organizer_client, bank):
    question = _question(bank)

    response = organizer_client.get(
        reverse("quizzes:question_status", kwargs={"pk": question.pk}), {"status": "archived"}
    )

    assert response.status_code == 405
    question.refresh_from_db()
    assert question.status == Question.Status.DRAFT


# --- Search and filters -----------------------------------------------------------------


@pytest.fixture
def searchable(bank, key_point):
    """Four questions that differ in one way each from the first."""
    other_point = factories.KeyPointFactory(document=key_point.document, ordinal=2)
    return {
        "plain": _question(
            bank,
            _single("Which is the central task?", difficulty=2),
            key_point=key_point,
            status=Question.Status.PUBLISHED,
        ),
        "blank": _question(
            bank,
            QuestionDraft(kind="blank", stem="Promote ___ growth.", blanks=(("green",),)),
            key_point=key_point,
            status=Question.Status.PUBLISHED,
        ),
        "hard": _question(
            bank,
            _single("Which reform comes first?", difficulty=5),
            key_point=key_point,
            status=Question.Status.PUBLISHED,
        ),
        "other_point": _question(
            bank,
            _single("Which plan is meant?"),
            key_point=other_point,
            status=Question.Status.PUBLISHED,
        ),
        "draft": _question(bank, _single("Which draft is this?"), key_point=key_point),
    }


def _listed(client, bank, **params):
    response = client.get(_questions_url(bank), params)
    assert response.status_code == 200
    return {row.pk for row in response.context["page_obj"].object_list}


def test_search_matches_the_stem_of_the_current_version(organizer_client, bank, searchable):
    question_edit(
        question=searchable["plain"],
        draft=_single("Which is the main goal?"),
        edited_by=bank.owner,
    )

    assert _listed(organizer_client, bank, q="central task") == set()
    assert _listed(organizer_client, bank, q="MAIN goal") == {searchable["plain"].pk}


@pytest.mark.parametrize(
    ("param", "expected"),
    [
        ("kind", {"blank"}),
        ("difficulty", {"hard"}),
        ("status", {"draft"}),
        ("key_point", {"other_point"}),
    ],
)
def test_each_filter_narrows_the_question_list(
    organizer_client, bank, searchable, key_point, param, expected
):
    value = {
        "kind": "blank",
        "difficulty": "5",
        "status": "draft",
        "key_point": str(searchable["other_point"].key_point_id),
    }[param]

    listed = _listed(organizer_client, bank, **{param: value})

    assert listed == {searchable[name].pk for name in expected}


def test_filters_combine_and_bad_values_are_ignored(organizer_client, bank, searchable):
    listed = _listed(organizer_client, bank, kind="single", status="published", difficulty="x")

    assert listed == {searchable[n].pk for n in ("plain", "hard", "other_point")}


def test_pagination_keeps_the_filters(organizer_client, bank):
    for n in range(30):
        _question(bank, _single(f"Which task number {n}?"))
    _question(bank, QuestionDraft(kind="blank", stem="A ___.", blanks=(("b",),)))

    response = organizer_client.get(_questions_url(bank), {"kind": "single"})

    html = response.content.decode()
    assert response.context["page_obj"].paginator.count == 30
    assert 'href="?kind=single&amp;page=2"' in html


def test_bank_page_links_to_the_authoring_pages(organizer_client, bank):
    question = _question(bank)

    html = organizer_client.get(reverse("quizzes:bank_detail", kwargs={"pk": bank.pk})).content
    html = html.decode()

    assert _create_url(bank) in html
    assert _edit_url(question) in html
    assert reverse("quizzes:bank_edit", kwargs={"pk": bank.pk}) in html
    assert f'action="{_questions_url(bank)}"' in html


# --- Who may open what -----------------------------------------------------------------


def _bank_pages(bank, question):
    return {
        "bank list": reverse("quizzes:bank_list"),
        "bank create": reverse("quizzes:bank_create"),
        "bank edit": reverse("quizzes:bank_edit", kwargs={"pk": bank.pk}),
        "bank questions": _questions_url(bank),
        "question create": _create_url(bank, "single"),
        "question edit": _edit_url(question),
        "question history": _history_url(question),
    }


PAGES = [
    "bank list",
    "bank create",
    "bank edit",
    "bank questions",
    "question create",
    "question edit",
    "question history",
]
# Pages of one bank; the lists and the creation page are every organizer's own.
OBJECT_PAGES = PAGES[2:]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_log_in(client, bank, page):
    url = _bank_pages(bank, _question(bank))[page]

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")


@pytest.mark.parametrize("page", PAGES)
def test_learner_gets_404(client, learner, group, bank, page):
    url = _bank_pages(bank, _question(bank))[page]
    client.force_login(learner)

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", OBJECT_PAGES)
def test_organizer_of_another_bank_gets_404(client, bank, other_group, page):
    url = _bank_pages(bank, _question(bank))[page]
    client.force_login(factories.UserFactory(username="other-organizer"))

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_staff_can_open_every_page(client, superuser, bank, page):
    url = _bank_pages(bank, _question(bank))[page]
    client.force_login(superuser)

    assert client.get(url).status_code == 200


def test_other_organizer_cannot_post_to_a_bank_they_do_not_own(client, bank, other_group):
    question = _question(bank)
    client.force_login(factories.UserFactory(username="other-organizer"))

    responses = [
        client.post(
            _create_url(bank, "single"), _form_data(**_choice_data(("A", True), ("B", False)))
        ),
        client.post(_edit_url(question), _edit_data_for(question) | {"stem": "Hijacked?"}),
        client.post(
            reverse("quizzes:question_status", kwargs={"pk": question.pk}), {"status": "archived"}
        ),
        client.post(reverse("quizzes:bank_edit", kwargs={"pk": bank.pk}), {"title": "Mine now"}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    question.refresh_from_db()
    bank.refresh_from_db()
    assert question.status == Question.Status.DRAFT
    assert question.versions.count() == 1
    assert bank.title == "Congress report bank"


def test_bank_owner_without_a_group_is_an_organizer(client, bank):
    client.force_login(bank.owner)

    assert client.get(reverse("quizzes:bank_list")).status_code == 200


def test_member_of_a_group_becomes_organizer_when_given_the_role(client, learner, group):
    client.force_login(learner)
    assert client.get(reverse("quizzes:bank_list")).status_code == 404

    Membership.objects.filter(user=learner).update(role=Membership.Role.ORGANIZER)

    assert client.get(reverse("quizzes:bank_list")).status_code == 200


@pytest.mark.parametrize(
    "url_name", ["bank_create", "question_create", "question_edit", "question_status"]
)
def test_posts_without_a_csrf_token_are_refused(organizer, group, bank, url_name):
    question = _question(bank)
    kwargs = {
        "bank_create": {},
        "question_create": {"pk": bank.pk},
        "question_edit": {"pk": question.pk},
        "question_status": {"pk": question.pk},
    }[url_name]
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)

    response = client.post(reverse(f"quizzes:{url_name}", kwargs=kwargs), {"status": "archived"})

    assert response.status_code == 403
    question.refresh_from_db()
    assert question.status == Question.Status.DRAFT


def test_forms_carry_a_csrf_token(organizer_client, bank):
    question = _question(bank)

    html = organizer_client.get(_edit_url(question)).content.decode()

    forms = re.findall(r'<form[^>]*method="post"[^>]*>(.*?)</form>', html, flags=re.S)
    assert forms
    assert all("csrfmiddlewaretoken" in form for form in forms)


# --- Query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 20])
def test_bank_list_query_count_does_not_grow(
    organizer_client, organizer, size, django_assert_num_queries
):
    for _ in range(size):
        bank = factories.BankFactory(owner=organizer)
        factories.DocumentFactory(bank=bank)
        _question(bank)

    # 1 session, 2 user, 3 organizer check, 4 count, 5 banks with their counts.
    with django_assert_num_queries(5):
        response = organizer_client.get(reverse("quizzes:bank_list"))

    assert len(response.context["page_obj"].object_list) == size


@pytest.mark.parametrize("size", [2, 20])
def test_bank_question_list_query_count_does_not_grow(
    organizer_client, bank, key_point, size, django_assert_num_queries
):
    for n in range(size):
        _question(bank, _single(f"Which task {n}?"), key_point=key_point)

    # 1 session, 2 user, 3 bank, 4 key points for the filter, 5 count, 6 page of
    # questions with their current versions and key points, 7 documents.
    with django_assert_num_queries(7):
        response = organizer_client.get(_questions_url(bank), {"q": "task", "kind": "single"})

    assert len(response.context["page_obj"].object_list) == size


@pytest.mark.parametrize("size", [2, 12])
def test_history_query_count_does_not_grow(organizer_client, bank, size, django_assert_num_queries):
    question = _question(bank)
    for n in range(size):
        question_edit(question=question, draft=_single(f"Which task {n}?"), edited_by=bank.owner)

    # 1 session, 2 user, 3 question with bank, 4 versions with authors, 5 choices,
    # 6 accepted answers.
    with django_assert_num_queries(6):
        response = organizer_client.get(_history_url(question))

    assert len(response.context["entries"]) == size + 1
