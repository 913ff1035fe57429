"""axe-core finds no accessibility violation on any page, signed in as an editor (every control
shown), with annotations in two sections, at desktop and phone widths."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import PASSWORD, select_text, stance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
RUN_AXE = """
async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map((v) => ({
  rule: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3),
}))
"""


def violations(page) -> list[dict]:
    # Evaluated through the DevTools protocol, which the page's CSP does not govern: a
    # <script> tag (add_script_tag) would be an inline script, and the CSP refuses those.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    return page.evaluate(RUN_AXE)


@pytest.fixture
def editor_page(page, users, codebook, kinu, settings):
    from annotations.models import Tag
    from annotations.roles import Role
    from annotations.services import annotation_create, user_create

    user_create(username="ed", role=Role.EDITOR, password=PASSWORD)
    tags = list(Tag.objects.order_by("pk")[:3])
    for section, quote in (
        (stance(kinu), "빅딜을 요구한 것으로 보인다"),
        (kinu.sections.get(anchor="emoji"), "제재 완화"),
    ):
        start = section.text.index(quote)
        annotation_create(
            user=users["ann"],
            section=section,
            start=start,
            end=start + len(quote),
            quote=quote,
            tags=tags,
            visibility="shared",
        )
    page.goto(f"{page.base_url}/accounts/login/")
    assert violations(page) == []
    page.fill("#id_username", "ed")
    page.fill("#id_password", PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url(f"{page.base_url}/")
    return page


PAGES = [
    "/",
    "/briefs/kinu-co-19-05/",
    "/search/?q=%EC%A0%9C%EC%9E%AC",  # 제재
    "/codebook/",
    "/annotations/browse/",
    "/annotations/browse/?mine=1&tag=no-such-tag",
    "/export/",
    "/import/",
    "/briefs/kinu-co-19-05/reimport/",
    "/briefs/kinu-co-19-05/edit/",
    "/briefs/kinu-co-19-05/delete/",
    "/accounts/tokens/",
]


@pytest.mark.parametrize("width", [1280, 390])
def test_no_page_has_an_accessibility_violation(editor_page, width):
    page = editor_page
    page.set_viewport_size({"width": width, "height": 900})
    found = {}
    for path in PAGES:
        page.goto(f"{page.base_url}{path}")
        page.wait_for_load_state("networkidle")
        if result := violations(page):
            found[path] = result
    assert found == {}


def test_the_open_tag_picker_and_a_card_have_no_violation(editor_page):
    page = editor_page
    page.goto(f"{page.base_url}/briefs/kinu-co-19-05/")
    page.wait_for_function("() => document.documentElement.classList.contains('reader-ready')")
    select_text(page, "영변의 모든 핵시설을 영구적으로 폐기")
    page.click("#annotator [data-action=open-tags]")
    page.fill("#annotator-filter", "제재")
    assert violations(page) == []
    page.keyboard.press("Escape")
    page.locator(".margin-open").first.click()
    page.wait_for_selector(".annotation-card, [role=dialog]:not(#annotator)")
    assert violations(page) == []


@pytest.mark.parametrize("width", [1280, 390])
def test_an_imported_report_with_an_outline_has_no_violation(editor_page, width):
    """A real RFP PDF: chapter headings without text of their own, sub-headings a level below,
    tables as rows, and the editor's import note."""
    from briefs.models import Brief
    from briefs.services import brief_import
    from tests.briefs.corpus import corpus_file

    data = corpus_file("01_klid-onnara-rfp_ko.pdf").read_bytes()
    slug = brief_import(data=data, filename="rfp.pdf", metadata={"slug": "rfp"}).brief.slug
    Brief.objects.filter(slug=slug).update(import_warnings=["no headings found in 9,000 characters of text"])
    page = editor_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{page.base_url}/briefs/{slug}/")
    page.wait_for_load_state("networkidle")
    assert page.locator("section h2.section-heading").count() >= 5
    assert page.locator("section h3.section-heading").count() >= 10
    assert page.locator("aside.import-warnings li").count() == 1
    assert violations(page) == []
