from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from annotations.claims.overview import brief_claims_overview
from annotations.forms import AnnotationFilterForm
from annotations.reading import ReaderFilters, SectionBound, reader_build
from briefs import import_jobs, previews, selectors
from briefs.forms import (
    PER_PAGE,
    BriefEditForm,
    BriefUploadForm,
    LibraryForm,
    PreviewMetadataForm,
    ReimportForm,
    SectionEditFormSet,
)
from briefs.importers.budget import import_budget
from briefs.models import Brief, ImportPreview, Section
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
    BriefDeleteResult,
    BriefEditError,
    BriefImportError,
    ImportResult,
    brief_changes,
    brief_delete,
    brief_state,
    brief_update,
)

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
        raise Http404(_("No brief with that address.")) from exc
    sections = list(brief.sections.all())
    _set_display_levels(sections)
    filters = ReaderFilters(**AnnotationFilterForm(request.GET).filters())
    bound = _reader_bound(request, sections)
    reader = reader_build(user=request.user, brief=brief, sections=sections, filters=filters, bound=bound)
    for rs in reader.sections:
        if rs.hidden > 0 and len(rs.annotations) < settings.MARGINALIA_READER_MAX_ANNOTATIONS:
            rs.more_url = _more_url(request, rs.section, len(rs.annotations) + bound.per_section)
    context = {"brief": brief, "sections": sections, "reader": reader}
    if request.headers.get("HX-Request") and bound.section_id is not None:
        # "Show more" in one section's margin: that section alone.
        rs = next(rs for rs in reader.sections if rs.section.pk == bound.section_id)
        return render(request, "briefs/reader.html#section", {**context, "rs": rs})
    if request.headers.get("HX-Request"):
        # htmx-style requests get the annotated body only: filters and sections.
        return render(request, "briefs/reader.html#annotated", context)
    # The Claims panel sits outside the annotated body: only the whole page counts it (one query).
    context["claims"] = brief_claims_overview(user=request.user, brief=brief)
    return render(request, "briefs/reader.html", context)


def _reader_bound(request: HttpRequest, sections: list[Section]) -> SectionBound:
    """Return how many annotations each section shows: the bound, or more for the one section
    named by ?more=<section id>&limit=<n> (never past MARGINALIA_READER_MAX_ANNOTATIONS)."""
    per_section = settings.MARGINALIA_READER_ANNOTATIONS_PER_SECTION
    section_id, limit = request.GET.get("more", ""), request.GET.get("limit", "")
    if not (section_id.isascii() and section_id.isdigit() and limit.isascii() and limit.isdigit()):
        return SectionBound(per_section=per_section)
    if len(section_id) > 12 or int(section_id) not in {s.pk for s in sections}:
        return SectionBound(per_section=per_section)
    limit_n = min(int(limit[:7]), settings.MARGINALIA_READER_MAX_ANNOTATIONS)
    return SectionBound(per_section=per_section, section_id=int(section_id), limit=max(limit_n, per_section))


def _more_url(request: HttpRequest, section: Section, limit: int) -> str:
    query = request.GET.copy()
    query["more"], query["limit"] = str(section.pk), str(limit)
    return f"?{query.urlencode()}#{section.anchor}"


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.headers.get("content-length") or 0)
    except ValueError:  # a malformed header: let Django's own parsing deal with the body
        return 0


def _too_large(request: HttpRequest, *, files: int) -> str | None:
    """Say so when the request is larger than its documents may be, before reading its body."""
    limit = settings.MARGINALIA_MAX_IMPORT_BYTES
    if _declared_length(request) <= limit * files + _FORM_OVERHEAD_BYTES:
        return None
    return _("The upload is too large: the limit is %(limit)s bytes per document. Nothing was imported.") % {
        "limit": f"{limit:,}"
    }


def _editor(request: HttpRequest) -> None:
    if not can_import(request.user):
        raise PermissionDenied(IMPORT_FORBIDDEN)


def _import_status(request: HttpRequest) -> dict[str, Any]:
    jobs = [
        (job, import_jobs.import_job_status(job)) for job in import_jobs.import_job_list(owner=request.user)
    ]
    return {
        "previews": previews.preview_list(owner=request.user),
        "jobs": jobs,
        "jobs_active": any(job.state in import_jobs.ACTIVE and status != "stalled" for job, status in jobs),
    }


