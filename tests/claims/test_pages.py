"""The claims pages: matrix, timeline and co-occurrence, their tables, errors and visibility."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotations.claims.filters import ClaimsFilters
from annotations.claims.queries import claims_cooccurrence, claims_matrix
from tests.factories import AnnotationFactory, BriefFactory, CategoryFactory, SectionFactory, TagFactory
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db

MATRIX = reverse("claims:matrix")
TIMELINE = reverse("claims:timeline")
COOCCURRENCE = reverse("claims:cooccurrence")
PAGES = [MATRIX, TIMELINE, COOCCURRENCE]


@pytest.fixture
def claims_world(annotator, annotator2):
    stance = CategoryFactory(code="stance", label_en="Stance", label_ko="입장", position=1)
    big = TagFactory(category=stance, code="big-deal", label_en="Big deal", label_ko="빅딜", colour="#e57373")
    phased = TagFactory(
        category=stance, code="phased", label_en="Phased approach", label_ko="단계적 접근", colour="#64b5f6"
    )
    # A label a spreadsheet would run as a formula: downloads must keep it text.
    formula = TagFactory(category=stance, code="formula", label_en="=1+1", label_ko="=1+1", colour="#81c784")
    retired = TagFactory(
        category=stance, code="old", label_en="Old tag", label_ko="옛 태그", colour="#aaaaaa", active=False
    )
    secret = TagFactory(category=stance, code="secret", label_en="Secret", label_ko="비밀", colour="#000000")
    hanoi = BriefFactory(
        slug="hanoi", title="하노이 회담 평가", publication_date=dt.date(2019, 3, 4), publication_year=2019
    )
    singapore = BriefFactory(
        slug="singapore",
        title="싱가포르 회담 이후",
        publication_date=dt.date(2018, 7, 2),
        publication_year=2018,
    )
    undated = BriefFactory(slug="undated", title="날짜 없는 브리프", publication_year=None)
    text = "미국은 빅딜을 요구했고 북한은 단계적 접근을 고수했다. 제재 완화가 쟁점이었다."
    h1 = SectionFactory(brief=hanoi, text=text)
    h2 = SectionFactory(brief=hanoi, text=text)
    s1 = SectionFactory(brief=singapore, text=text)
    u1 = SectionFactory(brief=undated, text=text)
    make = AnnotationFactory
    claims = {
        "h1_big_us": make(
            section=h1, author=annotator, visibility="shared", tags=[big], actor="us", length=10
        ),
        "h1_phased_dprk": make(
            section=h1,
            author=annotator2,
            visibility="shared",
            tags=[phased],
            actor="dprk",
            start=5,
            length=10,
        ),
        "h2_both": make(section=h2, author=annotator, visibility="private", tags=[big, phased], actor="us"),
        "s1_formula": make(section=s1, author=annotator2, visibility="shared", tags=[formula], actor="rok"),
        "s1_retired": make(section=s1, author=annotator, visibility="shared", tags=[retired], actor="china"),
        "u1_big": make(section=u1, author=annotator2, visibility="shared", tags=[big], actor="us"),
        "untagged": make(section=h1, author=annotator, visibility="shared", tags=[]),
        "deleted": make(
            section=h1, author=annotator, visibility="shared", tags=[big], deleted_at=timezone.now()
        ),
        # annotator2's private claims: annotator must never count them, anywhere.
        "theirs_private": make(
            section=s1, author=annotator2, visibility="private", tags=[secret], actor="other"
        ),
        "theirs_private_2": make(
            section=h1, author=annotator2, visibility="private", tags=[big], actor="dprk"
        ),
    }
    return {
        "tags": {"big": big, "phased": phased, "formula": formula, "retired": retired, "secret": secret},
        "briefs": {"hanoi": hanoi, "singapore": singapore, "undated": undated},
        "claims": claims,
    }


def payload_of(response) -> dict:
    """Return the JSON the page embeds for its chart."""
    return json.loads(page_tree(response).xpath("//script[@id='claims-data']")[0].text)


def comparable(value):
    """Return a payload without its time and its null fields (the API leaves those out)."""
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items() if v is not None and k != "generated_at"}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


def grid(response) -> dict[tuple[str, str], tuple[str, str | None]]:
    """Return the table's cells as {(row label, column label): (text, link)}."""
    tree = page_tree(response)
    table = tree.xpath("//table[@data-claims-table]")[0]
    columns = [" ".join(th.text_content().split()) for th in table.xpath("./thead/tr/th")][1:]
    found = {}
    for tr in table.xpath("./tbody/tr | ./tfoot/tr"):
        row = " ".join(tr.xpath("./th")[0].text_content().split())
        for column, td in zip(columns, tr.xpath("./td"), strict=True):
            links = td.xpath(".//a/@href")
            found[(row, column)] = (" ".join(td.text_content().split()), links[0] if links else None)
    return found


