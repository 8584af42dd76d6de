"""Bytes → str for the text formats: UTF-8 (with or without BOM), else GB18030.

GB18030 is a superset of GBK and GB2312, so one strict attempt covers all three. Both
attempts are strict: a file that is neither is refused rather than read as mojibake.
"""

from __future__ import annotations

import codecs

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


def decode_text(data: bytes, *, declared: str | None = None) -> tuple[str, str, list[str]]:
    """Return ``(text, encoding, warnings)``; encoding is "utf-8", "utf-8-sig" or "gb18030".

    ``declared`` is a charset named by the document itself (an HTML ``<meta charset>``);
    a GB-family name makes GB18030 the first try. Raises ``IngestError`` with
    ``wrong_type`` for binary content and ``bad_encoding`` for undecodable text.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise IngestError("bad_encoding", {"detected": "utf-16"})
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig", []
        except UnicodeDecodeError as exc:
            raise IngestError("bad_encoding", {"detected": "broken-utf-8"}) from exc
    if b"\x00" in data[:8192]:
        # Text files do not contain NUL; UTF-16 without a BOM or a binary file does.
        raise IngestError("wrong_type", {"detected": sniff(data) or "binary"})

    order = ("gb18030", "utf-8") if _is_gb(declared) else ("utf-8", "gb18030")
    for encoding in order:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8":
            return text, "utf-8", []
        share = _gb2312_share(text)
        if share < _MIN_GB2312_SHARE:
            continue
        return text, "gb18030", ["encoding_uncertain"] if share < _WARN_GB2312_SHARE else []
    raise IngestError("bad_encoding", {"detected": "unknown"})


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
