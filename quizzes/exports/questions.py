"""Question exports: a bank's or a quiz's questions (read as ``ExportItem`` drafts by
``selectors.exports``) written in an interchange format by the pure writers of
``quizzes.formats``. Writes nothing to the database.

Each format holds what it can (see the writers in ``quizzes.formats``): Aiken only single
choice, GIFT and Moodle XML one blank per question (with credits, numeric answers and
feedback), the sheet and the Chinese plain-text layout only plain, full-credit text answers
(the sheet at most eight options, the plain text no blank answer with "/", "|" or "；").
``format_problem`` says whether a draft is left out and why; an export says how many were,
and ``LEFT_OUT_REASONS`` tells the organizer each reason in their language. Nothing a
format cannot hold is ever dropped silently from a question that is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from django.utils.translation import gettext_lazy as _

from quizzes.drafts import QuestionDraft
from quizzes.formats.aiken import aiken_problem, export_aiken
from quizzes.formats.chinese_text import chinese_text_problem, write_chinese_text
from quizzes.formats.gift import export_gift, gift_problem
from quizzes.formats.moodle_xml import write_moodle_xml, xml_problem
from quizzes.formats.spreadsheet import export_csv, export_xlsx, sheet_problem


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    extension: str
    content_type: str
    holds: str  # what the format cannot hold, said to the organizer


EXPORT_FORMATS: dict[str, ExportFormat] = {
    fmt.name: fmt
    for fmt in (
        ExportFormat(
            "xlsx",
            _("Excel (.xlsx), our template"),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _("Questions with more than eight choices are left out."),
        ),
        ExportFormat(
            "gift",
            _("GIFT (Moodle)"),
            "gift.txt",
            "text/plain; charset=utf-8",
            _("Fill-in-the-blank questions with several blanks are left out."),
        ),
        ExportFormat(
            "xml",
            _("Moodle XML"),
            "xml",
            "application/xml; charset=utf-8",
            _("Fill-in-the-blank questions with several blanks are left out."),
        ),
        ExportFormat(
            "aiken",
            _("Aiken"),
            "aiken.txt",
            "text/plain; charset=utf-8",
            _("Aiken holds only single-choice questions; all others are left out."),
        ),
        ExportFormat(
            "txt",
            _("Chinese plain text (一、单选题 …)"),
            "txt",
            "text/plain; charset=utf-8",
            _("Blank answers holding “/”, “|” or “；” cannot be written and are left out."),
        ),
        ExportFormat(
            "csv",
            _("CSV (our template)"),
            "csv",
            "text/csv; charset=utf-8",
            _("Questions with more than eight choices are left out."),
        ),
    )
}


@dataclass(frozen=True)
class ExportItem:
    draft: QuestionDraft
    key_point: str = ""  # the text of the question's key point, whitespace collapsed


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    exported: int
    left_out: int


_PROBLEMS: dict[str, Callable[[QuestionDraft], str | None]] = {
    "xlsx": sheet_problem,
    "csv": sheet_problem,
    "gift": gift_problem,
    "xml": xml_problem,
    "aiken": aiken_problem,
    "txt": chinese_text_problem,
}

# Why a question is left out of an export, said to the organizer (by ``format_problem`` code).
LEFT_OUT_REASONS = {
    "invalid_draft": _("The question is not complete."),
    "several_blanks": _("It has several blanks; this format holds one blank per question."),
    "mixed_answers": _("It mixes numeric and text answers in one blank."),
    "true_false_labels": _(
        "Its true/false labels are not the ones this format reads back for its language "
        "(True/False, or 正确/错误 for a Chinese question)."
    ),
    "answer_details": _(
        "Its blank has partial credit, a numeric answer (tolerance or range) or answer "
        "feedback, which this format cannot hold."
    ),
    "blank_separator": _("An accepted answer holds “/”, “|” or “；”, which separate answers here."),
    "too_many_choices": _("It has more choices than this format holds."),
    "not_single_choice": _("This format holds only single-choice questions."),
}


def format_problem(fmt: str, draft: QuestionDraft) -> str | None:
    """Why ``draft`` is left out of an export in ``fmt``, as a code; None when it is not."""
    return _PROBLEMS[fmt](draft)


def export_counts(items: list[ExportItem]) -> dict[str, tuple[int, int]]:
    """Per format: how many of ``items`` it exports and how many it leaves out."""
    return {
        fmt: (exported, left_out) for fmt, (exported, left_out, _r) in export_report(items).items()
    }


def export_report(items: list[ExportItem]) -> dict[str, tuple[int, int, dict[str, int]]]:
    """Per format: how many of ``items`` it exports, how many it leaves out, and how many
    are left out for each reason (a ``LEFT_OUT_REASONS`` code)."""
    report = {}
    for fmt in EXPORT_FORMATS:
        reasons: dict[str, int] = {}
        for item in items:
            if code := format_problem(fmt, item.draft):
                reasons[code] = reasons.get(code, 0) + 1
        left_out = sum(reasons.values())
        report[fmt] = (len(items) - left_out, left_out, reasons)
    return report


# --- writing ---------------------------------------------------------------------------------


def download_filename(title: str, extension: str) -> str:
    """A file name from a title: characters file systems refuse removed, Chinese kept."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', " ", title)
    name = " ".join(name.split())[:80].strip(" .") or "questions"
    return f"{name}.{extension}"


def export_file(
    *, items: Iterable[ExportItem], fmt: str, title: str, language: str = "zh"
) -> ExportFile:
    """The items written in ``fmt``; those the format cannot hold are left out and counted.

    ``language`` ("zh" or "en") chooses the sheet's column headers and kind names."""
    spec = EXPORT_FORMATS[fmt]
    items = list(items)
    kept = [item for item in items if not format_problem(fmt, item.draft)]
    drafts = [item.draft for item in kept]
    if fmt in ("xlsx", "csv"):
        # The sheet's 知识点 column carries the key point (as the draft's tag).
        drafts = [
            replace(item.draft, tags=(item.key_point,) if item.key_point else ()) for item in kept
        ]
    if fmt == "xlsx":
        content, _skipped = export_xlsx(drafts, language=language, title=title)
    elif fmt == "csv":
        # With a BOM, so that Excel opens the UTF-8 text as UTF-8.
        content = ("\ufeff" + export_csv(drafts, language=language)[0]).encode("utf-8")
    elif fmt == "gift":
        content = export_gift(drafts, category=title)[0].encode("utf-8")
    elif fmt == "xml":
        content = write_moodle_xml(drafts, category=title).encode("utf-8")
    elif fmt == "aiken":
        content = export_aiken(drafts)[0].encode("utf-8")
    else:
        content = write_chinese_text(drafts).encode("utf-8")
    return ExportFile(
        content=content,
        filename=download_filename(title, spec.extension),
        content_type=spec.content_type,
        exported=len(kept),
        left_out=len(items) - len(kept),
    )
