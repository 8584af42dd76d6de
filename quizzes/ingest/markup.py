"""Markdown and HTML → paragraphs of plain text.

HTML is read by a small tokenizer of our own rather than ``html.parser``: on unclosed
comments, tags or quotes, Python 3.11's ``html.parser`` re-scans the rest of the input
again and again (quadratic time: a 1 MB upload held a worker for minutes), and
tree-building parsers are quadratic in nesting depth. The tokenizer makes one pass and
builds no tree: scripts, styles, navigation, forms, footers and figure captions are dropped
with their content, block elements become paragraphs, inline tags leave their text, and
entities are decoded. Markdown is read line by line: headings, list items, quotes and table
rows become paragraphs, inline markup is reduced to its text, code blocks and images are
dropped.
"""

from __future__ import annotations

import html
import re
from functools import cache

from .charset import decode_text
from .errors import IngestError
from .limits import Deadline, IngestLimits
from .raw import RawDocument
from .sniff import sniff
from .text import join_lines

# Wide (CJK) characters, between which a source line break is no space (CSS Text 3 does
# the same for Chinese): 中文\n段落 → 中文段落.
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CJK_BREAK = re.compile(rf"(?<=[{_WIDE}])[ \t\r\f]*\n[ \t\r\n\f]*(?=[{_WIDE}])")
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")
# Stands for a <br> while whitespace is collapsed (a private-use character).
_BR = "\ue000"


def _collapse(raw: str) -> str:
    text = _CJK_BREAK.sub("", raw)
    text = _HTML_SPACE.sub(" ", text)
    # Only HTML's own spaces are stripped: a full-width indent after a <br> is kept.
    return "\n".join(part.strip(" ") for part in text.split(_BR)).strip(" ")


def _check_binary(data: bytes) -> None:
    detected = sniff(data)
    if detected is not None:
        raise IngestError("wrong_type", {"detected": detected})


def strip_comments(source: str) -> str:
    """Remove ``<!-- … -->`` in one pass; an unclosed comment runs to the end (as in a
    browser). A regex with ``.*?`` would re-scan to the end for every unclosed opener."""
    parts: list[str] = []
    pos = 0
    while (start := source.find("<!--", pos)) >= 0:
        parts.append(source[pos:start])
        end = source.find("-->", start + 4)
        if end < 0:
            return "".join(parts)
        pos = end + 3
    parts.append(source[pos:])
    return "".join(parts)


# --- HTML ---------------------------------------------------------------------------------

