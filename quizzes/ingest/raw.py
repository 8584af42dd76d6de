"""What a format reader hands to the cleaning step."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class RawDocument:
    """Text as a format gives it (paragraphs separated by blank lines where the format
    knows them), a title the format itself names (a heading, metadata), and notes."""

    text: str
    title: str | None = None
    encoding: str | None = None
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)
