"""manage.py brief_edit: change a brief's metadata and its sections' headings and levels."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from briefs.models import Brief
from briefs.services import BriefEditError, brief_changes, brief_state, brief_update
from config.commands import AppCommand

# option dest -> Brief field
OPTIONS = {
    "title": "title",
    "subtitle": "subtitle",
    "organisation": "organisation",
    "organisation_en": "organisation_en",
    "series": "series_code",
    "authors": "authors",
    "language": "language",
    "date": "publication_date",
    "year": "publication_year",
    "source_url": "source_url",
    "copyright": "copyright",
    "notes": "notes",
}


def _position(value: str) -> int:
    if not value.isdigit():
        raise CommandError(f"section position {value!r} is not a number (0, 1, 2, ...)")
    return int(value)


class Command(AppCommand):
    help = (
        "Edit a brief: give only what should change; an empty value ('') clears a field. "
        "Section POSITIONs are as `import_brief --dry-run` lists them (0 is the first section). "
        "Section anchors never change, so annotations and links keep working. Prints what changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", metavar="SLUG", help="the brief's address")
        meta = parser.add_argument_group("metadata")
        meta.add_argument("--title")
        meta.add_argument("--subtitle")
        meta.add_argument("--organisation", help="publishing organisation, e.g. 통일연구원")
        meta.add_argument("--organisation-en", help="the organisation's English name")
        meta.add_argument("--series", help="series code, e.g. 'CO 19-05'")
        meta.add_argument(
            "--author", action="append", dest="authors", help="an author; repeat for several (replaces all)"
        )
        meta.add_argument("--language", help="ko or en")
        meta.add_argument("--date", help="publication date, YYYY-MM-DD")
        meta.add_argument("--year", help="publication year")
        meta.add_argument("--source-url", help="where the document was published")
        meta.add_argument("--copyright")
        meta.add_argument("--notes")
        sections = parser.add_argument_group("sections")
        sections.add_argument(
            "--heading", nargs=2, action="append", default=[], metavar=("POSITION", "TEXT"), help="heading"
        )
        sections.add_argument(
            "--level", nargs=2, action="append", default=[], metavar=("POSITION", "N"), help="level 1-6"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        brief = Brief.objects.filter(slug=options["slug"]).first()
        if brief is None:
            raise CommandError(f"no brief with slug {options['slug']!r}")
        fields = {field: options[dest] for dest, field in OPTIONS.items() if options[dest] is not None}
        if "authors" in fields:
            fields["authors"] = [a for a in fields["authors"] if a.strip()]
        sections = self._section_edits(brief, options["heading"], options["level"])
        before = brief_state(brief)
        try:
            brief = brief_update(brief=brief, fields=fields, sections=sections)
        except BriefEditError as exc:
            raise CommandError(f"{brief.slug}: {exc}; nothing was changed") from None
        changes = brief_changes(before, brief_state(brief))
        if not changes:
            self.stdout.write(f"unchanged {brief.slug}")
        for line in changes:
            self.stdout.write(f"{brief.slug}: {line}")

    def _section_edits(
        self, brief: Brief, headings: list[list[str]], levels: list[list[str]]
    ) -> list[tuple[int, str, int]]:
        by_position = {s.position: s for s in brief.sections.all()}
        edits: dict[int, list[Any]] = {}
        for kind, pairs in (("heading", headings), ("level", levels)):
            for raw_position, value in pairs:
                section = by_position.get(_position(raw_position))
                if section is None:
                    last = max(by_position, default=-1)
                    raise CommandError(f"{brief.slug} has no section at position {raw_position} (0–{last})")
                edit = edits.setdefault(section.pk, [section.pk, section.heading, section.level])
                if kind == "heading":
                    edit[1] = value
                elif value.strip().isdigit():
                    edit[2] = int(value)
                else:
                    message = f"level {value!r} (position {raw_position}) is not a number from 1 to 6"
                    raise CommandError(message)
        return [tuple(edit) for edit in edits.values()]
