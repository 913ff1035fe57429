"""An editor edits a brief from the reader's Edit link and deletes briefs, with and without
other people's annotations; the sync feed then reports those annotations as tombstones. Both
pages pass axe-core at desktop and phone widths."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PASSWORD, RESULTS, STANCE_HEADING, stance
from tests.browser.test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor_page(page, users, kinu):
    from annotations.roles import Role
    from annotations.services import user_create

    user_create(username="ed", role=Role.EDITOR, password=PASSWORD)
    page.goto(f"{page.base_url}/accounts/login/?next=/")
    page.fill("#id_username", "ed")
    page.fill("#id_password", PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url(f"{page.base_url}/")
    RESULTS.mkdir(exist_ok=True)
    return page


def _annotate(user, section, quote: str, visibility: str):
    from annotations.services import annotation_create

    start = section.text.index(quote)
    return annotation_create(
        user=user, section=section, start=start, end=start + len(quote), quote=quote, visibility=visibility
    )


def test_an_editor_edits_the_title_and_a_heading_from_the_reader(editor_page, kinu):
    page = editor_page
    anchor = stance(kinu).anchor
    page.goto(f"{page.base_url}/briefs/{kinu.slug}/")
    page.click("header.brief-meta a:text('Edit brief')")
    page.wait_for_url(f"**/briefs/{kinu.slug}/edit/")
    page.fill("#id_title", "제2차 북미정상회담: 새 제목")
    heading = page.locator(f"input[name$='-heading'][value='{STANCE_HEADING}']")
    prefix = heading.get_attribute("name").removesuffix("-heading")
    heading.fill("입장차 (고침)")
    page.select_option(f"select[name='{prefix}-level']", "4")
    page.screenshot(path=str(RESULTS / "manage-edit.png"), full_page=True)
    page.click("form.manage-form button[type=submit]")
    page.wait_for_url(f"**/briefs/{kinu.slug}/")
    assert page.locator("h1.brief-title").inner_text() == "제2차 북미정상회담: 새 제목"
    assert "Saved your changes: title" in page.locator(".messages").inner_text()
    assert kinu.sections.get(heading="입장차 (고침)").anchor == anchor  # its address is kept
    section_heading = page.locator(f"[id='{anchor}'] .section-heading").first
    assert section_heading.inner_text() == "입장차 (고침)"
    assert kinu.sections.get(anchor=anchor).level == 4


def test_an_editor_deletes_a_brief_without_annotations(editor_page):
    from briefs.models import Brief
    from tests.factories import BriefFactory, SectionFactory

    spare = BriefFactory(slug="spare", title="지울 보고서")
    SectionFactory(brief=spare, heading="하나", anchor="one")
    page = editor_page
    page.goto(f"{page.base_url}/briefs/spare/")
    page.click("header.brief-meta a:text('Delete brief')")
    page.wait_for_url("**/briefs/spare/delete/")
    assert page.locator("input[name=with_annotations]").count() == 0
    page.click("form.manage-form button[type=submit]")
    page.wait_for_url(f"{page.base_url}/")
    assert "Deleted the brief “지울 보고서”" in page.locator(".messages").inner_text()
    assert not Brief.objects.filter(slug="spare").exists()


def test_deleting_a_brief_with_someone_elses_annotation_needs_the_checkbox(editor_page, users, kinu):
    from annotations.models import Annotation
    from briefs.models import Brief

    annotation = _annotate(users["ann"], stance(kinu), "빅딜을 요구한 것으로 보인다", "shared")
    page = editor_page
    page.goto(f"{page.base_url}/briefs/{kinu.slug}/delete/")
    assert "1 shared; possibly others you cannot see" in page.locator("main").inner_text()
    page.click("form.manage-form button[type=submit]")
    alert = page.locator("[role=alert]")
    assert "it holds annotations by other people" in alert.inner_text()
    assert "Nothing was deleted" in alert.inner_text()
    assert Brief.objects.filter(pk=kinu.pk).exists()
    page.screenshot(path=str(RESULTS / "manage-delete-refused.png"), full_page=True)

    page.check("input[name=with_annotations]")
    page.click("form.manage-form button[type=submit]")
    page.wait_for_url(f"{page.base_url}/")
    assert not Brief.objects.filter(pk=kinu.pk).exists()
    assert Annotation.objects.get(pk=annotation.pk).deleted_at is not None

    feed = page.request.get(f"{page.base_url}/api/v1/annotations?ordering=updated&include_deleted=true")
    assert feed.ok
    items = {item["id"]: item for item in feed.json()["items"]}
    assert items[annotation.pk]["deleted"] is True
    by_brief = page.request.get(
        f"{page.base_url}/api/v1/annotations?ordering=updated&include_deleted=true&brief={kinu.slug}"
    ).json()
    assert [item["id"] for item in by_brief["items"]] == [annotation.pk]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_edit_and_delete_pages_have_no_accessibility_violation(editor_page, users, kinu, width):
    _annotate(users["ann"], stance(kinu), "빅딜을 요구한 것으로 보인다", "shared")
    page = editor_page
    page.set_viewport_size({"width": width, "height": 900})
    found = {}
    for name, path in (("edit", "edit/"), ("delete", "delete/")):
        page.goto(f"{page.base_url}/briefs/{kinu.slug}/{path}")
        if name == "edit":
            # with errors shown beside fields, too
            page.fill("#id_title", "")
            page.fill("#id_publication_year", "1700")
            page.click("form.manage-form button[type=submit]")
            page.wait_for_selector("#id_title_error")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(RESULTS / f"manage-{name}-{width}.png"), full_page=True)
        if result := violations(page):
            found[path] = result
    assert found == {}
