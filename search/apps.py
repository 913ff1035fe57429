from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _queue_stale_documents(sender, using: str, **kwargs) -> None:
    """After `migrate`: if an upgrade changed how text is analysed, rebuild what it indexed.

    The job worker does it, so the upgrade's `migrate` stays quick; until then an old document
    still finds its section by the words both versions agree on.
    """
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    from search.models import AnnotationDocument, SectionDocument
    from search.services import search_index_is_stale
    from search.tasks import search_index_rebuild_stale

    if using != "default" or kwargs.get("plan") is None:
        return  # not a migrate (flush sends the signal too, after every transactional test)
    # A migration back to before the index (or the task queue) existed leaves no table to read.
    needed = {model._meta.db_table for model in (SectionDocument, AnnotationDocument, DBTaskResult)}
    if needed <= set(connections[using].introspection.table_names()) and search_index_is_stale():
        search_index_rebuild_stale.enqueue()


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        post_migrate.connect(_queue_stale_documents, sender=self)
