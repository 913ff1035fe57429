"""Plain text, including text extracted from a PDF, and the repairs such text needs.

PDF extraction leaves the document's structure in its layout only: lines broken inside words,
page footers between two halves of a paragraph, a title block that fell into the body,
headings as short lines. Every repair below is a general rule about that layout, each a small
public function with its own test; none knows anything about a particular document.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from briefs.importers.document import ParsedDocument
from briefs.importers.linebreaks import LineBreaks
from briefs.importers.structure import (
    Heading,
    Paragraph,
    Part,
    build_sections,
    detect_language,
    ends_sentence,
    filename_title,
    first_sentence_title,
    heading_level,
    heading_like,
    is_link_only,
    normalise_spaces,
    strip_trailing_junk,
)

# --- page furniture ------------------------------------------------------------------------

# A series or document code standing alone: "CO 19-05", "KDI-2021-03", "WP 2020.1".
_CODE_LINE = re.compile(r"^[A-Z]{1,6}(?:[ -]?\d{1,4})(?:[-./]\d{1,4}){0,2}$")
_POSTAL = re.compile(r"[\[(]\d{5}[\])]|\b\d{3}-\d{3}\b")
_PHONE = re.compile(
    r"\b(?:tel|phone|fax)\b\.?|(?:전화|팩스)\s*[:.]?|\(0\d{1,2}\)\s?\d{3,4}-\d{4}|\b0\d{1,2}-\d{3,4}-\d{4}\b",
    re.IGNORECASE,
)
_WEB = re.compile(r"\bwww\.\S+|https?://\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?\d{1,4}(?:\s*[-–—])?$|^\d{1,4}\s*/\s*\d{1,4}$|^(?:page|p\.)\s*\d{1,4}$",
    re.IGNORECASE,
)
_FOOTER_WINDOW = 4  # lines between a code line and the footer it belongs to


def is_contact_footer(line: str) -> bool:
    """Return whether a line reads like a page footer: two or more of postal code, phone,
    web address and e-mail, and not a sentence of the text."""
    text = line.strip()
    if not text or len(text) > 200 or re.search(r"[다요]\.$", text):
        return False
    signals = sum(bool(p.search(text)) for p in (_POSTAL, _PHONE, _WEB, _EMAIL))
    return signals >= 2


def _standalone(lines: list[str], i: int) -> bool:
    before = i == 0 or not lines[i - 1].strip()
    after = i == len(lines) - 1 or not lines[i + 1].strip()
    return before and after


def remove_page_furniture(lines: list[str]) -> tuple[list[str], str]:
    """Blank out running footers, page numbers and a standalone series-code line.

    Returns the lines (same count, furniture replaced by empty lines, so that the two halves
    of a paragraph split by a page break stay apart only by blank lines) and the series code
    found in the footer area ("" if none).
    """
    out = list(lines)
    footer_rows = {i for i, line in enumerate(lines) if is_contact_footer(line)}
    standalone_counts: dict[str, int] = {}
    for i, line in enumerate(lines):
        text = line.strip()
        if text and _standalone(lines, i) and len(text) <= 60:
            standalone_counts[text] = standalone_counts.get(text, 0) + 1

    for i, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        if i in footer_rows or (_standalone(lines, i) and _PAGE_NUMBER.match(text)):
            out[i] = ""
            footer_rows.add(i)
        elif _standalone(lines, i) and standalone_counts.get(text, 0) >= 3 and not ends_sentence(text):
            out[i] = ""  # a running header repeated on every page

    series_code = ""
    for i, line in enumerate(lines):
        text = line.strip()
        if not (_CODE_LINE.match(text) and _standalone(lines, i)):
            continue
        near_footer = any(abs(i - row) <= _FOOTER_WINDOW for row in footer_rows)
        if near_footer or standalone_counts.get(text, 0) >= 2:
            out[i] = ""
            series_code = series_code or text
    return out, series_code


# --- copyright, disclaimer, byline, title block --------------------------------------------

_COPYRIGHT = re.compile(r"(?:^|(?<=\s))((?:Copyright\s*)?[ⓒ©Ⓒ]\s*\S.*|Copyright\b.*)$", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[89]\d{2}|2[01]\d{2})\b")
_FULL_DATE = re.compile(r"\b(1[89]\d{2}|2[01]\d{2})\s*(?:년|[.\-/])\s*\d{1,2}\s*(?:월|[.\-/])\s*\d{1,2}")
_NOTE_MARK = "※"
_BYLINE_PREFIX = re.compile(r"^(?:by|written\s+by|글|저자|집필)\s*[:：]?\s+\S", re.IGNORECASE)
_BYLINE_ROLE = re.compile(
    r"(?:팀|기자|특파원|연구위원|부연구위원|연구원|교수|박사|센터장|실장|소장|원장|위원)$"
)
_NEWS_BYLINE = re.compile(r"^(\S{2,5})\s*(?:기자|특파원)\s+[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")


def extract_copyright(lines: list[str]) -> tuple[list[str], str]:
    """Take the copyright notice ("ⓒKINU 2019", "© 2020 …") out of the text.

    The notice may stand on its own line or be glued to the end of the last paragraph.
    """
    out = list(lines)
    notice = ""
    for i, line in enumerate(lines):
        match = _COPYRIGHT.search(line.rstrip())
        if not match or len(match.group(1)) > 80 or re.search(r"[다요]\.", match.group(1)):
            continue
        notice = notice or normalise_spaces(match.group(1))
        rest = line[: match.start(1)]
        out[i] = rest.rstrip() if rest.strip() else ""
    return out, notice


def extract_closing_notes(lines: list[str]) -> tuple[list[str], str]:
    """Take the closing disclaimer blocks (starting with "※") off the end of the text."""
    end = len(lines)
    notes: list[str] = []
    while True:
        while end > 0 and not lines[end - 1].strip():
            end -= 1
        start = end
        while start > 0 and lines[start - 1].strip():
            start -= 1
        if start == end or not lines[start].strip().startswith(_NOTE_MARK):
            break
        notes.insert(0, join_lines(lines[start:end], breaks=LineBreaks.of(lines)))
        end = start
    if not notes:
        return list(lines), ""
    return list(lines[:end]), "\n".join(notes)


def extract_byline(lines: list[str]) -> tuple[list[str], list[str]]:
    """Take a short author line ("통일연구원 현안분석팀", "By Jane Doe") off the top."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return list(lines), []
    text = lines[first].strip()
    rest_has_text = any(line.strip() for line in lines[first + 1 :])
    is_byline = (
        len(text) <= 60
        and heading_like(text)
        and _standalone(lines, first)
        and rest_has_text
        and (_BYLINE_PREFIX.match(text) or _BYLINE_ROLE.search(text))
    )
    if not is_byline:
        return list(lines), []
    author = _BYLINE_PREFIX.sub(lambda m: m.group(0)[-1], text) if _BYLINE_PREFIX.match(text) else text
    authors = [a.strip() for a in re.split(r"\s*(?:,|;|\band\b|·)\s*", author) if a.strip()]
    out = list(lines)
    out[first] = ""
    return out, authors


