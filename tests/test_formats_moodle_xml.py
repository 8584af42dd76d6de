"""Moodle XML reader and writer, from the "Moodle XML format" documentation (docs.moodle.org)."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.formats.moodle_xml import html_to_text, read_moodle_xml, write_moodle_xml


def quiz(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n{body}\n</quiz>\n'


MULTICHOICE = """\
<question type="multichoice">
  <name><text>Capital</text></name>
  <questiontext format="html">
    <text><![CDATA[<p>Which is the <b>capital</b> of France?</p>]]></text>
  </questiontext>
  <generalfeedback format="html"><text><![CDATA[<p>Paris &amp; nothing else.</p>]]></text>
  </generalfeedback>
  <defaultgrade>1.0000000</defaultgrade>
  <single>true</single>
  <shuffleanswers>true</shuffleanswers>
  <answernumbering>abc</answernumbering>
  <answer fraction="100" format="html">
    <text><![CDATA[<p>Paris</p>]]></text>
    <feedback format="html"><text><![CDATA[<p>Right.</p>]]></text></feedback>
  </answer>
  <answer fraction="0" format="html">
    <text>Lyon</text>
    <feedback format="html"><text>No.</text></feedback>
  </answer>
</question>"""


def test_multichoice_single_with_html_feedback_and_explanation():
    result = read_moodle_xml(quiz(MULTICHOICE))
    assert result.ok and result.issues == []
    (parsed,) = result.questions
    assert parsed.title == "Capital"
    assert parsed.line == 3
    assert parsed.draft == QuestionDraft(
        "single",
        "Which is the capital of France?",
        choices=(ChoiceDraft("Paris", True, "Right."), ChoiceDraft("Lyon", False, "No.")),
        explanation="Paris & nothing else.",
    )


def test_multichoice_multiple_with_fractions_positive_is_correct():
    body = """<question type="multichoice">
  <name><text>Primes</text></name>
  <questiontext format="plain_text"><text>Which are prime?</text></questiontext>
  <single>false</single>
  <answer fraction="50"><text>2</text></answer>
  <answer fraction="50"><text>3</text></answer>
  <answer fraction="-25"><text>4</text></answer>
  <answer fraction="0"><text>6</text></answer>
</question>"""
    (parsed,) = read_moodle_xml(quiz(body)).questions
    assert parsed.draft.kind == "multiple"
    assert [(c.text, c.correct) for c in parsed.draft.choices] == [
        ("2", True),
        ("3", True),
        ("4", False),
        ("6", False),
    ]


def test_single_with_partial_credit_keeps_best_and_warns():
    body = """<question type="multichoice">
  <name><text>P</text></name>
  <questiontext format="html"><text>Best?</text></questiontext>
  <single>true</single>
  <answer fraction="100"><text>a</text></answer>
  <answer fraction="50"><text>b</text></answer>
  <answer fraction="0"><text>c</text></answer>
</question>"""
    result = read_moodle_xml(quiz(body))
    (parsed,) = result.questions
    assert [c.correct for c in parsed.draft.choices] == [True, False, False]
    assert [w.code for w in parsed.warnings] == ["partial_credit_dropped"]
    assert result.ok and [i.code for i in result.issues] == ["partial_credit_dropped"]


def test_truefalse_with_both_feedbacks():
    body = """<question type="truefalse">
  <name><text>Sky</text></name>
  <questiontext format="html"><text><![CDATA[The sky is <i>green</i>.]]></text></questiontext>
  <answer fraction="0" format="moodle_auto_format"><text>true</text>
    <feedback><text>It is blue.</text></feedback></answer>
  <answer fraction="100" format="moodle_auto_format"><text>false</text>
    <feedback><text>Correct.</text></feedback></answer>
</question>"""
    (parsed,) = read_moodle_xml(quiz(body)).questions
    assert parsed.draft == QuestionDraft(
        "true_false",
        "The sky is green.",
        choices=(ChoiceDraft("True", False, "It is blue."), ChoiceDraft("False", True, "Correct.")),
    )


def test_shortanswer_alternatives_keep_partial_credit():
    body = """<question type="shortanswer">
  <name><text>Planet</text></name>
  <questiontext format="html"><text>The largest planet is ____.</text></questiontext>
  <usecase>0</usecase>
  <answer fraction="100"><text>Jupiter</text></answer>
  <answer fraction="100"><text>jupiter planet</text></answer>
  <answer fraction="50"><text>Saturn</text></answer>
