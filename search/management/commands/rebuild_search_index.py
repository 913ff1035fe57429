from __future__ import annotations

import time

from config.commands import AppCommand
from search.services import REBUILD_BATCH_SIZE, search_index_rebuild


class Command(AppCommand):
    help = (
        "Rebuild the search index of every section and annotation (Kiwi analysis into PostgreSQL tsvectors)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=REBUILD_BATCH_SIZE)
        parser.add_argument(
            "--stale",
            action="store_true",
            help="only the documents an older version of the analyser wrote (what `migrate` queues)",
        )

    def handle(self, *args, batch_size: int, stale: bool, **options) -> None:
        started = time.perf_counter()
        counts = search_index_rebuild(batch_size=batch_size, stale=stale)
        elapsed = time.perf_counter() - started
        sections = "section" if counts.sections == 1 else "sections"
        annotations = "annotation" if counts.annotations == 1 else "annotations"
        self.stdout.write(
            f"indexed {counts.sections} {sections} and {counts.annotations} {annotations} in {elapsed:.1f}s"
        )
