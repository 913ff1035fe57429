"""GET /api/v1/exports/: the export as one call; the file comes back with Content-Disposition.

Refusals are raised, not returned, so config.api answers them like every other
endpoint: JSON {"detail", "field"} with 401, 403 or 400.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import Query, Router

from accounts.auth import NotAuthenticated
from annotations.export.forms import ExportForm, form_errors
from annotations.export.permissions import EXPORT_FORBIDDEN, can_export
from annotations.export.responses import export_response
from annotations.export.schemas import ExportErrorOut, ExportQuery
from annotations.export.services import excerpt_export
from annotations.export.views import site_url

router = Router(tags=["export"])


@router.get(
    "/",
    url_name="export_excerpts",
    response=dict.fromkeys((400, 401, 403, 422), ExportErrorOut),
    openapi_extra={"responses": {200: {"description": "The export file (Content-Disposition: attachment)."}}},
    summary="Export excerpts as CSV, XLSX, JSON Lines, W3C JSON-LD, Markdown or DOCX",
)
def export_excerpts(request: HttpRequest, query: Query[ExportQuery]) -> HttpResponseBase:
    """Return the excerpts the caller may see that match the filters, as a file (editors only)."""
    if not request.user.is_authenticated:
        raise NotAuthenticated("Sign in, or send Authorization: Bearer <token>, to export excerpts.")
    if not can_export(request.user):
        raise PermissionDenied(EXPORT_FORBIDDEN)
    # The page's form validates here too, so both refuse the same input the same way.
    data = query.model_dump()
    data["tags"] = list(dict.fromkeys([*data["tags"], *data.pop("tag")]))
    form = ExportForm(data)
    if not form.is_valid():
        raise ValidationError(form_errors(form), code="bad_request")
    export = excerpt_export(
        user=request.user,
        filters=form.filters(),
        format=form.cleaned_data["format"],
        options=form.options(base_url=site_url(request)),
        source_url=request.build_absolute_uri(),
    )
    return export_response(export)
