"""Moodle XML (docs.moodle.org, "Moodle XML format") ⇄ ``QuestionDraft``. Pure Python.

Reading is done with defusedxml with DTDs, entities and external references all forbidden:
a file carrying any of them (external entities, "billion laughs") is refused as a whole with
one ``unsafe_xml`` issue, before anything is expanded. Malformed XML gives ``bad_xml`` at the
parser's line.

Held types: ``multichoice`` (``<single>`` true → single, false → multiple; a positive
fraction marks a correct answer), ``multichoiceset`` (→ multiple), ``truefalse`` (→ choices
"True"/"False", or "正确"/"错误" for a Chinese question), ``shortanswer`` (→ one blank; every
answer with a fraction of 0 or more is kept with its credit and feedback) and ``numerical``
(→ one blank of numeric answers: number ± tolerance, with credit and feedback; ``*`` is any
other answer; units are not kept, with a warning). ``<question type="category">`` sets the
category of the questions after it ("$course$/top/A/B" → "A/B"). Every other type (matching,
essay, description, cloze/multianswer, ddwtos, …) is reported per question as
``unsupported_type``, with its line and title.

HTML is not kept: question, answer and feedback text in ``format="html"`` becomes plain text
through a small converter (tags dropped, entities unescaped, ``<p>``/``<br>``/``<div>``/
``<li>`` become line breaks, ``<script>``/``<style>`` content dropped, images dropped with a
warning). nh3 is not used because nothing of the HTML survives.

Warnings of a question are both in ``ParsedQuestion.warnings`` and in ``ParseResult.issues``;
errors are in ``ParseResult.issues`` only and the question is not returned.

The writer emits one category (when given) and each draft as multichoice / truefalse /
shortanswer / numerical, with text as escaped HTML in CDATA that reads back exactly
(``markup.text_to_html``). A blank of numeric answers is a ``numerical`` question (a range
as its midpoint ± half its width, with ``<studyapp_range>1</studyapp_range>``, which Moodle
ignores, so that it reads back as a range); a blank of text answers is a ``shortanswer``
with each answer's fraction and feedback. Drafts Moodle XML cannot hold are skipped
(``xml_problem`` says why): several blanks (that would be cloze), numeric and text answers
in one blank, true/false labels other than those the stem's language reads back as.
Difficulty, key point and source fields are not written (Moodle holds none); tags are.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from quizzes.drafts import (
    BLANK_MARKER,
    CREDIT_PLACES,
    WILDCARD,
    AnswerDraft,
    ChoiceDraft,
    QuestionDraft,
    number_text,
    numeric_answer,
    with_answers,
)
from quizzes.formats.base import (
    FormatIssue,
    ParsedQuestion,
    ParseResult,
    default_true_false_labels,
    problem_issues,
    true_false_labels_kept,
)
from quizzes.formats.markup import html_to_text, text_to_html

__all__ = ["html_to_text", "read_moodle_xml", "text_to_html", "write_moodle_xml", "xml_problem"]

SUPPORTED = ("multichoice", "multichoiceset", "truefalse", "shortanswer", "numerical")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_TRUE_LABELS = {"true", "t", "正确", "对", "是", "√"}


# --------------------------------------------------------------------------- reading


class _LineRecorder:
    """Tree-builder target that also records the line of every ``<question>`` start tag."""

    def __init__(self) -> None:
        self.builder = TreeBuilder()
        self.lines: list[int] = []
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        if tag == "question" and self.parser is not None:
            self.lines.append(self.parser.parser.CurrentLineNumber)
        return self.builder.start(tag, attrs)

    def end(self, tag: str) -> Element:
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> Element:
        return self.builder.close()


def _parse(data: bytes) -> tuple[Element, list[int]]:
    target = _LineRecorder()
    parser = DefusedXMLParser(
        target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    target.parser = parser
    parser.feed(data)
    root = parser.close()
    return root, target.lines


class _Question:
    """Reads one ``<question>``, collecting its warnings."""

    def __init__(self, element: Element, line: int, title: str) -> None:
        self.element = element
        self.line = line
        self.title = title
        self.warnings: list[FormatIssue] = []

    def warn(self, code: str, message: str) -> None:
        self.warnings.append(FormatIssue(self.line, "warning", code, message, self.title))

    def text_of(self, element: Element | None, fmt: str | None = None) -> str:
        if element is None:
            return ""
        node = element.find("text")
        raw = (node.text if node is not None else None) or ""
        fmt = fmt or element.get("format", "html")
        if fmt != "html":
            return raw.strip()
        text, images = html_to_text(raw)
        if images:
            self.warn("image_dropped", "Images in the HTML are not kept.")
        return text

    def answers(self) -> list[tuple[float, str, str]]:
        """(fraction, text, feedback) of each ``<answer>``; raises ValueError on a bad one."""
        found = []
        for answer in self.element.findall("answer"):
            raw = answer.get("fraction", "0").strip() or "0"
            try:
                fraction = float(raw)
            except ValueError:
                raise ValueError(raw) from None
            if not -100 <= fraction <= 100:
                raise ValueError(raw)
            text = self.text_of(answer, answer.get("format", "html"))
            feedback = self.text_of(answer.find("feedback"))
            found.append((fraction, text, feedback))
        return found


def _title(element: Element) -> str:
    node = element.find("name/text")
    return (node.text or "").strip() if node is not None else ""


def _category_path(raw: str) -> str:
    """ "$course$/top/A/B" → "A/B" (Moodle writes a "/" inside a name as "//")."""
    parts = [p.replace("\0", "/").strip() for p in raw.replace("//", "\0").split("/")]
    parts = [p for p in parts if p]
    if parts and re.fullmatch(r"\$\w+\$", parts[0]):
        parts = parts[1:]
    if parts and parts[0].casefold() == "top":
        parts = parts[1:]
    return "/".join(parts)


def _read_question(q: _Question, qtype: str) -> QuestionDraft:
    element = q.element
    stem = q.text_of(element.find("questiontext"))
    explanation = q.text_of(element.find("generalfeedback"))
    tags = tuple(
        t.text.strip() for t in element.findall("tags/tag/text") if t.text and t.text.strip()
    )
    answers = q.answers()
    base = {"stem": stem, "explanation": explanation, "tags": tags}
    if qtype in ("multichoice", "multichoiceset"):
        single_node = element.find("single")
        single = qtype == "multichoice" and (
            single_node is None or (single_node.text or "").strip().lower() in ("true", "1")
        )
        if single:
            best = max((f for f, _, _ in answers), default=0.0)
            if any(0 < f < best for f, _, _ in answers):
                q.warn(
                    "partial_credit_dropped",
                    "Answers with partial credit are counted as wrong in a single choice.",
                )
            choices = tuple(ChoiceDraft(t, best > 0 and f == best, fb) for f, t, fb in answers)
            return QuestionDraft("single", choices=choices, **base)
        choices = tuple(ChoiceDraft(t, f > 0, fb) for f, t, fb in answers)
        return QuestionDraft("multiple", choices=choices, **base)
    if qtype == "truefalse":
        truth: bool | None = None
        feedback = {True: "", False: ""}
        for fraction, text, fb in answers:
            value = text.strip().lower() in ("true", "1", "t")
            feedback[value] = fb
            if fraction > 0:
                truth = value
        if truth is None:
            raise ValueError("no true/false answer has a positive fraction")
        true_label, false_label = default_true_false_labels(stem)
        choices = (
            ChoiceDraft(true_label, truth, feedback[True]),
            ChoiceDraft(false_label, not truth, feedback[False]),
        )
        return QuestionDraft("true_false", choices=choices, **base)
    # shortanswer / numerical → one blank; answers at a negative fraction cannot be kept.
    if any(f < 0 for f, _, _ in answers):
        raise ValueError("an accepted answer has a negative fraction")
    kept: list[AnswerDraft] = []
    elements = element.findall("answer")
    for (fraction, text, feedback), node in zip(answers, elements, strict=True):
        credit = Decimal(repr(fraction)).quantize(Decimal(1).scaleb(-CREDIT_PLACES))
        if not text.strip():
            continue
        if qtype == "numerical" and text.strip() != WILDCARD:
            number = _decimal(text)
            tolerance = _decimal(node.findtext("tolerance", "0").strip() or "0")
            if node.findtext("studyapp_range", "").strip() == "1":
                kept.append(
                    numeric_answer(
                        number, tolerance, is_range=True, credit=credit, feedback=feedback
                    )
                )
            else:
                kept.append(numeric_answer(number, tolerance, credit=credit, feedback=feedback))
        else:
            kept.append(AnswerDraft(text.strip(), credit, feedback=feedback))
    if qtype == "numerical" and element.find("units/unit") is not None:
        q.warn("units_dropped", "Units of a numerical answer are not kept.")
    if not BLANK_MARKER.search(stem):
        stem = f"{stem} _____" if stem else "_____"
        q.warn("blank_added", "The question text had no ___ blank; one was added at its end.")
    base["stem"] = stem
    draft = QuestionDraft("blank", **base)
    return with_answers(draft, (tuple(kept),)) if kept else draft


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text.strip()!r} is not a number")
    return value.normalize() if value else Decimal(0)


_EXPAT_CODECS = {"utf-8", "utf-16", "utf-16-le", "utf-16-be", "iso8859-1", "ascii"}
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)")


def _decode_if_expat_cannot(data: bytes) -> bytes | str:
    """Expat reads UTF-8/16, Latin-1 and ASCII only; decode GB18030, GBK, Big5 … here."""
    declared = _DECLARED.match(data)
    if not declared:
        return data
    codec = codecs.lookup(declared.group(1).decode("ascii")).name
    if codec in _EXPAT_CODECS:
        return data
    return data.decode(codec)


def read_moodle_xml(data: bytes | str) -> ParseResult:
    """Read a Moodle XML export; see the module docstring for what is kept."""
    result = ParseResult()
    if isinstance(data, bytes):
        try:
            data = _decode_if_expat_cannot(data)
        except (LookupError, UnicodeDecodeError) as exc:
            result.issues.append(FormatIssue(1, "error", "bad_xml", f"Unreadable encoding: {exc}"))
            return result
    if isinstance(data, str):
        # The text is already decoded: drop a declaration that names another encoding.
        data = _XML_DECL.sub("", data.lstrip("\ufeff"), count=1).encode("utf-8")
    try:
        root, lines = _parse(data)
    except DefusedXmlException as exc:
        result.issues.append(
            FormatIssue(
                1,
                "error",
                "unsafe_xml",
                "The file declares a DTD, entities or external references; it was refused "
                f"without reading ({type(exc).__name__}).",
            )
        )
        return result
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 1
        result.issues.append(FormatIssue(line, "error", "bad_xml", f"Malformed XML: {exc}"))
        return result
    if root.tag != "quiz":
        result.issues.append(
            FormatIssue(1, "error", "bad_xml", f"The root element is <{root.tag}>, not <quiz>.")
        )
        return result
    category = ""
    for index, element in enumerate(root.iter("question")):
        line = lines[index] if index < len(lines) else 1
        qtype = element.get("type", "").strip()
        title = _title(element)
        if qtype == "category":
            category = _category_path(element.findtext("category/text", "") or "")
            continue
        if qtype not in SUPPORTED:
            result.issues.append(
                FormatIssue(
                    line,
                    "error",
                    "unsupported_type",
                    f'Questions of type "{qtype or "?"}" cannot be imported.',
                    title,
                )
            )
            continue
        q = _Question(element, line, title)
        try:
            draft = _read_question(q, qtype)
        except ValueError as exc:
            result.issues.append(
                FormatIssue(line, "error", "bad_weight", f"Bad answer fraction: {exc}", title)
            )
            continue
        unusable = problem_issues(draft, line=line, title=title)
        if unusable:
            result.issues.extend(unusable)
            continue
        result.issues.extend(q.warnings)
        result.questions.append(ParsedQuestion(draft, line, title, category, tuple(q.warnings)))
    return result


# --------------------------------------------------------------------------- writing


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _text_block(tag: str, text: str, indent: str, attrs: str = ' format="html"') -> str:
    return f"{indent}<{tag}{attrs}>\n{indent}  <text>{_cdata(text_to_html(text))}</text>\n" + (
        f"{indent}</{tag}>\n"
    )


def _fraction(value: float | Decimal) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _answer(fraction: str, text: str, feedback: str, indent: str = "    ") -> str:
    out = f'{indent}<answer fraction="{fraction}" format="html">\n'
    out += f"{indent}  <text>{_cdata(text_to_html(text))}</text>\n"
    out += _text_block("feedback", feedback, indent + "  ")
    return out + f"{indent}</answer>\n"


def _name(draft: QuestionDraft) -> str:
    first = draft.stem.strip().split("\n", 1)[0]
    return first if len(first) <= 60 else first[:57] + "…"


def _numerical_answer(answer: AnswerDraft, indent: str = "    ") -> str:
    fraction = _fraction(answer.credit)
    if not answer.is_numeric:  # the "*" answer: any other response
        out = f'{indent}<answer fraction="{fraction}" format="moodle_auto_format">\n'
        out += f"{indent}  <text>*</text>\n"
    else:
        out = f'{indent}<answer fraction="{fraction}" format="moodle_auto_format">\n'
        out += f"{indent}  <text>{number_text(answer.number or Decimal(0))}</text>\n"
        out += f"{indent}  <tolerance>{number_text(answer.tolerance or Decimal(0))}</tolerance>\n"
        if answer.is_range:
            out += f"{indent}  <studyapp_range>1</studyapp_range>\n"
    out += _text_block("feedback", answer.feedback, indent + "  ")
    return out + f"{indent}</answer>\n"


def xml_problem(draft: QuestionDraft) -> str | None:
    """Why ``draft`` cannot be written as Moodle XML, as a code; None when it can."""
    if draft.problems():
        return "invalid_draft"
    if draft.kind == "blank":
        if len(draft.blanks) != 1:
            return "several_blanks"
        answers = draft.blank_answers()[0]
        if any(a.is_numeric for a in answers) and any(
            not a.is_numeric and a.text != WILDCARD for a in answers
        ):
            return "mixed_answers"
    if draft.kind == "true_false" and not true_false_labels_kept(draft):
        return "true_false_labels"
    return None


def _question(draft: QuestionDraft) -> str:
    qtype = {"single": "multichoice", "multiple": "multichoice"}.get(draft.kind, "")
    if draft.kind == "blank":
        numeric = any(a.is_numeric for a in draft.blank_answers()[0])
        qtype = "numerical" if numeric else "shortanswer"
    qtype = qtype or "truefalse"
    out = f'  <question type="{qtype}">\n'
    out += f"    <name>\n      <text>{html.escape(_name(draft), quote=False)}</text>\n    </name>\n"
    out += _text_block("questiontext", draft.stem, "    ")
    out += _text_block("generalfeedback", draft.explanation, "    ")
    if draft.kind in ("single", "multiple"):
        correct = [c for c in draft.choices if c.correct]
        wrong = len(draft.choices) - len(correct)
        single = draft.kind == "single"
        out += f"    <single>{'true' if single else 'false'}</single>\n"
        out += "    <shuffleanswers>true</shuffleanswers>\n"
        out += "    <answernumbering>abc</answernumbering>\n"
        for choice in draft.choices:
            if choice.correct:
                fraction = "100" if single else _fraction(100 / len(correct))
            else:
                fraction = "0" if single or not wrong else "-" + _fraction(100 / wrong)
            out += _answer(fraction, choice.text, choice.feedback)
    elif draft.kind == "true_false":
        labels = [c.text.strip().casefold() for c in draft.choices]
        true_index = next((i for i, t in enumerate(labels) if t in _TRUE_LABELS), 0)
        by_truth = {i == true_index: c for i, c in enumerate(draft.choices)}
        for value in (True, False):
            choice = by_truth.get(value, ChoiceDraft(""))
            fraction = "100" if choice.correct else "0"
            label = "true" if value else "false"
            out += f'    <answer fraction="{fraction}" format="moodle_auto_format">\n'
            out += f"      <text>{label}</text>\n"
            out += _text_block("feedback", choice.feedback, "      ")
            out += "    </answer>\n"
    else:
        answers = draft.blank_answers()[0]
        if any(a.is_numeric for a in answers):
            for answer in answers:
                out += _numerical_answer(answer)
        else:
            out += "    <usecase>0</usecase>\n"
            for answer in answers:
                out += _answer(_fraction(answer.credit), answer.text, answer.feedback)
    if draft.tags:
        out += "    <tags>\n"
        for tag in draft.tags:
            out += f"      <tag><text>{html.escape(tag, quote=False)}</text></tag>\n"
        out += "    </tags>\n"
    return out + "  </question>\n"


def write_moodle_xml(drafts: Iterable[QuestionDraft], *, category: str = "") -> str:
    """Moodle XML for ``drafts``, under ``category`` ("A/B" → "$course$/top/A/B") if given.

    Drafts Moodle XML cannot hold (``xml_problem``) are skipped; an XML comment says so."""
    out = '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
    if category:
        path = "/".join(part.strip() for part in category.split("/") if part.strip())
        out += '  <question type="category">\n'
        out += f"    <category>\n      <text>$course$/top/{html.escape(path, quote=False)}</text>\n"
        out += "    </category>\n  </question>\n"
    for number, draft in enumerate(drafts, 1):
        if problem := xml_problem(draft):
            out += f"  <!-- question {number} skipped: {problem} -->\n"
            continue
        out += _question(draft)
    return out + "</quiz>\n"
