"""Marked-up text of the interchange formats as plain text, and plain text as HTML that
reads back exactly. Pure Python, no Django.

* ``html_to_text``: tags dropped, entities unescaped, ``<p>``/``<div>``/``<li>``… become one
  line break, ``<br>`` exactly one, ``<script>``/``<style>`` content dropped, images counted
  (callers warn that they are dropped). Source whitespace in HTML is only a space; ``&nbsp;``
  is a real space and is kept as one.
* ``text_to_html``: the inverse for our own writers: ``<br>`` per line break, escaped
  characters, ``&nbsp;`` wherever a space would otherwise vanish (at a line's ends, or
  after another space), so ``html_to_text(text_to_html(t)) == t`` for any stripped text.
* ``markdown_to_text``: the little Markdown that GIFT's ``[markdown]`` texts use:
  emphasis, code, links, headings and hard line breaks. Runs of three or more underscores
  are blanks and stay as they are.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK = "\x00"  # a paragraph-like break, merged with its neighbours


class _TextExtractor(HTMLParser):
    _BREAK_TAGS = frozenset({"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre"})
    _SKIP_TAGS = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.images = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP_TAGS:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self._BREAK_TAGS:
            self.parts.append(_BLOCK)
        elif tag == "img":
            self.images += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BREAK_TAGS:
            self.parts.append(_BLOCK)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            # Source line breaks and indentation in HTML are only spaces (not &nbsp;).
            self.parts.append(re.sub(r"[ \r\n\f]+", " ", data))


def html_to_text(markup: str) -> tuple[str, int]:
    """Plain text of an HTML fragment and how many images it dropped."""
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    raw = "".join(extractor.parts)
    # A block break swallows the spaces and <br>s around it: one line break.
    raw = re.sub(r"[ \t\n]*\x00[ \t\n\x00]*", "\n", raw)
    lines = [line.strip(" \t") for line in raw.split("\n")]
    text = "\n".join(lines).strip("\n")
    return text.replace("\xa0", " "), extractor.images


def _html_line(line: str) -> str:
    escaped = html.escape(line, quote=False)
    out = []
    for index, char in enumerate(escaped):
        if char == " " and (index == 0 or index == len(escaped) - 1 or escaped[index - 1] == " "):
            out.append("&nbsp;")
        else:
            out.append(char)
    return "".join(out)


def text_to_html(text: str) -> str:
    """HTML that ``html_to_text`` reads back as ``text`` (for a text without leading or
    trailing line breaks)."""
    return "<br>".join(_html_line(line) for line in text.split("\n"))


# --- Markdown ------------------------------------------------------------------------------

_MD_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: their alt text
    (re.compile(r"\[([^\]]+)\]\(([^)\s]+)[^)]*\)"), r"\1 (\2)"),  # links
    (re.compile(r"`([^`\n]+)`"), r"\1"),
    (re.compile(r"(?<![\w*])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])__(?![_\s])(.+?)(?<![_\s])__(?![\w_])"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?![*\s])(.+?)(?<![*\s])\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?![_\s])(.+?)(?<![_\s])_(?![\w_])"), r"\1"),
    (re.compile(r"^#{1,6}[ \t]+", re.M), ""),
    (re.compile(r"^>[ \t]?", re.M), ""),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])"), r"\1"),
)


def markdown_to_text(text: str) -> str:
    """Plain text of a little Markdown (see the module docstring)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    text = "\n".join(lines)
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    return text.strip()
