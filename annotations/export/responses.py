"""HTTP responses for an export, shared by the page and the API."""

from __future__ import annotations

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from annotations.export.services import ExportFile


def export_response(export: ExportFile) -> FileResponse | StreamingHttpResponse:
    """Return the export as a download: streamed as it is read, or the finished file."""
    response: FileResponse | StreamingHttpResponse
    if export.file is not None:
        response = FileResponse(
            export.file, as_attachment=True, filename=export.filename, content_type=export.content_type
        )
    else:
        response = StreamingHttpResponse(export.iter_bytes(), content_type=export.content_type)
        response["Content-Disposition"] = content_disposition_header(True, export.filename)
        # Proxies (nginx) would otherwise hold the whole stream back before sending it on.
        response["X-Accel-Buffering"] = "no"
    response["X-Export-Total"] = str(export.total)
    return response