def test_signed_out_visitors_are_sent_to_sign_in(client, claims_world):
    for path in [*PAGES, reverse("claims:download", args=["matrix", "csv"])]:
        response = client.get(path + "?rows=tag")
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("login") + "?next=/claims/"), path


def test_the_nav_links_the_matrix_for_signed_in_users(client, annotator):
    assert reverse("claims:matrix") not in client.get(reverse("briefs:library")).content.decode()
    client.force_login(annotator)
    tree = page_tree(client.get(reverse("briefs:library")))
    assert tree.xpath(f"//nav[contains(@class,'site-nav')]//a[@href='{MATRIX}']")


def test_the_matrix_table_is_the_payload(client, annotator, claims_world):
    client.force_login(annotator)
    response = client.get(MATRIX, {"rows": "brief", "columns": "actor"})
    assert response.status_code == 200
    payload = payload_of(response)
    expected = claims_matrix(user=annotator, rows="brief", columns="actor", filters=ClaimsFilters())
    # The embedded JSON is the query's payload (the API answers the same).
    assert {k: v for k, v in payload.items() if k != "generated_at"} == {
        k: v for k, v in expected.items() if k != "generated_at"
    }
    cells = grid(response)
    rows = {r["key"]: r["label"] for r in payload["row_keys"]}
    columns = {c["key"]: c["label"] for c in payload["column_keys"]}
    for cell in payload["cells"]:
        text, link = cells[(rows[cell["row"]], columns[cell["column"]])]
        assert (text, link) == (str(cell["count"]), cell["url"])
    # Cells with nothing counted say 0 and link nowhere.
    counted = {(rows[c["row"]], columns[c["column"]]) for c in payload["cells"]}
    for (row, column), (text, link) in cells.items():
        if (row, column) not in counted and "Total" not in (row, column):
            assert (text, link) == ("0", None)
    # Totals: per row, per column, and the grand total, each a link.
    for key in payload["row_keys"]:
        assert cells[(key["label"], "Total")] == (str(key["total"]), key["url"])
    for key in payload["column_keys"]:
        assert cells[("Total", key["label"])] == (str(key["total"]), key["url"])
    assert cells[("Total", "Total")] == (str(payload["total"]), payload["total_url"])
    tree = page_tree(response)
    assert tree.xpath("//table[@data-claims-table]/caption")
    assert all(th.get("scope") == "col" for th in tree.xpath("//table[@data-claims-table]/thead//th"))
    assert all(th.get("scope") == "row" for th in tree.xpath("//table[@data-claims-table]/tbody//th"))


def test_the_matrix_counts_what_the_user_may_see(client, annotator, claims_world):
    client.force_login(annotator)
    cells = grid(client.get(MATRIX, {"rows": "brief", "columns": "tag"}))
    assert cells[("하노이 회담 평가", "Big deal")][0] == "2"  # shared + own private; not the deleted one
    assert cells[("하노이 회담 평가", "Phased approach")][0] == "2"
    assert cells[("하노이 회담 평가", "Total")][0] == "3"  # the claim with two tags counts once
    assert cells[("싱가포르 회담 이후", "=1+1")][0] == "1"
    assert cells[("싱가포르 회담 이후", "Old tag (retired)")][0] == "1"
    assert cells[("Total", "Total")][0] == "6"


def test_share_of_the_row_shows_percentages_with_counts(client, annotator, claims_world):
    client.force_login(annotator)
    cells = grid(client.get(MATRIX, {"rows": "brief", "columns": "tag", "measure": "share"}))
    assert cells[("하노이 회담 평가", "Big deal")][0] == "67% (2)"
    assert cells[("날짜 없는 브리프", "Big deal")][0] == "100% (1)"


