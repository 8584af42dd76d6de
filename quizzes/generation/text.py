"""Text preparation: a clean working view of the document with a map back to the raw text,
language detection, paragraphs (with metadata and heading flags) and sentences.

Every later stage works on the clean view (non-breaking and full-width spaces made plain,
runs of spaces collapsed, hard-wrapped lines re-joined) and reports spans in its
coordinates; ``Document.raw_span`` turns them back into offsets of the text as given, so
that ``text[start:end]`` is always the evidence itself.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from dataclasses import dataclass, field

ZH = "zh-hans"
EN = "en"
LANGUAGES = (ZH, EN)

CJK_CHAR = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff〇○"
_CJK = re.compile(f"[{CJK_CHAR}]")
_LATIN = re.compile(r"[A-Za-z]")
# Characters made plain in the clean view: odd spaces become a space, invisible ones go.
_SPACES = {"\u00a0", "\u3000", "\t", "\u2002", "\u2003", "\u2009", "\u202f", "\u205f", "\x0b"}
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\r", "\x0c"}
_LINE_BREAKS = {0x2028: "\n", 0x2029: "\n", 0x85: "\n", 0x0B: "\n", 0x0C: "\n"}
_ODD = re.compile(
    "[\u00a0\u3000\t\u2002\u2003\u2009\u202f\u205f\x0b\u200b\u200c\u200d\ufeff\u2060\r\x0c]|  "
)

# Sentence ends: terminal punctuation plus any closing quotes or brackets after it.
_EN_END = re.compile(r"(?:[.!?]+|…+|;)[\"”’')\]]*(?=\s|$)")
_ZH_END = re.compile(r"[。！？；!?;]+[”’」』）)]*")
_EN_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "no",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "co",
        "corp",
        "inc",
        "ltd",
        "art",
        "fig",
    ]
)
_TERMINAL = tuple('.!?。！？；;…”"’」』）)')

# Lines of the news wrapper around a document, not its content.
_METADATA = re.compile(
    "|".join(
        (
            r"^\s*(?:article\s+)?source\s*[:：]",
            r"release\s+time\s*[:：]",
            r"^\s*(?:editor|author|reporter|photo|photographer|translator|published|"
            r"updated|posted)\s*(?:by)?\s*[:：]",
            r"\(xinhua\)|^\s*xinhua\b",
            r"copyright|all rights reserved",
            r"https?://|www\.",
            r"^新华社.{0,16}电",
            r"(?:记者|通讯员|摄影).{0,16}摄\s*$",
            r"^\s*(?:来源|稿源|文章来源|发布时间|时间|作者|编辑|责任编辑|校对|审核|图片来源|出处)\s*[:：]",
            r"版权所有|ICP|公网安备|网站地图|联系我们|回到\s*顶部|扫一扫|主办单位|网站标识码|运行维护",
            r"\|.*\|",
        )
    ),
    re.IGNORECASE,
)
_HEADING_MARK = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|第[一二三四五六七八九十\d]+[部章节篇]"
    r"|\d+[.、]\s|[IVX]+\.\s|Part\s+\w+\b)"
)


def detect_language(text: str) -> str:
    """``zh-hans`` when Chinese characters carry the text, else ``en``.

    A Chinese character holds about as much as an English word of five letters, so the
    comparison weighs letters accordingly."""
    sample = text[:50_000]
    cjk = len(_CJK.findall(sample))
    latin = len(_LATIN.findall(sample))
    return ZH if cjk * 4 >= latin else EN


def normalize_language(language: str | None) -> str | None:
    if language is None:
        return None
    code = language.strip().lower().replace("_", "-")
    if code in {"zh", "zh-hans", "zh-cn", "zh-sg", "chinese", "cn"}:
        return ZH
    if code in {"en", "en-us", "en-gb", "english"}:
        return EN
    raise ValueError(f"Unsupported language {language!r}: use 'zh-hans' or 'en'.")


@dataclass(frozen=True, slots=True)
class Paragraph:
    index: int
    start: int  # clean offsets
    end: int
    metadata: bool
    heading: bool


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    paragraph: int
    start: int  # clean offsets
    end: int
    text: str
    first_in_paragraph: bool
    # Why it can never be a key point ("" when it can): metadata, heading, short.
    excluded: str


@dataclass(slots=True)
class Document:
    raw: str
    clean: str
    # clean index -> raw index; one extra entry for the end.
    to_raw: list[int]
    language: str = EN
    paragraphs: list[Paragraph] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    _sentence_starts: list[int] = field(default_factory=list)
    # Clause boundaries per sentence index, filled as stems are cut (``clauses``).
    clause_cuts: dict[int, list[int]] = field(default_factory=dict)
    # Compact spans already found, by (sentence, focus start, focus end, limit).
    spans: dict[tuple[int, int, int, int], object] = field(default_factory=dict)
    _indexes: dict[tuple[bool, int], TextIndex] = field(default_factory=dict)

    def index(self, *, folded: bool = False) -> TextIndex:
        """The index of the clean text (case-folded when ``folded``), built on first use."""
        size = 4 if self.language == ZH else 6
        key = (folded, size)
        if key not in self._indexes:
            text = self.clean.casefold() if folded else self.clean
            other = (not folded, size)
            if text == self.clean and other in self._indexes and self._indexes[other].text == text:
                self._indexes[key] = self._indexes[other]  # Chinese: folding changes nothing
            elif folded and self.clean.casefold() == self.clean:
                self._indexes[key] = self.index(folded=False)
            else:
                self._indexes[key] = TextIndex(text, size)
        return self._indexes[key]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw offsets of the clean span ``[start, end)`` (``end > start``)."""
        return self.to_raw[start], self.to_raw[end - 1] + 1

    def sentence_at(self, offset: int) -> Sentence:
        return self.sentences[bisect_right(self._sentence_starts, offset) - 1]


