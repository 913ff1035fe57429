"""DOCX (Office Open XML): the body → blocks, with python-docx for the package and the styles.

The body is walked in document order (paragraphs, tables and content controls interleaved).
Heading styles ("Heading N", localised names such as "제목 1", a style's or a paragraph's own
outline level) give HEADING, "Title" gives TITLE, numbered or "List …" paragraphs give LIST_ITEM
with the marker numbering.xml prints, tables give TABLE (merged cells once; one-column and
one-cell layout tables are read as their paragraphs), "Caption" gives CAPTION, footnotes follow
the paragraph that cites them, tables of contents (TOC styles, a TOC content control, runs of
lines ending in page numbers) are furniture. A document without heading styles gets its
headings from formatting (`infer_headings`): lines set larger than the body, short lines set
wholly in bold, and, where formatting says nothing, short lines set off by an empty paragraph
before a run of text. Hidden text (`w:vanish`), deleted text, field instructions, content
controls still showing their placeholder and the fallback copy of alternate content are never
read.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree

from briefs.importers import blocks as b
from briefs.importers.blocks import Block, BlockDocument
from briefs.importers.classify import LIST_SCHEMES, is_caption, numbering
from briefs.importers.errors import DocumentError
from briefs.importers.office import (
    is_label,
    junk_title,
    open_office_zip,
    strip_private_use,
    toc_runs,
    xml_parser,
)
from briefs.importers.structure import heading_like

HEADING_SIZE_RATIO = 1.15
HEADING_MIN_DELTA = 1.5
TITLE_SIZE_RATIO = 1.3
MAX_HEADING_CHARS = 80
# Lines standing alone between empty paragraphs are headings only when the document has a few
# of them and they are a minority of its paragraphs.
MIN_ALONE_HEADINGS = 3
MAX_ALONE_SHARE = 0.4
_LABEL_VALUE = re.compile(r"^[^:：]{1,20}[:：]\s*\S")

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
_HEADING_STYLE = re.compile(r"^(?:heading|제목|überschrift|titre|見出し)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLE = re.compile(r"^(?:title|제목)$", re.IGNORECASE)
_SUBTITLE_STYLE = re.compile(r"^(?:subtitle|부제(?:목)?)$", re.IGNORECASE)
_CAPTION_STYLE = re.compile(r"^(?:caption|캡션|설명)$", re.IGNORECASE)
_TOC_STYLE = re.compile(r"^(?:toc|목차)\s*\d$|^(?:toc heading|목차 제목)$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"^(?:list|목록)\b", re.IGNORECASE)


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _wval(element: etree._Element | None, default: str | None = None) -> str | None:
    if element is None:
        return default
    return element.get(f"{_W}val", default)


def _on(element: etree._Element | None) -> bool | None:
    """A toggle property (w:b, w:vanish): None when absent."""
    if element is None:
        return None
    return _wval(element, "true") not in ("0", "false", "off", "none")


# --- numbering -------------------------------------------------------------------------------

_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl")]
_ROMAN += [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
_GANADA = "가나다라마바사아자차카타파하"
_CHOSUNG = "ㄱㄴㄷㄹㅁㅂㅅㅇㅈㅊㅋㅌㅍㅎ"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out += letters
            n -= value
    return out


def format_number(n: int, fmt: str) -> str:
    """Return counter `n` printed in a numbering format of numbering.xml."""
    if fmt in ("lowerLetter", "upperLetter"):
        letters = ""
        m = n
        while m > 0:
            m, r = divmod(m - 1, 26)
            letters = chr(97 + r) + letters
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt in ("ganada", "koreanLegal") and 1 <= n <= len(_GANADA):
        return _GANADA[n - 1]
    if fmt == "chosung" and 1 <= n <= len(_CHOSUNG):
        return _CHOSUNG[n - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


@dataclass
class _Numbering:
    levels: dict[str, dict[int, tuple[str, str, int]]] = field(default_factory=dict)  # numId → lvl
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    @classmethod
    def parse(cls, root: etree._Element | None) -> _Numbering:
        numbering_ = cls()
        if root is None:
            return numbering_
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for element in root.findall(f"{_W}abstractNum"):
            levels = {}
            for lvl in element.findall(f"{_W}lvl"):
                try:
                    ilvl = int(lvl.get(f"{_W}ilvl", "0"))
                    start = int(_wval(lvl.find(f"{_W}start"), "1") or 1)
                except ValueError:
                    continue
                fmt = _wval(lvl.find(f"{_W}numFmt"), "decimal") or "decimal"
                text = _wval(lvl.find(f"{_W}lvlText"), "") or ""
                levels[ilvl] = (fmt, text, start)
            abstract[element.get(f"{_W}abstractNumId", "")] = levels
        for num in root.findall(f"{_W}num"):
            levels = dict(abstract.get(_wval(num.find(f"{_W}abstractNumId"), "") or "", {}))
            for override in num.findall(f"{_W}lvlOverride"):
                try:
                    ilvl = int(override.get(f"{_W}ilvl", "0"))
                    start = _wval(override.find(f"{_W}startOverride"))
                    if start is not None and ilvl in levels:
                        fmt, text, _ = levels[ilvl]
                        levels[ilvl] = (fmt, text, int(start))
                except ValueError:
                    continue
            numbering_.levels[num.get(f"{_W}numId", "")] = levels
        return numbering_

    def marker(self, num_id: str, ilvl: int) -> str:
        """Return the marker the next paragraph of list `num_id` at level `ilvl` prints."""
        levels = self.levels.get(num_id, {})
        fmt, text, start = levels.get(ilvl, ("bullet", "•", 1))
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [level for level in counters if level > ilvl]:
            del counters[deeper]
        if fmt == "bullet" or fmt == "none":
            printable = "".join(ch for ch in text if ch.isprintable() and not "\ue000" <= ch <= "\uf8ff")
            return printable.strip() or "•"

        def fill(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            level_fmt, _, level_start = levels.get(level, ("decimal", "", 1))
            return format_number(counters.get(level, level_start), level_fmt if level != ilvl else fmt)

        return re.sub(r"%(\d)", fill, text).strip() or f"{counters[ilvl]}."


# --- styles ----------------------------------------------------------------------------------


class _Styles:
    """Style chains from styles.xml: name, outline level, numbering, size and bold by inheritance."""

    def __init__(self, root: etree._Element | None) -> None:
        self.by_id: dict[str, etree._Element] = {}
        self.default_para = ""
        self.default_size = 10.0
        self.default_bold = False
        if root is None:
            return
        for style in root.findall(f"{_W}style"):
            sid = style.get(f"{_W}styleId", "")
            self.by_id[sid] = style
            if style.get(f"{_W}type") == "paragraph" and style.get(f"{_W}default") in ("1", "true"):
                self.default_para = sid
        rpr = root.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
        if rpr is not None:
            size = _wval(rpr.find(f"{_W}sz"))
            if size and size.isdigit():
                self.default_size = int(size) / 2
            self.default_bold = bool(_on(rpr.find(f"{_W}b")))

    def chain(self, sid: str) -> list[etree._Element]:
        out = []
        seen = set()
        while sid and sid in self.by_id and sid not in seen:
            seen.add(sid)
            style = self.by_id[sid]
            out.append(style)
            sid = _wval(style.find(f"{_W}basedOn"), "") or ""
        return out

    def name(self, sid: str) -> str:
        style = self.by_id.get(sid)
        return (_wval(style.find(f"{_W}name"), "") or sid) if style is not None else ""

    def names(self, sid: str) -> list[str]:
        return [_wval(style.find(f"{_W}name"), "") or "" for style in self.chain(sid)]

    def ppr(self, sid: str, tag: str) -> etree._Element | None:
        for style in self.chain(sid):
            found = style.find(f"{_W}pPr/{_W}{tag}")
            if found is not None:
                return found
        return None

    def rpr(self, sid: str, tag: str) -> etree._Element | None:
        for style in self.chain(sid):
            found = style.find(f"{_W}rPr/{_W}{tag}")
            if found is not None:
                return found
        return None


# --- reading the body ------------------------------------------------------------------------


@dataclass
class _Item:
    kind: str  # "para", "blank", "table", "footnote"
    text: str = ""
    style: str = ""  # style name
    style_kind: str = ""  # "heading", "title", "subtitle", "caption", "list"
    level: int | None = None
    marker: str = ""
    size: float | None = None
    bold: bool = False
    centered: bool = False
    box: str = ""
    rows: list[list[str]] | None = None
    why: str = ""


_SKIP = {"del", "moveFrom", "Fallback", "instrText", "delText", "delInstrText", "pPr", "rPr", "txbxContent"}


def _placeholder(sdt: etree._Element) -> bool:
    return sdt.find(f"{_W}sdtPr/{_W}showingPlcHdr") is not None


def _sdt_gallery(sdt: etree._Element) -> str:
    gallery = sdt.find(f"{_W}sdtPr/{_W}docPartObj/{_W}docPartGallery")
    return _wval(gallery, "") or ""


class _Reader:
    def __init__(self, styles: _Styles, numbering_: _Numbering, notes: dict[str, str]) -> None:
        self.styles = styles
        self.numbering = numbering_
        self.notes = notes
        self.note_numbers: dict[str, int] = {}
        self.items: list[_Item] = []
        self._boxes = 0

    def container(self, element: etree._Element, *, box: str = "") -> None:
        for child in element:
            name = _local(child)
            if name == "p":
                self.paragraph(child, box=box)
            elif name == "tbl":
                self.table(child, box=box)
            elif name == "sdt":
                if _placeholder(child):
                    continue  # a content control still showing its "click here" prompt
                start = len(self.items)
                self.container(child, box=box)
                if _sdt_gallery(child).lower().startswith("table of contents"):
                    for item in self.items[start:]:
                        if item.kind == "para":
                            item.style_kind, item.why = "toc", "in a table-of-contents content control"
            elif name in ("sdtContent", "customXml", "ins", "moveTo"):
                self.container(child, box=box)

    def _run_props(self, run: etree._Element, para_style: str) -> tuple[bool, float, bool]:
        """Return (hidden, size, bold) of a run, following run style, paragraph style, defaults."""
        rpr = run.find(f"{_W}rPr")
        char_style = _wval(rpr.find(f"{_W}rStyle"), "") if rpr is not None else ""

        def prop(tag: str) -> etree._Element | None:
            if rpr is not None and rpr.find(f"{_W}{tag}") is not None:
                return rpr.find(f"{_W}{tag}")
            if char_style:
                found = self.styles.rpr(char_style or "", tag)
                if found is not None:
                    return found
            return self.styles.rpr(para_style, tag)

        hidden = bool(_on(prop("vanish"))) or bool(_on(prop("specVanish")))
        size_el = prop("sz")
        size_val = _wval(size_el, "") or ""
        size = int(size_val) / 2 if size_val.isdigit() else self.styles.default_size
        bold = _on(prop("b"))
        return hidden, size, self.styles.default_bold if bold is None else bold

    def _inline(self, element, para_style, pieces, weights, boxes, notes) -> None:
        for child in element:
            name = _local(child)
            if name in _SKIP:
                if name == "txbxContent":
                    boxes.append(child)
                continue
            if name == "r":
                hidden, size, bold = self._run_props(child, para_style)
                if hidden:
                    continue
                for part in child:
                    part_name = _local(part)
                    text = ""
                    if part_name == "t":
                        text = part.text or ""
                    elif part_name in ("tab", "ptab"):
                        text = "\t"
                    elif part_name in ("br", "cr"):
                        text = "\n" if part.get(f"{_W}type") != "page" else ""
                    elif part_name == "noBreakHyphen":
                        text = "-"
                    elif part_name in ("footnoteReference", "endnoteReference"):
                        notes.append(part.get(f"{_W}id", ""))
                    elif part_name in ("drawing", "pict", "AlternateContent", "object"):
                        for found in part.iter(f"{_W}txbxContent"):
                            if not any(_local(a) == "Fallback" for a in found.iterancestors()):
                                boxes.append(found)
                    if text:
                        pieces.append(text)
                        if text.strip():
                            weights[(size, bold)] += len(text.strip())
            elif name == "sdt" and _placeholder(child):
                continue
            elif name == "AlternateContent":
                for choice in child:
                    if _local(choice) == "Choice":
                        self._inline(choice, para_style, pieces, weights, boxes, notes)
                        break
            else:
                # hyperlinks, inserted text, smart tags, simple fields, inline content controls
                self._inline(child, para_style, pieces, weights, boxes, notes)

    def paragraph(self, p: etree._Element, *, box: str) -> None:
        ppr = p.find(f"{_W}pPr")
        sid = (_wval(ppr.find(f"{_W}pStyle"), "") if ppr is not None else "") or self.styles.default_para
        pieces: list[str] = []
        weights: Counter[tuple[float, bool]] = Counter()
        boxes: list[etree._Element] = []
        notes: list[str] = []
        self._inline(p, sid, pieces, weights, boxes, notes)
        text = strip_private_use("".join(pieces))
        item = _Item("para" if text.strip() else "blank", text=text, style=self.styles.name(sid), box=box)
        if weights:
            total = sum(weights.values())
            sizes: Counter[float] = Counter()
            for (size, _bold), n in weights.items():
                sizes[size] += n
            item.size = sizes.most_common(1)[0][0]
            item.bold = sum(n for (_s, bold), n in weights.items() if bold) >= 0.9 * total
        jc = ppr.find(f"{_W}jc") if ppr is not None else None
        if jc is None:
            jc = self.styles.ppr(sid, "jc")
        item.centered = _wval(jc, "") == "center"
        if item.kind == "para":
            self._classify_style(item, ppr, sid)
        self.items.append(item)
        for note_id in notes:
            note = self.notes.get(note_id, "")
            if note:
                number = self.note_numbers.setdefault(note_id, len(self.note_numbers) + 1)
                self.items.append(_Item("footnote", text=f"{number} {note}", marker=str(number)))
        for found in boxes:
            self.container(found, box="shape")

    def _classify_style(self, item: _Item, ppr: etree._Element | None, sid: str) -> None:
        names = self.styles.names(sid) or [item.style]
        own = ppr.find(f"{_W}outlineLvl") if ppr is not None else None
        outline = own if own is not None else self.styles.ppr(sid, "outlineLvl")
        for name in names:
            match = _HEADING_STYLE.match(name.strip())
            if match and 1 <= int(match.group(1)) <= 9:
                item.style_kind, item.level = "heading", min(6, int(match.group(1)))
                item.why = f"style {item.style}"
                return
            if _TITLE_STYLE.match(name.strip()):
                item.style_kind, item.why = "title", f"style {item.style}"
                return
            if _SUBTITLE_STYLE.match(name.strip()):
                item.style_kind, item.why = "subtitle", f"style {item.style}"
                return
            if _TOC_STYLE.match(name.strip()):
                item.style_kind, item.why = "toc", f"table-of-contents style {item.style}"
                return
            if _CAPTION_STYLE.match(name.strip()):
                item.style_kind, item.why = "caption", f"style {item.style}"
                return
        level = _wval(outline)
        if level and level.isdigit() and int(level) < 9:
            item.style_kind, item.level = "heading", min(6, int(level) + 1)
            item.why = f"outline level {int(level) + 1}" + (" (paragraph)" if own is not None else " (style)")
            return
        num_pr = ppr.find(f"{_W}numPr") if ppr is not None else None
        if num_pr is None:
            num_pr = self.styles.ppr(sid, "numPr")
        num_id = _wval(num_pr.find(f"{_W}numId")) if num_pr is not None else None
        if num_id and num_id != "0":
            ilvl = _wval(num_pr.find(f"{_W}ilvl"), "0") or "0"
            item.style_kind = "list"
            item.marker = self.numbering.marker(num_id, int(ilvl) if ilvl.isdigit() else 0)
            item.why = "numbered paragraph (w:numPr)"
            return
        if any(_LIST_STYLE.match(name.strip()) for name in names):
            item.style_kind, item.why = "list", f"style {item.style}"
            found = numbering(item.text)
            item.marker = found.marker if found else "•"

    def _cell_text(self, tc: etree._Element) -> str:
        lines = []
        sub = _Reader(self.styles, self.numbering, {})
        sub.container(tc)
        for item in sub.items:
            if item.kind == "table":
                lines.append(item.text)
            elif item.kind == "para":
                lines.append(" ".join(item.text.split()))
        return "\n".join(line for line in lines if line)

    def table(self, tbl: etree._Element, *, box: str) -> None:
        rows: list[list[etree._Element]] = []
        for tr in tbl.iter(f"{_W}tr"):
            if next(tr.iterancestors(f"{_W}tbl")) is not tbl:
                continue
            cells = [tc for tc in tr.iter(f"{_W}tc") if next(tc.iterancestors(f"{_W}tr")) is tr]
            rows.append(cells)
        texts = []
        for cells in rows:
            row = []
            for tc in cells:
                merge = tc.find(f"{_W}tcPr/{_W}vMerge")
                continued = merge is not None and _wval(merge, "continue") != "restart"
                row.append("" if continued else self._cell_text(tc))
            texts.append(row)
        filled = [text for row in texts for text in row if text.strip()]
        if not filled:
            return
        # One column or one filled cell: a frame around text, not a grid.
        if all(len(cells) <= 1 for cells in rows) or len(filled) == 1:
            self._boxes += 1
            for cells in rows:
                for tc in cells:
                    self.container(tc, box=f"cell:{self._boxes}")
            return
        self.items.append(_Item("table", text=b.table_text(texts), rows=texts, box=box))


# --- headings from formatting ----------------------------------------------------------------


def _bulleted(text: str) -> bool:
    found = numbering(text)
    return found is not None and found.scheme in LIST_SCHEMES


def _numbered(text: str) -> bool:
    found = numbering(text)
    return found is not None and found.scheme not in LIST_SCHEMES


def heading_text(item: _Item) -> str:
    """Return a paragraph's text with the number its list prints ("1. 서론"), if it has one."""
    text = item.text.strip()
    if (
        item.style_kind == "list"
        and any(ch.isalnum() for ch in item.marker)
        and not text.startswith(item.marker)
    ):
        return f"{item.marker} {text}"
    return text


