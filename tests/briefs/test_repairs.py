"""Each plain-text repair rule on a tiny synthetic input (none of the sample's strings)."""

from __future__ import annotations

from briefs.importers import blocks as b
from briefs.importers.blocks import Block, BlockDocument
from briefs.importers.linebreaks import LineBreaks, uses_boundary_marks
from briefs.importers.sectioner import document_from_blocks
from briefs.importers.structure import (
    first_sentence_title,
    heading_like,
    strip_trailing_junk,
)
from briefs.importers.text import (
    detect_year,
    extract_byline,
    extract_closing_notes,
    extract_copyright,
    extract_first_line_title,
    extract_title_block,
    is_contact_footer,
    is_wrapped,
    join_lines,
    news_byline_authors,
    parse_text,
    read_text,
    remove_page_furniture,
    structure_blocks,
)

# A paragraph of wrapped, PDF-extracted lines: a trailing space marks a word boundary.
BODY = [
    "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. 특히 지방 ",
    "학교의 시설 개선에 배정된 금액이 작년보다 두 배 가까이 늘어나 ",
    "현장의 기대가 높다.",
]


MARKED = LineBreaks(marks=True)


def paragraphs(blocks):
    return [blk.text for blk in blocks if blk.kind != b.HEADING]


def headings(blocks):
    return [blk.text for blk in blocks if blk.kind == b.HEADING]


def build_sections(blocks):
    return document_from_blocks(BlockDocument(blocks=list(blocks), format="txt")).sections


# --- joining lines -------------------------------------------------------------------------


def test_line_broken_inside_a_word_is_joined_without_a_space():
    lines = ["협력 사업이 더 중요해졌 ", "다는 평가가 많다. 그러나 사업의 규모는 커졌", "다."]
    assert (
        join_lines(lines, breaks=MARKED)
        == "협력 사업이 더 중요해졌 다는 평가가 많다. 그러나 사업의 규모는 커졌다."
    )


def test_trailing_space_marks_a_word_boundary():
    assert join_lines(["첫째 줄의 끝 ", "둘째 줄"], breaks=MARKED) == "첫째 줄의 끝 둘째 줄"


def test_leading_space_on_the_continuation_marks_a_word_boundary():
    assert join_lines(["첫째 줄의 끝", " 둘째 줄"], breaks=MARKED) == "첫째 줄의 끝 둘째 줄"


def test_without_boundary_marks_every_line_break_is_a_space():
    assert join_lines(["the quick brown", "fox jumps"], breaks=LineBreaks()) == "the quick brown fox jumps"


def test_boundary_mark_convention_is_detected_from_the_share_of_trailing_spaces():
    assert uses_boundary_marks(BODY)
    assert not uses_boundary_marks(["the quick brown", "fox jumps over", "the lazy dog."])


def test_double_spaced_lines_are_one_paragraph_until_a_sentence_ends():
    lines = [
        "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. 특히 지방 ",
        "",
        "학교의 시설 개선에 배정된 금액이 작년보다 두 배 가까이 늘어나 현장의 ",
        "",
        "기대가 높다. 다만 집행 과정의 투명성을 높여야 한다는 지적이 이어졌",
        "",
        "다. 정부는 점검을 약속했다.",
    ]
    parts = structure_blocks(lines)
    assert paragraphs(parts) == [
        "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. 특히 지방 학교의 시설 개선에 "
        "배정된 금액이 작년보다 두 배 가까이 늘어나 현장의 기대가 높다. 다만 집행 과정의 투명성을 "
        "높여야 한다는 지적이 이어졌다. 정부는 점검을 약속했다."
    ]
    assert headings(parts) == []


def test_paragraphs_are_split_at_blank_lines_and_joined_within():
    parts = structure_blocks([*BODY, "", "둘째 문단은 짧게 끝난다. 그리고 다음 줄로 ", "이어진다."])
    assert paragraphs(parts) == [
        "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. 특히 지방 학교의 시설 개선에 배정된 "
        "금액이 작년보다 두 배 가까이 늘어나 현장의 기대가 높다.",
        "둘째 문단은 짧게 끝난다. 그리고 다음 줄로 이어진다.",
    ]


