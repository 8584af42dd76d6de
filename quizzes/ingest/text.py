"""Cleaning extracted or pasted text into paragraphs a question generator can trust.

The pipeline, line by line and then paragraph by paragraph:

1. normalise line breaks, spaces (NBSP, U+3000, other Unicode spaces), invisible characters,
   and the ``○``/``O``/``0`` written for 〇 inside Chinese numbers;
2. cut web-page leftovers after the article's end (``责任编辑：…``, ``相关稿件``, menus);
3. drop photo captions and source / release-time / editor lines;
4. re-join lines broken inside a sentence, keeping real paragraph breaks;
5. strip datelines at the start of a paragraph (``新华社北京10月27日电``,
   ``BEIJING, Oct. 27 (Xinhua) --``).

The output has one paragraph per line and exactly one blank line between paragraphs.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from .limits import Deadline

# --- characters ---------------------------------------------------------------------------

# Every Unicode space separator (category Zs) other than the plain space, plus tabs.
_SPACES = "\t\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
# Invisible characters that only get in the way (zero-width, BOM, soft hyphen, bidi marks).
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
_TRANSLATE: dict[int, str | None] = {ord(c): " " for c in _SPACES}
_TRANSLATE.update({ord(c): None for c in _INVISIBLE})
# C0/C1 control characters other than the tab (a space above) and the line feed.
_TRANSLATE.update({c: None for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if c not in (9, 10)})
# A line separator (U+2028, Word's Shift+Enter) is a deliberate break inside a paragraph,
# not the end of one: it becomes a space (the 19th report's title uses it between its lines).
_TRANSLATE[0x2028] = " "

_MULTI_SPACE = re.compile(r" {2,}")
_INDENT = re.compile(r"^[" + _SPACES + " ]+")

# Chinese digits, and what careless typing uses for 〇 among them.
_CN_DIGITS = "一二三四五六七八九"
_ZERO_SHAPES = "○◯"  # circles: unambiguous next to a Chinese digit
_ZERO_LOOKALIKES = "0OoＯｏ０"  # letters and digits: only inside a clear Chinese number
_ZERO_RUN = re.compile("[" + _CN_DIGITS + "十〇零" + _ZERO_SHAPES + _ZERO_LOOKALIKES + "]{2,}")


def _fix_zero(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = sum(ch in _CN_DIGITS for ch in run)
    if digits == 0:
        return run
    out = []
    for ch in run:
        if ch in _ZERO_SHAPES or (ch in _ZERO_LOOKALIKES and digits >= 2):
            out.append("〇")
        else:
            out.append(ch)
    return "".join(out)


def is_wide(char: str) -> bool:
    """True for characters that take two columns: CJK ideographs, kana, full-width forms."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def display_width(text: str) -> int:
    return sum(2 if is_wide(ch) else 1 for ch in text)


def join_lines(left: str, right: str) -> str:
    """Join two pieces of one sentence: no space where either side is CJK, a space elsewhere.

    A Latin word broken at a hyphen keeps its hyphen and gets no space (``well-`` +
    ``known``); whether the hyphen was a real one cannot be known.
    """
    if not left:
        return right
    if not right:
        return left
    if is_wide(left[-1]) or is_wide(right[0]):
        return left + right
    if left[-1] == "-" and left[-2:-1].isalpha() and right[0].islower():
        return left + right
    return left + " " + right


# --- line classes -------------------------------------------------------------------------

# Sentence-final punctuation, possibly followed by closing quotes or brackets.
_FINAL_MARKS = "。！？!?…．.;；:："
_CLOSERS = "'\"”’」』）)]】》"


def _ends_sentence(line: str) -> bool:
    body = line.rstrip(_CLOSERS)
    return bool(body) and body[-1] in _FINAL_MARKS


# A line that starts a new block whatever precedes it: list bullets and outline numbers.
_BLOCK_START = re.compile(
    r"""^(?:
        [-*•·●○◆◇■□▪▶►★☆※]\s
      | \d{1,3}[.．、)）](?!\d)
      | [（(](?:\d{1,3}|[一二三四五六七八九十]{1,3})[）)]
      | [一二三四五六七八九十百]{1,4}[、.．]
      | 第[一二三四五六七八九十百\d]{1,4}[章节条部分篇编]
      | [①-⑳]
      | \#{1,6}\s
    )""",
    re.VERBOSE,
)

