from __future__ import annotations

from search.presenters import section_hits
from search.query import search_query_parse
from search.selectors import section_search


def hits_for(query: str):
    parsed = search_query_parse(query)
    return section_hits(sections=section_search(query=parsed), query=parsed)


def test_snippets_mark_the_words_as_written_not_the_lemmas(kinu):
    hit = next(h for h in hits_for("제재 완화") if h.section.position == 5)
    assert "<mark>제재</mark> <mark>완화</mark>를" in hit.snippet_html
    assert hit.url == f"/briefs/{kinu.slug}/?hl=%EC%A0%9C%EC%9E%AC&hl=%EC%99%84%ED%99%94#{hit.section.anchor}"


def test_a_compound_is_marked_whole_and_apart(kinu):
    snippets = {(h.brief.slug, h.section.position): h for h in hits_for("종전선언")}
    assert "<mark>종전선언</mark>" in snippets[(kinu.slug, 4)].heading_html
    assert "‘<mark>종전 선언</mark>’" in snippets[("fntimes-pompeo-kang-call", 0)].snippet_html


def test_phrase_and_fuzzy_snippets_mark_their_matches(kinu):
    (phrase,) = hits_for('"하노이 선언"')
    assert "<mark>하노이 선언</mark>" in phrase.snippet_html
    fuzzy = hits_for("연락사")
    # a partial word lights up the whole word the prefix search completed it to
    assert all("<mark>연락사무소</mark>" in h.snippet_html for h in fuzzy)


def test_unheaded_sections_are_labelled_as_in_the_reader(kinu):
    labels = {h.section.position: str(h.heading_html) for h in hits_for("종전선언")}
    assert labels[0] == "요약 · Summary"
    assert labels[1] == "들어가며 · Introduction"
