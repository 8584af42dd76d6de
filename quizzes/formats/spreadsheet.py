"""The question template as a spreadsheet: Excel (.xlsx) and CSV ⇄ ``QuestionDraft``.

Pure Python (openpyxl for .xlsx, the ``csv`` module for CSV); no Django.

One question per row, under a header row with these columns (order free, extra columns
ignored with a warning; English names accepted, see ``HEADER_NAMES``)::

    题型 | 题干 | 选项A … 选项H | 答案 | 解析 | 难度 | 知识点
    Kind | Stem | Option A … H  | Answer | Explanation | Difficulty | Key point

* 题型 (kind): 单选/单选题/单项选择题/single, 多选/多选题/多项选择题/multiple, 判断/判断题/
  是非题/true_false (also "true/false", "tf"), 填空/填空题/blank (also "fill in the blank").
  An empty kind is inferred: options and one answer letter → single, several letters →
  multiple, 对/错 without options → true/false, otherwise a blank.
* 答案 (answer): letters for choices ("B", "ABD", "A,B,D", "A、C"); for true/false 对/错/
  √/×/正确/错误/T/F/TRUE/FALSE (or a letter when options A and B are given); for blanks the
  accepted answers, one part per blank separated by "；" or ";", alternatives of one blank
  separated by "|" (with a single blank, "；" separates alternatives too).
* 题干 (stem) of a blank question marks its blanks with runs of 3+ underscores or "（ ）";
  a stem without any gets one blank appended (``blank_added`` warning).
* 难度 (difficulty): 1–5, or 很易/易/中/难/很难, easy/medium/hard; empty means 3.
* 知识点 (key point): kept as the draft's tags, one per line of the cell.

Only the first 10 non-empty rows are searched for the header row; rows above it (a title, notes) are
ignored, and so are empty rows. Every issue carries the spreadsheet row number as Excel
shows it (for CSV, the record number). Header problems are file errors at the header row:
``missing_columns`` (lists what is missing), ``duplicate_column``. Row errors (the row is
dropped, reading goes on): ``unknown_kind``, ``empty_stem``, ``empty_answers``,
``bad_answer``, ``blank_count_mismatch``, ``too_few_choices``,
``true_false_needs_two_choices_one_correct`` and every other
``QuestionDraft.problems()`` code. Row warnings: ``blank_added``, ``bad_difficulty``,
``options_ignored``, ``options_gap``; header warning ``ignored_columns``. File errors:
``bad_encoding`` (CSV neither UTF-8 nor GB18030/GBK), ``truncated_utf8`` and
``broken_utf8`` (damaged UTF-8, at the line of the first bad byte), ``corrupt``,
``archive_bomb``, ``unsafe_xml`` (a workbook part declares a DTD: entities, external
references), ``wrong_type`` (an .xls or another binary), ``too_many_rows``.

Writing: ``export_xlsx``/``export_csv`` write a header row and one row per draft; the
answer is written so that reading gives the same draft back. Not written: choice feedback,
source fields. Drafts a sheet cannot hold (more than 8 choices, a blank answer holding "|",
"；" or ";", a blank with partial credit, numeric answers or answer feedback, unsound drafts)
are skipped and their indexes returned (``sheet_problem``
says why). Cells that a spreadsheet would run as a formula (starting with = + - @, tab or
CR) are written through ``quizzes.formats.cells``: in .xlsx typed as text with Excel's
quote prefix, in CSV with a leading apostrophe, which the CSV reader removes again.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from quizzes.drafts import BLANK_MARKER, ChoiceDraft, Kind, QuestionDraft
from quizzes.formats.base import CJK_RE, FormatIssue, ParsedQuestion, ParseResult, problem_issues
from quizzes.formats.cells import csv_text, unquote_csv_text, xlsx_text
from quizzes.formats.chinese_text import BRACKET_BLANK, answer_letters, truth_value
from quizzes.ingest import IngestError, IngestLimits
from quizzes.ingest.charset import decode_text
from quizzes.ingest.docx import check_archive, package_declares_dtd
from quizzes.ingest.sniff import sniff

__all__ = [
    "COLUMNS",
    "HEADER_NAMES",
    "export_csv",
    "export_xlsx",
    "read_csv",
    "read_xlsx",
    "sheet_problem",
    "template_xlsx",
    "write_csv",
    "write_xlsx",
]

OPTION_LETTERS = "ABCDEFGH"
MAX_ROWS = 50_000
HEADER_SEARCH_ROWS = 10
_MAX_COLUMNS = 64
REQUIRED = ("stem", "answer")
COLUMNS: tuple[str, ...] = (
    "kind",
    "stem",
    *(f"option_{letter}" for letter in OPTION_LETTERS),
    "answer",
    "explanation",
    "difficulty",
    "key_point",
)
# The header written, per language; the first name of each column in HEADER_NAMES.
_ZH_HEADERS = {
    "kind": "题型",
    "stem": "题干",
    **{f"option_{letter}": f"选项{letter}" for letter in OPTION_LETTERS},
    "answer": "答案",
    "explanation": "解析",
    "difficulty": "难度",
    "key_point": "知识点",
}
_EN_HEADERS = {
    "kind": "Kind",
    "stem": "Stem",
    **{f"option_{letter}": f"Option {letter}" for letter in OPTION_LETTERS},
    "answer": "Answer",
    "explanation": "Explanation",
    "difficulty": "Difficulty",
    "key_point": "Key point",
}
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "kind": ("题型", "类型", "题目类型", "试题类型", "Kind", "Type", "Question type"),
    "stem": ("题干", "题目", "试题", "问题", "题目内容", "Stem", "Question", "Question text"),
    "answer": ("答案", "正确答案", "标准答案", "参考答案", "Answer", "Correct answer", "Key"),
    "explanation": ("解析", "答案解析", "试题解析", "Explanation", "Feedback"),
    "difficulty": ("难度", "难易度", "难易程度", "Difficulty", "Level"),
    "key_point": ("知识点", "考点", "Key point", "Keypoint", "Topic", "Tags"),
    **{
        f"option_{letter}": (f"选项{letter}", letter, f"Option {letter}", f"Choice {letter}")
        for letter in OPTION_LETTERS
    },
}


def _header_key(name: str) -> str:
    """ "选项 Ａ", "Option_a", "题干*", "难度（1-5）" → comparable keys."""
    name = unicodedata.normalize("NFKC", name)
    name = re.sub(r"[(（\[【].*?[)）\]】]", "", name)
    return re.sub(r"[\s_\-:：*]+", "", name).casefold()


_HEADER_LOOKUP = {_header_key(n): column for column, names in HEADER_NAMES.items() for n in names}

KIND_NAMES: dict[str, Kind] = {
    **dict.fromkeys(["单选", "单选题", "单项选择", "单项选择题", "选择题"], "single"),
    **dict.fromkeys(["single", "singlechoice", "sc", "multichoice"], "single"),
    **dict.fromkeys(["多选", "多选题", "多项选择", "多项选择题", "不定项选择题"], "multiple"),
    **dict.fromkeys(["multiple", "multiplechoice", "multi", "mc", "multichoiceset"], "multiple"),
    **dict.fromkeys(["判断", "判断题", "是非题", "对错题"], "true_false"),
    **dict.fromkeys(["truefalse", "true/false", "tf", "judge", "judgement"], "true_false"),
    **dict.fromkeys(["填空", "填空题", "blank", "fill", "fillintheblank", "fillin"], "blank"),
    **dict.fromkeys(["shortanswer", "cloze", "gap", "gapfill"], "blank"),
}
_KIND_WRITTEN = {
    "zh": {"single": "单选", "multiple": "多选", "true_false": "判断", "blank": "填空"},
    "en": {
        "single": "single",
        "multiple": "multiple",
        "true_false": "true_false",
        "blank": "blank",
    },
}
_DIFFICULTY_WORDS = {
    **dict.fromkeys(["很易", "很容易", "非常容易", "veryeasy"], 1),
    **dict.fromkeys(["易", "容易", "简单", "较易", "easy"], 2),
    **dict.fromkeys(["中", "中等", "一般", "适中", "medium", "normal"], 3),
    **dict.fromkeys(["难", "较难", "困难", "hard", "difficult"], 4),
    **dict.fromkeys(["很难", "非常难", "veryhard"], 5),
}
_ZH_TF, _EN_TF = ("正确", "错误"), ("True", "False")
_BLANK_PARTS = re.compile(r"[；;]")
_ALTERNATIVES = re.compile(r"[|｜]")


def _kind_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", text)).casefold()


_KIND_LOOKUP = {_kind_key(name): kind for name, kind in KIND_NAMES.items()}


# --- reading ---------------------------------------------------------------------------------


class _RowError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True, slots=True)
class _Header:
    row: int
    columns: dict[str, int]  # column name → 0-based index


def _cell_text(value: object) -> str:
    """A cell as text: numbers without a spurious ".0", dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _title(stem: str) -> str:
    first = stem.strip().split("\n", 1)[0]
    return first if len(first) <= 30 else first[:29] + "…"