def _import_page(request: HttpRequest, form: BriefUploadForm, *, status: int = 200, **extra) -> HttpResponse:
    context = {"form": form, **_import_status(request), **extra}
    return render(request, "briefs/import.html", context, status=status)


def _read_in_background(
    request: HttpRequest, uploads: list[Any], *, replaces: Brief | None = None
) -> HttpResponse:
    jobs = import_jobs.import_jobs_create(
        owner=request.user, uploads=[(upload.name, upload.read()) for upload in uploads], replaces=replaces
    )
    messages.info(
        request,
        ngettext(
            "%(count)d document is being read in the background; its progress is shown here, and "
            "its preview is listed when it is ready.",
            "%(count)d documents are being read in the background; their progress is shown here, "
            "and each preview is listed when it is ready.",
            len(jobs),
        )
        % {"count": len(jobs)},
    )
    return redirect(f"{reverse('briefs:import')}#import-status")


@login_required
@require_http_methods(["GET", "POST"])
def brief_import_page(request: HttpRequest) -> HttpResponse:
    """Upload documents (editors): each is read into a preview; nothing is saved yet."""
    _editor(request)
    if request.method == "GET":
        return _import_page(request, BriefUploadForm())
    refusal = _too_large(request, files=2)
    if refusal:
        return _import_page(request, BriefUploadForm(), status=413, refusal=refusal)
    form = BriefUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    uploads = form.cleaned_data["files"]
    if import_jobs.runs_in_background([upload.size for upload in uploads]):
        return _read_in_background(request, uploads)
    made, refused = [], []
    with import_budget(settings.MARGINALIA_IMPORT_SECONDS):
        for upload in uploads:
            try:
                made.append(
                    previews.preview_create(owner=request.user, data=upload.read(), filename=upload.name)
                )
            except BriefImportError as exc:
                refused.append(
                    _("%(file)s: %(reason)s. Nothing was imported.") % {"file": upload.name, "reason": exc}
                )
    if len(made) == 1 and not refused:
        return redirect("briefs:preview", made[0].token)
    for preview in made:
        messages.success(
            request, _("%(file)s: read; check its preview and confirm it.") % {"file": preview.filename}
        )
    if refused:
        for reason in refused:
            form.add_error("files", reason)
        return _import_page(request, form, status=400 if not made else 200)
    return redirect("briefs:import")


@login_required
@require_GET
def import_status(request: HttpRequest) -> HttpResponse:
    """The import page's uploads being read and previews waiting (htmx polls it while a
    background reading goes on)."""
    _editor(request)
    if not request.headers.get("HX-Request"):
        return redirect("briefs:import")
    context = {**_import_status(request), "polled": True}
    return render(request, "briefs/import.html#status", context)


