"""Margin entries level with their highlights beside the text; a plain list under it on phones."""

from __future__ import annotations

import pytest

from tests.browser.conftest import RESULTS, sign_in, stance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

READER = "/briefs/kinu-co-19-05/"
TOLERANCE = 4  # px

# Reading order in the KINU brief's stance section. The two sanctions claims sit side by
# side on one line, so their entries collide; the last two close the section, so their
# stack runs past its text.
EARLY = "영변 이외 핵시설을 지목했고"
BIG_DEAL = "빅딜을 요구한 것으로 보인다"
FULL_LIFTING = "전면적 제재 해제를 요구했지만"
REFUSED = "그 요구를 수용할 수 없다고"
PHASED = "단계적 접근 방식을"
GAP = "이러한 견해 차이가"
FAILURE = "합의 실패로 이어졌다고 볼 수 있다"

MEASURE_JS = """
(anchor) => {
  // Boxes relative to the top of the section's grid: entries, their highlights' first
  // lines, the text, and the next section.
  const section = document.getElementById(anchor);
  const grid = section.querySelector(".section-grid");
  const origin = grid.getBoundingClientRect().top;
  const text = section.querySelector(".section-text").getBoundingClientRect();
  const list = section.querySelector(".margin-list").getBoundingClientRect();
  const next = section.nextElementSibling;
  return {
    entries: [...section.querySelectorAll(".margin-item")].map((item) => {
      const box = item.getBoundingClientRect();
      const first = document.getElementById(`annotation-${item.dataset.annotationId}`)?.getClientRects()[0];
      return {
        id: Number(item.dataset.annotationId),
        top: box.top - origin,
        bottom: box.bottom - origin,
        mark: first ? first.top - origin : null,
        position: getComputedStyle(item).position,
      };
    }),
    gap: parseFloat(getComputedStyle(section.querySelector(".margin-list")).rowGap),
    textTop: text.top - origin,
    textBottom: text.bottom - origin,
    listTop: list.top - origin,
    gridBottom: grid.getBoundingClientRect().bottom - origin,
    nextTop: next ? next.getBoundingClientRect().top - origin : null,
  };
}
"""

NEXT_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def annotate(users, kinu, quotes: list[str]) -> dict:
    """Create a shared annotation by ann (kim for the big deal) on each quote."""
    from annotations.models import Tag
    from annotations.services import annotation_create

    section = stance(kinu)
    text = section.text
    tags = list(Tag.objects.order_by("pk"))
    made = {}
    for i, quote in enumerate(quotes):
        start = text.index(quote)
        made[quote] = annotation_create(
            user=users["kim" if quote == BIG_DEAL else "ann"],
            section=section,
            start=start,
            end=start + len(quote),
            quote=quote,
            tags=[tags[i % len(tags)]],
            visibility="shared",
        )
    return made


def measure(page, kinu) -> dict:
    page.evaluate(NEXT_FRAMES)  # the layout is done on the next animation frame
    return page.evaluate(MEASURE_JS, stance(kinu).anchor)


def assert_aligned(layout: dict) -> None:
    """Each entry is level with its highlight unless the entry above pushed it down, in which
    case it sits just under that one; entries never overlap and keep their DOM order."""
    previous = None
    for entry in layout["entries"]:
        assert entry["position"] == "absolute"
        assert entry["mark"] is not None
        assert entry["top"] >= entry["mark"] - TOLERANCE, entry  # never above its highlight
        if previous is not None:
            assert entry["top"] >= previous["bottom"], (previous, entry)  # no overlap, in order
        if entry["top"] > entry["mark"] + TOLERANCE:  # pushed down: snug under the one above
            assert previous is not None, entry
            assert entry["top"] - previous["bottom"] <= layout["gap"] + TOLERANCE, (previous, entry)
        previous = entry


