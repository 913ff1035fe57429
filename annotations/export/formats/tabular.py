"""Row formats: CSV (for Excel) and JSON Lines, writing ExcerptPresenter.record() (XLSX: xlsx.py)."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from typing import Any

import orjson

from annotations.export.formats.base import FLUSH_BYTES, ExportJob, buffered_bytes
from annotations.export.presenters import LIST_SEPARATOR, ExcerptPresenter

BOM = "\ufeff"
# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and CR,
# may shift it into one): OWASP "CSV injection".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# What a spreadsheet skips before it looks for "=": spaces of every width, line breaks and
# the invisible characters (zero-width space and joiners, word joiner, BOM, bidi marks).
_SKIPPED = "".join(chr(c) for c in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), 0x2060, 0xFEFF))


def looks_like_formula(text: str) -> bool:
    """Return whether a spreadsheet might read the text as a formula.

    Also behind leading spaces or invisible characters, and in full-width or small forms
    (＝, ＋, －, ＠, ﹦: IMEs type them, and some spreadsheets fold them to ASCII).
    """
    if not text or text[0].isalnum():  # most cells: no letter or digit folds to a trigger
        return False
    if text.startswith(FORMULA_TRIGGERS):
        return True
    rest = text.lstrip().lstrip(_SKIPPED).lstrip()
    return bool(rest) and unicodedata.normalize("NFKC", rest[0]) in ("=", "+", "-", "@")


def neutralise(value: str) -> str:
    """Return the text with a leading apostrophe if a spreadsheet would read it as a formula."""
    return f"'{value}" if looks_like_formula(value) else value


def cell_value(value: Any) -> Any:
    """Return a record's value for one spreadsheet cell: lists joined, None as empty."""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    return "" if value is None else value


# Columns whose values this site writes (numbers, ISO dates, the actor's code, a URL of its
# own): they never start like a formula, so their cells skip the check.
_OWN_COLUMNS = frozenset(
    {"id", "actor", "created_at", "updated_at", "publication_date", "publication_year"}
    | {"section_position", "page", "start", "end", "permalink"}
)


def _csv_cell(value: Any) -> Any:
    value = cell_value(value)
    return neutralise(value) if isinstance(value, str) else value


def csv_stream(job: ExportJob) -> Iterator[bytes]:
    """Yield the excerpts as CSV: UTF-8 with a BOM (so Excel reads Hangul), RFC 4180, CRLF."""
    columns = job.options.columns
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write(BOM)
    writer.writerow(columns)
    presenter = ExcerptPresenter(job.options)
    cells = [(c, cell_value if c in _OWN_COLUMNS else _csv_cell) for c in columns]
    for annotation in job.rows:
        record = presenter.record(annotation)
        writer.writerow([cell(record[c]) for c, cell in cells])
        if out.tell() >= FLUSH_BYTES // 3:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def jsonl_stream(job: ExportJob) -> Iterator[bytes]:
    """Yield one JSON object per excerpt and line, UTF-8 as is (no \\u escapes)."""
    presenter = ExcerptPresenter(job.options)
    return buffered_bytes(orjson.dumps(presenter.record(annotation)) + b"\n" for annotation in job.rows)
