r"""Moodle GIFT format: ``read_gift`` and ``write_gift``. Pure Python, no Django.

Reading follows Moodle's GIFT importer (``question/format/gift/format.php``) and its
documentation. Questions are separated by blank lines; lines starting with ``//`` are
comments (``[tag:x]`` in them becomes a draft tag, ``[id:…]`` is ignored); ``$CATEGORY:
path`` sets the category of the questions after it. Escapes ``\~ \= \# \{ \} \: \\ \n``.

Texts (question, answers, feedback, general feedback) may start with a format tag:
``[plain]`` and ``[moodle]`` are dropped, ``[html]`` text becomes plain text (tags dropped,
images dropped with an ``image_dropped`` warning), ``[markdown]`` text loses its markup
(``markup.markdown_to_text``). Answers and feedback inherit the question's format.

Mapping to ``QuestionDraft``:

* ``{=right ~wrong}`` → ``single``; ``{~%50%a ~%50%b ~%-100%c}`` (no ``=``) → ``multiple``,
  a choice is correct when its weight is positive (positive weights should sum to 100, else a
  ``weights_sum`` warning). ``=a =b ~c`` (several right answers) → ``multiple`` with a
  ``several_right_answers`` warning, because we require all of them.
* ``{T}`` ``{TRUE}`` ``{F}`` ``{FALSE}`` with ``#wrong feedback#right feedback`` →
  ``true_false`` with choices ("True", "False"), or ("正确", "错误") when the stem holds CJK
  characters (the generator's convention); ``true_false_labels`` overrides this.
* Short answer ``{=a =%50%b#feedback =%0%*#any other}``, or one answer without ``=``
  (``{One}``) → ``blank``: each answer keeps its credit and feedback (``AnswerDraft``);
  ``*`` alone is Moodle's "any other answer". At least one answer must earn 100 %.
* Numerical ``{#3.1415:0.0005}``, ``{#-5..5}``, ``{#=1822:0 =%50%1822:2#close ~#wrong}`` →
  ``blank`` with numeric answers (number ± tolerance, or a range) and their credits; what
  follows ``~`` is the feedback of any other answer (a ``*`` answer at 0 %).
* The stem is the question text without the answer block. For a blank, the block is the
  gap: with text after ``}`` (missing-word format) it becomes ``____`` where it stood; at
  the end it becomes `` ____`` — unless the text already marks its gap with a run of
  underscores (``_____ is the largest continent.{=Asia}``), which is then kept as it is.
  A choice question in missing-word format gets ``____`` where the block was. Text after the
  block of a true/false question, or only quotes and semicolons after a choice block, is
  kept as stem text, never a gap.
* ``####`` general feedback → ``explanation``; ``#`` after an answer → its ``feedback``.

Errors (``FormatIssue(severity="error")`` at the question's first line, no draft; reading
goes on with the next question): ``unsupported_type`` (matching, essay, description, several
answer sets), ``unbalanced_braces``, ``empty_answers``, ``bad_weight``, ``bad_number``,
``no_correct_answer``, ``invalid_question`` (the draft fails ``QuestionDraft.problems()``).
Warnings are attached to the question and also listed in ``ParseResult.issues``.

Writing (``write_gift``/``export_gift``) produces GIFT that ``read_gift`` reads back to
equal drafts: a blank question keeps its stem as it is (its gap included) with the answer
block after it; credits, numeric answers and feedback are written as Moodle writes them.
Titles, difficulty, key points and source offsets are not written. Drafts GIFT cannot hold
are skipped — ``export_gift`` returns their indexes and ``gift_problem`` says why: several
blanks, a blank mixing numeric and text answers, true/false labels other than those the
stem's language reads back as, unsound drafts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from quizzes.drafts import (
    BLANK_MARKER,
    CREDIT_PLACES,
    FULL_CREDIT,
    WILDCARD,
    AnswerDraft,
    ChoiceDraft,
    QuestionDraft,
    number_text,
    numeric_answer,
    range_answer,
    with_answers,
)
from quizzes.formats.base import (
    CJK_RE,
    FormatIssue,
    ParsedQuestion,
    ParseResult,
    default_true_false_labels,
    true_false_labels_kept,
)
from quizzes.formats.markup import html_to_text, markdown_to_text

__all__ = ["CJK_RE", "export_gift", "gift_problem", "read_gift", "write_gift"]

BLANK = "____"

# Escaped characters become private-use characters while parsing, so the syntax characters
# that remain are all real syntax.
_ESCAPES = {"\\": "\ue000", "~": "\ue001", "=": "\ue002", "#": "\ue003", "{": "\ue004"}
_ESCAPES |= {"}": "\ue005", ":": "\ue006", "n": "\ue007"}
_UNESCAPE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()})
_ESCAPE_RE = re.compile(r"\\([\\~=#{}:n])")
_GAP = "\ue010"  # where the answer block stood, while the stem is built
_TAG_RE = re.compile(r"\[tag:([^\]]+)\]", re.I)
_CATEGORY_RE = re.compile(r"^\$CATEGORY:\s*(.*)$", re.I)
_TITLE_RE = re.compile(r"::(.*?)::", re.S)
_FORMAT_RE = re.compile(r"\s*\[(html|moodle|plain|markdown)\]", re.I)
_WEIGHT_RE = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
# After a choice block, only these are leftovers (a question copied out of code), not the
# rest of a missing-word sentence.
_STRAY_RE = re.compile(r"^[\s\"'`;]*$")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _protect(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m[1]], text)


def _plain(text: str) -> str:
    return text.translate(_UNESCAPE)


def _first_words(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _blocks(text: str) -> Iterator[list[tuple[int, str]]]:
    """Groups of consecutive non-blank lines, with their 1-based line numbers."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    current: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            current.append((number, line))
        elif current:
            yield current
            current = []
    if current:
        yield current


