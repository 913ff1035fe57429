"""The reader's annotation flows in a real browser."""

from __future__ import annotations

import re

import pytest

from annotations.models import Annotation
from tests.browser.conftest import RESULTS, select_text, sign_in, stance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YONGBYON = "영변의 모든 핵시설을 영구적으로 폐기"
READER = "/briefs/kinu-co-19-05/"


def marks_with_text(page, text: str) -> list[str]:
    return [m for m in page.locator("mark.hl").all_inner_texts() if m == text]


def test_tag_a_claim_with_the_toolbar_and_find_it_after_reload(page, users, codebook, kinu):
    sign_in(page, "ann", READER)
    select_text(page, YONGBYON)
    page.click("#annotator [data-action=open-tags]")
    # the picker filters as you type; Enter in the filter picks the first match
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "reader-picker.png"))
    page.fill("#annotator-filter", "yongbyon dis")
    assert page.locator(".tag-option:visible").count() == 1
    page.press("#annotator-filter", "Enter")
    assert page.is_checked("input[name=tags][value=yongbyon-dismantlement]")
    page.select_option("#annotator select[name=actor]", "dprk")
    page.fill("#annotator textarea[name=note]", "북한의 제안")
    page.click("#annotator button[type=submit]")
    page.wait_for_selector("#reader-status:not([hidden])")
    assert page.inner_text("#reader-status") == "Saved shared tagged claim."
    assert page.locator("#annotator").is_hidden()

    annotation = Annotation.objects.get()
    text = stance(kinu).text
    assert (annotation.start, annotation.end) == (text.index(YONGBYON), text.index(YONGBYON) + len(YONGBYON))
    assert [t.code for t in annotation.tags.all()] == ["yongbyon-dismantlement"]
    assert (annotation.actor, annotation.visibility, annotation.note) == ("dprk", "shared", "북한의 제안")

    # in place without a reload, then again after one
    assert marks_with_text(page, YONGBYON) == [YONGBYON]
    page.reload()
    mark = page.locator(f"#annotation-{annotation.pk}")
    assert mark.inner_text() == YONGBYON
    assert marks_with_text(page, YONGBYON) == [YONGBYON]
    assert "Yongbyon dismantlement (1)" in page.inner_text("select[name=tag]")
    margin = page.locator(f".margin-item[data-annotation-id='{annotation.pk}']")
    # the chip names the tag in the interface's language (this browser asks for English)
    assert "Yongbyon dismantlement" in margin.inner_text() and "North Korea (DPRK)" in margin.inner_text()

    # the card
    mark.click()
    card = page.locator("#annotation-card .annotation-card")
    card.wait_for()
    assert "North Korea (DPRK)" in card.inner_text() and "북한의 제안" in card.inner_text()
    page.keyboard.press("Escape")
    assert page.locator("#annotation-card").is_hidden()

    # the permalink scrolls to the highlight, flashes it and opens its card
    page.goto(f"{page.base_url}/annotations/{annotation.pk}/")
    page.wait_for_url(f"**{READER}#annotation-{annotation.pk}")
    page.wait_for_selector(f"#annotation-{annotation.pk}.flash")
    page.locator("#annotation-card .annotation-card").wait_for()


def test_second_user_does_not_see_the_first_users_private_highlight(browser, page, users, codebook, kinu):
    sign_in(page, "ann", READER)
    select_text(page, YONGBYON)
    page.click("#annotator [data-action=highlight]")
    page.wait_for_selector(f"mark.hl-private:text-is('{YONGBYON}')")
    annotation = Annotation.objects.get()
    assert annotation.visibility == "private" and not annotation.tags.exists()

    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    other.base_url = page.base_url
    sign_in(other, "kim", READER)
    assert other.locator("mark").count() == 0
    assert other.locator(".margin-item").count() == 0
    assert other.inner_text(".filter-summary") == "0 annotations visible to you"
    assert other.request.get(f"{page.base_url}/annotations/{annotation.pk}/card/").status == 404
    other.goto(f"{page.base_url}{READER}#annotation-{annotation.pk}")
    other.wait_for_selector("#reader-status:not([hidden])")
    assert "not shown here" in other.inner_text("#reader-status")
    other.context.close()


