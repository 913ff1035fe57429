"""The preview pages: corrections over htmx and plain posts, refusals, cancel, re-import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from briefs import previews
from briefs.models import Brief, ImportPreview, Section
from briefs.services import brief_import
from tests.briefs.test_importers import KINU_HEADINGS
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def preview(editor, kinu_bytes) -> ImportPreview:
    return previews.preview_create(owner=editor, data=kinu_bytes, filename="kinu.txt")


def correct_url(preview: ImportPreview) -> str:
    return reverse("briefs:preview_correct", args=[preview.token])


def headings(preview: ImportPreview) -> list[str]:
    preview.refresh_from_db()
    return [s["heading"] for s in preview.document["sections"]]


def test_the_preview_shows_sections_with_pages_paragraphs_and_the_version(client, editor, preview):
    client.force_login(editor)
    tree = page_tree(client.get(reverse("briefs:preview", args=[preview.token])))
    legends = texts(tree, "//li[contains(@class,'preview-section')]//legend")
    assert len(legends) == len(KINU_HEADINGS) and legends[0].startswith("Section 1")
    assert tree.xpath("//form[@id='preview-metadata']//input[@name='version']/@value") == ["1"]
    assert tree.xpath("//button[@value='promote:0']")  # every paragraph can become a heading
    assert texts(tree, "//h1") == ["Check the import of kinu.txt"]


def test_an_htmx_correction_returns_the_sections_and_a_fresh_version(client, editor, preview):
    client.force_login(editor)
    response = client.post(correct_url(preview), {"version": 1, "section": 2, "op": "demote"}, headers=HX)
    assert response.status_code == 200
    tree = page_tree(response)
    assert tree.xpath("//div[@id='preview-sections']")
    assert not tree.xpath("//form[@id='preview-metadata']")  # a fragment, not the page
    assert tree.xpath("//input[@id='preview-version'][@hx-swap-oob='true']/@value") == ["2"]
    assert texts(tree, "//p[@id='preview-status']") == ["The heading is now part of the text."]
    assert headings(preview) == [h for n, h in enumerate(KINU_HEADINGS) if n != 2]
    # the section the text went into is where the keyboard focus goes
    assert tree.xpath("//li[@id='preview-section-2']//input[@name='heading']/@autofocus")


def test_without_javascript_a_correction_redirects_back_to_the_section(client, editor, preview):
    client.force_login(editor)
    response = client.post(correct_url(preview), {"version": 1, "section": 2, "op": "promote:1"})
    assert response.status_code == 302
    assert response.url == reverse("briefs:preview", args=[preview.token]) + "#preview-section-4"
    assert len(headings(preview)) == len(KINU_HEADINGS) + 1


def test_a_stale_form_is_refused_with_409_and_the_current_state(client, editor, preview):
    client.force_login(editor)
    client.post(correct_url(preview), {"version": 1, "section": 1, "op": "merge"})
    response = client.post(correct_url(preview), {"version": 1, "section": 1, "op": "merge"}, headers=HX)
    assert response.status_code == 409
    assert any("another window" in t for t in texts(page_tree(response), "//*[@role='alert']"))
    assert len(headings(preview)) == len(KINU_HEADINGS) - 1  # the second merge did not happen


@pytest.mark.parametrize(
    "data",
    [
        {"version": 1, "section": "abc", "op": "merge"},
        {"version": 1, "section": "99999999999999999999", "op": "merge"},
        {"version": 1, "section": 1, "op": "promote:x"},
        {"version": 1, "section": 1, "op": "promote:-1"},
        {"version": 1, "section": "١", "op": "merge"},  # a digit, but not an ASCII one
        {"version": 1, "section": 1, "op": "retitle", "heading": "가" * 501, "level": 2},
        {"version": 1, "section": 1, "op": "retitle", "heading": "x", "level": "9"},
        {"version": 1, "section": 1, "op": "drop-table"},
        {"section": 1, "op": "merge"},
    ],
)
def test_hostile_corrections_are_refused_and_change_nothing(client, editor, preview, data):
    client.force_login(editor)
    before = preview.document
    response = client.post(correct_url(preview), data)
    assert response.status_code in (400, 409)
    assert texts(page_tree(response), "//*[@role='alert']")
    preview.refresh_from_db()
    assert preview.document == before and preview.version == 1


def test_a_nul_in_a_heading_is_refused(client, editor, preview):
    client.force_login(editor)
    response = client.post(
        correct_url(preview), {"version": 1, "section": 1, "op": "retitle", "heading": "a\x00b", "level": 2}
    )
    assert response.status_code == 400
    assert "\x00" not in str(ImportPreview.objects.get().document)


def test_previews_are_their_owners_only(client, preview, annotator, kinu_bytes):
    from annotations.roles import Role
    from tests.conftest import role_user

    other_editor = role_user(Role.EDITOR, username="other-editor")
    client.force_login(other_editor)
    assert client.get(reverse("briefs:preview", args=[preview.token])).status_code == 410
    assert client.post(correct_url(preview), {"version": 1, "section": 1, "op": "merge"}).status_code == 410
    assert client.post(reverse("briefs:preview_cancel", args=[preview.token])).status_code == 410
    client.force_login(annotator)
    assert client.get(reverse("briefs:preview", args=[preview.token])).status_code == 403
    assert ImportPreview.objects.filter(pk=preview.pk).exists()


def test_a_made_up_token_is_a_clear_410(client, editor):
    client.force_login(editor)
    response = client.get("/import/00000000-0000-4000-8000-000000000000/")
    assert response.status_code == 410
    assert any("no longer exists" in t for t in texts(page_tree(response), "//*[@role='alert']"))
    assert client.get("/import/not-a-token/").status_code == 404


def test_a_gone_preview_asks_htmx_to_reload_the_page(client, editor, preview):
    client.force_login(editor)
    previews.preview_cancel(owner=editor, token=preview.token)
    response = client.post(correct_url(preview), {"version": 1, "section": 1, "op": "merge"}, headers=HX)
    assert response.status_code == 204 and response["HX-Refresh"] == "true"


def test_cancel_deletes_the_preview_and_writes_nothing(client, editor, preview):
    client.force_login(editor)
    response = client.post(reverse("briefs:preview_cancel", args=[preview.token]), follow=True)
    assert any("cancelled; nothing was imported" in m for m in texts(page_tree(response), "//li"))
    assert not ImportPreview.objects.exists() and not Brief.objects.exists()
    confirm = client.post(reverse("briefs:preview_confirm", args=[preview.token]), {"title": "x"})
    assert confirm.status_code == 410 and not Brief.objects.exists()


def metadata(preview: ImportPreview, **changes) -> dict:
    meta = preview.document["metadata"]
    data = {
        "version": preview.version,
        "title": meta["title"],
        "language": meta["language"],
        "slug": meta["slug"],
        "action": "confirm",
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("publication_date", "2019-13-45"),
        ("source_url", "javascript:alert(1)"),
        ("slug", "../../etc"),
        ("language", "xx"),
        ("title", "가" * 501),
        ("title", ""),
        ("publication_year", "1200"),
        ("authors", "가" * 301),
        ("subtitle", "a\x00b"),
    ],
)
def test_bad_metadata_is_refused_beside_its_field_and_nothing_is_written(
    client, editor, preview, field, value
):
    client.force_login(editor)
    url = reverse("briefs:preview_confirm", args=[preview.token])
    for action in ("save", "confirm"):
        response = client.post(url, metadata(preview, action=action, **{field: value}))
        assert response.status_code == 400
        tree = page_tree(response)
        assert texts(tree, f"//*[@id='id_{field}_error']") != [""]
        assert tree.xpath(f"//*[@name='{field}']/@aria-invalid") == ["true"]
    assert not Brief.objects.exists()
    preview.refresh_from_db()
    assert preview.document["metadata"]["title"] == "제2차 북미정상회담 평가와 향후 과제"


def test_a_year_that_contradicts_the_date_is_refused(client, editor, preview):
    client.force_login(editor)
    url = reverse("briefs:preview_confirm", args=[preview.token])
    response = client.post(url, metadata(preview, publication_date="2019-03-05", publication_year="2018"))
    assert response.status_code == 400 and not Brief.objects.exists()


@pytest.mark.parametrize(
    ("accept", "message"), [("", "Enter a valid date."), ("ko-KR,ko;q=0.9", "올바른 날짜")]
)
def test_form_messages_follow_the_browser_language(client, editor, preview, accept, message):
    client.force_login(editor)
    headers = {"Accept-Language": accept} if accept else {}
    url = reverse("briefs:preview_confirm", args=[preview.token])
    response = client.post(url, metadata(preview, publication_date="2019-13-45"), headers=headers)
    assert any(message in error for error in texts(page_tree(response), "//div[@class='form-errors']"))


def test_save_keeps_the_details_in_the_preview_only(client, editor, preview):
    client.force_login(editor)
    url = reverse("briefs:preview_confirm", args=[preview.token])
    response = client.post(url, metadata(preview, action="save", title="고친 제목", authors="갑\n을"))
    assert response.status_code == 302
    preview.refresh_from_db()
    assert preview.document["metadata"]["title"] == "고친 제목"
    assert preview.document["metadata"]["authors"] == ["갑", "을"]
    assert preview.version == 1  # sections' forms stay valid
    assert not Brief.objects.exists()


def test_a_double_confirm_writes_once_and_says_so(client, editor, preview):
    client.force_login(editor)
    url = reverse("briefs:preview_confirm", args=[preview.token])
    assert client.post(url, metadata(preview)).status_code == 302
    again = client.post(url, metadata(preview))
    assert again.status_code == 410
    tree = page_tree(again)
    assert any("already confirmed" in t for t in texts(tree, "//*[@role='alert']"))
    assert tree.xpath("//a/@href") and Brief.objects.count() == 1


def test_confirm_needs_the_csrf_token(editor, preview):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(reverse("briefs:preview_confirm", args=[preview.token]), metadata(preview))
    assert response.status_code == 403 and not Brief.objects.exists()


def test_the_preview_shows_warnings_and_the_furniture_it_left_out(client, editor):
    long_text = "\n\n".join("제목 없이 길게 이어지는 글의 한 문단입니다. " * 12 for _ in range(30))
    preview = previews.preview_create(owner=editor, data=long_text.encode(), filename="long.txt")
    client.force_login(editor)
    tree = page_tree(client.get(reverse("briefs:preview", args=[preview.token])))
    assert any(
        w.startswith("no headings found") for w in texts(tree, "//aside[@class='import-warnings']//li")
    )


def test_dropped_furniture_is_counted_and_can_be_seen(client, editor):
    from tests.briefs.corpus import corpus_file

    name = "04_crs-r48903-hormuz_en.pdf"
    preview = previews.preview_create(owner=editor, data=corpus_file(name).read_bytes(), filename=name)
    assert preview.document["dropped"]
    client.force_login(editor)
    tree = page_tree(client.get(reverse("briefs:preview", args=[preview.token])))
    summary = texts(tree, "//details[@class='dropped']/summary")
    assert summary and summary[0].startswith(f"{len(preview.document['dropped'])} block")
    assert len(tree.xpath("//details[@class='dropped']//li")) == len(preview.document["dropped"])


# Re-import ---------------------------------------------------------------------------------------


@pytest.fixture
def kinu_brief(kinu_bytes) -> Brief:
    return brief_import(data=kinu_bytes, filename="kinu.txt", metadata={"slug": "kinu"}).brief


def reimport(client, brief: Brief, data: bytes, name: str = "kinu-v2.txt"):
    upload = SimpleUploadedFile(name, data, content_type="text/plain")
    return client.post(reverse("briefs:reimport", args=[brief.slug]), {"file": upload})


def test_a_reimport_shows_what_is_kept_changed_added_and_refused(client, editor, kinu_brief, kinu_bytes):
    from tests.factories import AnnotationFactory

    sections = list(kinu_brief.sections.order_by("position"))
    target = next(section for section in sections if "하노이" in section.text)
    AnnotationFactory(section=target, author=editor)
    changed = kinu_bytes.replace("하노이".encode(), "베트남 하노이".encode(), 1)
    client.force_login(editor)
    response = reimport(client, kinu_brief, changed)
    preview = ImportPreview.objects.get()
    assert response.status_code == 302 and preview.replaces == kinu_brief
    tree = page_tree(client.get(response.url))
    assert texts(tree, "//section[@class='replace-plan']/p") == [
        f"{len(sections) - 1} kept, 1 changed (1 annotation(s) re-anchored, 0 to check), "
        "0 added, 0 removed, 0 refused."
    ]
    assert texts(tree, "//tr[@class='plan-changed']/td[1]") == [target.heading or target.anchor]
    assert tree.xpath("//input[@name='slug']/@disabled")  # a new version keeps its address
    # Confirm: the brief keeps its address and its annotation
    form = tree.xpath("//form[@id='preview-metadata']")[0]
    data = {**dict(form.form_values()), "action": "confirm"}
    confirmed = client.post(form.get("action"), data)
    assert confirmed.status_code == 302 and confirmed.url == reverse("briefs:reader", args=["kinu"])
    assert Brief.objects.count() == 1
    assert "베트남 하노이" in "".join(Section.objects.values_list("text", flat=True))
    assert kinu_brief.sections.get(anchor=target.anchor).annotations.count() == 1


def test_a_reimport_that_would_drop_an_annotated_section_cannot_be_confirmed(
    client, editor, kinu_brief, kinu_bytes
):
    from tests.factories import AnnotationFactory

    stance = kinu_brief.sections.get(heading=KINU_HEADINGS[2])
    AnnotationFactory(section=stance, author=editor)
    renamed = kinu_bytes.replace(KINU_HEADINGS[2].encode(), "전혀 다른 제목".encode())
    client.force_login(editor)
    reimport(client, kinu_brief, renamed)
    preview = ImportPreview.objects.get()
    tree = page_tree(client.get(reverse("briefs:preview", args=[preview.token])))
    assert tree.xpath("//tr[@class='plan-refused']")
    assert any("holds annotations" in t for t in texts(tree, "//div[@class='preview-blockers']//li"))
    response = client.post(reverse("briefs:preview_confirm", args=[preview.token]), metadata(preview))
    assert response.status_code == 400
    assert kinu_brief.sections.filter(heading=KINU_HEADINGS[2]).exists()
    assert "전혀 다른 제목" not in "".join(Section.objects.values_list("heading", flat=True))
    # Renaming the new section back in the preview makes it confirmable
    index = [s["heading"] for s in ImportPreview.objects.get().document["sections"]].index("전혀 다른 제목")
    client.post(
        correct_url(preview),
        {"version": 1, "section": index, "op": "retitle", "heading": KINU_HEADINGS[2], "level": 2},
    )
    preview.refresh_from_db()
    assert (
        client.post(reverse("briefs:preview_confirm", args=[preview.token]), metadata(preview)).status_code
        == 302
    )


def test_a_reimport_of_a_bad_file_says_why_and_writes_nothing(client, editor, kinu_brief):
    client.force_login(editor)
    response = reimport(client, kinu_brief, b"", name="empty.txt")
    assert response.status_code == 400
    assert any("the file is empty" in t for t in texts(page_tree(response), "//div[@class='form-errors']"))
    assert not ImportPreview.objects.exists()


def test_reimport_is_for_editors(client, analyst, kinu_brief, kinu_bytes):
    client.force_login(analyst)
    assert reimport(client, kinu_brief, kinu_bytes).status_code == 403
    assert client.get(reverse("briefs:reimport", args=["no-such-brief"])).status_code == 403


@pytest.mark.parametrize("field", ["title", "organisation", "authors"])
def test_a_lone_surrogate_in_the_metadata_is_refused_by_the_form(field):
    from briefs.forms import PreviewMetadataForm

    form = PreviewMetadataForm({"title": "t", "language": "ko", "slug": "t", field: "a\ud800b"})
    assert not form.is_valid() and field in form.errors
