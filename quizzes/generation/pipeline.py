"""The generation pipeline: text → sentences → key points → typed candidates → drafts →
gates → a de-duplicated bank of drafts with statistics."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from time import perf_counter

from quizzes.generation import chinese, english
from quizzes.generation.budget import Budget, Meter
from quizzes.generation.builders import (
    BLANK_BUILDER,
    BUILDERS,
    SINGLE_BUILDER,
    Built,
    Context,
    build_blank,
    build_multiple,
    build_not_one_of,
    build_single,
    build_true_false,
)
from quizzes.generation.candidates import PHRASE, TYPE_PRIORITY, Analysis, Candidate
from quizzes.generation.distractors import Distractors
from quizzes.generation.gates import GATES, near_duplicates, run_gates
from quizzes.generation.lexicon import load_lexicon
from quizzes.generation.result import GenerationResult, KeyPointDraft
from quizzes.generation.text import (
    ZH,
    Document,
    Sentence,
    detect_language,
    normalize_language,
    prepare,
    split_sentences,
)

Progress = Callable[[float, str], None]
_ANAPHORA = re.compile(
    r"^(?:this|these|that|those|it|they|such)\b|^(?:这|那|其|它|此|上述)", re.IGNORECASE
)


def generate(
    text: str,
    language: str | None = None,
    seed: int = 0,
    max_drafts: int | None = None,
    progress: Progress | None = None,
    budget: Budget | None = None,
) -> GenerationResult:
    """Key points and gated question drafts for ``text`` (Chinese or English).

    ``language`` is ``"zh-hans"`` or ``"en"`` (detected when ``None``); the same text and
    seed always give the same result. ``max_drafts`` keeps the best drafts, ``progress``
    is called with (fraction done, stage name) as the work advances. A run that would
    exceed ``budget`` (characters, candidates, seconds; ``Budget()`` when ``None``) stops
    with ``BudgetExceeded``."""
    meter = Meter(budget or Budget())
    meter.check_characters(len(text))
    report: Progress = progress or (lambda fraction, stage: None)
    timings: dict[str, float] = {}
    clock = perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = perf_counter()
        timings[stage] = round(now - clock, 4)
        clock = now
        meter.check_time()

    report(0.0, "prepare")
    doc = prepare(text)
    doc.language = normalize_language(language) or detect_language(doc.clean)
    split_sentences(doc)
    lexicon = load_lexicon(doc.language)
    lap("prepare")

    report(0.1, "analyse")
    analysis = (chinese if doc.language == ZH else english).analyse(doc, lexicon)
    meter.count(sum(len(found) for found in analysis.candidates))
    lap("analyse")

    report(0.55, "key_points")
    chosen = select_key_points(doc, analysis)
    key_points: list[KeyPointDraft] = []
    for ordinal, (index, score) in enumerate(chosen, start=1):
        sentence = doc.sentences[index]
        start, end = doc.raw_span(sentence.start, sentence.end)
        key_points.append(KeyPointDraft(ordinal, text[start:end], start, end, score))
    lap("key_points")

    report(0.65, "drafts")
    distractors = Distractors(doc, analysis, lexicon)
    gate_counts = {gate: {"passed": 0, "failed": 0} for gate in GATES}
    rejected: Counter[str] = Counter()
    built: list[Built] = []
    ranks = _ranks([score for _, score in chosen])
    for (index, _), key_point, rank in zip(chosen, key_points, ranks, strict=True):
        sentence = doc.sentences[index]
        ctx = Context(
            doc=doc,
            distractors=distractors,
            proper_words=analysis.proper_words,
            key_point=key_point.ordinal,
            source=(key_point.start, key_point.end),
            weight=key_point.score,
        )
        meter.check_time()
        rng = random.Random(f"{seed}:{key_point.ordinal}:{sentence.start}")
        quota = 4 if rank < 0.2 else 3 if rank < 0.5 else 2

        built += _drafts_for(ctx, sentence, analysis, quota, rng, gate_counts, rejected)
    lap("drafts")

    report(0.9, "gates")
    built.sort(key=lambda b: -b.score)
    kept, duplicates = near_duplicates(built)
    gate_counts["not_duplicate"] = {"passed": len(kept), "failed": duplicates}
    if max_drafts is not None:
        kept = _balanced(kept, max(0, max_drafts))
    kept.sort(key=lambda b: (b.draft.key_point_ordinal or 0, BUILDERS.index(b.builder)))
    drafts = [b.draft for b in kept]
    lap("gates")

    stats = _stats(doc, analysis, key_points, kept, gate_counts, duplicates, timings, seed)
    stats["rejected_by_gate"] = dict(sorted(rejected.items()))
    report(1.0, "done")
    return GenerationResult(
        language=doc.language, key_points=key_points, drafts=drafts, stats=stats
    )


# --- key points ----------------------------------------------------------------------


def select_key_points(doc: Document, analysis: Analysis) -> list[tuple[int, float]]:
    """(sentence index, score in 0..1) of the key points, in document order.

    A sentence scores by the weight of its keywords, its cues (must, adhere to, 必须, 坚持 …),
    the answer candidates it holds (quoted slogans, enumerations, numbers) and its place
    (first in its paragraph, early in the document). Every paragraph gets its best sentence
    first, then the best of the rest fill up to a share of the document."""
    sentences = doc.sentences
    eligible = [s for s in sentences if not s.excluded and analysis.candidates[s.index]]
    if not eligible:
        return []
    top_keyword = max(analysis.keyword_score[s.index] for s in eligible) or 1.0
    scores: dict[int, float] = {}
    total = len(sentences)
    for sentence in eligible:
        scores[sentence.index] = _score(doc, analysis, sentence, top_keyword, total)
    count = len(eligible)
    target = round(6 + 0.35 * min(count, 100) + 0.2 * max(0, count - 100))
    # Room for every paragraph's best sentence, so that the whole document is covered.
    paragraphs = len({s.paragraph for s in eligible})
    target = min(count, max(target, round(paragraphs * 1.15)))

    by_paragraph: dict[int, Sentence] = {}
    for sentence in eligible:
        best = by_paragraph.get(sentence.paragraph)
        if best is None or scores[sentence.index] > scores[best.index]:
            by_paragraph[sentence.paragraph] = sentence
    ranked = sorted(eligible, key=lambda s: (-scores[s.index], s.index))
    chosen: dict[int, float] = {}
    for sentence in sorted(by_paragraph.values(), key=lambda s: (-scores[s.index], s.index)):
        if len(chosen) >= target:
            break
        chosen[sentence.index] = scores[sentence.index]
    for sentence in ranked:
        if len(chosen) >= target:
            break
        chosen.setdefault(sentence.index, scores[sentence.index])
    top = max(chosen.values()) or 1.0
    return [(index, round(max(0.0, chosen[index] / top), 4)) for index in sorted(chosen)]


def _score(
    doc: Document, analysis: Analysis, sentence: Sentence, top_keyword: float, total: int
) -> float:
    candidates = analysis.candidates[sentence.index]
    strong = sum(1 for c in candidates if c.type != PHRASE)
    score = 2.0 * analysis.keyword_score[sentence.index] / top_keyword
    score += 0.5 * analysis.cue_score[sentence.index]
    score += 0.3 * min(3, strong) + 0.1 * min(3, len(candidates) - strong)
    if any(c.enumeration is not None for c in candidates):
        score += 0.5
    if any(c.type == "quoted" for c in candidates):
        score += 0.4
    if sentence.first_in_paragraph:
        score += 0.4
    score += 0.3 * (1 - sentence.index / max(1, total))
    size = len(sentence.text) if doc.language == ZH else len(sentence.text.split())
    if size > (160 if doc.language == ZH else 60):
        score -= 0.3
    if _ANAPHORA.match(sentence.text):
        score -= 0.5
    return max(0.0, score)


def _ranks(scores: list[float]) -> list[float]:
    """Each score's rank as a fraction (0 = best)."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    ranks = [0.0] * len(scores)
    for position, index in enumerate(order):
        ranks[index] = position / max(1, len(scores))
    return ranks


