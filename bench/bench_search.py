"""Search benchmark: quality on the samples, then index build time and query latency at scale.

    DATABASE_URL=postgres://... python bench/bench_search.py [--sections 10000] [--annotations 2000]

Imports the two samples (if missing), prints recall@10 and MRR for our search and for the
whitespace baseline, then builds a throwaway set of synthetic briefs (sentences of the
samples recombined) with the requested number of sections, and synthetic annotations on
them by a throwaway user, indexes both, times a fixed list of queries on each, and deletes
the synthetic annotations, user and briefs again (also when interrupted).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

import quick

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from annotations.models import Annotation, Tag  # noqa: E402
from annotations.services import codebook_load_starter  # noqa: E402
from briefs.models import Brief, Section  # noqa: E402
from briefs.services import brief_import  # noqa: E402
from search.presenters import annotation_hits, section_hits  # noqa: E402
from search.query import search_query_parse  # noqa: E402
from search.selectors import annotation_search, section_search  # noqa: E402
from search.services import annotation_index_refresh, section_index_refresh  # noqa: E402
from tests.search.quality_set import CASES, baseline, evaluate, ours  # noqa: E402

SAMPLES = ROOT / "samples"
SLUG_PREFIX = "bench-search-"
BENCH_USER = "bench-search-annotator"
INDEX_BATCH = 500
SECTIONS_PER_BRIEF = 50
SENTENCES_PER_SECTION = (4, 9)
QUERIES = [
    "제재",
    "제재 완화",
    "종전선언",
    "연락사무소를",
    "영변 핵시설",
    "단계적 접근",
    "북미정상회담",
    "특사 파견",
    "end-of-war declaration",
    "sanctions relief",
    "Yongbyon",
    '"하노이 선언"',
    "연락사",  # trigram fallback
    "플루토늄 원자로",
    "협상 재개 가능성",
]


def ensure_samples() -> None:
    manifest = json.loads((SAMPLES / "demo.json").read_text(encoding="utf-8"))
    for doc in manifest["documents"]:
        path = SAMPLES / doc["path"]
        brief_import(data=path.read_bytes(), filename=path.name, metadata=doc["metadata"])  # indexes too


def sample_sentences() -> list[str]:
    text = " ".join(s.text for s in Section.objects.exclude(brief__slug__startswith=SLUG_PREFIX))
    sentences = [s.strip() for s in re.split(r"(?<=[.?!])\s+", " ".join(text.split()))]
    return [s for s in sentences if len(s) > 20]


def build_corpus(total: int, seed: int = 19) -> list[Section]:
    rng = random.Random(seed)
    sentences = sample_sentences()
    sections: list[Section] = []
    for b in range((total + SECTIONS_PER_BRIEF - 1) // SECTIONS_PER_BRIEF):
        brief = Brief.objects.create(
            slug=f"{SLUG_PREFIX}{b:04d}",
            title=f"합성 브리프 {b}",
            language="ko",
            publication_year=2015 + b % 10,
        )
        count = min(SECTIONS_PER_BRIEF, total - len(sections))
        batch = []
        for position in range(count):
            paragraphs = [
                " ".join(rng.sample(sentences, rng.randint(*SENTENCES_PER_SECTION))) for _ in range(2)
            ]
            batch.append(
                Section(
                    brief=brief,
                    position=position,
                    heading=rng.choice(sentences)[:60] if position % 3 else "",
                    text="\n\n".join(paragraphs),
                    anchor=f"s-{position}",
                )
            )
        sections.extend(Section.objects.bulk_create(batch))
    return sections


def build_annotations(sections: list[Section], total: int, seed: int = 19) -> list[Annotation]:
    """Write `total` annotations on random sections: a sentence each, half tagged, half shared."""
    rng = random.Random(seed)
    codebook_load_starter()
    tags = list(Tag.objects.all())
    user = get_user_model().objects.create(username=BENCH_USER)
    annotations = []
    for section in rng.sample(sections, min(total, len(sections))):
        sentence = rng.choice([s for s in re.split(r"(?<=[.?!])\s+", section.text) if len(s) > 20])
        start = section.text.index(sentence)
        annotations.append(
            Annotation(
                section=section,
                start=start,
                end=start + len(sentence),
                quote=sentence,
                author=user,
                visibility="shared" if rng.random() < 0.5 else "private",
                note=rng.choice(sections).text[: rng.randint(0, 200)].strip(),
            )
        )
    annotations = Annotation.objects.bulk_create(annotations)
    through = Annotation.tags.through
    through.objects.bulk_create(
        [through(annotation=a, tag=tag) for a in annotations[::2] for tag in rng.sample(tags, 2)]
    )
    return annotations


def delete_synthetic() -> None:
    """Delete the synthetic annotations, user and briefs (annotations protect their sections)."""
    Annotation.objects.filter(author__username=BENCH_USER).delete()
    get_user_model().objects.filter(username=BENCH_USER).delete()
    Brief.objects.filter(slug__startswith=SLUG_PREFIX).delete()


def timed_index(label: str, items: list, refresh) -> None:
    started = time.perf_counter()
    for i in range(0, len(items), INDEX_BATCH):
        with transaction.atomic():
            refresh(items[i : i + INDEX_BATCH])
    build = time.perf_counter() - started
    print(f"{label} index build: {build:.1f}s ({len(items) / build:.0f}/s)")


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sections", type=int, default=10_000)
    parser.add_argument("--annotations", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="leave the synthetic data for a rerun")
    parser.add_argument("--reuse", action="store_true", help="time the queries on kept synthetic data")
    args = quick.parse(parser, sections=500, annotations=200, rounds=2)

    ensure_samples()
    if not args.reuse:
        # First, or a kept synthetic set would crowd the samples out of the top 10.
        delete_synthetic()
        for name, search in (("kiwi+fts", ours), ("baseline (simple, whitespace)", baseline)):
            quality = evaluate(search)
            print(
                f"{name:32s} recall@10 {quality.recall_at_k:.3f}  MRR {quality.mrr:.3f}  "
                f"({len(CASES)} queries)"
            )
    try:
        if args.reuse:
            time_queries(args.rounds)
            return
        started = time.perf_counter()
        sections = build_corpus(args.sections)
        annotations = build_annotations(sections, args.annotations)
        print(
            f"corpus: {len(sections)} synthetic sections, "
            f"{sum(len(s.text) for s in sections) / len(sections):.0f} chars on average, "
            f"{len(annotations)} annotations ({time.perf_counter() - started:.1f}s to write)"
        )
        timed_index("section", sections, lambda batch: section_index_refresh(sections=batch))
        timed_index("annotation", annotations, lambda batch: annotation_index_refresh(annotations=batch))
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE briefs_section; ANALYZE search_sectiondocument; "
                "ANALYZE annotations_annotation; ANALYZE search_annotationdocument"
            )
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('search_sectiondocument'))")
            print(f"section index table size: {cursor.fetchone()[0]}")

        time_queries(args.rounds)
    finally:
        if not (args.keep or args.reuse):
            delete_synthetic()


def time_queries(rounds: int) -> None:
    search_query_parse("워밍업")  # load Kiwi and the glossary before timing
    user = get_user_model().objects.get(username=BENCH_USER)

    def sections_page(parsed) -> tuple[int, str]:
        qs = section_search(query=parsed)
        hits = section_hits(sections=qs[:20], query=parsed)
        return qs.count(), hits[0].mode if hits else "-"

    def annotations_page(parsed) -> tuple[int, str]:
        qs = annotation_search(query=parsed, user=user)
        hits = annotation_hits(annotations=qs[:20], query=parsed)
        return qs.count(), hits[0].mode if hits else "-"

    for label, page in (("sections", sections_page), ("annotations", annotations_page)):
        timings: list[float] = []
        by_query: dict[str, list[float]] = {q: [] for q in QUERIES}
        results: dict[str, tuple[int, str]] = {}
        for _ in range(rounds):
            for query in QUERIES:
                started = time.perf_counter()
                results[query] = page(search_query_parse(query))
                elapsed = (time.perf_counter() - started) * 1000
                timings.append(elapsed)
                by_query[query].append(elapsed)
        print(
            f"{label}: query latency over {len(QUERIES)} queries x {rounds} rounds "
            f"(parse + count + first page of 20 with snippets): "
            f"p50 {percentile(timings, 50):.0f} ms, p95 {percentile(timings, 95):.0f} ms"
        )
        for query in QUERIES:
            count, mode = results[query]
            print(
                f"  {query!r:28s} {count:6d} {label:11s}  median "
                f"{statistics.median(by_query[query]):6.0f} ms  ({mode})"
            )


if __name__ == "__main__":
    main()
