"""Claims benchmark: matrix, timeline and co-occurrence at 100,000 annotations, beside a raw-SQL floor.

    DATABASE_URL=postgres://... python bench/bench_claims.py [--briefs 1000] [--annotations 100000]
        [--runs 20] [--quick] [--keep] [--reuse] [--explain]

Writes a throwaway corpus with COPY (slug prefix `bench-claims-`): briefs of a few sections each
(text cut from the samples) by a dozen organisations, published 2015-2024 (some with only a
year, a few undated), and annotations by several throwaway users (mostly shared, some private,
a few deleted) with 1-3 starter-codebook tags each and varied actors; commits it and runs
`VACUUM ANALYZE`, so the plans are those of a settled table. Then, for each measure, times
the core's function (annotations.claims.queries: server time, labels and links included), the
same payload through the API with Django's test Client and a bearer token (the whole stack:
middleware, token auth, ninja, JSON), and the floor: a plain `SELECT ... COUNT(*) ... GROUP BY`
over the same join, executed on the raw psycopg connection (no visibility rule, no labels), in
the same run. Median and p95 over --runs runs after two warm-ups. Deletes everything it made
at the end (--keep leaves it for a rerun with --reuse). --quick: 100 briefs, 10,000
annotations, 10 runs (what `make bench` runs). --explain prints EXPLAIN ANALYZE of each core
query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import random
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

import quick

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import OperationalError, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.services import api_token_create  # noqa: E402
from annotations.models import Annotation, Tag  # noqa: E402
from annotations.roles import Role  # noqa: E402
from annotations.services import codebook_load_starter, role_group_sync  # noqa: E402
from briefs.models import Brief, Section  # noqa: E402

PREFIX = "bench-claims-"
STATEMENT_TIMEOUT = "30s"  # per query, while measuring
TEMP_FILE_LIMIT = "2GB"
USERS = 8  # the first one is the reader the views are measured for
SECTION_CHARS = 1500
ORGANISATIONS = [
    ("통일연구원", "KINU"),
    ("국가안보전략연구원", "INSS"),
    ("아산정책연구원", "Asan Institute"),
    ("세종연구소", "Sejong Institute"),
    ("국립외교원", "KNDA"),
    ("한국국방연구원", "KIDA"),
    ("Congressional Research Service", "CRS"),
    ("Brookings Institution", "Brookings"),
    ("Center for Strategic and International Studies", "CSIS"),
    ("38 North", "38 North"),
    ("Carnegie Endowment", "Carnegie"),
    ("RAND Corporation", "RAND"),
]
# Who claims are attributed to, roughly as annotators of these briefs attribute them.
ACTOR_WEIGHTS = {"us": 30, "dprk": 30, "rok": 20, "china": 8, "other": 4, "unspecified": 8}
TAG_COUNT_WEIGHTS = {1: 60, 2: 30, 3: 10}

FLOOR_JOIN = """
    FROM annotations_annotation a
    JOIN briefs_section s ON s.id = a.section_id
    JOIN briefs_brief b ON b.id = s.brief_id
    JOIN annotations_annotation_tags at ON at.annotation_id = a.id
"""
FLOORS = {
    "brief": "s.brief_id",
    "tag": "at.tag_id",
    "actor": "a.actor",
    "organisation": "b.organisation",
    "annotator": "a.author_id",
    "year": "COALESCE(EXTRACT(YEAR FROM b.publication_date)::int, b.publication_year)",
}
FLOOR_CATEGORY_JOIN = "JOIN annotations_tag t ON t.id = at.tag_id"
MONTH = "date_trunc('month', COALESCE(b.publication_date, make_date(b.publication_year, 1, 1)))"
COOCCURRENCE_PASSAGE_FLOOR = """
    SELECT t1.tag_id, t2.tag_id, COUNT(*)
    FROM annotations_annotation a1
    JOIN annotations_annotation a2
      ON a2.section_id = a1.section_id AND a2.id >= a1.id AND a2.start < a1."end" AND a1.start < a2."end"
    JOIN annotations_annotation_tags t1 ON t1.annotation_id = a1.id
    JOIN annotations_annotation_tags t2 ON t2.annotation_id = a2.id AND t2.tag_id <> t1.tag_id
    WHERE a1.deleted_at IS NULL AND a2.deleted_at IS NULL
    GROUP BY 1, 2
"""
COOCCURRENCE_SECTION_FLOOR = """
    WITH st AS (
        SELECT DISTINCT a.section_id, at.tag_id
        FROM annotations_annotation a JOIN annotations_annotation_tags at ON at.annotation_id = a.id
        WHERE a.deleted_at IS NULL
    )
    SELECT x.tag_id, y.tag_id, COUNT(*)
    FROM st x JOIN st y ON y.section_id = x.section_id AND y.tag_id <> x.tag_id
    GROUP BY 1, 2
