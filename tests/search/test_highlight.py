from __future__ import annotations

from pathlib import Path

from search import highlight


def test_highlighted_html_escapes_every_piece_and_marks_hits():
    html = highlight.highlighted_html([("<b>a&b</b> ", False), ("<script>", True)])
    assert html == "&lt;b&gt;a&amp;b&lt;/b&gt; <mark>&lt;script&gt;</mark>"


def test_mark_safe_is_used_in_one_place_only():
    search_dir = Path(highlight.__file__).parent
    users = [p.name for p in search_dir.rglob("*.py") if "mark_safe(" in p.read_text()]
    assert users == ["highlight.py"]
    assert (search_dir / "highlight.py").read_text().count("mark_safe(") == 1


def test_lexeme_spans_join_adjacent_parts_of_a_phrase_only():
    text = "종전 선언을 했고, 하노이 선언은 없었다"
    spans = {"종전": [[0, 2]], "선언": [[3, 5], [14, 16]]}
    assert highlight.lexeme_spans(text, spans, [("종전", "선언")]) == [(0, 5)]
    assert highlight.lexeme_spans(text, spans, [("선언",)]) == [(3, 5), (14, 16)]


def test_stale_spans_beyond_the_text_are_ignored():
    assert highlight.lexeme_spans("짧다", {"x": [[0, 1], [5, 9]]}, [("x",)]) == [(0, 1)]


def test_snippet_is_a_window_around_the_hit_with_ellipses():
    text = "가나다 " * 60 + "제재의 일부 완화 " + "라마바 " * 60
    start = text.index("제재")
    pieces = highlight.snippet_pieces(text, [(start, start + 2)])
    shown = "".join(t for t, _ in pieces)
    assert pieces[0][0].startswith(highlight.ELLIPSIS)
    assert shown.endswith(highlight.ELLIPSIS)
    assert ("제재", True) in pieces
    assert 80 <= len(shown) <= 140


def test_snippet_without_hits_shows_the_opening():
    pieces = highlight.snippet_pieces("첫 문장이다.\n\n둘째 문장이다.", [])
    assert pieces == [("첫 문장이다. 둘째 문장이다.", False)]


def test_substring_and_similar_word_spans():
    text = "Yongbyon reactor; yongbyon again"
    assert highlight.substring_spans(text, ["YONGBYON"]) == [(0, 8), (18, 26)]
    assert highlight.similar_word_spans(text, ["Yongbion"]) == [(0, 8), (18, 26)]
