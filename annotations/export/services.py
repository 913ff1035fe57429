"""The export service: one entry for the page, the API and the command.

It reads only what the user may see (the selectors start from annotations_visible_to)
and returns either a stream of bytes (CSV, JSON Lines, Markdown, W3C) or a finished
temporary file (XLSX and DOCX are zip files and cannot be streamed as they are written).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.utils import timezone

from annotations.export.formats import FORMATS, ExportJob
from annotations.export.presenters import ExcerptOptions
from annotations.export.selectors import (
    CHUNK_SIZE,
    ExportFilters,
    excerpt_count,
    excerpt_list,
    excerpt_list_by_tag,
)
from annotations.selectors import User

# Zip formats stay in memory up to this size, then spill to a temporary file.
SPOOL_BYTES = 4 * 1024 * 1024


@dataclass
class ExportFile:
    """An export ready to send: chunks to stream, or a file positioned at its start."""

    filename: str
    content_type: str
    total: int
    chunks: Iterator[bytes] | None = None
    file: BinaryIO | None = None

    def iter_bytes(self, block_size: int = 64 * 1024) -> Iterator[bytes]:
        """Yield the export's bytes, whichever way it is held (closing the file at the end)."""
        if self.chunks is not None:
            yield from self.chunks
            return
        assert self.file is not None
        with self.file:
            while block := self.file.read(block_size):
                yield block


def excerpt_export(
    *,
    user: User,
    filters: ExportFilters,
    format: str,
    options: ExcerptOptions,
    source_url: str,
) -> ExportFile:
    """Export the excerpts the user may see that match the filters, in the given format.

    Streamed formats read the database while the chunks are consumed, through a
    server-side cursor; zip formats are written to a spooled temporary file first.
    The caller checks the export permission; the user decides what is visible.
    """
    export_format = FORMATS[format]
    select = excerpt_list_by_tag if export_format.by_tag else excerpt_list
    now = timezone.now()
    job = ExportJob(
        rows=select(user=user, filters=filters).iterator(chunk_size=CHUNK_SIZE),
        options=options,
        total=excerpt_count(user=user, filters=filters),
        source_url=source_url,
        exported_at=timezone.localtime(now),
        exported_by=user.get_username(),
    )
    filename = f"marginalia-excerpts-{timezone.localtime(now):%Y%m%d-%H%M%S}.{export_format.extension}"
    result = ExportFile(filename=filename, content_type=export_format.content_type, total=job.total)
    if export_format.stream is not None:
        result.chunks = export_format.stream(job)
        return result
    assert export_format.write is not None
    # Not a with-block: the file outlives this call, and the response (or caller) closes it.
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        export_format.write(job, file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    result.file = file
    return result
