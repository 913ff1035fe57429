"""Uploads read by the background worker: many documents, or a large one, become jobs whose
progress the import page shows; the worker (the real `db_worker`, in PostgreSQL) reads them into
previews, or says why it could not, and a cancelled job leaves nothing behind."""

from __future__ import annotations

import datetime
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from briefs import import_jobs
from briefs.models import Brief, ImportJob, ImportPreview
from tests.briefs.corpus import corpus_file
from tests.briefs.test_import_page import upload
from tests.conftest import role_user
from tests.html import page_tree

IMPORT = reverse("briefs:import")
STATUS = reverse("briefs:import_status")
HTMX = {"HTTP_HX_REQUEST": "true"}


def text(element) -> str:
    return " ".join(element.text_content().split())


def said(response) -> str:
    """Return the text of the messages a page shows."""
    return text(page_tree(response).xpath("//ul[@class='messages']")[0])


def run_worker() -> str:
    out = io.StringIO()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def three(kinu_bytes, news_bytes) -> list:
    return [
        upload("kinu.txt", kinu_bytes),
        upload("news.md", news_bytes, "text/markdown"),
        upload("crs.pdf", corpus_file("03_crs-if10491-australia_en.pdf").read_bytes(), "application/pdf"),
    ]


@pytest.fixture
def signed_in(client, editor) -> Client:
    client.force_login(editor)
    return client


def job_rows(response) -> list[tuple[str, str]]:
    tree = page_tree(response)
    return [
        (text(li.xpath(".//*[@class='import-job-name']")[0]), li.get("data-state"))
        for li in tree.xpath("//li[@class='import-job']")
    ]


@pytest.mark.django_db(transaction=True)  # the worker reads committed jobs
def test_many_files_are_read_by_the_worker_with_their_progress_shown(signed_in, editor, three):
    response = signed_in.post(IMPORT, {"files": three})
    assert response.status_code == 302 and response["Location"].endswith("#import-status")
    assert ImportPreview.objects.count() == 0 and Brief.objects.count() == 0
    assert ImportJob.objects.filter(owner=editor, state="queued").count() == 3
    assert DBTaskResult.objects.count() == 3  # each job with its task, written together

    page = signed_in.get(IMPORT)
    assert job_rows(page) == [("kinu.txt", "queued"), ("news.md", "queued"), ("crs.pdf", "queued")]
    polling = page_tree(page).xpath("//div[@id='import-status']")[0]
    assert polling.get("hx-get") == STATUS and polling.get("hx-trigger") == "every 2s"

    run_worker()

    jobs = {job.filename: job for job in ImportJob.objects.all()}
    assert {job.state for job in jobs.values()} == {"ready"}
    assert (jobs["crs.pdf"].pages_done, jobs["crs.pdf"].pages_total) == (3, 3)
    assert all(bytes(job.data) == b"" for job in jobs.values())  # the preview keeps what was found
    previews = ImportPreview.objects.filter(owner=editor)
    assert sorted(previews.values_list("filename", flat=True)) == ["crs.pdf", "kinu.txt", "news.md"]

    done = signed_in.get(STATUS, **HTMX)
    tree = page_tree(done)
    assert job_rows(done) == []  # a job read is listed as its preview
    assert "hx-trigger" not in tree.xpath("//div[@id='import-status']")[0].attrib  # polling stops
    assert text(tree.xpath("//p[@role='status']")[0]) == (
        "The background reading is done: the previews are listed below."
    )
    links = tree.xpath("//section[@class='pending-previews']//a/@href")
    assert sorted(links) == sorted(reverse("briefs:preview", args=[p.token]) for p in previews)
    # The preview is the same as one read in the request: it confirms into a brief.
    preview = previews.get(filename="kinu.txt")
    assert signed_in.get(reverse("briefs:preview", args=[preview.token])).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_one_large_document_is_read_in_the_background(signed_in, settings, kinu_bytes):
    settings.MARGINALIA_BACKGROUND_IMPORT_BYTES = len(kinu_bytes) - 1
    response = signed_in.post(IMPORT, {"files": [upload("kinu.txt", kinu_bytes)]})
    assert response.status_code == 302 and ImportJob.objects.get().state == "queued"
    run_worker()
    assert ImportJob.objects.get().state == "ready"
    settings.MARGINALIA_BACKGROUND_IMPORT_BYTES = len(kinu_bytes)  # now read in the request
    response = signed_in.post(IMPORT, {"files": [upload("kinu.txt", kinu_bytes)]})
    preview = ImportPreview.objects.latest("created_at")
    assert response["Location"] == reverse("briefs:preview", args=[preview.token])
    assert ImportJob.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_large_new_version_is_read_in_the_background_against_its_brief(signed_in, settings, kinu_bytes):
    brief = Brief.objects.create(slug="kinu", title="KINU", language="ko")
    settings.MARGINALIA_BACKGROUND_IMPORT_BYTES = 10
    response = signed_in.post(
        reverse("briefs:reimport", args=[brief.slug]), {"file": upload("v2.txt", kinu_bytes)}
    )
    assert response.status_code == 302
    run_worker()
    preview = ImportJob.objects.get().preview
    assert preview.replaces == brief and preview.document["metadata"]["slug"] == "kinu"


