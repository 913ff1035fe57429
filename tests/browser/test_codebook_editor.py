"""An editor creates a tag with a colour and a shortcut (and sees the contrast warning as the
colour changes), retires and restores it, exports the codebook as CSV and imports it back.
The codebook page and the editor's pages pass axe-core at desktop and phone widths."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import PASSWORD
from tests.browser.test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots-codebook")
WIDTHS = (1280, 390)


@pytest.fixture
def editor_page(page, codebook):
    from annotations.roles import Role
    from annotations.services import user_create

    user_create(username="ed", role=Role.EDITOR, password=PASSWORD)
    page.goto(f"{page.base_url}/accounts/login/?next=/codebook/")
    page.fill("#id_username", "ed")
    page.fill("#id_password", PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url(f"{page.base_url}/codebook/")
    SHOTS.mkdir(exist_ok=True)
    return page


def _check(page, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert violations(page) == [], f"{name} at {width}px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_editor_creates_retires_restores_and_round_trips_a_tag(editor_page, tmp_path):
    from annotations.models import Tag

    page = editor_page
    _check(page, "codebook")
    page.click("a:text('New tag')")
    page.wait_for_url("**/codebook/tags/new/")
    from annotations.models import Category

    page.select_option("#id_category", value=str(Category.objects.get(code="sanctions").pk))
    page.fill("#id_code", "snapback")
    page.fill("#id_label_ko", "스냅백")
    page.fill("#id_label_en", "Snapback")
    page.fill("#id_decision_rule", "Tag a claim about sanctions coming back automatically.")
    warning = page.locator("#colour-warning")
    assert warning.is_hidden()
    page.fill("#id_colour", "#283593")  # dark: text on it is hard to read
    page.wait_for_function("() => !document.getElementById('colour-warning').hidden")
    assert warning.inner_text().startswith("Text on this colour as a highlight has a contrast of ")
    assert page.input_value("#colour-picker") == "#283593"
    _check(page, "tag-new-warning")
    page.locator("#colour-picker").evaluate(
        "(el) => { el.value = '#b2ebf2'; el.dispatchEvent(new Event('input')); }"
    )
    assert page.input_value("#id_colour") == "#b2ebf2"
    page.wait_for_function("() => document.getElementById('colour-warning').hidden")
    page.fill("#id_shortcut", "a")
    page.click("form.codebook-form button[type=submit]")
    assert page.locator("#id_shortcut_error").inner_text().startswith("The reader already uses the key “a”")
    _check(page, "tag-new-error")
    page.fill("#id_shortcut", "b")
    page.click("form.codebook-form button[type=submit]")
    # The other tag is named in the active language (English here: the browser asks for it).
    expected = "The key “b” is already the shortcut of “Big deal / comprehensive deal” (big-deal)."
    assert page.locator("#id_shortcut_error").inner_text() == expected
    page.fill("#id_shortcut", "n")
    page.click("form.codebook-form button[type=submit]")
    page.wait_for_url("**/codebook/#tag-snapback")
    assert "Saved “Snapback”." in page.locator(".messages").inner_text()
    tag = Tag.objects.get(code="snapback")
    assert (tag.colour, tag.shortcut, tag.category.code) == ("#b2ebf2", "n", "sanctions")

    entry = page.locator("#tag-snapback")
    entry.locator("button:has-text('Retire')").click()
    page.wait_for_url("**/codebook/#tag-snapback")
    assert page.locator("#tag-snapback .retired-badge").is_visible()
    assert Tag.objects.get(code="snapback").active is False
    page.locator("#tag-snapback button:has-text('Restore')").click()
    page.wait_for_url("**/codebook/#tag-snapback")
    assert page.locator("#tag-snapback .retired-badge").count() == 0
    assert Tag.objects.get(code="snapback").active is True

    with page.expect_download() as download:
        page.click("a:text('CSV')")
    saved = tmp_path / "codebook.csv"
    download.value.save_as(saved)
    assert "snapback,스냅백,Snapback" in saved.read_text(encoding="utf-8-sig")
    edited = saved.read_text(encoding="utf-8-sig").replace(
        "snapback,스냅백,Snapback", "snapback,스냅백,Snap-back"
    )
    saved.write_text(edited, encoding="utf-8-sig")
    page.click("a:text('Import')")
    page.wait_for_url("**/codebook/import/")
    page.set_input_files("#id_file", str(saved))
    page.click("form.import-upload button[type=submit]")
    assert page.locator(".plan-counts").inner_text() == "0 to create, 1 to update, 20 unchanged."
    _check(page, "import-preview")
    page.click("button[name=apply]")
    page.wait_for_url(f"{page.base_url}/codebook/")
    assert "1 updated" in page.locator(".messages").inner_text()
    assert Tag.objects.get(code="snapback").label_en == "Snap-back"


def test_the_category_and_import_pages_in_english_pass_axe(editor_page, tmp_path):
    from annotations.models import Category

    page = editor_page
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.base_url}])
    page.goto(f"{page.base_url}/codebook/")
    assert page.locator("#category-sanctions-h").inner_text() == "Sanctions 제재"  # English first
    _check(page, "codebook-en")
    page.click("#category-sanctions a:text('Edit')")
    page.wait_for_url("**/codebook/categories/sanctions/edit/")
    page.fill("#id_code", "negotiation-approach")  # another category's code
    page.click("form.codebook-form button[type=submit]")
    assert page.locator("#id_code_error").inner_text() == "The code “negotiation-approach” is already taken."
    _check(page, "category-edit-error-en")
    assert Category.objects.filter(code="sanctions").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("category_code,tag_code,colour\nsanctions,x,#12\n", encoding="utf-8")
    page.goto(f"{page.base_url}/codebook/import/")
    page.set_input_files("#id_file", str(bad))
    page.click("form.import-upload button[type=submit]")
    assert page.locator(".plan-errors li").all_inner_texts() == [
        "Row 2: Korean label: This field cannot be blank.",
        "Row 2: English label: This field cannot be blank.",
        "Row 2: Colour: Enter a colour as # and six hexadecimal digits, for example #64b5f6.",
    ]
    assert page.locator("button[name=apply]").count() == 0
    _check(page, "import-errors-en")
