"""Word .docx files, read with zipfile and defusedxml rather than a document library.

Reading the zip ourselves lets every limit be checked on the central directory (entry count,
declared sizes, compression ratio) before a byte is decompressed, and the XML parser
refuses DTDs and entities (billion-laughs, external entities). Paragraphs are streamed with
``iterparse``, so a large document.xml is never held as a tree.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from .errors import IngestError
from .limits import Deadline, IngestLimits
from .raw import RawDocument
from .sniff import sniff

_W = frozenset(
    {
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "http://purl.oclc.org/ooxml/wordprocessingml/main",  # Strict OOXML
    }
)
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_OFFICE_DOCUMENT = "/officeDocument"  # end of the relationship type, Transitional or Strict
_DEFAULT_MAIN = "word/document.xml"
# Entries smaller than this skip the ratio check: small XML compresses very well and cannot
# hurt (Apache POI's ZipSecureFile uses the same kind of grace size).
_RATIO_GRACE_BYTES = 100 * 1024
_CHUNK = 1024 * 1024
_PARAGRAPHS_PER_CHECK = 256
_TITLE_STYLES = frozenset({"title", "heading 1", "heading1"})
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_CENTRAL_DIRECTORY_SIGNATURE = b"PK\x01\x02"


def read_docx(data: bytes, *, limits: IngestLimits, deadline: Deadline) -> RawDocument:
    detected = sniff(data)
    if detected != "zip":
        if detected == "ole" and _ENCRYPTED_PACKAGE in data:
            detected = "encrypted-docx"
        raise IngestError("wrong_type", {"detected": detected or "unknown"})
    # zipfile builds an object per central-directory entry; count the entries' signatures
    # first so that a directory of a million entries is refused before that.
    headers = data.count(_CENTRAL_DIRECTORY_SIGNATURE)
    if headers > limits.max_zip_entries:
        raise IngestError(
            "archive_bomb",
            {"reason": "entries", "limit": limits.max_zip_entries, "actual": headers},
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise IngestError("corrupt") from exc
    check_archive(infos, limits)
    reader = _PartReader(archive, limits, deadline)

    main = _main_part(reader)
    if main is None:
        raise IngestError("wrong_type", {"detected": _what_zip(reader.names)})
    styles = _style_names(reader)
    body = _Body(deadline)
    body.parse(reader.read(main))
    core_title = _core_title(reader)

    warnings = ["tracked_changes"] if body.tracked_changes else []
    return RawDocument(
        text="\n\n".join(body.paragraphs),
        title=_first_title(body, styles) or core_title,
        warnings=warnings,
    )


def check_archive(infos: list[zipfile.ZipInfo], limits: IngestLimits) -> None:
    """Refuse on the central directory alone: nothing has been decompressed yet."""
    if len(infos) > limits.max_zip_entries:
        raise IngestError(
            "archive_bomb",
            {"reason": "entries", "limit": limits.max_zip_entries, "actual": len(infos)},
        )
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise IngestError(
            "archive_bomb",
            {"reason": "size", "limit": limits.max_uncompressed_bytes, "actual": total},
        )
    for info in infos:
        if info.file_size <= _RATIO_GRACE_BYTES:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_compression_ratio:
            raise IngestError(
                "archive_bomb",
                {
                    "reason": "ratio",
                    "limit": limits.max_compression_ratio,
                    "actual": round(ratio),
                },
            )


# An XML prolog longer than this (comments, processing instructions) is not what an
# office suite writes; such a part is treated as declaring a DTD.
_MAX_PROLOG = 64 * 1024


def package_declares_dtd(archive: zipfile.ZipFile) -> bool:
    """Whether any XML part of an Office package (.xlsx, .docx) declares a DTD: the only
    way to bring in entities, external ones ("XXE") or nested ones ("billion laughs"). No
    office suite writes one. Reads only each part's prolog, on an archive whose sizes
    ``check_archive`` has already accepted."""
    for info in archive.infolist():
        if info.filename.endswith((".xml", ".rels", ".vml")) or info.filename.startswith(
            "[Content_Types]"
        ):
            with archive.open(info) as stream:
                if _prolog_declares_dtd(stream.read(_MAX_PROLOG)):
                    return True
    return False


def _prolog_declares_dtd(head: bytes) -> bool:
    """Whether the XML starting with ``head`` has ``<!DOCTYPE`` before its root element."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("latin-1")  # markup is ASCII in UTF-8 and its kin alike
    text = text.lstrip("\ufeff\xef\xbb\xbf")
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if text.startswith("<!DOCTYPE", position):
            return True
        for opening, closing in (("<?", "?>"), ("<!--", "-->")):
            if text.startswith(opening, position):
                end = text.find(closing, position)
                if end < 0:
                    return True  # a prolog longer than any office suite writes
                position = end + len(closing)
                break
        else:
            return False


