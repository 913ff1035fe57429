"""Rules of briefs.importers.classify: numbering schemes, letter spacing, captions, and the
heading classifier of layout formats (`classify_layout`), each on a small hand-built input."""

from __future__ import annotations

import pytest

from briefs.importers import blocks as b
from briefs.importers.blocks import Block
from briefs.importers.classify import (
    body_style,
    classify_layout,
    explain_blocks,
    is_caption,
    letter_spaced,
    numbered_heading_like,
    numbering,
    unspace,
)
from tests.briefs.corpus import corpus_file

BODY = (
    "The committee heard testimony from several witnesses on the proposal, and the members "
    "asked how the programme would be paid for over the next five years."
)
BODY_KO = (
    "위원회는 여러 증인으로부터 제안에 대한 의견을 들었으며, "
    "위원들은 향후 5년간 사업 재원을 어떻게 마련할지 물었다."
)


def para(text: str, size: float | None = None, *, bold: bool = False, page: int = 1, **features) -> Block:
    lines = text.split("\n")
    features.setdefault("line_count", len(lines))
    features.setdefault("lines", lines)
    return Block(kind=b.PARAGRAPH, text=text, font_size=size, bold=bold, page=page, features=features)


def headings(blocks: list[Block]) -> list[tuple[str, int | None]]:
    return [(blk.text, blk.level) for blk in blocks if blk.kind == b.HEADING]


# --- numbering ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "scheme", "marker", "rest", "value"),
    [
        ("Ⅱ. 사업 추진계획", "roman", "Ⅱ.", "사업 추진계획", 2),
        ("Ⅲ 제안요청 내용", "roman", "Ⅲ", "제안요청 내용", 3),
        ("IV. Findings", "roman", "IV.", "Findings", 4),
        ("3. 추진방향", "arabic", "3.", "추진방향", 3),
        ("1.2 세부 내용", "decimal", "1.2", "세부 내용", 2),
        ("나. 성능 요구사항", "hangul", "나.", "성능 요구사항", 2),
        ("(3) 기타", "paren_arabic", "(3)", "기타", 3),
        ("2) 일정", "arabic_paren", "2)", "일정", 2),
        ("(다) 범위", "paren_hangul", "(다)", "범위", 3),
        ("③ 사업범위", "circled", "③", "사업범위", 3),
        ("제2장 총칙", "chapter", "제2장", "총칙", 2),
        ("제3조(목적)", "clause", "제3조", "(목적)", 3),
        ("제 12 조 (정의) 이 법에서", "clause", "제 12 조", "(정의) 이 법에서", 12),
        ("[첨부 1] 소프트웨어 개발사업", "annex", "[첨부 1]", "소프트웨어 개발사업", 1),
        ("<붙임2> 제안서 관련 서식", "annex", "<붙임2>", "제안서 관련 서식", 2),
        ("※ 참고 사항", "reference", "※", "참고 사항", None),
    ],
)
def test_numbering_schemes(text, scheme, marker, rest, value):
    found = numbering(text)
    assert found is not None
    assert (found.scheme, found.marker, found.rest, found.value) == (scheme, marker, rest, value)


@pytest.mark.parametrize(
    "text", ["2024년 1월 1일", "Introduction", "100 million", "<표 2> 추진 일정", "[그림 1] 개념도"]
)
def test_numbering_absent(text):
    assert numbering(text) is None


def test_numbered_heading_like():
    assert numbered_heading_like("1. 추진배경 및 필요성")
    assert not numbered_heading_like("1. 본 사업은 과업심의위원회를 거친 사업이다. 변경 시 협의한다.")
    assert not numbered_heading_like("○ 추진 방향")  # an outline bullet, not a numbering
    assert not numbered_heading_like("3.")


def test_letter_spacing():
    assert letter_spaced("검 토 보 고")
    assert letter_spaced("해 제")
    assert not letter_spaced("해제")
    assert not letter_spaced("사업 개요")
    assert unspace("부 칙") == "부칙"
    assert unspace("사업 개요") == "사업 개요"


