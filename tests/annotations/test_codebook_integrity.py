"""A tag that annotations use can be retired but never deleted, by any path, and the admin
says so the same way whoever's annotation uses it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from annotations.models import Category, Tag
from search.models import AnnotationDocument
from tests.factories import AnnotationFactory, CategoryFactory, TagFactory
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db

IN_USE = "cannot be deleted: annotations use it"


@pytest.fixture
def category(db) -> Category:
    return CategoryFactory(code="walk-category")


@pytest.fixture
def tags(category) -> dict[str, Tag]:
    return {
        name: TagFactory(category=category, code=f"{name}-tag")
        for name in ("private", "shared", "deleted", "unused")
    }


@pytest.fixture
def used(tags, section, annotator, annotator2):
    """Tags used by someone else's private annotation, a shared one and a deleted one."""
    AnnotationFactory(section=section, author=annotator2, tags=[tags["private"]])
    AnnotationFactory(section=section, author=annotator, start=5, visibility="shared", tags=[tags["shared"]])
    AnnotationFactory(
        section=section, author=annotator, start=10, deleted_at=timezone.now(), tags=[tags["deleted"]]
    )
    return tags


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _answer(client, tag: Tag) -> tuple[int, str, bool]:
    """The delete page's answer, minus the tag's own code and id, for comparison."""
    response = client.get(f"/admin/annotations/tag/{tag.pk}/delete/")
    location = response.get("Location", "").replace(str(tag.pk), "<pk>")
    followed = client.get(response["Location"]) if response.status_code == 302 else response
    text = " ".join(_messages(followed)).replace(tag.code, "<code>")
    return response.status_code, location + "|" + text, IN_USE in text


