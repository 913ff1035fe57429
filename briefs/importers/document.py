"""What an importer hands back: a document's metadata and its sections, not yet saved."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ParsedSection:
    heading: str
    level: int
    kind: str  # "summary" | "body"
    text: str  # paragraphs separated by a blank line


@dataclass
class ParsedDocument:
    title: str
    subtitle: str = ""
    organisation: str = ""
    series_code: str = ""
    authors: list[str] = field(default_factory=list)
    language: str = "ko"
    publication_year: int | None = None
    copyright: str = ""
    notes: str = ""
    sections: list[ParsedSection] = field(default_factory=list)
    format: str = ""
