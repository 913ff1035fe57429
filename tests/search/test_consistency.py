"""Search agrees with itself: a compound typed with or without its space finds the same
sections and annotations, highlights never light up a lone syllable inside an unrelated
word, and every hit's reader link carries the words it marked (?hl=…)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from search.presenters import annotation_hits, section_hits
from search.query import search_query_parse
from search.selectors import annotation_search, section_search
from search.services import section_index_refresh
from tests.factories import BriefFactory, SectionFactory
from tests.search.conftest import annotate

APART = "북한은 대북 제재의 일부 해제를 요구했고, 미국은 그 뒤로 완화를 미뤘다."
TOGETHER = "제재완화 논의가 시작되었다."
SPACED = "제재 완화 논의가 시작되었다."


@pytest.fixture
def compounds(db):
    brief = BriefFactory(slug="compounds")
    sections = [
        SectionFactory(brief=brief, position=n, anchor=f"s{n}", heading="", text=text)
        for n, text in enumerate([APART, TOGETHER, SPACED, "평화 논의만 있었다."])
    ]
    section_index_refresh(sections=sections)
    return sections


def positions(query: str) -> list[int]:
    return [s.position for s in section_search(query=query)]


@pytest.mark.parametrize(("together", "apart"), [("제재완화", "제재 완화"), ("제재해제", "제재 해제")])
def test_a_compound_finds_the_same_sections_with_or_without_its_space(compounds, together, apart):
    assert positions(together) == positions(apart)
    assert positions(together) != []


def test_the_compound_written_as_one_still_ranks_first(compounds):
    found = positions("제재완화")
    assert set(found) == {0, 1, 2}
    assert found[-1] == 0  # the parts far apart come last


def test_a_compound_finds_the_same_annotations_with_or_without_its_space(annotator, codebook):
    section = SectionFactory(text="미국은 제재 일부를 풀었고 완화는 늦어졌다. 제재완화가 필요했다.")
    section_index_refresh(sections=[section])
    far = annotate(annotator, section, "미국은 제재 일부를 풀었고 완화는 늦어졌다")
    tagged = annotate(annotator, section, "미국은 제재", tags=[codebook["sanctions-partial-relief"]])
    near = annotate(annotator, section, "제재완화가 필요했다")

    def found(query: str) -> set[int]:
        return {a.pk for a in annotation_search(query=query, user=annotator)}

    assert found("제재완화") == found("제재 완화") == {far.pk, tagged.pk, near.pk}


@pytest.fixture
def us_and_missiles(db):
    brief = BriefFactory(slug="lone")
    section = SectionFactory(
        brief=brief,
        position=0,
        anchor="s0",
        heading="",
        text="북미 협상에서 미사일 시험은 미리 논의되지 않았다. 한미 공조가 이어졌다.",
    )
    section_index_refresh(sections=[section])
    return section


def marked(query: str) -> list[str]:
    parsed = search_query_parse(query)
    (hit,) = section_hits(sections=section_search(query=parsed), query=parsed)
    return [text for text, is_hit in hit.snippet_pieces if is_hit]


@pytest.mark.parametrize("query", ["미", "미사", "북"])
def test_a_partial_word_lights_up_whole_words_never_a_syllable_inside_one(us_and_missiles, query):
    words = set(us_and_missiles.text.replace(".", "").split())
    hits = marked(query)
    assert hits, query
    for hit in hits:
        assert len(hit) > 1, hits
        # every mark is a whole lexeme starting with what was typed, at the start of a word
        assert hit.startswith(query) and any(word.startswith(hit) for word in words), hits


def test_a_partial_word_inside_a_longer_one_is_marked_where_it_occurs(us_and_missiles):
    assert marked("사일") == ["사일"]  # no word starts with it: the substring itself


def test_section_hits_link_to_the_reader_with_the_marked_words(compounds):
    parsed = search_query_parse("제재 완화")
    hits = {h.section.position: h for h in section_hits(sections=section_search(query=parsed), query=parsed)}
    url = urlsplit(hits[2].url)
    assert url.path == "/briefs/compounds/" and url.fragment == "s2"
    assert parse_qsl(url.query) == [("hl", "제재"), ("hl", "완화")]
    apart = parse_qsl(urlsplit(hits[0].url).query)
    assert apart == [("hl", "제재"), ("hl", "완화")]  # as written in that section (제재의 → 제재)
    together = dict.fromkeys(v for _, v in parse_qsl(urlsplit(hits[1].url).query))
    assert list(together) == ["제재완화"]


def test_hl_words_are_the_words_as_marked_in_the_whole_section_not_only_the_snippet(db):
    text = "제재 " + "가나다라 " * 80 + "마지막에 완화가 나온다."
    section = SectionFactory(heading="제재 이야기", text=text)
    section_index_refresh(sections=[section])
    parsed = search_query_parse("제재 완화")
    (hit,) = section_hits(sections=section_search(query=parsed), query=parsed)
    assert [v for _, v in parse_qsl(urlsplit(hit.url).query)] == ["제재", "완화"]


def test_annotation_hits_link_with_the_quotes_marked_words(annotator):
    section = SectionFactory(text="북한은 영변 핵시설 폐기를 제안했다.")
    section_index_refresh(sections=[section])
    annotation = annotate(annotator, section, "영변 핵시설 폐기", note="영변 말고도 있다")
    parsed = search_query_parse("영변 폐기")
    (hit,) = annotation_hits(annotations=annotation_search(query=parsed, user=annotator), query=parsed)
    url = urlsplit(hit.url)
    assert url.fragment == f"annotation-{annotation.pk}"
    assert parse_qsl(url.query) == [("hl", "영변"), ("hl", "폐기")]


def test_the_search_page_links_carry_hl(client, compounds):
    response = client.get("/search/", {"q": "제재 완화"})
    links = re.findall(r'href="(/briefs/compounds/[^"]*)"', response.content.decode())
    assert links and all("hl=%EC%A0%9C%EC%9E%AC" in link for link in links), links
