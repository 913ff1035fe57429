"""Count how often two racing clients lose an update or duplicate a create.

Starts Django's live test server in this process on the configured database, creates
throwaway data (a brief, a user with a token), runs each race of tests/api/races.py
TRIALS times (two threads, two HTTP connections, released by one barrier) and prints how
every trial came out. Cleans up.

    DJANGO_SETTINGS_MODULE=config.settings python bench/races.py

Wanted: "200/412" for every PUT pair, "both kept" for every PATCH pair, "1 annotation"
for every create pair.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test.testcases import LiveServerThread, _StaticFilesHandler  # noqa: E402

from accounts.services import api_token_create  # noqa: E402
from annotations.models import Annotation  # noqa: E402
from annotations.roles import Role  # noqa: E402
from annotations.services import role_group_sync  # noqa: E402
from annotations.w3c import section_iri  # noqa: E402
from briefs.models import Brief, Section  # noqa: E402
from tests.api.races import race_create, race_delete, race_patch, race_put  # noqa: E402

TEXT = "반면 북한은 양국 공동 작업으로 영변의 모든 핵시설을 영구적으로 폐기할 것이라고 했다."
QUOTE = "영변의 모든 핵시설을 영구적으로 폐기"


def main() -> None:
    # Each refused request would log a warning; the tallies say it all.
    for name in ("django.request", "django.server"):
        logging.getLogger(name).setLevel(logging.ERROR)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    settings.MARGINALIA_API_RATE_LIMIT = "100000/60"
    name = f"races-{uuid.uuid4().hex[:8]}"
    user = get_user_model().objects.create_user(username=name)
    user.groups.add(role_group_sync(role=Role.ANNOTATOR))
    _, token = api_token_create(user=user, name=name, scope="write")
    brief = Brief.objects.create(slug=name, title="Races", publication_year=2019)
    section = Section.objects.create(brief=brief, position=0, anchor="s1", heading="Races", text=TEXT)
    start = TEXT.index(QUOTE)
    server = LiveServerThread("localhost", static_handler=_StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://localhost:{server.port}"

    def make() -> Annotation:
        return Annotation.objects.create(
            section=section, author=user, start=start, end=start + len(QUOTE), quote=QUOTE, note="first"
        )

    def native() -> dict:
        return {"section": section.pk, "start": start, "end": start + len(QUOTE), "quote": QUOTE}

    source = section_iri(make(), base_url=base)

    def w3c() -> dict:
        target = {"source": source, "selector": {"type": "TextQuoteSelector", "exact": QUOTE}}
        return {"type": "Annotation", "bodyValue": "raced", "target": target}

    try:
        began = time.perf_counter()
        for tally in (
            race_put(base, token, make, w3c=False),
            race_put(base, token, make, w3c=True),
            race_delete(base, token, make),
            race_patch(base, token, make),
            race_create(base, token, native, w3c=False),
            race_create(base, token, w3c, w3c=True),
        ):
            print(tally, flush=True)
        print(f"({time.perf_counter() - began:.1f} s)")
    finally:
        server.terminate()
        Annotation.objects.filter(section__brief=brief).delete()
        section.delete()
        brief.delete()
        user.api_tokens.all().delete()
        user.delete()


if __name__ == "__main__":
    main()
