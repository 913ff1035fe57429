from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from search.query import NO_WORDS_MESSAGE, TOO_LONG_MESSAGE
from search.services import section_index_refresh
from tests.factories import BriefFactory, SectionFactory
from tests.search.conftest import annotate

URL = reverse("search:search")


@pytest.mark.django_db
def test_the_empty_page_shows_the_form_and_no_message(client: Client):
    response = client.get(URL)
    assert response.status_code == 200
    assertContains(response, '<link rel="stylesheet" href="/static/css/search.css">', html=True)
    assertNotContains(response, 'role="alert"')


def test_results_link_to_the_reader_anchor_with_marked_words(client: Client, kinu):
    response = client.get(URL, {"q": "제재를"})
    section = kinu.sections.get(position=2)
    assertContains(response, "5 sections found.")
    assertContains(
        response,
        f'<a href="/briefs/{kinu.slug}/?hl=%EC%A0%9C%EC%9E%AC#{section.anchor}">{section.heading}</a>',
        html=True,
    )
    assertContains(response, "<mark>제재</mark>", count=None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type a word or a phrase to search for."),
        ("&|!:*()<->", NO_WORDS_MESSAGE),
        ("가" * 201, TOO_LONG_MESSAGE),
    ],
)
def test_unusable_queries_get_a_message_not_an_error(client: Client, query, message):
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    assertContains(response, f'<p id="q-errors" class="search-message" role="alert">{message}</p>', html=True)


@pytest.mark.django_db
def test_user_text_is_escaped_in_snippets(client: Client):
    section = SectionFactory(text="<script>alert(1)</script> 제재 완화")
    section_index_refresh(sections=[section])
    response = client.get(URL, {"q": "제재"})
    assertNotContains(response, "<script>alert(1)</script>")
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt; <mark>제재</mark> 완화")


@pytest.mark.django_db
def test_results_are_paginated_keeping_the_query_and_filters(client: Client):
    brief = BriefFactory(slug="many")
    sections = SectionFactory.create_batch(25, brief=brief, text="제재 완화 논의")
    section_index_refresh(sections=sections)
    first = client.get(URL, {"q": "제재", "brief": "many"})
    assertContains(first, "25 sections found.")
    assertContains(first, "Page 1 of 2")
    assertContains(
        first, '<a rel="next" href="?q=%EC%A0%9C%EC%9E%AC&amp;brief=many&amp;page=2">Next →</a>', html=True
    )
    second = client.get(URL, {"q": "제재", "brief": "many", "page": 2})
    assertContains(second, "Page 2 of 2")
    assert second.content.count(b'class="search-hit"') == 5


@pytest.mark.django_db
def test_bad_filters_get_messages(client: Client):
    response = client.get(URL, {"q": "제재", "year_from": 2020, "year_to": 2019, "brief": "nope"})
    assert response.status_code == 200
    assertContains(response, "The end year comes before the start year.")
    assertContains(response, "<li>Brief: There is no brief with that address.</li>", html=True)


