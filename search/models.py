from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from annotations.models import Annotation
from briefs.models import Section


class SectionDocument(models.Model):
    """A section as the search index sees it: lexemes with positions, and where they were.

    Derived data, rebuilt by search.services.section_index_refresh; a section without one is
    simply not found by full-text search (the trigram fallback reads the section text).
    """

    section = models.OneToOneField(
        Section, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    # Heading lexemes carry weight A, body lexemes weight D.
    vector = SearchVectorField()
    # {"heading": {lexeme: [[start, end], ...]}, "text": {...}}: maps a lexeme hit back to the
    # words as written, for snippets that highlight the original text.
    spans = models.JSONField(default=dict)
    analyser = models.CharField(max_length=40)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [GinIndex(fields=["vector"], name="search_sectiondoc_vector")]
        constraints = [
            models.CheckConstraint(condition=~Q(analyser=""), name="search_sectiondoc_analyser_set"),
        ]

    def __str__(self) -> str:
        return f"search document for section {self.section_id}"


class AnnotationDocument(models.Model):
    """An annotation as the search index sees it: tag labels, quote and note as lexemes.

    Derived data, rebuilt by search.services.annotation_index_refresh in the transaction of
    every annotation write; a deleted annotation has none. Who may see a document is never
    decided here: searches start from annotations.selectors.annotations_visible_to().
    """

    annotation = models.OneToOneField(
        Annotation, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    # Tag labels (Korean and English) carry weight A, the quote B, the note D.
    vector = SearchVectorField()
    # {"quote": {lexeme: [[start, end], ...]}, "note": {...}}, as for sections.
    spans = models.JSONField(default=dict)
    analyser = models.CharField(max_length=40)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [GinIndex(fields=["vector"], name="search_annotationdoc_vector")]
        constraints = [
            models.CheckConstraint(condition=~Q(analyser=""), name="search_annotationdoc_analyser_set"),
        ]

    def __str__(self) -> str:
        return f"search document for annotation {self.annotation_id}"
