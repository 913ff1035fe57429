"""The claims pages in a browser: charts drawn under the strict CSP, a cell followed to its
excerpts, the CSV downloaded, the chart downloads, and axe-core on all three at two widths."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.browser.conftest import PASSWORD
from tests.browser.test_reader_polish import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MATRIX = "/claims/"
TIMELINE = "/claims/timeline/"
COOCCURRENCE = "/claims/cooccurrence/"
TEXT = "미국은 빅딜을 요구했고 북한은 단계적 접근을 고수했다. 제재 완화가 쟁점이었다. 한국은 중재에 나섰다."

# Installed before any script of the page runs: every CSP violation and console error is kept.
WATCH_JS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ""}`);
});
"""
SHOTS = Path("/tmp/shots-claims")
CHART_READY = "() => document.getElementById('claims-chart')?.dataset.chartReady"


@pytest.fixture
def claims(users, codebook):
    """Shared claims by ann and kim over three dated briefs, and a private one of kim's."""
    from annotations.models import Tag
    from tests.factories import AnnotationFactory, BriefFactory, SectionFactory

    tags = {tag.code: tag for tag in Tag.objects.all()}
    briefs = [
        BriefFactory(slug="singapore", title="싱가포르 회담 평가", publication_date=dt.date(2018, 6, 20)),
        BriefFactory(slug="hanoi", title="하노이 회담 평가", publication_date=dt.date(2019, 3, 4)),
        BriefFactory(slug="after", title="하노이 이후의 협상", publication_date=dt.date(2019, 9, 1)),
    ]
    plan = [
        (0, "ann", ["big-deal"], "us"),
        (0, "kim", ["phased-approach"], "dprk"),
        (1, "ann", ["big-deal", "sanctions-partial-relief"], "us"),
        (1, "kim", ["big-deal"], "us"),
        (1, "kim", ["phased-approach"], "dprk"),
        (2, "ann", ["sanctions-partial-relief"], "dprk"),
        (2, "kim", ["phased-approach"], "rok"),
    ]
    sections = [SectionFactory(brief=brief, text=TEXT) for brief in briefs]
    for index, (brief, author, codes, actor) in enumerate(plan):
        AnnotationFactory(
            section=sections[brief],
            author=users[author],
            start=index * 3,
            length=8,
            visibility="shared",
            actor=actor,
            tags=[tags[code] for code in codes if code in tags],
        )
    # kim's private claim: never in ann's numbers.
    AnnotationFactory(
        section=sections[1], author=users["kim"], visibility="private", actor="china", tags=[tags["big-deal"]]
    )
    return briefs