@login_required
@require_POST
def import_job_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Stop an upload being read in the background, or dismiss one that could not be read."""
    _editor(request)
    try:
        filename = import_jobs.import_job_cancel(owner=request.user, token=token)
    except import_jobs.ImportJobError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _("%(file)s: removed; nothing was imported.") % {"file": filename})
    return redirect(f"{reverse('briefs:import')}#import-status")


def _preview_page(
    request: HttpRequest, preview: ImportPreview, *, status: int = 200, **extra
) -> HttpResponse:
    metadata = preview.document["metadata"]
    form = PreviewMetadataForm(
        initial=PreviewMetadataForm.initial_from(metadata), fixed_slug=preview.replaces_id is not None
    )
    return _preview_render(request, preview, form, status=status, **extra)


def _preview_render(
    request: HttpRequest,
    preview: ImportPreview,
    form: PreviewMetadataForm,
    *,
    status: int = 200,
    done: str = "",
    error: str = "",
    focus: int | None = None,
) -> HttpResponse:
    context = {
        "preview": preview,
        "form": form,
        "sections": preview.document["sections"],
        "summary": previews.preview_summary(preview),
        "state": previews.preview_state(preview=preview, user=request.user),
        "levels": previews.LEVELS,
        "done": done,
        "error": error,
        "focus": focus,
    }
    template = "briefs/preview.html#sections" if request.headers.get("HX-Request") else "briefs/preview.html"
    return render(request, template, context, status=status)


def _gone(request: HttpRequest, exc: previews.PreviewError) -> HttpResponse:
    if request.headers.get("HX-Request"):
        # Not a fragment to swap in: the whole page says it (the preview's own address does).
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "briefs/preview_gone.html", {"reason": str(exc), "brief": exc.brief}, status=410)


@login_required
@require_GET
def preview_page(request: HttpRequest, token: str) -> HttpResponse:
    """Show what the importer found in an upload, for the editor to correct and confirm."""
    _editor(request)
    try:
        preview = previews.preview_get(owner=request.user, token=token)
    except previews.PreviewGone as exc:
        return _gone(request, exc)
    if preview.confirmed_at is not None:
        return _gone(
            request, previews.PreviewError(_("This preview was already confirmed."), brief=preview.brief)
        )
    return _preview_page(request, preview)


@login_required
@require_POST
def preview_correct(request: HttpRequest, token: str) -> HttpResponse:
    """Apply one correction to a preview's sections (htmx swaps the sections in place)."""
    _editor(request)
    op, _sep, paragraph = request.POST.get("op", "").partition(":")
    try:
        preview, done, focus = previews.preview_correct(
            owner=request.user,
            token=token,
            version=request.POST.get("version"),
            op=op,
            section=_index(request.POST.get("section")),
            paragraph=_index(paragraph or "0"),
            heading=request.POST.get("heading", ""),
            level=request.POST.get("level"),
        )
    except previews.PreviewGone as exc:
        return _gone(request, exc)
    except previews.PreviewError as exc:
        preview = previews.preview_get(owner=request.user, token=token)
        status = 409 if isinstance(exc, previews.StalePreview) or preview.confirmed_at else 400
        return _preview_page(request, preview, status=status, error=str(exc))
    if request.headers.get("HX-Request"):
        return _preview_page(request, preview, done=done, focus=focus)
    messages.success(request, done)
    return redirect(f"{reverse('briefs:preview', args=[preview.token])}#preview-section-{focus + 1}")


def _index(value: str | None) -> int:
    """Return a 0-based index from a form value; -1 (never a valid index) for anything else."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 9 else -1


@login_required
@require_POST
def preview_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Save the metadata as corrected, then (unless only saving) the brief, in one transaction."""
    _editor(request)
    try:
        preview = previews.preview_get(owner=request.user, token=token)
    except previews.PreviewGone as exc:
        return _gone(request, exc)
    form = PreviewMetadataForm(request.POST, fixed_slug=preview.replaces_id is not None)
    if not form.is_valid():
        return _preview_render(request, preview, form, status=400, error=_("Check the details marked below."))
    version = request.POST.get("version")
    try:
        if request.POST.get("action") == "save":
            previews.preview_set_metadata(
                owner=request.user, token=token, version=version, metadata=form.cleaned_data
            )
            messages.success(request, _("The details are saved in the preview; nothing is imported yet."))
            return redirect("briefs:preview", token)
        with import_budget(settings.MARGINALIA_IMPORT_SECONDS):
            result = previews.preview_confirm(
                owner=request.user, token=token, version=version, metadata=form.cleaned_data
            )
    except previews.PreviewGone as exc:
        return _gone(request, exc)
    except previews.PreviewError as exc:
        preview.refresh_from_db()
        if preview.confirmed_at is not None:
            return _gone(request, exc)
        status = 409 if isinstance(exc, previews.StalePreview) or exc.brief else 400
        return _preview_render(request, preview, form, status=status, error=str(exc))
    messages.success(request, _imported(result))
    return redirect("briefs:reader", result.brief.slug)


