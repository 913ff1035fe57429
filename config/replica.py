"""Reads from a streaming replica, writes to the primary (set DATABASE_REPLICA_URL).

Only a web request that cannot write (GET, HEAD, OPTIONS) reads from the replica, and only when
its client has not written within MARGINALIA_REPLICA_PIN_SECONDS: every answer to a request
that may have written sets a cookie that keeps the client's reads on the primary until then,
so a browser (or an API client that keeps cookies) reads its own writes. Everything else reads
the primary: management commands, the job worker, any read inside a transaction (a service
that reads what it is about to change), and raw SQL, which Django never routes.

The replica-lag rule: a replica shows the primary as it was a moment ago, never a state the
primary did not pass through. What a client reads there may be late by the replica's lag, but
the sync feed is exact on it: its horizon is the replica's own (annotations.feed.feed_horizon),
so a cursor never passes a write the replica has not replayed, and a cursor from the primary
that is ahead of a lagging replica gets an empty page that keeps it, not an error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "marginalia_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_replica_reads = ContextVar("replica_reads", default=False)


class ReplicaRouter:
    """Send a read to the replica when the request allows it (ReplicaMiddleware), else the primary."""

    def db_for_read(self, model, **hints) -> str:
        if _replica_reads.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema


def _pinned(request: HttpRequest) -> bool:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
    except ValueError:
        return False


class ReplicaMiddleware:
    """Decide, per request, whether its reads may go to the replica; pin a writer's reads."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        safe = request.method in SAFE_METHODS
        token = _replica_reads.set(safe and not _pinned(request))
        try:
            response = self.get_response(request)
        finally:
            _replica_reads.reset(token)
        if not safe:
            seconds = settings.MARGINALIA_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + seconds:.0f}",
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
