"""Numbers in both languages: reading them, writing them back in the style they came in
(``12th``, ``five``, ``十九``, ``二〇二〇``), accepted spellings for a blank, and
near-miss values that make plausible distractors."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from quizzes.grading import chinese_to_int

EN_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
EN_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
EN_ORDINAL_UNITS = [
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
EN_ORDINAL_TENS = [
    "_",
    "_",
    "twentieth",
    "thirtieth",
    "fortieth",
    "fiftieth",
    "sixtieth",
    "seventieth",
    "eightieth",
    "ninetieth",
]

EN_NUMBER_WORDS: dict[str, int] = {word: n for n, word in enumerate(EN_UNITS)}
EN_NUMBER_WORDS.update({word: n * 10 for n, word in enumerate(EN_TENS) if n >= 2})
EN_NUMBER_WORDS["hundred"] = 100
EN_ORDINAL_WORDS: dict[str, int] = {word: n for n, word in enumerate(EN_ORDINAL_UNITS) if n}
EN_ORDINAL_WORDS.update({word: n * 10 for n, word in enumerate(EN_ORDINAL_TENS) if n >= 2})

ZH_NUMERAL_CHARS = "零〇○一二两三四五六七八九十百千万亿"
_ZH_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True, slots=True)
class Number:
    value: int
    # digits | word | ordinal_digits | ordinal_word | zh | zh_year | percent_digits
    style: str
    text: str


def read_english(text: str) -> Number | None:
    lowered = text.lower()
    if re.fullmatch(r"\d+", text):
        return Number(int(text), "digits", text)
    match = re.fullmatch(r"(\d+)(st|nd|rd|th)", lowered)
    if match:
        return Number(int(match.group(1)), "ordinal_digits", text)
    if lowered in EN_NUMBER_WORDS:
        return Number(EN_NUMBER_WORDS[lowered], "word", text)
    if lowered in EN_ORDINAL_WORDS:
        return Number(EN_ORDINAL_WORDS[lowered], "ordinal_word", text)
    match = re.fullmatch(r"(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(\w+)", lowered)
    if match:
        tens = EN_NUMBER_WORDS[match.group(1)]
        unit = match.group(2)
        if unit in EN_NUMBER_WORDS and EN_NUMBER_WORDS[unit] < 10:
            return Number(tens + EN_NUMBER_WORDS[unit], "word", text)
        if unit in EN_ORDINAL_WORDS and EN_ORDINAL_WORDS[unit] < 10:
            return Number(tens + EN_ORDINAL_WORDS[unit], "ordinal_word", text)
    return None


def read_chinese(text: str) -> Number | None:
    if re.fullmatch(r"\d+", text):
        return Number(int(text), "digits", text)
    value = chinese_to_int(text)
    if value is None:
        return None
    digit_by_digit = len(text) >= 3 and all(ch in "零〇○一二三四五六七八九" for ch in text)
    return Number(value, "zh_year" if digit_by_digit else "zh", text)


def english_words(n: int) -> str:
    if n < 20:
        return EN_UNITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return EN_TENS[tens] + (f"-{EN_UNITS[unit]}" if unit else "")
    if n == 100:
        return "one hundred"
    return str(n)


def english_ordinal_word(n: int) -> str:
    if n < 20:
        return EN_ORDINAL_UNITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return EN_ORDINAL_TENS[tens] if not unit else f"{EN_TENS[tens]}-{EN_ORDINAL_UNITS[unit]}"
    return ordinal_suffix(n)


def ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }".replace(" ", "")


def chinese_numeral(n: int) -> str:
    """Standard Chinese numeral: 19 → 十九, 120 → 一百二十, 540000 → 五十四万."""
    if n == 0:
        return "零"
    if n >= 100_000_000:
        high, low = divmod(n, 100_000_000)
        return chinese_numeral(high) + "亿" + (_zero_pad(low, 10_000_000) if low else "")
    if n >= 10_000:
        high, low = divmod(n, 10_000)
        return chinese_numeral(high) + "万" + (_zero_pad(low, 1000) if low else "")
    digits: list[str] = []
    units = ((1000, "千"), (100, "百"), (10, "十"))
    rest = n
    zero = False
    for size, unit in units:
        digit, rest = divmod(rest, size)
        if digit:
            if zero:
                digits.append("零")
                zero = False
            digits.append(_ZH_DIGITS[digit] + unit)
        elif digits:
            zero = True
    if rest:
        if zero:
            digits.append("零")
        digits.append(_ZH_DIGITS[rest])
    text = "".join(digits)
    return text[1:] if text.startswith("一十") else text


def _zero_pad(low: int, threshold: int) -> str:
    return ("零" if low < threshold else "") + chinese_numeral(low)


def render(number: Number, value: int) -> str:
    """``value`` written in the style of ``number`` (case kept for English words)."""
    style = number.style
    if style == "digits":
        return str(value)
    if style == "ordinal_digits":
        return ordinal_suffix(value)
    if style in {"word", "ordinal_word"}:
        word = english_words(value) if style == "word" else english_ordinal_word(value)
        if number.text[:1].isupper():
            word = word[:1].upper() + word[1:]
        return word
    if style == "zh_year":
        zero = next((ch for ch in number.text if ch in "零〇○"), "〇")
        return "".join(zero if d == "0" else _ZH_DIGITS[int(d)] for d in str(value))
    text = chinese_numeral(value)
    if "两" in number.text and text.startswith("二") and value < 10:
        text = "两" + text[1:]
    return text


def near_values(
    value: int, kind: str, *, durations: tuple[int, ...], years: tuple[int, ...]
) -> list[int]:
    """Plausible wrong values for ``value``, most plausible first."""
    options: list[int] = []
    if kind == "year":
        options += sorted(
            (y for y in years if 0 < abs(y - value) <= 40), key=lambda y: abs(y - value)
        )
        options += [value + 5, value - 5, value + 10, value - 10, value + 1, value - 1]
    elif kind == "ordinal":
        options += [value - 1, value + 1, value + 2, value - 2]
    elif kind == "duration":
        # Round spans stay round: "三十年" → 二十, 五十, not 二十九.
        near = {value * 2} if value >= 10 and value % 5 == 0 else {value - 1, value + 1, value * 2}
        if value % 2 == 0:
            near.add(value // 2)
        pool = set(durations) | near

        options += sorted(
            (d for d in pool if d > 0 and d != value), key=lambda d: (abs(math.log(d / value)), d)
        )
    elif kind == "percent":
        # Near the key's own size: a 5 % target is wrong as 4 % or 6 %, not as 15 %.
        if value <= 10:
            options += [value + 1, value - 1, value + 2, value - 2]
        elif value <= 30:
            options += [value + 2, value - 2, value + 5, value - 5]
        else:
            options += [value + 5, value - 5, value + 10, value - 10]
        options = [v for v in options if 0 < v <= 100]
    elif value <= 12:
        options += [value + 1, value - 1, value + 2, value * 2, value - 2]
    else:
        digits = len(str(value))
        keep = 2 if digits >= 2 else 1
        step = 10 ** max(0, digits - keep)
        for factor in (0.8, 1.25, 0.6, 1.5, 0.5, 2.0):
            options.append(max(step, round(value * factor / step) * step))
    seen: set[int] = {value}
    result: list[int] = []
    for option in options:
        if option > 0 and option not in seen:
            seen.add(option)
            result.append(option)
    return result


def accepted_spellings(number: Number, language: str) -> tuple[str, ...]:
    """What a learner may type for a number blank (grading already matches Chinese and
    Arabic numerals of the same value)."""
    spellings = [number.text]
    value = number.value
    if number.style in {"word", "digits"} and language == "en":
        spellings += [str(value), english_words(value)]
    elif number.style in {"ordinal_digits", "ordinal_word"}:
        spellings += [ordinal_suffix(value), english_ordinal_word(value), str(value)]
    elif number.style in {"zh", "zh_year"}:
        spellings += [str(value), chinese_numeral(value)]
    unique: list[str] = []
    for spelling in spellings:
        if spelling.casefold() not in (s.casefold() for s in unique):
            unique.append(spelling)
    return tuple(unique)
