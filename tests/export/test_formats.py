"""Every format read back with a real reader and compared with the database, field by field."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import secrets
import zipfile

import docx
import openpyxl
import pytest
from django.utils import timezone
from docx.oxml.ns import qn

from annotations.export.formats.clipsheet import md_escape
from annotations.export.formats.tabular import looks_like_formula, neutralise
from annotations.export.presenters import COLUMNS, ExcerptOptions
from annotations.export.selectors import ExportFilters
from annotations.export.services import excerpt_export
from annotations.models import Annotation
from tests.export.conftest import BASE_URL, export_bytes, w3c_validate
from tests.factories import AnnotationFactory, SectionFactory

FORMATS = ["csv", "xlsx", "jsonl", "w3c", "md", "docx"]


def expected(annotation: Annotation, language: str = "ko") -> dict:
    """The excerpt's fields straight from the database (not through the presenter)."""
    annotation = Annotation.objects.select_related("section__brief", "author").get(pk=annotation.pk)
    section, brief, author = annotation.section, annotation.section.brief, annotation.author
    tags = list(annotation.tags.order_by("category__position", "position", "code"))
    if section.heading:
        heading = section.heading
    else:
        heading = {"ko": "요약", "en": "Summary"}[language] if section.kind == "summary" else "?"
    return {
        "id": annotation.pk,
        "quote": annotation.quote,
        "tags": [t.code for t in tags],
        "tag_labels": [t.label_ko if language == "ko" else t.label_en for t in tags],
        "actor": annotation.actor,
        "note": annotation.note,
        "annotator": author.username,
        "annotator_name": f"{author.first_name} {author.last_name}".strip(),
        "created_at": annotation.created_at,
        "updated_at": annotation.updated_at,
        "brief_slug": brief.slug,
        "brief_title": brief.title,
        "organisation": brief.organisation,
        "series_code": brief.series_code,
        "authors": brief.authors,
        "publication_date": brief.publication_date.isoformat() if brief.publication_date else None,
        "publication_year": brief.publication_date.year if brief.publication_date else brief.publication_year,
        "section_heading": heading,
        "section_position": section.position,
        "start": annotation.start,
        "end": annotation.end,
        "permalink": f"{BASE_URL}/briefs/{brief.slug}/#annotation-{annotation.pk}",
    }


def assert_record_matches(
    record: dict, annotation: Annotation, *, language: str = "ko", lists=list, dates: bool = True
) -> None:
    """Compare one exported record with the database; lists=split for joined spreadsheet cells."""
    want = expected(annotation, language)
    for key in ("created_at", "updated_at") if dates else ():
        parsed = dt.datetime.fromisoformat(record[key])
        assert parsed.utcoffset() is not None, f"{key} has no time zone"
        assert parsed == want[key]
    for key in ("tags", "tag_labels", "authors"):
        assert lists(record[key]) == want[key], key
    for key in set(want) - {"created_at", "updated_at", "tags", "tag_labels", "authors"}:
        got = record[key]
        if want[key] is None:
            assert got in (None, ""), key
        elif isinstance(want[key], int) and isinstance(got, str):
            assert int(got) == want[key], key
        else:
            assert got == want[key], key
    assert record["citation"]


def split(cell: str) -> list[str]:
    return cell.split("; ") if cell else []


def read_csv(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM: Excel would garble the Hangul"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes) -> tuple[list[str], list[dict], list]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    records = [
        {h: ("" if c.value is None else c.value) for h, c in zip(header, row, strict=True)}
        for row in rows[1:]
    ]
    return header, records, [c for row in rows for c in row]


def visible_ids(world) -> set[int]:
    return {a.pk for a in world.visible_to_editor}


# CSV ----------------------------------------------------------------------------------------


def test_csv_round_trips_field_by_field_with_bom_and_crlf(world):
    data = export_bytes(world.editor, "csv")
    assert b"\r\n" in data and b"\n\n" not in data.replace(b"\r\n", b"")
    rows = read_csv(data)
    assert list(rows[0]) == [c for c in COLUMNS if c != "context"]
    by_id = {int(r["id"]): r for r in rows}
    assert set(by_id) == visible_ids(world)
    for annotation in world.visible_to_editor:
        assert_record_matches(by_id[annotation.pk], annotation, lists=split)


