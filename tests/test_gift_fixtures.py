"""Moodle's own GIFT test fixtures and the GIFT grammar's test questions, read through our
reader (``tests/fixtures/gift/``, see its README for where each comes from). No database.

Every file is read without a crash, every question it holds is either a sound draft or a
located error naming why, and the constructs of issue 9 come out field by field."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from quizzes.drafts import AnswerDraft, ChoiceDraft, numeric_answer, range_answer
from quizzes.formats import read_upload
from quizzes.formats.base import ParsedQuestion
from quizzes.formats.gift import read_gift, write_gift

FIXTURES = Path(__file__).parent / "fixtures" / "gift"
FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".gift", ".txt"))


def questions(name: str) -> list[ParsedQuestion]:
    return read_gift((FIXTURES / name).read_text("utf-8")).questions


def by_title(name: str) -> dict[str, ParsedQuestion]:
    return {q.title: q for q in questions(name)}


def errors(name: str) -> list[tuple[int, str]]:
    result = read_gift((FIXTURES / name).read_text("utf-8"))
    return [(i.line, i.code) for i in result.issues if i.severity == "error"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_fixture_reads_into_sound_drafts_or_named_errors(path: Path) -> None:
    fmt, result = read_upload(path.read_bytes(), path.name, "gift")
    assert fmt == "gift"
    for question in result.questions:
        assert question.draft.problems() == [], question.title
    for issue in result.issues:
        assert issue.code and issue.line >= 1 and issue.message
    # What was read is written back and read again unchanged.
    drafts = [q.draft for q in result.questions]
    assert [q.draft for q in read_gift(write_gift(drafts)).questions] == drafts


def test_every_fixture_is_covered() -> None:
    assert len(FILES) >= 20


# --- Moodle's questions.gift.txt ------------------------------------------------------------


def test_moodle_format_tags_are_dropped_from_answers_and_feedback() -> None:
    q2 = by_title("moodle_questions.gift.txt")["Q2"].draft
    assert q2.kind == "single"
    assert q2.stem == "What's between orange and green in the spectrum?"
    assert q2.choices == (
        ChoiceDraft("yellow", True, "right; good!"),
        ChoiceDraft("red", False, "wrong, it's yellow"),
        ChoiceDraft("blue", False, "wrong, it's yellow"),
    )


def test_moodle_multiple_answer_weights() -> None:
    colours = by_title("moodle_questions.gift.txt")["colours"].draft
    assert colours.kind == "multiple"
    assert colours.choices == (
        ChoiceDraft("yellow", True, "right; good!"),
        ChoiceDraft("red", False, "wrong"),
        ChoiceDraft("off-beige", True, "right; good!"),
        ChoiceDraft("blue", False, "wrong"),
    )


def test_moodle_numerical_keeps_tolerance_and_the_feedback_for_any_other_answer() -> None:
    q5 = by_title("moodle_questions.gift.txt")["Q5"].draft
    assert q5.kind == "blank"
    # The stray '";' after the block stays text; the block is the gap.
    assert q5.stem == 'What is a number from 1 to 5? ____";'
    assert q5.answers == (
        (
            numeric_answer(Decimal(3), Decimal(2)),
            AnswerDraft("*", Decimal(0), feedback="Completely wrong"),
        ),
    )


def test_moodle_partial_credit_short_answer_keeps_credits_and_feedback() -> None:
    draft = by_title("moodle_questions.gift.txt")["Shortanswer"].draft
    assert draft.stem == "Which is the best animal? ____"
    assert draft.answers == (
        (
            AnswerDraft("Frog", feedback="Good!"),
            AnswerDraft("Cat", Decimal(50), feedback="What is it with Moodlers and cats?"),
            AnswerDraft("*", Decimal(0), feedback="Completely wrong"),
        ),
    )


def test_moodle_true_false_keeps_stray_text_as_stem_text_never_a_blank() -> None:
    q1 = by_title("moodle_questions.gift.txt")["Q1"].draft
    assert q1.kind == "true_false"
    assert q1.stem == '42 is the Absolute Answer to everything.";'
    assert "_" not in q1.stem
    assert q1.choices == (
        ChoiceDraft("True", False, "42 is the Ultimate Answer."),
        ChoiceDraft("False", True, "You gave the right answer."),
    )
    assert q1.explanation == "This is, of course, a Hitchiker's Guide to the Galaxy reference."


def test_moodle_t_and_true_and_titles() -> None:
    first, second = [q for q in questions("moodle_questions.gift.txt") if q.title == "2-08 TSL"]
    assert first.draft == second.draft
    assert first.draft.choices == (ChoiceDraft("True", True), ChoiceDraft("False", False))


def test_moodle_essay_and_matching_are_refused_by_name() -> None:
    assert errors("moodle_questions.gift.txt") == [(2, "unsupported_type"), (5, "unsupported_type")]


def test_moodle_category_html_and_escapes() -> None:
    read = questions("moodle_questions_in_category.gift.txt")
    assert {q.category for q in read} == {"Default for New Features"}
    greeting = next(q for q in read if q.title == "Greeting")
    assert greeting.draft.stem == "Listen to this greeting:\n\nWhat language is being spoken?"
    assert [c.text for c in greeting.draft.choices if c.correct] == ["French"]
    user = next(q for q in read if q.title == "Moodle user").draft
    assert user.stem == "Anyone who uses Moodle is a ... ____" and user.blanks == (("Moodler",),)
    acronym = next(q for q in read if q.title == "Moodle acronym").draft
    assert acronym.stem == (
        "Moodle is an acronym for Modular Object-Oriented Dynamic Learning Environment."
    )


# --- the GIFT grammar's test questions -------------------------------------------------------


def test_short_answer_without_equals_sign() -> None:
    one = questions("peg_shortAnswer2.gift")[1].draft
    assert one.kind == "blank" and one.blanks == (("One",),)


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("peg_shortFirstEmbedded.gift", "____ is the largest continent in the world."),
        ("peg_shortFirstEmbeddedHTML.gift", "____ is the largest continent in the world."),
        ("peg_shortFirstEmbeddedUnderline.gift", "_____ is the largest continent."),
        ("peg_shortFirstEmbeddedUnderlineHTML.gift", "_____ is the largest continent."),
    ],
)
def test_a_stem_that_starts_with_its_blank(name: str, stem: str) -> None:
    read = questions(name)
    assert read and all(q.draft.stem == stem for q in read)
    assert all(q.draft.blanks == (("Asia",),) for q in read)


def test_numerical_tolerances_and_ranges() -> None:
    grant, pi, pi_range, one_to_five, close = (q.draft for q in questions("peg_numerical1.gift"))
    assert grant.answers == ((numeric_answer(Decimal(1822)),),)
    assert pi.stem == "What is the value of pi (to 3 decimal places)? ____."
    assert pi.answers == ((numeric_answer(Decimal("3.1415"), Decimal("0.0005")),),)
    assert pi_range.answers == ((range_answer(Decimal("3.141"), Decimal("3.142")),),)
    assert one_to_five.answers == ((range_answer(Decimal(1), Decimal(5)),),)
    assert one_to_five.blanks == (("1 … 5",),)
    assert close.answers == (
        (numeric_answer(Decimal(1822)), numeric_answer(Decimal(1822), Decimal(2), credit=50)),
    )


def test_format_php_examples() -> None:
    read = {q.line: q.draft for q in questions("peg_giftFormatPhpExamples.gift")}
    assert read[7].stem == "Grant is ____ in Grant's tomb."  # missing word: the gap stays
    assert read[13].answers == ((numeric_answer(Decimal(1822), Decimal(5)),),)
    assert read[33].stem == "Jesus Christ was from ____."
    assert [(a.text, a.credit) for a in read[33].answers[0]] == [
        ("Nazareth", 100),
        ("Nazereth", 75),
        ("Bethlehem", 25),
    ]
    assert read[40].answers[0][1].feedback == (
        "He was born in 1822.\n                  You get 50% credit for being close."
    )
    assert errors("peg_giftFormatPhpExamples.gift") == [(15, "unsupported_type")]


def test_escaped_control_characters() -> None:
    (draft,) = (q.draft for q in questions("peg_escapeAll.gift"))
    assert [c.text for c in draft.choices] == ["~", "=", "#", "{", "}", ":", "\\"]
    assert draft.choices[0].feedback == "~ is a control character."
    (equals,) = (q.draft for q in questions("peg_escapeEquals.gift"))
    assert [c.text for c in equals.choices] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]


def test_decimal_weights_and_escaped_colon_in_the_stem() -> None:
    (draft,) = (q.draft for q in questions("peg_multipleAnswersFloat.gift"))
    assert draft.stem == "Select all of the options below which name a continent:"
    assert [c.correct for c in draft.choices] == [True, True, False, True, False]


def test_html_and_markdown_stems_become_plain_text() -> None:
    (html,) = (q.draft for q in questions("peg_tf1_html.gift"))
    (markdown,) = (q.draft for q in questions("peg_tf1_markdown.gift"))
    assert html.stem == markdown.stem == "Grant is buried in Grant's tomb."
    (multiline,) = (q.draft for q in questions("peg_type_inferred_multiline_markdown.gift"))
    assert multiline.stem == "formattedStem line1\nformattedStem line2 ____"
    assert multiline.blanks == (("answer1 line1\nanswer1 line2", "answer2 line1 answer2 line2"),)


def test_feedback_over_several_lines_and_html_answers() -> None:
    plain, html = (q for q in questions("peg_multiLineFeedback1.gift"))
    assert plain.draft.choices[1].feedback == (
        "feedback comment on this wrong answer\non multiple lines"
    )
    assert plain.draft.explanation == "Global feedback split\non multiple lines"
    assert [c.text for c in html.draft.choices] == [
        "Client",
        "ConditionAbonnement",
        "Paiement",
        "Emprunt",
        "ContrôleurAbonnement",
        "CléAccess",
    ]
    assert html.draft.choices[0].feedback == ""
    assert [w.code for w in html.warnings] == ["image_dropped"]


def test_true_false_with_two_feedbacks() -> None:
    (draft,) = (q.draft for q in questions("peg_TFTwoFeedback.gift"))
    assert draft.choices == (
        ChoiceDraft("True", False, "wrong answer feedback"),
        ChoiceDraft("False", True, "right answer feedback"),
    )


def test_descriptions_essays_and_matching_are_refused_by_name() -> None:
    assert errors("peg_description1.gift") == [(1, "unsupported_type")]
    assert [q.draft.stem for q in questions("peg_description1.gift")] == ["True or false?"]
    assert errors("peg_essay1.gift") == [(1, "unsupported_type")]
    assert errors("peg_tag_id_and_two_tags.gift") == [(3, "unsupported_type")]
    assert errors("peg_matching1.gift") == [(3, "unsupported_type"), (9, "unsupported_type")]


def test_a_category_alone_holds_no_question() -> None:
    result = read_gift((FIXTURES / "peg_categorySpecialCharacter.gift").read_text("utf-8"))
    assert result.questions == [] and result.issues == []
