"""Importing question files into a bank: upload → preview → import in one transaction, or
cancel; refused files; the same file twice; a double click; access rules."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from unittest import mock

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.models import ImportBatch, Question, QuestionVersion
from quizzes.services import banks as bank_services
from quizzes.services import imports as import_services
from quizzes.services.banks import question_create
from quizzes.services.imports import (
    ImportRefused,
    import_cancel,
    import_confirm,
    import_preview,
    import_upload,
)
from quizzes.versions import version_to_draft

from . import factories

pytestmark = pytest.mark.django_db

# Four good questions and, at line 9, one with unbalanced braces.
GIFT = """\
// A small bank
::Capital::What is the capital of France? {=Paris ~London ~Berlin}

Two plus two equals four. {T}

::Primes:: Which are prime? {~%50%2 ~%50%3 ~%-100%4}

Broken question {=yes ~no

The capital of Italy is {=Rome =Roma} .
"""

CHINESE = """\
一、单选题
1. 中国共产党的根本宗旨是（ ）。
A. 实事求是  B. 全心全意为人民服务
答案：B
2. 没有答案的题目
A. 甲
B. 乙
二、判断题
1. 中国式现代化是人口规模巨大的现代化。
答案：对
"""


def sheet(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


HEADER = ["题型", "题干", "选项A", "选项B", "答案", "知识点"]


@pytest.fixture
def bank(organizer):
    return factories.BankFactory(owner=organizer, title="Imported bank")


def upload(bank, data: bytes | str, filename: str = "bank.gift", chosen: str | None = None):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return import_upload(
        bank=bank, uploaded_by=bank.owner, data=data, filename=filename, chosen_format=chosen
    )


def drafts_of(bank) -> list[QuestionDraft]:
    versions = (
        QuestionVersion.objects.filter(question__bank=bank)
        .prefetch_related("choices", "blank_answers")
        .order_by("question_id")
    )
    return [version_to_draft(v) for v in versions]


# --- upload and preview ----------------------------------------------------------------------


def test_upload_keeps_a_pending_batch_and_the_preview_lists_every_question(bank, organizer):
    batch = upload(bank, GIFT)
    assert batch.state == ImportBatch.State.PENDING
    assert batch.format == "gift"
    assert bytes(batch.data) == GIFT.encode()
    assert len(batch.checksum) == 64
    assert not Question.objects.filter(bank=bank).exists()

    preview = import_preview(batch=batch)
    assert [(row.line, row.status) for row in preview.rows] == [
        (2, "ok"),
        (4, "ok"),
        (6, "ok"),
        (8, "error"),
        (10, "ok"),
    ]
    error = preview.rows[3]
    assert error.draft is None
    assert error.issues[0].code == "unbalanced_braces"
    assert "braces" in error.issues[0].message
    assert preview.count("ok") == 4 and preview.skipped == 1
    assert len(preview.importable) == 4


def test_confirm_saves_the_good_questions_in_one_go_and_marks_the_batch(bank, organizer):
    batch = upload(bank, GIFT)
    outcome = import_confirm(batch=batch, confirmed_by=organizer, publish=False)
    assert (outcome.imported, outcome.skipped, outcome.already_done) == (4, 1, False)
    questions = Question.objects.filter(bank=bank)
    assert questions.count() == 4
    assert set(questions.values_list("origin", "status", "import_batch_id")) == {
        ("imported", "draft", batch.pk)
    }
    for question in questions:
        assert abs(question.created_at - timezone.now()) < timedelta(minutes=5)
        assert question.updated_at == question.created_at
        assert question.created_by == organizer
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.IMPORTED
    assert batch.question_count == 4
    assert bytes(batch.data) == b""
    assert batch.finished_at is not None
    drafts = drafts_of(bank)
    assert drafts[0] == QuestionDraft(
        "single",
        "What is the capital of France?",
        choices=(ChoiceDraft("Paris", True), ChoiceDraft("London"), ChoiceDraft("Berlin")),
    )
    assert drafts[1].kind == "true_false"
    assert drafts[2].kind == "multiple"
    assert drafts[3] == QuestionDraft(
        "blank", "The capital of Italy is ____ .", blanks=(("Rome", "Roma"),)
    )


def test_confirm_can_publish(bank, organizer):
    batch = upload(bank, GIFT)
    import_confirm(batch=batch, confirmed_by=organizer, publish=True)
    assert set(Question.objects.filter(bank=bank).values_list("status", flat=True)) == {"published"}


def test_imported_questions_equal_those_question_create_would_store(bank, organizer):
    """The bulk path stores exactly what the one-by-one service stores."""
    draft = QuestionDraft(
        "blank", "  A ____ b ____  ", blanks=((" x ", "x", "y"), ("z",)), explanation=" e "
    )
    text = "题型,题干,答案,解析\n填空,A ____ b ____,x|x|y；z,e\n"
    import_confirm(batch=upload(bank, text, "q.csv"), confirmed_by=organizer, publish=False)
    other = factories.BankFactory(owner=organizer)
    question_create(bank=other, draft=draft, created_by=organizer)
    assert drafts_of(bank) == drafts_of(other)


def test_confirm_is_one_transaction(bank, organizer):
    batch = upload(bank, GIFT)
    real_insert = bank_services._insert

    def insert(model, *args, **kwargs):
        if model.__name__ == "BlankAnswer":  # the last insert: the others are done
            raise RuntimeError("disk full")
        return real_insert(model, *args, **kwargs)

    with (
        mock.patch.object(bank_services, "_insert", side_effect=insert),
        pytest.raises(RuntimeError),
    ):
        import_confirm(batch=batch, confirmed_by=organizer, publish=False)
    assert not Question.objects.filter(bank=bank).exists()
    assert not QuestionVersion.objects.filter(question__bank=bank).exists()
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.PENDING


def test_confirm_twice_imports_once(bank, organizer):
    batch = upload(bank, GIFT)
    first = import_confirm(batch=batch, confirmed_by=organizer, publish=False)
    second = import_confirm(batch=batch, confirmed_by=organizer, publish=False)
    assert first.imported == 4 and not first.already_done
    assert second.already_done and second.imported == 4
    assert Question.objects.filter(bank=bank).count() == 4


def test_inserts_span_several_statements_and_return_ids_in_row_order(bank, organizer):
    from quizzes.models import Choice

    question = question_create(
        bank=bank,
        draft=QuestionDraft("single", "Q?", choices=(ChoiceDraft("a", True), ChoiceDraft("b"))),
        created_by=organizer,
    )
    version = question.versions.get()
    rows = [(version.pk, n, f"choice {n}", n % 2 == 0, "") for n in range(3, 5104)]
    columns = ("version_id", "ordinal", "text", "is_correct", "feedback")
    ids = bank_services._insert(Choice, columns, rows, returning=True)
    assert len(ids) == len(rows) == len(set(ids))
    stored = dict(Choice.objects.filter(pk__in=ids).values_list("pk", "ordinal"))
    assert [stored[pk] for pk in ids] == [row[1] for row in rows]
    correct = 1 + sum(1 for row in rows if row[3])
    assert Choice.objects.filter(version=version, is_correct=True).count() == correct


@pytest.mark.parametrize("size", [10, 40])
def test_confirm_runs_a_constant_number_of_queries(bank, organizer, size):
    """Bulk inserts: the count does not grow with the number of questions.

    read the batch, savepoint, lock the batch, earlier import?, key points, stems in the
    bank, insert questions, versions, choices (no blanks here), update the batch, release
    = 11 at both sizes."""
    text = "\n\n".join(f"Q{n}? {{=a{n} ~b{n}}}" for n in range(size))
    batch = upload(bank, text)
    with CaptureQueriesContext(connection) as queries:
        import_confirm(batch=batch, confirmed_by=organizer, publish=False)
    assert Question.objects.filter(bank=bank).count() == size
    assert len(queries) == 11, [q["sql"][:80] for q in queries]


def test_cancel_deletes_the_pending_batch_and_writes_nothing(bank):
    batch = upload(bank, GIFT)
    assert import_cancel(batch=batch) is True
    assert not ImportBatch.objects.filter(pk=batch.pk).exists()
    assert not Question.objects.exists()
    assert import_cancel(batch=batch) is False
    with pytest.raises(ImportRefused) as refused:
        import_confirm(batch=batch, confirmed_by=bank.owner, publish=False)
    assert refused.value.code == "not_pending"
    assert not Question.objects.exists()


def test_uploading_a_pending_file_again_reuses_its_batch(bank):
    first = upload(bank, GIFT)
    second = upload(bank, GIFT, "again.txt")
    assert first.pk == second.pk
    assert ImportBatch.objects.count() == 1
    assert second.filename == "again.txt"


def test_the_reading_is_cached_between_upload_preview_and_confirm(bank, organizer):
    batch = upload(bank, GIFT)
    with mock.patch.object(import_services, "read_upload", side_effect=AssertionError("read")):
        assert len(import_preview(batch=batch).importable) == 4
        assert import_confirm(batch=batch, confirmed_by=organizer, publish=False).imported == 4


def test_a_cache_outage_costs_only_a_second_reading(bank, organizer):
    with (
        mock.patch.object(import_services.cache, "get", side_effect=ConnectionError),
        mock.patch.object(import_services.cache, "set", side_effect=ConnectionError),
    ):
        batch = upload(bank, GIFT + "\n\nAn extra one? {=yes ~no}\n")
        assert import_confirm(batch=batch, confirmed_by=organizer, publish=False).imported == 5


def test_the_cached_reading_is_the_reading():
    from quizzes.formats import read_upload

    weights = b"Weights? {~%50%a ~%40%b ~c}"  # a warning attached to the question
    for data, name in ((GIFT.encode(), "a.gift"), (CHINESE.encode(), "b.txt"), (weights, "c.gift")):
        _fmt, result = read_upload(data, name)
        assert import_services._unpack(import_services._pack(result)) == result


# --- the same file twice -----------------------------------------------------------------------


def test_the_same_file_twice_is_refused_at_upload_with_the_first_date(bank, organizer):
    import_confirm(batch=upload(bank, GIFT), confirmed_by=organizer, publish=False)
    with pytest.raises(ImportRefused) as refused:
        upload(bank, GIFT, "renamed.gift")
    assert refused.value.code == "already_imported"
    first = ImportBatch.objects.get(state="imported")
    assert str(first.finished_at.astimezone().year) in str(refused.value)
    assert Question.objects.count() == 4
    assert ImportBatch.objects.count() == 1
    # Another bank may import the same file.
    other = factories.BankFactory(owner=organizer)
    import_confirm(batch=upload(other, GIFT), confirmed_by=organizer, publish=False)
    assert Question.objects.filter(bank=other).count() == 4


def copy_of(batch: ImportBatch) -> ImportBatch:
    """Another pending batch of the same file in the same bank, as a second upload made
    before the first was imported would leave."""
    return ImportBatch.objects.create(
        bank=batch.bank,
        filename="copy.gift",
        format=batch.format,
        checksum=batch.checksum,
        data=bytes(batch.data),
        created_by=batch.created_by,
    )


def test_a_second_batch_of_the_same_file_racing_past_the_upload_check_is_refused(bank, organizer):
    first = upload(bank, GIFT)
    second = copy_of(first)  # uploaded at the same instant: both passed the upload check
    import_confirm(batch=first, confirmed_by=organizer, publish=False)
    with pytest.raises(ImportRefused) as refused:
        import_confirm(batch=second, confirmed_by=organizer, publish=False)
    assert refused.value.code == "already_imported"
    assert Question.objects.filter(bank=bank).count() == 4
    second.refresh_from_db()
    assert second.state == ImportBatch.State.PENDING


def test_the_database_refuses_a_second_imported_batch_of_a_file(bank, organizer):
    """The race the check above cannot see: the partial unique index decides."""
    first = upload(bank, GIFT)
    second = copy_of(first)
    import_confirm(batch=first, confirmed_by=organizer, publish=False)
    with (
        mock.patch.object(import_services, "_earlier_import", side_effect=[None, first]),
        pytest.raises(ImportRefused) as refused,
    ):
        import_confirm(batch=second, confirmed_by=organizer, publish=False)
    assert refused.value.code == "already_imported"
    assert Question.objects.filter(bank=bank).count() == 4  # the second's rows rolled back


# --- refused files: a clear message and nothing saved ---------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"", "empty.gift", "empty"),
        (b"   \n\n", "blank.txt", "empty"),
        (b"Q? {=a ~b}", "bank.docx", "unsupported_type"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "photo.gift", "wrong_type"),
        (b"%PDF-1.7 junk", "bank.txt", "wrong_type"),
        ("题干,答案\n问题,甲\n".encode("utf-16-le"), "bank.csv", "bad_encoding"),
        (b"\x81\x30\xff\xfe" * 40, "bank.txt", "bad_encoding"),
    ],
)
def test_unreadable_files_are_refused_and_nothing_is_saved(bank, data, filename, code):
    with pytest.raises(ImportRefused) as refused:
        upload(bank, data, filename)
    assert refused.value.code in (code, "wrong_type")
    assert str(refused.value)
    assert not ImportBatch.objects.exists()


def test_a_file_over_the_size_limit_is_refused(bank, settings):
    settings.STUDYAPP_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ImportRefused) as refused:
        upload(bank, GIFT)
    assert refused.value.code == "too_large"
    assert not ImportBatch.objects.exists()


def test_a_sheet_with_missing_columns_is_refused_with_the_columns_and_row(bank):
    data = sheet([["题型", "选项A", "选项B"], ["单选", "a", "b"]])
    with pytest.raises(ImportRefused) as refused:
        upload(bank, data, "bank.xlsx")
    assert refused.value.code == "no_questions"
    [row] = refused.value.rows
    assert row.line == 1 and row.status == "error"
    assert row.issues[0].code == "missing_columns"
    assert "题干" in row.issues[0].message and "答案" in row.issues[0].message
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (["单选", "Q?", "a", "b", ""], "empty_answers"),
        (["问答", "Q?", "", "", "x"], "unknown_kind"),
    ],
)
def test_a_sheet_whose_only_row_is_bad_is_refused_with_the_row(bank, row, code):
    with pytest.raises(ImportRefused) as refused:
        upload(bank, sheet([HEADER[:5], row]), "bank.xlsx")
    assert [(r.line, r.issues[0].code) for r in refused.value.rows] == [(2, code)]
    assert not ImportBatch.objects.exists() and not Question.objects.exists()


def test_a_bad_row_among_good_ones_is_shown_and_skipped(bank, organizer):
    data = sheet(
        [
            HEADER[:5],
            ["单选", "Good?", "a", "b", "A"],
            ["问答", "Essay", "", "", "x"],
            ["判断", "Yes?", "", "", "T"],
        ]
    )
    batch = upload(bank, data, "bank.xlsx")
    preview = import_preview(batch=batch)
    assert [(r.line, r.status) for r in preview.rows] == [(2, "ok"), (3, "error"), (4, "ok")]
    assert preview.rows[1].issues[0].code == "unknown_kind"
    outcome = import_confirm(batch=batch, confirmed_by=organizer, publish=False)
    assert (outcome.imported, outcome.skipped) == (2, 1)


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<quiz><question type='truefalse'><questiontext><text>&x;</text></questiontext>"
        b"</question></quiz>",
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        b"]><quiz>&c;</quiz>",
    ],
)
def test_unsafe_xml_is_refused_without_saving(bank, xml):
    with pytest.raises(ImportRefused) as refused:
        upload(bank, xml, "moodle.xml")
    assert refused.value.rows[0].issues[0].code == "unsafe_xml"
    assert not ImportBatch.objects.exists()


DOCTYPE = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def _with_doctype(workbook: bytes, part: str) -> bytes:
    """The workbook with a DTD declaring an external entity in front of one XML part."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, DOCTYPE + content if info.filename == part else content)
    return out.getvalue()


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/styles.xml"])
def test_a_workbook_declaring_an_entity_is_refused_saying_so(bank, part):
    data = _with_doctype(sheet([HEADER[:5], ["单选", "Q?", "a", "b", "A"]]), part)

    with pytest.raises(ImportRefused) as refused:
        upload(bank, data, "bank.xlsx")

    [issue] = refused.value.rows[0].issues
    assert issue.code == "unsafe_xml"
    assert "declares a DTD, entities" in issue.message
    assert "could not be opened" not in issue.message
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("data", "filename", "code", "line"),
    [
        (
            GIFT.rstrip().encode() + "题".encode()[:2],
            "bank.gift",
            "truncated_utf8",
            GIFT.rstrip().count("\n") + 1,
        ),
        ("题型,题干,选项A,选项B,答案\n单选,Q".encode() + b"\xff", "bank.csv", "broken_utf8", 2),
    ],
)
def test_damaged_utf8_is_refused_naming_its_line_not_imported_as_gb18030(
    bank, data, filename, code, line
):
    with pytest.raises(ImportRefused) as refused:
        upload(bank, data, filename)

    if refused.value.code == "no_questions":  # a sheet: the issue is on its row
        [issue] = refused.value.rows[0].issues
        assert (issue.code, refused.value.rows[0].line) == (code, line)
    else:
        assert refused.value.code == code
        assert f"line {line}" in str(refused.value)
    assert not ImportBatch.objects.exists() and not Question.objects.exists()