def test_csv_keeps_hangul_emoji_and_newlines_intact(world):
    rows = {int(r["id"]): r for r in read_csv(export_bytes(world.editor, "csv"))}
    assert rows[world.ko_yongbyon.pk]["quote"] == "🇰🇷 양측은 “단계적 접근”에 대한 이견"
    assert rows[world.ko_bigdeal.pk]["note"] == "미국의 요구: '빅딜'.\n두 번째 줄"
    assert rows[world.ko_bigdeal.pk]["tag_labels"] == "빅딜·일괄타결; 영변 이외"


def test_csv_rows_follow_library_then_reading_order(world):
    ids = [int(r["id"]) for r in read_csv(export_bytes(world.editor, "csv"))]
    # Both briefs are from 2019: by title ("After…" before "제2차…"), then position, then start.
    assert ids == [world.en_relief.pk, world.ko_summary_hl.pk, world.ko_bigdeal.pk, world.ko_yongbyon.pk]


def test_csv_labels_follow_the_chosen_language(world):
    rows = {int(r["id"]): r for r in read_csv(export_bytes(world.editor, "csv", language="en"))}
    assert (
        rows[world.ko_bigdeal.pk]["tag_labels"] == "Big deal / comprehensive deal; Facilities beyond Yongbyon"
    )
    assert rows[world.ko_summary_hl.pk]["section_heading"] == "Summary"
    for annotation in world.visible_to_editor:
        assert_record_matches(rows[annotation.pk], annotation, language="en", lists=split)


def test_csv_context_column_brackets_the_quote(world):
    rows = {int(r["id"]): r for r in read_csv(export_bytes(world.editor, "csv", context=True))}
    a = world.ko_bigdeal
    # The suffix is cut back to its last whole word (tests/export/test_context.py).
    suffix = ". 반면 북한은 영변의 모든 핵시설을 영구적으로 폐기하는…"
    assert rows[a.pk]["context"] == f"{a.prefix}[{a.quote}]{suffix}"
    assert rows[a.pk]["context"].startswith("미국은 [영변 외")


FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1", "-2", "@SUM(A1:A2)", "\t=1", "\r=1"]
# Formulas hidden behind what a spreadsheet skips, or typed in full-width and small forms.
HIDDEN_FORMULAS = [
    " =1+1",
    "  +cmd|' /C calc'!A0",
    "\n=1",
    "\r\n=1",
    "\u3000=1",  # ideographic space
    "\xa0=1",  # no-break space
    "\u200b=1",  # zero-width space
    "\ufeff=1",
    "\u200f-1",  # right-to-left mark
    '＝HYPERLINK("http://evil.example")',
    "＋1",
    "－2",
    "＠SUM(A1:A2)",
    "﹦1",  # small equals sign
    " \t=1",
]


@pytest.mark.parametrize("note", [*FORMULAS, *HIDDEN_FORMULAS])
def test_csv_neutralises_formula_like_cells(world, note):
    Annotation.objects.filter(pk=world.ko_bigdeal.pk).update(note=note)
    rows = {int(r["id"]): r for r in read_csv(export_bytes(world.editor, "csv"))}
    assert rows[world.ko_bigdeal.pk]["note"] == "'" + note
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


@pytest.mark.parametrize("hostile", ["=1+1", "\u200b@SUM(A1:A2)", "＋cmd"])
def test_csv_neutralises_every_column_people_can_write(world, hostile):
    # The quote and note above; here every other text a user, editor or import can set
    # (names, brief metadata, section heading, tag labels): only the columns the site
    # writes itself (numbers, dates, the actor's code, the permalink) skip the check.
    from django.contrib.auth import get_user_model

    from annotations.models import Tag
    from briefs.models import Brief, Section

    a = world.ko_bigdeal
    get_user_model().objects.filter(pk=a.author_id).update(
        username=f"{hostile}user", first_name=hostile, last_name=hostile
    )
    Brief.objects.filter(pk=a.section.brief_id).update(
        title=hostile, organisation=hostile, series_code=hostile, authors=[hostile]
    )
    Section.objects.filter(pk=a.section_id).update(heading=hostile)
    Tag.objects.filter(annotations=a).update(label_ko=hostile, label_en=hostile)
    rows = {int(r["id"]): r for r in read_csv(export_bytes(world.editor, "csv"))}
    assert rows[a.pk]["brief_title"] == "'" + hostile
    assert rows[a.pk]["section_heading"] == "'" + hostile
    for row in rows.values():
        for column, value in row.items():
            assert not looks_like_formula(value), (column, value)


