"""Ingest of uploaded files: each format read, each refusal given, limits enforced.

Every file here is built by the test itself (zip archives with zipfile, PDFs by hand or
with pypdf's writer), so no binary fixture is committed.
"""

import io
import os
import pickle
import random
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from quizzes.ingest import (
    MESSAGES,
    WARNINGS,
    Extracted,
    IngestError,
    IngestLimits,
    extract,
)
from quizzes.ingest.charset import decode_text

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
ZH_PARAGRAPH = (
    "从现在到二〇二〇年，是全面建成小康社会决胜期。要按照十六大、十七大、十八大提出的"
    "全面建成小康社会各项要求，紧扣我国社会主要矛盾变化，统筹推进经济建设、政治建设、"
    "文化建设、社会建设、生态文明建设。"
)


# --- builders -----------------------------------------------------------------------------


def make_zip(entries, *, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def paragraph_xml(text, style=None):
    style_xml = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{style_xml}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def document_xml(body):
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}" xmlns:mc="{MC_NS}"><w:body>{body}</w:body></w:document>'
    )


def make_docx(paragraphs=(), *, body=None, extra=None):
    """A minimal valid .docx: [Content_Types].xml and word/document.xml."""
    if body is None:
        body = "".join(
            paragraph_xml(*p) if isinstance(p, tuple) else paragraph_xml(p) for p in paragraphs
        )
    entries = {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": document_xml(body)}
    entries.update(extra or {})
    return make_zip(entries)


def make_text_pdf(pages, *, cjk=False, info_title=None, pad_to=None):
    """A PDF with a real text layer, written by hand: one content stream per page showing
    each line. ASCII uses Helvetica; CJK uses a Type0 font with a ToUnicode map. With
    ``pad_to``, content streams are padded with spaces to that size and Flate-compressed."""
    objects = [b"", b""]  # 1: catalog, 2: page tree (filled in last)

    def add(body):
        objects.append(body)
        return len(objects)

    if cjk:
        chars = sorted({ch for page in pages for line in page for ch in line})
        cid = {ch: i + 1 for i, ch in enumerate(chars)}
        cmap = "\n".join(
            [
                "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
                "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
                "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
                "1 begincodespacerange <0000> <FFFF> endcodespacerange",
                f"{len(chars)} beginbfchar",
                *(f"<{cid[ch]:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for ch in chars),
                "endbfchar endcmap CMapName currentdict /CMap defineresource pop end end",
            ]
        ).encode()
        to_unicode = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap))
        descriptor = add(
            b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -200 1000 900]"
            b" /ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>"
        )
        descendant = add(
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo"
            b" << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
            b" /FontDescriptor %d 0 R /DW 1000 /CIDToGIDMap /Identity >>" % descriptor
        )
        font = add(
            b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H"
            b" /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (descendant, to_unicode)
        )

        def show(line):
            return b"<" + "".join(f"{cid[ch]:04X}" for ch in line).encode() + b"> Tj"
    else:
        font = add(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
        )

        def show(line):
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            return b"(" + escaped.encode("latin-1") + b") Tj"

    page_ids = []
    for lines in pages:
        stream = b"\n".join(
            [b"BT /F1 10 Tf 13 TL 40 800 Td", *(show(line) + b" T*" for line in lines), b"ET"]
        )
        stream_filter = b""
        if pad_to is not None:
            stream = zlib.compress(stream.ljust(pad_to), 9)
            stream_filter = b" /Filter /FlateDecode"
        content = add(
            b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(stream), stream_filter, stream)
        )
        page_ids.append(
            add(
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
                b" /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font, content)
            )
        )
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kids = b" ".join(b"%d 0 R" % page_id for page_id in page_ids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))
    info = None
    if info_title is not None:
        info = add(b"<< /Title (%s) >>" % info_title.encode("latin-1"))

    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"/Size %d /Root 1 0 R" % (len(objects) + 1)
    if info is not None:
        trailer += b" /Info %d 0 R" % info
    out += b"trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)