def _find_header(rows: list[tuple[int, list[str]]]) -> tuple[_Header | None, list[FormatIssue]]:
    """The header among the first rows: the one naming the most known columns."""
    best: tuple[int, list[str]] | None = None
    best_known = 0
    for number, cells in rows:
        known = sum(1 for cell in cells if _header_key(cell) in _HEADER_LOOKUP)
        if known > best_known:
            best, best_known = (number, cells), known
    if best is None:
        first = rows[0][0] if rows else 1
        names = "、".join(_ZH_HEADERS[c] for c in REQUIRED)
        return None, [
            FormatIssue(
                first,
                "error",
                "missing_columns",
                f"No header row was found; the sheet needs at least the columns {names} "
                "(or Stem, Answer).",
            )
        ]
    number, cells = best
    columns: dict[str, int] = {}
    ignored: list[str] = []
    issues: list[FormatIssue] = []
    for index, cell in enumerate(cells):
        if not cell:
            continue
        column = _HEADER_LOOKUP.get(_header_key(cell))
        if column is None:
            ignored.append(cell)
        elif column in columns:
            issues.append(
                FormatIssue(
                    number, "error", "duplicate_column", f"The column “{cell}” appears twice."
                )
            )
        else:
            columns[column] = index
    missing = [_ZH_HEADERS[c] for c in REQUIRED if c not in columns]
    if missing:
        found = "、".join(cell for cell in cells if cell) or "—"
        issues.append(
            FormatIssue(
                number,
                "error",
                "missing_columns",
                f"Required columns are missing: {'、'.join(missing)} (this row has: {found}).",
            )
        )
    if ignored:
        issues.append(
            FormatIssue(
                number,
                "warning",
                "ignored_columns",
                f"Columns not in the template were ignored: {'、'.join(ignored)}.",
            )
        )
    if any(issue.severity == "error" for issue in issues):
        return None, issues
    return _Header(number, columns), issues


