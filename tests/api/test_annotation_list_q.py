"""The annotation list's `q` follows the search's rules: every word must occur (in any order,
Korean-aware), compounds match with or without their space, quoted phrases verbatim."""

from __future__ import annotations

import pytest

from search.services import section_index_refresh
from tests.factories import SectionFactory
from tests.search.conftest import annotate

TEXT = "미국은 제재의 일부 완화를 거부했고, 북한은 영변 핵시설 폐기를 제안했다. 제재완화는 미뤄졌다."


@pytest.fixture
def found(annotator, codebook):
    section = SectionFactory(text=TEXT)
    section_index_refresh(sections=[section])
    return {
        "apart": annotate(annotator, section, "미국은 제재의 일부 완화를 거부했고"),
        "yongbyon": annotate(annotator, section, "영변 핵시설 폐기를 제안했다", note="제재 이야기는 없다"),
        "together": annotate(annotator, section, "제재완화는 미뤄졌다"),
        "tagged": annotate(annotator, section, "북한은", tags=[codebook["sanctions-partial-relief"]]),
    }


def listed(api, q: str) -> set[int]:
    response = api.get("/api/v1/annotations", {"q": q, "limit": 500})
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def names(found, q_ids: set[int]) -> set[str]:
    return {name for name, annotation in found.items() if annotation.pk in q_ids}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("제재 완화", {"apart", "together", "tagged"}),  # the tag label 제재 일부 해제·완화
        ("제재완화", {"apart", "together", "tagged"}),
        ("완화 제재", {"apart", "together", "tagged"}),
        ("제재 영변", {"yongbyon"}),  # one word in the quote, the other in the note
        ("제재 평양", set()),
        ('"일부 완화"', {"apart"}),
        ("미뤄", {"together"}),  # a partial word: a substring still finds it
    ],
)
def test_q_needs_every_word_as_the_search_does(api, found, q, expected):
    assert names(found, listed(api, q)) == expected


@pytest.mark.parametrize(
    ("q", "expected"), [("제재 완화", {"apart", "together", "tagged"}), ("제재 영변", {"yongbyon"})]
)
def test_the_browse_page_filters_with_the_same_rules(client, annotator, found, q, expected):
    client.force_login(annotator)
    response = client.get("/annotations/browse/", {"q": q})
    assert response.status_code == 200
    shown = {a.pk for a in response.context["page"].object_list}
    assert names(found, shown) == expected
