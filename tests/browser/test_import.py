"""An editor imports briefs from the browser: upload, check and correct the preview, confirm or
cancel; a refused upload says why; a new version shows what it changes before it is applied."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from briefs.models import Brief, ImportPreview
from tests.briefs.corpus import corpus_file
from tests.browser.conftest import KINU_SAMPLE, PASSWORD, RESULTS
from tests.browser.test_accessibility import violations

PDF = "03_crs-if10491-australia_en.pdf"


def sign_in_editor(page) -> None:
    from annotations.roles import Role
    from annotations.services import user_create

    user_create(username="ed", role=Role.EDITOR, password=PASSWORD)
    page.goto(f"{page.base_url}/accounts/login/?next=/")
    page.fill("#id_username", "ed")
    page.fill("#id_password", PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url(f"{page.base_url}/")


@pytest.fixture
def editor_page(page, transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    sign_in_editor(page)
    return page


def upload(page, *paths) -> None:
    page.goto(f"{page.base_url}/import/")
    page.set_input_files("#id_files", [str(p) for p in paths])
    page.click("#upload-form button[type=submit]")


def section_headings(page) -> list[str]:
    return page.locator("#preview-sections input[name=heading]").evaluate_all("els => els.map(e => e.value)")


def test_an_editor_corrects_a_pdf_in_the_preview_and_confirms(editor_page):
    page = editor_page
    upload(page, corpus_file(PDF))
    page.wait_for_selector("#preview-sections")
    assert not Brief.objects.exists()
    RESULTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert violations(page) == [], width
        page.screenshot(path=str(RESULTS / f"preview-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    before = section_headings(page)
    # Promote the second paragraph of the second section to a heading (htmx swaps the list)
    second = page.locator("#preview-section-2")
    paragraph = second.locator(".preview-paragraphs li").nth(1)
    text = " ".join(paragraph.locator("p").inner_text().rsplit(" p. ", 1)[0].split())
    paragraph.get_by_role("button", name="Make heading").click()
    page.wait_for_selector("#preview-status:has-text('now a heading')", state="attached")
    after = section_headings(page)
    assert len(after) == len(before) + 1 and after[2].startswith(text[:40])
    # The keyboard focus is on the new section's heading, and the metadata form knows the version
    assert page.evaluate("document.activeElement.closest('li').id") == "preview-section-3"
    assert page.input_value("#preview-version") == "2"

    page.fill("#id_title", "Australia: U.S. Relations (corrected)")
    page.click("#confirm-import")
    page.wait_for_selector(".message-success")
    brief = Brief.objects.get()
    assert unquote(page.url) == f"{page.base_url}/briefs/{brief.slug}/"
    assert brief.title == "Australia: U.S. Relations (corrected)"
    assert brief.sections.count() == len(after)
    assert brief.sections.order_by("position")[2].heading == after[2]

    page.goto(f"{page.base_url}/")
    page.click("text=Australia: U.S. Relations (corrected)")
    headings = page.locator("main .section-heading:not(.visually-hidden)").all_inner_texts()
    assert after[2] in headings


def test_a_cancelled_preview_writes_nothing(editor_page):
    page = editor_page
    upload(page, KINU_SAMPLE)
    page.wait_for_selector("#preview-sections")
    page.click("text=Cancel: import nothing")
    page.wait_for_selector(".message-info")
    assert "/import/" in page.url
    assert not Brief.objects.exists() and not ImportPreview.objects.exists()
    page.goto(f"{page.base_url}/")
    assert page.locator("table.library tbody tr").count() == 0


def test_several_files_dropped_on_the_page_become_previews(editor_page):
    page = editor_page
    page.goto(f"{page.base_url}/import/")
    kinu = KINU_SAMPLE.read_bytes()
    page.evaluate(
        """([kinu]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(kinu)], "kinu.txt", {type: "text/plain"}));
        const note = "# Title\\n\\n## Part\\n\\nSome text.";
        transfer.items.add(new File([note], "note.md", {type: "text/markdown"}));
        const zone = document.querySelector("[data-drop-zone]");
        zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true}));
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
    }""",
        [list(kinu)],
    )
    assert page.locator(".drop-names").inner_text() == "2 files chosen: kinu.txt, note.md"
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector(".pending-previews")
    assert page.locator(".pending-previews li a").all_inner_texts() == ["kinu.txt", "note.md"]
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert violations(page) == [], width
    assert not Brief.objects.exists()


def test_the_preview_works_without_javascript(browser, live_server, transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.base_url = live_server.url
    sign_in_editor(page)
    upload(page, KINU_SAMPLE)
    page.wait_for_selector("#preview-sections")
    before = section_headings(page)
    page.locator("#preview-section-3").get_by_role("button", name="Heading into text").click()
    page.wait_for_selector(".message-success")
    assert page.url.endswith("#preview-section-2")
    assert len(section_headings(page)) == len(before) - 1
    page.click("#confirm-import")
    page.wait_for_selector(".message-success")
    assert Brief.objects.get().sections.count() == len(before) - 1
    context.close()


def test_a_refused_upload_says_why_and_nothing_is_written(editor_page, tmp_path):
    page = editor_page
    junk = tmp_path / "photo.txt"
    junk.write_bytes(bytes(range(256)) * 64)
    upload(page, junk)
    alert = page.locator(".form-errors[role=alert]")
    assert "photo.txt" in alert.inner_text() and "Nothing was imported." in alert.inner_text()
    assert not Brief.objects.exists() and not ImportPreview.objects.exists()


def test_a_new_version_shows_what_it_changes_before_it_is_applied(editor_page, tmp_path):
    from briefs.services import brief_import

    page = editor_page
    kinu = KINU_SAMPLE.read_bytes()
    brief = brief_import(data=kinu, filename="kinu.txt", metadata={"slug": "kinu"}).brief
    changed = tmp_path / "kinu-v2.txt"
    changed.write_bytes(
        kinu.replace("하노이".encode(), "베트남 하노이".encode(), 1) + "\n\n새 문단입니다.\n".encode()
    )
    page.goto(f"{page.base_url}/briefs/kinu/")
    page.click("text=Import a new version")
    page.set_input_files("#id_file", str(changed))
    page.click("form.import-form button[type=submit]")
    page.wait_for_selector(".replace-plan")
    assert "changed" in page.locator(".replace-plan p").inner_text()
    assert page.locator(".replace-plan tr.plan-changed").count() >= 1
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert violations(page) == [], width
        page.screenshot(path=str(RESULTS / f"reimport-plan-{width}.png"), full_page=True)
    assert "베트남" not in "".join(brief.sections.values_list("text", flat=True))
    page.click("#confirm-import")
    page.wait_for_selector(".message-success")
    assert unquote(page.url) == f"{page.base_url}/briefs/kinu/"
    assert Brief.objects.count() == 1
    assert "베트남 하노이" in page.locator("main").inner_text()


def test_many_files_are_read_in_the_background_and_the_page_follows_them(editor_page):
    import io

    from django.core.management import call_command

    from briefs.models import ImportJob
    from tests.conftest import NEWS_SAMPLE

    page = editor_page
    upload(page, KINU_SAMPLE, corpus_file(PDF), NEWS_SAMPLE)
    page.wait_for_url("**/import/#import-status")
    jobs = page.locator("li.import-job")
    assert jobs.count() == 3 and set(jobs.evaluate_all("els => els.map(e => e.dataset.state)")) == {"queued"}
    assert "being read in the background" in page.locator("ul.messages").inner_text()
    assert not ImportPreview.objects.exists()
    RESULTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert violations(page) == [], width
        page.screenshot(path=str(RESULTS / f"import-jobs-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())
    assert set(ImportJob.objects.values_list("state", flat=True)) == {"ready"}
    # The page polls: without a reload it lists the three previews and says the reading is done.
    page.wait_for_selector(".import-status-done:not(:empty)", timeout=10_000)
    assert page.locator("li.import-job").count() == 0
    links = page.locator(".pending-previews a")
    assert sorted(links.all_inner_texts()) == sorted([KINU_SAMPLE.name, PDF, NEWS_SAMPLE.name])
    page.screenshot(path=str(RESULTS / "import-jobs-done-1280.png"), full_page=True)
    links.filter(has_text=PDF).click()
    page.wait_for_selector("#preview-sections")


def test_a_pdf_being_read_shows_its_pages_in_korean(editor_page):
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from briefs.models import ImportJob

    page = editor_page
    expires = timezone.now() + datetime.timedelta(hours=1)
    ImportJob.objects.create(
        owner=get_user_model().objects.get(username="ed"),
        filename="제2차 북미정상회담 평가와 향후 과제.pdf",
        data=b"",
        byte_size=1,
        state="reading",
        started_at=timezone.now(),
        pages_done=3,
        pages_total=8,
        expires_at=expires,
    )
    page.context.add_cookies([{"name": "django_language", "value": "ko", "url": page.base_url}])
    page.goto(f"{page.base_url}/import/")
    bar = page.locator("li.import-job progress")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("3", "8")
    assert "8쪽 중 3쪽" in page.locator("li.import-job").inner_text()
    assert page.locator("#import-status").get_attribute("hx-trigger") == "every 2s"
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert violations(page) == [], width
        page.screenshot(path=str(RESULTS / f"import-jobs-reading-ko-{width}.png"), full_page=True)