def _difficulty(text: str, warn: list[tuple[str, str]]) -> int:
    if not text:
        return 3
    key = _kind_key(text)
    if key.isdigit() and 1 <= int(key) <= 5:
        return int(key)
    if key in _DIFFICULTY_WORDS:
        return _DIFFICULTY_WORDS[key]
    warn.append(("bad_difficulty", f"The difficulty “{text}” is not 1–5; 3 is used."))
    return 3


def _options(cells: dict[str, str], warn: list[tuple[str, str]]) -> list[tuple[str, str]]:
    given = [(letter, cells.get(f"option_{letter}", "")) for letter in OPTION_LETTERS]
    last = max((i for i, (_, text) in enumerate(given) if text), default=-1)
    if last > 0 and any(not text for _, text in given[:last]):
        warn.append(
            ("options_gap", "Some options are empty between filled ones; they are skipped.")
        )
    return [(letter, text) for letter, text in given if text]


def _choice_draft(
    kind: Kind | None,
    options: list[tuple[str, str]],
    answer: str,
    base: dict,
) -> QuestionDraft:
    letters = answer_letters(answer)
    if kind is None:
        kind = "single" if letters and len(letters) == 1 else "multiple"
    if not letters:
        raise _RowError("bad_answer", f"The answer “{answer}” is not option letters (A–H).")
    known = [letter for letter, _ in options]
    unknown = [letter for letter in letters if letter not in known]
    if unknown:
        raise _RowError(
            "bad_answer", f"The answer names option {'、'.join(unknown)}, which is empty."
        )
    if kind in ("single", "true_false") and len(letters) != 1:
        raise _RowError(
            "bad_answer", f"The answer “{answer}” gives several letters; one is needed."
        )
    choices = tuple(ChoiceDraft(text, letter in letters) for letter, text in options)
    return QuestionDraft(kind, choices=choices, **base)