def sign_in(page, username: str, next_path: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/?{urlencode({'next': next_path})}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url(f"{page.base_url}{next_path}")


def watch(page) -> list[str]:
    """Collect console errors; CSP violations are read from window.__csp."""
    page.add_init_script(WATCH_JS)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return errors


def csp_violations(page) -> list[str]:
    return page.evaluate("() => window.__csp")


def chart_drawn(page) -> None:
    page.wait_for_function(CHART_READY)
    assert page.evaluate(CHART_READY) == "true"
    assert page.locator("#claims-chart svg").count() >= 1


def test_matrix_rows_columns_filter_cell_and_csv(page, users, claims, tmp_path):
    errors = watch(page)
    sign_in(page, "ann", MATRIX)
    chart_drawn(page)
    # The default view: briefs × tags, as the table says too.
    assert page.locator("table[data-claims-table] caption").inner_text().startswith("Claims by Brief")

    # Rows by actor, columns by annotator, only the Hanoi brief (a filter), through the form.
    page.select_option("select[name=rows]", "actor")
    page.select_option("select[name=columns]", "annotator")
    page.click("details.claims-filters > summary")
    page.check("input[name=brief][value=hanoi]")
    page.click(".claims-submit button[type=submit]")
    page.wait_for_url(re.compile(r"rows=actor.*columns=annotator.*brief=hanoi"))
    chart_drawn(page)
    assert page.locator("#claims-chart svg .mark-rect path, #claims-chart svg .mark-rect rect").count() >= 3
    # ann sees her own and kim's shared Hanoi claims, never kim's private one (actor China).
    rows = page.locator("table[data-claims-table] tbody th").all_inner_texts()
    assert "China" not in rows
    assert page.locator("table[data-claims-table] tfoot td.claims-grand-total").inner_text() == "3"

    # Follow a cell to the excerpts behind it: the Annotations page lists as many as it says.
    cell = page.locator("table[data-claims-table] tbody tr", has_text="United States").locator("td a").first
    count = int(cell.inner_text())
    cell.click()
    page.wait_for_url(re.compile(r"/annotations/browse/\?claims=1"))
    assert page.locator("p.browse-count").inner_text() == (
        f"{count} annotation matches." if count == 1 else f"{count} annotations match."
    )
    assert page.locator("ol.browse-list > li").count() == count
    page.go_back()
    chart_drawn(page)

    # The CSV: what the table shows, with the filters and the date above it.
    with page.expect_download() as info:
        page.click("a[href^='/claims/matrix.csv']")
    download = info.value
    assert re.fullmatch(r"claims-matrix-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    download.save_as(tmp_path / "m.csv")
    text = (tmp_path / "m.csv").read_text(encoding="utf-8")
    assert text.startswith("\ufeff# Marginalia: Claims matrix")
    lines = text.lstrip("\ufeff").splitlines()
    assert any(line.startswith("# Briefs: 하노이 회담 평가") for line in lines)  # the brief by its title
    assert any(line.startswith("# Rows: Actor") for line in lines)
    body = "\n".join(line for line in lines if not line.startswith("#")).strip()
    table = list(csv.reader(io.StringIO(body)))
    assert table[0][0] == "Actor \\ Annotator"
    assert table[-1][0] == "Total" and table[-1][-1] == "3"
    assert "China" not in [row[0] for row in table]

    # A heat-map cell of the chart is a link too: to the same Annotations page as the table's.
    first = page.locator("table[data-claims-table] tbody td a").first.get_attribute("href")
    # Vega picks the mark under the pointer itself (its root takes the events): click there.
    mark = page.locator("#claims-chart svg .mark-rect path").first
    mark.scroll_into_view_if_needed()
    box = mark.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(r"/annotations/browse/\?claims=1"))
    assert page.url.endswith(first)
    page.go_back()
    chart_drawn(page)

    # The chart's own downloads: PNG and SVG files from the drawn view.
    for fmt, magic in (("png", b"\x89PNG"), ("svg", b"<svg")):
        with page.expect_download() as info:
            page.click(f"button[data-chart-download={fmt}]")
        saved = tmp_path / f"chart.{fmt}"
        info.value.save_as(saved)
        assert info.value.suggested_filename.endswith(f".{fmt}")
        assert saved.read_bytes().startswith(magic)
    assert csp_violations(page) == []
    assert errors == []


def test_timeline_draws_points_events_and_tooltips(page, users, claims):
    errors = watch(page)
    sign_in(page, "ann", TIMELINE + "?series=tag&bucket=month")
    chart_drawn(page)
    symbols = page.locator("#claims-chart svg .mark-symbol path")
    assert symbols.count() >= 5
    # Hovering a point shows its briefs in the tooltip (styled by claims.css, not injected).
    box = symbols.first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = page.locator("#vg-tooltip-element.visible")
    tooltip.wait_for()
    assert "Briefs" in tooltip.inner_text() and "싱가포르 회담 평가" in tooltip.inner_text()
    assert page.evaluate("() => document.querySelectorAll('style').length") == 0
    assert csp_violations(page) == []
    assert errors == []


def test_timeline_marks_the_events_of_its_payload(page, users, claims):
    """The chart draws the payload's "events" (the contract's shape) as dashed rules with
    labels, only those within the plotted span; the page is served with these events put in."""
    import json

    events = [
        {"date": "2018-06-12", "end_date": None, "label": "Singapore summit"},
        {"date": "2019-02-27", "end_date": "2019-02-28", "label": "Hanoi summit"},
        {"date": "2030-01-01", "end_date": None, "label": "Far away"},
    ]

    def with_events(route):
        response = route.fetch()
        html = response.text()
        start = html.index('<script id="claims-data" type="application/json">') + len(
            '<script id="claims-data" type="application/json">'
        )
        end = html.index("</script>", start)
        payload = json.loads(html[start:end])
        payload["events"] = events
        data = json.dumps(payload).replace("<", "\\u003C")
        route.fulfill(response=response, body=html[:start] + data + html[end:])

    errors = watch(page)
    sign_in(page, "ann", MATRIX)
    page.route(re.compile(r".*/claims/timeline/.*"), with_events)
    page.goto(f"{page.base_url}{TIMELINE}?series=tag&bucket=month")
    chart_drawn(page)
    assert page.locator("#claims-chart svg .mark-rule.role-mark line").count() == 2
    labels = page.locator("#claims-chart svg .mark-text.role-mark text").all_text_contents()
    assert "Singapore summit" in labels and "Hanoi summit" in labels and "Far away" not in labels
    SHOTS.mkdir(exist_ok=True)
    page.locator("figure.claims-figure").screenshot(path=str(SHOTS / "timeline-events.png"))
    assert csp_violations(page) == []
    assert errors == []


def test_cooccurrence_draws_a_heat_map(page, users, claims):
    errors = watch(page)
    sign_in(page, "ann", COOCCURRENCE + "?scope=section")
    chart_drawn(page)
    assert page.locator("#claims-chart svg .mark-rect path").count() >= 4
    assert page.locator("table[data-claims-table] tbody tr").count() == 3
    assert csp_violations(page) == []
    assert errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_nothing_on_the_claims_pages(page, users, claims, width):
    errors = watch(page)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "ann", MATRIX)
    for path in (MATRIX + "?measure=share&brief=hanoi", TIMELINE + "?bucket=brief", COOCCURRENCE, MATRIX):
        page.goto(f"{page.base_url}{path}")
        chart_drawn(page)
        page.evaluate("() => { document.querySelector('details.claims-filters').open = true; }")
        assert axe_violations(page) == [], path
        assert csp_violations(page) == [], path
        SHOTS.mkdir(exist_ok=True)
        name = path.split("?")[0].strip("/").replace("/", "-")
        page.screenshot(path=str(SHOTS / f"{width}-{name}.png"), full_page=True)
    assert errors == []


