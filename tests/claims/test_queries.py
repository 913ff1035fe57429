"""Every count of the claims views against an independent SQL count, written here by hand.

The oracle counts with one plain query per number (EXISTS for tags, no GROUPING SETS, no
shared code with annotations.claims), over a world with several users, private and shared,
deleted and untagged annotations, a retired tag and briefs without organisation or date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.claims.filters import NO_CATEGORY, NO_ORGANISATION, UNDATED, ClaimsFilters
from annotations.claims.queries import (
    DIMENSIONS,
    ClaimsQueryError,
    claims_cooccurrence,
    claims_matrix,
    claims_table_rows,
    claims_timeline,
)
from annotations.services import codebook_load_starter
from tests.claims.conftest import private_claim_add, world_build

pytestmark = pytest.mark.django_db

VISIBLE_CLAIM = """
    a.deleted_at IS NULL AND (a.visibility = 'shared' OR a.author_id = %(user)s)
    AND EXISTS (SELECT 1 FROM annotations_annotation_tags x WHERE x.annotation_id = a.id)
"""
DAY = "COALESCE(b.publication_date, make_date(b.publication_year, 1, 1))"


def has_tag(code: str, alias: str = "a") -> str:
    return (
        f"EXISTS (SELECT 1 FROM annotations_annotation_tags x JOIN annotations_tag t ON t.id = x.tag_id "
        f"WHERE x.annotation_id = {alias}.id AND t.code = {_literal(code)})"
    )


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def condition(dimension: str, key: str) -> str:
    """The hand-written SQL condition 'the claim a has this value of the dimension'."""
    if dimension == "brief":
        return f"b.slug = {_literal(key)}"
    if dimension == "organisation":
        return "b.organisation = ''" if key == NO_ORGANISATION else f"b.organisation = {_literal(key)}"
    if dimension == "actor":
        return f"a.actor = {_literal(key)}"
    if dimension == "tag":
        return has_tag(key)
    if dimension == "category":
        inner = "t.category_id IS NULL" if key == NO_CATEGORY else f"c.code = {_literal(key)}"
        return (
            "EXISTS (SELECT 1 FROM annotations_annotation_tags x JOIN annotations_tag t ON t.id = x.tag_id "
            "LEFT JOIN annotations_category c ON c.id = t.category_id "
            f"WHERE x.annotation_id = a.id AND {inner})"
        )
    if dimension == "annotator":
        return f"u.username = {_literal(key)}"
    if dimension == "year":
        if key == UNDATED:
            return "b.publication_date IS NULL AND b.publication_year IS NULL"
        return f"COALESCE(EXTRACT(YEAR FROM b.publication_date)::int, b.publication_year) = {int(key)}"
    raise AssertionError(dimension)


def sql_count(user, *conditions: str) -> int:
    where = " AND ".join([VISIBLE_CLAIM, *conditions])
    sql = f"""
        SELECT COUNT(DISTINCT a.id) FROM annotations_annotation a
        JOIN briefs_section s ON s.id = a.section_id JOIN briefs_brief b ON b.id = s.brief_id
        JOIN auth_user u ON u.id = a.author_id WHERE {where}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("%(user)s", str(int(user.pk))))
        return cursor.fetchone()[0]


def every_key(dimension: str) -> list[str]:
    """Every value the dimension has in the database (whoever may see it)."""
    sql = {
        "brief": "SELECT slug FROM briefs_brief",
        "organisation": "SELECT DISTINCT COALESCE(NULLIF(organisation, ''), "
        f"'{NO_ORGANISATION}') FROM briefs_brief",
        "actor": "SELECT DISTINCT actor FROM annotations_annotation",
        "tag": "SELECT code FROM annotations_tag",
        "category": f"SELECT code FROM annotations_category UNION SELECT '{NO_CATEGORY}'",
        "annotator": "SELECT username FROM auth_user",
        "year": "SELECT DISTINCT COALESCE(EXTRACT(YEAR FROM publication_date)::int, publication_year)::text "
        "FROM briefs_brief",
    }[dimension]
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] if row[0] is not None else UNDATED for row in cursor.fetchall()]


