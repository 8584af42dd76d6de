"""Quality gates every generated draft must pass before it is offered for review.

- ``key_in_source``: the answer (the key, the real list items) occurs in the source
  passage, and what is offered as wrong (an outsider, a swapped-in term) does not;
- ``stem_hides_key``: the stem does not show the answer;
- ``options_one_type``: options are distinct (none a part of another), of one type, in
  one script and of comparable size;
- ``provenance``: the draft keeps its key point and the offsets of its evidence, its
  explanation quotes the passage, and ``QuestionDraft.problems()`` finds nothing;
- ``not_duplicate``: no near-duplicate of a draft already kept (checked over the bank).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from quizzes.generation.builders import Built
from quizzes.generation.candidates import fold
from quizzes.generation.text import cjk_count

GATES = ("key_in_source", "stem_hides_key", "options_one_type", "provenance", "not_duplicate")


def _contains(haystack: str, needle: str) -> bool:
    """Whether folded ``needle`` occurs in folded ``haystack``; Latin words and numbers
    only as whole words."""
    if not needle:
        return False
    if cjk_count(needle):
        return needle in haystack
    return re.search(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])", haystack) is not None


def key_in_source(built: Built) -> bool:
    source = fold(built.draft.source_excerpt)
    if not built.present and built.builder != "true_false":
        return False
    present = all(_contains(source, fold(text)) for text in built.present)
    absent = not any(_contains(source, fold(text)) for text in built.absent)
    return present and absent


def stem_hides_key(built: Built) -> bool:
    stem = fold(built.draft.stem)
    return not any(_contains(stem, fold(text)) for text in built.hidden)


def options_one_type(built: Built) -> bool:
    draft = built.draft
    if draft.kind in {"blank", "true_false"}:
        return True
    texts = [fold(choice.text) for choice in draft.choices]
    if len(set(texts)) != len(texts) or any(not t for t in texts):
        return False
    for index, text in enumerate(texts):
        for other in texts[index + 1 :]:
            if text in other or other in text:
                return False
    if len(set(built.option_types)) > 1:
        return False
    scripts = {cjk_count(choice.text) > 0 for choice in draft.choices}
    if len(scripts) > 1:
        return False
    sizes = [len(c.text) if cjk_count(c.text) else len(c.text.split()) for c in draft.choices]
    return max(sizes) <= 3 * min(sizes) + 3


def provenance(built: Built, text: str) -> bool:
    draft = built.draft
    if draft.key_point_ordinal is None or draft.source_start is None or draft.source_end is None:
        return False
    if text[draft.source_start : draft.source_end] != draft.source_excerpt:
        return False
    if built.builder not in draft.tags or "generated" not in draft.tags:
        return False
    if not 1 <= draft.difficulty <= 5 or draft.problems():
        return False
    return _cites(draft.explanation, draft.source_excerpt)


def _cites(explanation: str, excerpt: str) -> bool:
    """The explanation quotes a stretch of the passage (eight characters or more)."""
    quoted = re.findall(r"[“\"]([^“”\"]{8,})", explanation)
    squeezed = _squeeze(excerpt)
    for quote in quoted:
        for piece in re.split(r"…+", _squeeze(quote)):
            if len(piece) >= 8 and piece[:8] in squeezed:
                return True
    return False


def _squeeze(text: str) -> str:
    """Text without spaces and quote marks (explanations turn inner quotes into ' or ‘’)."""
    return re.sub(r"[\s\"'“”‘’]+", "", text)


def run_gates(built: Built, text: str) -> dict[str, bool]:
    return {
        "key_in_source": key_in_source(built),
        "stem_hides_key": stem_hides_key(built),
        "options_one_type": options_one_type(built),
        "provenance": provenance(built, text),
    }


def _shingles(text: str) -> frozenset[str]:
    squeezed = re.sub(r"[\s_（）()　]+", "", fold(text))
    return frozenset(squeezed[i : i + 4] for i in range(max(1, len(squeezed) - 3)))


def near_duplicates(items: Iterable[Built], threshold: float = 0.72) -> tuple[list[Built], int]:
    """Drafts kept in order, dropping each that repeats a kept one: same kind and the same
    answer from the same sentence, or stems that share most of their four-character runs
    (Jaccard similarity of the runs at ``threshold`` or more)."""
    kept: list[Built] = []
    signatures: dict[str, list[tuple[frozenset[str], int]]] = {}
    answers: set[tuple[str, int, tuple[str, ...]]] = set()
    removed = 0
    for built in items:
        kind = built.draft.kind
        key = (kind, built.sentence, tuple(sorted(fold(t) for t in built.present)))
        if kind in {"blank", "single"} and built.builder in {"blank", "single"}:
            # The same answer asked twice in one bank is one question too many.
            key = (kind, -1, tuple(sorted(fold(t) for t in built.present)))
        shingles = _shingles(built.draft.stem)
        size = len(shingles)
        duplicate = key in answers and built.builder != "true_false"
        if not duplicate:
            for other, other_size in signatures.get(kind, ()):
                # Sets this different in size cannot reach the threshold.
                if other_size * threshold > size or size * threshold > other_size:
                    continue
                overlap = len(shingles & other)
                if overlap / (size + other_size - overlap) >= threshold:
                    duplicate = True
                    break
        if duplicate:
            removed += 1
            continue
        kept.append(built)
        answers.add(key)
        signatures.setdefault(kind, []).append((shingles, size))
    return kept, removed
