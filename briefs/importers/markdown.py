"""Markdown: CommonMark (markdown-it-py) with tables, front matter and footnotes, read as blocks.

The parser tells headings, paragraphs, lists, tables, quotes and code apart (a `---` under a
line of text is a setext underline, on its own a thematic break); each block's inline markup
is rendered to plain text (backslash escapes and entities resolved, emphasis markers removed,
links reduced to their text, images dropped, literal "\u2019" decoded, a broken "**" run
removed). YAML (or TOML) front matter becomes metadata, never body; so does a crawler's header
of "Key: value" lines holding a URL. The title is the front matter's, else the only H1; an H1
repeating it is a TITLE block. A short paragraph of bold text only, not a sentence and not a
recurring label, is a heading one rank below the one before it (scraped subheads).

Scraped pages carry their crawler's furniture; what marks it is structure, not wording:
blocks made only of links (navigation, "skip to content", link lists), blocks with no letter
or digit (an end mark such as "###"), blocks at the very start that repeat a front-matter
value (a publisher line, the title again, a breadcrumb's last step) and, in the trailing run
of the document, short lines that are mostly a URL or a timestamp (a crawl footer) and
headings left with nothing after them.

Scraped report pages (a site's page saved as Markdown) add their own shape: an H1 over a block
of "**Key:** value" lines (metadata: date, authors, report number, URL), link bars glued
together with a plain last step (a breadcrumb), the H1 again, a banner heading over a
key/value pipe table and download links, a line holding the title glued to a date and a code,
a "Contents"/"Figures" list of links; all of it before the first paragraph of prose is
metadata or furniture. Rows written with pipes but no delimiter row are a table, or footnotes
when each row opens with a number ("| 1. | note"). When the body (from its first paragraph of
prose) has no heading markup of its own, a short standalone line (one line, a few words, no
sentence punctuation, capitalised, over a longer paragraph) or a line a table of contents
lists is a heading; two at least, or none.
"""

from __future__ import annotations

import difflib
import re

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from briefs.importers import blocks as b
from briefs.importers.blocks import Block, BlockDocument
from briefs.importers.errors import DocumentError
from briefs.importers.html import iso_date
from briefs.importers.linebreaks import LineBreaks

# A bold-only paragraph is a heading when it is at most this long (longer is emphasis).
BOLD_HEADING_MAX_CHARS = 150
# A header line's value (without a URL in the header) is at most this many words.
HEADER_VALUE_MAX_WORDS = 15
# A trailing line is a crawl footer's when it has at most this many words...
FOOTER_MAX_WORDS = 8

_TOML_FRONT = re.compile(r"\+\+\+[ \t]*\n(.*?)\n\+\+\+[ \t]*(?:\n|$)", re.DOTALL)
_FIELD = re.compile(r"^([A-Z][\w().]*(?: [\w().]+){0,3}):(?:\s+(.*))?$")
_EDIT_LINK = re.compile(r"\s*(?:\[\x03[^\x03\x04\[\]]{1,20}\x04\]|\x03\[[^\x03\x04\[\]]{1,20}\]\x04)\s*$")
_STAR_RUN = re.compile(r"\*{2,}")
# Zero-width characters scraped pages leave inside words ("Biden-\u2060Harris").
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]")
_LITERAL_UNICODE = re.compile(r"\\u([0-9a-fA-F]{4})")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_TIMESTAMP = re.compile(
    r"\b\d{1,2}:\d{2}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}\b",
    re.IGNORECASE,
)
_NOTE_NUMBER = re.compile(r"^\[?\d{1,3}\.?\]?$")
_PIPE_ROW = re.compile(r"^\s*\|.*\S")
_CAPTION_LABEL = re.compile(r"^[A-Z][a-z]+\.? ?\d+(?:[.-]\d+)*[.:]\s")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# An inferred heading is one line of at most this many words.
INFERRED_HEADING_MAX_WORDS = 12
# A line before the body holding the title is furniture with at most this many other letters
# and digits (a date, a product code, "Listen", a version note).
GLUED_TITLE_MAX_EXTRA = 80
# Headings are inferred only in a stretch of at least this many paragraphs without any.
INFERRED_MIN_PARAGRAPHS = 6
# The body starts at the first paragraph of prose at least this long.
BODY_MIN_WORDS = 25
_SENTENCE_END = (".", "!", "?", ":", ";", "。", "다.")


def _pipe_rows(lines: list[str]) -> bool:
    """True when a paragraph is rows written with pipes: its first line and at least half of
    its lines open with "|" (a line without one continues the row above)."""
    lines = [line for line in lines if line.strip()]
    piped = sum(1 for line in lines if _PIPE_ROW.match(line))
    return bool(lines) and bool(_PIPE_ROW.match(lines[0])) and piped * 2 >= len(lines)


def _parser() -> MarkdownIt:
    # text_join off: a backslash escape stays its own `text_special` token, so a literal "**"
    # left in a `text` token is known to be a broken emphasis delimiter, not an escaped one.
    return (
        MarkdownIt("commonmark")
        .enable("table")
        .disable("text_join")
        .use(front_matter_plugin)
        .use(footnote_plugin)
    )


