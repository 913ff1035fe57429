from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from annotations.forms import AnnotationFilterForm
from annotations.reading import ReaderFilters, reader_build
from briefs import selectors
from briefs.models import Brief


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    briefs = selectors.brief_list(language=request.GET.get("language") or None)
    return render(request, "briefs/library.html", {"briefs": briefs})


@require_GET
def reader(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        brief = selectors.brief_get(slug=slug)
    except Brief.DoesNotExist as exc:
        raise Http404("No brief with that address.") from exc
    sections = list(brief.sections.all())
    filters = ReaderFilters(**AnnotationFilterForm(request.GET).filters())
    reader = reader_build(user=request.user, brief=brief, sections=sections, filters=filters)
    # htmx-style requests get the annotated body only: filters and sections.
    template = "briefs/reader.html#annotated" if request.headers.get("HX-Request") else "briefs/reader.html"
    return render(request, template, {"brief": brief, "sections": sections, "reader": reader})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("OK\n", content_type="text/plain")
