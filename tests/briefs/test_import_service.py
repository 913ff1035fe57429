"""brief_import: saving, dedup, replace, metadata overrides, refusing hostile input."""

from __future__ import annotations

import datetime
import hashlib
import unicodedata

import pytest

from briefs.importers import IMPORTER_VERSION, ParsedSection
from briefs.models import Brief, Section
from briefs.services import BriefImportError, brief_import, section_anchors, section_pages
from tests.briefs.test_importers import KINU_HEADINGS, build_pdf, build_pdf_without_text
from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db

KINU_NAME = "001_b5edd7b7062599dc.txt"
NEWS_NAME = "000_44f3ef2e00101653.txt"


def counts() -> tuple[int, int]:
    return Brief.objects.count(), Section.objects.count()


def test_kinu_import_creates_the_brief_and_its_sections(kinu_bytes):
    result = brief_import(data=kinu_bytes, filename=KINU_NAME)
    assert result.status == "created"
    brief = Brief.objects.get()
    assert result.brief == brief
    assert result.message == f"created {brief.slug}: 6 sections"
    assert brief.title == "제2차 북미정상회담 평가와 향후 과제"
    assert brief.slug == "제2차-북미정상회담-평가와-향후-과제"
    assert brief.series_code == "CO 19-05"
    assert brief.authors == ["통일연구원 현안분석팀"]
    assert brief.publication_year == 2019
    assert brief.copyright == "ⓒKINU 2019"
    assert brief.notes.startswith("※ 이 글의 내용은")
    assert brief.language == "ko"
    assert (brief.source_filename, brief.source_format) == (KINU_NAME, "txt")
    assert brief.source_sha256 == hashlib.sha256(kinu_bytes).hexdigest()
    sections = list(brief.sections.order_by("position"))
    assert [s.position for s in sections] == [0, 1, 2, 3, 4, 5]
    assert [s.heading for s in sections] == KINU_HEADINGS
    assert [s.kind for s in sections] == ["summary", "body", "body", "body", "body", "body"]
    assert [s.anchor for s in sections] == [
        "summary",
        "introduction",
        "양자의-입장차-빅딜-vs-단계적-접근",
        "준비된-합의문과-합의의-실패-미국의-협상전략-혹은-미국-국내정치-문제",
        "협상-재개-전망의-근거-종전선언-등-중요-의제에-대한-공감-쌍중단과-협상-의지의-지속",
        "향후-과제-특사파견-남북-및-한미-정상회담-추진을-통한-북미협상-중재촉진",
    ]


@pytest.mark.parametrize("sample", ["kinu_bytes", "news_bytes"])
def test_importing_a_sample_twice_leaves_one_brief(sample, request):
    data = request.getfixturevalue(sample)
    first = brief_import(data=data, filename="sample.txt")
    sections_before = list(Section.objects.values_list("pk", "text").order_by("pk"))
    second = brief_import(data=data, filename="sample.txt")
    assert (first.status, second.status) == ("created", "unchanged")
    assert second.brief.pk == first.brief.pk
    assert second.message == f"unchanged {first.brief.slug}: this content is already imported"
    assert Brief.objects.count() == 1
    assert list(Section.objects.values_list("pk", "text").order_by("pk")) == sections_before


def test_news_import_uses_the_first_sentence_as_title_unless_given(news_bytes):
    result = brief_import(data=news_bytes, filename=NEWS_NAME)
    assert result.brief.title.startswith("미국 국무부와 외교부에 따르면")
    assert result.brief.sections.count() == 1
    Brief.objects.all().delete()
    result = brief_import(
        data=news_bytes,
        filename=NEWS_NAME,
        metadata={"title": "폼페이오, 강경화 장관과 통화", "organisation": "한국금융신문"},
    )
    assert result.brief.title == "폼페이오, 강경화 장관과 통화"
    assert result.brief.slug == "폼페이오-강경화-장관과-통화"
    assert result.brief.organisation == "한국금융신문"


