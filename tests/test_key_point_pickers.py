"""Every key-point picker of the organizer's pages (question editor, random-draw rule,
add-questions filter, review queue) groups its points by document, named briefly, and
labels each point by its number and first words."""

import html

import pytest
from django.urls import reverse

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.forms.common import key_point_choices, shorten
from quizzes.models import Question
from quizzes.services.banks import question_create

from . import factories

LONG_TITLE = "习近平在中国共产党第二十次全国代表大会上的报告：高举中国特色社会主义伟大旗帜"
SHORT_TITLE = "Editorial"
LONG_POINT = (
    "We must adhere to the new development concept\nof innovation, coordination, green "
    "development, openness and sharing."
)


@pytest.fixture
def bank(organizer):
    return factories.BankFactory(owner=organizer, title="Congress study")


@pytest.fixture
def points(bank):
    long_document = factories.DocumentFactory(bank=bank, title=LONG_TITLE)
    short_document = factories.DocumentFactory(bank=bank, title=SHORT_TITLE)
    return [
        factories.KeyPointFactory(document=long_document, ordinal=12, text=LONG_POINT),
        factories.KeyPointFactory(document=short_document, ordinal=3, text="Build two bases."),
    ]


# The first 30 characters of the title, the first 40 of the passage.
LONG_GROUP = "习近平在中国共产党第二十次全国代表大会上的报告：高举中国特色…"
LONG_LABEL = "12. We must adhere to the new development co…"


def test_shorten_cuts_to_the_limit_on_one_line_with_an_ellipsis():
    assert shorten("short", 30) == "short"
    assert shorten("a\n b   c", 30) == "a b c"
    assert shorten("x" * 31, 30) == "x" * 30 + "…"
    assert shorten("word " * 10, 12) == "word word wo…"


def test_choices_group_points_by_document_named_briefly_with_numbered_first_words(points):
    empty, long_group, short_group = key_point_choices(points)
    assert empty == ("", "— none —")
    label, options = long_group
    assert label == LONG_GROUP
    assert options == [(str(points[0].pk), LONG_LABEL)]
    # Line breaks in the passage do not reach the label.
    assert "\n" not in options[0][1]
    assert short_group == (SHORT_TITLE, [(str(points[1].pk), "3. Build two bases.")])


def test_with_several_banks_the_group_names_the_bank_too(points, bank):
    _empty, long_group, _short = key_point_choices(
        points, bank_titles={bank.pk: "A very long bank title that goes on and on"}
    )
    assert long_group[0] == f"A very long bank title that go… · {LONG_GROUP}"


def _assert_picker(content: str, points) -> None:
    text = html.unescape(content)
    assert f'<optgroup label="{LONG_GROUP}">' in text
    assert f'<optgroup label="{SHORT_TITLE}">' in text
    assert f'<option value="{points[0].pk}">{LONG_LABEL}</option>' in text
    assert f'<option value="{points[1].pk}">3. Build two bases.</option>' in text


def test_the_question_editor_labels_its_key_points_briefly(client, organizer, bank, points):
    client.force_login(organizer)
    url = reverse("quizzes:question_create", kwargs={"pk": bank.pk})
    response = client.get(url, {"kind": "single"})
    _assert_picker(response.content.decode(), points)


def test_the_quiz_builders_pickers_label_key_points_briefly(client, organizer, group, bank, points):
    quiz = factories.QuizFactory(owner=organizer, title="Congress quiz")
    client.force_login(organizer)
    builder = client.get(reverse("quizzes:quiz_builder", kwargs={"pk": quiz.pk}))
    _assert_picker(builder.content.decode(), points)
    adding = client.get(reverse("quizzes:quiz_add_questions", kwargs={"pk": quiz.pk}))
    _assert_picker(adding.content.decode(), points)


def test_the_review_queue_labels_its_key_points_briefly(client, organizer, bank, points):
    for point in points:
        question_create(
            bank=bank,
            draft=QuestionDraft(
                kind="single",
                stem="Which?",
                choices=(ChoiceDraft("this", True), ChoiceDraft("that")),
            ),
            created_by=organizer,
            origin=Question.Origin.GENERATED,
            key_point=point,
        )
    client.force_login(organizer)
    response = client.get(reverse("quizzes:review_queue", kwargs={"pk": bank.pk}))
    content = response.content.decode()
    _assert_picker(content, points)
    # The document filter names documents too, cut where they are long.
    text = html.unescape(content)
    assert f'<option value="{points[1].document_id}">{SHORT_TITLE}</option>' in text
