"""The codebook editor's pages: who may use them, what they refuse (with which message), the
lost-update guard, retire/restore, order, and import as preview then apply."""

from __future__ import annotations

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotations import codebook_io
from annotations.models import Category, Tag
from tests.factories import AnnotationFactory, CategoryFactory, TagFactory
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db

TAG_NEW = reverse("codebook:tag-new")


def _tag_data(**overrides) -> dict:
    data = {
        "category": "",
        "code": "new-tag",
        "label_ko": "새 태그",
        "label_en": "New tag",
        "description": "",
        "decision_rule": "Tag a claim that …",
        "example": "예시",
        "colour": "#ffd54f",
        "shortcut": "q",
        "position": "0",
    }
    return {**data, **overrides}


def _field_errors(response, name: str) -> list[str]:
    return texts(page_tree(response), f"//ul[@id='id_{name}_error']/li")


@pytest.fixture
def tag(db) -> Tag:
    return TagFactory(code="big-deal", label_en="Big deal", label_ko="빅딜", shortcut="b", colour="#e57373")


def _urls(tag: Tag) -> list[tuple[str, str]]:
    return [
        ("get", reverse("codebook:category-new")),
        ("get", reverse("codebook:category-edit", args=[tag.category.code])),
        ("get", TAG_NEW),
        ("get", reverse("codebook:tag-edit", args=[tag.code])),
        ("post", reverse("codebook:tag-retire", args=[tag.code])),
        ("post", reverse("codebook:tag-restore", args=[tag.code])),
        ("post", reverse("codebook:move", args=["tag", tag.code, "up"])),
        ("get", reverse("codebook:export-csv")),
        ("get", reverse("codebook:export-qdc")),
        ("get", reverse("codebook:import")),
    ]


def test_anonymous_visitors_are_sent_to_sign_in_and_annotators_are_refused(client, tag, annotator):
    for method, url in _urls(tag):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    client.force_login(annotator)
    for method, url in _urls(tag):
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
        assert texts(page_tree(response), "//p[@role='alert']") == ["Only editors may change the codebook."]
    assert Tag.objects.get(pk=tag.pk).active is True


def test_an_editor_creates_a_tag_and_hears_about_a_poor_contrast(client, editor, tag):
    client.force_login(editor)
    category = tag.category
    response = client.post(TAG_NEW, _tag_data(category=str(category.pk), colour="#3949AB"), follow=True)
    created = Tag.objects.get(code="new-tag")
    assert (created.colour, created.shortcut, created.category) == ("#3949ab", "q", category)
    assert response.redirect_chain[-1][0] == f"{reverse('codebook')}#tag-new-tag"
    messages = texts(page_tree(response), "//ul[@class='messages']/li")
    assert messages[0] == "Saved “New tag”."
    assert messages[1].startswith("Text on this colour as a highlight has a contrast of ")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"colour": "red"}, "colour", "Enter a colour as # and six hexadecimal digits, for example #64b5f6."),
        (
            {"colour": "#ffd54f\x00"},
            "colour",
            "Enter a colour as # and six hexadecimal digits, for example #64b5f6.",
        ),
        ({"shortcut": "qq"}, "shortcut", "A shortcut is a single key, for example “b”."),
        (
            {"shortcut": "h"},
            "shortcut",
            "The reader already uses the key “h” (reserved: a h /): choose another.",
        ),
        ({"shortcut": "b"}, "shortcut", "The key “b” is already the shortcut of “Big deal” (big-deal)."),
        ({"code": "big-deal", "shortcut": ""}, "code", "The code “big-deal” is already taken."),
        ({"code": "no spaces"}, "code", None),
        ({"label_en": "a\x00b"}, "label_en", "Null characters are not allowed."),
        ({"label_ko": ""}, "label_ko", "This field is required."),
        ({"position": "-1"}, "position", None),
        ({"colour": "#e57374"}, "colour", None),
    ],
)
def test_bad_values_are_refused_with_a_clear_message_and_nothing_saved(
    client, editor, tag, overrides, field, message
):
    client.force_login(editor)
    response = client.post(TAG_NEW, _tag_data(**overrides))
    assert response.status_code == 400
    errors = _field_errors(response, field)
    assert errors, f"no error shown for {field}"
    if message:
        assert errors == [message]
    assert not any("constraint" in error.lower() for error in errors)
    assert Tag.objects.count() == 1


def test_a_stale_edit_is_refused_and_theirs_is_kept(client, editor, tag):
    client.force_login(editor)
    url = reverse("codebook:tag-edit", args=[tag.code])
    form = page_tree(client.get(url))
    version = form.xpath("//input[@name='version']/@value")[0]
    editor_data = _tag_data(code=tag.code, label_en="Mine", shortcut="b", colour="#e57373", version=version)
    editor_data["category"] = str(tag.category_id)
    Tag.objects.filter(pk=tag.pk).update(label_en="Theirs")
    response = client.post(url, editor_data)
    assert response.status_code == 400
    assert texts(page_tree(response), "//div[@class='form-errors']//li")[0].startswith(
        "Someone else saved this entry since you opened it"
    )
    assert Tag.objects.get(pk=tag.pk).label_en == "Theirs"


def test_editing_a_category_and_its_duplicate_code(client, editor, tag):
    client.force_login(editor)
    other = CategoryFactory(code="other")
    url = reverse("codebook:category-edit", args=[tag.category.code])
    data = {"code": "other", "label_ko": "범주", "label_en": "Category", "description": "", "position": "0"}
    response = client.post(url, data)
    assert _field_errors(response, "code") == ["The code “other” is already taken."]
    data["code"] = "renamed"
    assert client.post(url, data).status_code == 302
    assert Category.objects.filter(code="renamed").exists() and other.tags.count() == 0


