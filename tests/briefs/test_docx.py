"""The DOCX reader: one test per rule on small documents built with python-docx, hostile input,
and the corpus document without heading styles."""

from __future__ import annotations

import datetime
import io
import re
import zipfile

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt

from briefs.importers import DocumentError, office, parse_document
from briefs.importers import blocks as b
from briefs.importers.docx import format_number, read_docx
from briefs.importers.office import strip_private_use
from tests.briefs.corpus import corpus_file, corpus_spec

BODY = "본문은 보통 크기의 글자로 길게 이어지는 문장입니다. 여러 문장이 이어집니다."


def save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def kinds(document) -> list[tuple[str, str]]:
    return [(block.kind, " ".join(block.text.split())) for block in document.blocks]


def headings(document) -> list[tuple[int | None, str]]:
    return [(block.level, block.text) for block in document.blocks if block.kind == b.HEADING]


# --- structure from styles -----------------------------------------------------------------------


def test_heading_styles_title_and_tables_in_document_order():
    document = docx.Document()
    document.add_paragraph("문서의 제목", style="Title")
    document.add_heading("추진 배경", level=1)
    document.add_paragraph(BODY)
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([["구분", "내용"], ["일시", "10월"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_heading("세부 내용", level=2)
    document.add_paragraph(BODY)
    read = read_docx(save(document))
    assert [kind for kind, _ in kinds(read)] == [
        b.TITLE,
        b.HEADING,
        b.PARAGRAPH,
        b.TABLE,
        b.HEADING,
        b.PARAGRAPH,
    ]
    assert headings(read) == [(1, "추진 배경"), (2, "세부 내용")]
    assert read.blocks[3].rows == [["구분", "내용"], ["일시", "10월"]]
    assert parse_document(save(document), filename="x.docx").title == "문서의 제목"


def test_localised_heading_style_names_and_outline_levels_are_headings():
    document = docx.Document()
    style = document.styles.add_style("제목 1", WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    document.add_paragraph("한국어 스타일 제목", style="제목 1")
    document.add_paragraph(BODY)
    outlined = document.add_paragraph("개요 수준이 있는 문단")
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "1")
    outlined._p.get_or_add_pPr().append(level)
    document.add_paragraph(BODY)
    assert headings(read_docx(save(document))) == [(1, "한국어 스타일 제목"), (2, "개요 수준이 있는 문단")]


def test_numbered_list_paragraphs_are_list_items_with_their_printed_marker():
    document = docx.Document()
    document.add_paragraph(BODY)
    for text in ("첫째 항목", "둘째 항목"):
        document.add_paragraph(text, style="List Number")
    document.add_paragraph("글머리 항목", style="List Bullet")
    items = [block for block in read_docx(save(document)).blocks if block.kind == b.LIST_ITEM]
    assert [(item.marker, item.text) for item in items][:2] == [("1.", "첫째 항목"), ("2.", "둘째 항목")]
    assert items[2].text == "글머리 항목" and items[2].marker


def test_number_formats():
    assert format_number(3, "upperRoman") == "III"
    assert format_number(2, "ganada") == "나"
    assert format_number(27, "lowerLetter") == "aa"
    assert format_number(4, "decimalEnclosedCircle") == "④"


def test_merged_cells_appear_once():
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "합친 칸"
    table.cell(0, 2).text = "셋째"
    table.cell(1, 0).text = "가"
    table.cell(1, 1).text = "나"
    table.cell(1, 2).text = "다"
    [block] = read_docx(save(document)).blocks
    assert block.rows == [["합친 칸", "셋째"], ["가", "나", "다"]]


def test_a_one_cell_table_is_read_as_its_paragraphs():
    document = docx.Document()
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "상자 안의 문단"
    assert kinds(read_docx(save(document))) == [(b.PARAGRAPH, "상자 안의 문단")]


def test_caption_style_is_a_caption():
    document = docx.Document()
    document.add_paragraph("표 1. 연도별 예산", style="Caption")
    assert kinds(read_docx(save(document))) == [(b.CAPTION, "표 1. 연도별 예산")]


def test_hidden_text_is_not_read():
    document = docx.Document()
    paragraph = document.add_paragraph("보이는 글")
    hidden = paragraph.add_run(" 숨은 글")
    hidden.font.hidden = True
    assert kinds(read_docx(save(document))) == [(b.PARAGRAPH, "보이는 글")]


def _with_footnote(data: bytes) -> bytes:
    """Add a footnote part and a reference to it after the first paragraph's text."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    notes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{w}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:id="1"><w:p><w:r><w:t>각주의 내용</w:t></w:r></w:p></w:footnote></w:footnotes>'
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/document.xml":
                content = content.replace(
                    "첫 문단</w:t></w:r>".encode(),
                    '첫 문단</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>'.encode(),
                )
            elif info.filename == "word/_rels/document.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdNotes" Type="http://schemas.openxmlformats.org/officeDocument/'
                    b'2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>',
                )
            elif info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
                    b'officedocument.wordprocessingml.footnotes+xml"/></Types>',
                )
            target.writestr(info, content)
        target.writestr("word/footnotes.xml", notes)
    return out.getvalue()


def test_footnotes_follow_the_paragraph_that_cites_them():
    document = docx.Document()
    document.add_heading("제목", level=1)
    document.add_paragraph("첫 문단")
    document.add_paragraph("둘째 문단")
    read = read_docx(_with_footnote(save(document)))
    assert kinds(read) == [
        (b.HEADING, "제목"),
        (b.PARAGRAPH, "첫 문단"),
        (b.FOOTNOTE, "1 각주의 내용"),
        (b.PARAGRAPH, "둘째 문단"),
    ]


# --- headings from formatting, without heading styles --------------------------------------------


def test_without_heading_styles_larger_and_bold_lines_are_headings():
    document = docx.Document()
    document.add_paragraph(BODY)
    big = document.add_paragraph().add_run("큰 글씨 장 제목")
    big.font.size = Pt(18)
    document.add_paragraph(BODY)
    bold = document.add_paragraph().add_run("굵은 글씨 절 제목")
    bold.bold = True
    document.add_paragraph(BODY)
    document.add_paragraph(BODY + " 끝.")
    read = read_docx(save(document))
    assert headings(read) == [(1, "큰 글씨 장 제목"), (2, "굵은 글씨 절 제목")]
    assert all(block.why for block in read.blocks if block.kind == b.HEADING)


def test_without_heading_styles_short_lines_set_off_by_an_empty_paragraph_are_headings():
    document = docx.Document()
    for term in ("Embedding", "Token", "Parser"):
        document.add_paragraph(term)
        document.add_paragraph("")
        document.add_paragraph(f"정의: {term}은 설명하는 문장입니다.")
        document.add_paragraph("연관키워드: 자연어 처리, 딥러닝")
        document.add_paragraph("")
    read = read_docx(save(document))
    assert [text for _, text in headings(read)] == ["Embedding", "Token", "Parser"]
    # a "label: value" line before an empty paragraph is not a heading
    assert (b.PARAGRAPH, "연관키워드: 자연어 처리, 딥러닝") in kinds(read)


def test_two_lines_set_off_are_not_enough_to_make_headings():
    document = docx.Document()
    for term in ("하나", "둘"):
        document.add_paragraph(term)
        document.add_paragraph("")
        document.add_paragraph(BODY)
    assert headings(read_docx(save(document))) == []


def test_bold_numbered_list_paragraphs_are_headings_with_their_number_bullets_are_not():
    document = docx.Document()
    for text in ("서론", "본론"):
        document.add_paragraph(style="List Number").add_run(text).bold = True
        document.add_paragraph(BODY)
    document.add_paragraph(style="List Bullet").add_run("굵은 글머리 항목").bold = True
    document.add_paragraph().add_run("기간: 3개월").bold = True
    document.add_paragraph(BODY)
    read = read_docx(save(document))
    assert [text for _, text in headings(read)] == ["1. 서론", "2. 본론"]
    assert any(block.kind == b.LIST_ITEM and block.text == "굵은 글머리 항목" for block in read.blocks)


def _sdt(inner: str, properties: str):
    """Return a block-level content control (w:sdt) holding `inner`."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    return parse_xml(
        f'<w:sdt xmlns:w="{w}"><w:sdtPr>{properties}</w:sdtPr><w:sdtContent>{inner}</w:sdtContent></w:sdt>'
    )


def test_a_table_of_contents_is_furniture():
    document = docx.Document()
    document.add_heading("차례", level=1)
    for line in ("1. 서론\t1", "2. 본론\t3", "3. 결론\t9"):
        document.add_paragraph(line)
    document.add_heading("서론", level=1)
    document.add_paragraph(BODY)
    toc = "<w:p><w:r><w:t>목차 조절 항목</w:t></w:r></w:p>"
    gallery = '<w:docPartObj><w:docPartGallery w:val="Table of Contents"/></w:docPartObj>'
    document.element.body.insert(0, _sdt(toc, gallery))
    read = read_docx(save(document))
    furniture = [block.text for block in read.blocks if block.kind == b.FURNITURE]
    assert furniture == ["목차 조절 항목", "1. 서론\t1", "2. 본론\t3", "3. 결론\t9"]


def test_a_content_control_showing_its_placeholder_is_not_read():
    document = docx.Document()
    document.add_paragraph(BODY)
    placeholder = "<w:p><w:r><w:t>여기를 클릭하여 텍스트를 입력하십시오.</w:t></w:r></w:p>"
    document.element.body.insert(1, _sdt(placeholder, "<w:showingPlcHdr/>"))
    assert all("클릭" not in block.text for block in read_docx(save(document)).blocks)


def test_lines_set_off_by_empty_paragraphs_do_not_add_to_formatted_headings():
    document = docx.Document()
    for n in range(3):
        document.add_paragraph().add_run(f"굵은 제목 {n + 1}").bold = True
        document.add_paragraph(BODY)
        document.add_paragraph("짧은 줄")
        document.add_paragraph("")
        document.add_paragraph(BODY)
    assert [text for _, text in headings(read_docx(save(document)))] == [
        "굵은 제목 1",
        "굵은 제목 2",
        "굵은 제목 3",
    ]


def test_where_formatting_says_nothing_the_shared_numbering_rules_apply():
    document = docx.Document()
    for text in ("1. 추진 배경", "2. 주요 내용", "3. 향후 계획"):
        document.add_paragraph(text)
        document.add_paragraph(BODY)
        document.add_paragraph(BODY)
    found = [text for _, text in headings(read_docx(save(document)))]
    assert found == ["1. 추진 배경", "2. 주요 내용", "3. 향후 계획"]


def test_styled_documents_get_no_inferred_headings():
    document = docx.Document()
    document.add_heading("진짜 제목", level=1)
    document.add_paragraph().add_run("굵은 강조 문장").bold = True
    document.add_paragraph(BODY)
    assert [text for _, text in headings(read_docx(save(document)))] == ["진짜 제목"]


# --- metadata ------------------------------------------------------------------------------------


def test_core_properties_are_metadata_and_junk_titles_are_ignored():
    document = docx.Document()
    document.core_properties.title = "2024 업무 계획"
    document.core_properties.author = "홍길동; 김철수"
    document.core_properties.created = datetime.datetime(2024, 3, 1, 9, 0)
    document.core_properties.modified = datetime.datetime(2024, 3, 5, 9, 0)
    document.add_paragraph(BODY)
    meta = read_docx(save(document)).metadata
    assert meta["title"] == "2024 업무 계획"
    assert meta["authors"] == ["홍길동", "김철수"]
    assert meta["publication_date"] == "2024-03-05"
    document.core_properties.title = "Microsoft Word - plan.doc"
    assert "title" not in read_docx(save(document)).metadata
    document.core_properties.title = "report"
    assert "title" not in read_docx(save(document), filename="report.docx").metadata


def test_a_first_paragraph_set_large_is_the_title_when_no_title_is_stated():
    document = docx.Document()
    document.core_properties.title = ""
    document.add_paragraph().add_run("큰 글씨의 문서 제목").font.size = Pt(24)
    document.add_paragraph(BODY)
    document.add_paragraph(BODY)
    read = read_docx(save(document))
    assert kinds(read)[0] == (b.TITLE, "큰 글씨의 문서 제목")
    assert parse_document(save(document), filename="x.docx").title == "큰 글씨의 문서 제목"


def test_a_centred_bold_first_paragraph_is_the_title():
    document = docx.Document()
    title = document.add_paragraph()
    title.alignment = 1  # centre
    title.add_run("가운데 굵은 제목").bold = True
    document.add_paragraph(BODY)
    document.add_paragraph(BODY)
    assert kinds(read_docx(save(document)))[0] == (b.TITLE, "가운데 굵은 제목")
    # set like the headings after it, it is the first heading
    for text in ("둘째 제목", "셋째 제목"):
        heading = document.add_paragraph()
        heading.alignment = 1
        heading.add_run(text).bold = True
        document.add_paragraph(BODY)
    assert kinds(read_docx(save(document)))[0] == (b.HEADING, "가운데 굵은 제목")


def test_private_use_glyphs_are_dropped():
    assert strip_private_use("\uf0a7 항목") == "• 항목"
    assert strip_private_use("가\uf020나") == "가나"


# --- hostile input -------------------------------------------------------------------------------


def test_a_broken_zip_is_refused():
    document = docx.Document()
    document.add_paragraph(BODY)
    data = save(document)
    with pytest.raises(DocumentError, match="broken"):
        read_docx(data[: len(data) // 3])


def test_a_zip_that_is_not_a_docx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", "<office:document/>")
    with pytest.raises(DocumentError, match="not a DOCX file"):
        read_docx(buffer.getvalue())


def test_an_encrypted_docx_is_refused():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
    with pytest.raises(DocumentError, match="encrypted"):
        read_docx(ole)
    with pytest.raises(DocumentError, match="encrypted"):
        parse_document(ole, filename="secret.docx")


def test_a_zip_bomb_is_refused_before_unpacking(monkeypatch):
    monkeypatch.setattr(office, "MAX_UNCOMPRESSED_BYTES", 1_000_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * 3_000_000)
    with pytest.raises(DocumentError, match="zip bomb"):
        read_docx(buffer.getvalue())
    # a member compressed far beyond what documents compress to is refused on its own
    monkeypatch.setattr(office, "MAX_UNCOMPRESSED_BYTES", 200 * 2**20)
    monkeypatch.setattr(office, "RATIO_MIN_BYTES", 1_000_000)
    monkeypatch.setattr(office, "MAX_RATIO", 100)
    with pytest.raises(DocumentError, match="zip bomb"):
        read_docx(buffer.getvalue())


# --- the corpus ----------------------------------------------------------------------------------


def test_corpus_13_glossary_without_heading_styles():
    path = corpus_file("13_langchain-kr-glossary_ko.docx")
    expected = corpus_spec("13")
    parsed = parse_document(path.read_bytes(), filename=path.name)
    assert [section.heading for section in parsed.sections] == [s["h"][0] for s in expected["sections"]]
    assert all(section.text.startswith("정의:") for section in parsed.sections)
    for pattern in expected["must_not"]:
        assert not any(re.match(pattern, "".join(section.heading.split())) for section in parsed.sections)
    text = "\n".join(section.text for section in parsed.sections)
    for phrase in expected["must_contain"]:
        assert phrase in text


def test_a_styles_part_that_cannot_be_read_loses_only_the_styles_with_a_warning():
    document = docx.Document()
    document.add_paragraph("Sanctions relief was discussed at length in Hanoi. " * 4)
    source = zipfile.ZipFile(io.BytesIO(save(document)))
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                # styles.xml no longer declared as styles: python-docx loads it as a bare Part
                data = re.sub(rb'<Override PartName="/word/styles.xml"[^>]*/>', b"", data)
            archive.writestr(info, data)
    read = read_docx(broken.getvalue(), filename="broken-styles.docx")
    assert read.warnings == [
        "the document's styles could not be read (AttributeError): headings are inferred"
    ]
    assert any("Sanctions relief" in block.text for block in read.blocks)
