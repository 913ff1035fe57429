"""The interface language in the browser: the header's switcher, remembered across reloads and
on the user's profile, brought back by signing in elsewhere; both languages pass axe-core at
desktop and phone widths on the library, sign-in, import, preview, edit and delete pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.models import Profile
from tests.browser.conftest import PASSWORD
from tests.browser.test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-i18n")
NAV = "nav.site-nav > a"


def html_lang(page) -> str:
    return page.evaluate("() => document.documentElement.lang")


def sign_in(page, username: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/?next=/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url(f"{page.base_url}/")


def new_page(browser, live_server, locale: str = "en-US"):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base_url = live_server.url
    return context, page


def test_the_switcher_changes_the_language_and_it_is_remembered(page, users, browser, live_server):
    page.goto(f"{page.base_url}/")
    assert html_lang(page) == "en"
    assert page.locator(NAV).all_inner_texts()[:3] == ["Library", "Search", "Codebook"]

    page.click("form.language-switcher button[value=ko]")
    page.wait_for_function("() => document.documentElement.lang === 'ko'")
    assert page.url == f"{page.base_url}/"  # back on the page it was chosen on
    assert page.locator(NAV).all_inner_texts() == ["서재", "검색", "코드북", "로그인"]
    assert page.locator("form.language-switcher button[aria-pressed=true]").inner_text() == "한국어"
    assert page.locator("form.language-switcher button").all_inner_texts() == ["English", "한국어"]
    page.reload()
    assert html_lang(page) == "ko"
    assert page.locator(NAV).first.inner_text() == "서재"

    # Signing in keeps it, and stores it on the profile (chosen before, none stored yet).
    sign_in(page, "ann")
    assert html_lang(page) == "ko"
    assert page.locator("nav.site-nav button").inner_text() == "로그아웃"
    assert Profile.objects.get(user=users["ann"]).language == "ko"

    # A second, fresh browser asking for English gets Korean once ann signs in there.
    context, other = new_page(browser, live_server)
    try:
        other.goto(f"{other.base_url}/")
        assert html_lang(other) == "en"
        sign_in(other, "ann")
        assert html_lang(other) == "ko"
        assert other.locator(NAV).first.inner_text() == "서재"
        # Switching back there is stored too.
        other.click("form.language-switcher button[value=en]")
        other.wait_for_function("() => document.documentElement.lang === 'en'")
        assert Profile.objects.get(user=users["ann"]).language == "en"
    finally:
        context.close()


def test_the_import_page_script_speaks_korean(browser, live_server, transactional_db, settings):
    from annotations.roles import Role
    from annotations.services import user_create

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user_create(username="ed", role=Role.EDITOR, password=PASSWORD)
    context, page = new_page(browser, live_server, locale="ko-KR")
    try:
        sign_in(page, "ed")
        page.goto(f"{page.base_url}/import/")
        assert page.locator("h1").inner_text() == "브리프 가져오기"
        page.evaluate(
            """() => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["a"], "a.txt", {type: "text/plain"}));
            transfer.items.add(new File(["# b"], "b.md", {type: "text/markdown"}));
            const zone = document.querySelector("[data-drop-zone]");
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
        }"""
        )
        assert page.locator(".drop-names").inner_text() == "파일 2개 선택: a.txt, b.md"
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_no_accessibility_violation_in_either_language(browser, live_server, users, kinu, settings, locale):
    from annotations.roles import Role
    from annotations.services import user_create
    from briefs.previews import preview_create
    from tests.browser.conftest import KINU_SAMPLE

    editor = user_create(username="ed", role=Role.EDITOR, password=PASSWORD)
    preview = preview_create(owner=editor, data=KINU_SAMPLE.read_bytes(), filename="kinu.txt", replaces=kinu)
    language = locale[:2]
    SHOTS.mkdir(exist_ok=True)
    context, page = new_page(browser, live_server, locale=locale)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{page.base_url}/accounts/login/")
        pages = [("login", None)]
        signed_in = [
            ("library", "/"),
            ("import", "/import/"),
            ("preview", f"/import/{preview.token}/"),
            ("edit", f"/briefs/{kinu.slug}/edit/"),
            ("delete", f"/briefs/{kinu.slug}/delete/"),
        ]
        for name, path in [*pages, *signed_in]:
            if name == "library":
                sign_in(page, "ed")
            if path:
                page.goto(f"{page.base_url}{path}")
            assert html_lang(page) == language, name
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                assert violations(page) == [], (name, language, width)
                page.screenshot(path=str(SHOTS / f"{name}-{language}-{width}.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 900})
    finally:
        context.close()
    assert errors == []
