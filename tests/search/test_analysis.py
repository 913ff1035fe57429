from __future__ import annotations

import hashlib
import os
import select
import signal
import unicodedata

import pytest

from briefs.importers import linebreaks
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


def _digest(value) -> bytes:
    return hashlib.sha256(repr(value).encode()).hexdigest().encode()


def test_a_process_forked_after_the_model_loaded_still_analyses_batches():
    # gunicorn --preload: the master builds the model, the workers forked from it share it. Kiwi's
    # worker threads stay in the master, so a batched call in a worker used to wait for ever.
    texts = ["제재를 완화하는 방안과 종전선언, 연락사무소 설치를 논의했다. " * 20, "", "Sanctions relief"] * 4
    expected = analysis.tokenize(texts)  # the model and its threads, in this process
    pairs = [("정상회", "담"), ("비핵화", "를"), ("연락사무", "소")]
    expected_breaks = linebreaks._analyse(pairs)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer, then leave without running the parent's clean-up
        try:
            os.write(write, _digest((analysis.tokenize(texts), linebreaks._analyse(pairs))))
        finally:
            os._exit(0)
    os.close(write)
    try:
        ready, _, _ = select.select([read], [], [], 60)
        answer = os.read(read, 100) if ready else b""
    finally:
        os.close(read)
        if not ready:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    assert ready, "the forked process hung on a batched analysis"
    assert answer == _digest((expected, expected_breaks))


@pytest.mark.django_db
def test_each_word_of_a_multi_word_name_is_a_lexeme():
    # Kiwi's multi-word dictionary read 낸시 펠로시 as one token: 펠로시 alone found nothing.
    assert {"낸시", "펠로시", "하원", "의장"} <= lexemes("낸시 펠로시 하원의장이 방한했다")