@pytest.mark.django_db(transaction=True)
def test_a_document_that_cannot_be_read_fails_alone_with_its_reason(signed_in, kinu_bytes, news_bytes):
    files = [upload("kinu.txt", kinu_bytes), upload("empty.txt", b""), upload("news.md", news_bytes)]
    signed_in.post(IMPORT, {"files": files})
    run_worker()
    states = dict(ImportJob.objects.values_list("filename", "state"))
    assert states == {"kinu.txt": "ready", "empty.txt": "failed", "news.md": "ready"}
    page = signed_in.get(IMPORT)
    assert job_rows(page) == [("empty.txt", "failed")]
    assert "the file is empty. Nothing was imported." in text(
        page_tree(page).xpath("//li[@class='import-job']")[0]
    )
    failed = ImportJob.objects.get(state="failed")
    response = signed_in.post(reverse("briefs:import_job_cancel", args=[failed.token]))
    assert response.status_code == 302
    assert not ImportJob.objects.filter(pk=failed.pk).exists()
    assert ImportPreview.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_reason_is_in_the_uploaders_language(client, editor, kinu_bytes):
    client.force_login(editor)
    client.cookies["django_language"] = "ko"
    client.post(IMPORT, {"files": [upload("a.txt", b""), upload("b.txt", b""), upload("c.txt", kinu_bytes)]})
    run_worker()
    job = ImportJob.objects.filter(state="failed").first()
    assert job.language == "ko"
    assert job.error == "파일이 비어 있습니다. 아무것도 가져오지 않았습니다."
    page = client.get(IMPORT)
    assert [
        text(e) for e in page_tree(page).xpath("//li[@class='import-job']//*[@class='import-job-state']")
    ] == [
        "파일이 비어 있습니다. 아무것도 가져오지 않았습니다.",
        "파일이 비어 있습니다. 아무것도 가져오지 않았습니다.",
    ]
    assert text(page_tree(page).xpath("//h2[@id='jobs-h']")[0]) == "백그라운드에서 읽는 중"


@pytest.mark.django_db(transaction=True)
def test_a_job_cancelled_before_it_is_read_leaves_nothing(signed_in, three):
    signed_in.post(IMPORT, {"files": three})
    first = ImportJob.objects.get(filename="kinu.txt")
    response = signed_in.post(reverse("briefs:import_job_cancel", args=[first.token]), follow=True)
    assert "kinu.txt: removed; nothing was imported." in text(
        page_tree(response).xpath("//ul[@class='messages']")[0]
    )
    run_worker()  # its task finds no job
    assert sorted(ImportJob.objects.values_list("filename", "state")) == [
        ("crs.pdf", "ready"),
        ("news.md", "ready"),
    ]
    assert not ImportPreview.objects.filter(filename="kinu.txt").exists()


