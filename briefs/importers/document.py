"""What an importer hands back: a document's metadata and its sections, not yet saved."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ParsedSection:
    heading: str
    level: int
    kind: str  # "summary" | "body"
    text: str  # paragraphs separated by a blank line; "" only for a heading with no text of its own
    # The page each paragraph of `text` starts on (same order), where the format has pages.
    pages: tuple[int | None, ...] = ()

    @property
    def page_start(self) -> int | None:
        return next((p for p in self.pages if p is not None), None)

    @property
    def page_end(self) -> int | None:
        return next((p for p in reversed(self.pages) if p is not None), None)


@dataclass
class ParsedDocument:
    title: str
    subtitle: str = ""
    organisation: str = ""
    series_code: str = ""
    authors: list[str] = field(default_factory=list)
    language: str = "ko"
    publication_year: int | None = None
    publication_date: str = ""  # ISO date, when the document states one
    source_url: str = ""
    copyright: str = ""
    notes: str = ""
    sections: list[ParsedSection] = field(default_factory=list)
    format: str = ""
    # What an editor should check: "no headings found", "the title looks like page furniture"…
    warnings: list[str] = field(default_factory=list)
    # The text the importer left out as page furniture, so an editor can see it.
    dropped: list[str] = field(default_factory=list)
    # The blocks the sections were made from (for --explain); empty for legacy readers.
    blocks: list[Any] = field(default_factory=list)
