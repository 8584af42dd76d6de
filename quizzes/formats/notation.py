"""How a blank's accepted answers are written for people: on pages, and in the question
editor, where an organizer types them. Pure Python, no Django.

Shown (``answer_display``): ``Cat (50 %)``, ``3.1415 ± 0.0005``, ``−5 … 5``.

Typed (``parse_answers`` / ``format_answers``): one answer per line, or several on a line
separated by ``|``; each is ::

    answer  [(credit %)]  [# feedback]

where *answer* is a text, ``number ± tolerance`` (``+-`` and ``+/-`` too), ``low … high``
(``..`` too), or ``"text"`` in double quotes to take it literally (when it would read as
a number, or holds ``|``, a line break or `` #``; a quote inside it is doubled, as in
CSV: ``"5 "" = 5 inches"``). A number needs its tolerance to be graded as a number:
``3 ± 0``; a plain ``3`` is a text answer (which still matches 3.0 or 三). The credit is a
per cent from 0 to 100 (``(50 %)``, ``（50％）``); without it an answer earns 100 %.
``format_answers`` writes what ``parse_answers`` reads back as the same answers.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from quizzes.drafts import (
    FULL_CREDIT,
    AnswerDraft,
    number_text,
    numeric_answer,
    range_answer,
)

_NUM = r"[+\-\u2212－]?\s*(?:\d+(?:\.\d+)?|\.\d+)"
_RANGE = re.compile(rf"^({_NUM})\s*(?:\.\.\.?|…|～)\s*({_NUM})$")
_TOLERANCE = re.compile(rf"^({_NUM})\s*(?:±|\+/-|\+-)\s*({_NUM})$")
_CREDIT = re.compile(r"[(（]\s*([+\-]?\d+(?:\.\d+)?)\s*[%％]\s*[)）]\s*$")
_FEEDBACK = re.compile(r"(?:^|(?<=[\s)）]))#")


class NotationError(ValueError):
    """An answer the notation cannot read; ``code`` says why, ``text`` which one."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text


def credit_text(credit: Decimal) -> str:
    return f"{number_text(credit)} %"


def answer_display(text: str, credit: Decimal = FULL_CREDIT) -> str:
    """An accepted answer as pages show it: its text (a numeric answer's text is its
    label), with its credit when below 100 %."""
    return text if credit == FULL_CREDIT else f"{text} ({credit_text(credit)})"


def _number(text: str) -> Decimal:
    cleaned = re.sub(r"\s+", "", text).replace("\u2212", "-").replace("－", "-")
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the patterns only let numbers through
        raise NotationError("bad_number", text) from None


# What may follow the quote that closes a quoted answer (or feedback): its end, a line
# break, "|", a feedback "#" or a credit.
_CLOSES = re.compile(r"[ \t]*(?:$|[\n|｜#(（])")


def _quote(text: str) -> str:
    """``text`` in double quotes; a quote inside is doubled, as in CSV."""
    return '"' + text.replace('"', '""') + '"'


def _unquote(text: str) -> tuple[str, bool]:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"'), True
    return text, False


def _closing_quote(text: str, start: int) -> int | None:
    """Where the quoted answer opened just before ``start`` closes: the first quote that
    is not doubled and is followed by what may follow an answer; None when it runs on to
    the end."""
    index = start
    while (index := text.find('"', index)) >= 0:
        if text.startswith('""', index):
            index += 2
        elif _CLOSES.match(text, index + 1):
            return index
        else:
            index += 1
    return None


def _split(line: str) -> list[str]:
    """The answers of a text: split on "|" and line breaks outside double quotes."""
    parts: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(line):
        char = line[index]
        before = "".join(current).rstrip()
        if char == '"' and (not before or before.endswith("#")):
            # A quote opens at the start of an answer or of its feedback.
            close = _closing_quote(line, index + 1)
            end = len(line) if close is None else close + 1
            current.append(line[index:end])
            index = end
            continue
        if char in "|｜\n":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def parse_answer(segment: str) -> AnswerDraft | None:
    """One typed answer (see the module docstring), or None for an empty one."""
    segment = segment.strip()
    if not segment:
        return None
    head, feedback = segment, ""
    start = 0
    if segment.startswith('"'):
        # A quoted answer may hold " #": look for the feedback after its closing quote.
        close = _closing_quote(segment, 1)
        start = 0 if close is None else close + 1
    if match := _FEEDBACK.search(segment, start):
        head, feedback = segment[: match.start()], _unquote(segment[match.end() :])[0]
    head = head.strip()
    credit = FULL_CREDIT
    if match := _CREDIT.search(head):
        credit = Decimal(match[1])
        head = head[: match.start()].strip()
        if not 0 <= credit <= 100:
            raise NotationError("bad_credit", segment)
    text, quoted = _unquote(head)
    if not text.strip():
        raise NotationError("empty_answer", segment)
    if not quoted:
        if match := _RANGE.match(text):
            low, high = _number(match[1]), _number(match[2])
            return range_answer(low, high, credit=credit, feedback=feedback)
        if match := _TOLERANCE.match(text):
            return numeric_answer(
                _number(match[1]), _number(match[2]), credit=credit, feedback=feedback
            )
    return AnswerDraft(text.strip(), credit, feedback=feedback.strip())


def parse_answers(text: str) -> tuple[AnswerDraft, ...]:
    """The answers typed for one blank. Raises ``NotationError``."""
    found: list[AnswerDraft] = []
    # Answers are separated by line breaks and "|", outside double quotes: a quoted
    # answer may hold either.
    for segment in _split(text.replace("\r\n", "\n").replace("\r", "\n")):
        answer = parse_answer(segment)
        if answer is not None:
            found.append(answer)
    return tuple(found)


def _needs_quotes(text: str) -> bool:
    if text != text.strip() or "\n" in text or re.search(r"[|｜]", text):
        return True
    if _FEEDBACK.search(text) or _CREDIT.search(text):
        return True
    if _RANGE.match(text) or _TOLERANCE.match(text):
        return True
    # A leading quote would open a quoted answer that runs on into the next ones.
    return text.startswith('"')


def format_answer(answer: AnswerDraft) -> str:
    """One answer as typed in the editor."""
    if answer.number is not None and answer.tolerance is not None:
        # A number without tolerance says so, or it would read back as a text answer.
        text = answer.text if answer.is_range or answer.tolerance else f"{answer.text} ± 0"
    else:
        text = _quote(answer.text) if _needs_quotes(answer.text) else answer.text
    if answer.credit != FULL_CREDIT:
        text += f" ({credit_text(answer.credit)})"
    if answer.feedback:
        feedback = answer.feedback.replace("\n", " ")
        if "|" in feedback or "｜" in feedback or feedback.startswith('"'):
            feedback = _quote(feedback)
        text += f" # {feedback}"
    return text


def format_answers(answers: tuple[AnswerDraft, ...]) -> str:
    """A blank's answers as the editor shows them: plain ones on one line with " | "
    between them (as they have always been typed), detailed ones one per line."""
    if all(a.is_plain and not _needs_quotes(a.text) for a in answers):
        return " | ".join(a.text for a in answers)
    return "\n".join(format_answer(a) for a in answers)
