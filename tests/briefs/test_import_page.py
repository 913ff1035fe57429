"""The import page: editors upload documents into previews; hostile uploads are refused whole,
with a reason, and nothing is written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from briefs.models import Brief, ImportPreview, Section
from tests.briefs.test_importers import KINU_HEADINGS, build_pdf_without_text
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db
IMPORT = reverse("briefs:import")


def upload(name: str, data: bytes, content_type: str = "text/plain") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def confirm(client, preview: ImportPreview, **changes) -> object:
    """Post the preview's metadata form as shown, with `changes`, and confirm it."""
    tree = page_tree(client.get(reverse("briefs:preview", args=[preview.token])))
    form = tree.xpath("//form[@id='preview-metadata']")[0]
    data = dict(form.form_values())
    data.update(changes, action="confirm")
    return client.post(form.get("action"), data)


def test_an_upload_becomes_a_preview_and_nothing_is_saved(client, editor, kinu_bytes):
    client.force_login(editor)
    response = client.post(IMPORT, {"files": upload("co19-05.txt", kinu_bytes)})
    preview = ImportPreview.objects.get()
    assert response.status_code == 302 and response.url == reverse("briefs:preview", args=[preview.token])
    assert not Brief.objects.exists() and not Section.objects.exists()
    tree = page_tree(client.get(response.url))
    assert tree.xpath("//input[@name='title']/@value") == ["제2차 북미정상회담 평가와 향후 과제"]
    assert tree.xpath("//input[@name='series_code']/@value") == ["CO 19-05"]
    headings = tree.xpath("//li[contains(@class,'preview-section')]//input[@name='heading']/@value")
    assert headings == KINU_HEADINGS


def test_an_editor_confirms_the_kinu_brief_and_lands_on_its_reader(client, editor, kinu_bytes):
    client.force_login(editor)
    client.post(IMPORT, {"files": upload("co19-05.txt", kinu_bytes)})
    response = confirm(client, ImportPreview.objects.get(), organisation="통일연구원", slug="kinu-co-19-05")
    assert response.status_code == 302 and response.url == reverse("briefs:reader", args=["kinu-co-19-05"])
    brief = Brief.objects.get(slug="kinu-co-19-05")
    assert brief.organisation == "통일연구원"
    assert brief.series_code == "CO 19-05"  # detected, and kept as previewed
    assert [s.heading for s in brief.sections.order_by("position")] == KINU_HEADINGS
    messages = texts(page_tree(client.get(response.url)), "//li[@class='message message-success']")
    assert "Imported “제2차 북미정상회담 평가와 향후 과제” (kinu-co-19-05): 6 sections." in messages


def test_metadata_corrected_in_the_preview_is_what_is_saved(client, editor, news_bytes):
    client.force_login(editor)
    client.post(IMPORT, {"files": upload("news.txt", news_bytes)})
    confirm(
        client,
        ImportPreview.objects.get(),
        title="폼페이오-강경화 통화 <기사>",
        authors="서효문\n\n  다른 기자  \n",
        language="ko",
        publication_date="2019-03-18",
        publication_year="",
        source_url="https://www.example.org/news/1",
        subtitle="",
    )
    brief = Brief.objects.get()
    assert brief.title == "폼페이오-강경화 통화 <기사>"
    assert brief.authors == ["서효문", "다른 기자"]
    assert str(brief.publication_date) == "2019-03-18" and brief.publication_year == 2019
    assert brief.source_url == "https://www.example.org/news/1"
    tree = page_tree(client.get(reverse("briefs:reader", args=[brief.slug])))
    assert texts(tree, "//h1") == ["폼페이오-강경화 통화 <기사>"]
    assert not tree.xpath("//h1/*[local-name()='기사']")  # never as markup


def test_several_files_at_once_each_get_a_preview(client, editor, kinu_bytes, news_bytes):
    client.force_login(editor)
    response = client.post(
        IMPORT, {"files": [upload("kinu.txt", kinu_bytes), upload("news.txt", news_bytes)]}, follow=True
    )
    assert sorted(ImportPreview.objects.values_list("filename", flat=True)) == ["kinu.txt", "news.txt"]
    tree = page_tree(response)
    links = tree.xpath("//section[@class='pending-previews']//a/@href")
    assert sorted(links) == sorted(
        reverse("briefs:preview", args=[p.token]) for p in ImportPreview.objects.all()
    )
    assert not Brief.objects.exists()


def test_one_bad_file_among_several_is_refused_alone(client, editor, kinu_bytes):
    client.force_login(editor)
    response = client.post(IMPORT, {"files": [upload("kinu.txt", kinu_bytes), upload("empty.txt", b"")]})
    assert response.status_code == 200
    errors = texts(page_tree(response), "//div[@class='form-errors']//li")
    assert errors == ["empty.txt: the file is empty. Nothing was imported."]
    assert list(ImportPreview.objects.values_list("filename", flat=True)) == ["kinu.txt"]


