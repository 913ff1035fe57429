from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError

from config import embedded_db
from config.commands import AppCommand


class Command(AppCommand):
    help = "Stop or inspect the embedded PostgreSQL cluster in var/postgres."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["stop", "status"])

    def handle(self, *args, action: str, **options) -> None:
        base = settings.BASE_DIR
        if action == "status":
            db = settings.DATABASES["default"]
            self.stdout.write(f"database {db['NAME']} on {db['HOST']}:{db['PORT']}")
            return
        if settings.DATABASE_URL:
            raise CommandError("DATABASE_URL is set: there is no embedded cluster to stop.")
        from django.db import connections

        connections.close_all()
        self.stdout.write(embedded_db.stop(base))
