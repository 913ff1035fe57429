"""HWPX (OWPML, the zip-of-XML format of Hangul): sections → blocks.

`Contents/content.hpf` lists the sections in order and states the metadata; `Contents/header.xml`
holds the paragraph shapes (outline levels, bullets, numbering), character shapes (size, bold)
and styles ("개요 N"). Each section's paragraphs are read in order: text from `hp:t` only (field
parameters, shape comments and other control data are never text), tables row by row, text
boxes and layout tables (one column, or one filled cell, or a chapter marker beside its title)
as their paragraphs, headers and footers as furniture, footnotes after the paragraph that cites
them. Headings come from outline levels and outline styles when the document uses them, else
from the layout (`infer_headings`): short lines set larger than the body text, numbered like
the others when most are; numbered bold lines where no larger line is numbered. The title is
the largest line before the text starts (what precedes it is a masthead), a dashed line after
it the subtitle; tables of contents and typed page numbers are furniture.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree

from briefs.importers import blocks as b
from briefs.importers.blocks import Block, BlockDocument
from briefs.importers.classify import LIST_SCHEMES, is_caption, numbering
from briefs.importers.docx import format_number
from briefs.importers.errors import DocumentError
from briefs.importers.office import (
    is_label,
    is_toc,
    junk_title,
    open_office_zip,
    strip_private_use,
    toc_runs,
    xml_parser,
)
from briefs.importers.structure import heading_like

# A line is a heading candidate when set this much larger than the body text (13pt body: 15pt).
HEADING_SIZE_RATIO = 1.15
HEADING_MIN_DELTA = 1.5
# The title: the largest line near the start, at least this much larger than the body.
TITLE_SIZE_RATIO = 1.3
TITLE_SEARCH_ITEMS = 40
# The one largest line of a document is its title when it comes in this first share of it.
LONE_TITLE_SHARE = 0.34
TITLE_BODY_CHARS = 80  # a body-size paragraph this long is text: the title comes before it
# Parts of a title (lines of its box) must be at least this fraction of the title's size.
TITLE_PART_RATIO = 0.75
MAX_HEADING_CHARS = 80
DROP_CAP_CHARS = 2
BOLD_HEADING_CHARS = 60
# A label and its value on one line ("과 업 명: 행사 대행", "일 시 : 10월").
_LABEL_VALUE = re.compile(r"\S\s*[:：]\s*\S")
# Outline numbering on a paragraph longer than this, or on a sentence, numbers an item.
MAX_OUTLINE_HEADING_CHARS = 150
# A cell holding only a chapter marker: "Ⅰ", "II", "3", "03", "제2장".
_BARE_MARKER = re.compile(r"^(?:[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ]|[IVX]{1,4}|\d{1,2}|제\s*\d{1,2}\s*[장편부])\s*[.．]?$")
# HWPX numFormat → the numbering.xml format names `format_number` knows.
_NUM_FORMATS = {
    "DIGIT": "decimal",
    "CIRCLED_DIGIT": "decimalEnclosedCircle",
    "ROMAN_CAPITAL": "upperRoman",
    "ROMAN_SMALL": "lowerRoman",
    "LATIN_CAPITAL": "upperLetter",
    "LATIN_SMALL": "lowerLetter",
    "HANGUL_SYLLABLE": "ganada",
    "HANGUL_JAMO": "chosung",
}
# A line opening with a dash: a subtitle when it follows the title.
_DASHED = re.compile(r"^\s*[-–—―]\s*\S")
# A page number typed into the text: "- 3 -", "3 / 20", "- ii -".
_PAGE_NUMBER = re.compile(r"^\s*(?:[-–—]\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-–—]|\d{1,4}\s*/\s*\d{1,4})\s*$", re.I)
_OUTLINE_STYLE = re.compile(r"^(?:개요|outline)\s*(\d)$", re.IGNORECASE)
_SHAPES = {
    "rect",
    "ellipse",
    "arc",
    "polygon",
    "curve",
    "connectLine",
    "line",
    "container",
    "textart",
    "pic",
    "ole",
}


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _until(ancestors, stop: etree._Element):
    for ancestor in ancestors:
        if ancestor is stop:
            return
        yield ancestor


@dataclass
class _Shapes:
    """What header.xml says about character and paragraph shapes and styles."""

    sizes: dict[str, float] = field(default_factory=dict)  # charPr id → pt
    bold: dict[str, bool] = field(default_factory=dict)
    outline: dict[str, int] = field(default_factory=dict)  # paraPr id → outline level (1 = top)
    bullet_para: dict[str, str] = field(default_factory=dict)  # paraPr id → bullet char
    number_para: dict[str, tuple[str, int]] = field(default_factory=dict)  # paraPr → (numbering, level)
    # numbering id → level (1-based) → (numFormat, text such as "^1." or "(^2)", start)
    numberings: dict[str, dict[int, tuple[str, str, int]]] = field(default_factory=dict)
    styles: dict[str, str] = field(default_factory=dict)  # style id → name
    style_para: dict[str, str] = field(default_factory=dict)  # style id → paraPr id


def _read_shapes(root: etree._Element | None) -> _Shapes:
    shapes = _Shapes()
    if root is None:
        return shapes
    bullets: dict[str, str] = {}
    for element in root.iter():
        name = _local(element)
        if name == "charPr":
            cid = element.get("id", "")
            try:
                shapes.sizes[cid] = int(element.get("height", "1000")) / 100
            except ValueError:
                shapes.sizes[cid] = 10.0
            shapes.bold[cid] = any(_local(child) == "bold" for child in element)
        elif name == "bullet":
            bullets[element.get("id", "")] = strip_private_use(element.get("char", "")).strip() or "•"
        elif name == "numbering":
            levels = {}
            for head in element:
                if _local(head) != "paraHead":
                    continue
                try:
                    levels[int(head.get("level", "1"))] = (
                        head.get("numFormat", "DIGIT"),
                        head.text or "",
                        int(head.get("start", "1")),
                    )
                except ValueError:
                    continue
            shapes.numberings[element.get("id", "")] = levels
    for element in root.iter():
        name = _local(element)
        if name == "paraPr":
            pid = element.get("id", "")
            heading = next((child for child in element.iter() if _local(child) == "heading"), None)
            if heading is None:
                continue
            kind = heading.get("type", "NONE")
            try:
                level = int(heading.get("level", "0"))
            except ValueError:
                level = 0
            if kind == "OUTLINE":
                shapes.outline[pid] = min(6, level + 1)
            elif kind == "BULLET":
                shapes.bullet_para[pid] = bullets.get(heading.get("idRef", ""), "•")
            elif kind == "NUMBER":
                shapes.number_para[pid] = (heading.get("idRef", ""), level + 1)
        elif name == "style":
            sid = element.get("id", "")
            shapes.styles[sid] = element.get("name", "") or element.get("engName", "")
            shapes.style_para[sid] = element.get("paraPrIDRef", "")
            eng = element.get("engName", "")
            if eng and not _OUTLINE_STYLE.match(shapes.styles[sid]) and _OUTLINE_STYLE.match(eng):
                shapes.styles[sid] = eng
    return shapes


@dataclass
class _Item:
    """One thing read from a section, before kinds are decided."""

    kind: str  # "para", "table", "footnote", "furniture"
    text: str = ""
    size: float | None = None
    bold: bool = False
    style: str = ""
    outline: int | None = None  # outline level from the paragraph shape or the style
    bullet: str = ""
    numbered: bool = False
    marker: str = ""  # the number a numbered paragraph shape prints
    box: str = ""  # "" main flow, "cell:N" a layout table's paragraphs, "shape" a text box
    rows: list[list[str]] | None = None


class _Reader:
    def __init__(self, shapes: _Shapes) -> None:
        self.shapes = shapes
        self.items: list[_Item] = []
        self._boxes = 0
        self._counters: dict[str, dict[int, int]] = {}

    def _number(self, para_id: str) -> str:
        """Return the number the next paragraph of a numbered paragraph shape prints."""
        numbering_id, level = self.shapes.number_para[para_id]
        levels = self.shapes.numberings.get(numbering_id, {})
        counters = self._counters.setdefault(numbering_id, {})
        start = levels.get(level, ("DIGIT", "", 1))[2]
        counters[level] = counters.get(level, start - 1) + 1
        for deeper in [lvl for lvl in counters if lvl > level]:
            del counters[deeper]
        fmt, text, _ = levels.get(level, ("DIGIT", f"^{level}.", 1))

        def fill(match: re.Match[str]) -> str:
            n = int(match.group(1))
            level_fmt, _, level_start = levels.get(n, ("DIGIT", "", 1))
            return format_number(counters.get(n, level_start), _NUM_FORMATS.get(level_fmt, "decimal"))

        return re.sub(r"\^(\d)", fill, text).strip()

    # --- text ------------------------------------------------------------------------------

    @staticmethod
    def _t_text(t: etree._Element) -> str:
        parts = [t.text or ""]
        for child in t:
            name = _local(child)
            if name == "tab":
                parts.append("\t")
            elif name == "lineBreak":
                parts.append("\n")
            elif name in ("fwSpace", "nbSpace"):
                parts.append(" ")
            elif name == "hyphen":
                parts.append("-")
            parts.append(child.tail or "")
        return "".join(parts)

    def plain_text(self, element: etree._Element) -> str:
        """Return the text of every paragraph under `element` (a cell, a note), one per line."""
        lines = []
        for p in element.iter():
            if _local(p) != "p":
                continue
            text = "".join(self._t_text(t) for run in _children(p, "run") for t in _children(run, "t"))
            text = strip_private_use(text)
            if text.strip():
                lines.append(" ".join(text.split()))
        return "\n".join(lines)

    # --- walking ---------------------------------------------------------------------------

    def section(self, root: etree._Element) -> None:
        for p in _children(root, "p"):
            self.paragraph(p, box="")

    def paragraph(self, p: etree._Element, *, box: str) -> None:
        para_id = p.get("paraPrIDRef", "")
        style_id = p.get("styleIDRef", "")
        style = self.shapes.styles.get(style_id, "")
        outline = self.shapes.outline.get(para_id)
        match = _OUTLINE_STYLE.match(style.strip())
        if outline is None and match and 1 <= int(match.group(1)) <= 6:
            outline = int(match.group(1))
        pieces: list[str] = []
        weights: Counter[str] = Counter()
        notes: list[_Item] = []

        def flush() -> None:
            text = strip_private_use("".join(pieces))
            pieces.clear()
            if not text.strip():
                weights.clear()
                return
            char_id = weights.most_common(1)[0][0] if weights else ""
            bold_chars = sum(n for cid, n in weights.items() if self.shapes.bold.get(cid))
            self.items.append(
                _Item(
                    "para",
                    text=text,
                    size=self.shapes.sizes.get(char_id),
                    bold=bold_chars * 2 > sum(weights.values()),
                    style=style,
                    outline=outline,
                    bullet=self.shapes.bullet_para.get(para_id, ""),
                    numbered=para_id in self.shapes.number_para,
                    marker=self._number(para_id) if para_id in self.shapes.number_para else "",
                    box=box,
                )
            )
            weights.clear()

        for run in _children(p, "run"):
            char_id = run.get("charPrIDRef", "")
            for child in run:
                name = _local(child)
                if name == "t":
                    text = self._t_text(child)
                    pieces.append(text)
                    weights[char_id] += len(text.strip())
                elif name == "tbl":
                    flush()
                    self.table(child)
                elif name == "ctrl":
                    self.control(child, notes)
                elif name in _SHAPES:
                    inner = self.plain_text(child).strip()
                    if not inner:
                        continue  # a picture or a shape without text: no break in the paragraph
                    if not "".join(pieces).strip() and len(inner) <= DROP_CAP_CHARS and "\n" not in inner:
                        # A drop cap: the paragraph's first letter set large in a box of its own.
                        pieces.append(inner)
                        continue
                    flush()
                    self.shape(child)
        flush()
        # Footnotes follow the paragraph that cites them.
        self.items.extend(notes)

    def control(self, ctrl: etree._Element, notes: list[_Item]) -> None:
        for child in ctrl:
            name = _local(child)
            if name in ("header", "footer"):
                text = self.plain_text(child)
                if text:
                    self.items.append(_Item("furniture", text=text, style=name))
            elif name in ("footNote", "endNote"):
                text = self.plain_text(child)
                if text:
                    notes.append(_Item("footnote", text=text, style=name))
            # fieldBegin/fieldEnd parameters, hidden comments, page numbers, bookmarks and
            # column settings carry no document text.

    def shape(self, element: etree._Element) -> None:
        """A drawing object: its text boxes are read as paragraphs, never as headings."""
        for draw_text in element.iter():
            if _local(draw_text) != "drawText":
                continue
            between = draw_text.iterancestors()
            if any(_local(a) == "p" for a in _until(between, element)):
                continue  # a box inside a box's paragraph: read with that paragraph
            for sub_list in _children(draw_text, "subList"):
                for p in _children(sub_list, "p"):
                    self.paragraph(p, box="shape")

    def _marker_box(self, row: list[etree._Element], texts: list[str]) -> bool:
        """A one-row box of a bare marker and a short title ("Ⅰ" | "사업 개요"), as chapter
        headings are often set: read as one paragraph, in the larger of the two styles."""
        first, rest = texts[0].strip(), " ".join(" ".join(t.split()) for t in texts[1:] if t.strip())
        if not _BARE_MARKER.match(first) or not rest or len(first) + len(rest) > MAX_HEADING_CHARS:
            return False
        sub = _Reader(self.shapes)
        for tc in row:
            for sub_list in _children(tc, "subList"):
                for p in _children(sub_list, "p"):
                    sub.paragraph(p, box="")
        paras = [item for item in sub.items if item.kind == "para"]
        if not paras or "\n" in rest:
            return False
        best = max(paras, key=lambda item: item.size or 0)
        self._boxes += 1
        self.items.append(
            _Item(
                "para",
                text=f"{first} {rest}",
                size=best.size,
                bold=best.bold,
                style=best.style,
                box=f"cell:{self._boxes}",
            )
        )
        return True

    def table(self, tbl: etree._Element) -> None:
        cells = [list(_children(tr, "tc")) for tr in _children(tbl, "tr")]
        texts = [[self.plain_text(tc) for tc in row] for row in cells]
        filled = [(r, c) for r, row in enumerate(texts) for c, text in enumerate(row) if text.strip()]
        if not filled:
            return
        if len(cells) == 1 and 2 <= len(cells[0]) <= 3 and self._marker_box(cells[0], texts[0]):
            return
        # One column: a frame around text (a title, a chapter heading, a box), not a grid.
        single_column = all(len(row) <= 1 for row in cells)
        if single_column or len(filled) == 1:
            # A layout box: a title, a chapter heading or a framed passage, read as paragraphs.
            self._boxes += 1
            box = f"cell:{self._boxes}"
            for row in cells:
                for tc in row:
                    for sub_list in _children(tc, "subList"):
                        for p in _children(sub_list, "p"):
                            self.paragraph(p, box=box)
            return
        self.items.append(_Item("table", rows=texts, text=b.table_text(texts)))


def _body_size(items: list[_Item]) -> float | None:
    weights: Counter[float] = Counter()
    for item in items:
        if item.kind == "para" and item.size and not item.box:
            weights[item.size] += len(item.text.strip())
    if not weights:
        for item in items:
            if item.kind == "para" and item.size:
                weights[item.size] += len(item.text.strip())
    return weights.most_common(1)[0][0] if weights else None


def infer_headings(paragraphs: list[tuple[int, _Item]], body: float | None) -> dict[int, tuple[int, str]]:
    """Decide which main-flow paragraphs are headings from their layout.

    A heading is a short, heading-shaped line set clearly larger than the body text; text boxes
    never are. When most such lines carry a numbering marker or a numbered label, those without
    one (form titles, cover lines, salutations set large) are not headings. Levels follow the
    size rank. When fewer than three larger lines are numbered, numbered lines set wholly in bold
    at about body size ("1. 제정이유", at least two of them, not "label: value") are headings
    below them. Returns index → (level, why).
    """
    if not body:
        return {}
    threshold = max(body * HEADING_SIZE_RATIO, body + HEADING_MIN_DELTA)

    def shaped(item: _Item) -> bool:
        text = " ".join(item.text.split())
        return (
            item.box != "shape"
            and "\n" not in item.text.strip()
            and len(text) <= MAX_HEADING_CHARS
            and heading_like(text)
            and not is_caption(text)
        )

    candidates = [
        (index, item.text, item.size)
        for index, item in paragraphs
        if item.size and item.size >= threshold and shaped(item)
    ]
    numbered = [c for c in candidates if is_label(c[1])]
    only_numbered = len(numbered) >= 3 and len(numbered) * 2 >= len(candidates)
    chosen = numbered if only_numbered else candidates
    ranks = sorted({round(size * 2) / 2 for _, _, size in chosen}, reverse=True)
    out = {}
    for index, _text, size in chosen:
        level = ranks.index(round(size * 2) / 2) + 1
        why = f"font {size:g}pt > body {body:g}pt"
        if only_numbered:
            why += ", numbered like the other headings"
        out[index] = (min(level, 6), why)
    if len(numbered) < 3:
        bold = [
            index
            for index, item in paragraphs
            if item.bold
            and item.size
            and body - 0.5 <= item.size < threshold
            and shaped(item)
            and len(" ".join(item.text.split())) <= BOLD_HEADING_CHARS
            and is_label(item.text)
            and not _LABEL_VALUE.search(item.text)
        ]
        if len(bold) >= 2:
            for index in bold:
                out[index] = (min(len(ranks) + 1, 6), f"numbered and wholly bold at body size {body:g}pt")
    return out


def _find_title(items: list[_Item], body: float | None) -> list[int]:
    """Return the indexes of the title's lines: the largest unnumbered line before the text
    starts (with the lines of its box set nearly as large)."""
    if not body:
        return []
    # The title comes before the text: search up to the first paragraph of body text.
    window = items[:TITLE_SEARCH_ITEMS]
    for i, item in enumerate(window):
        if item.kind == "para" and len(item.text.strip()) >= TITLE_BODY_CHARS and (item.size or 0) <= body:
            window = window[:i]
            break
    paras = [
        (i, item)
        for i, item in enumerate(window)
        if item.kind == "para" and item.size and item.outline is None and not is_label(item.text)
    ]
    if not paras:
        return []
    best_index, best = max(paras, key=lambda pair: (pair[1].size or 0, -pair[0]))
    size = best.size or 0
    if size < body * TITLE_SIZE_RATIO or len(" ".join(best.text.split())) > 200:
        return []
    parts = [best_index]
    if best.box:
        # Lines of the same box, contiguous with the title and set nearly as large.
        for step in (-1, 1):
            j = best_index + step
            while 0 <= j < len(items) and items[j].kind == "para" and items[j].box == best.box:
                if (items[j].size or 0) >= size * TITLE_PART_RATIO and not _DASHED.match(items[j].text):
                    parts.append(j)
                    j += step
                else:
                    break
    return sorted(parts)


def _subtitles(items: list[_Item], title_parts: list[int]) -> list[int]:
    """Return the lines right after the title, in its box, that open with a dash ("- 1. 2.
    차관, 선수촌 방문"): the subtitle, as Korean press releases and reports set it."""
    if not title_parts:
        return []
    box = items[title_parts[-1]].box
    out = []
    j = title_parts[-1] + 1
    while j < len(items) and items[j].kind == "para" and _DASHED.match(items[j].text):
        if box and items[j].box != box and not items[j].box.startswith("cell:"):
            break
        out.append(j)
        j += 1
    return out


def _merge_bare_markers(items: list[_Item]) -> list[_Item]:
    """Join a box's bare chapter marker ("Ⅰ", "제2장") with the line after it in that box."""
    out: list[_Item] = []
    for item in items:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == item.kind == "para"
            and prev.box
            and prev.box == item.box
            and _BARE_MARKER.match(prev.text.strip())
            and item.text.strip()
        ):
            prev.text = f"{prev.text.strip()} {item.text.strip()}"
            prev.size = max(prev.size or 0, item.size or 0) or None
            prev.bold = prev.bold or item.bold
            continue
        out.append(item)
    return out


