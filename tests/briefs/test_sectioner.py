"""The shared stage every reader feeds: blocks → title, metadata, sections, warnings."""

from __future__ import annotations

import pytest

from briefs.importers import blocks as b
from briefs.importers.blocks import Block, BlockDocument, table_text
from briefs.importers.sectioner import document_from_blocks, title_looks_like_furniture


def doc(*blocks: Block, **metadata) -> BlockDocument:
    return BlockDocument(blocks=list(blocks), format="test", metadata=metadata)


def test_a_heading_starts_a_section_and_body_blocks_fill_it():
    parsed = document_from_blocks(
        doc(
            Block(b.PARAGRAPH, "Before any heading."),
            Block(b.HEADING, "First", level=1),
            Block(b.PARAGRAPH, "One."),
            Block(b.LIST_ITEM, "an item", marker="1."),
            Block(b.HEADING, "Second", level=2),
            Block(b.PARAGRAPH, "Two."),
        )
    )
    assert [(s.heading, s.level, s.text) for s in parsed.sections] == [
        ("", 2, "Before any heading."),
        ("First", 1, "One.\n\n1. an item"),
        ("Second", 2, "Two."),
    ]


def test_furniture_and_title_blocks_stay_out_of_sections_and_furniture_is_listed():
    parsed = document_from_blocks(
        doc(
            Block(b.TITLE, "The Title"),
            Block(b.FURNITURE, "- 3 -", why="page number"),
            Block(b.HEADING, "Intro"),
            Block(b.PARAGRAPH, "Body."),
            Block(b.FURNITURE, "Running header 4"),
        )
    )
    assert parsed.title == "The Title"
    assert [s.text for s in parsed.sections] == ["Body."]
    assert parsed.dropped == ["- 3 -", "Running header 4"]
    # Running headers and page numbers are expected; a large share of the text dropped is not.
    assert parsed.warnings == ["2 block(s), 21 characters, left out as page furniture: check them"]
    mostly_body = document_from_blocks(
        doc(Block(b.TITLE, "T"), Block(b.PARAGRAPH, "Body. " * 30), Block(b.FURNITURE, "- 3 -"))
    )
    assert mostly_body.warnings == []


def test_stated_metadata_title_wins_over_title_blocks():
    parsed = document_from_blocks(doc(Block(b.TITLE, "Big text"), Block(b.PARAGRAPH, "x."), title="Stated"))
    assert parsed.title == "Stated"


def test_without_a_title_the_first_sentence_is_used():
    parsed = document_from_blocks(doc(Block(b.PARAGRAPH, "The first sentence here. And more.")))
    assert parsed.title == "The first sentence here"


def test_footnotes_go_to_the_end_of_their_section():
    parsed = document_from_blocks(
        doc(
            Block(b.HEADING, "H"),
            Block(b.PARAGRAPH, "Start.", page=1),
            Block(b.FOOTNOTE, "1 A note.", page=1),
            Block(b.PARAGRAPH, "Continued.", page=2),
            Block(b.HEADING, "Next"),
            Block(b.PARAGRAPH, "Other."),
        )
    )
    assert parsed.sections[0].text == "Start.\n\nContinued.\n\n1 A note."
    assert parsed.sections[0].pages == (1, 2, 1)


def test_a_heading_without_text_of_its_own_is_kept():
    parsed = document_from_blocks(
        doc(
            Block(b.HEADING, "Ⅰ. Chapter", level=1),
            Block(b.HEADING, "1. Part", level=2),
            Block(b.PARAGRAPH, "x"),
        )
    )
    assert [(s.heading, s.text) for s in parsed.sections] == [("Ⅰ. Chapter", ""), ("1. Part", "x")]