def test_delete_page_answers_alike_for_private_shared_and_deleted_uses(client, editor, used):
    client.force_login(editor)
    answers = {name: _answer(client, used[name]) for name in ("private", "shared", "deleted")}
    assert answers["private"] == answers["shared"] == answers["deleted"]
    status, _, refused = answers["private"]
    assert status == 302 and refused
    for name in ("private", "shared", "deleted"):
        response = client.post(f"/admin/annotations/tag/{used[name].pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
        assert Tag.objects.filter(pk=used[name].pk).exists()


def test_unused_tag_can_still_be_deleted(client, editor, used):
    client.force_login(editor)
    tag = used["unused"]
    assert client.get(f"/admin/annotations/tag/{tag.pk}/delete/").status_code == 200
    assert client.post(f"/admin/annotations/tag/{tag.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Tag.objects.filter(pk=tag.pk).exists()


def test_change_page_offers_delete_whatever_the_use(client, editor, used):
    # The Delete link used to vanish for used tags only: another way to learn of private uses.
    client.force_login(editor)
    for name in ("private", "unused"):
        page = page_tree(client.get(f"/admin/annotations/tag/{used[name].pk}/change/"))
        assert page.xpath("//a[contains(@class, 'deletelink')]"), name


def test_bulk_delete_refuses_used_tags_and_deletes_nothing(client, editor, used):
    client.force_login(editor)
    ids = [str(used["private"].pk), str(used["unused"].pk)]
    data = {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    response = client.post("/admin/annotations/tag/", data, follow=True)
    assert response.status_code == 200
    assert any(IN_USE in m for m in _messages(response))
    assert Tag.objects.filter(pk__in=ids).count() == 2


def test_bulk_delete_of_unused_tags_works(client, editor, used):
    client.force_login(editor)
    data = {"action": "delete_selected", "_selected_action": [str(used["unused"].pk)], "post": "yes"}
    client.post("/admin/annotations/tag/", data)
    assert not Tag.objects.filter(pk=used["unused"].pk).exists()


def _category_form(category: Category, tags: list[Tag], delete: set[int]) -> dict[str, str]:
    data = {
        "code": category.code,
        "label_en": category.label_en,
        "label_ko": category.label_ko,
        "description": "",
        "position": "0",
        "tags-TOTAL_FORMS": str(len(tags)),
        "tags-INITIAL_FORMS": str(len(tags)),
        "tags-MIN_NUM_FORMS": "0",
        "tags-MAX_NUM_FORMS": "1000",
    }
    for i, tag in enumerate(tags):
        prefix = f"tags-{i}-"
        data |= {
            prefix + "id": str(tag.pk),
            prefix + "category": str(category.pk),
            prefix + "code": tag.code,
            prefix + "label_ko": tag.label_ko,
            prefix + "label_en": tag.label_en,
            prefix + "colour": tag.colour,
            prefix + "shortcut": tag.shortcut,
            prefix + "active": "on" if tag.active else "",
            prefix + "position": str(tag.position),
        }
        if tag.pk in delete:
            data[prefix + "DELETE"] = "on"
    return data


def test_category_inline_refuses_deleting_a_used_tag(client, editor, category, used):
    client.force_login(editor)
    tags = list(category.tags.order_by("pk"))
    for name in ("private", "shared"):
        data = _category_form(category, tags, delete={used[name].pk})
        response = client.post(f"/admin/annotations/category/{category.pk}/change/", data)
        assert response.status_code == 200  # the form again, with the refusal
        errors = " ".join(texts(page_tree(response), "//ul[contains(@class, 'errorlist')]"))
        assert IN_USE in errors.replace(used[name].code, "")
        assert Tag.objects.filter(pk=used[name].pk).exists()


def test_category_inline_deletes_an_unused_tag(client, editor, category, used):
    client.force_login(editor)
    tags = list(category.tags.order_by("pk"))
    data = _category_form(category, tags, delete={used["unused"].pk})
    assert client.post(f"/admin/annotations/category/{category.pk}/change/", data).status_code == 302
    assert not Tag.objects.filter(pk=used["unused"].pk).exists()


def test_category_with_tags_cannot_be_deleted(client, editor, category, used):
    client.force_login(editor)
    client.post(f"/admin/annotations/category/{category.pk}/delete/", {"post": "yes"})
    assert Category.objects.filter(pk=category.pk).exists()


def test_retiring_is_allowed(client, editor, used):
    client.force_login(editor)
    tag = used["shared"]
    data = {
        "category": str(tag.category_id),
        "code": tag.code,
        "label_ko": tag.label_ko,
        "label_en": tag.label_en,
        "colour": tag.colour,
        "shortcut": "",
        "position": "0",
    }  # "active" left out: unticked
    assert client.post(f"/admin/annotations/tag/{tag.pk}/change/", data).status_code == 302
    tag.refresh_from_db()
    assert tag.active is False
    assert tag.annotations.count() == 1


def _indexed_text(annotation) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT vector::text FROM search_annotationdocument WHERE annotation_id = %s", [annotation.pk]
        )
        return cursor.fetchone()[0]


def test_renaming_through_the_category_inline_reindexes_annotations(
    client, editor, category, used, section, annotator
):
    from search.services import annotation_index_refresh

    tag = used["shared"]
    annotation = tag.annotations.get()
    annotation_index_refresh(annotations=[annotation])
    client.force_login(editor)
    tag.label_en = "Zanzibar"
    data = _category_form(category, list(category.tags.order_by("pk")), delete=set())
    index = [t.pk for t in category.tags.order_by("pk")].index(tag.pk)
    data[f"tags-{index}-label_en"] = "Zanzibar"
    assert client.post(f"/admin/annotations/category/{category.pk}/change/", data).status_code == 302
    assert AnnotationDocument.objects.filter(annotation=annotation).exists()
    assert "zanzibar" in _indexed_text(annotation)


@pytest.mark.django_db(transaction=True)
def test_database_refuses_deleting_a_used_tag_even_through_the_orm(section, annotator):
    tag = TagFactory()
    unused = TagFactory()
    AnnotationFactory(section=section, author=annotator, tags=[tag])
    with pytest.raises(IntegrityError, match="used by annotations"):
        tag.delete()  # Django removes the annotation_tags rows first; the trigger refuses at commit
    assert Tag.objects.filter(pk=tag.pk).exists()
    assert tag.annotations.count() == 1
    unused.delete()
    # Untagging an annotation stays possible: the tag is still there.
    tag.annotations.get().tags.clear()
    assert tag.annotations.count() == 0
    tag.delete()
    assert not Tag.objects.filter(pk=tag.pk).exists()