# Datelines at the start of a paragraph.
_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE_EN = re.compile(
    r"^(?:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*\s*,\s*){1,3}"  # XINHUA, Beijing,
    + _MONTHS
    + r"\s+\d{1,2}(?:st|nd|rd|th)?(?:\s*,\s*\d{4})?"  # Oct 27, 2017
    + r"\s*(?:\([A-Z][\w ./]{1,30}\)\s*)?"  # (Xinhua)
    + r"(?:—|–|--?)\s*"
)
_DATELINE_EN_AGENCY = re.compile(
    r"^[A-Z][A-Z .,'-]{1,40}\((?:Xinhua|Reuters|AP|AFP|Bloomberg|CNA|Yonhap|Kyodo)\)"
    r"\s*(?:—|–|--?)\s*"
)
_CN_NUM = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_DATELINE_ZH = re.compile(
    r"^[（(【\[]?[\u4e00-\u9fff·]{2,20}?"  # 新华社北京 / 本报天津 / 人民网北京
    + _CN_NUM
    + r"月"
    + _CN_NUM
    + r"日(?:电|讯)"
    + r"(?:\s*[（(][^）)\n]{0,40}[）)])?"  # （记者 张三）
    + r"[）)】\]]?\s*(?:——|—|--?)?\s*"
)
_DATELINE_ZH_BUREAU = re.compile(
    r"^本(?:报|台|刊)讯(?:\s*[（(][^）)\n]{0,40}[）)])?\s*(?:——|—)?\s*"
)

# Photo captions: whole lines.
_CAPTION = re.compile(
    r"""^(?:
        [（(]\s*(?:图片来源|图片|图源|摄影|资料图片)\s*[:：/].{0,80}[）)]
      | (?:图片来源|图源|图片|摄影|资料图片)\s*[:：/]
      | 图为
      | 图\s*\d{0,3}\s*[:：]
      | (?:Photo|Photos|Image|Picture|Pictured)\s*(?:by|credit|courtesy)?\s*[:：/]
      | Photo\s+(?:taken|shows|provided)\b
      | File\s+photo\b
    )""",
    re.VERBOSE | re.IGNORECASE,
)
_CAPTION_ANYWHERE = re.compile(
    r"\[(?:photo|photos|image|picture)(?:\s*/[^\]]{0,40})?\]"  # [Photo/Xinhua]
    r"|[（(](?:Photo|Xinhua|Reuters|AFP|AP)\s*/\s*[^)）]{1,40}[）)]\s*$"  # (Xinhua/Li Xueren)
    r"|(?:记者|通讯员|摄影)\s*[\u4e00-\u9fff·]{2,5}(?:\s+[\u4e00-\u9fff·]{2,5})*\s*摄\s*[）)]?$"
    r"|\s[\u4e00-\u9fff·]{2,4}\s+摄\s*[）)]?$"  # …。 鞠鹏 摄
    r"|[（(]?新华社发[）)]?\s*$",
    re.IGNORECASE,
)
_CAPTION_MAX = 300

