"""The layout-aware PDF reader: one small reportlab-built PDF per rule, and the corpus PDFs."""

from __future__ import annotations

import io
import re

import pytest

from briefs.importers import blocks as b
from briefs.importers.errors import DocumentError
from briefs.importers.pdf import read_pdf
from briefs.importers.sectioner import document_from_blocks
from tests.briefs.corpus import corpus_file, corpus_spec, global_junk

BODY = (
    "The committee reviewed the budget request in detail and heard from several witnesses "
    "about the expected costs of the programme over the next five fiscal years."
)


def make_pdf(pages, *, title: str | None = None, size=(595, 842)) -> bytes:
    """Return a PDF; `pages` is a list of pages, each a list of (x, y_from_top, font, size, text)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=size)
    if title is not None:
        page.setTitle(title)
    for items in pages:
        for x, y, font, points, text in items:
            page.setFont(font, points)
            page.drawString(x, size[1] - y, text)
        page.showPage()
    page.save()
    return buffer.getvalue()


def body_lines(top: float, count: int, *, x: float = 72, size: float = 10, pitch: float = 13) -> list:
    words = BODY.split()
    lines = []
    for i in range(count):
        chunk = " ".join(words[(i * 7) % len(words) : (i * 7) % len(words) + 9])
        lines.append((x, top + i * pitch, "Times-Roman", size, chunk))
    return lines


def texts(document, kind=None):
    return [blk.text for blk in document.blocks if kind is None or blk.kind == kind]


def test_running_footer_on_three_pages_is_furniture():
    pages = [
        body_lines(100, 10) + [(72, 800, "Helvetica", 8, f"Budget Office Working Paper {n}")]
        for n in (1, 2, 3)
    ]
    document = read_pdf(make_pdf(pages))
    furniture = [blk for blk in document.blocks if blk.kind == b.FURNITURE]
    assert [blk.text for blk in furniture] == [f"Budget Office Working Paper {n}" for n in (1, 2, 3)]
    assert all("recurs" in blk.why for blk in furniture)
    parsed = document_from_blocks(document)
    assert "Working Paper" not in " ".join(s.text for s in parsed.sections)


@pytest.mark.parametrize("form", ["- {n} -", "{n}", "{n} / 9", "Page {n}"])
def test_page_numbers_in_the_usual_forms_are_furniture(form):
    pages = [body_lines(100, 10) + [(290, 815, "Helvetica", 9, form.format(n=n))] for n in (1, 2)]
    document = read_pdf(make_pdf(pages))
    numbers = [blk for blk in document.blocks if blk.text == form.format(n=2)]
    assert numbers and numbers[0].kind == b.FURNITURE


def test_single_page_number_is_furniture_even_without_repetition():
    document = read_pdf(make_pdf([body_lines(100, 10) + [(290, 815, "Helvetica", 9, "- 7 -")]]))
    assert [blk.kind for blk in document.blocks if blk.text == "- 7 -"] == [b.FURNITURE]


def test_two_columns_are_read_left_column_first():
    left = [
        (50, 120 + i * 13, "Times-Roman", 10, f"left column line number {i} of the text") for i in range(12)
    ]
    right = [(320, 120 + i * 13, "Times-Roman", 10, f"right column line number {i} of it") for i in range(12)]
    title = [(50, 80, "Times-Bold", 18, "A Title Across Both Columns Of The Page Here")]
    document = read_pdf(make_pdf([title + left + right]))
    joined = " ".join(blk.text for blk in document.blocks)
    assert joined.index("left column line number 11") < joined.index("right column line number 0")
    columns = {blk.features["column"] for blk in document.blocks if "column line" in blk.text}
    assert columns == {0, 1}


def test_a_bold_larger_heading_is_its_own_block_with_its_features():
    page = (
        body_lines(100, 6)
        + [(72, 200, "Helvetica-Bold", 14, "Costs of the Programme")]
        + body_lines(225, 6)
        + [(72, 330, "Helvetica-Bold", 14, "Schedule")]
        + body_lines(355, 6)
    )
    document = read_pdf(make_pdf([page, body_lines(100, 20)]))
    heading = next(blk for blk in document.blocks if blk.text == "Costs of the Programme")
    assert heading.font_size == 14.0
    assert heading.bold
    assert heading.features["line_count"] == 1
    assert heading.features["gap_before"] > 5
    body = next(blk for blk in document.blocks if blk.text.startswith("The committee"))
    assert body.font_size == 10.0 and not body.bold
    assert heading.kind in (b.HEADING, b.TITLE)


def test_a_ruled_table_keeps_its_rows_and_its_words_are_not_paragraphs():
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(595, 842))
    page.setFont("Times-Roman", 10)
    for line in body_lines(100, 5):
        page.drawString(72, 842 - line[1], line[4])
    cells = [["Year", "Amount"], ["2024", "120"], ["2025", "135"]]
    top = 842 - 200
    for r, row in enumerate(cells):
        for c, cell in enumerate(row):
            page.rect(72 + c * 150, top - (r + 1) * 20, 150, 20)
            page.drawString(76 + c * 150, top - (r + 1) * 20 + 6, cell)
    page.showPage()
    page.save()
    document = read_pdf(buffer.getvalue())
    tables = [blk for blk in document.blocks if blk.kind == b.TABLE]
    assert len(tables) == 1
    assert tables[0].rows == cells
    assert not any(
        blk.text == "2024" or "Amount" in blk.text for blk in document.blocks if blk.kind != b.TABLE
    )


def test_a_table_of_contents_page_is_furniture():
    toc = [(72, 80, "Helvetica-Bold", 16, "Contents")] + [
        (72, 120 + i * 16, "Times-Roman", 11, f"Section {name} " + "." * 60 + f" {i + 3}")
        for i, name in enumerate(["One", "Two", "Three", "Four"])
    ]
    document = read_pdf(make_pdf([toc, body_lines(100, 12)]))
    page_one = [blk for blk in document.blocks if blk.page == 1]
    assert page_one and all(blk.kind == b.FURNITURE for blk in page_one)
    assert any("table of contents" in blk.why for blk in page_one)


def test_title_is_the_largest_text_not_the_footer():
    page = (
        [(72, 90, "Times-Bold", 24, "Water Policy in Dry Years")]
        + body_lines(140, 12)
        + [(72, 815, "Helvetica", 30, "12")]  # a huge page number in the footer
    )
    document = read_pdf(make_pdf([page, body_lines(100, 12)]))
    assert document.metadata["title"] == "Water Policy in Dry Years"
    assert [blk.text for blk in document.blocks if blk.kind == b.TITLE] == ["Water Policy in Dry Years"]


def test_a_junk_metadata_title_is_ignored():
    page = [(72, 90, "Times-Bold", 24, "Water Policy in Dry Years")] + body_lines(140, 12)
    document = read_pdf(make_pdf([page], title="Microsoft Word - draft_v3.docx"))
    assert document.metadata["title"] == "Water Policy in Dry Years"


def test_the_metadata_title_is_used_when_it_matches_the_big_text():
    page = [(72, 90, "Times-Bold", 24, "Water Policy in Dry")] + body_lines(140, 12)
    document = read_pdf(make_pdf([page], title="Water Policy in Dry Years"))
    assert document.metadata["title"] == "Water Policy in Dry Years"


def test_a_date_line_on_the_first_page_is_metadata_not_the_title():
    page = (
        [(72, 60, "Times-Roman", 10, "April 10, 2026")]
        + [(72, 90, "Times-Bold", 20, "Water Policy in Dry Years")]
        + body_lines(140, 12)
    )
    document = read_pdf(make_pdf([page]))
    assert document.metadata["title"] == "Water Policy in Dry Years"
    assert document.metadata["publication_date"] == "2026-04-10"
    assert [blk.kind for blk in document.blocks if blk.text == "April 10, 2026"] == [b.FURNITURE]


def test_small_numbered_text_at_the_page_bottom_is_a_footnote():
    page = body_lines(100, 20, size=11, pitch=14) + [
        (72, 700, "Times-Roman", 8, "1 Government Accountability Office, report 24-113, 2024."),
        (72, 711, "Times-Roman", 8, "2 Ibid., p. 4."),
    ]
    document = read_pdf(make_pdf([page]))
    notes = [blk.text for blk in document.blocks if blk.kind == b.FOOTNOTE]
    assert notes == ["1 Government Accountability Office, report 24-113, 2024.", "2 Ibid., p. 4."]


def test_a_figure_caption_is_a_caption():
    page = (
        body_lines(100, 8)
        + [(72, 220, "Helvetica-Bold", 10, "Figure 3. Rainfall by Region")]
        + body_lines(240, 8)
    )
    document = read_pdf(make_pdf([page]))
    assert [blk.kind for blk in document.blocks if blk.text.startswith("Figure 3")] == [b.CAPTION]


def test_english_lines_are_joined_with_spaces_and_hyphenated_compounds_kept():
    page = [
        (72, 100, "Times-Roman", 10, "The non-"),
        (72, 113, "Times-Roman", 10, "oil shipments rose"),
        (72, 126, "Times-Roman", 10, "in the spring."),
    ] + body_lines(160, 10)
    document = read_pdf(make_pdf([page]))
    assert document.blocks[0].text == "The non-oil shipments rose in the spring."


def test_unreadable_and_empty_pdfs_are_refused():
    with pytest.raises(DocumentError, match="not a readable PDF"):
        read_pdf(b"%PDF-1.4\n this is not really a pdf")
    with pytest.raises(DocumentError, match="no text layer"):
        read_pdf(make_pdf([[]]))


def test_an_encrypted_pdf_is_refused():
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    page.drawString(72, 700, "secret text")
    page.showPage()
    page.save()
    with pytest.raises(DocumentError, match="the PDF is encrypted"):
        read_pdf(buffer.getvalue())


# --- the corpus -----------------------------------------------------------------------------


_expected = corpus_spec


def _norm(text: str) -> str:
    text = "".join(text.split()).replace("ㆍ", "·").replace("‧", "·")
    return re.sub(r"^(?:[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]\.?|\d{1,2}[.)]|[가-하]\.|\(\d+\)|[①-⑳])", "", text)


def _check_corpus(doc_id: str) -> None:
    expected = _expected(doc_id)
    path = corpus_file(expected["file"])
    document = document_from_blocks(read_pdf(path.read_bytes(), filename=path.name), filename=path.name)
    found = [_norm(s.heading) for s in document.sections if s.heading]
    position = 0
    for item in expected["sections"]:
        if item.get("optional"):
            continue
        variants = {_norm(h) for h in item["h"]}
        while position < len(found) and found[position] not in variants:
            position += 1
        assert position < len(found), f"missing heading {item['h'][0]!r} (in order)"
        position += 1
    accepted = {_norm(h) for item in expected["sections"] for h in item["h"]} | {"Notes", "주석"}
    spurious = [s.heading for s in document.sections if s.heading and _norm(s.heading) not in accepted]
    assert not spurious, f"headings the careful reader does not see: {spurious}"
    text = "\n".join(s.text for s in document.sections if s.heading not in ("Notes", "주석"))
    for name, pattern in expected.get("junk", []) + global_junk():
        assert not re.search(pattern, text), f"furniture in the sections: {name}"
    assert _norm(document.title) in {_norm(t) for t in expected["title"]}


def test_corpus_03_two_column_in_focus():
    _check_corpus("03")


def test_corpus_04_one_column_report_with_footnotes_and_contents():
    _check_corpus("04")


def test_corpus_01_korean_rfp():
    _check_corpus("01")


def test_corpus_02_korean_rfp():
    _check_corpus("02")


def test_a_footnote_reference_number_is_left_out_of_the_text():
    page = [
        (72, 100, "Times-Roman", 11, "Exports of hay rose sharply."),
        (220, 96, "Times-Roman", 7, "12"),  # small, raised: a note reference
        (72, 114, "Times-Roman", 11, "The ports of the region handled most of it."),
    ] + body_lines(150, 10, size=11)
    document = read_pdf(make_pdf([page]))
    assert (
        document.blocks[0].text == "Exports of hay rose sharply. The ports of the region handled most of it."
    )


def test_small_text_at_the_bottom_out_of_the_note_sequence_is_no_footnote():
    page = body_lines(100, 20, size=11, pitch=14) + [(72, 700, "Times-Roman", 8, "20 signed and dated")]
    document = read_pdf(make_pdf([page]))
    assert not [blk for blk in document.blocks if blk.kind == b.FOOTNOTE]
    assert any(blk.text == "20 signed and dated" for blk in document.blocks)


def test_a_list_of_contents_late_in_the_document_keeps_its_annex_heading():
    body_pages = [body_lines(80, 50) for _ in range(3)]  # the body comes first
    annex = [(72, 60, "Helvetica-Bold", 14, "Annex 4 Forms"), (72, 110, "Helvetica", 12, "List of forms")] + [
        (72, 140 + i * 16, "Times-Roman", 11, f"{i + 1}. Form number {i + 1} " + "." * 50 + f" {40 + i}")
        for i in range(5)
    ]
    document = read_pdf(make_pdf(body_pages + [annex]))
    last = [blk for blk in document.blocks if blk.page == 4]
    assert [blk.text for blk in last if blk.kind != b.FURNITURE] == ["Annex 4 Forms"]
    assert all("table of contents" in blk.why for blk in last if blk.kind == b.FURNITURE)


def test_a_running_footer_inside_a_table_frame_is_taken_out_of_the_table():
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(595, 842))
    for n in (1, 2, 3):
        for line in body_lines(100, 8):
            page.setFont("Times-Roman", 10)
            page.drawString(72, 842 - line[1], line[4])
        if n == 3:  # a two-row table whose frame runs down over the footer
            page.rect(60, 842 - 830, 470, 600)
            page.rect(60, 842 - 300, 470, 70)
            page.line(295, 842 - 830, 295, 842 - 230)
            page.setFont("Times-Roman", 10)
            page.drawString(70, 842 - 260, "Year")
            page.drawString(300, 842 - 260, "Amount")
            page.drawString(70, 842 - 400, "2024")
            page.drawString(300, 842 - 400, "120")
        page.setFont("Helvetica", 8)
        page.drawString(72, 842 - 815, f"Budget Office Working Paper {n}")
        page.showPage()
    page.save()
    document = read_pdf(buffer.getvalue())
    tables = [blk for blk in document.blocks if blk.kind == b.TABLE]
    assert len(tables) == 1
    assert "Working Paper" not in tables[0].text
    assert "2024" in tables[0].text
    furniture = [blk.text for blk in document.blocks if blk.kind == b.FURNITURE]
    assert "Budget Office Working Paper 3" in furniture


def test_a_chapter_heading_in_the_top_band_is_not_taken_for_its_small_running_header():
    pages = []
    for n in range(1, 5):
        page = [(72, 30, "Helvetica", 8, "Costs of the Programme")]  # the running header
        if n == 2:
            page.append((72, 70, "Helvetica-Bold", 16, "Costs of the Programme"))  # the chapter heading
        pages.append(page + body_lines(120, 12))
    document = read_pdf(make_pdf(pages))
    kinds = [(blk.kind, blk.font_size) for blk in document.blocks if blk.text == "Costs of the Programme"]
    assert kinds.count((b.FURNITURE, 8.0)) == 4
    assert len(kinds) == 5 and not any(kind == b.FURNITURE and size == 16.0 for kind, size in kinds)


def test_a_numbered_chapter_heading_on_the_first_page_is_not_the_title():
    page = [(72, 80, "Times-Bold", 18, "1. Introduction")] + body_lines(120, 20)
    document = read_pdf(make_pdf([page, body_lines(100, 20)]))
    assert document.metadata.get("title", "") != "1. Introduction"
    assert [blk.kind for blk in document.blocks if blk.text == "1. Introduction"] != [b.TITLE]


# --- generalisation: shapes seen in real PDFs outside the corpus ------------------------------


def _korean_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("HYSMyeongJo-Medium"))
    pdfmetrics.registerFont(UnicodeCIDFont("HYGothic-Medium"))
    return "HYSMyeongJo-Medium"


def _headings(data: bytes) -> list[str]:
    return [s.heading for s in document_from_blocks(read_pdf(data)).sections if s.heading]


def test_the_wrapped_second_line_of_a_figure_caption_is_part_of_the_caption():
    page = (
        body_lines(100, 8)
        + [(72, 215, "Helvetica-Bold", 9.5, "Figure 1. Structure of the Service Within the Department of")]
        + [(72, 226, "Helvetica-Bold", 9.5, "the Navy")]
        + body_lines(300, 8)
    )
    document = read_pdf(make_pdf([page, body_lines(100, 20)]))
    captions = [blk.text for blk in document.blocks if blk.kind == b.CAPTION]
    assert captions == ["Figure 1. Structure of the Service Within the Department of the Navy"]
    assert "the Navy" not in _headings(make_pdf([page, body_lines(100, 20)]))


def test_the_centred_second_line_of_a_centred_caption_is_part_of_the_caption():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    first, second = (
        "Figure 2. Projected Effect of the Recent Rules on Capital, by Size of",
        "Holding Companies",
    )
    page = (
        body_lines(100, 8, size=11, pitch=14)
        + [(297 - stringWidth(first, "Helvetica-Bold", 11) / 2, 230, "Helvetica-Bold", 11, first)]
        + [(297 - stringWidth(second, "Helvetica-Bold", 11) / 2, 243, "Helvetica-Bold", 11, second)]
        + body_lines(300, 8, size=11, pitch=14)
    )
    data = make_pdf([page, body_lines(100, 20, size=11, pitch=14)])
    captions = [blk.text for blk in read_pdf(data).blocks if blk.kind == b.CAPTION]
    assert captions and captions[0].endswith("by Size of Holding Companies")
    assert "Holding Companies" not in _headings(data)


def test_labels_inside_a_figure_between_its_title_and_its_source_are_no_headings():
    page = (
        body_lines(100, 8)
        + [(72, 215, "Helvetica-Bold", 9.5, "Figure 3. Organisation of the Service")]
        + [(150, 250, "Helvetica-Bold", 12, "Chief of Operations")]
        + [
            (100, 290, "Helvetica-Bold", 12, "Field Commands"),
            (300, 290, "Helvetica-Bold", 12, "Staff Offices"),
        ]
        + [(72, 330, "Helvetica", 8.5, "Source: Adapted from the Service's own chart.")]
        + body_lines(350, 8)
    )
    data = make_pdf([page, body_lines(100, 20)])
    kinds = {blk.text: blk.kind for blk in read_pdf(data).blocks}
    assert kinds["Chief of Operations"] == b.CAPTION
    assert not {"Chief of Operations", "Field Commands", "Staff Offices"} & set(_headings(data))


def test_a_bold_line_starting_lowercase_is_no_heading():
    page = (
        body_lines(100, 8) + [(72, 215, "Helvetica-Bold", 10, "and the costs after it")] + body_lines(235, 8)
    )
    assert "and the costs after it" not in _headings(make_pdf([page, body_lines(100, 20)]))


def test_a_banner_above_the_title_on_the_first_page_is_masthead_furniture():
    page = [
        (480, 60, "Helvetica-Bold", 18, "BRIEFi"),
        (72, 120, "Helvetica-Bold", 22, "Changes to the Capital Rules"),
    ] + body_lines(170, 20, size=11, pitch=14)
    data = make_pdf([page, body_lines(100, 20, size=11, pitch=14)])
    document = read_pdf(data)
    assert [blk.kind for blk in document.blocks if blk.text == "BRIEFi"] == [b.FURNITURE]
    assert document.metadata["title"] == "Changes to the Capital Rules"
    assert "BRIEFi" not in _headings(data)


def test_a_name_over_a_job_title_is_an_author_block_not_a_heading():
    page = (
        body_lines(100, 10, size=9, pitch=12)
        + [(72, 240, "Helvetica-Bold", 14, "Author Information")]
        + [
            (72, 270, "Times-Roman", 10, "Jane Q. Doe"),
            (72, 282, "Times-Roman", 10, "Specialist in Public Finance and Budget Process"),
        ]
        + [(72, 320, "Helvetica-Bold", 14, "Disclaimer")]
        + body_lines(345, 5, size=9, pitch=12)
    )
    data = make_pdf([body_lines(100, 30, size=9, pitch=12), page])
    heads = _headings(data)
    assert "Author Information" in heads and "Disclaimer" in heads
    assert not any("Doe" in h for h in heads)
    assert read_pdf(data).metadata["authors"] == ["Jane Q. Doe"]


def test_a_contact_line_is_no_heading():
    page = (
        body_lines(100, 8)
        + [(72, 215, "Helvetica-Bold", 12, "jdoe@example.org, 202-555-0143")]
        + body_lines(240, 8)
    )
    assert not any("example.org" in h for h in _headings(make_pdf([page, body_lines(100, 20)])))


def test_the_title_is_no_unit_note_figure_label_or_placeholder_metadata_title():
    font = _korean_font()
    page = [(300, 80, font, 12, "(단위 : %)"), (72, 120, font, 12, "대 표 도 - 도1")] + [
        (72, 160 + i * 14, font, 10, "본 보고서는 기금의 운용 성과를 설명하고 향후 계획을 제시한다.")
        for i in range(20)
    ]
    document = read_pdf(make_pdf([page, page], title="PowerPoint 프레젠테이션"))
    assert document.metadata.get("title", "") not in (
        "PowerPoint 프레젠테이션",
        "(단위 : %)",
        "대 표 도 - 도1",
    )
    assert not any(blk.kind == b.TITLE for blk in document.blocks)


def test_the_title_printed_in_a_ruled_frame_is_its_largest_line_not_the_whole_table():
    from reportlab.pdfgen import canvas

    font = _korean_font()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(595, 842))
    # a frame of two cells: the title on the left (20pt), the form's numbers on the right (9pt)
    page.rect(50, 842 - 130, 300, 90)
    page.setFont(font, 20)
    page.drawString(60, 842 - 90, "물 질 안 전 보 건 자 료")
    page.setFont(font, 9)
    for i, text in enumerate(["문서번호 : AB-0001", "개정일자 : 2021.09.30", "개정번호 : 3"]):
        page.rect(350, 842 - 70 - i * 30, 200, 30)
        page.drawString(360, 842 - 60 - i * 30, text)
    page.setFont(font, 10)
    for i in range(30):
        page.drawString(
            60, 842 - 170 - i * 14, "이 자료는 제품의 취급과 저장 방법을 설명하고 응급조치 요령을 안내한다."
        )
    page.showPage()
    page.save()
    document = read_pdf(buffer.getvalue())
    assert document.metadata["title"] == "물 질 안 전 보 건 자 료"
    assert document_from_blocks(document).title == "물질안전보건자료"


def test_a_letter_spaced_heading_is_not_joined_with_the_heading_before_it():
    font = _korean_font()
    text = "본 발명은 문서에 삽입된 이미지에서 개인 정보를 찾아 가리는 방법에 관한 것이다."
    page = (
        [(72, 60, "HYGothic-Medium", 20, "명 세 서")]
        + [(72, 100 + i * 14, font, 10, text) for i in range(8)]
        + [(72, 230, "HYGothic-Medium", 13, "발명의 설명"), (72, 250, "HYGothic-Medium", 13, "기 술 분 야")]
        + [(72, 275 + i * 14, font, 10, text) for i in range(8)]
    )
    heads = _headings(make_pdf([page, [(72, 100 + i * 14, font, 10, text) for i in range(30)]]))
    assert "발명의 설명" in heads and any(h.replace(" ", "") == "기술분야" for h in heads)


def _bill_pages(font: str) -> list:
    bold = "HYGothic-Medium"
    sentence = "이 법은 국민의 안전과 건강을 보호하기 위하여 필요한 사항을 정함을 목적으로 한다."
    para = [(72, 0, font, 11, sentence)]

    def at(top, items):
        return [(x, top + i * 16, f, s, t) for i, (x, _, f, s, t) in enumerate(items)]

    first = (
        [(200, 80, bold, 18, "안전관리법 일부개정법률안")]
        + [(250, 130, bold, 14, "제 안 이 유")]
        + at(160, para * 4)
        + [(250, 250, bold, 14, "주 요 내 용")]
        + at(280, para * 4)
        + [(72, 370, bold, 13, "제1장 총칙")]
        + [(72, 400, font, 11, "제1조(목적) " + sentence)]
        + [(72, 416, font, 11, "제2조(정의) 이 법에서 사용하는 용어의 뜻은 다음과 같다.")]
        + at(432, para * 6)
    )
    second = (
        at(80, para * 10)
        + [(270, 260, bold, 14, "부 칙")]
        + [(72, 290, font, 11, "이 법은 공포 후 6개월이 경과한 날부터 시행한다.")]
        + [(72, 330, bold, 13, "※ 참고자료")]
        + at(360, para * 4)
        + [(72, 440, bold, 13, "붙임 1")]
        + at(470, para * 4)
    )
    return [first, second]


def test_a_korean_bill_letter_spaced_headings_chapters_and_run_in_articles():
    font = _korean_font()
    parsed = document_from_blocks(read_pdf(make_pdf(_bill_pages(font))))
    heads = [" ".join(s.heading.split()) for s in parsed.sections if s.heading]
    closed = [h.replace(" ", "") for h in heads]
    assert parsed.title == "안전관리법 일부개정법률안"
    assert "제안이유" in closed and "주요내용" in closed and "부칙" in closed
    assert "제1장 총칙" in heads
    assert not any(h.startswith(("제1조", "제2조")) for h in heads)  # articles are run-in paragraphs
    assert any(h.startswith("붙임") for h in heads)  # "※ 참고자료" needs bold: see test_classify
    annex = next(s for s in parsed.sections if s.heading.startswith("붙임"))
    assert annex.level == 1


def test_a_heading_at_the_top_of_the_right_column_is_read_after_the_left_column():
    left = [
        (50, 120 + i * 13, "Times-Roman", 10, f"left column line number {i} of the text") for i in range(30)
    ]
    right = [(320, 120, "Helvetica-Bold", 13, "Background of the Rule")] + [
        (320, 145 + i * 13, "Times-Roman", 10, f"right column line number {i} of it") for i in range(28)
    ]
    title = [(50, 80, "Times-Bold", 20, "A Title Across Both Columns")]
    data = make_pdf([title + left + right, body_lines(100, 30)])
    document = read_pdf(data)
    order = [blk.text for blk in document.blocks]
    head = order.index("Background of the Rule")
    assert any("left column line number 29" in t for t in order[:head])
    assert any("right column line number 0" in t for t in order[head + 1 :])
    assert "Background of the Rule" in _headings(data)


def test_running_headers_alternating_left_and_right_are_furniture():
    pages = []
    for n in range(1, 7):
        x, text = (72, "Report on the Budget") if n % 2 else (400, "Congressional Budget Office")
        pages.append([(x, 30, "Helvetica", 8, text)] + body_lines(120, 30))
    document = read_pdf(make_pdf(pages))
    kinds = {
        blk.kind
        for blk in document.blocks
        if blk.text in ("Report on the Budget", "Congressional Budget Office")
    }
    assert kinds == {b.FURNITURE}


def test_two_headings_one_under_the_other_stay_two_when_headings_often_come_in_pairs():
    font = _korean_font()
    text = "본 발명은 문서에 삽입된 이미지에서 개인 정보를 찾아 가리는 방법에 관한 것이다."
    bold = "HYGothic-Medium"
    pages = []
    for first, second in [
        ("발명의 내용", "해결하려는 과제"),
        ("발명의 효과", "도면의 설명"),
        ("실시 내용", "부호의 설명"),
    ]:
        page = [(72, 60 + i * 14, font, 10, text) for i in range(10)]
        page += [(72, 220, bold, 13, first), (72, 252, bold, 13, second)]  # 32pt apart: 2.5 times the size
        page += [(72, 280 + i * 14, font, 10, text) for i in range(20)]
        pages.append(page)
    pages[0].insert(0, (72, 30, bold, 20, "명 세 서"))
    heads = _headings(make_pdf(pages))
    assert "발명의 내용" in heads and "해결하려는 과제" in heads and "도면의 설명" in heads