def test_explicit_metadata_overrides_what_was_detected(kinu_bytes):
    result = brief_import(
        data=kinu_bytes,
        filename=KINU_NAME,
        metadata={
            "title": "다른 제목",
            "subtitle": "부제",
            "organisation": "통일연구원",
            "organisation_en": "Korea Institute for National Unification",
            "series_code": "CO 19-99",
            "authors": ["가", "나"],
            "language": "ko",
            "publication_date": "2019-03-04",
            "source_url": "https://www.example.org/brief.pdf",
            "slug": "kinu-co-19-05",
            "copyright": None,  # unset values are ignored
        },
    )
    brief = Brief.objects.get(pk=result.brief.pk)
    assert brief.slug == "kinu-co-19-05"
    assert (brief.title, brief.subtitle, brief.series_code) == ("다른 제목", "부제", "CO 19-99")
    assert brief.organisation_en == "Korea Institute for National Unification"
    assert brief.authors == ["가", "나"]
    assert brief.publication_date == datetime.date(2019, 3, 4)
    assert brief.publication_year == 2019
    assert brief.copyright == "ⓒKINU 2019"
    assert brief.source_url == "https://www.example.org/brief.pdf"


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"language": "fr"}, "language 'fr' is not supported"),
        ({"publisher": "x"}, "unknown metadata field"),
        ({"publication_date": "4 March 2019"}, "is not YYYY-MM-DD"),
        ({"publication_year": 1066}, "publication_year"),
        ({"slug": "not a slug!"}, "slug"),
        ({"source_url": "not a url"}, "source_url"),
    ],
)
def test_invalid_metadata_is_refused_before_anything_is_written(kinu_bytes, metadata, message):
    with pytest.raises(BriefImportError, match=message):
        brief_import(data=kinu_bytes, filename=KINU_NAME, metadata=metadata)
    assert counts() == (0, 0)


def test_slug_falls_back_to_the_hash_when_the_title_has_no_letters(kinu_bytes):
    result = brief_import(data=kinu_bytes, filename=KINU_NAME, metadata={"title": "!!!"})
    assert result.brief.slug == hashlib.sha256(kinu_bytes).hexdigest()[:12]


def test_slug_is_truncated(kinu_bytes):
    result = brief_import(data=kinu_bytes, filename=KINU_NAME, metadata={"title": "가나다 " * 60})
    assert 0 < len(result.brief.slug) <= 80
    assert not result.brief.slug.endswith("-")


def test_same_slug_with_different_content_is_refused_without_replace(kinu_bytes, news_bytes):
    brief_import(data=kinu_bytes, filename=KINU_NAME, metadata={"slug": "brief"})
    before = list(Section.objects.values_list("pk", "text"))
    with pytest.raises(BriefImportError) as excinfo:
        brief_import(data=news_bytes, filename=NEWS_NAME, metadata={"slug": "brief"})
    assert str(excinfo.value) == (
        "a brief with slug 'brief' already exists with different content; pass --replace to replace it"
    )
    assert list(Section.objects.values_list("pk", "text")) == before
    assert Brief.objects.get().source_filename == KINU_NAME


def test_replace_updates_the_brief_and_its_sections(kinu_bytes, news_bytes):
    first = brief_import(data=kinu_bytes, filename=KINU_NAME, metadata={"slug": "brief"})
    result = brief_import(data=news_bytes, filename=NEWS_NAME, metadata={"slug": "brief"}, replace=True)
    assert result.status == "replaced"
    assert result.message == "replaced brief: 1 section (1 kept, 0 added, 5 removed)"
    brief = Brief.objects.get()
    assert brief.pk == first.brief.pk
    assert brief.source_filename == NEWS_NAME
    assert brief.series_code == ""  # detected afresh: the news article has none
    assert brief.source_sha256 == hashlib.sha256(news_bytes).hexdigest()
    assert list(brief.sections.values_list("position", "anchor")) == [(0, "introduction")]


def test_replace_keeps_surviving_sections_and_their_annotations(kinu_bytes):
    brief_import(data=kinu_bytes, filename=KINU_NAME, metadata={"slug": "brief"})
    section = Section.objects.get(position=2)
    quote = "영변의 모든 핵시설을 영구적으로 폐기"
    start = section.text.index(quote)
    note = AnnotationFactory(section=section, start=start, length=len(quote))
    edited = kinu_bytes.decode().replace("추가적인 이유 혹은 어쩌면", "추가적인 이유 혹은").encode()

    result = brief_import(data=edited, filename=KINU_NAME, metadata={"slug": "brief"}, replace=True)

    assert result.message == "replaced brief: 6 sections (6 kept, 0 added, 0 removed)"
    note.refresh_from_db()
    assert note.section_id == section.pk
    assert note.section.text[note.start : note.end] == quote
    changed = Section.objects.get(position=3)
    assert "추가적인 이유 혹은 더욱" in changed.text