# Source, release-time and editor lines.
_META_KEYS_ZH = (
    "文章来源|稿件来源|信息来源|新闻来源|来源|发布时间|发布日期|发稿时间|更新时间|"
    "责任编辑|责编|编辑|字号|浏览次数|阅读次数|点击数|点击量|阅读量"
)
_META_KEYS_EN = (
    "article source|source|release time|release date|released|publish(?:ed)? (?:time|date|on|at)|"
    "published|publication date|posted(?: on| at)?|updated|last updated|"
    "(?:responsible |executive )?editor|edited by|font size|views"
)
_META_KEY = re.compile(
    r"(?:(?<![\w])(?:" + _META_KEYS_EN + r")|(?:" + _META_KEYS_ZH + r"))\s*[:：]",
    re.IGNORECASE,
)
_META_PREFIX = re.compile(
    r"^(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*)"
)
# What else stands on a metadata line beside one key: another field, or a date or time.
_META_COMPANION = re.compile(
    r"(?:时间|日期|作者|记者|通讯员|(?<!\w)(?:time|date|author))\s*[:：]"
    r"|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}|\b\d{1,2}:\d{2}\b|\s\|\s",
    re.IGNORECASE,
)
_META_MAX = 200
# Page furniture in brackets: 【我要纠错】 【字体：大 中 小】 【打印】 【关闭】
_CHROME_TOKEN = re.compile(
    r"[【\[](?:我要纠错|打印|打印本页|关闭|关闭窗口|收藏|分享到?|返回顶部|"
    r"(?:字体|字号)?[:：]?\s*大\s*中\s*小)[】\]]"
)
# Lines that are page furniture wherever they stand.
_CHROME_LINES = frozenset(
    {
        "扫一扫在手机打开当前页",
        "回到顶部",
        "返回顶部",
        "打印本页",
        "关闭窗口",
        "分享到：",
        "backtotop",
    }
)
# Lines after which an article has ended and a web page's related links and menus begin.
_END_MARKERS = frozenset(
    {
        "扫一扫在手机打开当前页",
        "相关稿件",
        "相关新闻",
        "相关阅读",
        "相关链接",
        "推荐阅读",
        "热点推荐",
        "回到顶部",
        "返回顶部",
        "relatednews",
        "relatedarticles",
        "relatedstories",
        "related",
        "readmore",
        "backtotop",
    }
)
_EDITOR_LINE = re.compile(r"^(?:责任编辑|责编|(?:responsible )?editor)\s*[:：]", re.IGNORECASE)


# --- the pipeline -------------------------------------------------------------------------


@dataclass(slots=True)
class _Line:
    text: str
    indented: bool


@dataclass(slots=True)
class Cleaned:
    text: str
    warnings: list[str] = field(default_factory=list)


def clean_text(raw: str) -> str:
    """Clean extracted or pasted text; see the module docstring for what is removed."""
    return clean(raw).text


def clean(raw: str, *, deadline: Deadline | None = None) -> Cleaned:
    """:func:`clean_text` plus the warnings that say what was changed."""
    warnings: list[str] = []
    lines = _normalise(raw, deadline)
    lines = _cut_page_chrome(lines, warnings)
    lines = _drop_furniture(lines, warnings)
    paragraphs = _paragraphs(lines, warnings, deadline)
    out = []
    datelines = False
    for paragraph in paragraphs:
        stripped = _strip_dateline(paragraph)
        datelines |= stripped != paragraph
        if stripped:
            out.append(stripped)
    if datelines:
        warnings.append("datelines_removed")
    return Cleaned("\n\n".join(out), warnings)


