"""Benchmark the annotation list endpoints: native JSON, the sync feed and W3C JSON-LD.

Creates throwaway data (one brief, N annotations of a throwaway user, with tags), pages
through the API with Django's test Client and a bearer token, and compares the rate with
a raw-SQL floor: the same rows and tag codes fetched with connection.cursor(). Cleans up.

    DJANGO_SETTINGS_MODULE=config.settings python bench/bench_api.py [--annotations 5000]
        [--listings json json100 feed w3c]

Past a few tens of thousands, `--listings feed` keeps the run to minutes: the other
listings page through everything 100 or 500 at a time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

import quick

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.services import api_token_create  # noqa: E402
from annotations.models import Annotation, Tag  # noqa: E402
from annotations.roles import Role  # noqa: E402
from annotations.services import codebook_load_starter, role_group_sync  # noqa: E402
from briefs.models import Brief, Section  # noqa: E402

TEXT = (
    "이번 회담에서 북한의 비핵화와 관련한 미국의 요구는 매우 포괄적이었다. "
    "반면 북한은 김정은 위원장이 양국 공동 작업으로 영변의 모든 핵시설을 영구적으로 폐기할 것이고 "
    "핵실험과 장거리 미사일 실험의 영구 중단을 문서로 확약할 것이라는 의사를 표명했다. "
) * 4
SECTIONS = 20
RUNS = 3
IDLE_POLLS = 20

RAW_SQL = """
    SELECT a.id, b.slug, a.section_id, a.start, a."end", a.quote, a.prefix, a.suffix, a.actor, a.note,
           u.username, a.visibility, a.created_at, a.updated_at,
           COALESCE((SELECT array_agg(t.code ORDER BY t.position)
                     FROM annotations_annotation_tags at JOIN annotations_tag t ON t.id = at.tag_id
                     WHERE at.annotation_id = a.id), '{}')
    FROM annotations_annotation a
    JOIN briefs_section s ON s.id = a.section_id
    JOIN briefs_brief b ON b.id = s.brief_id
    JOIN auth_user u ON u.id = a.author_id
    WHERE b.id = %s AND a.deleted_at IS NULL
    ORDER BY s.position, a.start, a.id
