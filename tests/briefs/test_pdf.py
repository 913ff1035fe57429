"""The layout-aware PDF reader: one small reportlab-built PDF per rule, and the corpus PDFs."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from briefs.importers import blocks as b
from briefs.importers.errors import DocumentError
from briefs.importers.pdf import read_pdf
from briefs.importers.sectioner import document_from_blocks

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "import-corpus"

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


def _expected(doc_id: str) -> dict:
    data = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    return next(doc for doc in data["documents"] if doc["id"] == doc_id)


def _norm(text: str) -> str:
    text = "".join(text.split()).replace("ㆍ", "·").replace("‧", "·")
    return re.sub(r"^(?:[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]\.?|\d{1,2}[.)]|[가-하]\.|\(\d+\)|[①-⑳])", "", text)


def _check_corpus(doc_id: str) -> None:
    expected = _expected(doc_id)
    path = CORPUS / expected["file"]
    if not path.exists():
        pytest.skip(f"corpus file {path} not present")
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
    for name, pattern in expected.get("junk", []) + [
        tuple(j) for j in json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))["global_junk"]
    ]:
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