def blank_pdf(pages=1):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted(pdf, *, user_password, owner_password=None, algorithm="RC4-128"):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password, owner_password, algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def refusal(data, filename, **limits):
    with pytest.raises(IngestError) as caught:
        extract(data, filename, limits=IngestLimits(**limits))
    return caught.value


# --- plain text ---------------------------------------------------------------------------


def test_utf8_text_is_read_as_utf8():
    extracted = extract(("学习报告\n\n" + ZH_PARAGRAPH).encode("utf-8"), "notes.txt")
    assert isinstance(extracted, Extracted)
    assert extracted.format == "txt"
    assert extracted.encoding == "utf-8"
    assert extracted.text == "学习报告\n\n" + ZH_PARAGRAPH
    assert extracted.title == "学习报告"
    assert extracted.pages is None


def test_utf8_with_bom_is_read_and_the_bom_dropped():
    extracted = extract(b"\xef\xbb\xbf" + ZH_PARAGRAPH.encode("utf-8"), "notes.txt")
    assert extracted.encoding == "utf-8-sig"
    assert extracted.text == ZH_PARAGRAPH


@pytest.mark.parametrize("codec", ["gb18030", "gbk", "gb2312"])
def test_gb_family_text_is_read_as_gb18030(codec):
    # GB2312 lacks 〇 (U+3007), which is why ○ gets typed for it; cleaning restores 〇.
    extracted = extract(ZH_PARAGRAPH.replace("〇", "○").encode(codec), "报告.txt")
    assert extracted.encoding == "gb18030"
    assert extracted.text == ZH_PARAGRAPH
    assert "encoding_uncertain" not in extracted.warnings


def test_gb18030_only_characters_are_read():
    # A character outside GBK, encoded with GB18030's four-byte form.
    text = "生僻字𠀀在此。" + ZH_PARAGRAPH
    assert len(text.encode("gb18030")) > len(text.encode("gbk", errors="ignore"))
    assert extract(text.encode("gb18030"), "a.txt").text == text


# UTF-8 cut in a character, or with a damaged byte, must not be "read" as GB18030: it
# decodes as GB18030 (nearly anything does) into plausible-looking GB2312 mojibake.


def test_utf8_cut_in_its_last_character_is_read_without_it_and_says_so():
    data = ("学习报告\n\n" + ZH_PARAGRAPH).encode("utf-8")[:-1]  # half of "。"

    extracted = extract(data, "notes.txt")

    assert extracted.encoding == "utf-8"
    assert extracted.text == "学习报告\n\n" + ZH_PARAGRAPH[:-1]
    assert extracted.warnings[:1] == ["utf8_truncated"]
    assert "cut off" in WARNINGS["utf8_truncated"]


def test_utf8_with_a_bom_cut_in_its_last_character_is_read_without_it():
    extracted = extract(b"\xef\xbb\xbf" + ZH_PARAGRAPH.encode("utf-8")[:-2], "a.txt")

    assert (extracted.encoding, extracted.text) == ("utf-8-sig", ZH_PARAGRAPH[:-1])
    assert "utf8_truncated" in extracted.warnings


def test_one_bad_byte_in_a_long_utf8_text_shows_as_one_replacement_and_says_so():
    paragraphs = [ZH_PARAGRAPH] * 5
    good = "\n\n".join(paragraphs).encode("utf-8")
    cut = len(ZH_PARAGRAPH.encode("utf-8")) * 2 + 4  # between two paragraphs' characters
    data = good[:cut] + b"\xff" + good[cut:]

    extracted = extract(data, "long.txt")

    assert extracted.encoding == "utf-8"
    assert extracted.text.count("\ufffd") == 1
    assert extracted.text.replace("\ufffd", "") == "\n\n".join(paragraphs)
    assert "utf8_repaired" in extracted.warnings


def test_a_short_utf8_text_with_a_bad_byte_is_refused_naming_its_line():
    data = "第一行。\n第二行".encode() + b"\x80" + "有坏字节。".encode()

    error = refusal(data, "short.txt")

    assert (error.code, error.params["line"]) == ("broken_utf8", 2)
    assert "first on line 2" in error.message