def test_htmx_gets_the_results_partial_only(client: Client, kinu):
    response = client.get(URL, {"q": "종전선언"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b'<section id="search-results"')
    assertNotContains(response, "<form")


def test_nothing_found_says_so(client: Client, kinu):
    response = client.get(URL, {"q": '"없는 문구"'})
    assertContains(response, "Nothing found for <q>&quot;없는 문구&quot;</q>.")


@pytest.mark.django_db
def test_only_get_is_allowed(client: Client):
    assert client.post(URL, {"q": "제재"}).status_code == 405


# Annotations on the search page ---------------------------------------------------------


DECLARATION = "%EC%A2%85%EC%A0%84%EC%84%A0%EC%96%B8"  # 종전선언, as the querystring writes it


def _tab(kind: str, label: str, count: int, current: bool) -> str:
    aria = ' aria-current="page"' if current else ""
    count_html = f'<span class="search-count">{count}</span>'
    return f'<a href="?q={DECLARATION}&amp;kind={kind}"{aria}>{label} {count_html}</a>'


def test_both_result_lists_are_counted_and_one_is_shown(client: Client, kinu, annotator, codebook):
    section = kinu.sections.get(position=4)
    tag = codebook["end-of-war-declaration"]
    annotation = annotate(annotator, section, "종전선언", tags=[tag], note="공감대", visibility="shared")
    client.force_login(annotator)
    response = client.get(URL, {"q": "종전선언"})
    assertContains(response, _tab("sections", "Sections", 4, True), html=True)
    assertContains(response, _tab("annotations", "Annotations", 1, False), html=True)
    assertContains(response, "4 sections found.")

    response = client.get(URL, {"q": "종전선언", "kind": "annotations"})
    assertContains(response, _tab("annotations", "Annotations", 1, True), html=True)
    assertContains(response, "1 annotation found.")
    url = f"/briefs/{kinu.slug}/?hl=%EC%A2%85%EC%A0%84%EC%84%A0%EC%96%B8#annotation-{annotation.pk}"
    assertContains(
        response,
        f'<blockquote class="search-hit-quote" lang="ko"><a href="{url}"><mark>종전선언</mark></a>'
        "</blockquote>",
        html=True,
    )
    assertContains(
        response,
        f'<li class="search-tag" data-hl="{tag.colour}"><span lang="ko">종전선언</span>'
        " · End-of-war declaration</li>",
        html=True,
    )
    assertContains(response, f"annotator · {kinu.title} · {section.heading}")


def test_only_annotations_found_opens_their_list(client: Client, kinu, annotator):
    annotate(annotator, kinu.sections.get(position=4), "쌍중단", note="백두산호랑이")
    client.force_login(annotator)
    response = client.get(URL, {"q": "백두산호랑이"})
    assertContains(response, "1 annotation found.")
    assertContains(response, "<mark>백두산호랑이</mark>")


def test_another_users_private_annotation_leaves_no_trace_on_the_page(
    client: Client, kinu, annotator, annotator2
):
    annotate(annotator, kinu.sections.get(position=4), "쌍중단", note="백두산호랑이 메모")
    client.force_login(annotator2)
    zero = '<span class="search-count">0</span>'
    for kind in ("sections", "annotations"):
        # Its quote matches, but neither it nor its note shows up, nor does it count.
        response = client.get(URL, {"q": "쌍중단", "kind": kind})
        assertNotContains(response, "백두산호랑이")
        assertContains(response, zero, count=1, html=True)  # annotations; the section counts 1
        # Its note's words find nothing at all, not even a partial-word match.
        response = client.get(URL, {"q": "백두산", "kind": kind})
        assertContains(response, zero, count=2, html=True)
        assertNotContains(response, "<mark>")
    client.force_login(annotator)
    response = client.get(URL, {"q": "백두산"})
    assertContains(response, "<mark>백두산</mark>호랑이 메모", count=1)


def test_anonymous_visitors_see_no_annotations_and_no_tag_filter(client: Client, kinu, annotator, codebook):
    annotate(annotator, kinu.sections.get(position=4), "종전선언", visibility="shared")
    response = client.get(URL, {"q": "종전선언", "kind": "annotations"})
    note = '<span class="search-tabs-note">Sign in to search annotations too.</span>'
    assertContains(response, note, html=True)
    assertContains(response, "Nothing found for <q>종전선언</q> in the annotations you can see.")
    assertNotContains(response, 'name="tag"')


def test_the_tag_filter_narrows_the_annotations(client: Client, kinu, annotator, codebook):
    section = kinu.sections.get(position=4)
    annotate(annotator, section, "종전선언", tags=[codebook["end-of-war-declaration"]])
    annotate(annotator, section, "종전선언", occurrence=1)
    client.force_login(annotator)
    response = client.get(URL, {"q": "종전선언", "kind": "annotations"})
    assertContains(response, "2 annotations found.")
    response = client.get(URL, {"q": "종전선언", "kind": "annotations", "tag": "end-of-war-declaration"})
    assertContains(response, "1 annotation found.")
    option = '<option value="end-of-war-declaration" selected>End-of-war declaration (종전선언)</option>'
    assertContains(response, option, html=True)
    response = client.get(URL, {"q": "종전선언", "tag": "nope"})
    assertContains(response, "<li>Annotation tag: There is no tag with the code nope.</li>", html=True)


@pytest.mark.parametrize("kind", ["sections", "annotations"])
def test_the_number_of_queries_does_not_grow_with_the_results(client: Client, annotator, codebook, kind):
    brief = BriefFactory(slug="many")
    tags = [codebook["big-deal"], codebook["phased-approach"]]

    def page_queries(count: int) -> int:
        sections = SectionFactory.create_batch(count, brief=brief, text="영변 핵시설 폐기와 제재 완화")
        section_index_refresh(sections=sections)
        for section in sections:
            annotate(annotator, section, "영변 핵시설", tags=tags, note="제재 완화", visibility="shared")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"q": "영변 제재", "kind": kind})
        assert response.status_code == 200
        return len(queries)

    client.force_login(annotator)
    client.get(URL, {"q": "영변 제재"})  # the process's first search loads the glossary
    few = page_queries(2)
    many = page_queries(12)  # 14 results on the page now
    assert few == many, (few, many)
    assert many <= 12, many