def _true_false_draft(options: list[tuple[str, str]], answer: str, base: dict) -> QuestionDraft:
    if len(options) not in (0, 2):
        raise _RowError(
            "true_false_needs_two_choices_one_correct",
            "A true/false question has two options (or none, for 正确/错误).",
        )
    letters = answer_letters(answer)
    if len(options) == 2 and letters and set(letters) <= {options[0][0], options[1][0]}:
        return _choice_draft("true_false", options, answer, base)
    truth = truth_value(answer)
    if truth is None:
        raise _RowError(
            "bad_answer", f"The answer “{answer}” is not 对/错 (√/×, 正确/错误, T/F, TRUE/FALSE)."
        )
    if len(options) == 2:
        # Options given as labels: the one meaning "true" is right when the answer is true.
        marks = [truth_value(text) for _, text in options]
        if set(marks) != {True, False}:
            raise _RowError(
                "bad_answer", "With two options, a true/false answer must be one of their letters."
            )
        choices = tuple(
            ChoiceDraft(text, mark == truth) for (_, text), mark in zip(options, marks, strict=True)
        )
        return QuestionDraft("true_false", choices=choices, **base)
    true_label, false_label = _ZH_TF if CJK_RE.search(base["stem"]) else _EN_TF
    choices = (ChoiceDraft(true_label, truth), ChoiceDraft(false_label, not truth))
    return QuestionDraft("true_false", choices=choices, **base)


def _blank_draft(answer: str, base: dict, warn: list[tuple[str, str]]) -> QuestionDraft:
    stem = BRACKET_BLANK.sub("____", base["stem"])
    count = len(BLANK_MARKER.findall(stem))
    if not count:
        stem = f"{stem} ____"
        count = 1
        warn.append(("blank_added", "The stem had no ____ blank; one was added at its end."))
    parts = [part.strip() for part in _BLANK_PARTS.split(answer) if part.strip()]
    if len(parts) == count:
        groups = parts
    elif count == 1:
        groups = ["|".join(parts)]
    else:
        raise _RowError(
            "blank_count_mismatch",
            f"The stem has {count} blanks but the answer has {len(parts)} parts (separate "
            "them with ；).",
        )
    blanks = tuple(
        tuple(a.strip() for a in _ALTERNATIVES.split(group) if a.strip()) for group in groups
    )
    return QuestionDraft("blank", blanks=blanks, **{**base, "stem": stem})


def _row_draft(cells: dict[str, str], warn: list[tuple[str, str]]) -> QuestionDraft:
    kind_text = cells.get("kind", "")
    kind: Kind | None = None
    if kind_text:
        kind = _KIND_LOOKUP.get(_kind_key(kind_text))
        if kind is None:
            raise _RowError(
                "unknown_kind",
                f"“{kind_text}” is not a question kind (单选, 多选, 判断, 填空 or single, "
                "multiple, true_false, blank).",
            )
    stem = cells.get("stem", "")
    if not stem:
        raise _RowError("empty_stem", "The stem (题干) is empty.")
    answer = cells.get("answer", "")
    if not answer:
        raise _RowError("empty_answers", "The answer (答案) is empty.")
    base = {
        "stem": stem,
        "explanation": cells.get("explanation", ""),
        "difficulty": _difficulty(cells.get("difficulty", ""), warn),
        "tags": tuple(t.strip() for t in cells.get("key_point", "").split("\n") if t.strip()),
    }
    options = _options(cells, warn)
    if kind is None:
        if options and answer_letters(answer):
            return _choice_draft(None, options, answer, base)  # single or multiple
        if options:
            raise _RowError("bad_answer", f"The answer “{answer}” is not option letters (A–H).")
        kind = "true_false" if truth_value(answer) is not None else "blank"
    if kind == "true_false":
        return _true_false_draft(options, answer, base)
    if kind == "blank":
        if options:
            warn.append(("options_ignored", "Options of a blank question were ignored."))
        return _blank_draft(answer, base, warn)
    return _choice_draft(kind, options, answer, base)


