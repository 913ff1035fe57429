"""Reader benchmark: render time of a brief with many annotations, against a raw-SQL floor.

    DATABASE_URL=postgres://... python bench/bench_reader.py [--annotations 1000] [--runs 30]

Creates a throwaway brief (the KINU sample's text cut into sections), two throwaway users
and, when the codebook is empty, throwaway tags; adds the annotations (shared and private,
tagged and plain, nested and crossing); renders the reader view with the test Client as one
of the users, and fetches the same rows with one raw SQL query through connection.cursor()
as the floor no page can beat. Prints median and p95 of both, the ratio and the number of
queries per page. Everything happens in one transaction that is rolled back at the end, so
nothing it created survives, also when interrupted.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import unicodedata
import uuid
from pathlib import Path

import quick

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from annotations.models import Actor, Annotation, Tag  # noqa: E402
from annotations.roles import Role  # noqa: E402
from annotations.services import role_group_sync  # noqa: E402
from briefs.models import Brief, Section  # noqa: E402

SAMPLE = ROOT / "samples" / "001_b5edd7b7062599dc.txt"
PREFIX = "bench-reader-"
FLOOR_SQL = """
    SELECT a.id, a.section_id, a.start, a."end", a.quote, a.note, a.actor, a.visibility,
           a.created_at, u.username,
           ARRAY(SELECT t.tag_id FROM annotations_annotation_tags t WHERE t.annotation_id = a.id)
    FROM annotations_annotation a
    JOIN briefs_section s ON s.id = a.section_id
    JOIN auth_user u ON u.id = a.author_id
    WHERE a.position_brief = %s AND a.deleted_at IS NULL AND (a.visibility = 'shared' OR a.author_id = %s)
    ORDER BY s.position, a.start, a."end" DESC, a.id
"""


def sample_paragraphs() -> list[str]:
    text = unicodedata.normalize("NFC", SAMPLE.read_text(encoding="utf-8"))
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    return [p for p in paragraphs if len(p) > 80]


def build(n_annotations: int, run_id: str) -> tuple[Brief, list, list[Tag]]:
    rng = random.Random(19)
    paragraphs = sample_paragraphs()
    brief = Brief.objects.create(slug=f"{PREFIX}{run_id}", title=f"Reader benchmark {run_id}")
    sections = [
        Section.objects.create(
            brief=brief,
            position=i,
            heading=f"§{i}",
            anchor=f"s{i}",
            text="\n\n".join(paragraphs[i * 4 : i * 4 + 4]) or paragraphs[0],
        )
        for i in range(6)
    ]
    user_model = get_user_model()
    group = role_group_sync(role=Role.ANNOTATOR)
    users = [user_model.objects.create(username=f"{PREFIX}{run_id}-{k}") for k in ("a", "b")]
    for user in users:
        user.groups.add(group)
    tags = list(Tag.objects.filter(active=True)[:15])
    if not tags:  # an empty codebook: make throwaway tags, deleted afterwards
        tags = [
            Tag.objects.create(code=f"{PREFIX}{run_id}-{k}", label_en=f"Tag {k}", label_ko=f"태그 {k}")
            for k in range(8)
        ]
    objs = []
    for i in range(n_annotations):
        section = sections[i % len(sections)]
        start = rng.randrange(0, len(section.text) - 40)
        end = start + rng.randrange(3, 40)
        objs.append(
            Annotation(
                section=section,
                author=users[i % 2],
                start=start,
                end=end,
                quote=section.text[start:end],
                prefix=section.text[max(0, start - 32) : start],
                suffix=section.text[end : end + 32],
                actor=rng.choice(Actor.values),
                visibility="shared" if i % 3 else "private",
                note="메모" if i % 7 == 0 else "",
            )
        )
    created = Annotation.objects.bulk_create(objs)
    through = Annotation.tags.through
    through.objects.bulk_create(
        through(annotation_id=a.pk, tag_id=rng.choice(tags).pk) for i, a in enumerate(created) if i % 4
    )
    return brief, users, tags


def timed(fn, runs: int) -> list[float]:
    fn()  # warm up (template compilation, connection)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    args = quick.parse(parser, runs=10)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    run_id = uuid.uuid4().hex[:8]
    # Everything happens in one transaction that is rolled back at the end (or on Ctrl-C):
    # the test Client runs the view on this same connection, so it sees the rows.
    with transaction.atomic():
        brief, users, _ = build(args.annotations, run_id)
        client = Client()
        client.force_login(users[0])
        url = reverse("briefs:reader", args=[brief.slug])

        def render() -> None:
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        def floor() -> None:
            with connection.cursor() as cursor:
                cursor.execute(FLOOR_SQL, [brief.pk, users[0].pk])
                cursor.fetchall()

        reset_queries()  # the log is a bounded deque: start empty so the count is right
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [brief.pk, users[0].pk])
            rows = len(cursor.fetchall())
        page_ms, floor_ms = timed(render, args.runs), timed(floor, args.runs)
        client.logout()
        visible = f"{rows} visible to the reader"
        print(f"reader benchmark: {args.annotations} annotations, {visible}, {args.runs} runs")
        print(f"  page:  {len(queries)} queries, {len(response.content) / 1024:.0f} KiB of HTML")
        for label, values in (
            ("render (test Client, whole view)", page_ms),
            ("floor (raw SQL, same rows)", floor_ms),
        ):
            print(f"  {label:34} median {statistics.median(values):7.1f} ms   p95 {p95(values):7.1f} ms")
        ratio = statistics.median(page_ms) / statistics.median(floor_ms)
        print(f"  {'render / floor (medians)':34} {ratio:7.1f}x")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