</question>"""
    result = read_moodle_xml(quiz(body))
    (parsed,) = result.questions
    assert parsed.draft.kind == "blank"
    assert parsed.draft.blanks == (("Jupiter", "jupiter planet", "Saturn"),)
    assert [a.credit for a in parsed.draft.answers[0]] == [100, 100, 50]
    assert parsed.warnings == ()


def test_shortanswer_without_blank_marker_gets_one():
    body = """<question type="shortanswer">
  <name><text>Q</text></name>
  <questiontext format="html"><text>Name the largest planet.</text></questiontext>
  <answer fraction="100"><text>Jupiter</text></answer>
</question>"""
    (parsed,) = read_moodle_xml(quiz(body)).questions
    assert parsed.draft.stem == "Name the largest planet. _____"
    assert parsed.draft.problems() == []
    assert [w.code for w in parsed.warnings] == ["blank_added"]


def test_numerical_keeps_its_tolerance():
    body = """<question type="numerical">
  <name><text>Pi</text></name>
  <questiontext format="html"><text>Pi to two places is ____.</text></questiontext>
  <answer fraction="100"><text>3.14</text><tolerance>0.01</tolerance></answer>
</question>"""
    (parsed,) = read_moodle_xml(quiz(body)).questions
    assert parsed.draft.blanks == (("3.14 ± 0.01",),)
    (answer,) = parsed.draft.answers[0]
    assert (answer.number, answer.tolerance, answer.credit) == (
        Decimal("3.14"),
        Decimal("0.01"),
        100,
    )
    assert parsed.warnings == ()


def test_numerical_exact_has_no_warning():
    body = """<question type="numerical">
  <name><text>Two</text></name>
  <questiontext format="html"><text>1 + 1 = ___</text></questiontext>
  <answer fraction="100"><text>2</text><tolerance>0</tolerance></answer>
</question>"""
    (parsed,) = read_moodle_xml(quiz(body)).questions
    assert parsed.draft.blanks == (("2",),) and parsed.warnings == ()


def test_nested_categories_apply_to_following_questions():
    body = (
        """<question type="category">
  <category><text>$course$/top/Economy/New ideas</text></category>
</question>
"""
        + MULTICHOICE.replace("Capital", "First")
        + """
<question type="category">
  <category><text>$system$/top/A//B/C</text></category>
</question>
"""
        + MULTICHOICE.replace("Capital", "Second")
    )
    result = read_moodle_xml(quiz(body))
    assert [(q.title, q.category) for q in result.questions] == [
        ("First", "Economy/New ideas"),
        ("Second", "A/B/C"),
    ]


def test_tags_are_read():
    body = MULTICHOICE.replace(
        "</question>",
        "<tags><tag><text>geo</text></tag><tag><text>eu</text></tag></tags></question>",
    )
    (parsed,) = read_moodle_xml(quiz(body)).questions
    assert parsed.draft.tags == ("geo", "eu")


@pytest.mark.parametrize(
    "qtype", ["matching", "essay", "description", "multianswer", "ddwtos", "calculated"]
)
def test_unsupported_types_are_reported_with_line_and_title(qtype):
    body = (
        MULTICHOICE
        + f"""
<question type="{qtype}">
  <name><text>Other kind</text></name>
  <questiontext format="html"><text>Whatever</text></questiontext>
</question>"""
    )
    result = read_moodle_xml(quiz(body))
    assert len(result.questions) == 1
    (issue,) = result.issues
    assert (issue.code, issue.severity, issue.title) == ("unsupported_type", "error", "Other kind")
    assert issue.line == 3 + MULTICHOICE.count("\n") + 1


def test_html_conversion_keeps_breaks_and_unescapes():
    text, images = html_to_text(
        "<p>One&nbsp;&lt;two&gt;</p><p>Three<br/>four <script>alert(1)</script>"
        '<img src="@@PLUGINFILE@@/x.png"></p>'
    )
    assert text == "One <two>\nThree\nfour"
    assert images == 1


def test_image_dropped_is_warned():
    body = MULTICHOICE.replace("France?</p>", 'France?<img src="a.png"></p>')
    (parsed,) = read_moodle_xml(quiz(body)).questions
    assert [w.code for w in parsed.warnings] == ["image_dropped"]


def test_bytes_input_with_declared_encoding():
    data = quiz(MULTICHOICE.replace("Paris", "巴黎")).replace("UTF-8", "GB18030")
    (parsed,) = read_moodle_xml(data.encode("gb18030")).questions
    assert parsed.draft.choices[0].text == "巴黎"
    # Already decoded text with a declaration naming another encoding also reads.
    (parsed,) = read_moodle_xml(data).questions
    assert parsed.draft.choices[0].text == "巴黎"


def test_malformed_xml_is_located():
    data = quiz(MULTICHOICE).replace("</generalfeedback>", "</generalfeedbak>")
    result = read_moodle_xml(data)
    assert result.questions == []
    (issue,) = result.issues
    assert issue.code == "bad_xml"
    assert issue.line == 9


def test_wrong_root_is_bad_xml():
    result = read_moodle_xml("<questions></questions>")
    assert [i.code for i in result.issues] == ["bad_xml"]


def test_bad_fraction_is_bad_weight():
    body = MULTICHOICE.replace('fraction="0"', 'fraction="lots"')
    result = read_moodle_xml(quiz(body))
    assert result.questions == []
    assert [(i.code, i.line) for i in result.issues] == [("bad_weight", 3)]


def test_unusable_question_reports_draft_problem():
    body = """<question type="multichoice">
  <name><text>Lonely</text></name>
  <questiontext format="html"><text>Only one?</text></questiontext>
  <single>true</single>
  <answer fraction="100"><text>yes</text></answer>
