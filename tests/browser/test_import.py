"""An editor imports a brief from the browser and reads it; a refused upload says why."""

from __future__ import annotations

from urllib.parse import unquote

from briefs.models import Brief
from tests.briefs.test_importers import KINU_HEADINGS
from tests.browser.conftest import KINU_SAMPLE, PASSWORD, RESULTS


def sign_in_editor(page) -> None:
    from annotations.roles import Role
    from annotations.services import user_create

    user_create(username="ed", role=Role.EDITOR, password=PASSWORD)
    page.goto(f"{page.base_url}/accounts/login/?next=/")
    page.fill("#id_username", "ed")
    page.fill("#id_password", PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url(f"{page.base_url}/")


def test_an_editor_imports_a_brief_from_the_library(page, transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    sign_in_editor(page)
    page.click("text=Import a brief")
    page.set_input_files("#id_file", str(KINU_SAMPLE))
    page.fill("#id_organisation", "통일연구원")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "import-form.png"), full_page=True)
    page.click("form.import-form button[type=submit]")
    page.wait_for_selector(".message-success")
    brief = Brief.objects.get()
    assert unquote(page.url) == f"{page.base_url}/briefs/{brief.slug}/"
    headings = page.locator("main .section-heading:not(.visually-hidden)").all_inner_texts()
    assert headings == [h for h in KINU_HEADINGS if h]


def test_a_refused_upload_keeps_the_form_and_says_why(page, transactional_db, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    sign_in_editor(page)
    junk = tmp_path / "photo.txt"
    junk.write_bytes(bytes(range(256)) * 64)
    page.goto(f"{page.base_url}/import/")
    page.set_input_files("#id_file", str(junk))
    page.fill("#id_title", "지켜질 제목")
    page.click("form.import-form button[type=submit]")
    alert = page.locator(".form-errors[role=alert]")
    assert "photo.txt" in alert.inner_text() and "Nothing was imported." in alert.inner_text()
    assert page.input_value("#id_title") == "지켜질 제목"  # what was typed is kept
    assert not Brief.objects.exists()