def infer_headings(items: list[_Item]) -> dict[int, tuple[int, str]]:
    """Headings of a document without heading styles, from formatting and position.

    Candidates are short, heading-shaped, single-line paragraphs outside text boxes that are
    (a) set clearly larger than the body text, (b) wholly bold where the body is not, or (c)
    set off from the text that follows by an empty paragraph (not a "label: value" line, not
    a bulleted line), when the document has at least three such lines, they are a minority,
    and formatting gives fewer than three candidates. When most candidates carry a numbering
    marker, those without one are dropped. Levels: larger first, then bold, then lines standing
    alone. Returns item index → (level, why).
    """
    paras = [(i, item) for i, item in enumerate(items) if item.kind == "para"]
    weights: Counter[float] = Counter()
    bold_chars = total = 0
    for _, item in paras:
        n = len(item.text.strip())
        if item.size:
            weights[item.size] += n
        total += n
        bold_chars += n if item.bold else 0
    body = weights.most_common(1)[0][0] if weights else None
    body_bold = total > 0 and bold_chars * 2 > total
    threshold = max(body * HEADING_SIZE_RATIO, body + HEADING_MIN_DELTA) if body else None

    def shaped(item: _Item) -> bool:
        text = " ".join(heading_text(item).split())
        return (
            item.box != "shape"
            and "\n" not in item.text.strip()
            and len(text) <= MAX_HEADING_CHARS
            and heading_like(text)
            and not text.endswith((":", "："))
            and not is_caption(text)
        )

    def blank(j: int) -> bool:
        return j < 0 or j >= len(items) or items[j].kind == "blank"

    def next_para(j: int) -> _Item | None:
        for k in range(j + 1, len(items)):
            if items[k].kind in ("para", "table"):
                return items[k]
        return None

    candidates: dict[int, tuple[tuple[float, int], str]] = {}
    alone: dict[int, tuple[tuple[float, int], str]] = {}
    for i, item in paras:
        if item.style_kind in ("toc", "caption", "title", "subtitle") or not shaped(item):
            continue
        text = item.text.strip()
        if item.style_kind == "list" and not any(ch.isalnum() for ch in item.marker):
            continue  # a bulleted item stays a list item whatever its formatting
        if threshold and item.size and item.size >= threshold:
            candidates[i] = ((-item.size, 0), f"font {item.size:g}pt > body {body:g}pt")
        elif item.bold and not body_bold and len(text) <= 60 and not _LABEL_VALUE.match(text):
            candidates[i] = ((-(item.size or 0), 1), "whole paragraph bold, body is not")
        elif blank(i + 1) and not blank(i + 2) and not _LABEL_VALUE.match(text):
            following = next_para(i + 1)
            if following is not None and (following.kind == "table" or not shaped(following)):
                alone[i] = ((-(item.size or 0), 2), "short line set off by an empty paragraph, before text")
    alone = {i: value for i, value in alone.items() if not _bulleted(heading_text(items[i]))}
    # Formatting, where the document uses it, says more than empty paragraphs do.
    if len(candidates) < MIN_ALONE_HEADINGS and MIN_ALONE_HEADINGS <= len(alone) <= MAX_ALONE_SHARE * len(
        paras
    ):
        candidates.update(alone)
    numbered = [i for i in candidates if _numbered(heading_text(items[i]))]
    if len(numbered) >= 3 and len(numbered) * 2 >= len(candidates):
        candidates = {i: candidates[i] for i in numbered}
    ranks = sorted({key for key, _ in candidates.values()})
    return {i: (min(6, ranks.index(key) + 1), why) for i, (key, why) in candidates.items()}