@pytest.mark.parametrize(
    ("text", "caption"),
    [
        ("표 1 연도별 예산", True),
        ("<표 2> 추진 일정", True),
        ("[그림 3] 개념도", True),
        ("Figure 1. Australia Fact Sheet", True),
        ("Table 2: Imports by port", True),
        ("Source: CRS analysis", True),
        ("자료: 통계청", True),
        ("출처 : 행정안전부", True),
        ("< 웹기안기 구성을 위한 자원 현황 >", True),
        ("<붙임1> 외주 용역사업 보안특약사항", False),
        ("표준 계약서", False),
        ("Tables and figures", False),
    ],
)
def test_is_caption(text, caption):
    assert is_caption(text) is caption


# --- rule 1: body style ---------------------------------------------------------------------


def test_body_style_is_the_style_of_most_characters():
    blocks = [para("Big title", 20, bold=True), para(BODY, 10), para(BODY, 10), para("Note: short.", 8)]
    style = body_style(blocks)
    assert (style.size, style.bold) == (10, False)
    assert body_style([para(BODY)]).size is None


# --- rule 2: headings from style ------------------------------------------------------------


def test_heading_from_size_and_weight_ranked_into_levels():
    blocks = [
        para("Introduction", 16, bold=True),
        para(BODY, 10),
        para("Trade and Investment", 13, bold=True),
        para(BODY, 10),
        para("Tariffs", 10, bold=True),
        para(BODY, 10),
        para("Background", 16, bold=True, page=2),
        para(BODY, 10, page=2),
    ]
    classify_layout(blocks)
    assert headings(blocks) == [
        ("Introduction", 1),
        ("Trade and Investment", 2),
        ("Tariffs", 3),
        ("Background", 1),
    ]
    assert "size 16.0 > body 10.0" in blocks[0].why and "level 1" in blocks[0].why
    assert "bold at body size" in blocks[4].why


def test_close_sizes_are_one_heading_style():
    blocks = [
        para("Ⅰ 사업 개요", 21),
        para("개 요", 17),
        para(BODY_KO * 3, 15),
        para("추진체계", 18),
        para(BODY_KO * 3, 15),
        para("Ⅱ 사업 추진계획", 20),
        para("추진전략", 17),
        para(BODY_KO * 3, 15),
    ]
    classify_layout(blocks)
    assert headings(blocks) == [
        ("Ⅰ 사업 개요", 1),
        ("개 요", 2),
        ("추진체계", 2),
        ("Ⅱ 사업 추진계획", 1),
        ("추진전략", 2),
    ]


def test_style_needs_a_heading_shape_and_a_standalone_block():
    run_in = para("Critical Minerals. Australia has joined the United States on several initiatives.", 10)
    run_in.bold = True
    blocks = [
        para("The members asked how it would be paid for.", 14, bold=True),  # a sentence
        para(BODY, 10),
        run_in,  # bold, but a sentence: a run-in lead
        para(BODY, 10),
        para("A heading\nthat runs\nover four\nlines", 14, bold=True),
        para(BODY, 10),
    ]
    classify_layout(blocks)
    assert headings(blocks) == []


# --- rule 3: headings from numbering --------------------------------------------------------


def test_numbered_headings_without_fonts_take_levels_from_scheme_order():
    blocks = [
        para("Ⅰ. 사업 개요"),
        para("1. 추진 배경"),
        para(BODY_KO),
        para("2. 추진 방향"),
        para(BODY_KO),
        para("Ⅱ. 추진 계획"),
        para("1. 추진 전략"),
        para(BODY_KO),
        para("2. 추진 일정"),
        para(BODY_KO),
    ]
    classify_layout(blocks)
    assert headings(blocks) == [
        ("Ⅰ. 사업 개요", 1),
        ("1. 추진 배경", 2),
        ("2. 추진 방향", 2),
        ("Ⅱ. 추진 계획", 1),
        ("1. 추진 전략", 2),
        ("2. 추진 일정", 2),
    ]
    assert "numbering 'Ⅰ.' (roman)" in blocks[0].why


