"""The plain-text reader: text → blocks. One small test per rule, then the real documents."""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest

from briefs.importers import blocks as b
from briefs.importers import parse_document, text
from briefs.importers.text import (
    _Block,
    _merge_double_spaced,
    date_of,
    find_opening_dates,
    heading_level_of,
    is_closing_marker,
    is_quoted_line,
    parse_text,
    read_text,
    structure_blocks,
)
from tests.briefs.corpus import corpus_file

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
KINU = "001_b5edd7b7062599dc.txt"
NEWS = "000_44f3ef2e00101653.txt"

# A paragraph of wrapped, PDF-extracted lines: a trailing space marks a word boundary.
BODY = [
    "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. 특히 지방 ",
    "학교의 시설 개선에 배정된 금액이 작년보다 두 배 가까이 늘어나 ",
    "현장의 기대가 높다.",
]
# Unwrapped paragraphs (one per line, as scraped), each longer than a printed line.
LONG = (
    "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸고 지방 학교의 시설 개선에 배정된 금액도 늘렸다. " * 3
)


def kinds(blocks, kind):
    return [blk.text for blk in blocks if blk.kind == kind]


def read(*lines: str):
    return read_text("\n".join(lines))


# --- the document the reader hands over ----------------------------------------------------


def test_the_reader_hands_over_unstructured_txt_blocks():
    document = read("예산 집행의 과제", "", *BODY)
    assert document.format == "txt"
    assert document.structured is False
    assert kinds(document.blocks, b.TITLE) == ["예산 집행의 과제"]
    assert document.metadata["title"] == "예산 집행의 과제"
    assert all(blk.why for blk in document.blocks)


def test_parse_text_is_the_reader_and_the_sectioner():
    parsed = parse_text("\n".join([*BODY, "", "예산 집행의 과제", "", *BODY]))
    assert [s.heading for s in parsed.sections] == ["", "예산 집행의 과제"]
    assert parsed.format == "txt"


def test_windows_line_ends_are_read_like_unix_ones():
    unix = read_text("\n".join([*BODY, "", "예산 집행의 과제", "", *BODY]))
    windows = read_text("\r\n".join([*BODY, "", "예산 집행의 과제", "", *BODY]))
    assert [(blk.kind, blk.text) for blk in windows.blocks] == [(blk.kind, blk.text) for blk in unix.blocks]


# --- furniture is kept as FURNITURE blocks, saying why -------------------------------------


def test_footer_page_number_and_series_code_become_furniture_blocks():
    document = read(
        *BODY[:-1],
        "",
        "XY 21-07",
        "",
        "7[12345] 어느시 어느구 어느로 1 어느기관 Tel.(031) 123-4567 l www.example.org",
        "",
        "12",
        "",
        "현장의 기대가 높다.",
    )
    furniture = {blk.text: blk.why for blk in document.blocks if blk.kind == b.FURNITURE}
    assert set(furniture) == {
        "XY 21-07",
        "7[12345] 어느시 어느구 어느로 1 어느기관 Tel.(031) 123-4567 l www.example.org",
        "12",
    }
    assert (
        "footer" in furniture["7[12345] 어느시 어느구 어느로 1 어느기관 Tel.(031) 123-4567 l www.example.org"]
    )
    assert "page number" in furniture["12"]
    assert document.metadata["series_code"] == "XY 21-07"
    assert kinds(document.blocks, b.PARAGRAPH) == [
        "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. 특히 지방 학교의 시설 개선에 배정된 금액이 "
        "작년보다 두 배 가까이 늘어나 현장의 기대가 높다."
    ]


def test_scraped_link_tail_becomes_furniture_blocks():
    document = read(
        "본문 문단이다.",
        "홍길동 기자 hong@example.com",
        "",
        "![기사 제목](https://img.example.com/a.jpg)",
        "[광고] 새 상품 출시",
        "![다른 기사](https://img.example.com/b.jpg)",
    )
    assert kinds(document.blocks, b.PARAGRAPH) == ["본문 문단이다. 홍길동 기자 hong@example.com"]
    assert len(kinds(document.blocks, b.FURNITURE)) == 3
    assert all("tail" in blk.why for blk in document.blocks if blk.kind == b.FURNITURE)
    assert document.metadata["authors"] == ["홍길동"]


