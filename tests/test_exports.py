"""Exporting a bank or a quiz: every format and kind round-trips through export and import
(equal questions, within what each format holds), left-out counts, file names, the pages
and who may use them."""

from __future__ import annotations

import io
from dataclasses import replace
from urllib.parse import quote

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.exports.questions import EXPORT_FORMATS, download_filename, export_file
from quizzes.models import Question, QuestionVersion
from quizzes.selectors.exports import bank_export_items, quiz_export_items
from quizzes.services.banks import question_create, question_edit, question_set_status
from quizzes.services.imports import import_confirm, import_upload
from quizzes.services.quizzes import quiz_add_question, quiz_add_rule, quiz_create

from . import factories
from .test_imports import drafts_of

pytestmark = pytest.mark.django_db

SOURCE = [
    QuestionDraft(
        "single",
        "Which planet is known as the Red Planet?",
        choices=(
            ChoiceDraft("Venus", feedback="Venus is yellowish."),
            ChoiceDraft("Mars", True, feedback="Yes: iron oxide."),
            ChoiceDraft("Jupiter"),
        ),
        explanation="Iron oxide makes it red.",
        difficulty=4,
    ),
    QuestionDraft(
        "single",
        "中国共产党的根本宗旨是什么？",
        choices=(ChoiceDraft("实事求是"), ChoiceDraft("全心全意为人民服务", True)),
        explanation="党章总纲。",
    ),
    QuestionDraft(
        "multiple",
        "新发展理念包括哪些？",
        choices=(
            ChoiceDraft("创新", True),
            ChoiceDraft("协调", True),
            ChoiceDraft("速度"),
            ChoiceDraft("绿色", True),
        ),
        difficulty=2,
    ),
    QuestionDraft(
        "true_false",
        "中国式现代化是人口规模巨大的现代化。",
        choices=(ChoiceDraft("正确", True), ChoiceDraft("错误")),
        explanation="报告原文。",
    ),
    QuestionDraft(
        "true_false",
        "Water boils at 50 °C at sea level.",
        choices=(ChoiceDraft("True"), ChoiceDraft("False", True)),
        difficulty=1,
    ),
    QuestionDraft("blank", "The capital of France is ____.", blanks=(("Paris", "paris"),)),
    QuestionDraft(
        "blank",
        "坚持____发展、____发展。",
        blanks=(("创新",), ("协调", "协调发展")),
        difficulty=5,
    ),
]
SINGLE_BLANK = {"gift", "xml"}


def expected(fmt: str, draft: QuestionDraft) -> QuestionDraft | None:
    """What importing ``draft`` back from ``fmt`` gives, or None when it is left out."""
    if fmt == "aiken":
        if draft.kind != "single":
            return None
        draft = replace(draft, explanation="")
    if fmt in SINGLE_BLANK and draft.kind == "blank" and len(draft.blanks) > 1:
        return None
    if fmt not in ("xlsx", "csv"):
        draft = replace(draft, difficulty=3)  # only the sheet holds difficulty
    if fmt in ("xlsx", "csv", "aiken", "txt"):  # no per-choice feedback
        draft = replace(draft, choices=tuple(replace(c, feedback="") for c in draft.choices))
    # True/false keeps its labels in every format: each reads back the labels of the
    # stem's language, which the sources use.
    return draft


@pytest.fixture
def bank(organizer):
    bank = factories.BankFactory(owner=organizer, title="党的二十大 学习题库")
    for draft in SOURCE:
        question_create(
            bank=bank, draft=draft, created_by=organizer, status=Question.Status.PUBLISHED
        )
    archived = question_create(
        bank=bank,
        draft=QuestionDraft(
            "single", "Archived?", choices=(ChoiceDraft("a", True), ChoiceDraft("b"))
        ),
        created_by=organizer,
    )
    question_set_status(question=archived, status=Question.Status.ARCHIVED)
    return bank


def reimport(organizer, exported, fmt: str):
    target = factories.BankFactory(owner=organizer)
    batch = import_upload(
        bank=target,
        uploaded_by=organizer,
        data=exported.content,
        filename=exported.filename,
    )
    assert batch.format == fmt
    outcome = import_confirm(batch=batch, confirmed_by=organizer, publish=False)
    assert outcome.skipped == 0
    return target


