"""PDF: a layout-aware reader that hands over blocks with their layout features.

Characters come from PDFium (pypdfium2: each character's box, font size, font name, weight and
render mode; a hundred pages read in about a second, twenty times faster than pdfminer) and
tables from pdfplumber's ruled-table finder, fed with the horizontal and vertical strokes of
the page's vector paths. Characters are grouped into words, lines and paragraph
blocks (a wider gap than the usual line pitch, a change of size or weight after a short line,
a numbering marker or caption label at a line start), put in reading order (one or two
columns, full-width lines in place), and sorted into kinds by structure only:

- page furniture: lines in the top or bottom band of the page that recur on several pages
  (digits normalised, so "Service 3" and "Service 4" match), page numbers in the usual forms,
  and lines printed at the place and in the font of a running header or footer;
- table-of-contents pages: lines ending in dot leaders (and page numbers);
- tables (a one-row frame around a heading is not a table); their text is not repeated;
- captions ("표 1", "<그림 2>", "Figure 3.", "Source:", a bracketed label), never headings; a
  caption's wrapped line (flush left or centred under it, same size) joins it, and short lines
  between a figure's title and its source note are the figure's labels (captions too);
- footnotes: small text at the bottom of a page, under the body, opening with the next note
  number; collected at the end of the document under a "Notes" heading;
- the title: the largest text of the first page (clearly larger than the body; not a unit note,
  a figure label or a numbered heading), checked against the info dictionary (placeholder titles
  such as "PowerPoint 프레젠테이션" ignored, `sectioner.placeholder_title`); when the page has no
  such text outside its tables, the largest worded line inside a ruled frame (a form's title
  cell); text above the title on the first page is masthead furniture; a date line on the first
  page becomes the publication date; the names of author blocks (a name over a job title)
  become the authors when the info dictionary names none.

Lines of a paragraph are rejoined by `briefs.importers.linebreaks` (Korean breaks inside a
word). Headings are left to `briefs.importers.classify.classify_layout`, which reads the
features (font size and weight relative to the body, numbering, indentation, centring, gaps).
"""

from __future__ import annotations

import logging
import re
import statistics
import threading
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_lazy

from briefs.importers import blocks as b
from briefs.importers.blocks import Block, BlockDocument, table_text
from briefs.importers.budget import budget_check, progress_report
from briefs.importers.classify import CAPTION_LINE, letter_spaced, numbering
from briefs.importers.decode import normalise_text
from briefs.importers.errors import DocumentError
from briefs.importers.linebreaks import LineBreaks

try:  # the shared heading classifier (owned by the layout rules); the fallback below until then
    from briefs.importers.classify import classify_layout
except ImportError:  # pragma: no cover - depends on the state of classify.py
    classify_layout = None

# Share of the page height at the top and at the bottom where running headers and footers sit.
BAND = 0.12
# A line recurring in a band on this many pages (documents of more than SHORT_DOCUMENT pages)
# is page furniture; in shorter documents two pages suffice.
REPEAT_PAGES = 3
SHORT_DOCUMENT = 5
# A gap between two words wider than this many times the font size splits a line in two
# (a column gutter, a tab stop).
FRAGMENT_GAP = 1.2
# A line pitch more than this many times the usual pitch of its size starts a new paragraph.
PARAGRAPH_GAP = 1.3

_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demi|extrab|ultrab", re.IGNORECASE)
_BOLD_SUFFIX = re.compile(r"(?:[-_,](?:B|Bd|Bol)|[a-z](?:B|Bd))$")
_CID = re.compile(r"\(cid:\d+\)")
_SUBSET = re.compile(r"^[A-Z]{6}\+")  # a subset font's tag: "ABCDEF+Batang"
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*\d{1,4}\s*[-–—]|\d{1,4}|\d{1,4}\s*/\s*\d{1,4}|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
    r"|[-–—]?\s*[ivxlc]{1,6}\s*[-–—]?|\d{1,4}\s*쪽|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]\s*[-–—]\s*\d{1,3})$",
    re.IGNORECASE,
)
_LEADER_LINE = re.compile(
    r"(?:(?:\.\s?){4,}|(?:·\s?){4,}|(?:…\s?){2,}|(?:ㆍ\s?){4,}|(?:‥\s?){2,})\s*[\divxIVX-]*\s*$"
)
_CAPTION = CAPTION_LINE  # one caption rule for every reader (classify.py)
# A label in angle brackets ("< 추진 방향 >", "〈 추진근거 〉"), not markup ("<glob pattern=…/>").
_BRACKETED = re.compile(r"^\s*(?:<(?![?!/])[^<>=]{1,80}(?<!/)>|〈[^〈〉]{1,80}〉|《[^《》]{1,80}》)\s*$")
_FOOTNOTE_START = re.compile(r"^(?:\d{1,3}\s|[¹²³⁴⁵⁶⁷⁸⁹⁰]+\s*)(?=\S)")
# A unit note over a table or chart ("(단위 : %)", "(Unit: KRW)"): never a title.
_UNIT_NOTE = re.compile(r"^[(（\[]\s*(?:단위|unit|units|자료|source)\b", re.IGNORECASE)
# A figure label ("대 표 도 - 도1", "Figure 2"): the words and the figure's number at the end.
_FIGURE_NUMBER = re.compile(r"(?:도|그림|figure|fig\.?)\s*\d+\s*$", re.IGNORECASE)
# A title is set clearly larger than the body text: this many times the body size.
TITLE_RATIO = 1.2
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_DATE_EN = re.compile(r"\b(" + "|".join(m.capitalize() for m in _MONTHS) + r")\s+(\d{1,2}),\s*(\d{4})\b")
_MONTH_YEAR_EN = re.compile(r"\b(" + "|".join(m.capitalize() for m in _MONTHS) + r")\s+(\d{4})\b")
_DATE_KO = re.compile(
    r"(?<!\d)(\d{4})\s*(?:[.년-])\s*(\d{1,2})\s*(?:[.월-])?\s*(?:(\d{1,2})\s*[.일]?)?(?!\d)"
)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_DATE_LINE = re.compile(
    r"^(?:(?:updated|published|posted|revised|issued)\s*:?\s*)?(?:"
    + "|".join(m.capitalize() for m in _MONTHS)
    + r")\s+(?:\d{1,2},?\s+)?\d{4}$"
    r"|^\d{4}\s*[.년-]\s*\d{1,2}\s*[.월-]?\s*(?:\d{1,2}\s*[.일]?)?\s*\.?$",
    re.IGNORECASE,
)

log = logging.getLogger(__name__)


# --- characters -----------------------------------------------------------------------------


def _usable(ch: str) -> bool:
    if not ch or ch == "\ufffd":
        return False
    code = ord(ch[0])
    return not (0xE000 <= code <= 0xF8FF or code >= 0xF0000)


def _bold_font(name: str) -> bool:
    base = name.split("+", 1)[-1]
    return bool(_BOLD_NAME.search(base) or _BOLD_SUFFIX.search(base))


# Bullets of the Wingdings font by their code (a symbol font draws them at Latin letters' codes,
# or at U+F0xx): an outline's markers, read as the Unicode bullets they look like.
_WINGDINGS = {
    "l": "●",
    "m": "❍",
    "n": "■",
    "o": "□",
    "p": "□",
    "q": "❑",
    "r": "❒",
    "s": "◆",
    "t": "◆",
    "u": "◆",
    "v": "❖",
    "w": "◆",
    "§": "▪",
    "Ø": "➢",
    "ü": "✓",
    "è": "➔",
    "à": "➔",
}
_SYMBOL_FONT = re.compile(r"wingding|webding|dingbat", re.IGNORECASE)