def test_copyright_and_closing_note_become_metadata_and_furniture():
    document = read(*BODY[:-1], "현장의 기대가 높다. ⓒXYZ 2021", "", "※ 이 글은 필자의 견해입니다.")
    assert document.metadata["copyright"] == "ⓒXYZ 2021"
    assert document.metadata["notes"] == "※ 이 글은 필자의 견해입니다."
    assert document.metadata["publication_year"] == 2021
    assert kinds(document.blocks, b.FURNITURE) == ["ⓒXYZ 2021", "※ 이 글은 필자의 견해입니다."]
    assert kinds(document.blocks, b.PARAGRAPH)[0].endswith("현장의 기대가 높다.")


def test_byline_becomes_the_authors_and_a_furniture_block():
    document = read(" 어느연구원 정책분석팀", "", *BODY)
    assert document.metadata["authors"] == ["어느연구원 정책분석팀"]
    assert [blk.why for blk in document.blocks if blk.kind == b.FURNITURE] == ["byline on top → authors"]


def test_title_block_inside_a_paragraph_becomes_a_title_block():
    document = read(
        "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. 특히 지방 ",
        "학교의 시설 개선에 배정된 금액이 작년보다 두 배 가까이 ",
        "",
        "교육 예산의 ",
        "",
        "새로운 방향",
        " 늘어나 현장의 기대가 높다.",
    )
    assert kinds(document.blocks, b.TITLE) == ["교육 예산의 새로운 방향"]
    assert kinds(document.blocks, b.PARAGRAPH) == [
        "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. 특히 지방 학교의 시설 개선에 배정된 금액이 "
        "작년보다 두 배 가까이 늘어나 현장의 기대가 높다."
    ]
    assert [blk.kind for blk in document.blocks] == [b.PARAGRAPH, b.TITLE]  # in reading order


# --- date lines and source lines above the text --------------------------------------------


def test_date_lines_are_read_with_era_counts_and_times():
    assert date_of("2013년 01월 01일 09시 37분") == "2013-01-01"
    assert date_of("주체102(2013)년 1월 1일") == "2013-01-01"
    assert date_of("2019-03-01 14:05") == "2019-03-01"
    assert date_of("어느신문·어느방송 공동사설 - 1995년 01월 01일") == "1995-01-01"
    assert date_of("2019년 3월 1일 정부는 발표했다") == ""
    assert date_of("2019년 13월 1일") == ""


def test_a_scrape_timestamp_and_a_dateline_on_top_are_furniture_and_the_date():
    document = read(
        "신년 인사", "", "2013년 01월 01일 09시 37분", "", "주체102(2013)년 1월 1일", "", LONG, "", LONG
    )
    assert kinds(document.blocks, b.FURNITURE) == ["2013년 01월 01일 09시 37분", "주체102(2013)년 1월 1일"]
    assert document.metadata["publication_date"] == "2013-01-01"
    assert document.metadata["publication_year"] == 2013
    assert kinds(document.blocks, b.HEADING) == []


def test_a_source_line_above_the_text_is_furniture_not_a_heading():
    document = read(
        "새해의 글", "", "어느신문·어느방송 공동사설 - 1995년 01월 01일", "서 론", "", LONG, "", LONG
    )
    assert kinds(document.blocks, b.FURNITURE) == ["어느신문·어느방송 공동사설 - 1995년 01월 01일"]
    assert kinds(document.blocks, b.HEADING) == ["서 론"]
    assert document.metadata["publication_date"] == "1995-01-01"


def test_a_date_line_after_the_text_has_begun_stays():
    lines = [LONG, "", "2019년 3월 1일", "", LONG]
    found, first = find_opening_dates(lines)
    assert (found, first) == ({}, "")


