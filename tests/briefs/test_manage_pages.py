"""The edit and delete pages: editors only, errors beside the fields, nothing saved or
deleted on refusal, and never a count of other people's private annotations."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from annotations.models import Annotation
from briefs.models import Brief, Section
from tests.factories import AnnotationFactory, BriefFactory, SectionFactory
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def brief():
    brief = BriefFactory(
        slug="kinu-co-19-05",
        title="제2차 북미정상회담 평가",
        publication_year=2019,
        source_filename="kinu.pdf",
        source_format="pdf",
        source_sha256="ab" * 32,
        importer_version=7,
        import_warnings=["no headings found"],
    )
    SectionFactory(brief=brief, position=0, heading="요약", anchor="summary", text="요약문이다.\n둘째 줄.")
    SectionFactory(brief=brief, position=1, heading="평가", anchor="pyeongga", text="평가한다.")
    SectionFactory(brief=brief, position=2, heading="제1장", anchor="chapter-1", level=1, text="")
    return brief


def edit_url(brief: Brief) -> str:
    return reverse("briefs:edit", args=[brief.slug])


def delete_url(brief: Brief) -> str:
    return reverse("briefs:delete", args=[brief.slug])


def form_data(client: Client, brief: Brief, **changes: str) -> dict[str, str]:
    """Return what the edit page's form would post, as served, with some values changed."""
    tree = page_tree(client.get(edit_url(brief)))
    data: dict[str, str] = {}
    for element in tree.xpath("//form[contains(@class, 'manage-form')]//*[@name]"):
        name = element.get("name")
        if element.tag == "textarea":
            data[name] = element.text_content().removeprefix("\n")
        elif element.tag == "select":
            chosen = element.xpath("./option[@selected]/@value")
            data[name] = chosen[0] if chosen else element.xpath("./option/@value")[0]
        else:
            data[name] = element.get("value", "")
    data.pop("csrfmiddlewaretoken", None)
    data.update(changes)
    return data


# Edit ---------------------------------------------------------------------------------------------


def test_the_edit_page_shows_every_field_the_sections_and_the_fixed_facts(client, editor, brief):
    client.force_login(editor)
    response = client.get(edit_url(brief))
    assert response.status_code == 200
    tree = page_tree(response)
    names = set(tree.xpath("//form//*[@name]/@name"))
    editable = {
        "title",
        "subtitle",
        "organisation",
        "organisation_en",
        "series_code",
        "authors",
        "language",
        "publication_date",
        "publication_year",
        "source_url",
        "copyright",
        "notes",
        "updated_at",
    }
    assert editable <= names
    assert tree.xpath("//input[@name='updated_at']/@type") == ["hidden"]
    assert tree.xpath("//input[@name='title']/@value") == ["제2차 북미정상회담 평가"]
    assert tree.xpath("//input[starts-with(@name, 'sections-') and contains(@name, '-heading')]/@value") == [
        "요약",
        "평가",
        "제1장",
    ]
    assert tree.xpath("//select[@name='sections-2-level']/option[@selected]/@value") == ["1"]
    first_lines = texts(tree, "//p[contains(@class, 'manage-section-text')]")
    assert first_lines[:2] == ["요약문이다. 둘째 줄.", "평가한다."]
    facts = " ".join(texts(tree, "//section[contains(@class, 'manage-facts')]"))
    for fact in ("kinu-co-19-05", "kinu.pdf", "pdf", "abababababab", "7", "no headings found"):
        assert fact in facts
    assert "ab" * 32 not in facts  # the short form only
    # the slug is shown, not editable
    assert "slug" not in names


