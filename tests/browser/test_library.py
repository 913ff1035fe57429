"""The library in a real browser: filter, sort and page through ~60 briefs, at desktop and
phone widths, with axe-core checking each state and screenshots to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, RESULTS
from tests.browser.test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KINU = "통일연구원"


@pytest.fixture
def library(users):
    """64 briefs: 54 from KINU (two pages of them), a few with annotations by ann (shared)
    and kim (private, which ana must never have counted)."""
    from annotations.models import Annotation
    from briefs.models import Brief, Section

    briefs = Brief.objects.bulk_create(
        Brief(
            slug=f"brief-{n}",
            title=f"한반도 정세 평가 {n:02d}: 비핵화 협상과 제재 완화의 조건에 대한 분석",
            subtitle="하노이 정상회담 이후 북미 관계의 전망" if n % 4 == 0 else "",
            organisation=KINU if n < 54 else "아산정책연구원",
            series_code=f"CO 19-{n:02d}",
            language="ko" if n % 5 else "en",
            publication_year=2015 + n % 6,
        )
        for n in range(64)
    )
    sections = Section.objects.bulk_create(
        Section(brief=brief, position=0, heading="요약", text="미국은 빅딜을 요구했다.", anchor="s0")
        for brief in briefs[:12]
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
        for n, section in enumerate(sections)
        for author, visibility, count in ((users["ann"], "shared", n % 4), (users["kim"], "private", 5))
        for _ in range(count)
    )
    return briefs


def sign_in(page, username: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/?next=/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url(f"{page.base_url}/")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def column(page, label: str) -> list[str]:
    return page.locator(f"#library-results tbody td[data-label='{label}']").all_inner_texts()


@pytest.mark.parametrize("width", [1280, 390])
def test_filter_sort_and_page_through_the_library(page, library, width):
    RESULTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "ana")
    expect(page.locator(".library-count")).to_have_text("64 briefs.")
    assert violations(page) == []
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(RESULTS / f"library-{width}-first.png"), full_page=False)

    # Filter: the results change in place and the address follows.
    page.select_option("#id_organisation", KINU)
    expect(page.locator(".library-count")).to_have_text(
        "54 briefs match these filters, of 64 in the library."
    )
    assert "organisation=" in page.url
    assert set(column(page, "Organisation")) == {KINU}

    # Sort by annotations, most first: ana sees ann's shared ones only.
    page.click("#library-results th a:text-is('Annotations')")
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "descending")
    expect(page.locator("th[aria-sort] a")).to_contain_text("Annotations")
    counts = [int(n) for n in column(page, "Annotations")]
    assert counts == sorted(counts, reverse=True) and counts[0] == 3
    assert "sort=annotations" in page.url
    assert violations(page) == []

    # Page 2 keeps the filter and the sort.
    page.click("#library-results a[rel=next]")
    expect(page.locator(".library-pages span")).to_have_text("Page 2 of 2")
    assert len(column(page, "Title")) == 4
    assert set(column(page, "Organisation")) == {KINU}
    assert "page=2" in page.url and "sort=annotations" in page.url and "organisation=" in page.url
    assert page.evaluate("document.activeElement.classList.contains('library-count')")
    assert violations(page) == []
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(RESULTS / f"library-{width}-page2.png"), full_page=True)

    # The form sends the sort on: a new filter keeps it (and starts again at page 1).
    page.select_option("#id_language", "en")
    count = page.locator(".library-count")
    expect(count).to_have_text("11 briefs match these filters, of 64 in the library.")
    assert "sort=annotations" in page.url and "page=" not in page.url
    assert set(column(page, "Language")) == {"English"}

    # Back goes to the page before, form and all.
    page.go_back()
    expect(page.locator(".library-pages span")).to_have_text("Page 2 of 2")
    assert page.input_value("#id_language") == ""


def test_at_phone_width_each_row_is_a_card_of_labelled_values(page, library):
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{page.base_url}/?sort=title")
    first_row = page.locator("#library-results tbody tr").first
    labels = first_row.locator("td").evaluate_all(
        "cells => cells.map(td => getComputedStyle(td, '::before').content)"
    )
    assert labels == [
        '"Title"',
        '"Organisation"',
        '"Series"',
        '"Date"',
        '"Language"',
        '"Sections"',
        '"Annotations"',
    ]
    box = first_row.bounding_box()
    assert box["width"] <= 390
    # The sortable headers stay, as a row of links; the others are the cards' labels.
    assert (
        page.locator("thead th.sortable a").evaluate_all("links => links.map(a => a.offsetParent !== null)")
        == [True] * 4
    )
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(RESULTS / "library-390-cards.png"), full_page=False)


def test_without_javascript_the_form_is_a_plain_get_form(browser, live_server, library):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/?sort=annotations")
        page.select_option("#id_organisation", "아산정책연구원")
        page.click("#library-filters button[type=submit]")
        page.wait_for_url("**organisation=**")
        assert "sort=annotations" in page.url
        assert page.inner_text(".library-count") == "10 briefs match these filters, of 64 in the library."
        page.click("text=Clear filters")
        page.wait_for_url(f"{live_server.url}/")
        assert page.inner_text(".library-count") == "64 briefs."
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "ko"])
def test_phone_card_labels_come_from_the_markup_in_any_language(page, library, language):
    """The cards' labels and the 'Sort by' row are the page's (translated) text, and the title
    cell keeps its full-width layout whatever its label says: nothing in the stylesheet
    depends on English words."""
    RESULTS.mkdir(exist_ok=True)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{page.base_url}/?sort=title")
    # Stand in for any translation: relabel every cell and the sort row as a translation would.
    page.evaluate(
        """() => {
          document.querySelectorAll('#library-results tbody td').forEach(
            (td) => td.setAttribute('data-label', '라벨 ' + td.cellIndex));
          document.querySelector('#library-results thead tr').setAttribute('data-sort-label', '정렬');
        }"""
    )
    first_row = page.locator("#library-results tbody tr").first
    labels = first_row.locator("td").evaluate_all(
        "cells => cells.map(td => getComputedStyle(td, '::before').content)"
    )
    assert labels == [f'"라벨 {n}"' for n in range(7)]
    sort_label = page.locator("#library-results thead tr").evaluate(
        "tr => getComputedStyle(tr, '::before').content"
    )
    assert sort_label == '"정렬"'
    title = first_row.locator("td").first
    assert title.evaluate("td => getComputedStyle(td).flexDirection") == "column"
    box, link = title.bounding_box(), title.locator("a").bounding_box()
    assert link["width"] > box["width"] * 0.6  # the title runs under its label, not beside it
    assert violations(page) == []
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(RESULTS / f"library-390-{language}.png"), full_page=False)


@pytest.mark.parametrize(("language", "shown"), [("en", "02/28/2019"), ("ko", "2019-2-28")])
@pytest.mark.parametrize("width", [1280, 390])
def test_dates_are_localised_with_a_machine_readable_datetime(page, library, width, language, shown):
    from briefs.models import Brief

    Brief.objects.filter(slug="brief-0").update(publication_date="2019-02-28")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{page.base_url}/?sort=title")
    time = page.locator("#library-results tbody tr").first.locator("time")
    assert time.get_attribute("datetime") == "2019-02-28"
    assert time.inner_text() == shown  # the language's SHORT_DATE_FORMAT
    assert violations(page) == []