def by_stem(drafts):
    return sorted(drafts, key=lambda d: d.stem)


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
def test_every_format_and_kind_round_trips_through_the_database(organizer, bank, fmt):
    items = bank_export_items(bank=bank)
    assert len(items) == len(SOURCE)  # the archived question is not exported
    exported = export_file(items=items, fmt=fmt, title=bank.title)
    wanted = [expected(fmt, d) for d in SOURCE]
    assert exported.exported == sum(1 for d in wanted if d is not None)
    assert exported.left_out == sum(1 for d in wanted if d is None)
    target = reimport(organizer, exported, fmt)
    assert by_stem(drafts_of(target)) == by_stem(d for d in wanted if d is not None)


def test_aiken_says_how_many_were_left_out(organizer, bank):
    exported = export_file(items=bank_export_items(bank=bank), fmt="aiken", title="x")
    assert (exported.exported, exported.left_out) == (2, 5)
    assert exported.content.decode().count("ANSWER:") == 2


def test_the_sheet_keeps_the_key_point_and_links_it_again_in_the_same_bank(organizer):
    bank = factories.BankFactory(owner=organizer)
    point = factories.KeyPointFactory(document__bank=bank, text="坚持人民至上。")
    question_create(bank=bank, draft=SOURCE[1], created_by=organizer, key_point=point)
    exported = export_file(items=bank_export_items(bank=bank), fmt="xlsx", title="t")
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).worksheets[0]
    assert sheet["N2"].value == "坚持人民至上。"
    # Into the same bank (a copy of its questions): linked to the key point again.
    question_set_status(question=Question.objects.get(), status=Question.Status.ARCHIVED)
    batch = import_upload(
        bank=bank, uploaded_by=organizer, data=exported.content, filename="t.xlsx"
    )
    import_confirm(batch=batch, confirmed_by=organizer, publish=False)
    assert Question.objects.filter(bank=bank, key_point=point).count() == 2


def test_exports_neutralise_formulas_in_sheets(organizer):
    bank = factories.BankFactory(owner=organizer)
    question_create(
        bank=bank,
        draft=QuestionDraft(
            "single",
            "=cmd|' /C calc'!A0",
            choices=(ChoiceDraft("@SUM(1)", True), ChoiceDraft("+1")),
        ),
        created_by=organizer,
    )
    items = bank_export_items(bank=bank)
    csv_text = export_file(items=items, fmt="csv", title="t").content.decode("utf-8-sig")
    assert "\"'=cmd|' /C calc'!A0\"" in csv_text or "'=cmd" in csv_text
    assert ",'@SUM(1)," in csv_text and ",'+1," in csv_text
    workbook = export_file(items=items, fmt="xlsx", title="t").content
    cell = openpyxl.load_workbook(io.BytesIO(workbook)).worksheets[0]["B2"]
    assert cell.data_type == "s" and cell.value == "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("extra", [5, 25])
def test_bank_export_reads_in_a_constant_number_of_queries(organizer, extra):
    """choices + accepted answers + versions with their key points = 3, at both sizes."""
    bank = factories.BankFactory(owner=organizer)
    for n in range(extra):
        draft = SOURCE[n % len(SOURCE)]
        question_create(
            bank=bank, draft=replace(draft, stem=f"{n} {draft.stem}"), created_by=organizer
        )
    with CaptureQueriesContext(connection) as queries:
        items = bank_export_items(bank=bank)
    assert len(items) == extra
    assert len(queries) == 3


def test_a_bank_exports_the_current_version(organizer):
    bank = factories.BankFactory(owner=organizer)
    question = question_create(bank=bank, draft=SOURCE[0], created_by=organizer)
    question_edit(question=question, draft=replace(SOURCE[0], stem="Edited?"), edited_by=organizer)
    assert [item.draft.stem for item in bank_export_items(bank=bank)] == ["Edited?"]


def test_a_quiz_exports_its_fixed_slots_in_order_and_counts_rules(organizer, bank):
    quiz = quiz_create(owner=organizer, title="周测")
    questions = list(Question.objects.filter(bank=bank).order_by("pk"))
    first_version = questions[2].versions.get()
    question_edit(
        question=questions[2], draft=replace(SOURCE[2], stem="Edited"), edited_by=organizer
    )
    quiz_add_question(quiz=quiz, question=questions[3])
    quiz_add_rule(quiz=quiz, bank=bank, draw_count=2)
    quiz_add_question(quiz=quiz, question=questions[2], pinned_version=first_version)
    quiz_add_question(quiz=quiz, question=questions[0])
    items, rules = quiz_export_items(quiz=quiz)
    assert rules == 1
    assert [item.draft.stem for item in items] == [
        SOURCE[3].stem,
        SOURCE[2].stem,  # the pinned version, not the edit
        SOURCE[0].stem,
    ]