def matrix_check(user, rows: str, columns: str) -> dict:
    payload = claims_matrix(user=user, rows=rows, columns=columns, filters=ClaimsFilters())
    cells = {(c["row"], c["column"]): c["count"] for c in payload["cells"]}
    for rk, ck in itertools.product(every_key(rows), every_key(columns)):
        expected = sql_count(user, condition(rows, rk), condition(columns, ck))
        assert cells.get((rk, ck), 0) == expected, (rows, rk, columns, ck)
    for key in payload["row_keys"]:
        assert key["total"] == sql_count(user, condition(rows, key["key"])), (rows, key)
    for key in payload["column_keys"]:
        assert key["total"] == sql_count(user, condition(columns, key["key"])), (columns, key)
    assert {k["key"] for k in payload["row_keys"]} == {
        k for k in every_key(rows) if sql_count(user, condition(rows, k))
    }
    assert payload["total"] == sql_count(user)
    return payload


@pytest.mark.parametrize("rows,columns", [(r, c) for r in DIMENSIONS for c in DIMENSIONS if r != c])
def test_every_matrix_cell_and_total_is_the_sql_count(world, rows, columns):
    for name in ("alice", "carol"):
        matrix_check(world.users[name], rows, columns)


def test_shares_are_of_the_row_total(world):
    payload = claims_matrix(user=world.users["bob"], rows="actor", columns="tag", filters=ClaimsFilters())
    totals = {k["key"]: k["total"] for k in payload["row_keys"]}
    assert payload["cells"]
    for cell in payload["cells"]:
        assert cell["share"] == round(cell["count"] / totals[cell["row"]], 4)


def test_a_private_annotation_counts_only_for_its_author(world):
    views = {
        "matrix": lambda u: claims_matrix(user=u, rows="brief", columns="tag", filters=ClaimsFilters()),
        "timeline": lambda u: claims_timeline(user=u, series="tag", bucket="month", filters=ClaimsFilters()),
        "cooccurrence": lambda u: claims_cooccurrence(user=u, scope="passage", filters=ClaimsFilters()),
        "section": lambda u: claims_cooccurrence(user=u, scope="section", filters=ClaimsFilters()),
    }
    alice, bob = world.users["alice"], world.users["bob"]

    def seen(view, user):
        payload = views[view](user)
        payload.pop("generated_at")
        return payload

    before = {view: (seen(view, alice), seen(view, bob)) for view in views}
    private_claim_add(world, author=bob)
    for view in views:
        assert seen(view, alice) == before[view][0], view
        assert seen(view, bob) != before[view][1], view


def test_deleted_untagged_and_other_peoples_private_annotations_are_not_counted(world):
    carol = world.users["carol"]
    payload = claims_matrix(user=carol, rows="annotator", columns="actor", filters=ClaimsFilters())
    counted = sum(k["total"] for k in payload["row_keys"])  # one annotator per claim: a partition
    expected = sum(
        1
        for a in world.annotations
        if a.deleted_at is None and a.tags.exists() and (a.visibility == "shared" or a.author_id == carol.pk)
    )
    assert counted == payload["total"] == expected


def test_retired_tags_still_count_and_are_marked(world):
    retired = next(tag for tag in world.tags.values() if not tag.active)
    payload = claims_matrix(user=world.users["dave"], rows="tag", columns="actor", filters=ClaimsFilters())
    keys = {k["key"]: k for k in payload["row_keys"]}
    expected = sql_count(world.users["dave"], has_tag(retired.code))
    assert expected, "the seed gives the retired tag visible claims"
    assert keys[retired.code]["total"] == expected
    assert keys[retired.code]["active"] is False


def test_filters_restrict_every_count(world):
    alice = world.users["alice"]
    tags = sorted(world.tags)[:3]
    filters = ClaimsFilters(
        tags=tuple(tags),
        actors=("us", "dprk", "rok"),
        organisations=("CRS", NO_ORGANISATION),
        visibility="shared",
    )
    payload = claims_matrix(user=alice, rows="brief", columns="tag", filters=filters)
    extra = [
        "(" + " OR ".join(has_tag(code) for code in tags) + ")",
        "a.actor IN ('us', 'dprk', 'rok')",
        "b.organisation IN ('CRS', '')",
        "a.visibility = 'shared'",
    ]
    assert payload["total"] == sql_count(alice, *extra)
    assert {c["column"] for c in payload["cells"]} <= set(tags), "a tag-wise count keeps to the tag filter"
    for cell in payload["cells"]:
        assert cell["count"] == sql_count(
            alice, *extra, condition("brief", cell["row"]), condition("tag", cell["column"])
        )