def test_a_korean_sentence_end_at_line_start_is_not_a_list_item():
    lines = [
        "정부는 올해 예산안에서 교육 분야의 지출을 ",
        "크게 늘리기로 하였고 이를 공식적으로 결정했",
        "다. 이어서 발표가 있었다.",
    ]
    assert paragraphs(structure_blocks(lines)) == [
        "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘리기로 하였고 이를 공식적으로 결정했다. "
        "이어서 발표가 있었다."
    ]


def test_list_items_become_paragraphs():
    lines = ["- 첫째 항목이다.", "- 둘째 항목이다.", "- 셋째 항목은 길어서 다음 줄로", "  이어진다."]
    assert is_wrapped(lines)
    assert paragraphs(structure_blocks(lines)) == [
        "- 첫째 항목이다.",
        "- 둘째 항목이다.",
        "- 셋째 항목은 길어서 다음 줄로 이어진다.",
    ]


# --- page furniture ------------------------------------------------------------------------


def test_footer_with_glued_page_number_series_code_and_page_break_are_removed():
    lines = [
        "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. 특히 지방 ",
        "학교의 시설 개선에 배정된 금액이 ",
        "",
        "",
        "XY 21-07",
        "",
        "7[12345] 어느시 어느구 어느로 1 어느기관 Tel.(031) 123-4567 l www.example.org",
        "",
        "작년보다 두 배 가까이 늘었다.",
    ]
    cleaned, series = remove_page_furniture(lines)
    assert series == "XY 21-07"
    assert not any("12345" in line or "XY 21-07" in line for line in cleaned)
    assert paragraphs(structure_blocks(cleaned)) == [
        "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. 특히 지방 학교의 시설 개선에 배정된 "
        "금액이 작년보다 두 배 가까이 늘었다."
    ]


def test_standalone_page_numbers_are_removed():
    lines = [*BODY, "", "12", "", "- 3 -", "", "다음 쪽 문단이다."]
    cleaned, series = remove_page_furniture(lines)
    assert series == ""
    assert "12" not in cleaned and "- 3 -" not in cleaned
    assert cleaned[: len(BODY)] == BODY


def test_a_code_like_line_far_from_any_footer_is_kept():
    lines = ["", "AB 12", "", *BODY]
    cleaned, series = remove_page_furniture(lines)
    assert series == ""
    assert cleaned == lines


def test_a_repeated_running_header_is_removed_and_its_code_taken():
    page = ["", "QR 20-01", "", *BODY]
    cleaned, series = remove_page_furniture(page * 2)
    assert series == "QR 20-01"
    assert "QR 20-01" not in cleaned


def test_contact_footer_needs_two_signals():
    assert is_contact_footer("[12345] 어느시 어느로 1 Tel. 02-123-4567")
    assert is_contact_footer("Example Institute | www.example.org | info@example.org")
    assert not is_contact_footer("서효문 기자 someone@example.com")
    assert not is_contact_footer("자세한 내용은 www.example.org 에서 확인할 수 있다.")


# --- title block, headings, byline ---------------------------------------------------------


def test_title_block_inside_a_paragraph_is_removed_and_becomes_the_title():
    lines = [
        "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. 특히 지방 ",
        "학교의 시설 개선에 배정된 금액이 작년보다 두 배 가까이 ",
        "",
        "교육 예산의 ",
        "",
        "새로운 방향",
        " 늘어나 현장의 기대가 높다.",
    ]
    cleaned, title = extract_title_block(lines)
    assert title == "교육 예산의 새로운 방향"
    assert paragraphs(structure_blocks(cleaned)) == [
        "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. 특히 지방 학교의 시설 개선에 배정된 "
        "금액이 작년보다 두 배 가까이 늘어나 현장의 기대가 높다."
    ]


def test_short_lines_after_a_finished_sentence_are_no_title_block():
    lines = [*BODY, "", "짧은 제목", "", " 본문이 이어지지만 앞 문단은 이미 끝났다."]
    assert extract_title_block(lines) == (lines, "")


def test_standalone_short_line_followed_by_body_is_a_heading():
    parts = structure_blocks([*BODY, "", "예산 집행의 과제", "", *BODY])
    assert headings(parts) == ["예산 집행의 과제"]
    assert len(paragraphs(parts)) == 2


def test_heading_printed_right_under_a_paragraph_is_split_off():
    lines = [*BODY[:-1], "현장의 기대가 높다.  ", " 예산은 충분한가? 혹은 집행이 문제인가?", "", *BODY]
    assert headings(structure_blocks(lines)) == ["예산은 충분한가? 혹은 집행이 문제인가?"]


