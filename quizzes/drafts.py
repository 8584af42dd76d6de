"""``QuestionDraft``: the one interchange type for questions.

Every source of questions — the generator, each import format, an organizer's form, the
demo — produces drafts; ``quizzes.services.banks`` turns drafts into bank questions, and
exports turn versions back into drafts. Pure Python: no Django import.

Blanks are marked in the stem by a run of three or more underscores, one run per blank,
in the order of ``blanks``.

What only some sources carry about a blank's accepted answers — a credit below 100 %
(Moodle's partial-credit short answers), a number with a tolerance or a range graded
numerically (Moodle's numerical questions), feedback per answer — lives in ``answers``,
one ``AnswerDraft`` per accepted answer alongside ``blanks``. It stays empty when every
answer is a plain, full-credit text (``with_answers`` keeps drafts in that canonical form),
so every caller that only knows ``blanks`` keeps working.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from quizzes.grading import normalize_answer

Kind = Literal["single", "multiple", "true_false", "blank"]
KINDS: tuple[Kind, ...] = ("single", "multiple", "true_false", "blank")

BLANK_MARKER = re.compile(r"_{3,}")


@dataclass(frozen=True, slots=True)
class ChoiceDraft:
    text: str
    correct: bool = False
    feedback: str = ""


FULL_CREDIT = Decimal(100)
# What ``BlankAnswer`` stores: credit with 4 decimals, numbers with 12 and 18 before the point.
CREDIT_PLACES = 4
NUMBER_PLACES = 12
NUMBER_INTEGER_DIGITS = 18
# A text answer of only "*" is Moodle's "any other answer": it matches every response
# (usually at 0 % credit, to give feedback).
WILDCARD = "*"


def number_text(value: Decimal) -> str:
    """A number as it is written: no exponent, no trailing zeros ("3.1415", "100", "-5")."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _signed(value: Decimal) -> str:
    # U+2212 MINUS SIGN, as typeset; the editor reads it back, and so does grading.
    return number_text(value).replace("-", "\u2212")


def numeric_label(number: Decimal, tolerance: Decimal, is_range: bool = False) -> str:
    """The text a numeric answer is stored and shown with: "3.1415 ± 0.0005", "−5 … 5",
    "1822" (no tolerance)."""
    if is_range:
        return f"{_signed(number - tolerance)} … {_signed(number + tolerance)}"
    if tolerance:
        return f"{_signed(number)} ± {number_text(tolerance)}"
    return _signed(number)


@dataclass(frozen=True, slots=True)
class AnswerDraft:
    """One accepted answer of a blank, with what only some sources carry.

    ``credit`` is the per cent of the blank's mark this answer earns (0..100). A numeric
    answer has ``number`` and ``tolerance`` (≥ 0): any response reading as a number within
    number ± tolerance matches; ``is_range`` says it was written as low..high. Its ``text``
    is ``numeric_label(...)`` (``with_answers`` sets it)."""

    text: str
    credit: Decimal = FULL_CREDIT
    number: Decimal | None = None
    tolerance: Decimal | None = None
    is_range: bool = False
    feedback: str = ""

    @property
    def is_numeric(self) -> bool:
        return self.number is not None

    @property
    def is_plain(self) -> bool:
        """A full-credit text answer without feedback: all ``blanks`` alone can say."""
        return self.credit == FULL_CREDIT and self.number is None and not self.feedback

    def problems(self) -> list[str]:
        found: list[str] = []
        credit = self.credit
        if (
            not isinstance(credit, Decimal)
            or not credit.is_finite()
            or not 0 <= credit <= 100
            or credit != credit.quantize(Decimal(1).scaleb(-CREDIT_PLACES))
        ):
            found.append("bad_credit")
        if self.number is None:
            if self.tolerance is not None or self.is_range:
                found.append("bad_tolerance")
            return found
        limit = Decimal(10) ** NUMBER_INTEGER_DIGITS
        for value in (self.number, self.tolerance if self.tolerance is not None else Decimal(0)):
            if (
                not value.is_finite()
                or abs(value) >= limit
                or value != value.quantize(Decimal(1).scaleb(-NUMBER_PLACES))
            ):
                found.append("bad_number")
                break
        if self.tolerance is None or self.tolerance < 0:
            found.append("bad_range" if self.is_range else "bad_tolerance")
        return found


def numeric_answer(
    number: Decimal,
    tolerance: Decimal = Decimal(0),
    *,
    is_range: bool = False,
    credit: Decimal = FULL_CREDIT,
    feedback: str = "",
) -> AnswerDraft:
    """A numeric answer with its label as text."""
    label = numeric_label(number, tolerance, is_range) if tolerance >= 0 else "?"
    return AnswerDraft(label, credit, number, tolerance, is_range, feedback)


def range_answer(
    low: Decimal, high: Decimal, *, credit: Decimal = FULL_CREDIT, feedback: str = ""
) -> AnswerDraft:
    """``low..high`` as a numeric answer: its midpoint ± half its width."""
    return numeric_answer(
        (low + high) / 2, (high - low) / 2, is_range=True, credit=credit, feedback=feedback
    )


