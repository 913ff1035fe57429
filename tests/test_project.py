"""Project-level checks: settings, migrations, docker-compose, health."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from tests.processes import bench_module, database_url, free_port

ROOT = Path(__file__).resolve().parent.parent


def _import_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.DEBUG"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _import_settings({"DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "config.settings"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = _import_settings(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "short",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    assert result.returncode != 0
    assert "too weak" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = _import_settings(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    assert result.returncode == 0, result.stderr


def test_database_url_must_be_postgresql():
    result = _import_settings(
        {"DATABASE_URL": "sqlite:///db.sqlite3", "DJANGO_SETTINGS_MODULE": "config.settings"}
    )
    assert result.returncode != 0
    assert "must point at PostgreSQL" in result.stderr


def test_database_is_postgresql(db):
    from django.db import connection

    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_encoding")
        assert cursor.fetchone()[0] == "UTF8"


@pytest.mark.django_db
def test_no_pending_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(f"missing migrations:\n{out.getvalue()} (exit {exc.code})")


def test_the_wsgi_application_loads_the_morphology_model_at_start():
    code = "import config.wsgi, search.analysis as a; print(a._kiwi.cache_info().currsize)"
    clean = {k: v for k, v in os.environ.items() if k != "MARGINALIA_PRELOAD_MODEL"}
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert loaded.stdout.strip() == "1", loaded.stderr
    off = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "MARGINALIA_PRELOAD_MODEL": "0"},
        capture_output=True,
        text=True,
    )
    assert off.stdout.strip() == "0", off.stderr


def test_docker_compose_has_database_and_app():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) >= {"db", "app"}
    db, app = services["db"], services["app"]
    assert db["image"].startswith("postgres:")
    assert "healthcheck" in db
    assert any(str(v).endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert "pgdata" in compose["volumes"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert "@db:5432/" in app["environment"]["DATABASE_URL"]
    assert app["environment"]["DJANGO_DEBUG"] == "0"
    assert "migrate" in app["command"] and "gunicorn" in app["command"]
    # The command is one shell script: syntactically valid, gunicorn's options on its own line.
    argv = shlex.split(app["command"])
    assert argv[:2] == ["sh", "-c"]
    assert subprocess.run(["sh", "-n", "-c", argv[2]], capture_output=True).returncode == 0
    gunicorn_line = next(line for line in argv[2].splitlines() if "gunicorn" in line)
    assert "--timeout" in gunicorn_line and "--worker-class gthread" in gunicorn_line
    # The master loads the app (and the morphology model) once; workers share it.
    assert "--preload" in gunicorn_line
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"--preload"' in dockerfile
    assert "collectstatic" in dockerfile


def test_healthz_answers_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"OK\n"
    assert "no-cache" in response["Cache-Control"]


def test_static_files_are_served_by_whitenoise(db, tmp_path, settings):
    from django.test import Client

    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", "--noinput", verbosity=0)
    response = Client().get("/static/css/app.css")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert b"word-break: keep-all" in body


def test_the_job_worker_runs_with_the_app_in_compose_and_make_run():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    worker = compose["services"]["worker"]
    assert worker["command"].split()[:3] == ["python", "manage.py", "db_worker"]
    assert worker["depends_on"]["app"]["condition"] == "service_healthy"  # after the migrations
    assert worker["environment"]["DATABASE_URL"] == compose["services"]["app"]["environment"]["DATABASE_URL"]
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "manage.py db_worker &" in run and "runserver" in run and "trap" in run


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], {"sizes": [10_000, 100_000], "runs": 9}),
        (["--quick"], {"sizes": [10_000], "runs": 3}),
        (["--quick", "--runs", "7"], {"sizes": [10_000], "runs": 7}),  # what is given explicitly stays
    ],
)
def test_a_benchmarks_quick_run_takes_its_small_sizes(monkeypatch, argv, expected):
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=9)
    monkeypatch.setattr(sys, "argv", ["bench_x.py", *argv])
    args = bench_module("quick").parse(parser, sizes=[10_000], runs=3)
    assert {name: getattr(args, name) for name in expected} == expected


def test_make_bench_runs_every_benchmark_quick():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile[makefile.index("\nbench:") :].split("\n\n")[0]
    assert "bench/bench_*.py" in recipe and "--quick" in recipe
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        assert "quick.parse(parser" in script.read_text(), f"{script.name} has no --quick"


@pytest.mark.django_db(transaction=True)  # the server reads the committed test database
def test_gunicorn_with_the_preloaded_model_stops_at_once():
    # Two forked workers share the master's model; on SIGTERM they exit cleanly (a Kiwi with
    # worker threads, built before the fork, aborted at exit and held the stop for 30 s).
    import time
    import urllib.request

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_COOKIES": "0",
    }
    env.pop("MARGINALIA_PRELOAD_MODEL", None)
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--preload", "--workers", "2"]
    server = subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "30"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        for _ in range(8):  # both workers, most likely
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as answer:
                assert answer.status == 200
        stopping = time.monotonic()
        server.terminate()
        _, stderr = server.communicate(timeout=60)
        stopped_in = time.monotonic() - stopping
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert "terminate called" not in stderr and "SIGABRT" not in stderr, stderr[-2000:]
    assert stopped_in < 15, f"gunicorn took {stopped_in:.1f} s to stop"
