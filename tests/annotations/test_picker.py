"""The reader's tag picker: codebook tags grouped by category."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from pytest_django.asserts import assertContains

from annotations.models import Category, Tag
from annotations.reading import tag_groups_build
from annotations.selectors import tag_list
from tests.factories import CategoryFactory, TagFactory

pytestmark = pytest.mark.django_db


def picker_groups(html: str) -> list[tuple[str, list[str]]]:
    """Return the picker's groups as (header text, tag codes), checking each group's labelling."""
    picker = BeautifulSoup(html, "html.parser").select_one("#annotator .tag-list")
    groups = []
    for group in picker.select(".tag-group"):
        assert group["role"] == "group"
        header = picker.find(id=group["aria-labelledby"])
        assert header in group.find_all(recursive=False) and header.find("input") is None
        groups.append((header.get_text(), [box["value"] for box in group.select("input[name=tags]")]))
    assert len(picker.select("input[name=tags]")) == sum(len(codes) for _, codes in groups)
    return groups


def test_picker_markup_groups_tags_by_category_without_inactive_ones(client, annotator, section, brief):
    sanctions = CategoryFactory(code="sanctions", label_en="Sanctions", label_ko="제재", position=2)
    approach = CategoryFactory(code="approach", label_en="Approach", label_ko="협상 방식", position=1)
    retired = CategoryFactory(code="retired", label_en="Retired", label_ko="폐기", position=0)
    TagFactory(
        category=sanctions, code="relief", label_en="Relief", label_ko="완화", shortcut="r", position=2
    )
    TagFactory(category=sanctions, code="lifting", label_en="Lifting", label_ko="해제", position=1)
    TagFactory(category=sanctions, code="old-sanctions", label_en="Old", label_ko="옛", active=False)
    TagFactory(category=approach, code="big-deal", label_en="Big deal", label_ko="빅딜", position=5)
    TagFactory(category=retired, code="gone", label_en="Gone", label_ko="없음", active=False)
    TagFactory(category=None, code="freeze", label_en="Freeze", label_ko="쌍중단", position=0)
    client.force_login(annotator)

    response = client.get(reverse("briefs:reader", args=[brief.slug]))

    def option(code, ko, en, shortcut=""):
        key = f'<kbd class="tag-key">{shortcut}</kbd>' if shortcut else ""
        return f"""
          <li class="tag-option" data-search="{code} {ko} {en.lower()}">
            <label title="">
              <input type="checkbox" name="tags" value="{code}" data-shortcut="{shortcut}">
              <span class="swatch" data-hl="#64b5f6"></span>
              <span class="tag-label"><span lang="ko">{ko}</span> · {en}</span>{key}
            </label>
          </li>"""

    assertContains(
        response,
        f"""
        <div class="tag-list" role="group" aria-label="Codebook tags by category">
          <div class="tag-group" role="group" aria-labelledby="tag-group-1"
               data-search="approach approach 협상 방식">
            <p class="tag-group-label" id="tag-group-1"><span lang="ko">협상 방식</span> · Approach</p>
            <ul class="tag-group-tags">{option("big-deal", "빅딜", "Big deal")}</ul>
          </div>
          <div class="tag-group" role="group" aria-labelledby="tag-group-2"
               data-search="sanctions sanctions 제재">
            <p class="tag-group-label" id="tag-group-2"><span lang="ko">제재</span> · Sanctions</p>
            <ul class="tag-group-tags">
              {option("lifting", "해제", "Lifting")}{option("relief", "완화", "Relief", "r")}
            </ul>
          </div>
          <div class="tag-group" role="group" aria-labelledby="tag-group-3" data-search="other other 기타">
            <p class="tag-group-label" id="tag-group-3"><span lang="ko">기타</span> · Other</p>
            <ul class="tag-group-tags">{option("freeze", "쌍중단", "Freeze")}</ul>
          </div>
        </div>
        """,
        html=True,
    )


def test_picker_follows_the_starter_codebook_order(client, annotator, section, brief, codebook):
    # Reorder the codebook: categories and tags both follow their positions, not ids or names.
    Category.objects.filter(code="negotiation-approach").update(position=10)
    Tag.objects.filter(code="sanctions-full-lifting").update(position=99)
    Tag.objects.filter(code="peace-treaty").update(active=False)
    client.force_login(annotator)

    response = client.get(reverse("briefs:reader", args=[brief.slug]))

    assert picker_groups(response.content.decode()) == [
        (
            "비핵화 조치 · Denuclearisation steps",
            ["yongbyon-dismantlement", "beyond-yongbyon", "declaration-verification"],
        ),
        ("제재 · Sanctions", ["sanctions-partial-relief", "sanctions-full-lifting"]),
        ("안전보장 · Security guarantees", ["end-of-war-declaration", "liaison-office"]),
        (
            "과정과 행위자 · Process and actors",
            ["freeze-for-freeze", "inter-korean-cooperation", "rok-mediation", "us-domestic-politics"],
        ),
        ("협상 방식 · Negotiation approach", ["big-deal", "phased-approach", "simultaneous-parallel"]),
    ]


def test_tag_groups_break_position_ties_by_category_code(django_assert_num_queries):
    later = CategoryFactory(code="b-category", position=1)
    first = CategoryFactory(code="a-category", position=1)
    TagFactory(category=later, code="t1", position=0)
    TagFactory(category=first, code="t2", position=1)
    TagFactory(category=later, code="t3", position=2)
    tags = list(tag_list())
    with django_assert_num_queries(0):  # categories come joined with the tags
        groups = tag_groups_build(tags)
    assert [(g.code, [t.code for t in g.tags]) for g in groups] == [
        ("a-category", ["t2"]),
        ("b-category", ["t1", "t3"]),
    ]
