"""Export benchmark: time and peak memory of every format at 10,000 and 100,000 excerpts.

    DATABASE_URL=postgres://... python bench/bench_export.py [--sizes 10000 100000] [--formats csv xlsx]

Creates a throwaway user, tags and one brief per size (bulk_create: 100 Korean sections, the
excerpts spread over them, 80% tagged), then exports each brief in each format through
annotations.export.services.excerpt_export(), the same call as the page, API and command.
Each measurement runs in a fresh child process: once for wall time and the peak growth of
the resident set (sampled from /proc every 5 ms), once under tracemalloc for the peak of
Python allocations (the fairer measure: it ignores what the allocator and libpq keep). The floor is PostgreSQL
`COPY (SELECT <same rows, tag codes aggregated>) TO STDOUT` read through psycopg's
cursor.copy(), measured the same way. Prints a table, then deletes everything it made
(also when interrupted); --keep leaves the data for a rerun with --reuse.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
import tracemalloc
import unicodedata
from pathlib import Path

import quick

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.postgres.aggregates import StringAgg  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import OuterRef, Subquery  # noqa: E402

from annotations.export.formats import FORMATS  # noqa: E402
from annotations.export.presenters import ExcerptOptions  # noqa: E402
from annotations.export.selectors import ExportFilters, excerpt_list  # noqa: E402
from annotations.export.services import excerpt_export  # noqa: E402
from annotations.models import Annotation, Tag  # noqa: E402
from briefs.models import Brief, Section  # noqa: E402

PREFIX = "bench-export-"
USERNAME = "bench-export-user"
SECTIONS = 100
TAGS = 12
BATCH = 5000
NOTES = [
    "",
    "",
    "",
    "미국의 요구: 빅딜.",
    "북한은 단계적 접근을 고수",
    '=HYPERLINK("x")',
    "Offer: Yongbyon for relief",
]
ALL = [*FORMATS, "copy"]


def sample_text() -> str:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples").glob("*.txt")))
    return unicodedata.normalize("NFC", " ".join(text.split()))


def build(size: int, user, tags: list[Tag], rng: random.Random) -> Brief:
    """Create one throwaway brief with `size` annotations on its sections."""
    text = sample_text()
    brief = Brief.objects.create(
        slug=f"{PREFIX}{size}",
        title=f"벤치마크 브리프 {size:,}",
        organisation="통일연구원",
        series_code=f"BENCH {size}",
        authors=["벤치마크팀"],
        language="ko",
        publication_year=2019,
    )
    sections = []
    for position in range(SECTIONS):
        start = rng.randrange(0, max(1, len(text) - 3000))
        body = text[start : start + 3000].strip()
        heading = f"쟁점 {position}" if position % 4 else ""
        sections.append(
            Section(brief=brief, position=position, heading=heading, text=body, anchor=f"s{position}")
        )
    sections = Section.objects.bulk_create(sections)
    through = Annotation.tags.through
    made = 0
    while made < size:
        batch = []
        for _ in range(min(BATCH, size - made)):
            section = rng.choice(sections)
            length = rng.randint(10, 80)
            start = rng.randrange(0, len(section.text) - length)
            end = start + length
            batch.append(
                Annotation(
                    section=section,
                    start=start,
                    end=end,
                    quote=section.text[start:end],
                    prefix=section.text[max(0, start - 32) : start],
                    suffix=section.text[end : end + 32],
                    actor=rng.choice(["us", "dprk", "rok", "unspecified"]),
                    note=rng.choice(NOTES),
                    author=user,
                    visibility=rng.choice(["private", "shared"]),
                )
            )
        batch = Annotation.objects.bulk_create(batch)
        links = []
        for annotation in batch:
            roll = rng.random()
            if roll < 0.2:
                continue  # untagged
            for tag in rng.sample(tags, 2 if roll > 0.7 else 1):
                links.append(through(annotation_id=annotation.pk, tag_id=tag.pk))
        through.objects.bulk_create(links)
        made += len(batch)
    return brief


def setup(sizes: list[int]) -> None:
    rng = random.Random(19)
    user, _ = get_user_model().objects.get_or_create(
        username=USERNAME, defaults={"first_name": "벤치", "last_name": "마크"}
    )
    tags = [
        Tag.objects.get_or_create(
            code=f"{PREFIX}tag-{i}", defaults={"label_ko": f"태그 {i}", "label_en": f"Tag {i}", "position": i}
        )[0]
        for i in range(TAGS)
    ]
    for size in sizes:
        if Brief.objects.filter(slug=f"{PREFIX}{size}").exists():
            continue
        started = time.perf_counter()
        with transaction.atomic():
            build(size, user, tags, rng)
        print(f"created {size:,} annotations in {time.perf_counter() - started:.1f}s", flush=True)
    with connection.cursor() as cursor:  # fresh statistics, or the planner guesses 1 row
        for model in (Brief, Section, Annotation, Annotation.tags.through, Tag):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def cleanup() -> None:
    annotations = Annotation.objects.filter(section__brief__slug__startswith=PREFIX)
    through = Annotation.tags.through
    with transaction.atomic():
        through.objects.filter(annotation__in=annotations.values("pk")).delete()
        # One DELETE: the ORM would first load 110,000 annotations to cascade the (gone) tags.
        sql, params = annotations.values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Annotation._meta.db_table} WHERE id IN ({sql})", params)
        Brief.objects.filter(slug__startswith=PREFIX).delete()
    # The tags go in a transaction of their own: the guard that keeps a used tag from being
    # deleted checks at commit, and sees the untagging and the tag's deletion as one.
    with transaction.atomic():
        Tag.objects.filter(code__startswith=PREFIX).delete()
        get_user_model().objects.filter(username=USERNAME).delete()


# Child process: one measurement ---------------------------------------------------------------


def copy_floor(size: int, user) -> int:
    """COPY the same rows (visible to the user, in export order, tag codes joined) to nowhere."""
    through = Annotation.tags.through
    codes = (
        through.objects.filter(annotation_id=OuterRef("pk"))
        .order_by()
        .values("annotation_id")
        .annotate(codes=StringAgg("tag__code", "; ", order_by="tag__code"))
        .values("codes")
    )
    rows = (
        excerpt_list(user=user, filters=ExportFilters(briefs=[f"{PREFIX}{size}"]))
        .annotate(tag_codes=Subquery(codes))
        .values_list(
            "id",
            "quote",
            "tag_codes",
            "actor",
            "note",
            "author__username",
            "created_at",
            "updated_at",
            "section__brief__title",
            "section__brief__organisation",
            "section__brief__series_code",
            "section__brief__authors",
            "section__heading",
            "section__position",
            "start",
            "end",
        )
    )
    sql, params = rows.query.sql_with_params()
    written, first = 0, None
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)"
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        for block in copy:
            first = first or time.perf_counter()
            written += len(block)
    return written, first


def run_once(format: str, size: int, user, context: bool) -> tuple[int, float | None]:
    """Export one brief; return the bytes written and when the first chunk came (perf_counter)."""
    if format == "copy":
        return copy_floor(size, user)
    export = excerpt_export(
        user=user,
        filters=ExportFilters(briefs=[f"{PREFIX}{size}"]),
        format=format,
        options=ExcerptOptions(language="ko", context=context, base_url="http://127.0.0.1:8000"),
        source_url="http://127.0.0.1:8000/export/download/",
    )
    written, first = 0, None
    for chunk in export.iter_bytes():
        first = first or time.perf_counter()
        written += len(chunk)
    return written, first


def current_rss() -> int:
    """Return this process's resident set size in bytes (Linux /proc)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class RssSampler(threading.Thread):
    """Sample the resident set every few milliseconds and keep the highest value.

    ru_maxrss is a high-water mark for the whole process (imports included), so a later,
    smaller peak does not show in it; sampling measures this export's own peak.
    """

    def __init__(self, interval: float = 0.005) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak = current_rss()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            self.peak = max(self.peak, current_rss())

    def stop(self) -> int:
        self.done.set()
        self.join()
        return max(self.peak, current_rss())