def test_gb18030_text_that_is_not_utf8_at_all_is_still_gb18030():
    for text in ("中", "abc 中文", ZH_PARAGRAPH * 3):
        assert extract(text.encode("gb18030"), "a.txt").encoding == "gb18030"


def test_a_utf8_bom_does_not_excuse_bad_bytes_they_are_refused_saying_where():
    error = refusal(b"\xef\xbb\xbfBOM\nthen \xff\xfe invalid", "a.txt")

    assert (error.code, error.params["line"]) == ("broken_utf8", 2)
    assert "UTF-8" in error.message


@pytest.mark.parametrize(
    ("data", "code", "line"),
    [
        ("第一行\n第二行。".encode()[:-1], "truncated_utf8", 2),
        (("好" * 200).encode("utf-8") + b"\xff" + ("好" * 200).encode("utf-8"), "broken_utf8", 1),
    ],
)
def test_without_repair_any_damaged_utf8_is_refused_saying_where(data, code, line):
    with pytest.raises(IngestError) as error:
        decode_text(data, repair=False)

    assert (error.value.code, error.value.params["line"]) == (code, line)
    assert decode_text(data)[1] == "utf-8"  # with repair, it is read as UTF-8


def test_crlf_text_becomes_paragraphs_separated_by_one_blank_line():
    data = "第一段。\r\n\r\n\r\n第二段。\r\n".encode()
    assert extract(data, "a.TXT").text == "第一段。\n\n第二段。"


# --- .docx --------------------------------------------------------------------------------


def test_minimal_docx_gives_its_paragraphs():
    data = make_docx(["学习十九大报告", ZH_PARAGRAPH, "An English paragraph &amp; more."])
    extracted = extract(data, "report.docx")
    assert extracted.format == "docx"
    assert extracted.encoding is None
    assert extracted.text == (
        "学习十九大报告\n\n" + ZH_PARAGRAPH + "\n\nAn English paragraph & more."
    )
    assert extracted.title == "学习十九大报告"


def test_docx_runs_tabs_breaks_and_tables_become_text():
    body = (
        f"<w:p><w:pPr><w:tabs><w:tab w:val='left' w:pos='720'/></w:tabs></w:pPr>"
        f"<w:r><w:t>坚持</w:t></w:r><w:r><w:t>新发展理念</w:t></w:r>"
        f"<w:r><w:tab/><w:t>（要点）</w:t></w:r></w:p>"
        f"<w:p><w:r><w:t>第一行。</w:t><w:br/><w:t>第二行。</w:t></w:r></w:p>"
        f"<w:tbl><w:tr><w:tc>{paragraph_xml('单元格一')}</w:tc>"
        f"<w:tc>{paragraph_xml('单元格二')}</w:tc></w:tr></w:tbl>"
        f"{paragraph_xml('')}"
    )
    extracted = extract(make_docx(body=body), "a.docx")
    assert (
        extracted.text == "坚持新发展理念 （要点）\n\n第一行。\n\n第二行。\n\n单元格一\n\n单元格二"
    )


def test_docx_tracked_changes_are_read_as_accepted_with_a_warning():
    body = (
        "<w:p><w:r><w:t>保留的文字，</w:t></w:r>"
        "<w:del w:id='1' w:author='a'><w:r><w:delText>删除的文字</w:delText></w:r></w:del>"
        "<w:ins w:id='2' w:author='a'><w:r><w:t>插入的文字。</w:t></w:r></w:ins></w:p>"
    )
    extracted = extract(make_docx(body=body), "a.docx")
    assert extracted.text == "保留的文字，插入的文字。"
    assert "tracked_changes" in extracted.warnings


def test_docx_text_box_is_read_once_not_again_from_its_fallback():
    textbox = "<w:txbxContent>{}</w:txbxContent>"
    body = (
        "<w:p><w:r><mc:AlternateContent>"
        f"<mc:Choice Requires='wps'>{textbox.format(paragraph_xml('文本框里的话。'))}</mc:Choice>"
        f"<mc:Fallback>{textbox.format(paragraph_xml('文本框里的话。'))}</mc:Fallback>"
        "</mc:AlternateContent></w:r><w:r><w:t>正文。</w:t></w:r></w:p>"
    )
    assert extract(make_docx(body=body), "a.docx").text == "文本框里的话。\n\n正文。"


