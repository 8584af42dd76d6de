"""Report exports: the member table and the item analysis of an assignment as CSV or Excel.

Both formats stream. The CSV goes out row by row as the database cursor yields rows
(``StreamingHttpResponse``). The Excel file is written by openpyxl's ``write_only``
workbook, which keeps no rows in memory: each row goes to a temporary file as it is
appended, and the finished file is sent from disk in chunks. Peak memory therefore stays
flat however many learners there are.

Cells keep their types: numbers are numbers (percentages with a percent format, time
spent as a duration, last activity as a date and time), so a spreadsheet can sort and sum
them. Column headers are in the reader's language. File names may be Chinese: the
``Content-Disposition`` header carries them per RFC 5987/6266.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from quizzes.downloads import Echo, csv_text, csv_time, xlsx_text
from quizzes.models import Assignment
from quizzes.selectors.reports import (
    AnalysedAttempts,
    item_analysis,
    learner_status,
    report_member_rows,
)

CHUNK_SIZE = 2000


class Kind(Enum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"  # one decimal place
    PERCENT = "percent"  # given in percent (0–100), stored in Excel as a fraction
    DURATION = "duration"
    DATETIME = "datetime"


@dataclass(frozen=True)
class Column:
    label: str
    kind: Kind = Kind.TEXT
    width: int = 14


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: list[Column]
    rows: Iterable[list]


_EXCEL_FORMATS = {
    Kind.INTEGER: "0",
    Kind.NUMBER: "0.0",
    Kind.PERCENT: "0.0%",
    Kind.DURATION: "[h]:mm:ss",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
}


# --- The tables -------------------------------------------------------------------------


def member_sheet(assignment: Assignment, *, sort: str = "name") -> Sheet:
    """Every learner of the assignment report, in the page's order. One query, read from
    the cursor in chunks."""
    columns = [
        Column(_("Name"), width=20),
        Column(_("Username"), width=18),
        Column(_("Group"), width=20),
        Column(_("Status")),
        Column(_("Score (%)"), Kind.PERCENT),
        Column(_("Best score (%)"), Kind.PERCENT),
        Column(_("Passed")),
        Column(_("Attempts"), Kind.INTEGER, width=10),
        Column(_("Time spent"), Kind.DURATION),
        Column(_("Last activity"), Kind.DATETIME, width=18),
    ]
    former = _("Former member")
    yes, no = _("yes"), _("no")

    def rows() -> Iterator[list]:
        for row in report_member_rows(assignment, sort=sort).iterator(chunk_size=CHUNK_SIZE):
            yield [
                row.shown_name,
                row.username,
                row.group_name or former,
                str(learner_status(row).label),
                row.percent,
                row.best_percent,
                "" if row.passed is None else (yes if row.passed else no),
                row.attempts_started,
                row.time_spent,
                row.last_activity,
            ]

    return Sheet(_("Members"), columns, rows())


def item_sheets(assignment: Assignment, *, which: str = AnalysedAttempts.FIRST) -> list[Sheet]:
    """The item analysis: one row per question, then one row per choice shown. Three
    queries (see ``item_analysis``)."""
    items = item_analysis(assignment, which=which)
    questions = Sheet(
        _("Questions"),
        [
            Column(_("Position"), Kind.INTEGER, width=9),
            Column(_("Question"), width=48),
            Column(_("Kind")),
            Column(_("Attempts analysed"), Kind.INTEGER),
            Column(_("Facility index (%)"), Kind.PERCENT),
            Column(_("Standard deviation (%)"), Kind.PERCENT),
            Column(_("Discrimination index"), Kind.NUMBER),
            Column(_("Discriminative efficiency"), Kind.NUMBER),
            Column(_("Wrong choice picked most"), width=30),
            Column(_("Its pick rate (%)"), Kind.PERCENT),
        ],
        [
            [
                item.position,
                item.stem,
                str(item.kind_label),
                item.n,
                item.facility,
                item.sd,
                item.discrimination,
                item.efficiency,
                item.top_distractor.text if item.top_distractor else "",
                item.top_distractor.pick_rate if item.top_distractor else None,
            ]
            for item in items
        ],
    )
    yes, no = _("yes"), _("no")
    choices = Sheet(
        _("Choices"),
        [
            Column(_("Position"), Kind.INTEGER, width=9),
            Column(_("Question"), width=40),
            Column(_("Version"), Kind.INTEGER, width=9),
            Column(_("Choice"), width=30),
            Column(_("Correct")),
            Column(_("Shown"), Kind.INTEGER),
            Column(_("Picked"), Kind.INTEGER),
            Column(_("Pick rate (%)"), Kind.PERCENT),
        ],
        [
            [
                item.position,
                item.stem,
                choice.version,
                choice.text,
                yes if choice.is_correct else no,
                choice.shown,
                choice.picked,
                choice.pick_rate,
            ]
            for item in items
            for choice in item.choices
        ],
    )
    return [questions, choices]


# --- Formats ----------------------------------------------------------------------------


def duration_text(value: timedelta) -> str:
    """``1:02:03`` for an hour, two minutes and three seconds."""
    seconds = int(value.total_seconds())
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _csv_cell(value, kind: Kind) -> str:
    if value is None or value == "":
        return ""
    if kind is Kind.TEXT:
        return csv_text(value)
    if kind is Kind.DURATION:
        return duration_text(value)
    if kind is Kind.DATETIME:
        return csv_time(value)
    if kind is Kind.INTEGER:
        return str(int(value))
    return f"{float(value):.2f}"


def csv_response(sheet: Sheet, *, filename: str) -> StreamingHttpResponse:
    """The sheet as a streamed UTF-8 CSV with a byte order mark (so Excel reads Chinese
    correctly); text cells that look like formulas are neutralised."""
    writer = csv.writer(Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        yield writer.writerow([column.label for column in sheet.columns])
        for row in sheet.rows:
            yield writer.writerow(
                [
                    _csv_cell(value, column.kind)
                    for value, column in zip(row, sheet.columns, strict=True)
                ]
            )

    return StreamingHttpResponse(
        lines(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


def _excel_value(value, kind: Kind):
    if value is None or value == "":
        return None
    if kind is Kind.PERCENT:
        return float(value) / 100
    if kind is Kind.NUMBER:
        return float(value)
    if kind is Kind.DATETIME and isinstance(value, datetime):
        # Excel has no time zones: the reader's local time, as the pages show it.
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _excel_title(title: str) -> str:
    # Sheet titles: at most 31 characters, none of []:*?/\
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"


def xlsx_response(sheets: list[Sheet], *, filename: str) -> FileResponse:
    """The sheets as an Excel workbook, written row by row to a temporary file and sent
    from it in chunks."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(_excel_title(str(sheet.title)))
        for index, column in enumerate(sheet.columns):
            worksheet.column_dimensions[get_column_letter(index + 1)].width = column.width
        worksheet.freeze_panes = "A2"
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(worksheet, value=str(column.label))
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        formats: list[Callable] = [_cell_maker(worksheet, column.kind) for column in sheet.columns]
        for row in sheet.rows:
            worksheet.append(
                [
                    make(_excel_value(value, column.kind))
                    for make, value, column in zip(formats, row, sheet.columns, strict=True)
                ]
            )
    # Deleted when closed: FileResponse closes it once the last chunk is sent.
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _cell_maker(worksheet, kind: Kind) -> Callable:
    number_format = _EXCEL_FORMATS.get(kind)
    if number_format is None:  # text: never a live formula (openpyxl makes "=…" one)
        return lambda value: xlsx_text(worksheet, value)

    def make(value):
        if value is None:
            return None
        cell = WriteOnlyCell(worksheet, value=value)
        cell.number_format = number_format
        return cell

    return make


def export_filename(assignment: Assignment, table: str, extension: str) -> str:
    """``<quiz> - <group> - <table>.<extension>``, without characters a file name cannot
    hold. Chinese stays Chinese."""
    name = f"{assignment.quiz.title} - {assignment.group.name} - {table}"
    name = re.sub(r'[\\/:*?"<>|\r\n\t]+', " ", name).strip()
    return f"{name}.{extension}"