def cancel_from_another_connection(owner, token) -> None:
    """The editor cancels from the page: another client, on its own database connection."""

    def post() -> None:
        try:
            editor_client = Client()
            editor_client.force_login(owner)
            editor_client.post(reverse("briefs:import_job_cancel", args=[token]))
        finally:
            connection.close()

    thread = threading.Thread(target=post)
    thread.start()
    thread.join()


@pytest.mark.django_db(transaction=True)
def test_a_cancel_while_the_document_is_read_discards_what_was_read(signed_in, three, monkeypatch):
    signed_in.post(IMPORT, {"files": three})
    job = ImportJob.objects.get(filename="crs.pdf")
    seen = []
    real = import_jobs._Progress.__call__

    def cancel_midway(self, done: int, total: int) -> None:
        real(self, done, total)
        seen.append(ImportJob.objects.filter(pk=job.pk).values_list("state", "pages_done").first())
        if done == 1:  # while page 2 is read
            cancel_from_another_connection(job.owner, job.token)

    monkeypatch.setattr(import_jobs._Progress, "__call__", cancel_midway)
    monkeypatch.setattr(import_jobs, "PROGRESS_EVERY_SECONDS", 0)
    assert import_jobs.import_job_run(token=job.token) == "gone"
    assert seen[:2] == [("reading", 0), ("reading", 1)]  # progress is visible as it is written
    assert not ImportJob.objects.filter(pk=job.pk).exists()
    assert not ImportPreview.objects.filter(filename="crs.pdf").exists()
    assert import_jobs.import_job_run(token=job.token) == "gone"  # a second delivery finds nothing


@pytest.mark.django_db(transaction=True)
def test_a_read_job_cannot_be_cancelled_as_a_job(signed_in, three):
    signed_in.post(IMPORT, {"files": three})
    run_worker()
    job = ImportJob.objects.first()
    response = signed_in.post(reverse("briefs:import_job_cancel", args=[job.token]), follow=True)
    assert "This upload is no longer being read" in text(
        page_tree(response).xpath("//ul[@class='messages']")[0]
    )
    assert ImportJob.objects.filter(pk=job.pk).exists() and job.preview is not None


@pytest.mark.django_db(transaction=True)
def test_the_worker_keeps_to_its_time_budget(signed_in, settings, three):
    settings.MARGINALIA_BACKGROUND_IMPORT_SECONDS = 0
    signed_in.post(IMPORT, {"files": three})
    run_worker()
    assert set(ImportJob.objects.values_list("state", flat=True)) == {"failed"}
    assert "took longer than the 0 s" in ImportJob.objects.first().error
    assert ImportPreview.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_importer_crash_fails_the_job_and_the_worker_goes_on(signed_in, three, monkeypatch):
    from briefs import import_jobs as module

    real = module.brief_parse

    def crash_on_markdown(*, data, filename):
        if filename.endswith(".md"):
            raise MemoryError("boom")
        return real(data=data, filename=filename)

    monkeypatch.setattr(module, "brief_parse", crash_on_markdown)
    signed_in.post(IMPORT, {"files": three})
    run_worker()
    states = dict(ImportJob.objects.values_list("filename", "state"))
    assert states == {"kinu.txt": "ready", "news.md": "failed", "crs.pdf": "ready"}
    assert "The importer failed on this document" in ImportJob.objects.get(state="failed").error


