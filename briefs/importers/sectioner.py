"""Blocks → the brief: title and metadata, then ordered sections with heading, level and body.

Every reader feeds this one stage. It decides nothing about which block is a heading (the
reader or the classifier did); it groups: a HEADING starts a section, body blocks fill it,
footnotes go to the end of their section, FURNITURE is left out (and listed, so an editor can
see what was dropped), TITLE/SUBTITLE blocks become metadata.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from pathlib import PurePath

from briefs.importers import blocks as b
from briefs.importers.blocks import Block, BlockDocument
from briefs.importers.budget import budget_check
from briefs.importers.classify import unspace
from briefs.importers.document import ParsedDocument, ParsedSection
from briefs.importers.structure import (
    detect_language,
    filename_title,
    first_sentence_title,
    is_summary_heading,
    normalise_spaces,
)

MAX_TITLE_CHARS = 300
# A long text with no headings at all is worth a warning: structure may have been missed.
NO_HEADINGS_WARNING_CHARS = 6000
FURNITURE_WARNING_SHARE = 0.2

# What a title must not look like: a page number, a date or "Updated …" line, a URL.
_FURNITURE_TITLE = re.compile(
    r"^(?:[-–—]?\s*\d{1,4}\s*[-–—]?|page\s*\d+.*|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:updated|posted|published|last\s+modified)\b.*"
    r"|\d{4}\s*[-./년]\s*\d{1,2}\s*[-./월]?\s*(?:\d{1,2}\s*일?)?[\W\d]*"
    r"|(?:january|february|march|april|may|june|july|august|september|october|november|december)"
    r"\s+\d{1,2},?\s+\d{4}"
    r"|https?://\S+|www\.\S+)$",
    re.IGNORECASE,
)


# Titles an application writes by itself into a file's properties, never the author's title.
_PLACEHOLDER_TITLE = re.compile(
    r"^(?:microsoft\s+(?:word|powerpoint|excel)\b.*|제목\s*없음|untitled(?:\s*\d+)?|anonymous|document\s*\d*"
    r"|문서\s*\d*|title|제목|hwp\w*|powerpoint\s*프레젠테이션|프레젠테이션\s*\d*|presentation\s*\d*"
    r"|slide\s*\d+|슬라이드\s*\d+|새\s*문서|new\s+document|이름\s*없음)$"
    r"|\.(?:docx?|hwpx?|pdf|pptx?|xlsx?)\s*$",
    re.IGNORECASE,
)


def placeholder_title(title: str, filename: str = "") -> bool:
    """Return whether a title stated in a file's properties is a leftover: too short, without
    letters, an application's placeholder ("Microsoft Word - …", "제목 없음", "PowerPoint
    프레젠테이션"), or the file's own name."""
    text = " ".join(title.split())
    if len(text) < 2 or not any(ch.isalpha() for ch in text) or _PLACEHOLDER_TITLE.search(text):
        return True
    if filename:
        path = PurePath(filename)
        return text.casefold() in (path.stem.casefold(), path.name.casefold())
    return False


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# Invisible characters that only break words and search: zero-width space, word joiner, BOM,
# soft hyphen, and the C0/C1 controls other than the line breaks and tab.
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_inline(text: str) -> str:
    """Return one paragraph's text: NFC, invisible characters removed, runs of spaces collapsed,
    line breaks kept."""
    text = _INVISIBLE.sub("", nfc(text).replace("\r\n", "\n").replace("\r", "\n"))
    lines = [normalise_spaces(line) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def title_looks_like_furniture(title: str) -> bool:
    """Return whether a title reads like a page number, a date line or a URL."""
    text = " ".join(title.split())
    return not text or bool(_FURNITURE_TITLE.match(text)) or not any(ch.isalpha() for ch in text)


def block_body_text(block: Block) -> str:
    """Return the text a body block contributes to its section."""
    if block.kind == b.TABLE and block.rows:
        # Rows as lines, cells by tabs: no collapsing of the tabs between (empty) cells.
        text = _INVISIBLE.sub("", nfc(b.table_text(block.rows)))
        return "\n".join(line for line in text.split("\n") if line.strip())
    text = clean_inline(block.text)
    if block.kind == b.LIST_ITEM and block.marker and not text.startswith(block.marker):
        text = f"{block.marker} {text}"
    return text


class _Section:
    def __init__(self, heading: str, level: int, kind: str) -> None:
        self.heading = heading
        self.level = level
        self.kind = kind
        self.paragraphs: list[tuple[str, int | None]] = []
        self.footnotes: list[tuple[str, int | None]] = []

    def parsed(self) -> ParsedSection:
        items = self.paragraphs + self.footnotes
        return ParsedSection(
            heading=self.heading,
            level=self.level,
            kind=self.kind,
            text="\n\n".join(text for text, _ in items),
            pages=tuple(page for _, page in items),
        )

    @property
    def empty(self) -> bool:
        return not self.paragraphs and not self.footnotes


def _sections(blocks: list[Block]) -> list[ParsedSection]:
    sections: list[_Section] = []
    current: _Section | None = None
    for n, block in enumerate(blocks):
        if n % 1024 == 0:
            budget_check()
        if block.kind == b.HEADING:
            heading = _INVISIBLE.sub("", nfc(" ".join(block.text.split())))
            if not heading:
                continue
            level = min(6, max(1, block.level or 2))
            kind = "summary" if is_summary_heading(heading) else "body"
            current = _Section(heading, level, kind)
            sections.append(current)
            continue
        if block.kind in (b.FURNITURE, b.TITLE, b.SUBTITLE):
            continue
        text = block_body_text(block)
        if not text:
            continue
        summary = bool(block.features.get("summary"))
        if current is None or (
            not current.heading and current.kind == "summary" and not summary and not current.empty
        ):
            # Unheaded text before the first heading: the summary box (when the reader marked
            # it), then the introduction.
            current = _Section("", 2, "summary" if summary else "body")
            sections.append(current)
        target = current.footnotes if block.kind == b.FOOTNOTE else current.paragraphs
        target.append((text, block.page))
    return [section.parsed() for section in sections if section.heading or not section.empty]


def _compact(text: str) -> str:
    return "".join(nfc(text).split()).casefold()


def _demote_title_repeats(blocks: list[Block], title: str) -> None:
    """A heading that repeats the document's title (the first page of a report after its
    cover, an article's own <h1>) is the title again, not a section of its own."""
    key = _compact(title)
    if len(key) < 4:
        return
    for block in blocks:
        if block.kind == b.HEADING and _compact(block.text) == key:
            block.relabel(b.TITLE, "repeats the document's title")


def _usable_title(text: str) -> bool:
    """A title is one line of words: not a table's rows, not a page number or date line, not a
    unit note in brackets ("(단위 : %)")."""
    line = " ".join(text.split())
    if not line or "\t" in text or " | " in text or title_looks_like_furniture(line):
        return False
    return not (line[0] in "(（[［" and line[-1] in ")）]］" and len(line) <= 30)


# A wire story's or release's closing mark standing alone: "(END)", "(끝)", "- 끝 -", "###", "-30-".
_CLOSING_MARK = re.compile(r"^[\s(\[<〈-]*(?:end|끝|完|###|-?30-?)[\s)\]>〉.-]*$", re.IGNORECASE)


def _drop_closing_mark(blocks: list[Block]) -> None:
    """The closing mark after a document's last paragraph is furniture, not text."""
    for block in reversed(blocks):
        if block.kind in (b.FURNITURE, b.FOOTNOTE) or not block.text.strip():
            continue
        if block.kind == b.PARAGRAPH and _CLOSING_MARK.match(block.text.strip()):
            block.relabel(b.FURNITURE, "a closing mark after the last paragraph")
        return


def _pick_title(document: BlockDocument, filename: str) -> tuple[str, str]:
    """Return the title and where it came from: "stated" (the format's metadata), "printed" (a
    title block), "sentence" (the first sentence) or "filename"."""
    raw = str(document.metadata.get("title") or "")
    stated = " ".join(raw.split())
    if stated and _usable_title(raw):
        return stated, "stated"
    titles = [block.text for block in document.blocks if block.kind == b.TITLE and block.text.strip()]
    for text in titles:
        if _usable_title(text):
            return " ".join(text.split()), "printed"
    paragraphs = [
        block.text for block in document.blocks if block.kind in b.BODY_KINDS and _usable_title(block.text)
    ]
    sentence = first_sentence_title(paragraphs)
    return (sentence, "sentence") if sentence else (filename_title(filename), "filename")


def _year(metadata: dict) -> int | None:
    year = metadata.get("publication_year")
    if isinstance(year, int) and 1800 <= year <= 2200:
        return year
    date = metadata.get("publication_date") or ""
    match = re.match(r"(\d{4})", str(date))
    if match and 1800 <= int(match.group(1)) <= 2200:
        return int(match.group(1))
    return None


def _iso_date(value: object) -> str:
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(value or ""))
    if not match:
        return ""
    try:
        return datetime.date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        return ""


