"""Compact, self-contained stretches of a sentence: the clause that carries a claim, with
just the clauses it needs to read on its own.

A stem cut from a long sentence with "……" hides what is asked; a whole 100-character
sentence copied into a true/false statement tests nothing. ``compact_span`` finds the
shortest run of whole clauses around a focus (the answer, a list) that reads as a complete
statement, or says there is none within the limit, so that the builder can leave the
sentence alone rather than cut it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from quizzes.generation.text import ZH, Document, Sentence

# Clause separators. The colon and semicolon separate clauses too, but what follows a
# colon usually needs what comes before it ("大会的主题是：…").
_ZH_SEPARATORS = re.compile(r"[，；：]")
# English lists use commas too ("innovation, coordination, green"): a comma separates
# clauses only before a word that opens one.
_EN_SEPARATORS = re.compile(
    r"(?<=[;:])\s|(?<=,)\s(?=(?:but |while |which |where |we |it |this |these |they "
    r"|there |our |and we |and it |the [a-z]+ (?:is|are|was|will|has|have)\b))",
    re.IGNORECASE,
)

# Words that open a clause which leans on the one before it (a purpose, a consequence, a
# contrast, the second half of a pair). Such a clause never starts a stem.
_ZH_DEPENDENT = (
    "是",
    "使",
    "让",
    "从而",
    "进而",
    "以便",
    "以",
    "并",
    "而",
    "但",
    "也",
    "还",
    "又",
    "都",
    "就",
    "才",
    "则",
    "更",
    "即",
    "特别是",
    "尤其是",
    "其中",
    "这",
    "此",
    "其",
    "它",
    "由此",
    "因此",
    "所以",
    "因而",
    "为此",
    "对此",
    "否则",
    "甚至",
    "乃至",
    "以及",
    "和",
    "与",
    "及",
    "或",
    "同",
    "为",
    "不断",
    "推动",
    "确保",
    "保证",
    "实现",
    "努力",
    "形成",
    "成为",
)
# Openers that may start a stem although a dependent word begins them.
_ZH_INDEPENDENT = ("为了", "为实现", "这是", "这就", "实现中", "推动构建", "以人民")
# Clause-long discourse markers that a stem drops ("首先，", "同时，").
_ZH_MARKERS = frozenset(
    [
        "首先",
        "其次",
        "再次",
        "最后",
        "同时",
        "当前",
        "目前",
        "现在",
        "总之",
        "因此",
        "所以",
        "为此",
        "对此",
        "此外",
        "另外",
        "然而",
        "但是",
        "不过",
        "可见",
        "总的来看",
        "总的来说",
        "实践证明",
        "实践充分证明",
        "历史证明",
        "事实证明",
        "我们认为",
        "同志们",
        "这就要求",
        "一方面",
        "另一方面",
    ]
)
# Pairs whose second half cannot stand without the first.
_ZH_PAIRS = (
    ("既", "又"),
    ("既", "也"),
    ("既", "更"),
    ("既", "还"),
    ("不仅", "而且"),
    ("不仅", "还"),
    ("不仅", "更"),
    ("只有", "才"),
    ("只要", "就"),
    ("不是", "而是"),
)
# A clause that opens with these finishes the one before it: "……，是全党的中心任务".
_ZH_PREDICATE_OPENERS = ("是", "就是", "都是", "也是", "才是", "成为", "构成", "体现")
# Verbs of saying: a clause that ends with one before a colon says nothing by itself.
_ZH_SAYING = re.compile(r"(?:强调|指出|表示|提出|要求|认为|宣告|说|写道|明确)$")
_EN_DEPENDENT = re.compile(
    r"^(?:and|or|but|so|which|who|whose|where|while|thus|thereby|making|so that|as well as"
    r"|including|such as|especially|in order to|to\b|with\b|this|that|these|it|they)\b",
    re.IGNORECASE,
)
_EN_SUBJECT = re.compile(r"(?:and )?(?:we|it|this|these|they|there|our|the)\b", re.IGNORECASE)
_EN_MARKERS = re.compile(
    r"^(?:at present|in the final analysis|in short|first(?:ly)?|second(?:ly)?|third(?:ly)?"
    r"|finally|meanwhile|at the same time|therefore|however|moreover|in addition)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Span:
    """Clean offsets of a compact stretch; ``whole`` when it is the whole sentence."""

    start: int
    end: int
    whole: bool


def clause_cuts(doc: Document, sentence: Sentence) -> list[int]:
    """Clean offsets where the clauses of ``sentence`` start (the first is its start), and
    its end last."""
    cached = doc.clause_cuts.get(sentence.index)
    if cached is not None:
        return cached
    separators = _ZH_SEPARATORS if doc.language == ZH else _EN_SEPARATORS
    text = sentence.text
    cuts = [sentence.start]
    depth = 0
    quote = 0
    last = 0
    for match in separators.finditer(text):
        # Never cut inside brackets or quotation marks.
        segment = text[last : match.start()]
        depth += segment.count("（") + segment.count("(") - segment.count("）") - segment.count(")")
        quote += segment.count("“") - segment.count("”")
        last = match.start()
        if depth <= 0 and quote <= 0:
            cuts.append(sentence.start + match.end())
    if doc.language != ZH:
        cuts += _en_verb_cuts(sentence)
    cuts.append(sentence.end)
    result = sorted(set(cuts))
    doc.clause_cuts[sentence.index] = result
    return result


_EN_COMMA_WORD = re.compile(r",\s+(?:and\s+)?([a-z]+)\b")


def _en_verb_cuts(sentence: Sentence) -> list[int]:
    """English clauses that share the sentence's subject: ", deepen the 'chain leader
    system' …", ", and make efforts to …" open with a verb in its base form."""
    from quizzes.generation import wordclass

    cuts = []
    text = sentence.text
    for match in _EN_COMMA_WORD.finditer(text):
        word = match.group(1)
        if wordclass.base_verb(word) and text[: match.start()].count('"') % 2 == 0:
            spaces = len(match.group(0)) - len(match.group(0)[1:].lstrip()) - 1
            cuts.append(sentence.start + match.start() + 1 + spaces)
    return cuts