def news_byline_authors(lines: list[str]) -> list[str]:
    """Return the reporter named in a news byline ("서효문 기자 shm@…") near the end."""
    for line in reversed([line for line in lines if line.strip()][-3:]):
        match = _NEWS_BYLINE.match(line.strip())
        if match:
            return [match.group(1)]
    return []


def line_width(lines: list[str]) -> int:
    """Return the text's line width: the length most full lines reach."""
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    if not lengths:
        return 0
    return lengths[int(len(lengths) * 0.9) - 1 if len(lengths) > 1 else 0]


def extract_title_block(lines: list[str]) -> tuple[list[str], str]:
    """Take a title block that fell into the middle of a paragraph out of the text.

    The pattern: a full-width line that stops mid-sentence, then one to three short lines
    without sentence punctuation, then the paragraph's continuation (which the extractor
    indents with a leading space). Returns the lines without the block and the title.
    """
    width = line_width(lines)
    if not width:
        return list(lines), ""
    short = max(8, min(40, width // 2))
    n = len(lines)
    for i, line in enumerate(lines):
        text = line.strip()
        if not text or ends_sentence(text) or len(text) < width * 0.6:
            continue
        j = i + 1
        block: list[int] = []
        while j < n and len(block) <= 3:
            candidate = lines[j].strip()
            if not candidate:
                j += 1
            elif len(candidate) <= short and heading_like(candidate) and not candidate.endswith(":"):
                block.append(j)
                j += 1
            else:
                break
        if not block or len(block) > 3 or j >= n:
            continue
        continuation = lines[j]
        longest = max(len(lines[k].strip()) for k in block)
        if continuation[:1].isspace() and len(continuation.strip()) > longest:
            title = normalise_spaces(" ".join(lines[k].strip() for k in block))
            return lines[: i + 1] + lines[j:], title
    return list(lines), ""


def extract_first_line_title(lines: list[str]) -> tuple[list[str], str]:
    """Take a short standalone first line (a title printed above the text) off the top."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return list(lines), ""
    text = lines[first].strip()
    has_more = any(line.strip() for line in lines[first + 1 :])
    if heading_like(text) and len(text) <= 80 and _standalone(lines, first) and has_more:
        out = list(lines)
        out[first] = ""
        return out, text
    return list(lines), ""


def detect_year(copyright_notice: str, lines: list[str]) -> int | None:
    """Return the publication year: from the copyright notice, else from a full date near
    the top or bottom of the text."""
    match = _YEAR.search(copyright_notice)
    if match:
        return int(match.group(1))
    content = [line for line in lines if line.strip()]
    for line in content[:10] + content[-10:]:
        date = _FULL_DATE.search(line)
        if date:
            return int(date.group(1))
    return None


# --- lines into paragraphs -----------------------------------------------------------------

_LIST_ITEM = re.compile(r"^\s*(?:[-*•▪○●◦]|\d{1,2}[.)]|[가-하][.)])\s+\S")


def join_lines(lines: list[str], *, breaks: LineBreaks) -> str:
    """Join the lines of one paragraph, each break as `breaks` reads it (a space or nothing:
    "중요해졌" + "다." → "중요해졌다.")."""
    out = ""
    previous = ""
    for raw in lines:
        piece = raw.strip()
        if not piece:
            continue
        out = out + breaks.separator(previous, raw) + piece if out else piece
        previous = raw
    return normalise_spaces(out)


def is_wrapped(lines: list[str]) -> bool:
    """Return whether the text is wrapped into printed lines (else one paragraph per line).

    In wrapped text a line followed by another line of the same block mostly stops
    mid-sentence; in unwrapped text (scraped from the web) such a line ends its sentence and
    its paragraph. A line followed by a list item proves nothing either way.
    """
    content = [line for line in lines if line.strip()]
    if not content:
        return True
    if statistics.median(len(line.strip()) for line in content) > 120:
        return False
    interior = [
        line
        for line, following in zip(lines, lines[1:], strict=False)
        if line.strip() and following.strip() and not _LIST_ITEM.match(following)
    ]
    if len(interior) < 2:
        return True
    finished = sum(1 for line in interior if ends_sentence(line))
    return finished / len(interior) < 0.6


@dataclass
class _Block:
    lines: list[str]
    kind: str = "para"  # "para" | "double" | "heading"
    heading: str = ""

    @property
    def last(self) -> str:
        return self.lines[-1]


def _split_blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(_Block(current))
            current = []
    if current:
        blocks.append(_Block(current))
    return blocks


def _split_list_items(block_lines: list[str], width: int) -> list[list[str]]:
    """Split a block at list items ("- …", "1. …", "가. …"), unless the previous line runs
    on into it (a full line that stops mid-sentence: "…중요해졌" + "다. …" is no item)."""
    groups: list[list[str]] = []
    for line in block_lines:
        if groups:
            previous = groups[-1][-1]
            runs_on = not ends_sentence(previous) and len(previous.strip()) >= width * 0.8
            if not _LIST_ITEM.match(line) or runs_on:
                groups[-1].append(line)
                continue
        groups.append([line])
    return groups


def _merge_double_spaced(blocks: list[_Block], width: int) -> list[_Block]:
    """Find double-spaced runs and turn them into paragraphs.

    A run is three or more consecutive one-line blocks of (nearly) full lines, most of which
    stop mid-sentence; its last line may be short. Within the run a paragraph ends only where
    a line ends a sentence.
    """
    merged: list[_Block] = []
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and len(blocks[j].lines) == 1 and len(blocks[j].last.strip()) >= width * 0.5:
            j += 1
        if j < len(blocks) and j > i and len(blocks[j].lines) == 1 and not ends_sentence(blocks[j - 1].last):
            j += 1
        run = blocks[i:j]
        open_ends = sum(1 for block in run[:-1] if not ends_sentence(block.last))
        if len(run) >= 3 and open_ends * 3 >= (len(run) - 1) * 2:
            lines: list[str] = []
            for block in run:
                lines.append(block.last)
                if ends_sentence(block.last):
                    merged.append(_Block(lines, kind="double"))
                    lines = []
            if lines:
                merged.append(_Block(lines, kind="double"))
            i = j
        else:
            merged.append(blocks[i])
            i += 1
    return merged


def _split_off_trailing_headings(blocks: list[_Block], *, width: int, marks: bool) -> list[_Block]:
    """Split off a heading printed right under a paragraph's last line (no blank line between).

    The line must follow a sentence end and be complete: without a trailing space when the
    text marks word boundaries, else visibly shorter than a full line.
    """
    out: list[_Block] = []
    for block in blocks:
        if len(block.lines) >= 2:
            last, before = block.lines[-1], block.lines[-2]
            complete = not last[-1:].isspace() if marks else len(last.strip()) < width * 0.8
            if heading_like(last) and ends_sentence(before) and complete:
                out.append(_Block(block.lines[:-1]))
                out.append(_Block([last]))
                continue
        out.append(block)
    return out


def _mark_headings(blocks: list[_Block]) -> list[_Block]:
    """Mark headings: one to three heading-like one-line blocks after a sentence end (or at
    the start), followed by body text; several lines are one heading printed over them."""

    def is_body(block: _Block) -> bool:
        return block.kind == "double" or len(block.lines) > 1 or ends_sentence(block.last)

    def candidate(block: _Block) -> bool:
        return block.kind == "para" and len(block.lines) == 1 and heading_like(block.last)

    blocks = list(blocks)
    i = 0
    while i < len(blocks):
        previous = blocks[i - 1] if i else None
        after_sentence = previous is None or previous.kind == "heading" or ends_sentence(previous.last)
        if candidate(blocks[i]) and after_sentence:
            j = i
            while j < len(blocks) and j - i < 3 and candidate(blocks[j]):
                j += 1
            if j < len(blocks) and is_body(blocks[j]):
                text = normalise_spaces(" ".join(block.last.strip() for block in blocks[i:j]))
                blocks[i:j] = [_Block([text], kind="heading", heading=text)]
        i += 1
    return blocks


def _join_continued(blocks: list[_Block]) -> list[_Block]:
    """Join a block that stops mid-sentence with the next one of the same layout (the two
    halves of a paragraph split by a page break)."""
    joined: list[_Block] = []
    for block in blocks:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.kind == block.kind
            and block.kind in ("para", "double")
            and not ends_sentence(previous.last)
        ):
            previous.lines.extend(block.lines)
        else:
            joined.append(_Block(list(block.lines), block.kind, block.heading))
    return joined


def structure_lines(lines: list[str]) -> list[Part]:
    """Turn repaired lines into headings and paragraphs.

    Wrapped text (lines of a printed page): blank lines separate blocks; a double-spaced run
    (a blank line after every line) is one layout, its lines joined up to each sentence end;
    a block that stops mid-sentence continues in the next block (a page break or a blank line
    of the double-spaced layout); a short line standing alone after a sentence end, followed
    by body text, is a heading (two or three such lines are one heading printed over several
    lines). Unwrapped text (one paragraph per line, as scraped from the web): every line is a
    paragraph, and the same heading rule applies.
    """
    content = [line for line in lines if line.strip()]
    if not content:
        return []
    width = line_width(lines)
    wrapped = is_wrapped(lines)
    breaks = LineBreaks.of(lines) if wrapped else LineBreaks()  # unwrapped: no breaks to read

    blocks = _split_blocks(lines) if wrapped else [_Block([line]) for line in content]
    if wrapped:
        blocks = _split_off_trailing_headings(blocks, width=width, marks=breaks.marks)
        blocks = _merge_double_spaced(blocks, width)
    blocks = _mark_headings(blocks)
    if wrapped:
        blocks = _join_continued(blocks)

    parts: list[Part] = []
    opening = True
    for block in blocks:
        if block.kind == "heading":
            parts.append(Heading(block.heading, heading_level(block.heading)))
            opening = False
            continue
        summary = block.kind == "double" and opening
        groups = _split_list_items(block.lines, width) if wrapped else [block.lines]
        for group in groups:
            parts.append(Paragraph(join_lines(group, breaks=breaks), summary=summary))
        if block.kind != "double":
            opening = False
    # An opening double-spaced box is a summary only if the text goes on after it.
    if parts and all(isinstance(p, Paragraph) and p.summary for p in parts):
        parts = [Paragraph(p.text) for p in parts if isinstance(p, Paragraph)]
    return parts


@dataclass
class TextRepair:
    """The result of repairing extracted text: metadata found and the structured parts."""

    parts: list[Part]
    title: str = ""
    authors: list[str] = field(default_factory=list)
    series_code: str = ""
    copyright: str = ""
    notes: str = ""
    publication_year: int | None = None


def repair_text(text: str) -> TextRepair:
    """Apply every plain-text repair, in order, and return the parts and metadata."""
    lines = [line.replace("\t", " ") for line in text.split("\n")]
    lines = strip_trailing_junk(lines)
    lines = ["" if is_link_only(line) else line for line in lines]
    lines, copyright_notice = extract_copyright(lines)
    lines, notes = extract_closing_notes(lines)
    lines, series_code = remove_page_furniture(lines)
    lines, title = extract_title_block(lines)
    lines, authors = extract_byline(lines)
    if not title:
        lines, title = extract_first_line_title(lines)
        if title and not authors:
            lines, authors = extract_byline(lines)  # a byline under the title
    authors = authors or news_byline_authors(lines)
    return TextRepair(
        parts=structure_lines(lines),
        title=title,
        authors=authors,
        series_code=series_code,
        copyright=copyright_notice,
        notes=notes,
        publication_year=detect_year(copyright_notice, lines),
    )


def document_from_repair(
    repair: TextRepair, *, filename: str, fmt: str, title_hint: str = ""
) -> ParsedDocument:
    """Build the parsed document, falling back for the title to `title_hint`, the first
    sentence of the body, then the file name."""
    paragraphs = [p.text for p in repair.parts if isinstance(p, Paragraph)]
    title = repair.title or title_hint or first_sentence_title(paragraphs) or filename_title(filename)
    body = " ".join(paragraphs)
    return ParsedDocument(
        title=normalise_spaces(title),
        authors=repair.authors,
        language=detect_language(body),
        series_code=repair.series_code,
        publication_year=repair.publication_year,
        copyright=repair.copyright,
        notes=repair.notes,
        sections=build_sections(repair.parts),
        format=fmt,
    )


def parse_text(text: str, *, filename: str = "", fmt: str = "txt", title_hint: str = "") -> ParsedDocument:
    """Parse plain text (already decoded) into a document."""
    return document_from_repair(repair_text(text), filename=filename, fmt=fmt, title_hint=title_hint)


# Transitional: the block reader replaces this.
read_text = parse_text