"""


def create_data(n: int) -> tuple[Brief, object, str]:
    tag = uuid.uuid4().hex[:8]
    with transaction.atomic():
        if not Tag.objects.exists():
            codebook_load_starter()
        tags = list(Tag.objects.filter(active=True)[:3])
        user = get_user_model().objects.create_user(username=f"bench-api-{tag}", password=uuid.uuid4().hex)
        user.groups.add(role_group_sync(role=Role.ANNOTATOR))
        brief = Brief.objects.create(slug=f"bench-api-{tag}", title=f"Bench {tag}", publication_year=2019)
        sections = Section.objects.bulk_create(
            Section(brief=brief, position=i, anchor=f"s{i}", heading=f"§{i}", text=TEXT)
            for i in range(SECTIONS)
        )
        rows = []
        for i in range(n):
            start = (i * 7) % (len(TEXT) - 40)
            end = start + 12 + i % 20
            rows.append(
                Annotation(
                    section=sections[i % SECTIONS],
                    start=start,
                    end=end,
                    quote=TEXT[start:end],
                    prefix=TEXT[max(0, start - 32) : start],
                    suffix=TEXT[end : end + 32],
                    actor=("us", "dprk", "unspecified")[i % 3],
                    note="" if i % 4 else f"note {i}",
                    author=user,
                    visibility="private",
                )
            )
        made = Annotation.objects.bulk_create(rows, batch_size=1000)
        through = Annotation.tags.through
        through.objects.bulk_create(
            [through(annotation_id=a.pk, tag_id=t.pk) for i, a in enumerate(made) for t in tags[: i % 3]],
            batch_size=5000,
        )
    _, raw = api_token_create(user=user, name="bench", scope="read")
    with connection.cursor() as cursor:  # plan on real statistics, not autovacuum's timing
        cursor.execute("ANALYZE annotations_annotation, annotations_annotation_tags")
    return brief, user, raw


def drop_data(brief: Brief, user) -> None:
    with transaction.atomic():
        Annotation.objects.filter(section__brief=brief).delete()
        Section.objects.filter(brief=brief).delete()
        brief.delete()
        user.api_tokens.all().delete()
        user.delete()


def page_through(client: Client, url: str, last: list[str] | None = None) -> tuple[int, float, list[int]]:
    """Follow `next` until has_more is false (or next is null); return (items, seconds, queries per page).

    `last`, if given, receives the final `next` (the feed's resume point).
    """
    items, queries = 0, []
    started = time.perf_counter()
    while url:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, response.content[:500]
        body = response.json()
        queries.append(len(ctx.captured_queries))
        items += len(body["items"])
        if body.get("type") == "AnnotationPage":
            url = body.get("next")
        else:  # native JSON: the feed's `next` is always set, has_more says whether to follow it
            if last is not None and body["next"]:
                last[:] = [body["next"]]
            url = body["next"] if body["has_more"] else None
    return items, time.perf_counter() - started, queries


def idle_polls(client: Client, url: str) -> tuple[int, float, list[int]]:
    """Poll a drained feed at its head (nothing new): the consumer's steady state."""
    seconds, queries = [], []
    for _ in range(IDLE_POLLS):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            seconds.append(time.perf_counter() - started)
        assert response.status_code == 200 and response.json()["items"] == [], response.content[:500]
        queries.append(len(ctx.captured_queries))
    return 0, sorted(seconds)[len(seconds) // 2], queries


def best_of(fn, runs: int = RUNS) -> tuple[int, float, list[int]]:
    results = [fn() for _ in range(runs)]
    return min(results, key=lambda r: r[1])


def raw_floor(brief: Brief) -> tuple[int, float]:
    def once() -> tuple[int, float, list[int]]:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, [brief.pk])
            rows = cursor.fetchall()
        return len(rows), time.perf_counter() - started, [1]

    count, seconds, _ = best_of(once)
    return count, seconds


LISTINGS = {
    "json": ("JSON list, ordering=position, limit=500", "/api/v1/annotations?brief={slug}&limit=500"),
    "json100": ("JSON list, limit=100", "/api/v1/annotations?brief={slug}&limit=100"),
    "feed": (
        "JSON sync feed, ordering=updated&include_deleted, limit=500",
        "/api/v1/annotations?brief={slug}&ordering=updated&include_deleted=true&limit=500",
    ),
    "w3c": ("W3C JSON-LD container pages (100 per page)", "/api/v1/w3c/annotations/?page=0"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=5000)
    parser.add_argument(
        "--listings", nargs="+", choices=list(LISTINGS), default=list(LISTINGS), help="default: all"
    )
    args = quick.parse(parser, annotations=1000)
    settings.MARGINALIA_API_RATE_LIMIT = "1000000/60"  # one busy client, on purpose
    settings.DEBUG = False
    print(f"creating {args.annotations} annotations...", flush=True)
    brief, user, raw = create_data(args.annotations)
    client = Client(SERVER_NAME="localhost", headers={"Authorization": f"Bearer {raw}"})
    try:
        results = {}
        results["raw SQL floor (cursor.fetchall)"] = (*raw_floor(brief), [1])
        for name in args.listings:
            label, url = LISTINGS[name]
            url = url.format(slug=brief.slug)
            head: list[str] = []
            results[label] = best_of(lambda url=url, head=head: page_through(client, url, head))
            if name == "feed":
                results[f"feed: idle poll at its head (median of {IDLE_POLLS})"] = idle_polls(client, head[0])
        print(f"\n{args.annotations} annotations, best of {RUNS} runs, PostgreSQL {connection.pg_version}")
        print(f"{'what':62} {'items':>6} {'seconds':>8} {'s/page':>7} {'items/s':>9} {'queries/page':>13}")
        for label, (items, seconds, queries) in results.items():
            per_page = f"{min(queries)}-{max(queries)}" if min(queries) != max(queries) else str(queries[0])
            page_seconds = seconds if label.startswith("feed: idle") else seconds / len(queries)
            rate = f"{items / seconds:9.0f}" if items else f"{'-':>9}"
            print(f"{label:62} {items:6d} {seconds:8.3f} {page_seconds:7.3f} {rate} {per_page:>13}")
    finally:
        drop_data(brief, user)
        print("\nthrowaway data removed")


if __name__ == "__main__":
    main()