class TextIndex:
    """Where each run of ``size`` characters starts in a text, for counting and finding
    phrases without scanning the whole text each time (a document's checks would
    otherwise grow with the square of its length)."""

    # Below this length a scan of the text (in C) is cheaper than building the table.
    SCAN_BELOW = 120_000

    def __init__(self, text: str, size: int) -> None:
        self.text = text
        self.size = size
        self._starts: dict[str, list[int]] | None = None

    def _table(self) -> dict[str, list[int]]:
        if self._starts is None:
            starts: dict[str, list[int]] = {}
            text, size = self.text, self.size
            for position in range(len(text) - size + 1):
                starts.setdefault(text[position : position + size], []).append(position)
            self._starts = starts
        return self._starts

    def count(self, needle: str) -> int:
        """Occurrences of ``needle`` (they may overlap)."""
        if len(needle) < self.size or len(self.text) < self.SCAN_BELOW:
            return _overlapping_count(self.text, needle)
        text = self.text
        return sum(
            1 for p in self._table().get(needle[: self.size], ()) if text.startswith(needle, p)
        )

    def __contains__(self, needle: str) -> bool:
        if len(needle) < self.size or len(self.text) < self.SCAN_BELOW:
            return needle in self.text
        text = self.text
        return any(text.startswith(needle, p) for p in self._table().get(needle[: self.size], ()))


def _overlapping_count(text: str, needle: str) -> int:
    """``text.count(needle)``, counting overlapping occurrences as the table does."""
    if not needle:
        return 0
    count = text.count(needle)
    if count < 2 or len(set(needle)) == len(needle):
        return count  # a needle with no repeated character cannot overlap itself
    count, position = 0, text.find(needle)
    while position >= 0:
        count += 1
        position = text.find(needle, position + 1)
    return count


def prepare(raw: str) -> Document:
    """The clean view of ``raw`` with its offset map and paragraph spans."""
    lines: list[tuple[int, str]] = []
    position = 0
    # Unicode line and paragraph separators end lines too (one character each, like "\n").
    for line in raw.translate(_LINE_BREAKS).split("\n"):
        lines.append((position, line))
        position += len(line) + 1
    cleaned = [_clean_line(start, line) for start, line in lines]
    wrapped = _looks_hard_wrapped([text for text, _ in cleaned])
    joins = _wrapped_lines([text for text, _ in cleaned]) if not wrapped else set()

    parts: list[str] = []
    to_raw: list[int] = []
    spans: list[tuple[int, int]] = []
    current_start: int | None = None
    length = 0
    for number, (text, offsets) in enumerate(cleaned):
        if not text:
            if current_start is not None:
                spans.append((current_start, length))
                current_start = None
            continue
        if current_start is not None and (
            (wrapped and not text.startswith(("（", "("))) or number in joins
        ):
            # A wrapped line continues its paragraph: join with a space between words,
            # with nothing between Chinese characters.
            previous = parts[-1][-1]
            hyphenated = previous == "-" and parts[-1][-2:-1].isalpha() and text[:1].islower()
            if not (_CJK.match(previous) or _CJK.match(text[0]) or hyphenated):
                parts.append(" ")
                to_raw.append(to_raw[-1] + 1)
                length += 1
            parts.append(text)
            to_raw.extend(offsets)
            length += len(text)
            continue
        if current_start is not None:
            spans.append((current_start, length))
        if parts:
            parts.append("\n")
            to_raw.append(to_raw[-1] + 1)
            length += 1
        current_start = length
        parts.append(text)
        to_raw.extend(offsets)
        length += len(text)
    if current_start is not None:
        spans.append((current_start, length))
    to_raw.append(to_raw[-1] + 1 if to_raw else 0)
    clean = _full_width_punctuation("".join(parts))
    doc = Document(raw=raw, clean=clean, to_raw=to_raw)
    for index, (start, end) in enumerate(spans):
        text = clean[start:end]
        metadata = bool(_METADATA.search(text)) or _is_dateline(text)
        heading = not metadata and _is_heading(text)
        doc.paragraphs.append(Paragraph(index, start, end, metadata, heading))
    return doc


