"""English analysis: keyword weights from a RAKE-like scorer (words that sit in long
content phrases and recur score high), key phrases, enumerations ("A, B, and C"),
numbers, ordinals and durations, quoted terms, places and names."""

from __future__ import annotations

import math
import re
from collections import defaultdict

from quizzes.generation import numbers
from quizzes.generation.candidates import (
    DURATION,
    ENUM_ITEM,
    NAME,
    NUMBER,
    ORDINAL,
    PERCENT,
    PHRASE,
    PLACE,
    QUOTED,
    YEAR,
    Analysis,
    Candidate,
    Enumeration,
    add_candidate,
    fold,
    overlaps,
)
from quizzes.generation.lexicon import Lexicon
from quizzes.generation.segment import segment_english
from quizzes.generation.text import Document, Sentence

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "nor",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "we",
        "our",
        "us",
        "they",
        "their",
        "them",
        "he",
        "she",
        "his",
        "her",
        "i",
        "you",
        "your",
        "not",
        "no",
        "so",
        "than",
        "then",
        "there",
        "here",
        "which",
        "who",
        "whom",
        "whose",
        "what",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "only",
        "own",
        "same",
        "too",
        "very",
        "can",
        "will",
        "just",
        "should",
        "would",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "having",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "up",
        "down",
        "out",
        "off",
        "over",
        "under",
        "again",
        "once",
        "about",
        "against",
        "between",
        "while",
        "if",
        "because",
        "until",
        "even",
        "also",
        "still",
        "every",
        "let",
        "one's",
        "itself",
        "themselves",
        "ourselves",
        "upon",
        "within",
        "without",
        "toward",
        "towards",
        "via",
        "per",
        "among",
        "whether",
        "either",
        "neither",
        "thus",
        "hence",
        "therefore",
        "however",
        "yet",
        "already",
        "always",
        "never",
        "ever",
        "often",
        "much",
        "many",
        "less",
        "least",
        "own",
        "whose",
        "whatever",
        "whichever",
        "can't",
        "won't",
        "don't",
        "it's",
        "we're",
        "we'll",
    ]
)
# Verbs and adverbs that open or close a predicate: a term is trimmed of them.
PREDICATES = frozenset(
    [
        "build",
        "builds",
        "building",
        "built",
        "promote",
        "promotes",
        "promoting",
        "promoted",
        "accelerate",
        "accelerates",
        "accelerating",
        "improve",
        "improves",
        "improving",
        "undertake",
        "undertaking",
        "support",
        "supporting",
        "make",
        "makes",
        "making",
        "achieve",
        "achieving",
        "implement",
        "implementing",
        "shape",
        "shaping",
        "stimulate",
        "stimulating",
        "grasp",
        "grasping",
        "optimize",
        "optimizing",
        "adhere",
        "adhering",
        "consolidate",
        "consolidating",
        "focus",
        "focusing",
        "integrate",
        "integrating",
        "plan",
        "planning",
        "continue",
        "continuing",
        "strive",
        "striving",
        "reach",
        "reaching",
        "melt",
        "exert",
        "exerting",
        "overcome",
        "forge",
        "seize",
        "seizing",
        "create",
        "creating",
        "determine",
        "determined",
        "determines",
        "provide",
        "provides",
        "providing",
        "lead",
        "leads",
        "move",
        "moving",
        "upgrade",
        "upgrading",
        "establish",
        "establishing",
        "construct",
        "constructing",
        "become",
        "becomes",
        "becoming",
        "see",
        "receive",
        "have",
        "let",
        "turn",
        "turned",
        "depend",
        "depends",
        "comes",
        "come",
        "guided",
        "guide",
        "guides",
        "respond",
        "responds",
        "determine",
        "fundamentally",
        "persist",
        "insist",
        "ensure",
        "ensuring",
        "deepen",
        "deepening",
        "expand",
        "expanding",
        "enhance",
        "enhancing",
        "strengthen",
        "strengthening",
        "uphold",
        "upholding",
        "pursue",
        "pursuing",
        "advance",
        "advancing",
        "carry",
        "carrying",
        "put",
        "putting",
        "take",
        "taking",
        "give",
        "giving",
        "keep",
        "keeping",
        "work",
        "working",
        "promote",
        "visible",
        "clearly",
        "steadily",
        "solidly",
        "resolutely",
        "increasingly",
        "rich",
        "stronger",
        "abundant",
        "easy",
        "worthy",
        "doing",
        "do",
        "done",
        "utilizing",
        "utilize",
        "turned",
        "melt",
        "reach",
        "shaping",
        "leading",
        "improve",
        "focusing",
        "renovating",
        "reforming",
        "relief",
    ]
)
# Nouns that only say "a kind of": "a strong sense of …", "the path of …". A phrase ending
# in one of them right before "of" is a fragment, not a term.
LIGHT_NOUNS = frozenset(
    [
        "sense",
        "way",
        "path",
        "level",
        "period",
        "focus",
        "foundation",
        "construction",
        "establishment",
        "part",
        "kind",
        "type",
        "number",
        "lot",
        "success",
        "failure",
        "effectiveness",
        "connotation",
        "initiative",
        "expectations",
        "baton",
        "traffic",
        "lights",
        "principle",
        "practice",
        "requirement",
        "requirements",
        "orientation",
        "progress",
        "modernization",
        "development",
        "transformation",
        "promotion",
        "action",
    ]
)
CUES = {
    "must": 1.0,
    "adhere to": 0.8,
    "adhere": 0.5,
    "only": 0.6,
    "key": 0.5,
    "core": 0.5,
    "fundamental": 0.6,
    "essential": 0.5,
    "necessary": 0.5,
    "need to": 0.5,
    "we will": 0.5,
    "goal": 0.5,
    "goals": 0.5,
    "blueprint": 0.6,
    "principle": 0.4,
    "priority": 0.4,
    "not just": 0.5,
    " is the ": 0.3,
}
_WORD_ORDINALS = "|".join(sorted(numbers.EN_ORDINAL_WORDS, key=len, reverse=True))
_WORD_NUMBERS = "|".join(
    sorted((w for w, v in numbers.EN_NUMBER_WORDS.items() if v >= 2), key=len, reverse=True)
)
_MONTHS = "january february march april may june july august september october november december"
_ORDINAL_DIGITS = re.compile(r"(?<![\d.,-])\b(\d{1,3}(?:st|nd|rd|th))\b")
_ORDINAL_WORD = re.compile(
    rf"\b({_WORD_ORDINALS})\b(?=\s+(?:(?-i:[A-Z])|Party|Congress|plenary|session|Five-Year))",
    re.IGNORECASE,
)
_DURATION = re.compile(
    rf"(?<![\d.,-])\b(\d{{1,3}}|{_WORD_NUMBERS})(?![.,]\d)(?=[\s-]+years?\b)(?![\s-]+years?[\s-]+plan)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<![\d.,-])\b(19\d\d|20\d\d)\b(?![.,]\d)")