def _clean_category(path: str) -> str:
    path = re.sub(r"^\$\w+\$/?", "", path.strip())
    return "/".join(part.strip() for part in path.split("/") if part.strip())


def read_gift(text: str, *, true_false_labels: tuple[str, str] | None = None) -> ParseResult:
    """Read GIFT text into drafts and located issues (see the module docstring)."""
    result = ParseResult()
    category = ""
    for block in _blocks(text):
        tags: list[str] = []
        body: list[tuple[int, str]] = []
        for number, line in block:
            stripped = line.strip()
            if stripped.startswith("//"):
                tags += [t.strip() for t in _TAG_RE.findall(stripped) if t.strip()]
                continue
            if match := _CATEGORY_RE.match(stripped):
                category = _clean_category(match[1])
                continue
            body.append((number, line))
        if not body:
            continue
        line_no = body[0][0]
        source = _protect("\n".join(line for _, line in body)).strip()
        title = ""
        if match := _TITLE_RE.match(source):
            title = _plain(match[1]).strip()
            source = source[match.end() :].lstrip()
        label = title or _first_words(_plain(source.split("{", 1)[0]))
        reader = _Question(true_false_labels)
        try:
            draft = reader.parse(source, tuple(tags))
        except _Invalid as invalid:
            result.issues.append(
                FormatIssue(line_no, "error", invalid.code, invalid.message, label)
            )
            continue
        label = title or _first_words(draft.stem)
        issues = tuple(FormatIssue(line_no, "warning", c, m, label) for c, m in reader.warnings)
        result.issues.extend(issues)
        result.questions.append(ParsedQuestion(draft, line_no, label, category, issues))
    return result


def _join(text: str) -> str:
    """Remove the gap placeholder, joining what stood on either side with one space when
    there was space on either side."""
    left, _, right = text.partition(_GAP)
    if left[-1:].isspace() or right[:1].isspace():
        return f"{left.rstrip()} {right.lstrip()}".strip()
    return (left + right).strip()


