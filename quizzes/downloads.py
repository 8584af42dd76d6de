"""Helpers for files people download and open in a spreadsheet: a streaming csv.writer
target and cells that a spreadsheet shows as text and time, never runs as a formula.

Text cells go through ``quizzes.formats.cells`` (re-exported here): the one place that
decides what a spreadsheet would run as a formula, for CSV and Excel alike."""

from django.utils import timezone

from quizzes.formats.cells import csv_text, xlsx_text

__all__ = ["Echo", "csv_text", "csv_time", "xlsx_text"]


class Echo:
    """A file-like object that hands back what is written, for streaming a csv.writer."""

    def write(self, value):
        return value


def csv_time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""
