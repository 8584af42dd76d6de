"""Distractors of the same type as the key: near-miss numbers, the lexicon's near-misses
for slogans and concept sets, and other candidates of that type in the document.

Never the key itself, a substring or superstring of it, a word from the key's own
sentence, or a term that — put in the key's place — would make a sentence the document
actually contains (which would make the "wrong" option right).

Every option gets a plausibility score: 5 for a curated near-miss, about 4 for a near
value or a term sharing the key's head word, 2–3 for a term that only shares the type.
True/false swaps and "NOT one of" outsiders take only options scoring 3.5 or more, so
that a false statement is never trivially false.
"""

from __future__ import annotations

import functools
import random
import re
from collections import defaultdict
from dataclasses import dataclass

from quizzes.generation import numbers, wordclass
from quizzes.generation.candidates import (
    DURATION,
    ENUM_ITEM,
    NAME,
    NUMBER,
    NUMERIC_TYPES,
    PHRASE,
    PLACE,
    QUOTED,
    YEAR,
    Analysis,
    Candidate,
    Enumeration,
    fold,
)
from quizzes.generation.lexicon import Lexicon
from quizzes.generation.text import ZH, Document, has_cjk, present_year

NEAR_MISS = 3.5
# Words with which a text rejects what it lists next.
_REFUSING = (
    r"反对|摒弃|防止|杜绝|不会|决不|绝不|不能|不搞|克服|整治|惩治|违背|抵制|破除|遏制|纠正|"
    r"\b(?:oppose|reject|prevent|avoid|never|not)\b"
)
_EN_SMALL = {w: v for w, v in numbers.EN_NUMBER_WORDS.items() if 1 <= v <= 9}


@dataclass(frozen=True, slots=True)
class Option:
    text: str
    score: float
    origin: str  # lexicon | document | perturbed


@dataclass(frozen=True, slots=True)
class _Entry:
    text: str
    folded: str
    type: str
    sentences: frozenset[int]
    count: int
    head: str
    first: str
    length: int


