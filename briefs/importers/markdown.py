"""Markdown: `#` headings (and setext underlines), paragraphs separated by blank lines.

The first heading is the document's title when it is the only level-1 heading. Inline markup
is reduced to its text (links keep their text, images go), and a trailing list of image or
link lines is dropped.
"""

from __future__ import annotations

import re

from briefs.importers.document import ParsedDocument
from briefs.importers.structure import (
    Heading,
    Paragraph,
    Part,
    build_sections,
    detect_language,
    filename_title,
    first_sentence_title,
    is_link_only,
    normalise_spaces,
    strip_trailing_junk,
)
from briefs.importers.text import detect_year, extract_closing_notes, extract_copyright

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,3}[.)])[ \t]+")
_QUOTE = re.compile(r"^ {0,3}>[ \t]?")
_FRONT_MATTER_KEY = re.compile(r"^(\w+)\s*:\s*(.*?)\s*$")

_IMAGE = re.compile(r"\s*!\[(?:[^\[\]]|\[[^\[\]]*\])*\]\([^()]*\)")
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\([^()]*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?!\w)")
_CODE = re.compile(r"`([^`]+)`")


def inline_text(text: str) -> str:
    """Return markdown inline markup reduced to plain text."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or "", text)
    return normalise_spaces(text)


def _front_matter(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    if not lines or lines[0].strip() != "---":
        return lines, {}
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            meta = {}
            for line in lines[1:end]:
                match = _FRONT_MATTER_KEY.match(line)
                if match:
                    meta[match.group(1).lower()] = match.group(2).strip("\"'")
            return lines[end + 1 :], meta
    return lines, {}


def markdown_parts(lines: list[str]) -> list[Part]:
    """Turn markdown lines into headings and paragraphs."""
    parts: list[Part] = []
    paragraph: list[str] = []
    fence: list[str] | None = None

    def flush() -> None:
        if paragraph:
            text = inline_text(" ".join(line.strip() for line in paragraph))
            if text:
                parts.append(Paragraph(text))
            paragraph.clear()

    for i, line in enumerate(lines):
        if fence is not None:
            if _FENCE.match(line):
                if any(f.strip() for f in fence):
                    parts.append(Paragraph("\n".join(fence).strip("\n")))
                fence = None
            else:
                fence.append(line)
            continue
        if _FENCE.match(line):
            flush()
            fence = []
            continue
        atx = _ATX.match(line)
        if atx:
            flush()
            parts.append(Heading(inline_text(atx.group(2)), len(atx.group(1))))
            continue
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and not paragraph and _SETEXT.match(following) and not _LIST_ITEM.match(line):
            parts.append(Heading(inline_text(line), 1 if following.strip()[0] == "=" else 2))
            continue
        if _SETEXT.match(line) and parts and isinstance(parts[-1], Heading) and not paragraph:
            continue  # the underline of the heading just taken
        if not line.strip() or is_link_only(line):
            flush()
            continue
        if _LIST_ITEM.match(line):
            flush()
            paragraph.append(_LIST_ITEM.sub("", line, count=1))
            continue
        paragraph.append(_QUOTE.sub("", line))
    flush()
    if fence:
        parts.append(Paragraph("\n".join(fence).strip("\n")))
    return parts


def parse_markdown(text: str, *, filename: str = "") -> ParsedDocument:
    """Parse a Markdown document (already decoded) into a document."""
    lines, meta = _front_matter(text.split("\n"))
    lines = strip_trailing_junk(lines)
    lines, copyright_notice = extract_copyright(lines)
    lines, notes = extract_closing_notes(lines)
    parts = markdown_parts(lines)

    title = meta.get("title", "")
    headings = [p for p in parts if isinstance(p, Heading)]
    top = [h for h in headings if h.level == 1]
    if headings and len(top) == 1 and headings[0] is top[0]:
        title = title or top[0].text
        parts.remove(top[0])
    paragraphs = [p.text for p in parts if isinstance(p, Paragraph)]
    title = title or first_sentence_title(paragraphs) or filename_title(filename)

    authors = [a.strip() for a in re.split(r"[,;]", meta.get("author", meta.get("authors", ""))) if a.strip()]
    year = detect_year(copyright_notice, lines)
    date = meta.get("date", "")
    if date[:4].isdigit():
        year = int(date[:4])
    language = meta.get("lang", meta.get("language", "")) or detect_language(" ".join(paragraphs))
    return ParsedDocument(
        title=normalise_spaces(title),
        subtitle=meta.get("subtitle", ""),
        organisation=meta.get("organisation", meta.get("organization", "")),
        series_code=meta.get("series", ""),
        authors=authors,
        language=language[:2].lower(),
        publication_year=year,
        copyright=copyright_notice,
        notes=notes,
        sections=build_sections(parts),
        format="md",
    )


# Transitional: the block reader replaces this.
read_markdown = parse_markdown
