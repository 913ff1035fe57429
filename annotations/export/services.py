"""The export service: one entry for the page, the API and the command.

It reads only what the user may see (the selectors start from annotations_visible_to)
and returns a stream of bytes, produced as the rows come through a server-side cursor:
text formats line by line, the zip formats (XLSX, DOCX) as their zip grows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from annotations.export.formats import FORMATS, ExportJob
from annotations.export.presenters import ExcerptOptions
from annotations.export.selectors import (
    ExportFilters,
    excerpt_count,
    excerpt_list,
    excerpt_list_by_tag,
    excerpt_rows,
)
from annotations.selectors import User


@dataclass
class ExportFile:
    """An export ready to send: its name, type, excerpt count and the chunks to stream."""

    filename: str
    content_type: str
    total: int
    chunks: Iterator[bytes]

    def iter_bytes(self) -> Iterator[bytes]:
        """Yield the export's bytes (reading the database as they are consumed)."""
        return self.chunks


def excerpt_export(
    *,
    user: User,
    filters: ExportFilters,
    format: str,
    options: ExcerptOptions,
    source_url: str,
) -> ExportFile:
    """Export the excerpts the user may see that match the filters, in the given format.

    The database is read while the chunks are consumed, through a server-side cursor.
    The caller checks the export permission; the user decides what is visible.
    """
    export_format = FORMATS[format]
    select = excerpt_list_by_tag if export_format.by_tag else excerpt_list
    now = timezone.now()
    job = ExportJob(
        rows=excerpt_rows(select(user=user, filters=filters), context=options.context),
        options=options,
        total=excerpt_count(user=user, filters=filters),
        source_url=source_url,
        exported_at=timezone.localtime(now),
        exported_by=user.get_username(),
    )
    filename = f"marginalia-excerpts-{timezone.localtime(now):%Y%m%d-%H%M%S}.{export_format.extension}"
    return ExportFile(
        filename=filename,
        content_type=export_format.content_type,
        total=job.total,
        chunks=export_format.stream(job),
    )
