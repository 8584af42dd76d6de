"""HTML forms of the organizer's pages. Forms only read and check input: they build a
``QuestionDraft`` or keyword arguments, and the views hand those to ``quizzes.services``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from quizzes.drafts import BLANK_MARKER, AnswerDraft, ChoiceDraft, QuestionDraft, with_answers
from quizzes.formats.notation import NotationError, format_answers, parse_answer, parse_answers
from quizzes.models import KeyPoint, Question, QuestionBank, QuestionKind, Quiz, StudyGroup
from quizzes.selectors.banks import QuestionFilters
from quizzes.selectors.groups import tree_order

DIFFICULTY_CHOICES = [(n, str(n)) for n in range(1, 6)]


def _labels(choices) -> list[tuple[str, str]]:
    """Model choices with their (lower-case) labels capitalised, for form controls."""
    return [(value, capfirst(label)) for value, label in choices]


KIND_CHOICES = _labels(QuestionKind.choices)
STATUS_CHOICES = _labels(Question.Status.choices)
# Alternatives of a blank: separated by "|" (also the full-width "｜" of Chinese keyboards)
# or written one per line.
ALTERNATIVE_SEPARATOR = re.compile(r"[|｜\n]")
MIN_CHOICE_ROWS = 4
MAX_CHOICE_ROWS = 26


def _lines(text: str) -> str:
    """Browsers send textarea line breaks as CRLF; versions store LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


# How much of a title and of a key point a picker shows: enough to tell them apart on a
# phone, not the whole (often very long) text.
PICKER_TITLE_CHARS = 30
PICKER_POINT_CHARS = 40


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with "…" when it is longer."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def key_point_label(key_point: KeyPoint) -> str:
    """A key point in a picker: its number in its document and its first words."""
    return f"{key_point.ordinal}. {shorten(key_point.text, PICKER_POINT_CHARS)}"


def key_point_choices(
    key_points: Iterable[KeyPoint], *, bank_titles: dict[int, str] | None = None
) -> list:
    """Choices of a key-point ``<select>``: one ``<optgroup>`` per document, named by its
    title cut short (after its bank's, when ``bank_titles`` is given), each point labelled
    "12. its first words…". Every key-point picker of the organizer's pages uses it; the
    first choice is the empty one (relabel it for filters)."""
    grouped: dict[int, tuple[str, list]] = {}
    for key_point in key_points:
        document = key_point.document
        if key_point.document_id not in grouped:
            group_label = shorten(document.title, PICKER_TITLE_CHARS)
            if bank_titles is not None:
                bank_title = shorten(bank_titles.get(document.bank_id, ""), PICKER_TITLE_CHARS)
                group_label = f"{bank_title} · {group_label}"
            grouped[key_point.document_id] = (group_label, [])
        grouped[key_point.document_id][1].append((str(key_point.pk), key_point_label(key_point)))
    return [("", _("— none —")), *grouped.values()]


def blank_alternatives(text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in ALTERNATIVE_SEPARATOR.split(_lines(text)) if a.strip())


NOTATION_MESSAGES = {
    "bad_credit": _("“%(answer)s”: the credit must be a percentage from 0 to 100."),
    "empty_answer": _("“%(answer)s”: the answer itself is missing."),
    "bad_number": _("“%(answer)s” is not a number."),
}


def blank_answers_lenient(text: str) -> tuple[AnswerDraft, ...]:
    """The answers typed for a blank, for the preview: what cannot be read as the notation
    is taken as plain text."""
    try:
        return parse_answers(text)
    except NotationError:
        return tuple(
            parse_answer(part) if _readable(part) else AnswerDraft(part.strip())
            for part in ALTERNATIVE_SEPARATOR.split(_lines(text))
            if part.strip()
        )


def _readable(part: str) -> bool:
    try:
        return parse_answer(part) is not None
    except NotationError:
        return False


# --- Banks ----------------------------------------------------------------------------


class BankForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the bank covers, for you and other organizers."),
    )

    def clean_description(self) -> str:
        return _lines(self.cleaned_data["description"])