def _read_rows(rows: Iterable[tuple[int, Sequence[object]]], *, csv_quotes: bool) -> ParseResult:
    result = ParseResult()
    iterator = iter(rows)
    head: list[tuple[int, list[str]]] = []
    for number, values in iterator:
        cells = [_cell_text(v) for v in values]
        if any(cells):
            head.append((number, cells))
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    header, result.issues = _find_header(head)
    if header is None:
        return result
    waiting = [(n, c) for n, c in head if n > header.row]

    def body() -> Iterator[tuple[int, list[str]]]:
        yield from waiting
        for number, values in iterator:
            yield number, [_cell_text(v) for v in values]

    count = 0
    for number, cells in body():
        if not any(cells):
            continue
        count += 1
        if count > MAX_ROWS:
            result.issues.append(
                FormatIssue(
                    number,
                    "error",
                    "too_many_rows",
                    f"Only {MAX_ROWS} questions are read from one sheet; the rest were not.",
                )
            )
            break
        named = {
            column: (unquote_csv_text(cells[i]) if csv_quotes else cells[i])
            for column, i in header.columns.items()
            if i < len(cells) and cells[i]
        }
        title = _title(named.get("stem", ""))
        warn: list[tuple[str, str]] = []
        try:
            draft = _row_draft(named, warn)
        except _RowError as error:
            result.issues.append(FormatIssue(number, "error", error.code, error.message, title))
            continue
        unusable = problem_issues(draft, line=number, title=title)
        if unusable:
            result.issues.extend(unusable)
            continue
        warnings = tuple(FormatIssue(number, "warning", c, m, title) for c, m in warn)
        result.issues.extend(warnings)
        result.questions.append(ParsedQuestion(draft, number, title, "", warnings))
    return result


def _file_error(code: str, message: str) -> ParseResult:
    return ParseResult(issues=[FormatIssue(1, "error", code, message)])