def test_docx_title_comes_from_the_heading_style_even_with_a_localised_style_id():
    styles = (
        f'<w:styles xmlns:w="{W_NS}"><w:style w:type="paragraph" w:styleId="1">'
        '<w:name w:val="heading 1"/></w:style></w:styles>'
    )
    data = make_docx(
        ["前言部分。", ("决胜全面建成小康社会", "1"), ZH_PARAGRAPH],
        extra={"word/styles.xml": styles},
    )
    assert extract(data, "a.docx").title == "决胜全面建成小康社会"


def test_docx_title_falls_back_to_core_properties_then_first_line():
    core = (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:title>Study notes</dc:title></cp:coreProperties>"
    )
    assert extract(make_docx(["Body."], extra={"docProps/core.xml": core}), "a.docx").title == (
        "Study notes"
    )
    assert extract(make_docx(["First line", "Body."]), "a.docx").title == "First line"


def test_docx_main_part_is_found_through_the_package_relationships():
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document2.xml"/></Relationships>'
    )
    data = make_zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": rels,
            "word/document2.xml": document_xml(paragraph_xml("主文档。")),
        }
    )
    assert extract(data, "a.docx").text == "主文档。"


def test_docx_with_a_dtd_is_refused_before_entities_expand():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    data = make_zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": laughs})
    assert refusal(data, "a.docx").code == "corrupt"


def test_docx_with_broken_xml_or_a_bad_checksum_is_corrupt():
    broken = make_zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": "<w:document"})
    assert refusal(broken, "a.docx").code == "corrupt"
    good = make_docx(["一段足够长的文字，用来让压缩后的数据在文件中占据一些字节。" * 5])
    start = good.index(b"word/document.xml") + len("word/document.xml")
    damaged = good[: start + 20] + bytes(b ^ 0xFF for b in good[start + 20 : start + 40])
    damaged += good[start + 40 :]
    assert refusal(damaged, "a.docx").code == "corrupt"
    assert refusal(b"PK\x03\x04" + b"\x00" * 100, "a.docx").code == "corrupt"


# --- .pdf ---------------------------------------------------------------------------------


def test_pdf_text_layer_is_read_with_wrapped_lines_joined_and_page_numbers_dropped():
    pages = [
        [
            "Study Notes on High Quality Development",
            "High quality development is the only way to comprehensively build a",
            "socialist modern metropolis. It is necessary to fully implement the new",
            "development concept of innovation, coordination, green, openness and",
            "sharing.",
            "1",
        ],
        [
            "- 2 -",
            "The task of reform and development is arduous and the road is long, but",
            "we will move steadily on the path of high-quality development.",
        ],
    ]
    extracted = extract(make_text_pdf(pages), "notes.pdf")
    assert extracted.format == "pdf"
    assert extracted.pages == 2
    assert extracted.text == (
        "Study Notes on High Quality Development\n\n"
        "High quality development is the only way to comprehensively build a socialist "
        "modern metropolis. It is necessary to fully implement the new development concept "
        "of innovation, coordination, green, openness and sharing.\n\n"
        "The task of reform and development is arduous and the road is long, but we will "
        "move steadily on the path of high-quality development."
    )
    assert extracted.title == "Study Notes on High Quality Development"


def test_pdf_with_chinese_text_layer_is_read():
    typed = ZH_PARAGRAPH.replace("〇", "○")
    lines = [typed[i : i + 20] for i in range(0, len(typed), 20)]
    extracted = extract(make_text_pdf([["学习十九大报告", *lines]], cjk=True), "报告.pdf")
    assert extracted.text == "学习十九大报告\n\n" + ZH_PARAGRAPH
    assert extracted.title == "学习十九大报告"


