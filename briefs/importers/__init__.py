"""Document importers: bytes of a brief in one of the supported formats → ParsedDocument.

One reader module per format (`text`, `markdown`, `html`, `pdf`, `docx`, `hwpx`), each turning
its format into blocks (`blocks.BlockDocument`: kinds, levels, pages, fonts, styles); one shared
`sectioner` turns blocks into the brief. `decode` turns bytes into text for the text formats.
Nothing here touches the database: `briefs.services.brief_import` saves the result.
"""

from __future__ import annotations

from pathlib import PurePath

from django.utils.translation import gettext, gettext_lazy

from briefs.importers.blocks import BlockDocument
from briefs.importers.budget import budget_check
from briefs.importers.decode import sniff_binary
from briefs.importers.document import ParsedDocument, ParsedSection
from briefs.importers.errors import DocumentError
from briefs.importers.sectioner import document_from_blocks

__all__ = [
    "EXTENSIONS",
    "IMPORTER_VERSION",
    "FORMATS",
    "DocumentError",
    "ParsedDocument",
    "ParsedSection",
    "parse_document",
    "resolve_format",
]

FORMATS = ("txt", "md", "html", "pdf", "docx", "hwpx")
# Bumped whenever a change to the readers or the sectioner can change what a document yields;
# stored on every brief, so `import_brief --replace` knows a re-parse is worth it.
IMPORTER_VERSION = 2
_ALIASES = {
    "txt": "txt",
    "text": "txt",
    "md": "md",
    "markdown": "md",
    "html": "html",
    "htm": "html",
    "xhtml": "html",
    "pdf": "pdf",
    "docx": "docx",
    "hwpx": "hwpx",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HWP5_MESSAGE = gettext_lazy(
    "binary HWP (HWP 5) files cannot be read; in Hangul, save the document as HWPX "
    "(File → Save As → .hwpx) or print it to PDF, and import that"
)
_SUPPORTED = ".txt, .md, .html, .pdf, .docx or .hwpx"
# File name extensions the importer takes, for file pickers (accept=...).
EXTENSIONS = tuple(f".{alias}" for alias in _ALIASES if alias not in ("text", "markdown"))


def resolve_format(data: bytes, *, filename: str, fmt: str | None = None) -> str:
    """Return the format to parse `data` as: `fmt` if given, else from the file's extension,
    else sniffed from the content."""
    if fmt:
        resolved = _ALIASES.get(fmt.lower().lstrip("."))
        if resolved is None:
            raise DocumentError(
                gettext("unsupported format %(format)r (expected one of: %(formats)s)")
                % {"format": fmt, "formats": ", ".join(FORMATS)}
            )
        return resolved
    suffix = PurePath(filename).suffix.lower().lstrip(".") if filename else ""
    if suffix:
        resolved = _ALIASES.get(suffix)
        if suffix == "hwp" or (resolved is None and data.startswith(_OLE_MAGIC)):
            raise DocumentError(
                _HWP5_MESSAGE
                if suffix == "hwp"
                else gettext(
                    "unsupported file type: looks like an "
                    "old Office (OLE) file; save it as .docx, .hwpx or PDF and import that"
                )
            )
        if suffix == "doc":
            raise DocumentError(
                gettext("old Word .doc files are not supported; save it as .docx or PDF and import that")
            )
        if resolved is None:
            raise DocumentError(
                gettext("unsupported file type '.%(suffix)s' (expected %(supported)s)")
                % {"suffix": suffix, "supported": _SUPPORTED}
            )
        return resolved
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(_OLE_MAGIC):
        raise DocumentError(_HWP5_MESSAGE)
    if data.startswith(b"PK\x03\x04"):
        if b"word/" in data[:4096]:
            return "docx"
        if b"Contents/" in data[:65536] or b"hwpml" in data[:4096].lower():
            return "hwpx"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    kind = sniff_binary(data)
    if kind:
        raise DocumentError(f"unsupported file type: looks like {kind}")
    return "txt"


def _read(data: bytes, *, filename: str, resolved: str) -> BlockDocument | ParsedDocument:
    if resolved == "pdf":
        from briefs.importers.pdf import read_pdf

        return read_pdf(data, filename=filename)
    if resolved == "docx":
        from briefs.importers.docx import read_docx

        return read_docx(data, filename=filename)
    if resolved == "hwpx":
        from briefs.importers.hwpx import read_hwpx

        return read_hwpx(data, filename=filename)
    from briefs.importers.decode import decode_text

    text = decode_text(data)
    if not text.strip():
        raise DocumentError(gettext("the file contains only whitespace"))
    if resolved == "md":
        from briefs.importers.markdown import read_markdown

        return read_markdown(text, filename=filename)
    if resolved == "html":
        from briefs.importers.html import read_html

        return read_html(text, filename=filename)
    from briefs.importers.text import read_text

    return read_text(text, filename=filename)


def parse_document(data: bytes, *, filename: str, fmt: str | None = None) -> ParsedDocument:
    """Parse a document's bytes into metadata and sections (raises DocumentError)."""
    if not data:
        raise DocumentError(gettext("the file is empty"))
    resolved = resolve_format(data, filename=filename, fmt=fmt)
    read = _read(data, filename=filename, resolved=resolved)
    budget_check()
    document = document_from_blocks(read, filename=filename) if isinstance(read, BlockDocument) else read
    budget_check()
    if not any(section.text for section in document.sections):
        raise DocumentError(gettext("no text found: the document yields no sections"))
    return document