# Whole numbers only: "18.5 percent" is not "5 percent".
_PERCENT = re.compile(r"(?<![\d.,-])\b(\d{1,3})(?=\s?(?:%|percent\b|per cent\b))")
_COUNT = re.compile(
    rf"(?<![\d.,-])\b(\d[\d,]*|{_WORD_NUMBERS})\b(?![.,]\d)(?=\s+[a-z])", re.IGNORECASE
)
_QUOTED = re.compile(r"\"([^\"\n]{1,80})\"|“([^“”\n]{1,80})”")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
_AND = re.compile(r"^(?:and|or)\s+", re.IGNORECASE)


def _is_stop(word: str) -> bool:
    return word.lower() in STOP_WORDS


def _is_predicate(word: str) -> bool:
    lowered = word.lower()
    return lowered in PREDICATES or (lowered.endswith("ly") and len(lowered) > 4)


def _base(word: str) -> str:
    """The word without a possessive ending."""
    return re.sub(r"['’]s$", "", word)


def analyse(doc: Document, lexicon: Lexicon) -> Analysis:
    sentences = doc.sentences
    stop = lexicon.stop_words
    runs = [_runs(s) if not s.excluded else [] for s in sentences]
    scores = _word_scores(runs, stop)
    proper = _proper_words(sentences)

    keyword_score: list[float] = []
    cue_score: list[float] = []
    candidates: list[list[Candidate]] = []
    enumerations: list[Enumeration] = []
    gazetteer = _gazetteer(lexicon)
    names = frozenset(lexicon.names)
    for sentence, sentence_runs in zip(sentences, runs, strict=True):
        words = {w.lower() for run in sentence_runs for _, _, w in run}
        top = sorted((scores.get(w, 0.0) for w in words), reverse=True)[:5]
        keyword_score.append(sum(top) / 5)
        lowered = f" {sentence.text.lower()} "
        cue_score.append(
            min(2.0, sum(v for cue, v in CUES.items() if f" {cue.strip()} " in lowered))
        )
        if sentence.excluded or lexicon.avoided(sentence.text):
            candidates.append([])
            continue

        found: list[Candidate] = []
        quoted = _quoted(sentence, found, lexicon)
        _numbers(sentence, found, quoted)
        _places(sentence, found, quoted, gazetteer, names)
        for enumeration in _enumerations(sentence, len(enumerations), lexicon):
            enumerations.append(enumeration)
            for item in enumeration.items:
                add_candidate(found, item)
        for phrase in _phrases(sentence, sentence_runs, scores, stop):
            if not any(overlaps(phrase, c) and c.type != PHRASE for c in found):
                add_candidate(found, phrase)
        candidates.append(found)
    return Analysis(keyword_score, cue_score, candidates, enumerations, proper)


