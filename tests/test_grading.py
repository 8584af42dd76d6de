"""The pure grading functions."""

from fractions import Fraction

import pytest

from quizzes import grading


def test_single_choice_is_all_or_nothing():
    assert grading.grade_single({2}, 2) == 1
    assert grading.grade_single({1}, 2) == 0
    assert grading.grade_single(set(), 2) == 0
    assert grading.grade_single({1, 2}, 2) == 0


def test_true_false_is_all_or_nothing():
    assert grading.grade_true_false({1}, 1) == 1
    assert grading.grade_true_false({2}, 1) == 0


@pytest.mark.parametrize(
    "selected,expected",
    [
        ({1, 2, 3}, Fraction(1)),
        ({1, 2}, Fraction(2, 3)),
        ({1, 4}, Fraction(0)),
        ({1, 2, 4}, Fraction(1, 3)),
        ({4, 5}, Fraction(0)),  # floored at 0, never negative
        (set(), Fraction(0)),
    ],
)
def test_multiple_choice_partial_credit(selected, expected):
    assert grading.grade_multiple(selected, {1, 2, 3}) == expected


@pytest.mark.parametrize(
    "response,accepted",
    [
        ("一基地三区", ["一基地三区"]),
        ("  One Base  and Three Districts ", ["one base and three districts"]),
        ("“双循环”", ['"双循环"']),
        ("ＡＢＣ１２", ["abc12"]),  # full-width letters and digits
        ("十二", ["12"]),
        ("12", ["十二"]),
        ("第十九次", ["第十九次"]),
        ("二〇三五", ["2035"]),
        ("一 基 地", ["一基地"]),
        ("green.", ["green"]),
    ],
)
def test_blank_answers_match_after_normalisation(response, accepted):
    assert grading.blank_matches(response, accepted)


@pytest.mark.parametrize(
    "response,accepted",
    [("十三", ["12"]), ("", ["x"]), ("three districts", ["one base and three districts"])],
)
def test_blank_answers_that_differ_do_not_match(response, accepted):
    assert not grading.blank_matches(response, accepted)


def test_each_blank_is_graded_alone():
    accepted = [["创新"], ["协调"], ["绿色"]]
    assert grading.grade_blanks(["创新", "错", "绿色"], accepted) == Fraction(2, 3)
    assert grading.grade_blanks(["创新"], accepted) == Fraction(1, 3)


@pytest.mark.parametrize(
    "text,value",
    [
        ("十", 10),
        ("十九", 19),
        ("二十", 20),
        ("一百零五", 105),
        ("两千", 2000),
        ("一万二千", 12000),
    ],
)
def test_chinese_numerals(text, value):
    assert grading.chinese_to_int(text) == value
