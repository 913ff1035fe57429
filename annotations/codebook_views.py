"""The codebook editor's pages (editors only): categories and tags, retire/restore, order,
and the codebook as CSV or REFI-QDA file, out and in."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotations import codebook_editor as editor
from annotations import codebook_io
from annotations.codebook_forms import CategoryForm, CodebookImportForm, TagForm
from annotations.models import Category, Tag

FORBIDDEN = "annotations/codebook_forbidden.html"


def editor_required(view: Callable) -> Callable:
    """Sign-in first (a redirect to the login page), then the codebook permission (403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.has_perm("annotations.change_tag"):
            return render(request, FORBIDDEN, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _back(entry: Tag | Category) -> str:
    anchor = f"tag-{entry.code}" if isinstance(entry, Tag) else f"category-{entry.code}"
    return f"{reverse('codebook')}#{anchor}"


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        form.add_error(None, exc)


def _entry_page(request: HttpRequest, form_class, entry, save: Callable) -> HttpResponse:
    """Show an entry's form, or save it (the service decides) and go back to the codebook."""
    kind = "tag" if form_class is TagForm else "category"
    if request.method == "POST":
        form = form_class(request.POST, instance=entry)
        if form.is_valid():
            try:
                saved = save(form)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Saved “%(label)s”.") % {"label": saved.label()})
                if isinstance(saved, Tag):
                    for warning in editor.tag_warnings(saved):
                        messages.warning(request, warning)
                return redirect(_back(saved))
        status = 400
    else:
        initial = {"category": request.GET.get("category")} if kind == "tag" and entry is None else None
        form = form_class(instance=entry, initial=initial)
        status = 200
    context = {
        "form": form,
        "entry": entry,
        "kind": kind,
        "warnings": _live_warnings(form, kind),
        "contrast": {
            "ink": editor.INK,
            "strength": editor.HIGHLIGHT_STRENGTH,
            "minimum": editor.MIN_CONTRAST,
        },
    }
    return render(request, "annotations/codebook_entry.html", context, status=status)


def _live_warnings(form, kind: str) -> list[str]:
    colour = form["colour"].value() if kind == "tag" else None
    try:
        return [w for w in [editor.contrast_warning(editor.colour_normalise(colour))] if w] if colour else []
    except ValidationError:
        return []


@editor_required
@require_http_methods(["GET", "POST"])
def category_new(request: HttpRequest) -> HttpResponse:
    """Add a category."""
    return _entry_page(request, CategoryForm, None, lambda form: editor.category_create(fields=form.values()))


@editor_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Edit a category (refused if someone else saved it meanwhile)."""
    category = get_object_or_404(Category, code=code)
    return _entry_page(
        request,
        CategoryForm,
        category,
        lambda form: editor.category_update(
            category=category, fields=form.values(), expected_version=form.cleaned_data["version"] or None
        ),
    )


@editor_required
@require_http_methods(["GET", "POST"])
def tag_new(request: HttpRequest) -> HttpResponse:
    """Add a tag."""
    return _entry_page(request, TagForm, None, lambda form: editor.tag_create(fields=form.values()))


@editor_required
@require_http_methods(["GET", "POST"])
def tag_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Edit a tag (refused if someone else saved it meanwhile)."""
    tag = get_object_or_404(Tag, code=code)
    return _entry_page(
        request,
        TagForm,
        tag,
        lambda form: editor.tag_update(
            tag=tag, fields=form.values(), expected_version=form.cleaned_data["version"] or None
        ),
    )


@editor_required
@require_POST
def tag_retire(request: HttpRequest, code: str) -> HttpResponse:
    """Retire a tag: it stays on its annotations but is no longer offered."""
    return _set_active(request, code, active=False)


@editor_required
@require_POST
def tag_restore(request: HttpRequest, code: str) -> HttpResponse:
    """Offer a retired tag again (after the codebook's checks: its key or colour may be taken)."""
    return _set_active(request, code, active=True)


def _set_active(request: HttpRequest, code: str, *, active: bool) -> HttpResponse:
    tag = get_object_or_404(Tag, code=code)
    try:
        tag = editor.tag_set_active(tag=tag, active=active)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        done = (
            _("Restored “%(label)s”.") if active else _("Retired “%(label)s”: it stays on its annotations.")
        )
        messages.success(request, done % {"label": tag.label()})
    return redirect(_back(tag))


@editor_required
@require_POST
def move(request: HttpRequest, kind: str, code: str, direction: str) -> HttpResponse:
    """Move a tag within its category, or a category, one place up or down."""
    model = Tag if kind == "tag" else Category
    entry = get_object_or_404(model, code=code)
    editor.codebook_move(entry=entry, direction=editor.UP if direction == "up" else editor.DOWN)
    return redirect(_back(entry))


@editor_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    """Download the codebook as CSV."""
    response = HttpResponse(codebook_io.codebook_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="codebook.csv"'
    return response


@editor_required
@require_GET
def export_qdc(request: HttpRequest) -> HttpResponse:
    """Download the codebook as a REFI-QDA codebook, code names in the chosen language."""
    language = request.GET.get("lang") or get_language() or "en"
    language = "ko" if language.startswith("ko") else "en"
    data = codebook_io.codebook_qdc(language=language)
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="codebook-{language}.qdc"'
    return response


@editor_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Preview a codebook file (what it would create, update, leave), then apply it whole."""
    context: dict = {"form": CodebookImportForm()}
    if request.method == "GET":
        return render(request, "annotations/codebook_import.html", context)
    if "apply" in request.POST:
        try:
            data = base64.b64decode(request.POST.get("data", ""), validate=True)
        except (binascii.Error, ValueError):
            data = b""
        filename = request.POST.get("filename", "")
    else:
        form = CodebookImportForm(request.POST, request.FILES)
        context["form"] = form
        if not form.is_valid():
            return render(request, "annotations/codebook_import.html", context, status=400)
        upload = form.cleaned_data["file"]
        if upload.size > codebook_io.MAX_IMPORT_BYTES:
            form.add_error(
                "file",
                _("The file is larger than %(limit)s KB.") % {"limit": codebook_io.MAX_IMPORT_BYTES // 1024},
            )
            return render(request, "annotations/codebook_import.html", context, status=400)
        data, filename = upload.read(), upload.name
    try:
        plan = codebook_io.import_plan(codebook_io.codebook_parse(data, filename))
    except codebook_io.CodebookFileError as exc:
        context["file_error"] = str(exc)
        return render(request, "annotations/codebook_import.html", context, status=400)
    if "apply" in request.POST and plan.ok and request.POST.get("digest") == plan.digest():
        codebook_io.import_apply(plan)
        messages.success(
            request,
            _("Imported the codebook: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "created": plan.count("created"),
                "updated": plan.count("updated"),
                "unchanged": plan.count("unchanged"),
            },
        )
        return redirect("codebook")
    if "apply" in request.POST and plan.ok:
        context["changed_since"] = True
    context.update(
        plan=plan,
        filename=filename,
        data=base64.b64encode(data).decode("ascii"),
        digest=plan.digest(),
    )
    return render(request, "annotations/codebook_import.html", context, status=200 if plan.ok else 400)