def test_axe_finds_nothing_in_the_dark_scheme(page, users, claims):
    errors = watch(page)
    page.emulate_media(color_scheme="dark")
    sign_in(page, "ann", MATRIX)
    for path in (MATRIX + "?measure=share", TIMELINE, COOCCURRENCE):
        page.goto(f"{page.base_url}{path}")
        chart_drawn(page)
        assert axe_violations(page) == [], path
    assert errors == []


def test_a_large_matrix_draws_the_first_rows_and_says_so(page, users, claims):
    from annotations.models import Tag
    from tests.factories import AnnotationFactory, BriefFactory, SectionFactory

    tag = Tag.objects.get(code="big-deal")
    for i in range(62):
        section = SectionFactory(brief=BriefFactory(slug=f"many-{i:02d}", title=f"브리프 {i:02d}"), text=TEXT)
        AnnotationFactory(section=section, author=users["ann"], visibility="shared", tags=[tag])
    errors = watch(page)
    sign_in(page, "ann", MATRIX)
    chart_drawn(page)
    assert page.locator("[data-chart-note]").inner_text() == (
        "The chart shows the first 60 rows and columns; the table below has them all."
    )
    assert page.locator("table[data-claims-table] tbody tr").count() == 65
    # The long brief list narrows to what is typed; a picked brief stays in view.
    page.click("details.claims-filters > summary")
    page.check("input[name=brief][value=hanoi]")
    page.fill("#claims-pick-filter-1", "브리프 0")
    shown = page.locator("fieldset:has(input[name=brief]) .claims-pick-list label:visible")
    assert sorted(shown.all_inner_texts()) == sorted(
        [f"브리프 0{i}" for i in range(10)] + ["하노이 회담 평가"]
    )
    page.press("#claims-pick-filter-1", "Enter")  # narrows only: the form is not sent
    assert page.url == f"{page.base_url}{MATRIX}"
    assert errors == []


def test_the_empty_state_draws_no_chart(page, users, claims):
    errors = watch(page)
    sign_in(page, "ann", MATRIX + "?date_from=1900-01-01&date_to=1900-12-31")
    assert page.locator("p.claims-empty").is_visible()
    assert page.locator("#claims-chart").count() == 0
    assert axe_violations(page) == []
    assert errors == []
