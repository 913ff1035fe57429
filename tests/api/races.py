"""Two clients at the same moment against a live server: the races of tests/api/test_races.py
and bench/races.py (which runs them before and after a change and prints the figures).

Each race starts two threads behind a barrier; each sends one request over its own HTTP
connection, so the server answers them on two threads with two database connections. The
threads touch no database themselves: setting up and checking is the caller's, on its own.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from annotations.feed import annotation_etag
from annotations.models import Annotation, IdempotencyKey

TRIALS = 40
TIMEOUT = 30
LD_JSON = "application/ld+json"


@dataclass
class Tally:
    """How the trials of one race came out: each trial's outcome, counted."""

    name: str
    outcomes: Counter = field(default_factory=Counter)

    def add(self, outcome: str) -> None:
        self.outcomes[outcome] += 1

    def __str__(self) -> str:
        counted = ", ".join(f"{outcome}: {n}" for outcome, n in sorted(self.outcomes.items()))
        return f"{self.name} ({sum(self.outcomes.values())} trials): {counted}"


Send = Callable[[requests.Session, int], requests.Response]


def two_at_once(send: Send) -> list[requests.Response]:
    """Return the responses of send(session, 0) and send(session, 1), sent together from two threads."""
    barrier = threading.Barrier(2)
    responses: list[requests.Response | BaseException | None] = [None, None]

    def run(index: int) -> None:
        with requests.Session() as session:
            barrier.wait()
            try:
                responses[index] = send(session, index)
            except Exception as exc:  # reported below, on the caller's thread
                responses[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)
    for response in responses:
        if not isinstance(response, requests.Response):
            raise RuntimeError(f"A racing request failed: {response!r}")
    return responses  # type: ignore[return-value]


def _statuses(responses: list[requests.Response]) -> str:
    return "/".join(str(code) for code in sorted(r.status_code for r in responses))


def race_put(base: str, token: str, make: Callable[[], Annotation], *, w3c: bool) -> Tally:
    """Two PUTs with the same If-Match: outcome "200/412" when exactly one wins."""
    tally = Tally("W3C PUT, same If-Match" if w3c else "API PUT, same If-Match")
    auth = {"Authorization": f"Bearer {token}"}
    for _ in range(TRIALS):
        annotation = make()
        etag = annotation_etag(annotation)
        if w3c:
            url = f"{base}/api/v1/w3c/annotations/{annotation.pk}"
            bodies = [{"type": "Annotation", "bodyValue": f"note {i}"} for i in range(2)]
            headers = auth | {"If-Match": etag, "Content-Type": LD_JSON}
        else:
            url = f"{base}/api/v1/annotations/{annotation.pk}"
            bodies = [
                {"tags": [], "actor": "unspecified", "note": f"note {i}", "visibility": "private"}
                for i in range(2)
            ]
            headers = auth | {"If-Match": etag}
        tally.add(
            _statuses(
                two_at_once(lambda s, i: s.put(url, json=bodies[i], headers=headers, timeout=TIMEOUT))  # noqa: B023
            )
        )
    return tally


def race_delete(base: str, token: str, make: Callable[[], Annotation]) -> Tally:
    """Two W3C DELETEs with the same If-Match: "204/412" (or "204/410") when exactly one deletes."""
    tally = Tally("W3C DELETE, same If-Match")
    for _ in range(TRIALS):
        annotation = make()
        url = f"{base}/api/v1/w3c/annotations/{annotation.pk}"
        headers = {"Authorization": f"Bearer {token}", "If-Match": annotation_etag(annotation)}
        tally.add(_statuses(two_at_once(lambda s, i: s.delete(url, headers=headers, timeout=TIMEOUT))))  # noqa: B023
    return tally


def race_patch(base: str, token: str, make: Callable[[], Annotation]) -> Tally:
    """Two PATCHes of different fields (no If-Match): "both kept" or "lost" for each trial."""
    tally = Tally("API PATCH of two fields at once")
    headers = {"Authorization": f"Bearer {token}"}
    bodies = [{"note": "patched note"}, {"actor": "dprk"}]
    for _ in range(TRIALS):
        annotation = make()
        url = f"{base}/api/v1/annotations/{annotation.pk}"
        responses = two_at_once(lambda s, i: s.patch(url, json=bodies[i], headers=headers, timeout=TIMEOUT))  # noqa: B023
        annotation.refresh_from_db()
        kept = annotation.note == "patched note" and annotation.actor == "dprk"
        tally.add(("both kept" if kept else "lost") + f" ({_statuses(responses)})")
    return tally


def race_create(base: str, token: str, body: Callable[[], dict], *, w3c: bool) -> Tally:
    """Two creates with the same Idempotency-Key: "1 annotation" when only one is made."""
    tally = Tally("W3C POST, same Idempotency-Key" if w3c else "API POST, same Idempotency-Key")
    url = f"{base}/api/v1/w3c/annotations/" if w3c else f"{base}/api/v1/annotations"
    for _ in range(TRIALS):
        key = str(uuid.uuid4())
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
        if w3c:
            headers["Content-Type"] = LD_JSON
        sent = body()
        before = Annotation.objects.count()
        responses = two_at_once(lambda s, i: s.post(url, json=sent, headers=headers, timeout=TIMEOUT))  # noqa: B023
        made = Annotation.objects.count() - before
        tally.add(f"{made} annotation{'s' if made != 1 else ''} ({_statuses(responses)})")
        IdempotencyKey.objects.filter(key=key).delete()
    return tally
