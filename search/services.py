"""Writes for search: keeping the index in step with the sections and the annotations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction
from django.db.models import Model, Prefetch, QuerySet

from annotations.models import Annotation, Tag
from briefs.models import Section
from search import analysis
from search.models import AnnotationDocument, SectionDocument

REBUILD_BATCH_SIZE = 200

M = TypeVar("M", bound=Model)


def _section_document(section: Section, fields: list[analysis.AnalysedField]) -> SectionDocument:
    heading, text = fields
    return SectionDocument(
        section=section,
        vector=analysis.tsvector_literal(fields),
        spans={"heading": analysis.spans_by_lexeme(heading), "text": analysis.spans_by_lexeme(text)},
        analyser=analysis.ANALYSER_VERSION,
    )


@transaction.atomic
def section_index_refresh(*, sections: Iterable[Section]) -> int:
    """(Re)build the search documents of these sections; return how many were written.

    Call it in the transaction that writes the sections (the import does), so a section is
    never committed without its document.
    """
    sections = [s for s in sections if s.pk is not None]
    if not sections:
        return 0
    analysed = analysis.analyse_documents([[(s.heading, "A"), (s.text, "D")] for s in sections])
    documents = [_section_document(s, fields) for s, fields in zip(sections, analysed, strict=True)]
    SectionDocument.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["section"],
        update_fields=["vector", "spans", "analyser", "indexed_at"],
    )
    return len(documents)


def annotation_fields(annotation: Annotation) -> list[tuple[str, str]]:
    """Return the (text, weight) fields of an annotation: each tag label, the quote, the note.

    Each label is a field of its own, so a phrase never runs from one label into the next.
    """
    labels = [label for tag in annotation.listed_tags() for label in (tag.label_ko, tag.label_en)]
    return [*((label, "A") for label in labels), (annotation.quote, "B"), (annotation.note, "D")]


def _annotations_as_stored(annotations: Iterable[Annotation]) -> list[Annotation]:
    """Read back what the writes left in the database, tags included."""
    ids = sorted({a.pk for a in annotations if a.pk is not None})
    if not ids:
        return []
    # Rather than trust the caller's instances (a stale prefetch would index yesterday's
    # tags). This is the indexer, not a read on anyone's behalf: private annotations are
    # indexed too, and every search starts from annotations_visible_to().
    return list(
        Annotation.objects.filter(pk__in=ids)
        .only("pk", "quote", "note", "deleted_at")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("pk", "label_ko", "label_en")))
        .order_by("pk")
    )


def _annotation_document(annotation: Annotation, fields: list[analysis.AnalysedField]) -> AnnotationDocument:
    *_, quote, note = fields
    return AnnotationDocument(
        annotation=annotation,
        vector=analysis.tsvector_literal(fields),
        spans={"quote": analysis.spans_by_lexeme(quote), "note": analysis.spans_by_lexeme(note)},
        analyser=analysis.ANALYSER_VERSION,
    )


# Without a savepoint of its own: called inside a write's transaction (as it should be), a
# failure here fails that write; alone, it is its own transaction.
@transaction.atomic(savepoint=False)
def annotation_index_refresh(*, annotations: Iterable[Annotation], written: bool = False) -> int:
    """(Re)build the search documents of these annotations; return how many were written.

    A soft-deleted annotation loses its document. Call it in the transaction of the write
    (annotations.services does), so the index never disagrees with a committed annotation.
    `written` says the instances are what this transaction just wrote, under the row's
    lock, each with its tags attached as tag_list: they are indexed as they are, not read
    back (two statements fewer on every write).
    """
    if written:
        current = sorted((a for a in annotations if a.pk is not None), key=lambda a: a.pk)
    else:
        current = _annotations_as_stored(annotations)
    if not current:
        return 0
    alive = [a for a in current if a.deleted_at is None]
    deleted = [a.pk for a in current if a.deleted_at is not None]
    if deleted:
        AnnotationDocument.objects.filter(annotation_id__in=deleted).delete()
    if not alive:
        return 0
    analysed = analysis.analyse_documents([annotation_fields(a) for a in alive])
    documents = [_annotation_document(a, fields) for a, fields in zip(alive, analysed, strict=True)]
    AnnotationDocument.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["annotation"],
        update_fields=["vector", "spans", "analyser", "indexed_at"],
    )
    return len(documents)


@transaction.atomic
def tag_index_refresh(*, tags: Iterable[Tag]) -> int:
    """Re-index every annotation that carries these tags (their labels are in its document)."""
    ids = [tag.pk for tag in tags if tag.pk is not None]
    annotations = Annotation.objects.filter(tags__in=ids).distinct().only("pk").order_by("pk")
    return sum(
        annotation_index_refresh(annotations=batch) for batch in _batches(annotations, REBUILD_BATCH_SIZE)
    )


@dataclass(frozen=True)
class RebuildCounts:
    sections: int
    annotations: int


def search_index_rebuild(*, batch_size: int = REBUILD_BATCH_SIZE, stale: bool = False) -> RebuildCounts:
    """Rebuild the document of every section and annotation, a batch per transaction.

    With `stale`, only the documents another version of the analyser wrote (after an upgrade
    that changed how text is analysed); a text without a document is left as it is.
    """
    section_rows = Section.objects.order_by("pk").only("pk", "heading", "text")
    # Deleted annotations too: refreshing them drops any document they kept.
    annotation_rows = Annotation.objects.order_by("pk").only("pk")
    if stale:
        section_rows = section_rows.filter(pk__in=_stale(SectionDocument, "section_id"))
        annotation_rows = annotation_rows.filter(pk__in=_stale(AnnotationDocument, "annotation_id"))
    sections = 0
    for batch in _batches(section_rows, batch_size):
        sections += section_index_refresh(sections=batch)
    annotations = 0
    for batch in _batches(annotation_rows, batch_size):
        annotations += annotation_index_refresh(annotations=batch)
    return RebuildCounts(sections=sections, annotations=annotations)


def _stale(model, key: str) -> QuerySet:
    return model.objects.exclude(analyser=analysis.ANALYSER_VERSION).values(key)


def search_index_is_stale() -> bool:
    """Whether any document was written by another version of the analyser."""
    return any(_stale(model, "pk").exists() for model in (SectionDocument, AnnotationDocument))


def _batches(qs: QuerySet[M], size: int) -> Iterator[list[M]]:
    batch: list[M] = []
    for obj in qs.iterator(chunk_size=size):
        batch.append(obj)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
