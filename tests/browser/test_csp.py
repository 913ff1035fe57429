"""The Content-Security-Policy in a real browser: the flows run without one violation, tag
colours still show, and the API docs render with every request outside our origin refused."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import KINU_SAMPLE, select_text, sign_in
from tests.browser.test_import import sign_in_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

READER = "/briefs/kinu-co-19-05/"
YONGBYON = "영변의 모든 핵시설을 영구적으로 폐기"

# Collected from the first script on every page, before any of ours runs.
COLLECT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
}, true);
"""


@pytest.fixture
def watched(page):
    """The page, recording CSP violations from both the DOM events and the console."""
    page.add_init_script(COLLECT)
    page.console_reports = []
    page.on(
        "console",
        lambda m: (
            page.console_reports.append(m.text)
            if "Content Security Policy" in m.text or "Permissions-Policy" in m.text
            else None
        ),
    )
    return page


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations") + page.console_reports


def visit(page, path: str) -> list[str]:
    page.goto(f"{page.base_url}{path}")
    page.wait_for_load_state("networkidle")
    return violations(page)


def colour_of(page, selector: str) -> str:
    return page.locator(selector).first.evaluate("el => getComputedStyle(el).getPropertyValue('--hl').trim()")


def test_the_collector_does_catch_an_inline_style(watched, users):
    """Without this, an empty list would prove nothing."""
    page = watched
    page.goto(f"{page.base_url}/codebook/")
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert any("style-src" in v for v in violations(page))


def test_an_annotator_tags_a_claim_without_a_csp_violation(watched, users, codebook, kinu):
    page = watched
    sign_in(page, "ann", READER)
    select_text(page, YONGBYON)
    page.click("#annotator [data-action=open-tags]")
    # the picker's swatches are coloured through the CSSOM, not a style attribute
    swatch = "#annotator .tag-option:has(input[value=yongbyon-dismantlement]) .swatch"
    assert colour_of(page, swatch).lower() == codebook_colour("yongbyon-dismantlement")
    page.fill("#annotator-filter", "yongbyon dis")
    page.press("#annotator-filter", "Enter")
    page.click("#annotator button[type=submit]")
    page.wait_for_selector("#reader-status:not([hidden])")
    mark = page.locator("mark.hl-tagged").first
    assert mark.inner_text() == YONGBYON
    # the new highlight (inserted by the reader script) and its margin entry carry the colour
    assert colour_of(page, "mark.hl-tagged") == codebook_colour("yongbyon-dismantlement")
    assert colour_of(page, ".margin-item .chip") == codebook_colour("yongbyon-dismantlement")
    mark.click()
    page.locator("#annotation-card .annotation-card").wait_for()
    assert colour_of(page, "#annotation-card .chip") == codebook_colour("yongbyon-dismantlement")
    assert violations(page) == []
    page.reload()
    page.wait_for_function("() => document.documentElement.classList.contains('reader-ready')")
    assert colour_of(page, "mark.hl-tagged") == codebook_colour("yongbyon-dismantlement")
    assert violations(page) == []

    for path in ("/", "/codebook/", "/annotations/browse/", "/accounts/tokens/"):
        assert visit(page, path) == [], path
    assert visit(page, "/search/?q=영변&kind=annotations") == []
    assert colour_of(page, ".search-tag") == codebook_colour("yongbyon-dismantlement")


def codebook_colour(code: str) -> str:
    from annotations.models import Tag

    return Tag.objects.get(code=code).colour.lower()


def test_an_editor_imports_exports_and_opens_the_admin_without_a_csp_violation(
    watched, transactional_db, settings, codebook
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    page = watched
    sign_in_editor(page)
    assert violations(page) == []
    page.goto(f"{page.base_url}/import/")
    page.set_input_files("#id_files", [str(KINU_SAMPLE)])
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#preview-sections")
    # an htmx swap of the sections
    page.get_by_role("button", name="Make heading").nth(1).click()
    page.wait_for_selector("#preview-status:has-text('now a heading')", state="attached")
    assert violations(page) == []
    for path in (
        "/export/",
        "/codebook/",
        "/",
        "/admin/",
        "/admin/annotations/tag/",
        "/admin/annotations/tag/add/",
        "/api/v1/docs",
    ):
        assert visit(page, path) == [], path


def test_the_api_docs_render_with_everything_outside_our_origin_refused(watched, users):
    page = watched
    outside: list[str] = []

    def only_ours(route) -> None:
        if urlsplit(route.request.url).hostname in {"localhost", "127.0.0.1"}:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_ours)
    page.goto(f"{page.base_url}/api/v1/docs")
    page.wait_for_selector(".opblock-summary")
    operations = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/briefs" in [" ".join(o.split()) for o in operations]
    assert page.locator(".opblock").count() > 10
    page.locator(".opblock-summary").first.click()  # an operation opens
    page.wait_for_selector(".opblock-body")
    assert outside == []
    assert violations(page) == []