class _Question:
    """Reads one question block, collecting its warnings."""

    def __init__(self, labels: tuple[str, str] | None) -> None:
        self.labels = labels
        self.warnings: list[tuple[str, str]] = []
        self.format = "moodle"

    def warn(self, code: str, message: str) -> None:
        if (code, message) not in self.warnings:
            self.warnings.append((code, message))

    def text(self, protected: str, *, tagged: bool = True) -> str:
        """A text of the question as plain text: its format tag (or the question's format)
        applied, escapes resolved. The stem's tag was read already (``tagged=False``)."""
        fmt = self.format
        if tagged and (match := _FORMAT_RE.match(protected)):
            fmt = match[1].lower()
            protected = protected[match.end() :]
        text = _plain(protected)
        if fmt == "html":
            text, images = html_to_text(text)
            if images:
                self.warn("image_dropped", "Images in the HTML are not kept.")
        elif fmt == "markdown":
            text = markdown_to_text(text)
        return text.strip()

    def parse(self, source: str, tags: tuple[str, ...]) -> QuestionDraft:
        opens = closes = depth = 0
        for char in source:
            if char == "{":
                depth += 1
                opens += 1
            elif char == "}":
                depth -= 1
                closes += 1
            if depth not in (0, 1):
                raise _Invalid("unbalanced_braces", "The braces { } of this question do not match.")
        if depth:
            raise _Invalid("unbalanced_braces", "The braces { } of this question do not match.")
        if not opens:
            raise _Invalid(
                "unsupported_type", "A description (text without an answer set) is not a question."
            )
        if opens > 1:
            raise _Invalid(
                "unsupported_type", "Questions with several answer sets are not supported."
            )
        start, end = source.index("{"), source.index("}")
        prefix, inner, suffix = source[:start], source[start + 1 : end], source[end + 1 :]
        if match := _FORMAT_RE.match(prefix):
            self.format = match[1].lower()
            prefix = prefix[match.end() :]
        self.raw_stem = prefix + _GAP + suffix
        self.suffix = suffix
        explanation = ""
        if (cut := inner.rfind("####")) >= 0:  # Moodle takes the last one
            explanation = self.text(inner[cut + 4 :])
            inner = inner[:cut]
        body = inner.strip()
        base = QuestionDraft("single", "", explanation=explanation, tags=tags)
        if not body:
            raise _Invalid("unsupported_type", "Essay questions are not supported.")
        if body.startswith("#"):
            draft = self.numerical(body[1:], base)
        elif "~" in body:
            draft = self.choices(body, base)
        elif "=" in body and "->" in body:
            raise _Invalid("unsupported_type", "Matching questions are not supported.")
        elif (head := body.split("#", 1)[0].strip().upper()) in _TRUE_FALSE:
            draft = self.true_false(body, _TRUE_FALSE[head], base)
        else:
            draft = self.short_answer(body, base)
        if problems := draft.problems():
            raise _Invalid("invalid_question", "The question is not usable: " + ", ".join(problems))
        return draft

    # --- stems ----------------------------------------------------------------------------

    def blank_stem(self) -> str:
        text = self.text(self.raw_stem, tagged=False)
        before, _, after = text.partition(_GAP)
        if not after.strip():
            if BLANK_MARKER.search(before):
                return before.strip()  # the text already marks its gap
            return f"{before.rstrip()} {BLANK}" if before.strip() else BLANK
        return text.replace(_GAP, BLANK).strip()

    def choice_stem(self) -> str:
        text = self.text(self.raw_stem, tagged=False)
        if _STRAY_RE.match(_plain(self.suffix)):
            return _join(text)
        return text.replace(_GAP, BLANK).strip()

    # --- answer sets ----------------------------------------------------------------------

    def true_false(self, body: str, value: bool, base: QuestionDraft) -> QuestionDraft:
        parts = body.split("#", 2)
        wrong = self.text(parts[1]) if len(parts) > 1 else ""
        right = self.text(parts[2]) if len(parts) > 2 else ""
        stem = _join(self.text(self.raw_stem, tagged=False))
        true_label, false_label = self.labels or default_true_false_labels(stem)
        choices = (
            ChoiceDraft(true_label, value, right if value else wrong),
            ChoiceDraft(false_label, not value, wrong if value else right),
        )
        return replace(base, kind="true_false", stem=stem, choices=choices)

    def _weight(self, content: str) -> tuple[Decimal | None, str]:
        content = content.lstrip()
        if not content.startswith("%"):
            return None, content
        match = _WEIGHT_RE.match(content)
        if not match or abs(Decimal(match[1])) > 100:
            raise _Invalid("bad_weight", "A weight must be a percentage between -100 and 100.")
        return Decimal(match[1]), content[match.end() :]

    def choices(self, body: str, base: QuestionDraft) -> QuestionDraft:
        if body[0] not in "=~":
            body = "~" + body  # Moodle: text before the first mark is a wrong answer
        items: list[tuple[str, Decimal | None, str, str]] = []
        for mark, content in re.findall(r"([=~])([^=~]*)", body):
            weight, rest = self._weight(content)
            text, _, feedback = rest.partition("#")
            items.append((mark, weight, self.text(text), self.text(feedback)))
        if any(not text for _, _, text, _ in items):
            raise _Invalid("empty_answers", "An answer of this question is empty.")
        choices = tuple(
            ChoiceDraft(text, w > 0 if w is not None else mark == "=", fb)
            for mark, w, text, fb in items
        )
        correct = sum(c.correct for c in choices)
        has_right = any(mark == "=" for mark, *_ in items)
        if not correct:
            raise _Invalid("no_correct_answer", "No answer of this question is marked right.")
        if len(choices) < 2:
            raise _Invalid("too_few_choices", "A choice question needs at least two answers.")
        if has_right and correct > 1:
            self.warn("several_right_answers", "Several answers are right; all are now required.")
        if not has_right:
            total = sum(w for _, w, _, _ in items if w is not None and w > 0)
            if abs(total - 100) > Decimal("0.05"):
                self.warn("weights_sum", f"The positive weights add up to {total:g}, not 100.")
        kind = "single" if has_right and correct == 1 else "multiple"
        return replace(base, kind=kind, stem=self.choice_stem(), choices=choices)

    def _credit(self, weight: Decimal | None) -> Decimal:
        if weight is None:
            return FULL_CREDIT
        if weight < 0:
            raise _Invalid("bad_weight", "An accepted answer cannot earn a negative weight.")
        return weight.quantize(Decimal(1).scaleb(-CREDIT_PLACES))

    def _blank(self, answers: list[AnswerDraft], base: QuestionDraft) -> QuestionDraft:
        if not any(a.credit == FULL_CREDIT for a in answers):
            raise _Invalid("no_correct_answer", "No answer earns full credit.")
        return with_answers(replace(base, kind="blank", stem=self.blank_stem()), (tuple(answers),))

    def short_answer(self, body: str, base: QuestionDraft) -> QuestionDraft:
        parts = body.split("=")
        if not parts[0].strip():
            parts = parts[1:]
        answers = []
        for part in parts:
            weight, rest = self._weight(part)
            text, _, feedback = rest.partition("#")
            text = self.text(text)
            if not text:
                raise _Invalid("empty_answers", "An answer of this question is empty.")
            answers.append(AnswerDraft(text, self._credit(weight), feedback=self.text(feedback)))
        return self._blank(answers, base)

    def _number(self, text: str) -> Decimal:
        cleaned = _plain(text).strip()
        if not _NUMBER_RE.match(cleaned):
            raise _Invalid("bad_number", f"{cleaned!r} is not a number.")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise _Invalid("bad_number", f"{cleaned!r} is not a number.") from None
        return value.normalize() if value else Decimal(0)

    def numerical(self, body: str, base: QuestionDraft) -> QuestionDraft:
        wrong = ""
        if (tilde := body.find("~")) >= 0:
            body, wrong = body[:tilde], body[tilde + 1 :]
        parts = body.split("=")
        if not parts[0].strip():
            parts = parts[1:]
        if not parts:
            raise _Invalid("empty_answers", "A numerical answer is empty.")
        answers = []
        for part in parts:
            weight, rest = self._weight(part)
            value, _, feedback = rest.partition("#")
            value = _plain(value).strip()
            credit, feedback = self._credit(weight), self.text(feedback)
            if not value:
                raise _Invalid("empty_answers", "A numerical answer is empty.")
            if value.find("..") > 0:
                low, high = value.split("..", 1)
                answer = range_answer(
                    self._number(low), self._number(high), credit=credit, feedback=feedback
                )
            elif value.find(":") > 0:
                number, tolerance = value.split(":", 1)
                answer = numeric_answer(
                    self._number(number),
                    self._number(tolerance),
                    credit=credit,
                    feedback=feedback,
                )
            else:
                answer = numeric_answer(self._number(value), credit=credit, feedback=feedback)
            answers.append(answer)
        if wrong.strip():
            weight, rest = self._weight(wrong)
            feedback = self.text(rest.partition("#")[2])
            answers.append(AnswerDraft(WILDCARD, Decimal(0), feedback=feedback))
        return self._blank(answers, base)


