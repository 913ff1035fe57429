"""The one intermediate model every format reader hands over: an ordered list of blocks.

A reader's job is to say what its format knows (element kinds, heading levels, list markers,
table rows, pages, positions, font sizes and weights, style names), not to flatten it to a
string. Decisions about structure are made afterwards, once, by `briefs.importers.classify`
(headings in layout formats) and `briefs.importers.sectioner` (blocks → title, metadata and
sections). Each block carries `why`: the reason it got its kind, for `import_brief --explain`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Kinds of block. A reader of a format that marks structure (HTML, Markdown, DOCX, HWPX) sets
# them from the markup; a layout reader (PDF, plain text) hands over PARAGRAPH blocks with their
# features and lets the classifier promote some to HEADING or FURNITURE.
TITLE = "title"  # the document's own title (HTML <h1> of the article, a PDF cover's largest text)
SUBTITLE = "subtitle"
HEADING = "heading"  # `level` 1 = top
PARAGRAPH = "paragraph"
LIST_ITEM = "list_item"  # `marker` holds "1.", "•", "가." …
TABLE = "table"  # `rows` holds the cells; `text` is the rows as text, one per line
CAPTION = "caption"  # of a table or a figure: kept in the body, never a heading
FOOTNOTE = "footnote"  # kept at the end of its section
QUOTE = "quote"
CODE = "code"
FURNITURE = "furniture"  # running header/footer, page number, navigation, TOC: never in a section

KINDS = (TITLE, SUBTITLE, HEADING, PARAGRAPH, LIST_ITEM, TABLE, CAPTION, FOOTNOTE, QUOTE, CODE, FURNITURE)
BODY_KINDS = (PARAGRAPH, LIST_ITEM, TABLE, CAPTION, QUOTE, CODE)


@dataclass
class Block:
    kind: str
    text: str
    level: int | None = None  # headings: 1 = top (the format's own level, or inferred)
    marker: str = ""  # list items and numbered headings: the marker as printed
    page: int | None = None  # 1-based page the block starts on, where the format has pages
    bbox: tuple[float, float, float, float] | None = None  # x0, top, x1, bottom in points
    font_size: float | None = None
    bold: bool = False
    font: str = ""
    style: str = ""  # DOCX/HWPX style name, HTML tag, Markdown token type
    rows: list[list[str]] | None = None  # tables
    why: str = ""  # why the block has its kind, for --explain
    features: dict[str, Any] = field(default_factory=dict)  # anything else a rule may read

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}")

    def relabel(self, kind: str, why: str, *, level: int | None = None) -> None:
        """Give the block another kind, saying why."""
        if kind not in KINDS:
            raise ValueError(f"unknown block kind {kind!r}")
        self.kind = kind
        self.why = why
        if level is not None:
            self.level = level


@dataclass
class BlockDocument:
    """What a reader hands over: the blocks and the metadata the format itself states."""

    blocks: list[Block]
    format: str
    # Metadata the format states (PDF info dictionary, HTML <meta>, front matter, DOCX core
    # properties): title, subtitle, authors (list), organisation, series_code, language,
    # publication_date (ISO string), publication_year (int), source_url, copyright, notes.
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # True when the reader already decided headings (structure formats); False asks the
    # sectioner to warn when a long text has none.
    structured: bool = True


def table_text(rows: list[list[str]]) -> str:
    """Return a table as text: one line per row, cells separated by a tab (empty cells kept, so
    the columns line up when pasted into a spreadsheet)."""
    lines = []
    for row in rows:
        cells = [" ".join(cell.split()) for cell in row]
        if any(cells):
            lines.append("\t".join(cells).rstrip("\t"))
    return "\n".join(lines)
