"""'Did you mean …?': a misspelt Korean or English word is corrected from the briefs' own
vocabulary, on the search page (a link that runs the corrected query) and in the API."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from search.query import search_query_parse
from search.services import section_index_refresh
from search.suggest import did_you_mean, letters
from tests.factories import BriefFactory, SectionFactory
from tests.search.conftest import annotate

URL = "/search/"


def suggestion(query: str) -> str | None:
    return did_you_mean(search_query_parse(query))


def test_hangul_is_compared_letter_by_letter():
    assert letters("언") == "\u110b\u1165\u11ab"
    assert len(letters("종전선언")) == 12


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("종전선얻", "종전선언"),
        ("종전선얻을", "종전선언을"),
        ("제재 완와", "제재 완화"),
        ("폼페이요", "폼페이오"),
        ("평화체재", "평화체제"),
    ],
)
def test_a_misspelt_korean_word_is_corrected_from_the_briefs(kinu, sample_briefs, typed, meant):
    assert suggestion(typed) == meant


@pytest.mark.parametrize(
    "typed", ["종전선언", "제재를", "완화하는", "연락사", "북미", "빅딜을", "하노이 회담"]
)
def test_known_words_particles_and_partial_words_get_no_suggestion(kinu, sample_briefs, typed):
    assert suggestion(typed) is None


@pytest.fixture
def english(db):
    section = SectionFactory(
        brief=BriefFactory(slug="en", language="en"),
        heading="Relief",
        text="Sanctions relief was offered in exchange for dismantling Yongbyon.",
    )
    section_index_refresh(sections=[section])
    return section


def test_a_misspelt_english_word_is_corrected_as_the_briefs_write_it(english):
    assert suggestion("sanctoins relief") == "Sanctions relief"
    assert suggestion("Yongbyonn") == "Yongbyon"
    assert suggestion("sanctions") is None
    assert suggestion("the sanctions") is None  # a stop word is no typo


def test_a_private_note_never_feeds_a_suggestion(annotator, annotator2):
    section = SectionFactory(text="공개된 본문이다.")
    section_index_refresh(sections=[section])
    annotate(annotator, section, "공개된", note="비밀협상라인 메모", visibility="private")
    assert suggestion("비밀협상라안") is None


def test_the_page_offers_the_corrected_query_as_a_link_that_runs_it(client: Client, kinu):
    response = client.get(URL, {"q": "종전선얻", "language": "ko", "page": "2"})
    assertContains(
        response,
        '<p class="search-suggestion">Did you mean '
        '<a href="?q=%EC%A2%85%EC%A0%84%EC%84%A0%EC%96%B8&amp;language=ko" rel="nofollow">종전선언</a>?</p>',
        html=True,
    )
    corrected = client.get(URL, {"q": "종전선언", "language": "ko"})
    assertContains(corrected, "4 sections found.")
    assertNotContains(corrected, "search-suggestion")


def test_the_api_carries_did_you_mean(client: Client, kinu):
    typo = client.get("/api/v1/search/sections", {"q": "종전선얻"}).json()
    assert typo["did_you_mean"] == "종전선언"
    right = client.get("/api/v1/search/sections", {"q": "종전선언"}).json()
    assert right["did_you_mean"] is None and right["count"] == 4


def test_the_vocabulary_follows_the_index(db):
    section = SectionFactory(text="개성공단 재개가 논의되었다.")
    section_index_refresh(sections=[section])
    assert suggestion("금강산관광") is None
    section.text = "금강산관광 재개가 논의되었다."
    section.save()
    section_index_refresh(sections=[section])
    assert suggestion("금강산관괌") == "금강산관광"
