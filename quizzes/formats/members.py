"""Member lists from a spreadsheet: ``.xlsx`` or ``.csv`` with the columns name, username,
unit (Chinese headers 姓名, 用户名 or 账号, 单位 too). Pure Python, no Django.

The reader checks what the file alone can tell: that it is readable and within limits,
that it has a username column, and, per row, that the username is present and not repeated
in the file. What needs the database or the account model (is the username valid, does the
account exist, is the person already in the group) is checked by the app on these rows.

Rows keep the line number the organizer sees in Excel (the header is line 1 when it is the
first row), so an error can be found and fixed in the sheet.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from quizzes.ingest.charset import decode_text
from quizzes.ingest.docx import check_archive, package_declares_dtd
from quizzes.ingest.errors import IngestError
from quizzes.ingest.limits import IngestLimits

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# A member sheet is one small worksheet; far below the document limits.
_ZIP_LIMITS = IngestLimits(max_zip_entries=200, max_uncompressed_bytes=60 * 1024 * 1024)

# Header text (lower case, without spaces and trailing colons) → field.
HEADERS: dict[str, str] = {
    "name": "name",
    "displayname": "name",
    "fullname": "name",
    "姓名": "name",
    "名字": "name",
    "username": "username",
    "user": "username",
    "login": "username",
    "account": "username",
    "用户名": "username",
    "账号": "username",
    "帐号": "username",
    "登录名": "username",
    "unit": "unit",
    "department": "unit",
    "单位": "unit",
    "部门": "unit",
}


FIELDS = ("name", "username", "unit")


class MemberFileError(Exception):
    """The file as a whole cannot be read. ``code`` is stable; the app translates it."""

    MESSAGES = {
        "empty": "The file has no rows.",
        "too_large": "The file is larger than %(limit_mb)s MB.",
        "unsupported_type": "Upload an Excel workbook (.xlsx) or a CSV file (.csv).",
        "corrupt": "The file is damaged or is not really an .xlsx workbook.",
        "bad_encoding": "The CSV file is not in UTF-8 or GB18030; save it as UTF-8 CSV.",
        "not_text": (
            "The file is not text, so it is not a CSV file; save the sheet as .xlsx or as "
            "CSV UTF-8."
        ),
        "truncated_utf8": (
            "The CSV file ends in the middle of a character, on line %(line)s: it seems to "
            "have been cut off. Save it again as CSV UTF-8."
        ),
        "broken_utf8": (
            "The CSV file is UTF-8 but damaged: some of its bytes, the first on line "
            "%(line)s, are not UTF-8. Save it again as CSV UTF-8."
        ),
        "csv_open_quote": (
            'Row %(row)s, column %(column)s: a quote (") opens there and is never closed, '
            "so the rows after it run together. Close the quote or remove it."
        ),
        "csv_nul": (
            "Row %(row)s, column %(column)s holds a NUL character, which no CSV text holds: "
            "the file may be UTF-16 or not a CSV at all. Save it again as CSV UTF-8."
        ),
        "csv_unreadable": "Row %(row)s could not be read as CSV: %(detail)s.",
        "archive_bomb": "The workbook unpacks to far more data than a member list should.",
        "unsafe_xml": (
            "The workbook's XML declares a DTD, entities or external references; it was "
            "refused unread."
        ),
        "no_username_column": (
            "No username column was found in the header row: head it username (or 用户名 or 账号)."
        ),
        "too_many_rows": "The file has more than %(limit)s member rows.",
    }

    def __init__(self, code: str, params: dict[str, Any] | None = None) -> None:
        self.code = code
        self.params = params or {}
        super().__init__(self.MESSAGES[code] % self.params)


@dataclass(frozen=True, slots=True)
class RowProblem:
    code: str  # "username_missing", "duplicate_username"
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MemberRow:
    line: int
    name: str
    username: str
    unit: str
    problems: tuple[RowProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def read_members(data: bytes, filename: str) -> list[MemberRow]:
    """Rows of a member sheet, blank rows skipped, each with the problems the file shows.
    Raises ``MemberFileError`` when the file as a whole cannot be used."""
    if not data:
        raise MemberFileError("empty")
    if len(data) > MAX_BYTES:
        raise MemberFileError("too_large", {"limit_mb": MAX_BYTES // (1024 * 1024)})
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xlsx":
        table = _xlsx_rows(data)
    elif extension in ("csv", "txt"):
        table = _csv_rows(data)
    else:
        raise MemberFileError("unsupported_type")
    return _members(table)


def _members(table: Iterable[tuple[int, list[str]]]) -> list[MemberRow]:
    columns: dict[str, int] | None = None
    rows: list[MemberRow] = []
    first_line: dict[str, int] = {}
    for line, cells in table:
        if not any(cells):
            continue
        if columns is None:
            columns = _columns(cells)
            continue
        if len(rows) >= MAX_ROWS:
            raise MemberFileError("too_many_rows", {"limit": MAX_ROWS})

        name, username, unit = (_cell(cells, columns.get(key)) for key in FIELDS)
        problems = []
        if not username:
            problems.append(RowProblem("username_missing"))
        else:
            key = username.casefold()
            if key in first_line:
                problems.append(RowProblem("duplicate_username", {"line": first_line[key]}))
            else:
                first_line[key] = line
        rows.append(MemberRow(line, name, username, unit, tuple(problems)))
    if columns is None:
        raise MemberFileError("empty")
    return rows


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, text in enumerate(header):
        key = "".join(text.split()).rstrip(":：").lower().replace("_", "")
        name = HEADERS.get(key)
        if name and name not in columns:
            columns[name] = index
    if "username" not in columns:
        raise MemberFileError("no_username_column")
    return columns


def _text(value: Any) -> str:
    """A cell as text: employee numbers typed as numbers keep no ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The records of a CSV file, numbered as a spreadsheet shows them. A file that is not
    text, is damaged UTF-8, or does not parse is refused naming the row, the column and
    what is wrong there."""
    try:
        # A repaired text would make accounts with damaged names: refuse it, saying where.
        text, _encoding, _warnings = decode_text(data, repair=False)
    except IngestError as error:
        code = error.code if error.code in ("truncated_utf8", "broken_utf8") else "bad_encoding"
        if error.code == "wrong_type":
            code = "not_text"
        raise MemberFileError(code, {"line": error.params.get("line")}) from error
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    records: list[list[str]] = []
    first_line = 1  # the physical line where the record being read starts
    try:
        for cells in reader:
            records.append(cells)
            first_line = reader.line_num + 1
    except csv.Error as error:
        # The one error a lenient reader raises on text: a field over the size limit, which
        # is a quote left open in a long file.
        physical = io.StringIO(text, newline="").readlines()
        line = physical[first_line - 1] if first_line <= len(physical) else ""
        column = _open_quote_column(line, dialect)
        row = len(records) + 1
        if column is not None:
            raise MemberFileError("csv_open_quote", {"row": row, "column": column}) from error
        raise MemberFileError("csv_unreadable", {"row": row, "detail": str(error)}) from error
    if records and _ends_in_open_quote(text, records[-1], dialect):
        raise MemberFileError("csv_open_quote", {"row": len(records), "column": len(records[-1])})
    for row, cells in enumerate(records, start=1):
        for column, cell in enumerate(cells, start=1):
            if "\x00" in cell:
                raise MemberFileError("csv_nul", {"row": row, "column": column})
        yield row, [_text(cell) for cell in cells]


def _ends_in_open_quote(text: str, last: list[str], dialect) -> bool:
    """Whether the file ends inside a quoted field: a quote left open swallows every line
    after it into the last cell of its record (a lenient reader says nothing). A cell
    quoted on purpose across lines ends with its closing quote before the end."""
    if not last or not ("\n" in last[-1] or "\r" in last[-1]):
        return False
    return not text.rstrip("\r\n").endswith(dialect.quotechar or '"')


def _open_quote_column(line: str, dialect) -> int | None:
    """The 1-based column where ``line`` opens a quote it does not close, if it does."""
    quote, delimiter = dialect.quotechar or '"', dialect.delimiter
    column, opened = 1, None
    quoted, at_field_start, just_closed = False, True, False
    for char in line:
        if quoted:
            if char == quote:
                quoted, just_closed = False, True
                continue
        elif char == quote and (at_field_start or just_closed):
            # An opening quote, or the second of a doubled quote inside a quoted field.
            quoted = True
            opened = column if at_field_start else opened
        elif char == delimiter:
            column, at_field_start, just_closed = column + 1, True, False
            continue
        at_field_start = just_closed = False
    return opened if quoted else None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # imported here: only .xlsx uploads need it

    if not data.startswith(b"PK\x03\x04"):
        raise MemberFileError("corrupt")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        check_archive(archive.infolist(), _ZIP_LIMITS)
        unsafe = package_declares_dtd(archive)
    except IngestError as error:
        raise MemberFileError("archive_bomb") from error
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        ValueError,
        EOFError,
        OSError,
        NotImplementedError,
    ) as error:
        raise MemberFileError("corrupt") from error
    if unsafe:
        raise MemberFileError("unsafe_xml")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise MemberFileError("corrupt") from error
    try:
        sheet = workbook.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, [_text(value) for value in values]
    except Exception as error:  # a damaged sheet part shows up only while reading
        raise MemberFileError("corrupt") from error
    finally:
        workbook.close()