# --- what is not a heading -----------------------------------------------------------------


def test_salutations_are_not_headings():
    document = read("친애하는 동지들!", "", "그리운 동포형제 여러분!", "", LONG, "", LONG)
    assert kinds(document.blocks, b.HEADING) == []
    assert kinds(document.blocks, b.PARAGRAPH)[:2] == ["친애하는 동지들!", "그리운 동포형제 여러분!"]


def test_a_closing_marker_is_furniture():
    assert is_closing_marker("(끝)")
    assert is_closing_marker("- 끝 -")
    assert is_closing_marker("<끝>")
    assert not is_closing_marker("끝으로 한 마디 덧붙인다")
    document = read(LONG, "", "(끝)")
    assert kinds(document.blocks, b.FURNITURE) == ["(끝)"]
    assert kinds(document.blocks, b.HEADING) == []


def test_a_quoted_line_is_a_quote_not_a_heading():
    assert is_quoted_line("<<당이 결심하면 한다!>>")
    assert is_quoted_line("“위원회는 다시 모인다”")
    assert not is_quoted_line("<<하나>>와 <<둘>>")
    assert not is_quoted_line("<<제목>> 뒤의 글")
    document = read(LONG, "", "<<수령님의 위업을 끝까지 완성하려는것은 우리의 심정입니다.>>", "", LONG)
    assert kinds(document.blocks, b.HEADING) == []
    assert kinds(document.blocks, b.QUOTE) == ["<<수령님의 위업을 끝까지 완성하려는것은 우리의 심정입니다.>>"]


def test_a_quoted_short_line_between_paragraphs_is_no_heading_either():
    blocks = structure_blocks([*BODY, "", "“다시 모인다”", "", *BODY])
    assert kinds(blocks, b.HEADING) == []


# --- headings ------------------------------------------------------------------------------


def test_a_letter_spaced_word_standing_alone_is_a_heading_even_after_an_open_line():
    document = read("새해의 글", "", "어느 신문의 공동 글", "", "해 제", "", LONG, "", "원 문", "", LONG)
    assert kinds(document.blocks, b.HEADING) == ["해 제", "원 문"]


def test_a_letter_spaced_word_is_not_merged_into_the_heading_above():
    blocks = structure_blocks([*BODY, "", "예산 집행의 과제", "", "해 제", "", *BODY])
    assert kinds(blocks, b.HEADING) == ["해 제"]


def test_heading_levels_follow_the_numbering():
    assert heading_level_of("Ⅱ. 정책 과제") == 1
    assert heading_level_of("2. 정책 과제") == 2
    assert heading_level_of("2.1 세부 과제") == 3
    assert heading_level_of("가. 세부 과제") == 3
    assert heading_level_of("(1) 세부 과제") == 4
    assert heading_level_of("정책 과제") == 2
    blocks = structure_blocks([*BODY, "", "Ⅱ. 정책 과제", "", *BODY, "", "2.1 세부 과제", "", *BODY])
    assert [(blk.text, blk.level, blk.marker) for blk in blocks if blk.kind == b.HEADING] == [
        ("Ⅱ. 정책 과제", 1, "Ⅱ."),
        ("2.1 세부 과제", 3, "2.1"),
    ]


def test_list_items_are_list_item_blocks_with_their_marker():
    blocks = structure_blocks(
        ["- 첫째 항목이다.", "- 둘째 항목이다.", "- 셋째 항목은 길어서 다음 줄로", "  이어진다."]
    )
    assert [(blk.kind, blk.marker, blk.text) for blk in blocks] == [
        (b.LIST_ITEM, "-", "- 첫째 항목이다."),
        (b.LIST_ITEM, "-", "- 둘째 항목이다."),
        (b.LIST_ITEM, "-", "- 셋째 항목은 길어서 다음 줄로 이어진다."),
    ]