def _clause(doc: Document, start: int, end: int) -> str:
    return doc.clean[start:end].strip(" ，；：,;:。.！？!?")


_ZH_VERB_YU = re.compile(r"^[\u4e00-\u9fff]{1,3}于")


def _dependent(doc: Document, text: str) -> bool:
    if doc.language == ZH:
        if text.startswith(_ZH_INDEPENDENT):
            return False
        # "熔铸于……", "植根于……": the predicate of a subject said before.
        return text.startswith(_ZH_DEPENDENT) or _ZH_VERB_YU.match(text) is not None
    return _EN_DEPENDENT.match(text) is not None


def _marker(doc: Document, text: str) -> bool:
    if doc.language == ZH:
        return text in _ZH_MARKERS or len(text) <= 3
    return _EN_MARKERS.match(text) is not None


_ZH_SCENE = re.compile(
    r"^(?:为了|为|在|对|当|随着|面对|面临|围绕|按照|根据|通过|经过|基于|立足|着眼|站在|本着|鉴于"
    r"|[一二三四五六七八九十百\d]+(?:多)?年(?:来|前|间)|自从|自|从|无论|不管|即使|如果|只要|只有"
    r"|虽然|尽管|由于|因为)"
)
_EN_SCENE = re.compile(
    r"^(?:in order to|to|for|in|on|at|by|with|through|based on|focusing on|facing|as|since"
    r"|if|when|while|although|though|because|only by|whether)\b",
    re.IGNORECASE,
)


def _scene(doc: Document, text: str) -> bool:
    """A clause that sets the scene for the next and says nothing by itself."""
    pattern = _ZH_SCENE if doc.language == ZH else _EN_SCENE
    return pattern.match(text) is not None and not text.endswith(("。", "."))


def _size(doc: Document, text: str) -> int:
    return len(text) if doc.language == ZH else len(text.split())


def compact_span(
    doc: Document, sentence: Sentence, focus_start: int, focus_end: int, limit: int | None = None
) -> Span | None:
    """The shortest run of whole clauses of ``sentence`` that holds the focus and reads on
    its own: it starts at the sentence start, after a discourse marker, or at a clause that
    does not lean on the one before; it keeps both halves of a pair (既…又…) and what
    comes before a colon the focus follows. ``None`` when that run is longer than
    ``limit`` (68 characters in Chinese, 42 words in English)."""
    zh = doc.language == ZH
    limit = limit or (68 if zh else 42)
    memo = (sentence.index, focus_start, focus_end, limit)
    if memo in doc.spans:
        return doc.spans[memo]
    span = _compact_span(doc, sentence, focus_start, focus_end, limit, zh)
    doc.spans[memo] = span
    return span


def _whole_pairs(
    doc: Document, cuts: list[int], first: int, last: int, zh: bool
) -> tuple[int, int]:
    """The run widened so that both halves of every pair it touches (既…又…) are in it."""
    starts = cuts[:-1]
    if zh:
        run = doc.clean[cuts[first] : cuts[last + 1]]
        for opener, closer in _ZH_PAIRS:
            # The second half of a pair in the run, its first half before it: take both.
            if closer in run and opener not in run:
                while first > 0 and opener not in doc.clean[cuts[first] : cuts[last + 1]]:
                    first -= 1
        # The run ends mid-way through a pair: take the second half too.
        run = doc.clean[cuts[first] : cuts[last + 1]]
        for opener, closer in _ZH_PAIRS:
            if opener in run and closer not in run:
                while (
                    last + 1 < len(starts) and closer not in doc.clean[cuts[first] : cuts[last + 1]]
                ):
                    last += 1
    return first, last


