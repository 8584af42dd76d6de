"""Automatic indicators of a bank's quality, for the quality bench and the statistics of a
run. They do not replace a reader (``../shared/docs/QUESTION-RUBRIC.md``): they count what
a reader would otherwise find by hand."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from quizzes.generation.builders import (
    MULTIPLE_BUILDER,
    NOT_ONE_OF_BUILDER,
    TRUE_FALSE_BUILDER,
    Built,
)
from quizzes.generation.structures import CLAUSE, Series
from quizzes.generation.text import Document

_FRAGMENT = re.compile(r"…|\.\.\.")


def _false(built: Built) -> bool:
    return any(c.correct and c.text in {"错误", "False"} for c in built.draft.choices)


def _squeeze(text: str) -> str:
    return re.sub(r"[\s，。；：,.;:“”\"'‘’！？!?]+", "", text)


def indicators(doc: Document, kept: list[Built], series: list[Series], drafter: Any) -> dict:
    """True/false balance, drafts per key point (sibling groups), fragment stems, verbatim
    true statements, distractor class agreement and list coverage of ``kept``."""
    statements = [b for b in kept if b.builder == TRUE_FALSE_BUILDER]
    false = sum(1 for b in statements if _false(b))
    per_group = Counter(b.draft.key_point_ordinal for b in kept)
    fragments = sum(1 for b in kept if _FRAGMENT.search(b.draft.stem))
    verbatim = 0
    for built in statements:
        if _false(built):
            continue
        sentence = doc.sentences[built.sentence]
        if _squeeze(built.draft.stem).endswith(_squeeze(sentence.text)):
            verbatim += 1
    choice = [b for b in kept if b.class_agreement is not None]
    agreeing = sum(1 for b in choice if b.class_agreement)
    lists = [s for s in series if s.level != CLAUSE]
    asked_anchors = {
        b.sentence for b in kept if b.builder in {MULTIPLE_BUILDER, NOT_ONE_OF_BUILDER}
    }
    asked = [s for s in series if drafter.anchor(s) in asked_anchors]
    return {
        "true_false": {
            "statements": len(statements),
            "false": false,
            "false_share": round(false / len(statements), 3) if statements else None,
            "verbatim_true": verbatim,
        },
        "sibling_groups": {
            "groups": len(per_group),
            "drafts_per_group_mean": round(len(kept) / len(per_group), 2) if per_group else 0,
            "drafts_per_group_max": max(per_group.values()) if per_group else 0,
        },
        "fragment_stems": fragments,
        "distractor_class_agreement": {
            "choice_drafts": len(choice),
            "agreeing": agreeing,
            "share": round(agreeing / len(choice), 3) if choice else None,
        },
        "enumerations": {
            "series_found": len(series),
            "across_sentences_found": len(lists),
            "series_asked": len(asked),
            "across_sentences_asked": sum(1 for s in asked if s.level != CLAUSE),
        },
    }