def test_a_gb18030_csv_is_read_correctly(bank, organizer):
    text = (
        "题型,题干,选项A,选项B,答案\n单选,中国共产党的根本宗旨是？,实事求是,全心全意为人民服务,B\n"
    )
    batch = upload(bank, text.encode("gb18030"), "题库.csv")
    import_confirm(batch=batch, confirmed_by=organizer, publish=False)
    [draft] = drafts_of(bank)
    assert draft.stem == "中国共产党的根本宗旨是？"
    assert draft.choices[1] == ChoiceDraft("全心全意为人民服务", True)


def test_chinese_text_with_a_missing_answer(bank, organizer):
    batch = upload(bank, CHINESE.encode("gb18030"), "题库.txt")
    assert batch.format == "txt"
    preview = import_preview(batch=batch)
    assert [(r.line, r.status) for r in preview.rows] == [(2, "ok"), (5, "error"), (9, "ok")]
    assert preview.rows[1].issues[0].code == "missing_answer"


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (GIFT, "gift"),
        ("Q?\nA. a\nB. b\nANSWER: B\n", "aiken"),
        (CHINESE, "txt"),
    ],
)
def test_a_txt_file_format_is_detected_from_its_content(bank, text, fmt):
    assert upload(bank, text, "questions.txt").format == fmt


