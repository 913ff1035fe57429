"""The base of Marginalia's management commands."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core import checks
from django.core.management.base import BaseCommand, CommandError


class AppCommand(BaseCommand):
    """A management command that starts in about a second.

    Django runs every system check before a command; the URL checks import the URLconf,
    and with it the whole API (every router, schema and export format: more than a second).
    A command that reads or writes data needs the models' checks, not the URLs'; the web
    server, `check` and `migrate` still run them all.
    """

    requires_system_checks = [checks.Tags.models, checks.Tags.database]

    def user_named(self, username: str) -> Any:
        """Return the user with this username, or a CommandError that says there is none."""
        user_model = get_user_model()
        try:
            return user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist as exc:
            raise CommandError(f"No user {username!r}.") from exc
