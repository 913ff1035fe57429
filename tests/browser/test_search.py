"""The search page in a real browser: a typo gets a 'did you mean' link that runs the
corrected query, hits link into the reader with their marked words (?hl=), and the page
passes axe-core at desktop and phone widths, in English and Korean."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import RESULTS
from tests.browser.test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("width", [1280, 390])
def test_a_typo_is_offered_its_correction_and_hits_carry_their_words(page, kinu, width, language):
    RESULTS.mkdir(exist_ok=True)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{page.base_url}/search/?q=종전선얻")
    suggestion = page.locator(".search-suggestion a")
    expect(suggestion).to_have_text("종전선언")
    assert violations(page) == []
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(RESULTS / f"search-{width}-{language}-typo.png"), full_page=False)

    suggestion.click()
    page.wait_for_url("**q=%EC%A2%85%EC%A0%84%EC%84%A0%EC%96%B8**")
    expect(page.locator("#id_q")).to_have_value("종전선언")
    expect(page.locator(".search-suggestion")).to_have_count(0)
    hits = page.locator(".search-hit")
    expect(hits).to_have_count(3)  # the KINU brief's three sections that say it
    first = hits.first
    expect(first.locator("mark").first).to_have_text("종전선언")
    href = first.locator(".search-hit-heading a").get_attribute("href")
    assert ("hl", "종전선언") in parse_qsl(urlsplit(href).query)
    assert violations(page) == []
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(RESULTS / f"search-{width}-{language}-results.png"), full_page=False)