def test_first_scheme_seen_is_the_top_whatever_it_is():
    lines = ["가. 목적", "(1) 배경", "(2) 경과", "나. 범위", "(1) 대상", "(2) 기간"]
    blocks = [blk for line in lines for blk in (para(line), para(BODY_KO))]
    classify_layout(blocks)
    levels = dict(headings(blocks))
    assert levels["가. 목적"] == 1 and levels["나. 범위"] == 1
    assert levels["(1) 배경"] == 2 and levels["(2) 기간"] == 2


def test_numbered_items_whose_siblings_are_sentences_are_a_list():
    blocks = [
        para("1. 제안 안내", 18),
        para("가. 제안서에 제시된 내용은 계약서에 준하는 효력을 가진다.", 15),
        para(BODY_KO, 15),
        para("나. 입찰보증금", 15),
        para(BODY_KO, 15),
        para("다. 제출된 제안서는 반환하지 않으며, 관련 비용은 제안자가 부담한다.", 15),
        para(BODY_KO, 15),
    ]
    classify_layout(blocks)
    assert headings(blocks) == [("1. 제안 안내", 1)]
    assert "sentences" in blocks[3].why


def test_numbered_items_that_follow_one_another_are_a_list():
    blocks = [para("1. 개요"), para("2. 배경"), para("3. 방향"), para(BODY_KO), para(BODY_KO)]
    classify_layout(blocks)
    assert headings(blocks) == []
    assert "follow one another" in blocks[0].why


def test_circled_numbers_at_body_size_are_list_items():
    blocks = [para("① 사업 범위", 12), para(BODY_KO, 12), para("② 사업 기간", 12), para(BODY_KO, 12)]
    classify_layout(blocks)
    assert headings(blocks) == []


def test_table_of_contents_lines_are_not_headings():
    blocks = [
        para("목 차", 20, page=2),
        para("Ⅰ. 사업 개요", 15, page=2),
        para("1. 개요 ··························· 1", 14, page=2),
        para("2. 추진배경 ························ 2", 14, page=2),
        para("3. 추진방향 ························ 3", 14, page=2),
        para("Ⅰ. 사업 개요", 21, page=3),
        para(BODY_KO * 3, 15, page=3),
    ]
    classify_layout(blocks)
    assert [blk.kind for blk in blocks[:5]] == [b.FURNITURE] * 5
    assert headings(blocks) == [("Ⅰ. 사업 개요", 1)]


# --- rule 4: letter spacing -----------------------------------------------------------------


def test_letter_spaced_lines_are_headings_in_plain_text():
    blocks = [para("해 제"), para(BODY_KO), para(BODY_KO), para("원 문"), para(BODY_KO)]
    classify_layout(blocks)
    assert headings(blocks) == [("해 제", 1), ("원 문", 1)]
    assert "letter-spaced" in blocks[0].why


# --- rule 5: wrapped headings ---------------------------------------------------------------


def test_a_heading_wrapped_over_two_blocks_is_merged():
    blocks = [
        para("The Strait of Hormuz and the", 16, bold=True, gap_before=20),
        para("Shipping of Food", 16, bold=True, gap_before=3),
        para(BODY, 11),
    ]
    classify_layout(blocks)
    assert headings(blocks) == [("The Strait of Hormuz and the Shipping of Food", 1)]
    assert len(blocks) == 2
    assert "wrapped" in blocks[0].why


def test_two_headings_far_apart_are_not_merged():
    blocks = [
        para("Overview", 16, bold=True, gap_before=20),
        para("Background", 16, bold=True, gap_before=30),
        para(BODY, 11),
    ]
    classify_layout(blocks)
    assert headings(blocks) == [("Overview", 1), ("Background", 1)]


def test_a_bare_numeral_joins_the_words_after_it():
    blocks = [para("Ⅵ", 20), para("기 타 사 항", 20), para(BODY_KO * 3, 15)]
    classify_layout(blocks)
    assert headings(blocks) == [("Ⅵ 기 타 사 항", 1)]


