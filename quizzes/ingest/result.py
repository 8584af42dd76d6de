"""What a successful ingest returns, and the warnings it may carry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Format = Literal["txt", "docx", "pdf", "md", "html"]

# Warning codes: the file was read, but the organizer may want to check the text.
WARNINGS: dict[str, str] = {
    "encoding_uncertain": (
        "The text was read as GB18030, but it does not look like ordinary Simplified Chinese; "
        "check that the characters are right."
    ),
    "replacement_characters": "Some characters could not be read and show as �.",
    "utf8_truncated": (
        "The file ends in the middle of a character, as if it had been cut off; that last "
        "character was left out. Check that the end of the text is all there."
    ),
    "utf8_repaired": (
        "A few bytes of the file are not valid UTF-8; each shows as �. Check the text around them."
    ),
    "pages_without_text": (
        "Some pages have no text (perhaps scanned images); their content is missing."
    ),
    "unreadable_pages": "Some pages could not be read; their content is missing.",
    "tracked_changes": (
        "The document has tracked changes; the text is read as if all of them were accepted."
    ),
    "hard_wraps_joined": "Lines broken in the middle of a sentence were joined.",
    "datelines_removed": "News datelines were removed.",
    "captions_removed": "Photo captions were removed.",
    "metadata_removed": "Source, release-time and editor lines were removed.",
    "page_chrome_removed": "Web-page leftovers (menus, related links) at the end were removed.",
}


@dataclass(frozen=True, slots=True)
class Extracted:
    """Clean text of an uploaded document.

    ``text`` has one paragraph per line, paragraphs separated by exactly one blank line.
    ``encoding`` is set for text formats ("utf-8", "utf-8-sig" or "gb18030"); ``pages`` for
    PDFs. ``warnings`` are keys of ``WARNINGS``.
    """

    text: str
    title: str
    format: Format
    encoding: str | None = None
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)