def test_neutralise_leaves_ordinary_text_alone():
    assert neutralise("빅딜") == "빅딜"
    assert neutralise("a=1") == "a=1"
    assert neutralise("=1") == "'=1"
    assert neutralise(" 제재 = 압박") == " 제재 = 압박"
    assert neutralise("1 + 1") == "1 + 1"
    assert neutralise("") == ""
    assert neutralise("   ") == "   "


def test_empty_csv_has_only_the_header(world):
    data = export_bytes(world.editor, "csv", ExportFilters(briefs=["no-such-brief"]))
    assert data == ("\ufeff" + ",".join(c for c in COLUMNS if c != "context") + "\r\n").encode()
    assert read_csv(data) == []


# XLSX ---------------------------------------------------------------------------------------


def test_xlsx_round_trips_field_by_field(world):
    header, records, _ = read_xlsx(export_bytes(world.editor, "xlsx"))
    assert header == [c for c in COLUMNS if c != "context"]
    by_id = {r["id"]: r for r in records}
    assert set(by_id) == visible_ids(world)
    for annotation in world.visible_to_editor:
        record = dict(by_id[annotation.pk])
        want = expected(annotation)
        for key in ("created_at", "updated_at"):
            # A real date cell, in the site's local time, to the second (Excel has no zones).
            local = timezone.localtime(want[key]).replace(tzinfo=None, microsecond=0)
            assert record.pop(key) == local, key
        if want["publication_date"]:
            assert record["publication_date"] == dt.datetime.fromisoformat(want["publication_date"])
            record["publication_date"] = want["publication_date"]
        assert_record_matches(record, annotation, lists=split, dates=False)
    assert by_id[world.ko_yongbyon.pk]["quote"] == "🇰🇷 양측은 “단계적 접근”에 대한 이견"


@pytest.mark.parametrize("note", [*FORMULAS, *HIDDEN_FORMULAS, "#N/A", " #REF!"])
def test_xlsx_writes_formula_like_text_as_text(world, note):
    Annotation.objects.filter(pk=world.ko_bigdeal.pk).update(note=note)
    header, records, cells = read_xlsx(export_bytes(world.editor, "xlsx"))
    assert all(cell.data_type not in ("f", "e") for cell in cells)
    note_cell = next(
        c for c in cells if c.row > 1 and c.column == header.index("note") + 1 and c.value == note
    )
    assert note_cell.data_type == "s"
    assert note_cell.quotePrefix  # shown, and kept on editing, as text


def test_xlsx_drops_characters_xml_cannot_hold(world):
    Annotation.objects.filter(pk=world.ko_bigdeal.pk).update(note="벨\x07소리\x0b끝")
    _, records, _ = read_xlsx(export_bytes(world.editor, "xlsx"))
    assert {r["id"]: r for r in records}[world.ko_bigdeal.pk]["note"] == "벨소리끝"


