"""How questions are shown: lettered choices, a stem split around its blanks, a word-level
diff of two texts, short stems for messages and plain numbers.

Pure Python and no query: templates get what these build through the views and the
selectors that read for them, and the services name a question in a message with
``short_stem``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.text import Truncator

from quizzes.drafts import BLANK_MARKER


def choice_letter(index: int) -> str:
    """A, B, C, … for the 0-based ``index`` of a choice."""
    return chr(ord("A") + index) if index < 26 else str(index + 1)


@dataclass(frozen=True)
class StemPart:
    """A piece of a fill-in-the-blank stem: text, or (``blank`` set) an input holding
    ``response``."""

    text: str = ""
    blank: int | None = None  # 1-based blank number, or None for plain text
    response: str = ""


def stem_parts(stem: str, responses: dict[int, str] | None = None) -> list[StemPart]:
    """The stem split into text and numbered blanks (runs of three or more underscores),
    for rendering blanks as inputs; ``responses`` fills them (a learner's answers)."""
    responses = responses or {}
    parts: list[StemPart] = []
    position = 0
    for number, match in enumerate(BLANK_MARKER.finditer(stem), start=1):
        if match.start() > position:
            parts.append(StemPart(text=stem[position : match.start()]))
        parts.append(StemPart(blank=number, response=responses.get(number, "")))
        position = match.end()
    if position < len(stem):
        parts.append(StemPart(text=stem[position:]))
    return parts


# Latin words and numbers are compared whole; every other character (Chinese has no spaces
# between words) on its own, so a changed character shows as one change, not a whole line.
_TOKEN = re.compile(r"[A-Za-z0-9]+|\s+|.", re.DOTALL)


@dataclass(frozen=True)
class DiffSegment:
    op: str  # "equal", "insert" or "delete"
    text: str


def word_diff(old: str, new: str) -> list[DiffSegment]:
    """``new`` compared with ``old`` as segments to show: kept, inserted, deleted text."""
    before, after = _TOKEN.findall(old), _TOKEN.findall(new)
    segments: list[DiffSegment] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(DiffSegment("equal", "".join(after[j1:j2])))
            continue
        if tag in ("delete", "replace"):
            segments.append(DiffSegment("delete", "".join(before[i1:i2])))
        if tag in ("insert", "replace"):
            segments.append(DiffSegment("insert", "".join(after[j1:j2])))
    return segments


def short_stem(stem: str) -> str:
    """A stem short enough to name a question in a message."""
    return Truncator(" ".join(stem.split())).chars(60)


def plain_number(value: Decimal) -> str:
    """``Decimal("2.50")`` as ``"2.5"`` and ``Decimal("10.00")`` as ``"10"``."""
    return f"{value.normalize():f}"