# --- Questions ------------------------------------------------------------------------


class QuestionForm(forms.Form):
    """The question editor: the main fields, plus one row per choice (``choice-N-text``,
    ``choice-N-correct``, ``choice-N-feedback``) and one input per blank (``blank-N``),
    as many as were posted or the question has.

    ``draft()`` turns it into a ``QuestionDraft``; ``preview_draft()`` does so leniently,
    for showing what an unfinished question looks like."""

    kind = forms.ChoiceField(
        label=_("Kind of question"),
        choices=KIND_CHOICES,
        widget=forms.RadioSelect(attrs={"data-editor": "kind"}),
    )
    stem = forms.CharField(
        label=_("Question"),
        widget=forms.Textarea(attrs={"rows": 4, "data-editor": "stem"}),
        help_text=_("For fill-in-the-blank, mark each blank with three or more underscores: ___"),
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to learners with the right answer."),
    )
    source_excerpt = forms.CharField(
        label=_("Source excerpt"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The passage of the document the question is based on."),
    )
    difficulty = forms.TypedChoiceField(
        label=_("Difficulty"),
        choices=DIFFICULTY_CHOICES,
        coerce=int,
        initial=3,
        help_text=_("1 (easiest) to 5 (hardest)."),
    )
    key_point = forms.ChoiceField(label=_("Key point"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES)

    def __init__(
        self,
        *args,
        key_points: list[KeyPoint],
        current: QuestionDraft | None = None,
        choice_rows: int | None = None,
        blank_rows: int | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        self.key_points = {str(kp.pk): kp for kp in key_points}
        self.fields["key_point"].choices = key_point_choices(key_points)
        self.choice_count = self._choice_count(choice_rows)
        self.blank_count = self._blank_count(blank_rows)
        for n in range(1, self.choice_count + 1):
            self.fields[f"choice-{n}-text"] = forms.CharField(
                label=_("Choice %(letter)s") % {"letter": _letter(n)},
                required=False,
                strip=True,
                widget=forms.TextInput(attrs={"data-editor": "choice-text"}),
            )
            self.fields[f"choice-{n}-correct"] = forms.BooleanField(
                label=_("Correct"),
                required=False,
                widget=forms.CheckboxInput(attrs={"data-editor": "choice-correct"}),
            )
            self.fields[f"choice-{n}-feedback"] = forms.CharField(
                label=_("Feedback when chosen"), required=False
            )
        for n in range(1, self.blank_count + 1):
            self.fields[f"blank-{n}"] = forms.CharField(
                label=_("Blank %(number)s: accepted answers") % {"number": n},
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"data-editor": "blank", "rows": 2}),
                help_text=_("Separate alternatives with |"),
            )

    # Rows: as many as posted, or as the question has, with room for one more choice.

    def _posted_rows(self, pattern: str) -> int:
        if not self.is_bound:
            return 0
        numbers = [int(m.group(1)) for key in self.data if (m := re.fullmatch(pattern, key))]
        return max(numbers, default=0)

    def _choice_count(self, requested: int | None) -> int:
        if requested is not None:
            return max(1, min(requested, MAX_CHOICE_ROWS))
        posted = self._posted_rows(r"choice-(\d+)-text")
        if posted:
            return min(posted, MAX_CHOICE_ROWS)
        kind = self.initial.get("kind")
        if kind == QuestionKind.TRUE_FALSE:
            return 2
        have = len(self.current.choices) if self.current else 0
        return min(max(MIN_CHOICE_ROWS, have + 1), MAX_CHOICE_ROWS)

    def _blank_count(self, requested: int | None) -> int:
        if requested is not None:
            return max(1, requested)
        posted = self._posted_rows(r"blank-(\d+)")
        stem = self.data.get("stem", "") if self.is_bound else self.initial.get("stem", "")
        markers = len(BLANK_MARKER.findall(stem or ""))
        have = len(self.current.blanks) if self.current else 0
        return max(posted, markers, have, 1)

    # Rows for the template.

    def choice_rows(self) -> list[dict]:
        return [
            {
                "letter": _letter(n),
                "number": n,
                "text": self[f"choice-{n}-text"],
                "correct": self[f"choice-{n}-correct"],
                "feedback": self[f"choice-{n}-feedback"],
            }
            for n in range(1, self.choice_count + 1)
        ]

    def blank_fields(self) -> list[forms.BoundField]:
        return [self[f"blank-{n}"] for n in range(1, self.blank_count + 1)]

    def blank_rows(self) -> list[dict]:
        """Each blank's field with as many text rows as it has answer lines (two at least)."""
        return [
            {"field": field, "rows": max(2, str(field.value() or "").count("\n") + 1)}
            for field in self.blank_fields()
        ]

    # Checking and building the draft.

    def clean_key_point(self) -> KeyPoint | None:
        value = self.cleaned_data.get("key_point")
        if not value:
            return None
        if value not in self.key_points:
            raise ValidationError(_("Choose one of the bank's key points."))
        return self.key_points[value]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("kind") != QuestionKind.BLANK:
            return cleaned
        for n in range(1, self.blank_count + 1):
            name = f"blank-{n}"
            try:
                parse_answers(cleaned.get(name) or "")
            except NotationError as error:
                self.add_error(name, NOTATION_MESSAGES[error.code] % {"answer": error.text})
        return cleaned

    def clean_stem(self) -> str:
        return _lines(self.cleaned_data["stem"])

    def clean_explanation(self) -> str:
        return _lines(self.cleaned_data["explanation"])

    def clean_source_excerpt(self) -> str:
        return _lines(self.cleaned_data["source_excerpt"])

    def _choices(self, data: dict) -> tuple[ChoiceDraft, ...]:
        choices = []
        for n in range(1, self.choice_count + 1):
            text = (data.get(f"choice-{n}-text") or "").strip()
            correct = bool(data.get(f"choice-{n}-correct"))
            feedback = _lines(data.get(f"choice-{n}-feedback") or "").strip()
            if text or correct or feedback:
                choices.append(ChoiceDraft(text=text, correct=correct, feedback=feedback))
        return tuple(choices)

    def _blanks(self, data: dict) -> tuple[tuple[AnswerDraft, ...], ...]:
        rows = [
            blank_answers_lenient(_lines(data.get(f"blank-{n}") or ""))
            for n in range(1, self.blank_count + 1)
        ]
        # Trailing empty rows are spare inputs, not blanks; an empty row between filled
        # ones is a blank without an answer, which the draft check reports.
        while rows and not rows[-1]:
            rows.pop()
        return tuple(rows)

    def _build(self, data: dict) -> QuestionDraft:
        kind = data.get("kind") or QuestionKind.SINGLE
        is_blank = kind == QuestionKind.BLANK
        difficulty = data.get("difficulty")
        draft = QuestionDraft(
            kind=kind,
            stem=data.get("stem") or "",
            choices=() if is_blank else self._choices(data),
            explanation=(data.get("explanation") or "").strip(),
            source_excerpt=(data.get("source_excerpt") or "").strip(),
            difficulty=difficulty if isinstance(difficulty, int) else 3,
        )
        if is_blank:
            draft = with_answers(draft, self._blanks(data))
        return self._keep_unchanged_text(draft)

    def _keep_unchanged_text(self, draft: QuestionDraft) -> QuestionDraft:
        """Where a text differs from the current version's only by surrounding
        whitespace or line endings, keep the stored text (and the excerpt's offsets), so
        that saving an unchanged form adds no version."""
        current = self.current
        if current is None:
            return draft

        def same(new: str, old: str) -> bool:
            return _lines(new).strip() == _lines(old).strip()

        changes = {}
        if same(draft.explanation, current.explanation):
            changes["explanation"] = current.explanation
        if same(draft.source_excerpt, current.source_excerpt):
            changes["source_excerpt"] = current.source_excerpt
            changes["source_start"] = current.source_start
            changes["source_end"] = current.source_end
        if draft.kind == current.kind == QuestionKind.BLANK:
            # The editor writes an answer's feedback on one line: where only its line
            # breaks differ, the stored feedback stays.
            def keep(new: AnswerDraft, old: AnswerDraft) -> AnswerDraft:
                flat = replace(old, feedback=" ".join(old.feedback.split()))
                return old if replace(new, feedback=" ".join(new.feedback.split())) == flat else new

            old_blanks = current.blank_answers()
            new_blanks = draft.blank_answers()
            if len(old_blanks) == len(new_blanks):
                kept = tuple(
                    tuple(keep(n, o) for n, o in zip(new, old, strict=True))
                    if len(new) == len(old)
                    else new
                    for new, old in zip(new_blanks, old_blanks, strict=True)
                )
                draft = with_answers(draft, kept)
        if len(draft.choices) == len(current.choices):
            changes["choices"] = tuple(
                replace(new, feedback=old.feedback) if same(new.feedback, old.feedback) else new
                for new, old in zip(draft.choices, current.choices, strict=True)
            )
        return replace(draft, **changes)

    def draft(self) -> QuestionDraft:
        """The draft of a valid form (call ``is_valid()`` first)."""
        return self._build(self.cleaned_data)

    def preview_draft(self) -> QuestionDraft:
        """A draft of whatever was typed, valid or not, for the preview."""
        if not self.is_bound:
            return self._build(self.initial)
        data = {key: self.data.get(key, "") for key in self.data}
        data.update(getattr(self, "cleaned_data", {}))
        if not isinstance(data.get("difficulty"), int):
            try:
                data["difficulty"] = int(self.data.get("difficulty", 3))
            except (TypeError, ValueError):
                data["difficulty"] = 3
        for n in range(1, self.choice_count + 1):
            data[f"choice-{n}-correct"] = self.data.get(f"choice-{n}-correct") in (
                "on",
                "true",
                "True",
                "1",
            )
        return self._build(data)


def _letter(n: int) -> str:
    return chr(ord("A") + n - 1) if n <= 26 else str(n)


def question_initial(*, draft: QuestionDraft | None, question: Question | None, kind: str) -> dict:
    """Initial form values from the current version (editing) or a kind (a new question)."""
    if draft is None:
        initial: dict = {"kind": kind, "difficulty": 3, "status": Question.Status.DRAFT}
        if kind == QuestionKind.TRUE_FALSE:
            initial.update({"choice-1-text": _("True"), "choice-2-text": _("False")})
        return initial
    initial = {
        "kind": draft.kind,
        "stem": draft.stem,
        "explanation": draft.explanation,
        "source_excerpt": draft.source_excerpt,
        "difficulty": draft.difficulty,
        "status": question.status if question else Question.Status.DRAFT,
        "key_point": str(question.key_point_id) if question and question.key_point_id else "",
    }
    for n, choice in enumerate(draft.choices, start=1):
        initial[f"choice-{n}-text"] = choice.text
        initial[f"choice-{n}-correct"] = choice.correct
        initial[f"choice-{n}-feedback"] = choice.feedback
    for n, answers in enumerate(draft.blank_answers(), start=1):
        initial[f"blank-{n}"] = format_answers(answers)
    return initial


class QuestionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_CHOICES)


