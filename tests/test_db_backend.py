"""config.postgresql: Django's backend, with timestamps parsed by psycopg's C loader."""

import datetime as dt

import psycopg
import pytest
from django.db import DataError, connection, transaction
from psycopg.pq import Format
from psycopg.types.datetime import TimestamptzLoader

from annotations.models import Annotation
from config.postgresql.base import TIMESTAMPTZ_OID, FastTzLoader
from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db


def _loader():
    connection.ensure_connection()
    return connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)


def test_timestamps_are_parsed_in_c():
    # pyproject pins psycopg[binary]: without the C extension the loader would fall back
    # to the Python parse, which read 100,000 annotations' timestamps in a second.
    assert psycopg.pq.__impl__ in ("binary", "c")
    loader_class = _loader()
    assert issubclass(loader_class, FastTzLoader)
    loader = loader_class(TIMESTAMPTZ_OID, connection.connection)
    # Bound to psycopg's C loader, not to the Python parse (the fallback without the extension).
    assert not isinstance(loader._parse.__self__, TimestamptzLoader)


@pytest.mark.parametrize(
    "literal, expected",
    [
        ("2024-02-29 23:59:59.123456+09", dt.datetime(2024, 2, 29, 14, 59, 59, 123456, tzinfo=dt.UTC)),
        ("1999-12-31 19:00:00-05", dt.datetime(2000, 1, 1, 0, 0, tzinfo=dt.UTC)),
        ("0001-01-01 00:00:00+00", dt.datetime(1, 1, 1, tzinfo=dt.UTC)),
    ],
)
def test_values_and_tzinfo_are_django_s(literal, expected):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz", [literal])
        (value,) = cursor.fetchone()
    assert value == expected
    assert value.tzinfo is dt.UTC  # what Django's own loader sets


def test_server_side_cursors_and_models_read_the_same_moment():
    annotation = AnnotationFactory()
    stored = Annotation.objects.values_list("created_at", flat=True).get(pk=annotation.pk)
    with transaction.atomic():
        streamed = next(
            Annotation.objects.filter(pk=annotation.pk).values_list("created_at", flat=True).iterator()
        )
    assert stored == streamed == annotation.created_at
    assert stored.tzinfo is dt.UTC


def test_an_infinite_timestamp_is_a_clear_error():
    with connection.cursor() as cursor, pytest.raises(DataError):
        cursor.execute("SELECT 'infinity'::timestamptz")
        cursor.fetchone()
