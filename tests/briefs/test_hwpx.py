"""The HWPX reader: one test per rule on small HWPX files built here, hostile input, the corpus."""

from __future__ import annotations

import io
import zipfile

import pytest

from briefs.importers import DocumentError, office, parse_document
from briefs.importers import blocks as b
from briefs.importers.hwpx import read_hwpx
from briefs.importers.office import is_label, is_toc_line, junk_title
from tests.briefs.corpus import corpus_file, corpus_spec

NS = (
    'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph" '
    'xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
    'xmlns:hh="http://www.hancom.co.kr/hwpml/2011/head" '
    'xmlns:opf="http://www.idpf.org/2007/opf/"'
)

# charPr 0: 10pt body; 1: 16pt bold; 2: 20pt bold; 3: 8pt; 4: 10pt bold.
# paraPr 0: plain; 1: outline level 1; 2: outline level 2; 3: bullet.
HEADER = f"""<?xml version="1.0" encoding="UTF-8"?>
<hh:head {NS}><hh:refList>
<hh:charProperties>
<hh:charPr id="0" height="1000"/>
<hh:charPr id="1" height="1600"><hh:bold/></hh:charPr>
<hh:charPr id="2" height="2000"><hh:bold/></hh:charPr>
<hh:charPr id="3" height="800"/>
<hh:charPr id="4" height="1000"><hh:bold/></hh:charPr>
</hh:charProperties>
<hh:bullets><hh:bullet id="1" char="□"/></hh:bullets>
<hh:numberings><hh:numbering id="1" start="0">
<hh:paraHead start="1" level="1" numFormat="DIGIT">^1.</hh:paraHead>
<hh:paraHead start="1" level="2" numFormat="HANGUL_SYLLABLE">^2)</hh:paraHead>
</hh:numbering></hh:numberings>
<hh:paraProperties>
<hh:paraPr id="0"><hh:heading type="NONE" idRef="0" level="0"/></hh:paraPr>
<hh:paraPr id="1"><hh:heading type="OUTLINE" idRef="0" level="0"/></hh:paraPr>
<hh:paraPr id="2"><hh:heading type="OUTLINE" idRef="0" level="1"/></hh:paraPr>
<hh:paraPr id="3"><hh:heading type="BULLET" idRef="1" level="0"/></hh:paraPr>
<hh:paraPr id="4"><hh:heading type="NUMBER" idRef="1" level="0"/></hh:paraPr>
<hh:paraPr id="5"><hh:heading type="NUMBER" idRef="1" level="1"/></hh:paraPr>
</hh:paraProperties>
<hh:styles>
<hh:style id="0" type="PARA" name="바탕글" engName="Normal" paraPrIDRef="0" charPrIDRef="0"/>
<hh:style id="1" type="PARA" name="개요 2" engName="Outline 2" paraPrIDRef="0" charPrIDRef="0"/>
</hh:styles>
</hh:refList></hh:head>"""

BODY_TEXT = "본문은 보통 크기의 글자로 길게 이어지는 문장입니다. " * 4


def p(text: str = "", *, char: int = 0, para: int = 0, style: int = 0, inner: str = "") -> str:
    t = f"<hp:t>{text}</hp:t>" if text else ""
    run = f'<hp:run charPrIDRef="{char}">{inner}{t}</hp:run>'
    return f'<hp:p paraPrIDRef="{para}" styleIDRef="{style}">{run}</hp:p>'


def table(rows: list[list[str]], *, char: int = 0) -> str:
    trs = "".join(
        "<hp:tr>"
        + "".join(f"<hp:tc><hp:subList>{p(cell, char=char)}</hp:subList></hp:tc>" for cell in row)
        + "</hp:tr>"
        for row in rows
    )
    return f'<hp:tbl rowCnt="{len(rows)}" colCnt="{len(rows[0])}">{trs}</hp:tbl>'


