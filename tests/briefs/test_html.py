"""The HTML reader: trafilatura's extract of a page, a structural walk of a fragment, metadata."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from briefs.importers import blocks as b
from briefs.importers import html as html_reader
from briefs.importers.html import read_html
from briefs.importers.sectioner import document_from_blocks
from tests.briefs.corpus import corpus_file, corpus_spec

PARA = (
    "The ministry said on Tuesday that the new budget would raise spending on schools in rural "
    "provinces by a fifth, after two years in which enrolment fell faster than expected. "
)
PAGE = f"""<!doctype html>
<html lang="en"><head><title>Schools get more money | Daily Planet</title>
<meta property="og:site_name" content="Daily Planet">
<meta property="og:title" content="Schools get more money - Daily Planet">
<meta property="og:url" content="https://www.dailyplanet.example/world/schools-123">
<meta property="article:published_time" content="2024-12-06T22:00:00Z">
<script type="application/ld+json"><![CDATA[{{"@type": "NewsArticle", "author": [{{"name": "Lois Lane"}},
 {{"name": "Clark Kent"}}], "datePublished": "2024-12-05"}}]]></script>
</head><body>
<header><a href="/">Daily Planet</a><nav><ul><li><a href="/w">World</a></li><li><a href="/p">Politics</a></li>
<li><a href="/b">Business</a></li><li><a href="/s">Sports</a></li></ul></nav></header>
<div class="weather">Metropolis 21°C Sunny</div>
<main><article>
<h1>Schools get more money</h1>
<div class="byline">By Lois Lane and Clark Kent</div><time>Dec. 6, 2024, 10:00 PM UTC</time>
<ul class="share"><li><a href="#">Facebook</a></li><li><a href="#">Twitter</a></li>
<li><a href="#">Email</a></li></ul>
<figure><img src="a.jpg" alt="Pupils in a classroom">
<figcaption>Pupils in a classroom. Jimmy Olsen / Getty Images</figcaption></figure>
<p>{PARA * 3}</p>
<p>{PARA * 2}</p>
<h2>What the money is for</h2>
<p>{PARA * 3}</p>
<p>{PARA * 2}</p>
<h2>Reactions</h2>
<p>{PARA * 3}</p>
<div class="most-viewed"><h3>Most viewed</h3><ol>
<li><a href="/1">A long headline about a storm that hit the coast on Monday night and the damage</a></li>
<li><a href="/2">A long headline about the football final and the crowds that came to see it</a></li>
<li><a href="/3">A long headline about a court ruling on the new housing law passed last year</a></li>
<li><a href="/4">A long headline about the price of rice and what farmers say about the harvest</a></li>
<li><a href="/5">A long headline about a film festival and the winners of its first prizes</a></li>
</ol></div>
</article>
<section class="related"><h2>Related</h2><ul>
<li><a href="/x">Another story about money and schools in the provinces</a></li>
<li><a href="/y">A third story about the budget and what it means for you</a></li></ul></section>
</main>
<footer><a href="/privacy">Privacy Policy</a>
<a href="/terms">Terms of Service</a> © 2024 Daily Planet</footer>
</body></html>"""


def texts(document, kind):
    return [blk.text for blk in document.blocks if blk.kind == kind]


def parsed(html: str):
    return document_from_blocks(read_html(html), filename="page.html")


# --- a page -------------------------------------------------------------------------------


def test_a_page_is_read_through_trafilatura_without_the_site_around_the_article():
    document = read_html(PAGE)
    assert {blk.why for blk in document.blocks if blk.kind == b.PARAGRAPH} == {"paragraph of the article"}
    assert texts(document, b.HEADING) == ["What the money is for", "Reactions"]
    body = " ".join(blk.text for blk in document.blocks if blk.kind != b.FURNITURE)
    for chrome in (
        "Politics",
        "Sunny",
        "Facebook",
        "Most viewed",
        "storm",
        "Privacy",
        "Getty",
        "Dec. 6",
        "By Lois",
    ):
        assert chrome not in body


def test_the_title_is_the_articles_h1_and_not_a_section():
    document = parsed(PAGE)
    assert document.title == "Schools get more money"
    assert [s.heading for s in document.sections] == ["", "What the money is for", "Reactions"]


def test_metadata_from_meta_tags_json_ld_and_the_html_lang():
    document = parsed(PAGE)
    assert document.publication_date == "2024-12-06"  # article:published_time before JSON-LD
    assert document.authors == ["Lois Lane", "Clark Kent"]  # JSON-LD author, CDATA-wrapped
    assert document.source_url == "https://www.dailyplanet.example/world/schools-123"
    assert document.organisation == "Daily Planet"
    assert document.language == "en"


def test_json_ld_date_when_no_meta_states_one():
    page = PAGE.replace('<meta property="article:published_time" content="2024-12-06T22:00:00Z">', "")
    assert parsed(page).publication_date == "2024-12-05"


@pytest.mark.parametrize(
    ("stated", "site", "title"),
    [
        ("Budget talks stall | Yonhap News Agency", "Yonhap News Agency", "Budget talks stall"),
        ("Budget talks stall - NBC News", "", "Budget talks stall"),  # named by the host, nbcnews.com
        ("Budget talks stall :: Korea Herald", "The Korea Herald", "Budget talks stall"),
        ("Left - Right", "Daily Planet", "Left - Right"),  # the last segment does not name the site
    ],
)
def test_a_trailing_site_name_is_stripped_from_the_stated_title(stated, site, title):
    page = (
        f'<html><head><meta property="og:title" content="{stated}">'
        f'<meta property="og:site_name" content="{site}">'
        '<link rel="canonical" href="https://www.nbcnews.com/a"></head>'
        f"<body><p>{PARA}</p></body></html>"
    )
    assert parsed(page).title == title


def test_the_h1_inside_the_article_beats_the_sites_h1():
    page = (
        "<html><head><title>Story | Paper</title></head><body><header><h1>Paper</h1></header>"
        f"<article><h1>Story</h1><p>{PARA}</p></article></body></html>"
    )
    document = parsed(page)
    assert document.title == "Story"
    assert all("Paper" not in s.text for s in document.sections)


# --- the structural walk ------------------------------------------------------------------


FRAGMENT = f"""<div><div>Trade Relations</div>
<div><div>Updated September 17, 2026 (IF10733)</div></div>
<div><p>{PARA}</p>
<h2>Patterns</h2><p>{PARA}</p>
<table><tr><td><p>Figure 1. Total Trade</p></td></tr><tr><td><img></td></tr>
<tr><td><p>Source: the Bureau.</p></td></tr></table>
<table><caption>Table 1. Exports</caption>
<tr><th>Year</th><th>Value</th></tr><tr><td>2025</td><td>99</td></tr></table>
<h2>Sectors</h2><h3>Farming</h3><p>{PARA}</p>
<ol start="3"><li>third point</li><li>fourth point<ul><li>nested</li></ul></li></ol>
<blockquote>A quotation.</blockquote>
</div></div>"""


def test_a_fragment_is_walked_structurally():
    document = read_html(FRAGMENT)
    assert [(blk.text, blk.level) for blk in document.blocks if blk.kind == b.HEADING] == [
        ("Patterns", 2),
        ("Sectors", 2),
        ("Farming", 3),
    ]
    assert [(blk.marker, blk.level, blk.text) for blk in document.blocks if blk.kind == b.LIST_ITEM] == [
        ("3.", 1, "third point"),
        ("4.", 1, "fourth point"),
        ("•", 2, "nested"),
    ]
    table = next(blk for blk in document.blocks if blk.kind == b.TABLE)
    assert table.rows == [["Year", "Value"], ["2025", "99"]]
    assert texts(document, b.CAPTION) == ["Table 1. Exports"]
    assert texts(document, b.QUOTE) == ["A quotation."]


def test_a_fragments_first_short_line_is_the_title_and_its_date_line_is_furniture():
    document = parsed(FRAGMENT)
    assert document.title == "Trade Relations"
    assert document.publication_date == "2026-09-17"
    assert document.sections[0].text.startswith("The ministry said")
    assert all("Updated" not in s.text for s in document.sections)


def test_the_caption_of_an_image_laid_out_as_a_table_is_furniture():
    document = read_html(FRAGMENT)
    assert "Figure 1. Total Trade" in texts(document, b.FURNITURE)
    assert "Source: the Bureau." in texts(document, b.FURNITURE)


def test_a_figure_around_an_image_is_left_out_but_one_around_a_table_keeps_its_caption():
    page = (
        f"<div><p>{PARA}</p><figure><img src='a.jpg'>"
        "<figcaption>Photo: AFP - Getty Images</figcaption></figure>"
        "<figure><table><tr><td>1</td><td>2</td></tr></table>"
        "<figcaption>Table 2. Counts</figcaption></figure></div>"
    )
    document = read_html(page)
    assert texts(document, b.FURNITURE) == ["Photo: AFP - Getty Images"]
    assert texts(document, b.CAPTION) == ["Table 2. Counts"]
    assert texts(document, b.TABLE) == ["1\t2"]


def test_tables_of_contents_and_edit_links_never_enter_a_section():
    page = (
        '<html lang="ko"><body><div id="content"><h1>문서</h1><p>첫 문단이다.</p>'
        '<div id="toc"><h2>목차</h2><ul><li><a href="#a">1 역사</a></li></ul></div>'
        '<h2>역사<span class="mw-editsection">[<a href="/edit">편집</a>]</span></h2><p>역사 문단이다.</p>'
        "</div></body></html>"
    )
    document = parsed(page)
    assert [(s.heading, s.text) for s in document.sections] == [
        ("", "첫 문단이다."),
        ("역사", "역사 문단이다."),
    ]
    assert document.language == "ko"


def test_link_lists_and_a_trailing_heading_left_alone_are_furniture():
    page = (
        f"<div><p>{PARA}</p><h2>Related</h2><ul><li><a href='/a'>One story</a></li>"
        "<li><a href='/b'>Two story</a></li></ul></div>"
    )
    document = read_html(page)
    assert texts(document, b.FURNITURE) == ["Related", "One story", "Two story"]


def test_a_page_where_trafilatura_finds_too_little_is_walked():
    page = "<html><body><main><p>짧은 본문이다.</p><h2>배경</h2><p>둘째 문단이다.</p></main></body></html>"
    document = parsed(page)
    assert [(s.heading, s.text) for s in document.sections] == [
        ("", "짧은 본문이다."),
        ("배경", "둘째 문단이다."),
    ]


def test_the_walk_is_used_when_the_extract_covers_nearly_everything(monkeypatch):
    calls = []
    real = html_reader._walked

    def spy(soup):
        calls.append(1)
        return real(soup)

    monkeypatch.setattr(html_reader, "_walked", spy)
    read_html(
        f"<html><body><article><h2>A</h2><p>{PARA * 4}</p><h2>B</h2><p>{PARA * 4}</p></article></body></html>"
    )
    assert calls


# --- the corpus ---------------------------------------------------------------------------


def corpus_case(doc_id: str):
    spec = corpus_spec(doc_id)
    path = corpus_file(spec["file"])
    document = document_from_blocks(read_html(path.read_text(encoding="utf-8")), filename=path.name)
    return spec, document


@pytest.mark.parametrize("doc_id", ["05", "06"])
def test_corpus_documents(doc_id):
    spec, document = corpus_case(doc_id)
    assert document.title in spec["title"]
    assert [s.heading for s in document.sections] == [s["h"][0] for s in spec["sections"]]
    body = "\n".join(s.heading + "\n" + s.text for s in document.sections)
    for name, pattern in spec["junk"]:
        assert not re.search(pattern, body), name
    for text in spec["must_contain"]:
        assert text in body
    for section, expected in zip(document.sections, spec["sections"], strict=True):
        if expected.get("starts"):
            assert any(section.text.startswith(start) for start in expected["starts"]), section.heading


def test_the_news_page_metadata():
    _, document = corpus_case("05")
    assert document.authors == ["Stella Kim", "Jennifer Jett"]
    assert document.source_url.startswith("https://www.nbcnews.com/news/world/")
    assert document.publication_year == 2024


def test_hidden_elements_are_not_text():
    page = (
        f"<div><p>{PARA}</p><p hidden>Hidden one.</p><p style='display: none'>Hidden two.</p>"
        "<div aria-hidden='true'>Hidden three.</div><p>Shown.</p></div>"
    )
    body = " ".join(blk.text for blk in read_html(page).blocks)
    assert "Shown." in body
    assert "Hidden" not in body


def test_small_teaser_articles_are_not_the_content_root():
    teasers = "".join(f"<article><a href='/{i}'>Teaser {i}</a></article>" for i in range(3))
    story = f"<div class='story'><h2>Part</h2><p>{PARA * 3}</p></div>"
    page = f"<html><body><div>{teasers}</div>{story}</body></html>"
    document = read_html(page)
    assert "Part" in texts(document, b.HEADING)


def test_a_page_of_nothing_but_links_keeps_them():
    document = read_html("<div><a href='javascript:'><p>abc</p><p>def</p></a></div>")
    assert texts(document, b.PARAGRAPH) == ["abc", "def"]


def test_text_between_the_extracts_elements_is_kept():
    blocks = []
    html_reader._walk_xml(
        etree.fromstring("<main><head rend='h2'>A</head>loose text<p>para</p></main>"), blocks
    )
    assert [(blk.kind, blk.text) for blk in blocks] == [
        (b.HEADING, "A"),
        (b.PARAGRAPH, "loose text"),
        (b.PARAGRAPH, "para"),
    ]


def test_a_masthead_h1_naming_the_site_is_not_the_title():
    page = (
        "<html><head><title>Blog Name: Post Title</title></head><body>"
        "<div id='header'><h1>Blog Name</h1></div>"
        f"<div class='post'><h3>Post Title</h3><p>{PARA * 3}</p></div></body></html>"
    )
    assert parsed(page).title == "Blog Name: Post Title"


def test_a_headings_permalink_anchor_and_inline_markup_leave_no_trace():
    page = (
        f"<div><h2>Evolve<a href='#e'>¶</a></h2><p>{PARA}</p><h2>Metroid<i>, One</i></h2><p>{PARA}</p></div>"
    )
    assert texts(read_html(page), b.HEADING) == ["Evolve", "Metroid, One"]


def test_hostile_nesting_is_read_without_recursing_to_death():
    page = "<div>" * 3000 + "<p>Deep text.</p>" + "</div>" * 3000
    assert [s.text for s in parsed(page).sections] == ["Deep text."]


def test_a_byline_and_timestamp_opening_the_article_are_furniture():
    page = (
        '<html><head><meta name="author" content="Lois Lane"></head><body><article>'
        f"<p>By Lois Lane, Planet staff</p><p>Updated Dec. 6, 2024, 10:00 PM UTC</p><p>{PARA * 3}</p>"
        "</article></body></html>"
    )
    document = read_html(page)
    body = [blk.text for blk in document.blocks if blk.kind != b.FURNITURE]
    assert body and body[0].startswith("The ministry said")


def test_a_bracketed_edit_link_closing_a_heading_goes_without_its_class():
    page = (
        f"<div><p>{PARA}</p><h2>역사<span>[<a href='/edit/1'>편집</a>]</span></h2><p>{PARA}</p>"
        f"<h2>Policy <a href='/e'>[edit]</a></h2><p>{PARA}</p>"
        f"<h2>See [<a href='/n'>note</a>] here</h2><p>{PARA}</p></div>"
    )
    assert texts(read_html(page), b.HEADING) == ["역사", "Policy", "See [note] here"]
