"""The whole interface in Korean, in a real browser: navigation, the reader's controls and tag
picker, the export form and error messages read in Korean; and every page passes axe-core in
both languages and both colour schemes at desktop and phone widths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from annotations.models import Actor, Tag
from annotations.roles import Role
from annotations.services import annotation_create, user_create
from tests.browser.conftest import PASSWORD, select_text, stance
from tests.browser.test_accessibility import PAGES, violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-korean")
READER = "/briefs/kinu-co-19-05/"
YONGBYON = "영변의 모든 핵시설을 영구적으로 폐기"
HANGUL = re.compile(r"[가-힣]")
# Pages beyond test_accessibility's list: the codebook editor, a missing page.
MORE_PAGES = ["/codebook/tags/new/", "/codebook/import/", "/briefs/no-such-brief/"]


def korean(msgid: str) -> str:
    """The Korean of an interface string; refuses one that has no translation (so a test that
    compares with it cannot pass on English)."""
    with translation.override("ko"):
        text = gettext(msgid)
    assert text != msgid and HANGUL.search(text), f"{msgid!r} has no Korean translation"
    return text


def open_page(browser, live_server, *, locale="ko-KR", scheme="light", width=1280):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=locale, color_scheme=scheme
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.base_url = live_server.url
    return context, page, errors


def sign_in(page, username: str, next_path: str = "/") -> None:
    page.goto(f"{page.base_url}/accounts/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url(f"{page.base_url}{next_path}")


@pytest.fixture
def editor(users, codebook, kinu):
    user_create(username="ed", role=Role.EDITOR, password=PASSWORD)
    section = stance(kinu)
    quote = "빅딜을 요구한 것으로 보인다"
    start = section.text.index(quote)
    annotation_create(
        user=users["ann"],
        section=section,
        start=start,
        end=start + len(quote),
        quote=quote,
        tags=list(Tag.objects.order_by("pk")[:2]),
        visibility="shared",
    )
    return "ed"


def test_navigation_reader_controls_and_the_picker_speak_korean(browser, live_server, users, codebook, kinu):
    context, page, errors = open_page(browser, live_server)
    sign_in(page, "ann", READER)
    page.wait_for_function("() => document.documentElement.classList.contains('reader-ready')")
    assert page.evaluate("() => document.documentElement.lang") == "ko"
    nav = page.locator("nav.site-nav > a").all_inner_texts()
    assert nav[:4] == [korean("Library"), korean("Search"), korean("Codebook"), korean("Annotations")]
    assert page.locator("nav.site-nav button").inner_text() == korean("Sign out")
    # the brief keeps its own language, the controls around it are the interface's
    assert page.get_attribute("section.section >> nth=0", "lang") == "ko"
    assert page.get_attribute("#brief-find-q", "placeholder") == korean("Find in this brief")

    select_text(page, YONGBYON)
    page.click("#annotator [data-action=open-tags]")
    assert korean("Tags") in page.inner_text("#annotator .annotator-label")
    yongbyon = Tag.objects.get(code="yongbyon-dismantlement")
    option = page.locator(".tag-option", has=page.locator("input[value=yongbyon-dismantlement]"))
    assert yongbyon.label_ko in option.inner_text()  # the codebook's Korean label
    page.fill("#annotator-filter", yongbyon.label_ko[:3])
    page.press("#annotator-filter", "Enter")
    actors = page.locator("#annotator select[name=actor] option").all_inner_texts()
    with translation.override("ko"):
        assert str(Actor.DPRK.label) in actors and str(Actor.DPRK.label) != "North Korea (DPRK)"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "reader-picker-ko.png"))
    page.click("#annotator button[type=submit]")
    page.wait_for_selector("#reader-status:not([hidden])")
    status = page.inner_text("#reader-status")
    assert HANGUL.search(status) and "Saved" not in status
    # the margin chip names the tag in Korean
    assert yongbyon.label_ko in page.locator(".margin-item").first.inner_text()
    context.close()
    assert errors == []


def test_the_export_form_and_error_messages_speak_korean(browser, live_server, editor):
    context, page, errors = open_page(browser, live_server)
    # a wrong password: Django's own message, in Korean
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", editor)
    page.fill("#id_password", "wrong")
    page.click("form.stack-form button[type=submit]")
    error = page.inner_text(".errorlist, .form-errors, [role=alert]")
    assert HANGUL.search(error) and "Please enter" not in error

    sign_in(page, editor, "/export/")
    assert page.inner_text("h1") == korean("Export excerpts")
    legends = page.locator("legend").all_inner_texts()
    assert korean("Which excerpts") in legends and korean("How") in legends
    page.screenshot(path=str(SHOTS / "export-ko.png"), full_page=True)

    # an import the engine refuses: the reason is given in Korean
    page.goto(f"{page.base_url}/import/")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "x.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00" * 64}],
    )
    page.click("#upload-form button[type=submit]")
    page.wait_for_load_state()
    body = page.inner_text("main")
    refusal = [line for line in body.splitlines() if "x.exe" in line]
    assert refusal and all(HANGUL.search(line) for line in refusal), body

    # a missing page
    response = page.goto(f"{page.base_url}/briefs/no-such-brief/")
    assert response.status == 404
    assert page.inner_text("h1") == korean("Page not found (404)")
    context.close()
    assert errors == []


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize(("locale", "scheme"), [("ko-KR", "light"), ("ko-KR", "dark"), ("en-US", "dark")])
def test_every_page_passes_axe_in_both_languages_and_colour_schemes(
    browser, live_server, editor, locale, scheme, width
):
    context, page, errors = open_page(browser, live_server, locale=locale, scheme=scheme, width=width)
    sign_in(page, editor)
    language = locale[:2]
    found = {}
    for path in [*PAGES, *MORE_PAGES]:
        page.goto(f"{page.base_url}{path}")
        assert page.evaluate("() => document.documentElement.lang") == language, path
        dark = page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches")
        assert dark == (scheme == "dark")
        if problems := violations(page):
            found[path] = problems
    if width == 390:
        page.goto(f"{page.base_url}{READER}")
        page.screenshot(path=str(SHOTS / f"reader-{language}-{scheme}-{width}.png"))
    context.close()
    assert found == {}
    assert errors == []