class _PartReader:
    """Reads zip entries within the declared sizes and the overall budget."""

    def __init__(self, archive: zipfile.ZipFile, limits: IngestLimits, deadline: Deadline):
        self.archive = archive
        self.deadline = deadline
        self.budget = limits.max_uncompressed_bytes
        self.infos = {info.filename: info for info in archive.infolist()}
        self.names = frozenset(self.infos)

    def read(self, name: str) -> bytes:
        info = self.infos[name]
        if info.flag_bits & 0x1:  # zip-level encryption: not something Word writes
            raise IngestError("corrupt")
        self.deadline.check()
        chunks: list[bytes] = []
        size = 0
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    # zipfile stops at the declared size; this guards the overall budget.
                    if size > info.file_size or size > self.budget:
                        raise IngestError(
                            "archive_bomb",
                            {"reason": "size", "limit": self.budget, "actual": size},
                        )
                    chunks.append(chunk)
                    self.deadline.check()
        except (
            zipfile.BadZipFile,
            zlib.error,
            ValueError,
            EOFError,
            OSError,
            NotImplementedError,
        ) as exc:
            # Bad CRC, damaged or truncated data, an unknown compression method…
            raise IngestError("corrupt") from exc
        self.budget -= size
        return b"".join(chunks)

    def parse(self, name: str) -> Element | None:
        if name not in self.infos:
            return None
        try:
            return SafeET.fromstring(self.read(name), forbid_dtd=True)
        except (ParseError, DefusedXmlException) as exc:
            raise IngestError("corrupt") from exc


def _local(tag: str) -> tuple[str, str]:
    namespace, _, local = tag.rpartition("}")
    return namespace.lstrip("{"), local


def _main_part(reader: _PartReader) -> str | None:
    """The main document part named by the package relationships, else the usual name."""
    rels = reader.parse("_rels/.rels")
    if rels is not None:
        for rel in rels:
            if rel.get("Type", "").endswith(_OFFICE_DOCUMENT):
                target = posixpath.normpath(rel.get("Target", "").lstrip("/"))
                if target in reader.names and target.startswith("word/"):
                    return target
    return _DEFAULT_MAIN if _DEFAULT_MAIN in reader.names else None


def _what_zip(names: frozenset[str]) -> str:
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "mimetype" in names and "content.xml" in names:
        return "odf"
    return "zip"


def _style_names(reader: _PartReader) -> dict[str, str]:
    """styleId → lower-case style name (ids are localised, e.g. "1" in Chinese Word; names
    of built-in styles are always English, e.g. "heading 1")."""
    root = reader.parse("word/styles.xml")
    names: dict[str, str] = {}
    if root is None:
        return names
    for style in root:
        namespace, local = _local(style.tag)
        if namespace not in _W or local != "style":
            continue
        style_id = style.get(f"{{{namespace}}}styleId")
        name = next((child for child in style if _local(child.tag)[1] == "name"), None)
        if style_id and name is not None:
            names[style_id] = (name.get(f"{{{namespace}}}val") or "").lower()
    return names


def _core_title(reader: _PartReader) -> str | None:
    root = reader.parse("docProps/core.xml")
    if root is None:
        return None
    for element in root:
        if _local(element.tag)[1] == "title" and element.text and element.text.strip():
            return element.text.strip()
    return None


@dataclass(slots=True)
class _Paragraph:
    parts: list[str] = field(default_factory=list)
    style: str | None = None


class _Body:
    """Streams document.xml into paragraphs of text."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.paragraphs: list[str] = []
        self.styles: list[str | None] = []
        self.tracked_changes = False

    def parse(self, xml: bytes) -> None:
        stack: list[_Paragraph] = []
        run_depth = 0  # inside w:r: w:tab is a tab character, not a tab stop definition
        skip_depth = 0  # inside mc:Fallback (a duplicate of mc:Choice) or w:moveFrom
        try:
            for event, element in SafeET.iterparse(
                io.BytesIO(xml), events=("start", "end"), forbid_dtd=True
            ):
                namespace, local = _local(element.tag)
                if namespace == _MC and local == "Fallback":
                    skip_depth += 1 if event == "start" else -1
                    continue
                if namespace not in _W:
                    continue
                if local == "moveFrom":
                    skip_depth += 1 if event == "start" else -1
                    self.tracked_changes = True
                    continue
                if event == "start":
                    if local == "p":
                        stack.append(_Paragraph())
                    elif local == "r":
                        run_depth += 1
                    continue
                # end events
                if local == "r":
                    run_depth -= 1
                elif local in ("ins", "del", "moveTo"):
                    self.tracked_changes = True
                elif not stack or skip_depth:
                    if local == "p" and stack:
                        stack.pop()
                        element.clear()
                elif local == "t":
                    stack[-1].parts.append(element.text or "")
                elif run_depth and local == "tab":
                    stack[-1].parts.append("\t")
                elif run_depth and local in ("br", "cr"):
                    stack[-1].parts.append("\n")
                elif run_depth and local == "noBreakHyphen":
                    stack[-1].parts.append("-")
                elif local == "pStyle":
                    stack[-1].style = element.get(f"{{{namespace}}}val")
                elif local == "p":
                    paragraph = stack.pop()
                    self.paragraphs.append("".join(paragraph.parts))
                    self.styles.append(paragraph.style)
                    element.clear()
                    if len(self.paragraphs) % _PARAGRAPHS_PER_CHECK == 0:
                        self.deadline.check()
        except (ParseError, DefusedXmlException) as exc:
            raise IngestError("corrupt") from exc


def _first_title(body: _Body, styles: dict[str, str]) -> str | None:
    """The first paragraph in the Title or Heading 1 style."""
    for text, style in zip(body.paragraphs, body.styles, strict=True):
        if style and text.strip():
            name = styles.get(style, style.lower())
            if name in _TITLE_STYLES:
                return text
    return None
