"""Types shared by every question format reader and writer. Pure Python, no Django.

Readers turn a file's text into ``ParseResult``: the questions they could read, each as a
``QuestionDraft`` with where it came from, and every problem found, located by line (or
row). Writers turn drafts back into text. Types a format holds but we do not (matching,
essay, description) are reported per question as an issue, never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from quizzes.drafts import QuestionDraft

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class FormatIssue:
    """A problem found while reading, located in the source."""

    line: int  # 1-based line (or spreadsheet row) where the question starts
    severity: Severity
    code: str  # e.g. "unbalanced_braces", "unsupported_type", "bad_weight", "empty_answers"
    message: str  # an English sentence; the app translates by ``code``
    title: str = ""  # the question's title or first words, to find it in a long file


@dataclass(frozen=True, slots=True)
class ParsedQuestion:
    draft: QuestionDraft
    line: int
    title: str = ""
    category: str = ""  # "Top/Sub" path where the format has categories
    warnings: tuple[FormatIssue, ...] = ()


@dataclass(slots=True)
class ParseResult:
    questions: list[ParsedQuestion] = field(default_factory=list)
    issues: list[FormatIssue] = field(default_factory=list)

    @property
    def errors(self) -> list[FormatIssue]:
        return [issue for issue in self.issues if issue.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def problem_issues(draft: QuestionDraft, *, line: int, title: str = "") -> list[FormatIssue]:
    """One error per quality problem of ``draft`` (``QuestionDraft.problems()``): a reader
    that finds any keeps the issues and drops the question."""
    return [
        FormatIssue(line, "error", code, f"The question is not usable: {code}.", title)
        for code in draft.problems()
    ]


CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
EN_TRUE_FALSE = ("True", "False")
ZH_TRUE_FALSE = ("正确", "错误")


def default_true_false_labels(stem: str) -> tuple[str, str]:
    """The labels a true/false question gets when a format does not name them: Chinese
    ("正确", "错误") for a stem holding CJK characters, else English ("True", "False")."""
    return ZH_TRUE_FALSE if CJK_RE.search(stem) else EN_TRUE_FALSE


def true_false_labels_kept(draft: QuestionDraft) -> bool:
    """Whether a format that writes only which answer is true gives this true/false draft
    back with its own labels: those its stem's language reads back as, in that order."""
    return tuple(c.text for c in draft.choices) == default_true_false_labels(draft.stem)