def test_entries_line_up_with_their_highlights_and_close_up_after_a_delete(page, users, codebook, kinu):
    quotes = [EARLY, BIG_DEAL, FULL_LIFTING, REFUSED, PHASED, GAP, FAILURE]
    made = annotate(users, kinu, quotes)
    ids = [made[q].pk for q in quotes]
    sign_in(page, "ann", READER)
    layout = measure(page, kinu)

    by_id = {e["id"]: e for e in layout["entries"]}
    assert [e["id"] for e in layout["entries"]] == ids  # DOM order is reading order
    assert_aligned(layout)
    assert layout["listTop"] == pytest.approx(layout["textTop"], abs=1)
    first = by_id[made[EARLY].pk]
    assert abs(first["top"] - first["mark"]) <= TOLERANCE
    # an entry well apart from the one above sits level with its highlight, not in a list
    phased = by_id[made[PHASED].pk]
    assert abs(phased["top"] - phased["mark"]) <= TOLERANCE
    assert phased["top"] - by_id[made[REFUSED].pk]["bottom"] > 2 * layout["gap"]
    # the colliding pair: same line, the second stacked under the first
    full, refused = by_id[made[FULL_LIFTING].pk], by_id[made[REFUSED].pk]
    assert abs(full["mark"] - refused["mark"]) <= TOLERANCE
    assert refused["top"] > refused["mark"] + TOLERANCE
    # the stack at the end runs past the text: the section grows, the next one moves down
    last = layout["entries"][-1]
    assert last["bottom"] > layout["textBottom"]
    assert layout["gridBottom"] >= last["bottom"] - 1
    assert layout["nextTop"] >= last["bottom"]

    # for review: the whole section, unscrolled (the filter bar is sticky), an entry hovered
    page.set_viewport_size({"width": 1280, "height": 2400})
    page.evaluate("window.scrollTo(0, 0)")
    box = page.locator(f"#{stance(kinu).anchor}").bounding_box()
    assert box["y"] + box["height"] <= 2400
    page.hover(f".margin-open[data-annotation-id='{made[PHASED].pk}']")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "margin-aligned.png"), clip=box)
    assert page.locator(f"#annotation-{made[PHASED].pk}.is-linked").count() == 1
    page.mouse.move(0, 0)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Tab goes from entry to entry in DOM order, whatever their offsets
    page.focus(f".margin-open[data-annotation-id='{ids[0]}']")
    for expected in ids[1:3]:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.dataset.annotationId") == str(expected)

    # delete the first of the pair from its card: its neighbour moves up to its highlight
    page.on("dialog", lambda dialog: dialog.accept())
    page.click(f".margin-open[data-annotation-id='{made[FULL_LIFTING].pk}']")
    page.click("#annotation-card [data-action=delete-annotation]")
    page.wait_for_selector(f".margin-item[data-annotation-id='{made[FULL_LIFTING].pk}']", state="detached")
    after = measure(page, kinu)
    assert [e["id"] for e in after["entries"]] == [i for i in ids if i != made[FULL_LIFTING].pk]
    assert_aligned(after)
    moved = {e["id"]: e["top"] for e in after["entries"]}
    assert moved[made[REFUSED].pk] < refused["top"] - 20
    assert abs(moved[made[REFUSED].pk] - refused["mark"]) <= TOLERANCE
    for entry in layout["entries"]:  # nothing moved down
        if entry["id"] in moved:
            assert moved[entry["id"]] <= entry["top"] + 1


def test_phone_width_and_print_keep_the_plain_list(page, users, codebook, kinu):
    annotate(users, kinu, [EARLY, FULL_LIFTING, REFUSED, FAILURE])
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "ann", READER)
    layout = measure(page, kinu)
    assert len(layout["entries"]) == 4
    assert {e["position"] for e in layout["entries"]} == {"static"}
    # under the text, one after the other in normal flow
    assert layout["listTop"] >= layout["textBottom"]
    for above, below in zip(layout["entries"], layout["entries"][1:], strict=False):
        assert below["top"] == pytest.approx(above["bottom"] + layout["gap"], abs=1)

    # widen the window: the entries line up; narrow it again: the plain list is back
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_aligned(measure(page, kinu))
    page.set_viewport_size({"width": 390, "height": 844})
    assert {e["position"] for e in measure(page, kinu)["entries"]} == {"static"}

    # a wide page printed keeps the list in flow too
    page.set_viewport_size({"width": 1280, "height": 900})
    measure(page, kinu)
    page.emulate_media(media="print")
    printed = page.evaluate(MEASURE_JS, stance(kinu).anchor)
    assert {e["position"] for e in printed["entries"]} == {"static"}
    for above, below in zip(printed["entries"], printed["entries"][1:], strict=False):
        assert below["top"] >= above["bottom"]


def test_an_entry_without_a_highlight_stacks_under_the_one_before(page, users, codebook, kinu):
    made = annotate(users, kinu, [EARLY, BIG_DEAL, PHASED])
    section = stance(kinu)  # the big-deal passage is reworded: its annotation loses its anchor
    section.text = section.text.replace(BIG_DEAL, "빅딜을 원한 것으로 판단된다")
    section.save()
    sign_in(page, "ann", READER)
    layout = measure(page, kinu)
    early, lost, phased = layout["entries"]
    assert lost["id"] == made[BIG_DEAL].pk and lost["mark"] is None
    assert page.locator(f".margin-item[data-annotation-id='{lost['id']}']").get_attribute("class") == (
        "margin-item margin-lost"
    )
    assert lost["top"] == pytest.approx(early["bottom"] + layout["gap"], abs=1)
    assert abs(phased["top"] - phased["mark"]) <= TOLERANCE


def test_an_entry_and_its_highlight_emphasise_each_other(page, users, codebook, kinu):
    made = annotate(users, kinu, [EARLY, PHASED])
    early, phased = made[EARLY].pk, made[PHASED].pk
    sign_in(page, "ann", READER)

    def linked() -> list[str]:
        return page.eval_on_selector_all(
            ".is-linked", "els => els.map(e => `${e.tagName.toLowerCase()} ${e.dataset.annotationId}`)"
        )

    assert linked() == []
    page.hover(f".margin-open[data-annotation-id='{early}']")
    assert linked() == [f"mark {early}", f"li {early}"]
    page.hover(f"#annotation-{phased}")
    assert linked() == [f"mark {phased}", f"li {phased}"]
    page.mouse.move(0, 0)
    assert linked() == []
    page.focus(f".margin-open[data-annotation-id='{phased}']")
    assert linked() == [f"mark {phased}", f"li {phased}"]
    page.keyboard.press("Shift+Tab")
    assert linked() == [f"mark {early}", f"li {early}"]
