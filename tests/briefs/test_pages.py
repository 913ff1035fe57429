from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import BriefFactory, SectionFactory
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db


def test_library_lists_briefs_with_section_counts(client, django_assert_num_queries):
    brief = BriefFactory(title="제재 완화의 조건", series_code="CO 20-01")
    SectionFactory.create_batch(3, brief=brief)
    BriefFactory(title="English brief", language="en")
    with django_assert_num_queries(3):  # the filters' options, the count, the page
        response = client.get(reverse("briefs:library"))
    assert response.status_code == 200
    (row,) = page_tree(response).xpath("//tbody/tr[td[@data-label='Title']//a[text()='제재 완화의 조건']]")
    assert texts(row, "./td[@data-label='Series']") == ["CO 20-01"]
    assert texts(row, "./td[@data-label='Sections']") == ["3"]


def test_reader_shows_metadata_toc_and_sections_in_order(client, django_assert_num_queries):
    brief = BriefFactory(title="북미정상회담 평가", authors=["현안분석팀"])
    SectionFactory(brief=brief, position=0, heading="", kind="summary", anchor="summary", text="요약문.")
    SectionFactory(brief=brief, position=1, heading="양자의 입장차", anchor="a", text="본문 1.")
    SectionFactory(brief=brief, position=2, heading="향후 과제", anchor="b", text="본문 2.")
    with django_assert_num_queries(2):
        response = client.get(reverse("briefs:reader", args=[brief.slug]))
    assert response.status_code == 200
    sections = response.context["sections"]
    assert [s.heading for s in sections] == ["", "양자의 입장차", "향후 과제"]
    html = response.content.decode()
    assert html.index("양자의 입장차") < html.index("향후 과제")
    assert '<a href="#a"><span lang="ko">양자의 입장차</span></a>' in html
    assert 'class="section section-summary"' in html
    assert "현안분석팀" in html


def test_reader_escapes_document_text(client):
    brief = BriefFactory(title="<script>alert(1)</script>")
    SectionFactory(brief=brief, heading="<b>h</b>", text="<img src=x onerror=alert(1)>")
    html = client.get(reverse("briefs:reader", args=[brief.slug])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_reader_unknown_brief_is_404(client):
    assert client.get("/briefs/no-such-brief/").status_code == 404


def test_reader_rejects_post(client):
    brief = BriefFactory()
    assert client.post(reverse("briefs:reader", args=[brief.slug])).status_code == 405


def test_reader_shows_heading_levels_as_an_outline_without_gaps(client):
    from tests.html import page_tree

    brief = BriefFactory(title="제안요청서")
    SectionFactory(brief=brief, position=0, heading="Ⅰ. 사업 개요", level=1, anchor="i", text="")
    SectionFactory(brief=brief, position=1, heading="1. 개요", level=2, anchor="one", text="사업명: 도입")
    SectionFactory(brief=brief, position=2, heading="가. 목적", level=4, anchor="ga", text="목적은 이렇다.")
    SectionFactory(brief=brief, position=3, heading="Ⅱ. 제안 요청", level=1, anchor="ii", text="내용.")
    tree = page_tree(client.get(reverse("briefs:reader", args=[brief.slug])))
    headings = [
        (h.tag, h.text_content()) for h in tree.xpath("//section/*[contains(@class, 'section-heading')]")
    ]
    assert headings == [("h2", "Ⅰ. 사업 개요"), ("h3", "1. 개요"), ("h4", "가. 목적"), ("h2", "Ⅱ. 제안 요청")]
    # A chapter heading with no text of its own has no text block to annotate.
    assert tree.xpath("//section[@id='i']//div[contains(@class, 'section-text')]") == []
    assert len(tree.xpath("//section[@id='one']//div[contains(@class, 'section-text')]")) == 1
    assert tree.xpath("//nav[@class='toc']//li/@class") == [
        "toc-depth-2",
        "toc-depth-3",
        "toc-depth-4",
        "toc-depth-2",
    ]