def _runs(sentence: Sentence) -> list[list[tuple[int, int, str]]]:
    """Maximal runs of content words (no stop word, no punctuation between them), each
    word as (start, end, text) in clean offsets."""
    tokens = segment_english(sentence.text)
    runs: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] = []
    previous_end = -1
    for word, start in zip(tokens.words, tokens.starts, strict=True):
        end = start + len(word)
        gap = sentence.text[previous_end:start] if previous_end >= 0 else " "
        if _is_stop(word) or word[0].isdigit() or gap not in {" ", ""}:
            if current:
                runs.append(current)
            current = []
        if not _is_stop(word) and not word[0].isdigit():
            current.append((sentence.start + start, sentence.start + end, word))
        previous_end = end
    if current:
        runs.append(current)
    return runs


def _word_scores(runs, stop) -> dict[str, float]:
    """RAKE: degree over frequency (words of long phrases score high), times a bonus for
    words the document repeats; generic domain words score nothing."""
    frequency: dict[str, int] = defaultdict(int)
    degree: dict[str, int] = defaultdict(int)
    for sentence_runs in runs:
        for run in sentence_runs:
            for _, _, word in run:
                key = _base(word).lower()
                frequency[key] += 1
                degree[key] += len(run)
    scores: dict[str, float] = {}
    for word, count in frequency.items():
        if word in stop or _is_predicate(word) or len(word) < 3:
            continue
        scores[word] = degree[word] / count * (1 + math.log(count))
    return scores


def _proper_words(sentences: list[Sentence]) -> frozenset[str]:
    """Words the document capitalises mid-sentence and never writes in lower case."""
    capital: set[str] = set()
    lower: set[str] = set()
    for sentence in sentences:
        if sentence.excluded:
            continue
        for match in _WORD.finditer(sentence.text):
            word = _base(match.group())
            if word[0].isupper():
                if match.start() > 0 and not _is_stop(word):
                    capital.add(word.lower())
            else:
                lower.add(word.lower())
    return frozenset(capital - lower)


