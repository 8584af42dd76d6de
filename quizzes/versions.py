"""Questions between their two shapes: a ``QuestionDraft`` (the interchange type) and the
stored rows of a ``QuestionVersion`` (its choices and accepted answers).

Pure conversions, no query and no write: the services store drafts as versions with them,
and the selectors read versions back as drafts (the edit form, the history, exports).
"""

from __future__ import annotations

from quizzes.drafts import AnswerDraft, ChoiceDraft, QuestionDraft, with_answers
from quizzes.models import BlankAnswer, QuestionVersion

# What a version stores of a draft (besides its choices and answers), by the same names
# on both; and what a ``BlankAnswer`` stores of an ``AnswerDraft``.
VERSION_FIELDS = (
    *("kind", "stem", "explanation", "source_excerpt"),
    *("source_start", "source_end", "difficulty"),
)
ANSWER_FIELDS = ("text", "credit", "number", "tolerance", "is_range", "feedback")


def canonical_answers(draft: QuestionDraft) -> tuple[tuple[AnswerDraft, ...], ...]:
    """Every blank's accepted answers as they are stored: texts stripped, repeated ones
    dropped (the best credit kept), numeric ones labelled."""
    return with_answers(draft, draft.blank_answers()).blank_answers()


def answer_columns(answer: AnswerDraft) -> dict:
    """The ``BlankAnswer`` columns of one accepted answer (``blank`` and ``version`` aside)."""
    return {name: getattr(answer, name) for name in ANSWER_FIELDS}


def version_columns(draft: QuestionDraft) -> dict:
    """The ``QuestionVersion`` columns of a draft as stored (see ``canonical_draft``):
    ``VERSION_FIELDS``, without the question, the number and the author."""
    return {name: getattr(draft, name) for name in VERSION_FIELDS}


def canonical_draft(draft: QuestionDraft) -> QuestionDraft:
    """The draft as the services store it: the stem, the explanation and the choices'
    texts stripped, the blanks' answers as ``canonical_answers``. Comparing it with a
    version's draft tells whether an edit changed anything."""
    answers = canonical_answers(draft)
    return version_draft_from_parts(
        **{
            **version_columns(draft),
            "stem": draft.stem.strip(),
            "explanation": draft.explanation.strip(),
        },
        choices=[(c.text.strip(), c.correct, c.feedback) for c in draft.choices],
        blanks=[[a.text for a in per_blank] for per_blank in answers],
        answers=[list(per_blank) for per_blank in answers],
    )


def version_draft_from_parts(
    *,
    kind: str,
    stem: str,
    explanation: str,
    source_excerpt: str,
    source_start: int | None,
    source_end: int | None,
    difficulty: int,
    choices: list[tuple[str, bool, str]],
    blanks: list[list[str]],
    answers: list[list[AnswerDraft]] | None = None,
) -> QuestionDraft:
    """A draft from a version's stored parts; ``answers`` (per blank, when the caller read
    the answers' details) replaces the plain texts of ``blanks``."""
    draft = QuestionDraft(
        kind=kind,  # type: ignore[arg-type]
        stem=stem,
        explanation=explanation,
        source_excerpt=source_excerpt,
        source_start=source_start,
        source_end=source_end,
        difficulty=difficulty,
        choices=tuple(ChoiceDraft(text, correct, feedback) for text, correct, feedback in choices),
        blanks=tuple(tuple(answers) for answers in blanks),
    )
    if answers is not None:
        draft = with_answers(draft, tuple(tuple(per_blank) for per_blank in answers))
    return draft


def answer_from_row(row: BlankAnswer) -> AnswerDraft:
    """A stored accepted answer as an ``AnswerDraft``."""
    return AnswerDraft(**{name: getattr(row, name) for name in ANSWER_FIELDS})


def version_to_draft(version: QuestionVersion) -> QuestionDraft:
    """A version as a draft (for edit forms and exports). Uses prefetched rows if present."""
    blanks: dict[int, list[AnswerDraft]] = {}
    for answer in version.blank_answers.all():
        blanks.setdefault(answer.blank, []).append(answer_from_row(answer))
    return version_draft_from_parts(
        **{name: getattr(version, name) for name in VERSION_FIELDS},
        choices=[(c.text, c.is_correct, c.feedback) for c in version.choices.all()],
        blanks=[[a.text for a in blanks[index]] for index in sorted(blanks)],
        answers=[blanks[index] for index in sorted(blanks)],
    )