# --- metadata --------------------------------------------------------------------------------


def _metadata(document, filename: str) -> dict:
    meta: dict = {}
    try:
        core = document.core_properties
        title, author = core.title or "", core.author or ""
        date = core.modified or core.created
        language = core.language or ""
    except (ValueError, KeyError, AttributeError):  # a malformed core.xml states nothing
        return meta
    if title and not junk_title(title, filename):
        meta["title"] = " ".join(title.split())
    if author.strip():
        meta["authors"] = [a.strip() for a in re.split(r"[;；]", author) if a.strip()]
    if date and date.year > 1980:
        meta["publication_date"] = date.date().isoformat()
    if language[:2].lower() in ("ko", "en"):
        meta["language"] = language[:2].lower()
    return meta


def _part_root(document, suffix: str) -> etree._Element | None:
    for rel in document.part.rels.values():
        if rel.reltype.endswith(suffix) and not rel.is_external:
            try:
                return etree.fromstring(rel.target_part.blob, xml_parser())
            except (etree.XMLSyntaxError, AttributeError, ValueError):
                return None
    return None


def _footnotes(document) -> dict[str, str]:
    notes = {}
    for suffix in ("/footnotes", "/endnotes"):
        root = _part_root(document, suffix)
        if root is None:
            continue
        for note in root:
            if _local(note) not in ("footnote", "endnote") or note.get(f"{_W}type") in (
                "separator",
                "continuationSeparator",
                "continuationNotice",
            ):
                continue
            reader = _Reader(_Styles(None), _Numbering(), {})
            reader.container(note)
            text = " ".join(" ".join(item.text.split()) for item in reader.items if item.kind == "para")
            if text:
                notes[note.get(f"{_W}id", "")] = text
    return notes


