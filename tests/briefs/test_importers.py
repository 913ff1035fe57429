"""parse_document on the two samples, on each format, and on hostile input."""

from __future__ import annotations

import io
import unicodedata

import pytest

from briefs.importers import DocumentError, parse_document, resolve_format
from briefs.importers.decode import decode_text

KINU_HEADINGS = [
    "",
    "",
    "양자의 입장차: 빅딜 vs. 단계적 접근",
    "준비된 합의문과 합의의 실패: 미국의 협상전략? 혹은 미국 국내정치 문제?",
    "협상 재개 전망의 근거: 종전선언 등 중요 의제에 대한 공감, 쌍중단과 협상 의지의 지속",
    "향후 과제: 특사파견, 남북 및 한미 정상회담 추진을 통한 북미협상 중재·촉진",
]


def build_pdf(paragraphs: list[tuple[str, str]]) -> bytes:
    """Return a real PDF with Hangul text; each item is ("h"|"p", text)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("HYSMyeongJo-Medium"))
    styles = {
        "h": ParagraphStyle(
            "h", fontName="HYSMyeongJo-Medium", fontSize=14, leading=18, spaceBefore=12, spaceAfter=6
        ),
        "p": ParagraphStyle("p", fontName="HYSMyeongJo-Medium", fontSize=10, leading=14, spaceAfter=8),
    }
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build([Paragraph(text, styles[kind]) for kind, text in paragraphs])
    return buffer.getvalue()


def build_pdf_without_text() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.rect(100, 100, 200, 300, fill=1)  # a "scanned" page: graphics, no text
    page.showPage()
    page.save()
    return buffer.getvalue()


def squash(text: str) -> str:
    return "".join(text.split())


# --- the KINU brief ------------------------------------------------------------------------


@pytest.fixture
def kinu(kinu_bytes):
    return parse_document(kinu_bytes, filename="001_b5edd7b7062599dc.txt")


def test_kinu_has_the_six_expected_sections_in_order(kinu):
    sections = kinu.sections
    assert [s.heading for s in sections] == KINU_HEADINGS
    assert [s.kind for s in sections] == ["summary", "body", "body", "body", "body", "body"]
    assert sections[0].text.startswith("제2차 북미정상회담은 합의문 채택이라는 성과를 거두지 못했다.")
    assert sections[0].text.endswith("협상을 촉진할 필요가 있다.")
    assert sections[1].text.startswith("하노이에서 개최된 제2차 북미정상회담이")
    assert sections[1].text.endswith("과제를 제시하고자 한다.")


def test_kinu_paragraphs_within_sections(kinu):
    assert [s.text.count("\n\n") + 1 for s in kinu.sections] == [1, 1, 3, 3, 3, 6]
    assert all("\n" not in p for s in kinu.sections for p in s.text.split("\n\n"))


@pytest.mark.parametrize(
    "furniture",
    [
        "[06578]",
        "www.kinu.or.kr",
        "CO 19-05",
        "Tel.",
        "제2차 북미정상회담 \n",
        "\n평가와 향후 과제\n",
        "ⓒKINU",
        "※",
        "중요해졌\n",
        "중요해졌 다",
    ],
)
def test_kinu_text_is_free_of_furniture_and_broken_words(kinu, furniture):
    for section in kinu.sections:
        assert furniture not in section.text
        assert furniture not in section.heading


def test_kinu_title_block_is_not_left_as_a_line(kinu):
    for section in kinu.sections:
        assert "평가와 향후 과제" not in section.text.split("\n")
    assert "한국의 역할이 더욱 중요해졌다." in kinu.sections[0].text
    assert "한국의 역할이 더욱 중요해졌다. 더욱이" in kinu.sections[1].text


def test_kinu_metadata_is_detected(kinu):
    assert kinu.title == "제2차 북미정상회담 평가와 향후 과제"
    assert kinu.series_code == "CO 19-05"
    assert kinu.authors == ["통일연구원 현안분석팀"]
    assert kinu.copyright == "ⓒKINU 2019"
    assert (
        kinu.notes == "※ 이 글의 내용은 집필자의 개인적 견해이며, 통일연구원의 공식적 견해가 아님을 밝힙니다."
    )
    assert kinu.publication_year == 2019
    assert kinu.language == "ko"
    assert kinu.format == "txt"


def test_kinu_keeps_every_other_character_of_the_text(kinu, kinu_bytes):
    """Everything but the furniture, title block, byline, copyright and disclaimer survives,
    in order: compared without whitespace, so a dropped or duplicated word fails."""
    lines = kinu_bytes.decode("utf-8").split("\n")
    removed = {
        " 통일연구원 현안분석팀",  # byline → authors
        "CO 19-05",  # series code in the footer
        "제2차 북미정상회담 ",  # title block
        "평가와 향후 과제",
    }
    kept = [
        line
        for line in lines
        if line not in removed and not line.startswith("4[06578]") and not line.startswith("※")
    ]
    expected = "\n".join(kept).replace("ⓒKINU 2019", "")
    assert len(kept) == len(lines) - 6
    actual = "".join(s.heading + s.text for s in kinu.sections)
    assert squash(actual) == squash(expected)


# --- the news article ----------------------------------------------------------------------


@pytest.fixture
def news(news_bytes):
    return parse_document(news_bytes, filename="000_44f3ef2e00101653.txt")


def test_news_is_one_body_section_of_caption_paragraphs_and_byline(news):
    assert len(news.sections) == 1
    section = news.sections[0]
    assert (section.heading, section.kind) == ("", "body")
    paragraphs = section.text.split("\n\n")
    assert paragraphs[0] == "마이크 폼페이오 미국 국무부장관. / 사진=미국 국방부 트위터."
    assert paragraphs[1].startswith("미국 국무부와 외교부에 따르면 폼페이오 장관은")
    assert paragraphs[-1] == "서효문 기자 shm@fntimes.com"
    assert len(paragraphs) == 5


def test_news_tail_of_image_links_and_teasers_is_dropped(news):
    text = news.sections[0].text
    for junk in ("![", "](http", "cfnimage", "[카드뉴스]", "[AD]", "[DCM]"):
        assert junk not in text


def test_news_title_falls_back_to_the_first_sentence_of_the_body(news):
    assert (
        news.title
        == "미국 국무부와 외교부에 따르면 폼페이오 장관은 지난 17일 강 장관과 두 차례 전화통화를 했다"
    )
    assert news.authors == ["서효문"]
    assert news.publication_year is None


def test_title_falls_back_to_the_filename_when_there_is_no_sentence():
    document = parse_document(b"2019 - 2020\n\n3.14\n", filename="정책_메모.txt")
    assert document.title == "정책 메모"


# --- encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8-sig"),
        lambda text: text.encode("utf-16"),  # little-endian with BOM on this platform
        lambda text: text.encode("utf-16-le"),  # no BOM: detected from the NUL pattern
        lambda text: text.encode("utf-16-be"),
        lambda text: text.encode("cp949"),
        lambda text: text.replace("\n", "\r\n").encode("euc-kr", errors="strict"),
    ],
    ids=["utf-8-bom", "utf-16-bom", "utf-16-le", "utf-16-be", "cp949", "euc-kr-crlf"],
)
def test_kinu_in_other_encodings_gives_the_same_sections(kinu, kinu_bytes, encode):
    data = encode(kinu_bytes.decode("utf-8"))
    assert data != kinu_bytes
    other = parse_document(data, filename="kinu.txt")
    assert other.sections == kinu.sections
    assert other.title == kinu.title


def test_text_is_nfc_normalised(kinu, kinu_bytes):
    decomposed = unicodedata.normalize("NFD", kinu_bytes.decode("utf-8")).encode("utf-8")
    other = parse_document(decomposed, filename="kinu.txt")
    assert other.sections == kinu.sections
    assert all(unicodedata.is_normalized("NFC", s.text) for s in other.sections)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n\t ", "only whitespace"),
        (b"plain text\x00with a NUL byte", "NUL bytes"),
        (b"abc \xff\xfe\xfd def", "cannot be decoded"),
        (b"text with a bell \x07 and an escape \x1b", "control characters"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (bytes(range(256)) * 4, "NUL bytes"),
    ],
    ids=["empty", "whitespace", "nul", "undecodable", "controls", "png", "junk"],
)
def test_hostile_text_input_is_refused(data, message):
    with pytest.raises(DocumentError, match=message):
        parse_document(data, filename="x.txt")


def test_decode_refuses_latin1_bytes_that_are_not_korean():
    with pytest.raises(DocumentError, match="does not read as Korean"):
        decode_text("漢字 文書 漢字 文書".encode("cp949"))


# --- formats -------------------------------------------------------------------------------


def test_format_from_extension_option_and_content():
    assert resolve_format(b"x", filename="a.md") == "md"
    assert resolve_format(b"x", filename="a.HTM") == "html"
    assert resolve_format(b"x", filename="a.txt", fmt="markdown") == "md"
    assert resolve_format(b"%PDF-1.4", filename="noext") == "pdf"
    assert resolve_format(b"<!DOCTYPE html><html>", filename="noext") == "html"
    assert resolve_format("본문".encode(), filename="noext") == "txt"


@pytest.mark.parametrize(
    ("filename", "fmt", "message"),
    [
        ("setup.exe", None, r"unsupported file type '\.exe'"),
        ("report.doc", None, r"old Word \.doc files are not supported"),
        ("report.hwp", None, r"binary HWP \(HWP 5\) files cannot be read; .* save the document as HWPX"),
        ("noext", None, r"binary HWP \(HWP 5\)"),
        ("report.txt", "rtf", "unsupported format 'rtf'"),
    ],
)
def test_unsupported_types_are_refused(filename, fmt, message):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00" if filename == "noext" else b"MZ\x90\x00\x03\x00\x00\x00"
    with pytest.raises(DocumentError, match=message):
        parse_document(data, filename=filename, fmt=fmt)


def test_markdown_headings_become_sections():
    text = """# 정책 메모의 제목

