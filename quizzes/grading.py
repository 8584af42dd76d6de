"""Grading: pure, typed Python, no Django import. Every function returns a fraction of the
item's points in [0, 1] as an exact ``Fraction``; the caller scales by the item's points.

- single choice and true/false: 1 or 0;
- multiple choice: each right choice selected adds 1/n_right, each wrong one subtracts
  1/n_right, floored at 0;
- blanks: each blank graded alone after normalisation, the item's mark is the mean.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from fractions import Fraction

ZERO = Fraction(0)
ONE = Fraction(1)


def grade_single(selected: Collection[int], correct: int) -> Fraction:
    """Single choice: full mark for exactly the right choice, else nothing."""
    return ONE if set(selected) == {correct} else ZERO


def grade_true_false(selected: Collection[int], correct: int) -> Fraction:
    return grade_single(selected, correct)


def grade_multiple(selected: Collection[int], correct: Collection[int]) -> Fraction:
    """Multiple choice with partial credit, floored at 0."""
    right = set(correct)
    if not right:
        return ZERO
    chosen = set(selected)
    step = Fraction(1, len(right))
    mark = step * len(chosen & right) - step * len(chosen - right)
    return max(ZERO, min(ONE, mark))


# --- blanks ------------------------------------------------------------------------------

_QUOTES = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "`": "'",
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
    }
)
_SPACE = re.compile(r"\s+")
# Punctuation that wraps an answer without being part of it.
_EDGE_PUNCT = "\"'.,;:!?。，、；：！？《》〈〉()（）[]【】"

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_CN_NUMBER = re.compile(r"^[零〇○一壹二两贰三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万萬亿億]+$")
_ARABIC_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def normalize_answer(text: str) -> str:
    """Canonical form for comparing blank answers: NFKC (full-width → half-width),
    quote variants unified, whitespace collapsed (and removed between CJK characters),
    Latin case folded, wrapping punctuation stripped."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _SPACE.sub(" ", text).strip().strip(_EDGE_PUNCT).strip()
    # Spaces carry no meaning next to CJK characters: "一 基 地" is "一基地".
    text = re.sub(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])", "", text)
    return text.casefold()


def chinese_to_int(text: str) -> int | None:
    """Value of a Chinese numeral (十九, 二〇三五, 一万二千, 两百), or None."""
    if not text or not _CN_NUMBER.match(text):
        return None
    # Digit-by-digit form without units: 二〇三五 → 2035.
    if all(ch in _CN_DIGITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total = section = digit = 0
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (digit or 1) * _CN_UNITS[ch]
            digit = 0
        else:  # 万 / 亿
            total = (total + section + digit) * _CN_BIG_UNITS[ch]
            section = digit = 0
    return total + section + digit


def as_number(text: str) -> Fraction | None:
    """The number a normalised answer stands for, in Arabic or Chinese numerals."""
    stripped = text.replace(",", "")
    if _ARABIC_NUMBER.match(stripped):
        return Fraction(stripped)
    value = chinese_to_int(stripped)
    return None if value is None else Fraction(value)


def blank_matches(response: str, accepted: Iterable[str]) -> bool:
    given = normalize_answer(response)
    if not given:
        return False
    given_number = as_number(given)
    for answer in accepted:
        expected = normalize_answer(answer)
        if given == expected:
            return True
        if given_number is not None and given_number == as_number(expected):
            return True
    return False


def grade_blanks(responses: Sequence[str], accepted: Sequence[Collection[str]]) -> Fraction:
    """Mean over blanks of 1 (matches an accepted answer) or 0; missing responses score 0."""
    if not accepted:
        return ZERO
    hits = sum(
        1
        for index, answers in enumerate(accepted)
        if index < len(responses) and blank_matches(responses[index], answers)
    )
    return Fraction(hits, len(accepted))
