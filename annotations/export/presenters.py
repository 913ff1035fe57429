"""The excerpt presenter: one annotation as the flat record every row format writes.

CSV, XLSX and JSON Lines all write excerpt_record(); the clip sheets print its quote,
citation and permalink. Lists stay lists here (JSON Lines keeps them); the
spreadsheet formats join them with LIST_SEPARATOR.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.utils import timezone

from annotations.export.citations import annotation_citation, quote_pages, section_label
from annotations.export.context import quote_in_context
from annotations.models import Annotation
from config.paths import path

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


def permalink(annotation: Annotation, *, base_url: str) -> str:
    """Return the absolute URL of the annotation in the reader."""
    reader = path("briefs:reader", annotation.section.brief.slug)
    return f"{base_url.rstrip('/')}{reader}#annotation-{annotation.pk}"


def excerpt_record(annotation: Annotation, options: ExcerptOptions) -> dict[str, Any]:
    """Return the excerpt as a dict keyed by options.columns (tags, tag_labels, authors are lists).

    Expects section__brief and author selected and tags prefetched (excerpt_list does).
    """
    section = annotation.section
    brief = section.brief
    author = annotation.author
    tags = annotation.listed_tags()
    page, _ = quote_pages(annotation)
    zone = timezone.get_current_timezone()
    record: dict[str, Any] = {
        "id": annotation.pk,
        "quote": annotation.quote,
        "tags": [t.code for t in tags],
        "tag_labels": [t.label(options.language) for t in tags],
        "actor": annotation.actor,
        "note": annotation.note,
        "annotator": author.get_username(),
        "annotator_name": author.get_full_name(),
        "created_at": annotation.created_at.astimezone(zone).isoformat(),
        "updated_at": annotation.updated_at.astimezone(zone).isoformat(),
        "brief_slug": brief.slug,
        "brief_title": brief.title,
        "organisation": brief.organisation,
        "series_code": brief.series_code,
        "authors": list(brief.authors),
        "publication_date": brief.publication_date.isoformat() if brief.publication_date else None,
        "publication_year": brief.year,
        "section_heading": section_label(section, options.language),
        "section_position": section.position,
        "start": annotation.start,
        "end": annotation.end,
        "citation": annotation_citation(annotation),
        "page": page,
        "permalink": permalink(annotation, base_url=options.base_url),
    }
    if options.context:
        record["context"] = quote_in_context(annotation)
    return {column: record[column] for column in options.columns}