def test_tables_become_rows_of_text():
    rows = [["구분", "내용"], ["사업명", "  웹기안기  도입 "]]
    assert table_text(rows) == "구분\t내용\n사업명\t웹기안기 도입"
    parsed = document_from_blocks(
        doc(Block(b.HEADING, "표"), Block(b.TABLE, "", rows=[*rows, ["", "", "비고"], ["", ""]]))
    )
    assert parsed.sections[0].text == "구분\t내용\n사업명\t웹기안기 도입\n\t\t비고"


def test_summary_paragraphs_before_the_first_heading_form_the_summary_section():
    parsed = document_from_blocks(
        doc(
            Block(b.PARAGRAPH, "요약 하나.", features={"summary": True}),
            Block(b.PARAGRAPH, "요약 둘.", features={"summary": True}),
            Block(b.PARAGRAPH, "들어가며."),
            Block(b.HEADING, "본론"),
            Block(b.PARAGRAPH, "본문."),
        )
    )
    assert [(s.kind, s.text) for s in parsed.sections] == [
        ("summary", "요약 하나.\n\n요약 둘."),
        ("body", "들어가며."),
        ("body", "본문."),
    ]


def test_text_is_nfc_and_spaces_are_collapsed():
    decomposed = "\u1112\u1161\u11ab"  # 한, decomposed
    parsed = document_from_blocks(doc(Block(b.HEADING, f"{decomposed}  국"), Block(b.PARAGRAPH, "a   b")))
    assert parsed.sections[0].heading == "한 국"
    assert parsed.sections[0].text == "a b"


def test_a_long_text_without_headings_is_reported():
    parsed = document_from_blocks(doc(*[Block(b.PARAGRAPH, "문장입니다. " * 100) for _ in range(10)]))
    assert any(w.startswith("no headings found") for w in parsed.warnings)
    short = document_from_blocks(doc(Block(b.PARAGRAPH, "짧은 글.")))
    assert not any(w.startswith("no headings found") for w in short.warnings)


@pytest.mark.parametrize(
    ("title", "furniture"),
    [
        ("- 3 -", True),
        ("Updated April 9, 2026", True),
        ("2023. 5.", True),
        ("April 10, 2026", True),
        ("https://example.org/a", True),
        ("제2차 북미정상회담 평가와 향후 과제", False),
        ("2023년 9월 KB자산운용 월간운용보고서", False),
        ("2024. 5. 17.", True),
        ("The Strait of Hormuz in Brief", False),
    ],
)
def test_titles_that_look_like_page_furniture(title, furniture):
    assert title_looks_like_furniture(title) is furniture


def test_a_furniture_title_is_passed_over_or_reported():
    passed_over = document_from_blocks(doc(Block(b.PARAGRAPH, "Real text."), title="Updated April 9, 2026"))
    assert passed_over.title == "Real text"
    assert not any("looks like page furniture" in w for w in passed_over.warnings)
    assert passed_over.warnings == [
        "the document states no title; it was taken from its first sentence: check it"
    ]
    only_furniture = document_from_blocks(doc(Block(b.PARAGRAPH, "- 3 -")), filename="2024-05-17.txt")
    assert only_furniture.title == "2024-05-17"
    assert any("looks like page furniture" in w for w in only_furniture.warnings)


def test_metadata_is_carried_over_and_dates_checked():
    parsed = document_from_blocks(
        doc(
            Block(b.PARAGRAPH, "Body."),
            title="T",
            authors="Jane Doe",
            publication_date="2024-02-30",
            source_url="https://example.org/",
        )
    )
    assert parsed.authors == ["Jane Doe"]
    assert parsed.publication_date == ""  # not a real date
    assert parsed.publication_year == 2024
    assert parsed.source_url == "https://example.org/"


def test_unknown_block_kinds_are_refused():
    with pytest.raises(ValueError, match="unknown block kind"):
        Block("banner", "x")