def test_the_heat_map_shades_are_classes_not_styles(client, annotator, claims_world):
    client.force_login(annotator)
    for path in PAGES:  # the CSP refuses style attributes and elements, and inline scripts
        tree = page_tree(client.get(path))
        assert not tree.xpath("//*[@style]") and not tree.xpath("//style"), path
        assert [s.get("type") for s in tree.xpath("//script[not(@src)]")] == ["application/json"], path
    response = client.get(MATRIX, {"rows": "brief", "columns": "tag"})
    tree = page_tree(response)
    shades = {
        " ".join(td.text_content().split()): td.get("class")
        for td in tree.xpath("//table[@data-claims-table]/tbody//td[not(contains(@class,'claims-total'))]")
    }
    assert shades["2"] == "num heat-6"  # the largest count is the darkest
    assert shades["1"] == "num heat-3"
    assert shades["0"] == "num heat-0"


def test_sorting_by_label_and_by_total(client, annotator, claims_world):
    client.force_login(annotator)
    tree = page_tree(client.get(MATRIX, {"rows": "brief", "columns": "tag", "sort": "label"}))
    rows = texts(tree, "//table[@data-claims-table]/tbody/tr/th")
    assert rows == sorted(rows, key=str.casefold)
    tree = page_tree(client.get(MATRIX, {"rows": "brief", "columns": "tag", "sort": "total"}))
    totals = [int(t) for t in texts(tree, "//table[@data-claims-table]/tbody/tr/td[last()]")]
    assert totals == sorted(totals, reverse=True)


def test_another_users_private_claims_never_count(client, annotator, annotator2, claims_world):
    """annotator2's private claims (a tag of its own, a second big-deal claim) change nothing
    annotator sees: no count, total, table cell, chart datum, or annotator name."""
    client.force_login(annotator)
    for path, params in [
        (MATRIX, {"rows": "brief", "columns": "tag"}),
        (MATRIX, {"rows": "actor", "columns": "annotator"}),
        (MATRIX, {"rows": "tag", "columns": "year", "measure": "share"}),
        (TIMELINE, {"series": "tag", "bucket": "brief"}),
        (TIMELINE, {"series": "actor", "bucket": "month"}),
        (COOCCURRENCE, {"scope": "section"}),
        (COOCCURRENCE, {"scope": "passage"}),
    ]:
        before = client.get(path, params)
        payload = payload_of(before)
        # What annotator counts is what annotator2 could never take away by adding private claims.
        AnnotationFactory(
            section=claims_world["claims"]["h1_big_us"].section,
            author=annotator2,
            visibility="private",
            tags=[claims_world["tags"]["big"], claims_world["tags"]["phased"]],
            actor="us",
        )
        after = client.get(path, params)
        assert grid(after) == grid(before), path
        assert {k: v for k, v in payload_of(after).items() if k != "generated_at"} == {
            k: v for k, v in payload.items() if k != "generated_at"
        }, path
        # The tag only annotator2's private claims carry is in the codebook (offered as a
        # filter) but counted nowhere: not in the table, not in the chart's data.
        assert "Secret" not in " ".join(texts(page_tree(after), "//table[@data-claims-table]")), path
        assert "Secret" not in json.dumps(payload_of(after)), path
    # annotator2 has shared claims, so is offered as an annotator; a user with only private
    # claims is never named.
    loner = AnnotationFactory(
        section=claims_world["claims"]["h1_big_us"].section,
        visibility="private",
        tags=[claims_world["tags"]["big"]],
    ).author
    tree = page_tree(client.get(MATRIX))
    offered = tree.xpath("//input[@name='annotator']/@value")
    assert "annotator2" in offered and loner.username not in offered


