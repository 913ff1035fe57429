"""Briefs and sections, read-only, from the same selectors as the library and the reader."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from briefs import selectors
from briefs.models import Brief, Section
from briefs.schemas import BriefDetailOut, BriefPageOut, SectionOut, SectionPageOut
from config.api_support import ERRORS, OPEN_READ, offset_page

router = Router(tags=["briefs"])
sections_router = Router(tags=["briefs"])

MAX_LIMIT = 500


@router.get("", response={200: BriefPageOut, **ERRORS}, summary="List briefs", openapi_extra=OPEN_READ)
def brief_list(
    request: HttpRequest,
    language: str | None = Query(None, description="ko | en", examples=["ko"], max_length=8),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> dict:
    """Briefs, newest first, each with its number of sections."""
    return offset_page(request, selectors.brief_list(language=language), offset=offset, limit=limit)


@router.get(
    "/{slug}",
    response={200: BriefDetailOut, **ERRORS},
    url_name="brief_get",
    summary="Get a brief",
    openapi_extra=OPEN_READ,
)
def brief_get(request: HttpRequest, slug: str) -> Brief:
    """One brief with its sections in reading order."""
    return selectors.brief_get(slug=slug)


@sections_router.get(
    "", response={200: SectionPageOut, **ERRORS}, summary="List sections", openapi_extra=OPEN_READ
)
def section_list(
    request: HttpRequest,
    brief: str | None = Query(None, description="A brief's slug.", examples=["kinu-co-19-05"]),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> dict:
    """Sections in reading order, optionally of one brief."""
    brief_obj = get_object_or_404(Brief, slug=brief) if brief else None
    return offset_page(request, selectors.section_list(brief=brief_obj), offset=offset, limit=limit)


@sections_router.get(
    "/{section_id}",
    response={200: SectionOut, **ERRORS},
    url_name="section_get",
    summary="Get a section",
    openapi_extra=OPEN_READ,
)
def section_get(request: HttpRequest, section_id: int) -> Section:
    """One section with its text."""
    return selectors.section_list().get(pk=section_id)