def document_from_blocks(document: BlockDocument, *, filename: str = "") -> ParsedDocument:
    """Turn a reader's blocks into the brief: metadata, sections, warnings."""
    meta = document.metadata
    # A title printed letter-spaced on a cover ("제 안 요 청 서") is the word closed up.
    picked, source = _pick_title(document, filename)
    title = unspace(nfc(picked))[:MAX_TITLE_CHARS]
    subtitle = " ".join(str(meta.get("subtitle") or "").split())
    if not subtitle:
        subtitle = next((" ".join(blk.text.split()) for blk in document.blocks if blk.kind == b.SUBTITLE), "")
    _demote_title_repeats(document.blocks, title)
    _drop_closing_mark(document.blocks)
    sections = _sections(document.blocks)
    body = "\n".join(section.text for section in sections)
    language = meta.get("language") or detect_language(body or title)
    if language not in ("ko", "en"):
        language = detect_language(body or title)
    warnings = list(document.warnings)
    dropped = [
        nfc(blk.text.strip()) for blk in document.blocks if blk.kind == b.FURNITURE and blk.text.strip()
    ]
    headings = [section for section in sections if section.heading]
    if len(body) >= NO_HEADINGS_WARNING_CHARS and not headings:
        warnings.append(f"no headings found in {len(body):,} characters of text: check the sectioning")
    if title_looks_like_furniture(title):
        warnings.append(f"the title {title!r} looks like page furniture: check it")
    elif source in ("sentence", "filename"):
        what = "its first sentence" if source == "sentence" else "the file name"
        warnings.append(f"the document states no title; it was taken from {what}: check it")
    dropped_chars = sum(len(text) for text in dropped)
    if dropped and dropped_chars > FURNITURE_WARNING_SHARE * max(1, len(body)):
        # Running headers and page numbers are expected; a large share of the text left out
        # is not, and worth a look (`import_brief --dry-run` lists what was dropped).
        warnings.append(
            f"{len(dropped)} block(s), {dropped_chars:,} characters, left out as page furniture: check them"
        )
    authors = meta.get("authors") or []
    if isinstance(authors, str):
        authors = [authors]
    return ParsedDocument(
        title=title,
        subtitle=nfc(subtitle)[:MAX_TITLE_CHARS],
        organisation=nfc(str(meta.get("organisation") or "")),
        series_code=nfc(str(meta.get("series_code") or "")),
        authors=[nfc(" ".join(str(a).split())) for a in authors if str(a).strip()],
        language=language,
        publication_year=_year(meta),
        publication_date=_iso_date(meta.get("publication_date")),
        source_url=str(meta.get("source_url") or ""),
        copyright=nfc(str(meta.get("copyright") or "")),
        notes=nfc(str(meta.get("notes") or "")),
        sections=sections,
        format=document.format,
        warnings=warnings,
        dropped=dropped,
        blocks=document.blocks,
    )
