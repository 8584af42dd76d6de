"""Helpers for files people download and open in a spreadsheet: a streaming csv.writer
target and cells that a spreadsheet shows as text and time, never runs as a formula."""

from django.utils import timezone


class Echo:
    """A file-like object that hands back what is written, for streaming a csv.writer."""

    def write(self, value):
        return value


def csv_text(value) -> str:
    """A text cell that a spreadsheet will not run as a formula. Learners choose their own
    names, and a name like ``=HYPERLINK(...)`` must stay text."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""