"""


def matrix_floor(rows: str, columns: str) -> str:
    """The floor of a matrix: COUNT(*) per (row, column) over the plain join."""
    exprs = [("t.category_id" if dim == "category" else FLOORS[dim]) for dim in (rows, columns)]
    extra = FLOOR_CATEGORY_JOIN if "category" in (rows, columns) else ""
    return (
        f"SELECT {exprs[0]}, {exprs[1]}, COUNT(*) {FLOOR_JOIN} {extra} "
        "WHERE a.deleted_at IS NULL GROUP BY 1, 2"
    )


# Data -------------------------------------------------------------------------------------------


def sample_text() -> str:
    """The samples' Korean text as one NFC line of words (slices of it are NFC too)."""
    names = ("001_b5edd7b7062599dc.txt", "000_44f3ef2e00101653.txt")
    text = " ".join((ROOT / "samples" / name).read_text(encoding="utf-8") for name in names)
    text = " ".join(word for word in text.split() if not word.startswith(("![", "http")))
    return unicodedata.normalize("NFC", text)


def table_columns(table: str) -> dict[str, tuple[str, bool]]:
    """Return the table's columns as name -> (data type, nullable), from the catalogue."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type, is_nullable = 'YES' FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s",
            [table],
        )
        return {name: (kind, nullable) for name, kind, nullable in cursor.fetchall()}


def blank(kind: str, now: dt.datetime) -> object:
    """The value Django would write for a NOT NULL field left at its default ('' / [] / 0 / now)."""
    if kind == "ARRAY":
        return []
    if kind in ("integer", "smallint", "bigint"):
        return 0
    if kind == "boolean":
        return False
    if kind.startswith("timestamp"):
        return now
    return ""


def copy_rows(table: str, rows: Iterable[dict]) -> int:
    """COPY dicts into a table, filling the NOT NULL columns they leave out as Django would."""
    columns = table_columns(table)
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    now = dt.datetime.now(dt.UTC)
    names = list(first) + [
        name for name, (_, nullable) in columns.items() if name not in first and name != "id" and not nullable
    ]
    filler = {name: blank(columns[name][0], now) for name in names if name not in first}
    quoted = ", ".join(connection.ops.quote_name(name) for name in names)
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        for row in itertools.chain([first], rows):
            copy.write_row([row[name] if name in row else filler[name] for name in names])
            count += 1
    return count


def next_ids(table: str, count: int) -> list[int]:
    """Reserve `count` ids from the table's identity sequence (COPY then needs no read-back)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
        )
        return [row[0] for row in cursor.fetchall()]


def weighted(rng: random.Random, weights: dict) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def build(n_briefs: int, n_annotations: int, rng: random.Random) -> None:
    """Write the throwaway users, briefs, sections, annotations and their tags (one transaction)."""
    if not Tag.objects.filter(active=True).exists():
        codebook_load_starter()
    tag_ids = list(Tag.objects.filter(active=True).values_list("pk", flat=True))
    group = role_group_sync(role=Role.ANNOTATOR)
    users = []
    for k in range(USERS):
        user = get_user_model().objects.create_user(username=f"{PREFIX}u{k}", password=None)
        user.groups.add(group)
        users.append(user.pk)

    text = sample_text()
    brief_ids = next_ids(Brief._meta.db_table, n_briefs)
    briefs = []
    for i, pk in enumerate(brief_ids):
        organisation, organisation_en = ORGANISATIONS[i % len(ORGANISATIONS)]
        date = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3653))
        roll = rng.random()
        briefs.append(
            {
                "id": pk,
                "slug": f"{PREFIX}{i:05d}",
                "title": f"벤치마크 브리프 {i:,}",
                "organisation": organisation,
                "organisation_en": organisation_en,
                "language": "en" if i % 3 == 0 else "ko",
                # 85% dated, 12% only a year, 3% undated (the timeline's "undated" count).
                "publication_date": date if roll < 0.85 else None,
                "publication_year": date.year if roll < 0.97 else None,
            }
        )
    copy_rows(Brief._meta.db_table, briefs)

    sections = []
    for pk in brief_ids:
        for position in range(rng.randint(3, 5)):
            start = rng.randrange(0, len(text) - SECTION_CHARS)
            sections.append(
                {
                    "brief_id": pk,
                    "position": position,
                    "heading": f"쟁점 {position}" if position else "",
                    "level": 2,
                    "kind": "body",
                    "text": text[start : start + SECTION_CHARS].strip(),
                    "anchor": f"s{position}",
                }
            )
    section_ids = next_ids(Section._meta.db_table, len(sections))
    for section, pk in zip(sections, section_ids, strict=True):
        section["id"] = pk
    copy_rows(Section._meta.db_table, sections)

    annotation_ids = next_ids(Annotation._meta.db_table, n_annotations)
    now = dt.datetime.now(dt.UTC)
    annotations, links = [], []
    for pk in annotation_ids:
        section = rng.choice(sections)
        length = rng.randint(10, 80)
        start = rng.randrange(0, len(section["text"]) - length)
        roll = rng.random()
        shared = roll < 0.85
        annotations.append(
            {
                "id": pk,
                "section_id": section["id"],
                "start": start,
                "end": start + length,
                "quote": section["text"][start : start + length],
                "actor": weighted(rng, ACTOR_WEIGHTS),
                "author_id": rng.choice(users),
                "visibility": "shared" if shared else "private",
                "ever_shared": shared,
                "deleted_at": now if rng.random() < 0.03 else None,
            }
        )
        for tag_id in rng.sample(tag_ids, weighted(rng, TAG_COUNT_WEIGHTS)):
            links.append({"annotation_id": pk, "tag_id": tag_id})
    copy_rows(Annotation._meta.db_table, annotations)
    copy_rows(Annotation.tags.through._meta.db_table, links)


