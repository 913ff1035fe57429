"""Start-up benchmark: how long a management command takes to start, beside the floors.

    DATABASE_URL=postgres://... python bench/bench_startup.py [--runs 7] [--no-bytecode]

Runs, as separate processes, `manage.py import_brief /nonexistent.pdf` (a command that starts,
runs its checks and stops at its own error: start-up alone), `manage.py create_user` of a
throwaway analyst (start-up, one password hash, one write; the user is deleted at the end)
and `manage.py check` (every system check, the URLconf and the API included), beside two
floors measured in the same run: the interpreter alone (`python -c pass`) and
`django.setup()` alone. Median and min of --runs runs. --no-bytecode points Python at an
empty bytecode cache (PYTHONPYCACHEPREFIX), as a machine where nothing was compiled.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import quick

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-startup-Passw0rd-long"


def timed(argv: list[str], env: dict[str, str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, timeout=300)
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-bytecode", action="store_true")
    args = quick.parse(parser, runs=3)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "MARGINALIA_PASSWORD": PASSWORD}
    py, manage = sys.executable, str(ROOT / "manage.py")
    measures = [
        ("floor: python -c pass", [py, "-c", "pass"]),
        ("floor: django.setup()", [py, "-c", "import django; django.setup()"]),
        ("import_brief (start-up only)", [py, manage, "import_brief", "/nonexistent.pdf"]),
        ("check (all system checks)", [py, manage, "check"]),
    ]
    print(
        f"{'measure':32} {'median s':>9} {'min s':>7}   ({args.runs} runs; bytecode: "
        f"{'none' if args.no_bytecode else 'as installed'})"
    )
    for label, argv in measures:
        if args.no_bytecode:  # each run starts from an empty cache of its own
            values = []
            for _ in range(args.runs):
                env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="bench-startup-")
                values += timed(argv, env, 1)
        else:
            values = timed(argv, env, args.runs)
        print(f"{label:32} {statistics.median(values):9.2f} {min(values):7.2f}", flush=True)
    names = [f"bench-startup-{os.getpid()}-{i}" for i in range(args.runs)]
    started = []
    for name in names:
        t = time.perf_counter()
        subprocess.run(
            [py, manage, "create_user", name, "--role", "analyst"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=300,
            check=True,
        )
        started.append(time.perf_counter() - t)
    print(f"{'create_user (one hash, one write)':32} {statistics.median(started):9.2f} {min(started):7.2f}")
    cleanup = (
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.filter(username__startswith='bench-startup-{os.getpid()}-').delete()"
    )
    subprocess.run([py, manage, "shell", "-c", cleanup], cwd=ROOT, env=env, check=True, capture_output=True)


if __name__ == "__main__":
    main()