def test_replace_refused_when_a_removed_section_has_annotations(kinu_bytes):
    brief_import(data=kinu_bytes, filename=KINU_NAME, metadata={"slug": "brief"})
    doomed = Section.objects.get(position=3)
    AnnotationFactory(section=doomed, start=0, length=4)
    before = list(Section.objects.values_list("pk", "position", "text"))
    heading = doomed.heading
    without_heading = kinu_bytes.decode().replace(" " + heading + "\n", "\n").encode()
    assert without_heading != kinu_bytes

    with pytest.raises(BriefImportError, match="cannot replace 'brief': 1 record"):
        brief_import(data=without_heading, filename=KINU_NAME, metadata={"slug": "brief"}, replace=True)

    assert list(Section.objects.values_list("pk", "position", "text")) == before
    assert Brief.objects.get().source_sha256 == hashlib.sha256(kinu_bytes).hexdigest()


def test_a_deleted_annotation_does_not_hold_a_removed_section_and_stays_a_tombstone(kinu_bytes):
    from django.utils import timezone

    brief_import(data=kinu_bytes, filename=KINU_NAME, metadata={"slug": "brief"})
    doomed = Section.objects.get(position=3)
    gone = AnnotationFactory(section=doomed, start=0, length=4, deleted_at=timezone.now())
    without_heading = kinu_bytes.decode().replace(" " + doomed.heading + "\n", "\n").encode()

    result = brief_import(data=without_heading, filename=KINU_NAME, metadata={"slug": "brief"}, replace=True)

    assert result.status == "replaced" and not Section.objects.filter(pk=doomed.pk).exists()
    gone.refresh_from_db()
    assert (gone.section_id, gone.former_section_id, gone.former_brief_slug) == (None, doomed.pk, "brief")
    assert gone.deleted_at is not None


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("junk.txt", bytes(range(256)) * 8, "NUL bytes"),
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", r"unsupported file type '\.exe'"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a PNG image"),
        ("bad.txt", "본문".encode() + b"\xff\xff\xfe" + "본문".encode(), "cannot be decoded"),
        ("nul.txt", "본문입니다.\x00 본문".encode(), "NUL bytes"),
        ("links.txt", b"![image](https://example.org/a.jpg)\n", "no sections"),
    ],
    ids=["empty", "binary-junk", "exe", "png", "undecodable", "nul", "no-sections"],
)
def test_hostile_input_is_refused_and_nothing_is_written(filename, data, message):
    with pytest.raises(BriefImportError, match=message):
        brief_import(data=data, filename=filename)
    assert counts() == (0, 0)


def test_pdf_without_text_layer_is_refused():
    with pytest.raises(BriefImportError, match="no text layer"):
        brief_import(data=build_pdf_without_text(), filename="scan.pdf")
    assert counts() == (0, 0)


def test_file_over_the_size_limit_is_refused(settings, kinu_bytes):
    settings.MARGINALIA_MAX_IMPORT_BYTES = len(kinu_bytes) - 1
    with pytest.raises(BriefImportError, match="too large"):
        brief_import(data=kinu_bytes, filename=KINU_NAME)
    assert counts() == (0, 0)
    settings.MARGINALIA_MAX_IMPORT_BYTES = len(kinu_bytes)
    assert brief_import(data=kinu_bytes, filename=KINU_NAME).status == "created"


def test_error_messages_are_one_line():
    with pytest.raises(BriefImportError) as excinfo:
        brief_import(data=b"%PDF-1.4\n\nnot\na\npdf", filename="broken.pdf")
    assert "\n" not in str(excinfo.value)
    assert "not a readable PDF" in str(excinfo.value)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp949"])
def test_re_encoded_kinu_imports_to_the_same_sections(kinu_bytes, encoding):
    brief_import(data=kinu_bytes, filename=KINU_NAME, metadata={"slug": "utf-8"})
    data = kinu_bytes.decode("utf-8").encode(encoding)
    other = brief_import(data=data, filename=KINU_NAME, metadata={"slug": encoding})
    assert other.status == "created"
    fields = ("position", "heading", "kind", "text", "anchor")
    original = Brief.objects.get(slug="utf-8")
    assert list(other.brief.sections.values_list(*fields)) == list(original.sections.values_list(*fields))


