"""Words joined by a middle dot are kept on one line without changing the section's text."""

from __future__ import annotations

import re
from html import unescape

from annotations.rendering import MAX_JOINED, Span, render_highlights

TEXT = "볼튼 보좌관은 생·화학무기까지 거론했다. 남·북·미 정상은 만났다."


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_dot_joined_words_are_wrapped_together():
    html = str(render_highlights(TEXT, []))
    assert re.findall(r'<span class="kr-joined">([^<]*)</span>', html) == ["생·화학무기까지", "남·북·미"]
    assert text_of(html) == TEXT  # offsets count in the same text


def test_inside_a_highlight_the_text_is_unchanged():
    start = TEXT.index("화학")
    span = Span(id=1, start=start, end=start + 4, colour=None, title="t", private=False)
    html = str(render_highlights(TEXT, [span]))
    assert text_of(html) == TEXT
    assert html.count("<mark") == 1 and html.count("</mark>") == 1


def test_a_long_run_and_spaced_dots_are_left_breakable():
    long = "·".join(["가나다"] * 6)
    assert len(long) > MAX_JOINED
    html = str(render_highlights(f"{long} 제재 · 완화", []))
    assert "kr-joined" not in html


def test_hostile_text_stays_escaped():
    html = str(render_highlights("<b>x</b>·<i>y", []))
    assert "<b>" not in html and "<i>" not in html
    assert text_of(html) == "<b>x</b>·<i>y"
