"""Questions between their two shapes: a ``QuestionDraft`` (the interchange type) and the
stored rows of a ``QuestionVersion`` (its choices and accepted answers).

Pure conversions, no query and no write: the services store drafts as versions with them,
and the selectors read versions back as drafts (the edit form, the history, exports).
"""

from __future__ import annotations

from quizzes.drafts import AnswerDraft, ChoiceDraft, QuestionDraft, with_answers
from quizzes.models import BlankAnswer, QuestionVersion


def canonical_answers(draft: QuestionDraft) -> tuple[tuple[AnswerDraft, ...], ...]:
    """Every blank's accepted answers as they are stored: texts stripped, repeated ones
    dropped (the best credit kept), numeric ones labelled."""
    return with_answers(draft, draft.blank_answers()).blank_answers()


def answer_columns(answer: AnswerDraft) -> dict:
    """The ``BlankAnswer`` columns of one accepted answer (``blank`` and ``version`` aside)."""
    return {
        "text": answer.text,
        "credit": answer.credit,
        "number": answer.number,
        "tolerance": answer.tolerance,
        "is_range": answer.is_range,
        "feedback": answer.feedback,
    }


def canonical_draft(draft: QuestionDraft) -> QuestionDraft:
    """The draft as the services store it, for comparing with a version."""
    return version_draft_from_parts(
        kind=draft.kind,
        stem=draft.stem.strip(),
        explanation=draft.explanation.strip(),
        source_excerpt=draft.source_excerpt,
        source_start=draft.source_start,
        source_end=draft.source_end,
        difficulty=draft.difficulty,
        choices=[(c.text.strip(), c.correct, c.feedback) for c in draft.choices],
        blanks=[[a.text for a in answers] for answers in canonical_answers(draft)],
        answers=[list(answers) for answers in canonical_answers(draft)],
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
    return AnswerDraft(
        text=row.text,
        credit=row.credit,
        number=row.number,
        tolerance=row.tolerance,
        is_range=row.is_range,
        feedback=row.feedback,
    )


def version_to_draft(version: QuestionVersion) -> QuestionDraft:
    """A version as a draft (for edit forms and exports). Uses prefetched rows if present."""
    blanks: dict[int, list[AnswerDraft]] = {}
    for answer in version.blank_answers.all():
        blanks.setdefault(answer.blank, []).append(answer_from_row(answer))
    return version_draft_from_parts(
        kind=version.kind,
        stem=version.stem,
        explanation=version.explanation,
        source_excerpt=version.source_excerpt,
        source_start=version.source_start,
        source_end=version.source_end,
        difficulty=version.difficulty,
        choices=[(c.text, c.is_correct, c.feedback) for c in version.choices.all()],
        blanks=[[a.text for a in blanks[index]] for index in sorted(blanks)],
        answers=[blanks[index] for index in sorted(blanks)],
    )
