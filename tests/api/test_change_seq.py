"""The stored change sequence behind the sync feed: its trigger, its index, its backfill."""

from __future__ import annotations

import importlib
import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from annotations.models import Annotation
from tests.api.conftest import bearer_client
from tests.factories import AnnotationFactory

migration = importlib.import_module("annotations.migrations.0005_change_seq")

WRAP, HALF = 1 << 32, 1 << 31


def xmin_feed_seq(xmin: int, datfrozenxid: int, xmax: int) -> int:
    """The sequence the feed computed from a row's xmin before change_seq was stored.

    A transcription of the old Horizon: `frozen` from feed_horizon(), the rest from
    Horizon.change_seq_sql().
    """
    frozen = xmax - ((xmax - datfrozenxid) % WRAP)
    offset = (xmin - frozen % WRAP) % WRAP
    return frozen + offset if offset < HALF else frozen - 1


def _fetch(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.mark.django_db
def test_the_index_and_the_trigger_exist():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Annotation._meta.db_table)
    index = constraints["annotation_change_seq"]
    assert index["index"] and index["type"] == "idx"  # Django's name for a plain btree index
    assert index["columns"] == ["change_seq", "id"]
    [(definition, enabled)] = _fetch(
        "SELECT pg_get_triggerdef(oid), tgenabled FROM pg_trigger"
        " WHERE tgrelid = 'annotations_annotation'::regclass AND NOT tgisinternal"
        " AND tgname = 'annotations_annotation_change_seq'"
    )
    assert enabled == "O"
    assert "BEFORE INSERT OR UPDATE ON public.annotations_annotation FOR EACH ROW" in definition


@pytest.mark.parametrize(
    ("xmin", "datfrozenxid", "xmax"),
    [
        (1_000, 700, 5_000),  # written after datfrozenxid
        (700, 700, 5_000),
        (699, 700, 5_000),  # frozen: counts as written just before datfrozenxid
        (3, 700, 5_000),
        (700 + HALF - 1, 700, 700 + HALF),  # the last id an unfrozen row can have
        (10, 4_294_000_000, 3 * WRAP + 50),  # the counter wrapped since datfrozenxid
        (4_294_500_000, 4_294_000_000, 3 * WRAP + 50),
        (4_293_000_000, 4_294_000_000, 3 * WRAP + 50),  # frozen, in the previous epoch
        (2_000_000_000, 1_900_000_000, 2 * WRAP + 2_000_000_100),
    ],
)
@pytest.mark.django_db
def test_the_backfill_expression_is_the_old_computation(xmin, datfrozenxid, xmax):
    frozen = migration.frozen_sql("v.xmax", "v.datfrozenxid")
    [(seq,)] = _fetch(
        f"SELECT {migration.xmin_seq_sql('v.xmin', frozen)}"
        " FROM (VALUES (%s::bigint, %s::bigint, %s::bigint)) AS v(xmin, datfrozenxid, xmax)",
        [xmin, datfrozenxid, xmax],
    )
    assert seq == xmin_feed_seq(xmin, datfrozenxid, xmax)


@pytest.mark.django_db(transaction=True)
def test_the_backfill_gives_existing_rows_their_old_sequence(section, annotator):
    plain = AnnotationFactory.create_batch(2, section=section, author=annotator)
    saved = AnnotationFactory(section=section, author=annotator)
    with transaction.atomic(), transaction.atomic():  # its xmin is a subtransaction's id
        Annotation.objects.filter(pk=saved.pk).update(note="in a savepoint")
    [(datfrozenxid, xmax)] = _fetch(
        "SELECT datfrozenxid::text::bigint, pg_snapshot_xmax(pg_current_snapshot())::text::bigint"
        " FROM pg_database WHERE datname = current_database()"
    )
    rows = _fetch("SELECT id, xmin::text::bigint, change_seq FROM annotations_annotation")
    old = {pk: xmin_feed_seq(xmin, datfrozenxid, xmax) for pk, xmin, _ in rows}
    stamped = {pk: seq for pk, _, seq in rows}

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE annotations_annotation DISABLE TRIGGER annotations_annotation_change_seq"
            )
            cursor.execute(migration.BACKFILL)
            assert cursor.rowcount == 3
        backfilled = dict(_fetch("SELECT id, change_seq FROM annotations_annotation"))
        transaction.set_rollback(True)

    assert backfilled == old
    # Written outside a savepoint, the row's xmin is the transaction's id: the trigger's stamp.
    assert all(backfilled[a.pk] == stamped[a.pk] for a in plain)
    assert backfilled[saved.pk] > stamped[saved.pk]


def _plan_nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _plan_nodes(child)


@pytest.mark.parametrize("query", ["", "&include_deleted=true", "&include_deleted=true&brief=kinu-co-19-05"])
@pytest.mark.django_db(transaction=True)
def test_a_feed_page_can_be_one_range_scan_of_the_index(section, annotator, query):
    """With sorting and sequential scans priced out, the planner still has a plan: the index.

    Both bounds of the page, after the cursor and below the horizon, are index
    conditions, and the index gives the order, so no Sort is needed.
    """
    AnnotationFactory.create_batch(3, section=section, author=annotator)
    client = bearer_client(annotator)
    url = "/api/v1/annotations?ordering=updated&limit=1" + query
    second = client.get(url).json()["next"]
    with CaptureQueriesContext(connection) as ctx:
        assert len(client.get(second).json()["items"]) == 1
    [page_sql] = [
        q["sql"] for q in ctx.captured_queries if "ORDER BY" in q["sql"] and "change_seq" in q["sql"]
    ]

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + page_sql)
        (explained,) = cursor.fetchone()
    plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]

    nodes = list(_plan_nodes(plan))
    assert not [n for n in nodes if "Sort" in n["Node Type"]], plan
    # The page's ids come from one range scan (the rows they name are then read by id).
    [scan] = [
        n
        for n in nodes
        if n.get("Index Name") == "annotation_change_seq"
        and "ROW(change_seq, id) > ROW(" in n.get("Index Cond", "")
    ]
    assert scan["Node Type"] in ("Index Scan", "Index Only Scan"), plan
    assert "(change_seq < " in scan["Index Cond"], scan
    assert "ROW(change_seq, id) > ROW(" in scan["Index Cond"], scan