def test_a_chosen_format_overrides_detection(bank):
    text = "Q?\nA. a\nB. b\nANSWER: B\n"
    assert upload(bank, text, "questions.dat", chosen="aiken").format == "aiken"


def test_notes_go_to_their_question_or_stand_alone(bank):
    text = "1. 天是蓝的。\n答案：对\n这一行是多余的\n2. 草是绿的。\n答案：对\n"
    preview = import_preview(batch=upload(bank, text.encode(), "题库.txt"))
    assert [(r.line, r.status, [i.code for i in r.issues]) for r in preview.rows] == [
        (1, "warning", ["ignored_line"]),
        (4, "ok", []),
    ]
    data = sheet([["题型", "题干", "答案", "分值"], ["判断", "天是蓝的。", "对", 5]])
    preview = import_preview(batch=upload(bank, data, "bank.xlsx"))
    note, question = preview.rows
    assert (note.line, note.status, note.is_question) == (1, "warning", False)
    assert question.status == "ok" and preview.count("warning") == 0


# --- checks against the bank -------------------------------------------------------------------


def test_sheet_key_points_are_linked_by_text_or_warned(bank, organizer):
    point = factories.KeyPointFactory(document__bank=bank, text="坚持  人民至上。")
    data = sheet(
        [
            HEADER,
            ["单选", "Q1?", "a", "b", "A", "坚持 人民至上。"],
            ["单选", "Q2?", "a", "b", "A", "不存在的知识点"],
        ]
    )
    batch = upload(bank, data, "bank.xlsx")
    preview = import_preview(batch=batch)
    assert preview.rows[0].key_point_id == point.pk and preview.rows[0].status == "ok"
    assert preview.rows[1].status == "warning"
    assert preview.rows[1].issues[0].code == "key_point_unknown"
    import_confirm(batch=batch, confirmed_by=organizer, publish=False)
    assert list(Question.objects.filter(bank=bank).values_list("key_point_id", flat=True)) == [
        point.pk,
        None,
    ]


