"""Why an upload was refused: a stable code, named parameters and an English sentence.

The codes are the contract with the app, which keeps its own translated copy of
``MESSAGES``; the English here is what a person reads when nothing translates it.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, str] = {
    "empty": "The file is empty: it contains no text.",
    "too_large": "The file is larger than %(limit_mb)s MB.",
    "unsupported_type": (
        "Files like %(filename)s cannot be read; upload a .txt, .docx, .pdf, .md or .html file, "
        "or paste the text."
    ),
    "wrong_type": (
        "The content of %(filename)s does not match its extension %(extension)s; "
        "save it again in that format, or rename it to what it really is."
    ),
    "bad_encoding": (
        "The text is not in an encoding we can read; save it as UTF-8 (or GB18030/GBK) "
        "and upload it again."
    ),
    "truncated_utf8": (
        "The text is UTF-8 but ends in the middle of a character, on line %(line)s: the file "
        "seems to have been cut off. Save it again as UTF-8 and upload it again."
    ),
    "broken_utf8": (
        "The text is UTF-8 but damaged: some of its bytes, the first on line %(line)s, are "
        "not UTF-8. Save it again as UTF-8 and upload it again."
    ),
    "encrypted_pdf": "The PDF is protected by a password; remove the password and upload it again.",
    "no_text": (
        "No text was found in the file; it may be a scanned image. Upload a version with "
        "selectable text, or paste the text."
    ),
    "too_many_pages": "The document has %(pages)s pages; at most %(limit)s pages can be read.",
    "archive_bomb": (
        "The file unpacks to far more data than a document of its size should, "
        "so it was not opened."
    ),
    "timeout": "Reading the file took longer than %(seconds)s seconds, so it was stopped.",
    "corrupt": "The file is damaged and could not be read.",
}


class IngestError(Exception):
    """A refused upload. ``code`` is a key of ``MESSAGES``; ``params`` fill its placeholders
    (and may carry extra detail, such as ``detected`` for ``wrong_type``)."""

    def __init__(self, code: str, params: dict[str, Any] | None = None) -> None:
        if code not in MESSAGES:
            raise ValueError(f"unknown ingest error code: {code!r}")
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(code, self.params)

    @property
    def message(self) -> str:
        """The English sentence with its placeholders filled ("?" for a missing one)."""
        return MESSAGES[self.code] % LenientParams(self.params)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"IngestError({self.code!r}, {self.params!r})"


class LenientParams(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"