def test_heading_split_over_two_lines_is_joined():
    lines = [*BODY, "", "전망의 근거: ", "", "예산 증액과 집행 점검의 병행", "", *BODY]
    assert headings(structure_blocks(lines)) == ["전망의 근거: 예산 증액과 집행 점검의 병행"]


def test_short_line_continuing_an_unfinished_sentence_is_no_heading():
    lines = [*BODY[:-1], "현장의 기대가 ", "", "높다", "", *BODY]
    assert headings(structure_blocks(lines)) == []


def test_heading_like_rejects_sentences_and_fragments():
    assert heading_like("양측의 입장: A vs. B")
    assert heading_like("예산은 충분한가?")
    assert not heading_like("예산이 늘었다.")
    assert not heading_like("예산이 늘었다. 그리고 집행")
    assert not heading_like("첫째, 둘째,")
    assert not heading_like("2020")


def test_byline_on_the_first_line_becomes_the_authors():
    lines = [" 어느연구원 정책분석팀", "", *BODY]
    cleaned, authors = extract_byline(lines)
    assert authors == ["어느연구원 정책분석팀"]
    assert cleaned[0] == ""
    assert extract_byline(["By Jane Roe", "", "The text starts here."])[1] == ["Jane Roe"]


def test_a_first_line_that_is_no_byline_is_kept():
    lines = ["예산 집행의 과제", "", *BODY]
    assert extract_byline(lines) == (lines, [])


def test_short_first_line_above_the_text_is_the_title():
    lines = ["예산 집행의 과제", "", *BODY]
    cleaned, title = extract_first_line_title(lines)
    assert title == "예산 집행의 과제"
    assert cleaned[0] == ""


def test_news_byline_names_the_reporter():
    assert news_byline_authors(["본문이다.", "홍길동 기자 hong@example.com"]) == ["홍길동"]
    assert news_byline_authors(["본문이다."]) == []


# --- summary box and introduction ----------------------------------------------------------


def test_opening_double_spaced_box_is_a_summary_and_the_introduction_follows():
    lines = [
        "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. 특히 지방 ",
        "",
        "학교의 시설 개선에 배정된 금액이 작년보다 두 배 가까이 늘어나 ",
        "",
        "현장의 기대가 높다.",
        "",
        " ",
        "",
        "서론은 여러 줄에 걸쳐 이어지는 보통의 문단으로 되어 있고 끝에서 ",
        "문제를 제기한다.",
        "",
        "예산 집행의 과제",
        "",
        *BODY,
    ]
    sections = build_sections(structure_blocks(lines))
    assert [(s.kind, s.heading) for s in sections] == [
        ("summary", ""),
        ("body", ""),
        ("body", "예산 집행의 과제"),
    ]
    assert sections[0].text.endswith("현장의 기대가 높다.")
    assert (
        sections[1].text == "서론은 여러 줄에 걸쳐 이어지는 보통의 문단으로 되어 있고 끝에서 문제를 제기한다."
    )


def test_a_double_spaced_text_alone_is_no_summary():
    lines = [
        "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. 특히 지방 ",
        "",
        "학교의 시설 개선에 배정된 금액이 작년보다 두 배 가까이 늘어나 ",
        "",
        "현장의 기대가 높다.",
    ]
    sections = build_sections(structure_blocks(lines))
    assert [s.kind for s in sections] == ["body"]


def test_paragraphs_in_a_section_are_separated_by_a_blank_line():
    sections = build_sections(
        [Block(b.HEADING, "제목"), Block(b.PARAGRAPH, "하나."), Block(b.PARAGRAPH, "둘.")]
    )
    assert sections[0].text == "하나.\n\n둘."


# --- copyright, disclaimer, year -----------------------------------------------------------


def test_copyright_glued_to_the_last_paragraph_is_taken_out():
    cleaned, notice = extract_copyright(["마지막 문장이다. ⓒXYZ 2021 "])
    assert notice == "ⓒXYZ 2021"
    assert cleaned == ["마지막 문장이다."]


def test_copyright_on_its_own_line_is_taken_out():
    cleaned, notice = extract_copyright(["본문이다.", "", "© 2020 Example Institute"])
    assert notice == "© 2020 Example Institute"
    assert cleaned == ["본문이다.", "", ""]


