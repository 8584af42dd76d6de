"""Ingest: uploaded documents (or pasted text) → clean plain text, or a clear refusal.

Pure Python with no Django import, so the generator, the command line and the app share it::

    from quizzes.ingest import extract, clean_text, IngestLimits, IngestError, Extracted

    extracted = extract(data, "report.docx", limits=IngestLimits(max_bytes=5 * 1024 * 1024))
    extracted.text, extracted.title, extracted.format, extracted.warnings
    text = clean_text(pasted)

Refusals are ``IngestError`` with a ``code`` from ``MESSAGES`` and ``params`` for its
placeholders; warnings are codes from ``WARNINGS``.
"""

from .errors import MESSAGES, IngestError
from .extraction import extract
from .limits import DEFAULT_LIMITS, IngestLimits
from .result import WARNINGS, Extracted
from .text import clean_text

__all__ = [
    "DEFAULT_LIMITS",
    "MESSAGES",
    "WARNINGS",
    "Extracted",
    "IngestError",
    "IngestLimits",
    "clean_text",
    "extract",
]