def test_the_timeline_lists_its_points_with_their_briefs(client, annotator, claims_world):
    client.force_login(annotator)
    response = client.get(TIMELINE, {"series": "tag", "bucket": "month"})
    assert response.status_code == 200
    payload = payload_of(response)
    assert payload["kind"] == "timeline" and payload["bucket"] == "month"
    tree = page_tree(response)
    rows = tree.xpath("//table[@data-claims-table]/tbody/tr")
    assert len(rows) == len(payload["points"])
    labels = {s["key"]: s["label"] for s in payload["series"]}
    for tr, point in zip(rows, payload["points"], strict=True):
        cells = [" ".join(c.text_content().split()) for c in tr.xpath("./th | ./td")]
        assert cells[:3] == [point["period_label"], labels[point["series"]], str(point["count"])]
        assert tr.xpath("./td/a/@href") == [point["url"]]
        assert cells[3] == "; ".join(b["title"] for b in point["briefs"])
    assert ["2019-03", "Big deal", "2"] in [
        [" ".join(c.text_content().split()) for c in tr.xpath("./th | ./td")][:3] for tr in rows
    ]
    # The undated brief's claim is named, and left out of the points.
    assert payload["undated"] == 1
    assert tree.xpath(f"//p[@class='claims-summary']//a[@href='{payload['undated_url']}']")


def test_the_timeline_lists_the_shared_events(client, annotator, claims_world):
    from annotations.models import Event

    Event.objects.create(
        date=dt.date(2019, 2, 27),
        end_date=dt.date(2019, 2, 28),
        label_en="<b>Test</b> summit",
        label_ko="시험 회담",
    )
    client.force_login(annotator)
    response = client.get(TIMELINE)
    events = payload_of(response)["events"]
    # The shared list, as the API gives it (the seeded summits are not relied on: a
    # transactional test elsewhere may have flushed them).
    assert {"date": "2019-02-27", "end_date": "2019-02-28", "label": "<b>Test</b> summit"} in events
    tree = page_tree(response)
    assert texts(tree, "//ul[@class='claims-events']/li") == [
        f"{e['date']}–{e['end_date']} {e['label']}" if e["end_date"] else f"{e['date']} {e['label']}"
        for e in events
    ]
    assert "2019-02-27–2019-02-28 <b>Test</b> summit" in texts(tree, "//ul[@class='claims-events']/li")
    assert not tree.xpath("//ul[@class='claims-events']//b")  # a label is text, never markup
    korean = payload_of(client.get(TIMELINE, HTTP_ACCEPT_LANGUAGE="ko"))["events"]
    assert "시험 회담" in [e["label"] for e in korean]


def test_the_cooccurrence_table_is_the_payload(client, annotator, claims_world):
    client.force_login(annotator)
    for scope in ("passage", "section"):
        response = client.get(COOCCURRENCE, {"scope": scope})
        assert response.status_code == 200
        payload = payload_of(response)
        expected = claims_cooccurrence(user=annotator, scope=scope, filters=ClaimsFilters())
        assert payload["cells"] == expected["cells"] and payload["tags"] == expected["tags"]
        cells = grid(response)
        labels = {t["key"]: t["label"] for t in payload["tags"]}
        for cell in payload["cells"]:
            column = labels[cell["column"]]
            row_label = labels[cell["row"]]
            found = next(v for (r, c), v in cells.items() if r.startswith(row_label) and c.startswith(column))
            assert found == (str(cell["count"]), cell["url"])
    cells = grid(client.get(COOCCURRENCE, {"scope": "passage"}))
    # Two overlapping claims (one tag each) and one claim with both tags take part.
    assert cells[("Big deal", "Phased approach")][0] == "3"
    assert cells[("Big deal", "Big deal")][0] == "3"


def test_filters_narrow_and_tabs_keep_them(client, annotator, claims_world):
    client.force_login(annotator)
    query = {
        "rows": "brief",
        "columns": "tag",
        "actor": ["us", "dprk"],
        "year": "2019",
        "visibility": "shared",
    }
    response = client.get(MATRIX, query)
    assert response.status_code == 200
    cells = grid(response)
    assert cells[("하노이 회담 평가", "Big deal")][0] == "1"  # annotator's private one is left out
    assert cells[("Total", "Total")][0] == "2"
    tree = page_tree(response)
    tabs = tree.xpath("//nav[@class='claims-tabs']/a/@href")
    kept = urlencode(ClaimsFilters(actors=("us", "dprk"), years=(2019,), visibility="shared").query_items())
    assert tabs == [f"{MATRIX}?{kept}", f"{TIMELINE}?{kept}", f"{COOCCURRENCE}?{kept}"]
    assert tree.xpath("//nav[@class='claims-tabs']/a[@aria-current='page']/@href")[0].startswith(MATRIX)
    # The form shows what is in use: checked boxes, the chosen options.
    assert sorted(tree.xpath("//input[@name='actor'][@checked]/@value")) == ["dprk", "us"]
    assert tree.xpath("//input[@name='visibility'][@checked]/@value") == ["shared"]
    assert tree.xpath("//select[@name='columns']/option[@selected]/@value") == ["tag"]
    assert tree.xpath("//details[@class='claims-filters'][@open]")


