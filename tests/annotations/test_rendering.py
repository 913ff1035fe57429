from __future__ import annotations

from html.parser import HTMLParser

from annotations.rendering import Span, render_highlights, resolve_anchor


class _Marks(HTMLParser):
    """Collect the text, the nesting of marks and each mark's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.stack: list[dict] = []
        self.marks: list[dict] = []
        self.max_depth = 0
        self.other_tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag != "mark":
            self.other_tags.append(tag)
            return
        mark = {**dict(attrs), "text": "", "depth": len(self.stack) + 1}
        self.stack.append(mark)
        self.marks.append(mark)
        self.max_depth = max(self.max_depth, len(self.stack))

    def handle_endtag(self, tag):
        if tag == "mark":
            self.stack.pop()

    def handle_data(self, data):
        self.text += data
        for mark in self.stack:
            mark["text"] += data


def parse(html: str) -> _Marks:
    parser = _Marks()
    parser.feed(html)
    parser.close()
    assert parser.stack == [], "unbalanced <mark> elements"
    return parser


def text_of(parsed: _Marks, annotation_id: int) -> str:
    return "".join(m["text"] for m in parsed.marks if m["data-annotation-id"] == str(annotation_id))


def test_no_spans_is_the_escaped_text():
    assert render_highlights("a < b & c", []) == "a &lt; b &amp; c"


def test_single_span_wraps_exactly_its_text():
    html = render_highlights("미국은 빅딜을 요구했다", [Span(id=7, start=4, end=6, colour="#e57373")])
    assert html == (
        '미국은 <mark id="annotation-7" class="hl hl-tagged" data-annotation-id="7" '
        'data-annotation-ids="7" data-hl="#e57373">빅딜</mark>을 요구했다'
    )


def test_hostile_text_and_titles_are_escaped():
    text = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    spans = [Span(id=1, start=0, end=8, title='"><script>alert(2)</script>'), Span(id=2, start=10, end=20)]
    html = render_highlights(text, spans)
    parsed = parse(html)
    assert parsed.other_tags == []  # no element but <mark> came out of the text
    assert parsed.text == text
    assert "<script>" not in html and "<img" not in html
    assert parsed.marks[0]["title"] == '"><script>alert(2)</script>'


def test_bad_colour_is_dropped_not_rendered():
    html = render_highlights("abcdef", [Span(id=1, start=0, end=3, colour="red;background:url(x)")])
    assert "style=" not in html and "data-hl" not in html


def test_nested_spans_render_as_nested_marks_longest_outermost():
    text = "0123456789"
    html = render_highlights(text, [Span(id=1, start=0, end=10), Span(id=2, start=3, end=6)])
    parsed = parse(html)
    assert parsed.text == text
    assert parsed.max_depth == 2
    assert [(m["data-annotation-id"], m["depth"]) for m in parsed.marks] == [("1", 1), ("2", 2)]
    assert text_of(parsed, 1) == text and text_of(parsed, 2) == "345"
    assert parsed.marks[1]["data-annotation-ids"] == "1 2"


def test_crossing_spans_split_the_longer_one_and_keep_every_character():
    text = "abcdefghij"
    # 1 covers a-f (6), 2 covers d-j (7): the shorter one (1) must be innermost where they overlap.
    html = render_highlights(text, [Span(id=1, start=0, end=6), Span(id=2, start=3, end=10)])
    parsed = parse(html)
    assert parsed.text == text
    assert text_of(parsed, 1) == "abcdef"
    assert text_of(parsed, 2) == "defghij"
    inner = [m for m in parsed.marks if m["depth"] == 2]
    assert [m["data-annotation-id"] for m in inner] == ["1"]
    assert inner[0]["text"] == "def"
    # only the first fragment of each annotation carries the permalink id
    ids = [m.get("id") for m in parsed.marks]
    assert ids.count("annotation-1") == 1 and ids.count("annotation-2") == 1
    assert sum("hl-cont" in m["class"] for m in parsed.marks) == len(parsed.marks) - 2


def test_adjacent_and_identical_spans():
    text = "abcdef"
    spans = [Span(id=1, start=0, end=3), Span(id=2, start=3, end=6), Span(id=3, start=0, end=3)]
    parsed = parse(render_highlights(text, spans))
    assert parsed.text == text
    assert text_of(parsed, 1) == "abc" and text_of(parsed, 3) == "abc" and text_of(parsed, 2) == "def"
    assert parsed.max_depth == 2


def test_emoji_outside_the_bmp_is_one_code_point():
    text = "🇰🇷 제재 완화 😀 논의"
    start = text.index("제재 완화")
    parsed = parse(render_highlights(text, [Span(id=1, start=start, end=start + 5)]))
    assert start == 3  # two regional indicators and a space: code points, not UTF-16 units
    assert text_of(parsed, 1) == "제재 완화"
    parsed = parse(render_highlights(text, [Span(id=2, start=9, end=10)]))
    assert text_of(parsed, 2) == "😀"


def test_many_overlaps_stay_balanced_and_lossless():
    text = "가나다라마바사아자차카타파하" * 5
    spans = [Span(id=i, start=(i * 7) % 60, end=(i * 7) % 60 + 3 + i % 11) for i in range(1, 40)]
    parsed = parse(render_highlights(text, spans))
    assert parsed.text == text
    for span in spans:
        assert text_of(parsed, span.id) == text[span.start : span.end]


def test_out_of_range_spans_are_ignored():
    parsed = parse(render_highlights("abc", [Span(id=1, start=2, end=9), Span(id=2, start=-1, end=1)]))
    assert parsed.marks == [] and parsed.text == "abc"


def test_resolve_anchor_prefers_offsets_then_context_then_unique_quote():
    text = "영변 핵시설 폐기. 영변 이외 핵시설."
    assert resolve_anchor(text, start=0, end=2, quote="영변") == (0, 2)
    moved = "서문. " + text
    assert resolve_anchor(moved, start=0, end=6, quote="핵시설 폐기", prefix="영변 ") == (7, 13)
    assert resolve_anchor(moved, start=0, end=2, quote="영변", suffix=" 이외") == (15, 17)
    assert resolve_anchor(moved, start=0, end=2, quote="영변") is None  # twice: ambiguous
    assert resolve_anchor(text, start=0, end=3, quote="없는 말") is None