def test_offsets_sent_by_the_browser_are_code_points(page, users, codebook, kinu):
    section = kinu.sections.get(anchor="emoji")
    sign_in(page, "ann", READER)
    for needle in ("제재 완화", "미국과"):
        select_text(page, needle, "emoji")
        page.click("#annotator [data-action=highlight]")
        page.wait_for_selector(f"mark.hl:text-is('{needle}')")
    stored = {a.quote: (a.start, a.end) for a in Annotation.objects.all()}
    assert stored["제재 완화"] == (3, 8)  # 🇰🇷 is two code points but four UTF-16 units
    start = section.text.index("미국과")
    assert stored["미국과"] == (start, start + 3)
    # three emoji before it: five UTF-16 units more than code points
    assert len(section.text[:start].encode("utf-16-le")) // 2 == start + 5


def test_keyboard_only_annotation(page, users, codebook, kinu):
    sign_in(page, "ann", READER)
    text_box = page.locator("#emoji .section-text")
    text_box.focus()
    for _ in range(2):  # over the flag (one grapheme) and the space
        page.keyboard.press("ArrowRight")
    for _ in range(5):
        page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("window.getSelection().toString()") == "제재 완화"
    page.keyboard.press("a")
    page.wait_for_selector("#annotator .annotator-panel:not([hidden])")
    page.keyboard.press("r")  # the codebook shortcut of "Partial sanctions relief"
    assert page.is_checked("input[name=tags][value=sanctions-partial-relief]")
    page.keyboard.press("Escape")  # Esc closes without saving
    page.wait_for_selector("#annotator", state="hidden")  # (under load the close may lag a frame)
    assert not Annotation.objects.exists()

    text_box.focus()
    page.keyboard.press("a")
    page.wait_for_selector("#annotator .annotator-panel:not([hidden])")
    page.keyboard.press("r")
    page.keyboard.press("Enter")
    page.wait_for_selector("mark.hl:text-is('제재 완화')")
    annotation = Annotation.objects.get()
    assert (annotation.start, annotation.end, annotation.quote) == (3, 8, "제재 완화")
    assert [t.code for t in annotation.tags.all()] == ["sanctions-partial-relief"]


def test_server_refusals_are_shown_in_the_toolbar(page, users, codebook, kinu):
    sign_in(page, "ana", READER)
    select_text(page, YONGBYON)
    page.click("#annotator [data-action=open-tags]")
    # an analyst cannot pick "shared"
    assert page.is_disabled("input[name=visibility][value=shared]")
    assert page.is_checked("input[name=visibility][value=private]")
    # the text changes under the reader: the server refuses and says why
    section = stance(kinu)
    section.text = "서문. " + section.text
    section.save()
    page.click("#annotator button[type=submit]")
    status = page.locator(".annotator-status.is-error")
    status.wait_for()
    assert "no longer matches" in status.inner_text()
    assert not Annotation.objects.exists()


def test_screenshot_of_overlapping_highlights(page, users, codebook, kinu):
    """Several coloured, nested and crossing highlights with the margin list, for review."""
    from annotations.models import Tag
    from annotations.services import annotation_create

    section = stance(kinu)
    text = section.text
    tags = {t.code: t for t in Tag.objects.all()}
    ann, kim = users["ann"], users["kim"]

    def add(user, quote, tag_codes=(), actor="unspecified", visibility="shared", note=""):
        start = text.index(quote)
        return annotation_create(
            user=user,
            section=section,
            start=start,
            end=start + len(quote),
            quote=quote,
            tags=[tags[c] for c in tag_codes],
            actor=actor,
            visibility=visibility,
            note=note,
        )

    outer = add(
        kim,
        "양국 공동 작업으로 영변의 모든 핵시설을 영구적으로 폐기할 것이고 "
        "핵실험과 장거리 미사일 실험의 영구 중단",
        ["phased-approach"],
        "dprk",
    )
    add(ann, YONGBYON, ["yongbyon-dismantlement"], "dprk", note="영변 폐기 제안")
    add(ann, "장거리 미사일 실험의 영구 중단을 문서로 확약", ["declaration-verification"], "dprk")
    add(kim, "빅딜을 요구한 것으로 보인다", ["big-deal"], "us")
    add(ann, "영변 이외 핵시설을 지목했고", ["beyond-yongbyon"], "us")
    add(ann, "제재의 일부 해제를 요구했다고 밝혔다", ["sanctions-partial-relief"], "dprk")
    add(ann, "전면적 제재 해제를 요구했지만", ["sanctions-full-lifting"], "us", visibility="private")
    add(ann, "단계적 접근 방식을 고수했다고", visibility="private", note="plain highlight")

    sign_in(page, "ann", READER)
    page.locator(f"#annotation-{outer.pk}").scroll_into_view_if_needed()
    page.locator(f".margin-open[data-annotation-id='{outer.pk}']").click()
    page.locator("#annotation-card .annotation-card").wait_for()
    page.wait_for_function("() => document.querySelectorAll('.flash').length === 0")  # flash is over
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "reader-highlights.png"), full_page=True)
    # nested marks: the Yongbyon claim sits inside the longer phased-approach one
    inner = page.locator(f"mark[data-annotation-id='{outer.pk}'] mark.hl:text-is('{YONGBYON}')")
    assert inner.count() == 1
    assert re.fullmatch(r"\d+ \d+", inner.get_attribute("data-annotation-ids"))

    page.set_viewport_size({"width": 390, "height": 844})
    page.keyboard.press("Escape")
    page.goto(f"{page.base_url}{READER}")
    page.screenshot(path=str(RESULTS / "reader-phone.png"), full_page=False)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at phone width ({width}px)"
    select_text(page, "단계적 접근 방식을")
    page.click("#annotator [data-action=open-tags]")
    page.screenshot(path=str(RESULTS / "reader-phone-picker.png"))
    box = page.locator("#annotator").bounding_box()
    assert box["x"] == 0 and box["width"] == 390  # a bottom sheet, not a popover off screen