def setup(n_briefs: int, n_annotations: int) -> None:
    started = time.perf_counter()
    with transaction.atomic():
        build(n_briefs, n_annotations, random.Random(13))
    written = time.perf_counter() - started
    # VACUUM (not only ANALYZE): the visibility map lets the planner use index-only scans, as
    # on a table that has settled; it cannot run inside a transaction, hence after the commit.
    with connection.cursor() as cursor:
        for model in (Brief, Section, Annotation, Annotation.tags.through, Tag):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    print(
        f"wrote {n_briefs:,} briefs and {n_annotations:,} annotations with COPY in {written:.1f} s "
        f"(VACUUM ANALYZE {time.perf_counter() - started - written:.1f} s)",
        flush=True,
    )


def cleanup() -> None:
    """Delete everything the bench made, with one statement per table (the ORM would load it all)."""
    briefs = f"SELECT id FROM briefs_brief WHERE slug LIKE '{PREFIX}%%'"
    sections = f"SELECT id FROM briefs_section WHERE brief_id IN ({briefs})"
    users = get_user_model().objects.filter(username__startswith=PREFIX)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM annotations_annotation_tags WHERE annotation_id IN "
            f"(SELECT id FROM annotations_annotation WHERE section_id IN ({sections}))"
        )
        cursor.execute(f"DELETE FROM annotations_annotation WHERE section_id IN ({sections})")
        cursor.execute(f"DELETE FROM briefs_section WHERE brief_id IN ({briefs})")
        cursor.execute(f"DELETE FROM briefs_brief WHERE slug LIKE '{PREFIX}%%'")
        for user in users:
            user.api_tokens.all().delete()
        users.delete()


