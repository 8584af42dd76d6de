"""clean_text: what is removed, what is re-joined, what is normalised — on crafted strings
and on text pasted into the upload form."""

import textwrap

import pytest

from quizzes.ingest import clean_text

BODY_ZH = "要按照十六大、十七大、十八大提出的全面建成小康社会各项要求，紧扣我国社会主要矛盾变化。"
BODY_EN = "High quality development is the only way to build a socialist modern metropolis."


# --- datelines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dateline",
    [
        "新华社北京10月27日电",
        "新华社北京10月27日电 ",
        "新华社北京10月27日电（记者 张三 李四）",
        "人民网天津7月4日电 ——",
        "本报北京十月二十七日讯",
        "本报讯（记者 王五）",
    ],
)
def test_chinese_dateline_at_the_start_of_a_paragraph_is_removed(dateline):
    assert clean_text(dateline + BODY_ZH) == BODY_ZH
    # A dateline on a line of its own goes as well.
    assert clean_text(dateline + "\n" + BODY_ZH) == BODY_ZH


@pytest.mark.parametrize(
    "dateline",
    [
        "XINHUA, Beijing, Oct 27 — ",
        "BEIJING, Oct. 27 (Xinhua) -- ",
        "TIANJIN, July 4, 2022 – ",
        "BEIJING (Reuters) - ",
    ],
)
def test_english_dateline_at_the_start_of_a_paragraph_is_removed(dateline):
    assert clean_text(dateline + BODY_EN) == BODY_EN


@pytest.mark.parametrize(
    "text",
    [
        "会议指出，中央10月27日电贺大会召开。",  # not at the start
        "On Oct 27 — the meeting was held in Tianjin.",  # no place before the date
        "Beijing is the capital. Oct 27 was a Friday.",
    ],
)
def test_text_that_only_resembles_a_dateline_is_kept(text):
    assert clean_text(text) == text


# --- captions and metadata ----------------------------------------------------------------


@pytest.mark.parametrize(
    "caption",
    [
        "（图片来源：新华网）",
        "(图片来源: 视觉中国)",
        "图为天津港集装箱码头。",
        "图片来源：天津日报",
        "10月18日，习近平在大会上作报告。新华社记者 鞠鹏 摄",
        "代表们步入会场。（新华社记者 李学仁 摄）",
        "Photo: Workers at the port of Tianjin.",
        "Photo taken on July 3, 2022 shows the port of Tianjin.",
        "Xi Jinping delivers a report to the congress. [Photo/Xinhua]",
        "Delegates walk into the Great Hall of the People. (Xinhua/Li Xueren)",
    ],
)
def test_photo_caption_lines_are_removed(caption):
    assert clean_text(f"{BODY_ZH}\n{caption}\n{BODY_EN}") == f"{BODY_ZH}\n\n{BODY_EN}"


@pytest.mark.parametrize(
    "line",
    [
        "Article source: Tianjin Daily Release time: July 4th, 2022 17:30",
        "Source: Xinhua",
        "Release time: 2022-07-04 17:30",
        "Editor: Wang Li",
        "By Li Ming | China Daily | Updated: 2022-07-04 09:12",
        "来源：新华社",
        "文章来源：天津日报",
        "发布时间：2017-10-27 17:43",
        "责任编辑：宋岩",
        "2017-10-27 17:43 来源：新华网",
        "时间：2022年07月04日 来源：天津日报",
        "【字体：大 中 小】【打印】【关闭】",
    ],
)
def test_source_release_time_and_editor_lines_are_removed(line):
    assert clean_text(f"{BODY_EN}\n{line}\n{BODY_ZH}") == f"{BODY_EN}\n\n{BODY_ZH}"


@pytest.mark.parametrize(
    "text",
    [
        "数据来源于国家统计局的年度公报。",
        "The source of growth is innovation, and its time is now.",
        "图书馆是知识的宝库。",
        "编辑部的同志们辛勤工作。",
    ],
)
def test_sentences_that_mention_sources_or_pictures_are_kept(text):
    assert clean_text(text) == text


def test_web_page_leftovers_after_the_article_end_are_removed():
    page = "\n".join(
        [
            "学习报告",
            BODY_ZH,
            BODY_ZH,
            "【我要纠错】\xa0责任编辑：宋岩",
            "扫一扫在手机打开当前页",
            "相关稿件",
            "习近平说，中国共产党人的初心和使命就是为中国人民谋幸福为中华民族谋复兴",
            "国务院",
            "动态 ",
            "常务会议\xa0|\xa0视窗 ",
            "|",
            "版权所有：中国政府网\u3000中文域名：中国政府网.政务 ",
            "回到 顶部",
        ]
    )
    assert clean_text(page) == f"学习报告\n\n{BODY_ZH}\n\n{BODY_ZH}"


def test_an_editor_line_before_real_paragraphs_does_not_cut_them():
    text = f"责任编辑：宋岩\n{BODY_ZH}\n相关稿件\n{BODY_ZH}"
    assert clean_text(text) == f"{BODY_ZH}\n\n相关稿件\n\n{BODY_ZH}"


# --- hard wraps and paragraphs ------------------------------------------------------------


def test_hard_wrapped_english_is_rejoined_into_its_paragraphs():
    paragraphs = [
        "Fully Shaping New Advantages of High Quality Development",
        BODY_EN + " " + BODY_EN + " It must be well-known and long-lasting, and it is.",
        "The new development concept of innovation, coordination, green, openness, and "
        "sharing provides theoretical guidance and practical guidance for development.",
    ]
    wrapped = "\n\n".join("\n".join(textwrap.wrap(p, 60)) for p in paragraphs)
    assert "\n" in wrapped.split("\n\n")[1]
    assert clean_text(wrapped) == "\n\n".join(paragraphs)