def test_edit_and_delete_from_the_card(page, users, codebook, kinu):
    from annotations.models import Tag
    from annotations.services import annotation_create

    section = stance(kinu)
    start = section.text.index(YONGBYON)
    annotation = annotation_create(
        user=users["ann"],
        section=section,
        start=start,
        end=start + len(YONGBYON),
        quote=YONGBYON,
        tags=[Tag.objects.get(code="big-deal")],
        visibility="shared",
    )
    sign_in(page, "ann", READER)
    page.click(f"#annotation-{annotation.pk}")
    page.click("#annotation-card [data-action=edit-annotation]")
    page.wait_for_selector("#annotator .annotator-panel:not([hidden])")
    assert page.is_checked("input[name=tags][value=big-deal]")
    page.keyboard.press("b")  # off
    page.keyboard.press("y")  # on
    page.select_option("#annotator select[name=actor]", "dprk")
    page.click("#annotator button[type=submit]")
    page.wait_for_selector(f"#annotation-{annotation.pk}[style*='#ffb74d']")
    annotation.refresh_from_db()
    assert [t.code for t in annotation.tags.all()] == ["yongbyon-dismantlement"]
    assert annotation.actor == "dprk"

    page.on("dialog", lambda dialog: dialog.accept())
    page.click(f"#annotation-{annotation.pk}")
    page.click("#annotation-card [data-action=delete-annotation]")
    page.wait_for_selector(f"#annotation-{annotation.pk}", state="detached")
    assert page.locator(".margin-item").count() == 0
    annotation.refresh_from_db()
    assert annotation.deleted_at is not None


GROUP_HEADERS = [
    "협상 방식 · Negotiation approach",
    "비핵화 조치 · Denuclearisation steps",
    "제재 · Sanctions",
    "안전보장 · Security guarantees",
    "과정과 행위자 · Process and actors",
]


FOCUSED_TAG_IN_VIEW = """() => {
  const li = document.activeElement.closest(".tag-option");
  const list = li.closest(".tag-list").getBoundingClientRect();
  const header = li.closest(".tag-group").querySelector(".tag-group-label").getBoundingClientRect();
  const box = li.getBoundingClientRect();
  return box.top >= header.bottom - 1 && box.bottom <= list.bottom && header.top >= list.top;
}"""


def visible_tags(page) -> list[str]:
    return [box.get_attribute("value") for box in page.locator("#annotator input[name=tags]:visible").all()]


def focused_tag(page) -> str | None:
    return page.evaluate("document.activeElement.name === 'tags' ? document.activeElement.value : null")