def test_a_heading_that_repeats_the_title_is_not_a_section():
    parsed = document_from_blocks(
        doc(
            Block(b.TITLE, "Electing the Speaker: Questions"),
            Block(b.PARAGRAPH, "Cover text."),
            Block(b.HEADING, "Electing the  Speaker: Questions", level=1),
            Block(b.PARAGRAPH, "Intro."),
            Block(b.HEADING, "Background", level=1),
            Block(b.PARAGRAPH, "More."),
        )
    )
    assert [s.heading for s in parsed.sections] == ["", "Background"]
    assert parsed.sections[0].text == "Cover text.\n\nIntro."
    assert parsed.blocks[2].why == "repeats the document's title"


def test_a_letter_spaced_title_is_closed_up():
    assert (
        document_from_blocks(doc(Block(b.TITLE, "제 안 요 청 서"), Block(b.PARAGRAPH, "본문."))).title
        == "제안요청서"
    )
    assert (
        document_from_blocks(doc(Block(b.TITLE, "남북 관계"), Block(b.PARAGRAPH, "본문."))).title
        == "남북 관계"
    )


@pytest.mark.parametrize(
    "bad", ["판매사 | 2023년 9월 | 월간보고서", "판매사\t2023년 9월", "(단위 : %)", "- 2 -"]
)
def test_a_title_is_not_a_table_a_unit_note_or_furniture(bad):
    parsed = document_from_blocks(
        doc(Block(b.TITLE, bad), Block(b.TITLE, "월간 운용 보고서"), Block(b.PARAGRAPH, "본문."))
    )
    assert parsed.title == "월간 운용 보고서"
    stated = document_from_blocks(
        doc(Block(b.TITLE, "월간 운용 보고서"), Block(b.PARAGRAPH, "본문."), title=bad)
    )
    assert stated.title == "월간 운용 보고서"


def test_invisible_characters_are_removed_from_text_and_headings():
    parsed = document_from_blocks(
        doc(
            Block(b.HEADING, "제\u200b목\u2060"),
            Block(b.PARAGRAPH, "\ufeff본\u00ad문\x0c입니다\x07.\n둘째 줄"),
        )
    )
    assert parsed.sections[0].heading == "제목"
    assert parsed.sections[0].text == "본문입니다.\n둘째 줄"


@pytest.mark.parametrize(
    ("title", "junk"),
    [
        ("Microsoft Word - brief_final.docx", True),
        ("PowerPoint 프레젠테이션", True),
        ("제목 없음", True),
        ("Slide 1", True),
        ("report.hwp", True),
        ("3", True),
        ("co19-05", True),  # the file's own name
        ("제2차 북미정상회담 평가와 향후 과제", False),
        ("Presentation of the 2024 Budget", False),
    ],
)
def test_placeholder_titles_from_file_properties(title, junk):
    from briefs.importers.sectioner import placeholder_title

    assert placeholder_title(title, "co19-05.pdf") is junk


def test_the_first_sentence_fallback_skips_unit_notes_and_tables():
    parsed = document_from_blocks(
        doc(
            Block(b.CAPTION, "(단위 : %)"),
            Block(b.TABLE, "", rows=[["a", "b"]]),
            Block(b.PARAGRAPH, "펀드의 성과."),
        )
    )
    assert parsed.title == "펀드의 성과"


@pytest.mark.parametrize("mark", ["(END)", "(끝)", "- 끝 -", "###", "-30-"])
def test_a_closing_mark_after_the_last_paragraph_is_furniture(mark):
    parsed = document_from_blocks(
        doc(Block(b.TITLE, "T"), Block(b.PARAGRAPH, "Last sentence."), Block(b.PARAGRAPH, mark))
    )
    assert parsed.sections[0].text == "Last sentence."
    assert parsed.dropped == [mark]


def test_only_a_trailing_closing_mark_is_dropped():
    parsed = document_from_blocks(
        doc(
            Block(b.TITLE, "T"),
            Block(b.PARAGRAPH, "(END)"),
            Block(b.PARAGRAPH, "The end of the war came in 1953."),
        )
    )
    assert parsed.sections[0].text == "(END)\n\nThe end of the war came in 1953."