def test_editing_saves_and_redirects_to_the_reader_with_a_message(client, editor, brief):
    client.force_login(editor)
    data = form_data(
        client,
        brief,
        title="새 제목",
        authors="홍길동\n\n  Kim  \n",
        **{"sections-1-heading": "새 평가", "sections-1-level": "3"},
    )
    response = client.post(edit_url(brief), data, follow=True)
    assert response.redirect_chain == [(reverse("briefs:reader", args=[brief.slug]), 302)]
    brief.refresh_from_db()
    assert (brief.title, brief.authors) == ("새 제목", ["홍길동", "Kim"])
    section = brief.sections.get(position=1)
    assert (section.heading, section.level, section.anchor) == ("새 평가", 3, "pyeongga")
    tree = page_tree(response)
    assert texts(tree, "//h1") == ["새 제목"]
    assert texts(tree, "//ul[@class='messages']/li") == ["Saved your changes: title, authors, section 1."]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "x" * 501}, "title"),
        ({"title": ""}, "title"),
        ({"title": "제목\x00"}, "title"),
        ({"publication_date": "2019-02-30"}, "publication_date"),
        ({"publication_year": "1799"}, "publication_year"),
        ({"publication_year": "abc"}, "publication_year"),
        ({"publication_date": "2019-03-05", "publication_year": "2018"}, "publication_year"),
        ({"language": "fr"}, "language"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"sections-1-level": "0"}, "sections-1-level"),
        ({"sections-1-level": "7"}, "sections-1-level"),
        ({"sections-1-level": "abc"}, "sections-1-level"),
        ({"sections-1-heading": "x" * 501}, "sections-1-heading"),
        ({"sections-2-heading": ""}, "sections-2-heading"),  # no text of its own
    ],
)
def test_bad_values_are_shown_beside_their_field_and_nothing_is_saved(client, editor, brief, changes, field):
    client.force_login(editor)
    before = (Brief.objects.values().get(pk=brief.pk), list(Section.objects.values().order_by("pk")))
    response = client.post(edit_url(brief), form_data(client, brief, **changes))
    assert response.status_code == 400
    tree = page_tree(response)
    if field.startswith("sections-"):
        item = tree.xpath(f"//li[.//*[@name='{field}']]")[0]
        assert "has-error" in item.get("class")
        assert texts(item, ".//*[@role='alert']") != [""]
    else:
        assert texts(tree, f"//*[@id='id_{field}_error']") != [""]
    assert (Brief.objects.values().get(pk=brief.pk), list(Section.objects.values().order_by("pk"))) == before


def test_a_stale_form_is_refused_with_a_clear_message(client, editor, brief):
    client.force_login(editor)
    stale = form_data(client, brief, subtitle="나중")
    client.post(edit_url(brief), form_data(client, brief, subtitle="먼저"))
    response = client.post(edit_url(brief), stale)
    assert response.status_code == 400
    assert "someone else saved this brief" in " ".join(texts(page_tree(response), "//*[@role='alert']"))
    assert Brief.objects.get(pk=brief.pk).subtitle == "먼저"


@pytest.mark.parametrize("updated_at", ["", "yesterday", "2019-01-01T00:00:00"])
def test_a_damaged_version_is_refused(client, editor, brief, updated_at):
    client.force_login(editor)
    response = client.post(edit_url(brief), form_data(client, brief, title="바뀜", updated_at=updated_at))
    assert response.status_code == 400
    assert Brief.objects.get(pk=brief.pk).title == "제2차 북미정상회담 평가"


def test_section_ids_of_another_brief_or_unknown_ones_are_refused(client, editor, brief):
    client.force_login(editor)
    other = SectionFactory(heading="남의 절")
    for section_id in (str(other.pk), "999999999", "-1", "abc", ""):
        data = form_data(client, brief, **{"sections-0-id": section_id, "sections-0-heading": "탈취"})
        response = client.post(edit_url(brief), data)
        assert response.status_code == 400, section_id
    other.refresh_from_db()
    assert other.heading == "남의 절"
    assert brief.sections.get(position=0).heading == "요약"


def test_a_hostile_form_count_is_bounded(client, editor, brief):
    client.force_login(editor)
    data = form_data(client, brief, **{"sections-TOTAL_FORMS": "100000000"})
    assert client.post(edit_url(brief), data).status_code == 400


