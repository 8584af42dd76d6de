"""Chinese plain-text question banks, as organizers type them in Word ⇄ ``QuestionDraft``.

Pure Python. The caller decodes the file (UTF-8, GB18030, …) and passes text.

Layout read::

    一、单选题                      section headings: 单选题/单项选择题, 多选题/多项选择题,
    1. 题干……（ ）                  判断题, 填空题 (other headings leave the kind to inference)
    A、选项  B．选项                stems "1." "1、" "1．" "（1）"; options "A、" "A." "A．" "Ａ．",
    C.选项                          one per line or several on a line
    答案：B                         "答案：B" "答案:AC" "【答案】B"
    解析：……                        "解析：…" "【解析】…"; unmarked lines after it continue it

Kinds without a heading are inferred: options and one answer letter → single, several
letters → multiple, 对/错/√/×/正确/错误/T/F → true/false, otherwise a blank question.
True/false drafts get the labels of the stem's language: "正确"/"错误" (as the generator
writes Chinese true/false questions), or "True"/"False" for a stem without Chinese. In 填空题
stems, "（ ）", "( )" and runs of 3+ underscores are blanks (the brackets become "____");
"答案：创新；协调" gives one answer per blank, split on "；"/";" or "、" when the count matches,
and "/" or "|" separate the accepted alternatives of one blank.

Errors (the question is dropped): ``missing_answer`` (at the stem's line), ``bad_answer``
(an answer letter not among the options, several letters in a 单选题, a 判断题 answer that
is not 对/错…; at the answer's line), ``blank_count_mismatch`` (at the answer's line),
``too_few_choices`` (at the stem's line), plus any other ``QuestionDraft.problems()`` code.
Text before the first numbered stem that is not a heading is ignored.

The writer groups drafts by kind under numbered headings, numbers stems from 1 in each
section, writes "A. …" options, "答案：…" and "解析：…". Not representable, hence not
written: per-choice feedback, difficulty, tags, key point and source fields. A stem or
explanation line that itself looks like a stem, option or answer line would be misread.
``chinese_text_problem`` says which drafts are left out: a blank answer containing "/", "|"
or "；", a blank with partial credit, numeric answers or answer feedback (the layout has no
room for them), true/false labels other than those of the stem's language (written as
正确/错误 or True/False, they read back as such).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from quizzes.drafts import BLANK_MARKER, ChoiceDraft, Kind, QuestionDraft
from quizzes.formats.base import (
    FormatIssue,
    ParsedQuestion,
    ParseResult,
    default_true_false_labels,
    problem_issues,
    true_false_labels_kept,
)

__all__ = ["chinese_text_problem", "read_chinese_text", "write_chinese_text"]

TRUE_LABEL, FALSE_LABEL = "正确", "错误"

_HEADING = re.compile(
    r"^[一二三四五六七八九十]+\s*[、.．]\s*(?P<name>[^\s（(]*)(?:\s*[（(].*[)）])?\s*$"
)
_HEADING_KINDS: dict[str, Kind] = {
    "单选题": "single",
    "单项选择题": "single",
    "单选": "single",
    "多选题": "multiple",
    "多项选择题": "multiple",
    "多选": "multiple",
    "不定项选择题": "multiple",
    "判断题": "true_false",
    "判断": "true_false",
    "是非题": "true_false",
    "填空题": "blank",
    "填空": "blank",
}
_STEM = re.compile(
    r"^(?:(?P<n>\d{1,4})\s*[.．、](?!\d)|[（(]\s*(?P<m>\d{1,4})\s*[)）])\s*(?P<t>.*)$"
)
_OPTION = re.compile(r"(?<!\S)(?P<l>[A-ZＡ-Ｚ])\s*[、.．]\s*")
_ANSWER = re.compile(r"^(?:【\s*(?:正确)?答案\s*】|(?:正确)?答案\s*[:：])\s*(?P<t>.*)$")
_EXPLANATION = re.compile(r"^(?:【\s*解析\s*】|解析\s*[:：])\s*(?P<t>.*)$")
BRACKET_BLANK = re.compile(r"[（(][\s\u3000]*[)）]")
_TRUE_WORDS = {"对", "√", "✓", "✔", "正确", "T", "TRUE", "是", "Y"}
_FALSE_WORDS = {"错", "×", "✗", "✘", "X", "错误", "F", "FALSE", "否", "N"}
_SECTION_ORDER: tuple[tuple[Kind, str], ...] = (
    ("single", "单选题"),
    ("multiple", "多选题"),
    ("true_false", "判断题"),
    ("blank", "填空题"),
)
_NUMERALS = "一二三四五六七八九十"


@dataclass
class _Block:
    line: int
    section: Kind | None
    stem: list[str]
    options: list[tuple[str, str]] = field(default_factory=list)  # (letter, text)
    answer: str | None = None
    answer_line: int = 0
    explanation: list[str] = field(default_factory=list)
    state: str = "stem"  # where unmarked lines go: stem / option / explanation


def _ascii_letter(letter: str) -> str:
    return unicodedata.normalize("NFKC", letter).upper()


def _split_options(line: str) -> list[tuple[str, str]] | None:
    """Options on the line ("A、x  B、y"), or None when it does not start with one.

    Several markers count only when their letters run on in order (A, B, C …)."""
    matches = list(_OPTION.finditer(line))
    if not matches or matches[0].start() != 0:
        return None
    kept = [matches[0]]
    for match in matches[1:]:
        if ord(_ascii_letter(match["l"])) == ord(_ascii_letter(kept[-1]["l"])) + 1:
            kept.append(match)
    options = []
    for index, match in enumerate(kept):
        end = kept[index + 1].start() if index + 1 < len(kept) else len(line)
        options.append((_ascii_letter(match["l"]), line[match.end() : end].strip()))
    return options


def _title(stem: str) -> str:
    first = stem.strip().split("\n", 1)[0]
    return first if len(first) <= 30 else first[:29] + "…"


def _blocks(text: str) -> tuple[list[_Block], list[FormatIssue]]:
    blocks: list[_Block] = []
    issues: list[FormatIssue] = []
    section: Kind | None = None
    current: _Block | None = None
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        line = raw.replace("\u3000", " ").strip()
        if not line:
            continue
        heading = _HEADING.match(line)
        if heading and not _STEM.match(line):
            name = heading["name"]
            section = next((k for n, k in _HEADING_KINDS.items() if name.startswith(n)), None)
            current = None
            continue
        stem = _STEM.match(line)
        if stem:
            current = _Block(number, section, [stem["t"].strip()])
            blocks.append(current)
            continue
        if current is None:
            continue  # a title or instructions before the first question
        answer = _ANSWER.match(line)
        if answer:
            current.answer = answer["t"].strip()
            current.answer_line = number
            current.state = "answer"
            continue
        explanation = _EXPLANATION.match(line)
        if explanation:
            current.explanation.append(explanation["t"].strip())
            current.state = "explanation"
            continue
        options = _split_options(line) if current.state in ("stem", "option") else None
        if options:
            current.options.extend(options)
            current.state = "option"
            continue
        if current.state == "stem":
            current.stem.append(line)
        elif current.state == "option":
            letter, option_text = current.options[-1]
            current.options[-1] = (letter, f"{option_text}\n{line}")
        elif current.state == "explanation":
            current.explanation.append(line)
        else:
            issues.append(
                FormatIssue(
                    number,
                    "warning",
                    "ignored_line",
                    "A line after the answer was ignored.",
                    _title("\n".join(current.stem)),
                )
            )
    return blocks, issues


def truth_value(answer: str) -> bool | None:
    word = unicodedata.normalize("NFKC", answer).strip().strip("。.").upper()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return None


def answer_letters(answer: str) -> list[str] | None:
    """Answer letters ("AC", "A、C", "A,C"), or None when the answer is not letters."""
    compact = re.sub(r"[\s,，、;；]+", "", unicodedata.normalize("NFKC", answer)).rstrip("。.")
    if not compact or not re.fullmatch(r"[A-Za-z]+", compact):
        return None
    return list(dict.fromkeys(compact.upper()))


def _split_blanks(answer: str, count: int) -> list[str] | None:
    if count == 1:
        return [answer]
    for separator in (r"[；;]", r"、", r"[，,]", r"\s+"):
        parts = [p.strip() for p in re.split(separator, answer) if p.strip()]
        if len(parts) == count:
            return parts
    return None


class _Error(Exception):
    def __init__(self, code: str, line: int, message: str) -> None:
        super().__init__(message)
        self.code, self.line, self.message = code, line, message


def _draft(block: _Block) -> QuestionDraft:
    stem = "\n".join(block.stem).strip()
    explanation = "\n".join(block.explanation).strip()
    answer = block.answer
    if answer is None or not answer.strip():
        raise _Error("missing_answer", block.line, "The question has no answer (答案：…).")
    answer_line = block.answer_line
    kind = block.section
    letters = answer_letters(answer) if block.options else None
    truth = truth_value(answer)
    if kind is None:
        if block.options and letters:
            kind = "single" if len(letters) == 1 else "multiple"
        elif truth is not None and not block.options:
            kind = "true_false"
        elif block.options:
            raise _Error("bad_answer", answer_line, f"The answer “{answer}” is not a letter.")
        else:
            kind = "blank"
    if kind == "true_false" and not (block.options and letters):
        if truth is None:
            raise _Error("bad_answer", answer_line, f"“{answer}” is not 对/错 (√/×).")
        true_label, false_label = default_true_false_labels(stem)
        choices = (ChoiceDraft(true_label, truth), ChoiceDraft(false_label, not truth))
        return QuestionDraft("true_false", stem, choices=choices, explanation=explanation)
    if kind == "blank":
        stem = BRACKET_BLANK.sub("____", stem)
        count = len(BLANK_MARKER.findall(stem))
        parts = _split_blanks(answer.strip(), count) if count else None
        if parts is None:
            raise _Error(
                "blank_count_mismatch",
                answer_line,
                f"The stem has {count} blank(s) but the answer does not split into as many.",
            )
        blanks = tuple(
            tuple(a.strip() for a in re.split(r"[/|／｜]", part) if a.strip()) for part in parts
        )
        return QuestionDraft("blank", stem, blanks=blanks, explanation=explanation)
    # single / multiple (or a 判断题 given with lettered options)
    if len(block.options) < 2:
        raise _Error("too_few_choices", block.line, "A choice question needs two options.")
    if not letters:
        raise _Error("bad_answer", answer_line, f"The answer “{answer}” is not option letters.")
    known = [letter for letter, _ in block.options]
    unknown = [letter for letter in letters if letter not in known]
    if unknown:
        raise _Error(
            "bad_answer", answer_line, f"Answer {''.join(unknown)} is not among the options."
        )
    if kind in ("single", "true_false") and len(letters) != 1:
        raise _Error("bad_answer", answer_line, "A single-choice question has one answer.")
    choices = tuple(ChoiceDraft(text, letter in letters) for letter, text in block.options)
    return QuestionDraft(kind, stem, choices=choices, explanation=explanation)


def read_chinese_text(text: str) -> ParseResult:
    """Read a Chinese plain-text bank; see the module docstring for the layout."""
    result = ParseResult()
    blocks, result.issues = _blocks(text)
    for block in blocks:
        title = _title("\n".join(block.stem))
        try:
            draft = _draft(block)
        except _Error as error:
            result.issues.append(FormatIssue(error.line, "error", error.code, error.message, title))
            continue
        unusable = problem_issues(draft, line=block.line, title=title)
        if unusable:
            result.issues.extend(unusable)
            continue
        result.questions.append(ParsedQuestion(draft, block.line, title))
    result.issues.sort(key=lambda issue: issue.line)
    return result


def chinese_text_problem(draft: QuestionDraft) -> str | None:
    """Why ``draft`` cannot be written in this layout, as a code; None when it can."""
    if draft.problems():
        return "invalid_draft"
    if draft.answers:
        return "answer_details"
    if any(re.search(r"[/|；]", a) for answers in draft.blanks for a in answers):
        return "blank_separator"
    if draft.kind == "true_false" and not true_false_labels_kept(draft):
        return "true_false_labels"
    return None


def _answer_of(draft: QuestionDraft) -> str:
    if draft.kind == "true_false":
        # The label of the right choice: 正确/错误, or True/False for an English stem.
        return next(c.text for c in draft.choices if c.correct)
    if draft.kind == "blank":
        return "；".join("/".join(answers) for answers in draft.blanks)
    return "".join(chr(ord("A") + i) for i, c in enumerate(draft.choices) if c.correct)


def write_chinese_text(drafts: Iterable[QuestionDraft]) -> str:
    """The drafts as a Chinese plain-text bank, one numbered section per kind; drafts the
    layout cannot hold (``chinese_text_problem``) are left out."""
    drafts = [d for d in drafts if chinese_text_problem(d) is None]
    sections: list[str] = []
    for kind, name in _SECTION_ORDER:
        of_kind = [d for d in drafts if d.kind == kind]
        if not of_kind:
            continue
        lines = [f"{_NUMERALS[len(sections)]}、{name}", ""]
        for number, draft in enumerate(of_kind, 1):
            lines.append(f"{number}. {draft.stem.strip()}")
            if kind in ("single", "multiple"):
                lines.extend(
                    f"{chr(ord('A') + i)}. {c.text.strip()}" for i, c in enumerate(draft.choices)
                )
            lines.append(f"答案：{_answer_of(draft)}")
            if draft.explanation.strip():
                lines.append(f"解析：{draft.explanation.strip()}")
            lines.append("")
        sections.append("\n".join(lines))
    return "\n".join(sections)
