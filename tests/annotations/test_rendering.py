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


class _Innermost(_Marks):
    """Also note, for every character, the ids of the marks open around it, outermost first."""

    def __init__(self) -> None:
        super().__init__()
        self.around: list[list[str]] = []

    def handle_data(self, data):
        super().handle_data(data)
        self.around.extend([[m["data-annotation-id"] for m in self.stack]] * len(data))
        for mark in self.stack:
            assert (
                mark["data-annotation-ids"].split()
                == [m["data-annotation-id"] for m in self.stack][: mark["depth"]]
            )


def test_random_overlaps_nest_longest_outermost_with_one_permalink_target_each():
    import random

    rng = random.Random(14)
    for _ in range(300):
        text = "".join(rng.choice("가나다 <&>·・‧ab\n") for _ in range(rng.randrange(1, 120)))
        spans = []
        for i in range(1, rng.randrange(1, 25)):
            start = rng.randrange(0, len(text))
            spans.append(Span(id=i, start=start, end=min(len(text), start + rng.randrange(1, 30))))
        parser = _Innermost()
        parser.feed(render_highlights(text, spans))
        parser.close()
        assert parser.stack == [] and parser.text == text
        for at, ids in enumerate(parser.around):
            covering = sorted(
                (s for s in spans if s.start <= at < s.end), key=lambda s: (-s.length, s.start, s.id)
            )
            assert ids == [str(s.id) for s in covering], (text, spans, at)
        targets = [m["id"] for m in parser.marks if "id" in m]
        assert sorted(targets) == sorted(f"annotation-{s.id}" for s in spans if s.start < s.end)


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


# --- the margin list ---------------------------------------------------------------------


class _Elements(HTMLParser):
    """Collect every element with its attributes and the text inside it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[dict] = []
        self.elements: list[dict] = []

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, **dict(attrs), "text": ""}
        self.open.append(element)
        self.elements.append(element)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1]["tag"] == tag, f"</{tag}> closes nothing open"
        self.open.pop()

    def handle_data(self, data):
        for element in self.open:
            element["text"] += data


def elements(html: str) -> list[dict]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    assert parser.open == [], "unbalanced elements"
    return parser.elements


def _tag(pk: int, label_en: str, label_ko: str, colour: str = "#e57373"):
    from annotations.models import Tag

    return Tag(pk=pk, code=f"t{pk}", label_en=label_en, label_ko=label_ko, colour=colour)


def _entry(pk: int, **fields):
    from annotations.reading import ReaderAnnotation

    values = {
        "section_id": 1, "start": 0, "end": 2, "quote": "빅딜", "prefix": "", "suffix": "", "note": "",
        "actor": "unspecified", "is_shared": True, "author_name": "kim", "tag_list": [],
    }  # fmt: skip
    return ReaderAnnotation(pk, **{**values, **fields})


def test_margin_lists_each_annotation_with_its_chips_actor_author_and_badges():
    from annotations.rendering import MarginLabels, render_margin

    sanctions, summit = _tag(1, "Sanctions relief", "제재 완화"), _tag(2, "Summit", "정상회담", "#64b5f6")
    labels = MarginLabels.build([sanctions, summit], language="en")
    entries = [
        _entry(10, tag_list=[sanctions, summit], actor="dprk", colour="#e57373"),
        _entry(11, is_shared=False, note="check this", anchor_lost=True),
    ]
    found = elements(render_margin(entries, labels, quote_lang="ko"))
    items = [e for e in found if e["tag"] == "li"]
    assert [(i["data-annotation-id"], i["class"]) for i in items] == [
        ("10", "margin-item"),
        ("11", "margin-item margin-lost"),
    ]
    chips = [(e["class"], e.get("data-hl"), e["text"]) for e in found if "chip" in e.get("class", "")]
    assert chips == [
        ("chip", "#e57373", "Sanctions relief"),
        ("chip", "#64b5f6", "Summit"),
        ("chip chip-plain", None, "Highlight"),
    ]
    by_class = {e.get("class"): e for e in found}
    assert by_class["margin-actor"]["text"] == "North Korea (DPRK)"  # only the first has an actor
    assert sum(e.get("class") == "margin-actor" for e in found) == 1
    assert by_class["private-badge"]["title"] == "Only you can see this"
    assert by_class["margin-note"]["title"] == "check this"
    assert by_class["lost-badge"]["text"] == "text changed: passage not found"
    assert [e["lang"] for e in found if e["tag"] == "q"] == ["ko", "ko"]


def test_margin_speaks_the_interface_language():
    from annotations.rendering import MarginLabels, render_margin

    sanctions = _tag(1, "Sanctions relief", "제재 완화")
    labels = MarginLabels.build([sanctions], language="ko")
    entries = [_entry(1, tag_list=[sanctions], actor="us"), _entry(2)]
    found = elements(render_margin(entries, labels, quote_lang="ko"))
    texts = [e["text"] for e in found if e.get("class", "").startswith(("chip", "margin-actor"))]
    assert texts == ["제재 완화", "미국", "하이라이트"]


def test_margin_escapes_every_user_string():
    from annotations.rendering import MarginLabels, render_margin

    hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    tag = _tag(1, hostile, hostile)
    labels = MarginLabels.build([tag], language="en")
    entry = _entry(1, quote=hostile[:40], note=hostile, author_name=hostile, tag_list=[tag], actor=hostile)
    html = render_margin([entry], labels, quote_lang='ko" onmouseover="x')
    found = elements(html)
    assert {e["tag"] for e in found} == {"ol", "li", "button", "q", "span"}
    assert "<script>" not in html and "<img" not in html
    assert [e["lang"] for e in found if e["tag"] == "q"] == ['ko" onmouseover="x']
    shown = {e["text"] for e in found if e.get("class") in ("chip", "margin-author", "margin-actor")}
    assert shown == {hostile}


def test_margin_truncates_quotes_as_truncatechars_does():
    from django.template.defaultfilters import truncatechars

    from annotations.rendering import MarginLabels, render_margin

    labels = MarginLabels.build([], language="en")
    for quote in ("가" * 90, "가" * 91, "e\u0301" * 95, "🇰🇷" * 60):
        found = elements(render_margin([_entry(1, quote=quote)], labels, quote_lang="ko"))
        assert next(e["text"] for e in found if e["tag"] == "q") == truncatechars(quote, 90)


def test_no_annotations_no_margin_list():
    from annotations.rendering import MarginLabels, render_margin

    assert render_margin([], MarginLabels.build([], language="en"), quote_lang="ko") == ""
