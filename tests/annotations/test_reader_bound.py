"""The reader stays small whatever the number of annotations: each section highlights and lists
a bounded number, says how many there are, and shows more on demand."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.models import Annotation, Visibility
from tests.annotations.conftest import TEXT
from tests.factories import UserFactory
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db


def many(section, author, n: int, *, visibility=Visibility.SHARED) -> None:
    """Bulk-create n annotations over one section (the fast way; the services would take minutes)."""
    rows = []
    for i in range(n):
        start = i % (len(TEXT) - 10)
        rows.append(
            Annotation(
                section=section,
                author=author,
                start=start,
                end=start + 5,
                quote=TEXT[start : start + 5],
                prefix=TEXT[max(0, start - 32) : start],
                suffix=TEXT[start + 5 : start + 37],
                visibility=visibility,
                ever_shared=visibility == Visibility.SHARED,
            )
        )
    Annotation.objects.bulk_create(rows, batch_size=2000)


def reader(client, brief, **params):
    return client.get(reverse("briefs:reader", args=[brief.slug]), params)


def test_a_section_past_the_bound_shows_the_first_and_says_how_many(
    client, settings, brief, section, analyst
):
    settings.MARGINALIA_READER_ANNOTATIONS_PER_SECTION = 5
    many(section, UserFactory(), 12)
    client.force_login(analyst)
    tree = page_tree(reader(client, brief))
    assert len(tree.xpath("//li[contains(@class,'margin-item')]")) == 5
    assert len(set(tree.xpath("//mark/@data-annotation-id"))) == 5
    assert texts(tree, "//p[@class='margin-more']")[0].startswith("5 of 12 annotations shown here.")
    more = tree.xpath("//p[@class='margin-more']/a/@href")[0]
    assert f"more={section.pk}" in more and "limit=10" in more
    # The filter bar counts all of them, not just those shown
    assert texts(tree, "//p[@class='filter-summary']") == ["12 annotations visible to you"]


def test_show_more_over_htmx_returns_that_section_with_more(client, settings, brief, section, analyst):
    settings.MARGINALIA_READER_ANNOTATIONS_PER_SECTION = 5
    many(section, UserFactory(), 12)
    client.force_login(analyst)
    response = client.get(
        reverse("briefs:reader", args=[brief.slug]),
        {"more": section.pk, "limit": 10},
        headers={"HX-Request": "true"},
    )
    tree = page_tree(response)
    assert tree.xpath("//div[@class='section-grid']/@id") == [f"section-grid-{section.pk}"]
    assert len(tree.xpath("//li[contains(@class,'margin-item')]")) == 10
    assert "limit=15" in tree.xpath("//p[@class='margin-more']/a/@href")[0]


@pytest.mark.parametrize(
    "params",
    [
        {"more": "abc", "limit": "10"},
        {"more": "1" * 40, "limit": "10"},
        {"more": "999999", "limit": "10"},  # not a section of this brief
        {"more": "SECTION", "limit": "9" * 40},  # capped at the maximum
        {"more": "SECTION", "limit": "-3"},
        {"more": "SECTION", "limit": "\x00"},
    ],
)
def test_hostile_show_more_parameters_stay_bounded(client, settings, brief, section, analyst, params):
    settings.MARGINALIA_READER_ANNOTATIONS_PER_SECTION = 5
    settings.MARGINALIA_READER_MAX_ANNOTATIONS = 8
    many(section, UserFactory(), 12)
    client.force_login(analyst)
    params = {k: (str(section.pk) if v == "SECTION" else v) for k, v in params.items()}
    response = reader(client, brief, **params)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert len(page_tree(response).xpath("//li[contains(@class,'margin-item')]")) <= 8


def test_at_the_maximum_the_margin_points_to_the_annotation_list(client, settings, brief, section, analyst):
    settings.MARGINALIA_READER_ANNOTATIONS_PER_SECTION = 5
    settings.MARGINALIA_READER_MAX_ANNOTATIONS = 8
    many(section, UserFactory(), 12)
    client.force_login(analyst)
    tree = page_tree(reader(client, brief, more=section.pk, limit=8))
    assert len(tree.xpath("//li[contains(@class,'margin-item')]")) == 8
    assert tree.xpath("//p[@class='margin-more']/a/@href") == [
        f"{reverse('annotations:browse')}?brief={brief.slug}"
    ]


def test_the_bound_counts_only_what_the_viewer_may_see(client, settings, brief, section, analyst):
    settings.MARGINALIA_READER_ANNOTATIONS_PER_SECTION = 5
    many(section, UserFactory(), 30, visibility=Visibility.PRIVATE)  # someone else's, private
    many(section, UserFactory(), 3)
    client.force_login(analyst)
    tree = page_tree(reader(client, brief))
    assert len(tree.xpath("//li[contains(@class,'margin-item')]")) == 3
    assert tree.xpath("//p[@class='margin-more']") == []


def test_ten_thousand_annotations_on_one_section_make_a_small_page_in_constant_queries(
    client, brief, section, analyst
):
    author = UserFactory()
    many(section, author, 5)
    client.force_login(analyst)
    reader(client, brief)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        small = reader(client, brief)
    many(section, author, 10_000 - 5)
    with CaptureQueriesContext(connection) as lots:
        big = reader(client, brief)
    assert len(lots) == len(few), [q["sql"][:120] for q in lots]
    print(
        f"reader page: {len(small.content):,} bytes with 5 annotations, "
        f"{len(big.content):,} with 10,000; {len(lots)} queries"
    )
    assert len(big.content) < 1_000_000, len(big.content)
    assert len(small.content) < len(big.content)
    assert texts(page_tree(big), "//p[@class='margin-more']")[0].startswith("200 of 10000 annotations")
