"""The library: brief_library's filters, sorts and visible annotation counts, and its page."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from annotations.models import Annotation
from briefs.forms import LibraryForm
from briefs.models import Brief, Section
from briefs.selectors import LibraryOptions, brief_library, brief_library_options
from tests.factories import AnnotationFactory, BriefFactory, SectionFactory, UserFactory, role_user
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db

LIBRARY = reverse("briefs:library")
ANONYMOUS = type("Anonymous", (), {"is_authenticated": False, "pk": None})()


def pks(qs) -> list[int]:
    return [brief.pk for brief in qs]


def library(user=ANONYMOUS, **kwargs) -> list[int]:
    return pks(brief_library(user=user, **kwargs))


# --- filters ---------------------------------------------------------------------------------


def test_text_filter_matches_title_or_subtitle_case_insensitively():
    in_title = BriefFactory(title="Sanctions relief and the summit")
    in_subtitle = BriefFactory(title="북미 관계", subtitle="After the SANCTIONS debate")
    korean = BriefFactory(title="대북 제재 완화의 조건")
    BriefFactory(title="Something else", subtitle="nothing here")
    assert sorted(library(q="sanctions")) == sorted([in_title.pk, in_subtitle.pk])
    assert library(q="제재") == [korean.pk]
    assert library(q="%") == []  # a LIKE wildcard is a character like any other


def test_organisation_and_series_filters_are_exact():
    kinu = BriefFactory(organisation="통일연구원", series_code="CO 19-05")
    BriefFactory(organisation="통일연구원 북한연구실", series_code="CO 19-055")
    assert library(organisation="통일연구원") == [kinu.pk]
    assert library(series="CO 19-05") == [kinu.pk]
    assert library(organisation="통일") == []


def test_language_filter():
    english = BriefFactory(language="en")
    BriefFactory(language="ko")
    assert library(language="en") == [english.pk]


def test_year_filter_reads_the_publication_date_first_then_the_year():
    dated = BriefFactory(publication_date=datetime.date(2020, 3, 1), publication_year=2020)
    year_only = BriefFactory(publication_date=None, publication_year=2020)
    # The date wins where both are set, as the page shows the date.
    odd = BriefFactory(publication_date=datetime.date(2021, 1, 5), publication_year=2020)
    BriefFactory(publication_date=None, publication_year=None)
    assert sorted(library(year=2020)) == sorted([dated.pk, year_only.pk])
    assert library(year=2021) == [odd.pk]
    assert library(year=1999) == []


def test_filters_combine():
    match = BriefFactory(title="Deal", organisation="KINU", language="en", publication_year=2019)
    BriefFactory(title="Deal", organisation="KINU", language="en", publication_year=2018)
    BriefFactory(title="Deal", organisation="Other", language="en", publication_year=2019)
    assert library(q="deal", organisation="KINU", language="en", year=2019) == [match.pk]


# --- sorts -----------------------------------------------------------------------------------


def test_sort_by_title_both_directions_case_insensitively():
    b = BriefFactory(title="beta")
    a = BriefFactory(title="Alpha")
    c = BriefFactory(title="Gamma")
    assert library(sort="title", direction="asc") == [a.pk, b.pk, c.pk]
    assert library(sort="title", direction="desc") == [c.pk, b.pk, a.pk]


def test_sort_by_organisation_both_directions_with_none_last():
    none = BriefFactory(organisation="", title="A")
    kinu = BriefFactory(organisation="KINU")
    asan = BriefFactory(organisation="Asan")
    assert library(sort="organisation", direction="asc") == [asan.pk, kinu.pk, none.pk]
    assert library(sort="organisation", direction="desc") == [kinu.pk, asan.pk, none.pk]


def test_sort_by_date_both_directions_with_undated_briefs_last():
    undated = BriefFactory(publication_date=None, publication_year=None, title="A undated")
    early = BriefFactory(publication_date=datetime.date(2019, 2, 1), publication_year=2019)
    late = BriefFactory(publication_date=datetime.date(2019, 11, 1), publication_year=2019)
    year_only = BriefFactory(publication_date=None, publication_year=2019)
    newer_year = BriefFactory(publication_date=None, publication_year=2021)
    assert library(sort="date", direction="desc") == [
        newer_year.pk,
        late.pk,
        early.pk,
        year_only.pk,
        undated.pk,
    ]
    assert library(sort="date", direction="asc") == [
        early.pk,
        late.pk,
        year_only.pk,
        newer_year.pk,
        undated.pk,
    ]


def test_sort_by_annotation_count_both_directions():
    author = UserFactory()
    briefs = [BriefFactory(title=f"T{n}") for n in range(3)]
    for brief, count in zip(briefs, [2, 0, 5], strict=True):
        section = SectionFactory(brief=brief)
        AnnotationFactory.create_batch(count, section=section, author=author)
    assert library(author, sort="annotations", direction="desc") == [briefs[2].pk, briefs[0].pk, briefs[1].pk]
    assert library(author, sort="annotations", direction="asc") == [briefs[1].pk, briefs[0].pk, briefs[2].pk]


@pytest.mark.parametrize("sort", ["title", "organisation", "date", "annotations"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_ties_are_broken_by_pk_so_pages_are_stable(sort, direction):
    same = [BriefFactory(title="Same", organisation="KINU", publication_year=2019) for _ in range(4)]
    expected = sorted(b.pk for b in same)
    assert library(sort=sort, direction=direction) == (expected if direction == "asc" else expected[::-1])


def test_the_default_order_is_newest_first():
    old = BriefFactory(publication_year=2018)
    new = BriefFactory(publication_year=2020)
    assert library() == [new.pk, old.pk]


# --- counts ----------------------------------------------------------------------------------


def test_counts_do_not_multiply_and_only_visible_live_annotations_count():
    me, other = UserFactory(), UserFactory()
    brief = BriefFactory()
    first, second, _third = SectionFactory.create_batch(3, brief=brief)
    AnnotationFactory(section=first, author=me, visibility="private")  # counts: mine
    AnnotationFactory(section=second, author=other, visibility="shared")  # counts: shared
    AnnotationFactory(section=first, author=other, visibility="private")  # never: someone else's private
    AnnotationFactory(section=first, author=me, deleted_at=timezone.now())  # never: deleted
    AnnotationFactory(section=second, author=other, visibility="shared", deleted_at=timezone.now())
    AnnotationFactory(author=me)  # another brief's
    row = brief_library(user=me).get(pk=brief.pk)
    assert (row.section_count, row.annotation_count) == (3, 2)
    assert brief_library(user=other).get(pk=brief.pk).annotation_count == 2  # its private + shared
    anonymous = brief_library(user=ANONYMOUS).get(pk=brief.pk)
    assert (anonymous.section_count, anonymous.annotation_count) == (3, 0)


def test_a_brief_without_sections_counts_zero():
    brief = BriefFactory()
    row = brief_library(user=UserFactory()).get(pk=brief.pk)
    assert (row.section_count, row.annotation_count) == (0, 0)


def test_filter_options_are_the_distinct_values_present_in_one_query(django_assert_num_queries):
    BriefFactory(organisation="KINU", series_code="CO 19-01", language="ko", publication_year=2019)
    BriefFactory(organisation="KINU", series_code="", language="en", publication_year=None)
    BriefFactory(organisation="", series_code="CO 20-01", publication_date=datetime.date(2021, 1, 1))
    BriefFactory(organisation="Asan", series_code="CO 19-01", publication_year=2019)
    with django_assert_num_queries(1):
        options = brief_library_options()
    assert options == LibraryOptions(
        total=4,
        organisations=["Asan", "KINU"],
        series=["CO 19-01", "CO 20-01"],
        years=[2021, 2019],
        languages=["en", "ko"],
    )


def test_filter_options_of_an_empty_library():
    assert brief_library_options() == LibraryOptions()


# --- the form --------------------------------------------------------------------------------


def form(**data) -> LibraryForm:
    return LibraryForm(data, options=LibraryOptions(total=1, organisations=["KINU"], years=[2019]))


def test_form_ignores_each_bad_value_and_keeps_the_good_ones():
    bad = form(q="\ud800", organisation="Nowhere", year="abc", language="xx", sort="evil", direction="up")
    assert bad.filters() == {
        "q": "",
        "organisation": "",
        "series": "",
        "year": None,
        "language": "",
        "sort": "date",
        "direction": "desc",
    }
    assert len(bad.ignored()) == 6
    good = form(q=" deal ", organisation="KINU", year="2019", sort="title")
    assert good.filters()["q"] == "deal"
    assert good.filters()["year"] == 2019
    assert good.filters()["direction"] == "asc"  # title's own first direction
    assert good.ignored() == []


def test_form_querystring_keeps_valid_filters_and_drops_defaults():
    f = form(organisation="KINU", year="abc", sort="annotations", page="3")
    assert parse_qs(f.querystring()) == {"organisation": ["KINU"], "sort": ["annotations"]}
    assert parse_qs(f.querystring(page=2)) == {
        "organisation": ["KINU"],
        "sort": ["annotations"],
        "page": ["2"],
    }
    assert form().querystring() == ""


# --- the page --------------------------------------------------------------------------------


def rows(tree) -> list[list[str]]:
    return [texts(row, "./td") for row in tree.xpath("//table[@class='library']/tbody/tr")]


def test_page_lists_briefs_as_a_table_with_labelled_cells(client):
    brief = BriefFactory(
        title="북미정상회담 평가",
        subtitle="하노이 이후",
        organisation="통일연구원",
        series_code="CO 19-05",
        publication_date=datetime.date(2019, 3, 4),
        publication_year=2019,
    )
    SectionFactory.create_batch(2, brief=brief)
    tree = page_tree(client.get(LIBRARY))
    headers = texts(tree, "//table[@class='library']/thead/tr/th")
    assert headers == ["Title", "Organisation", "Series", "Date ▼", "Language", "Sections", "Annotations"]
    assert tree.xpath("//th[@aria-sort]/a/text()") == ["Date"]
    assert tree.xpath("//th[@aria-sort]/@aria-sort") == ["descending"]
    assert rows(tree) == [
        ["북미정상회담 평가하노이 이후", "통일연구원", "CO 19-05", "03/04/2019", "한국어", "2", "0"]
    ]
    # the language's SHORT_DATE_FORMAT, with the ISO date for machines
    assert tree.xpath("//tbody//td[@data-label='Date']/time/@datetime") == ["2019-03-04"]
    labels = tree.xpath("//table[@class='library']/tbody/tr/td/@data-label")
    assert labels == ["Title", "Organisation", "Series", "Date", "Language", "Sections", "Annotations"]
    title = tree.xpath("//tbody//td[@data-label='Title']//a")[0]
    assert (title.get("href"), title.get("lang")) == (reverse("briefs:reader", args=[brief.slug]), "ko")
    assert tree.xpath("//div[@class='subtitle']/@lang") == ["ko"]
    assert texts(tree, "//p[@class='library-count']") == ["1 brief."]
    assert tree.xpath("//a[@class='button'][text()='Import a brief']") == []


def test_editors_get_the_import_button(client):
    BriefFactory()
    client.force_login(role_user("editor"))
    tree = page_tree(client.get(LIBRARY))
    assert tree.xpath("//a[@class='button']/@href") == [reverse("briefs:import")]


def test_an_empty_library_says_how_to_import(client):
    tree = page_tree(client.get(LIBRARY))
    assert "No briefs yet." in texts(tree, "//p[@class='empty']")[0]
    assert tree.xpath("//form[@id='library-filters']") == []


def test_the_form_is_a_plain_get_form_with_htmx_attributes_and_a_clear_link(client):
    BriefFactory(organisation="KINU")
    tree = page_tree(client.get(LIBRARY, {"organisation": "KINU"}))
    (f,) = tree.xpath("//form[@id='library-filters']")
    assert (f.get("method"), f.get("action"), f.get("hx-get")) == ("get", LIBRARY, LIBRARY)
    assert (f.get("hx-target"), f.get("hx-push-url")) == ("#library-results", "true")
    assert "change" in f.get("hx-trigger")
    assert f.xpath(".//button[@type='submit']")
    assert f.xpath(".//a[text()='Clear filters']/@href") == [LIBRARY]
    assert f.xpath(".//select[@name='organisation']/option[@selected]/@value") == ["KINU"]
    # Each field has a label.
    for control in f.xpath(".//input[@name] | .//select[@name]"):
        assert f.xpath(f".//label[@for='{control.get('id')}']"), control.get("name")
    # The sort travels with the form from inside the results.
    hidden = tree.xpath("//input[@type='hidden'][@form='library-filters']")
    assert {(i.get("name"), i.get("value")) for i in hidden} == {("sort", "date"), ("direction", "desc")}


def test_htmx_requests_get_the_results_partial(client):
    BriefFactory(title="Partial brief", organisation="KINU")
    BriefFactory(title="Other", organisation="Asan")
    response = client.get(LIBRARY, {"organisation": "KINU"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    html = response.content.decode()
    assert "<html" not in html and "<form" not in html
    tree = page_tree(response)
    assert tree.get("id") == "library-results"
    assert [r[0] for r in rows(tree)] == ["Partial brief"]
    assert texts(tree, "//p[@class='library-count']") == [
        "1 brief matches these filters, of 2 in the library."
    ]


def test_sort_links_keep_the_filters_flip_the_current_column_and_drop_the_page(client):
    for n in range(3):
        BriefFactory(organisation="KINU", title=f"T{n}")
    tree = page_tree(client.get(LIBRARY, {"organisation": "KINU", "sort": "title", "page": "1", "q": "t"}))
    links = {
        a.text_content().strip(" ▲▼"): parse_qs(urlsplit(a.get("href")).query) for a in tree.xpath("//th/a")
    }
    assert links["Title"] == {"organisation": ["KINU"], "q": ["t"], "sort": ["title"], "direction": ["desc"]}
    assert links["Annotations"] == {"organisation": ["KINU"], "q": ["t"], "sort": ["annotations"]}
    assert links["Date"] == {"organisation": ["KINU"], "q": ["t"]}
    assert tree.xpath("//th[@aria-sort]/@aria-sort") == ["ascending"]
    for a in tree.xpath("//th/a"):
        assert a.get("hx-get") == a.get("href")


def make_briefs(count: int, **fields) -> list[Brief]:
    return Brief.objects.bulk_create(
        Brief(slug=f"bulk-{n}", title=f"Brief {n:03d}", publication_year=2019, **fields) for n in range(count)
    )


def test_pagination_fifty_a_page_with_links_that_keep_filters_and_sort(client):
    make_briefs(120, organisation="KINU")
    BriefFactory(organisation="Asan")
    query = {"organisation": "KINU", "sort": "title"}
    tree = page_tree(client.get(LIBRARY, {**query, "page": "2"}))
    assert len(rows(tree)) == 50
    assert rows(tree)[0][0] == "Brief 050"
    assert texts(tree, "//nav[@aria-label='Library pages']/span") == ["Page 2 of 3"]
    assert texts(tree, "//p[@class='library-count']") == [
        "120 briefs match these filters, of 121 in the library."
    ]
    prev_href, next_href = (tree.xpath(f"//a[@rel='{rel}']/@href")[0] for rel in ("prev", "next"))
    assert parse_qs(urlsplit(prev_href).query) == {"organisation": ["KINU"], "sort": ["title"]}
    assert parse_qs(urlsplit(next_href).query) == {"organisation": ["KINU"], "sort": ["title"], "page": ["3"]}
    last = page_tree(client.get(LIBRARY, {**query, "page": "3"}))
    assert len(rows(last)) == 20
    assert last.xpath("//a[@rel='next']") == []
    first = page_tree(client.get(LIBRARY, query))
    assert first.xpath("//a[@rel='prev']") == []


def test_a_page_past_the_end_shows_the_last_page_and_says_so(client):
    make_briefs(60)
    tree = page_tree(client.get(LIBRARY, {"page": "99999"}))
    assert texts(tree, "//nav[@aria-label='Library pages']/span") == ["Page 2 of 2"]
    assert len(rows(tree)) == 10
    assert texts(tree, "//ul[@class='library-notes']/li") == [
        "There is no page 99999 of this list; this is page 2."
    ]


def test_one_page_has_no_pagination(client):
    make_briefs(3)
    tree = page_tree(client.get(LIBRARY))
    assert tree.xpath("//nav[@aria-label='Library pages']") == []


@pytest.mark.parametrize(
    ("query_string", "ignored"),
    [
        ("sort=evil", "Sort"),
        ("direction=sideways", "Sort direction"),
        ("year=abc", "Year"),
        ("year=1999", "Year"),
        ("year=2019.5", "Year"),
        ("page=abc", "Page"),
        ("page=0", "Page"),
        ("page=-3", "Page"),
        ("page=1e9", "Page"),
        ("q=" + "x" * 201, "Title contains"),
        ("organisation=Nowhere", "Organisation"),
        ("series=" + "x" * 101, "Series"),
        ("language=xx", "Language"),
    ],
)
def test_hostile_parameters_are_ignored_with_a_message(client, query_string, ignored):
    make_briefs(3, organisation="KINU")
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(f"{LIBRARY}?{query_string}", **headers)
        assert response.status_code == 200
        tree = page_tree(response)
        notes = texts(tree, "//ul[@class='library-notes']/li")
        assert len(notes) == 1 and notes[0].startswith(f"{ignored}:") and notes[0].endswith("It was ignored.")
        assert len(rows(tree)) == 3  # the bad parameter filtered nothing out


@pytest.mark.parametrize("query_string", ["q=%00", "organisation=%00", "series=CO%00"])
def test_nul_in_a_parameter_is_refused_before_the_page(client, query_string):
    # config.input_guard refuses NUL anywhere in a request (tests/test_input_edges.py).
    make_briefs(1)
    assert client.get(f"{LIBRARY}?{query_string}").status_code == 400


@pytest.mark.parametrize(
    "query_string", ["q=%ED%A0%80", "q=%FF%FE", "q=%E2%80%AE", "q=a&q=b", "sort=title&sort=evil"]
)
def test_odd_but_harmless_parameters_do_not_fail(client, query_string):
    make_briefs(2)
    assert client.get(f"{LIBRARY}?{query_string}").status_code == 200


def test_a_lone_surrogate_never_reaches_the_database():
    assert form(q="a\udfffb").filters()["q"] == ""
    assert form(series="\ud800").filters()["series"] == ""


def test_other_users_private_annotations_never_show_in_the_count(client):
    me, other = UserFactory(), UserFactory()
    section = SectionFactory(brief=BriefFactory(title="Counted"))
    AnnotationFactory(section=section, author=other, visibility="private")
    AnnotationFactory(section=section, author=other, visibility="shared")
    AnnotationFactory(section=section, author=me, visibility="private")
    assert rows(page_tree(client.get(LIBRARY)))[0][-1] == "0"
    client.force_login(me)
    assert rows(page_tree(client.get(LIBRARY)))[0][-1] == "2"
    # Sorting by the count orders by what this viewer sees, not by the private total.
    assert rows(page_tree(client.get(LIBRARY, {"sort": "annotations"})))[0][-1] == "2"


# --- query counts ----------------------------------------------------------------------------


def fill_library(count: int) -> list:
    """Create count briefs (a third of them with sections and annotations by several authors)."""
    authors = [UserFactory() for _ in range(3)]
    briefs = Brief.objects.bulk_create(
        Brief(
            slug=f"lib-{n}",
            title=f"Brief {n:03d}",
            organisation=["KINU", "Asan", "IFES"][n % 3],
            series_code=f"CO {n:03d}",
            language=["ko", "en"][n % 2],
            publication_year=2015 + n % 8,
        )
        for n in range(count)
    )
    sections = Section.objects.bulk_create(
        Section(brief=brief, position=p, heading=f"H{p}", text="미국은 빅딜을 요구했다.", anchor=f"s{p}")
        for brief in briefs[::3]
        for p in range(2)
    )
    Annotation.objects.bulk_create(
        Annotation(
            section=section,
            start=0,
            end=3,
            quote="미국은",
            author=author,
            visibility=visibility,
            ever_shared=visibility == "shared",
        )
        for section in sections
        for author in authors
        for visibility in ("private", "shared")
    )
    return authors


VIEWS = [
    ("anonymous", {}, 3),
    ("anonymous", {"organisation": "KINU", "sort": "annotations", "direction": "asc", "page": "2"}, 3),
    ("signed in", {}, 6),
    ("signed in", {"organisation": "Asan", "q": "brief", "sort": "title", "year": "2016", "page": "1"}, 6),
]


@pytest.mark.parametrize(("viewer", "query", "queries"), VIEWS)
def test_the_page_runs_a_constant_number_of_queries(
    client, django_assert_num_queries, viewer, query, queries
):
    """Options, count, page; signed in, also session, user and its permissions (the import
    button; the user's and its groups' in one query, config.auth).

    The same for 5 briefs as for 500.
    """
    authors = fill_library(500)
    if viewer == "signed in":
        client.force_login(authors[0])
    with django_assert_num_queries(queries):
        response = client.get(LIBRARY, query)
    assert response.status_code == 200
    assert rows(page_tree(response))
    Annotation.objects.all().delete()
    Section.objects.all().delete()
    Brief.objects.all().delete()
    fill_library(5)
    if viewer == "signed in":
        client.force_login(authors[0])
    query = {**query, "page": "1"}
    with django_assert_num_queries(queries):
        assert client.get(LIBRARY, query).status_code == 200
