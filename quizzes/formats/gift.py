"""Moodle GIFT format: ``read_gift`` and ``write_gift``. Pure Python, no Django.

Reading follows Moodle's "GIFT format" documentation. Questions are separated by blank
lines; ``//`` lines are comments (``[tag:x]`` in them becomes a draft tag, ``[id:…]`` is
ignored); ``$CATEGORY: path`` sets the category of the questions after it.

Mapping to ``QuestionDraft``:

* ``{=right ~wrong}`` → ``single``; ``{~%50%a ~%50%b ~%-100%c}`` (no ``=``) → ``multiple``,
  a choice is correct when its weight is positive (positive weights should sum to 100, else a
  ``weights_sum`` warning). ``=a =b ~c`` (several right answers) → ``multiple`` with a
  ``several_right_answers`` warning, because we require all of them.
* ``{T}`` ``{TRUE}`` ``{F}`` ``{FALSE}`` with ``#wrong feedback#right feedback`` →
  ``true_false`` with choices ("True", "False"), or ("正确", "错误") when the stem holds CJK
  characters (the generator's convention); ``true_false_labels`` overrides this.
* Short answer ``{=a =b}`` → ``blank`` whose accepted answers are the 100 % ones (partial
  ones are dropped with a ``partial_credit_dropped`` warning). Numerical ``{#3.14:0.01}``
  → a blank accepting ``3.14`` exactly (``tolerance_dropped`` warning); ``{#1..5}`` → the
  integers 1…5 when there are at most 10 of them, else the midpoint
  (``range_dropped`` warning).
* The stem is the text before ``{``; with text after ``}`` (missing-word format) the braces
  become a blank ``____``. A short-answer or numerical question with nothing after ``}``
  gets `` ____`` appended, so every blank draft has its marker.
* ``####`` general feedback → ``explanation``; ``#`` after an answer → its ``feedback``.

Errors (``FormatIssue(severity="error")`` at the question's first line, no draft; reading
goes on with the next question): ``unsupported_type`` (matching, essay, description, several
answer sets), ``unknown_type`` (braces holding no recognised answer syntax),
``unbalanced_braces``, ``empty_answers``, ``bad_weight``, ``bad_number``,
``no_correct_answer``, ``invalid_question`` (the draft fails ``QuestionDraft.problems()``).
Warnings are attached to the question and also listed in ``ParseResult.issues``.

Writing (``write_gift``/``export_gift``) produces GIFT that ``read_gift`` reads back to
equal drafts, with these limits: titles, difficulty, key points, source offsets are not
written; a blank run in the stem always reads back as ``____`` (four underscores, as the
generator writes it) and a blank at the end of the stem is preceded by one space; true/false
is written only for the choices ("True", "False"), ("正确", "错误") or ("对", "错") in that
order, and reads back with the labels described above. Drafts GIFT cannot hold (several
blanks, other true/false labels, unsound drafts) are skipped: ``export_gift`` returns their
indexes, and ``gift_problem`` says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from quizzes.drafts import BLANK_MARKER, ChoiceDraft, QuestionDraft
from quizzes.formats.base import FormatIssue, ParsedQuestion, ParseResult

BLANK = "____"
TRUE_FALSE_LABELS: tuple[tuple[str, str], ...] = (("True", "False"), ("正确", "错误"), ("对", "错"))
_EN_LABELS = ("True", "False")
_ZH_LABELS = ("正确", "错误")

# Escaped characters become private-use characters while parsing, so the syntax characters
# that remain are all real syntax.
_ESCAPES = {"\\": "\ue000", "~": "\ue001", "=": "\ue002", "#": "\ue003", "{": "\ue004"}
_ESCAPES |= {"}": "\ue005", ":": "\ue006", "n": "\ue007"}
_UNESCAPE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()})
_ESCAPE_RE = re.compile(r"\\([\\~=#{}:n])")
_TAG_RE = re.compile(r"\[tag:([^\]]+)\]", re.I)
_CATEGORY_RE = re.compile(r"^\$CATEGORY:\s*(.*)$", re.I)
_TITLE_RE = re.compile(r"::(.*?)::", re.S)
_FORMAT_RE = re.compile(r"\[(html|moodle|plain|markdown)\]", re.I)
_WEIGHT_RE = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_HTML_TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>")
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


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
        try:
            draft, warnings = _parse(source, tuple(tags), true_false_labels)
        except _Invalid as invalid:
            result.issues.append(
                FormatIssue(line_no, "error", invalid.code, invalid.message, label)
            )
            continue
        label = title or _first_words(draft.stem)
        issues = tuple(FormatIssue(line_no, "warning", c, m, label) for c, m in warnings)
        result.issues.extend(issues)
        result.questions.append(ParsedQuestion(draft, line_no, label, category, issues))
    return result


def _parse(
    source: str, tags: tuple[str, ...], labels: tuple[str, str] | None
) -> tuple[QuestionDraft, list[tuple[str, str]]]:
    warnings: list[tuple[str, str]] = []
    text_format = ""
    if match := _FORMAT_RE.match(source):
        text_format = match[1].lower()
        source = source[match.end() :]
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
        raise _Invalid("unsupported_type", "Questions with several answer sets are not supported.")
    start, end = source.index("{"), source.index("}")
    prefix, inner, suffix = source[:start], source[start + 1 : end], source[end + 1 :]
    explanation = ""
    if (cut := inner.find("####")) >= 0:
        explanation = _plain(inner[cut + 4 :]).strip()
        inner = inner[:cut]
    body = inner.strip()

    def stem(blank: bool) -> str:
        if suffix.strip():
            text = prefix + BLANK + suffix
        elif blank:
            text = f"{prefix.rstrip()} {BLANK}" if prefix.strip() else BLANK
        else:
            text = prefix
        text = _plain(text).strip()
        if text_format == "html" and _HTML_TAG_RE.search(text):
            warnings.append(("html_markup", "The question text holds HTML tags, kept as text."))
        return text

    if not body:
        raise _Invalid("unsupported_type", "Essay questions are not supported.")
    if body.startswith("#"):
        accepted = _numerical(body[1:], warnings)
        draft = QuestionDraft(
            "blank", stem(True), blanks=(accepted,), explanation=explanation, tags=tags
        )
    elif (parts := body.split("#"))[0].strip().upper() in {"T", "TRUE", "F", "FALSE"}:
        value = parts[0].strip().upper() in {"T", "TRUE"}
        wrong = _plain(parts[1]).strip() if len(parts) > 1 else ""
        right = _plain("#".join(parts[2:])).strip()
        text = stem(False)
        true_label, false_label = labels or (_ZH_LABELS if CJK_RE.search(text) else _EN_LABELS)
        choices = (
            ChoiceDraft(true_label, value, right if value else wrong),
            ChoiceDraft(false_label, not value, wrong if value else right),
        )
        draft = QuestionDraft(
            "true_false", text, choices=choices, explanation=explanation, tags=tags
        )
    elif body[0] in "=~":
        draft = _answers(body, stem, explanation, tags, warnings)
    else:
        raise _Invalid("unknown_type", "The answer set is not in a known GIFT syntax.")
    if problems := draft.problems():
        raise _Invalid("invalid_question", "The question is not usable: " + ", ".join(problems))
    return draft, warnings


def _weight(content: str) -> tuple[float | None, str]:
    content = content.lstrip()
    if not content.startswith("%"):
        return None, content
    match = _WEIGHT_RE.match(content)
    if not match or abs(float(match[1])) > 100:
        raise _Invalid("bad_weight", "A weight must be a percentage between -100 and 100.")
    return float(match[1]), content[match.end() :]


def _answers(
    body: str,
    stem: Callable[[bool], str],
    explanation: str,
    tags: tuple[str, ...],
    warnings: list[tuple[str, str]],
) -> QuestionDraft:
    items: list[tuple[str, float | None, str, str]] = []
    for mark, content in re.findall(r"([=~])([^=~]*)", body):
        weight, rest = _weight(content)
        text, _, feedback = rest.partition("#")
        items.append((mark, weight, _plain(text).strip(), _plain(feedback).strip()))
    if all(mark == "=" and "->" in text for mark, _, text, _ in items):
        raise _Invalid("unsupported_type", "Matching questions are not supported.")
    if any(not text for _, _, text, _ in items):
        raise _Invalid("empty_answers", "An answer of this question is empty.")
    if all(mark == "=" for mark, *_ in items):
        accepted = tuple(dict.fromkeys(t for _, w, t, _ in items if w is None or w == 100))
        if len(accepted) < len(items):
            warnings.append(
                ("partial_credit_dropped", "Answers with partial credit were not kept.")
            )
        if any(feedback for *_, feedback in items):
            warnings.append(("feedback_dropped", "Feedback on short answers is not kept."))
        if not accepted:
            raise _Invalid("no_correct_answer", "No answer earns full credit.")
        return QuestionDraft(
            "blank", stem(True), blanks=(accepted,), explanation=explanation, tags=tags
        )
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
        warnings.append(
            ("several_right_answers", "Several answers are right; all are now required.")
        )
    if not has_right:
        total = sum(w for _, w, _, _ in items if w is not None and w > 0)
        if abs(total - 100) > 0.05:
            warnings.append(("weights_sum", f"The positive weights add up to {total:g}, not 100."))
    kind = "single" if has_right and correct == 1 else "multiple"
    return QuestionDraft(kind, stem(False), choices=choices, explanation=explanation, tags=tags)


def _number(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise _Invalid("bad_number", f"{text.strip()!r} is not a number.") from None


def _format_number(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{value:.10g}"


def _numerical(body: str, warnings: list[tuple[str, str]]) -> tuple[str, ...]:
    body = body.strip()
    items = body.split("=")[1:] if body.startswith("=") else [body]
    accepted: list[str] = []
    for item in items:
        weight, rest = _weight(item)
        value = _plain(rest.partition("#")[0]).strip()
        if not value:
            raise _Invalid("empty_answers", "A numerical answer is empty.")
        if weight is not None and weight != 100:
            warnings.append(("partial_credit_dropped", "Partial-credit answers were not kept."))
            continue
        if ".." in value:
            low_text, high_text = value.split("..", 1)
            low, high = sorted((_number(low_text), _number(high_text)))
            if low.is_integer() and high.is_integer() and high - low < 10:
                accepted += [str(n) for n in range(int(low), int(high) + 1)]
            else:
                accepted.append(_format_number((low + high) / 2))
                warnings.append(("range_dropped", "The range was replaced by its midpoint."))
        elif ":" in value:
            exact, tolerance = value.split(":", 1)
            _number(exact)
            if _number(tolerance):
                warnings.append(("tolerance_dropped", "The tolerance is not kept."))
            accepted.append(exact.strip())
        else:
            _number(value)
            accepted.append(value)
    if not accepted:
        raise _Invalid("no_correct_answer", "No numerical answer earns full credit.")
    return tuple(dict.fromkeys(accepted))


# --- writing -------------------------------------------------------------------------------


def _escape(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\\", "\\\\")
    text = re.sub(r"([~=#{}:])", r"\\\1", text)
    return text.replace("\n", "\\n")


def _answer(mark: str, text: str, weight: str = "") -> str:
    # A text starting with % would be read as a weight: give an explicit one first.
    if not weight and text.startswith("%"):
        weight = "100" if mark == "=" else "0"
    return f"{mark}{f'%{weight}%' if weight else ''}{_escape(text)}"


def _true_false_value(draft: QuestionDraft) -> bool | None:
    texts = tuple(c.text.strip().casefold() for c in draft.choices)
    if len(texts) == 2 and any(texts == (a.casefold(), b.casefold()) for a, b in TRUE_FALSE_LABELS):
        return draft.choices[0].correct
    return None


def gift_problem(draft: QuestionDraft) -> str | None:
    """Why ``draft`` cannot be written as GIFT, as a code; None when it can."""
    if draft.problems():
        return "invalid_draft"
    if draft.kind == "blank" and len(draft.blanks) != 1:
        return "several_blanks"
    if draft.kind == "true_false" and _true_false_value(draft) is None:
        return "true_false_labels"
    return None


def _percent(value: float) -> str:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _start_line(stem: str) -> str:
    # A first line that would read as a comment or a format prefix gets an explicit [plain].
    if re.match(r"\s*(//|\[(html|moodle|plain|markdown)\])", stem, re.I):
        return "[plain]" + stem
    return stem


def _write_one(draft: QuestionDraft) -> str:
    lines = [f"// {' '.join(f'[tag:{tag}]' for tag in draft.tags)}"] if draft.tags else []
    general = f"####{_escape(draft.explanation)}" if draft.explanation else ""
    if draft.kind == "blank":
        marker = BLANK_MARKER.search(draft.stem)
        assert marker is not None
        before, after = draft.stem[: marker.start()], draft.stem[marker.end() :]
        answers = " ".join(_answer("=", a) for a in draft.blanks[0])
        answers += f" {general}" if general else ""
        if after.strip():
            lines.append(_start_line(f"{_escape(before)}{{{answers}}}{_escape(after)}"))
        else:
            head = _escape(before.rstrip())
            lines.append(_start_line(f"{head} {{{answers}}}" if head else f"{{{answers}}}"))
        return "\n".join(lines)
    stem = _start_line(_escape(draft.stem))
    if draft.kind == "true_false":
        value = _true_false_value(draft)
        right = next(c.feedback for c in draft.choices if c.correct)
        wrong = next(c.feedback for c in draft.choices if not c.correct)
        feedback = f"#{_escape(wrong)}" if wrong or right else ""
        feedback += f"#{_escape(right)}" if right else ""
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
            answer += f"#{_escape(choice.feedback)}"
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