def _symbol_char(text: str, fontname: str) -> str:
    """Return a dingbat font's glyph as the Unicode character it looks like (bullets mostly):
    such fonts draw their symbols at the codes of Latin letters (or at U+F0xx)."""
    if not _SYMBOL_FONT.search(fontname):
        return text
    code = ord(text[0])
    if 0xF020 <= code <= 0xF0FF:
        text = chr(code - 0xF000)
    elif code > 0xFF:
        return text  # already a real symbol
    if "wingding" in fontname.lower():
        return _WINGDINGS.get(text, "•")
    return _WINGDINGS.get(text, "•") if text.isalpha() else text


def _clean_chars(raw: list[dict], width: float, height: float) -> list[dict]:
    """Return the page's upright, visible characters, without placeholders and private-use
    glyphs; a character drawn twice at (almost) the same place (fake bold) is kept once and
    marked bold."""
    chars = []
    seen: dict[tuple[str, int, int], dict] = {}
    for c in raw:
        text = c.get("text") or ""
        if not c.get("upright", True) or not text.strip():
            continue
        if _CID.fullmatch(text):
            continue
        text = _symbol_char(text, str(c.get("fontname") or ""))
        text = "".join(ch for ch in unicodedata.normalize("NFC", text) if _usable(ch))
        if not text:
            continue
        x0, top = c["x0"], c["top"]
        if x0 >= width or top >= height or c["x1"] <= 0 or c["bottom"] <= 0:
            continue
        kx, ky = int(x0 // 4), int(top // 4)
        tolerance = min(4.0, max(1.5, 0.12 * float(c.get("size") or 0.0)))
        duplicate = None
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                other = seen.get((text, kx + dx, ky + dy))
                if (
                    other is not None
                    and abs(other["x0"] - x0) < tolerance
                    and abs(other["top"] - top) < tolerance
                ):
                    duplicate = other
                    break
            if duplicate is not None:
                break
        if duplicate is not None:
            if abs(duplicate["x0"] - x0) < 1.5 and abs(duplicate["top"] - top) < 1.5:
                duplicate["bold"] = True  # drawn twice, slightly offset: a fake bold
            continue  # else a drop shadow
        fontname = str(c.get("fontname") or "")
        ch = {
            "text": text,
            "x0": x0,
            "x1": c["x1"],
            "top": top,
            "bottom": c["bottom"],
            "size": round(float(c.get("size") or 0.0), 2),
            "fontname": fontname,
            "bold": bool(c.get("bold")) or _bold_font(fontname),
            "upright": True,
            "doctop": top,
            "object_type": "char",
            "space_before": bool(c.get("space_before")),
        }
        seen[(text, kx, ky)] = ch
        chars.append(ch)
    return chars


# --- lines ----------------------------------------------------------------------------------


@dataclass
class Line:
    words: list[dict]
    page: int
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    text: str = ""
    size: float = 0.0
    bold: bool = False
    font: str = ""
    column: int = 0
    row: float = 0.0  # the top of the row of text the line was cut from (a gutter, a tab stop)
    kind: str = ""  # set when the line is page furniture / TOC
    why: str = ""
    chars: int = 0
    sizes: list[float] = field(default_factory=list)

    def finish(self) -> Line:
        words = sorted(self.words, key=lambda w: w["x0"])
        self.words = words
        self.x0 = min(w["x0"] for w in words)
        self.x1 = max(w["x1"] for w in words)
        self.top = min(w["top"] for w in words)
        self.bottom = max(w["bottom"] for w in words)
        parts: list[str] = []
        previous = None
        for w in words:
            if previous is not None:
                gap = w["x0"] - previous["x1"]
                spaced = w.get("space_before") or gap > 0.15 * max(w["size"], previous["size"])
                parts.append(" " if spaced else "")
            parts.append(w["text"])
            previous = w
        self.text = "".join(parts)
        sizes: list[float] = []
        bold = 0
        fonts: Counter[str] = Counter()
        for w in words:
            n = len(w["text"])
            sizes.extend([w["size"]] * n)
            bold += n if w["bold"] else 0
            fonts[w["fontname"]] += n
        self.sizes = sizes
        self.chars = len(sizes)
        self.size = round(statistics.median(sizes), 1)
        self.bold = bold * 2 > len(sizes)
        self.font = fonts.most_common(1)[0][0]
        return self


def _words(chars: list[dict]) -> list[dict]:
    """Group characters into words: same line, same size and weight, no gap."""
    chars = sorted(chars, key=lambda c: (round(c["bottom"]), c["x0"]))
    rows: list[list[dict]] = []
    for c in chars:
        if rows:
            last = rows[-1][-1]
            if abs(c["bottom"] - last["bottom"]) <= max(1.0, 0.25 * c["size"]) and c["x0"] >= last["x0"]:
                rows[-1].append(c)
                continue
        rows.append([c])
    # rows are only approximate (sorted by rounded baseline); re-sort each by x
    words: list[dict] = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        current: list[dict] = []
        for c in row:
            if current:
                p = current[-1]
                gap = c["x0"] - p["x1"]
                same_style = abs(c["size"] - p["size"]) < 0.5 and c["bold"] == p["bold"]
                joined = gap <= 0.12 * max(c["size"], 1.0) and gap > -0.5 * c["size"]
                if joined and same_style and not c.get("space_before"):
                    current.append(c)
                    continue
                words.append(_word(current))
                current = []
            current.append(c)
        if current:
            words.append(_word(current))
    return words


def _word(chars: list[dict]) -> dict:
    fonts = Counter(c["fontname"] for c in chars)
    sizes = sorted(c["size"] for c in chars)
    return {
        "text": "".join(c["text"] for c in chars),
        "x0": chars[0]["x0"],
        "x1": max(c["x1"] for c in chars),
        "top": min(c["top"] for c in chars),
        "bottom": max(c["bottom"] for c in chars),
        "size": sizes[len(sizes) // 2],
        "bold": sum(c["bold"] for c in chars) * 2 > len(chars),
        "fontname": fonts.most_common(1)[0][0],
        "space_before": bool(chars[0].get("space_before")),
    }


def _note_reference(word: dict, row: list[dict], size: float) -> bool:
    """Return whether a word is a footnote reference: small raised digits after text ("trade.12")."""
    if not re.fullmatch(r"[\d,*†‡]{1,7}", word["text"]) or word["size"] > 0.8 * size:
        return False
    baseline = statistics.median(w["bottom"] for w in row if w["size"] >= 0.9 * size) if row else 0
    return word["bottom"] < baseline - 0.15 * size


def _lines(words: list[dict], page: int) -> list[Line]:
    """Group words into lines (vertical overlap), then split lines at wide gaps (gutters)."""
    words = sorted(words, key=lambda w: (w["top"], w["x0"]))
    rows: list[list[dict]] = []
    row_box: list[tuple[float, float]] = []
    for w in words:
        placed = False
        mid = (w["top"] + w["bottom"]) / 2
        for index in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            top, bottom = row_box[index]
            if top - 0.5 <= mid <= bottom + 0.5:
                rows[index].append(w)
                # a superscript or a small note marker does not widen the line
                if w["bottom"] - w["top"] >= 0.7 * (bottom - top):
                    row_box[index] = (min(top, w["top"]), max(bottom, w["bottom"]))
                placed = True
                break
        if not placed:
            rows.append([w])
            row_box.append((w["top"], w["bottom"]))
    lines: list[Line] = []
    for row, (row_top, _) in zip(rows, row_box, strict=True):
        row.sort(key=lambda w: w["x0"])
        size = statistics.median(w["size"] for w in row)
        row = [w for i, w in enumerate(row) if i == 0 or not _note_reference(w, row, size)]
        current = [row[0]]
        for w in row[1:]:
            if w["x0"] - current[-1]["x1"] > FRAGMENT_GAP * max(size, 4.0):
                lines.append(Line(current, page, row=row_top).finish())
                current = []
            current.append(w)
        lines.append(Line(current, page, row=row_top).finish())
    return lines


# --- columns and reading order --------------------------------------------------------------


def _gutter(lines: list[Line], width: float) -> float | None:
    """Return the x of a vertical gutter splitting the page into two columns, or None."""
    body = [ln for ln in lines if ln.chars >= 8]
    if len(body) < 10:
        return None
    lo, hi = int(width * 0.3), int(width * 0.7)
    best = None
    for x in range(lo, hi, 2):
        crossing = sum(1 for ln in body if ln.x0 < x - 1 and ln.x1 > x + 1)
        left = [ln for ln in body if ln.x1 <= x]
        right = [ln for ln in body if ln.x0 >= x]
        if len(left) < 5 or len(right) < 5 or crossing > 0.15 * len(body):
            continue
        # both columns must be filled at the same heights, not one block beside a caption
        left_rows = {round(ln.top / 4) for ln in left}
        both = sum(1 for ln in right if round(ln.top / 4) in left_rows)
        if both < 5:
            continue
        score = (both, -crossing)
        if best is None or score > best[0]:
            best = (score, x)
    return best[1] if best else None


def _reading_order(lines: list[Line], width: float) -> list[Line]:
    lines = sorted(lines, key=lambda ln: (ln.row, ln.x0))
    gutter = _gutter(lines, width)
    if gutter is None:
        return _merge_row_fragments(lines)
    out: list[Line] = []
    band: list[Line] = []

    def flush() -> None:
        left = [ln for ln in band if ln.x1 <= gutter + 1]
        right = [ln for ln in band if ln.x0 >= gutter - 1 and ln not in left]
        for ln in left:
            ln.column = 0
        for ln in right:
            ln.column = 1
        out.extend(_merge_row_fragments(left))
        out.extend(_merge_row_fragments(right))
        band.clear()

    for ln in lines:
        if ln.x0 < gutter - 1 and ln.x1 > gutter + 1:  # full width: a title, a wide figure
            flush()
            ln.column = 0
            out.append(ln)
        else:
            band.append(ln)
    flush()
    return out


def _merge_row_fragments(lines: list[Line]) -> list[Line]:
    """Within one column, fragments of one row (split at a tab stop) become one line again."""
    out: list[Line] = []
    for ln in sorted(lines, key=lambda ln: (ln.row, ln.x0)):
        if out:
            last = out[-1]
            if last.row == ln.row and ln.x0 >= last.x1 - 1:
                merged = Line(last.words + ln.words, ln.page, row=ln.row).finish()
                merged.column = last.column
                out[-1] = merged
                continue
        out.append(ln)
    return out


# --- furniture and the table of contents ----------------------------------------------------


def _furniture_key(text: str, size: float) -> tuple[str, int]:
    """The text (digits normalised, spaces removed) and the size of a margin line: a running
    header repeats both, a chapter heading that a running header repeats in small type does not."""
    return _DIGITS.sub("#", "".join(text.split())).lower(), round(size)


def _mark_furniture(
    pages: list[list[Line]], heights: list[float], body: float, enclosed: list[list[Line]] | None = None
) -> None:
    """Mark running headers and footers and page numbers. `enclosed` holds, per page, the lines
    of table text in the bands: they are furniture only when they repeat a running header or
    footer found outside tables (or are a page number), never on their own (a table header
    repeated on every page of a long table is content)."""
    n = len(pages)
    min_pages = 2 if n <= SHORT_DOCUMENT else REPEAT_PAGES
    in_band: list[list[Line]] = []
    for lines, height in zip(pages, heights, strict=True):
        band = [ln for ln in lines if ln.bottom <= height * BAND or ln.top >= height * (1 - BAND)]
        in_band.append(band)
    counts: Counter[str] = Counter()
    for band in in_band:
        counts.update({_furniture_key(ln.text, ln.size) for ln in band})
    places: list[tuple[float, float, str]] = []
    for band in in_band:
        for ln in band:
            key = _furniture_key(ln.text, ln.size)
            if counts[key] >= min_pages and n > 1:
                ln.kind = b.FURNITURE
                ln.why = f"running header/footer: recurs in the page margin on {counts[key]} of {n} pages"
                if ln.size <= body:
                    places.append((ln.top, ln.size, ln.font))
            elif _PAGE_NUMBER.match(ln.text.strip()):
                ln.kind = b.FURNITURE
                ln.why = "page number"
    for band, lines in zip(in_band, pages, strict=True):
        content = [ln for ln in lines if not ln.kind]
        outer = {id(ln) for ln in content[:1] + content[-1:]} if content else set()
        for ln in band:
            if ln.kind or id(ln) not in outer:
                continue
            if any(
                abs(ln.top - top) < 1.5 and ln.size == size and ln.font == font for top, size, font in places
            ):
                ln.kind = b.FURNITURE
                ln.why = "printed at the place and in the font of the running header/footer"
    for lines in enclosed or []:
        for ln in lines:
            key = _furniture_key(ln.text, ln.size)
            if counts[key] >= min_pages and n > 1:
                ln.kind = b.FURNITURE
                ln.why = f"running header/footer inside a table frame: recurs on {counts[key]} of {n} pages"
            elif _PAGE_NUMBER.match(ln.text.strip()):
                ln.kind, ln.why = b.FURNITURE, "page number (inside a table frame)"
            elif any(
                abs(ln.top - top) < 1.5 and ln.size == size and ln.font == font for top, size, font in places
            ):
                ln.kind = b.FURNITURE
                ln.why = "at the place and in the font of the running header/footer (inside a table frame)"


# Characters of body text before a contents page after which it is an annex's list (of forms,
# of tables) inside the document rather than the document's own table of contents.
TOC_BODY_BEFORE = 1500


def _mark_toc(pages: list[list[Line]]) -> None:
    """Lines with dot leaders are a table of contents. On the document's own contents pages
    (before the body starts) the whole page goes; on a list of contents later in the document
    only the lines from just above its first leader line to its last, so the annex heading
    above it stays."""
    body_before = 0
    for lines in pages:
        content = [ln for ln in lines if not ln.kind]
        leaders = [ln for ln in content if _LEADER_LINE.search(ln.text)]
        if len(leaders) < 3:
            for ln in leaders:
                ln.kind, ln.why = b.FURNITURE, "table of contents (dot leaders)"
            body_before += sum(ln.chars for ln in content if ln not in leaders)
            continue
        first = min(ln.top for ln in leaders)
        last = max(ln.bottom for ln in leaders)
        if len(leaders) >= 0.4 * len(content) and body_before < TOC_BODY_BEFORE:
            for ln in content:
                ln.kind, ln.why = b.FURNITURE, "table of contents page"
            continue
        above = [ln for ln in content if ln.bottom <= first]
        title = max(above, key=lambda ln: ln.top) if above else None
        for ln in content:
            if first <= ln.top <= last or (ln is title and first - ln.bottom < 3 * ln.size):
                ln.kind, ln.why = b.FURNITURE, "table of contents"
        body_before += sum(ln.chars for ln in content if not ln.kind)


# --- blocks ---------------------------------------------------------------------------------


def _body_size(pages: list[list[Line]]) -> float:
    sizes: Counter[float] = Counter()
    for lines in pages:
        for ln in lines:
            if not ln.kind:
                sizes[ln.size] += ln.chars
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _pitches(pages: list[list[Line]]) -> dict[float, float]:
    by_size: defaultdict[float, list[float]] = defaultdict(list)
    for lines in pages:
        content = [ln for ln in lines if not ln.kind]
        for a, c in zip(content, content[1:], strict=False):
            if a.column == c.column and a.size == c.size and c.top > a.top:
                by_size[a.size].append(c.top - a.top)
    pitches = {size: statistics.median(values) for size, values in by_size.items() if len(values) >= 3}
    # Lines set larger than the body are few, and the pairs of them in a row are mostly separate
    # headings with space between: their pitch is the body's, scaled to their size, at most.
    body = _body_size(pages)
    body_pitch = pitches.get(body)
    if body and body_pitch:
        for size in pitches:
            if size > body + 0.5:
                pitches[size] = min(pitches[size], body_pitch * size / body)
    return pitches


def _starts_item(text: str) -> bool:
    found = numbering(text)
    return found is not None


def _group(lines: list[Line], pitches: dict[float, float]) -> list[list[Line]]:
    groups: list[list[Line]] = []
    rights: dict[int, float] = {}
    for ln in lines:
        rights[ln.column] = max(rights.get(ln.column, 0.0), ln.x1)
    for ln in lines:
        if groups:
            group = groups[-1]
            prev = group[-1]
            pitch = pitches.get(prev.size) or 1.45 * prev.size
            step = ln.top - prev.top
            same = (
                prev.page == ln.page
                and prev.column == ln.column
                and abs(prev.size - ln.size) < 0.6
                and (prev.bold == ln.bold or prev.x1 >= rights[prev.column] - 2 * prev.size)
                and 0 < step <= pitch * PARAGRAPH_GAP + 1.0
                and not _starts_item(ln.text)
                # a letter-spaced line ("기 술 분 야") and a normal one are two labels, not a wrap
                and letter_spaced(prev.text) == letter_spaced(ln.text)
                and not _CAPTION.match(ln.text)
                and not _CAPTION.match(prev.text)
                and not _BRACKETED.match(prev.text)
                and not _BRACKETED.match(ln.text)
            )
            if same:
                # a short line then an indented one: a new paragraph (first-line indent)
                right = max(x.x1 for x in group)
                if ln.x0 > prev.x0 + 1.5 * ln.size and prev.x1 < right - 4 * ln.size and len(group) > 1:
                    same = False
            if same:
                group.append(ln)
                continue
        groups.append([ln])
    return groups


def _join(group: list[Line], breaks: LineBreaks) -> str:
    text = group[0].text
    right = max(ln.x1 for ln in group)
    for previous, line in zip(group, group[1:], strict=False):
        following = line.text
        full = previous.x1 >= right - 2 * previous.size
        if text.endswith("\u00ad"):
            text = text[:-1] + following
        elif re.search(r"[A-Za-z0-9/]-$", text) and following[:1].isalnum():
            text += following  # a hyphenated compound or a URL broken at its hyphen
        elif (
            full
            and re.search(r"https?://\S*$", text)
            and not re.search(r"[.,;]$", text)
            and re.match(r"[a-z0-9/%?&=_.#~-]", following)
        ):
            text += following  # a URL broken across lines
        else:
            text += breaks.separator(text, following) + following
    return text


def _column_edges(pages: list[list[Line]]) -> dict[int, tuple[float, float]]:
    """Return each column's left and right edge over the document: the outermost line starts and
    ends that a good share of the text lines share (so a centred or indented line on a page of
    its own is measured against the real margins)."""
    starts: defaultdict[int, Counter[int]] = defaultdict(Counter)
    ends: defaultdict[int, Counter[int]] = defaultdict(Counter)
    for lines in pages:
        for ln in lines:
            if not ln.kind and ln.chars >= 10:
                starts[ln.column][round(ln.x0)] += 1
                ends[ln.column][round(ln.x1)] += 1
    edges = {}
    for column, counter in starts.items():
        total = sum(counter.values())
        common = [x for x, n in counter.items() if n >= 0.05 * total] or list(counter)
        right_counter = ends[column]
        right_common = [x for x, n in right_counter.items() if n >= 0.05 * total] or list(right_counter)
        edges[column] = (float(min(common)), float(max(right_common)))
    return edges


def _block(
    group: list[Line],
    kind: str,
    why: str,
    text: str,
    width: float,
    height: float,
    column: tuple[float, float],
) -> Block:
    sizes = sorted(s for ln in group for s in ln.sizes)
    fonts: Counter[str] = Counter()
    bold = 0
    for ln in group:
        fonts[ln.font] += ln.chars
        bold += ln.chars if ln.bold else 0
    chars = sum(ln.chars for ln in group)
    x0 = min(ln.x0 for ln in group)
    x1 = max(ln.x1 for ln in group)
    centre = (x0 + x1) / 2
    left, right = column
    if right - left < 50:  # no column measured: the page is the column
        left, right = 0.0, width
    return Block(
        kind=kind,
        text=text,
        page=group[0].page,
        bbox=(round(x0, 1), round(group[0].top, 1), round(x1, 1), round(group[-1].bottom, 1)),
        font_size=round(statistics.median(sizes), 1) if sizes else None,
        bold=bold * 2 > chars,
        font=_SUBSET.sub("", fonts.most_common(1)[0][0]) if fonts else "",
        why=why,
        features={
            "lines": [ln.text for ln in group],
            "line_count": len(group),
            "size_max": max(sizes) if sizes else 0.0,
            "indent": round(x0 - left, 1),
            "centered": abs(centre - (left + right) / 2) < 0.05 * (right - left)
            and (x1 - x0) < 0.8 * (right - left)
            and x0 - left > 2 * (sizes[len(sizes) // 2] if sizes else 10.0),
            "gap_before": 0.0,
            "gap_after": 0.0,
            "column": group[0].column,
            "page_width": width,
            "page_height": height,
        },
    )


# --- tables ---------------------------------------------------------------------------------


def _tables(page) -> list[tuple[tuple[float, float, float, float], list[list[str]], object]]:
    """Return the page's ruled tables with two or more rows of text, as (bbox, rows, table)."""
    from pdfplumber.table import TableFinder

    found = []
    if not page.edges:
        return found
    try:
        tables = TableFinder(page, {}).tables
    except Exception:  # a malformed drawing is no reason to lose the page's text
        # The page's words are still read as lines; only the table structure is lost.
        log.warning("PDF table finder failed on a page; its text is read without tables", exc_info=True)
        return []
    for table in tables:
        x0, top, x1, bottom = table.bbox
        own = [c for c in page.chars if x0 <= c["x0"] <= x1 and top <= c["top"] <= bottom]
        table.page = _TablePage(own, [], page.bbox[2], page.bbox[3])  # its characters only: faster
        rows = _table_rows(table)
        if rows:
            found.append((table.bbox, rows, table))
    return found


def _table_rows(table) -> list[list[str]] | None:
    try:
        raw = table.extract()
    except Exception:  # the cells' words stay in the page's lines
        log.warning("PDF table could not be extracted; its text is read as lines", exc_info=True)
        return None
    rows = []
    for row in raw:
        cells = [" ".join(clean_cell(cell).split()) for cell in row]
        if any(cells):
            rows.append(list(cells))
    if len(rows) < 2:
        return None  # a frame around a heading or a box of text, not a table
    # drop columns that are empty in every row (merged cells)
    keep = [i for i in range(max(len(r) for r in rows)) if any(i < len(r) and r[i] for r in rows)]
    rows = [[r[i] if i < len(r) else "" for i in keep] for r in rows]
    if len(keep) < 2 and len(rows) < 3:
        return None
    return rows


def clean_cell(cell: str | None) -> str:
    if not cell:
        return ""
    text = _CID.sub("", unicodedata.normalize("NFC", cell))
    return "".join(ch for ch in text if _usable(ch) or ch in "\n ")


def _inside(c: dict, box: tuple[float, float, float, float]) -> bool:
    x = (c["x0"] + c["x1"]) / 2
    y = (c["top"] + c["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


# --- the reader -----------------------------------------------------------------------------


@dataclass
class _Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    tables: list[tuple[tuple[float, float, float, float], list[list[str]], object]]
    # lines of table text in the page's top and bottom bands: a running header or footer that a
    # table's frame happens to enclose (found out with the other furniture, then taken out)
    band_lines: list[Line] = field(default_factory=list)
    table_page: object = None


_ENCRYPTED = gettext_lazy("the PDF is encrypted; remove the password and import it again")


def _open(data: bytes):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise DocumentError(_ENCRYPTED) from None
        raise DocumentError(f"is not a readable PDF ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # anything else the library raises on malformed input
        raise DocumentError(f"is not a readable PDF ({type(exc).__name__}: {exc})") from None


def _font_name(data: bytes) -> str:
    """A font's base name: ASCII mostly, else the bytes of a Korean (or other local) name."""
    for codec in ("utf-8", "cp949"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _page_chars(page, raw, mb_left: float, mb_top: float) -> list[dict]:
    """Return the characters of a page as dicts (text, box, size, font, bold, upright), read
    with PDFium: its text page gives each character's loose box (font ascent to descent), and
    the text object it belongs to gives the font, its weight and the render mode."""
    import ctypes

    textpage = page.get_textpage()
    try:
        handle = textpage.raw
        count = raw.FPDFText_CountChars(handle)
        rect = raw.FS_RECTF()
        matrix = raw.FS_MATRIX()
        buffer = ctypes.create_string_buffer(256)
        objects: dict[int, tuple[str, bool, float, bool]] = {}
        chars: list[dict] = []
        space = False
        for k in range(count):
            code = raw.FPDFText_GetUnicode(handle, k)
            if code == 2:
                code = 0x2D  # PDFium's mark for a hyphen at the end of a line: the hyphen printed
            if code <= 32 or raw.FPDFText_IsGenerated(handle, k) == 1:
                space = True  # a space or line break, printed or inferred by PDFium: a word boundary
                continue
            if raw.FPDFText_HasUnicodeMapError(handle, k) == 1:
                continue  # a glyph without a character: the "(cid:N)" of other extractors
            obj = raw.FPDFText_GetTextObject(handle, k)
            key = ctypes.cast(obj, ctypes.c_void_p).value or 0
            info = objects.get(key)
            if info is None:
                name, bold, size, upright = "", False, 0.0, True
                if key:
                    font = raw.FPDFTextObj_GetFont(obj)
                    if font:
                        length = raw.FPDFFont_GetBaseFontName(font, buffer, len(buffer))
                        name = _font_name(buffer.raw[: max(0, length - 1)]) if length > 0 else ""
                        weight = raw.FPDFFont_GetWeight(font)
                        bold = weight >= 600
                    mode = raw.FPDFTextObj_GetTextRenderMode(obj)
                    bold = bold or mode == raw.FPDF_TEXTRENDERMODE_FILL_STROKE
                    points = ctypes.c_float()
                    raw.FPDFTextObj_GetFontSize(obj, ctypes.byref(points))
                    raw.FPDFText_GetMatrix(handle, k, matrix)
                    scale = (matrix.c**2 + matrix.d**2) ** 0.5
                    size = float(points.value) * (scale or 1.0)
                    upright = matrix.a > 0 and abs(matrix.b) < 1e-3 * abs(matrix.a) + 1e-6
                info = (name, bold or _bold_font(name), size, upright)
                objects[key] = info
            raw.FPDFText_GetLooseCharBox(handle, k, rect)
            name, bold, size, upright = info
            top = mb_top - rect.top
            bottom = mb_top - rect.bottom
            chars.append(
                {
                    "text": chr(code),
                    "x0": rect.left - mb_left,
                    "x1": rect.right - mb_left,
                    "top": top,
                    "bottom": bottom,
                    "doctop": top,
                    "size": size or (bottom - top),
                    "fontname": name,
                    "bold": bold,
                    "upright": upright,
                    "object_type": "char",
                    "space_before": space,
                }
            )
            space = False
        return chars
    finally:
        textpage.close()


def _page_edges(page, raw, mb_left: float, mb_top: float) -> list[dict]:
    """Return the horizontal and vertical strokes of the page's vector paths (table rules,
    cell borders) as pdfplumber edges."""
    import ctypes

    edges: list[dict] = []
    x = ctypes.c_float()
    y = ctypes.c_float()

    def compose(m: tuple[float, ...], parent: tuple[float, ...] | None) -> tuple[float, ...]:
        if parent is None:
            return m
        a, b_, c, d, e, f = m
        pa, pb, pc, pd, pe, pf = parent
        return (
            a * pa + b_ * pc,
            a * pb + b_ * pd,
            c * pa + d * pc,
            c * pb + d * pd,
            e * pa + f * pc + pe,
            e * pb + f * pd + pf,
        )

    def add(p: tuple[float, float], q: tuple[float, float]) -> None:
        (x0, y0), (x1, y1) = p, q
        if abs(x0 - x1) < 1.0 and abs(y0 - y1) >= 1.0:
            xm = (x0 + x1) / 2
            top, bottom = sorted((y0, y1))
            edges.append(
                {
                    "object_type": "line",
                    "orientation": "v",
                    "x0": xm,
                    "x1": xm,
                    "top": top,
                    "bottom": bottom,
                    "width": 0.0,
                    "height": bottom - top,
                    "doctop": top,
                }
            )
        elif abs(y0 - y1) < 1.0 and abs(x0 - x1) >= 1.0:
            ym = (y0 + y1) / 2
            left, right = sorted((x0, x1))
            edges.append(
                {
                    "object_type": "line",
                    "orientation": "h",
                    "x0": left,
                    "x1": right,
                    "top": ym,
                    "bottom": ym,
                    "width": right - left,
                    "height": 0.0,
                    "doctop": ym,
                }
            )

    fs_matrix = raw.FS_MATRIX()

    def paths(count: int, get, parent: tuple[float, ...] | None, depth: int):
        """Yield the path objects (with their page matrix) of a page or a form XObject."""
        for i in range(count):
            obj = get(i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM):
                continue
            raw.FPDFPageObj_GetMatrix(obj, fs_matrix)
            m = fs_matrix
            full = compose((m.a, m.b, m.c, m.d, m.e, m.f), parent)
            if kind == raw.FPDF_PAGEOBJ_PATH:
                yield obj, full
            elif depth < 8:
                yield from paths(
                    raw.FPDFFormObj_CountObjects(obj),
                    lambda j, form=obj: raw.FPDFFormObj_GetObject(form, j),
                    full,
                    depth + 1,
                )

    handle = page.raw
    for obj, full in paths(
        raw.FPDFPage_CountObjects(handle), lambda j: raw.FPDFPage_GetObject(handle, j), None, 0
    ):
        a, b_, c, d, e, f = full

        segments = raw.FPDFPath_CountSegments(obj)
        if segments <= 1 or segments > 5000:
            continue
        start = previous = None
        for i in range(segments):
            seg = raw.FPDFPath_GetPathSegment(obj, i)
            if not raw.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
                continue
            px, py = x.value, y.value
            current = (a * px + c * py + e - mb_left, mb_top - (b_ * px + d * py + f))
            kind = raw.FPDFPathSegment_GetType(seg)
            if kind == raw.FPDF_SEGMENT_MOVETO:
                start = current
            elif kind == raw.FPDF_SEGMENT_LINETO and previous is not None:
                add(previous, current)
            previous = current
            if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                add(current, start)
                previous = start
    return edges


class _TablePage:
    """What pdfplumber's table finder reads of a page: its edges, characters and box."""

    def __init__(self, chars: list[dict], edges: list[dict], width: float, height: float) -> None:
        self.chars = chars
        self.edges = edges
        self.bbox = (0, 0, width, height)


def _read_page(document, index: int, raw) -> _Page:
    page = document[index]
    try:
        left, bottom, right, top = page.get_mediabox()
        width, height = float(right - left), float(top - bottom)
        chars = _clean_chars(_page_chars(page, raw, left, top), width, height)
        table_page = _TablePage(chars, _page_edges(page, raw, left, top), width, height)
        tables = _tables(table_page)
    finally:
        page.close()
    band_lines: list[Line] = []
    if tables:
        inside = [c for c in chars if any(_inside(c, box) for box, _, _ in tables)]
        banded = [c for c in inside if c["bottom"] <= height * BAND or c["top"] >= height * (1 - BAND)]
        band_lines = _lines(_words(banded), index + 1) if banded else []
        ids = {id(c) for c in inside}
        chars = [c for c in chars if id(c) not in ids]
    lines = _reading_order(_lines(_words(chars), index + 1), width) if chars else []
    return _Page(index + 1, width, height, lines, tables, band_lines, table_page)


# PDFium is not thread-safe: one document at a time per process (a threaded server may import
# two PDFs at once).
_PDFIUM_LOCK = threading.Lock()


def _read_pages(data: bytes) -> tuple[list[_Page], dict, list[str]]:
    with _PDFIUM_LOCK:
        return _read_pages_locked(data)


def _read_pages_locked(data: bytes) -> tuple[list[_Page], dict, list[str]]:
    import pypdfium2.raw as raw

    document = _open(data)
    pages: list[_Page] = []
    warnings: list[str] = []
    try:
        try:
            metadata = dict(document.get_metadata_dict() or {})
        except Exception:  # a broken info dictionary is no reason to fail
            metadata = {}
        try:
            count = len(document)
        except Exception as exc:
            raise DocumentError(f"is not a readable PDF ({type(exc).__name__}: {exc})") from None
        progress_report(0, count)
        for index in range(count):
            budget_check()
            try:
                pages.append(_read_page(document, index, raw))
            except Exception as exc:  # one broken page is no reason to lose the others
                log.warning("PDF page %d unreadable: %r", index + 1, exc)
                warnings.append(f"page {index + 1} could not be read ({type(exc).__name__}); it is left out")
                pages.append(_Page(index + 1, 595.0, 842.0, [], []))
            progress_report(index + 1, count)
    finally:
        document.close()
    return pages, metadata, warnings


def read_pdf(data: bytes, *, filename: str = "") -> BlockDocument:
    """Read a PDF's text layer into blocks with layout features (raises DocumentError)."""
    pages, info, warnings = _read_pages(data)
    if not pages:
        raise DocumentError(gettext("the PDF has no pages"))
    if len(warnings) == len(pages):
        raise DocumentError(f"is not a readable PDF (no page could be read: {warnings[0]})")
    if not any(p.lines or p.tables for p in pages):
        raise DocumentError(
            gettext("the PDF has no text layer (a scanned image?); run OCR on it and import the result")
        )
    line_pages = [p.lines for p in pages]
    heights = [p.height for p in pages]
    _mark_furniture(line_pages, heights, _body_size(line_pages), [p.band_lines for p in pages])
    for page in pages:
        _drop_furniture_from_tables(page)
    _mark_toc(line_pages)
    body = _body_size(line_pages)
    pitches = _pitches(line_pages)

    # paragraphs, tables and furniture in page order
    blocks: list[Block] = []
    all_lines: list[str] = []
    groups_by_page: list[tuple[_Page, list[tuple[list[Line], str, str]]]] = []
    for page in pages:
        items: list[tuple[list[Line], str, str]] = []
        lefts = defaultdict(list)
        for ln in page.lines:
            if not ln.kind:
                lefts[ln.column].append(ln.x0)
        content = [ln for ln in page.lines if not ln.kind]
        footnote_lines = _footnote_lines(content, body, page.height)
        for ln in page.lines:
            if ln.kind:
                items.append(([ln], ln.kind, ln.why))
        for group in _group([ln for ln in content if ln not in footnote_lines], pitches):
            items.append((group, b.PARAGRAPH, ""))
        for group in _footnote_groups(footnote_lines):
            items.append(
                (group, b.FOOTNOTE, f"small text ({group[0].size}pt < body {body}pt) under the body")
            )
        groups_by_page.append((page, items))
        for group, kind, _ in items:
            if kind != b.FURNITURE:
                all_lines.extend(ln.text for ln in group)
                all_lines.append("")
    breaks = LineBreaks.of(all_lines)

    footnotes: list[Block] = []
    _check_footnote_numbers(groups_by_page)
    columns = _column_edges(line_pages)
    for page, items in groups_by_page:
        placed: list[tuple[float, int, Block]] = []
        for order, (group, kind, why) in enumerate(items):
            text = normalise_text(_join(group, breaks))
            column = columns.get(group[0].column, (0.0, page.width))
            block = _block(group, kind, why, text, page.width, page.height, column)
            if kind == b.PARAGRAPH:
                if _CAPTION.match(text) and len(group) <= 3:
                    block.relabel(b.CAPTION, "caption label (table/figure/source)")
                elif _BRACKETED.match(text):
                    block.relabel(b.CAPTION, "a bracketed label")
            if kind == b.FOOTNOTE:
                footnotes.append(block)
                continue
            if kind == b.PARAGRAPH and placed and _continues_caption(placed[-1][1], block):
                caption = placed[-1][1]
                caption.text = f"{caption.text.rstrip()} {text.strip()}"
                caption.bbox = (*caption.bbox[:3], block.bbox[3])
                caption.features["lines"] = [*caption.features.get("lines", []), *block.features["lines"]]
                caption.features["line_count"] = len(caption.features["lines"])
                caption.why += "; with the caption's wrapped line after it"
                continue
            placed.append((order, block))
        # tables go where they stand on the page: before the first block below their top
        page_blocks = [blk for _, blk in placed]
        _figure_labels(page_blocks, page.height)
        for box, rows, _ in page.tables:
            table = Block(
                kind=b.TABLE,
                text=table_text(rows),
                page=page.number,
                bbox=tuple(round(v, 1) for v in box),
                rows=rows,
                why="ruled table (pdfplumber)",
                features={"page_width": page.width, "page_height": page.height, "column": 0},
            )
            at = len(page_blocks)
            for i, blk in enumerate(page_blocks):
                if (
                    blk.kind != b.FURNITURE
                    and blk.bbox
                    and blk.bbox[1] > box[1]
                    and blk.features.get("column", 0) == 0
                ):
                    at = i
                    break
            page_blocks.insert(at, table)
        blocks.extend(page_blocks)

    for blk in blocks:
        if blk.page == 1 and blk.kind == b.PARAGRAPH and _DATE_LINE.match(" ".join(blk.text.split())):
            blk.relabel(b.FURNITURE, "the publication date (kept as metadata)")
    _gaps(blocks)
    metadata = _title_and_metadata(blocks, info, pages, filename)
    blocks = _classify(blocks, body)
    if not metadata.get("authors"):
        authors = _stacked_names(blocks)
        if authors:
            metadata["authors"] = authors
    if footnotes:
        hangul = sum(1 for blk in footnotes for _ in _HANGUL.finditer(blk.text))
        label = "주석" if hangul > 0.3 * sum(len(blk.text) for blk in footnotes) else "Notes"
        blocks.append(
            Block(
                kind=b.HEADING,
                text=label,
                level=1,
                why="the footnotes, collected at the end",
                page=footnotes[0].page,
            )
        )
        blocks.extend(footnotes)
    return BlockDocument(blocks=blocks, format="pdf", metadata=metadata, warnings=warnings, structured=False)


_FIGURE_TITLE = re.compile(
    r"^\s*[<〈《\[(]?\s*(?:표|그림|도표|사진|차트|figure|fig\.|table|chart|map|exhibit|graph)\s*\d",
    re.IGNORECASE,
)
_SOURCE_NOTE = re.compile(r"^\s*(?:source|sources|note|notes|자료|출처|주)\s*[:：]", re.IGNORECASE)


def _figure_labels(blocks: list[Block], height: float) -> None:
    """Short lines between a figure's title ("Figure 2. …", not a sentence) and its source note
    below it, in the same column, are the figure's own labels (axis titles, legend, boxes of an
    organisation chart): captions, never headings."""
    for i, start in enumerate(blocks):
        text = " ".join(start.text.split())
        if start.kind != b.CAPTION or not _FIGURE_TITLE.match(text) or text.endswith(".") or not start.bbox:
            continue
        column = start.features.get("column")
        for j in range(i + 1, len(blocks)):
            end = blocks[j]
            if end.features.get("column") != column or not end.bbox:
                continue
            if end.bbox[1] - start.bbox[3] > 0.6 * height or end.bbox[1] < start.bbox[1]:
                break
            if end.kind == b.CAPTION and _SOURCE_NOTE.match(end.text):
                for blk in blocks[i + 1 : j]:
                    if (
                        blk.kind == b.PARAGRAPH
                        and blk.features.get("column") == column
                        and len(blk.text) <= 80
                        and blk.features.get("line_count", 1) <= 2
                    ):
                        blk.relabel(
                            b.CAPTION, "a label inside a figure (between its title and its source note)"
                        )
                break
            if end.kind == b.CAPTION or end.kind == b.TABLE:
                break


def _continues_caption(caption: Block, block: Block) -> bool:
    """A short line right under a figure or table caption, in the caption's column, size and
    weight, is the caption's wrapped second line ("Figure 1. U.S. Space Force Within the
    Department of" / "the Air Force"), never a heading of its own."""
    if caption.kind != b.CAPTION or not caption.bbox or not block.bbox or not caption.font_size:
        return False
    size = caption.font_size
    return (
        block.page == caption.page
        and block.features.get("column") == caption.features.get("column")
        and block.font_size is not None
        and abs(block.font_size - size) <= 0.3
        and block.bold == caption.bold
        and block.bbox[1] - caption.bbox[3] <= 0.8 * size
        and (
            abs(block.bbox[0] - caption.bbox[0]) <= size  # flush left under it
            or abs(block.bbox[0] + block.bbox[2] - caption.bbox[0] - caption.bbox[2]) <= 2 * size  # centred
        )
        and block.features.get("line_count", 1) <= 2
        and len(block.text) <= 200
    )


def _stacked_names(blocks: list[Block]) -> list[str]:
    """The names of author blocks (a name over a job title, which the heading rules set aside
    as stacked lines), in order, once each."""
    names: list[str] = []
    for blk in blocks:
        if blk.kind == b.PARAGRAPH and "stacked lines" in blk.why:
            name = " ".join((blk.features.get("lines") or [blk.text])[0].split())
            if name and name not in names:
                names.append(name)
    return names[:8]


def _check_footnote_numbers(groups_by_page: list) -> None:
    """Footnotes are numbered in one sequence through the document: a page's notes must start at
    1 or right after the last note seen (a form's "20  년  월  일" is no note 20)."""
    last = 0
    for _, items in groups_by_page:
        notes = [i for i, (_, kind, _) in enumerate(items) if kind == b.FOOTNOTE]
        if not notes:
            continue
        first_text = items[notes[0]][0][0].text
        match = re.match(r"^(\d+)", first_text)
        number = int(match.group(1)) if match else None
        if number is not None and number not in (1, last + 1):
            for i in notes:
                group, _, _ = items[i]
                items[i] = (group, b.PARAGRAPH, "")
            continue
        for i in notes:
            match = re.match(r"^(\d+)", items[i][0][0].text)
            if match:
                last = int(match.group(1))


def _drop_furniture_from_tables(page: _Page) -> None:
    """Take a running header or footer that a table's frame encloses out of the table."""
    furniture = [ln for ln in page.band_lines if ln.kind == b.FURNITURE]
    if not furniture or page.table_page is None:
        return
    boxes = [(ln.x0 - 0.5, ln.top - 0.5, ln.x1 + 0.5, ln.bottom + 0.5) for ln in furniture]
    tables = []
    for box, rows, table in page.tables:
        chars = table.page.chars
        kept = [c for c in chars if not any(_inside(c, fbox) for fbox in boxes)]
        if len(kept) < len(chars):
            table.page.chars = kept
            rows = _table_rows(table)
        if rows:
            tables.append((box, rows, table))
    page.tables = tables
    page.lines.extend(furniture)  # listed with the page's other furniture


def _footnote_lines(content: list[Line], body: float, height: float) -> list[Line]:
    """Return the small-font lines at the bottom of a page, under the body text, from the first
    one that opens with a note number."""
    tail: list[Line] = []
    for ln in sorted(content, key=lambda ln: ln.top, reverse=True):
        if ln.size < body - 0.5 and ln.top > height * 0.4:
            tail.append(ln)
        else:
            break
    tail.reverse()
    start = next((i for i, ln in enumerate(tail) if _FOOTNOTE_START.match(ln.text)), None)
    return [] if start is None else tail[start:]


def _footnote_groups(lines: list[Line]) -> list[list[Line]]:
    groups: list[list[Line]] = []
    for ln in lines:
        starts = _FOOTNOTE_START.match(ln.text) and (not groups or ln.x0 <= groups[-1][0].x0 + 2)
        if starts and re.match(r"^\d", ln.text) and groups:
            # a number at the start of a line is a new note only when it is the next number
            prev = re.match(r"^(\d+)", groups[-1][0].text)
            cur = re.match(r"^(\d+)", ln.text)
            starts = not prev or (cur and int(cur.group(1)) == int(prev.group(1)) + 1)
        if groups and not starts:
            groups[-1].append(ln)
        else:
            groups.append([ln])
    return groups


def _gaps(blocks: list[Block]) -> None:
    """Set the vertical gap to the block above and below in the same column of the same page."""
    previous: dict[tuple[int | None, int], Block] = {}
    for blk in blocks:
        if blk.kind == b.FURNITURE or blk.bbox is None:
            continue
        key = (blk.page, blk.features.get("column", 0))
        above = previous.get(key)
        if above is not None and above.bbox and blk.bbox[1] >= above.bbox[3] - 1:
            gap = round(max(0.0, blk.bbox[1] - above.bbox[3]), 1)
            blk.features["gap_before"] = gap
            above.features["gap_after"] = gap
        previous[key] = blk


# --- title and metadata ---------------------------------------------------------------------


def _metadata_title(info: dict, filename: str = "") -> str:
    from briefs.importers.sectioner import placeholder_title

    title = info.get("Title") or ""
    if isinstance(title, bytes):
        try:
            title = (
                title.decode("utf-16") if title[:2] in (b"\xfe\xff", b"\xff\xfe") else title.decode("latin-1")
            )
        except UnicodeDecodeError:
            return ""
    title = " ".join(str(title).split())
    if len(title) < 3 or placeholder_title(title, filename):
        return ""
    return normalise_text(title)


def _numbered_heading(text: str) -> bool:
    found = numbering(" ".join(text.split()))
    return found is not None and found.depth is not None and not found.rest[:1].isdigit()


def _squash(text: str) -> str:
    return "".join(text.split()).lower()


def _framed_title(page: _Page, blocks: list[Block]) -> str:
    """The largest line printed inside a ruled frame on the first page, when the page has no
    larger text outside its tables (a form's title cell, a report laid out in one grid)."""
    chars = [
        c
        for c in page.table_page.chars
        if c.get("upright", True) and c["text"].strip() and any(_inside(c, box) for box, _, _ in page.tables)
    ]
    if not chars:
        return ""
    sizes = Counter()
    for blk in blocks:
        if blk.kind in (b.PARAGRAPH, b.TABLE) and blk.font_size:
            sizes[blk.font_size] += len(blk.text)
    for c in chars:
        sizes[round(c["size"], 1)] += 1
    body = sizes.most_common(1)[0][0]
    large = [c for c in chars if c["size"] >= body * TITLE_RATIO and c["top"] < page.height * 0.6]
    lines = (
        [ln for ln in _lines(_words(large), page.number) if not _UNIT_NOTE.match(ln.text)] if large else []
    )
    # not a figure ("+120.35%"), not the date line ("2023년 9월")
    lines = [ln for ln in lines if not _DATE_LINE.match(" ".join(ln.text.split()))]
    worded = [ln for ln in lines if _letter_share(ln.text) >= 0.5]
    if not worded:
        return ""
    largest = max(ln.size for ln in worded)
    top = [ln for ln in lines if ln.size >= largest - 0.5]
    top.sort(key=lambda ln: (ln.top, ln.x0))
    run = [top[0]]
    for ln in top[1:]:
        if ln.top - run[-1].bottom > 1.5 * largest:
            break
        run.append(ln)
    text = normalise_text(" ".join(ln.text for ln in run))
    return text if 2 <= len(text) <= 200 and any(ch.isalpha() for ch in text) else ""


def _letter_share(text: str) -> float:
    chars = [ch for ch in text if not ch.isspace()]
    return sum(ch.isalpha() for ch in chars) / len(chars) if chars else 0.0


def _masthead(blocks: list[Block], title: list[Block]) -> None:
    """Text printed above the title on the first page (a series logo, a product banner, an
    issue line) is masthead furniture, never a heading."""
    top = min(blk.bbox[1] for blk in title if blk.bbox)
    for blk in blocks:
        if blk.page != 1 or blk.kind != b.PARAGRAPH or not blk.bbox:
            continue
        if blk.bbox[3] <= top and len(blk.text) <= 60:
            blk.relabel(b.FURNITURE, "above the title on the first page: masthead")


def _title_and_metadata(blocks: list[Block], info: dict, pages: list[_Page], filename: str = "") -> dict:
    from briefs.importers.sectioner import title_looks_like_furniture

    metadata: dict = {}
    first = [
        blk for blk in blocks if blk.page == 1 and blk.kind == b.PARAGRAPH and blk.font_size and blk.bbox
    ]
    height = pages[0].height
    candidates = [
        blk
        for blk in first
        if blk.bbox[1] < height * 0.6
        and not title_looks_like_furniture(blk.text)
        and len(blk.text) <= 300
        and not _numbered_heading(blk.text)  # "Ⅰ. 서론" on a first page without a cover
        and not _UNIT_NOTE.match(blk.text.strip())
        and not _FIGURE_NUMBER.search(" ".join(blk.text.split()))
    ]
    big: list[Block] = []
    if candidates:
        largest = max(blk.features["size_max"] for blk in candidates)
        sizes = Counter()
        for blk in blocks:
            if blk.kind == b.PARAGRAPH and blk.font_size:
                sizes[blk.font_size] += len(blk.text)
        body = sizes.most_common(1)[0][0] if sizes else 0
        if (largest > body + 0.5 and largest >= body * TITLE_RATIO) or len(pages) == 1:
            big = [blk for blk in candidates if blk.features["size_max"] >= largest - 0.5]
            # only the first run of adjacent largest blocks
            run = [big[0]]
            for blk in big[1:]:
                if blocks.index(blk) == blocks.index(run[-1]) + 1:
                    run.append(blk)
                else:
                    break
            big = run
    big_text = " ".join(" ".join(blk.text.split()) for blk in big)
    framed = "" if big else _framed_title(pages[0], blocks)
    stated = _metadata_title(info, filename)
    if framed and not stated:
        metadata["title"] = framed
    title = ""
    if stated and (
        not big_text or _squash(stated) in _squash(big_text) or _squash(big_text) in _squash(stated)
    ):
        title = stated
    elif big_text:
        title = big_text
    elif stated:
        title = stated
    as_stated = ", as the metadata title" if stated and title == stated else ""
    for blk in big:
        blk.relabel(b.TITLE, f"largest text on the first page ({blk.font_size}pt){as_stated}")
    if title:
        metadata["title"] = title
    if big:
        _masthead(blocks, big)
    # the date printed on the first page
    dated = [blk for blk in blocks if blk.page == 1 and blk.why.startswith("the publication date")]
    for blk in dated + first:
        text = " ".join(blk.text.split())
        if len(text) > 60:
            continue
        m = _DATE_EN.search(text)
        if m:
            month = _MONTHS.index(m.group(1).lower()) + 1
            metadata["publication_date"] = f"{int(m.group(3)):04d}-{month:02d}-{int(m.group(2)):02d}"
            metadata["publication_year"] = int(m.group(3))
            break
        m = _DATE_KO.search(text)
        if m and 1900 <= int(m.group(1)) <= 2100 and 1 <= int(m.group(2)) <= 12:
            metadata["publication_year"] = int(m.group(1))
            if m.group(3) and 1 <= int(m.group(3)) <= 31:
                metadata["publication_date"] = (
                    f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
                )
            break
        m = _MONTH_YEAR_EN.search(text)
        if m:
            metadata["publication_year"] = int(m.group(2))
            break
    # authors stated in the info dictionary, when the document prints them
    author = info.get("Author")
    if isinstance(author, str) and author.strip():
        everything = _squash(" ".join(blk.text for blk in blocks))
        names = [a.strip() for a in re.split(r"[;,]|\band\b", author) if a.strip()]
        printed = [a for a in names if _squash(a) in everything]
        if printed and len(printed) == len(names):
            metadata["authors"] = printed
    lang_sample = " ".join(blk.text for blk in blocks[:200])
    hangul = len(_HANGUL.findall(lang_sample))
    letters = sum(ch.isalpha() for ch in lang_sample)
    if letters:
        metadata["language"] = "ko" if hangul > 0.3 * letters else "en"
    return metadata


# --- headings -------------------------------------------------------------------------------


def _classify(blocks: list[Block], body: float) -> list[Block]:
    if classify_layout is not None:
        return classify_layout(blocks)
    _fallback_headings(blocks, body)
    return blocks


_SENTENCE_END = re.compile(r"(?:[.!?。]|[다함음임됨것요])\s*$")


def _fallback_headings(blocks: list[Block], body: float) -> None:
    """FALLBACK, used only while classify.classify_layout is missing: a paragraph of one or two
    lines, set larger than the body or bold at body size, not a sentence, is a heading; its
    level is the rank of its size among the heading sizes."""
    candidates: list[Block] = []
    for blk in blocks:
        if blk.kind != b.PARAGRAPH or not blk.font_size:
            continue
        text = " ".join(blk.text.split())
        lines = blk.features.get("line_count", 1)
        if lines > 3 or len(text) > 120 or not any(ch.isalpha() for ch in text):
            continue
        found = numbering(text)
        if found is not None and found.scheme in (
            "reference",
            "square",
            "circle",
            "diamond",
            "triangle",
            "dash",
        ):
            continue
        if found is not None and found.scheme == "circled":
            continue
        larger = blk.font_size >= body + 1.0
        bold_body = blk.bold and blk.font_size >= body - 0.1
        if not (larger or bold_body):
            continue
        if _SENTENCE_END.search(text) and not larger:
            continue
        if text.endswith((",", ";")):
            continue
        candidates.append(blk)
    sizes = sorted({round(blk.font_size) for blk in candidates}, reverse=True)
    for blk in candidates:
        level = sizes.index(round(blk.font_size)) + 1
        blk.relabel(
            b.HEADING,
            f"fallback: {blk.font_size}pt{' bold' if blk.bold else ''} vs body {body}pt",
            level=min(level, 6),
        )
