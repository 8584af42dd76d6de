"""Typed answer candidates and enumerations found in the sentences of a document.

A candidate is a span of a sentence that a question can ask for: a quoted term, an item of
an enumeration, a number (ordinal, duration, year, percentage, count), a place or a name,
or a key phrase. Its type decides where its distractors come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

from quizzes.generation.numbers import Number
from quizzes.generation.segment import Tokens
from quizzes.grading import normalize_answer

QUOTED = "quoted"
ENUM_ITEM = "enum_item"
ORDINAL = "ordinal"
DURATION = "duration"
YEAR = "year"
PERCENT = "percent"
NUMBER = "number"
PLACE = "place"
NAME = "name"
PHRASE = "phrase"

NUMERIC_TYPES = frozenset({ORDINAL, DURATION, YEAR, PERCENT, NUMBER})
# Order in which a key point's candidates are preferred as the answer of a question.
TYPE_PRIORITY = {
    QUOTED: 0,
    ORDINAL: 1,
    DURATION: 1,
    YEAR: 1,
    ENUM_ITEM: 2,
    PERCENT: 3,
    NUMBER: 3,
    PLACE: 4,
    NAME: 4,
    PHRASE: 5,
}


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Comparison form of a term: the blank-grading normalisation, hyphens as spaces."""
    return normalize_answer(text).replace("-", " ")


@dataclass(frozen=True, slots=True)
class Candidate:
    type: str
    text: str  # the answer as it stands in the clean text
    start: int  # clean offsets of ``text``
    end: int
    sentence: int
    weight: float = 1.0
    number: Number | None = None
    enumeration: int | None = None  # index into ``Analysis.enumerations``
    # For a quoted term: the quote marks stay in the stem around the gap.
    quoted: bool = False

    @property
    def folded(self) -> str:
        return fold(self.text)


@dataclass(frozen=True, slots=True)
class Enumeration:
    index: int
    sentence: int
    items: tuple[Candidate, ...]
    start: int  # clean span from the first item's start to the last item's end
    end: int
    # What the items are items of, when the text says so ("new development concept",
    # "发展理念"); "" when it does not.
    head: str = ""


@dataclass(slots=True)
class Analysis:
    """What the language-specific analysis found, per sentence of the document."""

    keyword_score: list[float]
    cue_score: list[float]
    candidates: list[list[Candidate]]
    enumerations: list[Enumeration] = field(default_factory=list)
    # Capitalised words seen mid-sentence (English): kept capitalised in stems.
    proper_words: frozenset[str] = frozenset()
    # Content words of the document, for distractors that share a list's pattern.
    vocabulary: tuple[str, ...] = ()
    # The document's words with their offsets (Chinese), for word-boundary checks.
    tokens: Tokens | None = None


def overlaps(a: Candidate, b: Candidate) -> bool:
    return a.start < b.end and b.start < a.end


def add_candidate(found: list[Candidate], candidate: Candidate) -> None:
    """Add unless a candidate of a stronger type already covers the same span; a list item
    keeps its list either way (a quoted term in a list is both)."""
    for index, other in enumerate(found):
        if other.start == candidate.start and other.end == candidate.end:
            stronger, weaker = (
                (candidate, other)
                if TYPE_PRIORITY[candidate.type] < TYPE_PRIORITY[other.type]
                else (other, candidate)
            )
            enumeration = (
                stronger.enumeration if stronger.enumeration is not None else weaker.enumeration
            )
            found[index] = replace(stronger, enumeration=enumeration)
            return
    found.append(candidate)
