"""The Excel/CSV question template: every column, kind name, answer form, header variant
and file-level refusal, and round trips through .xlsx and CSV. No database."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.formats import read_upload
from quizzes.formats.spreadsheet import (
    COLUMNS,
    export_csv,
    export_xlsx,
    read_csv,
    read_xlsx,
    sheet_problem,
    template_xlsx,
    write_csv,
    write_xlsx,
)

ZH_HEADER = "题型,题干,选项A,选项B,选项C,选项D,答案,解析,难度,知识点"


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_rows(*lines: str, header: str = ZH_HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def one(text: str):
    result = read_csv(text)
    assert result.errors == [], result.errors
    assert len(result.questions) == 1
    return result.questions[0]


# --- kinds and answers --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["单选", "单选题", "单项选择题", "single", "Single choice", "SC"])
def test_single_choice_kind_names(kind: str) -> None:
    parsed = one(csv_rows(f"{kind},首都是？,上海,北京,广州,,B,,,"))
    assert parsed.draft == QuestionDraft(
        "single",
        "首都是？",
        choices=(ChoiceDraft("上海"), ChoiceDraft("北京", True), ChoiceDraft("广州")),
    )
    assert parsed.line == 2


@pytest.mark.parametrize("answer", ["ABD", "A,B,D", "A、B、D", "a b d", "ABD。", "A，B，D"])
def test_multiple_choice_answer_forms(answer: str) -> None:
    parsed = one(csv_rows(f'多选,选出质数,2,3,4,5,"{answer}",,,'))
    assert parsed.draft.kind == "multiple"
    assert [c.correct for c in parsed.draft.choices] == [True, True, False, True]


@pytest.mark.parametrize("kind", ["多选", "多选题", "多项选择题", "multiple", "Multiple choice"])
def test_multiple_choice_kind_names_allow_one_right_answer(kind: str) -> None:
    parsed = one(csv_rows(f"{kind},哪个对？,甲,乙,,,A,,,"))
    assert parsed.draft.kind == "multiple"
    assert [c.correct for c in parsed.draft.choices] == [True, False]


@pytest.mark.parametrize(
    ("answer", "truth"),
    [
        ("对", True),
        ("错", False),
        ("√", True),
        ("×", False),
        ("正确", True),
        ("错误", False),
        ("T", True),
        ("F", False),
        ("TRUE", True),
        ("false", False),
    ],
)
def test_true_false_answer_words(answer: str, truth: bool) -> None:
    parsed = one(csv_rows(f"判断,中国式现代化是人口规模巨大的现代化。,,,,,{answer},,,"))
    assert parsed.draft.choices == (ChoiceDraft("正确", truth), ChoiceDraft("错误", not truth))


@pytest.mark.parametrize("kind", ["判断", "判断题", "是非题", "true_false", "True/False", "TF"])
def test_true_false_kind_names_and_english_labels(kind: str) -> None:
    parsed = one(csv_rows(f"{kind},Water is wet.,,,,,T,,,"))
    assert parsed.draft.kind == "true_false"
    assert parsed.draft.choices == (ChoiceDraft("True", True), ChoiceDraft("False"))


def test_true_false_with_own_labels_as_options_and_a_letter() -> None:
    parsed = one(csv_rows("判断,地球是圆的。,是,否,,,A,,,"))
    assert parsed.draft.choices == (ChoiceDraft("是", True), ChoiceDraft("否"))
    # A truth word picks the option meaning "true" or "false".
    parsed = one(csv_rows("判断,地球是方的。,对,错,,,错,,,"))
    assert parsed.draft.choices == (ChoiceDraft("对"), ChoiceDraft("错", True))


@pytest.mark.parametrize("kind", ["填空", "填空题", "blank", "Fill in the blank"])
def test_blank_kind_names(kind: str) -> None:
    parsed = one(csv_rows(f"{kind},中国共产党成立于____年。,,,,,1921,,,"))
    assert parsed.draft == QuestionDraft("blank", "中国共产党成立于____年。", blanks=(("1921",),))


def test_blank_alternatives_and_several_blanks() -> None:
    parsed = one(csv_rows("填空,坚持____发展、____发展。,,,,,创新|革新；协调,,,"))
    assert parsed.draft.blanks == (("创新", "革新"), ("协调",))
    parsed = one(csv_rows('填空,"A ____ B ____",,,,,"x;y|z",,,'))
    assert parsed.draft.blanks == (("x",), ("y", "z"))
    # With one blank, "；" separates alternatives too.
    parsed = one(csv_rows("填空,首都是____。,,,,,北京；Beijing|北京市,,,"))
    assert parsed.draft.blanks == (("北京", "Beijing", "北京市"),)


def test_blank_brackets_become_blanks_and_a_missing_blank_is_added() -> None:
    parsed = one(csv_rows("填空,我们党的根本宗旨是（ ）。,,,,,全心全意为人民服务,,,"))
    assert parsed.draft.stem == "我们党的根本宗旨是____。"
    parsed = one(csv_rows("填空,The capital of France,,,,,Paris,,,"))
    assert parsed.draft.stem == "The capital of France ____"
    assert [w.code for w in parsed.warnings] == ["blank_added"]
    assert parsed.warnings[0].line == 2


def test_numbers_in_cells_are_read_as_text_without_a_trailing_zero() -> None:
    data = xlsx([["题型", "题干", "答案", "难度"], ["填空", "一年有____个月。", 12, 2.0]])
    result = read_xlsx(data)
    assert result.errors == []
    draft = result.questions[0].draft
    assert draft.blanks == (("12",),)
    assert draft.difficulty == 2


# --- other columns ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "difficulty"),
    [("", 3), ("1", 1), ("5", 5), ("易", 2), ("中", 3), ("难", 4), ("很难", 5), ("Hard", 4)],
)
def test_difficulty_values(cell: str, difficulty: int) -> None:
    parsed = one(csv_rows(f"单选,Q?,a,b,,,A,,{cell},"))
    assert parsed.draft.difficulty == difficulty


@pytest.mark.parametrize("cell", ["7", "0", "很简单吧"])
def test_bad_difficulty_is_a_warning_and_three(cell: str) -> None:
    parsed = one(csv_rows(f"单选,Q?,a,b,,,A,,{cell},"))
    assert parsed.draft.difficulty == 3
    assert [w.code for w in parsed.warnings] == ["bad_difficulty"]


def test_explanation_and_key_point_columns() -> None:
    parsed = one(csv_rows('单选,Q?,a,b,,,B,因为如此。,2,"要点一\n要点二"'))
    assert parsed.draft.explanation == "因为如此。"
    assert parsed.draft.tags == ("要点一", "要点二")


def test_options_up_to_h_and_gaps() -> None:
    header = "Kind,Stem," + ",".join(f"Option {x}" for x in "ABCDEFGH") + ",Answer"
    parsed = one(csv_rows("single,Q?,a,b,c,d,e,f,g,h,H", header=header))
    assert len(parsed.draft.choices) == 8 and parsed.draft.choices[7].correct
    parsed = one(csv_rows("single,Q?,a,,c,,,,,,C", header=header))
    assert [c.text for c in parsed.draft.choices] == ["a", "c"]
    assert [w.code for w in parsed.warnings] == ["options_gap"]


def test_empty_kind_is_inferred() -> None:
    text = csv_rows(
        ",选哪个？,甲,乙,,,B,,,",
        ",选哪些？,甲,乙,丙,,AC,,,",
        ",天是蓝的。,,,,,对,,,",
        ",一加一等于____。,,,,,2,,,",
    )
    result = read_csv(text)
    assert result.issues == []
    assert [q.draft.kind for q in result.questions] == ["single", "multiple", "true_false", "blank"]


@pytest.mark.parametrize(
    "header",
    [
        "Kind,Stem,Option A,Option B,Answer,Explanation,Difficulty,Key point",
        "Type,Question,A,B,Answer,Feedback,Level,Topic",
        "type,question,option_a,OPTION_B,correct answer,explanation,difficulty,keypoint",
        "题型,题目,选项Ａ,选项 B,正确答案,答案解析,难易程度,考点",
        "题型*,题干*,选项A,选项B,答案*,解析,难度（1-5）,知识点",
    ],
)
def test_english_and_variant_headers(header: str) -> None:
    parsed = one(csv_rows("single,Q?,x,y,B,why,4,kp", header=header))
    assert parsed.draft == QuestionDraft(
        "single",
        "Q?",
        choices=(ChoiceDraft("x"), ChoiceDraft("y", True)),
        explanation="why",
        difficulty=4,
        tags=("kp",),
    )


def test_header_below_a_title_row_and_empty_rows_skipped() -> None:
    data = xlsx(
        [
            ["第一单元练习题"],
            [],
            ["题型", "题干", "选项A", "选项B", "答案"],
            [],
            ["单选", "Q1?", "a", "b", "A"],
            [None, None],
            ["单选", "Q2?", "a", "b", "B"],
        ]
    )
    result = read_xlsx(data)
    assert result.issues == []
    assert [q.line for q in result.questions] == [5, 7]


def test_unknown_columns_are_ignored_with_one_warning_at_the_header() -> None:
    result = read_csv(csv_rows("单选,Q?,a,b,A,,,,", header="题型,题干,选项A,选项B,答案,分值,,,"))
    assert [q.draft.stem for q in result.questions] == ["Q?"]
    assert [(i.line, i.code, i.severity) for i in result.issues] == [
        (1, "ignored_columns", "warning")
    ]
    assert "分值" in result.issues[0].message


# --- errors: located, the row dropped, the others read -----------------------------------------


def test_missing_required_columns_is_one_located_error_listing_them() -> None:
    data = xlsx([["说明：请按模板填写"], ["题型", "选项A", "选项B"], ["单选", "a", "b"]])
    result = read_xlsx(data)
    assert result.questions == []
    assert len(result.issues) == 1
    issue = result.issues[0]
    assert (issue.line, issue.severity, issue.code) == (2, "error", "missing_columns")
    assert "题干" in issue.message and "答案" in issue.message
    assert "题型" in issue.message  # what the row has, to compare


def test_a_sheet_without_any_header_is_a_missing_columns_error() -> None:
    result = read_csv("1,2,3\n4,5,6\n")
    assert [(i.line, i.code) for i in result.issues] == [(1, "missing_columns")]


def test_duplicate_column_is_an_error() -> None:
    result = read_csv("题干,答案,答案\nQ?,A,B\n")
    assert [(i.line, i.code) for i in result.errors] == [(1, "duplicate_column")]
    assert result.questions == []


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ("问答,请论述。,,,,,无,,,", "unknown_kind"),
        ("单选,,a,b,,,A,,,", "empty_stem"),
        ("单选,Q?,a,b,,,,,,", "empty_answers"),
        ("单选,Q?,a,b,,,C,,,", "bad_answer"),
        ("单选,Q?,a,b,,,AB,,,", "bad_answer"),
        ("单选,Q?,a,b,,,对,,,", "bad_answer"),
        ("判断,Q?,,,,,也许,,,", "bad_answer"),
        ("多选,Q?,a,b,,,X,,,", "bad_answer"),
        ("填空,A____B____,,,,,x；y；z,,,", "blank_count_mismatch"),
        ("单选,Q?,a,,,,A,,,", "too_few_choices"),
        ("单选,Q?,a,a,,,A,,,", "duplicate_choices"),
        ("判断,Q?,a,b,c,,A,,,", "true_false_needs_two_choices_one_correct"),
    ],
)
def test_row_errors_are_located_and_the_other_rows_are_read(row: str, code: str) -> None:
    result = read_csv(csv_rows("单选,Good?,a,b,,,A,,,", row, "单选,Also good?,a,b,,,B,,,"))
    assert [q.line for q in result.questions] == [2, 4]
    assert [(i.line, i.code, i.severity) for i in result.issues] == [(3, code, "error")]
    assert result.issues[0].message


def test_unknown_kind_message_names_the_kind_and_the_known_ones() -> None:
    result = read_csv(csv_rows("问答题,Q?,,,,,x,,,"))
    message = result.issues[0].message
    assert "问答题" in message and "单选" in message and "single" in message


# --- CSV encodings and shapes -------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings_are_detected(encoding: str) -> None:
    text = csv_rows("单选,中国共产党的根本宗旨是？,实事求是,全心全意为人民服务,,,B,,,")
    result = read_csv(text.encode(encoding))
    assert result.issues == []
    assert result.questions[0].draft.choices[1].text == "全心全意为人民服务"


def test_csv_in_an_unknown_encoding_is_refused_clearly() -> None:
    text = csv_rows("单选,中国共产党的根本宗旨是？,实事求是,全心全意为人民服务,,,B,,,")
    result = read_csv(text.encode("utf-16-le"))
    assert result.questions == []
    assert [(i.line, i.code) for i in result.issues] in ([(1, "bad_encoding")], [(1, "wrong_type")])
    result = read_csv(b"\xff\xfe\x00\x81" * 50)
    assert [i.code for i in result.issues] in (["bad_encoding"], ["wrong_type"])


def test_tab_separated_text_and_multiline_cells_keep_record_numbers() -> None:
    text = '题型\t题干\t选项A\t选项B\t答案\n单选\t"第一行\n第二行"\ta\tb\tA\n单选\tQ?\ta\tb\tZ\n'
    result = read_csv(text)
    assert result.questions[0].draft.stem == "第一行\n第二行"
    assert [(i.line, i.code) for i in result.errors] == [(3, "bad_answer")]


# --- .xlsx files ------------------------------------------------------------------------------


def test_old_xls_and_non_workbooks_are_refused() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert [i.code for i in read_xlsx(ole).issues] == ["wrong_type"]
    assert [i.code for i in read_xlsx(b"hello, world").issues] == ["wrong_type"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    assert [i.code for i in read_xlsx(archive.getvalue()).issues] == ["corrupt"]


def test_zip_bomb_workbook_is_refused_before_unpacking() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 * 1024 * 1024))
    assert [i.code for i in read_xlsx(archive.getvalue()).issues] == ["archive_bomb"]


def test_formula_cells_give_their_cached_value_and_formula_like_text_stays_text() -> None:
    data, skipped = export_xlsx(
        [
            QuestionDraft(
                "single",
                '=HYPERLINK("http://evil")',
                choices=(ChoiceDraft("+1", True), ChoiceDraft("-1"), ChoiceDraft("@x")),
            )
        ]
    )
    assert skipped == []
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    stem = sheet.cell(row=2, column=2)
    assert stem.data_type == "s" and stem.value.startswith("=HYPERLINK")
    assert stem.quotePrefix
    assert all(sheet.cell(row=2, column=c).data_type == "s" for c in (3, 4, 5))
    assert read_xlsx(data).questions[0].draft.stem == '=HYPERLINK("http://evil")'


def test_csv_writer_neutralises_formulas_and_the_reader_restores_the_text() -> None:
    drafts = [
        QuestionDraft(
            "single",
            "=1+1",
            choices=(ChoiceDraft("-2", True), ChoiceDraft("'=quoted"), ChoiceDraft("@sum")),
        )
    ]
    text = write_csv(drafts)
    assert "'=1+1" in text and "'-2" in text and "''=quoted" in text and "'@sum" in text
    assert [q.draft for q in read_csv(text).questions] == drafts


# --- writing and round trips ----------------------------------------------------------------------

ROUND_TRIP = [
    QuestionDraft(
        "single",
        "中国共产党的根本宗旨是什么？",
        choices=(ChoiceDraft("实事求是"), ChoiceDraft("全心全意为人民服务", True)),
        explanation="党章总纲。",
        difficulty=2,
        tags=("党的宗旨",),
    ),
    QuestionDraft(
        "multiple",
        "Which are prime?\nPick all.",
        choices=tuple(ChoiceDraft(str(n), n in (2, 3, 5, 7)) for n in range(2, 10)),
        difficulty=5,
    ),
    QuestionDraft(
        "true_false", "天是蓝的。", choices=(ChoiceDraft("正确"), ChoiceDraft("错误", True))
    ),
    QuestionDraft(
        "true_false", "Sky is blue.", choices=(ChoiceDraft("True", True), ChoiceDraft("False"))
    ),
    QuestionDraft(
        "true_false", "Own labels", choices=(ChoiceDraft("Yes"), ChoiceDraft("No", True))
    ),
    QuestionDraft(
        "blank", "一年有____个月，____天。", blanks=(("12", "十二"), ("365",)), difficulty=1
    ),
    QuestionDraft("blank", "The capital is ____.", blanks=(("Paris",),), explanation="France."),
]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_xlsx_round_trip_gives_equal_drafts(language: str) -> None:
    data, skipped = export_xlsx(ROUND_TRIP, language=language)
    assert skipped == []
    result = read_xlsx(data)
    assert result.issues == []
    assert [q.draft for q in result.questions] == ROUND_TRIP
    assert [q.line for q in result.questions] == list(range(2, 2 + len(ROUND_TRIP)))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_csv_round_trip_gives_equal_drafts(language: str) -> None:
    text, skipped = export_csv(ROUND_TRIP, language=language)
    assert skipped == []
    assert [q.draft for q in read_csv(text).questions] == ROUND_TRIP
    assert [q.draft for q in read_csv(("\ufeff" + text).encode("utf-8")).questions] == ROUND_TRIP


def test_headers_written_follow_the_language() -> None:
    assert write_csv([], language="zh").splitlines()[0].startswith("题型,题干,选项A")
    assert write_csv([], language="en").splitlines()[0].startswith("Kind,Stem,Option A")
    assert len(COLUMNS) == 14


def test_drafts_a_sheet_cannot_hold_are_skipped_with_their_indexes() -> None:
    nine = QuestionDraft(
        "single", "Nine?", choices=tuple(ChoiceDraft(str(n), n == 0) for n in range(9))
    )
    piped = QuestionDraft("blank", "x ____", blanks=(("a|b",),))
    broken = QuestionDraft("single", "", choices=())
    assert sheet_problem(nine) == "too_many_choices"
    assert sheet_problem(piped) == "blank_separator"
    assert sheet_problem(broken) == "invalid_draft"
    assert sheet_problem(ROUND_TRIP[0]) is None
    _data, skipped = export_xlsx([nine, ROUND_TRIP[0], piped, broken])
    assert skipped == [0, 2, 3]
    assert len(read_xlsx(write_xlsx([nine, ROUND_TRIP[0]])).questions) == 1


@pytest.mark.parametrize("language", ["zh", "en"])
def test_template_has_a_header_an_example_per_kind_and_help(language: str) -> None:
    data = template_xlsx(language=language)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet, notes = workbook.worksheets
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == (
        ["题型", "题干", "选项A"] if language == "zh" else ["Kind", "Stem", "Option A"]
    )
    assert all(cell.comment is not None for cell in sheet[1])
    assert notes.max_row >= 8
    assert sheet.data_validations.dataValidation  # the kind drop-down
    result = read_xlsx(data)
    assert result.issues == []
    assert [q.draft.kind for q in result.questions] == ["single", "multiple", "true_false", "blank"]


def test_read_upload_picks_the_sheet_readers() -> None:
    fmt, result = read_upload(write_xlsx(ROUND_TRIP), "题库.xlsx")
    assert fmt == "xlsx" and len(result.questions) == len(ROUND_TRIP)
    fmt, result = read_upload(write_csv(ROUND_TRIP).encode("gb18030"), "bank.CSV")
    assert fmt == "csv" and len(result.questions) == len(ROUND_TRIP)
