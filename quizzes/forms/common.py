"""What the forms of several pages share: the choices of kind, status and difficulty,
line endings as stored, and the key-point pickers."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from quizzes.models import KeyPoint, Question, QuestionKind

DIFFICULTY_CHOICES = [(n, str(n)) for n in range(1, 6)]


def labels(choices) -> list[tuple[str, str]]:
    """Model choices with their (lower-case) labels capitalised, for form controls."""
    return [(value, capfirst(label)) for value, label in choices]


KIND_CHOICES = labels(QuestionKind.choices)
STATUS_CHOICES = labels(Question.Status.choices)


def lines(text: str) -> str:
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
