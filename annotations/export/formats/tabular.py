"""Row formats: CSV (for Excel), XLSX and JSON Lines, all writing presenters.excerpt_record()."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from annotations.export.formats.base import FLUSH_BYTES, ExportJob, buffered, xml_safe
from annotations.export.presenters import LIST_SEPARATOR, excerpt_record

BOM = "\ufeff"
# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and CR,
# may shift it into one): OWASP "CSV injection".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_WIDTHS = {"quote": 60, "context": 80, "note": 40, "tag_labels": 24, "citation": 60, "permalink": 40}


def neutralise(value: str) -> str:
    """Return the text with a leading apostrophe if a spreadsheet would read it as a formula."""
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


def _flat(value: Any) -> Any:
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    return "" if value is None else value


def csv_stream(job: ExportJob) -> Iterator[bytes]:
    """Yield the excerpts as CSV: UTF-8 with a BOM (so Excel reads Hangul), RFC 4180, CRLF."""
    columns = job.options.columns
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write(BOM)
    writer.writerow(columns)
    for annotation in job.rows:
        record = excerpt_record(annotation, job.options)
        writer.writerow(
            neutralise(v) if isinstance(v, str) else v for v in (_flat(record[c]) for c in columns)
        )
        if out.tell() >= FLUSH_BYTES // 3:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def jsonl_stream(job: ExportJob) -> Iterator[bytes]:
    """Yield one JSON object per excerpt and line, UTF-8 as is (no \\u escapes)."""
    return buffered(
        json.dumps(excerpt_record(annotation, job.options), ensure_ascii=False) + "\n"
        for annotation in job.rows
    )


def xlsx_write(job: ExportJob, file: BinaryIO) -> None:
    """Write the excerpts as an XLSX workbook, row by row (openpyxl write-only mode).

    Every text cell is written as an explicit string, never a formula, and a text that
    looks like one is also marked quotePrefix, as if typed with a leading apostrophe,
    so it stays text when edited. Cells keep their exact text.
    """
    columns = job.options.columns
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Excerpts")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(column, 14)
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for annotation in job.rows:
        record = excerpt_record(annotation, job.options)
        sheet.append([_xlsx_cell(sheet, _flat(record[c])) for c in columns])
    workbook.save(file)


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = xml_safe(value)
    if not (value.startswith(FORMULA_TRIGGERS) or value in ERROR_CODES):
        return value  # openpyxl writes a plain str as an inline string
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl made "=..." a formula and "#N/A" an error value
    cell.quotePrefix = True
    return cell
