"""No import request runs unbounded: past MARGINALIA_IMPORT_SECONDS it is refused with a clear
message and nothing is saved, and the site keeps serving other requests meanwhile."""

from __future__ import annotations

import threading
import time
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from briefs import previews
from briefs.importers.budget import BudgetExceeded, budget_check, import_budget
from briefs.models import Brief, ImportPreview, Section
from tests.briefs.corpus import corpus_file


def test_outside_a_budget_the_check_does_nothing_and_inside_it_refuses_when_spent():
    budget_check()
    with import_budget(3600):
        budget_check()
    with import_budget(0), pytest.raises(BudgetExceeded, match="longer than the 0 s"):
        time.sleep(0.001)
        budget_check()
    budget_check()  # the budget ended with its block


@pytest.mark.django_db
def test_a_spent_budget_refuses_the_upload_with_the_reason(client, editor, settings):
    settings.MARGINALIA_IMPORT_SECONDS = 0
    name = "03_crs-if10491-australia_en.pdf"
    client.force_login(editor)
    upload = SimpleUploadedFile(name, corpus_file(name).read_bytes(), content_type="application/pdf")
    response = client.post(reverse("briefs:import"), {"files": upload})
    assert response.status_code == 400
    assert "took longer than the 0 s an import may take" in response.content.decode()
    assert not ImportPreview.objects.exists() and not Brief.objects.exists()


@pytest.mark.django_db
def test_a_spent_budget_refuses_the_confirm_and_writes_nothing(client, editor, settings, kinu_bytes):
    preview = previews.preview_create(owner=editor, data=kinu_bytes, filename="kinu.txt")
    settings.MARGINALIA_IMPORT_SECONDS = 0
    client.force_login(editor)
    meta = preview.document["metadata"]
    data = {"version": 1, "title": meta["title"], "language": meta["language"], "slug": meta["slug"]}
    response = client.post(reverse("briefs:preview_confirm", args=[preview.token]), data)
    assert response.status_code == 400
    assert "took longer than" in response.content.decode()
    assert not Brief.objects.exists() and not Section.objects.exists()
    preview.refresh_from_db()
    assert preview.confirmed_at is None


def big_korean_text(megabytes: int) -> bytes:
    paragraph = "제2차 북미정상회담은 합의문 채택이라는 성과를 거두지 못했다. 양측의 입장 차이가 뚜렷했다.\n"
    parts, size, n = [], 0, 0
    while size < megabytes * 1024 * 1024 - 4096:
        n += 1
        part = (f"{n}. 제목 {n}\n\n" if n % 50 == 0 else "") + paragraph * 3 + "\n"
        parts.append(part)
        size += len(part.encode())
    return "".join(parts).encode()


@pytest.mark.django_db(transaction=True)
def test_a_20_mib_upload_is_answered_within_its_budget_while_the_site_keeps_serving(live_server, settings):
    from annotations.roles import Role
    from tests.factories import role_user

    settings.MARGINALIA_IMPORT_SECONDS = 1  # reading 20 MiB takes several times longer
    settings.MARGINALIA_MAX_IMPORT_BYTES = 21 * 1024 * 1024
    settings.MARGINALIA_BACKGROUND_IMPORT_BYTES = 32 * 1024 * 1024  # read in the request here
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    editor = role_user(Role.EDITOR, username="big", password="pw-big-upload")
    data = big_korean_text(20)
    served: list[int] = []
    done = threading.Event()

    def keep_asking() -> None:
        try:
            while not done.is_set():
                with urllib.request.urlopen(f"{live_server.url}/healthz", timeout=10) as answer:
                    served.append(answer.status)
                time.sleep(0.2)
        finally:
            connection.close()

    from django.test import Client

    client = Client()
    client.force_login(editor)
    watcher = threading.Thread(target=keep_asking)
    watcher.start()
    try:
        upload = SimpleUploadedFile("big.txt", data, content_type="text/plain")
        started = time.monotonic()
        response = client.post(reverse("briefs:import"), {"files": upload})
        took = time.monotonic() - started
    finally:
        done.set()
        watcher.join()
    body = response.content.decode()
    # Refused for its budget, with the reason: never a 500, nor a request left to the server's timeout.
    assert response.status_code == 400, response.status_code
    assert "took longer than the 1 s an import may take" in body
    assert not ImportPreview.objects.exists()
    assert served and set(served) == {200}, served
    print(f"20 MiB upload answered in {took:.1f} s; /healthz answered {len(served)} times meanwhile")


@pytest.mark.django_db(transaction=True)
def test_a_20_mib_upload_is_read_whole_by_the_background_worker(client, settings):
    """What the request's budget refuses, the worker reads: the page answers at once."""
    import io

    from django.core.management import call_command

    from annotations.roles import Role
    from briefs.models import ImportJob
    from tests.factories import role_user

    settings.MARGINALIA_MAX_IMPORT_BYTES = 21 * 1024 * 1024
    client.force_login(role_user(Role.EDITOR, username="big"))
    data = big_korean_text(20)
    response = client.post(reverse("briefs:import"), {"files": SimpleUploadedFile("big.txt", data)})
    assert response.status_code == 302 and ImportJob.objects.get().state == "queued"
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())
    job = ImportJob.objects.select_related("preview").get()
    assert job.state == "ready", job.error
    sections = job.preview.document["sections"]
    assert len(sections) > 100 and job.preview.byte_size == len(data)