def section(*paragraphs: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><hs:sec {NS}>{"".join(paragraphs)}</hs:sec>'


def build_hwpx(*sections: str, title: str = "", creator: str = "", spine: list[int] | None = None) -> bytes:
    order = spine if spine is not None else list(range(len(sections)))
    items = "".join(
        f'<opf:item id="section{i}" href="Contents/section{i}.xml" media-type="application/xml"/>'
        for i in range(len(sections))
    )
    refs = "".join(f'<opf:itemref idref="section{i}"/>' for i in order)
    hpf = (
        f'<?xml version="1.0" encoding="UTF-8"?><opf:package {NS}><opf:metadata>'
        f"<opf:title>{title}</opf:title><opf:language>ko</opf:language>"
        f'<opf:meta name="creator" content="text">{creator}</opf:meta>'
        f'<opf:meta name="ModifiedDate" content="text">2024-01-02T09:00:00Z</opf:meta>'
        f'</opf:metadata><opf:manifest><opf:item id="header" href="Contents/header.xml" '
        f'media-type="application/xml"/>{items}</opf:manifest>'
        f'<opf:spine><opf:itemref idref="header"/>{refs}</opf:spine></opf:package>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/hwp+zip")
        archive.writestr("Contents/content.hpf", hpf)
        archive.writestr("Contents/header.xml", HEADER)
        for i, text in enumerate(sections):
            archive.writestr(f"Contents/section{i}.xml", text)
    return buffer.getvalue()


def kinds(document) -> list[tuple[str, str]]:
    return [(block.kind, " ".join(block.text.split())) for block in document.blocks]


def headings(document) -> list[tuple[int | None, str]]:
    return [(block.level, block.text.strip()) for block in document.blocks if block.kind == b.HEADING]


# --- rules ---------------------------------------------------------------------------------------


def test_sections_are_read_in_the_order_content_hpf_lists_them():
    data = build_hwpx(section(p("둘째 구역의 문단")), section(p("첫째 구역의 문단")), spine=[1, 0])
    texts = [text for _, text in kinds(read_hwpx(data))]
    assert texts == ["첫째 구역의 문단", "둘째 구역의 문단"]


def test_outline_paragraph_shapes_and_outline_styles_are_headings_with_their_level():
    data = build_hwpx(
        section(
            p("추진 배경", para=1),
            p(BODY_TEXT),
            p("세부 내용", para=2),
            p(BODY_TEXT),
            p("개요 스타일 제목", style=1),
            p(BODY_TEXT),
        )
    )
    assert headings(read_hwpx(data)) == [(1, "추진 배경"), (2, "세부 내용"), (2, "개요 스타일 제목")]


def test_outline_numbering_on_a_sentence_is_a_numbered_item_not_a_heading():
    data = build_hwpx(section(p("추진 배경", para=1), p("이 문단은 개요 번호가 붙은 문장입니다.", para=2)))
    assert kinds(read_hwpx(data)) == [
        (b.HEADING, "추진 배경"),
        (b.LIST_ITEM, "이 문단은 개요 번호가 붙은 문장입니다."),
    ]


def test_a_one_row_box_of_a_marker_and_a_title_is_one_heading():
    box = (
        '<hp:tbl rowCnt="1" colCnt="2"><hp:tr>'
        f"<hp:tc><hp:subList>{p('Ⅰ', char=2)}</hp:subList></hp:tc>"
        f"<hp:tc><hp:subList>{p('사업 개요', char=2)}</hp:subList></hp:tc>"
        "</hp:tr></hp:tbl>"
    )
    data = build_hwpx(
        section(p(BODY_TEXT), p(inner=box), p("1. 추진 배경", char=1), p(BODY_TEXT), p("2. 내용", char=1))
    )
    assert headings(read_hwpx(data)) == [(1, "Ⅰ 사업 개요"), (2, "1. 추진 배경"), (2, "2. 내용")]


def test_text_comes_from_hp_t_only_not_field_parameters_or_shape_comments():
    field = (
        '<hp:ctrl><hp:fieldBegin type="CLICK_HERE" name="본문"><hp:parameters>'
        '<hp:stringParam name="Command">Clickhere:set:77:Direction:wstring:26:입력하세요 '
        "HelpState:wstring:8:</hp:stringParam>"
        "</hp:parameters></hp:fieldBegin></hp:ctrl>"
    )
    picture = "<hp:pic><hp:shapeComment>그림입니다. 원본 그림의 이름: logo.png</hp:shapeComment></hp:pic>"
    data = build_hwpx(section(p("본문 내용입니다.", inner=field + picture)))
    text = " ".join(block.text for block in read_hwpx(data).blocks)
    assert "본문 내용입니다." in text
    assert "Clickhere" not in text and "HelpState" not in text and "그림입니다" not in text


def test_tabs_and_line_breaks_inside_hp_t_are_kept_as_spacing():
    data = build_hwpx(
        section(
            '<hp:p paraPrIDRef="0"><hp:run charPrIDRef="0">'
            "<hp:t>가<hp:tab/>나<hp:lineBreak/>다</hp:t></hp:run></hp:p>"
        )
    )
    assert read_hwpx(data).blocks[0].text == "가\t나\n다"


def test_a_table_becomes_a_table_block_with_its_rows():
    data = build_hwpx(section(p(inner=table([["구분", "내용"], ["일시", "10월 21일"]]))))
    [block] = read_hwpx(data).blocks
    assert block.kind == b.TABLE
    assert block.rows == [["구분", "내용"], ["일시", "10월 21일"]]


def test_a_one_column_table_is_read_as_its_paragraphs():
    rows = [[f"{n}번째 줄"] for n in range(1, 6)]
    data = build_hwpx(section(p(inner=table(rows))))
    assert [kind for kind, _ in kinds(read_hwpx(data))] == [b.PARAGRAPH] * 5


def test_a_one_cell_table_is_read_as_its_paragraphs():
    box = table([["상자 안의 문단입니다."]])
    data = build_hwpx(section(p(inner=box)))
    [block] = read_hwpx(data).blocks
    assert block.kind == b.PARAGRAPH and block.text == "상자 안의 문단입니다."


def test_headers_and_footers_are_furniture_and_footnotes_follow_their_paragraph():
    header = f"<hp:ctrl><hp:header><hp:subList>{p('머리말 문구')}</hp:subList></hp:header></hp:ctrl>"
    note = f"<hp:ctrl><hp:footNote><hp:subList>{p('각주의 내용')}</hp:subList></hp:footNote></hp:ctrl>"
    data = build_hwpx(section(p("본문 문단", inner=header + note), p("다음 문단")))
    assert kinds(read_hwpx(data)) == [
        (b.FURNITURE, "머리말 문구"),
        (b.PARAGRAPH, "본문 문단"),
        (b.FOOTNOTE, "각주의 내용"),
        (b.PARAGRAPH, "다음 문단"),
    ]


def test_bullet_paragraph_shapes_are_list_items():
    data = build_hwpx(section(p("항목 하나", para=3)))
    [block] = read_hwpx(data).blocks
    assert block.kind == b.LIST_ITEM and block.marker == "□"


def test_numbered_paragraph_shapes_are_list_items_with_the_number_they_print():
    data = build_hwpx(
        section(p("첫째", para=4), p("세부 하나", para=5), p("세부 둘", para=5), p("둘째", para=4))
    )
    items = [(block.marker, block.text) for block in read_hwpx(data).blocks]
    assert items == [("1.", "첫째"), ("가)", "세부 하나"), ("나)", "세부 둘"), ("2.", "둘째")]


def test_lines_opening_with_outline_symbols_are_list_items():
    data = build_hwpx(section(p("□ 추진 배경을 설명하는 항목"), p("○ 세부 항목"), p("※ 참고 문구")))
    assert [(block.kind, block.marker) for block in read_hwpx(data).blocks] == [
        (b.LIST_ITEM, "□"),
        (b.LIST_ITEM, "○"),
        (b.PARAGRAPH, ""),
    ]


def test_without_outline_levels_larger_numbered_lines_are_headings_ranked_by_size():
    data = build_hwpx(
        section(
            p("Ⅰ. 사업 개요", char=2),
            p("1. 추진 배경", char=1),
            p(BODY_TEXT),
            p("2. 추진 내용", char=1),
            p(BODY_TEXT),
            p("Ⅱ. 세부 계획", char=2),
            p("1. 일정", char=1),
            p(BODY_TEXT),
            p("가. 본문 크기의 번호 항목은 제목이 아니다", char=0),
        )
    )
    assert headings(read_hwpx(data)) == [
        (1, "Ⅰ. 사업 개요"),
        (2, "1. 추진 배경"),
        (2, "2. 추진 내용"),
        (1, "Ⅱ. 세부 계획"),
        (2, "1. 일정"),
    ]


def test_unnumbered_large_lines_are_not_headings_when_the_headings_are_numbered():
    data = build_hwpx(
        section(
            p(BODY_TEXT),
            p("1. 첫째", char=1),
            p(BODY_TEXT),
            p("2. 둘째", char=1),
            p(BODY_TEXT),
            p("&lt;표 1&gt; 추진 일정", char=1),
            p("【서식 1】", char=1),
            p("위 임 장", char=2),
            p(BODY_TEXT),
            p("강북구청장 귀하", char=2),
        )
    )
    doc = read_hwpx(data)
    assert [text for _, text in headings(doc)] == ["1. 첫째", "2. 둘째", "【서식 1】"]
    assert (b.PARAGRAPH, "위 임 장") in kinds(doc)


def test_bold_numbered_lines_are_headings_when_no_larger_numbered_lines_are():
    data = build_hwpx(
        section(
            p(BODY_TEXT),
            p("1. 개정이유", char=4),
            p(BODY_TEXT),
            p("2. 주요내용", char=4),
            p(BODY_TEXT),
            p("3. 근거법규: 지방세법", char=4),
            p("굵은 문장이지만 번호가 없는 줄", char=4),
        )
    )
    assert [text for _, text in headings(read_hwpx(data))] == ["1. 개정이유", "2. 주요내용"]


def test_the_one_largest_line_early_in_the_document_is_its_title():
    data = build_hwpx(
        section(
            p("강남구 공고 제2023-745호"),
            p(BODY_TEXT),
            p("공무직 관리 규정 일부개정규칙안 입법예고", char=2),
            p("1. 제정이유", char=4),
            p(BODY_TEXT),
            p("2. 주요내용", char=4),
            p(BODY_TEXT),
            p(BODY_TEXT),
        ),
        title="본문내용",
    )
    doc = read_hwpx(data)
    assert doc.metadata["title"] == "공무직 관리 규정 일부개정규칙안 입법예고"
    assert kinds(doc)[0] == (b.PARAGRAPH, "강남구 공고 제2023-745호")  # not a masthead


def test_a_stated_title_the_document_never_shows_is_dropped():
    data = build_hwpx(section(p(BODY_TEXT)), title="본문내용본문내용")
    assert "title" not in read_hwpx(data).metadata


def test_a_bare_chapter_marker_is_joined_to_the_line_after_it_in_its_box():
    box = f'<hp:tbl rowCnt="1" colCnt="1"><hp:tr><hp:tc><hp:subList>{p("Ⅱ", char=2)}{p("추진 계획", char=2)}'
    box += "</hp:subList></hp:tc></hp:tr></hp:tbl>"
    data = build_hwpx(section(p(BODY_TEXT), p(inner=box), p(BODY_TEXT)))
    assert headings(read_hwpx(data)) == [(1, "Ⅱ 추진 계획")]


def test_typed_page_numbers_are_furniture():
    data = build_hwpx(section(p(BODY_TEXT), p("- 3 -"), p("4 / 20"), p(BODY_TEXT)))
    assert [kind for kind, _ in kinds(read_hwpx(data))] == [
        b.PARAGRAPH,
        b.FURNITURE,
        b.FURNITURE,
        b.PARAGRAPH,
    ]


def test_numbered_labels():
    assert is_label("【서식 12】") and is_label("[별지 제2호 서식] 신청서") and is_label("Ⅲ. 입찰")
    assert not is_label("[참고] 일정") and not is_label("□ 추진 배경")


def test_text_boxes_are_never_headings():
    shape = (
        "<hp:rect><hp:drawText><hp:subList>"
        + p("큰 글씨의 상자 문구", char=2)
        + "</hp:subList></hp:drawText></hp:rect>"
    )
    data = build_hwpx(section(p(BODY_TEXT), p(inner=shape), p(BODY_TEXT), p(inner=shape)))
    assert headings(read_hwpx(data)) == []
    assert kinds(read_hwpx(data)).count((b.PARAGRAPH, "큰 글씨의 상자 문구")) == 2


def test_a_picture_inside_a_paragraph_does_not_split_it_and_nested_boxes_are_read_once():
    picture = '<hp:pic><hp:img binaryItemIDRef="image1"/></hp:pic>'

    def box(paragraph: str) -> str:
        return f"<hp:rect><hp:drawText><hp:subList>{paragraph}</hp:subList></hp:drawText></hp:rect>"

    outer = box(p("바깥 상자", inner=box(p("안쪽 상자"))))
    para = (
        '<hp:p paraPrIDRef="0"><hp:run charPrIDRef="0"><hp:t>그림 앞</hp:t>'
        f"{picture}<hp:t> 그림 뒤</hp:t></hp:run></hp:p>"
    )
    data = build_hwpx(section(para, p(inner=outer)))
    assert kinds(read_hwpx(data)) == [
        (b.PARAGRAPH, "그림 앞 그림 뒤"),
        (b.PARAGRAPH, "안쪽 상자"),
        (b.PARAGRAPH, "바깥 상자"),
    ]


def test_a_drop_cap_in_its_own_box_is_joined_to_its_paragraph():
    cap = f"<hp:rect><hp:drawText><hp:subList>{p('발', char=2)}</hp:subList></hp:drawText></hp:rect>"
    data = build_hwpx(section(p("광다이오드를 광원으로 쓴 패널", inner=cap)))
    assert kinds(read_hwpx(data)) == [(b.PARAGRAPH, "발광다이오드를 광원으로 쓴 패널")]


def test_the_largest_line_at_the_start_is_the_title_and_what_precedes_it_is_furniture():
    data = build_hwpx(
        section(
            p(inner=table([["보도시점", "2024. 1. 2.", "배포", "즉시"]], char=3)),
            p(
                inner='<hp:tbl rowCnt="2" colCnt="1"><hp:tr><hp:tc><hp:subList>'
                + p("올림픽 선수단을 격려한다", char=2)
                + "</hp:subList></hp:tc></hp:tr><hp:tr><hp:tc><hp:subList>"
                + p("- 부제목 문구")
                + "</hp:subList></hp:tc></hp:tr></hp:tbl>"
            ),
            p(BODY_TEXT),
        ),
        title="3",
    )
    doc = read_hwpx(data)
    assert doc.blocks[0].kind == b.FURNITURE and "보도시점" in doc.blocks[0].text
    assert doc.metadata["title"] == "올림픽 선수단을 격려한다"
    assert (b.SUBTITLE, "- 부제목 문구") in kinds(doc)  # a dashed line right after the title
    parsed = parse_document(data, filename="x.hwpx")
    assert parsed.title == "올림픽 선수단을 격려한다"
    assert parsed.subtitle == "- 부제목 문구"
    assert "보도시점" not in " ".join(section.text for section in parsed.sections)


def test_metadata_from_content_hpf_and_junk_titles_ignored():
    data = build_hwpx(
        section(p("2024년 업무계획"), p(BODY_TEXT)), title="2024년 업무계획", creator="기획조정실"
    )
    meta = read_hwpx(data).metadata
    assert meta["title"] == "2024년 업무계획"
    assert meta["authors"] == ["기획조정실"]
    assert meta["publication_date"] == "2024-01-02"
    assert junk_title("3") and junk_title("report", "report.hwpx") and not junk_title("업무계획")


def test_a_table_of_contents_is_furniture():
    toc = table([["Ⅰ. 과업안내 1", "Ⅱ. 과업 세부내용 2"], ["Ⅲ. 입찰 및 계약 5", "Ⅳ. 작성 지침 13"]])
    data = build_hwpx(section(p(inner=toc), p("Ⅰ. 과업안내", char=2), p(BODY_TEXT)))
    doc = read_hwpx(data)
    assert doc.blocks[0].kind == b.FURNITURE
    assert is_toc_line("Ⅴ. 과업의 일반지침 16") and not is_toc_line("1. 행사개요")
    assert is_toc_line("사업 개요 ·········· 3") and not is_toc_line("2023. 7. 5.")


def test_private_use_symbol_glyphs_are_dropped():
    data = build_hwpx(section(p("\uf06d 용역명: 행사 대행")))
    assert read_hwpx(data).blocks[0].text == "• 용역명: 행사 대행"


# --- hostile input -------------------------------------------------------------------------------


def test_a_broken_zip_is_refused():
    data = build_hwpx(section(p("문단")))
    with pytest.raises(DocumentError, match="broken"):
        read_hwpx(data[: len(data) // 2])


def test_a_zip_that_is_not_hwpx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(DocumentError, match="not an HWPX file"):
        read_hwpx(buffer.getvalue())


def test_a_zip_bomb_is_refused_before_unpacking(monkeypatch):
    monkeypatch.setattr(office, "MAX_UNCOMPRESSED_BYTES", 1_000_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Contents/header.xml", HEADER)
        archive.writestr("Contents/section0.xml", b"<" + b" " * 3_000_000)
    with pytest.raises(DocumentError, match="zip bomb"):
        read_hwpx(buffer.getvalue())


def test_entity_expansion_is_not_performed():
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(8)
    )
    bomb = f'<?xml version="1.0"?><!DOCTYPE hs:sec [{entities}]><hs:sec {NS}>{p("&i;")}{p("본문")}</hs:sec>'
    try:
        blocks = read_hwpx(build_hwpx(bomb)).blocks
    except DocumentError:
        return
    assert all(len(block.text) < 1000 for block in blocks)


def test_malformed_section_xml_is_a_document_error():
    data = build_hwpx("<hs:sec><hp:p>")
    with pytest.raises(DocumentError, match="not well-formed"):
        read_hwpx(data)


# --- the corpus ----------------------------------------------------------------------------------


_expected = corpus_spec


def _squash(text: str) -> str:
    return "".join(text.replace("Ⅰ", "I").split())


def _corpus(name: str):
    path = corpus_file(name)
    return parse_document(path.read_bytes(), filename=path.name)


def test_corpus_11_press_release():
    parsed = _corpus("11_mcst-press-release_ko.hwpx")
    expected = _expected("11")
    assert parsed.title in expected["title"]
    assert [section.heading for section in parsed.sections if section.heading] == []
    text = " ".join(section.text for section in parsed.sections)
    assert "보도시점" not in text and "Clickhere" not in text and "그림입니다" not in text
    for phrase in expected["must_contain"]:
        assert phrase in text


def test_corpus_12_rfp_headings_in_order():
    parsed = _corpus("12_gangbuk-festival-rfp_ko.hwpx")
    expected = _expected("12")
    assert _squash(parsed.title) in {_squash(t) for t in expected["title"]}
    got = [_squash(section.heading) for section in parsed.sections if section.heading]
    required = [_squash(s["h"][0]) for s in expected["sections"] if not s.get("optional")]
    accepted = [{_squash(h) for h in s["h"]} for s in expected["sections"] if s["h"] != [""]]
    # every required heading, in order, and nothing that is not an expected heading
    assert [h for h in got if h in set(required)] == required
    assert all(any(h in variants for variants in accepted) for h in got), got
    for section in parsed.sections:
        assert "과업안내 1" not in section.text  # the table of contents is left out
