"""HWPX: not yet read."""

from __future__ import annotations

from briefs.importers.blocks import BlockDocument
from briefs.importers.errors import DocumentError


def read_hwpx(data: bytes, *, filename: str = "") -> BlockDocument:
    raise DocumentError(".hwpx is not supported yet")