def _compact_span(
    doc: Document, sentence: Sentence, focus_start: int, focus_end: int, limit: int, zh: bool
) -> Span | None:
    cuts = clause_cuts(doc, sentence)
    starts = cuts[:-1]
    # The clauses holding the focus.
    first = max(i for i, c in enumerate(starts) if c <= focus_start)
    last = min(i for i, c in enumerate(cuts) if c >= focus_end) - 1
    last = max(last, first)
    # Lean left while the first clause depends on the one before it, or the one before
    # ends in the middle of a phrase ("发展面向……的，民族的科学的大众的……文化").
    while first > 0 and (
        _dependent(doc, _clause(doc, cuts[first], cuts[first + 1]))
        or doc.clean[max(0, cuts[first] - 2)] in "的、"
    ):
        first -= 1
    # A colon right before the run: the topic before it is needed ("主题是：").
    if first > 0 and doc.clean[cuts[first] - 1] in "：:":
        first -= 1
        while first > 0 and _dependent(doc, _clause(doc, cuts[first], cuts[first + 1])):
            first -= 1
    first, last = _whole_pairs(doc, cuts, first, last, zh)
    # Prefer the sentence's own start (its subject) when that still fits the limit, and
    # take more clauses while the stem says too little to point at one answer.
    if _size(doc, doc.clean[cuts[0] : cuts[last + 1]]) <= limit:
        first = 0
    least = 16 if zh else 10
    while (
        _size(doc, doc.clean[cuts[first] : cuts[last + 1]])
        - _size(doc, doc.clean[focus_start:focus_end])
        < least
    ):
        if first > 0 and _size(doc, doc.clean[cuts[first - 1] : cuts[last + 1]]) <= limit:
            first -= 1
        elif (
            last + 1 < len(starts) and _size(doc, doc.clean[cuts[first] : cuts[last + 2]]) <= limit
        ):
            last += 1
        else:
            return None
    # A run that opens with a clause setting the scene ("Only by …, can we …") needs its
    # main clause.
    if not zh and _scene(doc, _clause(doc, cuts[first], cuts[first + 1])):
        while last + 1 < len(starts) and not any(
            _EN_SUBJECT.match(_clause(doc, cuts[i], cuts[i + 1]))
            for i in range(first + 1, last + 1)
        ):
            last += 1
    # A run may not end on a clause that only sets the scene ("为了实现……", "面对……"),
    # nor before the predicate of its subject ("……，是全党的中心任务"), nor on what
    # someone said before the colon that gives it.
    while last + 1 < len(starts):
        current = _clause(doc, cuts[last], cuts[last + 1])
        following = _clause(doc, cuts[last + 1], cuts[last + 2])
        if (
            _scene(doc, current)
            or (zh and following.startswith(_ZH_PREDICATE_OPENERS))
            or (zh and doc.clean[cuts[last + 1] - 1] in "：:" and _ZH_SAYING.search(current))
        ):
            last += 1
        else:
            break
    # A colon introduces what it says: a run inside what follows a colon needs the topic
    # before the colon and all of what follows ("本质要求是：坚持……，坚持……，实现……").
    if any(doc.clean[cut - 1] in "：:" for cut in cuts[1 : last + 1]):
        first = 0
        last = len(starts) - 1
    # Clauses taken since may have opened a pair: take its other half too.
    first, last = _whole_pairs(doc, cuts, first, last, zh)
    # Drop discourse markers that open the run ("首先，").
    while first < last and _marker(doc, _clause(doc, cuts[first], cuts[first + 1])):
        if cuts[first + 1] > focus_start:
            break
        first += 1
    start, end = cuts[first], cuts[last + 1]
    # Trim spaces and the separator that ends a clause.
    while end > start and doc.clean[end - 1] in " ，；：,;:":
        end -= 1
    while start < end and doc.clean[start] == " ":
        start += 1
    if _size(doc, doc.clean[start:end]) > limit:
        return None
    return Span(start, end, start == sentence.start and end >= sentence.end - 1)


def statement_text(doc: Document, start: int, end: int) -> str:
    """The clean text of a span as a sentence of its own: tidy spaces, one full stop."""
    text = re.sub(r"\s+", " ", doc.clean[start:end]).strip()
    if doc.language == ZH:
        text = re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)
        text = text.rstrip("，；：、 ")
        if not text.endswith(("。", "！", "？")):
            text += "。"
        return text
    text = text.rstrip(",;: ")
    if not re.search(r"[.!?][\"”’']?$", text):
        text += "."
    return text