def test_every_page_renders_its_downloads_and_chart_container(client, annotator, claims_world):
    client.force_login(annotator)
    for path, kind in [(MATRIX, "matrix"), (TIMELINE, "timeline"), (COOCCURRENCE, "cooccurrence")]:
        tree = page_tree(client.get(path, {"tag": ["big-deal", "phased"]}))
        chart = tree.xpath("//div[@id='claims-chart']")[0]
        assert chart.get("data-kind") == kind
        assert chart.get("data-filename") == f"claims-{kind}-{timezone.localdate():%Y-%m-%d}"
        links = tree.xpath("//div[@class='claims-downloads']/a/@href")
        assert [link.split("?")[0] for link in links] == [
            reverse("claims:download", args=[kind, "csv"]),
            reverse("claims:download", args=[kind, "xlsx"]),
            f"/api/v1/claims/{kind}",
        ]
        assert all("tag=big-deal" in link and "tag=phased" in link for link in links)
        assert tree.xpath("//button[@data-chart-download='png'][@hidden]")  # shown by the script
        assert tree.xpath("//script[@id='claims-data'][@type='application/json']")


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (MATRIX, {"rows": "tag", "columns": "year", "measure": "share", "sort": "label", "actor": "us"}),
        (TIMELINE, {"series": "actor", "bucket": "quarter", "year": "2019"}),
        (COOCCURRENCE, {"scope": "section", "visibility": "mine"}),
    ],
)
def test_the_api_link_answers_the_payload_the_page_charts(client, annotator, claims_world, path, params):
    client.force_login(annotator)
    response = client.get(path, params)
    link = page_tree(response).xpath("//div[@class='claims-downloads']/a[@type='application/json']/@href")[0]
    answer = client.get(link)
    assert answer.status_code == 200, answer.content
    assert comparable(answer.json()) == comparable(payload_of(response))


def test_nothing_counted_shows_the_empty_state(client, annotator, claims_world):
    client.force_login(annotator)
    for path in PAGES:
        response = client.get(path, {"date_from": "1900-01-01", "date_to": "1900-12-31"})
        assert response.status_code == 200
        tree = page_tree(response)
        assert texts(tree, "//p[@class='claims-empty']") == ["No claims match these filters."]
        assert not tree.xpath("//table[@data-claims-table]") and not tree.xpath("//div[@id='claims-chart']")


def test_a_new_user_sees_how_to_start(client, db):
    from tests.factories import role_user

    client.force_login(role_user("analyst", username="newcomer"))
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200
        assert texts(page_tree(response), "//p[@class='claims-empty']") == [
            "No claims to count yet: tag passages in the reader and they appear here."
        ]


HOSTILE = [
    {"rows": "martian"},
    {"rows": "tag", "columns": "tag"},
    {"rows": "x" * 5000, "columns": "y" * 5000, "measure": "∞", "sort": "sideways"},
    {"date_from": "2019-02-30"},
    {"date_from": "2019-12-31", "date_to": "2019-01-01"},
    {"date_from": "9" * 400},
    {"year": ["99999999999999999999", "-1"]},
    {"actor": "martian"},
    {"brief": [f"b{i}" for i in range(500)]},
    {"tag": "t" * 5000},
    {"language": "klingon", "visibility": "everyone"},
    {"series": "weather", "bucket": "fortnight", "scope": "galaxy"},
]