def _quoted(sentence: Sentence, found: list[Candidate], lexicon: Lexicon) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for match in _QUOTED.finditer(sentence.text):
        group = 1 if match.group(1) is not None else 2
        inner = match.group(group).strip()
        start = sentence.start + match.start(group) + match.group(group).index(inner[:1] or " ")
        spans.append((sentence.start + match.start(), sentence.start + match.end()))
        if not 1 <= len(inner.split()) <= 8 or re.search(r"[.;!?]", inner):
            continue
        if lexicon.avoided(inner) or not re.search(r"[A-Za-z]", inner):
            continue
        add_candidate(
            found,
            Candidate(QUOTED, inner, start, start + len(inner), sentence.index, 1.5, quoted=True),
        )
    return spans


def _inside(start: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= start < b for a, b in spans)


def _numbers(sentence: Sentence, found: list[Candidate], quoted: list[tuple[int, int]]) -> None:
    text = sentence.text

    def add(kind: str, match: re.Match[str], weight: float, low: int, high: int) -> None:
        surface = match.group(1)
        start = sentence.start + match.start(1)
        if _inside(start, quoted):
            return
        number = numbers.read_english(surface.replace(",", ""))
        if number is None or not low <= number.value <= high:
            return
        months = _MONTHS.replace(" ", "|")
        if re.search(
            rf"\b(?:{months})\s*(?:\d{{1,2}}(?:st|nd|rd|th)?\s*(?:-|to|and|,)?\s*)?$",
            text[max(0, match.start(1) - 30) : match.start(1)].lower(),
        ) or re.match(rf"\s*(?:{months})\b", text[match.end(1) :].lower()):
            return  # a date ("July 15 to 18", "4th July"), not a figure worth asking
        candidate = Candidate(
            kind, surface, start, start + len(surface), sentence.index, weight, number=number
        )
        if not any(overlaps(candidate, other) for other in found):
            found.append(candidate)

    for match in _YEAR.finditer(text):
        add(YEAR, match, 1.3, 1900, 2100)
    for match in _ORDINAL_DIGITS.finditer(text):
        add(ORDINAL, match, 1.4, 1, 200)
    for match in _ORDINAL_WORD.finditer(text):
        add(ORDINAL, match, 1.4, 1, 100)
    for match in _PERCENT.finditer(text):
        add(PERCENT, match, 1.0, 1, 100)
    for match in _DURATION.finditer(text):
        add(DURATION, match, 1.3, 2, 100)
    for match in _COUNT.finditer(text):
        add(NUMBER, match, 0.9, 2, 10**12)


def _gazetteer(lexicon: Lexicon) -> re.Pattern[str]:
    terms = sorted({*lexicon.places, *lexicon.names}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")(?![A-Za-z])")


def _places(sentence: Sentence, found, quoted, gazetteer: re.Pattern[str], names) -> None:
    for match in gazetteer.finditer(sentence.text):
        start = sentence.start + match.start()
        if _inside(start, quoted):
            continue
        kind = NAME if match.group() in names else PLACE
        candidate = Candidate(
            kind, match.group(), start, start + len(match.group()), sentence.index, 0.9
        )
        if not any(overlaps(candidate, other) for other in found):
            found.append(candidate)


