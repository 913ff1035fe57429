from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from annotations.services import codebook_load_starter
from briefs.services import BriefImportError, brief_import

SAMPLES_DIR = Path(settings.BASE_DIR) / "samples"


class Command(BaseCommand):
    help = "Load the sample briefs and the starter codebook (idempotent: safe to run again)."

    def handle(self, *args, **options) -> None:
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
