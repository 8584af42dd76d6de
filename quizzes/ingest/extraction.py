"""``extract``: bytes and a file name in, clean text or a refusal out."""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from .docx import read_docx
from .errors import IngestError
from .limits import DEFAULT_LIMITS, Deadline, IngestLimits
from .markup import read_html, read_markdown
from .pdf import read_pdf
from .raw import RawDocument
from .result import Extracted, Format
from .text import clean, first_usable, guess_title
from .txt import read_txt

Reader = Callable[..., RawDocument]

# Extension → (format, reader). Old .doc, .rtf, .odt and images are not read.
_FORMATS: dict[str, tuple[Format, Reader]] = {
    ".txt": ("txt", read_txt),
    ".text": ("txt", read_txt),
    ".docx": ("docx", read_docx),
    ".pdf": ("pdf", read_pdf),
    ".md": ("md", read_markdown),
    ".markdown": ("md", read_markdown),
    ".html": ("html", read_html),
    ".htm": ("html", read_html),
}
# Formats whose empty result means "no text layer" rather than "empty file".
_LAYOUT_FORMATS = frozenset({"docx", "pdf"})


def extract(data: bytes, filename: str, *, limits: IngestLimits = DEFAULT_LIMITS) -> Extracted:
    """Read an uploaded document and return its clean text.

    Checks run cheapest first: size, extension, emptiness, then the format's own limits
    (zip directory before decompressing, page count before extracting) under a deadline of
    ``limits.time_limit_seconds``. Raises ``IngestError`` whose params always include
    ``filename`` and ``extension``. Writes nothing anywhere.
    """
    deadline = Deadline(limits.time_limit_seconds)
    name = posixpath.basename(filename.replace("\\", "/"))
    extension = posixpath.splitext(name)[1].lower()
    context = {"filename": name, "extension": extension}
    try:
        return _extract(data, extension, limits, deadline)
    except IngestError as exc:
        for key, value in context.items():
            exc.params.setdefault(key, value)
        raise


def _extract(data: bytes, extension: str, limits: IngestLimits, deadline: Deadline) -> Extracted:
    if len(data) > limits.max_bytes:
        raise IngestError(
            "too_large",
            {
                "limit_mb": _megabytes(limits.max_bytes),
                "size_mb": _megabytes(len(data)),
            },
        )
    if extension not in _FORMATS:
        raise IngestError("unsupported_type")
    if not data:
        raise IngestError("empty")
    fmt, reader = _FORMATS[extension]
    raw = reader(data, limits=limits, deadline=deadline)
    cleaned = clean(raw.text, deadline=deadline)
    if not cleaned.text:
        if fmt in _LAYOUT_FORMATS:
            raise IngestError("no_text", {"pages": raw.pages} if raw.pages else {})
        raise IngestError("empty")
    warnings = list(raw.warnings)
    if "\ufffd" in cleaned.text:
        warnings.append("replacement_characters")
    warnings.extend(cleaned.warnings)
    return Extracted(
        text=cleaned.text,
        title=first_usable([raw.title]) or guess_title(cleaned.text),
        format=fmt,
        encoding=raw.encoding,
        pages=raw.pages,
        warnings=list(dict.fromkeys(warnings)),
    )


def _megabytes(size: int) -> str:
    """Whole megabytes where exact (10), else one decimal (0.5)."""
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"
