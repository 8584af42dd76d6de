"""Limits on what an upload may cost to read, and the deadline that enforces the time limit."""

from __future__ import annotations

import time
from dataclasses import dataclass

from .errors import IngestError


@dataclass(frozen=True, slots=True)
class IngestLimits:
    """Refuse a file before it costs more than this. The app fills these from settings."""

    max_bytes: int = 10 * 1024 * 1024
    max_pages: int = 300
    max_zip_entries: int = 1000
    max_uncompressed_bytes: int = 50 * 1024 * 1024
    max_compression_ratio: float = 100
    time_limit_seconds: float = 20.0

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pages", "max_zip_entries", "max_uncompressed_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"IngestLimits.{name} must be at least 1")
        if self.max_compression_ratio < 1:
            raise ValueError("IngestLimits.max_compression_ratio must be at least 1")
        if self.time_limit_seconds < 0:
            raise ValueError("IngestLimits.time_limit_seconds must not be negative")


DEFAULT_LIMITS = IngestLimits()


class Deadline:
    """A point in (monotonic) time after which reading stops with ``timeout``.

    Parsers call :meth:`check` between pages, parts or paragraphs. No signal or thread is
    involved, so a single slow step (one PDF page) can overrun it; the next check stops it.
    """

    __slots__ = ("expires", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() >= self.expires:
            raise IngestError("timeout", {"seconds": _format_seconds(self.seconds)})


def _format_seconds(seconds: float) -> str:
    return f"{seconds:g}"
