from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from annotations.bulk import MAX_PROBLEMS_SHOWN, BatchInvalid, batch_drafts, batch_items
from annotations.models import Visibility
from annotations.services import annotation_bulk_create
from config.commands import AppCommand

JSON_LINES_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")


class Command(AppCommand):
    help = (
        "Import annotations from a file, all or none: W3C Web Annotation JSON-LD (a collection, "
        "a page or an array), our JSON Lines export or API objects, or a Label Studio JSON export. "
        "Every problem is listed with its line or item number; nothing is written while any remains."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the file to import")
        parser.add_argument("--user", required=True, help="username the annotations are created by")
        parser.add_argument(
            "--visibility",
            choices=Visibility.values,
            default=Visibility.PRIVATE,
            help="for formats that carry none (W3C, excerpts, Label Studio); default private",
        )
        parser.add_argument(
            "--format",
            choices=["auto", "json", "jsonl"],
            default="auto",
            help="JSON or JSON Lines (auto: by the file's suffix, .jsonl/.ndjson for JSON Lines)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check everything, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        user = self.user_named(options["user"])
        path = Path(options["file"])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        json_lines = options["format"] == "jsonl" or (
            options["format"] == "auto" and path.suffix.lower() in JSON_LINES_SUFFIXES
        )
        started = time.perf_counter()
        try:
            with transaction.atomic():
                items = batch_items(raw, json_lines=json_lines, bounded=False)
                drafts, problems = batch_drafts(items, visibility=options["visibility"])
                # Indexed here, not by the worker: a command does not keep a person waiting on a page.
                created = annotation_bulk_create(
                    user=user, drafts=drafts, problems=problems, index_inline=len(drafts)
                )
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except BatchInvalid as exc:
            for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
                self.stderr.write(f"{path.name}, {problem}")
            if len(exc.problems) > MAX_PROBLEMS_SHOWN:
                self.stderr.write(f"... and {len(exc.problems) - MAX_PROBLEMS_SHOWN} more.")
            raise CommandError(f"{exc.detail} Nothing was imported from {path}.") from exc
        seconds = time.perf_counter() - started
        verb = "Checked" if options["dry_run"] else "Imported"
        rate = f" ({len(created) / seconds:,.0f} a second)" if seconds > 0 else ""
        self.stdout.write(f"{verb} {len(created):,} annotations from {path} in {seconds:.1f} s{rate}.")
