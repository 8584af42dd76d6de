"""Question builders: fill-in-the-blank, single choice, true/false, multiple choice and
"which is NOT one of …" from a list (in one sentence or across sentences and paragraphs),
and the questions a definition makes ("创新是引领发展的（　　）").

Each builder turns a key point and what it asks about into a ``QuestionDraft``, what the
quality gates need to check it, and a quality score in 0..1 with its reasons
(``quizzes.generation.quality``). A builder declines (returns ``None``) rather than make a
weak draft: a stem that no compact stretch of the sentence can carry, fewer than three
plausible distractors, a blank on a fragment or on a word anyone could guess.

Stems are cut from the clean text as whole clauses that read on their own
(``quizzes.generation.clauses``); they never carry "……".
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.generation import numbers, quality
from quizzes.generation.candidates import (
    ENUM_ITEM,
    NUMERIC_TYPES,
    PHRASE,
    QUOTED,
    Candidate,
)
from quizzes.generation.clauses import compact_span
from quizzes.generation.distractors import NEAR_MISS, Distractors, Option
from quizzes.generation.text import ZH, Document, Sentence
from quizzes.grading import normalize_answer

BLANK = "____"
BLANK_BUILDER = "blank"
SINGLE_BUILDER = "single"
TRUE_FALSE_BUILDER = "true_false"
MULTIPLE_BUILDER = "multiple"
NOT_ONE_OF_BUILDER = "not_one_of"
BUILDERS = (BLANK_BUILDER, SINGLE_BUILDER, TRUE_FALSE_BUILDER, MULTIPLE_BUILDER, NOT_ONE_OF_BUILDER)
ZH_GAP = "（　　）"
EN_GAP = "(   )"


@dataclass(frozen=True, slots=True)
class Built:
    """A draft, what its gates check, and its quality."""

    draft: QuestionDraft
    builder: str
    sentence: int
    # Texts that must occur in the source passage (the key, the real items) ...
    present: tuple[str, ...]
    # ... texts that must not (an outsider, a swapped-in distractor) ...
    absent: tuple[str, ...]
    # ... and texts the stem must not show.
    hidden: tuple[str, ...]
    option_types: tuple[str, ...]
    # Quality in 0..1 before the key point's importance is added, and its reasons.
    score: float
    reasons: tuple[str, ...] = ()
    # What a true/false statement turns on ("" for other kinds): the key's text.
    focus: str = ""
    # Whether the distractors share the key's class (head word, kind, size): for the bench.
    class_agreement: bool | None = None


@dataclass(frozen=True, slots=True)
class Context:
    doc: Document
    distractors: Distractors
    proper_words: frozenset[str]
    key_point: int  # ordinal
    source: tuple[int, int]  # raw offsets of the evidence the drafts cite
    weight: float  # the key point's score, 0..1
    # What the explanation quotes when not the whole evidence (a list over paragraphs).
    quote: str = ""


@dataclass(slots=True)
class Score:
    """A draft's quality as it is built: a value and the reasons that moved it."""

    value: float
    reasons: list[str] = field(default_factory=list)

    def add(self, amount: float, reason: str | None = None) -> None:
        self.value += amount
        if reason and reason not in self.reasons:
            self.reasons.append(reason)

    def final(self) -> float:
        return max(0.0, min(1.0, self.value))


# --- stems -----------------------------------------------------------------------------


def _tidy(text: str, zh: bool) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if zh:
        text = re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)
        return text.rstrip("，；：、 ")
    return text.rstrip(",;: ")


def stem_span(doc: Document, sentence: Sentence, start: int, end: int) -> tuple[int, int] | None:
    """The compact span a stem is cut from (clean offsets), or ``None`` when the clauses
    that hold the focus are too long to make a stem of."""
    span = compact_span(doc, sentence, start, end)
    return (span.start, span.end) if span else None