def child(format: str, size: int, traced: bool, context: bool) -> None:
    user = get_user_model().objects.get(username=USERNAME)
    # Warm up: imports, connection, templates, an export of one excerpt (with context, the
    # Kiwi model, which a server loads before its workers fork); none of it is the export's cost.
    warm_up = excerpt_export(
        user=user,
        filters=ExportFilters(briefs=[f"{PREFIX}{size}"], text="no excerpt holds this"),
        format=format if format != "copy" else "csv",
        options=ExcerptOptions(context=context),
        source_url="http://x/",
    )
    b"".join(warm_up.iter_bytes())
    if context:
        from annotations.export.context import word_starts

        word_starts("모델을 읽어 둔다")
    rss_before = current_rss()
    sampler = RssSampler()
    sampler.start()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    written, first = run_once(format, size, user, context)
    seconds = time.perf_counter() - started
    first_chunk = (first or time.perf_counter()) - started
    peak = tracemalloc.get_traced_memory()[1] if traced else None
    rss_peak = sampler.stop()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "first": first_chunk,
                "bytes": written,
                "peak": peak,
                "rss_delta": rss_peak - rss_before,
            }
        )
    )


def measure(format: str, size: int, traced: bool, context: bool) -> dict:
    args = [sys.executable, __file__, "--child", format, str(size)]
    args += (["--traced"] if traced else []) + (["--context"] if context else [])
    result = subprocess.run(args, capture_output=True, text=True, check=True, env=os.environ.copy())
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=ALL, choices=ALL)
    parser.add_argument("--keep", action="store_true", help="leave the throwaway data for --reuse")
    parser.add_argument("--reuse", action="store_true", help="measure on data kept by --keep")
    parser.add_argument("--child", nargs=2, metavar=("FORMAT", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--context", action="store_true", help="export with context (prefix [quote] suffix)")
    args = quick.parse(parser, sizes=[10_000])
    if args.child:
        child(args.child[0], int(args.child[1]), args.traced, args.context)
        return

    if not args.reuse:
        cleanup()
    try:
        setup(args.sizes)
        print(
            f"\n{'format':7s} {'rows':>8s} {'time s':>8s} {'1st s':>7s} {'rows/s':>8s} {'out MB':>8s} "
            f"{'py peak MiB':>12s} {'RSS +MiB':>9s}"
        )
        peaks: dict[str, list[float]] = {}
        for format in args.formats:
            for size in args.sizes:
                timed = measure(format, size, traced=False, context=args.context)
                traced = measure(format, size, traced=True, context=args.context)
                peak = traced["peak"] / 2**20
                peaks.setdefault(format, []).append(peak)
                print(
                    f"{format:7s} {size:>8,d} {timed['seconds']:8.2f} {timed['first']:7.2f} "
                    f"{size / timed['seconds']:8,.0f} "
                    f"{timed['bytes'] / 1e6:8.1f} {peak:12.1f} {timed['rss_delta'] / 2**20:9.1f}",
                    flush=True,
                )
        if len(args.sizes) > 1:
            print(f"\npeak ratio {args.sizes[-1]:,} / {args.sizes[0]:,} rows (flat ≈ 1.0):")
            for format, values in peaks.items():
                print(f"  {format:7s} {values[-1] / values[0]:.2f}")
    finally:
        if not args.keep:
            cleanup()
            print("\ncleaned up the throwaway data")


if __name__ == "__main__":
    main()