@pytest.mark.parametrize("query", HOSTILE)
def test_refused_parameters_show_errors_never_a_500(client, annotator, claims_world, query):
    client.force_login(annotator)
    for path in PAGES:
        response = client.get(path, query)
        assert response.status_code in (200, 400), (path, query)
        tree = page_tree(response)
        if response.status_code == 400:
            assert tree.xpath("//div[@class='claims-errors']//li"), (path, query)
        # Whatever was refused, the page still counts with what it could read, and shows it.
        assert tree.xpath("//script[@id='claims-data']"), (path, query)
    # The matrix refuses rows == columns in words, and falls back to a matrix it can draw.
    response = client.get(MATRIX, {"rows": "tag", "columns": "tag"})
    assert response.status_code == 400
    assert "Rows and columns must be different" in " ".join(
        texts(page_tree(response), "//div[@class='claims-errors']")
    )
    assert payload_of(response)["columns"]["dimension"] != "tag"


def test_a_huge_value_is_not_echoed_in_the_errors(client, annotator, claims_world):
    client.force_login(annotator)
    response = client.get(MATRIX, {"rows": "x" * 5000})
    assert response.status_code == 400
    errors = " ".join(texts(page_tree(response), "//div[@class='claims-errors']"))
    assert "Rows: Choose one of the listed values." in errors and "x" * 100 not in errors


def test_the_pages_answer_get_only(client, annotator, claims_world):
    client.force_login(annotator)
    for path in PAGES:
        assert client.post(path, {"rows": "tag"}).status_code == 405


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (MATRIX, {"rows": "brief", "columns": "tag"}),
        (MATRIX, {"rows": "annotator", "columns": "category", "actor": "us"}),
        (TIMELINE, {"series": "actor", "bucket": "brief"}),
        (COOCCURRENCE, {"scope": "section"}),
    ],
)
def test_the_number_of_queries_does_not_grow_with_the_data(
    client, annotator, claims_world, path, params, django_assert_max_num_queries
):
    client.force_login(annotator)
    client.get(path, params)  # warm the session and the content types
    # Session, user and the nav's permission check, the filter form's choices (briefs,
    # organisations, years, tags, categories, annotators), the one counting query, and for
    # the timeline the events list; the count's time limit, and the savepoint it runs in
    # here (the test's transaction is open).
    with django_assert_max_num_queries(16), CaptureQueriesContext(connection) as small:
        assert client.get(path, params).status_code == 200
    category = CategoryFactory()
    for i in range(12):
        brief = BriefFactory(publication_date=dt.date(2018, 1 + i % 12, 1), organisation=f"기관 {i}")
        section = SectionFactory(brief=brief)
        tag = TagFactory(category=category)
        for actor in ("us", "dprk", "rok"):
            AnnotationFactory(section=section, author=annotator, visibility="shared", tags=[tag], actor=actor)
    with CaptureQueriesContext(connection) as large:
        assert client.get(path, params).status_code == 200
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


def test_the_korean_interface_labels_tags_in_korean(client, annotator, claims_world):
    client.force_login(annotator)
    response = client.get(MATRIX, {"rows": "brief", "columns": "tag"}, HTTP_ACCEPT_LANGUAGE="ko")
    tree = page_tree(response)
    assert tree.get("lang") == "ko"
    heads = texts(tree, "//table[@data-claims-table]/thead//th")
    assert "빅딜" in heads and "단계적 접근" in heads
    payload = payload_of(response)
    assert {"빅딜", "단계적 접근"} <= {c["label"] for c in payload["column_keys"]}
    timeline = payload_of(client.get(TIMELINE, HTTP_ACCEPT_LANGUAGE="ko"))
    assert "빅딜" in [s["label"] for s in timeline["series"]]


def test_the_count_cells_escape_what_they_are_given():
    from annotations.claims.views import heat_cells_html

    html = heat_cells_html(
        [
            {"count": 3, "display": '<b>3</b>"', "url": '/x?a="><script>1</script>', "level": 2},
            {"count": 0, "display": "0", "url": None, "level": 0, "diagonal": True},
        ],
        counts=True,
    )
    tree = lxml.html.fragment_fromstring(f"<table><tr>{html}</tr></table>")
    cells = tree.xpath(".//td")
    assert [td.get("class") for td in cells] == ["num heat-2", "num heat-0 claims-diagonal"]
    assert cells[0].xpath("./a/@href") == ['/x?a="><script>1</script>']
    assert cells[0].xpath("./a")[0].text_content() == '<b>3</b>" (3)'
    assert not tree.xpath(".//script | .//b") and cells[1].text_content() == "0"
