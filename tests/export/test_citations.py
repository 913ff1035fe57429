from __future__ import annotations

import datetime as dt
import json

from annotations.export.citations import citation, citation_en, citation_ko, section_label
from briefs.models import Brief, Section
from tests.factories import AnnotationFactory, SectionFactory


def brief(**kwargs) -> Brief:
    fields = {
        "title": "제2차 북미정상회담 평가와 향후 과제",
        "organisation": "통일연구원",
        "series_code": "CO 19-05",
        "authors": ["통일연구원 현안분석팀"],
        "publication_year": 2019,
        "language": "ko",
    }
    fields.update(kwargs)
    return Brief(**fields)


def section(heading: str = "양자의 입장차: 빅딜 vs. 단계적 접근", kind: str = "body") -> Section:
    return Section(heading=heading, kind=kind, position=1, text="본문")


def test_korean_citation_matches_the_house_example():
    assert citation_ko(brief(), section()) == (
        "통일연구원 현안분석팀, 「제2차 북미정상회담 평가와 향후 과제」, 통일연구원 CO 19-05 (2019), "
        "'양자의 입장차: 빅딜 vs. 단계적 접근'"
    )


def test_korean_citation_joins_several_authors_with_commas():
    result = citation_ko(brief(authors=["홍길동", "김철수"]), section())
    assert result.startswith("홍길동, 김철수, 「제2차")


def test_korean_citation_leaves_out_empty_parts_with_their_punctuation():
    bare = brief(authors=[], organisation="", series_code="", publication_year=None)
    assert (
        citation_ko(bare, section())
        == "「제2차 북미정상회담 평가와 향후 과제」, '양자의 입장차: 빅딜 vs. 단계적 접근'"
    )
    no_series = brief(series_code="", authors=[])
    assert citation_ko(no_series, section()) == (
        "「제2차 북미정상회담 평가와 향후 과제」, 통일연구원 (2019), '양자의 입장차: 빅딜 vs. 단계적 접근'"
    )
    year_only = brief(organisation="", series_code="")
    assert "「제2차 북미정상회담 평가와 향후 과제」, (2019), '" in citation_ko(year_only, section())


def test_korean_citation_prefers_the_publication_date_year():
    dated = brief(publication_date=dt.date(2020, 1, 2), publication_year=2019)
    assert "(2020)" in citation_ko(dated, section())


def test_unheaded_sections_are_named_by_kind_in_each_language():
    summary = section(heading="", kind="summary")
    intro = section(heading="", kind="body")
    assert section_label(summary, "ko") == "요약"
    assert section_label(summary, "en") == "Summary"
    assert section_label(intro, "ko") == "들어가며"
    assert section_label(intro, "en") == "Introduction"
    assert citation_ko(brief(), summary).endswith(", '요약'")
    assert section_label(section(), "en") == "양자의 입장차: 빅딜 vs. 단계적 접근"


def english_brief(**kwargs) -> Brief:
    fields = {
        "title": "After Hanoi",
        "organisation": "통일연구원",
        "organisation_en": "Korea Institute for National Unification",
        "series_code": "Online Series CO 19-06",
        "authors": ["Jane Doe", "John Roe"],
        "publication_year": 2019,
        "language": "en",
    }
    fields.update(kwargs)
    return Brief(**fields)


def test_english_citation_is_chicago_like():
    assert citation_en(english_brief(), section("The Sticking Point")) == (
        'Jane Doe and John Roe, "After Hanoi," Korea Institute for National Unification '
        'Online Series CO 19-06 (2019), "The Sticking Point."'
    )


def test_english_citation_lists_three_authors_with_a_serial_comma():
    three = english_brief(authors=["A. Kim", "B. Lee", "C. Park"])
    assert citation_en(three, section("S")).startswith('A. Kim, B. Lee, and C. Park, "After Hanoi,"')


def test_english_citation_keeps_a_title_or_section_own_closing_mark():
    asked = english_brief(title="Is a Deal Possible?", authors=[])
    assert citation_en(asked, section("What now?")) == (
        '"Is a Deal Possible?" Korea Institute for National Unification Online Series CO 19-06 (2019), '
        '"What now?"'
    )


def test_english_citation_leaves_out_empty_parts():
    bare = english_brief(
        authors=[], organisation="", organisation_en="", series_code="", publication_year=None
    )
    assert citation_en(bare, section(heading="", kind="summary")) == '"After Hanoi," "Summary."'


def test_citation_follows_the_brief_language():
    assert citation(brief(), section()).startswith("통일연구원 현안분석팀, 「")
    assert citation(english_brief(), section("S")).startswith('Jane Doe and John Roe, "After Hanoi,"')


def test_citations_give_the_page_the_quoted_paragraph_starts_on():
    assert citation_ko(brief(), section(), 3).endswith("'양자의 입장차: 빅딜 vs. 단계적 접근', 3쪽")
    assert citation_en(english_brief(), section("The Sticking Point"), 12).endswith(
        '(2019), "The Sticking Point," p. 12.'
    )
    paged = Section(
        heading="H", text="첫 문단\n\n둘째 문단", page_start=4, page_offsets=[0, 6], page_numbers=[4, 5]
    )
    assert citation(brief(), paged, paged.page_at(7)).endswith("'H', 5쪽")
    assert citation(brief(), section(), None).endswith("'양자의 입장차: 빅딜 vs. 단계적 접근'")


def test_a_quote_running_onto_the_next_page_cites_the_range():
    assert citation_ko(brief(), section(), 3, 4).endswith("'양자의 입장차: 빅딜 vs. 단계적 접근', 3-4쪽")
    assert citation_en(english_brief(), section("The Sticking Point"), 12, 13).endswith(
        '(2019), "The Sticking Point," pp. 12–13.'
    )
    assert citation_ko(brief(), section(), 3, 3).endswith(", 3쪽")


def test_exports_cite_the_pages_the_quote_spans(world):
    from annotations.export.citations import annotation_citation
    from tests.export.conftest import export_bytes

    # Two paragraphs: the first starts on page 7, the second on page 8.
    text = "첫 문단은 일곱째 쪽에서 시작한다.\n\n둘째 문단은 여덟째 쪽에 있다."
    paged = SectionFactory(
        brief=world.ko_bigdeal.section.brief,
        position=9,
        anchor="s9",
        heading="쪽",
        text=text,
        page_start=7,
        page_end=8,
        page_offsets=[0, text.index("둘째")],
        page_numbers=[7, 8],
    )
    across = AnnotationFactory(section=paged, author=world.editor, start=6, end=text.index("여덟째"))
    within = AnnotationFactory(section=paged, author=world.editor, start=text.index("여덟째"), end=len(text))
    assert annotation_citation(across).endswith("'쪽', 7-8쪽")
    assert annotation_citation(within).endswith("'쪽', 8쪽")
    rows = {r["id"]: r for r in map(json.loads, export_bytes(world.editor, "jsonl").decode().splitlines())}
    assert rows[across.pk]["citation"].endswith("7-8쪽") and rows[across.pk]["page"] == 7
    markdown = export_bytes(world.editor, "md").decode()
    assert "'쪽', 7-8쪽" in markdown