def test_download_file_names_keep_chinese_titles():
    assert download_filename("党的二十大 学习题库", "gift.txt") == "党的二十大 学习题库.gift.txt"
    assert download_filename('a/b:c*?"<>|\x00d', "xml") == "a b c d.xml"
    assert download_filename("  ..  ", "txt") == "questions.txt"


# --- the pages -----------------------------------------------------------------------------------


def test_the_bank_page_links_to_import_and_export(client, organizer, bank):
    client.force_login(organizer)
    page = client.get(bank.get_absolute_url()).content.decode()
    assert reverse("quizzes:import_upload", args=[bank.pk]) in page
    assert reverse("quizzes:bank_export", args=[bank.pk]) in page


def test_export_page_says_what_each_format_leaves_out(client, organizer, bank):
    client.force_login(organizer)
    page = client.get(reverse("quizzes:bank_export", args=[bank.pk])).content.decode()
    assert "7 questions to export" in page
    assert "5 left out" in page  # Aiken
    assert "This format holds only single-choice questions. (5 questions)" in page
    # GIFT and Moodle XML leave out the question with two blanks, and say so.
    assert page.count("It has several blanks; this format holds one blank per question.") == 2
    assert reverse("quizzes:bank_export_download", args=[bank.pk, "gift"]) in page


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
def test_downloads_have_proper_names_and_types(client, organizer, bank, fmt):
    client.force_login(organizer)
    response = client.get(reverse("quizzes:bank_export_download", args=[bank.pk, fmt]))
    assert response.status_code == 200
    spec = EXPORT_FORMATS[fmt]
    assert response["Content-Type"] == spec.content_type
    expected_name = quote(f"党的二十大 学习题库.{spec.extension}")
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{expected_name}"
    assert int(response["X-Questions-Exported"]) + int(response["X-Questions-Left-Out"]) == 7


def test_an_unknown_export_format_is_404(client, organizer, bank):
    client.force_login(organizer)
    assert (
        client.get(reverse("quizzes:bank_export_download", args=[bank.pk, "docx"])).status_code
        == 404
    )


def test_quiz_export_from_the_builder(client, organizer, bank):
    quiz = quiz_create(owner=organizer, title="Weekly check")
    quiz_add_question(quiz=quiz, question=Question.objects.filter(bank=bank).first())
    quiz_add_rule(quiz=quiz, bank=bank, draw_count=1)
    client.force_login(organizer)
    builder = client.get(reverse("quizzes:quiz_builder", args=[quiz.pk])).content.decode()
    assert reverse("quizzes:quiz_export", args=[quiz.pk]) in builder
    page = client.get(reverse("quizzes:quiz_export", args=[quiz.pk])).content.decode()
    assert "1 random-draw rule of this quiz is not exported" in page
    response = client.get(reverse("quizzes:quiz_export_download", args=[quiz.pk, "xml"]))
    assert response["Content-Disposition"] == 'attachment; filename="Weekly check.xml"'
    assert response.content.count(b'<question type="multichoice">') == 1


@pytest.mark.parametrize("who", ["anonymous", "other_organizer", "learner"])
def test_only_the_owner_and_staff_may_export(client, organizer, learner, bank, who):
    quiz = quiz_create(owner=organizer, title="Mine")
    urls = [
        reverse("quizzes:bank_export", args=[bank.pk]),
        reverse("quizzes:bank_export_download", args=[bank.pk, "gift"]),
        reverse("quizzes:quiz_export", args=[quiz.pk]),
        reverse("quizzes:quiz_export_download", args=[quiz.pk, "xlsx"]),
    ]
    if who == "learner":
        client.force_login(learner)
    elif who == "other_organizer":
        other = factories.UserFactory(username="other")
        factories.BankFactory(owner=other)
        client.force_login(other)
    for url in urls:
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 404


def test_staff_may_export_any_bank(client, superuser, bank):
    client.force_login(superuser)
    response = client.get(reverse("quizzes:bank_export_download", args=[bank.pk, "txt"]))
    assert response.status_code == 200
    assert "一、单选题" in response.content.decode()
    assert QuestionVersion.objects.filter(question__bank=bank).count() == 8  # nothing written
