"""What every format writer receives, and helpers they share."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from annotations.export.presenters import ExcerptOptions
from annotations.models import Annotation

# Flush to the client about every 64 KiB: small enough to stream, big enough to be cheap.
FLUSH_BYTES = 64 * 1024

# Characters XML 1.0 forbids (XLSX and DOCX are XML): C0 controls but tab, LF and CR.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class ExportJob:
    """One export: the rows to write (an iterator over a server-side cursor), how, and about what."""

    rows: Iterable[Annotation]
    options: ExcerptOptions
    total: int  # excerpts (not rows: the clip sheets list an excerpt once per tag)
    source_url: str  # absolute URL that reproduces this export; the W3C collection's id
    exported_at: datetime
    exported_by: str


def xml_safe(text: str) -> str:
    """Return text without the control characters XML cannot hold."""
    return XML_ILLEGAL.sub("", text)


def buffered(pieces: Iterable[str], *, encoding: str = "utf-8") -> Iterator[bytes]:
    """Join small strings into chunks of about FLUSH_BYTES encoded bytes."""
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= FLUSH_BYTES // 3:  # a Hangul syllable is 3 bytes in UTF-8
            yield "".join(buffer).encode(encoding)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode(encoding)


def buffered_bytes(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """Join small byte strings (already encoded, e.g. by orjson) into chunks of about FLUSH_BYTES."""
    buffer: list[bytes] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= FLUSH_BYTES:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


class ZipSink(io.RawIOBase):
    """A write-only, unseekable file that collects what a zip writer produces, to be sent on.

    zipfile writes to an unseekable file without going back: each entry's sizes and
    checksum follow it in a data descriptor. So a zip (XLSX, DOCX) can go out as it grows.
    """

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self.pending = 0  # bytes written and not yet drained

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        self.pending += len(data)
        return len(data)

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self.pending = 0
        return data