def test_pdf_title_comes_from_metadata_unless_it_is_a_file_name():
    pages = [["First line of the page", "Body text."]]
    assert extract(make_text_pdf(pages, info_title="Report"), "a.pdf").title == "Report"
    junk = make_text_pdf(pages, info_title="Microsoft Word - draft3.docx")
    assert extract(junk, "a.pdf").title == "First line of the page"


def test_pdf_with_an_owner_password_only_is_read():
    pdf = make_text_pdf([["Readable text behind a permissions password."]])
    for algorithm in ("RC4-128", "AES-128", "AES-256"):
        locked = encrypted(pdf, user_password="", owner_password="owner", algorithm=algorithm)
        assert extract(locked, "a.pdf").text == "Readable text behind a permissions password."


def test_pdf_with_some_blank_pages_warns():
    reader = PdfReader(io.BytesIO(make_text_pdf([["Text on the first page."]])))
    writer = PdfWriter(clone_from=reader)
    writer.add_blank_page()
    buffer = io.BytesIO()
    writer.write(buffer)
    extracted = extract(buffer.getvalue(), "a.pdf")
    assert extracted.pages == 2
    assert extracted.warnings == ["pages_without_text"]


def test_pdf_header_after_leading_junk_is_accepted():
    pdf = make_text_pdf([["Text after junk."]])
    assert extract(b"\r\n\r\n" + pdf, "a.pdf").text == "Text after junk."


# --- .md and .html ------------------------------------------------------------------------

MARKDOWN = """---
title: Front matter title
---
# 学习十九大报告

本段是**第一段**，包含一个[链接](http://example.org)和`术语`，
以及换行的中文。

An *English* paragraph that is
wrapped in the source, with &amp; and \\*stars\\*.

- 创新
- 协调

![photo](a.png)

```python
print("code is not text")
```

| 指标 | 数值 |
|---|---|
| 增长 | 6.9% |

<!-- a comment -->
Last <b>bold</b> line.
"""


def test_markdown_is_reduced_to_its_text():
    extracted = extract(MARKDOWN.encode(), "notes.md")
    assert extracted.format == "md"
    assert extracted.encoding == "utf-8"
    assert extracted.title == "学习十九大报告"
    assert extracted.text == (
        "学习十九大报告\n\n"
        "本段是第一段，包含一个链接和术语，以及换行的中文。\n\n"
        "An English paragraph that is wrapped in the source, with & and *stars*.\n\n"
        "创新\n\n协调\n\n指标 数值\n\n增长 6.9%\n\nLast bold line."
    )


def test_markdown_title_falls_back_to_front_matter():
    data = b"---\ntitle: 'Front matter title'\n---\nJust a paragraph.\n"
    assert extract(data, "a.markdown").title == "Front matter title"


HTML = """<!DOCTYPE html>
<html><head><meta charset="gbk"><title>十九大报告全文_中国政府网</title>
<style>p { color: red }</style>
<script>var s = "<p>not text</p>";</script></head>
<body><nav><a href="/">首页</a> | <a href="/news">要闻</a></nav>
<article><h1>决胜全面建成小康社会</h1>
<p>同志们：</p><p>现在，我代表第十八届中央委员会
向大会作报告。</p>
<figure><img src="a.jpg" alt=""><figcaption>图为大会现场。</figcaption></figure>
<p>Fish &amp; chips &mdash; &lt;tag&gt; &#8220;quoted&#8221;&nbsp;text.<br>Second line.</p>
<ul><li>创新</li><li>协调</li></ul>
<div>Inline <span>span</span> text<div>Nested block</div></div>
</article><footer>版权所有</footer></body></html>"""


def test_html_drops_scripts_styles_and_navigation_and_keeps_blocks_as_paragraphs():
    extracted = extract(HTML.encode("gbk"), "page.html")
    assert extracted.format == "html"
    assert extracted.encoding == "gb18030"  # from <meta charset="gbk">
    assert extracted.title == "决胜全面建成小康社会"
    assert extracted.text == (
        "决胜全面建成小康社会\n\n同志们：\n\n现在，我代表第十八届中央委员会向大会作报告。\n\n"
        "Fish & chips — <tag> “quoted” text.\n\nSecond line.\n\n创新\n\n协调\n\n"
        "Inline span text\n\nNested block"
    )


