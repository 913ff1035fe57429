"""The per-token rate limit: one budget in PostgreSQL shared by every process."""

from __future__ import annotations

import datetime as dt
import os
import runpy
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import RequestFactory

from accounts.auth import RateLimited, authenticate_request, rate_limit, rate_limit_hit
from accounts.models import ApiRateCounter, ApiToken
from accounts.services import RATE_COUNTER_SWEEP, api_token_create
from tests.factories import UserFactory
from tests.processes import database_url

pytestmark = pytest.mark.django_db

# Mid-window for 60 s and 3600 s windows alike, so no test straddles two windows.
NOW = 6_000_030.0
SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(NOW)
    monkeypatch.setattr("accounts.auth.time", clock)
    return clock


@pytest.fixture
def token_and_raw() -> tuple[ApiToken, str]:
    # No `db` here: each test's own django_db mark (plain or transactional) applies.
    return api_token_create(user=UserFactory(), scope="write")


@pytest.fixture
def token(token_and_raw) -> ApiToken:
    return token_and_raw[0]


def window_start(at: float, seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(at // seconds) * seconds, tz=dt.UTC)


def counters() -> list[tuple[int, dt.datetime, int]]:
    return list(ApiRateCounter.objects.order_by("token_id", "window_start").values_list())


def test_the_window_allowance_then_429_until_the_window_ends(token, clock, settings):
    settings.MARGINALIA_API_RATE_LIMIT = "2/60"
    rate_limit_hit(token)
    rate_limit_hit(token)
    with pytest.raises(RateLimited) as limited:
        rate_limit_hit(token)
    assert limited.value.retry_after == 30
    assert str(limited.value) == "Rate limit exceeded: retry in 30 s."
    assert counters() == [(token.pk, window_start(NOW, 60), 3)]
    clock.now = NOW + 30  # the next window: a fresh allowance
    rate_limit_hit(token)


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_on_their_own_connections_share_one_budget(token, clock, settings):
    settings.MARGINALIA_API_RATE_LIMIT = "25/60"
    threads, calls = 8, 10
    start = threading.Barrier(threads)
    outcomes: list[bool] = []

    def caller() -> None:
        try:
            start.wait()
            for _ in range(calls):
                try:
                    rate_limit_hit(token)
                    outcomes.append(True)
                except RateLimited:
                    outcomes.append(False)
        finally:
            connection.close()  # each thread opened its own connection

    workers = [threading.Thread(target=caller) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(outcomes) == threads * calls
    assert outcomes.count(True) == 25
    assert counters() == [(token.pk, window_start(NOW, 60), threads * calls)]


CALLER = """
import sys, types
import django
django.setup()
from accounts import auth
from accounts.models import ApiToken
token_id, calls, now = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
auth.time = types.SimpleNamespace(time=lambda: now)
print("ready", flush=True)
sys.stdin.readline()
admitted = 0
for _ in range(calls):
    try:
        auth.rate_limit_hit(ApiToken(pk=token_id))
        admitted += 1
    except auth.RateLimited:
        pass
print(admitted, flush=True)
"""


@pytest.mark.django_db(transaction=True)
def test_separate_processes_share_one_budget(token, clock, settings):
    # What gunicorn workers do: separate interpreters, separate connections. A per-process
    # counter (the old LocMemCache) would admit 5 + 5 + 1 here instead of 7.
    settings.MARGINALIA_API_RATE_LIMIT = "7/3600"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),  # the test database
        "MARGINALIA_API_RATE_LIMIT": "7/3600",
    }
    callers = [
        subprocess.Popen(
            [sys.executable, "-c", CALLER, str(token.pk), "5", str(NOW)],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for caller in callers:  # both set up, then both go at once
            assert caller.stdout.readline().strip() == "ready", caller.stderr.read()
        for caller in callers:
            caller.stdin.write("go\n")
            caller.stdin.flush()
        results = [caller.communicate(timeout=60) for caller in callers]
    finally:
        for caller in callers:
            if caller.poll() is None:
                caller.kill()
                caller.communicate()
    assert [caller.returncode for caller in callers] == [0, 0], [err for _, err in results]
    admitted = [int(out) for out, _ in results]
    assert sum(admitted) == 7 and all(2 <= n <= 5 for n in admitted)
    with pytest.raises(RateLimited):  # and this process draws on the same budget
        rate_limit_hit(token)
    assert counters() == [(token.pk, window_start(NOW, 3600), 11)]


def test_a_token_request_costs_one_query_for_the_limit(
    token_and_raw, clock, settings, django_assert_num_queries
):
    settings.MARGINALIA_API_RATE_LIMIT = "2/60"
    token, raw = token_and_raw
    request = lambda: RequestFactory().get("/api/v1/tags", headers={"Authorization": f"Bearer {raw}"})  # noqa: E731
    with django_assert_num_queries(2):  # find the token and count (one statement), record last use
        authenticate_request(request(), write=False)
    with django_assert_num_queries(1):  # last use is fresh: find the token and count
        authenticate_request(request(), write=False)
    with django_assert_num_queries(1), pytest.raises(RateLimited):
        authenticate_request(request(), write=False)
    # sweeping ended windows happens inside the same statement
    ApiRateCounter.objects.create(token_id=token.pk, window_start=window_start(NOW - 600, 60), count=9)
    with django_assert_num_queries(1), pytest.raises(RateLimited):
        rate_limit_hit(token)
    assert counters() == [(token.pk, window_start(NOW, 60), 4)]


def test_ended_windows_of_every_token_are_swept(token, clock, settings):
    settings.MARGINALIA_API_RATE_LIMIT = "5/60"
    idle = ApiRateCounter.objects.create(token_id=token.pk + 1, window_start=window_start(NOW, 60), count=2)
    rate_limit_hit(token)
    assert len(counters()) == 2  # the current window is kept
    clock.now = NOW + 60
    rate_limit_hit(token)
    assert counters() == [(token.pk, window_start(NOW + 60, 60), 1)]
    assert not ApiRateCounter.objects.filter(token_id=idle.token_id).exists()


def test_each_hit_sweeps_a_bounded_batch(token, clock, settings):
    settings.MARGINALIA_API_RATE_LIMIT = "5/60"
    ended = window_start(NOW - 60, 60)
    ApiRateCounter.objects.bulk_create(
        ApiRateCounter(token_id=token.pk + 1 + i, window_start=ended, count=1)
        for i in range(RATE_COUNTER_SWEEP + 5)
    )
    rate_limit_hit(token)
    assert ApiRateCounter.objects.filter(window_start=ended).count() == 5
    rate_limit_hit(token)
    assert counters() == [(token.pk, window_start(NOW, 60), 2)]


def test_deleting_a_counted_token_or_its_user_works(token, clock, settings):
    settings.MARGINALIA_API_RATE_LIMIT = "1/60"
    rate_limit_hit(token)
    with pytest.raises(RateLimited):
        rate_limit_hit(token)
    token.delete()
    other, _ = api_token_create(user=UserFactory())
    rate_limit_hit(other)
    other.user.delete()
    assert not ApiToken.objects.exists()
    clock.now = NOW + 60  # the orphaned counters go with their window
    rate_limit_hit(ApiToken(pk=0))
    assert counters() == [(0, window_start(NOW + 60, 60), 1)]


BAD_LIMITS = ["600", "600/0", "0/60", "-5/60", "ten/60", "600/60/60", "1e3/60", "600/60s", "６００/60", "/"]


@pytest.mark.parametrize("value", BAD_LIMITS)
def test_a_malformed_limit_stops_startup(monkeypatch, value):
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    monkeypatch.setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:5432/unused")  # parsed, not dialled
    monkeypatch.setenv("MARGINALIA_API_RATE_LIMIT", value)
    with pytest.raises(ImproperlyConfigured, match="MARGINALIA_API_RATE_LIMIT must be"):
        runpy.run_path(str(SETTINGS_FILE))


@pytest.mark.parametrize(("value", "expected"), [("", "600/60"), (" 100 / 10 ", " 100 / 10 ")])
def test_well_formed_limits_start(monkeypatch, value, expected):
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    monkeypatch.setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:5432/unused")
    monkeypatch.setenv("MARGINALIA_API_RATE_LIMIT", value)
    assert runpy.run_path(str(SETTINGS_FILE))["MARGINALIA_API_RATE_LIMIT"] == expected.strip()


@pytest.mark.parametrize("value", [*BAD_LIMITS, None, 600])
def test_a_malformed_overridden_limit_is_a_clear_error(settings, value):
    settings.MARGINALIA_API_RATE_LIMIT = value
    with pytest.raises(ImproperlyConfigured, match="MARGINALIA_API_RATE_LIMIT must be"):
        rate_limit()


def test_the_limit_format(settings):
    settings.MARGINALIA_API_RATE_LIMIT = " 100 / 10 "
    assert rate_limit() == (100, 10)
    del settings.MARGINALIA_API_RATE_LIMIT
    assert rate_limit() == (600, 60)


def test_the_counter_table_is_unlogged():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relpersistence FROM pg_class WHERE oid = %s::regclass"
            " OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = %s::regclass)",
            [ApiRateCounter._meta.db_table] * 2,
        )
        persistence = dict(cursor.fetchall())
    assert persistence == {
        "accounts_api_rate_counter": "u",
        "accounts_api_rate_counter_pkey": "u",
        "api_rate_counter_window": "u",
    }
