"""Django's PostgreSQL backend, with timestamps read by psycopg's C loader.

Django replaces psycopg's loader of `timestamptz` with a subclass of the pure-Python one
(to set the tzinfo it wants), so with psycopg's C extension installed every timestamp was
still parsed in Python: half the time of reading 100,000 annotations (Django ticket #36960,
psycopg #1273). The loader here gives the same values, Django's tzinfo included, from the
C implementation where there is one; without it, it is Django's loader unchanged.

Settings name it as the ENGINE (config.settings switches every PostgreSQL database to it).
"""

from __future__ import annotations

from functools import lru_cache

from django.db.backends.postgresql import base
from psycopg import adapt, adapters
from psycopg.pq import Format
from psycopg.types.datetime import TimestamptzLoader

TIMESTAMPTZ_OID = adapters.types["timestamptz"].oid


def _optimised_loader() -> type | None:
    # The global map holds psycopg's C loader when its extension is installed.
    found = adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    return None if found is None or found is TimestamptzLoader else found


_OPTIMISED = _optimised_loader()


class FastTzLoader(TimestamptzLoader):
    """Django's timestamptz loader (BaseTzLoader), parsing in C where psycopg can.

    A subclass of the Python loader, with the `timezone` attribute Django compares: its
    create_cursor() registers its own loader on a cursor whose time zone differs.
    """

    timezone = None

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self._parse = _OPTIMISED(oid, context).load if _OPTIMISED is not None else super().load

    def load(self, data):
        return self._parse(data).replace(tzinfo=self.timezone)


@lru_cache
def fast_tz_loader(timezone) -> type[FastTzLoader]:
    """Return the loader class that sets `timezone` as the tzinfo (None: naive), as Django's."""
    return type("SpecificFastTzLoader", (FastTzLoader,), {"timezone": timezone})


@lru_cache
def _with_fast_loader(template: adapt.AdaptersMap) -> adapt.AdaptersMap:
    timezone = template.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone
    context = adapt.AdaptersMap(template)
    context.register_loader("timestamptz", fast_tz_loader(timezone))
    return context


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if "context" in params:  # psycopg 3: the adapters template of Django's time zone
            params["context"] = _with_fast_loader(params["context"])
        return params