def test_html_title_falls_back_to_the_page_title_without_the_site_name():
    data = "<title>十九大报告全文_中国政府网</title><p>正文。</p>".encode()
    assert extract(data, "a.htm").title == "十九大报告全文"


def test_messy_html_is_read_like_a_browser_would_show_it():
    messy = (
        "<HTML><HEAD><TITLE>Notes</TITLE><META http-equiv='Content-Type' content='text/html'>"
        '<BODY><P CLASS="a>b">First paragraph<P>Second, with a < sign and 1<2'
        "<br/>then a line<BR>break.<PRE>line one\n  line two</PRE>"
        "<p>\u3000\u3000全角缩进的段落。<br>\u3000\u3000第二段。</p><p>unclosed <b>bold"
    )
    assert html_to_text_of(messy) == (
        "First paragraph\n\nSecond, with a < sign and 1<2 then a line break.\n\n"
        "line one line two\n\n全角缩进的段落。\n\n第二段。\n\nunclosed bold"
    )


def html_to_text_of(markup):
    return extract(markup.encode(), "page.html").text


@pytest.mark.parametrize(
    "unit",
    ["<!--", "<![CDATA[", "<a ", '<a b="', "<a b='' c=''", "<?x", "<div>", "</form><nav>"],
)
def test_html_with_unclosed_or_deep_markup_is_read_in_linear_time(unit):
    # Python 3.11's html.parser needs minutes for some of these (quadratic re-scanning).
    data = ("<p>Text.</p>" + unit * 200_000).encode()
    started = time.monotonic()
    try:
        extract(data, "hostile.html")
    except IngestError as error:
        assert error.code == "empty"
    assert time.monotonic() - started < 10


def test_html_with_only_scripts_is_empty():
    assert refusal(b"<script>alert(1)</script><style>p{}</style>", "a.html").code == "empty"


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["a.txt", "a.docx", "a.pdf", "a.md", "a.html"])
def test_empty_file_is_refused(filename):
    error = refusal(b"", filename)
    assert error.code == "empty"
    assert error.message == "The file is empty: it contains no text."


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"   \r\n\t\n  ", "a.txt"),
        ("\u3000\u3000\xa0\n\u200b\n".encode(), "a.txt"),
        (b"\n\n   \n", "a.md"),
        (b"<html><body> <p>&nbsp;</p> </body></html>", "a.html"),
    ],
)
def test_whitespace_only_file_is_refused_as_empty(data, filename):
    assert refusal(data, filename).code == "empty"


def test_file_over_the_size_limit_is_refused_before_anything_else():
    data = b"x" * (10 * 1024 * 1024 + 1)  # not even a PDF: size is checked first
    error = refusal(data, "big.pdf")
    assert error.code == "too_large"
    assert error.message == "The file is larger than 10 MB."
    assert refusal(b"x" * 2048, "a.txt", max_bytes=1024).code == "too_large"


@pytest.mark.parametrize("filename", ["setup.exe", "report.doc", "scan.png", "README", ""])
def test_unsupported_extension_is_refused(filename):
    error = refusal(b"MZ\x90\x00", filename)
    assert error.code == "unsupported_type"
    assert error.params["filename"] == filename
    assert "upload a .txt, .docx, .pdf, .md or .html file" in error.message


