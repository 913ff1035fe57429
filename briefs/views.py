from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from annotations.forms import AnnotationFilterForm
from annotations.reading import ReaderFilters, reader_build
from briefs import selectors
from briefs.forms import PER_PAGE, BriefImportForm, LibraryForm
from briefs.models import Brief, Section
from briefs.permissions import IMPORT_FORBIDDEN, can_import
from briefs.services import BriefImportError, brief_import

# Room for the form's other fields and the multipart framing around the file.
_FORM_OVERHEAD_BYTES = 64 * 1024


@require_GET
@vary_on_headers("HX-Request")
def library(request: HttpRequest) -> HttpResponse:
    """List the library's briefs, filtered, sorted and a page at a time (the table alone for htmx)."""
    options = selectors.brief_library_options()
    form = LibraryForm(request.GET, options=options)
    filters = form.filters()
    briefs = selectors.brief_library(user=request.user, **filters)
    page = Paginator(briefs, PER_PAGE).get_page(form.page_number())
    context = {
        "form": form,
        "filters": filters,
        "options": options,
        "page": page,
        "briefs": page.object_list,
        "sort_links": form.sort_links(),
        "prev_href": form.page_href(page.previous_page_number()) if page.has_previous() else "",
        "next_href": form.page_href(page.next_page_number()) if page.has_next() else "",
        "page_moved": page.number != form.page_number(),
    }
    template = "briefs/library.html#results" if request.headers.get("HX-Request") else "briefs/library.html"
    return render(request, template, context)


def _set_display_levels(sections: list[Section]) -> None:
    """Give each section the HTML heading level it is shown with (h2 for the shallowest,
    never more than one below the heading before it, so the outline has no gaps)."""
    levels = sorted({s.level for s in sections if s.heading})
    rank = {level: index for index, level in enumerate(levels)}
    previous = 1
    for section in sections:
        depth = 2 + rank.get(section.level, 0) if section.heading else 2
        section.display_level = min(depth, previous + 1, 6)
        previous = section.display_level


@require_GET
def reader(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        brief = selectors.brief_get(slug=slug)
    except Brief.DoesNotExist as exc:
        raise Http404("No brief with that address.") from exc
    sections = list(brief.sections.all())
    _set_display_levels(sections)
    filters = ReaderFilters(**AnnotationFilterForm(request.GET).filters())
    reader = reader_build(user=request.user, brief=brief, sections=sections, filters=filters)
    # htmx-style requests get the annotated body only: filters and sections.
    template = "briefs/reader.html#annotated" if request.headers.get("HX-Request") else "briefs/reader.html"
    return render(request, template, {"brief": brief, "sections": sections, "reader": reader})


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.headers.get("content-length") or 0)
    except ValueError:  # a malformed header: let Django's own parsing deal with the body
        return 0


@login_required
@require_http_methods(["GET", "POST"])
def brief_import_page(request: HttpRequest) -> HttpResponse:
    """Import a document as a brief (editors): the same service as `manage.py import_brief`."""
    if not can_import(request.user):
        raise PermissionDenied(IMPORT_FORBIDDEN)
    status = 200
    if request.method == "POST":
        limit = settings.MARGINALIA_MAX_IMPORT_BYTES
        if _declared_length(request) > limit + _FORM_OVERHEAD_BYTES:
            # Refused before Django reads the body into memory or a temporary file.
            refusal = (
                f"The upload is too large: the limit is {limit:,} bytes per document. Nothing was imported."
            )
            return render(
                request, "briefs/import.html", {"form": BriefImportForm(), "refusal": refusal}, status=413
            )
        form = BriefImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = brief_import(
                    data=upload.read(),
                    filename=upload.name,
                    metadata=form.metadata(),
                    replace=form.cleaned_data["replace"],
                )
            except BriefImportError as exc:
                form.add_error("file", f"{upload.name}: {exc}. Nothing was imported.")
            else:
                level = messages.INFO if result.status == "unchanged" else messages.SUCCESS
                messages.add_message(request, level, result.message)
                if result.status != "unchanged":
                    for warning in result.warnings:
                        messages.warning(request, f"Check this import: {warning}")
                return redirect("briefs:reader", result.brief.slug)
        status = 400
    else:
        form = BriefImportForm()
    return render(request, "briefs/import.html", {"form": form}, status=status)


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