def as_statement(doc: Document, text: str) -> str:
    """``text`` tidied and closed with one full stop."""
    zh = doc.language == ZH
    # The document's own trailing "……" ("...") would read as a cut: a statement ends.
    text = re.sub(r"(?:…+|\.{2,})$", "", _tidy(text, zh)).rstrip(",;: ，；：")
    if zh:
        return text if text.endswith(("。", "！", "？")) else text + "。"
    # A clause cut after "…, and": the statement starts at its subject.
    text = re.sub(r"^(?:and|but|or|so|while|whereas)\s+", "", text, flags=re.IGNORECASE)
    text = _capitalise(text)
    return text if re.search(r"[.!?][\"”’']?$", text) else text + "."


def gapped(ctx: Context, sentence: Sentence, key: Candidate, gap: str) -> tuple[str, int] | None:
    """(the stem with ``gap`` in place of the key, its length without the gap), or
    ``None`` when no compact stretch of the sentence holds the key."""
    doc = ctx.doc
    span = stem_span(doc, sentence, key.start, key.end)
    if span is None:
        return None
    start, end = span
    if start == sentence.start and _leans_back(doc, sentence.text):
        return None  # "就是要在……上下功夫": what it is, the sentence before says
    if start > sentence.start and _dangles(doc, doc.clean[start:end]):
        return None  # "以“____”的责任感……": cut from mid-sentence, it says nothing
    # The gap goes in after tidying, which would collapse its spaces.
    before = _without_asides(doc.clean[start : key.start])
    after = _without_asides(doc.clean[key.end : end])
    text = as_statement(doc, before + "\x00" + after)
    size = len(text) - 1 if doc.language == ZH else len(text.split())
    return text.replace("\x00", gap), size


# An aside in brackets ("(about 15.4 trillion U.S. dollars)", "(2021-2025)") is no part of
# the claim and can give the answer away: stems leave it out.
_ASIDE = re.compile(r"\s?[（(][^（）()]{1,60}[）)]")


def _without_asides(text: str) -> str:
    return _ASIDE.sub("", text)


# Openers of a sentence that finishes the one before it: "就是要……", "这是……", "是增强……".
_LEANS_BACK = re.compile(
    r"^(?:就是|也就是|这就是|这是|这也是|这些|这一|此外|同时|其中|为此|对此|由此|因此|是|即)"
    r"|^(?:this|these|that|it|they)\b",
    re.IGNORECASE,
)


def _leans_back(doc: Document, text: str) -> bool:
    return _LEANS_BACK.match(text.strip()) is not None


# A stretch cut from inside a sentence that opens with a preposition, a copula or a
# narrated verb ("以……的责任感", "是增强……", "开始了……") has lost the subject it needs.
_DANGLING = re.compile(
    r"^(?:以|在|把|对|从|向|为了|通过|随着|按照|是|就是|开始|进入|使|让|并|而|也)"
)


def _dangles(doc: Document, text: str) -> bool:
    if doc.language != ZH:
        return False
    text = text.strip()
    return _DANGLING.match(text) is not None and not re.match(r"^以[^，。]{1,12}为", text)


def swapped(
    ctx: Context, sentence: Sentence, key: Candidate, replacement: str | None
) -> tuple[str, bool] | None:
    """(the compact statement around ``key``, with ``replacement`` in its place when given;
    whether it is the whole sentence), or ``None``."""
    doc = ctx.doc
    span = compact_span(doc, sentence, key.start, key.end)
    if span is None:
        return None
    body = doc.clean[span.start : span.end]
    if replacement is not None:
        body = doc.clean[span.start : key.start] + replacement + doc.clean[key.end : span.end]
    return as_statement(doc, body), span.whole


def passage(ctx: Context) -> str:
    """The key point's evidence as the explanation quotes it."""
    if ctx.quote:
        return ctx.quote
    start, end = ctx.source
    return _tidy(ctx.doc.raw[start:end], ctx.doc.language == ZH)


def _capitalise(text: str) -> str:
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1 :]
        if char not in "\"'“‘(…. ":
            return text  # a gap ("\x00") opens the sentence: "____ is …"
    return text