def test_a_line_repeating_the_heading_before_it_stays_text():
    blocks = [
        para("<붙임1> 외주 용역사업 보안특약사항", 18),
        para("외주 용역사업 보안특약 사항", 16, centered=True),
        para(BODY_KO * 3, 13),
    ]
    classify_layout(blocks)
    assert headings(blocks) == [("<붙임1> 외주 용역사업 보안특약사항", 1)]
    assert blocks[1].kind == b.PARAGRAPH and "repeats the heading" in blocks[1].why


# --- rule 6: never headings -----------------------------------------------------------------


def test_captions_footnotes_salutations_dates_and_numbers_are_not_headings():
    blocks = [
        para("Figure 1. Australia Fact Sheet", 12, bold=True),
        para("1 See the committee report of 2024", 8),
        para("Ladies and gentlemen!", 14, bold=True),
        para("한국남부발전 귀하", 16, bold=True),
        para("April 10, 2026", 14),
        para("2024. 02.", 14),
        para("20 . . . 12", 14, bold=True),
        para("A " * 60, 14, bold=True),
        para(BODY, 10),
        para(BODY, 10),
    ]
    classify_layout(blocks)
    assert headings(blocks) == []
    assert blocks[0].kind == b.CAPTION
    assert "smaller than the body" in blocks[1].why
    assert "addressee" in blocks[3].why
    assert "date" in blocks[4].why


def test_reference_notes_are_headings_only_when_set_as_headings():
    blocks = [
        para("※ 참고 사항", 12, bold=True),
        para(BODY_KO * 3, 12),
        para("※ 유의 사항", 15, bold=True),
        para(BODY_KO * 3, 12),
        para("※ 제출 서류"),
        para(BODY_KO * 3, 12),
    ]
    classify_layout(blocks)
    assert headings(blocks) == [("※ 유의 사항", 1)]


def test_salutations_in_plain_text_are_not_headings():
    blocks = [para("친애하는 동지들!"), para(BODY_KO), para("주체102(2013)년 1월 1일"), para(BODY_KO)]
    classify_layout(blocks)
    assert headings(blocks) == []


def test_smaller_appendix_pages_measure_their_own_body():
    main = [para(BODY_KO * 4, 15, page=p) for p in (1, 2, 3)]
    appendix = [para(BODY_KO * 4, 11, page=p) for p in (8, 9, 10)]
    table_head = para("구 분 세부내용", 11, bold=True, page=9)
    blocks = [*main, para("별첨 1 보안위규 처리 기준", 17, page=8), *appendix, table_head]
    classify_layout(blocks)
    # 17 pt over an 11 pt appendix; a bold 11 pt cell is smaller than the document's body
    assert headings(blocks) == [("별첨 1 보안위규 처리 기준", 1)]


# --- rule 7: headings with no text of their own ---------------------------------------------


def test_chapter_heading_directly_followed_by_a_sub_heading_is_kept():
    blocks = [para("Ⅱ. 추진내용", 20), para("1. 추진 전략", 18), para(BODY_KO * 3, 15)]
    classify_layout(blocks)
    assert headings(blocks) == [("Ⅱ. 추진내용", 1), ("1. 추진 전략", 2)]


def test_blocks_of_other_kinds_are_left_alone():
    title = Block(kind=b.TITLE, text="Australia", font_size=18, page=1)
    table = Block(kind=b.TABLE, text="구분 | 내용", rows=[["구분", "내용"]], font_size=12, page=1)
    blocks = [title, table, para(BODY, 10)]
    classify_layout(blocks)
    assert [blk.kind for blk in blocks] == [b.TITLE, b.TABLE, b.PARAGRAPH]


