from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction

from annotations.services import codebook_load_starter
from briefs.demo import DEMO_PASSWORD, DemoDataError, demo_annotations_load, demo_users_load
from briefs.services import BriefImportError, brief_import
from config.commands import AppCommand

SAMPLES_DIR = Path(settings.BASE_DIR) / "samples"


class Command(AppCommand):
    help = (
        "Load the sample briefs and the starter codebook (idempotent: safe to run again); with "
        "--with-users (local demo only), also demo users and a few annotations."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--with-users",
            action="store_true",
            help=f"also create the users analyst, annotator and editor (password {DEMO_PASSWORD!r}) "
            "and their demo annotations; skipped when DJANGO_DEBUG is off",
        )

    def handle(self, *args, **options) -> None:
        if options["with_users"] and not settings.DEBUG:
            self.stderr.write(
                "Not creating the demo users: they share a published password, which is for a "
                "local demo only, and DJANGO_DEBUG is off."
            )
            options["with_users"] = False
        manifest = json.loads((SAMPLES_DIR / "demo.json").read_text(encoding="utf-8"))
        for doc in manifest["documents"]:
            path = SAMPLES_DIR / doc["path"]
            try:
                result = brief_import(
                    data=path.read_bytes(), filename=path.name, metadata=doc.get("metadata") or {}
                )
            except BriefImportError as exc:
                raise CommandError(f"{path.name}: {exc}") from exc
            self.stdout.write(result.message)
        categories, tags = codebook_load_starter()
        self.stdout.write(f"codebook: {categories} categories, {tags} tags")
        if not options["with_users"]:
            return
        try:
            with transaction.atomic():  # users and annotations together, or neither
                users = demo_users_load(manifest.get("users", []))
                annotations = demo_annotations_load(manifest.get("annotations", []))
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        names = ", ".join(entry["username"] for entry in manifest.get("users", []))
        self.stdout.write(
            f"demo users: {names} (password {DEMO_PASSWORD!r}; {len(users)} new); "
            f"demo annotations: {annotations} new"
        )