def test_closing_disclaimer_goes_to_notes():
    lines = [*BODY, "", "※ 이 글은 필자의 견해이며 기관의 ", "공식 입장이 아닙니다.", "", ""]
    cleaned, notes = extract_closing_notes(lines)
    assert notes == "※ 이 글은 필자의 견해이며 기관의 공식 입장이 아닙니다."
    assert cleaned == BODY


def test_a_note_mark_inside_the_text_stays():
    lines = ["※ 표의 단위는 억 원이다.", "", *BODY]
    assert extract_closing_notes(lines) == (lines, "")


def test_year_from_copyright_then_from_a_date():
    assert detect_year("ⓒXYZ 2017", []) == 2017
    assert detect_year("", ["발행일: 2016년 3월 4일", *BODY]) == 2016
    assert detect_year("", ["Published 2015-06-30", *BODY]) == 2015
    assert detect_year("", BODY) is None


def test_all_repairs_together_collect_the_metadata():
    text = "\n".join(
        [
            " 어느연구원 정책분석팀",
            "",
            *BODY,
            "",
            "",
            "XY 21-07",
            "",
            "3[12345] 어느시 어느로 1 Tel. 02-123-4567 www.example.org",
            "",
            "예산 집행의 과제",
            "",
            *BODY[:-1],
            "현장의 기대가 높다. ⓒXYZ 2021",
            "",
            "※ 이 글은 필자의 견해입니다.",
        ]
    )
    parsed = parse_text(text)
    assert parsed.authors == ["어느연구원 정책분석팀"]
    assert parsed.organisation == "어느연구원"
    assert parsed.series_code == "XY 21-07"
    assert parsed.copyright == "ⓒXYZ 2021"
    assert parsed.notes == "※ 이 글은 필자의 견해입니다."
    assert parsed.publication_year == 2021
    assert [s.heading for s in parsed.sections] == ["", "예산 집행의 과제"]


# --- scraped web text ----------------------------------------------------------------------


def test_trailing_image_links_and_teasers_are_dropped():
    lines = [
        "본문 문단이다.",
        "홍길동 기자 hong@example.com",
        "",
        "![기사 제목 [부제]](https://img.example.com/a.jpg?w=1&h=2)",
        "[광고] 새 상품 출시",
        "![[카드] 다른 기사](https://img.example.com/b.jpg)",
        "",
    ]
    assert strip_trailing_junk(lines) == ["본문 문단이다.", "홍길동 기자 hong@example.com"]


def test_text_without_trailing_links_is_untouched():
    lines = ["본문 문단이다.", "[광고] 이 줄은 링크 뒤가 아니므로 남는다"]
    assert strip_trailing_junk(lines) == lines


def test_unwrapped_text_has_one_paragraph_per_line():
    lines = [
        "사진 속 인물. / 사진=어느 기관.",
        "첫 문단은 한 줄에 모두 들어 있다. 문장이 여럿이어도 그렇다.",
        "둘째 문단도 한 줄이다.",
        "홍길동 기자 hong@example.com",
    ]
    assert not is_wrapped(lines)
    parts = structure_blocks(lines)
    assert paragraphs(parts) == lines
    assert headings(parts) == []


def test_title_from_the_first_sentence_skips_a_photo_caption():
    title = first_sentence_title(
        ["사진 속 인물. / 사진=어느 기관.", "장관은 오늘 회의를 열었다. 이어서 발표했다."]
    )
    assert title == "장관은 오늘 회의를 열었다"


def test_title_then_byline_on_top_of_plain_text():
    text = "\n".join(
        [
            "Energy Security in East Asia",
            "",
            "By Jane Roe",
            "",
            "Summary",
            "",
            "The region imports most of its energy. This creates",
            "vulnerabilities that policy makers must address.",
            "",
            "1.1 Gas imports",
            "",
            "Contracts are long-term.",
        ]
    )
    assert read_text(text).metadata["title"] == "Energy Security in East Asia"
    parsed = parse_text(text)
    assert parsed.title == "Energy Security in East Asia"
    assert parsed.authors == ["Jane Roe"]
    sections = parsed.sections
    assert [(s.kind, s.heading, s.level) for s in sections] == [
        ("summary", "Summary", 2),
        ("body", "1.1 Gas imports", 3),
    ]
    assert sections[0].text == (
        "The region imports most of its energy. This creates vulnerabilities that policy makers must address."
    )
