"""The codebook page: every category and tag with its rule, and counts that never leak."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from annotations.models import Tag
from tests.factories import AnnotationFactory, CategoryFactory, SectionFactory, TagFactory
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db
CODEBOOK = reverse("codebook")


def tag_usage(response) -> dict[str, str]:
    """Return {tag code: its usage line} from the page."""
    tree = page_tree(response)
    return {
        element.get("id").removeprefix("tag-"): texts(element, ".//p[@class='tag-usage']")[0]
        for element in tree.xpath("//div[contains(@class, 'codebook-tag')]")
    }


def test_the_starter_codebook_reads_in_codebook_order_with_rules_and_examples(client, codebook):
    response = client.get(CODEBOOK)
    tree = page_tree(response)
    headings = texts(tree, "//section[@class='codebook-category']/h2/span[@lang='ko']")
    assert headings == ["협상 방식", "비핵화 조치", "제재", "안전보장", "과정과 행위자"]
    codes = [e.get("id").removeprefix("tag-") for e in tree.xpath("//div[contains(@class, 'codebook-tag')]")]
    assert codes == list(
        Tag.objects.order_by("category__position", "position", "code").values_list("code", flat=True)
    )
    big_deal = Tag.objects.get(code="big-deal")
    entry = tree.xpath("//div[@id='tag-big-deal']")[0]
    assert texts(entry, ".//p[@class='decision-rule']") == [f"Rule. {big_deal.decision_rule}"]
    assert texts(entry, ".//blockquote[@class='tag-example']") == [big_deal.example]
    assert tag_usage(response)["big-deal"] == ""  # no counts for anonymous visitors


def test_counts_are_the_annotations_the_reader_may_see(client, codebook, annotator, annotator2):
    big_deal = codebook["big-deal"]
    section = SectionFactory()
    AnnotationFactory(section=section, author=annotator, visibility="private", tags=[big_deal])
    AnnotationFactory(section=section, author=annotator2, visibility="shared", tags=[big_deal])
    AnnotationFactory(section=section, author=annotator2, visibility="private", tags=[big_deal])  # not hers
    AnnotationFactory(
        section=section, author=annotator, visibility="shared", tags=[big_deal], deleted_at=timezone.now()
    )
    client.force_login(annotator)
    usage = tag_usage(client.get(CODEBOOK))
    assert usage["big-deal"].startswith("2 annotations you can see")
    assert usage["phased-approach"].startswith("0 annotations")


def test_retired_tags_are_listed_as_such_and_labels_are_escaped(client):
    category = CategoryFactory(code="c", label_en="<b>Cat</b>", label_ko="분류")
    TagFactory(category=category, code="old", label_en="<script>alert(1)</script>", active=False)
    response = client.get(CODEBOOK)
    tree = page_tree(response)
    assert texts(tree, "//div[@id='tag-old']//span[@class='retired-badge']") == [
        "retired: not offered in the picker"
    ]
    assert "<script>alert(1)</script>" in texts(tree, "//div[@id='tag-old']/dt")[0]  # as text
    assert not tree.xpath("//div[@id='tag-old']//script") and not tree.xpath("//h2//b")


def test_editors_get_edit_and_export_links_annotators_do_not(client, codebook, annotator, editor):
    AnnotationFactory(author=editor, visibility="shared", tags=[codebook["big-deal"]])
    client.force_login(annotator)
    tree = page_tree(client.get(CODEBOOK))
    links = tree.xpath("//main//a/@href")
    editing = (
        "/admin/",
        reverse("export:page"),
        "/codebook/tags/",
        "/codebook/categories/",
        "/codebook/import",
    )
    assert not [href for href in links if href.startswith(editing) or "/admin/" in href]
    assert not tree.xpath("//main//form")  # no retire/restore or move buttons either
    client.force_login(editor)
    tree = page_tree(client.get(CODEBOOK))
    links = tree.xpath("//main//a/@href")
    assert reverse("codebook:tag-edit", args=["big-deal"]) in links
    assert reverse("codebook:category-edit", args=["sanctions"]) in links
    assert {reverse("codebook:tag-new"), reverse("codebook:category-new"), reverse("codebook:import")} <= set(
        links
    )
    assert tree.xpath(f"//form[@action='{reverse('codebook:tag-retire', args=['big-deal'])}']")
    assert f"{reverse('export:page')}?tags=big-deal" in links


def test_the_page_costs_the_same_queries_whatever_the_codebook_size(
    client, codebook, annotator, django_assert_max_num_queries
):
    client.force_login(annotator)
    with django_assert_max_num_queries(6) as small:
        client.get(CODEBOOK)
    for i in range(30):
        TagFactory(category=CategoryFactory(code=f"c{i}"), code=f"t{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(CODEBOOK)
