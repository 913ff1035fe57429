"""Benchmark POST /api/v1/annotations/bulk: spans per second into the database, beside a COPY floor.

    DATABASE_URL=postgres://... python bench/bench_bulk.py [--spans 10000] [--rounds 3]
        [--formats json jsonl w3c]

Creates a throwaway user (annotator role, a write token), a brief of 39 sections of the
KINU sample text and the starter codebook if missing, then sends one batch of N spans
(80% tagged, a third with a note) through Django's test Client (the whole stack: token,
body limit, readers, checks, INSERTs, tag links, search index) in each format: ours as a
JSON array, ours as JSON Lines, W3C JSON-LD (what the export writes). After each round
the annotations it made are deleted. The floor, in the same run, is a psycopg COPY of the
same rows (section, offsets, quote, context, note, author) into a temporary table. Prints
the median of the rounds; cleans up everything it made.
"""

from __future__ import annotations

import argparse
import json
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
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.services import api_token_create  # noqa: E402
from annotations.models import Annotation, Tag  # noqa: E402
from annotations.roles import Role  # noqa: E402
from annotations.services import codebook_load_starter, role_group_sync  # noqa: E402
from annotations.w3c import annotation_jsonld  # noqa: E402
from briefs.models import Brief, Section  # noqa: E402

PREFIX = "bench-bulk-"
SECTIONS = 39
SAMPLE = ROOT / "samples" / "001_b5edd7b7062599dc.txt"  # the KINU brief, as extracted


def section_texts() -> list[str]:
    """Return SECTIONS texts of 600-1,500 characters cut from the KINU sample (or a fixed text)."""
    text = SAMPLE.read_text(encoding="utf-8") if SAMPLE.exists() else ""
    paragraphs = [p.strip() for p in text.split("\n") if len(p.strip()) > 80] or [
        "이번 회담에서 북한의 비핵화와 관련한 미국의 요구는 매우 포괄적이었다. " * 12
    ]
    texts = []
    for i in range(SECTIONS):
        body = " ".join(paragraphs[(i + k) % len(paragraphs)] for k in range(3))
        texts.append(unicodedata.normalize("NFC", body[:1500]))
    return texts


def setup() -> tuple[object, str, list[Section], list[Tag]]:
    with transaction.atomic():
        if not Tag.objects.exists():
            codebook_load_starter()
        tags = list(Tag.objects.filter(active=True).order_by("pk")[:12])
        user = get_user_model().objects.create_user(username=f"{PREFIX}{uuid.uuid4().hex[:8]}")
        user.groups.add(role_group_sync(role=Role.ANNOTATOR))
        brief = Brief.objects.create(slug=f"{PREFIX}{uuid.uuid4().hex[:8]}", title="Bulk bench")
        sections = Section.objects.bulk_create(
            Section(brief=brief, position=i, anchor=f"s{i}", heading=f"§{i}", text=text)
            for i, text in enumerate(section_texts())
        )
    _, token = api_token_create(user=user, name="bench", scope="write")
    return user, token, sections, tags


def spans(n: int, sections: list[Section], tags: list[Tag]) -> list[dict]:
    rng = random.Random(14)
    items = []
    for i in range(n):
        section = sections[i % len(sections)]
        start = rng.randrange(0, len(section.text) - 90)
        end = start + rng.randrange(10, 80)
        chosen = rng.sample(tags, rng.choice((1, 1, 2))) if rng.random() < 0.8 else []
        items.append(
            {
                "section": section.pk,
                "start": start,
                "end": end,
                "quote": section.text[start:end],
                "tags": [t.code for t in chosen],
                "actor": rng.choice(("us", "dprk", "rok", "unspecified")),
                "note": "협상 국면의 핵심 주장." if i % 3 == 0 else "",
            }
        )
    return items