# --- drafts per key point ------------------------------------------------------------


def _usable(sentence: Sentence, key: Candidate, zh: bool) -> bool:
    """The key occurs once in its sentence (else the stem would show it anyway)."""
    if zh:
        return sentence.text.count(key.text) == 1
    pattern = rf"(?<![A-Za-z0-9]){re.escape(key.text)}(?![A-Za-z0-9])"
    if len(re.findall(pattern, sentence.text, re.IGNORECASE)) != 1:
        return False
    if key.type == PHRASE:
        # "economic and social development": the phrase shares its head with the word
        # before "and", so asking for it (or swapping it) makes no sense.
        before = sentence.text[: key.start - sentence.start]
        if re.search(r"\b[A-Za-z-]+ (?:and|or) $", before):
            return False
    return True


def _drafts_for(
    ctx: Context,
    sentence: Sentence,
    analysis: Analysis,
    quota: int,
    rng: random.Random,
    gate_counts: dict[str, dict[str, int]],
    rejected: Counter[str],
) -> list[Built]:
    zh = ctx.doc.language == ZH
    text = ctx.doc.raw
    out: list[Built] = []

    def accept(built: Built | None) -> bool:
        if built is None:
            return False
        results = run_gates(built, text)
        for gate, passed in results.items():
            gate_counts[gate]["passed" if passed else "failed"] += 1
            if not passed:
                rejected[gate] += 1
        if all(results.values()):
            out.append(built)
            return True
        return False

    candidates = analysis.candidates[sentence.index]
    enumerations = sorted(
        {c.enumeration for c in candidates if c.enumeration is not None},
        key=lambda i: (-len(analysis.enumerations[i].items), i),
    )
    for index in enumerations[:2]:
        enumeration = analysis.enumerations[index]
        if len(enumeration.items) >= 4:
            accept(build_not_one_of(ctx, sentence, enumeration, rng))
        accept(build_multiple(ctx, sentence, enumeration, rng))

    ordered = sorted(
        (c for c in candidates if _usable(sentence, c, zh)),
        key=lambda c: (
            TYPE_PRIORITY[c.type] + (1 if c.enumeration is not None and out else 0),
            -c.weight,
            c.start,
        ),
    )
    # Gap questions (blank, single choice) take the best candidates in turn, alternating
    # which goes first; a true/false statement then swaps a candidate not yet asked about.
    gaps = [BLANK_BUILDER, SINGLE_BUILDER] if ctx.key_point % 2 else [SINGLE_BUILDER, BLANK_BUILDER]
    used: set[str] = set()
    for builder in gaps:
        if len(out) >= quota - 1 and builder != gaps[0]:
            break
        for key in [c for c in ordered if c.folded not in used][:4]:
            build = build_blank if builder == BLANK_BUILDER else build_single
            if accept(build(ctx, sentence, key, rng)):
                used.add(key.folded)
                break
    if len(out) < quota and ordered:
        fresh = [c for c in ordered if c.folded not in used]
        false = rng.random() < 0.6
        done = False
        if false:
            for key in (fresh + [c for c in ordered if c.folded in used])[:3]:
                if accept(build_true_false(ctx, sentence, key, rng, false=True)):
                    done = True
                    break
        if not done:
            accept(build_true_false(ctx, sentence, ordered[0], rng, false=False))
    return out