def test_decomposed_hangul_is_stored_nfc(kinu_bytes):
    data = unicodedata.normalize("NFD", kinu_bytes.decode("utf-8")).encode("utf-8")
    brief = brief_import(data=data, filename=KINU_NAME).brief
    assert brief.title == "제2차 북미정상회담 평가와 향후 과제"
    assert all(unicodedata.is_normalized("NFC", s.text) for s in brief.sections.all())


def test_pdf_import(tmp_path):
    data = build_pdf(
        [
            ("h", "교육 예산의 새로운 방향"),
            ("p", "정부는 올해 예산안에서 교육 분야의 지출을 크게 늘렸다. " * 6),
            ("h", "예산 집행의 과제"),
            ("p", "지방 학교의 시설 개선에 배정된 금액이 작년보다 두 배 가까이 늘었다. " * 5),
        ]
    )
    result = brief_import(data=data, filename="brief.pdf")
    assert result.message == "created 교육-예산의-새로운-방향: 2 sections"
    assert result.brief.source_format == "pdf"
    assert list(result.brief.sections.values_list("heading", flat=True)) == ["", "예산 집행의 과제"]


def test_section_anchors_are_unique_and_stable():
    def section(heading: str, kind: str = "body") -> ParsedSection:
        return ParsedSection(heading=heading, level=2, kind=kind, text="본문.")

    sections = [
        section("", "summary"),
        section(""),
        section("결론"),
        section("결론"),
        section("!!"),
        section(""),
    ]
    assert section_anchors(sections) == [
        "summary",
        "introduction",
        "결론",
        "결론-2",
        "section-5",
        "section-6",
    ]
    assert section_anchors(sections) == section_anchors(list(sections))


def test_replace_with_the_same_bytes_reads_the_file_again(kinu_bytes):
    first = brief_import(data=kinu_bytes, filename=KINU_NAME)
    section = Section.objects.get(position=2)
    quote = "영변의 모든 핵시설을 영구적으로 폐기"
    note = AnnotationFactory(section=section, start=section.text.index(quote), length=len(quote))
    # What an older importer left: a wrong heading and no version.
    Section.objects.filter(pk=section.pk).update(heading="page footer 3")
    Brief.objects.filter(pk=first.brief.pk).update(importer_version=0, title="CO 19-05")

    stale = brief_import(data=kinu_bytes, filename=KINU_NAME)
    assert stale.status == "unchanged"
    assert stale.message.endswith("--replace re-reads it with the current importer")

    result = brief_import(data=kinu_bytes, filename=KINU_NAME, replace=True)

    assert result.status == "replaced"
    brief = Brief.objects.get()
    assert brief.slug == first.brief.slug  # the address stays
    assert brief.title == "제2차 북미정상회담 평가와 향후 과제"
    assert brief.importer_version == IMPORTER_VERSION
    section.refresh_from_db()
    assert section.heading == KINU_HEADINGS[2]
    note.refresh_from_db()
    assert note.section.text[note.start : note.end] == quote


def test_the_importer_version_and_warnings_are_recorded():
    text = "\n\n".join("이것은 제목 없는 긴 글의 한 문단입니다. " * 12 for _ in range(30))
    result = brief_import(data=text.encode(), filename="long.txt")
    brief = Brief.objects.get()
    assert brief.importer_version == IMPORTER_VERSION
    assert any(w.startswith("no headings found") for w in brief.import_warnings)
    assert result.warnings == tuple(brief.import_warnings)


def test_section_pages_mark_where_each_page_starts():
    section = ParsedSection(heading="H", level=2, kind="body", text="aa\n\nbbb\n\ncc", pages=(3, 3, 4))
    assert section_pages(section) == {
        "page_start": 3,
        "page_end": 4,
        "page_offsets": [0, 9],
        "page_numbers": [3, 4],
    }
    stored = Section(text=section.text, **section_pages(section))
    assert [stored.page_at(i) for i in (0, 4, 8, 9, 10)] == [3, 3, 3, 4, 4]
    no_pages = ParsedSection(heading="H", level=2, kind="body", text="aa", pages=(None,))
    assert section_pages(no_pages)["page_start"] is None


def test_a_section_needs_text_or_a_heading(kinu_bytes):
    from django.db import IntegrityError, transaction

    brief = brief_import(data=kinu_bytes, filename=KINU_NAME).brief
    Section.objects.create(brief=brief, position=90, heading="Ⅱ. 장 제목", text="", anchor="chapter")
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.create(brief=brief, position=91, heading="", text="", anchor="nothing")
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.create(brief=brief, position=92, text="x", anchor="p", page_start=5, page_end=4)
