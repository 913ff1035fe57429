from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from search.forms import ANNOTATIONS, SECTIONS, SearchForm
from search.presenters import annotation_hits, section_hits
from search.selectors import SearchMode, annotation_search, section_search
from search.suggest import did_you_mean

RESULTS_PER_PAGE = 20


def _suggestion_url(request: HttpRequest, suggestion: str) -> str:
    """Return this search with the corrected query, from its first page."""
    params = request.GET.copy()
    params["q"] = suggestion
    for name in ("page", "kind"):
        params.pop(name, None)
    return "?" + params.urlencode()


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search sections and the annotations the user may see; show one list, count both."""
    form = SearchForm(request.GET or None)
    context: dict = {"form": form, "page": None, "hits": [], "query": None}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = form.filters()
        found_sections = section_search(query=data["q"], **filters)
        found_annotations = annotation_search(
            query=data["q"], user=request.user, tags=list(data["tag"]), **filters
        )
        sections = Paginator(found_sections, RESULTS_PER_PAGE)
        annotations = Paginator(found_annotations, RESULTS_PER_PAGE)
        # Without a choice, the list that found something: sections unless only annotations did.
        kind = data["kind"] or (ANNOTATIONS if annotations.count and not sections.count else SECTIONS)
        if kind == ANNOTATIONS:
            page = annotations.get_page(request.GET.get("page"))
            hits = annotation_hits(annotations=page.object_list, query=data["q"])
        else:
            page = sections.get_page(request.GET.get("page"))
            hits = section_hits(sections=page.object_list, query=data["q"])
        # Every word matched as a word: nothing is misspelt (an unknown word fails the AND).
        matched_words = bool(hits) and hits[0].mode == SearchMode.FTS
        suggestion = None if matched_words else did_you_mean(data["q"])
        context.update(
            suggestion=suggestion,
            suggestion_url=_suggestion_url(request, suggestion) if suggestion else None,
            page=page,
            hits=hits,
            query=data["q"],
            kind=kind,
            section_count=sections.count,
            annotation_count=annotations.count,
        )
    template = "search/search.html#results" if request.headers.get("HX-Request") else "search/search.html"
    return render(request, template, context)
