"""Benchmark API listing pages by cursor at two table sizes: reading order and the sync feed.

    DATABASE_URL=postgres://... python bench/bench_pages.py [--sizes 10000 100000] [--runs 15]

For each size, bench_api.create_data() makes a throwaway brief with that many annotations of
a throwaway user, all written in one transaction (as a bulk import writes them: every row
shares its change sequence, and the brief is one), then times through Django's test Client
with a read token `GET /api/v1/annotations` in reading order (`ordering=position`, the
default) and as the sync feed (`ordering=updated`): the first page and the page its `next`
link gives, of 100 items and of 1. The floor, in the same run, is the raw SQL of that next
page's 100 rows by key (connection.cursor()). Prints medians in ms and the statements per
request; deletes the data again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import quick

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_api  # noqa: E402  (sets up Django)
from bench_container import timed  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.services import api_token_create  # noqa: E402

LIST = "/api/v1/annotations"
FLOOR_SQL = """
    SELECT a.id, a.section_id, a.start, a."end", a.quote, a.note, a.actor, a.visibility,
           a.created_at, a.updated_at
    FROM annotations_annotation a
    WHERE a.deleted_at IS NULL AND (a.visibility = 'shared' OR a.author_id = %s)
      AND (a.position_brief, a.position_section, a.start, a.id) > (%s, %s, %s, %s)
    ORDER BY a.position_brief, a.position_section, a.start, a.id LIMIT 100
"""


def measure(size: int, runs: int) -> None:
    brief, user, _ = bench_api.create_data(size)
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE annotations_annotation")
        _, token = api_token_create(user=user, name="pages", scope="read")
        client = Client(headers={"Authorization": f"Bearer {token}"})
        pages = {}
        for ordering in ("position", "updated"):
            for limit in (100, 1):
                first = f"{LIST}?ordering={ordering}&limit={limit}"
                pages[f"{ordering}, {limit}: first page"] = first
                pages[f"{ordering}, {limit}: its next page"] = client.get(first).json()["next"]
        from annotations.models import Annotation

        first_page = client.get(f"{LIST}?limit=100").json()["items"]
        anchor = Annotation.objects.get(pk=first_page[-1]["id"])
        key = [user.pk, anchor.position_brief, anchor.position_section, anchor.start, anchor.pk]

        def floor() -> None:
            with connection.cursor() as cursor:
                cursor.execute(FLOOR_SQL, key)
                cursor.fetchall()

        print(f"\n{size:,} annotations: median of {runs}, ms")
        for name, url in pages.items():
            ms = timed(lambda url=url: client.get(url), runs)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            print(f"  {name:32s} {ms:7.1f}   {len(queries)} statements")
        print(f"  {'floor: raw SQL of 100 rows by key':32s} {timed(floor, runs):7.1f}")
    finally:
        bench_api.drop_data(brief, user)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=15)
    args = quick.parse(parser, sizes=[10_000], runs=5)
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    for size in args.sizes:
        measure(size, args.runs)


if __name__ == "__main__":
    main()