def _metadata(root: etree._Element | None, filename: str) -> dict:
    meta: dict = {}
    if root is None:
        return meta
    values: dict[str, str] = {}
    for element in root.iter():
        name = _local(element)
        text = " ".join((element.text or "").split())
        if name == "title" and text:
            values.setdefault("title", text)
        elif name == "language" and text:
            values.setdefault("language", text)
        elif name == "meta" and text:
            values.setdefault(element.get("name", "").lower(), text)
        elif name in ("creator",) and text:
            values.setdefault("creator", text)
    title = values.get("title", "")
    if title and not junk_title(title, filename):
        meta["title"] = title
    creator = values.get("creator", "")
    if creator and creator.lower() not in ("text", "user", "사용자", "admin"):
        meta["authors"] = [creator]
    language = values.get("language", "")[:2].lower()
    if language in ("ko", "en"):
        meta["language"] = language
    for key in ("modifieddate", "createddate"):
        match = re.match(r"(\d{4}-\d{2}-\d{2})", values.get(key, ""))
        if match and not match.group(1).startswith("1970"):
            meta["publication_date"] = match.group(1)
            break
    return meta


def _section_names(names: list[str], content: etree._Element | None) -> list[str]:
    ordered: list[str] = []
    if content is not None:
        manifest = {}
        for element in content.iter():
            if _local(element) == "item":
                manifest[element.get("id", "")] = element.get("href", "")
        for element in content.iter():
            if _local(element) == "itemref":
                href = manifest.get(element.get("idref", ""), "")
                for candidate in (href, f"Contents/{href}"):
                    if re.search(r"section\d+\.xml$", candidate) and candidate in names:
                        ordered.append(candidate)
                        break
    if not ordered:

        def number(name: str) -> int:
            match = re.search(r"section(\d+)\.xml$", name)
            return int(match.group(1)) if match else 0

        ordered = sorted((n for n in names if re.match(r"Contents/section\d+\.xml$", n)), key=number)
    return ordered


