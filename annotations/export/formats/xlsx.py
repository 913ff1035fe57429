"""XLSX, streamed: SpreadsheetML written row by row into a zip that goes out as it grows.

An XLSX file is a zip of XML parts. Only the worksheet grows with the rows; it is written
last, through a deflating zip entry whose compressed bytes are handed to the client every
FLUSH_BYTES, so the download starts at once and memory stays flat whatever the row count.
The zip is written without seeking (sizes and checksums follow each entry in a data
descriptor, as any streaming zip writer does); spreadsheet readers (Excel, LibreOffice,
openpyxl) accept it.

Strings are inline (t="inlineStr"): a shared-string table would need every string before
the sheet. Text that a spreadsheet would read as a formula or an error value ("=…", "#N/A")
gets the quotePrefix style, as if typed with a leading apostrophe; it is always written as
a string, never as a formula. Dates are date cells (serial numbers with a date format, in the
site's local time), permalinks are hyperlinks (their relationships written after the sheet,
which is why the sheet keeps the list), and the frozen header row carries an autofilter.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from annotations.export.formats.base import FLUSH_BYTES, ExportJob, ZipSink, xml_safe
from annotations.export.formats.tabular import cell_value, looks_like_formula
from annotations.export.presenters import ExcerptPresenter

SHEET_NAME = "Excerpts"
_WIDTHS = {"quote": 60, "context": 80, "note": 40, "tag_labels": 24, "citation": 60, "permalink": 40}
# Cell styles (cellXfs indexes in styles.xml).
_PLAIN, _HEADER, _QUOTED, _DATETIME, _DATE, _LINK = 0, 1, 2, 3, 4, 5
# Columns written as spreadsheet dates (serial numbers with a date format), so they sort,
# filter by month and compute; the site's local time, as the page shows it (Excel has no zones).
_DATETIME_COLUMNS = frozenset({"created_at", "updated_at"})
_DATE_COLUMNS = frozenset({"publication_date"})
_LINK_COLUMNS = frozenset({"permalink"})
# Excel's limits: a cell holds at most 32,767 characters (UTF-16 code units), and a sheet at
# most 65,530 hyperlinks; past either it declares the file damaged and "repairs" it away.
CELL_MAX_UNITS = 32_767
MAX_HYPERLINKS = 65_530
TRUNCATED = "…"

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PARTS = {  # part name: content type
    "/xl/workbook.xml": f"{_SPREADSHEET}.sheet.main+xml",
    "/xl/worksheets/sheet1.xml": f"{_SPREADSHEET}.worksheet+xml",
    "/xl/styles.xml": f"{_SPREADSHEET}.styles+xml",
    "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
}


def _relationships(*targets: tuple[str, str]) -> str:
    items = "".join(
        f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(targets, start=1)
    )
    return f'{_XML}<Relationships xmlns="{_PACKAGE}/relationships">{items}</Relationships>'


_CONTENT_TYPES = (
    f'{_XML}<Types xmlns="{_PACKAGE}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    + "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in _PARTS.items())
    + "</Types>"
)
_ROOT_RELS = _relationships(
    (f"{_OFFICE_RELS}/officeDocument", "xl/workbook.xml"),
    (f"{_PACKAGE}/relationships/metadata/core-properties", "docProps/core.xml"),
)
_WORKBOOK = (
    f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_OFFICE_RELS}">'
    f'<sheets><sheet name="{SHEET_NAME}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = _relationships(
    (f"{_OFFICE_RELS}/worksheet", "worksheets/sheet1.xml"), (f"{_OFFICE_RELS}/styles", "styles.xml")
)
_FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
_XF = 'fillId="0" borderId="0" xfId="0"'
_DATETIME_FORMAT, _DATE_FORMAT = 164, 165  # custom numFmt ids start at 164
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    f'<numFmts count="2"><numFmt numFmtId="{_DATETIME_FORMAT}" formatCode="yyyy-mm-dd hh:mm:ss"/>'
    f'<numFmt numFmtId="{_DATE_FORMAT}" formatCode="yyyy-mm-dd"/></numFmts>'
    f'<fonts count="3"><font>{_FONT}</font><font><b/>{_FONT}</font>'
    f'<font><u/><color rgb="FF0563C1"/>{_FONT}</font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    # _PLAIN, _HEADER (bold), _QUOTED (quotePrefix), _DATETIME, _DATE, _LINK (blue, underlined)
    f'<cellXfs count="6"><xf numFmtId="0" fontId="0" {_XF}/>'
    f'<xf numFmtId="0" fontId="1" {_XF} applyFont="1"/>'
    f'<xf numFmtId="0" fontId="0" {_XF} quotePrefix="1"/>'
    f'<xf numFmtId="{_DATETIME_FORMAT}" fontId="0" {_XF} applyNumberFormat="1"/>'
    f'<xf numFmtId="{_DATE_FORMAT}" fontId="0" {_XF} applyNumberFormat="1"/>'
    f'<xf numFmtId="0" fontId="2" {_XF} applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _core(job: ExportJob) -> str:
    created = job.exported_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    creator = escape(xml_safe(job.exported_by))
    return (
        f'{_XML}<cp:coreProperties xmlns:cp="{_PACKAGE}/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>Marginalia excerpts</dc:title><dc:creator>{creator}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
        "</cp:coreProperties>"
    )


def _sheet_head(columns: Sequence[str]) -> str:
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{_WIDTHS.get(c, 14)}" customWidth="1"/>'
        for i, c in enumerate(columns, start=1)
    )
    return (
        f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_OFFICE_RELS}">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        "</sheetView></sheetViews>"
        f"<cols>{widths}</cols><sheetData>"
    )


def _cell(ref: str, value: Any, style: int = _PLAIN) -> str:
    if value.__class__ is str:  # most cells: straight to the text cell
        return _text_cell(ref, value, style) if value else ""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{style}"><v>{to_excel(value)!r}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return _text_cell(ref, str(value), style)


def _text_cell(ref: str, value: str, style: int) -> str:
    text = excel_text(xml_safe(value))
    # A letter or digit first is neither a formula nor an error code (those start with #).
    if (
        style == _PLAIN
        and not text[:1].isalnum()
        and (looks_like_formula(text) or text.strip() in ERROR_CODES)
    ):
        style = _QUOTED
    styled = f' s="{style}"' if style else ""
    # As saxutils.escape, and a CR as a reference: a literal one would read back as LF.
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'


def excel_text(text: str) -> str:
    """Return the text cut to what one Excel cell holds (with an ellipsis), never inside a character."""
    if len(text) <= CELL_MAX_UNITS // 2:  # the common case, whatever the characters
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > CELL_MAX_UNITS:
            kept, total = [], 0
            for c in text[:index]:
                width = 2 if ord(c) > 0xFFFF else 1
                if total + width > CELL_MAX_UNITS - len(TRUNCATED):
                    break
                kept.append(c)
                total += width
            return "".join(kept) + TRUNCATED
    return text


def _row(number: int, letters: Sequence[str], values: Sequence[Any], styles: Sequence[int]) -> str:
    cells = "".join(
        _cell(f"{letter}{number}", v, style) for letter, v, style in zip(letters, values, styles, strict=True)
    )
    return f'<row r="{number}">{cells}</row>'


def _column_style(column: str) -> int:
    if column in _DATETIME_COLUMNS:
        return _DATETIME
    if column in _DATE_COLUMNS:
        return _DATE
    return _LINK if column in _LINK_COLUMNS else _PLAIN


def _spreadsheet_value(column: str, value: Any) -> Any:
    """Return the record's value as the cell holds it: dates as dates, the rest as cell_value()."""
    if value and column in _DATETIME_COLUMNS:
        # Local time to the second, as displayed: the zone is the site's (TIME_ZONE).
        return dt.datetime.fromisoformat(value).replace(tzinfo=None, microsecond=0)
    if value and column in _DATE_COLUMNS:
        return dt.date.fromisoformat(value)
    return cell_value(value)