def test_date_filters_date_a_year_only_brief_on_1_january(world):
    alice = world.users["alice"]
    in_2019 = ClaimsFilters(date_from=dt.date(2019, 1, 1), date_to=dt.date(2019, 12, 31))
    payload = claims_matrix(user=alice, rows="brief", columns="actor", filters=in_2019)
    assert {k["key"] for k in payload["row_keys"]} == {"dated", "year-only"}
    after_new_year = ClaimsFilters(date_from=dt.date(2019, 1, 2))
    payload = claims_matrix(user=alice, rows="brief", columns="actor", filters=after_new_year)
    assert {k["key"] for k in payload["row_keys"]} == {"dated"}
    undated = claims_matrix(user=alice, rows="brief", columns="actor", filters=ClaimsFilters(years=(None,)))
    assert {k["key"] for k in undated["row_keys"]} == {"undated"}


@pytest.mark.parametrize("bucket", ["brief", "month", "quarter", "year"])
@pytest.mark.parametrize("series", ["tag", "actor", "category"])
def test_every_timeline_point_is_the_sql_count(world, series, bucket):
    alice = world.users["alice"]
    payload = claims_timeline(user=alice, series=series, bucket=bucket, filters=ClaimsFilters())
    assert payload["points"]
    for point in payload["points"]:
        day = dt.date.fromisoformat(point["period"])
        first, last = day, day
        if bucket == "month":
            last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        elif bucket == "quarter":
            last = dt.date(day.year, day.month + 2, calendar.monthrange(day.year, day.month + 2)[1])
        elif bucket == "year":
            last = dt.date(day.year, 12, 31)
        in_period = f"{DAY} BETWEEN DATE '{first}' AND DATE '{last}'"
        conditions = [condition(series, point["series"]), in_period]
        if bucket == "brief":
            conditions.append(f"b.slug = {_literal(point['briefs'][0]['slug'])}")
            assert point["brief_count"] == 1
        assert point["count"] == sql_count(alice, *conditions), point
    for key in payload["series"]:
        assert key["total"] == sql_count(alice, condition(series, key["key"]))
    assert payload["undated"] == sql_count(alice, f"{DAY} IS NULL")


def pair_count(user, t1: str, t2: str, scope: str) -> int:
    meets = 'o.start < a."end" AND a.start < o."end"' if scope == "passage" else "TRUE"

    def other_with(code: str) -> str:
        return f"""EXISTS (SELECT 1 FROM annotations_annotation o WHERE o.section_id = a.section_id
            AND {meets} AND o.deleted_at IS NULL AND (o.visibility = 'shared' OR o.author_id = {int(user.pk)})
            AND {has_tag(code, "o")})"""

    return sql_count(user, f"(({has_tag(t1)} AND {other_with(t2)}) OR ({has_tag(t2)} AND {other_with(t1)}))")


@pytest.mark.parametrize("scope", ["passage", "section"])
def test_every_cooccurrence_cell_is_the_sql_count(world, scope):
    for name in ("bob", "carol"):
        user = world.users[name]
        payload = claims_cooccurrence(user=user, scope=scope, filters=ClaimsFilters())
        cells = {(c["row"], c["column"]): c["count"] for c in payload["cells"]}
        used = [code for code in every_key("tag") if sql_count(user, has_tag(code))]
        assert [t["key"] for t in payload["tags"]] and {t["key"] for t in payload["tags"]} == set(used)
        for t1, t2 in itertools.product(used, used):
            assert cells.get((t1, t2), 0) == pair_count(user, t1, t2, scope), (scope, t1, t2)
        assert any(count for (t1, t2), count in cells.items() if t1 != t2), "the world has co-occurrences"


