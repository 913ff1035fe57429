"""Scale-out: two gunicorn processes behind one address, a primary and a read replica.

    python bench/bench_scaleout.py [--seconds 20] [--writes 300]

Everything runs on clusters of its own, from the embedded PostgreSQL binaries: a primary and a
streaming replica of it (`pg_basebackup -R`, hot standby; bench/replication.py), deleted
afterwards. Two gunicorn processes (as in production: --preload, gthread, DEBUG off) run with
DATABASE_URL on the primary and DATABASE_REPLICA_URL on the replica, behind one address: a
round-robin TCP proxy in this script, each new connection to the next process.

1. Load: wrk (Debian's wrk; 2 threads, 8 connections) through the one address on the reader page
   and the API's annotation list. Prints requests/s and latency, how many requests each gunicorn
   answered (its access log) and how many transactions each database ran meanwhile
   (pg_stat_database), so both processes and both databases are seen at work.
2. Sync under lag: while a writer creates annotations through the one address (writes and its
   own reads on the primary), a reader that never writes follows the sync feed
   (`ordering=updated`, the `next` cursor) from the replica. When the writer is done and the
   replica has replayed everything, the reader's copy must hold every acknowledged annotation
   exactly once (missing and duplicated: must be 0). The replica's lag is sampled meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import quick
import requests
from bench_reliability import BRIEF, WRITE_TOKEN, app_env, free_port, manage, wait_up, wrk
from replication import Pair, replicated_pair

ROOT = Path(__file__).resolve().parent.parent


class Proxy:
    """A round-robin TCP proxy: one address, each new connection to the next backend."""

    def __init__(self, port: int, backends: list[int]) -> None:
        self.port, self.backends = port, itertools.cycle(backends)
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", self.port))
        self.ready.set()
        self.loop.run_forever()
        server.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", next(self.backends))
        except OSError:
            writer.close()
            return

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def database_activity(pair: Pair) -> dict[str, int]:
    counts = {}
    for name, cluster in (("primary", pair.primary), ("replica", pair.standby)):
        with cluster.connect("bench", autocommit=True) as c:
            c.execute("SELECT pg_stat_clear_snapshot()")
            counts[name] = c.execute(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'bench'"
            ).fetchone()[0]
    return counts


def replica_lag(pair: Pair) -> float:
    """Seconds the replica is behind in replay (0 when it has replayed everything)."""
    with pair.primary.connect(autocommit=True) as p, pair.standby.connect(autocommit=True) as s:
        target = p.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        behind = s.execute("SELECT pg_last_wal_replay_lsn() < %s::pg_lsn", [target]).fetchone()[0]
        if not behind:
            return 0.0
        return s.execute(
            "SELECT coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)"
        ).fetchone()[0]


def sync_run(base: str, token: str, section: int, quote: str, pair: Pair, writes: int) -> dict:
    api = {"Authorization": f"Bearer {token}"}
    body = {"section": section, "start": 0, "end": len(quote), "quote": quote, "visibility": "shared"}
    acknowledged: list[int] = []
    done = threading.Event()

    def writer() -> None:
        with requests.Session() as http:  # keeps the pin cookie: its own reads stay on the primary
            for i in range(writes):
                answer = http.post(f"{base}/api/v1/annotations", json={**body, "note": f"n{i}"}, headers=api)
                if answer.status_code == 201:
                    acknowledged.append(answer.json()["id"])
                if i % 3 == 0:  # and edits, which move annotations along the feed
                    edit = http.patch(
                        f"{base}/api/v1/annotations/{acknowledged[-1]}", json={"note": f"e{i}"}, headers=api
                    )
                    assert edit.status_code == 200, edit.text[:300]
        done.set()

    seen: dict[int, int] = {}
    pages = 0
    lags: list[float] = []
    url = f"{base}/api/v1/annotations?ordering=updated&limit=50"
    thread = threading.Thread(target=writer)
    thread.start()
    caught_up = False
    with requests.Session() as reader:  # never writes: every read of it may go to the replica
        while True:
            page = reader.get(url, headers=api)
            if page.status_code != 200:
                raise SystemExit(f"the feed answered {page.status_code}: {page.text[:300]}")
            data = page.json()
            pages += 1
            for item in data["items"]:
                seen[item["id"]] = seen.get(item["id"], 0) + 1
            url = data["next"] or url
            if data["has_more"]:
                continue
            lags.append(replica_lag(pair))
            if caught_up:
                break
            if done.is_set():
                pair.wait_replayed()
                caught_up = True  # one more pass from the stored cursor, on a replayed replica
            else:
                time.sleep(0.05)
    thread.join()
    # An edit sends an annotation again (its new version): the copy keeps one row per id.
    missing = [pk for pk in acknowledged if pk not in seen]
    return {
        "acknowledged": len(acknowledged),
        "received": len(seen),
        "missing": len(missing),
        "pages": pages,
        "lag_max": max(lags, default=0.0),
        "sent_again": sum(n - 1 for n in seen.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20, help="length of each wrk run")
    parser.add_argument("--writes", type=int, default=300, help="annotations the writer creates")
    args = quick.parse(parser, seconds=3, writes=60)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="marginalia-scaleout-"))
    apps: list[subprocess.Popen] = []
    proxy = None
    try:
        with replicated_pair(tmp / "pg") as pair:
            with pair.primary.connect(autocommit=True) as c:
                c.execute("CREATE DATABASE bench")
            env = app_env(pair.primary.host, pair.primary.port)
            manage(env, "collectstatic", "--noinput")
            manage(env, "migrate", "--noinput")
            manage(env, "load_demo")
            token, section, quote = json.loads(
                manage(env, "shell", "-c", WRITE_TOKEN, capture=True).strip().splitlines()[-1]
            )
            pair.wait_replayed()
            env["DATABASE_REPLICA_URL"] = pair.standby.url("bench")
            ports = [free_port(), free_port()]
            logs = [tmp / f"access-{i}.log" for i in range(2)]
            for port, log in zip(ports, logs, strict=True):
                apps.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "gunicorn",
                            "config.wsgi:application",
                            "--preload",
                            "--bind",
                            f"127.0.0.1:{port}",
                            "--workers",
                            "1",
                            "--worker-class",
                            "gthread",
                            "--threads",
                            "4",
                            "--timeout",
                            "60",
                            "--access-logfile",
                            str(log),
                        ],
                        cwd=ROOT,
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            for port in ports:
                wait_up(f"http://127.0.0.1:{port}/healthz", seconds=120)
            address = free_port()
            proxy = Proxy(address, ports)
            base = f"http://127.0.0.1:{address}"
            runs = [
                ("reader, anonymous", f"/briefs/{BRIEF}/", []),
                (
                    "API annotation list (50)",
                    "/api/v1/annotations?limit=50",
                    [f"Authorization: Bearer {token}"],
                ),
            ]
            print(f"two gunicorn processes (1 worker, 4 threads each), one address; wrk {args.seconds} s")
            print()
            print("| run | requests/s | mean | p99 | non-2xx | gunicorn 1 / 2 | primary / replica xacts |")
            print("|---|---|---|---|---|---|---|")
            for label, path, headers in runs:
                before_lines = [log.read_text().count("\n") if log.exists() else 0 for log in logs]
                before_db = database_activity(pair)
                r = wrk(f"{base}{path}", args.seconds, headers)
                time.sleep(0.5)
                served = [log.read_text().count("\n") - n for log, n in zip(logs, before_lines, strict=True)]
                after_db = database_activity(pair)
                db = {name: after_db[name] - before_db[name] for name in after_db}
                print(
                    f"| {label} | {r['rate']:,.0f} | {r['mean']} | {r['p99']} | {r['non2xx']} | "
                    f"{served[0]:,} / {served[1]:,} | {db['primary']:,} / {db['replica']:,} |"
                )
            result = sync_run(base, token, int(section), quote, pair, args.writes)
            print()
            print(
                f"sync under lag: {result['acknowledged']} annotations acknowledged by the primary, "
                f"{result['received']} received by a reader following the feed on the replica "
                f"({result['pages']} pages; {result['sent_again']} sent again after an edit); "
                f"missing: {result['missing']}; replica lag sampled at most {result['lag_max'] * 1000:.0f} ms"
            )
            if result["missing"]:
                raise SystemExit("the feed read from the replica skipped acknowledged annotations")
    finally:
        if proxy is not None:
            proxy.stop()
        for app in apps:
            app.terminate()
        for app in apps:
            try:
                app.wait(timeout=30)
            except subprocess.TimeoutExpired:
                app.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
