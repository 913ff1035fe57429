"""DOCX: not yet read."""

from __future__ import annotations

from briefs.importers.blocks import BlockDocument
from briefs.importers.errors import DocumentError


def read_docx(data: bytes, *, filename: str = "") -> BlockDocument:
    raise DocumentError(".docx is not supported yet")
