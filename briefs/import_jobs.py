"""Uploads read by the background worker: many documents at once, or a large one.

The request only stores each document's bytes as an ImportJob and enqueues its reading
(django-tasks in PostgreSQL, in the same transaction, so a job is never without its task nor a
task without its job). The worker (`manage.py db_worker`, started by `make run` and by
docker-compose) reads the document outside any transaction, writing its progress (pages of a
PDF) as it goes, then keeps what it found as an import preview, which the editor checks and
confirms as after any upload. A document that cannot be read ends as a failed job with the
reason, in the uploader's language; a job cancelled while it is read is discarded when the
reading ends, and nothing of it is kept.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from briefs import previews
from briefs.importers.budget import import_budget, import_progress
from briefs.models import Brief, ImportJob
from briefs.services import BriefImportError, brief_parse

log = logging.getLogger(__name__)

# The worker writes its progress at most this often (and always the first and the last page).
PROGRESS_EVERY_SECONDS = 0.5
# A job still being read this long after its budget ran out lost its worker (stopped, killed).
STALL_GRACE_SECONDS = 120
# A job still waiting this long suggests that no worker is running.
WAIT_HINT_SECONDS = 60

ACTIVE = (ImportJob.State.QUEUED, ImportJob.State.READING)


def runs_in_background(sizes: Sequence[int]) -> bool:
    """Say whether an upload of documents of these sizes is read by the background worker."""
    return len(sizes) >= settings.MARGINALIA_BACKGROUND_IMPORT_FILES or any(
        size > settings.MARGINALIA_BACKGROUND_IMPORT_BYTES for size in sizes
    )


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=settings.MARGINALIA_IMPORT_PREVIEW_HOURS)


def import_job_purge() -> int:
    """Delete expired jobs (a preview that one became is kept until its own expiry)."""
    deleted, _ = ImportJob.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted


@transaction.atomic
def import_jobs_create(
    *, owner: Any, uploads: Sequence[tuple[str, bytes]], replaces: Brief | None = None
) -> list[ImportJob]:
    """Store each (file name, bytes) upload as a job for the background worker and enqueue its
    reading; return the jobs."""
    from briefs.tasks import import_job_read

    import_job_purge()
    language = translation.get_language() or settings.LANGUAGE_CODE
    jobs = ImportJob.objects.bulk_create(
        ImportJob(
            owner=owner,
            filename=filename[:500],
            data=data,
            byte_size=len(data),
            replaces=replaces,
            language=language,
            expires_at=_expiry(),
        )
        for filename, data in uploads
    )
    for job in jobs:
        import_job_read.enqueue(str(job.token))
    return jobs


class _Progress:
    """Write a job's pages read as the reader reports them, at most every PROGRESS_EVERY_SECONDS."""

    def __init__(self, token: Any) -> None:
        self.token = token
        self.written = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done not in (0, total) and now - self.written < PROGRESS_EVERY_SECONDS:
            return
        self.written = now
        ImportJob.objects.filter(pk=self.token).update(pages_done=min(done, total), pages_total=total)


def _fail(token: Any, reason: str) -> None:
    ImportJob.objects.filter(pk=token).update(
        state=ImportJob.State.FAILED, error=reason, data=b"", finished_at=timezone.now()
    )


def import_job_run(*, token: Any) -> str:
    """Read one queued job's document into a preview (the worker's side); return what became
    of it: "ready", "failed", or "gone" (cancelled, or read already)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=token, state="queued").first()
        if job is None:
            return "gone"
        job.state, job.started_at = ImportJob.State.READING, timezone.now()
        job.save(update_fields=["state", "started_at"])
    data = bytes(job.data)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            with (
                import_budget(settings.MARGINALIA_BACKGROUND_IMPORT_SECONDS),
                import_progress(_Progress(job.pk)),
            ):
                parsed = brief_parse(data=data, filename=job.filename)
        except BriefImportError as exc:
            _fail(job.pk, _("%(reason)s. Nothing was imported.") % {"reason": exc})
            return "failed"
        except Exception:  # the worker goes on with the next job; the editor is told
            log.exception("import job %s: reading %r failed", job.pk, job.filename)
            _fail(
                job.pk, _("The importer failed on this document; nothing was imported. It has been logged.")
            )
            return "failed"
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().filter(pk=job.pk, state="reading").first()
        if current is None:  # cancelled while it was read
            return "gone"
        preview = previews.preview_store(
            owner=job.owner,
            parsed=parsed,
            data=data,
            filename=job.filename,
            replaces=job.replaces,
        )
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.READY, preview=preview, data=b"", finished_at=timezone.now()
        )
    return "ready"


def import_job_list(*, owner: Any) -> list[ImportJob]:
    """Return the owner's jobs not yet read, or not read at all, oldest first (a job read is
    listed as its preview)."""
    return list(
        ImportJob.objects.filter(owner=owner, expires_at__gte=timezone.now())
        .exclude(state=ImportJob.State.READY)
        .select_related("replaces")
        .defer("data")
    )


def import_job_status(job: ImportJob, *, now: datetime.datetime | None = None) -> str:
    """Return how the import page shows a job: its state, "stalled" for a reading whose worker
    is gone, or "waiting-long" for one no worker has taken for a while."""
    now = now or timezone.now()
    if job.state == ImportJob.State.READING and job.started_at is not None:
        limit = settings.MARGINALIA_BACKGROUND_IMPORT_SECONDS + STALL_GRACE_SECONDS
        if (now - job.started_at).total_seconds() > limit:
            return "stalled"
    if job.state == ImportJob.State.QUEUED and (now - job.created_at).total_seconds() > WAIT_HINT_SECONDS:
        return "waiting-long"
    return job.state


class ImportJobError(ValueError):
    """A job that cannot be cancelled (someone else's, gone, or read already)."""


@transaction.atomic
def import_job_cancel(*, owner: Any, token: Any) -> str:
    """Delete the owner's job that is not read (waiting, being read, or failed); return its
    file name. A job being read is discarded by the worker when its reading ends."""
    job = (
        ImportJob.objects.select_for_update()
        .filter(pk=token, owner=owner)
        .exclude(state=ImportJob.State.READY)
        .defer("data")
        .first()
    )
    if job is None:
        raise ImportJobError(_("This upload is no longer being read: it was read, cancelled or has expired."))
    job.delete()
    return job.filename