@pytest.mark.parametrize(
    ("data", "filename", "detected"),
    [
        (PNG, "scan.pdf", "png"),
        (random.Random(4).randbytes(4096), "random.docx", None),
        (make_zip({"readme.txt": "not a document"}), "archive.docx", "zip"),
        (make_zip({"xl/workbook.xml": "<workbook/>"}), "sheet.docx", "xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "old.docx", "ole"),
        (blank_pdf(), "report.txt", "pdf"),
        (PNG, "notes.md", "png"),
        (make_docx(["正文。"]), "page.html", "zip"),
        (b"plain text with a \x00 NUL byte", "a.txt", "binary"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(data, filename, detected):
    error = refusal(data, filename)
    assert error.code == "wrong_type"
    if detected is not None:
        assert error.params["detected"] == detected
    assert filename in error.message


def test_docx_whose_document_xml_unpacks_past_the_size_limit_is_an_archive_bomb():
    # 60 MB of spaces compress to about 60 KB: well under the upload limit.
    bomb = make_zip(
        {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b" " * (60 * 1024 * 1024)}
    )
    assert len(bomb) < 1024 * 1024
    error = refusal(bomb, "bomb.docx")
    assert error.code == "archive_bomb"
    assert error.params["reason"] == "size"


def test_docx_with_a_suspicious_compression_ratio_is_an_archive_bomb():
    bomb = make_zip(
        {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b" " * (5 * 1024 * 1024)}
    )
    error = refusal(bomb, "bomb.docx")
    assert (error.code, error.params["reason"]) == ("archive_bomb", "ratio")


def test_docx_with_too_many_entries_is_an_archive_bomb():
    entries = {f"word/media/image{i}.bin": b"x" for i in range(1001)}
    data = make_docx(["正文。"], extra=entries)
    error = refusal(data, "many.docx")
    assert (error.code, error.params["reason"]) == ("archive_bomb", "entries")
    assert error.params["actual"] == 1003
    # The limit is the app's setting.
    assert extract(data, "many.docx", limits=IngestLimits(max_zip_entries=2000)).text == "正文。"


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_pdf_with_a_user_password_is_refused_as_encrypted(algorithm):
    locked = encrypted(make_text_pdf([["Secret."]]), user_password="secret", algorithm=algorithm)
    error = refusal(locked, "secret.pdf")
    assert error.code == "encrypted_pdf"
    assert "password" in error.message


def test_pdf_whose_content_stream_inflates_past_pypdfs_limit_is_an_archive_bomb():
    bomb = make_text_pdf([["Hello."]], pad_to=80_000_000)  # 80 MB of spaces in ~80 KB
    assert len(bomb) < 1024 * 1024
    error = refusal(bomb, "bomb.pdf")
    assert (error.code, error.params["reason"]) == ("archive_bomb", "stream")


def test_compressed_pdf_content_is_read():
    assert extract(make_text_pdf([["Hello."]], pad_to=10_000), "a.pdf").text == "Hello."


def test_scanned_pdf_without_a_text_layer_is_refused_as_no_text():
    error = refusal(blank_pdf(pages=2), "scan.pdf")
    assert error.code == "no_text"
    assert error.params["pages"] == 2


def test_docx_without_any_text_is_refused_as_no_text():
    assert refusal(make_docx(["", " "]), "images-only.docx").code == "no_text"


def test_pdf_over_the_page_limit_is_refused_before_extraction():
    error = refusal(blank_pdf(pages=301), "long.pdf")
    assert error.code == "too_many_pages"
    assert error.message == "The document has 301 pages; at most 300 pages can be read."
    assert refusal(make_text_pdf([["a"], ["b"], ["c"]]), "a.pdf", max_pages=2).code == (
        "too_many_pages"
    )


@pytest.mark.parametrize(
    "data",
    [
        b"abc \x80\x81\xff def",  # neither UTF-8 nor GB18030
        "中文 UTF-16".encode("utf-16"),  # with its BOM: not a supported encoding
        ZH_PARAGRAPH.replace("〇", "零").encode("big5", errors="ignore"),  # decodes as junk
    ],
)
def test_text_in_an_unreadable_encoding_is_refused(data):
    error = refusal(data, "a.txt")
    assert error.code == "bad_encoding"
    assert "UTF-8" in error.message


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (make_text_pdf([["page one"], ["page two"]]), "a.pdf"),
        (make_docx(["正文。"]), "a.docx"),
        (b"# Title\n\nText.", "a.md"),
        (b"<p>Text.</p>" * 10000, "a.html"),
    ],
)
def test_parse_time_limit_stops_reading(data, filename):
    error = refusal(data, filename, time_limit_seconds=0)
    assert error.code == "timeout"
    assert error.message == "Reading the file took longer than 0 seconds, so it was stopped."


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"%PDF-1.7\nthis is not really a pdf", "a.pdf"),
        (make_text_pdf([["Text."]])[:200], "truncated.pdf"),
    ],
)
def test_damaged_pdf_is_refused_as_corrupt(data, filename):
    assert refusal(data, filename).code == "corrupt"


