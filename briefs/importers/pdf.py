"""PDF: the text layer (pypdf), laid out as lines, then the plain-text repairs.

The extractor's own text keeps no paragraph breaks, so the lines are rebuilt from the text
positions: a wider vertical gap than the usual line pitch, or a change of font size, becomes a
blank line, which is what the plain-text repairs read as a paragraph or heading boundary.
"""

from __future__ import annotations

import io
import math
import statistics
import warnings
from dataclasses import dataclass

from pypdf import PageObject, PdfReader

from briefs.importers.decode import normalise_text
from briefs.importers.document import ParsedDocument
from briefs.importers.errors import DocumentError
from briefs.importers.text import document_from_repair, repair_text

_JUNK_TITLES = ("untitled", "anonymous", "microsoft word", ".doc", ".hwp", ".pdf")


@dataclass
class _Line:
    text: str = ""
    y: float | None = None
    size: float = 0.0


def _page_lines(page: PageObject) -> list[_Line]:
    lines: list[_Line] = [_Line()]

    def visit(text: str, cm: list[float], tm: list[float], font_dict: object, font_size: float) -> None:
        if not text:
            return
        pieces = text.split("\n")
        for index, piece in enumerate(pieces):
            line = lines[-1]
            if piece.strip() and line.y is None:
                line.y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                line.size = font_size * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
            line.text += piece
            if index < len(pieces) - 1:
                lines.append(_Line())

    page.extract_text(visitor_text=visit)
    return [line for line in lines if line.text.strip()]


def layout_text(lines: list[_Line]) -> str:
    """Return the lines as text with a blank line wherever the layout shows a break."""
    gaps = [
        a.y - b.y
        for a, b in zip(lines, lines[1:], strict=False)
        if a.y is not None and b.y is not None and a.y > b.y and math.isclose(a.size, b.size, rel_tol=0.05)
    ]
    pitch = statistics.median(gaps) if gaps else None
    out: list[str] = []
    for index, line in enumerate(lines):
        if index and pitch and line.y is not None and lines[index - 1].y is not None:
            previous = lines[index - 1]
            gap = previous.y - line.y
            resized = not math.isclose(previous.size, line.size, rel_tol=0.1)
            if resized or gap > pitch * 1.25 or gap < 0:
                out.append("")
        out.append(line.text)
    return "\n".join(out)


def _metadata_title(reader: PdfReader) -> str:
    try:
        title = (reader.metadata or {}).get("/Title") or ""
    except Exception:  # a broken info dictionary is no reason to fail
        return ""
    title = str(title).strip()
    if not title or any(junk in title.lower() for junk in _JUNK_TITLES):
        return ""
    return title


def extract_pdf_text(data: bytes) -> tuple[str, str]:
    """Return the PDF's text, laid out page by page, and its metadata title.

    Raises DocumentError for a file pypdf cannot read, an encrypted file, or a PDF without a
    text layer.
    """
    with warnings.catch_warnings():
        # pypdf warns about every small defect of real-world files; they are not the user's
        # problem unless the text cannot be read, which raises below.
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise DocumentError("the PDF is encrypted; remove the password and import it again")
            pages = [layout_text(_page_lines(page)) for page in reader.pages]
            title = _metadata_title(reader)
        except DocumentError:
            raise
        except Exception as exc:  # pypdf raises many types on malformed input
            raise DocumentError(f"is not a readable PDF ({type(exc).__name__}: {exc})") from None
    if not pages:
        raise DocumentError("the PDF has no pages")
    text = "\n\n".join(pages)
    if not text.strip():
        raise DocumentError(
            "the PDF has no text layer (a scanned image?); run OCR on it and import the result"
        )
    return normalise_text(text), title


def parse_pdf(data: bytes, *, filename: str = "") -> ParsedDocument:
    """Parse a PDF's text layer into a document, repairing it like extracted plain text."""
    text, metadata_title = extract_pdf_text(data)
    return document_from_repair(repair_text(text), filename=filename, fmt="pdf", title_hint=metadata_title)


# Transitional: the block reader replaces this.
read_pdf = parse_pdf
