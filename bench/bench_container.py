"""Benchmark the W3C Protocol container's pages at two table sizes: is a page's cost flat?

    DATABASE_URL=postgres://... python bench/bench_container.py [--sizes 10000 100000] [--runs 9]

For each size, bench_api.create_data() makes a throwaway brief with that many annotations of
a throwaway user (ANALYZE and VACUUM after), then times, through Django's test Client with
a read token: the container (its embedded first page), a bare ?page=N in the middle, the
same page reached by the previous page's next link (after= key), and the last page. The
floor, in the same run, is the raw SQL of that middle page's 100 rows by key
(connection.cursor()). Prints medians in ms and the statements per request; deletes the
data again.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import quick

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_api  # noqa: E402  (sets up Django)
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.services import api_token_create  # noqa: E402

CONTAINER = "/api/v1/w3c/annotations/"
FLOOR_SQL = """
    SELECT a.id, a.section_id, a.start, a."end", a.quote, a.prefix, a.suffix, a.note, a.created_at
    FROM annotations_annotation a
    WHERE a.deleted_at IS NULL AND (a.visibility = 'shared' OR a.author_id = %s)
      AND (a.created_at, a.id) > (%s, %s)
    ORDER BY a.created_at, a.id LIMIT 100
"""


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(size: int, runs: int) -> None:
    brief, user, _ = bench_api.create_data(size)
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE annotations_annotation")
        _, token = api_token_create(user=user, name="container", scope="read")
        client = Client(headers={"Authorization": f"Bearer {token}", "Accept": "application/ld+json"})
        middle = size // 200  # the page halfway through
        before = client.get(f"{CONTAINER}?page={middle - 1}").json()
        keyed = before["next"].replace("http://testserver", "")
        last = client.get(CONTAINER).json()["last"].replace("http://testserver", "")
        pages = {
            "container (first page)": CONTAINER,
            f"?page={middle} (bare)": f"{CONTAINER}?page={middle}",
            f"?page={middle} by next link": keyed,
            "last page": last,
        }
        last_item = before["items"][-1]
        from annotations.models import Annotation

        anchor = Annotation.objects.get(pk=int(last_item["id"].rsplit("/", 1)[1]))

        def floor() -> None:
            with connection.cursor() as cursor:
                cursor.execute(FLOOR_SQL, [user.pk, anchor.created_at, anchor.pk])
                cursor.fetchall()

        print(f"\n{size:,} annotations: median of {runs}, ms")
        for name, url in pages.items():
            ms = timed(lambda url=url: client.get(url), runs)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            print(f"  {name:28s} {ms:7.1f}   {len(queries)} statements")
        print(f"  {'floor: raw SQL of 100 rows':28s} {timed(floor, runs):7.1f}")
    finally:
        bench_api.drop_data(brief, user)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=9)
    args = quick.parse(parser, sizes=[10_000], runs=3)
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    for size in args.sizes:
        measure(size, args.runs)


if __name__ == "__main__":
    main()