def _phrases(sentence: Sentence, runs, scores: dict[str, float], stop) -> list[Candidate]:
    """Key phrases: content-word runs trimmed of predicates, one to four words, not only
    generic words."""
    found: list[Candidate] = []
    for run in runs:
        words = list(run)
        while words and _is_predicate(words[0][2]):
            words.pop(0)
        while words and _is_predicate(words[-1][2]):
            words.pop()
        if not words:
            continue
        if len(words) > 4:
            words = words[-4:]
        lowered = [_base(w).lower() for _, _, w in words]
        if all(w in stop for w in lowered):
            continue
        after = sentence.text[words[-1][1] - sentence.start :]
        if lowered[-1] in LIGHT_NOUNS and after.startswith(" of "):
            continue
        if len(words) == 1 and (len(lowered[0]) < 6 or scores.get(lowered[0], 0) < 1.5):
            continue
        start = words[0][0]
        end = words[-1][1]
        surface = sentence.text[start - sentence.start : end - sentence.start]
        base = _base(surface)
        end -= len(surface) - len(base)
        weight = sum(scores.get(w, 0.0) for w in lowered) / (len(lowered) + 1)
        found.append(
            Candidate(
                PHRASE, base, start, end, sentence.index, round(min(1.3, 0.4 + weight / 6), 4)
            )
        )
    return found


def _enumerations(sentence: Sentence, next_index: int, lexicon: Lexicon) -> list[Enumeration]:
    """Lists of three or more short items: "A, B, C, and D" or "A, B and C"."""
    text = sentence.text
    # Segments between commas, with their offsets in the sentence.
    cuts = [m.start() for m in re.finditer(r",\s*", text)]
    if len(cuts) < 1:
        return []
    bounds: list[tuple[int, int]] = []
    previous = 0
    for cut in cuts:
        bounds.append((previous, cut))
        previous = re.match(r",\s*", text[cut:]).end() + cut  # type: ignore[union-attr]
    bounds.append((previous, len(text)))

    found: list[Enumeration] = []
    index = 1
    while index < len(bounds):
        run_start = index
        interior: list[tuple[int, int]] = []
        while index < len(bounds) - 1 and _short_item(text, *bounds[index]):
            interior.append(bounds[index])
            index += 1
        closing = bounds[index] if index < len(bounds) else None
        if closing is None:
            break
        spans = _close_list(text, interior, closing)
        if spans is None or (not interior and len(spans) < 2):
            index = max(index, run_start) + 1
            continue
        lengths = sorted(len(_WORD.findall(text[a:b])) for a, b in [*interior, *spans[:-1]])
        first = _first_item(text, bounds[run_start - 1], lengths)
        if first is None:
            index += 1
            continue
        items_spans = [first, *interior, *spans]
        enumeration = _make(sentence, items_spans, next_index + len(found), lexicon)
        if enumeration is not None:
            found.append(enumeration)
        index += 1
    return found


def _short_item(text: str, start: int, end: int) -> bool:
    words = _WORD.findall(text[start:end])
    segment = text[start:end].strip()
    if not 1 <= len(words) <= 4 or len(segment.split()) != len(words):
        return False
    return _item_words_ok(words)


def _item_words_ok(words: list[str]) -> bool:
    """An item is a short term: no function word inside (but "rule of law"), no predicate
    at either end."""
    if any(_is_stop(w) and w.lower() != "of" for w in words):
        return False
    if words[0].lower() == "of" or words[-1].lower() == "of":
        return False
    return not (_is_predicate(words[0]) or _is_predicate(words[-1]))


