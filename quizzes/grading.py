"""Grading: pure, typed Python, no Django import. Every function returns a fraction of the
item's points in [0, 1] as an exact ``Fraction``; the caller scales by the item's points.

- single choice and true/false: 1 or 0;
- multiple choice: each right choice selected adds 1/n_right, each wrong one subtracts
  1/n_right, floored at 0;
- blanks: each blank graded alone, the item's mark is the mean. A blank earns the best
  credit among the accepted answers its response matches, as Moodle does: a text answer
  matches after normalisation (or when both read as the same number); a numeric answer
  matches a response that reads as a number within number ± tolerance (full-width digits,
  Chinese numerals, a thousands separator, or a decimal comma where it cannot be one).

The end of the module scores a *stored* item (``item_grade``): the same rules applied to
an attempt item's response and its pinned version's key, as the attempt services, the
regrade and the learner's pages read them. It takes anything shaped like those rows (see
the protocols), so it stays free of Django too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Protocol

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


_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$", re.I)
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_NUMBER_EDGES = " \t\n。，,;；、"


def read_number(response: str) -> Fraction | None:
    """The number a learner's response stands for, or None: "3.1415", "-5", "1e3",
    full-width "３．１４", "1,000" (thousands), "3,14" (a decimal comma: not three digits
    after it, so it cannot be a thousands separator), Chinese numerals (十九, 负五)."""
    text = unicodedata.normalize("NFKC", response).replace("\u2212", "-")
    text = re.sub(r"\s+", "", text).strip(_NUMBER_EDGES)
    if not text or len(text) > 60:
        return None
    if _GROUPED_NUMBER.match(text):
        text = text.replace(",", "")
    elif _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    if _PLAIN_NUMBER.match(text):
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None
        # An exponent as large as "1e999999" is not an answer anyone means.
        return Fraction(value) if value.is_finite() and abs(value.adjusted()) < 40 else None
    negative = text.startswith("负")
    value = chinese_to_int(text[1:] if negative else text)
    if value is None:
        return None
    return Fraction(-value if negative else value)


@dataclass(frozen=True, slots=True)
class Accepted:
    """One accepted answer of a blank as grading sees it. ``credit`` is the fraction of
    the blank's mark it earns (0..1). A numeric answer has ``low``/``high``: it matches a
    response reading as a number between them. ``text`` "*" alone is a wildcard."""

    text: str
    credit: Fraction = ONE
    low: Fraction | None = None
    high: Fraction | None = None
    feedback: str = ""

    @property
    def is_wildcard(self) -> bool:
        return self.low is None and self.text.strip() == "*"


def accepted(
    text: str,
    *,
    credit: Decimal | int = 100,
    number: Decimal | None = None,
    tolerance: Decimal | None = None,
    feedback: str = "",
) -> Accepted:
    """An ``Accepted`` from what a stored answer holds (credit in per cent)."""
    share = Fraction(Decimal(credit)) / 100
    if number is None:
        return Accepted(text, share, feedback=feedback)
    margin = Fraction(Decimal(tolerance or 0))
    centre = Fraction(Decimal(number))
    return Accepted(text, share, centre - margin, centre + margin, feedback)


def _matches(given: str, given_number: Fraction | None, answer: Accepted) -> bool:
    if answer.low is not None and answer.high is not None:
        return given_number is not None and answer.low <= given_number <= answer.high
    if answer.is_wildcard:
        return True
    expected = normalize_answer(answer.text)
    if given == expected:
        return True
    return given_number is not None and given_number == as_number(expected)


def blank_match(response: str, answers: Iterable[str | Accepted]) -> Accepted | None:
    """The accepted answer a response matches that earns the most (the first of equals),
    or None when it matches none. Credit-0 answers match too: they carry feedback."""
    given = normalize_answer(response)
    if not given:
        return None
    given_number = as_number(given)
    numeric = read_number(response)
    best: Accepted | None = None
    for answer in answers:
        if isinstance(answer, str):
            answer = Accepted(answer)
        candidate = numeric if answer.low is not None else given_number
        if _matches(given, candidate, answer) and (best is None or answer.credit > best.credit):
            best = answer
    return best


def blank_credit(response: str, answers: Iterable[str | Accepted]) -> Fraction:
    """The fraction of a blank's mark a response earns: the best credit it matches."""
    match = blank_match(response, answers)
    return match.credit if match is not None else ZERO


