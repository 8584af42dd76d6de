"""Chinese plain-text banks in the layouts organizers type in Word."""

from __future__ import annotations

import pytest

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.formats.chinese_text import (
    chinese_text_problem,
    read_chinese_text,
    write_chinese_text,
)

BANK = """\
第一章 学习测试（满分100分）

一、单选题（每题2分，共4分）
1. 我国的根本政治制度是（ ）。
A、人民代表大会制度  B．政治协商制度
Ｃ．民族区域自治制度
D.基层群众自治制度
答案：A
解析：宪法规定。
人民代表大会制度是根本政治制度。
（2）高质量发展是（　）的要求。
A．经济 B．全面 C．局部
【答案】B
【解析】是全面要求。
二、多选题
1、新发展理念包括（ ）
A.创新 B.协调 C.绿色 D.封闭
答案:ABC
2． 下列正确的是
A. 甲
B. 乙
答案：A、B
三、判断题
1．高质量发展只是经济要求。（ ）
答案：×
2. 新时代新征程上，唯有奋斗才能行稳致远。
答案：√
3. 句子三。
答案：对
4. 句子四。
答案：错误
5. 句子五。
【答案】T
四、填空题
1. 新发展理念是（ ）、( )、绿色。
答案：创新；协调/协调发展
2. 坚持以____为中心。
答案：人民|人民群众
3. 三个空：____、____、____。
答案：甲、乙、丙
"""


def drafts_of(text: str) -> list[QuestionDraft]:
    result = read_chinese_text(text)
    assert result.issues == []
    return [q.draft for q in result.questions]


def test_full_bank_reads_every_element():
    result = read_chinese_text(BANK)
    assert result.issues == []
    drafts = [q.draft for q in result.questions]
    assert [d.kind for d in drafts] == ["single"] * 2 + ["multiple"] * 2 + ["true_false"] * 5 + [
        "blank"
    ] * 3
    assert all(d.problems() == [] for d in drafts)
    assert [q.line for q in result.questions][:3] == [4, 11, 16]
    first = drafts[0]
    assert first.stem == "我国的根本政治制度是（ ）。"
    assert [c.text for c in first.choices] == [
        "人民代表大会制度",
        "政治协商制度",
        "民族区域自治制度",
        "基层群众自治制度",
    ]
    assert [c.correct for c in first.choices] == [True, False, False, False]
    assert first.explanation == "宪法规定。\n人民代表大会制度是根本政治制度。"
    assert drafts[1].explanation == "是全面要求。"
    assert [c.correct for c in drafts[1].choices] == [False, True, False]
    assert [c.correct for c in drafts[2].choices] == [True, True, True, False]
    assert [c.correct for c in drafts[3].choices] == [True, True]
    truths = [next(c.text for c in d.choices if c.correct) for d in drafts[4:9]]
    assert truths == ["错误", "正确", "正确", "错误", "正确"]
    assert all([c.text for c in d.choices] == ["正确", "错误"] for d in drafts[4:9])
    assert drafts[9].stem == "新发展理念是____、____、绿色。"
    assert drafts[9].blanks == (("创新",), ("协调", "协调发展"))
    assert drafts[10].blanks == (("人民", "人民群众"),)
    assert drafts[11].blanks == (("甲",), ("乙",), ("丙",))


@pytest.mark.parametrize(
    ("text", "kind", "correct"),
    [
        ("1. 题\nA. 甲\nB. 乙\n答案：B", "single", [False, True]),
        ("1. 题\nA. 甲\nB. 乙\nC. 丙\n答案：AC", "multiple", [True, False, True]),
        ("1. 题\nA. 甲 B. 乙\n答案：ａ", "single", [True, False]),
    ],
)
def test_kind_is_inferred_from_options_and_letters(text, kind, correct):
    (draft,) = drafts_of(text)
    assert draft.kind == kind
    assert [c.correct for c in draft.choices] == correct


@pytest.mark.parametrize("answer", ["对", "√", "正确", "T", "✓", "true"])
def test_true_answers_infer_true_false(answer):
    (draft,) = drafts_of(f"1. 陈述。\n答案：{answer}")
    assert draft.kind == "true_false"
    assert draft.choices == (ChoiceDraft("正确", True), ChoiceDraft("错误", False))


@pytest.mark.parametrize("answer", ["错", "×", "错误", "F"])
def test_false_answers_infer_true_false(answer):
    (draft,) = drafts_of(f"1. 陈述。\n答案：{answer}")
    assert draft.choices == (ChoiceDraft("正确", False), ChoiceDraft("错误", True))


def test_blank_inferred_without_heading():
    (draft,) = drafts_of("1. 首都是（ ）。\n答案：北京")
    assert draft.kind == "blank" and draft.stem == "首都是____。"