def read_xlsx(data: bytes, *, limits: IngestLimits | None = None) -> ParseResult:
    """Read the first worksheet of an .xlsx workbook (read-only mode, row by row)."""
    import openpyxl  # imported here: reading CSV or GIFT should not pay for it

    kind = sniff(data)
    if kind == "ole":
        return _file_error(
            "wrong_type", "This is an old Excel .xls (or protected) file; save it as .xlsx."
        )
    if kind != "zip":
        return _file_error("wrong_type", "The file is not an Excel .xlsx workbook.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        check_archive(archive.infolist(), limits or IngestLimits())
        if package_declares_dtd(archive):
            return _file_error(
                "unsafe_xml",
                "The workbook's XML declares a DTD, entities or external references; it was "
                "refused unread.",
            )
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except IngestError:
        return _file_error(
            "archive_bomb", "The workbook unpacks to far more data than its size allows."
        )
    except Exception as exc:  # openpyxl raises many kinds for a broken package
        return _file_error("corrupt", f"The workbook could not be opened ({type(exc).__name__}).")
    try:
        if not workbook.worksheets:
            return _file_error("corrupt", "The workbook has no worksheet.")
        sheet = workbook.worksheets[0]
        # As wide as the sheet says it is (the header may sit beside notes), within reason.
        width = min(sheet.max_column or _MAX_COLUMNS, _MAX_COLUMNS)
        rows = (
            (number, values)
            for number, values in enumerate(
                sheet.iter_rows(values_only=True, max_col=width), start=1
            )
        )
        try:
            return _read_rows(rows, csv_quotes=False)
        except Exception as exc:  # a cell or shared string that openpyxl cannot read
            return _file_error(
                "corrupt", f"The worksheet could not be read ({type(exc).__name__})."
            )
    finally:
        workbook.close()


def _delimiter(text: str) -> str:
    first = next((line for line in text.split("\n", 20) if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    if counts["\t"] > counts[","]:
        return "\t"
    if counts[";"] and not counts[","]:
        return ";"
    return ","


def read_csv(data: bytes | str) -> ParseResult:
    """Read a CSV (or tab-separated) sheet. Bytes may be UTF-8 (with or without BOM) or
    GB18030/GBK, as Excel saves "CSV" on a Chinese Windows."""
    if isinstance(data, bytes):
        try:
            text, _encoding, _warnings = decode_text(data, repair=False)
        except IngestError as error:
            if error.code == "wrong_type":
                return _file_error("wrong_type", "The file is not text (CSV).")
            if error.code in ("truncated_utf8", "broken_utf8"):
                return ParseResult(
                    issues=[FormatIssue(error.params["line"], "error", error.code, error.message)]
                )
            return _file_error(
                "bad_encoding", "The text is neither UTF-8 nor GB18030/GBK; save it as CSV UTF-8."
            )
    else:
        text = data.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))

    def rows() -> Iterator[tuple[int, Sequence[object]]]:
        number = 0
        while True:
            number += 1
            try:
                yield number, next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _CsvBroken(number, str(exc)) from None

    try:
        return _read_rows(rows(), csv_quotes=True)
    except _CsvBroken as broken:
        return ParseResult(
            issues=[
                FormatIssue(broken.row, "error", "corrupt", f"The CSV cannot be read: {broken}.")
            ]
        )


class _CsvBroken(Exception):
    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row


# --- writing ---------------------------------------------------------------------------------


def sheet_problem(draft: QuestionDraft) -> str | None:
    """Why ``draft`` cannot be written as a sheet row, as a code; None when it can."""
    if draft.problems():
        return "invalid_draft"
    if len(draft.choices) > len(OPTION_LETTERS):
        return "too_many_choices"
    if draft.answers:
        # Credits, numeric answers and answer feedback have no column.
        return "answer_details"
    if any(_BLANK_PARTS.search(a) or _ALTERNATIVES.search(a) for b in draft.blanks for a in b):
        return "blank_separator"
    return None


def _default_labels(draft: QuestionDraft) -> tuple[str, str]:
    return _ZH_TF if CJK_RE.search(draft.stem) else _EN_TF


def _row(draft: QuestionDraft, language: str) -> list[str | int | None]:
    """The draft's cells; None for an empty cell (an .xlsx does not store it at all)."""
    options: list[str | None] = [None] * len(OPTION_LETTERS)
    if draft.kind == "blank":
        answer = "；".join("|".join(answers) for answers in draft.blanks)
    elif draft.kind == "true_false" and tuple(c.text for c in draft.choices) == _default_labels(
        draft
    ):
        truth = draft.choices[0].correct
        labels = _ZH_TF if language == "zh" else ("TRUE", "FALSE")
        answer = labels[0] if truth else labels[1]
    else:
        for index, choice in enumerate(draft.choices):
            options[index] = choice.text
        answer = "".join(OPTION_LETTERS[i] for i, c in enumerate(draft.choices) if c.correct)
    return [
        _KIND_WRITTEN[language][draft.kind],
        draft.stem,
        *options,
        answer,
        draft.explanation or None,
        draft.difficulty,
        "\n".join(draft.tags) or None,
    ]


def _headers(language: str) -> list[str]:
    names = _ZH_HEADERS if language == "zh" else _EN_HEADERS
    return [names[column] for column in COLUMNS]


def _sheet_rows(
    drafts: Iterable[QuestionDraft], language: str
) -> tuple[list[list[str | int | None]], list[int]]:
    rows: list[list[str | int | None]] = []
    skipped: list[int] = []
    for index, draft in enumerate(drafts):
        if sheet_problem(draft):
            skipped.append(index)
        else:
            rows.append(_row(draft, language))
    return rows, skipped


_WIDTHS = {"kind": 8, "stem": 48, "answer": 12, "explanation": 36, "difficulty": 8}


def export_xlsx(
    drafts: Iterable[QuestionDraft], *, language: str = "zh", title: str = ""
) -> tuple[bytes, list[int]]:
    """An .xlsx workbook of the drafts (write-only mode), and the indexes skipped."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    rows, skipped = _sheet_rows(drafts, language)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title, language))
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(column, 16)
    sheet.freeze_panes = "A2"
    sheet.append(_headers(language))
    for row in rows:
        sheet.append([xlsx_text(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    last = f"{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    return _with_dimension(out.getvalue(), f"A1:{last}"), skipped


def _with_dimension(data: bytes, ref: str) -> bytes:
    """The workbook with ``<dimension ref="…"/>`` in its sheet, as Excel writes it.

    openpyxl's write-only mode leaves it out, and then every read-only reader (openpyxl's
    included) must parse the whole sheet once just to learn its size."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rb"(</sheetPr>|<sheetPr[^>]*/>)",
                    lambda m: m[1] + f'<dimension ref="{ref}"/>'.encode(),
                    content,
                    count=1,
                )
            target.writestr(info, content)
    return out.getvalue()


