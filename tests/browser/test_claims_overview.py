"""The reader's Claims panel in a browser: open it, follow a count to the passages it counts,
and axe-core finds nothing wrong with the panel open at desktop and phone widths, in English
and in Korean."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import PASSWORD, sign_in, stance
from tests.browser.test_reader_polish import annotate, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

READER = "/briefs/kinu-co-19-05/"
SHOTS = Path("/tmp/shots-claims-overview")
WIDTHS = (1280, 390)


@pytest.fixture
def claims(users, codebook, kinu):
    """Shared claims by two annotators, one private claim of kim's, and an untagged highlight."""
    from annotations.models import Annotation

    section, emoji = stance(kinu), kinu.sections.get(anchor="emoji")
    made = [
        annotate(users["ann"], section, "빅딜을 요구한 것으로 보인다", ("big-deal",)),
        annotate(users["kim"], section, "포괄적이었다", ("big-deal",)),
        annotate(
            users["kim"], section, "영변의 모든 핵시설을 영구적으로 폐기", ("phased-approach", "big-deal")
        ),
        annotate(users["ann"], emoji, "제재 완화", ("sanctions-partial-relief",)),
        annotate(users["kim"], section, "더 많은 비핵화가 필요하다", ("big-deal",), visibility="private"),
        annotate(users["ann"], section, "매우 광범위하고", ()),
    ]
    Annotation.objects.filter(pk__in=[made[0].pk, made[2].pk]).update(actor="dprk")
    Annotation.objects.filter(pk=made[1].pk).update(actor="us")
    return made


