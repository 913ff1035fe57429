from __future__ import annotations

import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from annotations.roles import Role
from annotations.services import user_create
from config.commands import AppCommand

PASSWORD_ENV = "MARGINALIA_PASSWORD"


class Command(AppCommand):
    help = (
        "Create a user with a role: analyst (private highlights), annotator (tags and shares) "
        f"or editor (codebook, export, moderation; staff). The password comes from --password, "
        f"else ${PASSWORD_ENV}, else a prompt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--password", help=f"prefer ${PASSWORD_ENV} or the prompt: argv is visible")
        parser.add_argument("--email", default="")

    def handle(self, *args, username: str, role: str, password: str | None, email: str, **options) -> None:
        password = password or os.environ.get(PASSWORD_ENV) or self._prompt()
        try:
            user = user_create(username=username, role=Role(role), password=password, email=email)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        staff = " (staff: may use the admin)" if user.is_staff else ""
        self.stdout.write(self.style.SUCCESS(f"Created {role} {user.get_username()}{staff}."))

    def _prompt(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError(f"No password: pass --password, set ${PASSWORD_ENV}, or run interactively.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        return first
