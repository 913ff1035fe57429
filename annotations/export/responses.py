"""HTTP responses for an export, shared by the page and the API."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from annotations.export.services import ExportFile


def export_response(export: ExportFile) -> StreamingHttpResponse:
    """Return the export as a download, streamed as it is read."""
    response = StreamingHttpResponse(export.iter_bytes(), content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    # Proxies (nginx) would otherwise hold the whole stream back before sending it on.
    response["X-Accel-Buffering"] = "no"
    response["X-Export-Total"] = str(export.total)
    return response