def blank_matches(response: str, accepted: Iterable[str | Accepted]) -> bool:
    """Whether the response earns some credit for the blank."""
    return blank_credit(response, accepted) > 0


def grade_blanks(
    responses: Sequence[str], accepted: Sequence[Collection[str | Accepted]]
) -> Fraction:
    """Mean over blanks of the credit each response earns (1 for a plain accepted answer);
    missing responses score 0."""
    if not accepted:
        return ZERO
    total = sum(
        (
            blank_credit(responses[index], answers)
            for index, answers in enumerate(accepted)
            if index < len(responses)
        ),
        ZERO,
    )
    return max(ZERO, min(ONE, total / len(accepted)))


# --- scoring a stored attempt item -------------------------------------------------------

# Scores are stored with four decimals.
SCORE_QUANTUM = Decimal("0.0001")


class _Rows(Protocol):
    """A related manager or prefetched rows: ``.all()`` gives them."""

    def all(self) -> Iterable: ...


class StoredVersion(Protocol):
    """What scoring reads of a ``QuestionVersion``: its kind and accepted answers
    (``blank_answers`` rows with ``blank``, ``text``, ``credit``, ``number``,
    ``tolerance``, ``feedback``)."""

    kind: str
    blank_answers: _Rows


class StoredItem(Protocol):
    """What scoring reads of an ``AttemptItem``: its points, its pinned version, the
    choices shown (rows with ``choice_id``, ``selected`` and ``choice.is_correct``) and the
    blanks typed (rows with ``blank`` and ``response``)."""

    points: Decimal
    question_version: StoredVersion
    choices: _Rows
    blanks: _Rows


def to_score(fraction: Fraction, points: Decimal) -> Decimal:
    """``fraction`` of ``points``, rounded half up to ``SCORE_QUANTUM``, never above
    ``points``."""
    value = Decimal(fraction.numerator) / Decimal(fraction.denominator) * points
    return min(points, value.quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP))


def blank_key(version: StoredVersion) -> dict[int, list[Accepted]]:
    """The accepted answers of each blank of ``version``, as grading reads them: with their
    credit, numeric range and feedback. Uses prefetched ``blank_answers``."""
    key: dict[int, list[Accepted]] = {}
    for answer in version.blank_answers.all():
        key.setdefault(answer.blank, []).append(
            accepted(
                answer.text,
                credit=answer.credit,
                number=answer.number,
                tolerance=answer.tolerance,
                feedback=answer.feedback,
            )
        )
    return key


def item_fraction(item: StoredItem) -> Fraction:
    """The fraction of its points one item earns, from its stored response against its
    pinned version's key: which choices are right comes from the shown choices' own
    ``Choice`` rows (every choice of the version is shown). Uses prefetched rows: load
    ``choices__choice``, ``blanks`` and ``question_version__blank_answers`` with the item."""
    version = item.question_version
    if version.kind == "blank":
        key = blank_key(version)
        responses = {b.blank: b.response for b in item.blanks.all()}
        return grade_blanks(
            [responses.get(index, "") for index in sorted(key)],
            [key[index] for index in sorted(key)],
        )
    shown = list(item.choices.all())
    selected = {c.choice_id for c in shown if c.selected}
    correct = {c.choice_id for c in shown if c.choice.is_correct}
    if version.kind == "multiple":
        return grade_multiple(selected, correct)
    return grade_single(selected, next(iter(correct), -1))


def item_grade(item: StoredItem) -> Decimal:
    """Grade one item from its stored response against its pinned version's key."""
    return to_score(item_fraction(item), item.points)
