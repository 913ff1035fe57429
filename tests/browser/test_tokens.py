"""The API tokens page in a real browser: a new token has a copy button that puts exactly
the token on the clipboard, at desktop and phone widths, with axe-core checking the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, RESULTS
from tests.browser.test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_copy_button_copies_the_new_token(page, users, width):
    from accounts.models import ApiToken

    RESULTS.mkdir(exist_ok=True)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base_url)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{page.base_url}/accounts/login/?next=/accounts/tokens/")
    page.fill("#id_username", "ann")
    page.fill("#id_password", PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url("**/accounts/tokens/")
    expect(page.locator("button[data-copy]")).to_have_count(0)  # no token yet, no button

    page.fill("#id_name", "notebook")
    page.click("form.token-form button[type=submit]")
    secret = page.locator("#new-token")
    expect(secret).to_be_visible()
    raw = secret.inner_text().strip()
    assert raw.startswith(f"mgl_{ApiToken.objects.get(name='notebook').prefix}_")

    button = page.get_by_role("button", name="Copy")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(".token-copy-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("() => navigator.clipboard.readText()") == raw
    assert violations(page) == []
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(RESULTS / f"tokens-{width}.png"), full_page=True)


def test_without_javascript_there_is_no_dead_button(browser, live_server, users):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/accounts/tokens/")
        page.fill("#id_username", "ann")
        page.fill("#id_password", PASSWORD)
        page.click("form.stack-form button[type=submit]")
        page.wait_for_url("**/accounts/tokens/")
        page.click("form.token-form button[type=submit]")
        expect(page.locator("#new-token")).to_be_visible()
        expect(page.locator("button[data-copy]")).to_be_hidden()
    finally:
        context.close()