def test_a_question_already_in_the_bank_is_a_warning(bank, organizer):
    question_create(
        bank=bank,
        draft=QuestionDraft(
            "single",
            "What is the capital of France?",
            choices=(ChoiceDraft("Paris", True), ChoiceDraft("Rome")),
        ),
        created_by=organizer,
    )
    preview = import_preview(batch=upload(bank, GIFT))
    assert [i.code for i in preview.rows[0].issues] == ["duplicate_in_bank"]
    assert preview.rows[0].importable


def test_an_accepted_answer_too_long_for_the_database_is_an_error(bank, organizer):
    text = f"题型,题干,答案\n填空,A ____.,{'x' * 301}\n填空,B ____.,y\n"
    batch = upload(bank, text, "bank.csv")
    preview = import_preview(batch=batch)
    assert [(r.status, [i.code for i in r.issues]) for r in preview.rows] == [
        ("error", ["answer_too_long"]),
        ("ok", []),
    ]
    assert import_confirm(batch=batch, confirmed_by=organizer, publish=False).imported == 1


def test_messages_follow_the_language(bank):
    batch = upload(bank, GIFT)
    from django.utils import translation

    with translation.override("zh-hans"):
        issue = import_preview(batch=batch).rows[3].issues[0]
    assert issue.detail == "The braces { } of this question do not match."
    with translation.override("en"):
        issue = import_preview(batch=batch).rows[3].issues[0]
    assert issue.message == "The braces { } of this question do not match." and not issue.detail


