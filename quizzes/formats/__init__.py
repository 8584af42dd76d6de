"""Question interchange formats: readers and writers between files and ``QuestionDraft``.

One module per format (``gift``, ``moodle_xml``, ``aiken``, ``chinese_text``,
``spreadsheet``). This package also says which format an uploaded file is in and reads it
from its bytes: ``read_upload(data, filename, chosen)`` picks the format (the one chosen,
else by extension, and for ``.txt`` by content), decodes text (UTF-8 with or without BOM,
GB18030/GBK) and returns the format's ``ParseResult``; a file that cannot be read at all
raises ``FormatRefused`` with a code (``empty``, ``unsupported_type``, ``wrong_type``,
``bad_encoding``, ``truncated_utf8``, ``broken_utf8``) and its parameters. Pure Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePath

from quizzes.formats.aiken import read_aiken
from quizzes.formats.base import ParseResult
from quizzes.formats.chinese_text import read_chinese_text
from quizzes.formats.gift import read_gift
from quizzes.formats.moodle_xml import read_moodle_xml
from quizzes.formats.spreadsheet import read_csv, read_xlsx
from quizzes.ingest import IngestError
from quizzes.ingest.charset import decode_text
from quizzes.ingest.sniff import sniff

# Import formats, by the short name stored in ``ImportBatch.format``.
IMPORT_FORMATS = ("gift", "xml", "aiken", "txt", "xlsx", "csv")
EXTENSIONS: dict[str, str | None] = {
    ".gift": "gift",
    ".xml": "xml",
    ".aiken": "aiken",
    ".xlsx": "xlsx",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": None,  # GIFT, Aiken or a Chinese plain-text bank: told apart by content
}
_TEXT_READERS: dict[str, Callable[[str], ParseResult]] = {
    "gift": read_gift,
    "aiken": read_aiken,
    "txt": read_chinese_text,
    "csv": read_csv,
}
_GIFT_SIGNS = re.compile(
    r"\{\s*(?:[=~#]|(?:T|F|TRUE|FALSE)\s*[#}])|^\s*::[^:\n]+::|^\s*\$CATEGORY:", re.M | re.I
)
_AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*[:：]\s*[A-Z]\s*$", re.M)


class FormatRefused(Exception):
    """The file cannot be read as questions at all; ``code`` says why."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def text_format(text: str) -> str:
    """Which text format ``text`` is in: "gift", "aiken" or "txt" (Chinese plain text)."""
    if _GIFT_SIGNS.search(text):
        return "gift"
    if _AIKEN_ANSWER.search(text):
        return "aiken"
    return "txt"


def _decode(data: bytes) -> str:
    try:
        # A repaired text would import its damage into questions: refuse it, saying where.
        return decode_text(data, repair=False)[0]
    except IngestError as error:
        raise FormatRefused(error.code, **error.params) from error


def read_upload(data: bytes, filename: str, chosen: str | None = None) -> tuple[str, ParseResult]:
    """The format of an uploaded file and what reading it gave. Raises ``FormatRefused``."""
    extension = PurePath(filename).suffix.lower()
    if not data.strip():
        raise FormatRefused("empty")
    if chosen is None and extension not in EXTENSIONS:
        raise FormatRefused("unsupported_type", filename=filename)
    fmt = chosen or EXTENSIONS[extension]
    detected = sniff(data)
    if fmt == "xlsx":
        return fmt, read_xlsx(data)
    if detected is not None:  # a binary file where text was expected
        raise FormatRefused("wrong_type", filename=filename, detected=detected)
    if fmt == "xml":
        return fmt, read_moodle_xml(data)
    text = _decode(data)
    if fmt is None:
        fmt = text_format(text)
    return fmt, _TEXT_READERS[fmt](text)