def _imported(result: ImportResult) -> str:
    """Say what confirming a preview did, in the reader's language (result.message is the
    command line's)."""
    count = result.brief.sections.count()
    values = {"title": result.brief.title, "slug": result.brief.slug, "count": count}
    if result.status == "replaced":
        return (
            ngettext(
                "Replaced “%(title)s” (%(slug)s) with its new version: %(count)d section.",
                "Replaced “%(title)s” (%(slug)s) with its new version: %(count)d sections.",
                count,
            )
            % values
        )
    return (
        ngettext(
            "Imported “%(title)s” (%(slug)s): %(count)d section.",
            "Imported “%(title)s” (%(slug)s): %(count)d sections.",
            count,
        )
        % values
    )


@login_required
@require_POST
def preview_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Throw a preview away: nothing of it was saved, and nothing is."""
    _editor(request)
    try:
        filename = previews.preview_cancel(owner=request.user, token=token)
    except previews.PreviewError as exc:
        return _gone(request, exc)
    messages.info(request, _("%(file)s: cancelled; nothing was imported.") % {"file": filename})
    return redirect("briefs:import")


@login_required
@require_http_methods(["GET", "POST"])
def brief_reimport(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a new version of a brief's document: previewed with what it keeps and changes."""
    _editor(request)
    brief = get_object_or_404(Brief, slug=slug)
    status = 200
    form = ReimportForm()
    if request.method == "POST":
        if refusal := _too_large(request, files=1):
            return render(
                request,
                "briefs/reimport.html",
                {"brief": brief, "form": form, "refusal": refusal},
                status=413,
            )
        form = ReimportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if import_jobs.runs_in_background([upload.size]):
                return _read_in_background(request, [upload], replaces=brief)
            try:
                with import_budget(settings.MARGINALIA_IMPORT_SECONDS):
                    preview = previews.preview_create(
                        owner=request.user, data=upload.read(), filename=upload.name, replaces=brief
                    )
            except BriefImportError as exc:
                form.add_error(
                    "file",
                    _("%(file)s: %(reason)s. Nothing was imported.") % {"file": upload.name, "reason": exc},
                )
            else:
                return redirect("briefs:preview", preview.token)
        status = 400
    return render(request, "briefs/reimport.html", {"brief": brief, "form": form}, status=status)


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


def _deleted(result: BriefDeleteResult) -> str:
    """Say what deleting a brief did, in the reader's language (result.message is the
    command line's)."""
    said = ngettext(
        "Deleted the brief “%(title)s” (%(slug)s, %(count)d section).",
        "Deleted the brief “%(title)s” (%(slug)s, %(count)d sections).",
        result.sections,
    ) % {"title": result.title, "slug": result.slug, "count": result.sections}
    if result.tombstones:
        said += " " + ngettext(
            "%(deleted)d annotation deleted; %(kept)d kept as a deletion record for sync.",
            "%(deleted)d annotations deleted; %(kept)d kept as deletion records for sync.",
            result.annotations_deleted,
        ) % {"deleted": result.annotations_deleted, "kept": result.tombstones}
    return said


def _brief_or_404(slug: str) -> Brief:
    brief = Brief.objects.filter(slug=slug).first()
    if brief is None:
        raise Http404(_("No brief with that address."))
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
    form.add_error(
        exc.field if exc.field in form.fields else None, _("%(reason)s. Nothing was saved.") % {"reason": exc}
    )


def _change_label(form: BriefEditForm, key: str) -> str:
    """Name a change brief_changes reports ("publication date", "section 3") as the page does."""
    field = form.fields.get(key.replace(" ", "_"))
    if field is not None and field.label:
        label = str(field.label)
        return label[:1].lower() + label[1:]
    _word, _sep, number = key.partition(" ")
    if number.isdigit():
        return _("section %(position)s") % {"position": number}
    return key


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
                changes = [
                    _change_label(form, key)
                    for key in brief_changes(before, brief_state(brief), detail=False)
                ]
                saved = (
                    _("Saved your changes: %(changes)s.") % {"changes": ", ".join(changes)}
                    if changes
                    else _("Nothing was changed.")
                )
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
            refusal, status = _("%(reason)s. Nothing was deleted.") % {"reason": exc}, 409
        else:
            messages.success(request, _deleted(result))
            return redirect("briefs:library")
    preview = selectors.brief_delete_preview(user=request.user, brief=brief)
    context = {"brief": brief, "preview": preview, "refusal": refusal}
    return render(request, "briefs/delete.html", context, status=status)
