"""Background jobs of the search index, run by `manage.py db_worker` (django-tasks, in PostgreSQL)."""

from __future__ import annotations

from django_tasks import task

from annotations.models import Annotation
from search.services import annotation_index_refresh

BATCH = 2000


@task()
def annotation_index_build(annotation_ids: list[int]) -> int:
    """(Re)build the search documents of these annotations, BATCH at a time; return how many."""
    written = 0
    for start in range(0, len(annotation_ids), BATCH):
        batch = Annotation.objects.filter(pk__in=annotation_ids[start : start + BATCH]).only("pk")
        written += annotation_index_refresh(annotations=list(batch))
    return written


@task()
def search_index_rebuild_stale() -> int:
    """Rebuild the documents an older version of the analyser wrote; return how many."""
    from search.services import search_index_rebuild

    counts = search_index_rebuild(stale=True)
    return counts.sections + counts.annotations