def test_no_headings_on_a_cover_page():
    title = Block(kind=b.TITLE, text="제안요청서", font_size=32, page=1)
    blocks = [
        title,
        para("사 업 명 온나라 웹기안기 도입", 15, bold=True, page=1),
        para("개 요", 17, page=2),
        para(BODY_KO * 5, 15, page=2),
        para(BODY_KO * 5, 15, page=3),
    ]
    classify_layout(blocks)
    assert headings(blocks) == [("개 요", 1)]
    assert "cover" in blocks[1].why


# --- rule 8: explanations -------------------------------------------------------------------


def test_explain_blocks_shows_kind_level_style_text_and_why():
    blocks = [para("Overview", 12.5, bold=True, page=1), para(BODY, 10, page=1)]
    classify_layout(blocks)
    lines = explain_blocks(blocks).splitlines()
    assert lines[0].startswith("p1 heading1 12.5b | Overview | size 12.5 > body 10.0 (+25%), bold")
    assert lines[1].startswith("p1 paragraph 10 | The committee heard")


# --- end to end on the corpus PDFs (reader + classifier) ------------------------------------


def _pdf_headings(name: str) -> list[str]:
    from briefs.importers.pdf import read_pdf

    document = read_pdf(corpus_file(name).read_bytes(), filename=name)
    return [" ".join(blk.text.split()) for blk in document.blocks if blk.kind == b.HEADING]


def test_crs_in_focus_headings():
    found = _pdf_headings("03_crs-if10491-australia_en.pdf")
    assert found[:7] == [
        "Overview",
        "Politics and Governance",
        "Economics and Trade",
        "Strategic Outlook",
        "Ties with the United States",
        "Australia-China Relations",
        "Considerations for Congress",
    ]
    assert not any(h.startswith(("Figure", "Source", "Australia: Background")) for h in found)


def test_crs_report_headings():
    found = _pdf_headings("04_crs-r48903-hormuz_en.pdf")
    expected = [
        "Introduction",
        "Control of the Strait",
        "Inbound and Outbound Ships",
        "Food and Animal Feed",
        "Steel and Construction Materials",
        "Automobiles",
        "Oil and Gas Byproducts",
        "Jones Act Waiver",
        "National Security Fleets",
    ]
    assert [h for h in found if h in expected] == expected
    assert "Contents" not in found and not any("....." in h for h in found)


@pytest.mark.parametrize(("text", "scheme"), [("Ⅵ", "roman"), ("3.", "arabic"), ("나.", "hangul")])
def test_a_bare_marker_is_a_numbering_with_no_text(text, scheme):
    found = numbering(text)
    assert found is not None and (found.scheme, found.rest) == (scheme, "")


def test_a_single_heading_set_above_the_recurring_styles_shares_the_top_level():
    blocks = [
        para("Overview", 12.5, bold=True),
        para(BODY, 10),
        para("Politics", 12.5, bold=True),
        para(BODY, 10),
        para("Trade", 10, bold=True),
        para(BODY, 10),
        para("Disclaimer", 14, bold=True, page=3),
        para(BODY, 10, page=3),
    ]
    classify_layout(blocks)
    assert headings(blocks) == [("Overview", 1), ("Politics", 1), ("Trade", 2), ("Disclaimer", 1)]


def test_bold_at_body_size_counts_only_where_bold_is_rare():
    bold_body = [para("m 신규 기능 도입 추진", 15, bold=True), para(BODY_KO * 2, 15, bold=True)]
    blocks = [*bold_body, para(BODY_KO * 3, 15), para("m 문서편집기 기능 제공", 15, bold=True)]
    classify_layout(blocks)
    assert headings(blocks) == []


def test_two_markers_on_one_line_are_a_row_of_a_list():
    blocks = [
        para("2. 기능 요구사항 Ⅶ. 하도급 계획의 적정성", 18),
        para(BODY_KO * 3, 15),
        para("Ⅰ. 일반현황 Ⅴ. 프로젝트 관리", 18),
        para(BODY_KO * 3, 15),
    ]
    classify_layout(blocks)
    assert headings(blocks) == []


