from __future__ import annotations

import pytest

from search.query import search_query_parse
from search.selectors import SearchMode, section_search
from search.services import section_index_refresh
from tests.factories import BriefFactory, SectionFactory


def found(query: str, **filters) -> list[tuple[str, int]]:
    return [(s.brief.slug, s.position) for s in section_search(query=query, **filters)]


def test_every_kinu_section_about_sanctions_is_found_whatever_the_particle(kinu):
    discussing = {s.position for s in kinu.sections.all() if "제재" in s.text}
    assert discussing == {2, 3, 4, 5}
    for query in ("제재", "제재를", "제재의", "제재는"):
        assert {p for slug, p in found(query) if slug == kinu.slug} == discussing


def test_end_of_war_declaration_finds_the_sections_and_the_spaced_form(kinu):
    results = found("종전선언")
    assert {p for slug, p in results if slug == kinu.slug} == {0, 1, 4}
    assert ("fntimes-pompeo-kang-call", 0) in results  # "‘종전 선언’", written apart
    assert results[0] == (kinu.slug, 4)  # the section with it in its heading


def test_results_carry_rank_and_mode_best_first(kinu):
    sections = list(section_search(query="제재"))
    ranks = [s.rank for s in sections]
    assert ranks == sorted(ranks, reverse=True)
    assert {s.search_mode for s in sections} == {SearchMode.FTS}


def test_filters_by_brief_language_and_year(sample_briefs):
    assert {slug for slug, _ in found("제재", brief="kinu-co-19-05")} == {"kinu-co-19-05"}
    assert {slug for slug, _ in found("제재", brief=sample_briefs["fntimes-pompeo-kang-call"])} == {
        "fntimes-pompeo-kang-call"
    }
    assert found("제재", language="en") == []
    assert {slug for slug, _ in found("제재", year_from=2019, year_to=2019)} == {"kinu-co-19-05"}
    assert found("제재", year_from=2020) == []


def test_exact_phrase_must_appear_verbatim(kinu):
    assert found('"하노이 선언"') == [(kinu.slug, 1)]
    assert found('"선언 하노이"') == []
    sections = list(section_search(query='"하노이 선언"'))
    assert sections[0].search_mode == SearchMode.PHRASE


def test_words_and_a_phrase_together_need_both(kinu):
    assert found('종전선언 "하노이 선언"') == [(kinu.slug, 1)]


def test_partial_words_fall_back_to_trigrams(kinu):
    sections = list(section_search(query="연락사"))
    assert {s.position for s in sections} == {0, 1, 4}
    assert {s.search_mode for s in sections} == {SearchMode.FUZZY}


@pytest.mark.django_db
def test_a_section_without_a_document_is_missed_by_words_but_found_by_trigrams():
    indexed = SectionFactory(text="영변 핵시설 폐기를 논의했다.")
    section_index_refresh(sections=[indexed])
    unindexed = SectionFactory(text="영변 핵시설 폐기는 미뤄졌다.")
    assert [s.pk for s in section_search(query="영변")] == [indexed.pk]
    assert [s.pk for s in section_search(query="미뤄졌")] == [unindexed.pk]


@pytest.mark.django_db
def test_english_words_are_stemmed_at_both_ends():
    brief = BriefFactory(language="en", title="Sanctions")
    section = SectionFactory(brief=brief, heading="", text="The sanctioned entities and their relief.")
    section_index_refresh(sections=[section])
    assert [s.pk for s in section_search(query="sanction reliefs")] == [section.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "&|!", "가" * 201])
def test_invalid_queries_find_nothing(query):
    SectionFactory()
    assert not section_search(query=query).exists()
    assert not search_query_parse(query).is_valid


@pytest.mark.django_db
def test_hostile_input_is_harmless():
    section = SectionFactory(text="제재 완화")
    section_index_refresh(sections=[section])
    for query in ["제재 & !완화", "제재') | ('x", "완화:* <-> 제재", "%_%", "\\"]:
        list(section_search(query=query))  # raises nothing
    assert [s.pk for s in section_search(query="제재 & !완화")] == [section.pk]


@pytest.mark.django_db
def test_like_wildcards_in_a_phrase_are_literal():
    plain = SectionFactory(text="제재 100 완화")
    percent = SectionFactory(text="제재 100% 완화_안")
    assert [s.pk for s in section_search(query='"100%"')] == [percent.pk]
    assert [s.pk for s in section_search(query='"완화_안"')] == [percent.pk]
    assert plain.pk in [s.pk for s in section_search(query='"100"')]


@pytest.mark.django_db
def test_typos_fall_back_to_trigram_similarity():
    section = SectionFactory(text="The Yongbyon nuclear complex was discussed.")
    assert [s.pk for s in section_search(query="Yongbyonn")] == [section.pk]


def test_partial_words_match_lexeme_prefixes_then_any_substring(kinu):
    # 연락사 starts the lexeme 연락사무소: answered by the index of lexemes.
    assert search_query_parse("연락사").prefix_tsquery == "'연락사':*"
    # 락사무 starts no lexeme, but occurs inside 연락사무소: the substring fallback finds it.
    sections = list(section_search(query="락사무"))
    assert {s.position for s in sections} == {0, 1, 4}
    assert {s.search_mode for s in sections} == {SearchMode.FUZZY}


@pytest.mark.django_db
def test_a_partial_english_word_matches_its_stem():
    section = SectionFactory(text="The sanctioned entities.")
    section_index_refresh(sections=[section])
    assert [s.pk for s in section_search(query="sanctio")] == [section.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["연락' | '사", "a\\\\b", "x:* & !y", "it's"])
def test_prefix_queries_are_valid_whatever_was_typed(raw):
    from django.db import connection

    literal = search_query_parse(raw).prefix_tsquery
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsquery::text", [literal])
        assert cursor.fetchone()[0]
