"""Spreadsheet cells that hold text people typed: never run as a formula. Pure Python.

Learners choose their own display names at sign-up, organizers name groups and write
questions, members are imported from sheets: any of them may start with ``=``, and a cell
such as ``=HYPERLINK("http://evil.example","click")`` would run when an organizer opens the
export. OWASP's rule (CSV injection) names the characters a spreadsheet takes as the start
of a formula: ``=``, ``+``, ``-``, ``@``, tab and carriage return.

Every export writes its text cells through this module:

* CSV: ``csv_text`` puts an apostrophe before such a value (spreadsheets show the value as
  text; our own CSV readers drop the apostrophe again, see ``unquote_csv_text``). A value
  that already starts with an apostrophe before such a character gets one more, so reading
  gives back exactly what was written.
* Excel: ``xlsx_text`` returns a cell typed as a string (``data_type = "s"``), with Excel's
  quote prefix so that editing it keeps it text. Typing matters: openpyxl turns any value
  starting with ``=`` into a formula cell unless it is told otherwise.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FORMULA_START", "csv_text", "looks_like_formula", "unquote_csv_text", "xlsx_text"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would take ``text`` as a formula, or it starts like our quote
    before one (so that quoting stays reversible)."""
    return text.startswith(FORMULA_START) or (text.startswith("'") and looks_like_formula(text[1:]))


def csv_text(value: Any) -> str:
    """``value`` as a CSV text cell that a spreadsheet shows and never runs."""
    text = "" if value is None else str(value)
    return "'" + text if looks_like_formula(text) else text


def unquote_csv_text(text: str) -> str:
    """What ``csv_text`` was given: the apostrophe it added removed."""
    return text[1:] if text.startswith("'") and looks_like_formula(text[1:]) else text


def xlsx_text(worksheet: Any, value: Any) -> Any:
    """``value`` for ``worksheet.append``: text a spreadsheet could run becomes a cell typed
    as a string with Excel's quote prefix; anything else is returned as it is (openpyxl
    stores other text as a string already)."""
    if not (isinstance(value, str) and looks_like_formula(value)):
        return value
    from openpyxl.cell import WriteOnlyCell  # imported here: CSV writers do not need it

    cell = WriteOnlyCell(worksheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