def _balanced(kept: list[Built], limit: int) -> list[Built]:
    """The best ``limit`` drafts (``kept`` is best first), taking kinds in turn so that a
    short bank still has every kind."""
    by_builder: dict[str, list[Built]] = {}
    for built in kept:
        by_builder.setdefault(built.builder, []).append(built)
    result: list[Built] = []
    position = 0
    while len(result) < limit and any(position < len(v) for v in by_builder.values()):
        for builder in BUILDERS:
            group = by_builder.get(builder, [])
            if position < len(group) and len(result) < limit:
                result.append(group[position])
        position += 1
    return result


def _stats(doc, analysis, key_points, kept, gate_counts, duplicates, timings, seed) -> dict:
    content_paragraphs = {
        s.paragraph
        for s in doc.sentences
        if not s.excluded and not doc.paragraphs[s.paragraph].metadata
    }
    point_paragraph = {
        kp.ordinal: doc.sentence_at(_clean_offset(doc, kp.start)).paragraph for kp in key_points
    }
    covered = {point_paragraph[b.draft.key_point_ordinal] for b in kept}
    candidate_types = Counter(c.type for found in analysis.candidates for c in found)
    total = len(kept) + duplicates
    return {
        "language": doc.language,
        "seed": seed,
        "characters": len(doc.raw),
        "paragraphs": {
            "total": len(content_paragraphs),
            "covered": len(covered & content_paragraphs),
            "share": round(len(covered & content_paragraphs) / max(1, len(content_paragraphs)), 4),
        },
        "sentences": len(doc.sentences),
        "eligible_sentences": sum(1 for s in doc.sentences if not s.excluded),
        "key_points": len(key_points),
        "enumerations": len(analysis.enumerations),
        "candidates": dict(sorted(candidate_types.items())),
        "drafts": len(kept),
        "kinds": dict(sorted(Counter(b.draft.kind for b in kept).items())),
        "builders": dict(sorted(Counter(b.builder for b in kept).items())),
        "gates": gate_counts,
        "duplicates_removed": duplicates,
        "duplicate_rate": round(duplicates / total, 4) if total else 0.0,
        "timings": timings,
    }


def _clean_offset(doc: Document, raw_offset: int) -> int:
    """The clean offset of a raw offset that starts a sentence."""
    from bisect import bisect_left

    return min(bisect_left(doc.to_raw, raw_offset), len(doc.clean) - 1)
