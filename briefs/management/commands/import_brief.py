"""manage.py import_brief: import documents (txt, md, html, pdf, docx, hwpx) as briefs."""

from __future__ import annotations

import argparse
import datetime
import hashlib
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from tqdm import tqdm

from briefs.importers import FORMATS
from briefs.importers.document import ParsedDocument
from briefs.models import Brief, Language
from briefs.services import BriefImportError, brief_import, brief_parse, brief_replace_plan, slug_for
from config.commands import AppCommand


def _iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(AppCommand):
    help = (
        "Import documents as briefs, one transaction per file. The format comes from the file "
        "extension (.txt, .md, .html, .pdf, .docx, .hwpx) unless --format is given. Title, series, authors, "
        "year and the rest are detected from the document; the metadata options below override "
        "what was detected and apply to EVERY file given. Importing the same content again "
        "changes nothing; a different document under an existing slug is refused unless "
        "--replace is given. Exits with status 1 if any file failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="document file(s) to import")
        parser.add_argument("--format", choices=FORMATS, help="parse every file as this format")
        meta = parser.add_argument_group("metadata (overrides what was detected; applies to every file)")
        meta.add_argument("--title")
        meta.add_argument("--subtitle")
        meta.add_argument("--organisation", help="publishing organisation, e.g. 통일연구원")
        meta.add_argument("--organisation-en", help="the organisation's English name")
        meta.add_argument("--series", help="series code, e.g. 'CO 19-05'")
        meta.add_argument("--author", action="append", dest="authors", help="an author; repeat for several")
        meta.add_argument("--language", choices=Language.values)
        meta.add_argument("--year", type=int, help="publication year")
        meta.add_argument("--date", type=_iso_date, help="publication date, YYYY-MM-DD")
        meta.add_argument("--url", help="where the document was published")
        meta.add_argument("--slug", help="the brief's address (only with a single file)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace a brief with the same slug but different content, or re-read the same file "
            "with the current importer (annotations are kept and re-anchored)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="print what the importer finds (metadata, sections, warnings) and save nothing",
        )
        parser.add_argument(
            "--explain",
            action="store_true",
            help="with --dry-run: also print every block with its kind and why it got it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(p) for p in options["paths"]]
        if options["slug"] and len(paths) > 1:
            raise CommandError("--slug can only be used with a single file")
        metadata = {
            "title": options["title"],
            "subtitle": options["subtitle"],
            "organisation": options["organisation"],
            "organisation_en": options["organisation_en"],
            "series_code": options["series"],
            "authors": options["authors"],
            "language": options["language"],
            "publication_year": options["year"],
            "publication_date": options["date"],
            "source_url": options["url"],
            "slug": options["slug"],
        }
        limit = settings.MARGINALIA_MAX_IMPORT_BYTES
        failures = 0
        with tqdm(paths, desc="importing", unit="file", file=sys.stderr, disable=len(paths) < 2) as bar:
            for path in bar:
                try:
                    if path.is_file() and path.stat().st_size > limit:
                        raise BriefImportError(
                            f"the file is too large ({path.stat().st_size:,} bytes; "
                            f"the limit is {limit:,} bytes)"
                        )
                    try:
                        data = path.read_bytes()
                    except OSError as exc:
                        raise BriefImportError(f"cannot read the file ({exc.strerror})") from None
                    if options["dry_run"]:
                        parsed = brief_parse(data=data, filename=path.name, fmt=options["format"])
                        outcome = dry_run_outcome(
                            parsed, data=data, slug=options["slug"], replace=options["replace"]
                        )
                        with tqdm.external_write_mode(file=sys.stderr):
                            self.stdout.write(preview_text(parsed, path=path, explain=options["explain"]))
                            self.stdout.write(outcome)
                        continue
                    result = brief_import(
                        data=data,
                        filename=path.name,
                        fmt=options["format"],
                        metadata=metadata,
                        replace=options["replace"],
                    )
                except BriefImportError as exc:
                    failures += 1
                    with tqdm.external_write_mode(file=sys.stderr):
                        self.stderr.write(f"error: {path}: {exc}")
                    continue
                with tqdm.external_write_mode(file=sys.stderr):
                    self.stdout.write(result.message)
                    if result.status != "unchanged":
                        for warning in result.warnings:
                            self.stdout.write(f"  warning: {warning}")
        if failures:
            raise CommandError(f"{failures} of {len(paths)} file(s) could not be imported")


def dry_run_outcome(parsed: ParsedDocument, *, data: bytes, slug: str | None, replace: bool) -> str:
    """Return what importing would do with the library as it is: create, leave unchanged, refuse,
    or replace (with what it keeps, changes, adds, removes and refuses)."""
    sha256 = hashlib.sha256(data).hexdigest()
    same = Brief.objects.filter(source_sha256=sha256).order_by("pk").first()
    if same is not None and not replace:
        return f"would leave unchanged: this content is already imported as {same.slug}"
    slug = slug or (same.slug if same else slug_for(parsed.title, sha256))
    target = Brief.objects.filter(slug=slug).first()
    if target is None:
        return f"would create {slug}: {len(parsed.sections)} section(s)"
    if not replace:
        return f"would refuse: a brief with slug '{slug}' already exists with different content (--replace)"
    plan = brief_replace_plan(brief=target, parsed=parsed)
    lines = [f"would replace {slug}: {plan.summary()}"]
    for change in plan.changes:
        if change.status != "kept":
            extra = (
                f" ({change.reanchored} re-anchored, {change.lost} to check)" if change.annotations else ""
            )
            lines.append(f"  {change.status}: {change.heading or change.anchor}{extra}")
    if plan.refused:
        lines.append("  the replace would fail: refused sections still hold annotations")
    return "\n".join(lines)


def preview_text(parsed: ParsedDocument, *, path: Path, explain: bool = False) -> str:
    """Return what the importer found in one file, as text (for --dry-run)."""
    lines = [f"== {path} ({parsed.format}): nothing saved"]
    for label, value in (
        ("title", parsed.title),
        ("subtitle", parsed.subtitle),
        ("organisation", parsed.organisation),
        ("series", parsed.series_code),
        ("authors", ", ".join(parsed.authors)),
        ("date", parsed.publication_date or (parsed.publication_year or "")),
        ("language", parsed.language),
        ("url", parsed.source_url),
    ):
        if value:
            lines.append(f"{label}: {value}")
    lines.append(f"sections: {len(parsed.sections)}")
    for position, section in enumerate(parsed.sections):
        pages = ""
        if section.page_start:
            end = section.page_end or section.page_start
            pages = f" p. {section.page_start}" + (f"–{end}" if end != section.page_start else "")
        heading = section.heading or "(no heading)"
        first = " ".join(section.text.split())[:90]
        lines.append(
            f"  [{position}] L{section.level} {heading}{pages} ({len(section.text):,} chars) | {first}"
        )
    for warning in parsed.warnings:
        lines.append(f"warning: {warning}")
    if explain and parsed.blocks:
        from briefs.importers.classify import explain_blocks

        lines.append("blocks:")
        lines.append(explain_blocks(parsed.blocks))
    return "\n".join(lines)