# --- the reader ------------------------------------------------------------------------------


def read_docx(data: bytes, *, filename: str = "") -> BlockDocument:
    archive = open_office_zip(data, kind="DOCX")
    names = archive.namelist()
    if "word/document.xml" not in names:
        types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
        if b"wordprocessingml.document.main" not in types:
            raise DocumentError("not a DOCX file: the zip has no Word document (word/document.xml)")
    import docx as python_docx

    try:
        document = python_docx.Document(io.BytesIO(data))
        body = document.element.body
    except Exception as exc:  # python-docx raises many kinds on a bad package
        raise DocumentError(f"this DOCX file cannot be read: {type(exc).__name__}") from exc
    warnings: list[str] = []
    try:
        styles = _Styles(document.styles.element)
    except (KeyError, ValueError, NotImplementedError, AttributeError) as exc:
        # The text is still there; only the style names (and so styled headings) are lost. A
        # styles part under the wrong content type loads as a bare Part: AttributeError.
        warnings.append(
            f"the document's styles could not be read ({type(exc).__name__}): headings are inferred"
        )
        styles = _Styles(None)
    try:
        numbering_root = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        numbering_root = None  # no numbering part: a document without numbered lists
    reader = _Reader(styles, _Numbering.parse(numbering_root), _footnotes(document))
    reader.container(body)
    items = reader.items
    metadata = _metadata(document, filename)
    blocks = _blocks(items, metadata)
    return BlockDocument(blocks=blocks, format="docx", metadata=metadata, warnings=warnings, structured=True)