def test_the_opening_double_spaced_box_is_marked_summary():
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
    ]
    blocks = structure_blocks(lines)
    assert [(blk.kind, bool(blk.features.get("summary"))) for blk in blocks] == [
        (b.PARAGRAPH, True),
        (b.PARAGRAPH, False),
    ]
    assert "summary" in blocks[0].why
    # alone, the same box is no summary
    assert not any(blk.features.get("summary") for blk in structure_blocks(lines[:5]))


# --- linear time ---------------------------------------------------------------------------


def one_line_paragraphs(n: int) -> list[_Block]:
    """n one-line blocks of full lines that end their sentences: one long rejected run, the
    input on which the old double-spacing merge rescanned the run from every block."""
    return [_Block([f"정부는 올해 예산안에서 교육 분야의 지출을 {k}번째로 늘렸다."], k) for k in range(n)]


def count_work(monkeypatch, blocks: list[_Block]) -> int:
    """Run the merge, counting its reads of a block's last line and its sentence-end tests."""
    calls = 0
    real_ends_sentence = text.ends_sentence
    real_last = _Block.last

    def counted_ends_sentence(line):
        nonlocal calls
        calls += 1
        return real_ends_sentence(line)

    def counted_last(self):
        nonlocal calls
        calls += 1
        return real_last.fget(self)

    monkeypatch.setattr(text, "ends_sentence", counted_ends_sentence)
    monkeypatch.setattr(_Block, "last", property(counted_last))
    merged = _merge_double_spaced(blocks, width=40)
    monkeypatch.undo()
    assert merged == blocks  # closed lines: no double-spaced run, every block kept as it was
    return calls


def test_the_double_spacing_merge_does_linear_work(monkeypatch):
    small = count_work(monkeypatch, one_line_paragraphs(1000))
    large = count_work(monkeypatch, one_line_paragraphs(8000))
    assert large <= 8 * small * 1.2, (small, large)  # the old loop: 64 times the work
    assert large <= 6 * 8000


def reference_merge(blocks: list[_Block], width: int) -> list[_Block]:
    """The merge as it was written first (quadratic): what the linear one must still do."""
    merged: list[_Block] = []
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and len(blocks[j].lines) == 1 and len(blocks[j].last.strip()) >= width * 0.5:
            j += 1
        if (
            j < len(blocks)
            and j > i
            and len(blocks[j].lines) == 1
            and not text.ends_sentence(blocks[j - 1].last)
        ):
            j += 1
        run = blocks[i:j]
        open_ends = sum(1 for block in run[:-1] if not text.ends_sentence(block.last))
        if len(run) >= 3 and open_ends * 3 >= (len(run) - 1) * 2:
            lines: list[str] = []
            for block in run:
                lines.append(block.last)
                if text.ends_sentence(block.last):
                    merged.append(_Block(lines, 0, kind="double"))
                    lines = []
            if lines:
                merged.append(_Block(lines, 0, kind="double"))
            i = j
        else:
            merged.append(blocks[i])
            i += 1
    return merged


@pytest.mark.parametrize("seed", range(40))
def test_the_linear_merge_does_what_the_quadratic_one_did(seed):
    rng = random.Random(seed)
    choices = [
        ["학교의 시설 개선에 배정된 금액이 작년보다 두 배 가까이"],  # full, open
        ["정부는 올해 예산안에서 교육 분야의 지출을 늘렸다."],  # full, closed
        ["늘었다."],  # short, closed
        ["짧은 줄"],  # short, open
        ["여러 줄의 문단이다.", "둘째 줄이다."],  # a block of two lines
    ]
    blocks = [_Block(list(rng.choice(choices)), k) for k in range(rng.randint(0, 60))]
    expected = [(blk.kind, blk.lines) for blk in reference_merge(blocks, 40)]
    assert [(blk.kind, blk.lines) for blk in _merge_double_spaced(blocks, 40)] == expected