def _sheet_tail(columns: Sequence[str], last_row: int, links: Sequence[tuple[str, str]]) -> str:
    # Order matters in a worksheet: sheetData, autoFilter, ..., hyperlinks.
    last_column = get_column_letter(len(columns))
    tail = f'</sheetData><autoFilter ref="A1:{last_column}{last_row}"/>'
    if links:
        items = "".join(
            f'<hyperlink ref="{ref}" r:id="rId{i}"/>' for i, (ref, _) in enumerate(links, start=1)
        )
        tail += f"<hyperlinks>{items}</hyperlinks>"
    return tail + "</worksheet>"


def _sheet_relationships(links: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f'<Relationship Id="rId{i}" Type="{_OFFICE_RELS}/hyperlink" '
        f'Target="{escape(url, {chr(34): "&quot;"})}" TargetMode="External"/>'
        for i, (_, url) in enumerate(links, start=1)
    )
    return f'{_XML}<Relationships xmlns="{_PACKAGE}/relationships">{items}</Relationships>'


def xlsx_stream(job: ExportJob) -> Iterator[bytes]:
    """Yield the excerpts as an XLSX workbook, a chunk about every FLUSH_BYTES of zip."""
    columns = job.options.columns
    letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
    sink = ZipSink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, text in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("docProps/core.xml", _core(job)),
            ("xl/workbook.xml", _WORKBOOK),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/styles.xml", _STYLES),
        ):
            archive.writestr(name, text)
        styles = [_column_style(c) for c in columns]
        link_columns = [i for i, c in enumerate(columns) if c in _LINK_COLUMNS]
        links: list[tuple[str, str]] = []  # (cell, URL): the permalinks, clickable
        last_row = 1
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            buffer = [_sheet_head(columns), _row(1, letters, columns, [_HEADER] * len(columns))]
            size = 0
            presenter = ExcerptPresenter(job.options)
            for number, annotation in enumerate(job.rows, start=2):
                record = presenter.record(annotation)
                values = [_spreadsheet_value(c, record[c]) for c in columns]
                row = _row(number, letters, values, styles)
                if len(links) < MAX_HYPERLINKS:  # past the limit the URL stays, as text
                    links.extend((f"{letters[i]}{number}", values[i]) for i in link_columns if values[i])
                buffer.append(row)
                last_row = number
                size += len(row)
                if size >= FLUSH_BYTES:
                    sheet.write("".join(buffer).encode("utf-8"))
                    buffer, size = [], 0
                    if sink.pending >= FLUSH_BYTES // 4:
                        yield sink.drain()
            buffer.append(_sheet_tail(columns, last_row, links))
            sheet.write("".join(buffer).encode("utf-8"))
        if links:
            archive.writestr("xl/worksheets/_rels/sheet1.xml.rels", _sheet_relationships(links))
    yield sink.drain()