# --- front matter -------------------------------------------------------------------------

_YAML_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_KEY = re.compile(r"^([A-Za-z_][\w.-]*)\s*:(?:\s+(.*?))?\s*$")


def _double_quoted(body: str) -> str:
    """Return the value of a YAML double-quoted scalar (without its quotes), lines folded."""
    out: list[str] = []
    lines = body.split("\n")
    for index, raw in enumerate(lines):
        line = raw if index == 0 else raw.lstrip(" \t")
        escaped_break = False
        i = 0
        chunk: list[str] = []
        while i < len(line):
            ch = line[i]
            if ch == "\\" and i + 1 < len(line):
                nxt = line[i + 1]
                width = {"x": 2, "u": 4, "U": 8}.get(nxt)
                if width:
                    digits = line[i + 2 : i + 2 + width]
                    try:
                        chunk.append(chr(int(digits, 16)))
                        i += 2 + width
                        continue
                    except ValueError:
                        pass
                chunk.append(_YAML_ESCAPES.get(nxt, nxt))
                i += 2
                continue
            if ch == "\\":  # a backslash at the end of the line: the break is escaped
                escaped_break = True
                i += 1
                continue
            chunk.append(ch)
            i += 1
        text = "".join(chunk)
        if index < len(lines) - 1 and not escaped_break:
            text = text.rstrip(" \t")
        out.append(text)
        if index < len(lines) - 1:
            if escaped_break:
                continue
            out.append("\n" if not lines[index + 1].strip() else " ")
    return "".join(out)


def _scalar(text: str) -> str:
    """Return one YAML scalar (quoted or plain, possibly over several lines) as a string."""
    text = text.strip()
    if text.startswith('"'):
        end = len(text) - 1
        while end > 0 and text[end] != '"':
            end -= 1
        return _double_quoted(text[1:end] if end > 0 else text[1:])
    if text.startswith("'"):
        inner = text[1:-1] if text.endswith("'") and len(text) > 1 else text[1:]
        return " ".join(line.strip() for line in inner.split("\n")).replace("''", "'")
    text = re.sub(r"\s+#.*$", "", text, flags=re.MULTILINE)
    return " ".join(line.strip() for line in text.split("\n") if line.strip())


def _flow_list(text: str) -> list[str]:
    inner = text.strip()[1:-1]
    items = re.findall(r'\s*(?:"(?:[^"\\]|\\.)*"|\'(?:[^\']|\'\')*\'|[^,]+)', inner)
    return [value for value in (_scalar(item) for item in items) if value]