def _canonical_answers(answers: tuple[AnswerDraft, ...]) -> tuple[AnswerDraft, ...]:
    kept: dict[str, AnswerDraft] = {}
    for answer in answers:
        if answer.number is not None and answer.tolerance is not None and answer.tolerance >= 0:
            answer = replace(
                answer, text=numeric_label(answer.number, answer.tolerance, answer.is_range)
            )
        else:
            answer = replace(answer, text=answer.text.strip())
        if not answer.text:
            continue
        # The same answer twice keeps its first place and its best credit.
        earlier = kept.get(answer.text)
        if earlier is None or answer.credit > earlier.credit:
            kept[answer.text] = answer
    return tuple(kept.values())


def with_answers(
    draft: QuestionDraft, answers: tuple[tuple[AnswerDraft, ...], ...]
) -> QuestionDraft:
    """``draft`` with these accepted answers per blank: ``blanks`` gets their texts, and
    ``answers`` keeps them only when one of them says more than its text (else it is
    empty, the canonical form)."""
    canonical = tuple(_canonical_answers(tuple(per_blank)) for per_blank in answers)
    blanks = tuple(tuple(a.text for a in per_blank) for per_blank in canonical)
    detailed = any(not a.is_plain for per_blank in canonical for a in per_blank)
    return replace(draft, blanks=blanks, answers=canonical if detailed else ())


@dataclass(frozen=True, slots=True)
class QuestionDraft:
    kind: Kind
    stem: str
    choices: tuple[ChoiceDraft, ...] = ()
    # Accepted answers of each blank, in the order the blanks appear in the stem.
    blanks: tuple[tuple[str, ...], ...] = ()
    explanation: str = ""
    source_excerpt: str = ""
    source_start: int | None = None
    source_end: int | None = None
    difficulty: int = 3
    key_point_ordinal: int | None = None
    tags: tuple[str, ...] = field(default=())
    # Set by the generator: its quality score in 0..1 (the review queue shows the best
    # first) and the codes of its reasons (``quizzes.generation.quality.REASONS``).
    quality: float | None = None
    quality_reasons: tuple[str, ...] = ()
    # Per blank, the details of its accepted answers (see the module docstring); empty
    # when ``blanks`` says everything.
    answers: tuple[tuple[AnswerDraft, ...], ...] = ()

    def blank_answers(self) -> tuple[tuple[AnswerDraft, ...], ...]:
        """Every blank's accepted answers with their details, plain ones included."""
        if self.answers:
            return self.answers
        return tuple(tuple(AnswerDraft(text) for text in per_blank) for per_blank in self.blanks)

    def problems(self) -> list[str]:
        """Codes of everything that makes this draft unusable; empty when it is sound.

        Codes, not sentences: callers translate them (see ``services.banks``)."""
        found: list[str] = []
        if self.kind not in KINDS:
            return ["unknown_kind"]
        if not self.stem.strip():
            found.append("empty_stem")
        if not 1 <= self.difficulty <= 5:
            found.append("bad_difficulty")
        if (self.source_start is None) != (self.source_end is None) or (
            self.source_start is not None
            and self.source_end is not None
            and not 0 <= self.source_start < self.source_end
        ):
            found.append("bad_source_offsets")
        texts = [c.text.strip() for c in self.choices]
        correct = sum(1 for c in self.choices if c.correct)
        if self.kind == "blank":
            if self.choices:
                found.append("blank_with_choices")
            if not self.blanks:
                found.append("no_blanks")
            elif any(not [a for a in answers if normalize_answer(a)] for answers in self.blanks):
                # An answer of only spaces or punctuation normalises to nothing and could
                # never be matched, so it does not count as an accepted answer.
                found.append("blank_without_answer")
            if len(BLANK_MARKER.findall(self.stem)) != len(self.blanks):
                found.append("blank_count_mismatch")
            found += self._answer_problems()
            return found
        if self.answers:
            found.append("answers_mismatch")
        if self.blanks:
            found.append("choices_with_blanks")
        if any(not t for t in texts):
            found.append("empty_choice")
        if len({t.casefold() for t in texts}) != len(texts):
            found.append("duplicate_choices")
        if self.kind == "true_false":
            if len(self.choices) != 2 or correct != 1:
                found.append("true_false_needs_two_choices_one_correct")
        elif len(self.choices) < 2:
            found.append("too_few_choices")
        elif self.kind == "single" and correct != 1:
            found.append("single_needs_one_correct")
        elif self.kind == "multiple" and correct < 1:
            found.append("multiple_needs_a_correct_choice")
        return found

    def _answer_problems(self) -> list[str]:
        if not self.answers:
            return []
        found: list[str] = []
        if tuple(tuple(a.text for a in per_blank) for per_blank in self.answers) != self.blanks:
            found.append("answers_mismatch")
        for per_blank in self.answers:
            for answer in per_blank:
                found += [code for code in answer.problems() if code not in found]
            full = any(a.credit == FULL_CREDIT for a in per_blank)
            if per_blank and not full and "no_full_credit" not in found:
                found.append("no_full_credit")
        return found