def _lower_first(text: str, proper: frozenset[str]) -> str:
    match = re.match(r"[A-Za-z][A-Za-z'’-]*", text)
    if not match:
        return text
    word = match.group()
    if word.lower() in proper or (len(word) > 1 and word.isupper()) or word == "I":
        return text
    return word[0].lower() + text[1:]


def _quote(text: str, zh: bool) -> str:
    if zh:
        return "“" + text.replace("“", "‘").replace("”", "’") + "”"
    return '"' + text.replace('"', "'").replace("“", "'").replace("”", "'") + '"'


def _says(ctx: Context) -> str:
    zh = ctx.doc.language == ZH
    quoted = _quote(passage(ctx), zh)
    return f"原文：{quoted}" if zh else f"The text says: {quoted}"


def _draft(
    ctx: Context,
    *,
    kind: str,
    builder: str,
    stem: str,
    explanation: str,
    difficulty: int,
    key_type: str,
    choices: tuple[ChoiceDraft, ...] = (),
    blanks: tuple[tuple[str, ...], ...] = (),
) -> QuestionDraft:
    start, end = ctx.source
    return QuestionDraft(
        kind=kind,  # type: ignore[arg-type]
        stem=stem,
        choices=choices,
        blanks=blanks,
        explanation=explanation,
        source_excerpt=ctx.doc.raw[start:end],
        source_start=start,
        source_end=end,
        difficulty=max(1, min(5, difficulty)),
        key_point_ordinal=ctx.key_point,
        tags=("generated", builder, key_type),
    )


def _shuffled(choices: list[ChoiceDraft], rng: random.Random) -> tuple[ChoiceDraft, ...]:
    rng.shuffle(choices)
    return tuple(choices)


def _size(text: str, zh: bool) -> int:
    return len(text) if zh else len(text.split())


def _difficulty(key: Candidate, base: int, zh: bool) -> int:
    level = base
    if key.type in NUMERIC_TYPES:
        level -= 1
    if (zh and len(key.text) >= 6) or (not zh and len(key.text.split()) >= 3):
        level += 1
    return level


def _stem_score(score: Score, size: int, zh: bool) -> None:
    """Short stems read better on a phone and test one thing."""
    short, long = (34, 52) if zh else (20, 30)
    if size <= short:
        score.add(0.05, quality.COMPACT)
    elif size > long:
        score.add(-0.08 * ((size - long) / (12 if zh else 6) + 1), quality.LONG_STEM)


def _key_score(score: Score, key: Candidate, weight: float = 1.0) -> None:
    if key.type in NUMERIC_TYPES:
        score.add(0.12 * weight, quality.NUMBER)
    elif key.type == QUOTED:
        score.add(0.12 * weight, quality.QUOTED_TERM)
    elif key.type == ENUM_ITEM:
        score.add(0.04 * weight, quality.LIST)
    elif key.type == "definition_role" or key.type == "definition_subject":
        score.add(0.14 * weight, quality.DEFINITION)


# --- accepted answers ----------------------------------------------------------------


