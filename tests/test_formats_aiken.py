"""Aiken reader and writer, written from Moodle's "Aiken format" documentation. No database."""

from __future__ import annotations

import pytest

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.formats.aiken import aiken_problem, export_aiken, read_aiken, write_aiken

DOC_EXAMPLE = """\
What is the correct answer to this question?
A. Is it this one?
B. Maybe this answer?
C. Possibly this one?
D. Must be this one!
ANSWER: D

Which LMS has the most quiz import formats?
A) Moodle
B) ATutor
C) Claroline
D) Blackboard
E) WebCT
F) Ilias
ANSWER: A
"""


def test_documentation_example() -> None:
    result = read_aiken(DOC_EXAMPLE)
    assert result.issues == []
    first, second = result.questions
    assert first.line == 1 and second.line == 8
    assert first.draft == QuestionDraft(
        "single",
        "What is the correct answer to this question?",
        choices=(
            ChoiceDraft("Is it this one?"),
            ChoiceDraft("Maybe this answer?"),
            ChoiceDraft("Possibly this one?"),
            ChoiceDraft("Must be this one!", True),
        ),
    )
    assert second.draft.kind == "single"
    assert [c.text for c in second.draft.choices if c.correct] == ["Moodle"]
    assert len(second.draft.choices) == 6
    assert first.title == "What is the correct answer to this question?"


def test_questions_without_blank_lines_and_tolerant_spacing() -> None:
    text = "Q1?\nA. a\nB. b\nANSWER:B\nQ2?\r\nA)x\r\nB)y\r\nanswer: A\r\n"
    result = read_aiken(text)
    assert result.issues == []
    assert [[c.correct for c in q.draft.choices] for q in result.questions] == [
        [False, True],
        [True, False],
    ]
    assert [q.line for q in result.questions] == [1, 5]


def test_chinese_text_and_full_width_punctuation() -> None:
    text = "\ufeff高质量发展是什么要求？\nA. 仅是经济要求\nB．全面要求\nC）政治要求\nANSWER：B\n"
    result = read_aiken(text)
    assert result.issues == []
    draft = result.questions[0].draft
    assert draft.stem == "高质量发展是什么要求？"
    assert draft.choices == (
        ChoiceDraft("仅是经济要求"),
        ChoiceDraft("全面要求", True),
        ChoiceDraft("政治要求"),
    )


def test_stem_over_several_lines_and_stem_looking_like_option() -> None:
    result = read_aiken("A. Lincoln was president\nin which century?\nA. 18th\nB. 19th\nANSWER: B")
    assert result.questions[0].draft.stem == "A. Lincoln was president\nin which century?"


def test_missing_answer_is_located_and_reading_goes_on() -> None:
    text = "Q1?\nA. a\nB. b\n\nQ2?\nA. c\nB. d\nANSWER: A\n\nQ3?\nA. e\nB. f\n"
    result = read_aiken(text)
    assert [(i.line, i.severity, i.code) for i in result.issues] == [
        (1, "error", "missing_answer"),
        (10, "error", "missing_answer"),
    ]
    assert [q.draft.stem for q in result.questions] == ["Q2?"]
    assert result.issues[0].title == "Q1?"


@pytest.mark.parametrize("answer", ["E", "AB", "A, B", "", "1"])
def test_bad_answer(answer: str) -> None:
    result = read_aiken(f"Good?\nA. a\nB. b\nANSWER: A\n\nQ?\nA. a\nB. b\nC. c\nANSWER: {answer}")
    assert [(i.line, i.code) for i in result.issues] == [(6, "bad_answer")]
    assert len(result.questions) == 1


@pytest.mark.parametrize("options", ["", "A. only\n"])
def test_too_few_choices(options: str) -> None:
    result = read_aiken(f"Q?\n{options}ANSWER: A\n\nNext?\nA. x\nB. y\nANSWER: B")
    assert [(i.line, i.severity, i.code) for i in result.issues] == [
        (1, "error", "too_few_choices")
    ]
    assert [q.draft.stem for q in result.questions] == ["Next?"]


def test_duplicate_option_letter_and_duplicate_choice_text() -> None:
    result = read_aiken("Q?\nA. a\nA. b\nANSWER: A\n\nR?\nA. same\nB. Same\nANSWER: A")
    assert [(i.line, i.code) for i in result.issues] == [
        (1, "duplicate_option"),
        (6, "invalid_question"),
    ]
    assert result.questions == []


def test_answer_without_question() -> None:
    result = read_aiken("ANSWER: A\n\nQ?\nA. a\nB. b\nANSWER: A")
    assert [(i.line, i.code) for i in result.issues] == [(1, "no_question")]
    assert len(result.questions) == 1


def test_every_returned_draft_is_sound() -> None:
    assert all(q.draft.problems() == [] for q in read_aiken(DOC_EXAMPLE).questions)


# --- writing and round trips ---------------------------------------------------------------


SINGLES = [
    QuestionDraft(
        "single",
        "What is the capital of France?",
        choices=(ChoiceDraft("Berlin"), ChoiceDraft("Paris", True), ChoiceDraft("Rome")),
    ),
    QuestionDraft(
        "single",
        "A. Lincoln was which president?",
        choices=(ChoiceDraft("16th", True), ChoiceDraft("A. 1st")),
    ),
    QuestionDraft(
        "single",
        "“一基地三区”出自哪里？",
        choices=(ChoiceDraft("十二次党代会报告", True), ChoiceDraft("政府工作报告")),
    ),
]


def test_round_trip_single_choice() -> None:
    text = write_aiken(SINGLES)
    assert text.startswith("What is the capital of France?\nA. Berlin\nB. Paris\nC. Rome\n")
    assert "ANSWER: B" in text
    result = read_aiken(text)
    assert result.issues == []
    assert [q.draft for q in result.questions] == SINGLES


def test_other_kinds_are_skipped_with_indexes() -> None:
    multiple = QuestionDraft(
        "multiple", "Primes?", choices=(ChoiceDraft("2", True), ChoiceDraft("3", True))
    )
    true_false = QuestionDraft(
        "true_false", "Sky blue?", choices=(ChoiceDraft("True", True), ChoiceDraft("False"))
    )
    blank = QuestionDraft("blank", "____ is red.", blanks=(("Mars",),))
    broken = QuestionDraft("single", "Q", choices=(ChoiceDraft("a"), ChoiceDraft("b")))
    many = QuestionDraft(
        "single", "Q", choices=tuple(ChoiceDraft(str(n), n == 0) for n in range(27))
    )
    drafts = [multiple, SINGLES[0], true_false, blank, broken, many]
    text, skipped = export_aiken(drafts)
    assert skipped == [0, 2, 3, 4, 5]
    assert [q.draft for q in read_aiken(text).questions] == [SINGLES[0]]
    assert write_aiken(drafts) == text
    assert [aiken_problem(d) for d in drafts] == [
        "not_single_choice",
        None,
        "not_single_choice",
        "not_single_choice",
        "invalid_draft",
        "too_many_choices",
    ]
    assert write_aiken([blank]) == ""


def test_newlines_are_flattened_and_feedback_is_not_written() -> None:
    draft = QuestionDraft(
        "single",
        "Line one\nline two?",
        choices=(ChoiceDraft("a", True, "fb"), ChoiceDraft("b")),
        explanation="Why.",
    )
    back = read_aiken(write_aiken([draft])).questions[0].draft
    assert back.stem == "Line one line two?"
    assert back.choices == (ChoiceDraft("a", True), ChoiceDraft("b"))
    assert back.explanation == ""
