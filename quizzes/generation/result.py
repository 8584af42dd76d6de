"""What ``generate`` returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from quizzes.drafts import QuestionDraft


@dataclass(frozen=True, slots=True)
class KeyPointDraft:
    """A sentence that carries one of the document's claims.

    ``start``/``end`` are offsets into the text given to ``generate``:
    ``text[start:end] == self.text``. ``score`` (>= 0, the best is 1) ranks key points."""

    ordinal: int
    text: str
    start: int
    end: int
    score: float


@dataclass(frozen=True, slots=True)
class GenerationResult:
    """Key points in document order, the drafts that passed every gate, and statistics:
    ``kinds`` and ``builders`` (drafts per kind and per builder), ``gates`` (passed and
    failed per gate), ``duplicates_removed``, ``paragraphs`` (total, covered, share),
    ``candidates`` (per type), ``timings`` (seconds per stage) and a few counts."""

    language: str
    key_points: list[KeyPointDraft] = field(default_factory=list)
    drafts: list[QuestionDraft] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
