"""Word segmentation: jieba for Chinese (loaded once per process, its cache in a writable
folder, its logging quiet) and a small regular expression for English.

Tokens keep their offsets: ``"".join(jieba.lcut(text)) == text``, so a token's start is
the running sum of the lengths before it.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba as jieba_module

PROJECT_DIR = Path(__file__).resolve().parents[2]
CACHE_DIR_ENV = "STUDYAPP_CACHE_DIR"

_lock = threading.Lock()
_jieba: jieba_module | None = None


def cache_dir() -> Path:
    """Where jieba keeps its dictionary cache: ``$STUDYAPP_CACHE_DIR`` or ``var/cache/``."""
    configured = os.environ.get(CACHE_DIR_ENV)
    return Path(configured) if configured else PROJECT_DIR / "var" / "cache"


def load_jieba() -> jieba_module:
    """The initialised jieba module; the first call in a process loads the dictionary
    (about a second with a warm cache), later calls return at once."""
    global _jieba
    if _jieba is not None:
        return _jieba
    with _lock:
        if _jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            logging.getLogger("jieba").setLevel(logging.WARNING)
            folder = cache_dir()
            try:
                folder.mkdir(parents=True, exist_ok=True)
                jieba.dt.tmp_dir = str(folder)
                jieba.dt.cache_file = "jieba.cache"
            except OSError:
                pass  # unwritable: jieba falls back to building the dictionary in memory
            jieba.initialize()
            _jieba = jieba
    return _jieba


@dataclass(frozen=True, slots=True)
class Tokens:
    """Tokens of a text with their start offsets, in order."""

    words: list[str]
    starts: list[int]


def segment_chinese(text: str) -> Tokens:
    jieba = load_jieba()
    words = jieba.lcut(text)
    starts: list[int] = []
    position = 0
    for word in words:
        starts.append(position)
        position += len(word)
    return Tokens(words, starts)


def word_frequency(word: str) -> int:
    """How often jieba's dictionary has seen ``word`` (0 when it does not know it)."""
    return load_jieba().dt.FREQ.get(word, 0) or 0


def dictionary_total() -> int:
    return load_jieba().dt.total


_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]|\d+(?:[.,]\d+)*(?:st|nd|rd|th)?%?")


def segment_english(text: str) -> Tokens:
    words: list[str] = []
    starts: list[int] = []
    for match in _EN_WORD.finditer(text):
        words.append(match.group())
        starts.append(match.start())
    return Tokens(words, starts)


_tags: dict[str, str] | None = None


def word_tags() -> dict[str, str]:
    """jieba's part-of-speech tag of each dictionary word ("n", "v", "vn" …), loaded once
    per process (about half a second) from the dictionary jieba already has."""
    global _tags
    if _tags is not None:
        return _tags
    load_jieba()  # outside the lock, which load_jieba takes itself
    with _lock:
        if _tags is None:
            import jieba.posseg

            _tags = jieba.posseg.dt.word_tag_tab
    return _tags


@functools.lru_cache(maxsize=65_536)
def dictionary_words(text: str) -> tuple[str, ...]:
    """``text`` cut into dictionary words, longest first from the left (at most six
    characters): for the short terms the generator's checks look at, as good as jieba's
    graph and many times cheaper."""
    known = load_jieba().dt.FREQ
    words: list[str] = []
    position = 0
    while position < len(text):
        for size in range(min(6, len(text) - position), 0, -1):
            piece = text[position : position + size]
            if size == 1 or known.get(piece):
                words.append(piece)
                position += size
                break
    return tuple(words)