def test_grouped_tag_picker_filters_by_category_and_moves_across_groups(page, users, codebook, kinu):
    sign_in(page, "ann", READER)
    select_text(page, YONGBYON)
    page.click("#annotator [data-action=open-tags]")
    picker = page.locator("#annotator .tag-list")
    # one labelled group per category, in codebook order
    assert page.locator("#annotator .tag-group-label").all_inner_texts() == GROUP_HEADERS
    for header in GROUP_HEADERS:
        assert picker.get_by_role("group", name=header, exact=True).get_by_role("checkbox").count() >= 2
    assert page.locator("#annotator .tag-group-label input").count() == 0  # headers are not options
    RESULTS.mkdir(exist_ok=True)
    page.locator("#annotator").screenshot(path=str(RESULTS / "picker-grouped.png"))
    # Home and End reach the first and last tags; the list scrolls the whole tag into view,
    # clear of its group's sticky header
    page.focus("#annotator-filter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    assert focused_tag(page) == "us-domestic-politics"
    assert page.evaluate(FOCUSED_TAG_IN_VIEW)
    for _ in range(6):  # up over the "Process and actors" header into security guarantees
        page.keyboard.press("ArrowUp")
    assert focused_tag(page) == "end-of-war-declaration"
    assert page.evaluate(FOCUSED_TAG_IN_VIEW)
    page.keyboard.press("Home")
    assert focused_tag(page) == "big-deal"

    # a category's name, in Korean or English, brings up its tags and hides every other group
    for query in ("제재", "Sanctions"):
        page.fill("#annotator-filter", query)
        assert page.locator("#annotator .tag-group-label:visible").all_inner_texts() == ["제재 · Sanctions"]
        assert visible_tags(page) == ["sanctions-full-lifting", "sanctions-partial-relief"]
    page.fill("#annotator-filter", "행위자")
    assert page.locator("#annotator .tag-group-label:visible").all_inner_texts() == [
        "과정과 행위자 · Process and actors"
    ]
    page.fill("#annotator-filter", "no such tag")
    assert page.locator("#annotator .tag-group:visible").count() == 0
    assert page.locator("#annotator .tag-none").is_visible()

    # the arrow keys walk the matches across groups, over headers and hidden tags
    page.fill("#annotator-filter", "declaration")
    assert page.locator("#annotator .tag-group-label:visible").all_inner_texts() == [
        "비핵화 조치 · Denuclearisation steps",
        "안전보장 · Security guarantees",
    ]
    page.keyboard.press("ArrowDown")
    assert focused_tag(page) == "declaration-verification"
    page.keyboard.press("ArrowDown")
    assert focused_tag(page) == "end-of-war-declaration"
    page.keyboard.press("ArrowDown")  # the last match stays put
    assert focused_tag(page) == "end-of-war-declaration"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # above the first match: back to the filter
    assert page.evaluate("document.activeElement.id") == "annotator-filter"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert page.is_checked("input[name=tags][value=end-of-war-declaration]")
    # a shortcut still picks a tag the filter hides, and shows it in its group
    page.keyboard.press("r")
    assert page.is_checked("input[name=tags][value=sanctions-partial-relief]")
    assert page.locator("#annotator .tag-group-label:visible").all_inner_texts() == [
        "비핵화 조치 · Denuclearisation steps",
        "제재 · Sanctions",
        "안전보장 · Security guarantees",
    ]
    page.keyboard.press("Enter")  # saves
    page.wait_for_selector("#reader-status:not([hidden])")
    assert page.inner_text("#reader-status") == "Saved shared tagged claim."

    annotation = Annotation.objects.get()
    assert annotation.quote == YONGBYON
    assert [t.code for t in annotation.tags.all()] == ["sanctions-partial-relief", "end-of-war-declaration"]
    page.reload()
    mark = page.locator(f"#annotation-{annotation.pk}")
    assert mark.inner_text() == YONGBYON
    assert "#9575cd" in mark.get_attribute("style")  # its first tag's colour, in codebook order

    # at phone width the grouped picker is a bottom sheet that does not scroll sideways
    page.set_viewport_size({"width": 390, "height": 844})
    select_text(page, "단계적 접근 방식을")
    page.click("#annotator [data-action=open-tags]")
    page.locator("#annotator").screenshot(path=str(RESULTS / "picker-grouped-phone.png"))
    sheet = page.locator("#annotator")
    assert sheet.bounding_box()["width"] == 390
    assert page.evaluate(
        "(l => l.scrollWidth <= l.clientWidth)(document.querySelector('#annotator .tag-list'))"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
