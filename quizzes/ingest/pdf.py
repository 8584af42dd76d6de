"""PDF files through pypdf (pure Python): the text layer, page by page, under a deadline."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

from .errors import IngestError
from .limits import Deadline, IngestLimits
from .raw import RawDocument
from .sniff import looks_like_pdf, sniff

# A line that is only a page number ("12", "- 12 -", "第12页", "Page 3 of 10").
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?\d{1,4}(?:\s*[-–—])?$"
    r"|^第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?$"
    r"|^(?:page\s+)?\d{1,4}\s*(?:of|/)\s*\d{1,4}$",
    re.IGNORECASE,
)
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
# pypdf puts a space between CJK glyphs that a PDF places one by one: 中 国 共 产 党.
_CJK_GAP = re.compile(rf"(?<=[{_WIDE}]) (?=[{_WIDE}])")
_CJK_CHAR = re.compile(rf"[{_WIDE}]")
_JUNK_TITLES = re.compile(
    r"^(?:untitled|无标题|title|document\d*|microsoft (?:word|powerpoint) - .*"
    r"|.*\.(?:docx?|wps|pdf|txt|pptx?))$",
    re.IGNORECASE,
)


@contextmanager
def _pypdf_errors() -> Iterator[None]:
    """pypdf raises many kinds of exception on malformed input; each becomes a refusal."""
    try:
        yield
    except IngestError:
        raise
    except LimitReachedError as exc:  # a stream that inflates past pypdf's own limit
        raise IngestError("archive_bomb", {"reason": "stream"}) from exc
    except (DependencyError, FileNotDecryptedError) as exc:
        raise IngestError("encrypted_pdf") from exc
    except Exception as exc:
        raise IngestError("corrupt") from exc


def read_pdf(data: bytes, *, limits: IngestLimits, deadline: Deadline) -> RawDocument:
    if not looks_like_pdf(data):
        raise IngestError("wrong_type", {"detected": sniff(data) or "unknown"})
    with _pypdf_errors():
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            # An owner password alone (printing or copying restricted) opens with "".
            raise IngestError("encrypted_pdf")
        deadline.check()
        count = len(reader.pages)
    if count > limits.max_pages:
        raise IngestError("too_many_pages", {"pages": count, "limit": limits.max_pages})

    pages: list[str] = []
    empty = unreadable = 0
    for index in range(count):
        deadline.check()
        try:
            with _pypdf_errors():
                text = reader.pages[index].extract_text()
        except IngestError as exc:
            if exc.code != "corrupt":
                raise
            unreadable += 1
            continue
        lines = _page_lines(text)
        if not lines:
            empty += 1
        pages.append("\n".join(lines))
    if count and unreadable == count:
        raise IngestError("corrupt")

    warnings = []
    if empty and empty + unreadable < count:
        warnings.append("pages_without_text")
    if unreadable:
        warnings.append("unreadable_pages")
    # Pages join with a single line break: a paragraph may go on over the page break.
    return RawDocument(
        text="\n".join(page for page in pages if page),
        title=_metadata_title(reader),
        pages=count,
        warnings=warnings,
    )


def _page_lines(text: str) -> list[str]:
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    # Page numbers stand first or last on a page.
    if lines and _PAGE_NUMBER.match(lines[-1]):
        lines.pop()
    if lines and _PAGE_NUMBER.match(lines[0]):
        lines.pop(0)
    return [_close_cjk_gaps(line) for line in lines]


def _close_cjk_gaps(line: str) -> str:
    """Remove the spaces pypdf leaves between CJK characters, when it did so throughout
    (a line where most CJK neighbours are spaced); deliberate single spaces stay."""
    gaps = len(_CJK_GAP.findall(line))
    if gaps >= 3 and gaps >= 0.5 * len(_CJK_CHAR.findall(line)):
        return _CJK_GAP.sub("", line)
    return line


def _metadata_title(reader: PdfReader) -> str | None:
    try:
        metadata = reader.metadata
        title = metadata.title if metadata is not None else None
    except Exception:  # metadata is a nicety: a broken info dictionary is ignored
        return None
    if not isinstance(title, str):
        return None
    title = title.strip()
    if not title or _JUNK_TITLES.match(title):
        return None
    return title
