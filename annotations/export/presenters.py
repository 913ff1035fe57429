"""The excerpt presenter: one annotation as the flat record every row format writes.

CSV, XLSX and JSON Lines all write ExcerptPresenter.record(); the clip sheets print its quote,
citation and permalink. Lists stay lists here (JSON Lines keeps them); the
spreadsheet formats join them with LIST_SEPARATOR.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.utils import timezone

from annotations.export.citations import citation, quote_pages, section_label
from annotations.export.context import quote_in_context
from annotations.models import Annotation
from config.paths import Paths

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
LIST_SEPARATOR = "; "

COLUMNS: tuple[str, ...] = (
    "id",
    "quote",
    "context",
    "tags",
    "tag_labels",
    "actor",
    "note",
    "annotator",
    "annotator_name",
    "created_at",
    "updated_at",
    "brief_slug",
    "brief_title",
    "organisation",
    "series_code",
    "authors",
    "publication_date",
    "publication_year",
    "section_heading",
    "section_position",
    "page",
    "start",
    "end",
    "citation",
    "permalink",
)
CONTEXT_COLUMNS = frozenset({"context"})


@dataclass(frozen=True)
class ExcerptOptions:
    """How excerpts are presented: label language, surrounding context, and the site's address."""

    language: str = "ko"  # tag labels and unheaded sections: "ko" or "en"
    context: bool = False  # add prefix + [quote] + suffix
    base_url: str = DEFAULT_BASE_URL

    @cached_property  # read once per excerpt (a frozen dataclass still has a __dict__)
    def columns(self) -> tuple[str, ...]:
        if self.context:
            return COLUMNS
        return tuple(c for c in COLUMNS if c not in CONTEXT_COLUMNS)


class ExcerptPresenter:
    """Presents the excerpts of one export: made once, it reads the time zone and the URLconf
    once, and keeps what the excerpts of a section share (its brief's columns, the citation of
    each page range) and each author's names, instead of building them again for every row.
    """

    KEPT = 4096  # per cache: rows come in reading order, so a small one meets nearly every repeat

    def __init__(self, options: ExcerptOptions) -> None:
        self.options = options
        self._zone = timezone.get_current_timezone()
        self._paths = Paths()
        self._base = options.base_url.rstrip("/")
        self._citations: dict[tuple[int, int | None, int | None], str] = {}
        self._sources: dict[int, dict[str, Any]] = {}
        self._authors: dict[int, tuple[str, str]] = {}

    def permalink(self, annotation: Annotation) -> str:
        """Return the absolute URL of the annotation in the reader."""
        reader = self._paths.path("briefs:reader", annotation.section.brief.slug)
        return f"{self._base}{reader}#annotation-{annotation.pk}"

    def citation(self, annotation: Annotation, pages: tuple[int | None, int | None] | None = None) -> str:
        """Return annotation_citation(annotation); pages are quote_pages(annotation) if known."""
        pages = pages or quote_pages(annotation)
        key = (annotation.section_id, *pages)
        found = self._citations.get(key)
        if found is None:
            if len(self._citations) >= self.KEPT:
                self._citations.clear()
            found = self._citations[key] = citation(annotation.section.brief, annotation.section, *pages)
        return found

    def record(self, annotation: Annotation) -> dict[str, Any]:
        """Return the excerpt as a dict keyed by options.columns, in their order (tags,
        tag_labels and authors are lists).

        Expects the section (with its brief), the author and the tags loaded (excerpt_rows).
        """
        options = self.options
        tags = annotation.listed_tags()
        pages = quote_pages(annotation)
        zone = self._zone
        record: dict[str, Any] = {"id": annotation.pk, "quote": annotation.quote}
        if options.context:
            record["context"] = quote_in_context(annotation)
        record["tags"] = [t.code for t in tags]
        record["tag_labels"] = [t.label(options.language) for t in tags]
        record["actor"] = annotation.actor
        record["note"] = annotation.note
        record["annotator"], record["annotator_name"] = self._author(annotation.author)
        record["created_at"] = annotation.created_at.astimezone(zone).isoformat()
        record["updated_at"] = annotation.updated_at.astimezone(zone).isoformat()
        record.update(self._source(annotation.section))  # brief_slug ... section_position
        record["page"] = pages[0]
        record["start"] = annotation.start
        record["end"] = annotation.end
        record["citation"] = self.citation(annotation, pages)
        record["permalink"] = self.permalink(annotation)
        return record

    def _author(self, author: Any) -> tuple[str, str]:
        found = self._authors.get(author.pk)
        if found is None:
            found = self._authors[author.pk] = (author.get_username(), author.get_full_name())
        return found

    def _source(self, section: Any) -> dict[str, Any]:
        """Return the record's columns from brief_slug to section_position, kept per section."""
        found = self._sources.get(section.pk)
        if found is None:
            if len(self._sources) >= self.KEPT:
                self._sources.clear()
            brief = section.brief
            found = self._sources[section.pk] = {
                "brief_slug": brief.slug,
                "brief_title": brief.title,
                "organisation": brief.organisation,
                "series_code": brief.series_code,
                "authors": list(brief.authors),
                "publication_date": brief.publication_date.isoformat() if brief.publication_date else None,
                "publication_year": brief.year,
                "section_heading": section_label(section, self.options.language),
                "section_position": section.position,
            }
        return found
