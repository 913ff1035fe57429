"""The export formats: each streams its bytes as the rows are read (zip formats included)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from annotations.export.formats.base import ExportJob
from annotations.export.formats.clipsheet import docx_stream, markdown_stream
from annotations.export.formats.collection import w3c_stream
from annotations.export.formats.tabular import csv_stream, jsonl_stream
from annotations.export.formats.xlsx import xlsx_stream
from annotations.w3c import JSONLD_MEDIA_TYPE


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str  # lazily translated
    extension: str
    content_type: str
    stream: Callable[[ExportJob], Iterator[bytes]]
    by_tag: bool = False  # clip sheets list an excerpt under each of its tags
    binary: bool = False  # a zip file, not text (never written to a terminal)


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("csv", _("CSV (Excel)"), "csv", "text/csv; charset=utf-8", stream=csv_stream),
        ExportFormat(
            "xlsx",
            _("Excel workbook (XLSX)"),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            stream=xlsx_stream,
            binary=True,
        ),
        ExportFormat(
            "md",
            _("Clip sheet (Markdown)"),
            "md",
            "text/markdown; charset=utf-8",
            by_tag=True,
            stream=markdown_stream,
        ),
        ExportFormat(
            "docx",
            _("Clip sheet (Word)"),
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            by_tag=True,
            stream=docx_stream,
            binary=True,
        ),
        ExportFormat(
            "jsonl", _("JSON Lines"), "jsonl", "application/jsonl; charset=utf-8", stream=jsonl_stream
        ),
        ExportFormat(
            "w3c", _("W3C Web Annotation (JSON-LD)"), "jsonld", JSONLD_MEDIA_TYPE, stream=w3c_stream
        ),
    )
}
FORMAT_CHOICES = [(f.key, f.label) for f in FORMATS.values()]

__all__ = ["FORMATS", "FORMAT_CHOICES", "ExportFormat", "ExportJob"]
