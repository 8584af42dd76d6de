"""Bytes → str for the text formats: UTF-8 (with or without BOM), else GB18030.

GB18030 is a superset of GBK and GB2312, so one strict attempt covers all three. A file
that is neither is refused rather than read as mojibake.

UTF-8 that is not quite valid is judged before GB18030 is tried, because GB18030 decodes
nearly any byte sequence: a UTF-8 text cut in the middle of its last character, or with
one damaged byte among thousands of good characters, would otherwise be "read" as
GB18030 and saved as mojibake. The structure of UTF-8 (a lead byte, then continuation
bytes 0x80–0xBF) is so specific that real GB18030 text read as UTF-8 fails far more often
than it succeeds. So:

* a text that is valid UTF-8 but for an incomplete character at its very end was cut
  off: it is read without that character (warning ``utf8_truncated``);
* a text with at least ``_REPAIR_RATIO`` well-formed non-ASCII characters per malformed
  byte sequence is UTF-8 with a few damaged bytes: each becomes U+FFFD (warning
  ``utf8_repaired``);
* a text with at least ``_UTF8_RATIO`` of them per malformed sequence is damaged UTF-8,
  too damaged to repair: refused (``broken_utf8``), with the line of the first bad byte;
* anything else is tried as GB18030.

Callers that must not keep a repaired text (member and question imports, where a
damaged name would become an account or a question) pass ``repair=False``: then any
malformed UTF-8 is refused, with ``truncated_utf8`` or ``broken_utf8``, saying where.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from .errors import IngestError
from .sniff import sniff

_GB_NAMES = frozenset({"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"})
# How many non-ASCII characters to look at when judging a GB18030 reading.
_SAMPLE_CHARS = 5000
# Below this share of GB2312 characters among non-ASCII ones, a GB18030 reading is judged
# to be another encoding (Windows-1252, Big5, …) that happens to decode: refused.
_MIN_GB2312_SHARE = 0.5
# Below this share the reading is kept with a warning.
_WARN_GB2312_SHARE = 0.9
# Good non-ASCII characters per malformed sequence: at least this many, a UTF-8 reading
# is repaired (at most 2 % of the characters damaged) ...
_REPAIR_RATIO = 50
# ... at least this many, the text is UTF-8 too damaged to read (GB18030 text read as
# UTF-8 gives about one good character per five malformed sequences).
_UTF8_RATIO = 2
# Past this many malformed sequences with fewer good characters than that, stop counting.
_HOPELESS_AFTER = 100


def decode_text(
    data: bytes, *, declared: str | None = None, repair: bool = True
) -> tuple[str, str, list[str]]:
    """Return ``(text, encoding, warnings)``; encoding is "utf-8", "utf-8-sig" or "gb18030".

    ``declared`` is a charset named by the document itself (an HTML ``<meta charset>``);
    a GB-family name makes GB18030 the first try. ``repair`` allows a near-complete UTF-8
    reading (see the module's docstring). Raises ``IngestError`` with ``wrong_type`` for
    binary content, ``truncated_utf8`` (param ``line``) and ``broken_utf8`` (params
    ``line``, ``count``) for damaged UTF-8, and ``bad_encoding`` for undecodable text.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise IngestError("bad_encoding", {"detected": "utf-16"})
    if data.startswith(codecs.BOM_UTF8):
        # The BOM says UTF-8: no other reading is tried.
        reading = _utf8_reading(data, start=len(codecs.BOM_UTF8))
        if reading.valid:
            return reading.text, "utf-8-sig", []
        if repair and reading.repairable:
            return reading.text, "utf-8-sig", [reading.warning]
        raise reading.error()
    if b"\x00" in data[:8192]:
        # Text files do not contain NUL; UTF-16 without a BOM or a binary file does.
        raise IngestError("wrong_type", {"detected": sniff(data) or "binary"})

    order = ("gb18030", "utf-8") if _is_gb(declared) else ("utf-8", "gb18030")
    for encoding in order:
        if encoding == "utf-8":
            reading = _utf8_reading(data)
            if reading.valid:
                return reading.text, "utf-8", []
            if reading.repairable and repair:
                return reading.text, "utf-8", [reading.warning]
            if reading.repairable or reading.mostly_utf8:
                raise reading.error()
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        share = _gb2312_share(text)
        if share < _MIN_GB2312_SHARE:
            continue
        return text, "gb18030", ["encoding_uncertain"] if share < _WARN_GB2312_SHARE else []
    raise IngestError("bad_encoding", {"detected": "unknown"})


@dataclass(frozen=True, slots=True)
class _Utf8Reading:
    """``data`` read as UTF-8: malformed sequences replaced by U+FFFD, an incomplete last
    character dropped, and what was found."""

    text: str
    good: int  # well-formed non-ASCII characters
    bad: int  # malformed sequences before the end
    truncated: bool  # the data ends inside a character
    first_bad_line: int  # line of the first problem (1-based), 0 when none

    @property
    def valid(self) -> bool:
        return not self.bad and not self.truncated

    @property
    def repairable(self) -> bool:
        return self.good >= _REPAIR_RATIO * self.bad

    @property
    def mostly_utf8(self) -> bool:
        return self.good >= _UTF8_RATIO * self.bad

    @property
    def warning(self) -> str:
        return "utf8_repaired" if self.bad else "utf8_truncated"

    def error(self) -> IngestError:
        if self.bad:
            return IngestError("broken_utf8", {"line": self.first_bad_line, "count": self.bad})
        return IngestError("truncated_utf8", {"line": self.first_bad_line})


def _utf8_reading(data: bytes, *, start: int = 0) -> _Utf8Reading:
    """Decode ``data[start:]`` as UTF-8 error by error, in linear time (a memoryview
    slice copies nothing). Stops counting once the text is hopelessly not UTF-8."""
    view = memoryview(data)
    try:
        return _Utf8Reading(codecs.utf_8_decode(view[start:], "strict", True)[0], 0, 0, False, 0)
    except UnicodeDecodeError:
        pass
    pieces: list[str] = []
    good = bad = 0
    first_bad = -1
    truncated = False
    position = start
    while True:
        failure: UnicodeDecodeError | None = None
        try:
            piece = codecs.utf_8_decode(view[position:], "strict", True)[0]
        except UnicodeDecodeError as error:
            failure = error
            piece = codecs.utf_8_decode(view[position : position + error.start])[0]
        pieces.append(piece)
        good += len(piece) - len(piece.encode("ascii", "ignore"))
        if failure is None:
            break
        if first_bad < 0:
            first_bad = position + failure.start
        at_end = position + failure.end >= len(data)
        if at_end and failure.reason == "unexpected end of data":
            truncated = True
            break
        pieces.append("\ufffd")
        bad += 1
        position += failure.end
        if bad > _HOPELESS_AFTER and good < _UTF8_RATIO * bad:
            break
    line = data.count(b"\n", start, first_bad) + 1
    return _Utf8Reading("".join(pieces), good, bad, truncated, line)


def _is_gb(name: str | None) -> bool:
    return bool(name) and name.strip().lower() in _GB_NAMES


def _gb2312_share(text: str) -> float:
    """Share of GB2312 characters among the first non-ASCII characters of ``text``.

    Real Simplified Chinese text is nearly all GB2312; Windows-1252 or Big5 bytes read as
    GB18030 land mostly in the rarer GBK/GB18030 ranges.
    """
    seen = hits = 0
    for char in text:
        if char < "\x80":
            continue
        seen += 1
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            pass
        else:
            hits += 1
        if seen >= _SAMPLE_CHARS:
            break
    return hits / seen if seen else 1.0
