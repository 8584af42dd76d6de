"""Property-based tests of the pure grading functions (hypothesis): every grade lies in
[0, 1], a fully right answer scores 1 for every kind, and multiple choice behaves
monotonically (a further right choice never lowers the mark, a further wrong one never
raises it)."""

from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from quizzes import grading

# Choices are identified by small integers, as the services pass choice ids.
choice_ids = st.integers(min_value=1, max_value=12)
choice_sets = st.sets(choice_ids, max_size=12)

# Answers an organizer would accept: words and numbers in Latin, CJK and digits.
ANSWER_ALPHABET = st.sampled_from(
    list("abcdefgxyzABCXYZ0123456789") + list("一二三十百千万基地区发展创新绿色天津")
)
accepted_answers = st.text(ANSWER_ALPHABET, min_size=1, max_size=12)
any_text = st.text(max_size=30)


def in_unit_interval(mark: Fraction) -> bool:
    return isinstance(mark, Fraction) and 0 <= mark <= 1


# --- Every grade lies in [0, 1] -----------------------------------------------------------


@given(selected=choice_sets, correct=choice_ids)
def test_single_choice_grade_is_0_or_1(selected, correct):
    mark = grading.grade_single(selected, correct)
    assert mark in (0, 1)
    assert (mark == 1) == (selected == {correct})


@given(selected=choice_sets, correct=choice_ids)
def test_true_false_grade_is_0_or_1(selected, correct):
    assert grading.grade_true_false(selected, correct) in (0, 1)


@given(selected=choice_sets, correct=choice_sets)
def test_multiple_choice_grade_lies_in_0_1(selected, correct):
    assert in_unit_interval(grading.grade_multiple(selected, correct))


@given(
    responses=st.lists(any_text, max_size=5),
    accepted=st.lists(st.lists(any_text, min_size=1, max_size=3), max_size=5),
)
def test_blank_grade_lies_in_0_1(responses, accepted):
    assert in_unit_interval(grading.grade_blanks(responses, accepted))


# --- A fully right answer scores 1 -------------------------------------------------------


@given(correct=choice_ids)
def test_the_right_single_choice_scores_1(correct):
    assert grading.grade_single({correct}, correct) == 1
    assert grading.grade_true_false([correct], correct) == 1


@given(correct=choice_sets.filter(bool))
def test_exactly_the_right_multiple_choices_score_1(correct):
    assert grading.grade_multiple(correct, correct) == 1


@given(
    accepted=st.lists(st.lists(accepted_answers, min_size=1, max_size=3), min_size=1, max_size=5)
)
def test_any_accepted_answer_in_each_blank_scores_1(accepted):
    for pick in (0, -1):
        responses = [answers[pick] for answers in accepted]
        assert grading.grade_blanks(responses, accepted) == 1


@given(
    accepted=st.lists(accepted_answers, min_size=1, max_size=4),
    padding=st.sampled_from(["", " ", "  ", "\u3000", "\t"]),
)
def test_a_right_blank_answer_scores_1_whatever_its_width_case_and_spacing(accepted, padding):
    """Full-width forms, upper case and surrounding spaces are the same answer."""
    full_width = str.maketrans(
        {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}  # ASCII → full-width
    )
    responses = [padding + answer.upper().translate(full_width) + padding for answer in accepted]
    assert grading.grade_blanks(responses, [[answer] for answer in accepted]) == 1


@given(number=st.integers(min_value=0, max_value=99_999))
def test_a_number_matches_itself_in_chinese_numerals(number):
    chinese = _to_chinese(number)
    assert grading.blank_matches(chinese, [str(number)])
    assert grading.blank_matches(str(number), [chinese])


def _to_chinese(number: int) -> str:
    """Chinese numeral of 0–99,999 in the usual written form (十九, 一百零五, 两万)."""
    digits = "零一二三四五六七八九"
    if number == 0:
        return "零"
    units = [(10_000, "万"), (1000, "千"), (100, "百"), (10, "十")]
    out = ""
    rest = number
    gap = False
    for value, unit in units:
        digit, rest = divmod(rest, value)
        if digit:
            if gap and out:
                out += "零"
            out += ("" if value == 10 and digit == 1 and not out else digits[digit]) + unit
            gap = False
        elif out:
            gap = True
    if rest:
        if gap and out:
            out += "零"
        out += digits[rest]
    return out


# --- Blanks are graded alone --------------------------------------------------------------


@given(
    accepted=st.lists(accepted_answers, min_size=1, max_size=6),
    wrong=st.sets(st.integers(min_value=0, max_value=5)),
)
def test_each_blank_counts_alone(accepted, wrong):
    wrong = {index for index in wrong if index < len(accepted)}
    responses = ["" if index in wrong else answer for index, answer in enumerate(accepted)]
    mark = grading.grade_blanks(responses, [[answer] for answer in accepted])
    assert mark == Fraction(len(accepted) - len(wrong), len(accepted))


# --- Multiple choice: monotone ------------------------------------------------------------


@given(correct=choice_sets.filter(bool), selected=choice_sets, extra=choice_ids)
def test_selecting_a_further_right_choice_never_lowers_the_mark(correct, selected, extra):
    assume(extra in correct and extra not in selected)
    before = grading.grade_multiple(selected, correct)
    after = grading.grade_multiple(selected | {extra}, correct)
    assert after >= before
    # Strictly higher unless the mark was held at the floor by wrong choices.
    assert after > before or after == 0


@given(correct=choice_sets.filter(bool), selected=choice_sets, extra=choice_ids)
def test_selecting_a_further_wrong_choice_never_raises_the_mark(correct, selected, extra):
    assume(extra not in correct and extra not in selected)
    before = grading.grade_multiple(selected, correct)
    after = grading.grade_multiple(selected | {extra}, correct)
    assert after <= before


@given(correct=choice_sets.filter(bool), selected=choice_sets)
def test_partial_credit_is_right_minus_wrong_over_the_number_right(correct, selected):
    right, wrong = len(selected & correct), len(selected - correct)
    expected = max(Fraction(0), Fraction(right - wrong, len(correct)))
    assert grading.grade_multiple(selected, correct) == expected


@given(correct=choice_sets.filter(bool), wrong=choice_sets.filter(bool))
def test_selecting_everything_is_not_full_marks_when_a_choice_is_wrong(correct, wrong):
    wrong = wrong - correct
    assume(wrong)
    assert grading.grade_multiple(correct | wrong, correct) < 1


@given(correct=choice_sets.filter(bool), selected=choice_sets)
def test_only_the_exact_right_set_scores_1(correct, selected):
    assert (grading.grade_multiple(selected, correct) == 1) == (selected == correct)


@given(correct=choice_sets.filter(bool))
def test_no_selection_scores_0(correct):
    assert grading.grade_multiple(set(), correct) == 0
