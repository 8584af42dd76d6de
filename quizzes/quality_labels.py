"""The generator's quality reason codes in words, for the review queue and the admin.

``quizzes.generation.quality`` holds the codes and their plain English for tools without
Django; these are the translatable labels the pages show, one per code, in one place. A
test holds that every code of ``quality.REASONS`` has one here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from quizzes.generation import quality

LABELS = {
    quality.HEADLINE: _("its key point is one of the document's most important"),
    quality.LIST: _("asks for the items of a list the document makes"),
    quality.LIST_ACROSS_SENTENCES: _("the list runs across several sentences"),
    quality.QUOTED_TERM: _("asks for a slogan or term the document puts in quotation marks"),
    quality.NUMBER: _("asks for a number that matters (a year, an ordinal, a count)"),
    quality.REPEATED_TERM: _("asks for a term the document repeats"),
    quality.DEFINITION: _("asks what the document defines (a task, a mission, an essence)"),
    quality.PRINCIPLE: _("the passage states a principle or a requirement (must, adhere to)"),
    quality.PARALLEL_DISTRACTORS: _("wrong options come from a parallel list of the same document"),
    quality.LEXICON_DISTRACTORS: _("wrong options are known near-misses of the answer"),
    quality.SAME_HEAD_DISTRACTORS: _("wrong options are the same kind of thing as the answer"),
    quality.FALSE_SWAP: _("a false statement made by swapping one term for a plausible one"),
    quality.COMPACT: _("a short stem of one clause"),
    quality.LONG_STEM: _("a long stem"),
    quality.WEAK_DISTRACTORS: _("some wrong options are only loosely related"),
    quality.COMMON_KEY: _("the answer is a common word"),
}


@dataclass(frozen=True, slots=True)
class QualityReason:
    """One reason of a draft's quality score, as shown: ``positive`` is ``True`` when it
    raised the score, ``False`` when it held it back, ``None`` for a code we do not know."""

    code: str
    label: str
    positive: bool | None


def quality_reasons(codes: Iterable[str]) -> list[QualityReason]:
    """The reasons of ``codes`` in words: what speaks for the draft first, then what holds
    it back, each in the generator's order. A code we have no label for (from a newer
    generator) is shown in the generator's English, or as the code itself."""
    shown = []
    for code in dict.fromkeys(str(code) for code in codes):
        label = LABELS.get(code) or quality.REASONS.get(code) or code
        positive = True if code in quality.POSITIVE else False if code in quality.NEGATIVE else None
        shown.append(QualityReason(code, str(label), positive))
    order = {True: 0, None: 1, False: 2}
    return sorted(shown, key=lambda reason: order[reason.positive])