_ASCII_PUNCTUATION = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
_HALF_WIDTH_IN_CHINESE = re.compile(
    f"(?<=[{CJK_CHAR}“”）])[,;:!?]|[,;:!?](?=[{CJK_CHAR}“”（])"
    f"|(?<=[{CJK_CHAR}])\\((?=[{CJK_CHAR}])|(?<=[{CJK_CHAR}])\\)"
)


def _full_width_punctuation(text: str) -> str:
    """Half-width commas, colons … between Chinese characters as the full-width marks they
    stand for ("现代化,是" → "现代化，是"), so that clauses split alike in every upload. One
    character for one, so the map back to the raw text is unchanged."""
    return _HALF_WIDTH_IN_CHINESE.sub(lambda m: _ASCII_PUNCTUATION[m.group()], text)


def _clean_line(start: int, line: str) -> tuple[str, list[int]]:
    """A line with odd spaces made plain and runs of spaces collapsed, and where each of
    its characters came from in the raw text."""
    if _ODD.search(line) is None:
        stripped = line.strip(" ")
        lead = len(line) - len(line.lstrip(" "))
        return stripped, list(range(start + lead, start + lead + len(stripped)))
    chars: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(line):
        if char in _INVISIBLE:
            continue
        if char in _SPACES:
            char = " "
        if char == " " and (not chars or chars[-1] == " "):
            continue
        chars.append(char)
        offsets.append(start + index)
    while chars and chars[-1] == " ":
        chars.pop()
        offsets.pop()
    return "".join(chars), offsets


def _wrapped_lines(lines: list[str]) -> set[int]:
    """Lines that continue the line before them in a document wrapped only in places (one
    pasted paragraph broken at a fixed width among paragraphs that are not): the line
    before is as long as the longest of its block, runs on without end punctuation, and
    this line opens mid-sentence (a lower-case word, or Chinese text that is no numbered
    heading)."""
    joins: set[int] = set()
    block: list[int] = []
    for number in range(len(lines) + 1):
        if number < len(lines) and lines[number]:
            block.append(number)
            continue
        if len(block) >= 2:
            width = max(len(lines[i]) for i in block)
            for previous, current in itertools.pairwise(block):
                before, text = lines[previous], lines[current]
                cjk = bool(_CJK.match(before[-1:]))
                long_enough = len(before) >= (24 if cjk else 50) and len(before) >= 0.75 * width
                if not long_enough or before.endswith(_TERMINAL):
                    continue
                if cjk:
                    opens_mid = not re.match(r"[（(]?[一二三四五六七八九十\d]{1,3}[）)、.．]", text)
                else:
                    # A lower-case word, or a quotation running on ('the\n"Fengqiao …').
                    opens_mid = text[:1].islower() or (
                        text[:1] in "\"“‘'" and not before.endswith(":")
                    )
                if opens_mid:
                    joins.add(current)
        block = []
    return joins


def _looks_hard_wrapped(lines: list[str]) -> bool:
    """True when most lines break at a common width rather than at paragraph ends."""
    lengths = sorted(len(text) for text in lines if text)
    if len(lengths) < 8:
        return False
    width = lengths[int(len(lengths) * 0.9) - 1]
    if width > 140 or width < 20:
        return False
    near = [text for text in lines if text and len(text) >= 0.7 * width]
    open_ended = [text for text in near if not text.endswith(_TERMINAL)]
    return len(near) >= 0.5 * len(lengths) and len(open_ended) >= 0.6 * len(near)