# Measuring --------------------------------------------------------------------------------------


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds of `runs` calls, after two warm-ups (connection, caches, plans)."""
    fn()
    fn()
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def floor_fn(sql: str) -> Callable[[], int]:
    """Run `sql` on the raw psycopg connection (no Django cursor wrapper) and fetch every row."""

    def run() -> int:
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.execute(sql)
            return len(cursor.fetchall())

    return run


def measures() -> list[tuple[str, Callable, str, str]]:
    """(label, core call taking user and filters, API path, floor SQL) per measure."""
    from annotations.claims import queries

    out = []
    for rows, columns in (
        ("brief", "tag"),
        ("actor", "tag"),
        ("organisation", "year"),
        ("annotator", "category"),
        ("brief", "actor"),
    ):
        out.append(
            (
                f"matrix {rows} × {columns}",
                lambda user, filters, rows=rows, columns=columns: queries.claims_matrix(
                    user=user, rows=rows, columns=columns, filters=filters
                ),
                f"/api/v1/claims/matrix?rows={rows}&columns={columns}",
                matrix_floor(rows, columns),
            )
        )
    for series, bucket in (("tag", "month"), ("actor", "year")):
        out.append(
            (
                f"timeline {series} by {bucket}",
                lambda user, filters, series=series, bucket=bucket: queries.claims_timeline(
                    user=user, series=series, bucket=bucket, filters=filters
                ),
                f"/api/v1/claims/timeline?series={series}&bucket={bucket}",
                f"SELECT {MONTH if bucket == 'month' else FLOORS['year']}, "
                f"{FLOORS[series]}, COUNT(*) {FLOOR_JOIN} WHERE a.deleted_at IS NULL GROUP BY 1, 2",
            )
        )
    for scope, floor in (("passage", COOCCURRENCE_PASSAGE_FLOOR), ("section", COOCCURRENCE_SECTION_FLOOR)):
        out.append(
            (
                f"co-occurrence by {scope}",
                lambda user, filters, scope=scope: queries.claims_cooccurrence(
                    user=user, scope=scope, filters=filters
                ),
                f"/api/v1/claims/cooccurrence?scope={scope}",
                floor,
            )
        )
    return out


def explain(sql: str, analyze: bool = True) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {'(ANALYZE, BUFFERS) ' if analyze else ''}{sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def run(runs: int, show_plans: bool) -> None:
    from annotations.claims.filters import ClaimsFilters
    from annotations.claims.queries import CLAIMS_WORK_MEM

    settings.MARGINALIA_API_RATE_LIMIT = "1000000/60"  # one busy client, on purpose
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    reader = get_user_model().objects.get(username=f"{PREFIX}u0")
    _, raw = api_token_create(user=reader, name="bench-claims", scope="read")
    client = Client(SERVER_NAME="localhost", headers={"Authorization": f"Bearer {raw}"})
    filters = ClaimsFilters()
    with connection.cursor() as cursor:
        # A guard, not a tuning: a runaway plan once spilled the disk full of temporary files.
        cursor.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT}'")
        cursor.execute(f"SET temp_file_limit = '{TEMP_FILE_LIMIT}'")
        # The floor runs as the core's query does (annotations.claims.queries._fetch): the same
        # work_mem, and no JIT.
        cursor.execute(f"SET work_mem = '{CLAIMS_WORK_MEM}'")
        cursor.execute("SET jit = off")
        cursor.execute("SELECT COUNT(*) FROM annotations_annotation WHERE deleted_at IS NULL")
        alive = cursor.fetchone()[0]
    print(
        f"\n{alive:,} live annotations in the database; reader {reader.username}; "
        f"median and p95 of {runs} runs (ms), PostgreSQL {connection.pg_version}"
    )
    header = (
        f"{'measure':28} {'core median':>11} {'p95':>7} {'queries':>7} {'API median':>10} {'p95':>7} "
        f"{'floor median':>12} {'p95':>7} {'core/floor':>10} {'total':>7}"
    )
    print(header)
    plans = []
    for label, core, path, floor_sql in measures():
        try:
            with CaptureQueriesContext(connection) as captured:
                payload = core(reader, filters)
        except OperationalError as exc:  # the guard below stopped a runaway plan
            print(f"{label:28} failed: {str(exc).splitlines()[0]}", flush=True)
            plans.append((label, [query["sql"] for query in captured.captured_queries]))
            continue
        # Read them now: every test-Client request empties the query log (request_started).
        sqls = [query["sql"] for query in captured.captured_queries]
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        core_ms = timed(lambda core=core: core(reader, filters), runs)
        api_ms = timed(lambda path=path: client.get(path), runs)
        floor_ms = timed(floor_fn(floor_sql), runs)
        total = payload.get("total", len(payload.get("points", payload.get("cells", []))))
        print(
            f"{label:28} {statistics.median(core_ms):11.1f} {p95(core_ms):7.1f} "
            f"{len(sqls):7d} {statistics.median(api_ms):10.1f} {p95(api_ms):7.1f} "
            f"{statistics.median(floor_ms):12.1f} {p95(floor_ms):7.1f} "
            f"{statistics.median(core_ms) / statistics.median(floor_ms):9.1f}x {total:7,}",
            flush=True,
        )
        if show_plans:
            plans.append((label, sqls))
    print("(total: the matrix's distinct annotations; for the timeline and co-occurrence, points/cells)")
    for label, sqls in plans:
        for sql in sqls:
            try:
                plan = explain(sql)
            except OperationalError as exc:  # too slow even to analyse: show the plan alone
                reason = str(exc).splitlines()[0]
                plan = f"({reason}; EXPLAIN without ANALYZE:)\n{explain(sql, analyze=False)}"
            print(f"\n-- {label}\n{sql}\n{plan}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=1000)
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="leave the throwaway data for --reuse")
    parser.add_argument("--reuse", action="store_true", help="measure on data kept by --keep")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each core query")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = quick.parse(parser, briefs=100, annotations=10_000, runs=10)
    settings.DEBUG = False
    if not args.reuse:
        cleanup()
    try:
        if not args.reuse:
            setup(args.briefs, args.annotations)
        if not args.generate_only:
            run(args.runs, args.explain)
    finally:
        if not args.keep:
            cleanup()
            print("\ncleaned up the throwaway data")


if __name__ == "__main__":
    main()
