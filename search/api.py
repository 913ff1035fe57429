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
from django.utils import translation
from ninja import Query, Router

from config.api_support import ERRORS, OPEN_READ, offset_page, signed_in_auth
from search.forms import SearchForm
from search.presenters import annotation_hits, marked_text, section_hits
from search.schemas import AnnotationSearchPage, AnnotationSearchParams, SearchParams, SectionSearchPage
from search.selectors import SearchMode, annotation_search, section_search
from search.suggest import did_you_mean

router = Router(tags=["search"])


def _valid_form(request: HttpRequest) -> SearchForm:
    """Validate the query string with the search page's form; raise a 400 naming the field."""
    form = SearchForm(request.GET)
    with translation.override("en"):  # API error bodies are English, whatever the cookie says
        if not form.is_valid():
            name, errors = next(iter(form.errors.items()))
            raise ValidationError({name: ValidationError(str(errors[0]), code="bad_request")})
    return form


def _suggestion(query, items: list) -> str | None:
    # As on the page: only when the words did not all match as words.
    if items and getattr(items[0], "search_mode", None) == SearchMode.FTS:
        return None
    return did_you_mean(query)


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
    form = _valid_form(request)
    query = form.cleaned_data["q"]
    page = offset_page(
        request, section_search(query=query, **form.filters()), offset=params.offset, limit=params.limit
    )
    page["did_you_mean"] = _suggestion(query, page["items"])
    page["items"] = [
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
        for hit in section_hits(sections=page["items"], query=query)
    ]
    return page


@router.get(
    "/annotations",
    auth=signed_in_auth,
    response={200: AnnotationSearchPage, **ERRORS},
    summary="Search annotations",
)
def search_annotations(request: HttpRequest, params: Query[AnnotationSearchParams]) -> dict:
    """Annotations you may see (yours and everyone's shared ones; anonymous callers get a
    401) whose quote, note or tag labels speak of the query, most relevant first."""
    form = _valid_form(request)
    query = form.cleaned_data["q"]
    found = annotation_search(
        query=query, user=request.user, tags=list(form.cleaned_data["tag"]), **form.filters()
    )
    page = offset_page(request, found, offset=params.offset, limit=params.limit)
    page["did_you_mean"] = _suggestion(query, page["items"])
    page["items"] = [
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
        for hit in annotation_hits(annotations=page["items"], query=query)
    ]
    return page
