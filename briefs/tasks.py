"""Background jobs of the importer, run by `manage.py db_worker` (django-tasks, in PostgreSQL)."""

from __future__ import annotations

from django_tasks import task

from briefs.import_jobs import import_job_run


@task()
def import_job_read(token: str) -> str:
    """Read an uploaded document into an import preview; return what became of the job."""
    return import_job_run(token=token)