def test_retire_and_restore_are_post_only_and_keep_the_annotations(client, editor, tag):
    annotation = AnnotationFactory(tags=[tag])
    client.force_login(editor)
    retire = reverse("codebook:tag-retire", args=[tag.code])
    assert client.get(retire).status_code == 405
    response = client.post(retire, follow=True)
    assert Tag.objects.get(pk=tag.pk).active is False
    assert texts(page_tree(response), "//ul[@class='messages']/li") == [
        "Retired “Big deal”: it stays on its annotations."
    ]
    assert list(annotation.tags.all()) == [tag]
    page = page_tree(client.get(reverse("codebook")))
    assert page.xpath(f"//form[@action='{reverse('codebook:tag-restore', args=[tag.code])}']")
    client.post(reverse("codebook:tag-restore", args=[tag.code]))
    assert Tag.objects.get(pk=tag.pk).active is True


def test_move_buttons_reorder(client, editor, tag):
    second = TagFactory(category=tag.category, code="second", position=1)
    client.force_login(editor)
    client.post(reverse("codebook:move", args=["tag", second.code, "up"]))
    assert list(
        Tag.objects.filter(category=tag.category).order_by("position").values_list("code", flat=True)
    ) == [
        "second",
        "big-deal",
    ]


def test_exports_download_as_files(client, editor, codebook):
    client.force_login(editor)
    response = client.get(reverse("codebook:export-csv"))
    assert response["Content-Disposition"] == 'attachment; filename="codebook.csv"'
    assert response.content == codebook_io.codebook_csv()
    response = client.get(reverse("codebook:export-qdc") + "?lang=ko")
    assert response["Content-Disposition"] == 'attachment; filename="codebook-ko.qdc"'
    assert response.content == codebook_io.codebook_qdc(language="ko")


def _upload(client, data: bytes, name: str):
    return client.post(reverse("codebook:import"), {"file": SimpleUploadedFile(name, data)})


def test_import_previews_then_applies_what_was_previewed(client, editor, codebook):
    client.force_login(editor)
    data = codebook_io.codebook_csv().decode("utf-8-sig").replace("Big deal / comprehensive deal", "Big deal")
    data += "\r\nsanctions,제재,Sanctions,snapback,스냅백,Snapback,,,,#b2ebf2,,true,9"
    response = _upload(client, data.encode("utf-8-sig"), "codebook.csv")
    assert response.status_code == 200
    page = page_tree(response)
    assert texts(page, "//p[@class='plan-counts']") == ["1 to create, 1 to update, 19 unchanged."]
    assert texts(page, "//tr[@class='plan-updated']/td")[2:] == ["big-deal", "updated: label_en"]
    assert not Tag.objects.filter(code="snapback").exists()  # a preview writes nothing
    apply = {
        "apply": "1",
        "data": page.xpath("//input[@name='data']/@value")[0],
        "filename": "codebook.csv",
        "digest": page.xpath("//input[@name='digest']/@value")[0],
    }
    # Someone changes the codebook between preview and apply: the editor sees a new preview.
    Tag.objects.filter(code="peace-treaty").update(label_en="Changed meanwhile")
    response = client.post(reverse("codebook:import"), apply)
    assert "The codebook changed since the preview" in texts(page_tree(response), "//p[@role='alert']")[0]
    assert not Tag.objects.filter(code="snapback").exists()
    apply["digest"] = page_tree(response).xpath("//input[@name='digest']/@value")[0]
    response = client.post(reverse("codebook:import"), apply, follow=True)
    assert texts(page_tree(response), "//ul[@class='messages']/li") == [
        "Imported the codebook: 1 created, 2 updated, 18 unchanged."
    ]
    assert Tag.objects.get(code="snapback").category.code == "sanctions"
    assert Tag.objects.get(code="big-deal").label_en == "Big deal"


def test_import_with_errors_shows_rows_and_offers_no_apply(client, editor, codebook):
    client.force_login(editor)
    data = ",".join(codebook_io.CSV_COLUMNS) + "\r\nsanctions,제재,Sanctions,x,X,X,,,,#123,,true,0"
    response = _upload(client, data.encode(), "codebook.csv")
    assert response.status_code == 400
    page = page_tree(response)
    assert texts(page, "//ul[@class='plan-errors']/li") == [
        "Row 2: Colour: Enter a colour as # and six hexadecimal digits, for example #64b5f6."
    ]
    assert not page.xpath("//button[@name='apply']")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        ("분류".encode("cp949"), "x.csv", "The file is not UTF-8 text"),
        (b"<CodeBook", "x.qdc", "The file is not well-formed XML"),
        (b"", "x.csv", "The submitted file is empty."),
        (b"x" * (codebook_io.MAX_IMPORT_BYTES + 1), "x.csv", "The file is larger than 1024 KB."),
    ],
)
def test_unreadable_files_get_a_clear_error(client, editor, data, name, message):
    client.force_login(editor)
    response = _upload(client, data, name)
    assert response.status_code == 400
    alerts = texts(page_tree(response), "//*[@role='alert']")
    assert any(alert.startswith(message) for alert in alerts), alerts


def test_a_tampered_apply_is_refused(client, editor, codebook):
    client.force_login(editor)
    before = Tag.objects.count()
    response = client.post(
        reverse("codebook:import"), {"apply": "1", "data": "not base64!", "filename": "x.csv", "digest": "x"}
    )
    assert response.status_code == 400
    evil = base64.b64encode(b"category_code,tag_code\r\nc,t").decode()
    response = client.post(
        reverse("codebook:import"), {"apply": "1", "data": evil, "filename": "x.csv", "digest": "wrong"}
    )
    assert Tag.objects.count() == before
