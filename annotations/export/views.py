"""The export page (a GET form with a live count) and the download it submits to."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annotations.export.forms import ExportForm
from annotations.export.permissions import EXPORT_FORBIDDEN, can_export
from annotations.export.responses import export_response
from annotations.export.selectors import excerpt_count
from annotations.export.services import excerpt_export

View = Callable[..., HttpResponseBase]


def export_required(view: View) -> View:
    """Send visitors to sign in, and answer 403 with an explanation to users who may not export."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_export(request.user):
            context = {"message": EXPORT_FORBIDDEN}
            return render(request, "annotations/export_forbidden.html", context, status=403)
        return view(request, *args, **kwargs)

    return wrapped


def site_url(request: HttpRequest) -> str:
    """Return the site's origin as the request reached it, e.g. "https://example.org"."""
    return request.build_absolute_uri("/").rstrip("/")


@require_GET
@export_required
def export_page(request: HttpRequest) -> HttpResponse:
    """Show the export form with the number of matching excerpts (just that count for htmx)."""
    form = ExportForm(request.GET)
    count = excerpt_count(user=request.user, filters=form.filters()) if form.is_valid() else None
    partial = request.headers.get("HX-Request") == "true"
    template = "annotations/export.html#count" if partial else "annotations/export.html"
    return render(request, template, {"form": form, "count": count})


@require_GET
@export_required
def download(request: HttpRequest) -> HttpResponseBase:
    """Send the export the form describes as a file (the form again, with errors, if invalid)."""
    form = ExportForm(request.GET)
    if not form.is_valid():
        return render(request, "annotations/export.html", {"form": form, "count": None}, status=400)
    export = excerpt_export(
        user=request.user,
        filters=form.filters(),
        format=form.cleaned_data["format"],
        options=form.options(base_url=site_url(request)),
        source_url=request.build_absolute_uri(),
    )
    return export_response(export)