def check(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("#claims-overview").screenshot(path=str(SHOTS / f"{name}-{width}.png"))
        assert axe_violations(page) == [], f"{name} at {width}px"
    page.set_viewport_size({"width": 1280, "height": 900})


def open_panel(page) -> None:
    panel = page.locator("#claims-overview")
    assert panel.get_attribute("open") is None  # closed until asked for
    panel.locator("summary").click()
    page.wait_for_function("() => document.getElementById('claims-overview').open")


def test_open_the_panel_follow_a_count_and_see_the_passages(page, claims):
    sign_in(page, "ann", READER)
    open_panel(page)
    panel = page.locator("#claims-overview")
    assert panel.locator("summary").inner_text().split() == ["Claims", "4", "tagged", "claims"]
    summary = panel.locator(".claims-summary").inner_text()
    assert summary.startswith("Most claimed: Big deal / comprehensive deal — 3 annotations, ")
    assert "mostly attributed to North Korea (DPRK)" in summary
    check(page, "en")
    page.emulate_media(color_scheme="dark")
    check(page, "en-dark")
    page.emulate_media(color_scheme="light")
    # big deal × North Korea: ann's and kim's shared claims (kim's private one is not counted)
    link = panel.locator("tr[data-tag='big-deal'] a[href*='actor=dprk']")
    assert link.get_attribute("data-count") == "2"
    link.click()
    page.wait_for_url("**/briefs/kinu-co-19-05/?tag=big-deal&actor=dprk#annotated")
    page.wait_for_function("() => document.documentElement.classList.contains('reader-ready')")
    ids = page.eval_on_selector_all(".margin-item", "(items) => items.map((li) => +li.dataset.annotationId)")
    assert sorted(ids) == sorted([claims[0].pk, claims[2].pk])
    assert (
        page.locator(".filter-summary").inner_text() == "Showing 2 of 5 annotations"
    )  # kim's private one is not there
    assert page.locator("mark").count() == 2
    # a section's count scrolls the filtered reader to that section
    page.goto(f"{page.base_url}{READER}")
    open_panel(page)
    cell = panel.locator("table.claims-heat a[href*='tag=sanctions-partial-relief']")
    cell.click()
    page.wait_for_url("**/?tag=sanctions-partial-relief#emoji")
    page.wait_for_function("() => document.documentElement.classList.contains('reader-ready')")
    assert page.locator("#emoji .margin-item").count() == 1
    assert page.locator(".margin-item").count() == 1


def test_the_panel_in_korean_passes_axe(browser, live_server, claims):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.base_url = live_server.url
        page.goto(f"{live_server.url}/accounts/login/?next={READER}")
        page.fill("#id_username", "kim")
        page.fill("#id_password", PASSWORD)
        page.click("form.stack-form button[type=submit]")
        page.wait_for_url(f"**{READER}")
        page.wait_for_function("() => document.documentElement.classList.contains('reader-ready')")
        assert page.locator("html").get_attribute("lang") == "ko"
        open_panel(page)
        # kim sees their own private claim: big deal is 4 for them
        assert page.locator("tr[data-tag='big-deal'] td a").first.get_attribute("data-count") == "4"
        assert "빅딜·일괄타결" in page.locator("tr[data-tag='big-deal'] th").inner_text()
        check(page, "ko")
    finally:
        context.close()
    assert errors == []


def test_following_the_claims_total_opens_them_on_the_annotations_page(page, claims):
    sign_in(page, "ann", READER)
    open_panel(page)
    page.locator("#claims-overview tfoot a").first.click()
    page.wait_for_url("**/annotations/browse/?claims=1&brief=kinu-co-19-05")
    # ann's four visible claims; kim's private one and the untagged highlight are not among them
    assert page.locator(".browse-item").count() == 4
    assert axe_violations(page) == []


# The timeline's events pages (annotations/claims/events_views.py) --------------------------------


@pytest.fixture
def summits(transactional_db) -> int:
    """The summits of the seed migration (a transactional test may have flushed them)."""
    import datetime as dt

    from annotations.models import Event

    for day, end, ko, en in [
        (dt.date(2018, 6, 12), None, "싱가포르 북미정상회담", "Singapore summit"),
        (dt.date(2019, 2, 27), dt.date(2019, 2, 28), "하노이 북미정상회담", "Hanoi summit"),
    ]:
        Event.objects.get_or_create(date=day, label_en=en, defaults={"end_date": end, "label_ko": ko})
    return Event.objects.count()


def sign_in_plain(page, username: str, next_path: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url(f"**{next_path}")


def check_page(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert axe_violations(page) == [], f"{name} at {width}px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_editor_adds_corrects_and_deletes_an_event(page, users, summits):
    from annotations.models import Event
    from annotations.roles import Role
    from annotations.services import user_create

    user_create(username="ed", role=Role.EDITOR, password=PASSWORD)
    sign_in_plain(page, "ed", "/claims/events/")
    assert page.locator(".event-item").count() == summits
    check_page(page, "events")
    page.click("a:text('New event')")
    page.wait_for_url("**/claims/events/new/")
    page.fill("#id_date", "2019-04-25")
    page.fill("#id_end_date", "2019-04-24")
    page.fill("#id_label_ko", "북러 정상회담")
    page.fill("#id_label_en", "Kim–Putin summit")
    page.click("form.manage-form button[type=submit]")
    assert (
        "The end date is before the start date." in page.locator(".field-end_date .form-errors").inner_text()
    )
    check_page(page, "event-error")
    page.fill("#id_end_date", "2019-04-26")
    page.click("form.manage-form button[type=submit]")
    event = Event.objects.get(label_en="Kim–Putin summit")
    page.wait_for_url(f"**/claims/events/#event-{event.pk}")
    assert "Saved “Kim–Putin summit”." in page.locator(".messages").inner_text()
    page.locator(f"#event-{event.pk} a:text('Delete')").click()
    page.wait_for_url(f"**/claims/events/{event.pk}/delete/")
    check_page(page, "event-delete")
    page.click("button:text('Delete this event')")
    page.wait_for_url("**/claims/events/")
    assert page.locator(".event-item").count() == summits
    assert not Event.objects.filter(pk=event.pk).exists()


def test_an_analyst_reads_the_events_without_tools_in_korean(browser, live_server, users, summits):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    try:
        page.base_url = live_server.url
        sign_in_plain(page, "ana", "/claims/events/")
        assert page.locator("html").get_attribute("lang") == "ko"
        assert page.locator(".event-item").count() == summits
        assert page.locator(".event-tools").count() == 0
        check_page(page, "events-ko")
        page.goto(f"{live_server.url}/claims/events/new/")
        assert page.locator("h1").count() == 1
        check_page(page, "events-forbidden-ko")
    finally:
        context.close()