# --- Search and filters ---------------------------------------------------------------


class QuestionFilterForm(forms.Form):
    """Search and filters of a question list (the bank page and the quiz builder's
    question picker). Submitted with GET; invalid values are ignored."""

    q = forms.CharField(
        label=_("Search the question text"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    bank = forms.ChoiceField(label=_("Bank"), required=False)
    key_point = forms.ChoiceField(label=_("Key point"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any kind")), *KIND_CHOICES],
    )
    difficulty = forms.ChoiceField(
        label=_("Difficulty"),
        required=False,
        choices=[("", _("Any difficulty")), *DIFFICULTY_CHOICES],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *STATUS_CHOICES],
    )

    def __init__(
        self,
        *args,
        key_points: list[KeyPoint],
        banks: list[QuestionBank] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        titles = {b.pk: b.title for b in banks} if banks and len(banks) > 1 else None
        choices = key_point_choices(key_points, bank_titles=titles)
        choices[0] = ("", _("Any key point"))
        self.fields["key_point"].choices = choices
        if banks is None:
            del self.fields["bank"]
        else:
            self.fields["bank"].choices = [
                ("", _("All my banks")),
                *((str(b.pk), b.title) for b in banks),
            ]

    def filters(self, **defaults) -> QuestionFilters:
        """The filters asked for; fields that do not validate filter nothing."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})

        def number(name: str) -> int | None:
            value = data.get(name)
            return int(value) if value not in (None, "") else None

        values = {
            "q": data.get("q", ""),
            "bank": number("bank"),
            "key_point": number("key_point"),
            "kind": data.get("kind", ""),
            "difficulty": number("difficulty"),
            "status": data.get("status", ""),
        }
        values.update({k: v for k, v in defaults.items() if not values.get(k)})
        return QuestionFilters(**values)

    def full_clean(self) -> None:
        super().full_clean()
        # A bad value in one filter must not disable the others.
        for name in list(self.errors):
            self.cleaned_data.pop(name, None)
        self._errors = forms.utils.ErrorDict()


# --- Quizzes --------------------------------------------------------------------------


class QuizForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit (minutes)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        help_text=_("Empty for no time limit."),
    )
    attempts_allowed = forms.IntegerField(
        label=_("Attempts allowed"),
        min_value=0,
        max_value=100,
        initial=1,
        help_text=_("0 for unlimited attempts."),
    )
    pass_mark = forms.DecimalField(
        label=_("Pass mark (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(60),
    )
    shuffle_questions = forms.BooleanField(label=_("Shuffle questions"), required=False)
    shuffle_choices = forms.BooleanField(label=_("Shuffle choices"), required=False, initial=True)
    grading_method = forms.ChoiceField(
        label=_("Grade of a learner with several attempts"),
        choices=_labels(Quiz.GradingMethod.choices),
        initial=Quiz.GradingMethod.HIGHEST,
        widget=forms.RadioSelect,
    )
    feedback_timing = forms.ChoiceField(
        label=_("Learners see correctness and answers"),
        choices=_labels(Quiz.FeedbackTiming.choices),
        initial=Quiz.FeedbackTiming.AFTER_SUBMIT,
        widget=forms.RadioSelect,
    )

    def clean_description(self) -> str:
        return _lines(self.cleaned_data["description"])

    def settings(self) -> dict:
        """Keyword arguments for ``quiz_create`` / ``quiz_update``."""
        data = dict(self.cleaned_data)
        minutes = data.pop("time_limit_minutes")
        data["time_limit"] = timedelta(minutes=minutes) if minutes else None
        return data

    @staticmethod
    def initial_from(quiz: Quiz) -> dict:
        minutes = int(quiz.time_limit.total_seconds() // 60) if quiz.time_limit else None
        return {
            "title": quiz.title,
            "description": quiz.description,
            "time_limit_minutes": minutes,
            "attempts_allowed": quiz.attempts_allowed,
            "pass_mark": quiz.pass_mark,
            "shuffle_questions": quiz.shuffle_questions,
            "shuffle_choices": quiz.shuffle_choices,
            "grading_method": quiz.grading_method,
            "feedback_timing": quiz.feedback_timing,
        }


class AddQuestionsForm(forms.Form):
    """The questions ticked in the quiz builder's picker."""

    questions = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={
            "required": _("Tick at least one question to add."),
        },
    )
    pin_current = forms.BooleanField(
        label=_("Pin to the current version"),
        required=False,
        help_text=_("Later edits of these questions will not change this quiz."),
    )
    points = forms.DecimalField(
        label=_("Points each"),
        min_value=Decimal("0.01"),
        max_digits=6,
        decimal_places=2,
        initial=Decimal(1),
    )

    def __init__(self, *args, question_ids: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questions"].choices = [(pk, str(pk)) for pk in question_ids]


class RuleForm(forms.Form):
    """A random-draw rule: how many questions, from which bank, matching what."""

    draw_count = forms.IntegerField(
        label=_("Questions to draw"), min_value=1, max_value=200, initial=5
    )
    bank = forms.ChoiceField(label=_("From bank"))
    key_point = forms.ChoiceField(label=_("Only key point"), required=False)
    kind = forms.ChoiceField(
        label=_("Only kind"), required=False, choices=[("", _("Any kind")), *KIND_CHOICES]
    )
    difficulty = forms.TypedChoiceField(
        label=_("Only difficulty"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any difficulty")), *DIFFICULTY_CHOICES],
    )
    points = forms.DecimalField(
        label=_("Points each"),
        min_value=Decimal("0.01"),
        max_digits=6,
        decimal_places=2,
        initial=Decimal(1),
    )

    def __init__(
        self, *args, banks: list[QuestionBank], key_points: list[KeyPoint], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.banks = {str(b.pk): b for b in banks}
        self.key_points = {str(kp.pk): kp for kp in key_points}
        self.fields["bank"].choices = [(pk, b.title) for pk, b in self.banks.items()]
        titles = {b.pk: b.title for b in banks} if len(banks) > 1 else None
        choices = key_point_choices(key_points, bank_titles=titles)
        choices[0] = ("", _("Any key point"))
        self.fields["key_point"].choices = choices

    def clean_bank(self) -> QuestionBank:
        return self.banks[self.cleaned_data["bank"]]

    def clean_key_point(self) -> KeyPoint | None:
        value = self.cleaned_data.get("key_point")
        return self.key_points[value] if value else None

    def clean(self) -> dict:
        data = super().clean()
        bank, key_point = data.get("bank"), data.get("key_point")
        if bank is not None and key_point is not None and key_point.document.bank_id != bank.pk:
            self.add_error("key_point", _("This key point belongs to another bank."))
        return data


class SlotPointsForm(forms.Form):
    points = forms.DecimalField(
        label=_("Points"), min_value=Decimal("0.01"), max_digits=6, decimal_places=2
    )


class AssignForm(forms.Form):
    """Assign a quiz to one or more groups (each reaches the groups below it) for a time
    window. The groups are offered in tree order; ``group_options`` feeds the template's
    indented checkbox list."""

    groups = forms.MultipleChoiceField(
        label=_("Groups"),
        help_text=_(
            "Sub-groups are included: choosing a group assigns the quiz to every group below it."
        ),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one group.")},
    )
    opens_at = forms.DateTimeField(
        label=_("Opens"),
        initial=timezone.now,  # shown in the reader's time zone, to the minute
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    due_at = forms.DateTimeField(
        label=_("Due"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    # Indentation stops here; deeper groups still show their parent's name.
    MAX_INDENT = 6

    def __init__(self, *args, groups: list[StudyGroup], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ordered = tree_order(groups)
        self.groups = {str(group.pk): group for group, _depth in ordered}
        self.depths = {str(group.pk): depth for group, depth in ordered}
        self.fields["groups"].choices = [
            (pk, _group_label(group)) for pk, group in self.groups.items()
        ]

    @property
    def group_options(self) -> list[dict]:
        chosen = set(self["groups"].value() or [])
        return [
            {
                "value": pk,
                "name": group.name,
                "parent": group.parent.name if group.parent_id else "",
                "indent": min(self.depths[pk], self.MAX_INDENT),
                "checked": pk in chosen,
                "id": f"{self['groups'].auto_id}_{index}",
            }
            for index, (pk, group) in enumerate(self.groups.items())
        ]

    def clean_groups(self) -> list[StudyGroup]:
        return [self.groups[pk] for pk in self.cleaned_data["groups"]]

    def clean(self) -> dict:
        data = super().clean()
        opens_at, due_at = data.get("opens_at"), data.get("due_at")
        if opens_at and due_at and due_at <= opens_at:
            self.add_error("due_at", _("The due time must be after the opening time."))
        return data


def _group_label(group: StudyGroup) -> str:
    if group.parent_id:
        return _("%(group)s (part of %(parent)s)") % {
            "group": group.name,
            "parent": group.parent.name,
        }
    return group.name
