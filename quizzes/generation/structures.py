"""Structures above the sentence: parallel series and definitions.

A study document makes its headline points in parallel form: fourteen paragraphs that each
open with "（一）坚持……", six sentences in a row that begin "必须坚持……", one sentence of
clauses "务必……，务必……，务必……" or "是……的现代化，是……的现代化". Found at clause,
sentence and paragraph level, such a *series* becomes a multiple-choice or "which is NOT
one of" question. A *definition* ("创新是引领发展的第一动力", "X is the only way to Y") names
what something is; the roles that definitions give (第一动力, 根本目的, 首要任务) are a class of
their own, and the best distractors for one another.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from quizzes.generation.candidates import ENUM_ITEM, Candidate
from quizzes.generation.text import ZH, Document, Sentence

CLAUSE = "clause"
SENTENCE = "sentence"
PARAGRAPH = "paragraph"

# Numbering that opens a unit of a list: "（一）", "一是", "第一，", "1.", "First,".
_ZH_NUMBERING = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}是"
    r"|第[一二三四五六七八九十]{1,3}[，、,]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[.、．]\s*"
    r"|——)"
)
_EN_NUMBERING = re.compile(
    r"^(?:\(?\d{1,2}[.)]\s+|\(?[a-h]\)\s+|(?:first|second|third|fourth|fifth|sixth|seventh"
    r"|eighth|ninth|tenth|finally|lastly)(?:ly)?,\s+|(?:--?|[–—•])\s*)",
    re.IGNORECASE,
)
_ZH_CLAUSE = re.compile(r"[^，；。！？：]+")
_EN_CLAUSE = re.compile(r"[^,;.!?:]+")
# A sentence that sums a list up: "这十四条，构成……的基本方略".
_ZH_SUMMARY = re.compile(
    r"^(?:这|以上|上述)[一二三四五六七八九十几两\d]*(?:条|个方面|个方面内容|点|项|大)?"
    r"[^，。]{0,6}[，,]?(?:构成|是|就是|共同构成|集中体现了?|概括起来就是)"
    r"(?P<head>[\u4e00-\u9fff“”]{2,30})[。；]"
)
# The clause before a list that says what follows: "……主要是：", "……要做到以下几点：".
_ZH_INTRO_HEAD = re.compile(r"(?:的|是)(?P<head>[\u4e00-\u9fff]{2,8}?)(?:是|有|包括|为)?[：:]$")


@dataclass(frozen=True, slots=True)
class Series:
    """Parallel units of one list. ``items`` are what differs from unit to unit (the
    answers), ``prefix``/``suffix`` what they share; ``lead`` the words that introduce the
    series in its own sentence ("中国式现代化", "全党同志"), ``head`` what the items are
    items of when the text says so ("基本方略"), ``intro`` the sentence index that
    introduces or sums it up (or -1)."""

    index: int
    level: str
    items: tuple[Candidate, ...]
    sentences: tuple[int, ...]
    start: int
    end: int
    prefix: str
    suffix: str
    lead: str
    head: str
    intro: int
    numbered: bool
    # The title of the section the series stands in ("贯彻新发展理念，建设现代化经济体系"),
    # or "": it names a list of sub-headings when nothing else does.
    heading: str = ""

    @property
    def span_sentences(self) -> tuple[int, int]:
        return self.sentences[0], self.sentences[-1]


@dataclass(frozen=True, slots=True)
class Definition:
    """ "<subject> 是 <predicate> 的 <role>" in one clause (clean offsets of each part)."""

    sentence: int
    subject: Candidate
    role: Candidate
    clause_start: int
    clause_end: int


# Prepositions that open an adverbial ("以……", "在……中"), not an act or a thing.
_ZH_ADVERBIAL = ("以", "在", "把", "对", "从", "向", "为了", "通过", "随着", "按照", "围绕")


def _adverbial(text: str) -> bool:
    """ "以永远在路上的坚韧和执着": a manner; "以人民为中心的发展思想" ("以……为……") is a
    thing."""
    return text.startswith(_ZH_ADVERBIAL) and not (text.startswith("以") and "为" in text)


def _numbering(doc: Document, text: str) -> int:
    pattern = _ZH_NUMBERING if doc.language == ZH else _EN_NUMBERING
    match = pattern.match(text)
    return match.end() if match else 0


_EN_ORDINAL_WORDS = {
    word: value
    for value, word in enumerate(
        ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"),
        start=1,
    )
}


def _number_label(doc: Document, text: str) -> tuple[str, int | None]:
    """The style of a unit's numbering ("（一）" and "一、" are different levels of one
    outline) and the number it gives, or ("", None) when the unit is not numbered."""
    from quizzes.generation import numbers

    size = _numbering(doc, text)
    if not size:
        return "", None
    label = text[:size].strip()
    digits = re.sub(r"[^一二三四五六七八九十\d]", "", label)
    value = None
    if digits:
        read = numbers.read_chinese(digits) if doc.language == ZH else None
        if read is not None:
            value = read.value
        elif digits.isdigit():
            value = int(digits)
    elif doc.language != ZH:
        value = _EN_ORDINAL_WORDS.get(re.sub(r"(?:ly)?,$", "", label.lower()))
    style = re.sub(r"[一二三四五六七八九十]+", "N", re.sub(r"\d+", "D", label))
    if doc.language != ZH and value is not None and not digits:
        style = "ordinal-word"
    return style, value


def _common_prefix(texts: list[str]) -> str:
    first = min(texts)
    last = max(texts)
    size = 0
    while size < len(first) and first[size] == last[size]:
        size += 1
    return first[:size]


def _common_suffix(texts: list[str]) -> str:
    reversed_texts = [t[::-1] for t in texts]
    return _common_prefix(reversed_texts)[::-1]


@dataclass(frozen=True, slots=True)
class _Unit:
    sentence: int
    start: int  # clean offset of the unit's text (after numbering)
    text: str  # the unit's first clause (after numbering)
    numbered: bool
    paragraph: int
    # The numbering's style ("（N）", "N、", "D.") and number, when numbered.
    style: str = ""
    number: int | None = None


def _follows(previous: _Unit, unit: _Unit) -> bool:
    """Whether numbered ``unit`` continues ``previous``'s numbering: the same style, and the
    next number when both have one ("（四）" is not followed by "十、": that is the next
    section of the outline, not the next item)."""
    if previous.style != unit.style:
        return False
    if previous.number is not None and unit.number is not None:
        return unit.number == previous.number + 1
    return True


def _item_size_ok(doc: Document, text: str) -> bool:
    if doc.language == ZH:
        return 2 <= len(text) <= 20 and not re.search(r"[，。；：！？]", text)
    words = text.split()
    return 1 <= len(words) <= 12


def _trim_prefix_to_word(doc: Document, prefix: str) -> str:
    if doc.language == ZH:
        return prefix
    # English: whole words only.
    if not prefix or prefix.endswith(" "):
        return prefix
    cut = prefix.rfind(" ")
    return prefix[: cut + 1] if cut >= 0 else ""


def _series_from_units(
    doc: Document, units: list[_Unit], level: str, found: list[Series], sentences_used: set
) -> None:
    """Maximal runs of three or more units with a shared opener (or numbering)."""
    zh = doc.language == ZH
    minimum = 2 if zh else 3
    i = 0
    while i < len(units):
        best_j = i
        # Extend while the units share an opener of ``minimum`` characters (numbered
        # units share their numbering instead).
        j = i + 1
        while j < len(units):
            group = units[i : j + 1]
            if any(u.paragraph != group[0].paragraph for u in group) and level != PARAGRAPH:
                break
            later = [u.text for u in group[1:]]
            prefix = _trim_prefix_to_word(doc, _common_prefix(later))
            numbered = all(u.numbered for u in group) and all(
                _follows(a, b) for a, b in itertools.pairwise(group)
            )
            if len(prefix) < minimum and not numbered:
                # One shared character is enough when the units also end alike:
                # "是……的现代化，是……的现代化".
                ending = _common_suffix(later) if len(later) >= 2 else ""
                if not (zh and prefix and len(ending) >= 2 and len(group) >= 3):
                    break
            best_j = j
            j += 1
        run = units[i : best_j + 1]
        if len(run) >= 3:
            series = _make_series(doc, run, level, len(found))
            if series is not None and not (
                set(series.sentences) & sentences_used and level != CLAUSE
            ):
                found.append(series)
                if level != CLAUSE:
                    sentences_used.update(series.sentences)
                i = best_j + 1
                continue
        i += 1


def _make_series(doc: Document, run: list[_Unit], level: str, index: int) -> Series | None:
    zh = doc.language == ZH
    later = [u.text for u in run[1:]]
    prefix = _trim_prefix_to_word(doc, _common_prefix(later))
    numbered = all(u.numbered for u in run) and all(
        _follows(a, b) for a, b in itertools.pairwise(run)
    )
    first = run[0]
    # The first unit may carry the series' subject before the shared opener.
    lead = ""
    offset_in_first = 0
    if prefix:
        position = first.text.find(prefix)
        if position < 0:
            return None
        lead = first.text[:position]
        offset_in_first = position
        if len(lead) > (16 if zh else 60):
            return None
    texts = [first.text[offset_in_first:], *later]
    suffix = _common_suffix([t[len(prefix) :] for t in texts]) if len(texts) >= 3 else ""
    if zh and len(suffix) < 2:
        suffix = ""
    if not zh:
        suffix = suffix if suffix.startswith(" ") else ""
    if zh and len(prefix) < 2 and not suffix and not numbered:
        return None
    if level != CLAUSE:
        # Sentence units: the item is the first clause after the opener; a shared ending
        # of whole sentences is no pattern.
        clause_end = re.compile(r"[，；：,;:]")
        cut = []
        for text in texts:
            rest = text[len(prefix) :]
            match = clause_end.search(rest)
            cut.append(text[: len(prefix) + (match.start() if match else len(rest))])
        texts = cut
        suffix = _common_suffix([t[len(prefix) :] for t in texts])
        if zh and len(suffix) < 2:
            suffix = ""
        if not zh:
            suffix = suffix if suffix.startswith(" ") else ""
    items: list[Candidate] = []
    for unit, text in zip(run, texts, strict=True):
        body = text[len(prefix) : len(text) - len(suffix)] if suffix else text[len(prefix) :]
        stripped = body.strip(" 、，,")
        if not _item_size_ok(doc, stripped):
            return None
        local = unit.text.find(stripped, offset_in_first if unit is first else 0)
        start = unit.start + local
        items.append(
            Candidate(ENUM_ITEM, stripped, start, start + len(stripped), unit.sentence, 1.3)
        )
    if level != CLAUSE and len(run) >= 4:
        # A unit that opens as the others do but ends otherwise closes the run before
        # it: "中国式现代化是……的现代化" four times, then "中国式现代化的本质要求是：".
        for dropped, kept in ((run[-1], run[:-1]), (run[0], run[1:])):
            others = [i.text for i in items if i.sentence != dropped.sentence]
            ending = _common_suffix(others)
            opening = _common_prefix(others)
            text = next(i.text for i in items if i.sentence == dropped.sentence)
            shared = (len(ending) >= 2 and not text.endswith(ending)) or (
                zh and len(opening) >= 1 and not text.startswith(opening)
            )
            if shared and len(kept) >= 3:
                return _make_series(doc, kept, level, index)
    if zh and sum(1 for i in items if _adverbial(i.text)) not in {0, len(items)}:
        return None  # "以永远在路上的坚韧和执着": a manner, cut from its clause, among acts
    if zh and prefix and any(i.text[:1] in "和与及并或而" for i in items):
        # "坚持|和加强党的全面领导": the opener cut a verb pair; the items keep it whole.
        items = [
            Candidate(ENUM_ITEM, prefix + i.text, i.start - len(prefix), i.end, i.sentence, 1.3)
            if doc.clean[i.start - len(prefix) : i.start] == prefix
            else i
            for i in items
        ]
        if any(not i.text.startswith(prefix) for i in items) or lead:
            return None
        prefix = ""
    folded = {i.text for i in items}
    if len(folded) != len(items):
        return None
    sizes = [len(i.text) for i in items]
    if max(sizes) > 3 * min(sizes) + 2:
        return None  # units that only happen to open alike, not parallel items
    if zh and max(len(i.text) for i in items) <= 2 and prefix and not numbered:
        # "伟大斗争，伟大工程，伟大事业": the shared word is part of each item.
        items = [
            Candidate(ENUM_ITEM, prefix + i.text, i.start - len(prefix), i.end, i.sentence, 1.3)
            for i in items
        ]
        prefix = ""
        if lead:
            return None
    sentences = tuple(sorted({u.sentence for u in run}))
    return Series(
        index=index,
        level=level,
        items=tuple(items),
        sentences=sentences,
        start=items[0].start,
        end=items[-1].end,
        prefix=prefix.strip(),
        suffix=suffix.strip(),
        lead=lead.strip(" ，,"),
        head="",
        intro=-1,
        numbered=numbered,
    )


def find_series(doc: Document) -> list[Series]:
    """Parallel series at clause, sentence and paragraph level, in that order of
    preference: a sentence that belongs to a paragraph-level series is not searched
    again at sentence level."""
    zh = doc.language == ZH
    clause_re = _ZH_CLAUSE if zh else _EN_CLAUSE
    found: list[Series] = []
    used: set[int] = set()
    content = [s for s in doc.sentences if s.excluded != "metadata"]

    # Paragraph level: the first sentence of each paragraph (headings included: a run of
    # numbered sub-headings is the list of a section's tasks).
    firsts: list[_Unit] = []
    for sentence in content:
        if sentence.first_in_paragraph:
            firsts.append(_unit(doc, sentence, clause_re))
    _outline_series(doc, firsts, found, used)
    _series_from_units(doc, [u for u in firsts if u.sentence not in used], PARAGRAPH, found, used)
    # Sentence level, within each paragraph.
    by_paragraph: dict[int, list[_Unit]] = {}
    for sentence in content:
        if sentence.index in used or sentence.excluded:
            continue
        by_paragraph.setdefault(sentence.paragraph, []).append(_unit(doc, sentence, clause_re))
    for units in by_paragraph.values():
        if len(units) >= 3:
            _series_from_units(doc, units, SENTENCE, found, used)
    # Clause level, within each sentence.
    for sentence in content:
        if sentence.excluded:
            continue
        units = []
        for match in clause_re.finditer(sentence.text):
            raw = match.group()
            text = raw.strip()
            if not text:
                continue
            start = sentence.start + match.start() + (len(raw) - len(raw.lstrip()))
            if sentence.text[match.end() : match.end() + 1] in "：:":
                continue  # "We must adhere to the principles …:" introduces the list
            if doc.language != ZH and text.lower().startswith(("and ", "or ")):
                lead_word = len(text.split()[0]) + 1
                text, start = text[lead_word:].lstrip(), start + lead_word
            skip = _numbering(doc, text)
            style, number = _number_label(doc, text)
            units.append(
                _Unit(
                    sentence.index,
                    start + skip,
                    text[skip:],
                    skip > 0,
                    sentence.paragraph,
                    style,
                    number,
                )
            )
        if len(units) >= 3:
            _series_from_units(doc, units, CLAUSE, found, used)
    found = [_with_heading(doc, _with_head(doc, series)) for series in found]
    return [_renumber(series, index) for index, series in enumerate(found)]


def _outline_series(doc: Document, units: list[_Unit], found: list[Series], used: set[int]) -> None:
    """Numbered sub-headings with body paragraphs between them: "（一）……" then two
    paragraphs of text, "（二）……", and so on. The run goes on while the numbering does
    (same style, next number) and no heading of the outline stands between."""
    chains: dict[str, list[_Unit]] = {}
    runs: list[list[_Unit]] = []
    for unit in units:
        if not unit.numbered or unit.number is None or unit.style in {"", "——"}:
            continue
        chain = chains.get(unit.style)
        if chain and _follows(chain[-1], unit) and not _heading_between(doc, chain[-1], unit):
            chain.append(unit)
            continue
        if chain and len(chain) >= 3:
            runs.append(chain)
        chains[unit.style] = [unit] if unit.number == 1 else []
    runs += [chain for chain in chains.values() if len(chain) >= 3]
    for run in sorted(runs, key=lambda r: r[0].sentence):
        if any(u.sentence in used for u in run):
            continue
        if all(doc.paragraphs[u.paragraph].heading for u in run) and not _enclosed(doc, run[0]):
            continue  # the document's own top-level sections, not a list it makes
        series = _make_series(doc, run, PARAGRAPH, len(found))
        if series is not None:
            found.append(series)
            used.update(series.sentences)


def _enclosed(doc: Document, unit: _Unit) -> bool:
    """Whether the nearest heading before ``unit`` is numbered in another style: the
    section whose sub-headings the run lists."""
    for paragraph in reversed(doc.paragraphs[: unit.paragraph]):
        if paragraph.heading:
            title = doc.clean[paragraph.start : paragraph.end]
            style, _number = _number_label(doc, title)
            return bool(style) and style != unit.style
    return False


def _heading_between(doc: Document, first: _Unit, second: _Unit) -> bool:
    return any(
        doc.paragraphs[index].heading for index in range(first.paragraph + 1, second.paragraph)
    )


def _renumber(series: Series, index: int) -> Series:
    from dataclasses import replace

    items = tuple(replace(item, enumeration=None) for item in series.items)
    return replace(series, index=index, items=items)


def _unit(doc: Document, sentence: Sentence, clause_re: re.Pattern[str]) -> _Unit:
    """A sentence as a unit of a list: its text after any numbering, without its end mark;
    the item is later cut at the first clause boundary after the shared opener."""
    text = sentence.text
    skip = _numbering(doc, text)
    body = text[skip:].rstrip("。！？；.!?;")
    style, number = _number_label(doc, text)
    return _Unit(
        sentence.index, sentence.start + skip, body, skip > 0, sentence.paragraph, style, number
    )


def _with_head(doc: Document, series: Series) -> Series:
    """Fill ``head`` and ``intro`` from a summing-up sentence right after the series, or an
    introducing clause ending with a colon right before it."""
    from dataclasses import replace

    if doc.language != ZH:
        return _with_english_head(doc, series)
    last = series.sentences[-1]
    # The sentence after the series' last unit paragraph or sentence.
    following = _next_content_sentence(doc, last, series.level)
    if following is not None:
        match = _ZH_SUMMARY.match(doc.sentences[following].text)
        if match:
            return replace(series, head=match.group("head"), intro=following)
    first = series.sentences[0]
    before = doc.sentences[first - 1] if first > 0 else None
    if before is not None and before.text.rstrip().endswith(("：", ":")):
        match = _ZH_INTRO_HEAD.search(before.text.rstrip())
        if match:
            return replace(series, head=match.group("head"), intro=before.index)
    return series


# What a list is called, in the sentence that sums it up ('These "six adheres" summarize
# …') or in the clause that introduces it ('puts forward "seven focuses":').
_EN_SUMMARY = re.compile(r'^(?:these|the above|all these|the|such)\s+"(?P<head>[^"]{3,40})"', re.I)
_EN_INTRO_HEAD = re.compile(r'"(?P<head>[^"]{3,40})"\s*:?\s*$')


def _with_english_head(doc: Document, series: Series) -> Series:
    from dataclasses import replace

    last = series.sentences[-1]
    following = _next_content_sentence(doc, last, series.level)
    if following is not None:
        match = _EN_SUMMARY.match(doc.sentences[following].text)
        if match:
            return replace(series, head=match.group("head"), intro=following)
    first = series.items[0]
    sentence = doc.sentences[first.sentence]
    before = doc.clean[sentence.start : first.start]
    colon = before.rfind(":")
    if colon >= 0:
        match = _EN_INTRO_HEAD.search(before[:colon])
        if match:
            return replace(series, head=match.group("head"))
    return series


def _with_heading(doc: Document, series: Series) -> Series:
    from dataclasses import replace

    if series.level != PARAGRAPH:
        return series
    first = doc.sentences[series.sentences[0]].paragraph
    for paragraph in reversed(doc.paragraphs[:first]):
        if paragraph.metadata:
            continue
        if paragraph.heading:
            title = doc.clean[paragraph.start : paragraph.end]
            title = title[_numbering(doc, title) :].strip()
            if 4 <= len(title) <= 40:
                return replace(series, heading=title)
            return series
    return series


def _next_content_sentence(doc: Document, index: int, level: str) -> int | None:
    sentences = doc.sentences
    position = index + 1
    if level == PARAGRAPH:
        paragraph = sentences[index].paragraph
        while position < len(sentences) and sentences[position].paragraph == paragraph:
            position += 1
    while position < len(sentences) and sentences[position].excluded:
        position += 1
    return position if position < len(sentences) else None


def anchor_of(doc: Document, series: Series) -> int:
    """The sentence a series' questions hang on: its own sentence for a clause series, else
    the sentence that introduces or sums it up, else the first of its units that is not a
    heading."""
    if series.level == CLAUSE:
        return series.sentences[0]
    if series.intro >= 0:
        return series.intro
    first = doc.sentences[series.sentences[0]]
    for sentence in doc.sentences[first.index :]:
        if sentence.paragraph != first.paragraph:
            break
        if not sentence.excluded:
            return sentence.index
    return first.index


# --- definitions -----------------------------------------------------------------------

_ZH_DEFINITION = re.compile(
    r"^(?P<subject>[\u4e00-\u9fff“”]{2,14}?)(?:是|就是|始终是|才是)(?!不是)"
    r"(?P<predicate>[^，；。！？：]{2,40})的(?P<role>[\u4e00-\u9fff]{2,8})$"
)
_EN_DEFINITION = re.compile(
    r"^(?P<subject>[A-Z][A-Za-z -]{2,60}?) (?:is|are|remains|remain) (?:the|a|an|our) "
    r"(?P<role>(?:only|first|fundamental|essential|core|key|primary|basic|overall|central)"
    r" (?!to\b|of\b|for\b|and\b)[a-z]+)\b"
)
# The meeting or the document itself ("全会强调……"): never what a question asks for.
ZH_OCCASIONS = frozenset(
    ["全会", "大会", "会议", "本次会议", "这次全会", "这次大会", "报告", "决定", "讲话", "通知"]
)
_ZH_SUBJECT_BAD = ("这", "那", "其", "它", "我们", "他们", "也", "都", "就", "还", "特别", "尤其")
# Roles too plain to ask for: "……的力量", "……的主题" could be said of anything.
_ZH_PLAIN_ROLES = frozenset(
    [
        "矛盾",
        "民主",
        "文艺",
        "政党",
        "定位",
        "思想",
        "理念",
        "力量",
        "基础",
        "主题",
        "方式",
        "问题",
        "地位",
        "作用",
        "要求",
        "目标",
        "任务",
        "国家",
        "人民",
        "事业",
        "工作",
        "内容",
        "方面",
        "领域",
        "时期",
        "阶段",
        "过程",
        "结果",
        "情况",
        "条件",
        "办法",
        "措施",
        "道路",
        "政策",
    ]
)


def _zh_definition_ok(subject: str, role: str) -> bool:
    from quizzes.generation.chinese import PREDICATE_WORDS

    if len(subject) < 2 or subject.startswith(_ZH_SUBJECT_BAD):
        return False
    if subject[:2] in PREDICATE_WORDS or subject[:4] in PREDICATE_WORDS or subject[:1] in "明":
        return False  # "明确……是", "坚持房子是……": a predicate, not a subject
    if subject in {"我国", "我们党", "这", "中国", "世界"}:
        return False
    if "了" in subject or subject.endswith(("对", "把", "被", "向")):
        return False  # "加深了对……的认识": a clause, not a subject
    if subject in ZH_OCCASIONS:
        return False  # "全会是……召开的一次十分重要的会议": the occasion, not a claim
    # "社会主义文艺是人民的文艺": the role repeats the subject.
    return not (role in _ZH_PLAIN_ROLES or role in subject or subject.endswith(role[-2:]))


def find_definitions(doc: Document) -> list[Definition]:
    """Clauses that say what something is: a short subject, 是, and a role noun after 的
    ("创新是引领发展的第一动力"); in English "X is the only way / the first task …"."""
    zh = doc.language == ZH
    found: list[Definition] = []
    for sentence in doc.sentences:
        if sentence.excluded:
            continue
        clause_re = _ZH_CLAUSE if zh else _EN_CLAUSE
        for match in clause_re.finditer(sentence.text):
            raw = match.group()
            text = raw.strip()
            base = sentence.start + match.start() + (len(raw) - len(raw.lstrip()))
            skip = _numbering(doc, text)
            text, base = text[skip:], base + skip
            pattern = _ZH_DEFINITION if zh else _EN_DEFINITION
            found_match = pattern.match(text)
            if not found_match:
                continue
            subject = found_match.group("subject").strip("“”")
            role = found_match.group("role")
            if zh and not _zh_definition_ok(subject, role):
                continue
            if not zh and subject.split()[0].lower() in {"this", "that", "it", "there", "which"}:
                continue
            if not zh and not _en_role_ok(role, text[found_match.end("role") :]):
                continue
            subject_start = (
                base
                + found_match.start("subject")
                + (1 if found_match.group("subject").startswith("“") else 0)
            )
            role_start = base + found_match.start("role")
            found.append(
                Definition(
                    sentence=sentence.index,
                    subject=Candidate(
                        "definition_subject",
                        subject,
                        subject_start,
                        subject_start + len(subject),
                        sentence.index,
                        1.4,
                    ),
                    role=Candidate(
                        "definition_role",
                        role,
                        role_start,
                        role_start + len(role),
                        sentence.index,
                        1.4,
                    ),
                    clause_start=base,
                    clause_end=base + len(text),
                )
            )
    return found


def _en_role_ok(role: str, after: str) -> bool:
    """An English role that is a whole noun phrase: "primary task", not "fundamental
    guiding" (of "fundamental guiding ideology") nor "only path" cut before "forward"."""
    from quizzes.generation import wordclass

    head = role.split()[-1]
    if not wordclass.noun_phrase(role.split()):
        return False
    following = re.match(r"\s+([A-Za-z][A-Za-z'-]*)", after)
    return not (following and wordclass.only(following.group(1), wordclass.NOUN)) and bool(head)
