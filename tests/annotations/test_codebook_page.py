"""The codebook page: every category and tag with its rule, and counts that never leak."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from annotations.models import Tag
from tests.factories import AnnotationFactory, CategoryFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db
CODEBOOK = reverse("codebook")


def tag_usage(page: str) -> dict[str, str]:
    """Return {tag code: its usage line} from the page."""
    found = {}
    for code, usage in re.findall(r'id="tag-([\w-]+)".*?<p class="tag-usage">(.*?)</p>', page, re.S):
        found[code] = " ".join(usage.split())
    return found


def test_the_starter_codebook_reads_in_codebook_order_with_rules_and_examples(client, codebook):
    page = client.get(CODEBOOK).content.decode()
    headings = re.findall(r'<h2 id="category-[\w-]+-h"><span lang="ko">(.*?)</span>', page)
    assert headings == ["협상 방식", "비핵화 조치", "제재", "안전보장", "과정과 행위자"]
    codes = re.findall(r'class="codebook-tag[^"]*" id="tag-([\w-]+)"', page)
    assert codes == list(
        Tag.objects.order_by("category__position", "position", "code").values_list("code", flat=True)
    )
    big_deal = Tag.objects.get(code="big-deal")
    assert big_deal.decision_rule in page and big_deal.example.replace("…", "…") in page
    assert "annotation" not in tag_usage(page)["big-deal"]  # no counts for anonymous visitors


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
    usage = tag_usage(client.get(CODEBOOK).content.decode())
    assert usage["big-deal"].startswith("2 annotations you can see")
    assert usage["phased-approach"].startswith("0 annotations")


def test_retired_tags_are_listed_as_such_and_labels_are_escaped(client):
    category = CategoryFactory(code="c", label_en="<b>Cat</b>", label_ko="분류")
    TagFactory(category=category, code="old", label_en="<script>alert(1)</script>", active=False)
    page = client.get(CODEBOOK).content.decode()
    assert "retired: not offered in the picker" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Cat</b>" not in page


def test_editors_get_edit_and_export_links_annotators_do_not(client, codebook, annotator, editor):
    AnnotationFactory(author=editor, visibility="shared", tags=[codebook["big-deal"]])
    client.force_login(annotator)
    page = client.get(CODEBOOK).content.decode()
    assert "/admin/" not in page and "export them" not in page
    client.force_login(editor)
    page = client.get(CODEBOOK).content.decode()
    assert reverse("admin:annotations_tag_changelist") in page
    assert f"{reverse('export:page')}?tags=big-deal" in page


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