</question>"""
    result = read_moodle_xml(quiz(body))
    assert result.questions == []
    assert [(i.code, i.line, i.title) for i in result.issues] == [("too_few_choices", 3, "Lonely")]


EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><name><text>&xxe;</text></name></question></quiz>
"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<quiz><question type="shortanswer"><name><text>&lol9;</text></name></question></quiz>
"""


@pytest.mark.parametrize("data", [EXTERNAL_ENTITY, BILLION_LAUGHS], ids=["xxe", "laughs"])
def test_unsafe_xml_is_refused_quickly(data):
    start = time.perf_counter()
    result = read_moodle_xml(data.encode())
    assert time.perf_counter() - start < 0.2
    assert result.questions == []
    (issue,) = result.issues
    assert (issue.code, issue.line, issue.severity) == ("unsafe_xml", 1, "error")


def test_internal_dtd_without_entities_is_also_refused():
    result = read_moodle_xml('<?xml version="1.0"?><!DOCTYPE quiz><quiz></quiz>')
    assert [i.code for i in result.issues] == ["unsafe_xml"]


DRAFTS = [
    QuestionDraft(
        "single",
        "Which <tag> & 'quote' is right?\nSecond line",
        choices=(ChoiceDraft("A & B", True, "Yes!"), ChoiceDraft("]]> tricky", False, "No")),
        explanation="Because\nof reasons.",
        tags=("geo",),
    ),
    QuestionDraft(
        "multiple",
        "Pick the primes",
        choices=(
            ChoiceDraft("2", True),
            ChoiceDraft("3", True),
            ChoiceDraft("5", True),
            ChoiceDraft("4"),
        ),
    ),
    QuestionDraft(
        "multiple",
        "All correct",
        choices=(ChoiceDraft("x", True), ChoiceDraft("y", True)),
    ),
    QuestionDraft(
        "true_false",
        "The sky is green.",
        choices=(ChoiceDraft("True", False, "It is blue."), ChoiceDraft("False", True)),
    ),
    QuestionDraft("blank", "The largest planet is ____.", blanks=(("Jupiter", "木星"),)),
    QuestionDraft("single", "中文题干（ ）", choices=(ChoiceDraft("甲", True), ChoiceDraft("乙"))),
]


def test_round_trip_every_kind():
    xml = write_moodle_xml(DRAFTS, category="Economy/Ideas")
    result = read_moodle_xml(xml)
    assert result.issues == []
    assert [q.draft for q in result.questions] == DRAFTS
    assert {q.category for q in result.questions} == {"Economy/Ideas"}


def test_writer_fractions_follow_moodle_grades():
    xml = write_moodle_xml(DRAFTS[1:2])
    assert xml.count('fraction="33.33333"') == 3
    assert xml.count('fraction="-100"') == 1


def test_chinese_true_false_labels_stay_chinese():
    draft = QuestionDraft(
        "true_false", "天是绿的。", choices=(ChoiceDraft("正确"), ChoiceDraft("错误", True))
    )
    (parsed,) = read_moodle_xml(write_moodle_xml([draft])).questions
    assert parsed.draft == draft


def test_several_blanks_are_skipped_with_a_comment():
    drafts = [
        QuestionDraft("blank", "___ and ___", blanks=(("a",), ("b",))),
        DRAFTS[0],
    ]
    xml = write_moodle_xml(drafts)
    assert "question 1 skipped: several_blanks" in xml
    assert [q.draft for q in read_moodle_xml(xml).questions] == [DRAFTS[0]]


def test_latin1_and_unknown_encodings():
    data = quiz(MULTICHOICE.replace("Lyon", "Orléans")).replace("UTF-8", "ISO-8859-1")
    (parsed,) = read_moodle_xml(data.encode("latin-1")).questions
    assert parsed.draft.choices[1].text == "Orléans"
    result = read_moodle_xml(quiz(MULTICHOICE).replace("UTF-8", "no-such-codec").encode())
    assert [(i.code, i.line) for i in result.issues] == [("bad_xml", 1)]
