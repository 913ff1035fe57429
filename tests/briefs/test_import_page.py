"""The import page: editors upload a document; hostile uploads are refused whole, with a reason."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from briefs.models import Brief, Section
from tests.briefs.test_importers import KINU_HEADINGS, build_pdf_without_text
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db
IMPORT = reverse("briefs:import")


def upload(name: str, data: bytes, content_type: str = "text/plain") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_an_editor_imports_the_kinu_brief_and_lands_on_its_reader(client, editor, kinu_bytes):
    client.force_login(editor)
    response = client.post(
        IMPORT,
        {"file": upload("co19-05.txt", kinu_bytes), "organisation": "통일연구원", "slug": "kinu-co-19-05"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("briefs:reader", args=["kinu-co-19-05"]), 302)]
    brief = Brief.objects.get(slug="kinu-co-19-05")
    assert brief.organisation == "통일연구원"
    assert brief.series_code == "CO 19-05"  # detected: the form only overrides what it is given
    assert [s.heading for s in brief.sections.order_by("position")] == KINU_HEADINGS
    assert any(
        m.startswith("created kinu-co-19-05: 6 sections")
        for m in texts(page_tree(response), "//li[@class='message message-success']")
    )


def test_metadata_from_the_form_overrides_what_the_document_says(client, editor, news_bytes):
    client.force_login(editor)
    client.post(
        IMPORT,
        {
            "file": upload("news.txt", news_bytes),
            "title": "폼페이오-강경화 통화 <기사>",
            "authors": "서효문\n\n  다른 기자  \n",
            "language": "ko",
            "publication_date": "2019-03-18",
            "source_url": "https://www.example.org/news/1",
        },
    )
    brief = Brief.objects.get()
    assert brief.title == "폼페이오-강경화 통화 <기사>"
    assert brief.authors == ["서효문", "다른 기자"]
    assert str(brief.publication_date) == "2019-03-18"
    assert brief.source_url == "https://www.example.org/news/1"
    tree = page_tree(client.get(reverse("briefs:reader", args=[brief.slug])))
    assert texts(tree, "//h1") == ["폼페이오-강경화 통화 <기사>"]  # shown as text
    assert not tree.xpath("//h1/*[local-name()='기사']")  # never as markup


def test_the_same_upload_twice_is_one_brief(client, editor, kinu_bytes):
    client.force_login(editor)
    client.post(IMPORT, {"file": upload("a.txt", kinu_bytes)})
    response = client.post(IMPORT, {"file": upload("b.txt", kinu_bytes)}, follow=True)
    assert Brief.objects.count() == 1
    assert any(
        m.startswith("unchanged") for m in texts(page_tree(response), "//li[contains(@class, 'message')]")
    )


def test_a_changed_version_needs_replace(client, editor, kinu_bytes):
    client.force_login(editor)
    client.post(IMPORT, {"file": upload("a.txt", kinu_bytes), "slug": "kinu"})
    changed = kinu_bytes.replace("하노이".encode(), "베트남 하노이".encode(), 1)
    refused = client.post(IMPORT, {"file": upload("a.txt", changed), "slug": "kinu"})
    assert refused.status_code == 400
    assert "--replace" in refused.content.decode() or "Replace" in refused.content.decode()
    assert "베트남" not in "".join(Section.objects.values_list("text", flat=True))
    replaced = client.post(IMPORT, {"file": upload("a.txt", changed), "slug": "kinu", "replace": "on"})
    assert replaced.status_code == 302
    assert "베트남 하노이" in "".join(Section.objects.values_list("text", flat=True))
    assert Brief.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("junk.txt", bytes(range(256)) * 40, "binary"),
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 100, "unsupported file type"),
        ("scan.pdf", None, "no text layer"),
        ("broken.pdf", b"%PDF-1.4\n not really a pdf", "not a readable PDF"),
        ("blank.txt", b" \n\t\n", "only whitespace"),
        ("bill.hwp", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "save the document as HWPX"),
        ("broken.docx", b"PK\x03\x04 not a zip", "DOCX"),
        ("broken.hwpx", b"PK\x03\x04" + b"\x00" * 50, "HWPX"),
    ],
)
def test_hostile_uploads_are_refused_with_the_reason_and_nothing_written(client, editor, name, data, message):
    client.force_login(editor)
    data = build_pdf_without_text() if data is None else data
    response = client.post(IMPORT, {"file": upload(name, data)})
    assert response.status_code == 400
    errors = texts(page_tree(response), "//div[@class='form-errors']")
    assert any(message in error and error.endswith("Nothing was imported.") for error in errors), errors
    assert not Brief.objects.exists() and not Section.objects.exists()


def test_an_upload_over_the_limit_is_refused(client, editor, settings, kinu_bytes):
    settings.MARGINALIA_MAX_IMPORT_BYTES = 1000
    client.force_login(editor)
    response = client.post(IMPORT, {"file": upload("big.txt", kinu_bytes)})
    assert response.status_code == 400
    assert any("too large" in error for error in texts(page_tree(response), "//div[@class='form-errors']"))
    assert not Brief.objects.exists()


def test_a_huge_request_is_refused_before_its_body_is_read(client, editor, settings):
    settings.MARGINALIA_MAX_IMPORT_BYTES = 1000
    client.force_login(editor)
    response = client.post(IMPORT, {"file": upload("big.txt", b"x" * 200_000)})
    assert response.status_code == 413
    assert any("too large" in error for error in texts(page_tree(response), "//div[@class='form-errors']"))
    assert not Brief.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("publication_date", "2019-13-45"),
        ("source_url", "javascript:alert(1)"),
        ("slug", "../../etc"),
        ("language", "xx"),
        ("title", "가" * 501),
    ],
)
def test_bad_metadata_is_refused_before_anything_is_imported(client, editor, kinu_bytes, field, value):
    client.force_login(editor)
    response = client.post(IMPORT, {"file": upload("a.txt", kinu_bytes), field: value})
    assert response.status_code == 400
    tree = page_tree(response)
    # the field is marked invalid and its (localised) message is shown next to it
    assert texts(tree, f"//*[@id='id_{field}_error']") != [""]
    assert tree.xpath(f"//*[@name='{field}']/@aria-invalid") == ["true"]
    assert not Brief.objects.exists()


def test_only_editors_may_import(client, analyst, annotator, kinu_bytes):
    assert client.get(IMPORT).status_code == 302  # to the sign-in page
    for user in (analyst, annotator):
        client.force_login(user)
        assert client.get(IMPORT).status_code == 403
        assert client.post(IMPORT, {"file": upload("a.txt", kinu_bytes)}).status_code == 403
    assert not Brief.objects.exists()


def test_the_library_offers_the_import_page_to_editors_only(client, analyst, editor):
    client.force_login(analyst)
    assert IMPORT not in page_tree(client.get(reverse("briefs:library"))).xpath("//a/@href")
    client.force_login(editor)
    assert IMPORT in page_tree(client.get(reverse("briefs:library"))).xpath("//a/@href")


def test_import_needs_the_csrf_token(editor, kinu_bytes):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(IMPORT, {"file": upload("a.txt", kinu_bytes)}).status_code == 403
    assert not Brief.objects.exists()


@pytest.mark.parametrize(
    ("accept", "message"), [("", "Enter a valid date."), ("ko-KR,ko;q=0.9", "올바른 날짜")]
)
def test_form_messages_follow_the_browser_language(client, editor, kinu_bytes, accept, message):
    client.force_login(editor)
    headers = {"Accept-Language": accept} if accept else {}
    response = client.post(
        IMPORT, {"file": upload("a.txt", kinu_bytes), "publication_date": "2019-13-45"}, headers=headers
    )
    assert any(message in error for error in texts(page_tree(response), "//div[@class='form-errors']"))


def test_a_malformed_content_length_is_not_a_500(client, editor, kinu_bytes):
    client.force_login(editor)
    response = client.post(IMPORT, {"file": upload("a.txt", kinu_bytes)}, CONTENT_LENGTH="many")
    assert response.status_code < 500


def test_import_warnings_are_shown_to_the_editor_and_not_to_readers(client, editor, analyst):
    long_text = "\n\n".join("제목 없이 길게 이어지는 글의 한 문단입니다. " * 12 for _ in range(30))
    client.force_login(editor)
    response = client.post(IMPORT, {"file": upload("long.txt", long_text.encode())}, follow=True)
    tree = page_tree(response)
    assert any(
        m.startswith("Check this import: no headings found")
        for m in texts(tree, "//li[@class='message message-warning']")
    )
    assert any(
        w.startswith("no headings found") for w in texts(tree, "//aside[@class='import-warnings']//li")
    )
    brief = Brief.objects.get()
    client.force_login(analyst)
    reader = client.get(reverse("briefs:reader", args=[brief.slug]))
    assert texts(page_tree(reader), "//aside[@class='import-warnings']") == []


@pytest.mark.parametrize("name", ["13_langchain-kr-glossary_ko.docx", "11_mcst-press-release_ko.hwpx"])
def test_an_editor_imports_docx_and_hwpx_from_the_browser(client, editor, name):
    from tests.briefs.corpus import corpus_file

    client.force_login(editor)
    response = client.post(IMPORT, {"file": upload(name, corpus_file(name).read_bytes(), "application/zip")})
    assert response.status_code == 302
    brief = Brief.objects.get()
    assert brief.source_format == name.rsplit(".", 1)[1]
    assert brief.sections.exists()
