"""GIFT reader and writer, written from Moodle's "GIFT format" documentation. No database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quizzes.drafts import AnswerDraft, ChoiceDraft, QuestionDraft, numeric_answer, range_answer
from quizzes.formats.gift import export_gift, gift_problem, read_gift, write_gift


def only(text: str) -> QuestionDraft:
    result = read_gift(text)
    assert result.ok, result.issues
    assert len(result.questions) == 1
    draft = result.questions[0].draft
    assert draft.problems() == []
    return draft


def codes(text: str) -> list[tuple[int, str, str]]:
    return [(i.line, i.severity, i.code) for i in read_gift(text).issues]


# --- reading: syntax elements ------------------------------------------------------------


def test_single_choice_with_feedback_and_general_feedback() -> None:
    draft = only("Who's buried in Grant's tomb?{~Grant#No ~Jefferson =no one#Right ####Nobody is.}")
    assert draft.kind == "single"
    assert draft.stem == "Who's buried in Grant's tomb?"
    assert draft.choices == (
        ChoiceDraft("Grant", False, "No"),
        ChoiceDraft("Jefferson", False, ""),
        ChoiceDraft("no one", True, "Right"),
    )
    assert draft.explanation == "Nobody is."


def test_answers_on_separate_lines() -> None:
    draft = only("What colour is the sky?\n{\n\t=blue\n\t~green\n\t~red\n}")
    assert draft.stem == "What colour is the sky?"
    assert [c.text for c in draft.choices] == ["blue", "green", "red"]


def test_comments_title_ids_and_tags() -> None:
    result = read_gift(
        "// a plain comment\n// [id:q1] [tag:geo] [tag:easy]\n"
        "::Capital::Paris is in {=France ~Spain}."
    )
    question = result.questions[0]
    assert question.title == "Capital"
    assert question.line == 3
    assert question.draft.tags == ("geo", "easy")
    assert question.draft.stem == "Paris is in ____."


def test_comment_only_blocks_are_ignored() -> None:
    result = read_gift("// just a note\n// another\n\nQ {=a ~b}")
    assert len(result.questions) == 1 and result.ok


def test_category() -> None:
    result = read_gift(
        "Q0 {=a ~b}\n\n$CATEGORY: $course$/Top/Sub\n\nQ1 {=a ~b}\n\n$CATEGORY: Other\n\nQ2 {T}"
    )
    assert [q.category for q in result.questions] == ["", "Top/Sub", "Other"]


@pytest.mark.parametrize("prefix", ["[plain]", "[moodle]", "[markdown]", "[html]"])
def test_text_format_prefix_is_stripped(prefix: str) -> None:
    result = read_gift(f"::T::{prefix}What is it? {{=a ~b}}")
    assert result.questions[0].draft.stem == "What is it?"
    assert result.questions[0].warnings == ()


def test_html_text_becomes_plain_text() -> None:
    result = read_gift("[html]The <b>sun</b> is a <i>star</i>.{T}")
    question = result.questions[0]
    assert question.draft.stem == "The sun is a star."
    assert question.warnings == () and result.ok


def test_multiple_choice_weights() -> None:
    result = read_gift("Which are primes? {~%50%2#yes ~%50%3 ~%-100%4#even ~%-100%9 ####2 and 3.}")
    draft = result.questions[0].draft
    assert draft.kind == "multiple"
    assert [(c.text, c.correct, c.feedback) for c in draft.choices] == [
        ("2", True, "yes"),
        ("3", True, ""),
        ("4", False, "even"),
        ("9", False, ""),
    ]
    assert draft.explanation == "2 and 3."
    assert result.issues == []


def test_multiple_choice_decimal_weights() -> None:
    result = read_gift("Q {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}")
    assert result.issues == [] and result.questions[0].draft.kind == "multiple"


def test_weights_not_summing_to_100_warn() -> None:
    result = read_gift("Q {~%50%a ~%25%b ~%-100%c}")
    assert result.ok
    assert [(i.line, i.code) for i in result.issues] == [(1, "weights_sum")]


def test_several_right_answers_become_multiple_with_warning() -> None:
    result = read_gift("Q {=a =b ~c}")
    assert result.questions[0].draft.kind == "multiple"
    assert [i.code for i in result.issues] == ["several_right_answers"]


@pytest.mark.parametrize(
    ("answer", "value"), [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)]
)
def test_true_false(answer: str, value: bool) -> None:
    draft = only(f"The sun rises in the east.{{{answer}}}")
    assert draft.kind == "true_false"
    assert draft.choices == (ChoiceDraft("True", value), ChoiceDraft("False", not value))


def test_true_false_feedbacks_wrong_then_right() -> None:
    draft = only("The sun rises in the west.{FALSE#No, in the east.#Right, east.}")
    assert draft.choices == (
        ChoiceDraft("True", False, "No, in the east."),
        ChoiceDraft("False", True, "Right, east."),
    )
    draft = only("Two plus two is four.{T#Think again.#Yes.####Arithmetic.}")
    assert draft.choices == (
        ChoiceDraft("True", True, "Yes."),
        ChoiceDraft("False", False, "Think again."),
    )
    assert draft.explanation == "Arithmetic."


def test_true_false_chinese_labels() -> None:
    draft = only("太阳从东方升起。{T}")
    assert draft.choices == (ChoiceDraft("正确", True), ChoiceDraft("错误", False))
    result = read_gift("太阳从东方升起。{T}", true_false_labels=("对", "错"))
    assert [c.text for c in result.questions[0].draft.choices] == ["对", "错"]


def test_short_answer_alternatives() -> None:
    draft = only("Who's buried in Grant's tomb?{=Grant =Ulysses S. Grant =Ulysses Grant}")
    assert draft.kind == "blank"
    assert draft.stem == "Who's buried in Grant's tomb? ____"
    assert draft.blanks == (("Grant", "Ulysses S. Grant", "Ulysses Grant"),)


def test_short_answer_partial_weights_are_kept_as_credits() -> None:
    result = read_gift("Two plus two equals {=four =%50%4#close =%0%five}.")
    draft = result.questions[0].draft
    assert draft.blanks == (("four", "4", "five"),)
    assert draft.answers == (
        (
            AnswerDraft("four"),
            AnswerDraft("4", Decimal(50), feedback="close"),
            AnswerDraft("five", Decimal(0)),
        ),
    )
    assert draft.stem == "Two plus two equals ____."
    assert result.issues == []


def test_short_answer_with_only_partial_answers_is_an_error() -> None:
    assert codes("Q {=%50%a}") == [(1, "error", "no_correct_answer")]


def test_numerical_tolerance_is_kept() -> None:
    result = read_gift("What is pi to 2 decimals? {#3.14:0.01}")
    draft = result.questions[0].draft
    assert draft.kind == "blank" and draft.blanks == (("3.14 ± 0.01",),)
    assert draft.answers == ((numeric_answer(Decimal("3.14"), Decimal("0.01")),),)
    assert draft.stem == "What is pi to 2 decimals? ____"
    assert result.issues == []


def test_numerical_exact_and_multiple_answers_with_credit() -> None:
    assert only("Year? {#1822}").answers == ((numeric_answer(Decimal(1822)),),)
    result = read_gift("When was Grant born?{#=1822:0 =%50%1822:2#close}")
    assert result.questions[0].draft.answers == (
        (
            numeric_answer(Decimal(1822)),
            numeric_answer(Decimal(1822), Decimal(2), credit=Decimal(50), feedback="close"),
        ),
    )
    assert result.issues == []


def test_numerical_range_is_kept_as_a_range() -> None:
    draft = only("A number from one to five? {#1..5}")
    assert draft.answers == ((range_answer(Decimal(1), Decimal(5)),),)
    assert draft.blanks == (("1 … 5",),)
    assert only("Pi? {#3.1..3.2}").answers[0][0].tolerance == Decimal("0.05")
    assert only("Around zero? {#-5..5}").blanks == (("\u2212" + "5 … 5",),)


def test_numerical_feedback_for_any_other_answer() -> None:
    draft = only("What is a number from 1 to 5? {#3:2~#Completely wrong}")
    assert draft.answers == (
        (
            numeric_answer(Decimal(3), Decimal(2)),
            AnswerDraft("*", Decimal(0), feedback="Completely wrong"),
        ),
    )


def test_numerical_bad_number() -> None:
    assert codes("Pi? {#three}") == [(1, "error", "bad_number")]


def test_missing_word_format() -> None:
    draft = only("Moodle costs {~lots of money =nothing ~a small amount} to download.")
    assert draft.kind == "single"
    assert draft.stem == "Moodle costs ____ to download."


def test_escapes_and_line_breaks() -> None:
    draft = only(
        r"Which is \{an\} \= sign\: a\~b \#1\nsecond line? {=\=#it is \#1 ~\{\~\} ####a\:b}"
    )
    assert draft.stem == "Which is {an} = sign: a~b #1\nsecond line?"
    assert draft.choices == (ChoiceDraft("=", True, "it is #1"), ChoiceDraft("{~}", False))
    assert draft.explanation == "a:b"


def test_chinese_text() -> None:
    result = read_gift(
        "// [tag:经济]\n::单选::高质量发展是什么要求？{=全面要求#对 ~仅经济要求 ####见社论。}\n\n"
        "“一基地三区”出自{=十二次党代会 =第十二次党代会}报告。"
    )
    single, blank = (q.draft for q in result.questions)
    assert single.stem == "高质量发展是什么要求？"
    assert single.choices[0] == ChoiceDraft("全面要求", True, "对")
    assert single.explanation == "见社论。" and single.tags == ("经济",)
    assert blank.stem == "“一基地三区”出自____报告。"
    assert blank.blanks == (("十二次党代会", "第十二次党代会"),)


def test_crlf_and_bom() -> None:
    result = read_gift("\ufeffQ1 {=a ~b}\r\n\r\nQ2 {T}\r\n")
    assert [q.line for q in result.questions] == [1, 3]


# --- reading: unsupported and malformed ---------------------------------------------------


def test_unsupported_types_are_reported_not_dropped() -> None:
    text = (
        "Good {=a ~b}\n\n"
        "Match {=cat -> feline =dog -> canine =cow -> bovine}\n\n"
        "Write an essay.{}\n\n"
        "Essay with feedback {####Think.}\n\n"
        "Just a description without braces.\n\n"
        "Good two {T}"
    )
    result = read_gift(text)
    assert [q.line for q in result.questions] == [1, 11]
    assert [(i.line, i.code) for i in result.issues] == [
        (3, "unsupported_type"),
        (5, "unsupported_type"),
        (7, "unsupported_type"),
        (9, "unsupported_type"),
    ]
    assert all(i.severity == "error" for i in result.issues)
    assert result.issues[0].title == "Match"


def test_several_answer_sets_are_unsupported() -> None:
    assert codes("A {=a ~b} and B {=c ~d}") == [(1, "error", "unsupported_type")]


@pytest.mark.parametrize(
    "question",
    ["Q {=a ~b", "Q =a ~b}", "Q {=a {~b}}", "Q }=a ~b{", "Q {=a ~b}}"],
)
def test_unbalanced_braces(question: str) -> None:
    result = read_gift(f"Before {{=x ~y}}\n\n// note\n{question}\n\nAfter {{T}}")
    assert [(i.line, i.severity, i.code) for i in result.issues] == [
        (4, "error", "unbalanced_braces")
    ]
    assert [q.draft.stem for q in result.questions] == ["Before", "After"]


@pytest.mark.parametrize("question", ["Q {= ~b}", "Q {=a ~}", "Q {=a#fb ~ #x}", "Q {#}"])
def test_empty_answers(question: str) -> None:
    assert codes(f"Fine {{T}}\n\n{question}") == [(3, "error", "empty_answers")]


@pytest.mark.parametrize(
    "question", ["Q {~%abc%a ~%50%b}", "Q {~%150%a ~b}", "Q {=a ~%-101%b}", "Q {~%50a ~b}"]
)
def test_bad_weights(question: str) -> None:
    assert codes(question) == [(1, "error", "bad_weight")]


def test_one_answer_without_equals_is_a_short_answer() -> None:
    draft = only("How do you write the word for the number 1? {One}")
    assert draft.kind == "blank" and draft.blanks == (("One",),) and draft.answers == ()
    assert draft.stem == "How do you write the word for the number 1? ____"


def test_no_correct_choice_and_too_few_choices() -> None:
    assert codes("Q {~a ~b}") == [(1, "error", "no_correct_answer")]
    assert codes("Q {~%100%a}") == [(1, "error", "too_few_choices")]


def test_unusable_draft_is_an_error() -> None:
    assert codes("Q {=a ~A}") == [(1, "error", "invalid_question")]
    assert codes("{=a ~b}") == [(1, "error", "invalid_question")]


def test_every_returned_draft_is_sound() -> None:
    text = "\n\n".join(
        ["Q {=a ~b}", "Q {~%50%a ~%50%b}", "Q {T}", "Q {=a}", "Q {#1..3}", "Q {#2:1}"]
    )
    result = read_gift(text)
    assert len(result.questions) == 6
    assert all(q.draft.problems() == [] for q in result.questions)


# --- writing and round trips ---------------------------------------------------------------


ROUND_TRIP = [
    QuestionDraft(
        "single",
        "Which city is the capital: Paris {or} Lyon? #1 = best ~ maybe",
        choices=(
            ChoiceDraft("Paris", True, "Yes: it is."),
            ChoiceDraft("Lyon", False, "No #2"),
            ChoiceDraft("%50% Marseille", False),
        ),
        explanation="Paris\nsince 508.",
        tags=("geo", "capitals"),
    ),
    QuestionDraft(
        "multiple",
        "Which are primes?",
        choices=(
            ChoiceDraft("2", True),
            ChoiceDraft("3", True, "odd"),
            ChoiceDraft("5", True),
            ChoiceDraft("4", False, "even"),
        ),
        explanation="Divisors.",
    ),
    QuestionDraft(
        "multiple",
        "Only one right, still multiple",
        choices=(ChoiceDraft("a", True), ChoiceDraft("b")),
    ),
    QuestionDraft(
        "true_false",
        "The sun rises in the west.",
        choices=(ChoiceDraft("True", False, "No."), ChoiceDraft("False", True)),
        explanation="East.",
    ),
    QuestionDraft(
        "true_false",
        "The sky is blue.",
        choices=(ChoiceDraft("True", True, "Yes"), ChoiceDraft("False", False, "Look up")),
    ),
    QuestionDraft("blank", "____ is the capital of France.", blanks=(("Paris", "paris"),)),
    QuestionDraft(
        "blank", "Grant is buried in ____ tomb.", blanks=(("Grant",),), explanation="His own."
    ),
    QuestionDraft("blank", "The answer is ____", blanks=(("42", "forty-two"),)),
    QuestionDraft("blank", "Weird {text} = ~ # : ____ end", blanks=(("a=b", "{c}", "%d"),)),
    QuestionDraft("single", "// not a comment", choices=(ChoiceDraft("a", True), ChoiceDraft("b"))),
    QuestionDraft(
        "single", "[html] is literal", choices=(ChoiceDraft("a", True), ChoiceDraft("b"))
    ),
    QuestionDraft(
        "single", "Fill ____ in the sentence.", choices=(ChoiceDraft("x"), ChoiceDraft("y", True))
    ),
    QuestionDraft(
        "single",
        "高质量发展是什么要求？",
        choices=(ChoiceDraft("全面要求", True, "对"), ChoiceDraft("经济要求", False)),
        explanation="社论：“不仅是经济要求”。",
        tags=("经济",),
    ),
    QuestionDraft(
        "true_false",
        "太阳从东方升起。",
        choices=(ChoiceDraft("正确", True), ChoiceDraft("错误", False)),
    ),
    QuestionDraft("blank", "“一基地三区”出自____报告。", blanks=(("十二次党代会",),)),
    QuestionDraft("blank", "Path C:\\temp\\new is ____.", blanks=(("a\\b",),)),
]


@pytest.mark.parametrize("draft", ROUND_TRIP, ids=lambda d: f"{d.kind}:{d.stem[:20]}")
def test_round_trip(draft: QuestionDraft) -> None:
    assert draft.problems() == []
    text = write_gift([draft])
    result = read_gift(text)
    assert result.issues == [], text
    assert [q.draft for q in result.questions] == [draft], text


def test_round_trip_whole_bank_with_category() -> None:
    text = write_gift(ROUND_TRIP, category="Top/Sub")
    result = read_gift(text)
    assert result.issues == []
    assert [q.draft for q in result.questions] == ROUND_TRIP
    assert {q.category for q in result.questions} == {"Top/Sub"}


def test_multiple_weights_are_written_like_moodle() -> None:
    draft = QuestionDraft(
        "multiple",
        "Q",
        choices=(*(ChoiceDraft(t, True) for t in "abc"), ChoiceDraft("d")),
    )
    text = write_gift([draft])
    assert "~%33.33333%a" in text and "~%-33.33333%d" in text
    assert read_gift(text).issues == []


def test_true_false_labels_that_would_change_are_refused() -> None:
    # GIFT writes only TRUE or FALSE: the labels read back are those of the stem's language.
    dui_cuo = QuestionDraft(
        "true_false", "太阳从东方升起。", choices=(ChoiceDraft("对", True), ChoiceDraft("错"))
    )
    english_in_chinese = QuestionDraft(
        "true_false", "太阳从东方升起。", choices=(ChoiceDraft("True", True), ChoiceDraft("False"))
    )
    assert gift_problem(dui_cuo) == "true_false_labels"
    assert gift_problem(english_in_chinese) == "true_false_labels"
    assert export_gift([dui_cuo, english_in_chinese]) == ("", [0, 1])


def test_unwritable_drafts_are_skipped_with_indexes() -> None:
    good = QuestionDraft("single", "Q", choices=(ChoiceDraft("a", True), ChoiceDraft("b")))
    two_blanks = QuestionDraft("blank", "____ and ____", blanks=(("a",), ("b",)))
    odd_labels = QuestionDraft(
        "true_false", "Q", choices=(ChoiceDraft("Yes", True), ChoiceDraft("No"))
    )
    broken = QuestionDraft("single", "", choices=(ChoiceDraft("a", True), ChoiceDraft("b")))
    assert gift_problem(two_blanks) == "several_blanks"
    assert gift_problem(odd_labels) == "true_false_labels"
    assert gift_problem(broken) == "invalid_draft"
    assert gift_problem(good) is None
    text, skipped = export_gift([two_blanks, good, odd_labels, broken])
    assert skipped == [0, 2, 3]
    assert [q.draft for q in read_gift(text).questions] == [good]
    assert write_gift([two_blanks]) == ""


@pytest.mark.parametrize(
    "stem", ["___ is the only way.", "The way is _______", "中国共产党成立于（   ）年 ___。"]
)
def test_blank_gap_text_is_kept_exactly(stem: str) -> None:
    draft = QuestionDraft("blank", stem, blanks=(("Struggle",),))
    text = write_gift([draft])
    assert text.startswith(stem)
    assert read_gift(text).questions[0].draft == draft
