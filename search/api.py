"""GET /api/v1/search/sections and /annotations: the search page's query, filters and ranking.

The parameters go through the page's SearchForm (one set of rules: an empty, overlong or
punctuation-only query is a 400 with the same message the page shows) and the same
selectors and presenters, so the API finds exactly what the page finds, private annotations
of others never among them.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router

from config.api_support import ERRORS, OPEN_READ, next_page_url
from search.forms import SearchForm
from search.presenters import annotation_hits, marked_text, section_hits
from search.schemas import AnnotationSearchPage, SectionSearchPage
from search.selectors import annotation_search, section_search

router = Router(tags=["search"])

MAX_LIMIT = 100
Q_DESCRIPTION = (
    "Words (Korean particles and endings do not matter: 제재를 finds 제재), English words "
    '(stemmed), a "quoted phrase" for exact text; partial words and typos fall back to '
    "substring and similarity matching."
)


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
def search_sections(
    request: HttpRequest,
    q: str = Query(..., description=Q_DESCRIPTION, examples=["제재 완화"]),
    brief: str | None = Query(None, description="A brief's slug.", examples=["kinu-co-19-05"]),
    language: Literal["ko", "en"] | None = Query(None),
    year_from: int | None = Query(None, ge=1800, le=2200, description="Published in or after."),
    year_to: int | None = Query(None, ge=1800, le=2200, description="Published in or before."),
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=100_000),
) -> dict:
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
    rows, count, next_url = _page(request, qs, offset, limit)
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
def search_annotations(
    request: HttpRequest,
    q: str = Query(..., description=Q_DESCRIPTION, examples=["종전선언"]),
    tag: str | None = Query(None, description="A tag code.", examples=["end-of-war-declaration"]),
    brief: str | None = Query(None, description="A brief's slug.", examples=["kinu-co-19-05"]),
    language: Literal["ko", "en"] | None = Query(None),
    year_from: int | None = Query(None, ge=1800, le=2200),
    year_to: int | None = Query(None, ge=1800, le=2200),
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=100_000),
) -> dict:
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
    rows, count, next_url = _page(request, qs, offset, limit)
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