# --- the pages --------------------------------------------------------------------------------


def test_upload_page_preview_and_import_through_the_pages(client, bank, organizer):
    client.force_login(organizer)
    page = client.get(reverse("quizzes:import_upload", args=[bank.pk]))
    assert page.status_code == 200
    assert b'type="file"' in page.content

    upload_file = io.BytesIO(GIFT.encode())
    upload_file.name = "moodle.gift"
    response = client.post(
        reverse("quizzes:import_upload", args=[bank.pk]), {"file": upload_file, "format": ""}
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes:import_preview", args=[batch.pk])

    preview = client.get(response["Location"])
    text = preview.content.decode()
    assert "Line 8" in text and "The braces { } of this question do not match." in text
    assert "1 question has an error and will be skipped" in text
    assert "Import 4 questions" in text
    problems = client.get(response["Location"] + "?show=problems").content.decode()
    assert "Line 8" in problems and "Line 2" not in problems

    done = client.post(reverse("quizzes:import_confirm", args=[batch.pk]), {"status": "published"})
    assert done.status_code == 302 and done["Location"] == bank.get_absolute_url()
    assert Question.objects.filter(bank=bank, status="published").count() == 4
    page = client.get(done["Location"]).content.decode()
    assert "4 questions imported and published." in page
    assert "1 question with an error was skipped." in page
    # A second click lands on the bank page and imports nothing more.
    again = client.post(reverse("quizzes:import_confirm", args=[batch.pk]), {"status": "draft"})
    assert again.status_code == 302
    assert Question.objects.filter(bank=bank).count() == 4
    assert client.get(reverse("quizzes:import_preview", args=[batch.pk])).status_code == 302


def test_a_refused_upload_shows_why_with_the_rows(client, bank, organizer):
    client.force_login(organizer)
    data = io.BytesIO(sheet([["题型", "选项A"], ["单选", "a"]]))
    data.name = "bank.xlsx"
    response = client.post(reverse("quizzes:import_upload", args=[bank.pk]), {"file": data})
    assert response.status_code == 400
    text = response.content.decode()
    assert "No question could be read from the file" in text
    assert "Row 1" in text and "题干" in text
    assert not ImportBatch.objects.exists()


def test_a_file_over_the_limit_is_refused_by_the_page(client, bank, organizer, settings):
    settings.STUDYAPP_UPLOAD_MAX_BYTES = 10
    client.force_login(organizer)
    data = io.BytesIO(GIFT.encode())
    data.name = "bank.gift"
    response = client.post(reverse("quizzes:import_upload", args=[bank.pk]), {"file": data})
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_cancel_through_the_page(client, bank, organizer):
    client.force_login(organizer)
    batch = upload(bank, GIFT)
    response = client.post(reverse("quizzes:import_cancel", args=[batch.pk]))
    assert response.status_code == 302
    assert not ImportBatch.objects.exists() and not Question.objects.exists()
    assert client.get(reverse("quizzes:import_preview", args=[batch.pk])).status_code == 404


def test_the_template_downloads_as_xlsx(client, organizer):
    client.force_login(organizer)
    response = client.get(reverse("quizzes:import_template") + "?lang=zh")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.worksheets[0]["B1"].value == "题干"


# --- who may import ------------------------------------------------------------------------------


@pytest.fixture
def pending(bank):
    return upload(bank, GIFT)


def _attempts(client, bank, batch):
    data = io.BytesIO(GIFT.encode())
    data.name = "x.gift"
    return [
        client.get(reverse("quizzes:import_upload", args=[bank.pk])),
        client.post(reverse("quizzes:import_upload", args=[bank.pk]), {"file": data}),
        client.get(reverse("quizzes:import_preview", args=[batch.pk])),
        client.post(reverse("quizzes:import_confirm", args=[batch.pk]), {"status": "draft"}),
        client.post(reverse("quizzes:import_cancel", args=[batch.pk])),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, bank, pending):
    for response in _attempts(client, bank, pending):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert ImportBatch.objects.get().state == "pending" and not Question.objects.exists()


@pytest.mark.parametrize("who", ["other_organizer", "learner"])
def test_other_organizers_and_learners_get_404(client, bank, pending, learner, who):
    other = learner if who == "learner" else factories.UserFactory(username="someone-else")
    if who == "other_organizer":
        factories.BankFactory(owner=other)
    client.force_login(other)
    for response in _attempts(client, bank, pending):
        assert response.status_code == 404
    assert ImportBatch.objects.get().state == "pending" and not Question.objects.exists()


def test_staff_may_import_into_any_bank(client, bank, pending, superuser):
    client.force_login(superuser)
    client.post(reverse("quizzes:import_confirm", args=[pending.pk]), {"status": "draft"})
    assert Question.objects.filter(bank=bank, created_by=superuser).count() == 4


# --- races on PostgreSQL (SQLite serialises writers; see test_attempt_concurrency) ---------------


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races need PostgreSQL (DATABASE_URL=postgres://…)")


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_import_imports_once(postgres_only, bank, organizer):
    from .test_attempt_concurrency import race, slowed

    batch = upload(bank, GIFT)
    confirm = lambda: import_confirm(batch=batch, confirmed_by=organizer, publish=False)  # noqa: E731
    with mock.patch.object(
        import_services, "questions_create_bulk", slowed(import_services.questions_create_bulk)
    ):
        results, errors = race(confirm, confirm)
    assert errors == [None, None]
    assert sorted(r.already_done for r in results) == [False, True]
    assert Question.objects.filter(bank=bank).count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_batches_of_one_file_confirmed_at_once_import_once(postgres_only, bank, organizer):
    from .test_attempt_concurrency import race, slowed

    first = upload(bank, GIFT)
    second = copy_of(first)
    calls = [
        lambda batch=batch: import_confirm(batch=batch, confirmed_by=organizer, publish=False)
        for batch in (first, second)
    ]
    with mock.patch.object(
        import_services, "questions_create_bulk", slowed(import_services.questions_create_bulk)
    ):
        _results, errors = race(*calls)
    assert sorted(type(e).__name__ for e in errors) == ["ImportRefused", "NoneType"]
    assert next(e for e in errors if e).code == "already_imported"
    assert Question.objects.filter(bank=bank).count() == 4
    assert ImportBatch.objects.filter(state="imported").count() == 1