def test_too_many_files_are_refused(client, editor, settings, kinu_bytes):
    settings.MARGINALIA_MAX_IMPORT_FILES = 2
    client.force_login(editor)
    files = [upload(f"{n}.txt", kinu_bytes) for n in range(3)]
    response = client.post(IMPORT, {"files": files})
    assert response.status_code == 400
    assert any("at most 2" in e for e in texts(page_tree(response), "//div[@class='form-errors']"))
    assert not ImportPreview.objects.exists()


def test_the_same_document_already_in_the_library_cannot_be_confirmed_twice(client, editor, kinu_bytes):
    client.force_login(editor)
    client.post(IMPORT, {"files": upload("a.txt", kinu_bytes)})
    confirm(client, ImportPreview.objects.get())
    client.post(IMPORT, {"files": upload("b.txt", kinu_bytes)})
    second = ImportPreview.objects.get(filename="b.txt")
    page = page_tree(client.get(reverse("briefs:preview", args=[second.token])))
    assert any("already in the library" in t for t in texts(page, "//div[@class='preview-blockers']//li"))
    response = confirm(client, second, slug="another-address")
    assert response.status_code == 409
    assert Brief.objects.count() == 1


def test_a_different_document_at_a_taken_address_is_refused(client, editor, kinu_bytes):
    client.force_login(editor)
    client.post(IMPORT, {"files": upload("a.txt", kinu_bytes)})
    confirm(client, ImportPreview.objects.get(), slug="kinu")
    changed = kinu_bytes.replace("하노이".encode(), "베트남 하노이".encode(), 1)
    client.post(IMPORT, {"files": upload("b.txt", changed)})
    response = confirm(client, ImportPreview.objects.get(filename="b.txt"), slug="kinu")
    assert response.status_code == 409
    assert any("belongs to another brief" in e for e in texts(page_tree(response), "//div[@role='alert']"))
    assert "베트남" not in "".join(Section.objects.values_list("text", flat=True))


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
    response = client.post(IMPORT, {"files": upload(name, data)})
    assert response.status_code == 400
    errors = texts(page_tree(response), "//div[@class='form-errors']")
    assert any(message in error and error.endswith("Nothing was imported.") for error in errors), errors
    assert not Brief.objects.exists() and not ImportPreview.objects.exists()


def test_an_upload_over_the_limit_is_refused(client, editor, settings, kinu_bytes):
    settings.MARGINALIA_MAX_IMPORT_BYTES = 1000
    client.force_login(editor)
    response = client.post(IMPORT, {"files": upload("big.txt", kinu_bytes)})
    assert response.status_code == 400
    assert any("too large" in error for error in texts(page_tree(response), "//div[@class='form-errors']"))
    assert not Brief.objects.exists() and not ImportPreview.objects.exists()


def test_a_huge_request_is_refused_before_its_body_is_read(client, editor, settings):
    settings.MARGINALIA_MAX_IMPORT_BYTES = 1000
    client.force_login(editor)
    response = client.post(IMPORT, {"files": upload("big.txt", b"x" * 200_000)})
    assert response.status_code == 413
    assert any("too large" in error for error in texts(page_tree(response), "//div[@class='form-errors']"))
    assert not Brief.objects.exists() and not ImportPreview.objects.exists()


def test_only_editors_may_import(client, analyst, annotator, kinu_bytes):
    assert client.get(IMPORT).status_code == 302  # to the sign-in page
    for user in (analyst, annotator):
        client.force_login(user)
        assert client.get(IMPORT).status_code == 403
        assert client.post(IMPORT, {"files": upload("a.txt", kinu_bytes)}).status_code == 403
    assert not Brief.objects.exists() and not ImportPreview.objects.exists()


def test_the_library_offers_the_import_page_to_editors_only(client, analyst, editor):
    client.force_login(analyst)
    assert IMPORT not in page_tree(client.get(reverse("briefs:library"))).xpath("//a/@href")
    client.force_login(editor)
    assert IMPORT in page_tree(client.get(reverse("briefs:library"))).xpath("//a/@href")


def test_import_needs_the_csrf_token(editor, kinu_bytes):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(IMPORT, {"files": upload("a.txt", kinu_bytes)}).status_code == 403
    assert not Brief.objects.exists() and not ImportPreview.objects.exists()


def test_a_malformed_content_length_is_not_a_500(client, editor, kinu_bytes):
    client.force_login(editor)
    response = client.post(IMPORT, {"files": upload("a.txt", kinu_bytes)}, CONTENT_LENGTH="many")
    assert response.status_code < 500


@pytest.mark.parametrize("name", ["13_langchain-kr-glossary_ko.docx", "11_mcst-press-release_ko.hwpx"])
def test_an_editor_imports_docx_and_hwpx_from_the_browser(client, editor, name):
    from tests.briefs.corpus import corpus_file

    client.force_login(editor)
    response = client.post(IMPORT, {"files": upload(name, corpus_file(name).read_bytes(), "application/zip")})
    assert response.status_code == 302
    assert confirm(client, ImportPreview.objects.get()).status_code == 302
    brief = Brief.objects.get()
    assert brief.source_format == name.rsplit(".", 1)[1]
    assert brief.sections.exists()
