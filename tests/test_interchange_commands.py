"""``manage.py export_bank`` and ``manage.py import_questions``: the same services as the
pages, a per-question report, nonzero exit on refusal."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.models import ImportBatch, Question
from quizzes.services.banks import question_create

from . import factories
from .test_imports import GIFT

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(organizer):
    bank = factories.BankFactory(owner=organizer, title="命令行题库")
    question_create(
        bank=bank,
        draft=QuestionDraft(
            "single", "首都是？", choices=(ChoiceDraft("北京", True), ChoiceDraft("上海"))
        ),
        created_by=organizer,
    )
    question_create(
        bank=bank,
        draft=QuestionDraft("blank", "一年有____个月。", blanks=(("12",),)),
        created_by=organizer,
    )
    return bank


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_bank_to_stdout_and_report_what_was_left_out(bank):
    out, err = run("export_bank", str(bank.pk), "--format", "aiken")
    assert out.startswith("首都是？\nA. 北京\nB. 上海\nANSWER: A")
    assert "1 question(s) exported as aiken; 1 left out: Aiken holds only" in err


@pytest.mark.parametrize("fmt", ["gift", "xml", "txt", "csv"])
def test_export_bank_text_formats(bank, fmt):
    out, err = run("export_bank", str(bank.pk), "--format", fmt)
    assert "首都是" in out and "一年有" in out
    assert err.strip() == f"2 question(s) exported as {fmt}."


def test_export_bank_xlsx_needs_a_file(bank, tmp_path):
    with pytest.raises(CommandError, match="-o FILE"):
        run("export_bank", str(bank.pk), "--format", "xlsx")
    target = tmp_path / "bank.xlsx"
    run("export_bank", str(bank.pk), "--format", "xlsx", "-o", str(target), "--language", "en")
    sheet = openpyxl.load_workbook(target).worksheets[0]
    assert sheet["A1"].value == "Kind" and sheet["B2"].value == "首都是？"


def test_export_bank_unknown_bank(db):
    with pytest.raises(CommandError, match="no question bank with id 999"):
        run("export_bank", "999")


def test_import_questions_dry_run_reports_and_saves_nothing(bank, tmp_path):
    path = tmp_path / "moodle.gift"
    path.write_text(GIFT, encoding="utf-8")
    out, _err = run("import_questions", str(bank.pk), str(path), "--dry-run")
    assert "line     8  error" in out
    assert "The braces { } of this question do not match." in out
    assert "line     2  ok" in out
    assert "Dry run: 4 question(s) would be imported, 1 skipped; nothing was saved." in out
    assert Question.objects.filter(bank=bank).count() == 2
    assert not ImportBatch.objects.exists()


def test_import_questions_imports_and_refuses_the_same_file_again(bank, tmp_path):
    path = tmp_path / "moodle.gift"
    path.write_text(GIFT, encoding="utf-8")
    out, _err = run("import_questions", str(bank.pk), str(path), "--publish")
    assert "4 question(s) imported into “命令行题库” as published; 1 skipped (errors)." in out
    assert Question.objects.filter(bank=bank, origin="imported", status="published").count() == 4
    with pytest.raises(CommandError, match="already imported into this bank"):
        run("import_questions", str(bank.pk), str(path))
    assert Question.objects.filter(bank=bank).count() == 6


def test_import_questions_sheet_report_uses_rows_and_a_refusal_fails(bank, tmp_path):
    path = tmp_path / "bank.csv"
    path.write_text("题型,选项A\n单选,a\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No question could be read"):
        run("import_questions", str(bank.pk), str(path))
    path.write_text("题型,题干,答案\n问答,Q?,x\n判断,天是蓝的。,对\n", encoding="gbk")
    out, _err = run("import_questions", str(bank.pk), str(path), "--format", "csv")
    assert "row     2  error" in out and "row     3  ok" in out
    assert "1 question(s) imported" in out


def test_import_questions_unreadable_file(bank, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_questions", str(bank.pk), str(tmp_path / "missing.gift"))


def test_import_questions_refuses_a_binary_file(bank, tmp_path):
    """A ``CommandError``: manage.py prints it and exits with status 1."""
    path = tmp_path / "photo.gift"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(CommandError, match="is not what its name or the chosen format says"):
        run("import_questions", str(bank.pk), str(path))
    assert not ImportBatch.objects.exists()
