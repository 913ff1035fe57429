from __future__ import annotations

import unicodedata

import pytest

from search import analysis


def lexemes(text: str) -> set[str]:
    (field,) = analysis.analyse_fields([(text, "D")])
    return {occ.lexeme for occ in field.occurrences}


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["제재", "제재를", "제재의", "제재는", "대북제재를"])
def test_particles_do_not_change_the_lexeme(word):
    assert "제재" in lexemes(word)


@pytest.mark.django_db
def test_derived_verbs_give_their_noun():
    assert "완화" in lexemes("긴장을 완화하는 조치")


@pytest.mark.django_db
def test_compound_nouns_give_parts_and_whole_at_one_position():
    (field,) = analysis.analyse_fields([("종전선언과 연락사무소", "D")])
    positions = {occ.lexeme: occ.position for occ in field.occurrences}
    assert {"종전", "선언", "종전선언", "연락", "사무소", "연락사무소"} <= set(positions)
    assert positions["종전선언"] == positions["종전"] == positions["선언"] - 1


@pytest.mark.django_db
def test_verb_stems_carry_the_dictionary_marker_and_span_the_word():
    text = "견해차가 좁혀질 수 있다"
    (field,) = analysis.analyse_fields([(text, "D")])
    occ = next(o for o in field.occurrences if o.lexeme == "좁히다")
    assert text[occ.start : occ.end] == "좁혀질"
    assert "있다" not in {o.lexeme for o in field.occurrences}


@pytest.mark.django_db
def test_english_words_are_stemmed_and_stop_words_dropped():
    found = lexemes("노딜(No Deal) vs. sanctions on the JSA")
    assert {"deal", "vs", "sanction", "jsa", "노딜"} <= found
    assert not found & {"no", "on", "the", "sanctions"}


@pytest.mark.django_db
def test_decomposed_hangul_is_normalised_before_analysis():
    decomposed = unicodedata.normalize("NFD", "제재를 완화")
    assert decomposed != "제재를 완화"
    assert lexemes(decomposed) == lexemes("제재를 완화")


@pytest.mark.django_db
def test_heading_positions_have_weight_a_and_stay_apart_from_the_body():
    heading, body = analysis.analyse_fields([("제재 완화", "A"), ("제재 해제", "D")])
    literal = analysis.tsvector_literal([heading, body])
    assert "'제재':1A," in literal
    assert max(o.position for o in heading.occurrences) + 1 < min(o.position for o in body.occurrences)


def test_lexemes_are_quoted_for_literals():
    assert analysis.quote_lexeme("it's") == "'it''s'"
    assert analysis.quote_lexeme("a\\b") == "'a\\\\b'"


@pytest.mark.django_db
def test_spans_point_at_the_original_words():
    text = "제재의 일부 완화"
    (field,) = analysis.analyse_fields([(text, "D")])
    spans = analysis.spans_by_lexeme(field)
    assert [text[s:e] for s, e in spans["제재"]] == ["제재"]
    assert [text[s:e] for s, e in spans["완화"]] == ["완화"]


@pytest.mark.django_db
def test_a_batch_is_tokenised_as_each_text_alone(monkeypatch):
    texts = ["제재를 완화하는 방안", "", "종전선언과 연락사무소 설치", "Sanctions relief"] * 200
    batched = analysis.tokenize(texts)
    monkeypatch.setattr(analysis, "BATCH_TOKENIZE_MIN_CHARS", 10**9)
    assert analysis.tokenize(texts) == batched
    assert batched[1] == []
