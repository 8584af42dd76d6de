"""Aiken format: ``read_aiken`` and ``write_aiken``. Pure Python, no Django.

An Aiken question is a question line, two or more options ``A. text`` or ``A) text``, and
an ``ANSWER: B`` line::

    What is the capital of France?
    A. Berlin
    B) Paris
    ANSWER: B

Reading is tolerant: blank lines between questions are optional, a question may run over
several lines (joined with a newline), the colon may be full-width (``ANSWER：B``) and
option letters may be followed by ``．`` or ``）``. Every question read is ``single``.
Errors (``FormatIssue(severity="error")`` at the question's first line, no draft; reading
goes on): ``missing_answer`` (no ``ANSWER:`` line before the next question or the end),
``bad_answer`` (the answer is not one option letter), ``too_few_choices`` (fewer than two
options), ``duplicate_option`` (a letter used twice), ``no_question`` (an ``ANSWER:`` line
with no question), ``invalid_question`` (the draft fails ``QuestionDraft.problems()``).

Writing: Aiken holds only single-choice questions without feedback or explanation.
``write_aiken`` writes the ``single`` drafts (at most 26 choices) and skips every other
draft; ``export_aiken`` returns the text and the indexes of the skipped drafts, and
``aiken_problem`` says why a draft is skipped. Newlines in the stem or a choice are written
as spaces; choice feedback, explanation, tags and difficulty are not written, so a round
trip gives equal drafts for single-line, feedback-free single-choice questions.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.formats.base import FormatIssue, ParsedQuestion, ParseResult

_OPTION_RE = re.compile(r"^([A-Z])\s*[.)．）]\s*(.*)$")
_ANSWER_RE = re.compile(r"^ANSWER\s*[:：]\s*(.*)$", re.I)


@dataclass(slots=True)
class _Pending:
    line: int
    stem: list[str]
    options: dict[str, str] = field(default_factory=dict)


def _title(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_aiken(text: str) -> ParseResult:
    """Read Aiken text into single-choice drafts and located issues."""
    result = ParseResult()
    pending: _Pending | None = None
    broken = False  # the pending question already has an error (e.g. a duplicate letter)

    def fail(question: _Pending | int, code: str, message: str) -> None:
        if isinstance(question, int):
            result.issues.append(FormatIssue(question, "error", code, message))
        else:
            title = _title("\n".join(question.stem))
            result.issues.append(FormatIssue(question.line, "error", code, message, title))

    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if answer := _ANSWER_RE.match(line):
            if pending is None:
                fail(number, "no_question", "An ANSWER line has no question before it.")
            elif not broken:
                _finish(pending, answer[1].strip(), result, fail)
            pending, broken = None, False
            continue
        option = _OPTION_RE.match(line)
        if option and pending is not None:
            letter, choice = option[1], option[2].strip()
            if letter in pending.options and not broken:
                fail(pending, "duplicate_option", f"Option {letter} appears twice.")
                broken = True
            pending.options[letter] = choice
            continue
        if pending is not None and pending.options:
            if not broken:
                fail(pending, "missing_answer", "The question has no ANSWER line.")
            pending, broken = None, False
        if pending is None:
            pending = _Pending(number, [line])
        else:
            pending.stem.append(line)
    if pending is not None and not broken:
        fail(pending, "missing_answer", "The question has no ANSWER line.")
    return result


def _finish(
    pending: _Pending,
    answer: str,
    result: ParseResult,
    fail: Callable[[_Pending, str, str], None],
) -> None:
    if len(pending.options) < 2:
        fail(pending, "too_few_choices", "A question needs at least two options.")
        return
    if answer not in pending.options:
        fail(pending, "bad_answer", f"The answer {answer!r} is not one of the option letters.")
        return
    choices = tuple(ChoiceDraft(text, letter == answer) for letter, text in pending.options.items())
    draft = QuestionDraft("single", "\n".join(pending.stem), choices=choices)
    if problems := draft.problems():
        fail(pending, "invalid_question", "The question is not usable: " + ", ".join(problems))
        return
    result.questions.append(ParsedQuestion(draft, pending.line, _title(draft.stem)))


# --- writing -------------------------------------------------------------------------------


def aiken_problem(draft: QuestionDraft) -> str | None:
    """Why ``draft`` cannot be written as Aiken, as a code; None when it can."""
    if draft.kind != "single":
        return "not_single_choice"
    if draft.problems():
        return "invalid_draft"
    if len(draft.choices) > len(string.ascii_uppercase):
        return "too_many_choices"
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def export_aiken(drafts: Iterable[QuestionDraft]) -> tuple[str, list[int]]:
    """Aiken text of the single-choice drafts, and the indexes of the drafts skipped."""
    parts: list[str] = []
    skipped: list[int] = []
    for index, draft in enumerate(drafts):
        if aiken_problem(draft):
            skipped.append(index)
            continue
        lines = [_one_line(draft.stem)]
        answer = ""
        for letter, choice in zip(string.ascii_uppercase, draft.choices, strict=False):
            lines.append(f"{letter}. {_one_line(choice.text)}")
            answer = letter if choice.correct else answer
        lines.append(f"ANSWER: {answer}")
        parts.append("\n".join(lines))
    return ("\n\n".join(parts) + "\n" if parts else ""), skipped


def write_aiken(drafts: Iterable[QuestionDraft]) -> str:
    """Aiken text of the single-choice drafts; other drafts are skipped (see
    ``export_aiken`` for their indexes)."""
    return export_aiken(drafts)[0]