def accepted_answers(key: Candidate, zh: bool, siblings: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every reasonable way of writing the key: numbers in digits and words, English
    phrases with and without hyphens or a leading article, Chinese terms with and without
    their quotation marks."""
    if key.number is not None:
        return numbers.accepted_spellings(key.number, "zh-hans" if zh else "en")
    answers = [key.text]
    if zh:
        bare = key.text.replace("“", "").replace("”", "")
        if bare != key.text:
            answers.append(bare)
        # A list item with a generic tail is often written without it: "价格政策" in
        # "财税、金融、投资、____" is answered "价格" too.
        lead = re.match(r"(?:重要|一种|一个|一项|一场|一条|伟大)(?=[\u4e00-\u9fff]{2})", bare)
        if lead:
            answers.append(bare[lead.end() :])  # "法宝" remembers "重要法宝"
        if len(siblings) >= 2 and key.type == "enum_item":
            # "重视青年、____、信任青年": the part that differs ("关心") is the answer too.
            others = [t for t in siblings if t != bare]
            common = ""
            for size in range(min(len(t) for t in siblings) - 1, 1, -1):
                if all(t.endswith(bare[-size:]) for t in others):
                    common = bare[-size:]
                    break
            if common and len(bare) - len(common) >= 2:
                answers.append(bare[: -len(common)])
        tail = re.search(r"(?:政策|制度|体系|机制|工作|事业|领域)$", bare)
        if key.type == "enum_item" and tail and len(bare) - len(tail.group()) >= 2:
            answers.append(bare[: tail.start()])
    else:
        if "-" in key.text:
            answers.append(key.text.replace("-", " "))
        elif len(key.text.split()) == 2 and key.type in {PHRASE, ENUM_ITEM}:
            answers.append("-".join(key.text.split()))
        stripped = re.sub(r"^(?:the|a|an)\s+", "", key.text, flags=re.IGNORECASE)
        if stripped != key.text:
            answers.append(stripped)
            answers.append("the " + stripped)
    unique: list[str] = []
    seen: set[str] = set()
    for answer in answers:
        # Grading folds case and spaces but not hyphens: "long-term goal" and "long term
        # goal" are both listed.
        normal = normalize_answer(answer.strip(" ,;:.，；：。"))
        if normal and normal not in seen:
            seen.add(normal)
            unique.append(answer.strip(" ,;:.，；：。"))
    return tuple(unique)


# --- blank and single choice --------------------------------------------------------


def build_blank(
    ctx: Context, sentence: Sentence, key: Candidate, rng: random.Random, base: float
) -> Built | None:
    """A blank in place of ``key``; ``base`` is what the caller judged the target worth."""
    zh = ctx.doc.language == ZH
    made = gapped(ctx, sentence, key, BLANK)
    if made is None:
        return None
    stem, size = made
    siblings: tuple[str, ...] = ()
    if key.enumeration is not None:
        listed = ctx.distractors.analysis.enumerations[key.enumeration].items
        siblings = tuple(item.text for item in listed)
    answers = accepted_answers(key, zh, siblings)
    score = Score(base)
    _key_score(score, key)
    _stem_score(score, size, zh)
    draft = _draft(
        ctx,
        kind="blank",
        builder=BLANK_BUILDER,
        stem=stem,
        blanks=(answers,),
        explanation=_says(ctx),
        difficulty=_difficulty(key, 3, zh),
        key_type=key.type,
    )
    return Built(
        draft,
        BLANK_BUILDER,
        sentence.index,
        (key.text,),
        (),
        answers,
        (key.type,),
        score.final(),
        tuple(score.reasons),
    )


def build_single(
    ctx: Context,
    sentence: Sentence,
    key: Candidate,
    options: list[Option],
    rng: random.Random,
    base: float,
) -> Built | None:
    """Single choice: ``key`` against three distractors of its class (chosen by the
    caller, most plausible first)."""
    zh = ctx.doc.language == ZH
    if len(options) < 3:
        return None
    options = options[:3]
    made = gapped(ctx, sentence, key, ZH_GAP if zh else EN_GAP)
    if made is None:
        return None
    stem, size = made
    if _stem_echoes_key(stem, key.text, [o.text for o in options], zh):
        return None
    score = Score(base)
    _key_score(score, key)
    _stem_score(score, size, zh)
    _option_score(score, options)
    choices = [ChoiceDraft(key.text, True)] + [ChoiceDraft(o.text) for o in options]
    near = sum(1 for o in options if o.score >= NEAR_MISS)
    draft = _draft(
        ctx,
        kind="single",
        builder=SINGLE_BUILDER,
        stem=stem,
        choices=_shuffled(choices, rng),
        explanation=_says(ctx),
        difficulty=_difficulty(key, 2, zh) + (1 if near >= 2 else 0),
        key_type=key.type,
    )
    return Built(
        draft,
        SINGLE_BUILDER,
        sentence.index,
        (key.text,),
        tuple(o.text for o in options),
        (key.text,),
        (key.type,) * 4,
        score.final(),
        tuple(score.reasons),
        class_agreement=all(o.score >= NEAR_MISS for o in options),
    )


def _stem_echoes_key(stem: str, key: str, distractors: list[str], zh: bool) -> bool:
    """Whether a word of the key, and of no distractor, stands elsewhere in the stem: "…的
    （　　），也是…的最佳制度" points at 最佳方案 among 必由之路 and 重要方式."""
    if zh:
        from quizzes.generation.segment import dictionary_words

        words = [w for w in dictionary_words(key) if len(w) >= 2]
    else:
        words = re.findall(r"[A-Za-z][A-Za-z'-]{3,}", key)
    for word in words:
        folded = word.casefold()
        in_stem = (
            folded in stem.casefold()
            if zh
            else re.search(rf"\b{re.escape(folded)}\b", stem.casefold())
        )
        if in_stem and not any(folded in d.casefold() for d in distractors):
            return True
    return False


def _option_score(score: Score, options: list[Option]) -> None:
    origins = {o.origin for o in options}
    mean = sum(o.score for o in options) / len(options)
    if "parallel" in origins:
        score.add(0.06, quality.PARALLEL_DISTRACTORS)
    if "lexicon" in origins and mean >= 4.5:
        score.add(0.06, quality.LEXICON_DISTRACTORS)
    if mean >= 4.0:
        score.add(0.04, quality.SAME_HEAD_DISTRACTORS)
    if min(o.score for o in options) < NEAR_MISS:
        score.add(-0.12, quality.WEAK_DISTRACTORS)


# --- true / false ----------------------------------------------------------------------


def build_true_false(
    ctx: Context,
    sentence: Sentence,
    key: Candidate,
    swap: Option | None,
    rng: random.Random,
    base: float,
) -> Built | None:
    """A statement about ``key``: with ``swap`` in its place (false), or as the text has it
    (true). Either way the statement is the compact clause that carries the key, never a
    long sentence copied whole."""
    zh = ctx.doc.language == ZH
    made = swapped(ctx, sentence, key, swap.text if swap else None)
    if made is None:
        return None
    text, _whole = made
    size = _size(text, zh)
    if swap is None and size > (36 if zh else 22):
        return None  # a long stretch copied and marked true tests nothing: state it compactly
    span = compact_span(ctx.doc, sentence, key.start, key.end)
    if span is not None and span.start > sentence.start and not _opens_claim(ctx.doc, text):
        return None  # a statement without its subject claims nothing checkable
    if zh:
        stem = text
        labels = ("正确", "错误")
        if swap:
            explanation = f"错误。原文是“{key.text}”，不是“{swap.text}”。{_says(ctx)}"
        else:
            explanation = f"正确。{_says(ctx)}"
    else:
        body = _lower_first(text, ctx.proper_words)
        if _IMPERATIVE.match(body):
            # "Adhere to …" is an instruction; as a statement it is what we should do.
            body = "we should " + body
        stem = f"According to the text, {body}"
        stem = stem.rstrip("!?")
        if not re.search(r"[.][\"”’']?$", stem):
            stem += "."
        labels = ("True", "False")
        if swap:
            explanation = f'False: the text says "{key.text}", not "{swap.text}". {_says(ctx)}'
        else:
            explanation = f"True. {_says(ctx)}"
    score = Score(base)
    _stem_score(score, size, zh)
    _key_score(score, key, 0.6)
    if swap is not None:
        score.add(0.08 if swap.score >= 4.0 else 0.0, quality.FALSE_SWAP)
    choices = (ChoiceDraft(labels[0], swap is None), ChoiceDraft(labels[1], swap is not None))
    draft = _draft(
        ctx,
        kind="true_false",
        builder=TRUE_FALSE_BUILDER,
        stem=stem,
        choices=choices,
        explanation=explanation,
        difficulty=2 if swap else 1,
        key_type=key.type,
    )
    return Built(
        draft,
        TRUE_FALSE_BUILDER,
        sentence.index,
        (key.text,),
        (swap.text,) if swap else (),
        (key.text,) if swap else (),
        (),
        score.final(),
        tuple(score.reasons),
        focus=key.text,
    )


_ZH_CLAIM_OPENERS = ("必须", "要", "坚持", "只有", "我们", "全党", "中国", "党", "人民", "发展")


def _opens_claim(doc: Document, text: str) -> bool:
    """A statement cut from mid-sentence still claims something when it opens with a
    requirement or a subject ("必须……", "我们要……")."""
    if doc.language == ZH:
        return text.startswith(_ZH_CLAIM_OPENERS)
    return re.match(r"(?:we|the|our|it is|this|china|tianjin)\b", text, re.IGNORECASE) is not None


# Verbs that open an instruction ("Optimize urban spatial layout, …").
_IMPERATIVE = re.compile(
    r"(?:adhere|optimize|optimise|accelerate|promote|build|strengthen|deepen|improve|implement"
    r"|focus|support|uphold|ensure|advance|expand|enhance|establish|develop|carry|push|make"
    r"|keep|take|persist|insist|continue|create|foster|cultivate|protect|safeguard|comprehensively"
    r"|firmly|vigorously|actively|further|steadily)\b"
)


# --- lists ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListSpec:
    """A list to ask about, in one sentence or across several.

    ``gap_stem`` is the statement with the list's place taken by the gap ("中国式现代化是
    （　　）的现代化"), or ``""``; ``head`` what the items are items of ("新发展理念"), or
    ``""``. Options are ``prefix + item + suffix`` when the stem names only the head."""

    items: tuple[Candidate, ...]
    sentence: Sentence  # where the drafts hang
    gap_stem: str
    head: str
    prefix: str
    suffix: str
    across: bool
    kind: str  # "enumeration" or the series level
    # A whole stem of its own for the multiple choice (``gap_stem``) and for "NOT one of".
    negative_stem: str = ""


def _option_text(spec: ListSpec, text: str, with_frame: bool) -> str:
    if not with_frame:
        return text
    if re.search(r"[A-Za-z]", spec.prefix + spec.suffix + text[:1]):
        # English: the frame is words of its own ("adhere to" + "the systems concept").
        return " ".join(part for part in (spec.prefix, text, spec.suffix) if part)
    return f"{spec.prefix}{text}{spec.suffix}"


def build_list_multiple(
    ctx: Context, spec: ListSpec, outsiders: list[Option], rng: random.Random, base: float
) -> Built | None:
    """Which of these does the text list? Three or four real items, one or two outsiders
    of the same shape."""
    zh = ctx.doc.language == ZH
    outsiders = [o for o in outsiders if o.score >= NEAR_MISS][:2]
    if not outsiders or (len(outsiders) < 2 and len(spec.items) < 4):
        return None
    items = list(spec.items)
    count = min(len(items), 4 if len(items) <= 5 else rng.choice((3, 4)))
    chosen = sorted(rng.sample(items, count), key=lambda c: c.start)
    stem, framed = _list_stem(ctx, spec, negative=False)
    if stem is None:
        return None
    choices = [ChoiceDraft(_option_text(spec, c.text, framed), True) for c in chosen]
    choices += [ChoiceDraft(_option_text(spec, o.text, framed)) for o in outsiders]
    if zh:
        listed = "、".join(_option_text(spec, i.text, framed) for i in items)
        explanation = f"原文列举的是：{listed}。{_says(ctx)}"
    else:
        listed = "; ".join(_option_text(spec, i.text, framed) for i in items)
        explanation = f"The text lists: {listed}. {_says(ctx)}"
    score = Score(base)
    score.add(0.0, quality.LIST)
    if spec.across:
        score.add(0.06, quality.LIST_ACROSS_SENTENCES)
    if spec.head:
        score.add(0.04)
    _option_score(score, outsiders)
    draft = _draft(
        ctx,
        kind="multiple",
        builder=MULTIPLE_BUILDER,
        stem=stem,
        choices=_shuffled(choices, rng),
        explanation=explanation,
        difficulty=3 + (1 if len(items) >= 5 else 0),
        key_type="enum_item",
    )
    return Built(
        draft,
        MULTIPLE_BUILDER,
        spec.sentence.index,
        tuple(c.text for c in chosen),
        tuple(o.text for o in outsiders),
        tuple(c.text for c in chosen),
        ("enum_item",) * len(choices),
        score.final(),
        tuple(score.reasons),
        class_agreement=all(o.score >= NEAR_MISS for o in outsiders),
    )


def build_list_not_one_of(
    ctx: Context, spec: ListSpec, outsiders: list[Option], rng: random.Random, base: float
) -> Built | None:
    """Which of these is NOT in the list? Three real items and the best outsider."""
    zh = ctx.doc.language == ZH
    if len(spec.items) < 4:
        return None
    outsiders = [o for o in outsiders if o.score >= 3.9]
    if not outsiders:
        return None
    outsider = outsiders[0]
    stem, framed = _list_stem(ctx, spec, negative=True)
    if stem is None:
        return None
    chosen = sorted(rng.sample(list(spec.items), 3), key=lambda c: c.start)
    choices = [ChoiceDraft(_option_text(spec, c.text, framed)) for c in chosen]
    choices.append(ChoiceDraft(_option_text(spec, outsider.text, framed), True))
    outsider_text = _option_text(spec, outsider.text, framed)
    if zh:
        listed = "、".join(_option_text(spec, i.text, framed) for i in spec.items)
        explanation = f"原文列举的是：{listed}，不包括“{outsider_text}”。{_says(ctx)}"
    else:
        listed = "; ".join(_option_text(spec, i.text, framed) for i in spec.items)
        explanation = f'The text lists: {listed}; "{outsider_text}" is not among them. {_says(ctx)}'
    score = Score(base)
    score.add(0.0, quality.LIST)
    if spec.across:
        score.add(0.06, quality.LIST_ACROSS_SENTENCES)
    _option_score(score, [outsider])
    draft = _draft(
        ctx,
        kind="single",
        builder=NOT_ONE_OF_BUILDER,
        stem=stem,
        choices=_shuffled(choices, rng),
        explanation=explanation,
        difficulty=2 + (1 if outsider.score >= 4.5 else 0),
        key_type="enum_item",
    )
    return Built(
        draft,
        NOT_ONE_OF_BUILDER,
        spec.sentence.index,
        tuple(c.text for c in chosen),
        (outsider.text,),
        (outsider.text,),
        ("enum_item",) * 4,
        score.final(),
        tuple(score.reasons),
        class_agreement=outsider.score >= NEAR_MISS,
    )


def _list_stem(ctx: Context, spec: ListSpec, *, negative: bool) -> tuple[str | None, bool]:
    """(the stem, whether options carry the list's shared frame). A stem names the list by
    its head ("下列属于新发展理念的有") or shows the statement with the list's place as the
    gap; with neither the list cannot be asked about fairly."""
    zh = ctx.doc.language == ZH
    if spec.negative_stem:
        return (spec.negative_stem if negative else spec.gap_stem), False
    if spec.gap_stem:
        if zh:
            tail = "原文在括号处列举的内容不包括下列哪一项？" if negative else "（多选）"
            return f"{spec.gap_stem}{tail}", False
        if negative:
            return (
                f"{spec.gap_stem} Which of the following is NOT among what the text lists "
                "in the gap?",
                False,
            )
        return f"{spec.gap_stem} Choose all that the text lists in the gap.", False
    if spec.head:
        head = spec.head
        if zh:
            if negative:
                return f"下列哪一项不属于原文所说的“{head}”？", True
            return f"根据原文，下列属于“{head}”的有（　　）（多选）", True
        if negative:
            return f"Which of the following is NOT part of the {head} named in the text?", True
        return (
            f"According to the text, which of the following are part of the {head}? "
            "Choose all that apply.",
            True,
        )
    return None, False