def _parse(archive, name: str) -> etree._Element | None:
    if name not in archive.namelist():
        return None
    try:
        return etree.fromstring(archive.read(name), xml_parser())
    except etree.XMLSyntaxError as exc:
        raise DocumentError(f"this HWPX file is damaged: {name} is not well-formed XML") from exc


def read_hwpx(data: bytes, *, filename: str = "") -> BlockDocument:
    archive = open_office_zip(data, kind="HWPX")
    names = archive.namelist()
    mimetype = archive.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
    if "Contents/header.xml" not in names and "Contents/content.hpf" not in names:
        raise DocumentError(
            "not an HWPX file: the zip has no Contents/header.xml"
            + (f" (mimetype {mimetype})" if mimetype else "")
        )
    content = _parse(archive, "Contents/content.hpf")
    shapes = _read_shapes(_parse(archive, "Contents/header.xml"))
    sections = _section_names(names, content)
    if not sections:
        raise DocumentError("not an HWPX file: it has no Contents/section*.xml")
    reader = _Reader(shapes)
    for name in sections:
        root = _parse(archive, name)
        if root is not None:
            reader.section(root)
    items = reader.items
    metadata = _metadata(content, filename)
    blocks = _blocks(items)
    title = " ".join(" ".join(block.text.split()) for block in blocks if block.kind == b.TITLE)
    if title:
        # The title the page shows wins over content.hpf's, which templates often leave stale.
        metadata["title"] = title
    elif metadata.get("title"):
        # A stated title the document never shows is a template's leftover.
        shown = "".join("".join(block.text.split()) for block in blocks)
        if "".join(metadata["title"].split()) not in shown:
            del metadata["title"]
    return BlockDocument(blocks=blocks, format="hwpx", metadata=metadata, structured=True)