def _blocks(items: list[_Item], metadata: dict) -> list[Block]:
    styled = sum(1 for item in items if item.style_kind == "heading")
    inferred = infer_headings(items) if styled == 0 else {}
    has_title = any(item.style_kind == "title" for item in items)
    title_index = -1
    if not has_title and not metadata.get("title"):
        title_index = _title_from_layout(items, inferred)
    toc = toc_runs([item.text if item.kind == "para" else None for item in items if item.kind != "blank"])
    toc_items = {
        i for n, i in enumerate(i for i, item in enumerate(items) if item.kind != "blank") if n in toc
    }
    blocks: list[Block] = []
    for i, item in enumerate(items):
        common = {"font_size": item.size, "bold": item.bold, "style": item.style}
        if item.kind == "para" and (item.style_kind == "toc" or i in toc_items):
            why = item.why if item.style_kind == "toc" else "table-of-contents line (page number)"
            blocks.append(Block(b.FURNITURE, item.text.strip(), why=why, **common))
            continue
        text = item.text.strip()
        if item.kind == "blank":
            continue
        if item.kind == "footnote":
            blocks.append(Block(b.FOOTNOTE, text, marker=item.marker, why="footnote cited here"))
        elif item.kind == "table":
            blocks.append(Block(b.TABLE, item.text, rows=item.rows, why="w:tbl"))
        elif i == title_index:
            blocks.append(Block(b.TITLE, text, why="first line, set large (no title style)", **common))
        elif item.style_kind == "heading":
            blocks.append(Block(b.HEADING, text, level=item.level, why=item.why, **common))
        elif item.style_kind == "title":
            blocks.append(Block(b.TITLE, text, why=item.why, **common))
        elif item.style_kind == "subtitle":
            blocks.append(Block(b.SUBTITLE, text, why=item.why, **common))
        elif item.style_kind == "caption":
            blocks.append(Block(b.CAPTION, text, why=item.why, **common))
        elif i in inferred:
            level, why = inferred[i]
            blocks.append(Block(b.HEADING, heading_text(item), level=level, why=why, **common))
        elif item.style_kind == "list":
            blocks.append(Block(b.LIST_ITEM, text, marker=item.marker, why=item.why, **common))
        else:
            alone = (i == 0 or items[i - 1].kind == "blank") and (
                i + 1 >= len(items) or items[i + 1].kind == "blank"
            )
            features = {"lines": [text], "line_count": 1, "alone": alone}
            if item.box:
                features["box"] = item.box
            blocks.append(Block(b.PARAGRAPH, item.text, features=features, **common))
    if styled == 0 and not inferred:
        blocks = _shared_layout_rules(blocks)
    return blocks


