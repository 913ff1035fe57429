"""Benchmark one annotation write through the API: create, edit, delete, and their statements.

    DATABASE_URL=postgres://... python bench/bench_writes.py [--annotations 10000] [--runs 50]

bench_api.create_data() makes a throwaway brief of N annotations of a throwaway annotator (so
the table and its indexes are not empty), then, with a write token through Django's test Client
(middleware, token, ninja, the service, the search index, the JSON answer; no network), times
`runs` of each request in turn, alone and one after the other as a client sends them:

- `POST /api/v1/annotations` with two tags and a short note (shared), and without tags;
- `PATCH` of one annotation's note with its `If-Match`, and of its tags;
- `DELETE` with its `If-Match`.

Each line gives the median and p95 in ms and the SQL statements of one request as Django's
query log lists them, the transaction's BEGIN and COMMIT included. The floor, in the same run, is
the raw SQL of the same create: one `INSERT … RETURNING id` of the row and one of its two tag
links through `connection.cursor()`, in a transaction. Deletes everything it made at the end.
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
from bench_reader import p95  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.services import api_token_create  # noqa: E402
from annotations.models import Tag  # noqa: E402

NOTE = "영변 폐기와 제재 완화의 교환"
FLOOR_SQL = """
    INSERT INTO annotations_annotation
        (section_id, former_brief_slug, former_section_id, start, "end", quote, prefix, suffix, actor,
         note, author_id, visibility, ever_shared, unshared_seq, canonical, via, created_at, updated_at)
    VALUES (%s, '', NULL, %s, %s, %s, '', '', 'us', %s, %s, 'shared', true, NULL, '', '', now(), now())
    RETURNING id
"""


def measure(size: int, runs: int, show: bool = False) -> None:
    brief, user, _ = bench_api.create_data(size)
    try:
        _, token = api_token_create(user=user, name="writes", scope="write")
        client = Client(headers={"Authorization": f"Bearer {token}"})
        section = brief.sections.order_by("position").first()
        tags = [t.code for t in Tag.objects.filter(active=True).order_by("pk")[:3]]
        quote_at = [(i * 11) % (len(section.text) - 40) for i in range(runs)]

        def body(i: int, tagged: bool) -> dict:
            start = quote_at[i]
            end = start + 14
            return {
                "section": section.pk,
                "start": start,
                "end": end,
                "quote": section.text[start:end],
                "tags": tags[:2] if tagged else [],
                "note": NOTE,
                "actor": "us",
                "visibility": "shared",
            }

        results: dict[str, tuple[list[float], int]] = {}

        def run(name: str, send) -> list:
            times, answers = [], []
            for i in range(runs):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    answer = send(i)
                    times.append((time.perf_counter() - started) * 1000)
                assert answer.status_code in (200, 201, 204), (name, answer.status_code, answer.content[:300])
                answers.append(answer)
            results[name] = (times, len(queries))
            if show:
                print(f"\n{name}:", *(f"  {q['sql'][:160]}" for q in queries.captured_queries), sep="\n")
            return answers

        post = "/api/v1/annotations"
        created = run(
            "POST, two tags and a note", lambda i: client.post(post, body(i, True), "application/json")
        )
        run("POST, no tags", lambda i: client.post(post, body(i, False), "application/json"))
        etags = {a.json()["id"]: a["ETag"] for a in created}
        ids = list(etags)

        def patch(i: int, change: dict):
            pk = ids[i]
            answer = client.patch(f"{post}/{pk}", change, "application/json", headers={"If-Match": etags[pk]})
            etags[pk] = answer["ETag"]
            return answer

        run("PATCH the note (If-Match)", lambda i: patch(i, {"note": f"{NOTE} {i}"}))
        run("PATCH the tags (If-Match)", lambda i: patch(i, {"tags": tags[1:3]}))
        run(
            "DELETE (If-Match)",
            lambda i: client.delete(f"{post}/{ids[i]}", headers={"If-Match": etags[ids[i]]}),
        )

        tag_ids = list(Tag.objects.filter(code__in=tags[:2]).values_list("pk", flat=True))
        floor_times = []
        for i in range(runs):
            started = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                start = quote_at[i]
                cursor.execute(
                    FLOOR_SQL,
                    [section.pk, start, start + 14, section.text[start : start + 14], NOTE, user.pk],
                )
                (pk,) = cursor.fetchone()
                cursor.execute(
                    "INSERT INTO annotations_annotation_tags (annotation_id, tag_id)"
                    " SELECT %s, unnest(%s::bigint[])",
                    [pk, tag_ids],
                )
            floor_times.append((time.perf_counter() - started) * 1000)
        results["floor: raw INSERT of the row and its tags"] = (floor_times, 2)

        print(f"\n{size:,} annotations in the table; {runs} requests each, ms")
        print(f"  {'request':44s} {'p50':>7s} {'p95':>7s}  statements")
        for name, (times, statements) in results.items():
            print(f"  {name:44s} {statistics.median(times):7.1f} {p95(times):7.1f}  {statements}")
    finally:
        bench_api.drop_data(brief, user)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--statements", action="store_true", help="print the SQL of each kind's last request")
    args = quick.parse(parser, annotations=1_000, runs=15)
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    measure(args.annotations, args.runs, args.statements)


if __name__ == "__main__":
    main()
