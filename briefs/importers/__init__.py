"""Document importers: bytes of a brief in one of the supported formats → ParsedDocument.

One module per format (`text`, `markdown`, `html`, `pdf`); `decode` turns bytes into text.
Nothing here touches the database: `briefs.services.brief_import` saves the result.
"""

from __future__ import annotations

from pathlib import PurePath

from briefs.importers.decode import sniff_binary
from briefs.importers.document import ParsedDocument, ParsedSection
from briefs.importers.errors import DocumentError

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "DocumentError",
    "ParsedDocument",
    "ParsedSection",
    "parse_document",
    "resolve_format",
]

FORMATS = ("txt", "md", "html", "pdf")
_ALIASES = {
    "txt": "txt",
    "text": "txt",
    "md": "md",
    "markdown": "md",
    "html": "html",
    "htm": "html",
    "xhtml": "html",
    "pdf": "pdf",
}
# File name extensions the importer takes, for file pickers (accept=...).
EXTENSIONS = tuple(f".{alias}" for alias in _ALIASES if alias not in ("text", "markdown"))


def resolve_format(data: bytes, *, filename: str, fmt: str | None = None) -> str:
    """Return the format to parse `data` as: `fmt` if given, else from the file's extension,
    else sniffed from the content."""
    if fmt:
        resolved = _ALIASES.get(fmt.lower().lstrip("."))
        if resolved is None:
            raise DocumentError(f"unsupported format {fmt!r} (expected one of: {', '.join(FORMATS)})")
        return resolved
    suffix = PurePath(filename).suffix.lower().lstrip(".") if filename else ""
    if suffix:
        resolved = _ALIASES.get(suffix)
        if resolved is None:
            raise DocumentError(f"unsupported file type '.{suffix}' (expected .txt, .md, .html or .pdf)")
        return resolved
    if data.startswith(b"%PDF-"):
        return "pdf"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    kind = sniff_binary(data)
    if kind:
        raise DocumentError(f"unsupported file type: looks like {kind}")
    return "txt"


def parse_document(data: bytes, *, filename: str, fmt: str | None = None) -> ParsedDocument:
    """Parse a document's bytes into metadata and sections (raises DocumentError)."""
    if not data:
        raise DocumentError("the file is empty")
    resolved = resolve_format(data, filename=filename, fmt=fmt)
    if resolved == "pdf":
        from briefs.importers.pdf import parse_pdf

        document = parse_pdf(data, filename=filename)
    else:
        from briefs.importers.decode import decode_text

        text = decode_text(data)
        if not text.strip():
            raise DocumentError("the file contains only whitespace")
        if resolved == "md":
            from briefs.importers.markdown import parse_markdown

            document = parse_markdown(text, filename=filename)
        elif resolved == "html":
            from briefs.importers.html import parse_html

            document = parse_html(text, filename=filename)
        else:
            from briefs.importers.text import parse_text

            document = parse_text(text, filename=filename)
    if not document.sections:
        raise DocumentError("no text found: the document yields no sections")
    return document