# --- the contract -------------------------------------------------------------------------


def test_every_error_code_has_a_message_whose_placeholders_the_refusals_fill():
    examples = {
        "empty": (b"", "a.txt", {}),
        "too_large": (b"xx", "a.txt", {"max_bytes": 1}),
        "unsupported_type": (b"x", "a.exe", {}),
        "wrong_type": (PNG, "a.pdf", {}),
        "bad_encoding": (b"\x80\xff", "a.txt", {}),
        "encrypted_pdf": (
            encrypted(make_text_pdf([["x"]]), user_password="pw"),
            "a.pdf",
            {},
        ),
        "no_text": (blank_pdf(), "a.pdf", {}),
        "too_many_pages": (blank_pdf(2), "a.pdf", {"max_pages": 1}),
        "archive_bomb": (make_docx(["x"]), "a.docx", {"max_zip_entries": 1}),
        "timeout": (blank_pdf(), "a.pdf", {"time_limit_seconds": 0}),
        "corrupt": (b"%PDF-1.4 broken", "a.pdf", {}),
        "broken_utf8": ("一二".encode() + b"\xff" + "三".encode(), "a.txt", {}),
    }
    # Raised only where a repaired reading is refused (imports, ``repair=False``).
    without_repair = {"truncated_utf8": "第一行\n第二行。".encode()[:-1]}
    for code, data in without_repair.items():
        with pytest.raises(IngestError) as caught:
            decode_text(data, repair=False)
        assert caught.value.code == code
        assert "%(" not in caught.value.message and "?" not in caught.value.message
    assert set(examples) | set(without_repair) == set(MESSAGES)
    for code, (data, filename, limits) in examples.items():
        error = refusal(data, filename, **limits)
        assert error.code == code
        assert error.params["filename"] == filename
        assert error.params["extension"] == os.path.splitext(filename)[1]
        assert "?" not in error.message and "%(" not in error.message, code
        assert str(error) == error.message


def test_ingest_error_survives_pickling_for_background_tasks():
    error = refusal(blank_pdf(2), "scan.pdf")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.params, copy.message) == (error.code, error.params, error.message)


def test_warning_codes_are_documented():
    pdf = make_text_pdf([["Text."], []])
    assert set(extract(pdf, "a.pdf").warnings) <= set(WARNINGS)


def test_limits_are_a_frozen_dataclass_with_the_documented_defaults():
    limits = IngestLimits()
    assert (
        limits.max_bytes,
        limits.max_pages,
        limits.max_zip_entries,
        limits.max_uncompressed_bytes,
        limits.max_compression_ratio,
        limits.time_limit_seconds,
    ) == (10 * 1024 * 1024, 300, 1000, 50 * 1024 * 1024, 100, 20.0)
    with pytest.raises(AttributeError):
        limits.max_bytes = 1
    with pytest.raises(ValueError):
        IngestLimits(max_pages=0)


def test_filename_may_carry_a_path_and_upper_case_extension():
    extracted = extract(b"Text.", "C:\\Users\\wang\\Desktop\\NOTES.TXT")
    assert extracted.text == "Text."
    error = refusal(b"", "/tmp/uploads/x.pdf")
    assert error.params["filename"] == "x.pdf"


def test_extract_writes_no_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    extract(make_docx(["正文。"]), "a.docx")
    extract(make_text_pdf([["Text."]]), "a.pdf")
    extract(HTML.encode("gbk"), "a.html")
    with pytest.raises(IngestError):
        extract(blank_pdf(), "a.pdf")
    assert list(tmp_path.iterdir()) == []


def test_ingest_package_imports_no_django():
    code = (
        "import sys, quizzes.ingest\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django')\n"
        "assert not loaded, loaded\n"
    )
    root = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], cwd=root, env=env, check=True)