def test_stem_numbering_styles():
    text = "1. 一\n答案：对\n2、二\n答案：错\n3．三\n答案：对\n（4）四\n答案：对\n(5) 五\n答案：错"
    assert [d.stem for d in drafts_of(text)] == ["一", "二", "三", "四", "五"]


def test_missing_answer_is_located():
    result = read_chinese_text("一、单选题\n1. 题\nA. 甲\nB. 乙\n2. 好题\nA. 甲\nB. 乙\n答案：A")
    assert [(i.code, i.line) for i in result.issues] == [("missing_answer", 2)]
    assert len(result.questions) == 1 and result.questions[0].line == 5


def test_bad_answer_letter_is_located():
    result = read_chinese_text("1. 题\nA. 甲\nB. 乙\n答案：E")
    assert result.questions == []
    assert [(i.code, i.line, i.title) for i in result.issues] == [("bad_answer", 4, "题")]


def test_several_letters_in_single_section_is_bad_answer():
    result = read_chinese_text("一、单选题\n1. 题\nA. 甲\nB. 乙\n答案：AB")
    assert [(i.code, i.line) for i in result.issues] == [("bad_answer", 5)]


def test_bad_true_false_answer():
    result = read_chinese_text("三、判断题\n1. 陈述\n答案：也许")
    assert [(i.code, i.line) for i in result.issues] == [("bad_answer", 3)]


def test_blank_count_mismatch_is_located():
    result = read_chinese_text("四、填空题\n1. 甲（ ）乙（ ）。\n答案：一")
    assert [(i.code, i.line) for i in result.issues] == [("blank_count_mismatch", 3)]
    result = read_chinese_text("四、填空题\n1. 没有空。\n答案：一")
    assert [(i.code, i.line) for i in result.issues] == [("blank_count_mismatch", 3)]


def test_too_few_choices_is_located():
    result = read_chinese_text("x\n一、单选题\n1. 题\nA. 甲\n答案：A")
    assert [(i.code, i.line) for i in result.issues] == [("too_few_choices", 3)]


def test_duplicate_choices_reported_by_draft_problem():
    result = read_chinese_text("1. 题\nA. 甲\nB. 甲\n答案：A")
    assert [(i.code, i.line) for i in result.issues] == [("duplicate_choices", 1)]


def test_gb18030_bank_decoded_by_caller():
    data = BANK.encode("gb18030")
    assert drafts_of(data.decode("gb18030")) == drafts_of(BANK)
    written = write_chinese_text(drafts_of(BANK)).encode("gb18030")
    assert drafts_of(written.decode("gb18030")) == drafts_of(BANK)


ROUND_TRIP = [
    QuestionDraft(
        "single",
        "我国的根本政治制度是（ ）。",
        choices=(ChoiceDraft("人民代表大会制度", True), ChoiceDraft("政治协商制度")),
        explanation="宪法规定。\n第二行。",
    ),
    QuestionDraft(
        "multiple",
        "新发展理念包括",
        choices=(ChoiceDraft("创新", True), ChoiceDraft("协调", True), ChoiceDraft("封闭")),
    ),
    QuestionDraft(
        "multiple", "只有一个对的多选", choices=(ChoiceDraft("甲", True), ChoiceDraft("乙"))
    ),
    QuestionDraft(
        "true_false", "陈述一。", choices=(ChoiceDraft("正确", True), ChoiceDraft("错误"))
    ),
    QuestionDraft(
        "true_false", "陈述二。", choices=(ChoiceDraft("正确"), ChoiceDraft("错误", True))
    ),
    QuestionDraft("blank", "坚持以____为中心。", blanks=(("人民", "人民群众"),)),
    QuestionDraft("blank", "____、____、绿色。", blanks=(("创新",), ("协调",))),
]


def test_round_trip_every_kind():
    text = write_chinese_text(ROUND_TRIP)
    assert text.startswith("一、单选题\n")
    assert "二、多选题" in text and "三、判断题" in text and "四、填空题" in text
    assert drafts_of(text) == ROUND_TRIP


def test_english_true_false_labels_stay_english():
    draft = QuestionDraft(
        "true_false", "Sky is green.", choices=(ChoiceDraft("True"), ChoiceDraft("False", True))
    )
    text = write_chinese_text([draft])
    assert "答案：False" in text
    (back,) = drafts_of(text)
    assert back == draft


def test_true_false_labels_of_another_language_are_left_out():
    draft = QuestionDraft(
        "true_false", "天是绿的。", choices=(ChoiceDraft("True"), ChoiceDraft("False", True))
    )
    assert chinese_text_problem(draft) == "true_false_labels"
    assert write_chinese_text([draft]) == ""
