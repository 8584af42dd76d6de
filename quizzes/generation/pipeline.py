"""The generation pipeline: text → sentences → key points → typed candidates → drafts →
gates → a de-duplicated bank of drafts with statistics."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from time import perf_counter

from quizzes.generation import chinese, english, quality
from quizzes.generation.budget import Budget, Meter
from quizzes.generation.builders import BUILDERS, TRUE_FALSE_BUILDER, Built, Context
from quizzes.generation.candidates import PHRASE, Analysis, fold
from quizzes.generation.distractors import Distractors
from quizzes.generation.drafting import Drafter
from quizzes.generation.gates import GATES, near_duplicates, run_gates
from quizzes.generation.indicators import indicators
from quizzes.generation.lexicon import load_lexicon
from quizzes.generation.result import GenerationResult, KeyPointDraft
from quizzes.generation.structures import anchor_of, find_definitions, find_series
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
    series = find_series(doc)
    definitions = find_definitions(doc)
    framing = framing_sentences(doc)
    anchors = [anchor_of(doc, item) for item in series]
    chosen = select_key_points(
        doc,
        analysis,
        framing=framing,
        structured={d.sentence for d in definitions} | set(anchors),
        required=set(anchors),
    )
    key_points: list[KeyPointDraft] = []
    for ordinal, (index, score) in enumerate(chosen, start=1):
        sentence = doc.sentences[index]
        start, end = doc.raw_span(sentence.start, sentence.end)
        key_points.append(KeyPointDraft(ordinal, text[start:end], start, end, score))
    lap("key_points")

    report(0.65, "drafts")
    distractors = Distractors(doc, analysis, lexicon)
    drafter = Drafter(doc, analysis, lexicon, distractors, series, definitions)
    gate_counts = {gate: {"passed": 0, "failed": 0} for gate in GATES}
    rejected: Counter[str] = Counter()
    groups: list[list[Built]] = []
    ranks = _ranks([score for _, score in chosen])
    for (index, _), key_point, rank in zip(chosen, key_points, ranks, strict=True):
        meter.check_time()
        sentence = doc.sentences[index]
        ctx = Context(
            doc=doc,
            distractors=distractors,
            proper_words=analysis.proper_words,
            key_point=key_point.ordinal,
            source=(key_point.start, key_point.end),
            weight=key_point.score,
        )
        rng = random.Random(f"{seed}:{key_point.ordinal}:{sentence.start}")
        passed: list[Built] = []
        for built in drafter.drafts(ctx, sentence, rng):
            results = run_gates(built, text)
            for gate, ok in results.items():
                gate_counts[gate]["passed" if ok else "failed"] += 1
                if not ok:
                    rejected[gate] += 1
            if all(results.values()):
                passed.append(_rated(built, key_point.score, rank))
        groups.append(passed)
    lap("drafts")

    report(0.9, "gates")
    kept, duplicates, alternates = choose(groups)
    kept = without_revealed(kept)
    gate_counts["not_duplicate"] = {"passed": len(kept), "failed": duplicates}
    kept = balance_true_false(kept, alternates)
    kept = [b for b in kept if b.draft.quality is not None and b.draft.quality >= MIN_QUALITY]
    if max_drafts is not None:
        kept = _balanced(sorted(kept, key=lambda b: -(b.draft.quality or 0)), max(0, max_drafts))
    kept.sort(key=lambda b: (-(b.draft.quality or 0), b.draft.key_point_ordinal or 0))
    drafts = [b.draft for b in kept]
    lap("gates")

    stats = _stats(doc, analysis, key_points, kept, gate_counts, duplicates, timings, seed)
    stats["rejected_by_gate"] = dict(sorted(rejected.items()))
    stats["indicators"] = indicators(doc, kept, series, drafter)
    report(1.0, "done")
    return GenerationResult(
        language=doc.language, key_points=key_points, drafts=drafts, stats=stats
    )


# Drafts under this quality are not offered at all.
MIN_QUALITY = 0.5
# A second draft of one key point is kept only this good or better.
SECOND_QUALITY = 0.62


def _rated(built: Built, importance: float, rank: float) -> Built:
    """The draft with its final quality: its own, and the importance of its key point."""
    reasons = list(built.reasons)
    value = 0.8 * built.score + 0.2 * importance
    if rank < 0.2:
        value += 0.03
        reasons.insert(0, quality.HEADLINE)
    value = round(max(0.0, min(1.0, value)), 4)
    ordered = [r for r in reasons if r in quality.POSITIVE] + [
        r for r in reasons if r in quality.NEGATIVE
    ]
    draft = replace(built.draft, quality=value, quality_reasons=tuple(dict.fromkeys(ordered)))
    return replace(built, draft=draft)


def choose(groups: list[list[Built]]) -> tuple[list[Built], int, dict[int, list[Built]]]:
    """The best draft of each key point, and a second of another kind when it is good
    too; near-duplicates across the bank dropped. Also, per key point, the true/false
    drafts not chosen (for ``balance_true_false``)."""
    chosen: list[Built] = []
    alternates: dict[int, list[Built]] = {}
    for group in groups:
        group = sorted(group, key=lambda b: -(b.draft.quality or 0))
        picked: list[Built] = []
        for built in group:
            if not picked:
                picked.append(built)
                continue
            if len(picked) >= 2:
                break
            first = picked[0]
            if (built.draft.quality or 0) < SECOND_QUALITY:
                break
            if built.draft.kind == first.draft.kind or built.builder == first.builder:
                continue
            if {fold(t) for t in built.present} & {fold(t) for t in first.present}:
                continue  # a second draft asks about something else of the passage
            picked.append(built)
        chosen += picked
        if group:
            ordinal = group[0].draft.key_point_ordinal or 0
            alternates[ordinal] = [
                b for b in group if b.builder == TRUE_FALSE_BUILDER and b not in picked
            ]
    chosen.sort(key=lambda b: -(b.draft.quality or 0))
    kept, duplicates = near_duplicates(chosen)
    return kept, duplicates, alternates


def without_revealed(kept: list[Built]) -> list[Built]:
    """The bank without pairs in which one draft's stem prints the answer of a blank or
    single choice of another key point: a quiz holding both would give it away. Of such a
    pair the weaker draft goes. Numbers are left alone (a figure shown elsewhere is usually
    another fact), and so are answers of one or two characters."""
    from quizzes.generation.builders import BLANK_BUILDER, SINGLE_BUILDER

    # Stems only: an option of another question is no answer, it is one of four.
    texts = [fold(b.draft.stem) for b in kept]
    dropped: set[int] = set()
    for index, built in enumerate(kept):
        if built.builder not in {BLANK_BUILDER, SINGLE_BUILDER} or not built.present:
            continue
        if built.draft.tags[2:3] and built.draft.tags[2] in {
            "year",
            "number",
            "percent",
            "ordinal",
            "duration",
        }:
            continue
        answer = fold(built.present[0])
        if len(answer) < 3:
            continue
        own = built.draft.key_point_ordinal
        for other, text in enumerate(texts):
            if other == index or other in dropped or index in dropped:
                continue
            if kept[other].draft.key_point_ordinal != own and answer in text:
                weaker = min((index, other), key=lambda i: kept[i].draft.quality or 0)
                dropped.add(weaker)
    return [b for i, b in enumerate(kept) if i not in dropped]


def _is_false(built: Built) -> bool:
    return any(c.correct and c.text in {"错误", "False"} for c in built.draft.choices)


def balance_true_false(kept: list[Built], alternates: dict[int, list[Built]]) -> list[Built]:
    """Keep between 40 % and 60 % of the true/false statements false: swap the weakest
    statements of the larger side for their other version (same focus) where there is one,
    else drop them."""
    result = list(kept)
    for _ in range(len(result)):
        statements = [b for b in result if b.builder == TRUE_FALSE_BUILDER]
        if len(statements) < 2:
            return result
        false = [b for b in statements if _is_false(b)]
        share = len(false) / len(statements)
        if 0.4 <= share <= 0.6:
            return result
        larger = false if share > 0.6 else [b for b in statements if not _is_false(b)]
        weakest = min(larger, key=lambda b: b.draft.quality or 0)
        index = result.index(weakest)
        ordinal = weakest.draft.key_point_ordinal or 0
        other = next(
            (
                b
                for b in alternates.get(ordinal, ())
                if _is_false(b) != _is_false(weakest) and b.focus == weakest.focus
            ),
            None,
        )
        if other is not None:
            result[index] = other
            alternates[ordinal] = [b for b in alternates[ordinal] if b is not other]
        else:
            result.pop(index)
    return result


# --- key points ----------------------------------------------------------------------


# The speaker and the occasion, not the document's claims: "现在，我代表……向大会作报告".
_FRAMING = {
    ZH: re.compile(
        r"我代表|向大会作报告|向大会报告|作报告|^同志们|^现在，我|新华社|记者|摄$|出席会议|主持会议"
        r"|^[一二三四五六七八九十百\d]+年前|^当时|召开的(?:一次)?[^，。]{0,8}(?:会议|大会|全会)"
        r"|作了(?:重要)?(?:讲话|说明|报告)|审议通过了|^让我们"
        # What the year is ("今年是……的关键一年", "过去一年，是……开局之年"): the calendar.
        r"|^(?:今年|去年|明年|过去一年|刚刚过去的一年|\d{4}年)[，,]?是|的关键一年|开局之年"
        # A speech's address to its audience and its praise: "大家讲的都是……", "荣获……奖章".
        r"|^(?:大家|你们|在座的|各位|刚才)|荣获|奖章|称号|表示(?:热烈|衷心)|致以|隆重(?:集会|纪念)"
        r"|热词"
        r"|^各位代表|^女士们|^先生们|谢谢大家|上的(?:报告|讲话)|^——|^(?:文章|报告|讲话)(?:强调|指出)"
        r"|(?:认真|深入)学习(?:宣传)?贯彻.{0,30}(?:精神|讲话|论述)"
    ),
    "en": re.compile(
        r"\bon behalf of\b|\bdeliver(?:ed)? (?:a|the) report\b|\bdear (?:comrades|friends)\b"
        r"|^comrades\b|\bladies and gentlemen\b|\bthank you\b|\breporter\b|\bphoto\b"
        r"|^(?:\w+|a) (?:years?|decades?) ago\b|^let us\b|^let's\b"
        r"|^(?:this|last|next|the past) year (?:is|was|will be|marks|marked)\b"
        r"|^(?:the year )?\d{4} (?:is|was|will be|marks|marked)\b"
        r"|\b(?:is|was|will be) (?:a|the) (?:crucial|key|critical|decisive|pivotal|first) year\b"
        r"|^(?:it|this|that) (?:is|was) (?:a|the) (?:\w+ )?year\b|\bdelivered (?:by|at)\b"
        r"|\bdeliver(?:s|ed|ing)? (?:a|the|his|her) (?:[\w-]+ ){0,3}report\b|\bbuzzwords?\b"
        r"|^[A-Z]{3,}(?:,\s*\w+\s+\d{1,2})?\s*\((?:xinhua|reuters|ap)\)",
        re.IGNORECASE,
    ),
}


def framing_sentences(doc: Document) -> set[int]:
    """Sentences about the speaker or the occasion rather than a claim of the document."""
    pattern = _FRAMING[ZH if doc.language == ZH else "en"]
    return {s.index for s in doc.sentences if pattern.search(s.text)}


def select_key_points(
    doc: Document,
    analysis: Analysis,
    *,
    framing: set[int] | None = None,
    structured: set[int] | None = None,
    required: set[int] | None = None,
) -> list[tuple[int, float]]:
    """(sentence index, score in 0..1) of the key points, in document order.

    A sentence scores by the weight of its keywords, its cues (must, adhere to, 必须, 坚持 …),
    the answer candidates it holds (quoted slogans, enumerations, numbers), the structures
    it holds or introduces (a definition, a parallel series: ``structured``) and its place
    (first in its paragraph, early in the document). Sentences about the speaker or the
    occasion (``framing``) are never key points; those a list hangs on (``required``)
    always are. Every paragraph gets its best sentence first, then the best of the rest
    fill up to a share of the document."""
    sentences = doc.sentences
    framing = framing or set()
    structured = structured or set()
    eligible = [
        s
        for s in sentences
        if not s.excluded
        and s.index not in framing
        and (analysis.candidates[s.index] or s.index in structured)
    ]
    if not eligible:
        return []
    top_keyword = max(analysis.keyword_score[s.index] for s in eligible) or 1.0
    scores: dict[int, float] = {}
    total = len(sentences)
    for sentence in eligible:
        scores[sentence.index] = _score(doc, analysis, sentence, top_keyword, total)
        if sentence.index in structured:
            scores[sentence.index] += 0.9
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
    # The sentences lists hang on are key points whatever their own score.
    for index in required or ():
        if index in scores:
            chosen.setdefault(index, scores[index])
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