# --- writing -------------------------------------------------------------------------------


def _escape(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\\", "\\\\")
    text = re.sub(r"([~=#{}:])", r"\\\1", text)
    return text.replace("\n", "\\n")


def _text(text: str) -> str:
    """An answer or feedback text: escaped, and marked [plain] when it would otherwise
    start like a format tag."""
    escaped = _escape(text)
    return "[plain]" + escaped if _FORMAT_RE.match(escaped) else escaped


def _answer(mark: str, text: str, weight: str = "") -> str:
    # A text starting with % would be read as a weight: give an explicit one first.
    if not weight and text.startswith("%"):
        weight = "100" if mark == "=" else "0"
    return f"{mark}{f'%{weight}%' if weight else ''}{_text(text)}"


def _blank_problem(answers: tuple[AnswerDraft, ...]) -> str | None:
    numeric = [a for a in answers if a.is_numeric]
    if not numeric:
        return None
    others = [a for a in answers if not a.is_numeric]
    if len(others) > 1 or any(a.text != WILDCARD or a.credit for a in others):
        return "mixed_answers"
    return None


def gift_problem(draft: QuestionDraft) -> str | None:
    """Why ``draft`` cannot be written as GIFT, as a code; None when it can."""
    if draft.problems():
        return "invalid_draft"
    if draft.kind == "blank" and len(draft.blanks) != 1:
        return "several_blanks"
    if draft.kind == "blank":
        return _blank_problem(draft.blank_answers()[0])
    if draft.kind == "true_false" and not true_false_labels_kept(draft):
        return "true_false_labels"
    return None


def _percent(value: float | Decimal) -> str:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _start_line(stem: str) -> str:
    # A first line that would read as a comment or a format prefix gets an explicit [plain].
    if re.match(r"\s*(//|\[(html|moodle|plain|markdown)\])", stem, re.I):
        return "[plain]" + stem
    return stem


def _credit(answer: AnswerDraft) -> str:
    return "" if answer.credit == FULL_CREDIT else _percent(answer.credit)


def _feedback(answer: AnswerDraft) -> str:
    return f"#{_text(answer.feedback)}" if answer.feedback else ""


def _numeric_value(answer: AnswerDraft) -> str:
    number, tolerance = answer.number or Decimal(0), answer.tolerance or Decimal(0)
    if answer.is_range:
        return f"{number_text(number - tolerance)}..{number_text(number + tolerance)}"
    if tolerance:
        return f"{number_text(number)}:{number_text(tolerance)}"
    return number_text(number)


def _blank_block(answers: tuple[AnswerDraft, ...]) -> str:
    if any(a.is_numeric for a in answers):
        items = []
        for answer in answers:
            if answer.is_numeric:
                weight = _credit(answer)
                items.append(
                    f"={f'%{weight}%' if weight else ''}{_numeric_value(answer)}"
                    + _feedback(answer)
                )
        wildcard = [a for a in answers if not a.is_numeric]
        if wildcard:
            items.append(f"~{_feedback(wildcard[0]) or '#'}")
        return "#" + " ".join(items)
    return " ".join(_answer("=", a.text, _credit(a)) + _feedback(a) for a in answers)


def _write_one(draft: QuestionDraft) -> str:
    lines = [f"// {' '.join(f'[tag:{tag}]' for tag in draft.tags)}"] if draft.tags else []
    general = f"####{_text(draft.explanation)}" if draft.explanation else ""
    stem = _start_line(_escape(draft.stem))
    if draft.kind == "blank":
        # The stem keeps its gap as it is; the block after it reads back as that gap.
        block = _blank_block(draft.blank_answers()[0])
        block += f" {general}" if general else ""
        lines.append(f"{stem} {{{block}}}")
        return "\n".join(lines)
    if draft.kind == "true_false":
        value = draft.choices[0].correct
        right = next(c.feedback for c in draft.choices if c.correct)
        wrong = next(c.feedback for c in draft.choices if not c.correct)
        feedback = f"#{_text(wrong)}" if wrong or right else ""
        feedback += f"#{_text(right)}" if right else ""
        lines.append(f"{stem} {{{'TRUE' if value else 'FALSE'}{feedback}{general}}}")
        return "\n".join(lines)
    lines.append(stem + " {")
    correct = sum(c.correct for c in draft.choices)
    for choice in draft.choices:
        if draft.kind == "single":
            answer = _answer("=" if choice.correct else "~", choice.text)
        else:
            weight = (100 if choice.correct else -100) / correct
            answer = _answer("~", choice.text, _percent(weight))
        if choice.feedback:
            answer += f"#{_text(choice.feedback)}"
        lines.append(f"\t{answer}")
    if general:
        lines.append(f"\t{general}")
    lines.append("}")
    return "\n".join(lines)


def export_gift(drafts: Iterable[QuestionDraft], *, category: str = "") -> tuple[str, list[int]]:
    """GIFT text of the drafts, and the indexes of those skipped (see ``gift_problem``)."""
    parts = [f"$CATEGORY: {category}"] if category else []
    skipped: list[int] = []
    for index, draft in enumerate(drafts):
        if gift_problem(draft):
            skipped.append(index)
        else:
            parts.append(_write_one(draft))
    return ("\n\n".join(parts) + "\n" if parts else ""), skipped


def write_gift(drafts: Iterable[QuestionDraft], *, category: str = "") -> str:
    """GIFT text of the drafts; drafts GIFT cannot hold are skipped (see ``export_gift``)."""
    return export_gift(drafts, category=category)[0]
