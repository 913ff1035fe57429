"""A claims view's table as CSV or XLSX, with what was counted and when written above it.

The table is queries.claims_table_rows(payload), the one tabular form of a payload. Both
formats keep the exports' spreadsheet safety: a label a spreadsheet would read as a formula
("=1+1", "＝HYPERLINK(…)") stays text (formats/tabular.py's rule), and text is cut to what an
Excel cell holds. The tables are small (rows are briefs, tags or periods), so the files are
built whole rather than streamed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from annotations.claims.queries import claims_table_rows
from annotations.export.formats.base import xml_safe
from annotations.export.formats.tabular import BOM, looks_like_formula, neutralise
from annotations.export.formats.xlsx import excel_text

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_BOLD = Font(bold=True)


def filename(kind: str, day: dt.date, extension: str) -> str:
    """Return a download's file name, like claims-matrix-2026-12-02.csv (no extension if empty)."""
    stem = f"claims-{kind}-{day:%Y-%m-%d}"
    return f"{stem}.{extension}" if extension else stem


def head_lines(title: str, describe: Sequence[tuple[str, str]], generated_at: dt.datetime) -> list[str]:
    """Return the lines written above the table: the view, when it was counted, its filters."""
    return [
        f"Marginalia: {title}",
        f"{_('Generated')}: {generated_at.isoformat(timespec='seconds')}",
        *(f"{label}: {value}" for label, value in describe),
    ]


def claims_csv(*, header: Sequence[str], rows: Sequence[Sequence[Any]], head: Sequence[str]) -> bytes:
    """Return the table as CSV for Excel: UTF-8 with a BOM (Hangul), CRLF, the head as # lines."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    for line in head:
        # A leading "#" marks the line as a comment to a reader that skips them (pandas'
        # comment="#"), and can never start a formula.
        writer.writerow([f"# {line}"])
    writer.writerow([])
    for row in (header, *rows):
        writer.writerow(neutralise(v) if isinstance(v, str) else ("" if v is None else v) for v in row)
    return out.getvalue().encode("utf-8")


def _put(sheet: Any, row: int, column: int, value: Any, *, bold: bool = False) -> None:
    """Write one cell; text always as text (never a formula), quote-prefixed if it looks like one."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        text = excel_text(xml_safe(value))
        cell.value = text
        cell.data_type = "s"  # openpyxl makes "=…" a formula and "#N/A" an error; it is neither
        if looks_like_formula(text) or text.strip() in ERROR_CODES:
            cell.quotePrefix = True
    elif isinstance(value, dt.datetime):
        cell.value = value.replace(tzinfo=None)  # Excel has no zones: the site's local time
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    else:
        cell.value = value
    if bold:
        cell.font = _BOLD


def claims_xlsx(
    *,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    describe: Sequence[tuple[str, str]],
    generated_at: dt.datetime,
) -> bytes:
    """Return the table as an XLSX workbook: a head block, then the table with an autofilter."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Claims")[:31]
    _put(sheet, 1, 1, f"Marginalia: {title}", bold=True)
    _put(sheet, 2, 1, _("Generated"), bold=True)
    _put(sheet, 2, 2, generated_at)
    for number, (label, value) in enumerate(describe, start=3):
        _put(sheet, number, 1, label, bold=True)
        _put(sheet, number, 2, value)
    first = 3 + len(describe) + 1  # a blank row between the head and the table
    for column, value in enumerate(header, start=1):
        _put(sheet, first, column, value, bold=True)
    for number, row in enumerate(rows, start=first + 1):
        for column, value in enumerate(row, start=1):
            if value not in (None, ""):
                _put(sheet, number, column, value)
    last_column = get_column_letter(max(1, len(header)))
    sheet.auto_filter.ref = f"A{first}:{last_column}{first + len(rows)}"
    sheet.freeze_panes = f"B{first + 1}"
    sheet.column_dimensions["A"].width = 48
    for column in range(2, len(header) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 16
    book.properties.title = f"Marginalia: {title}"
    book.properties.created = generated_at.astimezone(dt.UTC).replace(tzinfo=None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def claims_download(
    *,
    kind: str,
    extension: str,
    title: str,
    payload: dict[str, Any],
    describe: Sequence[tuple[str, str]],
    generated_at: dt.datetime,
) -> HttpResponse:
    """Return a payload's table as a CSV or XLSX attachment named after the view and the day."""
    header, rows = claims_table_rows(payload)
    if extension == "csv":
        content = claims_csv(header=header, rows=rows, head=head_lines(title, describe, generated_at))
    else:
        content = claims_xlsx(
            title=title, header=header, rows=rows, describe=describe, generated_at=generated_at
        )
    response = HttpResponse(content, content_type=FORMATS[extension])
    response["Content-Disposition"] = content_disposition_header(
        True, filename(kind, generated_at.date(), extension)
    )
    return response