def test_xlsx_is_a_valid_workbook_with_a_bold_frozen_header(world):
    data = export_bytes(world.editor, "xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert "xl/worksheets/sheet1.xml" in archive.namelist()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Excerpts"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert not any(cell.font.b for cell in sheet[2])
    quote_column = openpyxl.utils.get_column_letter([c.value for c in sheet[1]].index("quote") + 1)
    assert sheet.column_dimensions[quote_column].width == 60


def test_xlsx_dates_are_date_cells_with_a_date_format(world):
    header, _, cells = read_xlsx(export_bytes(world.editor, "xlsx"))
    by_column = {name: [c for c in cells if c.row > 1 and c.column == i] for i, name in enumerate(header, 1)}
    for name, shown in (("created_at", "yyyy-mm-dd hh:mm:ss"), ("updated_at", "yyyy-mm-dd hh:mm:ss")):
        assert by_column[name] and all(c.is_date and c.number_format == shown for c in by_column[name])
    published = [c for c in by_column["publication_date"] if c.value is not None]
    assert published and all(c.is_date and c.number_format == "yyyy-mm-dd" for c in published)
    assert {c.value.date() for c in published} == {dt.date(2019, 3, 8)}


def test_xlsx_permalinks_are_hyperlinks(world):
    header, records, cells = read_xlsx(export_bytes(world.editor, "xlsx"))
    column = header.index("permalink") + 1
    links = [c for c in cells if c.row > 1 and c.column == column]
    assert len(links) == len(visible_ids(world))
    for cell in links:
        assert cell.hyperlink is not None and cell.hyperlink.target == cell.value
        assert cell.value.startswith(f"{BASE_URL}/briefs/")
        assert cell.font.u == "single"


def test_xlsx_header_has_an_autofilter_over_every_row(world):
    data = export_bytes(world.editor, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    last = openpyxl.utils.get_column_letter(sheet.max_column)
    assert sheet.auto_filter.ref == f"A1:{last}{len(visible_ids(world)) + 1}"
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize("format", ["xlsx", "docx"])
def test_zip_formats_stream_chunks_as_rows_are_read(world, format):
    """The download starts with the first rows, not when the whole file is finished."""
    for i in range(300):
        AnnotationFactory(
            section=world.ko_bigdeal.section,
            author=world.editor,
            note=f"{i} {secrets.token_hex(200)}",  # hardly compressible
            tags=[world.tags["big-deal"]],
        )
    export = excerpt_export(
        user=world.editor,
        filters=ExportFilters(),
        format=format,
        options=ExcerptOptions(base_url=BASE_URL),
        source_url=f"{BASE_URL}/export/download/?format={format}",
    )
    chunks = list(export.iter_bytes())
    assert len(chunks) >= 3
    assert chunks[0].startswith(b"PK\x03\x04")  # a zip entry, sent before the rest exists
    data = b"".join(chunks)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
    if format == "xlsx":
        _, records, _ = read_xlsx(data)
        assert len(records) == len(visible_ids(world)) + 300
    else:
        quotes = [text for style, text in read_docx(data) if style == "Quote"]
        assert len(quotes) == 5 + 300  # the world's four excerpts (one under two tags), and ours


def test_empty_xlsx_has_only_the_header_row(world):
    header, records, _ = read_xlsx(export_bytes(world.editor, "xlsx", ExportFilters(actors=["china"])))
    assert header == [c for c in COLUMNS if c != "context"]
    assert records == []


# JSON Lines ---------------------------------------------------------------------------------


def test_jsonl_round_trips_field_by_field(world):
    data = export_bytes(world.editor, "jsonl", context=True)
    assert "영변".encode() in data  # ensure_ascii=False: Hangul as UTF-8, not \\u escapes
    lines = data.decode("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    by_id = {r["id"]: r for r in records}
    assert set(by_id) == visible_ids(world)
    for annotation in world.visible_to_editor:
        assert_record_matches(by_id[annotation.pk], annotation)
    assert by_id[world.en_relief.pk]["publication_date"] == "2019-03-08"
    assert by_id[world.ko_summary_hl.pk]["publication_date"] is None
    assert by_id[world.ko_bigdeal.pk]["context"].count("[") == 1


def test_empty_jsonl_is_an_empty_file(world):
    assert export_bytes(world.editor, "jsonl", ExportFilters(tags=["peace-treaty"])) == b""


# W3C ----------------------------------------------------------------------------------------


def test_w3c_collection_embeds_the_api_presenter_and_passes_the_test_suite(world, tmp_path):
    from annotations.w3c import annotation_jsonld

    data = export_bytes(world.editor, "w3c")
    doc = json.loads(data)
    assert doc["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert doc["type"] == "AnnotationCollection"
    assert doc["total"] == 4
    page = doc["first"]
    assert page["type"] == "AnnotationPage"
    items = page["items"]
    by_id = {item["id"]: item for item in items}
    for annotation in world.visible_to_editor:
        annotation = Annotation.objects.select_related("section__brief", "author").get(pk=annotation.pk)
        want = annotation_jsonld(annotation, base_url=BASE_URL, with_context=False, language="ko")
        assert by_id[want["id"]] == want
        assert "@context" not in by_id[want["id"]]
    quotes = {
        s["exact"] for item in items for s in item["target"]["selector"] if s["type"] == "TextQuoteSelector"
    }
    assert "🇰🇷 양측은 “단계적 접근”에 대한 이견" in quotes
    path = tmp_path / "collection.jsonld"
    path.write_bytes(data)
    result = w3c_validate(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_empty_w3c_collection_is_valid(world, tmp_path):
    data = export_bytes(world.editor, "w3c", ExportFilters(actors=["china"]))
    doc = json.loads(data)
    assert doc["type"] == "AnnotationCollection"
    assert doc["total"] == 0
    assert "first" not in doc
    path = tmp_path / "empty.jsonld"
    path.write_bytes(data)
    result = w3c_validate(path)
    assert result.returncode == 0, result.stdout + result.stderr


# Clip sheets --------------------------------------------------------------------------------

_MD_UNESCAPE = re.compile(r"\\([\\`*_\[\]<>#|~&+\-=.)])")


def md_unescape(text: str) -> str:
    return _MD_UNESCAPE.sub(r"\1", text)


def parse_markdown(text: str) -> list[tuple[str, str, str, str, str]]:
    """Return (group, brief, quote, citation, permalink) for each clip of a Markdown clip sheet."""
    clips = []
    group = brief = ""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            group = md_unescape(line[3:])
        elif line.startswith("### "):
            brief = md_unescape(line[4:])
        elif line.startswith(">"):
            quote_lines = []
            while lines[i].startswith(">"):
                quote_lines.append(md_unescape(lines[i][2:]))
                i += 1
            i += 1  # the blank line after the block quote
            assert lines[i].startswith("— ") and lines[i].endswith("  ")
            cite = md_unescape(lines[i][2:-2])
            link = lines[i + 1]
            assert link.startswith("<") and link.endswith(">")
            clips.append((group, brief, "\n".join(quote_lines), cite, link[1:-1]))
            i += 1
        i += 1
    return clips


KO_TITLE = "제2차 북미정상회담 평가와 향후 과제"
EN_TITLE = "After Hanoi: What Next for Denuclearisation Talks"


def expected_clips(world) -> list[tuple[str, str, int]]:
    """(group, brief title, annotation) in the order the clip sheet prints them."""
    return [
        ("빅딜·일괄타결 (big-deal)", KO_TITLE, world.ko_bigdeal),
        ("영변 핵시설 폐기 (yongbyon-dismantlement)", KO_TITLE, world.ko_yongbyon),
        ("영변 이외 (beyond-yongbyon)", KO_TITLE, world.ko_bigdeal),
        ("제재 일부 해제·완화 (sanctions-partial-relief)", EN_TITLE, world.en_relief),
        ("태그 없음", KO_TITLE, world.ko_summary_hl),
    ]


def test_markdown_clip_sheet_groups_by_tag_then_brief_with_citations(world):
    text = export_bytes(world.editor, "md").decode("utf-8")
    assert text.startswith("# 발췌 모음\n")
    clips = parse_markdown(text)
    want = expected_clips(world)
    assert [(c[0], c[1]) for c in clips] == [(g, b) for g, b, _ in want]
    for clip, (_, _, annotation) in zip(clips, want, strict=True):
        assert clip[2] == annotation.quote
        assert clip[4] == f"{BASE_URL}/briefs/{annotation.section.brief.slug}/#annotation-{annotation.pk}"
    assert clips[0][3] == (
        "통일연구원 현안분석팀, 「제2차 북미정상회담 평가와 향후 과제」, 통일연구원 CO 19-05 (2019), "
        "'양자의 입장차: 빅딜 vs. 단계적 접근'"
    )
    assert clips[3][3] == (
        'Jane Doe and John Roe, "After Hanoi: What Next for Denuclearisation Talks," '
        'Korea Institute for National Unification Online Series CO 19-06 (2019), "The Sticking Point."'
    )
    assert clips[4][3].endswith("'요약'")
    assert "**메모:** 미국의 요구: '빅딜'.\n두 번째 줄" in text  # bold: Hangul has no italic


def test_markdown_tag_filter_limits_the_groups(world):
    text = export_bytes(world.editor, "md", ExportFilters(tags=["beyond-yongbyon"]), language="en").decode()
    clips = parse_markdown(text)
    assert [(c[0], c[2]) for c in clips] == [
        ("Facilities beyond Yongbyon (beyond-yongbyon)", world.ko_bigdeal.quote)
    ]
    assert "Untagged" not in text


def test_markdown_escapes_markup_in_quotes_and_notes(world):
    AnnotationFactory(
        section=world.ko_bigdeal.section,
        author=world.editor,
        start=0,
        length=3,
        note="<script>alert(1)</script> *bold* [link](x)\n- item\n1. first",
    )
    text = export_bytes(world.editor, "md").decode()
    assert "<script>" not in text
    assert r"\<script\>" in text
    assert r"\*bold\*" in text and r"\[link\](x)" in text
    assert "\n\\- item" in text and "\n1\\. first" in text
    assert md_escape("1) x") == "1\\) x"


def test_empty_markdown_clip_sheet_says_so(world):
    text = export_bytes(world.editor, "md", ExportFilters(annotators=["analyst"]), language="en").decode()
    assert text.startswith("# Clip sheet\n")
    assert "No excerpts match these filters." in text
    assert parse_markdown(text) == []


def read_docx(data: bytes) -> list[tuple[str, str]]:
    document = docx.Document(io.BytesIO(data))
    return [(p.style.name, p.text) for p in document.paragraphs]


def test_docx_clip_sheet_round_trips_with_python_docx(world):
    data = export_bytes(world.editor, "docx")
    paragraphs = read_docx(data)
    assert paragraphs[0] == ("Title", "발췌 모음")
    body = paragraphs[2:]
    groups = [text for style, text in body if style == "Heading 1"]
    assert groups == [g for g, _, _ in expected_clips(world)]
    quotes = [text for style, text in body if style == "Quote"]
    assert quotes == [a.quote for _, _, a in expected_clips(world)]
    citations = [text for style, text in body if text.startswith("— ")]
    first_cite, first_link = citations[0][2:].split("\n")
    assert first_cite == (
        "통일연구원 현안분석팀, 「제2차 북미정상회담 평가와 향후 과제」, 통일연구원 CO 19-05 (2019), "
        "'양자의 입장차: 빅딜 vs. 단계적 접근'"
    )
    assert first_link == f"{BASE_URL}/briefs/kinu-co-19-05/#annotation-{world.ko_bigdeal.pk}"
    assert ("Normal", "메모: 미국의 요구: '빅딜'.\n두 번째 줄") in body
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        xml = package.read("word/document.xml").decode()
    assert f'HYPERLINK "{first_link}"' in xml  # the permalink is a live link in Word


def test_docx_clip_sheet_with_context_brackets_the_quote(world):
    quotes = [t for s, t in read_docx(export_bytes(world.editor, "docx", context=True)) if s == "Quote"]
    a = world.ko_bigdeal
    assert quotes[0] == f"{a.prefix}[{a.quote}]. 반면 북한은 영변의 모든 핵시설을 영구적으로 폐기하는…"


def test_empty_docx_clip_sheet_says_so(world):
    paragraphs = read_docx(export_bytes(world.editor, "docx", ExportFilters(briefs=["no-such-brief"])))
    assert ("Normal", "조건에 맞는 발췌가 없습니다.") in paragraphs
    assert not [p for p in paragraphs if p[0] == "Quote"]


# Privacy ------------------------------------------------------------------------------------


def export_text(user, format: str) -> str:
    """Return all the text of an export, read with the format's own reader."""
    data = export_bytes(user, format)
    if format == "xlsx":
        _, _, cells = read_xlsx(data)
        return "\n".join(str(c.value) for c in cells if c.value is not None)
    if format == "docx":
        return "\n".join(text for _, text in read_docx(data))
    return data.decode("utf-8")


@pytest.mark.parametrize("format", FORMATS)
def test_exports_hold_neither_others_private_nor_deleted_annotations(world, format):
    text = export_text(world.editor, format)
    assert "PRIVATE NOTE" not in text and "DELETED NOTE" not in text
    for hidden in (world.private_other, world.deleted):
        assert not re.search(rf"(#annotation-|/annotations/){hidden.pk}(?!\d)", text)
    assert "합의 없이 끝났다" in text  # the editor's own private highlight is theirs to export
    assert "partial sanctions relief" in text  # a shared one


@pytest.mark.parametrize("format", FORMATS)
def test_the_author_of_a_private_annotation_gets_it_and_no_one_elses(world, format):
    text = export_text(world.annotator, format)
    assert "PRIVATE NOTE" in text
    assert "합의 없이 끝났다" not in text  # the editor's private highlight
    assert "DELETED NOTE" not in text


@pytest.mark.parametrize(("language", "size_mm"), [("ko", (210, 297)), ("en", (215.9, 279.4))])
def test_docx_paper_follows_the_export_language(world, language, size_mm):
    document = docx.Document(io.BytesIO(export_bytes(world.editor, "docx", language=language)))
    for section in document.sections:
        assert (round(section.page_width.mm, 1), round(section.page_height.mm, 1)) == size_mm


def test_docx_sets_hangul_quotes_upright_and_keeps_english_ones_italic(world):
    document = docx.Document(io.BytesIO(export_bytes(world.editor, "docx", language="en")))
    assert document.styles["Quote"].font.italic  # the style's italic stays, for Latin text
    quotes = {p.text: p for p in document.paragraphs if p.style.name == "Quote"}
    hangul = quotes[world.ko_bigdeal.quote]
    assert hangul.runs and all(run.italic is False for run in hangul.runs)
    assert all(run.font.element.rPr.find(qn("w:iCs")).get(qn("w:val")) == "0" for run in hangul.runs)
    english = quotes[world.en_relief.quote]
    assert all(run.italic is None for run in english.runs)  # inherits the style's italic


def test_docx_note_label_is_not_slanted_hangul(world):
    document = docx.Document(io.BytesIO(export_bytes(world.editor, "docx")))
    label = next(r for p in document.paragraphs for r in p.runs if r.text == "메모: ")
    assert not label.italic and label.bold


def test_docx_headings_set_hangul_in_the_korean_face_not_the_themes(world):
    document = docx.Document(io.BytesIO(export_bytes(world.editor, "docx")))
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Quote"):
        fonts = document.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == "맑은 고딕", name
        assert fonts.get(qn("w:eastAsiaTheme")) is None, name
        lang = document.styles[name].element.rPr.find(qn("w:lang"))
        assert lang is not None and lang.get(qn("w:eastAsia")) == "ko-KR", name


def test_xlsx_cuts_text_past_excels_cell_limit_without_splitting_a_character(world):
    from annotations.export.formats.xlsx import CELL_MAX_UNITS, excel_text

    long_quote = "제재" * 20_000 + "😀" * 10  # 40,010 code points
    section = SectionFactory(brief=world.ko_bigdeal.section.brief, position=7, anchor="long", text=long_quote)
    long = AnnotationFactory(section=section, author=world.editor, start=0, end=len(long_quote))
    header, records, _ = read_xlsx(export_bytes(world.editor, "xlsx"))
    cell = {r["id"]: r for r in records}[long.pk]["quote"]
    assert cell.endswith("…") and long_quote.startswith(cell[:-1])
    assert len(cell.encode("utf-16-le")) // 2 <= CELL_MAX_UNITS
    emoji = "😀" * 20_000  # two UTF-16 units each: never cut between the two
    cut = excel_text(emoji)
    assert len(cut.encode("utf-16-le")) // 2 <= CELL_MAX_UNITS and set(cut[:-1]) == {"😀"}
    assert excel_text("짧은 인용") == "짧은 인용"


def test_xlsx_stops_adding_hyperlinks_at_excels_limit(world, monkeypatch):
    from annotations.export.formats import xlsx

    monkeypatch.setattr(xlsx, "MAX_HYPERLINKS", 2)  # the real limit is 65,530 (too many rows for a test)
    header, records, cells = read_xlsx(export_bytes(world.editor, "xlsx"))
    column = header.index("permalink") + 1
    links = [c for c in cells if c.row > 1 and c.column == column]
    assert len(links) == len(visible_ids(world)) and all(c.value.startswith(BASE_URL) for c in links)
    assert sum(c.hyperlink is not None for c in links) == 2


def test_markdown_note_label_is_italic_only_in_english(world):
    english = export_bytes(world.editor, "md", language="en").decode()
    assert "*Note:* Offer: Yongbyon for relief" in english and "**Note:**" not in english


@pytest.mark.parametrize(("language", "tag"), [("ko", "ko-KR"), ("en", "en-US")])
def test_docx_says_which_language_it_is_in(world, language, tag):
    document = docx.Document(io.BytesIO(export_bytes(world.editor, "docx", language=language)))
    assert document.core_properties.language == tag