def test_same_size_and_numbering_bold_or_not_is_one_style():
    blocks = [
        para("Ⅰ. 사업 안내", 20, bold=True),
        para("1. 사업개요", 18),
        para(BODY_KO * 3, 15),
        para("2. 추진배경", 18),
        para(BODY_KO * 3, 15),
        para("Ⅱ. 추진 내용", 20, bold=True),
        para("1. 추진 전략", 18, bold=True),
        para(BODY_KO * 3, 15),
        para("2. 추진 일정", 18, bold=True),
        para(BODY_KO * 3, 15),
    ]
    classify_layout(blocks)
    assert [level for _, level in headings(blocks)] == [1, 2, 2, 1, 2, 2]


def test_a_bold_label_indented_past_the_text_after_it_is_not_a_heading():
    label = para("추진 방향", 15, bold=True)
    label.bbox = (82, 150, 150, 166)
    item = para("① 안전하고 신뢰할 수 있는 AI 구축", 15)
    item.bbox = (62, 175, 545, 191)
    heading = para("Economics and Trade", 15, bold=True)
    heading.bbox = (62, 300, 200, 315)
    text = para(BODY_KO * 3, 15)
    text.bbox = (62, 320, 545, 400)
    blocks = [label, item, para(BODY_KO * 3, 15), heading, text]
    classify_layout(blocks)
    assert headings(blocks) == [("Economics and Trade", 1)]
    assert "indented" in label.why


def test_annex_labels_open_top_level_parts_whatever_their_size():
    blocks = [
        para("Ⅰ. 사업 안내", 20),
        para("1. 사업개요", 18),
        para(BODY_KO * 3, 15),
        para("2. 추진배경", 18),
        para(BODY_KO * 3, 15),
        para("Ⅱ. 추진 내용", 20),
        para(BODY_KO * 3, 15),
        para("[첨부 1] 소프트웨어 개발사업의 적정 사업 기간 종합산정서", 15, bold=True),
        para(BODY_KO * 3, 15),
        para("별첨 2 보안 위약금 부과기준", 15),
        para(BODY_KO * 3, 15),
    ]
    classify_layout(blocks)
    assert [level for _, level in headings(blocks)] == [1, 2, 2, 1, 1, 1]
    assert numbering("별첨 2 보안 위약금 부과기준").marker == "별첨 2"


def test_square_bullets_are_headings_only_when_larger_and_bold():
    blocks = [
        para("□ 추진 배경", 14, bold=True),
        para(BODY_KO * 3, 11),
        para("□ 추진 경과", 11),
        para(BODY_KO * 3, 11),
        para("○ 세부 내용", 14, bold=True),
        para(BODY_KO * 3, 11),
    ]
    classify_layout(blocks)
    assert headings(blocks) == [("□ 추진 배경", 1)]


def test_label_value_lines_are_not_numbered_headings_but_english_colons_may_be():
    korean = [para("1. 사업기간 : 13개월"), para(BODY_KO), para("2. 계약방법 : 제한경쟁"), para(BODY_KO)]
    english = [para("1. Trade: An Overview"), para(BODY), para("2. Security: Next Steps"), para(BODY)]
    classify_layout(korean)
    classify_layout(english)
    assert headings(korean) == []
    assert headings(english) == [("1. Trade: An Overview", 1), ("2. Security: Next Steps", 1)]


def test_a_korean_heading_wrapped_inside_a_word_is_joined_without_a_space():
    blocks = [
        para("한미 정상회", 16, bold=True, gap_before=20),
        para("담의 주요 성과", 16, bold=True, gap_before=3),
        para(BODY_KO * 3, 11),
    ]
    classify_layout(blocks)
    assert headings(blocks) == [("한미 정상회담의 주요 성과", 1)]


# --- shapes seen in real PDFs outside the corpus ----------------------------------------------


def test_a_line_starting_lowercase_is_no_english_heading():
    blocks = [para(BODY, 10), para("the Air Force", 10, bold=True), para(BODY, 10)]
    classify_layout(blocks)
    assert headings(blocks) == []
    assert "lowercase" in blocks[1].why


