"""The export page's searchable lists, the Annotations page's folding filters and "Export these",
and the card's "Copy citation" button, in chromium at desktop and phone widths (axe-core clean)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import PASSWORD, stance
from tests.browser.test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots-exports")
QUOTE = "빅딜을 요구한 것으로 보인다"


@pytest.fixture
def editor(page, users, codebook, kinu):
    from annotations.models import Tag
    from annotations.roles import Role
    from annotations.services import annotation_create, user_create

    user_create(username="ed", role=Role.EDITOR, password=PASSWORD)
    section = stance(kinu)
    start = section.text.index(QUOTE)
    page.annotation = annotation_create(
        user=users["ann"],
        section=section,
        start=start,
        end=start + len(QUOTE),
        quote=QUOTE,
        tags=list(Tag.objects.order_by("pk")[:2]),
        visibility="shared",
    )
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", "ed")
    page.fill("#id_password", PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url(f"{page.base_url}/")
    return page


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_export_page_lists_filter_by_keyboard_and_pass_axe(editor, width):
    page = editor
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{page.base_url}/export/")
    assert violations(page) == []
    annotators = page.locator("[data-pick]").filter(has=page.locator("input[name=annotators]"))
    box = annotators.locator("[data-pick-filter]")
    box.wait_for()  # export.js showed the filter box
    box.focus()
    page.keyboard.type("KI")  # case does not matter
    visible = annotators.locator(".pick-list label:visible")
    assert visible.all_inner_texts() == ["kim"]
    assert annotators.locator("[data-pick-status]").inner_text() == "1 of 4 shown"
    page.keyboard.press("Enter")  # no download from the filter box
    assert page.url == f"{page.base_url}/export/"
    page.keyboard.press("Tab")  # to kim's checkbox: the hidden rows are skipped
    page.keyboard.press("Space")
    assert page.locator("input[name=annotators][value=kim]").is_checked()
    page.wait_for_function(
        "() => document.getElementById('export-count').textContent.includes('No excerpts')"
    )
    assert "1 picked" in annotators.locator("[data-pick-status]").inner_text()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Escape")  # clears the filter: every row is back
    assert annotators.locator(".pick-list label:visible").count() == 4
    assert violations(page) == []
    shot(page, f"export-{width}")


def test_export_lists_work_without_javascript(browser, live_server, users, codebook, kinu):
    """The checkbox lists pick briefs without export.js (its filter box stays hidden)."""
    from annotations.roles import Role
    from annotations.services import user_create

    user_create(username="ed", role=Role.EDITOR, password=PASSWORD)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/export/")
    page.fill("#id_username", "ed")
    page.fill("#id_password", PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url("**/export/")
    assert page.locator(".pick-filter").first.is_hidden()  # nothing that cannot work
    page.check("input[name=briefs][value=kinu-co-19-05]")
    with page.expect_download() as download:
        page.click("#export-form button[type=submit]")
    assert download.value.suggested_filename.endswith(".csv")
    assert "briefs=kinu-co-19-05" in download.value.url
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_annotations_filters_fold_on_a_phone_and_export_these_carries_them(editor, width):
    page = editor
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{page.base_url}/annotations/browse/?actor=unspecified")
    fold = page.locator("details[data-browse-fold]")
    summary = fold.locator("summary")
    if width == 390:
        page.wait_for_function("() => !document.querySelector('details[data-browse-fold]').open")
        assert summary.is_visible() and "Filters (in use)" in summary.inner_text()
        assert page.locator(".browse-filters select[name=brief]").is_hidden()
        assert violations(page) == []
        shot(page, "browse-390-folded")
        summary.focus()
        page.keyboard.press("Enter")  # one button opens them
        assert page.locator(".browse-filters select[name=brief]").is_visible()
    else:
        assert fold.evaluate("(d) => d.open") and summary.is_hidden()
    assert violations(page) == []
    shot(page, f"browse-{width}")
    page.click("a.browse-export")
    page.wait_for_url("**/export/?actors=unspecified")
    assert page.locator("input[name=actors][value=unspecified]").is_checked()
    assert "1 excerpt matches" in page.locator("#export-count").inner_text()


def test_copy_citation_from_the_card(editor):
    page = editor
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base_url)
    annotation = page.annotation
    page.goto(f"{page.base_url}/briefs/{annotation.section.brief.slug}/#annotation-{annotation.pk}")
    card = page.locator("#annotation-card .annotation-card")
    card.wait_for()
    button = card.locator("[data-action=copy-citation]")
    assert button.inner_text() == "Copy citation"
    button.click()
    status = card.locator("[data-copy-status]")
    page.wait_for_function(
        "() => document.querySelector('#annotation-card [data-copy-status]').textContent !== ''"
    )
    assert status.inner_text() == "Citation copied."
    copied = page.evaluate("() => navigator.clipboard.readText()")
    from annotations.export.citations import annotation_citation

    assert copied == annotation_citation(annotation)
    assert copied.startswith("통일연구원") or "「" in copied
    assert violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(SHOTS / "card-copy-citation.png"))


def test_copy_citation_falls_back_when_the_clipboard_is_refused(editor):
    page = editor
    page.add_init_script(
        "navigator.clipboard.writeText = () => Promise.reject(new DOMException('no', 'NotAllowedError'));"
        "document.execCommand = () => false;"
    )
    annotation = page.annotation
    page.goto(f"{page.base_url}/briefs/{annotation.section.brief.slug}/#annotation-{annotation.pk}")
    card = page.locator("#annotation-card .annotation-card")
    card.wait_for()
    card.locator("[data-action=copy-citation]").click()
    field = card.locator("[data-citation-field]")
    field.wait_for()
    from annotations.export.citations import annotation_citation

    assert field.input_value() == annotation_citation(annotation)
    assert field.evaluate("(f) => f === document.activeElement && f.selectionEnd - f.selectionStart") == len(
        annotation_citation(annotation)
    )
    assert "press Ctrl+C" in card.locator("[data-copy-status]").inner_text()