도입 문단은 제목 아래에 있고
두 줄로 되어 있다.

## 배경

배경 설명에는 **강조**와 [링크](https://example.org)가 있다.

- 첫째 항목
- 둘째 항목

### 1.1 세부 사항

세부 내용이다.

![사진 하나](https://img.example.org/1.jpg)
![사진 둘](https://img.example.org/2.jpg)
"""
    document = parse_document(text.encode(), filename="memo.md")
    assert document.title == "정책 메모의 제목"
    assert [(s.heading, s.level) for s in document.sections] == [("", 2), ("배경", 2), ("1.1 세부 사항", 3)]
    assert document.sections[0].text == "도입 문단은 제목 아래에 있고 두 줄로 되어 있다."
    assert document.sections[1].text == "배경 설명에는 강조와 링크가 있다.\n\n• 첫째 항목\n\n• 둘째 항목"
    assert document.sections[2].text == "세부 내용이다."
    assert document.format == "md"


def test_html_keeps_the_article_and_drops_the_page_around_it():
    html = """<!doctype html>
<html lang="ko"><head><title>기사 | 어느 신문</title>
<meta name="author" content="홍길동"><style>p { color: red }</style>
<script>console.log("스크립트 본문")</script></head>
<body>
<header><h1>어느 신문</h1><nav><a href="/">홈</a> <a href="/politics">정치</a></nav></header>
<main><article>
  <header><h1>예산 집행의 과제</h1></header>
  <p>첫 문단은 <b>굵은 글씨</b>를
  포함한다.<br>줄바꿈 뒤도 같은 문단이다.</p>
  <aside>광고 문구</aside>
  <h2>배경</h2>
  <p>둘째 문단이다.</p>
  <form><label>검색</label><input name="q"></form>
  <p>셋째 문단이다.</p>
  <ul class="related">
    <li><a href="/a"><img src="a.jpg" alt="">관련 기사 하나</a></li>
    <li><a href="/b"><img src="b.jpg" alt="">관련 기사 둘</a></li>
  </ul>
</article></main>
<footer>Copyright 어느 신문. 무단 전재 금지</footer>
</body></html>"""
    document = parse_document(html.encode(), filename="page.html")
    assert document.title == "예산 집행의 과제"
    assert document.authors == ["홍길동"]
    assert document.language == "ko"
    assert [(s.heading, s.level, s.text) for s in document.sections] == [
        ("", 2, "첫 문단은 굵은 글씨를 포함한다. 줄바꿈 뒤도 같은 문단이다."),
        ("배경", 2, "둘째 문단이다.\n\n셋째 문단이다."),
    ]
    everything = " ".join(s.heading + " " + s.text for s in document.sections)
    for dropped in ("스크립트", "color", "정치", "광고", "검색", "관련 기사", "무단 전재", "어느 신문"):
        assert dropped not in everything


def test_pdf_text_layer_is_imported_with_headings_and_paragraphs():
    data = build_pdf(
        [
            ("h", "교육 예산의 새로운 방향"),
            ("p", "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. " * 6),
            ("h", "예산 집행의 과제"),
            ("p", "지방 학교의 시설 개선에 배정된 금액이 작년보다 두 배 가까이 늘었다. " * 5),
            ("p", "다만 집행 과정의 투명성을 높여야 한다는 지적이 이어졌다. " * 5),
        ]
    )
    document = parse_document(data, filename="brief.pdf")
    assert document.format == "pdf"
    assert document.title == "교육 예산의 새로운 방향"
    assert [s.heading for s in document.sections] == ["", "예산 집행의 과제"]
    intro, body = document.sections
    assert squash(intro.text) == squash("정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. " * 6)
    paragraphs = body.text.split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith(
        "지방 학교의 시설 개선에 배정된 금액이 작년보다 두 배 가까이 늘었다. 지방"
    )
    assert paragraphs[1].endswith("높여야 한다는 지적이 이어졌다.")


def test_pdf_without_a_text_layer_is_refused():
    with pytest.raises(DocumentError, match="no text layer"):
        parse_document(build_pdf_without_text(), filename="scan.pdf")


def test_broken_pdf_is_refused():
    with pytest.raises(DocumentError, match="not a readable PDF"):
        parse_document(b"%PDF-1.4\n this is not really a pdf", filename="broken.pdf")


def test_document_without_any_text_is_refused():
    with pytest.raises(DocumentError, match="no sections"):
        parse_document(b"![only](https://example.org/an-image.jpg)\n", filename="x.txt")
