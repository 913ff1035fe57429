from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlencode

from django.core.management.base import CommandError, CommandParser
from django.urls import reverse

from annotations.export.formats import FORMATS
from annotations.export.forms import ExportForm, form_errors
from annotations.export.presenters import DEFAULT_BASE_URL
from annotations.export.selectors import unknown_filter_values
from annotations.export.services import ExportFile, excerpt_export
from annotations.models import Actor
from config.commands import AppCommand

FILTERS = ("briefs", "tags", "actors", "annotators", "created_from", "created_to")


class Command(AppCommand):
    help = (
        "Export tagged excerpts as CSV, XLSX, JSON Lines, W3C JSON-LD, or a Markdown/DOCX clip sheet. "
        "--user decides what is visible: their own annotations and everyone's shared ones."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=list(FORMATS))
        parser.add_argument("--user", required=True, help="username whose view of the annotations to export")
        parser.add_argument(
            "--brief", dest="briefs", action="append", default=[], help="brief slug (repeatable)"
        )
        parser.add_argument("--tag", dest="tags", action="append", default=[], help="tag code (repeatable)")
        parser.add_argument(
            "--actor", dest="actors", action="append", default=[], choices=Actor.values, help="(repeatable)"
        )
        parser.add_argument(
            "--annotator", dest="annotators", action="append", default=[], help="username (repeatable)"
        )
        parser.add_argument("--created-from", help="YYYY-MM-DD, inclusive")
        parser.add_argument("--created-to", help="YYYY-MM-DD, inclusive")
        parser.add_argument("--context", action="store_true", help="add prefix [quote] suffix")
        parser.add_argument("--language", choices=["ko", "en"], default="ko", help="label language")
        parser.add_argument("--base-url", default=DEFAULT_BASE_URL, help="site origin for permalinks")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = self.user_named(options["user"])
        data = {name: options[name] for name in FILTERS if options[name]}
        data.update(context=options["context"], language=options["language"], format=options["format"])
        form = ExportForm(data)
        if not form.is_valid():
            raise CommandError(form_errors(form))
        for name, values in unknown_filter_values(filters=form.filters()).items():
            self.stderr.write(f"Warning: no {name[:-1]} {', '.join(map(repr, values))}: it matches nothing.")
        output = options["output"]
        binary = FORMATS[options["format"]].binary
        if output is None and binary and (self._binary_stdout() is None or self.stdout.isatty()):
            raise CommandError(f"{options['format']} is a binary format: write it to a file with -o FILE.")
        base_url = options["base_url"].rstrip("/")
        export = excerpt_export(
            user=user,
            filters=form.filters(),
            format=form.cleaned_data["format"],
            options=form.options(base_url=base_url),
            source_url=f"{base_url}{reverse('export:download')}?{urlencode(data, doseq=True)}",
        )
        if output is not None:
            with Path(output).open("wb") as file:
                for chunk in export.iter_bytes():
                    file.write(chunk)
        else:
            self._to_stdout(export)
        where = output or "standard output"
        self.stderr.write(f"Exported {export.total} excerpt(s) as {options['format']} to {where}.")

    def _binary_stdout(self) -> BinaryIO | None:
        return getattr(self.stdout, "buffer", None)

    def _to_stdout(self, export: ExportFile) -> None:
        binary = self._binary_stdout()
        for chunk in export.iter_bytes():
            if binary is not None:
                binary.write(chunk)
            else:  # a text stream (call_command(stdout=StringIO())): chunks hold whole characters
                self.stdout.write(chunk.decode("utf-8"), ending="")
        self.stdout.flush()
