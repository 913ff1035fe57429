"""The reader's rough edges: width signed out, the sticky bar, the edit panel, focus after a
save, find in a brief and search-word highlights, the dark scheme, the favicon, Korean line breaks."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from tests.browser.conftest import sign_in, stance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

READER = "/briefs/kinu-co-19-05/"
YONGBYON = "영변의 모든 핵시설을 영구적으로 폐기"
SHOTS = Path("/tmp/shots-reader")
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
RUN_AXE = """
async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map((v) => ({
  rule: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3),
}))
"""
BAR_BOTTOM = "() => document.getElementById('reader-bar').getBoundingClientRect().bottom"


def shot(page, name: str, **kwargs) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), **kwargs)


def axe_violations(page) -> list[dict]:
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    return page.evaluate(RUN_AXE)


def annotate(user, section, quote: str, tag_codes=("big-deal",), visibility="shared"):
    from annotations.models import Tag
    from annotations.services import annotation_create

    start = section.text.index(quote)
    return annotation_create(
        user=user,
        section=section,
        start=start,
        end=start + len(quote),
        quote=quote,
        tags=list(Tag.objects.filter(code__in=tag_codes)),
        visibility=visibility,
    )


def last_section(kinu):
    return kinu.sections.exclude(text="").order_by("-position").exclude(anchor="emoji").first()


# Signed out ---------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 390])
def test_signed_out_the_text_has_the_full_width_and_print_drops_the_sign_in_prompt(page, kinu, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{page.base_url}{READER}")
    widths = page.evaluate(
        """() => ({
          brief: document.querySelector("article.brief").clientWidth,
          texts: [...document.querySelectorAll(".section-text")].map((t) => t.getBoundingClientRect().width),
        })"""
    )
    assert widths["texts"], "no section text rendered"
    for text_width in widths["texts"]:
        # every section's text spans the article (summary sections keep their inner padding)
        assert text_width >= widths["brief"] - 48, widths
    assert page.locator(".margin").count() == 0
    shot(page, f"signed-out-{width}")
    assert page.locator(".annotate-hint").is_visible()
    page.emulate_media(media="print")
    assert page.locator(".annotate-hint").is_hidden()
    assert page.locator("#reader-bar").is_hidden()


def test_printed_signed_in_the_brief_has_the_page_width_without_margin_or_bar(page, users, codebook, kinu):
    annotate(users["ann"], stance(kinu), YONGBYON)
    sign_in(page, "ann", READER)
    page.emulate_media(media="print")
    assert page.locator(".margin").first.is_hidden()
    assert page.locator("#reader-bar").is_hidden() and page.locator(".annotate-help").is_hidden()
    widths = page.evaluate(
        """(anchor) => {
          const section = document.getElementById(anchor);
          return [document.querySelector("article.brief").clientWidth,
                  section.querySelector(".section-text").getBoundingClientRect().width,
                  section.querySelector(".section-heading").getBoundingClientRect().width];
        }""",
        stance(kinu).anchor,
    )
    assert min(widths[1:]) >= widths[0] - 1, widths
    shot(page, "print-signed-in", full_page=True)


# The sticky bar -----------------------------------------------------------------------------


def test_permalinks_and_section_anchors_land_below_the_opaque_sticky_bar(page, users, codebook, kinu):
    section = last_section(kinu)
    quote = section.text.strip().split("\n")[0][:12]
    annotation = annotate(users["ann"], section, quote)
    sign_in(page, "ann", READER)
    bar = page.evaluate(
        """() => { const s = getComputedStyle(document.getElementById('reader-bar'));
                   return {position: s.position, bg: s.backgroundColor, filter: s.backdropFilter}; }"""
    )
    assert bar["position"] == "sticky"
    assert re.fullmatch(r"rgb\(\d+, \d+, \d+\)", bar["bg"]), bar  # opaque: no alpha channel

    page.goto(f"{page.base_url}{READER}#{section.anchor}")
    page.wait_for_function("() => document.documentElement.classList.contains('reader-ready')")
    page.wait_for_function("() => window.scrollY > 0")
    heading = page.evaluate(f"() => document.getElementById('{section.anchor}-h').getBoundingClientRect().y")
    assert heading >= page.evaluate(BAR_BOTTOM)
    shot(page, "section-anchor")

    page.goto(f"{page.base_url}/annotations/{annotation.pk}/")
    page.wait_for_url(f"**{READER}#annotation-{annotation.pk}")
    page.locator("#annotation-card .annotation-card").wait_for()
    top = page.locator(f"#annotation-{annotation.pk}").bounding_box()["y"]
    assert top >= page.evaluate(BAR_BOTTOM)


def test_the_keyboard_caret_is_scrolled_out_from_under_the_bar(page, users, codebook, kinu):
    sign_in(page, "ann", READER)
    anchor = stance(kinu).anchor
    # put the start of the section's text just under the top of the window, behind the bar
    page.evaluate(
        f"""() => {{ const t = document.querySelector('#{anchor} .section-text');
                    window.scrollBy(0, t.getBoundingClientRect().top - 10); }}"""
    )
    page.evaluate(f"() => document.querySelector('#{anchor} .section-text').focus({{preventScroll: true}})")
    page.keyboard.press("Shift+ArrowRight")
    caret_top = page.evaluate("() => document.querySelector('.kbd-caret').getBoundingClientRect().top")
    assert caret_top >= page.evaluate(BAR_BOTTOM)


# The edit panel, and focus after a save -----------------------------------------------------


@pytest.mark.parametrize("width", [1280, 390])
def test_the_edit_panels_save_button_takes_a_real_mouse_click(page, users, codebook, kinu, width):
    section = stance(kinu)
    annotation = annotate(users["ann"], section, YONGBYON)
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, "ann", READER)
    # the highlight in the lower part of the window: the card opens below it, and the panel
    # opened from the card's Edit button has to go above
    page.evaluate(
        f"""() => {{ const m = document.getElementById('annotation-{annotation.pk}');
                    window.scrollBy(0, m.getBoundingClientRect().top - 430); }}"""
    )
    page.locator(f"#annotation-{annotation.pk}").click()
    page.locator("#annotation-card [data-action=edit-annotation]").click()
    page.wait_for_selector("#annotator .annotator-panel:not([hidden])")
    # nothing covers the panel: the card is gone or beside it
    overlap = page.evaluate(
        """() => { const a = document.getElementById('annotator').getBoundingClientRect();
                   const c = document.getElementById('annotation-card');
                   if (c.hidden) return false;
                   const b = c.getBoundingClientRect();
                   return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; }"""
    )
    assert not overlap
    page.select_option("#annotator select[name=actor]", "dprk")
    save = page.locator("#annotator button[type=submit]")
    save.scroll_into_view_if_needed()
    box = save.bounding_box()
    centre = [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]
    on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y)?.closest('button')?.type", centre)
    shot(page, f"edit-panel-{width}")
    assert on_top == "submit", "something covers the Save button"
    page.mouse.click(*centre)
    page.wait_for_selector("#reader-status:not([hidden])")
    annotation.refresh_from_db()
    assert annotation.actor == "dprk"


def test_after_a_keyboard_save_focus_is_back_in_the_text(page, users, codebook, kinu):
    sign_in(page, "ann", READER)
    page.locator("#emoji .section-text").focus()
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    for _ in range(5):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("a")
    page.wait_for_selector("#annotator .annotator-panel:not([hidden])")
    page.keyboard.press("r")
    page.keyboard.press("Enter")
    page.wait_for_selector("mark.hl:text-is('제재 완화')")
    page.wait_for_function("() => document.activeElement?.matches('#emoji .section-text')")
    # and the caret is after the new highlight, so the arrow keys carry on from there
    assert page.evaluate("() => window.getSelection().isCollapsed")

    # Esc out of the panel returns there too
    page.keyboard.press("Shift+End")
    page.keyboard.press("a")
    page.wait_for_selector("#annotator .annotator-panel:not([hidden])")
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.activeElement?.matches('#emoji .section-text')")


# Find in the brief, and the words of a search hit ---------------------------------------------


def occurrences(kinu, word: str) -> int:
    word = unicodedata.normalize("NFC", word).lower()
    return sum(s.text.lower().count(word) for s in kinu.sections.all())


def find_state(page) -> dict:
    return page.evaluate(
        """() => ({
          count: document.querySelector('.find-count').textContent.trim(),
          all: CSS.highlights.get('find')?.size || 0,
          current: CSS.highlights.get('find-current')?.size || 0,
        })"""
    )


@pytest.mark.parametrize("signed_in", [True, False])
def test_find_in_the_brief(page, users, codebook, kinu, signed_in):
    if signed_in:
        sign_in(page, "ann", READER)
    else:
        page.goto(f"{page.base_url}{READER}")
    total = occurrences(kinu, "제재")
    assert total > 3
    box = page.locator("#brief-find-q")
    # typed decomposed (NFD), as some input methods send it
    box.fill(unicodedata.normalize("NFD", "제재"))
    page.wait_for_function("() => document.querySelector('.find-count').textContent.includes('of')")
    assert find_state(page) == {"count": f"1 of {total}", "all": total, "current": 1}
    box.press("Enter")
    assert find_state(page)["count"] == f"2 of {total}"
    box.press("Shift+Enter")
    box.press("Shift+Enter")  # wraps round to the last
    assert find_state(page)["count"] == f"{total} of {total}"
    page.click("[data-find=next]")
    assert find_state(page)["count"] == f"1 of {total}"
    page.click("[data-find=prev]")
    assert find_state(page)["count"] == f"{total} of {total}"
    current = page.evaluate("() => [...CSS.highlights.get('find-current')][0].getBoundingClientRect().top")
    assert page.evaluate(BAR_BOTTOM) <= current <= 900
    shot(page, f"find-{'in' if signed_in else 'out'}")
    # Latin letters match whatever their case
    assert occurrences(kinu, "deal") >= 1
    box.fill("DeAL")
    page.wait_for_function(f"() => CSS.highlights.get('find')?.size === {occurrences(kinu, 'deal')}")
    box.fill("no such words anywhere")
    page.wait_for_function("() => document.querySelector('.find-count').textContent.trim() === 'No matches'")
    box.fill("제재")
    box.press("Escape")
    assert find_state(page) == {"count": "", "all": 0, "current": 0}
    assert box.input_value() == ""


def test_the_words_of_a_search_hit_are_highlighted_and_can_be_cleared(page, users, codebook, kinu):
    sign_in(page, "ann", READER)
    page.goto(f"{page.base_url}{READER}?hl=제재&hl=완화#emoji")
    page.wait_for_function("() => (CSS.highlights.get('search-hl')?.size || 0) > 0")
    total = occurrences(kinu, "제재") + occurrences(kinu, "완화")
    assert page.evaluate("() => CSS.highlights.get('search-hl').size") == total
    # the first in the section linked to is in view, below the bar
    first = page.evaluate(
        """() => { const emoji = document.getElementById('emoji');
                   const hl = [...CSS.highlights.get('search-hl')];
                   const r = hl.find((r) => emoji.contains(r.startContainer));
                   return r.getBoundingClientRect().top; }"""
    )
    assert page.evaluate(BAR_BOTTOM) <= first <= 800
    notice = page.locator("#hl-notice")
    assert "제재" in notice.inner_text() and "완화" in notice.inner_text()
    shot(page, "search-words")
    notice.get_by_role("button", name="Clear highlights").click()
    assert page.evaluate("() => CSS.highlights.get('search-hl')?.size || 0") == 0
    assert notice.is_hidden()
    assert "hl=" not in page.url and page.url.endswith("#emoji")
    # the annotations' own text is untouched: the DOM offsets do not move
    assert page.locator("#emoji .section-text").inner_text() == kinu.sections.get(anchor="emoji").text


def test_on_a_phone_signed_out_find_and_the_search_words_stay_in_view(page, kinu):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}{READER}?hl=제재")
    page.wait_for_function("() => (CSS.highlights.get('search-hl')?.size || 0) > 0")
    assert page.evaluate("() => window.scrollY") > 0  # scrolled to the first hit
    clear = page.get_by_role("button", name="Clear highlights")
    box = clear.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844  # still on screen, to clear them
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    shot(page, "phone-search-words")
    clear.click()
    assert page.evaluate("() => CSS.highlights.get('search-hl')?.size || 0") == 0


def test_hostile_search_words_are_plain_text(page, kinu):
    page.goto(f"{page.base_url}{READER}?hl=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&hl=&hl=.*")
    page.wait_for_function("() => !document.getElementById('hl-notice').hidden")
    assert page.locator("#hl-notice img").count() == 0
    assert page.evaluate("() => CSS.highlights.get('search-hl')?.size || 0") == 0


# Dark scheme, favicon, Korean line breaks ---------------------------------------------------


@pytest.mark.parametrize("width", [1280, 390])
def test_dark_scheme_pages_have_no_contrast_violation(browser, live_server, users, codebook, kinu, width):
    section = stance(kinu)
    for code, quote in (("big-deal", "빅딜을 요구한 것으로 보인다"), ("sanctions-full-lifting", YONGBYON)):
        annotate(users["ann"], section, quote, tag_codes=(code,))
    annotate(users["ann"], section, "단계적 접근 방식을", tag_codes=(), visibility="private")
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme="dark")
    page = context.new_page()
    page.base_url = live_server.url
    try:
        found = {}
        for signed_in in (False, True):
            if signed_in:
                sign_in(page, "ann", READER)
            for path in (READER, f"{READER}?hl=제재", "/", "/search/?q=%EC%A0%9C%EC%9E%AC"):
                page.goto(f"{page.base_url}{path}")
                page.wait_for_load_state("networkidle")
                background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
                channels = [int(c) for c in re.findall(r"\d+", background)[:3]]
                assert max(channels) < 60, f"{path} is not dark: {background}"
                if result := axe_violations(page):
                    found[(signed_in, path)] = result
                name = re.sub(r"\W+", "-", path).strip("-") or "library"
                shot(page, f"dark-{width}-{'in' if signed_in else 'out'}-{name}")
        page.goto(f"{page.base_url}{READER}")
        page.locator(".margin-open").first.click()
        page.locator("#annotation-card .annotation-card").wait_for()
        if result := axe_violations(page):
            found["card"] = result
        shot(page, f"dark-{width}-card")
        assert found == {}
    finally:
        context.close()


def test_every_page_has_the_favicon(page, kinu):
    for path in (READER, "/", "/accounts/login/"):
        page.goto(f"{page.base_url}{path}")
        href = page.get_attribute("link[rel=icon]", "href")
        assert href and page.get_attribute("link[rel=icon]", "type") == "image/svg+xml"
        resp = page.request.get(f"{page.base_url}{href}")
        assert resp.status == 200 and resp.body().lstrip().startswith(b"<svg")


LINES_STARTING_WITH_A_DOT = """() => {
  // Each middle dot whose line box sits below its preceding character's: a line starts with it.
  const found = [];
  for (const el of document.querySelectorAll(".section-text")) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let previous = null;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i < n.data.length; i += 1) {
        const here = [n, i];
        if (n.data[i] === "·" && previous && !/\\s/.test(previous[0].data[previous[1]])) {
          const box = (node, at) => { const r = new Range(); r.setStart(node, at); r.setEnd(node, at + 1);
                                      return r.getClientRects()[0]; };
          const dot = box(...here), before = box(...previous);
          if (dot && before && dot.top > before.top + 4) found.push(n.data.slice(Math.max(0, i - 3), i + 4));
        }
        previous = here;
      }
    }
  }
  return found;
}"""


@pytest.mark.parametrize("width", [1280, 390, 360])
def test_no_korean_line_starts_with_a_middle_dot(page, kinu, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{page.base_url}{READER}")
    assert page.locator(".section-text").first.inner_text()
    assert page.evaluate(LINES_STARTING_WITH_A_DOT) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_korean_text_breaks_lines_strictly(page, kinu):
    page.goto(f"{page.base_url}{READER}")
    styles = page.evaluate(
        """() => [...document.querySelectorAll('.section-text, .brief-title, .section-heading')].map((el) => {
          const s = getComputedStyle(el); return [s.lineBreak, s.wordBreak]; })"""
    )
    assert styles and all(style == ["strict", "keep-all"] for style in styles), set(map(tuple, styles))


def test_reader_keys_are_the_single_keys_reader_js_handles():
    source = (Path(__file__).resolve().parents[2] / "static" / "js" / "reader.js").read_text(encoding="utf-8")
    lines = [line for line in source.splitlines() if line.startswith("export const READER_KEYS = [")]
    assert len(lines) == 1
    keys = re.findall(r'"(.)"', lines[0])
    assert keys and len(keys) == len(set(keys))
    # each one appears as a key comparison in the module
    for key in keys:
        assert f'e.key === "{key}"' in source, key
    # and every single-character key the module compares against is listed
    compared = set(re.findall(r'e\.key === "(.)"', source))
    assert compared <= set(keys), compared - set(keys)