def w3c_body(items: list[dict], sections: list[Section], tags: list[Tag], user) -> bytes:
    """Return the items as the W3C export writes them (unsaved annotations, presented)."""
    by_id = {s.pk: s for s in sections}
    by_code = {t.code: t for t in tags}
    docs = []
    for item in items:
        annotation = Annotation(
            pk=1,
            section=by_id[item["section"]],
            start=item["start"],
            end=item["end"],
            quote=item["quote"],
            actor=item["actor"],
            note=item["note"],
            author=user,
        )
        annotation.created_at = annotation.updated_at = timezone.now()
        annotation.tag_list = [by_code[c] for c in item["tags"]]
        doc = annotation_jsonld(annotation, base_url="http://testserver", with_context=False)
        doc.pop("id")
        docs.append(doc)
    return json.dumps(docs, ensure_ascii=False).encode()


def floor(items: list[dict], sections: list[Section], user) -> float:
    """COPY the same rows into a temporary table; return the seconds it took."""
    by_id = {s.pk: s for s in sections}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            'CREATE TEMPORARY TABLE bulk_floor (section_id bigint, start int, "end" int, quote text,'
            " prefix text, suffix text, note text, actor text, author_id int) ON COMMIT DROP"
        )
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bulk_floor FROM STDIN") as copy:
            for item in items:
                text = by_id[item["section"]].text
                s, e = item["start"], item["end"]
                copy.write_row(
                    (
                        item["section"],
                        s,
                        e,
                        item["quote"],
                        text[max(0, s - 32) : s],
                        text[e : e + 32],
                        item["note"],
                        item["actor"],
                        user.pk,
                    )
                )
        return time.perf_counter() - started


def one_round(client: Client, body: bytes, content_type: str, user) -> float:
    started = time.perf_counter()
    response = client.post("/api/v1/annotations/bulk", body, content_type=content_type)
    seconds = time.perf_counter() - started
    if response.status_code != 201:
        raise SystemExit(f"bulk answered {response.status_code}: {response.content[:500]!r}")
    with transaction.atomic():
        Annotation.tags.through.objects.filter(annotation__author=user).delete()
        Annotation.objects.filter(author=user).delete()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--formats", nargs="+", default=["json", "jsonl", "w3c"], choices=["json", "jsonl", "w3c"]
    )
    args = quick.parse(parser, spans=2000, rounds=1)
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    settings.MARGINALIA_BULK_MAX_ITEMS = max(settings.MARGINALIA_BULK_MAX_ITEMS, args.spans)
    from search.analysis import kiwi

    kiwi().tokenize("모델을 읽어 둔다")  # a server loads it before its workers fork
    user, token, sections, tags = setup()
    try:
        items = spans(args.spans, sections, tags)
        bodies = {
            "json": (json.dumps(items, ensure_ascii=False).encode(), "application/json"),
            "jsonl": (
                "\n".join(json.dumps(i, ensure_ascii=False) for i in items).encode(),
                "application/x-ndjson",
            ),
            "w3c": (w3c_body(items, sections, tags, user), "application/ld+json"),
        }
        client = Client(headers={"Authorization": f"Bearer {token}"})
        # Warm-up: imports, connection, the codebook; not part of any batch's cost.
        one_round(client, json.dumps(items[:10]).encode(), "application/json", user)
        floors = [floor(items, sections, user) for _ in range(args.rounds)]
        print(f"\n{args.spans:,} spans on {SECTIONS} sections, median of {args.rounds}")
        print(f"{'what':28s} {'MB':>6s} {'seconds':>8s} {'spans/s':>9s} {'x floor':>8s}")
        floor_s = statistics.median(floors)
        print(
            f"{'floor: COPY of the rows':28s} {'':>6s} {floor_s:8.3f} {args.spans / floor_s:9,.0f} {1:8.1f}"
        )
        for name in args.formats:
            body, content_type = bodies[name]
            times = [one_round(client, body, content_type, user) for _ in range(args.rounds)]
            median = statistics.median(times)
            print(
                f"{'POST bulk, ' + name:28s} {len(body) / 1e6:6.1f} {median:8.3f} "
                f"{args.spans / median:9,.0f} {median / floor_s:8.1f}",
                flush=True,
            )
    finally:
        with transaction.atomic():
            Annotation.tags.through.objects.filter(annotation__author=user).delete()
            Annotation.objects.filter(author=user).delete()
            Section.objects.filter(brief__slug__startswith=PREFIX).delete()
            Brief.objects.filter(slug__startswith=PREFIX).delete()
            user.api_tokens.all().delete()
            user.delete()


if __name__ == "__main__":
    main()
