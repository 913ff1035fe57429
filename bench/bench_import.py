"""Benchmark the importer: per-format read time, the save, and a 20 MiB plain-text file.

For every document of the development corpus (`../shared/import-corpus/`, or the samples when
it is absent) it times, after one warm-up that loads the Kiwi model:
  - read: `parse_document` (reader + classifier + sectioner: the importer's own time);
  - import: `brief_import` (read + validation + saving + the search index), inside a transaction
    that is rolled back, so nothing stays;
  - floor: `COPY` of the same sections' text into a temporary table, in the same run.
Then a generated plain-text file of `--mib` MiB (the KINU sample's paragraphs, repeated with
numbered headings) is read the same way.

    python bench/bench_import.py [--rounds 3] [--mib 20] [--only 01,09]
"""

from __future__ import annotations

import argparse
import hashlib
import os
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

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402

from briefs.importers import parse_document  # noqa: E402
from briefs.models import Brief  # noqa: E402
from briefs.services import brief_import  # noqa: E402
from search.analysis import kiwi  # noqa: E402

CORPUS = ROOT.parent / "shared" / "import-corpus"
SAMPLES = ROOT / "samples"


class Rollback(Exception):
    pass


def documents(only: set[str]) -> list[Path]:
    if CORPUS.is_dir():
        paths = sorted(p for p in CORPUS.iterdir() if p.name[:2].isdigit())
    else:
        paths = sorted(SAMPLES.glob("*.txt"))
    return [p for p in paths if not only or p.name[:2] in only]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def copy_floor(texts: list[str]) -> float:
    """Seconds to COPY the sections' text into a temporary table (the database's floor)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_sections (position int, text text) ON COMMIT DROP")
        start = time.perf_counter()
        with cursor.copy("COPY bench_sections (position, text) FROM STDIN") as copy:
            for position, text in enumerate(texts):
                copy.write_row((position, text))
        return time.perf_counter() - start


def import_once(data: bytes, name: str) -> tuple[float, int]:
    sections = 0

    def run() -> None:
        nonlocal sections
        # A copy already in the database would make the import a no-op ("unchanged"); inside
        # the rolled-back transaction it is removed first, and comes back with the rollback.
        digest = hashlib.sha256(data).hexdigest()
        Brief.objects.filter(Q(source_sha256=digest) | Q(slug="bench-import")).delete()
        result = brief_import(data=data, filename=name, metadata={"slug": "bench-import"})
        assert result.status == "created", result.message
        sections = result.brief.sections.count()

    start = time.perf_counter()
    try:
        with transaction.atomic():
            run()
            raise Rollback
    except Rollback:
        pass
    return time.perf_counter() - start, sections


def big_text(mib: int) -> bytes:
    paragraphs = [
        p.strip()
        for p in (SAMPLES / "001_b5edd7b7062599dc.txt").read_text(encoding="utf-8").split("\n\n")
        if len(p.strip()) > 80
    ]
    out: list[str] = []
    size, n = 0, 0
    while size < mib * 1024 * 1024:
        n += 1
        chunk = f"{n}. 제{n}절 검토 사항\n\n" + "\n\n".join(paragraphs) + "\n\n"
        out.append(chunk)
        size += len(chunk.encode())
    return "".join(out).encode()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mib", type=int, default=20)
    parser.add_argument("--only", default="", help="comma-separated corpus numbers")
    args = quick.parse(parser, rounds=1, mib=2)
    only = {x.strip() for x in args.only.split(",") if x.strip()}

    start = time.perf_counter()
    kiwi().tokenize("모델을 불러옵니다.")
    print(f"Kiwi model load (once per process, at worker start): {time.perf_counter() - start:.2f} s")
    print(
        f"{'document':42} {'format':6} {'KiB':>7} {'pages':>5} {'sect':>4} {'read p50':>9} "
        f"{'import p50':>10} {'COPY floor':>10}"
    )
    for path in documents(only):
        data = path.read_bytes()
        parsed = parse_document(data, filename=path.name)  # warm-up
        reads = [timed(lambda d=data, n=path.name: parse_document(d, filename=n)) for _ in range(args.rounds)]
        imports = [import_once(data, path.name)[0] for _ in range(args.rounds)]
        floor = min(copy_floor([s.text for s in parsed.sections]) for _ in range(args.rounds))
        pages = max((s.page_end or 0 for s in parsed.sections), default=0) or "-"
        print(
            f"{path.name[:42]:42} {parsed.format:6} {len(data) / 1024:7.0f} {pages!s:>5} "
            f"{len(parsed.sections):4} {statistics.median(reads):8.3f}s {statistics.median(imports):9.3f}s "
            f"{floor * 1000:8.1f}ms"
        )

    data = big_text(args.mib)
    limit = settings.MARGINALIA_MAX_IMPORT_BYTES
    settings.MARGINALIA_MAX_IMPORT_BYTES = max(limit, len(data) + 1)
    read = timed(lambda: parse_document(data, filename="big.txt"))
    parsed = parse_document(data, filename="big.txt")
    floor = copy_floor([s.text for s in parsed.sections])
    print(
        f"generated plain text, {len(data) / 1024 / 1024:.1f} MiB: read {read:.2f} s, "
        f"{len(parsed.sections):,} sections; COPY floor of its text {floor:.2f} s"
    )


if __name__ == "__main__":
    main()