def test_hard_wrapped_chinese_is_rejoined_without_spaces():
    paragraph = BODY_ZH * 3
    lines = [paragraph[i : i + 25] for i in range(0, len(paragraph), 25)]
    text = "一、总体要求\n\n" + "\n".join(lines) + "\n\n二、重点任务\n\n" + "\n".join(lines)
    assert clean_text(text) == f"一、总体要求\n\n{paragraph}\n\n二、重点任务\n\n{paragraph}"


def test_indented_first_lines_mark_paragraphs_in_wrapped_text():
    first, second = BODY_ZH * 2, "坚持新发展理念。" * 8
    text = "\n".join(
        "\u3000\u3000" + "\n".join(p[i : i + 24] for i in range(0, len(p), 24))
        for p in (first, second)
    )
    assert clean_text(text) == f"{first}\n\n{second}"


def test_one_paragraph_per_line_is_kept_as_it_is():
    # The samples' layout: headings without punctuation, then long one-line paragraphs.
    text = "\n".join(["一、过去五年的工作和历史性变革", BODY_ZH * 4, "同志们：", BODY_ZH * 3])
    assert clean_text(text) == "\n\n".join(text.split("\n"))


def test_a_line_ending_with_a_chinese_comma_continues_on_the_next():
    assert clean_text("我们要坚持创新、协调、\n绿色、开放、共享的发展理念，\n推动高质量发展。") == (
        "我们要坚持创新、协调、绿色、开放、共享的发展理念，推动高质量发展。"
    )


def test_an_english_line_broken_before_a_lower_case_word_continues():
    assert clean_text("We will promote the construction of\nadvanced manufacturing bases.") == (
        "We will promote the construction of advanced manufacturing bases."
    )


def test_list_items_and_outline_numbers_are_not_joined():
    text = (
        "主要任务包括，\n（一）坚持党的领导\n（二）坚持以人民为中心\n"
        "1. Innovation\n2. Coordination\n- green\n• openness"
    )
    assert clean_text(text) == (
        "主要任务包括，\n\n（一）坚持党的领导\n\n（二）坚持以人民为中心\n\n"
        "1. Innovation\n\n2. Coordination\n\n- green\n\n• openness"
    )


def test_paragraphs_are_separated_by_exactly_one_blank_line():
    text = "\r\n\r\n第一段。\r\n\r\n\r\n\r\n第二段。\r第三段。\n\n\n"
    assert clean_text(text) == "第一段。\n\n第二段。\n\n第三段。"


# --- characters ---------------------------------------------------------------------------


def test_unicode_spaces_are_normalised_and_collapsed():
    text = (
        "\u3000\u3000坚持\xa0新发展理念，\u2002推动\u2009高质量\t\t发展。  \nTwo\xa0\xa0 spaces.   "
    )
    assert clean_text(text) == "坚持 新发展理念， 推动 高质量 发展。\n\nTwo spaces."


def test_invisible_and_control_characters_are_removed():
    assert clean_text("\ufeff高\u200b质量\u00ad发展\x07。") == "高质量发展。"


def test_line_separator_inside_a_line_becomes_a_space():
    assert clean_text("决胜全面建成小康社会\u2028夺取伟大胜利\u2028") == (
        "决胜全面建成小康社会 夺取伟大胜利"
    )


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("二○一七年", "二〇一七年"),
        ("从二○二○年到二○三五年", "从二〇二〇年到二〇三五年"),
        ("二◯一七年", "二〇一七年"),
        ("二Ｏ一七年", "二〇一七年"),
        ("二0一七年", "二〇一七年"),
        ("一○○米", "一〇〇米"),
        ("二〇一七年", "二〇一七年"),
        ("○ 要点一", "○ 要点一"),  # a bullet, not a zero
        ("2020年，100个", "2020年，100个"),
        ("十O", "十O"),
        ("一O", "一O"),  # a single digit beside a letter: too little to go on
    ],
)
def test_circle_and_letter_zeros_inside_chinese_numbers_become_ling(typed, clean):
    assert clean_text(typed) == clean


# --- pasted text --------------------------------------------------------------------------


def test_pasted_text_is_cleaned_like_an_upload():
    pasted = (
        "  坚持新发展理念  \r\n"
        "来源：天津日报\r\n"
        "\r\n"
        "新华社天津7月4日电\u3000从现在到二○二○年，是全面建成小康社会决胜期。\r\n"
        "图为天津港。\r\n"
        "Article source: Tianjin Daily Release time: July 4th, 2022 17:30\r\n"
        "The new development concept of innovation, coordination, green, openness,\r\n"
        "and sharing guides\xa0high-quality development.\r\n"
    )
    assert clean_text(pasted) == (
        "坚持新发展理念\n\n"
        "从现在到二〇二〇年，是全面建成小康社会决胜期。\n\n"
        "The new development concept of innovation, coordination, green, openness, "
        "and sharing guides high-quality development."
    )


@pytest.mark.parametrize("pasted", ["", "   ", "\n\n\r\n", "\u3000\xa0\u200b"])
def test_pasting_nothing_but_spaces_gives_empty_text(pasted):
    assert clean_text(pasted) == ""


def test_cleaning_is_idempotent():
    text = clean_text(
        "新华社北京10月27日电\n标题\n\n"
        + "\n".join(textwrap.wrap(BODY_EN * 3, 50))
        + "\n来源：新华社"
    )
    assert clean_text(text) == text