def read_front_matter(text: str) -> dict[str, object]:
    """Return YAML front matter as a dict of strings and lists of strings.

    A small reader of the YAML that front matter uses (top-level `key: value` pairs, quoted
    and plain scalars over several lines, `[a, b]` and `- item` lists, `|`/`>` blocks), so the
    runtime needs no YAML library; nested mappings are read as text.
    """
    meta: dict[str, object] = {}
    entries: list[tuple[str, list[str]]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        match = _KEY.match(line) if line[:1] not in (" ", "\t", "-", "#") else None
        if match:
            entries.append((match.group(1).lower(), [match.group(2) or ""]))
        elif entries:
            entries[-1][1].append(line)
    for key, lines in entries:
        head, rest = lines[0].strip(), lines[1:]
        items = [line.strip()[1:].strip() for line in rest if line.strip().startswith("- ")]
        if not head and items:
            meta[key] = [value for value in (_scalar(item) for item in items) if value]
        elif head.startswith("[") and head.endswith("]"):
            meta[key] = _flow_list(head)
        elif head[:1] in ("|", ">"):
            body = [line.strip() for line in rest]
            meta[key] = ("\n" if head[0] == "|" else " ").join(body).strip()
        else:
            meta[key] = _scalar("\n".join([head, *rest]))
    return meta


_META_KEYS = {
    "title": ("title",),
    "subtitle": ("subtitle",),
    "publication_date": (
        "date",
        "published_time",
        "published",
        "publication_date",
        "pubdate",
        "date_published",
    ),
    "authors": ("authors", "author", "byline", "creator"),
    "source_url": (
        "source_url",
        "url",
        "url_source",
        "canonical_url",
        "canonical",
        "link",
        "source",
        "permalink",
    ),
    "description": ("description", "summary", "excerpt"),
    "organisation": ("organisation", "organization", "publisher", "site_name", "site"),
    "series_code": ("series", "series_code", "report_number"),
    "language": ("lang", "language", "locale"),
}


def metadata_from_front_matter(front: dict[str, object]) -> dict[str, object]:
    """Map front matter keys to the BlockDocument metadata names."""
    meta: dict[str, object] = {}
    for name, keys in _META_KEYS.items():
        for key in keys:
            value = front.get(key)
            if not value:
                continue
            if name == "authors":
                values = value if isinstance(value, list) else re.split(r"\s*(?:[;,]|\band\b)\s*", str(value))
                meta[name] = [" ".join(str(v).split()) for v in values if str(v).strip()]
            elif name == "publication_date":
                text = " ".join(str(value[0] if isinstance(value, list) else value).split())
                meta[name] = iso_date(text) or text
            elif name == "source_url":
                text = str(value[0] if isinstance(value, list) else value).strip()
                if not _URL.match(text):
                    continue
                meta[name] = text
            else:
                text = value[0] if isinstance(value, list) else value
                text = " ".join(_INVISIBLE.sub("", str(text)).split())
                if name == "language":
                    text = text[:2].lower()
                meta[name] = text
            break
    return meta


# --- inline text --------------------------------------------------------------------------


class _Inline:
    """One block's inline content rendered to plain text, with what the markup said about it."""

    def __init__(self, children: list[Token], breaks: LineBreaks, *, heading: bool = False) -> None:
        parts: list[str] = []
        self.footnote_refs: list[int] = []
        link_depth = 0
        links = 0
        self.starts_with_link = False
        strong_depth = 0
        plain_text: list[str] = []  # text outside links (images count as outside nothing)
        unbold_text: list[str] = []  # text outside strong emphasis
        for token in children:
            kind = token.type
            if kind in ("text", "text_special"):
                text = token.content
                if kind == "text":
                    # "**Label: **text": a closing run after a space does not close, and is
                    # left as text by the parser; what is left of such runs is markup.
                    text = _STAR_RUN.sub("", text)
                    parts.append(text)
                elif len(text) == 1:  # an escaped character: literal, kept apart from its neighbours
                    parts.append(f"\x01{text}\x02")
                else:  # a backslash before a character it does not escape ("\u2019"): plain text
                    parts.append(text)
                if not link_depth:
                    plain_text.append(text)
                if not strong_depth:
                    unbold_text.append(text)
            elif kind == "code_inline":
                parts.append(f"\x01{token.content}\x02")
                if not link_depth:
                    plain_text.append(token.content)
                if not strong_depth:
                    unbold_text.append(token.content)
            elif kind == "softbreak":
                parts.append("\x00SOFT\x00")
            elif kind == "hardbreak":
                parts.append("\n")
            elif kind == "link_open":
                link_depth += 1
                links += 1
                if not _has_alnum("".join(parts).replace("\x00SOFT\x00", "")):
                    self.starts_with_link = True
                parts.append("\x03")
            elif kind == "link_close":
                link_depth = max(0, link_depth - 1)
                parts.append("\x04")
            elif kind == "strong_open":
                strong_depth += 1
            elif kind == "strong_close":
                strong_depth = max(0, strong_depth - 1)
            elif kind == "footnote_ref":
                self.footnote_refs.append(token.meta["id"])
                label = token.meta.get("label", token.meta["id"] + 1)
                parts.append(f"[{label}]")
            # image, html_inline, em_*: no text of their own here
        # Scraped text sometimes holds "\u2019" literally: decode it outside code and escapes.
        pieces = re.split(r"(\x01[^\x02]*\x02)", "".join(parts))
        joined = "".join(
            piece[1:-1] if piece.startswith("\x01") else _LITERAL_UNICODE.sub(_unicode, piece)
            for piece in pieces
        )
        if heading:  # a bracketed edit link closing a heading: "History [edit]"
            joined = _EDIT_LINK.sub("", joined)
        self.text = _join_soft(_INVISIBLE.sub("", joined.replace("\x03", "").replace("\x04", "")), breaks)
        self.link_only = bool(self.text.strip()) and not _has_alnum("".join(plain_text))
        self.bold_only = _has_alnum(self.text) and not _has_alnum("".join(unbold_text))
        # Links glued together with a few plain steps between them ("Home > Reports > R1"):
        # a breadcrumb or a share bar, not prose.
        plain = "".join(plain_text)
        plain_alnum = sum(ch.isalnum() for ch in plain)
        all_alnum = sum(ch.isalnum() for ch in self.text)
        self.mostly_links = (
            links >= 2
            and len(plain.split()) <= 3
            and plain_alnum * 4 <= all_alnum
            and not self.link_only
            and not self.text.rstrip().endswith((".", "!", "?"))
        )


def _unicode(match: re.Match) -> str:
    return chr(int(match.group(1), 16))


def _join_soft(text: str, breaks: LineBreaks) -> str:
    pieces = text.split("\x00SOFT\x00")
    out = pieces[0]
    for piece in pieces[1:]:
        out = out.rstrip(" ") + breaks.separator(out.rstrip(" "), piece.lstrip(" ")) + piece.lstrip(" ")
    return "\n".join(" ".join(line.split()) for line in out.split("\n")).strip()


def _has_alnum(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


# --- blocks -------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


class _Reader:
    def __init__(self, tokens: list[Token], breaks: LineBreaks, source: list[str] | None = None) -> None:
        self.tokens = tokens
        self.breaks = breaks
        self.source = source or []
        self.blocks: list[Block] = []
        self.footnotes: dict[int, list[Block]] = {}
        self.refs: list[tuple[Block, list[int]]] = []
        self.link_only: set[int] = set()  # ids of blocks made only of links

    def add(self, block: Block, inline: _Inline | None = None) -> None:
        self.blocks.append(block)
        if inline is not None:
            if inline.footnote_refs:
                self.refs.append((block, inline.footnote_refs))
            if inline.link_only:
                self.link_only.add(id(block))

    def read(self) -> list[Block]:
        tokens = self.tokens
        lists: list[dict] = []  # open lists: {"ordered": bool}
        item_paragraphs: list[int] = []  # paragraphs seen in each open list item
        items: list[Token] = []
        quote = 0
        footnote: int | None = None
        footnote_label = ""
        i = 0
        while i < len(tokens):
            token = tokens[i]
            kind = token.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                lists.append({"ordered": kind == "ordered_list_open"})
            elif kind in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
            elif kind == "list_item_open":
                items.append(token)
                item_paragraphs.append(0)
            elif kind == "list_item_close":
                items.pop()
                item_paragraphs.pop()
            elif kind == "blockquote_open":
                quote += 1
            elif kind == "blockquote_close":
                quote -= 1
            elif kind == "footnote_open":
                footnote = token.meta["id"]
                footnote_label = str(token.meta.get("label") or footnote + 1)
                self.footnotes.setdefault(footnote, [])
            elif kind == "footnote_close":
                footnote = None
            elif kind == "heading_open":
                inline = _Inline(tokens[i + 1].children or [], self.breaks, heading=True)
                level = int(token.tag[1])
                self.add(
                    Block(
                        b.HEADING,
                        inline.text,
                        level=level,
                        style=f"h{level}",
                        why=f"markdown heading h{level}",
                    ),
                    inline,
                )
                i += 3
                continue
            elif kind == "paragraph_open":
                inline = _Inline(tokens[i + 1].children or [], self.breaks)
                lines = self.source[token.map[0] : token.map[1]] if token.map else []
                i += 3
                if not inline.text:
                    continue
                if footnote is None and not items and not quote and _pipe_rows(lines):
                    self._pipe_paragraph(lines, inline)
                    continue
                if footnote is not None:
                    label = f"[{footnote_label}]"
                    self.footnotes[footnote].append(
                        Block(
                            b.FOOTNOTE,
                            f"{label} {inline.text}",
                            marker=label,
                            style="footnote",
                            why="markdown footnote",
                        )
                    )
                    continue
                if items and item_paragraphs[-1] == 0:
                    item_paragraphs[-1] += 1
                    item = items[-1]
                    marker = f"{item.info}{item.markup}" if lists and lists[-1]["ordered"] else "•"
                    block = Block(
                        b.LIST_ITEM,
                        inline.text,
                        marker=marker,
                        level=len(lists),
                        style="list_item",
                        why=f"markdown list item at depth {len(lists)}",
                    )
                    if inline.starts_with_link:
                        block.features["starts_with_link"] = True
                    self.add(block, inline)
                    continue
                if quote:
                    self.add(
                        Block(b.QUOTE, inline.text, style="blockquote", why="markdown blockquote"), inline
                    )
                    continue
                block = Block(b.PARAGRAPH, inline.text, style="paragraph", why="markdown paragraph")
                block.features["lines"] = [line.strip() for line in lines if line.strip()]
                if inline.mostly_links:
                    block.features["mostly_links"] = True
                if inline.starts_with_link:
                    block.features["starts_with_link"] = True
                if inline.bold_only and not items:
                    block.features["bold_only"] = True
                    block.bold = True
                self.add(block, inline)
                continue
            elif kind in ("fence", "code_block"):
                text = token.content.rstrip("\n")
                if text.strip():
                    self.add(Block(b.CODE, text, style=kind, why=f"markdown {kind}"))
            elif kind == "table_open":
                rows, i = self._table(i)
                if any(any(cell for cell in row) for row in rows):
                    self.add(
                        Block(b.TABLE, b.table_text(rows), rows=rows, style="table", why="markdown table")
                    )
                continue
            elif kind == "html_block":
                text = " ".join(re.sub(r"<[^>]*>", " ", token.content).split())
                if _has_alnum(text):
                    self.add(Block(b.PARAGRAPH, text, style="html_block", why="raw HTML block, tags removed"))
            i += 1
        return self._with_footnotes()

    def _pipe_paragraph(self, lines: list[str], inline: _Inline) -> None:
        """Rows written with pipes but no delimiter row (so no table to the parser): numbered
        notes ("| 1. | text") are footnotes, "| **Key:** | value" rows a key/value table, any
        other such rows a table."""
        raw: list[str] = []
        for line in (line.strip() for line in lines if line.strip()):
            if line.startswith("|") or not raw:
                raw.append(line)
            else:
                raw[-1] += " " + line
        rows: list[list[str]] = []
        bold_keys = True
        for line in raw:
            cells = line.strip().strip("|").split("|")
            rendered = []
            for cell in cells:
                children = _parser().parseInline(cell.strip())[0].children or []
                rendered.append(_Inline(children, self.breaks).text)
            if not re.match(r"^\s*\*\*[^*]+\*\*\s*$", cells[0]):
                bold_keys = False
            rows.append(rendered)
        rows = [row for row in rows if any(row)]
        if rows and all(len(row) >= 2 and _NOTE_NUMBER.match(row[0]) for row in rows):
            for row in rows:
                label = f"[{row[0].rstrip('.')}]"
                text = " ".join(cell for cell in row[1:] if cell)
                self.add(
                    Block(b.FOOTNOTE, f"{label} {text}", marker=label, style="footnote", why="numbered note")
                )
            return
        why = "rows written with pipes"
        block = Block(b.TABLE, b.table_text(rows), rows=rows, style="pipe_rows", why=why)
        if bold_keys and all(len(row) == 2 and row[0].endswith(":") for row in rows):
            block.features["key_values"] = {row[0].rstrip(":").strip(): row[1] for row in rows}
        self.add(block, inline)

    def _table(self, i: int) -> tuple[list[list[str]], int]:
        rows: list[list[str]] = []
        while i < len(self.tokens) and self.tokens[i].type != "table_close":
            token = self.tokens[i]
            if token.type == "tr_open":
                rows.append([])
            elif token.type == "inline" and rows:
                rows[-1].append(_Inline(token.children or [], self.breaks).text)
            i += 1
        return rows, i + 1

    def _with_footnotes(self) -> list[Block]:
        placed: set[int] = set()
        after: dict[int, list[Block]] = {}
        for block, ids in self.refs:
            for footnote_id in ids:
                if footnote_id in self.footnotes and footnote_id not in placed:
                    placed.add(footnote_id)
                    after.setdefault(id(block), []).extend(self.footnotes[footnote_id])
        out: list[Block] = []
        for block in self.blocks:
            out.append(block)
            out.extend(after.get(id(block), []))
        for footnote_id, notes in self.footnotes.items():
            if footnote_id not in placed:
                out.extend(notes)
        return out


# --- structure ----------------------------------------------------------------------------


def _bold_headings(blocks: list[Block]) -> None:
    """A paragraph made only of bold text, short and not a sentence, is a heading (scraped
    pages write their subheads so). Bold is the weakest heading form: it ranks one level below
    the heading it follows, and below the level 2 of the untitled introduction when none does."""
    last_level = 2
    bold = [_norm(blk.text) for blk in blocks if blk.kind == b.PARAGRAPH and blk.features.get("bold_only")]
    for block in blocks:
        if block.kind == b.HEADING and block.level:
            last_level = block.level
            continue
        if block.kind != b.PARAGRAPH or not block.features.get("bold_only"):
            continue
        text = " ".join(block.text.split())
        if len(text) > BOLD_HEADING_MAX_CHARS or "\n" in block.text or text.endswith(_SENTENCE_END):
            continue
        # A label ("Q", a speaker's name) recurs and a dateline holds a date: neither heads a part.
        if len(_norm(text)) < 3 or bold.count(_norm(text)) > 1 or _TIMESTAMP.search(text):
            continue
        level = min(6, last_level + 1)
        block.relabel(b.HEADING, "a paragraph of bold text only, short, not a sentence", level=level)


def _field_lines(block: Block) -> list[tuple[str, str, bool]] | None:
    """The (key, value, bold key) of each line of a paragraph made only of "Key: value" lines."""
    if block.kind != b.PARAGRAPH:
        return None
    lines = block.features.get("lines") or [block.text]
    if len(lines) == 1 and "\n" in block.text:
        return None
    out = []
    for line in lines:
        bold = line.startswith("**")
        match = _FIELD.match(line.replace("**", "").strip())
        if match is None:
            return None
        out.append((match.group(1), (match.group(2) or "").strip(), bold))
    return out


def _field_name(key: str) -> str:
    return re.sub(r"\W+", "_", key.strip().lower()).strip("_")


def _authors(value: str) -> list[str]:
    """Authors written "Last, First; Last, First" keep their commas; else split as usual."""
    if ";" in value:
        return [" ".join(part.split()) for part in value.split(";") if part.strip()]
    if value.count(",") == 1 and not re.search(r"\band\b|&", value):
        return [" ".join(value.split())]
    return re.split(r"\s*(?:[;,]|\band\b)\s*", value)


def _fields_to_meta(fields: dict[str, str], meta: dict[str, object]) -> None:
    named: dict[str, object] = {}
    for key, value in fields.items():
        name = _field_name(key)
        if name in ("author", "authors", "author_s", "by"):
            named["authors"] = [name for name in _authors(value) if name]
        elif name in ("publication_date", "date", "published", "published_time", "updated"):
            slash = _SLASH_DATE.match(value)
            if slash:  # month/day/year unless the first number cannot be a month
                first, second, year = (int(part) for part in slash.groups())
                month, day = (first, second) if first <= 12 else (second, first)
                value = f"{year:04d}-{month:02d}-{day:02d}"
            named.setdefault("date", value)
        elif name in ("report_no", "report_number", "product_number", "number"):
            named.setdefault("report_number", value)
        else:
            named.setdefault(name, value)
    for name, value in metadata_from_front_matter(named).items():
        meta.setdefault(name, value)


def _crawl_header(blocks: list[Block], meta: dict[str, object]) -> None:
    """A run of "Key: value" lines opening the document (after its H1, if any) is a metadata
    header: a crawler's ("Title: …", "URL Source: …") when one value is a URL, a page's
    "**Key:** value" block when the keys are bold. Its values are metadata, its lines
    furniture; an H1 standing right above it is the document's title."""
    start = 1 if blocks and blocks[0].kind == b.HEADING and blocks[0].level == 1 else 0
    run: list[tuple[Block, list[tuple[str, str, bool]]]] = []
    for block in blocks[start:]:
        fields = _field_lines(block)
        if fields is None:
            break
        run.append((block, fields))
    lines = [field for _, fields in run for field in fields]
    if len(lines) < 2:
        return
    has_url = any(_URL.match(value) for _, value, _ in lines)
    # Without a URL: bold keys, three lines at least, each value short (a label, a date, a
    # name), never a sentence (bold lead-ins of prose paragraphs are no header).
    short = all(
        len(value.split()) <= HEADER_VALUE_MAX_WORDS
        and not value.endswith((".", "!", "?"))
        or value.endswith(".")
        and len(value.split()) <= 3
        for _, value, _ in lines
    )
    if not has_url and not (all(bold for _, _, bold in lines) and len(lines) >= 3 and short):
        return
    fields = {key: value for key, value, _ in lines if value}
    _fields_to_meta(fields, meta)
    if "source_url" not in meta:
        url = next((value for _, value, _ in lines if _URL.match(value)), "")
        if url:
            meta["source_url"] = url
    for block, _ in run:
        block.relabel(b.FURNITURE, "a header of key: value lines at the start")
    if start:
        meta.setdefault("title", blocks[0].text)
        if _norm(blocks[0].text) == _norm(str(meta["title"])):
            blocks[0].relabel(b.TITLE, "the level-1 heading above the document's key: value header")


def _footer_like(block: Block, meta: dict[str, object]) -> str:
    """Return why a block at the end of the document reads as a crawl footer ('' if not)."""
    text = " ".join(block.text.split())
    url = str(meta.get("source_url") or "")
    if url and url.rstrip("/") in text:
        return "at the end, repeats the front matter's URL"
    if len(text.split()) > FOOTER_MAX_WORDS:
        return ""
    urls = "".join(_URL.findall(text))
    if urls and len(urls) * 2 >= len(text):
        return "at the end, a short line that is mostly a URL"
    if _TIMESTAMP.search(text) and not text.endswith((".", "!", "?")):
        return "at the end, a short line holding a date or time"
    return ""


def _furniture(blocks: list[Block], link_only: set[int], meta: dict[str, object]) -> None:
    title = _norm(str(meta.get("title") or ""))
    stated = {_norm(str(v)) for k, v in meta.items() if k != "title" and isinstance(v, str)}
    for block in blocks:
        if block.kind in (b.CODE, b.TABLE):
            continue
        if not _has_alnum(block.text):
            block.relabel(b.FURNITURE, "no letter or digit (a rule or end mark)")
        elif id(block) in link_only and block.kind != b.HEADING:
            block.relabel(b.FURNITURE, "made only of links (navigation or a link list)")
    # The leading run: before the first body text, lines repeating the front matter.
    for block in blocks:
        if block.kind in (b.FURNITURE, b.TITLE):
            continue
        key = _norm(block.text)
        if title and key == title and block.kind in (b.HEADING, b.PARAGRAPH):
            block.relabel(b.TITLE, "repeats the front matter's title at the start")
            continue
        if title and key == title:  # the last step of a breadcrumb list
            block.relabel(b.FURNITURE, "at the start, repeats the front matter's title")
            continue
        if key and key in stated and block.kind != b.HEADING:
            block.relabel(b.FURNITURE, "at the start, repeats a front-matter value")
            continue
        break
    # The trailing run: a crawl footer, and headings left with nothing after them (a
    # "Related" list's heading once its links are gone).
    for block in reversed(blocks):
        if block.kind == b.FURNITURE:
            continue
        if block.kind == b.HEADING:
            block.relabel(b.FURNITURE, "a heading with nothing after it at the end")
            continue
        if block.kind not in (b.PARAGRAPH, b.LIST_ITEM):
            break
        why = _footer_like(block, meta)
        if not why:
            break
        block.relabel(b.FURNITURE, why)


def _title(blocks: list[Block], meta: dict[str, object]) -> None:
    """The first heading is the title when it is a level-1 heading that is the front matter's
    title, or (without one) the only level-1 heading, before any other heading."""
    headings = [block for block in blocks if block.kind == b.HEADING]
    if not headings or headings[0].level != 1:
        return
    first = headings[0]
    stated = _norm(str(meta.get("title") or ""))
    if stated:
        if _norm(first.text) == stated:
            first.relabel(b.TITLE, "the first level-1 heading repeats the front matter's title")
        return
    if sum(1 for block in headings if block.level == 1) == 1:
        first.relabel(b.TITLE, "the only level-1 heading, before any other heading")
        meta["title"] = first.text


def _prose(block: Block) -> bool:
    """A paragraph of running text: the body has begun."""
    return (
        block.kind in (b.PARAGRAPH, b.QUOTE)
        and len(block.text.split()) >= BODY_MIN_WORDS
        and not block.features.get("mostly_links")
    )


def _page_furniture(blocks: list[Block], meta: dict[str, object]) -> int:
    """Before the body's first paragraph of prose: a key/value table is metadata, a line that
    holds the title with a few words more (a date, a code, a link: "Listen Title Updated
    …") furniture. Anywhere: a paragraph mostly of glued links (breadcrumb, share bar) is
    furniture. Returns the index of the first paragraph of prose."""
    for block in blocks:
        if block.kind == b.PARAGRAPH and block.features.get("mostly_links"):
            block.relabel(b.FURNITURE, "mostly links with a few plain steps (a breadcrumb or share bar)")
    body = next((i for i, block in enumerate(blocks) if _prose(block)), len(blocks))
    title = _norm(str(meta.get("title") or ""))
    for block in blocks[:body]:
        values = block.features.get("key_values")
        if block.kind == b.TABLE and values:
            _fields_to_meta(values, meta)
            block.relabel(b.FURNITURE, "a key/value table before the body (metadata)")
            continue
        if block.kind in (b.PARAGRAPH, b.LIST_ITEM) and title and len(title) >= 8:
            key = _norm(block.text)
            if key != title and _holds(key, title):
                extra = len(key) - len(title)  # letters and digits besides the title's
                text = block.text.rstrip()
                # "TitleUpdated April 9, 2026": a date glued to the word before it
                unglued = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
                dated = bool(_TIMESTAMP.search(unglued)) and not text.endswith((".", "!", "?"))
                if extra <= GLUED_TITLE_MAX_EXTRA and (block.features.get("starts_with_link") or dated):
                    block.relabel(b.FURNITURE, "before the body, the title glued to a date, code or link")
    return body


def _holds(text: str, title: str) -> bool:
    """True when `text` holds the title, allowing a dropped superscript or quote here and there
    (nine tenths of its letters and digits in order)."""
    if title in text:
        return True
    matcher = difflib.SequenceMatcher(None, title, text, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) >= 0.9 * len(title)


def _heading_shaped(block: Block) -> bool:
    text = " ".join(block.text.split())
    words = text.split()
    if block.kind != b.PARAGRAPH or "\n" in block.text or not words:
        return False
    if len(block.features.get("lines") or [text]) > 1 or len(words) > INFERRED_HEADING_MAX_WORDS:
        return False
    first = text[0]
    if not (first.isupper() or "\uac00" <= first <= "\ud7a3" or first.isdigit()):
        return False
    return not text.endswith((*_SENTENCE_END, ",", "?", "…")) and len(_norm(text)) >= 3


def _infer_headings(blocks: list[Block], body: int, toc: dict[str, int]) -> None:
    """A body with no heading markup of its own: a short standalone paragraph (one line, a few
    words, no sentence punctuation, capitalised) followed by a longer paragraph heads what
    follows, and so does a paragraph that an earlier table of contents lists. Two at least,
    or none (a single short line is a dateline or a label)."""
    later = [i for i, block in enumerate(blocks) if i >= body and block.kind == b.HEADING]
    if len(later) > 1:
        return
    # One heading after the body's start is end matter ("Footnotes", "Notes") when the long
    # stretch of text before it has none; candidates are looked for in that stretch.
    end = later[0] if later else len(blocks)
    if sum(1 for block in blocks[body:end] if block.kind == b.PARAGRAPH) < INFERRED_MIN_PARAGRAPHS:
        return
    last_heading = max((i for i, block in enumerate(blocks[:body]) if block.kind == b.HEADING), default=-1)
    found: list[tuple[Block, str, int]] = []
    counts: dict[str, int] = {}
    for block in blocks:
        if block.kind == b.PARAGRAPH:
            counts[_norm(block.text)] = counts.get(_norm(block.text), 0) + 1
    content = [i for i, block in enumerate(blocks) if block.kind not in (b.FURNITURE, b.TITLE)]
    for pos, index in enumerate(content):
        block = blocks[index]
        if not last_heading < index < end or block.kind != b.PARAGRAPH or counts[_norm(block.text)] > 1:
            continue
        nxt = blocks[content[pos + 1]] if pos + 1 < len(content) else None
        if nxt is None or nxt.kind == b.HEADING:
            continue
        if toc and _norm(block.text) in toc and len(block.text.split()) <= 2 * INFERRED_HEADING_MAX_WORDS:
            depth = toc[_norm(block.text)]
            found.append(
                (block, f"a standalone paragraph the table of contents lists (depth {depth})", depth + 1)
            )
            continue
        if not _heading_shaped(block):
            continue
        if nxt.kind == b.TABLE and _CAPTION_LABEL.match(block.text):
            block.relabel(b.CAPTION, "a numbered label line over a table")
            continue
        prev = blocks[content[pos - 1]] if pos else None
        if prev is not None and prev.kind == b.PARAGRAPH and _heading_shaped(prev):
            continue  # not isolated: a run of short lines (an address, a list)
        if nxt.kind not in (b.PARAGRAPH, b.LIST_ITEM, b.QUOTE, b.TABLE):
            continue
        if len(nxt.text.split()) < 2 * len(block.text.split()) or not _prose_or_list(nxt):
            continue
        found.append((block, "a short standalone line, no sentence punctuation, over a longer paragraph", 2))
    if len(found) < 2:
        return
    for block, why, level in found:
        block.relabel(b.HEADING, f"inferred (the body has no heading markup): {why}", level=min(6, level))


def _prose_or_list(block: Block) -> bool:
    return block.kind in (b.LIST_ITEM, b.TABLE) or len(block.text.split()) >= 8


def _toc_entries(blocks: list[Block], body: int, link_only: set[int]) -> dict[str, int]:
    """The texts of link-only list items before the body (a table of contents), each with the
    depth of its list (a nested entry heads a subsection)."""
    entries: dict[str, int] = {}
    for block in blocks[:body]:
        if block.kind in (b.LIST_ITEM, b.FURNITURE) and id(block) in link_only:
            entries.setdefault(_norm(block.text), block.level or 1)
    return entries


def _empty_headings(blocks: list[Block], body: int) -> None:
    """Before the body, a heading over nothing but furniture (a site banner over the metadata
    table and download links, a "Contents" or "Figures" list of links) is furniture too; so
    is one whose stretch up to the body's first paragraph is a metadata table or at least
    three blocks of furniture, or links naming the headings that follow. A heading over
    nothing at all is kept (a part title over its first chapter)."""
    later = {_norm(block.text) for block in blocks[body:] if block.kind == b.HEADING}
    for index, block in enumerate(blocks[:body]):
        if block.kind != b.HEADING:
            continue
        span = []
        for nxt in blocks[index + 1 :]:
            if nxt.kind == b.HEADING:
                break
            span.append(nxt)
        if span and all(nxt.kind in (b.FURNITURE, b.TITLE) for nxt in span):
            block.relabel(b.FURNITURE, "before the body, a heading over nothing but furniture")
            continue
        lead = blocks[index + 1 : body]
        only_furniture = bool(lead) and all(nxt.kind in (b.FURNITURE, b.TITLE) for nxt in lead)
        listed = any(_norm(nxt.text) in later for nxt in lead)  # a table of contents
        if only_furniture and (
            len(lead) >= 3 or listed or any(nxt.features.get("key_values") for nxt in lead)
        ):
            block.relabel(b.FURNITURE, "before the body, a heading over only a metadata table and links")


def _label_headings(blocks: list[Block]) -> None:
    """An indented one-line label ("    Notice:") over a paragraph is a scraped page's
    indented heading, not code: a heading at the rank of the heading before it."""
    level = 2
    for index, block in enumerate(blocks):
        if block.kind == b.HEADING and block.level:
            level = block.level
            continue
        if block.kind != b.CODE or block.style != "code_block" or "\n" in block.text.strip():
            continue
        text = " ".join(block.text.split())
        nxt = next((other for other in blocks[index + 1 :] if other.kind != b.FURNITURE), None)
        label = text.rstrip(":").strip()
        if not text.endswith(":") or len(text.split()) > 4 or nxt is None or not _prose(nxt):
            continue
        if not label[:1].isupper() or not all(ch.isalpha() or ch == " " for ch in label):
            continue
        block.text = text.rstrip(":").strip()
        block.relabel(b.HEADING, "an indented one-line label over a paragraph", level=level)


def _repeated_title(blocks: list[Block], meta: dict[str, object]) -> None:
    """A heading that repeats the title (the page's own H1 again) is the title, not a part."""
    title = _norm(str(meta.get("title") or ""))
    if not title:
        return
    for block in blocks:
        if block.kind == b.HEADING and _norm(block.text) == title:
            block.relabel(b.TITLE, "a heading repeating the document's title")


def read_markdown(text: str, *, filename: str = "") -> BlockDocument:
    """Read a Markdown document (already decoded) as blocks."""
    try:
        tokens = _parser().parse(text)
    except Exception as error:  # markdown-it raises only on pathological input
        raise DocumentError(f"the Markdown could not be parsed: {error}") from error
    front: dict[str, object] = {}
    source = text
    if tokens and tokens[0].type == "front_matter":
        front = read_front_matter(tokens[0].content)
    elif (toml := _TOML_FRONT.match(text.lstrip("\ufeff"))) is not None:
        front = read_front_matter(re.sub(r"(?m)^([A-Za-z_][\w.-]*)\s*=\s*", r"\1: ", toml.group(1)))
        source = text.lstrip("\ufeff")[toml.end() :]
        tokens = _parser().parse(source)
    meta = metadata_from_front_matter(front)
    reader = _Reader(tokens, LineBreaks.of(text.split("\n")), source.split("\n"))
    blocks = reader.read()
    _crawl_header(blocks, meta)
    _title(blocks, meta)
    _furniture(blocks, reader.link_only, meta)
    _repeated_title(blocks, meta)
    body = _page_furniture(blocks, meta)
    _bold_headings(blocks)
    _infer_headings(blocks, body, _toc_entries(blocks, body, reader.link_only))
    _empty_headings(blocks, body)
    _label_headings(blocks)
    return BlockDocument(blocks=blocks, format="md", metadata=meta)