def write_xlsx(drafts: Iterable[QuestionDraft], *, language: str = "zh") -> bytes:
    """The drafts as .xlsx bytes; drafts a sheet cannot hold are skipped."""
    return export_xlsx(drafts, language=language)[0]


def export_csv(drafts: Iterable[QuestionDraft], *, language: str = "zh") -> tuple[str, list[int]]:
    """CSV text of the drafts (encode it as UTF-8 with BOM for Excel), and skipped indexes."""
    rows, skipped = _sheet_rows(drafts, language)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_headers(language))
    writer.writerows([csv_text(value) for value in row] for row in rows)
    return out.getvalue(), skipped


def write_csv(drafts: Iterable[QuestionDraft], *, language: str = "zh") -> str:
    return export_csv(drafts, language=language)[0]


def _sheet_title(title: str, language: str) -> str:
    cleaned = re.sub(r"[\\/*?:\[\]]", " ", title).strip()[:31]
    return cleaned or ("题目" if language == "zh" else "Questions")


# --- the template --------------------------------------------------------------------------

# The template's example rows, per language: (kind, stem, choices with "*" before each
# right one, the blank's accepted answers, explanation, difficulty, key point).
_EXAMPLE_ROWS: dict[str, tuple[tuple, ...]] = {
    "zh": (
        (
            "single",
            "中国共产党的根本宗旨是什么？",
            ("实事求是", "*全心全意为人民服务", "艰苦奋斗", "开拓创新"),
            (),
            "党章总纲：党除了工人阶级和最广大人民群众的利益，没有自己特殊的利益。",
            2,
            "党的宗旨",
        ),
        (
            "multiple",
            "新发展理念包括哪些？",
            ("*创新", "*协调", "*绿色", "*开放", "*共享", "速度"),
            (),
            "",
            3,
            "",
        ),
        ("true_false", "中国式现代化是人口规模巨大的现代化。", ("*正确", "错误"), (), "", 1, ""),
        (
            "blank",
            "教育、科技、____是全面建设社会主义现代化国家的基础性、战略性支撑。",
            (),
            ("人才",),
            "",
            3,
            "",
        ),
    ),
    "en": (
        (
            "single",
            "Which planet is known as the Red Planet?",
            ("Venus", "*Mars", "Jupiter"),
            (),
            "Iron oxide on its surface makes Mars look red.",
            1,
            "Solar system",
        ),
        ("multiple", "Which of these are prime numbers?", ("*2", "*3", "4", "*5"), (), "", 3, ""),
        ("true_false", "Water boils at 100 °C at sea level.", ("*True", "False"), (), "", 1, ""),
        ("blank", "The capital of France is ____.", (), ("Paris",), "", 3, ""),
    ),
}


def _example(
    kind: str,
    stem: str,
    choices: tuple[str, ...],
    answers: tuple[str, ...],
    explanation: str,
    difficulty: int,
    key_point: str,
) -> QuestionDraft:
    return QuestionDraft(
        kind,  # type: ignore[arg-type]
        stem,
        choices=tuple(ChoiceDraft(c.removeprefix("*"), c.startswith("*")) for c in choices),
        blanks=(answers,) if answers else (),
        explanation=explanation,
        difficulty=difficulty,
        tags=(key_point,) if key_point else (),
    )


