"""The embedded PostgreSQL default: started on demand, shared safely, stopped cleanly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent

START = """
import sys, json
from pathlib import Path
from config import embedded_db
s = embedded_db.database_settings(Path(sys.argv[1]), name="probe")
print(json.dumps({"host": s["HOST"], "port": s["PORT"]}))
"""


def _start(base: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", START, str(base)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_starting_at_once_share_one_cluster(tmp_path):
    import json

    from config import embedded_db

    base = tmp_path / "proj"
    base.mkdir()
    first, second = _start(base), _start(base)
    out1, err1 = first.communicate(timeout=180)
    out2, err2 = second.communicate(timeout=180)
    try:
        assert first.returncode == 0, err1
        assert second.returncode == 0, err2
        a, b = json.loads(out1), json.loads(out2)
        assert a == b
        with psycopg.connect(host=a["host"], port=a["port"], user="postgres", dbname="probe") as c:
            assert c.execute("SELECT 1").fetchone() == (1,)
        # Reused across runs: a third start joins the running cluster.
        third = _start(base)
        out3, err3 = third.communicate(timeout=60)
        assert third.returncode == 0, err3
        assert json.loads(out3) == a
    finally:
        message = embedded_db.stop(base)
    assert message.startswith("stopped")
    assert not (base / "var" / "postgres" / "postmaster.pid").exists()
    assert embedded_db.stop(base).endswith("is not running")
