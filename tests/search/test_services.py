from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from search import analysis
from search.models import AnnotationDocument, SectionDocument
from search.services import (
    RebuildCounts,
    annotation_index_refresh,
    search_index_rebuild,
    section_index_refresh,
)
from tests.factories import AnnotationFactory, SectionFactory


def vector_text(section) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT vector::text FROM search_sectiondocument WHERE section_id = %s", [section.pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_refresh_writes_one_document_per_section():
    sections = SectionFactory.create_batch(3, heading="제재", text="대북제재를 완화하는 방안")
    assert section_index_refresh(sections=sections) == 3
    document = SectionDocument.objects.get(section=sections[0])
    assert document.analyser == analysis.ANALYSER_VERSION
    assert "'제재':1A" in vector_text(sections[0])
    assert document.spans["text"]["제재"] == [[2, 4]]


@pytest.mark.django_db
def test_refresh_replaces_a_stale_document():
    section = SectionFactory(heading="", text="종전선언")
    section_index_refresh(sections=[section])
    section.text = "연락사무소"
    section.save()
    assert section_index_refresh(sections=[section]) == 1
    assert SectionDocument.objects.count() == 1
    assert "'연락사무소'" in vector_text(section)
    assert "종전" not in vector_text(section)


@pytest.mark.django_db
def test_refresh_of_nothing_writes_nothing():
    assert section_index_refresh(sections=[]) == 0


@pytest.mark.django_db
def test_document_goes_with_its_section():
    section = SectionFactory()
    section_index_refresh(sections=[section])
    section.delete()
    assert not SectionDocument.objects.exists()


@pytest.mark.django_db
def test_rebuild_indexes_every_section_and_annotation_in_batches():
    SectionFactory.create_batch(5)
    AnnotationFactory.create_batch(3)  # written without the service: no documents yet
    stale = AnnotationFactory(deleted_at=timezone.now())
    AnnotationDocument.objects.create(annotation=stale, vector="'x':1", analyser="old")
    assert search_index_rebuild(batch_size=2) == RebuildCounts(sections=5 + 4, annotations=3)
    assert SectionDocument.objects.count() == 9
    assert AnnotationDocument.objects.count() == 3
    assert not AnnotationDocument.objects.filter(annotation=stale).exists()


@pytest.mark.django_db
def test_rebuild_command_reports_the_counts():
    SectionFactory.create_batch(1)
    AnnotationFactory()
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert out.getvalue().startswith("indexed 2 sections and 1 annotation in ")
    assert SectionDocument.objects.count() == 2
    assert AnnotationDocument.objects.count() == 1


def _written_by_an_older_analyser(*sections, annotations=()) -> None:
    SectionDocument.objects.filter(section__in=sections).update(analyser="kiwi-1", vector="'old':1")
    AnnotationDocument.objects.filter(annotation__in=annotations).update(analyser="kiwi-1")


@pytest.mark.django_db
def test_rebuild_of_stale_documents_leaves_current_ones_alone():
    old, current, unindexed = SectionFactory.create_batch(3, heading="", text="낸시 펠로시 하원의장")
    section_index_refresh(sections=[old, current])
    annotation = AnnotationFactory(section=current)
    annotation_index_refresh(annotations=[annotation])
    _written_by_an_older_analyser(old, annotations=[annotation])
    before = SectionDocument.objects.get(section=current).indexed_at
    out = StringIO()
    call_command("rebuild_search_index", "--stale", stdout=out)
    assert "indexed 1 section and 1 annotation" in out.getvalue()
    assert SectionDocument.objects.get(section=current).indexed_at == before
    assert not SectionDocument.objects.filter(section=unindexed).exists()
    assert set(SectionDocument.objects.values_list("analyser", flat=True)) == {analysis.ANALYSER_VERSION}
    assert "'펠로시'" in vector_text(old)
    assert AnnotationDocument.objects.get(annotation=annotation).analyser == analysis.ANALYSER_VERSION


@pytest.mark.django_db(transaction=True)  # the worker reads committed tasks
def test_migrate_queues_the_rebuild_of_an_older_analysers_documents_for_the_worker():
    from django_tasks_db.models import DBTaskResult

    section = SectionFactory(heading="", text="스티븐 비건 대표와 낸시 펠로시 의장")
    section_index_refresh(sections=[section])
    call_command("migrate", verbosity=0)
    assert not DBTaskResult.objects.exists()  # nothing stale: nothing queued
    _written_by_an_older_analyser(section)
    call_command("migrate", verbosity=0)
    (job,) = DBTaskResult.objects.all()
    assert job.task_path == "search.tasks.search_index_rebuild_stale"
    out = StringIO()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out, stderr=out)
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL" and job.return_value == 1
    assert "'펠로시'" in vector_text(section)
    assert SectionDocument.objects.get(section=section).analyser == analysis.ANALYSER_VERSION
