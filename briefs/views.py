from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from annotations.forms import AnnotationFilterForm
from annotations.reading import ReaderFilters, reader_build
from briefs import selectors
from briefs.forms import BriefEditForm, BriefImportForm, SectionEditFormSet
from briefs.models import Brief, Section
from briefs.permissions import (
    DELETE_FORBIDDEN,
    EDIT_FORBIDDEN,
    IMPORT_FORBIDDEN,
    can_delete,
    can_edit,
    can_import,
)
from briefs.services import (
    BriefDeleteError,
    BriefEditError,
    BriefImportError,
    brief_changes,
    brief_delete,
    brief_import,
    brief_state,
    brief_update,
)

# Room for the form's other fields and the multipart framing around the file.
_FORM_OVERHEAD_BYTES = 64 * 1024


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    briefs = selectors.brief_list(language=request.GET.get("language") or None)
    return render(request, "briefs/library.html", {"briefs": briefs})


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


# Editing and deleting briefs (editors) ------------------------------------------------------


def _brief_or_404(slug: str) -> Brief:
    brief = Brief.objects.filter(slug=slug).first()
    if brief is None:
        raise Http404("No brief with that address.")
    return brief


def _forbidden(request: HttpRequest, template: str, message: str) -> HttpResponse:
    return render(request, template, {"forbidden": message}, status=403)


def _section_rows(formset: SectionEditFormSet, sections: list[Section]) -> list[tuple[Any, Section | None]]:
    """Pair each section form with its section (None for an id that is not this brief's)."""
    by_id = {section.pk: section for section in sections}
    rows = []
    for form in formset.forms:
        raw = form["id"].value()
        rows.append((form, by_id.get(int(raw)) if str(raw).isdigit() else None))
    return rows


def _edit_error(exc: BriefEditError, form: BriefEditForm, formset: SectionEditFormSet) -> None:
    """Show a refusal of the service beside the field it is about (or above the form)."""
    if exc.section_id is not None:
        for section_form in formset.forms:
            if section_form.cleaned_data.get("id") == exc.section_id:
                section_form.add_error(exc.field, f"{exc}.")
                return
    form.add_error(exc.field if exc.field in form.fields else None, f"{exc}. Nothing was saved.")


@login_required
@require_http_methods(["GET", "POST"])
def brief_edit_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit a brief's metadata and its sections' headings and levels (editors)."""
    if not can_edit(request.user):
        return _forbidden(request, "briefs/edit.html", EDIT_FORBIDDEN)
    brief = _brief_or_404(slug)
    sections = list(brief.sections.order_by("position"))
    if request.method == "POST":
        form = BriefEditForm(request.POST)
        formset = SectionEditFormSet(request.POST, prefix="sections")
        if form.is_valid() and formset.is_valid():
            before = brief_state(brief)
            try:
                brief = brief_update(
                    brief=brief,
                    fields=form.metadata(),
                    sections=formset.edits(),
                    expected_updated_at=form.cleaned_data["updated_at"],
                )
            except BriefEditError as exc:
                _edit_error(exc, form, formset)
            else:
                changes = brief_changes(before, brief_state(brief), detail=False)
                saved = f"Saved your changes: {', '.join(changes)}." if changes else "Nothing was changed."
                messages.success(request, saved)
                return redirect("briefs:reader", brief.slug)
        status = 400
    else:
        form = BriefEditForm.for_brief(brief)
        initial = [{"id": s.pk, "heading": s.heading, "level": s.level} for s in sections]
        formset = SectionEditFormSet(initial=initial, prefix="sections")
        status = 200
    context = {"brief": brief, "form": form, "formset": formset, "rows": _section_rows(formset, sections)}
    return render(request, "briefs/edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def brief_delete_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Show what deleting a brief takes with it; delete it on POST (editors)."""
    if not can_delete(request.user):
        return _forbidden(request, "briefs/delete.html", DELETE_FORBIDDEN)
    brief = _brief_or_404(slug)
    refusal, status = None, 200
    if request.method == "POST":
        try:
            result = brief_delete(
                user=request.user, brief=brief, with_annotations=request.POST.get("with_annotations") == "1"
            )
        except BriefDeleteError as exc:
            refusal, status = f"{exc}. Nothing was deleted.", 409
        else:
            messages.success(request, f"Deleted the brief “{result.title}” ({result.message}).")
            return redirect("briefs:library")
    preview = selectors.brief_delete_preview(user=request.user, brief=brief)
    context = {"brief": brief, "preview": preview, "refusal": refusal}
    return render(request, "briefs/delete.html", context, status=status)
