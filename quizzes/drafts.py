"""``QuestionDraft``: the one interchange type for questions.

Every source of questions — the generator, each import format, an organizer's form, the
demo — produces drafts; ``quizzes.services.banks`` turns drafts into bank questions, and
exports turn versions back into drafts. Pure Python: no Django import.

Blanks are marked in the stem by a run of three or more underscores, one run per blank,
in the order of ``blanks``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
            return found
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