def _normalise(raw: str, deadline: Deadline | None) -> list[_Line | None]:
    """Lines with spaces normalised; None stands for a blank line."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    # Paragraph separators, form feeds, vertical tabs and NEL end paragraphs.
    text = re.sub("[\u2029\x0c\x0b]", "\n\n", text).replace("\x85", "\n")
    text = unicodedata.normalize("NFC", text)
    lines: list[_Line | None] = []
    for number, line in enumerate(text.split("\n")):
        if deadline is not None and number % 2048 == 0:
            deadline.check()
        indented = bool(_INDENT.match(line))
        line = line.translate(_TRANSLATE)
        line = _MULTI_SPACE.sub(" ", line).strip()
        if not line:
            lines.append(None)
            continue
        line = _ZERO_RUN.sub(_fix_zero, line)
        lines.append(_Line(line, indented))
    return lines


def _key(line: str) -> str:
    """A line reduced for comparison with the marker lists: no spaces, lower case."""
    return line.replace(" ", "").lower()


def _is_substantial(line: str) -> bool:
    """A real paragraph of prose: long and ending like a sentence."""
    return display_width(line) >= 80 and _ends_sentence(line)


def _cut_page_chrome(lines: list[_Line | None], warnings: list[str]) -> list[_Line | None]:
    """Drop everything from the first end-of-article marker after which no real paragraph
    follows (a web page's related links, menus and footer)."""
    substantial_after = [False] * (len(lines) + 1)
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        substantial_after[i] = substantial_after[i + 1] or (
            line is not None and _is_substantial(line.text)
        )
    seen_content = False
    for i, line in enumerate(lines):
        if line is None:
            continue
        key = _key(line.text)
        marker = (
            key in _END_MARKERS
            or key.startswith("【我要纠错】")
            or bool(_EDITOR_LINE.match(_CHROME_TOKEN.sub("", line.text).strip()))
        )
        if marker and seen_content and not substantial_after[i + 1]:
            if any(rest is not None for rest in lines[i + 1 :]) or key in _END_MARKERS:
                warnings.append("page_chrome_removed")
            else:  # only the editor line itself
                warnings.append("metadata_removed")
            return lines[:i]
        seen_content = True
    return lines


def _is_caption(line: str) -> bool:
    if len(line) > _CAPTION_MAX:
        return False
    return bool(_CAPTION.match(line) or _CAPTION_ANYWHERE.search(line))


def _is_metadata(line: str) -> bool:
    if len(line) > _META_MAX:
        return False
    rest = _META_PREFIX.sub("", line).strip()
    if _META_KEY.match(rest):
        return True
    # "时间：2017-10-27 来源：新华社" or "By Li | Source: China Daily | Updated: 2022-07-04"
    keys = len(_META_KEY.findall(line))
    return keys >= 2 or (keys == 1 and bool(_META_COMPANION.search(line)))


def _drop_furniture(lines: list[_Line | None], warnings: list[str]) -> list[_Line | None]:
    """Drop captions, metadata and page furniture; each leaves a paragraph break behind."""
    out: list[_Line | None] = []
    captions = metadata = chrome = False
    for line in lines:
        if line is None:
            out.append(None)
            continue
        text = line.text
        if _CHROME_TOKEN.search(text):
            text = _MULTI_SPACE.sub(" ", _CHROME_TOKEN.sub("", text)).strip()
            chrome = True
        if not text or _key(text) in _CHROME_LINES:
            chrome = True
            out.append(None)
        elif _is_caption(text):
            captions = True
            out.append(None)
        elif _is_metadata(text):
            metadata = True
            out.append(None)
        else:
            out.append(_Line(text, line.indented) if text != line.text else line)
    if captions:
        warnings.append("captions_removed")
    if metadata:
        warnings.append("metadata_removed")
    if chrome and "page_chrome_removed" not in warnings:
        warnings.append("page_chrome_removed")
    return out


# --- re-joining hard-wrapped lines --------------------------------------------------------

# A text counts as hard-wrapped when almost all its lines fit a width in this range
# (in columns; a CJK character takes two) and many lines reach close to it.
_WRAP_MIN, _WRAP_MAX = 30, 160
_FULL_SHARE = 0.7


@dataclass(slots=True)
class _Layout:
    wrap_width: int | None  # None: lines are paragraphs, not wrapped
    # In a wrapped text, what marks a paragraph's start besides a short last line: an
    # indented first line, or a blank line before it. Then a full line ending with a full
    # stop is still inside its paragraph.
    marked_paragraphs: bool
    indent_marks_paragraphs: bool


def _layout(lines: list[_Line | None]) -> _Layout:
    present = [line for line in lines if line is not None]
    indented = sum(line.indented for line in present)
    indent_marks = indented >= 2 and indented <= 0.9 * len(present)
    if len(present) < 3:
        return _Layout(None, False, indent_marks)
    widths = sorted(display_width(line.text) for line in present)
    # The 95th percentile: a stray long line (a URL) does not hide the wrap width.
    width = widths[min(len(widths) - 1, int(len(widths) * 0.95))]
    followed = [
        display_width(line.text)
        for line, nxt in itertools.pairwise(lines)
        if line is not None and nxt is not None
    ]
    full = [w for w in followed if w >= _FULL_SHARE * width]
    wrapped = _WRAP_MIN <= width <= _WRAP_MAX and len(full) >= max(2, 0.3 * len(followed))
    if not wrapped:
        return _Layout(None, False, indent_marks)
    # Blank lines mark paragraphs when the clear paragraph ends (short lines ending a
    # sentence) are mostly followed by one.
    ends = [
        nxt is None
        for line, nxt in zip(lines, [*lines[1:], None], strict=True)
        if line is not None
        and display_width(line.text) < _FULL_SHARE * width
        and _ends_sentence(line.text)
    ]
    blank_marks = len(ends) >= 2 and sum(ends) >= 0.8 * len(ends)
    return _Layout(width, blank_marks or indent_marks, indent_marks)


def _continues(prev: _Line, line: _Line, layout: _Layout) -> bool:
    """Whether ``line`` continues the sentence or paragraph that ``prev`` ends."""
    if _BLOCK_START.match(line.text):
        return False
    if layout.indent_marks_paragraphs and line.indented:
        return False
    last, first = prev.text[-1], line.text[0]
    ends_final = _ends_sentence(prev.text)
    # Strong signs of a sentence broken in the middle, whatever the layout.
    if last in "，、" and (is_wide(first) or first in "“‘《"):
        return True
    if not ends_final and last not in _CLOSERS and first.islower() and first.isascii():
        return True
    if layout.wrap_width is None:
        return False
    # In a wrapped text, a line that reaches the wrap width was broken by the wrapping.
    if display_width(prev.text) < _FULL_SHARE * layout.wrap_width:
        return False
    return not ends_final or layout.marked_paragraphs


def _paragraphs(
    lines: list[_Line | None], warnings: list[str], deadline: Deadline | None
) -> list[str]:
    layout = _layout(lines)
    paragraphs: list[str] = []
    current: _Line | None = None
    last_line: _Line | None = None
    joined = False
    for number, line in enumerate(lines):
        if deadline is not None and number % 2048 == 0:
            deadline.check()
        if line is None:
            if current is not None:
                paragraphs.append(current.text)
                current = None
            continue
        if current is not None and last_line is not None and _continues(last_line, line, layout):
            current = _Line(join_lines(current.text, line.text), current.indented)
            joined = True
        else:
            if current is not None:
                paragraphs.append(current.text)
            current = line
        last_line = line
    if current is not None:
        paragraphs.append(current.text)
    if joined:
        warnings.append("hard_wraps_joined")
    return paragraphs


def _strip_dateline(paragraph: str) -> str:
    for pattern in (_DATELINE_ZH, _DATELINE_ZH_BUREAU, _DATELINE_EN, _DATELINE_EN_AGENCY):
        match = pattern.match(paragraph)
        if match:
            return paragraph[match.end() :].strip()
    return paragraph


# --- titles -------------------------------------------------------------------------------

_SUBTITLE_SEPARATORS = ("——", " — ", " -- ", " – ", "--", "—")
_TITLE_MAX = 120


def clean_title(raw: str) -> str:
    """One line, spaces normalised, a long subtitle cut off, at most 120 characters."""
    title = _MULTI_SPACE.sub(" ", raw.replace("\n", " ").translate(_TRANSLATE)).strip()
    title = _ZERO_RUN.sub(_fix_zero, title)
    if display_width(title) > 60:
        for separator in _SUBTITLE_SEPARATORS:
            index = title.find(separator)
            if index >= 4:
                title = title[:index].strip()
                break
    if len(title) > _TITLE_MAX:
        cut = title[:_TITLE_MAX]
        if " " in cut and not is_wide(cut[-1]):
            cut = cut.rsplit(" ", 1)[0]
        title = cut.rstrip(" ,，、;；:：") + "…"
    return title


def guess_title(text: str) -> str:
    """The first paragraph of clean text as a title (cut to its first sentence if long)."""
    first = text.split("\n\n", 1)[0].strip()
    if len(first) > _TITLE_MAX:
        sentence = re.match(r".+?[。！？!?](?=\s|$|[^\d])", first)
        if sentence and len(sentence.group(0)) <= _TITLE_MAX:
            first = sentence.group(0)
    return clean_title(first)


def first_usable(candidates: Iterable[str | None]) -> str:
    """The first candidate title that is not empty after cleaning."""
    for candidate in candidates:
        if candidate:
            title = clean_title(candidate)
            if title:
                return title
    return ""