def _shared_layout_rules(blocks: list[Block]) -> list[Block]:
    """Where neither styles nor formatting mark headings, let the shared layout classifier try
    its numbering rules (sibling items "1. …", "2. …" that are all heading-shaped)."""
    try:
        from briefs.importers.classify import classify_layout
    except ImportError:  # not there yet: no headings
        return blocks
    try:
        return classify_layout(blocks)
    except (ValueError, KeyError, TypeError, AttributeError, ZeroDivisionError):
        return blocks  # the shared rules failed on this document: keep what the styles say


def _title_from_layout(items: list[_Item], inferred: dict[int, tuple[int, str]]) -> int:
    """Return the index of the first paragraph when it is set clearly larger than the body, or
    centred and set apart (the title of a document without a title style), else -1."""
    paras = [(i, item) for i, item in enumerate(items) if item.kind == "para"]
    if len(paras) < 2:
        return -1
    weights: Counter[float] = Counter()
    for _, item in paras:
        if item.size:
            weights[item.size] += len(item.text.strip())
    body = weights.most_common(1)[0][0] if weights else None
    i, first = paras[0]
    if not body or not first.size or len(" ".join(first.text.split())) > 200 or is_label(first.text):
        return -1
    if any(item.kind == "table" for item in items[:i]):
        return -1
    large = first.size >= body * TITLE_SIZE_RATIO
    # Centred and set apart (bold or larger) with text after it: a title, unless it is set like
    # the headings after it.
    centred = first.centered and (first.bold or first.size > body) and len(paras) > 2
    if not (large or centred):
        return -1
    later = [(items[j].size or 0, items[j].bold) for j in inferred if j != i]
    if later and (first.size < max(size for size, _ in later) or (first.size, first.bold) in later):
        return -1
    inferred.pop(i, None)
    return i
