"""Reads for briefs and sections, shared by pages, API, export and admin."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from briefs.models import Brief, Section


def brief_list(*, language: str | None = None) -> QuerySet[Brief]:
    """Return briefs for the library, each with its number of sections."""
    qs = Brief.objects.with_section_count()
    if language:
        qs = qs.filter(language=language)
    return qs.order_by("-publication_year", "-publication_date", "title", "pk")


def brief_get(*, slug: str) -> Brief:
    """Return one brief with its sections in order (raises Brief.DoesNotExist)."""
    sections = Prefetch("sections", queryset=Section.objects.order_by("position"))
    return Brief.objects.prefetch_related(sections).get(slug=slug)


def section_list(*, brief: Brief | None = None) -> QuerySet[Section]:
    """Return sections in reading order, optionally of one brief."""
    qs = Section.objects.select_related("brief")
    if brief is not None:
        qs = qs.filter(brief=brief)
    return qs.order_by("brief_id", "position")
