"""manage.py brief_delete: delete a brief, its sections and (if asked) its annotations."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from briefs.models import Brief
from briefs.services import BriefDeleteError, brief_delete
from config.commands import AppCommand


class Command(AppCommand):
    help = (
        "Delete a brief and its sections. A brief that still holds live annotations (anyone's) "
        "is refused unless --with-annotations is given; its annotations then become tombstones "
        "that the API's sync feed (include_deleted=true) still reports as deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", metavar="SLUG", help="the brief's address")
        parser.add_argument(
            "--with-annotations", action="store_true", help="delete the brief's annotations too (anyone's)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        brief = Brief.objects.filter(slug=options["slug"]).first()
        if brief is None:
            raise CommandError(f"no brief with slug {options['slug']!r}")
        try:
            result = brief_delete(user=None, brief=brief, with_annotations=options["with_annotations"])
        except BriefDeleteError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(result.message)