def big_kinu_text(copies: int) -> tuple[str, list[str]]:
    """The KINU sample's body paragraphs (wrapped, with its trailing-space marks), repeated
    under numbered headings, one word varied per copy. Returns the text and its headings."""
    sample = (SAMPLES / KINU).read_text(encoding="utf-8")
    paragraphs = [
        block
        for block in re.split(r"\n\s*\n", sample)
        if block.count("\n") >= 2 and block.rstrip().endswith("다.") and "www." not in block
    ]
    parts: list[str] = ["정책 문서의 큰 모음"]
    headings: list[str] = []
    for copy in range(copies):
        heading = f"{copy + 1}. 협상 재개 전망의 근거와 향후 과제 {copy + 1}"
        headings.append(heading)
        parts.append(heading)
        for paragraph in paragraphs:
            parts.append(paragraph.replace("북미", f"북미{copy % 7}", 1))
    return "\n\n".join(parts) + "\n", headings


def test_a_two_mebibyte_text_is_read_whole_and_right():
    big, headings = big_kinu_text(1)
    copies = 2 * 1024 * 1024 // len(big.encode())
    big, headings = big_kinu_text(copies)
    assert len(big.encode()) >= 1_900_000
    started = time.perf_counter()
    parsed = parse_document(big.encode(), filename="big.txt")
    elapsed = time.perf_counter() - started
    assert parsed.title == "정책 문서의 큰 모음"
    assert [s.heading for s in parsed.sections] == headings
    assert len(parsed.sections) == copies
    assert all(s.text.count("\n\n") == parsed.sections[0].text.count("\n\n") for s in parsed.sections)
    assert elapsed < 60, elapsed  # seconds in fact; minutes when the merge was quadratic


# --- the samples ---------------------------------------------------------------------------


def test_kinu_blocks():
    document = read_text((SAMPLES / KINU).read_text(encoding="utf-8"))
    assert kinds(document.blocks, b.HEADING) == [
        "양자의 입장차: 빅딜 vs. 단계적 접근",
        "준비된 합의문과 합의의 실패: 미국의 협상전략? 혹은 미국 국내정치 문제?",
        "협상 재개 전망의 근거: 종전선언 등 중요 의제에 대한 공감, 쌍중단과 협상 의지의 지속",
        "향후 과제: 특사파견, 남북 및 한미 정상회담 추진을 통한 북미협상 중재·촉진",
    ]
    summary = [blk for blk in document.blocks if blk.features.get("summary")]
    assert len(summary) == 1 and summary[0].text.startswith("제2차 북미정상회담은 합의문 채택이라는")
    assert document.metadata["title"] == "제2차 북미정상회담 평가와 향후 과제"
    assert document.metadata["series_code"] == "CO 19-05"
    assert document.metadata["authors"] == ["통일연구원 현안분석팀"]
    assert document.metadata["publication_year"] == 2019
    assert all(blk.why for blk in document.blocks)
    furniture = kinds(document.blocks, b.FURNITURE)
    assert "CO 19-05" in furniture and any("[06578]" in f for f in furniture)


def test_news_blocks():
    document = read_text((SAMPLES / NEWS).read_text(encoding="utf-8"))
    assert kinds(document.blocks, b.HEADING) == []
    assert "title" not in document.metadata
    assert all(
        "](http" in blk.text or blk.text.startswith("[") for blk in document.blocks if blk.kind == b.FURNITURE
    )
    assert not any("](http" in blk.text for blk in document.blocks if blk.kind == b.PARAGRAPH)


# --- the North Korean New Year texts of the corpus -----------------------------------------


def corpus(name: str):
    path = corpus_file(name)
    return parse_document(path.read_bytes(), filename=name)


def squash(value: str) -> str:
    return "".join(value.split())


def test_new_year_address_2013_is_one_untitled_section_without_the_scrape_timestamp():
    parsed = corpus("09_nk-new-year-2013_ko.txt")
    assert squash(parsed.title) == "신년사"  # as printed, letter-spaced, or closed up
    assert [s.heading for s in parsed.sections] == [""]
    section = parsed.sections[0]
    assert section.text.startswith("친애하는 동지들!")
    assert section.text.endswith("내조국의 부강번영을 위하여 힘차게 싸워나갑시다.(끝)")
    assert "09시 37분" not in section.text
    assert "현실발전의 요구에 맞게 경제지도와 관리를 개선하여야 합니다." in section.text
    assert "조국통일문제는 우리 민족끼리 힘을 합쳐 자주적으로 풀어나가야 합니다." in section.text
    assert parsed.publication_date == "2013-01-01"


