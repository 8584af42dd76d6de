"""Question builders: fill-in-the-blank, single choice, true/false, multiple choice from an
enumeration, and "which is NOT one of …". Each turns a key point and one of its answer
candidates (or enumerations) into a ``QuestionDraft`` plus what the quality gates need to
check it.

Stems are cut from the clean text of the key point: a long sentence is narrowed to the
clauses around the answer, marked with an ellipsis where it was cut.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.generation import numbers
from quizzes.generation.candidates import NUMERIC_TYPES, PHRASE, Candidate, Enumeration, fold
from quizzes.generation.distractors import NEAR_MISS, Distractors, Option
from quizzes.generation.text import ZH, Document, Sentence

BLANK = "____"
BLANK_BUILDER = "blank"
SINGLE_BUILDER = "single"
TRUE_FALSE_BUILDER = "true_false"
MULTIPLE_BUILDER = "multiple"
NOT_ONE_OF_BUILDER = "not_one_of"
BUILDERS = (BLANK_BUILDER, SINGLE_BUILDER, TRUE_FALSE_BUILDER, MULTIPLE_BUILDER, NOT_ONE_OF_BUILDER)


@dataclass(frozen=True, slots=True)
class Built:
    """A draft and what its gates check."""

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
    score: float


@dataclass(frozen=True, slots=True)
class Context:
    doc: Document
    distractors: Distractors
    proper_words: frozenset[str]
    key_point: int  # ordinal
    source: tuple[int, int]  # raw offsets of the key point
    weight: float  # the key point's score, 0..1


# --- windows -------------------------------------------------------------------------


def window(doc: Document, sentence: Sentence, focus_start: int, focus_end: int) -> tuple[int, int]:
    """Clean span of the clauses of ``sentence`` around the focus, short enough for a stem."""
    zh = doc.language == ZH
    text = sentence.text
    limit = 72 if zh else 260
    if len(text) <= (96 if zh else 320):
        return sentence.start, sentence.end
    separators = re.compile(r"[，；：]" if zh else r"[,;:]\s")
    cuts = (
        [sentence.start]
        + [sentence.start + m.end() for m in separators.finditer(text)]
        + [sentence.end]
    )
    cuts = sorted(set(cuts))
    # Clause boundaries around the focus.
    left = max(c for c in cuts if c <= focus_start)
    right = min(c for c in cuts if c >= focus_end)
    grow_left = True
    while True:
        moved = False
        order = ("left", "right") if grow_left else ("right", "left")
        for side in order:
            if side == "left" and left > sentence.start:
                candidate = max(c for c in cuts if c < left)
                if right - candidate <= limit:
                    left, moved = candidate, True
                    break
            if side == "right" and right < sentence.end:
                candidate = min(c for c in cuts if c > right)
                if candidate - left <= limit:
                    right, moved = candidate, True
                    break
        grow_left = not grow_left
        if not moved:
            break
    return left, right


def _snippet(doc: Document, sentence: Sentence, start: int, end: int) -> tuple[str, str, str]:
    """(prefix mark, text, suffix mark) of a window, with ellipses where it was cut."""
    zh = doc.language == ZH
    mark = "……" if zh else "…"
    prefix = mark if start > sentence.start else ""
    suffix = ""
    if end < sentence.end:
        suffix = mark
    return prefix, doc.clean[start:end], suffix


def _tidy(text: str, zh: bool) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if zh:
        text = re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)
        return text.rstrip("，；：、 ")
    return text.rstrip(",;: ")


def gapped(ctx: Context, sentence: Sentence, key: Candidate, gap: str) -> tuple[str, str]:
    """(stem with ``gap`` in place of the key, the quoted passage for the explanation)."""
    doc = ctx.doc
    zh = doc.language == ZH
    start, end = window(doc, sentence, key.start, key.end)
    prefix, _, suffix = _snippet(doc, sentence, start, end)
    before = doc.clean[start : key.start]
    after = doc.clean[key.end : end]
    # The gap goes in after tidying, which would collapse its spaces.
    stem = _tidy(prefix + before + "\x00" + after, zh) + suffix
    if not zh:
        if not prefix:
            stem = _capitalise(stem)
        if not stem.endswith((".", "!", "?", "…", '"', "”")):
            stem += "."
    stem = stem.replace("\x00", gap)
    quote = _tidy(prefix + doc.clean[start:end], zh) + suffix
    return stem, quote


def statement(
    ctx: Context, sentence: Sentence, key: Candidate | None, replacement: str | None
) -> tuple[str, str]:
    """(the statement, with ``replacement`` in place of the key if given; the quote)."""
    doc = ctx.doc
    zh = doc.language == ZH
    focus = (key.start, key.end) if key else (sentence.start, sentence.start + 1)
    start, end = window(doc, sentence, *focus)
    prefix, _, suffix = _snippet(doc, sentence, start, end)
    if key is not None and replacement is not None:
        body = doc.clean[start : key.start] + replacement + doc.clean[key.end : end]
    else:
        body = doc.clean[start:end]
    quote = _tidy(prefix + doc.clean[start:end], zh) + suffix
    text = _tidy(prefix + body, zh) + suffix
    return text, quote


# Verbs that open an instruction ("Optimize urban spatial layout, …").
_IMPERATIVE = re.compile(
    r"(?:adhere|optimize|optimise|accelerate|promote|build|strengthen|deepen|improve|implement"
    r"|focus|support|uphold|ensure|advance|expand|enhance|establish|develop|carry|push|make"
    r"|keep|take|persist|insist|continue|create|foster|cultivate|protect|safeguard|comprehensively"
    r"|firmly|vigorously|actively|further|steadily)\b"
)


def _capitalise(text: str) -> str:

    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1 :]
        if char not in "\"'“‘(…. ":
            return text
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


def _difficulty(key: Candidate, base: int, zh: bool) -> int:
    size = len(key.text) if zh else len(key.text.split())
    level = base
    if key.type in NUMERIC_TYPES:
        level -= 1
    if (zh and size >= 6) or (not zh and size >= 3):
        level += 1
    return level


# --- accepted answers ----------------------------------------------------------------


def accepted_answers(key: Candidate, zh: bool) -> tuple[str, ...]:
    if key.number is not None:
        return numbers.accepted_spellings(key.number, "zh-hans" if zh else "en")
    answers = [key.text]
    if not zh:
        if "-" in key.text:
            answers.append(key.text.replace("-", " "))
        elif key.type == PHRASE and len(key.text.split()) >= 2:
            words = key.text.split()
            answers.append(
                "-".join(words[:2]) + (" " + " ".join(words[2:]) if len(words) > 2 else "")
            )
        stripped = re.sub(r"^(?:the|a|an)\s+", "", key.text, flags=re.IGNORECASE)
        if stripped != key.text:
            answers.append(stripped)
    unique: list[str] = []
    for answer in answers:
        if fold(answer) not in (fold(a) for a in unique):
            unique.append(answer)
    return tuple(unique)


# --- builders --------------------------------------------------------------------------


def build_blank(
    ctx: Context, sentence: Sentence, key: Candidate, rng: random.Random
) -> Built | None:
    zh = ctx.doc.language == ZH
    stem, quote = gapped(ctx, sentence, key, BLANK)
    answers = accepted_answers(key, zh)
    explanation = f"原文：{_quote(quote, zh)}" if zh else f"The text says: {_quote(quote, zh)}"
    draft = _draft(
        ctx,
        kind="blank",
        builder=BLANK_BUILDER,
        stem=stem,
        blanks=(answers,),
        explanation=explanation,
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
        ctx.weight * key.weight,
    )


def build_single(
    ctx: Context, sentence: Sentence, key: Candidate, rng: random.Random
) -> Built | None:
    zh = ctx.doc.language == ZH
    options = ctx.distractors.for_key(key, rng, k=3)
    if len(options) < 3:
        return None
    if key.type == PHRASE and min(o.score for o in options) < 3.2:
        return None  # phrases that merely have the key's length make a giveaway
    if min(o.score for o in options) < 3.0 or sum(o.score for o in options) / 3 < 3.4:
        return None
    stem, quote = gapped(ctx, sentence, key, "（　　）" if zh else "(   )")
    choices = [ChoiceDraft(key.text, True)] + [ChoiceDraft(o.text) for o in options]
    explanation = f"原文：{_quote(quote, zh)}" if zh else f"The text says: {_quote(quote, zh)}"
    near = sum(1 for o in options if o.score >= NEAR_MISS)
    draft = _draft(
        ctx,
        kind="single",
        builder=SINGLE_BUILDER,
        stem=stem,
        choices=_shuffled(choices, rng),
        explanation=explanation,
        difficulty=_difficulty(key, 2, zh) + (1 if near >= 2 else 0),
        key_type=key.type,
    )
    hidden = (key.text,)
    return Built(
        draft,
        SINGLE_BUILDER,
        sentence.index,
        (key.text,),
        tuple(o.text for o in options),
        hidden,
        (key.type,) * 4,
        ctx.weight * key.weight * (0.8 + 0.05 * sum(o.score for o in options) / 3),
    )


def build_true_false(
    ctx: Context, sentence: Sentence, key: Candidate | None, rng: random.Random, *, false: bool
) -> Built | None:
    zh = ctx.doc.language == ZH
    swap: Option | None = None
    if false:
        if key is None:
            return None
        swap = ctx.distractors.swap(key, rng)
        if swap is None:
            return None
    text, quote = statement(ctx, sentence, key, swap.text if swap else None)
    if zh:
        stem = text if text.endswith(("。", "！", "？", "……", "”")) else text + "。"
    else:
        body = _lower_first(text, ctx.proper_words)
        if _IMPERATIVE.match(body):
            # "Adhere to …" is an instruction; as a statement it is what we should do.
            body = "we should " + body
        stem = f"According to the text, {body}"
        if not stem.endswith((".", "!", "?", "…", '"', "”")):
            stem += "."
        stem = stem.rstrip("!").rstrip("?")
        if not stem.endswith((".", "…", '"', "”")):
            stem += "."
    if zh:
        labels = ("正确", "错误")
        if swap and key:
            explanation = f"错误。原文是“{key.text}”，不是“{swap.text}”：{_quote(quote, zh)}"
        else:
            explanation = f"正确。原文：{_quote(quote, zh)}"
    else:
        labels = ("True", "False")
        if swap and key:
            explanation = (
                f'False: the text says "{key.text}", not "{swap.text}": {_quote(quote, zh)}'
            )
        else:
            explanation = f"True. The text says: {_quote(quote, zh)}"
    choices = (ChoiceDraft(labels[0], swap is None), ChoiceDraft(labels[1], swap is not None))
    key_type = key.type if key else "sentence"
    draft = _draft(
        ctx,
        kind="true_false",
        builder=TRUE_FALSE_BUILDER,
        stem=stem,
        choices=choices,
        explanation=explanation,
        difficulty=2 if swap else 1,
        key_type=key_type,
    )
    present = (key.text,) if key else ()
    absent = (swap.text,) if swap else ()
    hidden = (key.text,) if swap and key else ()
    return Built(
        draft, TRUE_FALSE_BUILDER, sentence.index, present, absent, hidden, (), ctx.weight * 0.9
    )


def _list_context(ctx: Context, sentence: Sentence, enumeration: Enumeration) -> str:
    """The passage around a list with the list itself elided: “坚定不移贯彻……的发展理念”."""
    doc = ctx.doc
    zh = doc.language == ZH
    width = 14 if zh else 80
    before = doc.clean[max(sentence.start, enumeration.start - width) : enumeration.start]
    if not zh and enumeration.start - width > sentence.start:
        before = before[before.find(" ") + 1 :]  # no cut word
    after = doc.clean[enumeration.end : min(sentence.end, enumeration.end + width)]
    if zh:
        pieces = re.split(r"[，。；：！？]", before)
        before = pieces[-1]
        after = re.split(r"[，。；：！？、]", after)[0]
        if len(before) + len(after) < 4 and len(pieces) > 1 and pieces[-2]:
            # The list opens its clause: quote the clause before it for context.
            before = pieces[-2][-12:] + "，"
        before = before.replace("“", "‘").replace("”", "’")
        after = after.replace("“", "‘").replace("”", "’")

    else:
        # Up to seven words before the list and four after it, within the clause.
        before = re.split(r"[.;:!?]\s", before)[-1]
        before = " ".join(before.split()[-7:]) if len(before.split()) > 7 else before
        after = re.split(r"[,.;:!?](?:\s|$)", after)[0]
        after = " ".join(after.split()[:4])
    mark = "……" if zh else "…"
    if not zh:
        return (
            _tidy(before, zh) + " " + mark + (" " + _tidy(after, zh) if after.strip() else "")
        ).strip()
    return _tidy(before, zh) + mark + _tidy(after, zh)


# Heads that name a set of countable things: "NOT one of the new development concepts".
_COUNTABLE = frozenset(
    [
        "concept",
        "principle",
        "task",
        "goal",
        "requirement",
        "area",
        "field",
        "measure",
        "value",
        "priority",
        "aspect",
        "direction",
        "idea",
        "pillar",
        "strategy",
        "step",
        "policy",
        "path",
        "industry",
        "sector",
        "base",
        "center",
        "centre",
        "zone",
        "district",
        "region",
        "city",
        "project",
        "program",
        "programme",
        "standard",
        "target",
        "mission",
        "theme",
    ]
)


def _plural(head: str) -> str:
    words = head.split()
    last = words[-1]
    if last.endswith(("s", "x", "ch", "sh")):
        plural = last + "es" if not last.endswith("s") else last
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        plural = last[:-1] + "ies"
    else:
        plural = last + "s"
    return " ".join([*words[:-1], plural])


def _list_quote(ctx: Context, sentence: Sentence, enumeration: Enumeration) -> str:
    zh = ctx.doc.language == ZH
    start, end = window(ctx.doc, sentence, enumeration.start, enumeration.end)
    prefix, _, suffix = _snippet(ctx.doc, sentence, start, end)
    return _tidy(prefix + ctx.doc.clean[start:end], zh) + suffix


def build_multiple(
    ctx: Context, sentence: Sentence, enumeration: Enumeration, rng: random.Random
) -> Built | None:
    zh = ctx.doc.language == ZH
    items = list(enumeration.items)
    outsiders = [
        o for o in ctx.distractors.outsiders(enumeration, rng, k=2) if o.score >= NEAR_MISS
    ]
    if not outsiders:
        return None
    count = min(len(items), 4 if len(items) <= 5 else rng.choice((3, 4)))
    chosen = sorted(rng.sample(items, count), key=lambda c: c.start)
    choices = [ChoiceDraft(c.text, True) for c in chosen] + [ChoiceDraft(o.text) for o in outsiders]
    head = enumeration.head
    if zh:
        if head:
            stem = f"根据原文，下列属于“{head}”的有哪些？（多选）"
        else:
            stem = (
                f"根据原文，“{_list_context(ctx, sentence, enumeration)}”中列举的有哪些？（多选）"
            )
        listed = "、".join(i.text for i in items)
        explanation = (
            f"原文列举的是：{listed}。原文：{_quote(_list_quote(ctx, sentence, enumeration), zh)}"
        )
    else:
        if head:
            stem = (
                f"According to the text, which of the following are part of the {head}? "
                "Choose all that apply."
            )
        else:
            context = _list_context(ctx, sentence, enumeration)
            stem = (
                f'Which of the following does the text list in "{context}"? Choose all that apply.'
            )
        listed = ", ".join(i.text for i in items)
        quote = _quote(_list_quote(ctx, sentence, enumeration), zh)
        explanation = f"The text lists: {listed}. It says: {quote}"
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
        sentence.index,
        tuple(c.text for c in chosen),
        tuple(o.text for o in outsiders),
        tuple(c.text for c in chosen),
        ("enum_item",) * len(choices),
        ctx.weight * 1.1,
    )


def build_not_one_of(
    ctx: Context, sentence: Sentence, enumeration: Enumeration, rng: random.Random
) -> Built | None:
    zh = ctx.doc.language == ZH
    items = list(enumeration.items)
    if len(items) < 4:
        return None
    outsiders = [
        o for o in ctx.distractors.outsiders(enumeration, rng, k=3) if o.score >= NEAR_MISS
    ]
    if not outsiders:
        return None
    outsider = outsiders[0]
    chosen = sorted(rng.sample(items, 3), key=lambda c: c.start)
    choices = [ChoiceDraft(c.text) for c in chosen] + [ChoiceDraft(outsider.text, True)]
    head = enumeration.head
    if zh:
        if head:
            stem = f"下列哪一项不属于原文所列的“{head}”？"
        else:
            context = _list_context(ctx, sentence, enumeration)
            stem = f"根据原文，“{context}”中列举的内容不包括下列哪一项？"
        listed = "、".join(i.text for i in items)
        explanation = (
            f"原文列举的是：{listed}，不包括“{outsider.text}”。原文："
            f"{_quote(_list_quote(ctx, sentence, enumeration), zh)}"
        )
    else:
        if head and head.split()[-1].lower() in _COUNTABLE:
            stem = f"Which of the following is NOT one of the {_plural(head)} named in the text?"
        elif head:
            stem = f"According to the text, which of the following is NOT part of the {head}?"
        else:
            context = _list_context(ctx, sentence, enumeration)
            stem = f'Which of the following is NOT listed in the text\'s "{context}"?'

        listed = ", ".join(i.text for i in items)
        explanation = (
            f'The text lists {listed}; "{outsider.text}" is not among them. It says: '
            f"{_quote(_list_quote(ctx, sentence, enumeration), zh)}"
        )
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
        sentence.index,
        tuple(c.text for c in chosen),
        (outsider.text,),
        (outsider.text,),
        ("enum_item",) * 4,
        ctx.weight * 1.15,
    )