def _lone_largest(items: list[_Item], inferred: dict[int, tuple[int, str]], body: float | None) -> list[int]:
    """With no title before the text: the one line set larger than every other line, early in
    the document (after a notice's preamble, say), is the title rather than a heading."""
    if not body or not inferred:
        return []
    sizes = [(items[i].size or 0, i) for i in inferred]
    top = max(size for size, _ in sizes)
    at_top = [i for size, i in sizes if size == top]
    paras = [i for i, item in enumerate(items) if item.kind == "para"]
    if len(at_top) != 1 or top < body * TITLE_SIZE_RATIO or is_label(items[at_top[0]].text):
        return []
    if paras.index(at_top[0]) > len(paras) * LONE_TITLE_SHARE:
        return []
    return at_top


def _blocks(items: list[_Item]) -> list[Block]:
    items = _merge_bare_markers(items)
    body = _body_size(items)
    title_parts = _find_title(items, body)
    subtitles = set(_subtitles(items, title_parts))
    outline_headings = sum(
        1
        for item in items
        if item.kind == "para"
        and item.outline
        and len(item.text.strip()) <= MAX_OUTLINE_HEADING_CHARS
        and heading_like(" ".join(item.text.split()))
    )
    inferred: dict[int, tuple[int, str]] = {}
    if outline_headings < 2:
        inferred = infer_headings([(i, item) for i, item in enumerate(items) if item.kind == "para"], body)
    first_title = title_parts[0] if title_parts else -1
    if not title_parts:
        # A title after text: what precedes it is the document's, not a masthead.
        title_parts = _lone_largest(items, inferred, body)
        for i in title_parts:
            inferred.pop(i, None)
    blocks: list[Block] = []
    # Consecutive paragraphs read as a table of contents.
    toc = toc_runs([item.text if item.kind == "para" else None for item in items])
    for i, item in enumerate(items):
        text = item.text.strip()
        common = {"font_size": item.size, "bold": item.bold, "style": item.style}
        if item.kind == "furniture":
            blocks.append(Block(b.FURNITURE, text, style=item.style, why=f"running {item.style}"))
            continue
        if item.kind == "footnote":
            blocks.append(Block(b.FOOTNOTE, text, style=item.style, why="footnote control"))
            continue
        if i < first_title and len(text) <= 100:
            why = "before the document's title (masthead, embargo box)"
            blocks.append(Block(b.FURNITURE, text, rows=item.rows, why=why, **common))
            continue
        if item.kind == "table":
            rows = item.rows or []
            if is_toc([line for row in rows for cell in row for line in cell.split("\n")]):
                blocks.append(Block(b.FURNITURE, text, rows=rows, why="table of contents (page numbers)"))
            else:
                blocks.append(Block(b.TABLE, item.text, rows=rows, why="hp:tbl"))
            continue
        if i in subtitles:
            blocks.append(Block(b.SUBTITLE, text, why="opens with a dash, right after the title", **common))
            continue
        if item.kind == "para" and _PAGE_NUMBER.match(text):
            blocks.append(Block(b.FURNITURE, text, why="a page number", **common))
            continue
        if i in title_parts:
            why = f"largest text near the start ({item.size:g}pt, body {body:g}pt)"
            blocks.append(Block(b.TITLE, text, why=why, **common))
            continue
        if i in toc:
            blocks.append(Block(b.FURNITURE, text, why="table of contents line (page number)", **common))
            continue
        if item.outline:
            source = f"style {item.style}" if _OUTLINE_STYLE.match(item.style.strip()) else "paragraph shape"
            why = f"outline level {item.outline} ({source})"
            if len(text) > MAX_OUTLINE_HEADING_CHARS or not heading_like(" ".join(text.split())):
                why += ", but a sentence: a numbered item"
                blocks.append(Block(b.LIST_ITEM, text, marker="", why=why, **common))
            else:
                blocks.append(Block(b.HEADING, text, level=item.outline, why=why, **common))
            continue
        if i in inferred:
            level, why = inferred[i]
            blocks.append(Block(b.HEADING, text, level=level, why=why, **common))
            continue
        if item.bullet or item.numbered:
            marker = item.bullet or item.marker
            found = numbering(text)
            if not marker and found:
                marker = found.marker
            why = "bullet paragraph shape" if item.bullet else "numbered paragraph shape"
            blocks.append(Block(b.LIST_ITEM, text, marker=marker or "•", why=why, **common))
            continue
        found = numbering(text)
        if found is not None and found.scheme in LIST_SCHEMES and found.scheme != "reference" and found.rest:
            why = f"opens with the outline symbol '{found.marker}'"
            blocks.append(Block(b.LIST_ITEM, text, marker=found.marker, why=why, **common))
            continue
        blocks.append(Block(b.PARAGRAPH, item.text, features={"box": item.box} if item.box else {}, **common))
    return blocks