def test_edit_and_delete_need_an_editor(client, analyst, annotator, brief):
    for url in (edit_url(brief), delete_url(brief)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert client.post(url, {"title": "x", "with_annotations": "1"}).status_code == 302
    for user in (analyst, annotator):
        client.force_login(user)
        pages = ((edit_url(brief), "Editing briefs is for"), (delete_url(brief), "Deleting briefs is for"))
        for url, words in pages:
            response = client.get(url)
            assert response.status_code == 403
            assert words in " ".join(texts(page_tree(response), "//main"))
            assert client.post(url, {"title": "x", "with_annotations": "1"}).status_code == 403
    assert Brief.objects.get(pk=brief.pk).title == "제2차 북미정상회담 평가"


def test_unknown_briefs_are_404(client, editor):
    client.force_login(editor)
    assert client.get("/briefs/no-such/edit/").status_code == 404
    assert client.post("/briefs/no-such/delete/").status_code == 404


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(client, editor, brief, method):
    client.force_login(editor)
    for url in (edit_url(brief), delete_url(brief)):
        assert getattr(client, method)(url).status_code == 405
    assert Brief.objects.filter(pk=brief.pk).exists()


def test_both_pages_need_the_csrf_token(editor, brief):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(edit_url(brief), {"title": "x"}).status_code == 403
    assert client.post(delete_url(brief)).status_code == 403
    assert Brief.objects.get(pk=brief.pk).title == "제2차 북미정상회담 평가"


def test_the_reader_links_to_edit_and_delete_for_editors_only(client, analyst, editor, brief):
    reader = reverse("briefs:reader", args=[brief.slug])
    for user, shown in ((None, False), (analyst, False), (editor, True)):
        if user is not None:
            client.force_login(user)
        hrefs = page_tree(client.get(reader)).xpath("//header[@class='brief-meta']//a/@href")
        assert (edit_url(brief) in hrefs, delete_url(brief) in hrefs) == (shown, shown)


# Delete ---------------------------------------------------------------------------------------------


def test_the_delete_page_counts_sections_and_own_annotations(client, editor, brief):
    AnnotationFactory.create_batch(2, section=brief.sections.get(position=1), author=editor)
    client.force_login(editor)
    tree = page_tree(client.get(delete_url(brief)))
    assert texts(tree, "//ul[@class='delete-summary']/li") == ["3 sections", "2 annotations of yours"]
    assert tree.xpath("//input[@name='with_annotations']") == []


def test_deleting_a_brief_redirects_to_the_library(client, editor, brief):
    AnnotationFactory(section=brief.sections.get(position=1), author=editor)
    client.force_login(editor)
    response = client.post(delete_url(brief), follow=True)
    assert response.redirect_chain == [(reverse("briefs:library"), 302)]
    assert not Brief.objects.filter(pk=brief.pk).exists()
    message = texts(page_tree(response), "//ul[@class='messages']/li")[0]
    assert message.startswith("Deleted the brief “제2차 북미정상회담 평가”")


def test_other_peoples_annotations_need_the_checkbox(client, editor, annotator, annotator2, brief):
    section = brief.sections.get(position=1)
    AnnotationFactory(section=section, author=annotator, visibility="shared")
    AnnotationFactory.create_batch(4, section=section, author=annotator2, visibility="private")
    client.force_login(editor)
    tree = page_tree(client.get(delete_url(brief)))
    summary = " ".join(texts(tree, "//main"))
    assert "annotations by other people (1 shared; possibly others you cannot see)" in summary
    # the number of private ones (4), or the total (5), is never given
    assert not re.search(r"\b[45]\b", summary)
    assert tree.xpath("//label[input[@name='with_annotations']]/text()")[0].strip() == (
        "Delete the annotations of other people too"
    )

    response = client.post(delete_url(brief))
    assert response.status_code == 409
    refusal = " ".join(texts(page_tree(response), "//*[@role='alert']"))
    assert "it holds annotations by other people" in refusal and "Nothing was deleted" in refusal
    assert not re.search(r"\d", refusal.replace("19-05", ""))
    assert Brief.objects.filter(pk=brief.pk).exists()
    assert Annotation.objects.alive().count() == 5

    response = client.post(delete_url(brief), {"with_annotations": "1"})
    assert response.status_code == 302
    assert not Brief.objects.filter(pk=brief.pk).exists()
    assert Annotation.objects.alive().count() == 0
    assert Annotation.objects.filter(former_brief_slug="kinu-co-19-05").count() == 5


def test_only_private_annotations_of_others_are_mentioned_without_a_number(client, editor, annotator, brief):
    AnnotationFactory.create_batch(2, section=brief.sections.get(position=1), author=annotator)
    client.force_login(editor)
    tree = page_tree(client.get(delete_url(brief)))
    items = texts(tree, "//ul[@class='delete-summary']/li")
    assert items == [
        "3 sections",
        "0 annotations of yours",
        "This brief also holds annotations by other people that you cannot see.",
    ]
    assert tree.xpath("//input[@name='with_annotations']")


def test_a_stray_value_of_the_checkbox_does_not_confirm(client, editor, annotator, brief):
    AnnotationFactory(section=brief.sections.get(position=1), author=annotator, visibility="shared")
    client.force_login(editor)
    for value in ("on", "true", "0", "1\x00"):
        assert client.post(delete_url(brief), {"with_annotations": value}).status_code == 409
    assert Brief.objects.filter(pk=brief.pk).exists()


def test_the_pages_cost_a_fixed_number_of_queries(client, editor, brief, django_assert_num_queries):
    SectionFactory.create_batch(20, brief=brief)
    AnnotationFactory.create_batch(5, section=brief.sections.get(position=1), author=editor)
    client.force_login(editor)
    # session, user, its permissions (one query), brief, sections: however many sections
    with django_assert_num_queries(5):
        assert client.get(edit_url(brief)).status_code == 200
    # session, user, its permissions (one query), brief, the annotation counts, the section count
    with django_assert_num_queries(6):
        assert client.get(delete_url(brief)).status_code == 200