def _close_list(text: str, interior, closing) -> list[tuple[int, int]] | None:
    """Spans of the items the closing segment holds: "and D…" gives D; "C and D…" after
    the interior gives C and D."""
    start, end = closing
    segment = text[start:end]
    lengths = sorted(len(_WORD.findall(text[a:b])) for a, b in interior) or [1]
    target = lengths[len(lengths) // 2]
    match = _AND.match(segment)
    if match:
        last = _leading_words(text, start + match.end(), end, target)
        return [last] if last else None
    conjunction = re.search(r"\s(?:and|or)\s", segment)
    if conjunction and interior:
        before = (start, start + conjunction.start())
        if not _short_item(text, *before):
            return None
        last = _leading_words(text, start + conjunction.end(), end, target)
        return [before, last] if last else None
    return None


def _leading_words(text: str, start: int, end: int, target: int) -> tuple[int, int] | None:
    words = list(_WORD.finditer(text, start, end))
    chosen: tuple[int, int] | None = None
    best_gap = 99
    previous_end = start
    for count, match in enumerate(words, start=1):
        if text[previous_end : match.start()].strip(" ") or _is_stop(match.group()):
            break
        if count > 1 and _is_predicate(match.group()):
            break
        gap = abs(count - target)
        if gap < best_gap:
            chosen, best_gap = (start, match.end()), gap
        previous_end = match.end()
        if count >= target:
            break
    return chosen


def _first_item(text: str, segment: tuple[int, int], lengths: list[int]) -> tuple[int, int] | None:
    start, end = segment
    target = lengths[len(lengths) // 2] if lengths else 1
    words = list(_WORD.finditer(text, start, end))
    chosen: tuple[int, int] | None = None
    best_gap = 99
    following = end
    for count, match in enumerate(reversed(words), start=1):
        if text[match.end() : following].strip(" ") or _is_stop(match.group()):
            break
        if _is_predicate(match.group()):
            break
        gap = abs(count - target)
        if gap < best_gap:
            chosen, best_gap = (match.start(), end), gap
        following = match.start()
        if count >= target:
            break
    return chosen


def _make(sentence: Sentence, spans, index: int, lexicon: Lexicon) -> Enumeration | None:
    text = sentence.text
    spans = _lexicon_fit(text, spans, lexicon)
    items: list[Candidate] = []
    seen: set[str] = set()
    for start, end in spans:
        surface = text[start:end].strip()
        start = start + text[start:end].index(surface[:1]) if surface else start
        words = _WORD.findall(surface)
        if not 1 <= len(words) <= 4 or fold(surface) in seen:
            return None
        if not _item_words_ok(words) or lexicon.avoided(surface):
            return None
        seen.add(fold(surface))
        absolute = sentence.start + start
        items.append(
            Candidate(
                ENUM_ITEM,
                surface,
                absolute,
                absolute + len(surface),
                sentence.index,
                1.2,
                enumeration=index,
            )
        )
    if len(items) < 3:
        return None
    if all(_is_predicate(w) for item in items for w in _WORD.findall(item.text)[:1]):
        return None  # a list of adverbs ("fully, accurately, and comprehensively")
    head = _head(text, spans[0][0])
    return Enumeration(index, sentence.index, tuple(items), items[0].start, items[-1].end, head)


def _lexicon_fit(text: str, spans, lexicon: Lexicon):
    """Let a concept set of the lexicon fix the ends of a list it matches: with
    "quality, efficiency, and driving force changes" the last item is "driving force"."""
    folded = [fold(text[a:b]) for a, b in spans]
    for concept in lexicon.concept_sets:
        known = [fold(item) for item in concept.items]
        if sum(1 for f in folded if f in known) < 2:
            continue
        spans = list(spans)
        last_start = spans[-1][0]
        for item in sorted(concept.items, key=len, reverse=True):
            if text[last_start:].lower().startswith(item.lower()):
                spans[-1] = (last_start, last_start + len(item))
                break
        first_end = spans[0][1]
        for item in sorted(concept.items, key=len, reverse=True):
            if text[:first_end].lower().endswith(item.lower()):
                spans[0] = (first_end - len(item), first_end)
                break
        return spans
    return spans


def _head(text: str, first_start: int) -> str:
    """ "the new development concept of A, B…" → "new development concept"."""
    before = text[:first_start].rstrip()
    match = re.search(
        r"(?:^|\b(?:the|a|an|of|to|and)\s+)((?:[A-Za-z-]+\s+){0,3}[A-Za-z-]+)\s+of$",
        before,
        re.IGNORECASE,
    )
    if not match:
        return ""
    words = match.group(1).split()
    while words and (_is_stop(words[0]) or _is_predicate(words[0])):
        words.pop(0)
    if not words or _is_predicate(words[-1]) or _is_stop(words[-1]):
        return ""
    return " ".join(words)
