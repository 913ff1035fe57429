from __future__ import annotations

import pytest
from django.db import connection

from search.query import (
    EMPTY_MESSAGE,
    MAX_QUERY_CHARS,
    NO_WORDS_MESSAGE,
    TOO_LONG_MESSAGE,
    search_query_parse,
)


def as_tsquery(literal: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsquery::text", [literal])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_words_are_anded_and_particles_dropped():
    assert search_query_parse("제재를 완화").tsquery == "( '제재' & '완화' )"


@pytest.mark.django_db
def test_a_compound_matches_as_written_as_adjacent_parts_or_as_its_parts():
    assert (
        search_query_parse("종전선언").tsquery == "( '종전선언' | '종전' <-> '선언' | ( '종전' & '선언' ) )"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["", "   ", None])
def test_empty_query_is_refused_with_a_message(raw):
    assert search_query_parse(raw).error == EMPTY_MESSAGE


@pytest.mark.django_db
def test_overlong_query_is_refused_with_a_message():
    assert search_query_parse("가" * MAX_QUERY_CHARS).error is None
    assert search_query_parse("가" * (MAX_QUERY_CHARS + 1)).error == TOO_LONG_MESSAGE


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["&", "| ! :*", "( ) <->", "!!!", "'\"", "…·"])
def test_operators_and_punctuation_alone_are_refused(raw):
    assert search_query_parse(raw).error == NO_WORDS_MESSAGE


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw", ["제재 & !완화", "a:* | b", "종전선언') | ('x", "(제재 <-> 완화)", "\\'; DROP TABLE x; --"]
)
def test_operators_typed_by_users_never_reach_the_tsquery(raw):
    parsed = search_query_parse(raw)
    assert parsed.error is None
    # The literal is valid for PostgreSQL and holds only our quoted lexemes and operators.
    rendered = as_tsquery(parsed.tsquery) if parsed.tsquery else ""
    for unit in parsed.units:
        for lexeme in unit:
            assert lexeme.replace("'", "''") in rendered
    assert "!" not in rendered and ":*" not in rendered


@pytest.mark.django_db
def test_quoted_phrases_are_kept_apart_from_the_words():
    parsed = search_query_parse("“하노이 선언” 종전")
    assert parsed.phrases == ("하노이 선언",)
    assert parsed.tsquery == "'종전'"


@pytest.mark.django_db
def test_english_glossary_terms_also_search_their_korean():
    parsed = search_query_parse("end-of-war declaration")
    assert parsed.tsquery == (
        "( ( 'end' & 'war' & 'declar' ) | ( '종전선언' | '종전' <-> '선언' | ( '종전' & '선언' ) ) )"
    )
    assert "( '제재' & '완화' )" in search_query_parse("Sanctions relief").tsquery


@pytest.mark.django_db
def test_queries_are_normalised_to_nfc_first():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "제재를")
    parsed = search_query_parse(decomposed)
    assert parsed.text == "제재를"
    assert parsed.tsquery == "'제재'"