# Elements whose content is not the document's text.
_SKIP = frozenset(
    {
        "head",
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "canvas",
        "audio",
        "video",
        "map",
        "nav",
        "aside",
        "footer",
        "form",
        "button",
        "select",
        "textarea",
        "figcaption",  # photo captions
    }
)
_BLOCK = frozenset(
    {
        "address",
        "article",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    }
)
_CELLS = frozenset({"td", "th"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
# Elements whose content is text up to their end tag, never markup.
_RAW_TEXT = frozenset(
    {"script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title"}
)
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")
_ATTRIBUTE_QUOTE = re.compile(r"=[ \t\n\r\f]*([\"'])")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_TITLE_SUFFIX = re.compile(r"\s+[-|–—_]\s+|\s*[|｜_]\s*")
_TAGS_PER_CHECK = 4096


@cache
def _end_tag(name: str) -> re.Pattern[str]:
    return re.compile(rf"</{re.escape(name)}\s*>", re.I)


class _HTMLText:
    """Receives tags and text from :func:`_tokenize` and gathers paragraphs."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.buffer: list[str] = []
        # Open elements whose content is dropped; counted per name so that a stray end tag
        # costs O(1), not a search through the stack.
        self.skipping: list[str] = []
        self.skip_counts: dict[str, int] = {}
        self.pre = 0
        self.title: str | None = None
        self.h1: list[str] | None = None  # the first <h1>, while it is being read
        self.h1_text: str | None = None

    def _flush(self) -> None:
        if self.buffer:
            paragraph = _collapse("".join(self.buffer))
            if paragraph:
                self.paragraphs.append(paragraph)
            self.buffer = []

    def start(self, tag: str) -> None:
        if tag == "body" and self.skip_counts.get("head"):  # an unclosed <head> ends here
            self.end("head")
        if tag in _SKIP:
            self.skipping.append(tag)
            self.skip_counts[tag] = self.skip_counts.get(tag, 0) + 1
            return
        if self.skipping:
            return
        if tag in _BLOCK:
            self._flush()
            if tag == "pre":
                self.pre += 1
            if tag == "h1" and self.h1_text is None:
                self.h1 = []
        elif tag == "br":
            self.buffer.append(_BR)
        elif tag in _CELLS:
            self.buffer.append(" ")

    def end(self, tag: str) -> None:
        if tag in _SKIP:
            if self.skip_counts.get(tag):
                while True:  # close it and whatever was left open inside it
                    popped = self.skipping.pop()
                    self.skip_counts[popped] -= 1
                    if popped == tag:
                        break
            return
        if self.skipping:
            return
        if tag in _BLOCK:
            self._flush()
            if tag == "pre" and self.pre:
                self.pre -= 1
            if tag == "h1" and self.h1 is not None:
                self.h1_text = _collapse("".join(self.h1))
                self.h1 = None
        elif tag in _CELLS:
            self.buffer.append(" ")

    def data(self, text: str) -> None:
        if self.skipping or not text:
            return
        text = html.unescape(text)
        if self.pre:
            text = text.replace("\n", _BR)
        self.buffer.append(text)
        if self.h1 is not None:
            self.h1.append(text)

    def raw_text(self, tag: str, text: str) -> None:
        """Content of a raw-text element: only a <title> is kept."""
        if tag == "title" and self.title is None:
            self.title = _collapse(html.unescape(text))


def _tag_end(source: str, pos: int) -> int:
    """Index of the ">" that ends the tag whose attributes start at ``pos`` (a ">" inside a
    quoted attribute value does not count), or -1. Every character is scanned once."""
    gt = source.find(">", pos)
    while gt >= 0:
        quote = _ATTRIBUTE_QUOTE.search(source, pos, gt)
        if quote is None:
            return gt
        close = source.find(quote.group(1), quote.end())
        if close < 0:
            return -1
        pos = close + 1
        if close > gt:
            gt = source.find(">", pos)
    return -1


def _tokenize(source: str, sink: _HTMLText, deadline: Deadline) -> None:
    """One pass over ``source``; every search starts where the last one ended, and a
    construct left open at the end (comment, tag, raw text) ends the document."""
    pos, tags = 0, 0
    while (lt := source.find("<", pos)) >= 0:
        sink.data(source[pos:lt])
        if source.startswith("<!--", lt):
            end = source.find("-->", lt + 4)
            if end < 0:
                return
            pos = end + 3
            continue
        match = _TAG.match(source, lt)
        if match is None:
            if source.startswith(("<!", "<?"), lt):  # doctype, CDATA, processing instruction
                end = source.find(">", lt + 2)
                if end < 0:
                    return
                pos = end + 1
            else:  # a "<" that starts no tag is text
                sink.data("<")
                pos = lt + 1
            continue
        end = _tag_end(source, match.end())
        if end < 0:
            return
        pos = end + 1
        name = match.group(2).lower()
        if match.group(1):
            sink.end(name)
        else:
            sink.start(name)
            if name in _RAW_TEXT:
                close = _end_tag(name).search(source, pos)
                sink.raw_text(name, source[pos : close.start() if close else len(source)])
                sink.end(name)
                if close is None:
                    return
                pos = close.end()
        tags += 1
        if tags % _TAGS_PER_CHECK == 0:
            deadline.check()
    sink.data(source[pos:])


def html_to_text(source: str, *, deadline: Deadline) -> tuple[str, str | None]:
    """Return ``(text, title)``: paragraphs separated by blank lines, and the first <h1>
    (else the <title> without a site-name suffix)."""
    sink = _HTMLText()
    _tokenize(source, sink, deadline)
    sink._flush()
    title = sink.h1_text
    if not title and sink.title:
        title = _TITLE_SUFFIX.split(sink.title, maxsplit=1)[0]
    return "\n\n".join(sink.paragraphs), title or None


def read_html(data: bytes, *, limits: IngestLimits, deadline: Deadline) -> RawDocument:
    _check_binary(data)
    declared = _META_CHARSET.search(data[:4096])
    text, encoding, warnings = decode_text(
        data, declared=declared.group(1).decode("ascii") if declared else None
    )
    body, title = html_to_text(text, deadline=deadline)
    return RawDocument(text=body, title=title, encoding=encoding, warnings=warnings)


# --- Markdown -----------------------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")  # on a right-stripped line
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(.*)$")
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*\S+")
_FRONT_MATTER_TITLE = re.compile(r"^title:(.*)$", re.I)

_ESCAPABLE = "\\`*_{}[]()#+-.!|~>"
_PROTECT = {ord(c): chr(0xE100 + i) for i, c in enumerate(_ESCAPABLE)}
_RESTORE = {0xE100 + i: c for i, c in enumerate(_ESCAPABLE)}
_ESCAPE = re.compile(r"\\([" + re.escape(_ESCAPABLE) + r"])")
# Every pattern stops at the next delimiter instead of scanning ahead, so a paragraph full
# of unmatched markers costs linear time, not quadratic.
_INLINE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(`+)([^`]+)\1"), r"\2"),  # code spans
    (re.compile(r"!\[[^\[\]]{0,500}\](?:\([^()\s]*(?:\s+\"[^\"]{0,200}\")?\)|\[[^\[\]]*\])"), ""),
    (
        re.compile(r"\[([^\[\]]{1,500})\](?:\([^()\s]*(?:\s+\"[^\"]{0,200}\")?\)|\[[^\[\]]*\])"),
        r"\1",
    ),
    (re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"</?[A-Za-z][^<>]*>"), ""),  # inline HTML
    (re.compile(r"\*\*(?=\S)([^*]+)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"(?<!\w)__(?=\S)([^_]+)(?<=\S)__(?!\w)"), r"\1"),
    (re.compile(r"~~(?=\S)([^~]+)(?<=\S)~~"), r"\1"),
    (re.compile(r"\*(?=\S)([^*]+)(?<=\S)\*"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)([^_]+)(?<=\S)_(?!\w)"), r"\1"),
)


def _inline(text: str) -> str:
    text = _ESCAPE.sub(lambda m: m.group(1).translate(_PROTECT), text)
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return html.unescape(text.translate(_RESTORE))


def _without_closing_hashes(text: str) -> str:
    """``Title ##`` → ``Title`` (a closing sequence needs a space before it)."""
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):
        return bare.rstrip()
    return text


def markdown_to_text(source: str, *, deadline: Deadline) -> tuple[str, str | None]:
    """Return ``(text, title)``: paragraphs separated by blank lines, and the first level-1
    heading (else the first heading, else a front-matter ``title:``)."""
    lines = strip_comments(source).split("\n")
    title: str | None = None
    first_heading: str | None = None
    front_title: str | None = None

    if lines and lines[0].strip() == "---":  # YAML front matter
        for end in range(1, min(len(lines), 200)):
            if lines[end].strip() in ("---", "..."):
                for line in lines[1:end]:
                    match = _FRONT_MATTER_TITLE.match(line.strip())
                    if match and match.group(1).strip(" \t\"'"):
                        front_title = match.group(1).strip(" \t\"'")
                lines = lines[end + 1 :]
                break

    paragraphs: list[str] = []
    current: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if current:
            text = ""
            for piece in current:
                text = join_lines(text, piece)
            text = _inline(text).strip()
            if text:
                paragraphs.append(text)
            current.clear()

    def heading(text: str, level: int) -> None:
        nonlocal title, first_heading
        text = _inline(text).strip()
        if not text:
            return
        paragraphs.append(text)
        if level == 1 and title is None:
            title = text
        if first_heading is None:
            first_heading = text

    for number, line in enumerate(lines):
        if number % 4096 == 0:
            deadline.check()
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        match = _FENCE.match(line)
        if match:
            flush()
            fence = match.group(1)
            continue
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if current and _SETEXT.match(line):
            text = " ".join(current)
            current.clear()
            heading(text, 1 if stripped.startswith("=") else 2)
            continue
        if _RULE.match(line):
            flush()
            continue
        match = _ATX.match(line.rstrip())
        if match:
            flush()
            heading(_without_closing_hashes(match.group(2) or ""), len(match.group(1)))
            continue
        if _LINK_DEFINITION.match(line) or _TABLE_RULE.match(line):
            continue
        while _QUOTE.match(line):
            line = _QUOTE.sub("", line, count=1)
        stripped = line.strip()
        if stripped.startswith("|") or (stripped.endswith("|") and "|" in stripped[:-1]):
            flush()  # a table row: its cells, one paragraph
            cells = [cell.strip() for cell in stripped.strip("|").split("|")]
            current.append(" ".join(cell for cell in cells if cell))
            flush()
            continue
        match = _LIST_ITEM.match(line)
        if match:
            flush()
            current.append(match.group(1).strip())
            continue
        current.append(stripped)
    flush()
    return "\n\n".join(paragraphs), title or first_heading or front_title


def read_markdown(data: bytes, *, limits: IngestLimits, deadline: Deadline) -> RawDocument:
    _check_binary(data)
    text, encoding, warnings = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    body, title = markdown_to_text(text, deadline=deadline)
    return RawDocument(text=body, title=title, encoding=encoding, warnings=warnings)
