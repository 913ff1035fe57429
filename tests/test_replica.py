"""Reads from a streaming replica (config.replica) and the sync feed's horizon on one.

The router's decisions are checked per request through the real middleware; the horizon on a
real standby: a primary and a streaming replica built from the embedded PostgreSQL binaries.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from annotations.feed import Horizon, horizon_read
from annotations.models import Annotation
from config.replica import PIN_COOKIE, REPLICA, ReplicaMiddleware, ReplicaRouter
from tests.processes import bench_module

ROOT = Path(__file__).resolve().parent.parent
router = ReplicaRouter()


def read_alias(method: str = "get", cookies: dict | None = None, inside_atomic: bool = False):
    """Where a read of an annotation goes during a request; and the request's answer."""
    seen = []

    def view(request):
        if inside_atomic:
            with transaction.atomic():
                seen.append(router.db_for_read(Annotation))
        else:
            seen.append(router.db_for_read(Annotation))
        return HttpResponse("ok")

    request = getattr(RequestFactory(), method)("/")
    request.COOKIES.update(cookies or {})
    response = ReplicaMiddleware(view)(request)
    return seen[0], response


def test_a_safe_request_reads_from_the_replica():
    assert read_alias("get")[0] == REPLICA
    assert read_alias("head")[0] == REPLICA


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_request_that_may_write_reads_the_primary_and_pins_its_client(method, settings):
    settings.MARGINALIA_REPLICA_PIN_SECONDS = 10
    alias, response = read_alias(method)
    assert alias == DEFAULT_DB_ALIAS
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == 10 and cookie["httponly"]
    assert time.time() + 5 < float(cookie.value) <= time.time() + 11
    # The client's next reads stay on the primary, until the pin runs out.
    assert read_alias("get", {PIN_COOKIE: cookie.value})[0] == DEFAULT_DB_ALIAS
    assert read_alias("get", {PIN_COOKIE: f"{time.time() - 1:.0f}"})[0] == REPLICA


@pytest.mark.parametrize("value", ["", "soon", "nan", "1e999999", "-inf", "0x10"])
def test_a_hostile_pin_cookie_is_no_pin(value):
    alias, response = read_alias("get", {PIN_COOKIE: value})
    assert alias in {REPLICA, DEFAULT_DB_ALIAS} and response.status_code == 200
    if value in {"", "soon", "nan", "-inf", "0x10"}:
        assert alias == REPLICA


@pytest.mark.django_db(transaction=True)  # the request's own transaction, not the test's
def test_reads_inside_a_transaction_and_outside_requests_go_to_the_primary():
    assert read_alias("get", inside_atomic=True)[0] == DEFAULT_DB_ALIAS
    # Management commands and the job worker: no request, so no replica.
    assert router.db_for_read(Annotation) == DEFAULT_DB_ALIAS
    assert router.db_for_write(Annotation) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "annotations") is True
    assert router.allow_migrate(REPLICA, "annotations") is False


def test_settings_route_reads_only_when_a_replica_is_configured():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(sorted(s.DATABASES), s.DATABASE_ROUTERS, 'config.replica.ReplicaMiddleware' in s.MIDDLEWARE,"
        " s.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR'))"
    )
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://u@127.0.0.1:5432/a"}
    plain = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert plain.stdout.strip() == "['default'] [] False None", plain.stderr
    env["DATABASE_REPLICA_URL"] = "postgres://u@127.0.0.1:5433/a"
    both = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert both.stdout.strip() == ("['default', 'replica'] ['config.replica.ReplicaRouter'] True default"), (
        both.stderr
    )
    env["DATABASE_REPLICA_URL"] = "mysql://u@127.0.0.1/a"
    wrong = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert wrong.returncode != 0 and "DATABASE_REPLICA_URL must point at PostgreSQL" in wrong.stderr


def test_the_feed_horizon_on_a_standby_stays_below_a_primary_transaction_in_progress(tmp_path):
    with bench_module("replication").replicated_pair(tmp_path) as pair:
        with pair.primary.connect(autocommit=True) as admin:
            admin.execute("CREATE TABLE t (x int)")
        with pair.primary.connect() as open_tx, pair.primary.connect(autocommit=True) as later:
            open_tx.execute("INSERT INTO t VALUES (1)")  # an id, in the WAL, not committed
            running = int(open_tx.execute("SELECT pg_current_xact_id()::text").fetchone()[0])
            later.execute("INSERT INTO t VALUES (2)")  # committed after it, by a later id
            committed = int(later.execute("SELECT max(xmin::text::bigint) FROM t").fetchone()[0])
            assert committed > running % 2**32
            pair.wait_replayed()
            with pair.standby.connect(autocommit=True) as standby:
                assert standby.execute("SELECT count(*) FROM t").fetchone()[0] == 1  # the later row
                horizon = horizon_read(standby.cursor())
            assert isinstance(horizon, Horizon) and horizon.standby and horizon.own is None
            # Not past the running transaction: its row, once committed, is still ahead of a cursor.
            assert horizon.below <= running < horizon.xmax
            open_tx.commit()
        pair.wait_replayed()
        with pair.standby.connect(autocommit=True) as standby:
            after = horizon_read(standby.cursor())
        assert after.below > running  # and once it has committed, the horizon moves past it


@pytest.mark.django_db(transaction=True)  # no write of the caller's own in the feed's snapshot
def test_a_replica_behind_the_cursor_answers_an_empty_page_that_keeps_it(monkeypatch):
    # A cursor the primary handed out, read next on a replica that has not replayed that far.
    import dataclasses

    from annotations import feed
    from tests.factories import AnnotationFactory, UserFactory

    user = UserFactory()
    AnnotationFactory(author=user)
    real = feed.feed_horizon()
    ahead = feed.cursor_encode([feed.FEED_ORDERING, real.xmax + 1000, 1])
    with pytest.raises(feed.CursorError):  # on the primary: a restored, older database
        feed.annotation_feed(user=user, filters=feed.AnnotationFilters(), ordering="updated", cursor=ahead)
    lagging = dataclasses.replace(real, standby=True)
    monkeypatch.setattr(feed, "feed_horizon", lambda using="default": lagging)
    page = feed.annotation_feed(user=user, filters=feed.AnnotationFilters(), ordering="updated", cursor=ahead)
    assert page.items == [] and not page.has_more
    assert page.next_cursor == ahead