def test_joint_editorial_1995_has_the_two_letter_spaced_headings_and_no_junk():
    parsed = corpus("10_nk-joint-editorial-1995_ko.txt")
    assert parsed.title == "위대한 당의 령도를 높이 받들고 새해의 진군을 힘있게 다그쳐 나가자"
    assert [squash(s.heading) for s in parsed.sections] == ["해제", "원문"]
    explanation, original = parsed.sections
    assert explanation.text.startswith("1995년도 신년사는 1994년 7월 김일성 사망이후 처음 맞이한")
    assert original.text.startswith("오늘 우리 인민과 인민군장병들은 영원히 지울수 없는 자욱을 남긴 1994년을")
    assert original.text.endswith("조국의 자주적평화통일을 앞당기기 위하여 힘차게 싸워 나아가자.")
    assert "<<위대한 수령님을 충성으로 높이 우러러 모시고" in original.text  # the quotation stays in the text
    assert "공동사설 - 1995년" not in explanation.text + original.text
    assert "일심단결은 우리 당의 혁명철학이며 우리 혁명의 백전백승이 기치이다." in original.text
    assert parsed.publication_date == "1995-01-01"


# --- rules found on other texts of the same kind -------------------------------------------


def test_a_date_line_may_open_with_a_dash():
    assert date_of("- 1948년 01월 01일") == "1948-01-01"
    document = read("신년사", "", "- 1948년 01월 01일", "해 제", "", LONG, "", "원 문", "", LONG)
    assert kinds(document.blocks, b.FURNITURE) == ["- 1948년 01월 01일"]
    assert kinds(document.blocks, b.HEADING) == ["해 제", "원 문"]


def test_a_polite_question_is_a_sentence_not_a_heading():
    document = read(LONG, "", "그러면 올해 우리는 무엇을 하여야 하겠습니까?", "", LONG)
    assert kinds(document.blocks, b.HEADING) == []
    kept = read(LONG, "", "예산은 충분한가? 혹은 집행이 문제인가?", "", LONG)
    assert kinds(kept.blocks, b.HEADING) == ["예산은 충분한가? 혹은 집행이 문제인가?"]


def test_a_closing_marker_glued_to_the_last_sentence_ends_it():
    document = read(LONG, "", "모두다 힘차게 싸워나갑시다.(끝)", "", LONG)
    assert kinds(document.blocks, b.HEADING) == []
    assert text.ends_sentence("모두다 힘차게 싸워나갑시다.(끝)")


def test_a_quotation_with_its_attribution_or_in_single_angle_brackets_is_a_quote():
    assert is_quoted_line("《혁명의 기본임무는 통치를 청산하는데 있다》(김일성)")
    assert is_quoted_line("<우리는 기치를 높이 들고 끝까지 완성해 나가야 합니다.>")
    assert not is_quoted_line("<로동신문>, <조선인민군> 공동사설")


def test_a_pointer_line_is_no_heading():
    document = read("새해의 글", "", "해 제", "", "▶ 규정한 부분 보기", "", LONG, "", "원 문", "", LONG)
    assert kinds(document.blocks, b.HEADING) == ["해 제", "원 문"]


def test_a_letter_spaced_heading_may_precede_a_paragraph_without_a_full_stop():
    document = read("새해의 글", "", "해 제", "", LONG.rstrip(". ") + " 제시하였다", "", "원 문", "", LONG)
    assert kinds(document.blocks, b.HEADING) == ["해 제", "원 문"]


