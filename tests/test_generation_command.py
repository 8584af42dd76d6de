"""``manage.py generate_questions``: key points and drafts printed as text or JSON, the file
read as UTF-8 (with or without BOM) or GB18030, and no database touched.

These tests do not request the ``db`` fixture, so pytest-django blocks every database
access: a query would fail the test."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

PROJECT = Path(__file__).resolve().parents[1]
EDITORIAL = PROJECT / "quizzes" / "demo" / "tianjin-12th-congress-editorial.en.txt"
CHINESE = (
    "中国共产党第十九次全国代表大会，是在关键时期召开的一次十分重要的大会。\n"
    "发展必须是科学发展，必须坚定不移贯彻创新、协调、绿色、开放、共享的发展理念。\n"
    "五年来，我们统筹推进“五位一体”总体布局、协调推进“四个全面”战略布局，党和国家事业全面开创新局面。\n"
)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_questions", *args, stdout=out)
    return out.getvalue()


def test_text_output_lists_key_points_and_drafts():
    output = run(str(EDITORIAL), "--max-drafts", "8")
    assert output.startswith("Language: en")
    assert "Key points" in output and "Drafts" in output
    assert "[1] (" in output and "#8 " in output and "#9 " not in output
    assert "✓ A." in output or "✓ B." in output or "✓ C." in output or "✓ D." in output


def test_json_output_is_the_whole_result(tmp_path):
    data = json.loads(run(str(EDITORIAL), "--format", "json", "--seed", "4"))
    text = EDITORIAL.read_bytes().decode("utf-8")
    assert data["language"] == "en"
    assert len(data["drafts"]) >= 8
    for point in data["key_points"]:
        assert text[point["start"] : point["end"]] == point["text"]
    for draft in data["drafts"]:
        assert text[draft["source_start"] : draft["source_end"]] == draft["source_excerpt"]
        assert draft["key_point_ordinal"] >= 1
    assert set(data["stats"]["kinds"]) == {"blank", "multiple", "single", "true_false"}
    again = json.loads(run(str(EDITORIAL), "--format", "json", "--seed", "4"))
    assert again["drafts"] == data["drafts"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_file_is_read_as_utf8_with_or_without_bom_or_gb18030(tmp_path, encoding):
    path = tmp_path / "report.txt"
    path.write_bytes(CHINESE.encode(encoding))
    data = json.loads(run(str(path), "--format", "json"))
    assert data["language"] == "zh-hans"
    # Read right in every encoding; the framing sentence that opens the report ("……是在
    # ……召开的一次十分重要的大会") is not a key point (rubric line 1).
    assert any("发展理念" in point["text"] for point in data["key_points"])
    assert not data["key_points"][0]["text"].startswith("中国共产党第十九次")
    assert data["drafts"]


def test_language_can_be_forced(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(CHINESE, encoding="utf-8")
    assert run(str(path), "--language", "zh-hans").startswith("Language: zh-hans")


def test_missing_or_undecodable_files_are_refused(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "absent.txt"))
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x81\x30\x81" * 10 + b"\xff\xfe\xfd")
    with pytest.raises(CommandError, match="neither UTF-8 nor GB18030"):
        run(str(binary))


def test_the_command_needs_no_database():
    # Without the ``db`` fixture every connection attempt raises, so a single query made
    # by the command (or by a system check it ran) would fail this test.
    with pytest.raises(RuntimeError, match="Database access not allowed"):
        connection.ensure_connection()
    assert "Drafts" in run(str(EDITORIAL), "--max-drafts", "3")
