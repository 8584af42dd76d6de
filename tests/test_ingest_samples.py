"""The two real sample documents through ingest: their mess (metadata lines, a dateline, a
photo caption, web-page leftovers, NBSP, U+2028, ○ for 〇) cleaned into good text.

The English editorial ships with the demo; the Chinese report is read from
``../shared/samples/`` beside the project and its tests skip where that folder is absent.
"""

import textwrap
from pathlib import Path

import pytest

from quizzes.ingest import clean_text, extract

PROJECT = Path(__file__).resolve().parents[1]
EDITORIAL = PROJECT / "quizzes" / "demo" / "tianjin-12th-congress-editorial.en.txt"
REPORT = PROJECT.parent / "shared" / "samples" / "19th-national-congress-report.zh.txt"


@pytest.fixture(scope="module")
def editorial() -> bytes:
    return EDITORIAL.read_bytes()


@pytest.fixture(scope="module")
def report() -> bytes:
    if not REPORT.exists():
        pytest.skip(f"the Chinese sample is not there: {REPORT} (it lives in ../shared/samples/)")
    return REPORT.read_bytes()


# --- the English editorial ----------------------------------------------------------------


def test_editorial_keeps_its_title_and_paragraphs_and_drops_the_source_line(editorial):
    extracted = extract(editorial, EDITORIAL.name)
    paragraphs = extracted.text.split("\n\n")
    assert paragraphs[0] == (
        "Fully Shaping New Advantages of High Quality Development -- On Learning, Propaganda, "
        "and Implementing the Spirit of the 12th Municipal Party Congress"
    )
    assert extracted.title == "Fully Shaping New Advantages of High Quality Development"
    assert "Article source" not in extracted.text
    assert "Release time" not in extracted.text
    assert paragraphs[1].startswith("High quality development is the only way")
    assert len(paragraphs) == 6  # the title and five one-line paragraphs
    assert extracted.warnings == ["metadata_removed"]
    assert extracted.encoding == "utf-8"


def test_editorial_key_phrases_survive_cleaning(editorial):
    text = extract(editorial, "editorial.txt").text
    for phrase in (
        '"one base and three districts"',
        "next five years",
        "12th Party Congress",
        "innovation, coordination, green, openness, and sharing",
    ):
        assert phrase in text


def test_editorial_hard_wrapped_is_rejoined_to_the_same_paragraphs(editorial):
    clean = clean_text(editorial.decode())
    for width in (60, 72, 100):
        wrapped = "\n\n".join("\n".join(textwrap.wrap(p, width)) for p in clean.split("\n\n"))
        assert clean_text(wrapped) == clean


# --- the Chinese 19th report --------------------------------------------------------------


def test_report_loses_its_dateline_caption_and_page_leftovers(report):
    extracted = extract(report, REPORT.name)
    text = extracted.text
    paragraphs = text.split("\n\n")
    assert extracted.title == "决胜全面建成小康社会 夺取新时代中国特色社会主义伟大胜利"
    assert paragraphs[0].startswith("决胜全面建成小康社会 夺取新时代中国特色社会主义伟大胜利")
    assert paragraphs[1:3] == ["同志们：", "现在，我代表第十八届中央委员会向大会作报告。"]
    assert "新华社北京10月27日电" not in text
    assert "鞠鹏" not in text  # the photo caption
    for leftover in ("责任编辑", "我要纠错", "扫一扫", "相关稿件", "国务院客户端", "回到 顶部"):
        assert leftover not in text
    assert paragraphs[-1].startswith("大道之行，天下为公。")
    assert len(paragraphs) == 172  # the title and the report's 171 one-line paragraphs
    assert set(extracted.warnings) == {
        "page_chrome_removed",
        "captions_removed",
        "datelines_removed",
    }


def test_report_characters_are_normalised(report):
    text = extract(report, "report.txt").text
    for char in ("\xa0", "\u3000", "\u2028", "○", "\r"):
        assert char not in text
    assert text.count("〇") == 13
    assert "从现在到二〇二〇年" in text
    assert "\n\n\n" not in text
    assert all(p == p.strip() and p for p in text.split("\n\n"))


@pytest.mark.parametrize(
    ("codec", "encoding"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")],
)
def test_report_reads_the_same_in_each_encoding(report, codec, encoding):
    expected = extract(report, "report.txt").text
    extracted = extract(report.decode("utf-8").encode(codec), "report.txt")
    assert extracted.encoding == encoding
    assert extracted.text == expected


def test_report_paragraph_in_gbk(report):
    paragraph = next(p for p in report.decode().split("\n") if p.startswith("从现在到二○二○年"))
    extracted = extract(paragraph.encode("gbk"), "paragraph.txt")
    assert extracted.encoding == "gb18030"
    assert extracted.text == paragraph.replace("○", "〇")


@pytest.mark.parametrize("layout", ["blank lines", "indented"])
def test_report_hard_wrapped_is_rejoined_to_the_same_paragraphs(report, layout):
    clean = clean_text(report.decode())
    blocks = ["\n".join(p[i : i + 36] for i in range(0, len(p), 36)) for p in clean.split("\n\n")]
    if layout == "blank lines":
        wrapped = "\n\n".join(blocks)
    else:
        wrapped = "\n".join("\u3000\u3000" + block for block in blocks)
    assert clean_text(wrapped) == clean


# --- the same document in every format ----------------------------------------------------


def test_editorial_gives_the_same_text_from_every_format(editorial):
    from xml.sax.saxutils import escape

    from tests.test_ingest_files import make_docx, make_text_pdf

    expected = extract(editorial, "editorial.txt").text
    lines = editorial.decode().split("\n")
    docx = make_docx([escape(line) for line in lines])
    page = "<html><body>" + "".join(f"<p>{escape(line)}</p>" for line in lines) + "</body></html>"
    markdown = "\n\n".join(lines)
    for data, filename in (
        (docx, "editorial.docx"),
        (page.encode(), "editorial.html"),
        (markdown.encode(), "editorial.md"),
    ):
        assert extract(data, filename).text == expected, filename

    # A PDF has no blank lines between paragraphs: wrapped lines that end a sentence may end
    # a paragraph too. The words and their order are the same.
    wrapped = [line for p in expected.split("\n\n") for line in textwrap.wrap(p, 95)]
    pages = [wrapped[i : i + 55] for i in range(0, len(wrapped), 55)]
    from_pdf = extract(make_text_pdf(pages), "editorial.pdf")
    assert from_pdf.pages == len(pages) > 1
    assert from_pdf.text.split() == expected.split()