def test_a_line_broken_inside_a_word_in_unwrapped_text_is_joined():
    broken = [
        LONG,
        "조선민족의 우수한 민족성을 살리고 고유한 민족적전통을 오늘의 현실",
        "에 맞게 계승발전시켜야 한다.",
        LONG,
    ]
    blocks = structure_blocks(broken)
    assert kinds(blocks, b.HEADING) == []
    assert "오늘의 현실에 맞게 계승발전시켜야 한다." in kinds(blocks, b.PARAGRAPH)[1]
    assert text.continues_word("빛날것입니", "다.")
    assert not text.continues_word("정부는 올해 예산을 늘렸다.", "그리고")


def test_a_numeric_date_line_ending_with_a_full_stop_is_a_date_line():
    document = read("새해의 공동사설", "", "2010.1.1.", "", LONG, "", LONG)
    assert kinds(document.blocks, b.FURNITURE) == ["2010.1.1."]
    assert document.metadata["publication_date"] == "2010-01-01"


def test_the_organisation_comes_from_the_footer_else_from_the_byline():
    assert (
        text.find_organisation(["[12345] 어느시 어느로 1 어느연구원 Tel. 02-123-4567 www.example.org"], [])
        == "어느연구원"
    )
    assert (
        text.find_organisation(["Example Institute | www.example.org | info@example.org"], [])
        == "Example Institute"
    )
    assert text.find_organisation([], ["어느연구원 정책분석팀"]) == "어느연구원"
    assert text.find_organisation([], ["홍길동"]) == ""
    assert read_text((SAMPLES / KINU).read_text(encoding="utf-8")).metadata["organisation"] == "통일연구원"


def test_a_line_repeated_at_block_edges_with_a_changing_page_number_is_furniture():
    page = [*BODY, "Example Research Service {n}", "", "The Report Title in Brief", *BODY]
    lines = [line.format(n=n) for n in range(1, 5) for line in page]
    document = read_text("\n".join(lines))
    furniture = kinds(document.blocks, b.FURNITURE)
    assert furniture.count("The Report Title in Brief") == 4
    assert [f for f in furniture if f.startswith("Example")] == [
        f"Example Research Service {n}" for n in range(1, 5)
    ]
    assert not any("Example" in p or "Report Title" in p for p in kinds(document.blocks, b.PARAGRAPH))


def test_numbered_lines_of_one_word_are_not_taken_for_a_running_footer():
    lines = [line for n in range(1, 5) for line in (f"Chapter {n}", *BODY, "")]
    assert not any(
        blk.text.startswith("Chapter")
        for blk in read_text("\n".join(lines)).blocks
        if blk.kind == b.FURNITURE
    )


def test_the_word_copyright_inside_a_sentence_is_no_notice():
    document = read(
        "Works of the government have no",
        "copyright protection in the United States. Any report may be",
        "reproduced.",
    )
    assert "copyright" not in document.metadata
    assert kinds(document.blocks, b.FURNITURE) == []
    assert text.find_copyright(["Copyright 2021 Example Institute"])[1] == "Copyright 2021 Example Institute"
    assert text.find_copyright(["Copyright NBC Universal Media"])[1] == "Copyright NBC Universal Media"


def test_form_feeds_are_page_breaks_and_give_each_block_its_page():
    document = read_text(
        "\n".join([*BODY[:-1]])
        + "\n\f"
        + "\n".join(["현장의 기대가 높다.", "", "예산 집행의 과제", "", *BODY])
    )
    assert [(blk.kind, blk.page) for blk in document.blocks] == [
        (b.PARAGRAPH, 1),
        (b.HEADING, 2),
        (b.PARAGRAPH, 2),
    ]
    assert kinds(document.blocks, b.PARAGRAPH)[0].endswith("작년보다 두 배 가까이 늘어나 현장의 기대가 높다.")
    assert all(blk.page is None for blk in read_text("\n".join(BODY)).blocks)


def test_a_link_only_line_inside_the_text_is_furniture():
    document = read(LONG, "", "https://www.example.org/report.pdf", "", LONG)
    assert kinds(document.blocks, b.FURNITURE) == ["https://www.example.org/report.pdf"]
    assert [blk.why for blk in document.blocks if blk.kind == b.FURNITURE] == [
        "a line of links or images only"
    ]