def _is_dateline(text: str) -> bool:
    """A line holding only a date or a date and a place, e.g. "（2017年10月18日）"."""
    return bool(
        re.fullmatch(r"[\s（(]*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[\s）)]*", text)
        or re.fullmatch(r"\W*\w{0,12},?\s+\w{3,9}\.?\s+\d{1,2},?\s+\d{4}\W*", text)
    )


def _is_heading(text: str) -> bool:
    if text.endswith(_TERMINAL) or text.endswith(("：", ":")):
        return False  # a line ending with a colon introduces what follows: no title
    if len(_CJK.findall(text)) > len(text) / 3:
        return len(text) <= 120
    return len(text.split()) <= 30


def split_sentences(doc: Document) -> None:
    """Fill ``doc.sentences``: sentences of each paragraph (clauses joined by ";" count as
    sentences, as the documents use them)."""
    ends = _ZH_END if doc.language == ZH else _EN_END
    clean = doc.clean
    for paragraph in doc.paragraphs:
        first = True
        position = paragraph.start
        block = clean[paragraph.start : paragraph.end]
        cuts: list[int] = []
        for match in ends.finditer(block):
            end = paragraph.start + match.end()
            if doc.language == EN and not _english_break(
                clean, paragraph.start + match.start(), end
            ):
                continue
            cuts.append(end)
        if not cuts or cuts[-1] < paragraph.end:
            cuts.append(paragraph.end)
        for cut in cuts:
            start = position
            while start < cut and clean[start] == " ":
                start += 1
            end = cut
            while end > start and clean[end - 1] == " ":
                end -= 1
            position = cut
            if end <= start:
                continue
            text = clean[start:end]
            excluded = ""
            if paragraph.metadata:
                excluded = "metadata"
            elif paragraph.heading or (first and _is_section_heading(text, doc.language)):
                excluded = "heading"
            elif _too_short(text, doc.language):
                excluded = "short"
            doc.sentences.append(
                Sentence(
                    index=len(doc.sentences),
                    paragraph=paragraph.index,
                    start=start,
                    end=end,
                    text=text,
                    first_in_paragraph=first,
                    excluded=excluded,
                )
            )
            first = False
    doc._sentence_starts = [s.start for s in doc.sentences]


def _english_break(clean: str, mark: int, end: int) -> bool:
    """Whether the punctuation at ``mark`` ends an English sentence."""
    if clean[mark] == "." and not clean.startswith("...", mark):
        word = re.search(r"([A-Za-z.]+)$", clean[max(0, mark - 12) : mark])
        if word and word.group(1).lower().rstrip(".") in _EN_ABBREVIATIONS:
            return False
        if word and re.fullmatch(r"[A-Z]", word.group(1)):
            return False  # an initial
    following = re.match(r"\s*(\S)", clean[end : end + 4])
    if following is None:
        return True
    if clean[mark] == ";":
        return True
    char = following.group(1)
    return not char.islower()


def _is_section_heading(text: str, language: str) -> bool:
    """A numbered section title that opens a paragraph: "（一）加强人民当家作主制度保障。"."""
    if not _HEADING_MARK.match(text):
        return False
    return len(text) <= 40 if language == ZH else len(text.split()) <= 14


def _too_short(text: str, language: str) -> bool:
    if language == ZH:
        return len(_CJK.findall(text)) < 10
    return len(re.findall(r"[A-Za-z]+", text)) < 6


def is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


def cjk_count(text: str) -> int:
    return len(_CJK.findall(text))


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def present_year(doc: Document) -> int | None:
    """The year the document speaks in: the latest year of its title, date and source lines,
    or ``None`` without such lines. A year after it is a target; a year up to it, a date."""
    zh = doc.language == ZH
    head: list[str] = []
    for paragraph in doc.paragraphs[:8]:
        if paragraph.heading or paragraph.metadata:
            head.append(doc.clean[paragraph.start : paragraph.end])
    text = "\n".join(head)
    years = [int(y) for y in re.findall(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)", text)]
    if zh:
        from quizzes.generation import numbers as numbers_module

        for match in re.findall(r"([〇○零一二三四五六七八九]{4})年", text):
            read = numbers_module.read_chinese(match)
            if read is not None and 1950 <= read.value <= 2099:
                years.append(read.value)
    return max(years) if years else None
