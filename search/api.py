"""GET /api/v1/search/sections and /annotations: the search page's query, filters and ranking.

The parameters go through the page's SearchForm (one set of rules: an empty, overlong or
punctuation-only query is a 400 with the same message the page shows) and the same
selectors and presenters, so the API finds exactly what the page finds, private annotations
of others never among them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router

from config.api_support import ERRORS, OPEN_READ, next_page_url
from search.forms import SearchForm
from search.presenters import annotation_hits, marked_text, section_hits
from search.schemas import AnnotationSearchPage, AnnotationSearchParams, SearchParams, SectionSearchPage
from search.selectors import annotation_search, section_search

router = Router(tags=["search"])


def _filters(request: HttpRequest) -> dict[str, Any]:
    """Validate the query string with the search page's form; raise a 400 naming the field."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        raise ValidationError({name: ValidationError(errors[0], code="bad_request")})
    return form.cleaned_data


def _page(request: HttpRequest, qs, offset: int, limit: int) -> tuple[list, int, str | None]:
    count = qs.count()
    return list(qs[offset : offset + limit]), count, next_page_url(request, offset + limit, count)


def _marked(pieces) -> dict[str, Any]:
    text, spans = marked_text(pieces)
    return {"text": text, "highlights": spans}


@router.get(
    "/sections",
    response={200: SectionSearchPage, **ERRORS},
    summary="Search sections",
    openapi_extra=OPEN_READ,
)
def search_sections(request: HttpRequest, params: Query[SearchParams]) -> dict:
    """Sections of every brief that speak of the query, most relevant first, each with a
    snippet whose matched words are given as code-point spans."""
    data = _filters(request)
    qs = section_search(
        query=data["q"],
        brief=data["brief"],
        language=data["language"] or None,
        year_from=data["year_from"],
        year_to=data["year_to"],
    )
    rows, count, next_url = _page(request, qs, params.offset, params.limit)
    items = [
        {
            "section": hit.section.pk,
            "brief": hit.brief.slug,
            "brief_title": hit.brief.title,
            "position": hit.section.position,
            "heading": _marked(hit.heading_pieces),
            "snippet": _marked(hit.snippet_pieces),
            "rank": hit.rank,
            "mode": hit.mode,
            "url": request.build_absolute_uri(hit.url),
        }
        for hit in section_hits(sections=rows, query=data["q"])
    ]
    return {"items": items, "count": count, "next": next_url}


@router.get(
    "/annotations",
    response={200: AnnotationSearchPage, **ERRORS},
    summary="Search annotations",
    openapi_extra=OPEN_READ,
)
def search_annotations(request: HttpRequest, params: Query[AnnotationSearchParams]) -> dict:
    """Annotations you may see (yours and everyone's shared ones; none for anonymous callers)
    whose quote, note or tag labels speak of the query, most relevant first."""
    data = _filters(request)
    qs = annotation_search(
        query=data["q"],
        user=request.user,
        tag=data["tag"],
        brief=data["brief"],
        language=data["language"] or None,
        year_from=data["year_from"],
        year_to=data["year_to"],
    )
    rows, count, next_url = _page(request, qs, params.offset, params.limit)
    items = [
        {
            "annotation": hit.annotation.pk,
            "brief": hit.brief.slug,
            "section": hit.annotation.section_id,
            "section_heading": hit.section_label,
            "quote": _marked(hit.quote_pieces),
            "note": _marked(hit.note_pieces),
            "tags": [tag.code for tag in hit.tags],
            "actor": hit.annotation.actor,
            "author": hit.author,
            "visibility": hit.annotation.visibility,
            "rank": hit.rank,
            "mode": hit.mode,
            "url": request.build_absolute_uri(hit.url),
        }
        for hit in annotation_hits(annotations=rows, query=data["q"])
    ]
    return {"items": items, "count": count, "next": next_url}
