"""Tables as files to download, as CSV or Excel: a report's sheets (their rows are built
beside each report, in ``selectors/reports/``), and plain lists of text (an assignment's
learners, initial passwords: ``text_csv_lines``, ``text_xlsx``).

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
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from quizzes.downloads import Echo, csv_text, csv_time, xlsx_text
from quizzes.models import Assignment


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


# --- Plain lists of text ----------------------------------------------------------------


def text_csv_lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """A CSV as text chunks: a byte order mark (Excel then reads UTF-8), the header, the
    rows; text cells neutralised so a spreadsheet does not run them as formulas."""
    writer = csv.writer(Echo())
    yield "\ufeff"
    yield writer.writerow([str(title) for title in header])
    for row in rows:
        yield writer.writerow([csv_text(cell) if isinstance(cell, str) else cell for cell in row])


def text_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A one-sheet workbook of text cells; text a spreadsheet could run is written as
    text (``formats.cells.xlsx_text``)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append([str(column) for column in header])
    for row in rows:
        sheet.append([xlsx_text(sheet, cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def private_attachment(filename: str) -> dict:
    """Headers of a download that no browser or proxy may keep."""
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