@pytest.mark.parametrize(
    "call",
    [
        lambda u: claims_matrix(
            user=u, rows="category", columns="annotator", filters=ClaimsFilters(tags=("big-deal",))
        ),
        lambda u: claims_matrix(user=u, rows="tag", columns="category", filters=ClaimsFilters()),
        lambda u: claims_timeline(
            user=u, series="tag", bucket="quarter", filters=ClaimsFilters(actors=("us",))
        ),
        lambda u: claims_cooccurrence(user=u, scope="section", filters=ClaimsFilters(years=(2019,))),
        lambda u: claims_cooccurrence(user=u, scope="passage", filters=ClaimsFilters()),
    ],
)
def test_each_view_is_one_aggregate_query(world, call):
    with CaptureQueriesContext(connection) as captured:
        call(world.users["alice"])
    # (the test's transaction makes the view's own a savepoint: not a query of the view's)
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 2, statements
    assert statements[0].startswith("SELECT set_config('statement_timeout'")
    assert "GROUP BY" in statements[1]


def test_a_views_time_limit_ends_with_the_view(world, settings):
    """The limit and memory are LOCAL settings: inside the caller's transaction (a request
    under ATOMIC_REQUESTS, this test's) they must not outlive the count, or the page's next
    queries run under them."""
    settings.MARGINALIA_CLAIMS_SECONDS = 0.5
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]
        claims_matrix(user=world.users["alice"], rows="brief", columns="tag", filters=ClaimsFilters())
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == before != "500ms"
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] != "64MB"


@pytest.fixture
def committed_world(transactional_db):
    """The world committed, so this test's own connection holds no lock another may wait on."""
    codebook_load_starter()
    return world_build()


def test_a_view_that_counts_too_long_is_cancelled_with_a_clear_error(committed_world, settings):
    """Another client holds a lock the count must wait for: past the limit PostgreSQL cancels it."""
    settings.MARGINALIA_CLAIMS_SECONDS = 0.3
    alice = committed_world.users["alice"]
    other = psycopg.connect(**{**connection.get_connection_params(), "autocommit": False})
    try:
        other.execute("SET lock_timeout = '5s'")  # never hang the suite if something else holds it
        other.execute("LOCK TABLE annotations_tag IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(ClaimsQueryError, match="narrow the filters"):
            claims_matrix(user=alice, rows="brief", columns="tag", filters=ClaimsFilters())
    finally:
        other.rollback()
        other.close()
    # The connection is usable again, and the limit lets an ordinary count through.
    settings.MARGINALIA_CLAIMS_SECONDS = 20
    assert claims_matrix(user=alice, rows="brief", columns="tag", filters=ClaimsFilters())["total"]


def test_anonymous_visitors_count_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    payload = claims_matrix(user=AnonymousUser(), rows="brief", columns="tag", filters=ClaimsFilters())
    assert payload["total"] == 0 and payload["cells"] == []


@pytest.mark.parametrize(
    "call",
    [
        lambda u: claims_matrix(user=u, rows="tag", columns="tag", filters=ClaimsFilters()),
        lambda u: claims_matrix(user=u, rows="brief; DROP TABLE x", columns="tag", filters=ClaimsFilters()),
        lambda u: claims_matrix(
            user=u, rows="brief", columns="tag", filters=ClaimsFilters(), sort="random()"
        ),
        lambda u: claims_timeline(user=u, series="brief", bucket="month", filters=ClaimsFilters()),
        lambda u: claims_timeline(user=u, series="tag", bucket="week", filters=ClaimsFilters()),
        lambda u: claims_cooccurrence(user=u, scope="paragraph", filters=ClaimsFilters()),
    ],
)
def test_bad_requests_are_refused_before_any_sql(world, call, django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(ClaimsQueryError):
        call(world.users["alice"])


def test_table_rows_have_totals(world):
    payload = claims_matrix(
        user=world.users["alice"], rows="actor", columns="category", filters=ClaimsFilters()
    )
    header, rows = claims_table_rows(payload)
    assert len(header) == len(payload["column_keys"]) + 2
    assert rows[-1][-1] == payload["total"]
    assert [row[-1] for row in rows[:-1]] == [k["total"] for k in payload["row_keys"]]