@pytest.mark.django_db
def test_a_stalled_or_long_waiting_job_says_so(signed_in, editor, settings):
    now = timezone.now()
    long_ago = now - datetime.timedelta(seconds=settings.MARGINALIA_BACKGROUND_IMPORT_SECONDS + 600)
    expires = now + datetime.timedelta(hours=1)
    ImportJob.objects.create(owner=editor, filename="old.pdf", data=b"x", byte_size=1, expires_at=expires)
    reading = ImportJob.objects.create(
        owner=editor, filename="dead.pdf", data=b"x", byte_size=1, state="reading", expires_at=expires
    )
    ImportJob.objects.filter(pk=reading.pk).update(started_at=long_ago)
    ImportJob.objects.filter(filename="old.pdf").update(created_at=long_ago)
    page = signed_in.get(IMPORT)
    assert job_rows(page) == [("old.pdf", "waiting-long"), ("dead.pdf", "stalled")]
    shown = text(page_tree(page).xpath("//section[@class='import-jobs']")[0])
    assert "no job worker seems to be running" in shown and "The worker stopped while reading it" in shown
    buttons = page_tree(page).xpath("//li[@class='import-job']//button")
    assert [text(b) for b in buttons] == ["Cancel", "Dismiss"]


@pytest.mark.django_db
def test_jobs_are_their_owners_only(client, editor, kinu_bytes, news_bytes):
    other = role_user("editor", username="other-editor")
    job = import_jobs.import_jobs_create(owner=editor, uploads=[("kinu.txt", kinu_bytes)])[0]
    client.force_login(other)
    assert job_rows(client.get(IMPORT)) == []
    assert job_rows(client.get(STATUS, **HTMX)) == []
    response = client.post(reverse("briefs:import_job_cancel", args=[job.token]), follow=True)
    assert "no longer being read" in said(response)
    assert ImportJob.objects.filter(pk=job.pk).exists()


@pytest.mark.django_db
def test_only_editors_reach_the_status_and_the_cancel(client, analyst, editor, kinu_bytes):
    job = import_jobs.import_jobs_create(owner=editor, uploads=[("kinu.txt", kinu_bytes)])[0]
    client.force_login(analyst)
    assert client.get(STATUS, **HTMX).status_code == 403
    assert client.post(reverse("briefs:import_job_cancel", args=[job.token])).status_code == 403
    anonymous = Client()
    assert anonymous.get(STATUS, **HTMX).status_code == 302
    assert ImportJob.objects.filter(pk=job.pk).exists()


@pytest.mark.django_db
def test_the_cancel_needs_the_csrf_token(editor, kinu_bytes):
    job = import_jobs.import_jobs_create(owner=editor, uploads=[("kinu.txt", kinu_bytes)])[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(reverse("briefs:import_job_cancel", args=[job.token])).status_code == 403
    assert ImportJob.objects.filter(pk=job.pk).exists()


@pytest.mark.django_db
def test_hostile_file_names_are_escaped_and_cut(signed_in, editor):
    name = "<script>alert(1)</script>" + "가" * 600 + ".txt"
    import_jobs.import_jobs_create(owner=editor, uploads=[(name, b"text")])
    page = signed_in.get(IMPORT)
    assert not page_tree(page).xpath("//li[@class='import-job']//script")
    (row,) = job_rows(page)
    assert row[0] == name[:500]


@pytest.mark.django_db
def test_the_status_without_htmx_is_the_import_page(signed_in):
    response = signed_in.get(STATUS)
    assert response.status_code == 302 and response["Location"] == IMPORT


@pytest.mark.django_db
def test_the_status_costs_the_same_queries_for_one_job_or_many(signed_in, editor):
    def queries(jobs: int) -> int:
        ImportJob.objects.all().delete()
        brief = Brief.objects.get_or_create(slug="b", title="B", language="ko")[0]
        import_jobs.import_jobs_create(
            owner=editor, uploads=[(f"{n}.txt", b"x") for n in range(jobs)], replaces=brief
        )
        with CaptureQueriesContext(connection) as captured:
            assert signed_in.get(STATUS, **HTMX).status_code == 200
        return len(captured)

    assert queries(1) == queries(8)


@pytest.mark.django_db
def test_jobs_expire_with_previews(editor, settings):
    job = import_jobs.import_jobs_create(owner=editor, uploads=[("a.txt", b"x")])[0]
    ImportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert import_jobs.import_job_purge() == 1
    assert import_jobs.import_job_list(owner=editor) == []