class Distractors:
    """Distractor source for one document."""

    def __init__(self, doc: Document, analysis: Analysis, lexicon: Lexicon) -> None:
        self.doc = doc
        self.lexicon = lexicon
        self.zh = doc.language == ZH
        self.analysis = analysis
        self.present = present_year(doc)
        self.clean_folded = doc.clean.casefold()
        self._sentence_folded: dict[int, str] = {}
        self._entries: dict[str, list[_Entry]] = defaultdict(list)
        self._by_head: dict[tuple[str, str], list[_Entry]] = defaultdict(list)
        self._by_first: dict[tuple[str, str], list[_Entry]] = defaultdict(list)
        self._by_length: dict[tuple[str, int], list[_Entry]] = defaultdict(list)
        self._by_word: dict[str, list[_Entry]] = defaultdict(list)  # English phrases
        self._vocab_by_suffix: dict[str, list[str]] = defaultdict(list)  # Chinese words
        self._vocab_by_prefix: dict[str, list[str]] = defaultdict(list)
        self._vocab_by_last: dict[tuple[str, int], list[str]] = defaultdict(list)
        self._vocab_by_first: dict[tuple[str, int], list[str]] = defaultdict(list)
        self._vocab_by_length: dict[int, list[str]] = defaultdict(list)
        self._outsider_pool: dict[int, list[Option]] = {}
        self._scored_cache: dict[tuple[str, str], list[Option]] = {}
        if self.zh:
            from quizzes.generation.chinese import PREDICATE_WORDS

            self._predicates: frozenset[str] = PREDICATE_WORDS
        else:
            from quizzes.generation.english import PREDICATES

            self._predicates = PREDICATES

        self._concepts = [(c, frozenset(fold(i) for i in c.items)) for c in lexicon.concept_sets]
        self._build(analysis)
        if self.zh:
            self._index_vocabulary(analysis)

    # --- pools -----------------------------------------------------------------------

    def _shape(self, text: str) -> tuple[str, str, int]:
        if self.zh:
            return text[-2:], text[:2], len(text)
        words = text.lower().split()
        return (words[-1] if words else ""), (words[0] if words else ""), len(words)

    def _build(self, analysis: Analysis) -> None:
        seen: dict[tuple[str, str], tuple[str, set[int], int]] = {}
        for sentence_candidates in analysis.candidates:
            for candidate in sentence_candidates:
                if candidate.type in NUMERIC_TYPES:
                    continue
                key = (candidate.type, candidate.folded)
                text, sentences, count = seen.get(key, (candidate.text, set(), 0))
                sentences.add(candidate.sentence)
                seen[key] = (text, sentences, count + 1)
        lexicon = self.lexicon
        extra: list[tuple[str, str]] = [(PLACE, p) for p in lexicon.places]
        extra += [(NAME, n) for n in lexicon.names]
        extra += [(PHRASE, p) for p in lexicon.phrases]
        extra += [(QUOTED, s) for s in lexicon.slogan_terms]
        for concept in lexicon.concept_sets:
            extra += [(ENUM_ITEM, item) for item in concept.items]
        for kind, text in extra:
            key = (kind, fold(text))
            if key not in seen:
                seen[key] = (text, set(), 0)
        # Sorted so that iteration order never depends on hashing.
        for (kind, folded), (text, sentences, count) in sorted(
            seen.items(), key=lambda item: (-item[1][2], item[0])
        ):
            head, first, length = self._shape(text)
            entry = _Entry(text, folded, kind, frozenset(sentences), count, head, first, length)
            self._entries[kind].append(entry)
            self._by_head[(kind, head)].append(entry)
            self._by_first[(kind, first)].append(entry)
            self._by_length[(kind, length)].append(entry)
            if kind == PHRASE and not self.zh:
                for word in dict.fromkeys(text.lower().split()):
                    self._by_word[word].append(entry)

    def _index_vocabulary(self, analysis: Analysis) -> None:
        words = list(analysis.vocabulary)
        words += [
            e.text for e in self._entries[PHRASE] + self._entries[ENUM_ITEM] if len(e.text) <= 8
        ]
        by_suffix, by_prefix = self._vocab_by_suffix, self._vocab_by_prefix
        by_last, by_first, by_length = (
            self._vocab_by_last,
            self._vocab_by_first,
            self._vocab_by_length,
        )
        for word in dict.fromkeys(words):
            size = len(word)
            if size >= 3:
                by_suffix[word[-2:]].append(word)
                by_prefix[word[:2]].append(word)
            by_last[(word[-1], size)].append(word)
            by_first[(word[0], size)].append(word)
            by_length[size].append(word)

    def _refused_terms(self) -> frozenset[str]:
        """Items of lists the text rejects ("不会等待犹豫者、懈怠者、畏难者", "反对形式主义、
        官僚主义"): no outsider for a list of what it asks for."""
        if not hasattr(self, "_refused"):
            pattern = re.compile(_REFUSING)
            self._refused = frozenset(
                item.text
                for enumeration in self.analysis.enumerations
                if pattern.search(self.doc.sentences[enumeration.sentence].text)
                for item in enumeration.items
            )
        return self._refused

    def _term_texts(self) -> frozenset[str]:
        """Texts of the document's list items and key phrases."""
        if not hasattr(self, "_terms"):
            self._terms = frozenset(
                e.text for kind in (PHRASE, ENUM_ITEM) for e in self._entries[kind] if e.sentences
            )
        return self._terms

    # --- checks ----------------------------------------------------------------------

    def _sentence_text(self, index: int) -> str:
        if index not in self._sentence_folded:
            self._sentence_folded[index] = fold(self.doc.sentences[index].text)
        return self._sentence_folded[index]

    def _in_text(self, folded: str, haystack: str) -> bool:
        if self.zh:
            return folded in haystack
        return re.search(rf"(?<![a-z0-9]){re.escape(folded)}(?![a-z0-9])", haystack) is not None

    def cheap_ok(self, text: str, folded: str, against: list[str], sentence: int) -> bool:
        """Not a key (nor a part or a whole of one), not in the key's sentence, not taboo."""
        if not folded or self.lexicon.avoided(text):
            return False
        for other in against:
            if folded == other or folded in other or other in folded:
                return False
        return not self._in_text(folded, self._sentence_text(sentence))

    def context_ok(self, text: str, key: Candidate) -> bool:
        """Put in the key's place, ``text`` must not give a passage the document has."""
        clean = self.doc.clean
        width = 6 if self.zh else 14
        sentence = self.doc.sentences[key.sentence]
        left = clean[max(sentence.start, key.start - width) : key.start]
        right = clean[key.end : min(sentence.end, key.end + width)]
        if self.zh:
            probe, index = left + text + right, self.doc.index()
        else:
            probe, index = (left + text + right).casefold(), self.doc.index(folded=True)
        if len(probe) > len(text) + 1 and probe in index:
            return False
        # No stutter where the option meets its context: "中国人民" + "人民的梦想".
        if self.zh:
            return not (left.endswith(text[:2]) or right.startswith(text[-2:]))
        before, after = left.split()[-1:], right.split()[:1]
        words = text.lower().split()
        return not (
            (before and before[0].lower() == words[0]) or (after and after[0].lower() == words[-1])
        )

    def _opens_with_predicate(self, text: str) -> bool:
        if self.zh:
            return text[:2] in self._predicates or text[:4] in self._predicates
        first = text.split()[0].lower() if text.split() else ""
        return first in self._predicates

    def _overlap(self, text: str, key: str) -> float:
        """Share of the shorter term's characters (Chinese) or words (English) in the other."""
        if self.zh:
            a, b = set(text), set(key)
        else:
            a, b = set(text.lower().split()), set(key.lower().split())
        return len(a & b) / max(1, min(len(a), len(b)))

    def same_script(self, text: str, key: str) -> bool:
        return has_cjk(text) == has_cjk(key)

    def similar_size(self, text: str, key: str, ratio: float = 2.2) -> bool:
        a = len(text) if self.zh else len(text.split())
        b = len(key) if self.zh else len(key.split())
        if self.zh:
            return a <= b * ratio and b <= a * ratio
        return abs(a - b) <= 2 and len(text) <= len(key) * 3 + 6 and len(key) <= len(text) * 3 + 6

    # --- options ---------------------------------------------------------------------

    def for_key(self, key: Candidate, rng: random.Random, k: int = 3) -> list[Option]:
        """Up to ``k`` distractors for ``key``, most plausible first."""
        if key.enumeration is not None:
            enumeration = self.analysis.enumerations[key.enumeration]
            return self.outsiders(enumeration, rng, k, key=key)
        cache_key = (key.type, key.text)
        scored = self._scored_cache.get(cache_key)
        if scored is None:
            # The same term asked in several sentences draws from one ranked pool; only the
            # checks against each sentence differ.
            scored = self._scored(key, rng)[:60]
            self._scored_cache[cache_key] = scored
        return self._pick(scored, key, [key.folded], key.sentence, k)

    def swap(self, key: Candidate, rng: random.Random) -> Option | None:
        """The best near-miss to put in the key's place for a false statement."""
        if key.type in {NAME, PLACE}:
            # A statement with the wrong person or place in it is too often absurd or
            # sensitive ("南海特别行政区") to be a fair item.
            return None
        if key.type in NUMERIC_TYPES and any(
            other.type == key.type and other.start != key.start
            for other in self.analysis.candidates[key.sentence]
        ):
            return None  # "从十九大到十八大": a swap among numbers in one sentence is a giveaway

        options = [o for o in self.for_key(key, rng, k=3) if o.score >= NEAR_MISS]
        return options[0] if options else None

    def outsiders(
        self, enumeration: Enumeration, rng: random.Random, k: int, key: Candidate | None = None
    ) -> list[Option]:
        """Plausible terms that are not items of ``enumeration``: the lexicon's near-misses
        for the concept set it matches, then terms sharing the items' pattern (their
        common last word or character: 系统性、整体性 → 主动性), then terms of their size."""
        if enumeration.index not in self._outsider_pool:
            self._outsider_pool[enumeration.index] = self._outsider_candidates(enumeration)
        scored = list(self._outsider_pool[enumeration.index])
        rng.shuffle(scored)
        scored.sort(key=lambda o: -round(o.score * 2) / 2)
        result: list[Option] = []
        taken: list[str] = []
        for option in scored:
            folded = fold(option.text)
            if any(folded in other or other in folded for other in taken):
                continue
            if key is not None and not self.context_ok(option.text, key):
                continue
            result.append(option)
            taken.append(folded)
            if len(result) == k:
                break
        return result

    def _outsider_candidates(self, enumeration: Enumeration) -> list[Option]:
        """Every acceptable outsider of a list, scored, in a fixed order."""
        items = enumeration.items
        folded_items = [item.folded for item in items]
        scored = self._concept_near_misses(folded_items)
        sizes = sorted(self._shape(i.text)[2] for i in items)
        typical = sizes[(len(sizes) - 1) // 2]
        pools: list[tuple[list[str], float]] = []
        suffix = _common([self._shape(i.text)[0] for i in items])
        prefix = _common([self._shape(i.text)[1] for i in items])
        if self.zh:
            one_suffix = _common([i.text[-1:] for i in items])
            one_prefix = _common([i.text[:1] for i in items])
            if suffix:
                pools.append((self._vocab_by_suffix.get(suffix, []), 4.4))
            if one_suffix and not suffix:
                # One shared last character ("系统性、整体性"): the document's own list items
                # and key phrases are the kind of term a list holds; a word merely ending
                # alike ("传染性") is not.
                same_end = self._vocab_by_last.get((one_suffix, typical), [])
                terms = self._term_texts()
                pools.append(([w for w in same_end if w in terms], 4.0))
                pools.append(([w for w in same_end if w not in terms], 3.3))
            if prefix:
                pools.append((self._vocab_by_prefix.get(prefix, []), 3.9))
            if one_prefix:
                # One shared first character is a weak pattern ("生产发展" / "生搬硬套").
                pools.append((self._vocab_by_first.get((one_prefix, typical), []), 3.2))
        else:
            if suffix:
                pools.append(([e.text for e in self._by_head[(PHRASE, suffix)]], 4.0))
                pools.append(([e.text for e in self._by_head[(ENUM_ITEM, suffix)]], 4.0))
            if prefix:
                pools.append(([e.text for e in self._by_first[(PHRASE, prefix)]], 3.6))
        pools.append(([e.text for e in self._by_length[(ENUM_ITEM, typical)] if e.sentences], 3.0))
        if self.zh:
            pools.append((self._vocab_by_length.get(typical, []), 2.6))
        # A pattern every item shares ("依法治国、依法执政、依法行政"): outsiders must share it.
        shared_prefix = _shared([i.text for i in items], prefix=True) if self.zh else ""
        shared_suffix = _shared([i.text for i in items], prefix=False) if self.zh else ""
        for texts, score in pools:
            scored += [Option(text, score, "document") for text in texts[:25] if "的" not in text]
        listed_sentence = self.doc.sentences[enumeration.sentence].text
        if not re.search(_REFUSING, listed_sentence):
            refused = self._refused_terms()
            scored = [o for o in scored if o.text not in refused]
        if shared_prefix or shared_suffix:
            scored = [
                o
                for o in scored
                if o.origin == "lexicon"
                or (o.text.startswith(shared_prefix) and o.text.endswith(shared_suffix))
            ]
        sample = items[0]
        negative = sum(1 for item in items if self.lexicon.negative(item.text)) * 2 > len(items)
        word_class = _list_word_class([i.text for i in items]) if self.zh else ""
        shape = list_shape([i.text for i in items]) if self.zh else ("", "")
        en_shapes = [] if self.zh else [wordclass.phrase_shape(i.text.split()) for i in items]
        en_shape = next(
            (k for k in ("act", "act-ing", "thing") if en_shapes.count(k) * 2 > len(en_shapes)),
            "",
        )
        heads = head_sizes([i.text for i in items], shape)
        letters = shared_letters([i.text for i in items]) if self.zh else {}

        result: list[Option] = []

        seen: set[str] = set()
        per_score: dict[float, int] = defaultdict(int)
        for option in scored:
            if per_score[option.score] >= 6:
                continue  # enough to choose from at this level
            if self._opens_with_predicate(option.text):
                continue  # "加强纪律" is a call to act, not a kind of 纪律
            if self.lexicon.negative(option.text) != negative:
                continue
            if word_class and _word_class(option.text) not in {word_class, ""}:
                continue  # "学习、创业、就业" are things people do; "企业" is a thing
            if en_shape and wordclass.phrase_shape(option.text.split()) != en_shape:
                continue  # "the people-centered approach" among "deploy important reforms"
            if self.zh and not (
                fits_shape(option.text, shape, heads) and fits_letters(option.text, letters)
            ):
                continue  # "尊重自然、顺应自然" are acts on nature; "大自然" is nature
            size = self._shape(option.text)[2]
            if not (sizes[0] / 2 <= size <= sizes[-1] * 2) or (self.zh and abs(size - typical) > 2):
                continue
            folded = fold(option.text)
            if folded in seen:
                continue
            seen.add(folded)
            if not self.cheap_ok(option.text, folded, folded_items, enumeration.sentence):
                continue
            if any(
                _subsequence(folded, other) or _subsequence(other, folded) for other in folded_items
            ):
                continue
            if not self.same_script(option.text, sample.text):
                continue
            result.append(option)
            per_score[option.score] += 1
        return result

    def _concept_near_misses(self, folded_items: list[str]) -> list[Option]:
        """The near-misses of every concept set the list matches (three items, or all)."""
        options: list[Option] = []
        for concept, known in self._concepts:
            if sum(1 for f in folded_items if f in known) >= min(3, len(folded_items), len(known)):
                options += [Option(text, 5.0, "lexicon") for text in concept.near_misses]
        return options

    def _scored(self, key: Candidate, rng: random.Random) -> list[Option]:
        kind = key.type
        options: list[Option] = []
        if kind in NUMERIC_TYPES and key.number is not None:
            values = numbers.near_values(
                key.number.value,
                kind,
                durations=self.lexicon.durations,
                years=self.lexicon.milestone_years,
            )
            if kind == YEAR and self.present is not None:
                # A target stays a target: 2025 is no wrong answer for a date before a 2023
                # report, nor 2021 for a goal set in 2024.
                after = key.number.value > self.present
                values = [v for v in values if (v > self.present) == after]
            if kind in {YEAR, DURATION}:
                values = values[:5]
            if kind == NUMBER:
                digits = len(str(key.number.value))
                values = [v for v in values if len(str(v)) == digits]
            for rank, value in enumerate(values):
                options.append(
                    Option(numbers.render(key.number, value), 4.6 - 0.1 * rank, "perturbed")
                )
            return options
        head, first, length = self._shape(key.text)
        if kind == QUOTED:
            # Only real terms stand in for a slogan: the lexicon's near-misses that are
            # slogans in their own right, and the document's and the lexicon's slogans of
            # the same shape ("四个意识" for "两个确立": both count; "枫桥经验" for "千万工程"
            # never). A numeral changed ("三个确立", "新二样", "十四四") or a slogan of
            # another shape ("一国两制" for "四风") is no choice a reader hesitates over.
            real = {fold(t) for t in self.lexicon.slogan_terms}
            near = self.lexicon.slogans.get(key.text.casefold(), ())
            options += [
                Option(text, 5.0 - 0.05 * i, "lexicon")
                for i, text in enumerate(near)
                if fold(text) in real
                and _slogan_shape(text, self.zh) == _slogan_shape(key.text, self.zh)
            ]
            shape = _slogan_shape(key.text, self.zh)
            for entry in self._entries[kind]:
                if _slogan_shape(entry.text, self.zh) != shape or not shape:
                    continue
                score = 4.2 if entry.sentences else 4.0
                if entry.length == length:
                    score += 0.2
                options.append(
                    Option(entry.text, score, "document" if entry.sentences else "lexicon")
                )
        else:
            pools = [
                (self._by_head[(kind, head)][:20], 4.0),
                (self._by_first[(kind, first)][:20], 3.4),
                (self._by_length[(kind, length)][:20], 3.0),
                (self._entries[kind][:20], 2.4),
            ]
            if kind == PLACE:
                group = self.lexicon.place_groups.get(key.text, "?")
                peers = [
                    e
                    for e in self._entries[PLACE]
                    if self.lexicon.place_groups.get(e.text) == group
                ]
                pools.insert(0, (peers, 4.2))
            if not self.zh and kind == PHRASE:
                words = [w for w in key.text.lower().split() if w not in self.lexicon.stop_words]
                sharing = [e for w in words for e in self._by_word.get(w, ())][:20]
                pools.insert(2, (sharing, 3.2))
            for pool, base in pools:
                for entry in pool:
                    score = base
                    if kind == PLACE:
                        # Peers first: Tianjin → Shanghai, Xiong'an → Binhai New Area.
                        groups = self.lexicon.place_groups
                        peer = groups.get(entry.text) == groups.get(key.text, "?")
                        score = 4.2 if peer else 3.0
                    elif kind == NAME:
                        score = max(score, 3.6 if entry.length == length or not self.zh else 3.2)

                    if not entry.sentences:
                        score -= 0.2  # lexicon only: prefer the document's own terms
                    options.append(
                        Option(entry.text, score, "document" if entry.sentences else "lexicon")
                    )
        rng.shuffle(options)
        options.sort(key=lambda o: -round(o.score * 2) / 2)
        return options

    def _pick(
        self, scored: list[Option], key: Candidate, against: list[str], sentence: int, k: int
    ) -> list[Option]:
        result: list[Option] = []
        taken = list(against)
        seen: set[str] = set()
        for option in scored:
            folded = fold(option.text)
            if folded in seen:
                continue
            seen.add(folded)
            if not self.cheap_ok(option.text, folded, taken, sentence):
                continue
            if key.type not in NUMERIC_TYPES and any(
                _subsequence(folded, other) or _subsequence(other, folded) for other in taken
            ):
                continue  # "民族复兴" for "中华民族伟大复兴" says the same thing
            if not self.same_script(option.text, key.text):
                continue
            if key.type not in NUMERIC_TYPES and not self.similar_size(option.text, key.text):
                continue
            if key.type == PHRASE and self._overlap(option.text, key.text) > 0.6:
                continue  # "全党全国人民" for "全国各族人民" means much the same
            if key.type == PHRASE and self._opens_with_predicate(option.text):
                continue
            if self.lexicon.negative(option.text) != self.lexicon.negative(key.text):
                continue  # "中国的恐怖主义" in place of "中国的马克思主义": never
            if not self.context_ok(option.text, key):
                continue
            result.append(option)
            taken.append(folded)
            if len(result) == k:
                break
        return result


def _agree(noun: str, value: int) -> str:
    """A noun made plural or singular to follow a number (base/bases, district/districts)."""
    if value == 1:
        if noun.endswith("ies"):
            return noun[:-3] + "y"
        if noun.endswith(("ses", "xes", "ches", "shes")):
            return noun[:-2]
        return noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun
    if noun.endswith("s"):
        return noun
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def _common(values: list[str]) -> str:
    """The value most items share, when at least two and half of them share it."""
    counts: dict[str, int] = defaultdict(int)
    for value in values:
        if value:
            counts[value] += 1
    if not counts:
        return ""
    value, count = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return value if count >= 2 and count * 2 >= len(values) else ""


def _shared(texts: list[str], *, prefix: bool) -> str:
    """The first (``prefix``) or last two characters every text has, or ""."""
    ends = {t[:2] if prefix else t[-2:] for t in texts if len(t) >= 3}
    if len(ends) == 1 and all(len(t) >= 3 for t in texts):
        return ends.pop()
    return ""


def _subsequence(short: str, long: str) -> bool:
    """Whether ``short`` (two characters or more) reads through ``long`` in order."""
    if len(short) < 2 or len(short) >= len(long):
        return False
    position = 0
    for char in short:
        position = long.find(char, position)
        if position < 0:
            return False
        position += 1
    return True


def _unique(entries: list[_Entry]) -> list[_Entry]:
    seen: set[tuple[str, str]] = set()
    result: list[_Entry] = []
    for entry in entries:
        key = (entry.type, entry.folded)
        if key not in seen:
            seen.add(key)
            result.append(entry)
    return result


def _word_class(text: str) -> str:
    """ "verb" or "noun" for a single word jieba's dictionary tags as one (a verbal noun
    such as 生活 counts as an action), "" for anything else."""
    from quizzes.generation.segment import word_tags

    tag = word_tags().get(text, "")
    if tag in {"v", "vn", "vd"}:
        return "verb"
    if tag in {"n", "nr", "ns", "nt", "nz"}:
        return "noun"
    return ""


def _list_word_class(items: list[str]) -> str:
    """The word class all but at most one of a list's items share (at least three items
    of one class), or "" when the items do not agree."""
    classes = [_word_class(item) for item in items]
    for name in ("verb", "noun"):
        agreeing = classes.count(name)
        if agreeing >= 3 and agreeing >= len(items) - 1:
            return name
    return ""


@functools.lru_cache(maxsize=65_536)
def opening_class(text: str) -> str:
    """ "verb" or "noun" for the first dictionary word of a Chinese phrase ("健全|国家安全
    体系" opens with an act, "物质文明|和…" with a thing), "" when the tag does not tell."""
    from quizzes.generation.chinese import PREDICATE_WORDS
    from quizzes.generation.segment import load_jieba, word_tags

    known = load_jieba().dt.FREQ
    for size in range(min(4, len(text)), 0, -1):
        word = text[:size]
        if size == 1 or known.get(word):
            tag = word_tags().get(word, "")
            # Openers of acts are tagged v, vn ("尊重"), a or ad ("健全", "严格", "扎实").
            if word in PREDICATE_WORDS or tag in {"v", "vd", "vi", "vn", "a", "ad", "d"}:
                return "verb" if size < len(text) else ""
            if tag[:1] == "n" or tag == "b":
                return "noun"
            return ""
    return ""


def _shared_ending(texts: list[str]) -> str:
    size = 0
    shortest = min(len(t) for t in texts)
    while size < shortest and len({t[len(t) - size - 1] for t in texts}) == 1:
        size += 1
    return texts[0][len(texts[0]) - size :] if size else ""


def head_sizes(items: list[str], shape: tuple[str, str]) -> tuple[int, int]:
    """The sizes of the items' parts before their shared ending (see ``fits_shape``)."""
    ending = shape[0]
    sizes = [len(t) - len(ending) for t in items] if ending else [len(t) for t in items]
    return min(sizes), max(sizes)


def list_shape(items: list[str]) -> tuple[str, str]:
    """(the ending all items share, or ""; the class their remaining openings share, or
    ""): "尊重自然、顺应自然、保护自然" → ("自然", "verb"). An outsider should fit both."""
    ending = _shared_ending(items) if len(items) >= 2 else ""
    if len(ending) < 2 or any(len(t) <= len(ending) for t in items):
        ending = ""
    classes = [opening_class(t) for t in items]
    for name in ("verb", "noun"):
        if classes.count(name) >= max(2, len(classes) - 1) and classes.count(name) * 3 >= 2 * len(
            classes
        ):
            return ending, name
    return ending, ""


def shared_letters(items: list[str]) -> dict[int, str]:
    """Characters that items of one length share at one place inside them ("勤于学习、善于
    实践、勇于创新" share 于 second): an outsider must have them too."""
    if len(items) < 2 or len({len(t) for t in items}) != 1:
        return {}
    size = len(items[0])
    return {
        index: items[0][index]
        for index in range(1, size - 1)
        if len({t[index] for t in items}) == 1
    }


def fits_letters(text: str, letters: dict[int, str]) -> bool:
    if not letters:
        return True
    return all(index < len(text) and text[index] == char for index, char in letters.items())


def fits_shape(text: str, shape: tuple[str, str], heads: tuple[int, int] = (2, 8)) -> bool:
    """Whether an outsider has a list's shape (see ``list_shape``): with a shared ending,
    what comes before it is a word of the items' size ("敬畏|自然", not "大|自然" or
    "人与|自然"); the opening is of the items' class where the dictionary tells."""
    ending, name = shape
    if ending and text.endswith(ending):
        head = text[: len(text) - len(ending)]
        if not heads[0] <= len(head) <= heads[1] or head[-1:] in "与和及的之":
            return False
    if not name:
        return True
    return opening_class(text) in {name, ""}


def _slogan_shape(text: str, zh: bool) -> str:
    """What kind of slogan ``text`` is: "count:<head>" for a numbered one ("四个意识" →
    "count:个", "八项规定" → "count:项"), "end:<last two characters>" for another Chinese
    one ("千万工程" → "end:工程"), "count" or "words:<n>" in English; "" when short."""
    if zh:
        plain = text.replace("“", "").replace("”", "")
        match = re.match(r"([一两二三四五六七八九十]+)([个项条大种])", plain)
        if match:
            # "四个意识" and "四个自信" compete; "三个代表" is another kind of thing.
            return f"count:{match.group(1)}{match.group(2)}"
        if re.match(r"[一两二三四五六七八九十]", plain) and len(plain) == 4:
            # "一国两制", "五位一体": patterned names; only another of the same pattern
            # ("三位一体") stands in, and the document rarely has one.
            return "pattern:" + re.sub(r"[一两二三四五六七八九十]", "N", plain)
        return f"end:{plain[-2:]}" if len(plain) >= 3 else ""
    words = text.lower().split()
    if words and words[0] in _EN_SMALL:
        return "count"
    return f"words:{len(words)}:{words[-1] if words else ''}"