_EXAMPLES: dict[str, tuple[QuestionDraft, ...]] = {
    language: tuple(_example(*row) for row in rows) for language, rows in _EXAMPLE_ROWS.items()
}


_HELP = {
    "zh": (
        ("题型", "单选、多选、判断或填空（也可写 单选题、single 等）。留空时按答案推断。"),
        ("题干", "必填。填空题用 ____（三个以上下划线）或（ ）标出每个空。"),
        ("选项A…选项H", "选择题的选项，依次填写；判断题可不填。"),
        (
            "答案",
            "必填。单选填一个字母，如 B；多选填多个字母，如 ABD；"
            "判断填 对/错（√/×、正确/错误、T/F）；"
            "填空每个空之间用 ； 分隔，同一空的多个可接受答案用 | 分隔，如 创新|革新；协调。",
        ),
        ("解析", "可选，答题后显示给学员。"),
        ("难度", "可选，1（最易）到 5（最难），或 易/中/难；留空为 3。"),
        ("知识点", "可选，与本题库中文档的知识点原文一致时会关联到该知识点。"),
        (
            "说明",
            "第一行是表头，不要修改；示例行导入前请删除。表头也可以用英文：Kind, Stem, "
            "Option A…H, Answer, Explanation, Difficulty, Key point。"
            "也可另存为 CSV（UTF-8 或 GBK）导入。",
        ),
    ),
    "en": (
        (
            "Kind",
            "single, multiple, true_false or blank (单选, 多选, 判断, 填空 work too). "
            "Left empty, it is inferred from the answer.",
        ),
        (
            "Stem",
            "Required. In a blank question mark each blank with ____ (three or more "
            "underscores) or （ ）.",
        ),
        ("Option A…H", "The options of a choice question, in order; none for true/false."),
        (
            "Answer",
            "Required. Single: one letter (B); multiple: several (ABD); true/false: "
            "T/F, TRUE/FALSE, 对/错; blank: one part per blank separated by ; and alternatives "
            "of one blank separated by |, e.g. colour|color;grey|gray.",
        ),
        ("Explanation", "Optional; shown to learners after they answer."),
        ("Difficulty", "Optional: 1 (easiest) to 5 (hardest), or easy/medium/hard; empty is 3."),
        (
            "Key point",
            "Optional; when it equals the text of a key point of a document in the "
            "bank, the question is linked to it.",
        ),
        (
            "Notes",
            "Keep the header row as it is and delete the example rows before importing. "
            "Chinese headers (题型, 题干, 选项A…H, 答案, 解析, 难度, 知识点) work too. "
            "The sheet may also be saved as CSV (UTF-8 or GBK).",
        ),
    ),
}


def template_xlsx(*, language: str = "zh") -> bytes:
    """The downloadable template: a header row (with a comment on each column), one example
    row per kind, a kind drop-down, and a help sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "题目" if language == "zh" else "Questions"
    headers = _headers(language)
    sheet.append(headers)
    help_by_header = dict(_HELP[language])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F1EDE6")
    for index, (column, header) in enumerate(zip(COLUMNS, headers, strict=True), start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = bold, fill
        note = help_by_header.get(header) or help_by_header.get(
            "选项A…选项H" if language == "zh" else "Option A…H", ""
        )
        if note:
            cell.comment = Comment(note, "studyapp", width=320, height=140)
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(column, 16)
    for draft in _EXAMPLES[language]:
        sheet.append(_row(draft, language))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    kinds = ",".join(_KIND_WRITTEN[language].values())
    validation = DataValidation(type="list", formula1=f'"{kinds}"', allow_blank=True)
    validation.add(f"A2:A{MAX_ROWS}")
    sheet.add_data_validation(validation)

    notes = workbook.create_sheet("说明" if language == "zh" else "Help")
    notes.append(
        ["列" if language == "zh" else "Column", "说明" if language == "zh" else "How to fill it"]
    )
    for name, text in _HELP[language]:
        notes.append([name, text])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 90
    for row in notes.iter_rows():
        row[0].font = bold
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