def test_a_name_over_a_role_is_an_author_block_not_a_wrapped_heading():
    blocks = [
        para(BODY, 9),
        para("Author Information", 14, bold=True),
        para("Valerie Example\nSpecialist on Congress and the Legislative Process", 10),
        para("Disclaimer", 14, bold=True),
        para(BODY, 9),
    ]
    classify_layout(blocks)
    assert [t for t, _ in headings(blocks)] == ["Author Information", "Disclaimer"]
    assert "stacked" in blocks[2].why


def test_a_label_over_a_title_is_still_a_heading():
    blocks = [para(BODY, 10), para("Appendix B\nList of Acronyms Used in This Report", 13, bold=True)]
    blocks += [para(BODY, 10), para("Part Two\nThe Regional Economies and Their Trade", 13)]
    blocks.append(para(BODY, 10))
    classify_layout(blocks)
    assert len(headings(blocks)) == 2


def test_a_wrapped_english_heading_filling_its_first_line_is_still_a_heading():
    blocks = [para(BODY, 10), para("Funding for the Programme in the Five\nFiscal Years", 13, bold=True)]
    blocks.append(para(BODY, 10))
    classify_layout(blocks)
    assert len(headings(blocks)) == 1


def test_a_contact_line_is_no_heading():
    blocks = [para(BODY, 10), para("Press office: 02-2100-1234", 13, bold=True), para(BODY, 10)]
    blocks += [para("담당: 홍길동 (hong@example.go.kr)", 13, bold=True), para(BODY_KO, 10)]
    classify_layout(blocks)
    assert headings(blocks) == []


def test_a_letter_spaced_line_and_a_normal_line_are_two_headings():
    blocks = [
        para(BODY_KO, 10),
        para("명 세 서", 14, bold=True),
        para("청구범위", 14, bold=True),
        para(BODY_KO, 10),
        para("발명의 설명", 13, bold=True),
        para("기 술 분 야", 13, bold=True),
        para(BODY_KO, 10),
    ]
    classify_layout(blocks)
    assert [t for t, _ in headings(blocks)] == ["명 세 서", "청구범위", "발명의 설명", "기 술 분 야"]


def test_a_reference_note_and_an_annex_label_of_a_bill_open_parts():
    blocks = [
        para("제 안 이 유", 14, bold=True),
        para(BODY_KO, 11),
        para("제1장 총칙", 13, bold=True),
        para("제1조(목적) 이 법은 국민의 안전을 보호하기 위하여 필요한 사항을 정함을 목적으로 한다.", 11),
        para("제2조(정의) 이 법에서 사용하는 용어의 뜻은 다음과 같다.", 11),
        para(BODY_KO, 11),
        para("부 칙", 14, bold=True),
        para("이 법은 공포 후 6개월이 경과한 날부터 시행한다.", 11),
        para("※ 참고자료", 14, bold=True),
        para(BODY_KO, 11),
        para("붙임 1", 14, bold=True),
        para(BODY_KO, 11),
    ]
    classify_layout(blocks)
    found = headings(blocks)
    texts = [t for t, _ in found]
    assert texts == ["제 안 이 유", "제1장 총칙", "부 칙", "※ 참고자료", "붙임 1"]
    assert dict(found)["붙임 1"] == 1 and dict(found)["제 안 이 유"] == 1 and dict(found)["※ 참고자료"] == 1


def test_bare_annex_labels_open_top_level_parts():
    blocks = [para("1. 추진 배경", 13, bold=True), para(BODY_KO, 11), para("2. 추진 계획", 13, bold=True)]
    blocks += [para(BODY_KO, 11), para("가. 세부 일정", 12, bold=True), para(BODY_KO, 11)]
    blocks += [para("붙임", 13, bold=True), para(BODY_KO, 11), para("별첨", 13, bold=True), para(BODY_KO, 11)]
    classify_layout(blocks)
    found = dict(headings(blocks))
    assert found["붙임"] == 1 and found["별첨"] == 1 and found["가. 세부 일정"] == 2
