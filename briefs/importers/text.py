"""Plain text, including text extracted from a PDF or scraped from the web: text → blocks.

Plain text keeps a document's structure in its layout only: lines broken inside words, page
footers between two halves of a paragraph, a title block that fell into the body, headings as
short lines, a scrape timestamp or a source line above the text. `read_text` reads that layout
into blocks (TITLE, HEADING, PARAGRAPH, LIST_ITEM, QUOTE, FURNITURE) and the metadata the text
states; `briefs.importers.sectioner` makes the sections. Every rule below is a general rule
about layout, each a small function with its own test; none knows a particular document.

Nothing is deleted: what the repairs take out of the running text (footers, page numbers,
series codes, link lists, a byline, a copyright notice) is handed over as a FURNITURE block
saying why, so `import_brief --explain` can show it.

Every step is linear in the length of the text (a 20 MiB file parses in seconds).
"""

from __future__ import annotations

import datetime
import re
import statistics
from dataclasses import dataclass

from briefs.importers import blocks as b
from briefs.importers.blocks import Block, BlockDocument
from briefs.importers.budget import budget_check, budgeted
from briefs.importers.classify import letter_spaced, numbering
from briefs.importers.document import ParsedDocument
from briefs.importers.linebreaks import LineBreaks, breaks_inside_word, hangul_junction
from briefs.importers.sectioner import document_from_blocks
from briefs.importers.structure import ends_sentence as _ends_sentence
from briefs.importers.structure import (
    heading_like,
    is_link_only,
    normalise_spaces,
    strip_trailing_junk,
)

# A closing marker glued to the last sentence: "…나아갑시다.(끝)".
_CLOSING_TAIL = re.compile(r"\s*[(<\[〈]\s*끝\s*[)>\]〉]\s*$")
# A question in the polite or formal speech levels ("…하여야 하겠습니까?"): a sentence addressed
# to the reader, never a heading.
_POLITE_QUESTION = re.compile(r"(?:니까|까요|나요|세요|지요)\s*[?？]$")


def ends_sentence(line: str) -> bool:
    """Return whether the line ends with sentence-final punctuation (before a closing marker
    such as "(끝)")."""
    return _ends_sentence(_CLOSING_TAIL.sub("", line) if "끝" in line else line)


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
    if not text or len(text) > 200 or text.endswith(("다.", "요.")):
        return False
    # Cheap first: which signals the line could hold at all (most body lines hold none or one).
    low = text.lower()
    numbered = "-" in text or "[" in text or "(" in text
    could = [
        (numbered, _POSTAL),
        (numbered or any(word in low for word in ("tel", "phone", "fax", "전화", "팩스")), _PHONE),
        ("www." in low or "http" in low, _WEB),
        ("@" in text, _EMAIL),
    ]
    if sum(possible for possible, _ in could) < 2:
        return False
    return sum(bool(possible and pattern.search(text)) for possible, pattern in could) >= 2


def _standalone(lines: list[str], i: int) -> bool:
    before = i == 0 or not lines[i - 1].strip()
    after = i == len(lines) - 1 or not lines[i + 1].strip()
    return before and after


def _at_block_edge(lines: list[str], i: int) -> bool:
    return (i == 0 or not lines[i - 1].strip()) or (i == len(lines) - 1 or not lines[i + 1].strip())


_EDGE_PAGE_NUMBER = re.compile(r"^(?:\d{1,4}\s+)?(.*?)(?:\s+\d{1,4})?$")


def _edge_key(text: str) -> str:
    """A page-edge line with its page number taken off, when two words or more remain."""
    match = _EDGE_PAGE_NUMBER.match(text)
    core = match.group(1) if match else text
    return core if len(core.split()) >= 2 else text


def find_page_furniture(lines: list[str]) -> tuple[dict[int, str], str]:
    """Return the running footers, page numbers, repeated running headers and the series-code
    line near a footer, as {line index: why}, and the series code found ("" if none)."""
    found: dict[int, str] = {}
    footer_rows = {i for i, line in enumerate(lines) if is_contact_footer(line)}
    standalone = [bool(line.strip()) and _standalone(lines, i) for i, line in enumerate(lines)]
    standalone_counts: dict[str, int] = {}
    for i, line in budgeted(enumerate(lines)):
        text = line.strip()
        if standalone[i] and len(text) <= 60:
            standalone_counts[text] = standalone_counts.get(text, 0) + 1
    # Lines opening or closing a block (text extracted without blank lines around its page
    # header and footer), the same but for a page number: "Some Institute 3", "Report Title".
    edge_counts: dict[str, int] = {}
    for i, line in budgeted(enumerate(lines)):
        text = line.strip()
        if text and not standalone[i] and len(text) <= 100 and _at_block_edge(lines, i):
            key = _edge_key(text)
            edge_counts[key] = edge_counts.get(key, 0) + 1

    for i, line in budgeted(enumerate(lines)):
        text = line.strip()
        if not text:
            continue
        if i in footer_rows:
            found[i] = "running footer: two or more of postal code, phone, web address, e-mail"
        elif standalone[i] and _PAGE_NUMBER.match(text):
            found[i] = "page number standing alone"
            footer_rows.add(i)
        elif standalone[i] and standalone_counts.get(text, 0) >= 3 and not ends_sentence(text):
            found[i] = f"running header: the same line stands alone {standalone_counts[text]} times"
        elif (
            edge_counts.get(_edge_key(text), 0) >= 3 and _at_block_edge(lines, i) and not ends_sentence(text)
        ):
            found[i] = (
                f"running header or footer: repeats at a block's edge {edge_counts[_edge_key(text)]} times"
            )

    series_code = ""
    for i, line in budgeted(enumerate(lines)):
        text = line.strip()
        if not (standalone[i] and _CODE_LINE.match(text)):
            continue
        near_footer = any(row in footer_rows for row in range(i - _FOOTER_WINDOW, i + _FOOTER_WINDOW + 1))
        if near_footer or standalone_counts.get(text, 0) >= 2:
            found[i] = "series code standing alone near the page footer → series_code"
            series_code = series_code or text
    return found, series_code


def remove_page_furniture(lines: list[str]) -> tuple[list[str], str]:
    """Blank out running footers, page numbers and a standalone series-code line.

    Returns the lines (same count, furniture replaced by empty lines, so that the two halves
    of a paragraph split by a page break stay apart only by blank lines) and the series code
    found in the footer area ("" if none).
    """
    found, series_code = find_page_furniture(lines)
    return ["" if i in found else line for i, line in enumerate(lines)], series_code


# --- copyright, disclaimer, byline, title block --------------------------------------------

# "ⓒKINU 2019", "© 2020 Example", "Copyright 2021 Example", "Copyright (c) …"; the bare word in a
# sentence ("… no copyright protection in …") is no notice.
_COPYRIGHT = re.compile(
    r"(?:^|(?<=\s))((?:Copyright\s*)?[ⓒ©Ⓒ]\s*\S.*|Copyright\s*(?:\(c\)|\d{4}|:).*)$"
    r"|^\s*((?-i:Copyright)\b.*)$",  # a line opening with the capitalised word
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(1[89]\d{2}|2[01]\d{2})\b")
_FULL_DATE = re.compile(r"\b(1[89]\d{2}|2[01]\d{2})\s*(?:년|[.\-/])\s*\d{1,2}\s*(?:월|[.\-/])\s*\d{1,2}")
_NOTE_MARK = "※"
_BYLINE_PREFIX = re.compile(r"^(?:by|written\s+by|글|저자|집필)\s*[:：]?\s+\S", re.IGNORECASE)
_BYLINE_ROLE = re.compile(
    r"(?:팀|기자|특파원|연구위원|부연구위원|연구원|교수|박사|센터장|실장|소장|원장|위원)$"
)
_NEWS_BYLINE = re.compile(r"^(\S{2,5})\s*(?:기자|특파원)\s+[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")


def find_copyright(lines: list[str]) -> tuple[dict[int, tuple[str, str]], str]:
    """Return the copyright notices ("ⓒKINU 2019", "© 2020 …") as {line index: (the text left
    on the line, the notice)} and the first notice. The notice may stand on its own line or be
    glued to the end of the last paragraph."""
    found: dict[int, tuple[str, str]] = {}
    notice = ""
    for i, line in enumerate(lines):
        match = _COPYRIGHT.search(line.rstrip())
        group = 1 if match and match.group(1) else 2
        if not match or len(match.group(group)) > 80 or re.search(r"[다요]\.", match.group(group)):
            continue
        notice = notice or normalise_spaces(match.group(group))
        rest = line[: match.start(group)]
        found[i] = (rest.rstrip() if rest.strip() else "", normalise_spaces(match.group(group)))
    return found, notice


def extract_copyright(lines: list[str]) -> tuple[list[str], str]:
    """Take the copyright notice ("ⓒKINU 2019", "© 2020 …") out of the text."""
    found, notice = find_copyright(lines)
    return [found[i][0] if i in found else line for i, line in enumerate(lines)], notice


def find_closing_notes(lines: list[str]) -> tuple[int, str]:
    """Return where the closing disclaimer blocks (starting with "※") begin (len(lines) if
    there are none) and their text."""
    end = len(lines)
    starts: list[int] = []
    blocks: list[tuple[int, int]] = []
    while True:
        while end > 0 and not lines[end - 1].strip():
            end -= 1
        start = end
        while start > 0 and lines[start - 1].strip():
            start -= 1
        if start == end or not lines[start].strip().startswith(_NOTE_MARK):
            break
        blocks.append((start, end))
        starts.append(start)
        end = start
    if not blocks:
        return len(lines), ""
    breaks = LineBreaks.of(lines)  # measured once, for every note
    notes = [join_lines(lines[start:stop], breaks=breaks) for start, stop in reversed(blocks)]
    return min(starts), "\n".join(notes)


def extract_closing_notes(lines: list[str]) -> tuple[list[str], str]:
    """Take the closing disclaimer blocks (starting with "※") off the end of the text."""
    start, notes = find_closing_notes(lines)
    if not notes:
        return list(lines), ""
    end = start
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    return list(lines[:end]), notes


def _first_content(lines: list[str]) -> int | None:
    return next((i for i, line in enumerate(lines) if line.strip()), None)


def find_byline(lines: list[str]) -> tuple[int | None, list[str]]:
    """Return the index of a short author line on top ("통일연구원 현안분석팀", "By Jane Doe")
    and the authors it names (None, [] if there is none)."""
    first = _first_content(lines)
    if first is None:
        return None, []
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
        return None, []
    author = _BYLINE_PREFIX.sub(lambda m: m.group(0)[-1], text) if _BYLINE_PREFIX.match(text) else text
    return first, [a.strip() for a in re.split(r"\s*(?:,|;|\band\b|·)\s*", author) if a.strip()]


def extract_byline(lines: list[str]) -> tuple[list[str], list[str]]:
    """Take a short author line ("통일연구원 현안분석팀", "By Jane Doe") off the top."""
    index, authors = find_byline(lines)
    if index is None:
        return list(lines), []
    out = list(lines)
    out[index] = ""
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


def find_title_block(lines: list[str]) -> tuple[int, int, str] | None:
    """Find a title block that fell into the middle of a paragraph.

    The pattern: a full-width line that stops mid-sentence, then one to three short lines
    without sentence punctuation, then the paragraph's continuation (which the extractor
    indents with a leading space). Returns (i, j, title): the lines strictly between i and j
    are the block.
    """
    width = line_width(lines)
    if not width:
        return None
    short = max(8, min(40, width // 2))
    n = len(lines)
    for i, line in enumerate(lines):
        text = line.strip()
        if not text or len(text) < width * 0.6 or ends_sentence(text):
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
            return i, j, normalise_spaces(" ".join(lines[k].strip() for k in block))
    return None


def extract_title_block(lines: list[str]) -> tuple[list[str], str]:
    """Take a title block that fell into the middle of a paragraph out of the text.
    Returns the lines without the block and the title."""
    found = find_title_block(lines)
    if found is None:
        return list(lines), ""
    i, j, title = found
    return lines[: i + 1] + lines[j:], title


def find_first_line_title(lines: list[str]) -> int | None:
    """Return the index of a short standalone first line (a title printed above the text)."""
    first = _first_content(lines)
    if first is None:
        return None
    text = lines[first].strip()
    has_more = any(line.strip() for line in lines[first + 1 :])
    if heading_like(text) and len(text) <= 80 and _standalone(lines, first) and has_more:
        return first
    return None


def extract_first_line_title(lines: list[str]) -> tuple[list[str], str]:
    """Take a short standalone first line (a title printed above the text) off the top."""
    index = find_first_line_title(lines)
    if index is None:
        return list(lines), ""
    out = list(lines)
    out[index] = ""
    return out, lines[index].strip()


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


# A word naming an institution by its ending: "통일연구원", "한국개발연구원", "Brookings Institution".
_INSTITUTION = re.compile(
    r"(?:^|\s)([\w·]{2,30}(?:연구원|연구소|재단|협회|위원회|센터|학회|대학교|공사|공단|진흥원|개발원)"
    r"|(?:[A-Z][\w&.-]*\s+){0,5}(?:Institute|Institution|Foundation|Center|Centre|Council|Association|University))"
    r"(?=\s|$|[,|])"
)


def find_organisation(footers: list[str], authors: list[str]) -> str:
    """Return the publishing institution: the institution-shaped name a running footer gives
    most often, else the one a byline opens with ("어느연구원 정책분석팀")."""
    counts: dict[str, int] = {}
    for footer in footers:
        for match in _INSTITUTION.finditer(footer):
            name = match.group(1).strip()
            counts[name] = counts.get(name, 0) + 1
    if counts:
        return max(counts, key=lambda name: counts[name])
    for author in authors:
        words = author.split()
        if len(words) >= 2 and (match := _INSTITUTION.match(words[0])):
            return match.group(1).strip()
    return ""


# --- date lines, source lines, closing markers ----------------------------------------------

# A date, Korean or numeric, the year possibly in brackets after an era count ("주체102(2013)년"),
# with an optional time of day: "2013년 01월 01일 09시 37분", "2019-03-01 14:05".
_DATE = (
    r"(?:[^\W\d_]{1,4}\s*\d{1,4}\s*)?[(（]?(?P<y>1[89]\d{2}|2[01]\d{2})[)）]?\s*"
    r"(?:년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일|[-./]\s*(?P<m2>\d{1,2})\s*[-./]\s*(?P<d2>\d{1,2})\.?)"
    r"(?:\s*\(\s*[월화수목금토일]\s*\))?"
    r"(?:\s*(?:오전|오후|AM|PM)?\s*\d{1,2}\s*(?:시(?:\s*\d{1,2}\s*분)?|:\d{2}(?::\d{2})?))?"
)
_DATE_LINE = re.compile(rf"^(?:[-–—|/]\s*)?{_DATE}$", re.IGNORECASE)  # "- 1948년 01월 01일" too
# A source line: who published the text, a dash or bar, the date ("… 공동사설 - 1995년 01월 01일").
_SOURCE_LINE = re.compile(rf"^(?P<source>\S.{{0,100}}?)\s+[-–—|/]\s+{_DATE}$", re.IGNORECASE)
_OPENING_LINES = 8  # content lines on top that may hold a date or source line
# A closing marker standing alone: "(끝)", "- 끝 -", "<끝>", "###", "- END -".
_CLOSING_MARKER = re.compile(
    r"^[\s\-–—<>()\[\]〈〉《》「」.·]*(?:끝|END|###|-30-)[\s\-–—<>()\[\]〈〉《》「」.·]*$", re.I
)


def date_of(text: str) -> str:
    """Return the ISO date of a date line or source line ("" if it is neither)."""
    text = text.strip()
    match = _DATE_LINE.match(text) or _SOURCE_LINE.match(text)
    if not match:
        return ""
    month, day = match.group("m") or match.group("m2"), match.group("d") or match.group("d2")
    try:
        return datetime.date(int(match.group("y")), int(month), int(day)).isoformat()
    except ValueError:
        return ""


def find_opening_dates(lines: list[str]) -> tuple[dict[int, str], str]:
    """Return the date lines and source lines above the text (a scrape timestamp, a dateline,
    "Publisher - 1995년 01월 01일") as {line index: why}, and the first date (ISO, "" if none).

    Only the opening counts: the first few content lines before the first one that ends a
    sentence. A date further down is part of the text.
    """
    found: dict[int, str] = {}
    first_date = ""
    seen = 0
    for i, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        seen += 1
        if seen > _OPENING_LINES:
            break
        iso = date_of(text)  # before the sentence test: "2010.1.1." ends with a full stop
        if not iso:
            if ends_sentence(text):
                break
            continue
        first_date = first_date or iso
        if _DATE_LINE.match(text):
            found[i] = "a date standing alone above the text → publication_date"
        else:
            found[i] = "a source line (publisher - date) above the text → publication_date"
    return found, first_date


def is_closing_marker(line: str) -> bool:
    """Return whether a line is a closing marker ("(끝)", "- 끝 -", "###")."""
    return bool(_CLOSING_MARKER.match(line.strip()))


# Quotation marks that may enclose a whole line: <<…>>, «…», 《…》, “…”, "…", 「…」, 『…』.
_QUOTE_PAIRS = (
    ("<<", ">>"),
    ("«", "»"),
    ("《", "》"),
    ("“", "”"),
    ('"', '"'),
    ("「", "」"),
    ("『", "』"),
    ("〈", "〉"),
    ("<", ">"),
    ("‘", "’"),
)
# Who said it, in brackets after the closing mark: "《…》(김일성)".
_ATTRIBUTION = re.compile(r"\s*[(（][^()（）]{1,20}[)）]$")


def is_quoted_line(line: str) -> bool:
    """Return whether a line is one quotation, wholly inside a pair of quotation marks (a
    slogan, a quoted saying): never a heading."""
    text = _ATTRIBUTION.sub("", line.strip())
    for opening, closing in _QUOTE_PAIRS:
        if len(text) > len(opening) + len(closing) and text.startswith(opening) and text.endswith(closing):
            inner = text[len(opening) : -len(closing)]
            return opening not in inner and closing not in inner
    return False


# --- lines into paragraphs -----------------------------------------------------------------

_LIST_ITEM = re.compile(r"^\s*(?:[-*•▪○●◦]|\d{1,2}[.)]|[가-하][.)])\s+\S")
_LIST_MARKER = re.compile(r"^\s*([-*•▪○●◦]|\d{1,2}[.)]|[가-하][.)])\s+")


def join_lines(lines: list[str], *, breaks: LineBreaks) -> str:
    """Join the lines of one paragraph, each break as `breaks` reads it (a space or nothing:
    "중요해졌" + "다." → "중요해졌다.")."""
    pieces: list[str] = []
    previous = ""
    for raw in lines:
        piece = raw.strip()
        if not piece:
            continue
        if pieces:
            pieces.append(breaks.separator(previous, raw))
        pieces.append(piece)
        previous = raw
    return normalise_spaces("".join(pieces))


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
    start: int  # index of its first line
    kind: str = "para"  # "para" | "double" | "heading"
    heading: str = ""
    why: str = ""

    @property
    def last(self) -> str:
        return self.lines[-1]


def _split_blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[str] = []
    start = 0
    for i, line in enumerate(lines):
        if line.strip():
            if not current:
                start = i
            current.append(line)
        elif current:
            blocks.append(_Block(current, start))
            current = []
    if current:
        blocks.append(_Block(current, start))
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

    Linear: the maximal run of full one-line blocks is scanned once; each later start inside
    it is tested against prefix counts of open line ends, not by scanning the run again (the
    old loop rescanned the rest of the run from every start: quadratic on a text of one-line
    paragraphs, minutes for a few MiB).
    """
    merged: list[_Block] = []
    n = len(blocks)
    i = 0
    while i < n:
        end = i  # the maximal run of full one-line blocks from i
        while end < n and len(blocks[end].lines) == 1 and len(blocks[end].last.strip()) >= width * 0.5:
            end += 1
        if end == i:
            merged.append(blocks[i])
            i += 1
            continue
        stop = end  # the run may end on one short line after a line that stops mid-sentence
        open_end = [not ends_sentence(block.last) for block in blocks[i:end]]
        if end < n and len(blocks[end].lines) == 1 and open_end[-1]:
            stop = end + 1
        # opens[k] = open ends among blocks[i : i + k]
        opens = [0]
        for is_open in open_end:
            opens.append(opens[-1] + is_open)
        last_counted = stop - 1 - i  # a run's last line is not counted (it may end the run)
        for s in range(i, end):
            length = stop - s
            open_ends = opens[last_counted] - opens[s - i]
            if length >= 3 and open_ends * 3 >= (length - 1) * 2:
                merged.extend(_double_spaced_paragraphs(blocks[s:stop]))
                i = stop
                break
            merged.append(blocks[s])
        else:
            i = end
    return merged


def _double_spaced_paragraphs(run: list[_Block]) -> list[_Block]:
    out: list[_Block] = []
    lines: list[str] = []
    start = run[0].start
    for block in run:
        if not lines:
            start = block.start
        lines.append(block.last)
        if ends_sentence(block.last):
            out.append(_Block(lines, start, kind="double"))
            lines = []
    if lines:
        out.append(_Block(lines, start, kind="double"))
    return out


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
            if _heading_candidate_text(last) and ends_sentence(before) and complete:
                out.append(_Block(block.lines[:-1], block.start))
                out.append(_Block([last], block.start + len(block.lines) - 1))
                continue
        out.append(block)
    return out


def _heading_candidate_text(line: str) -> bool:
    """A line that may be a heading: heading-shaped, not a quotation, not a closing marker."""
    return (
        heading_like(line)
        and not _CLOSING_TAIL.search(line)
        and not _POLITE_QUESTION.search(line.strip())
        and not is_quoted_line(line)
        and not is_closing_marker(line)
        and not _pointer_or_note(line)
    )


# Markers that point elsewhere or add a note ("▶ 관련 부분 보기", "※ 단위: 억 원", "- 항목"): such a
# line is never a heading in plain text.
_NOT_HEADING_SCHEMES = ("reference", "triangle", "dash")


def _pointer_or_note(line: str) -> bool:
    found = numbering(line)
    return found is not None and found.scheme in _NOT_HEADING_SCHEMES


def _mark_headings(blocks: list[_Block]) -> list[_Block]:
    """Mark headings: one to three heading-like one-line blocks after a sentence end (or at
    the start), followed by body text; several lines are one heading printed over them. A
    letter-spaced word standing alone ("해 제", "원 문") is a heading after anything and before
    any text but another letter-spaced word."""

    def is_body(block: _Block) -> bool:
        return block.kind == "double" or len(block.lines) > 1 or ends_sentence(block.last)

    def candidate(block: _Block) -> bool:
        return block.kind == "para" and len(block.lines) == 1 and _heading_candidate_text(block.last)

    out: list[_Block] = []
    n = len(blocks)
    i = 0
    while i < n:
        previous = out[-1] if out else None
        after_sentence = previous is None or previous.kind == "heading" or ends_sentence(previous.last)
        block = blocks[i]
        spaced = candidate(block) and letter_spaced(block.last)
        if candidate(block) and (after_sentence or spaced):
            j = i + 1
            if not spaced:
                while j < n and j - i < 3 and candidate(blocks[j]) and not letter_spaced(blocks[j].last):
                    j += 1
            # a letter-spaced word needs only some text after it that is not another one
            another_spaced = j < n and candidate(blocks[j]) and letter_spaced(blocks[j].last)
            followed = j < n and (is_body(blocks[j]) or (spaced and not another_spaced))
            if followed:
                text = normalise_spaces(" ".join(blk.last.strip() for blk in blocks[i:j]))
                if spaced:
                    why = "a letter-spaced word standing alone, followed by body text"
                elif j - i > 1:
                    why = f"{j - i} short standalone lines after a sentence end, followed by body text"
                else:
                    why = "a short standalone line after a sentence end, followed by body text"
                out.append(_Block([text], block.start, kind="heading", heading=text, why=why))
                i = j
                continue
        out.append(block)
        i += 1
    return out


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
            previous.why = "continues the block before, which stops mid-sentence (page break)"
        else:
            joined.append(_Block(list(block.lines), block.start, block.kind, block.heading, block.why))
    return joined


def continues_word(line: str, following: str) -> bool:
    """Return whether `following` carries on the last word of `line`: the line stops
    mid-sentence between two Hangul syllables and, by morphology, inside one word ("…오늘의
    현실" + "에 맞게 …", "…빛날것입니" + "다.")."""
    if ends_sentence(line):
        return False
    junction = hangul_junction(line, following)
    return junction is not None and breaks_inside_word(*junction)


def _unwrapped_blocks(lines: list[str]) -> list[_Block]:
    """One block per line of unwrapped text, except a line broken inside a word, which is
    joined with the next line (a stray line break in a scraped or converted text)."""
    blocks: list[_Block] = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        previous = blocks[-1] if blocks else None
        if (
            previous is not None
            and previous.start + len(previous.lines) == i
            and continues_word(previous.last, line)
        ):
            previous.lines.append(line)
            previous.why = "a line broken inside a word, joined with the next (unwrapped text)"
        else:
            blocks.append(_Block([line], i))
    return blocks


def heading_level_of(heading: str) -> int:
    """Return a heading's level from its numbering: Ⅰ. 1, 1. 2, 1.1/가. 3, (1) 4 …; else 2."""
    found = numbering(heading)
    if found is not None and found.depth is not None:
        if found.scheme == "decimal":
            return min(6, 2 + found.ordinal.count("."))
        return found.depth
    return 2


def structure_blocks(lines: list[str]) -> list[Block]:
    """Turn repaired lines into HEADING, PARAGRAPH, LIST_ITEM and QUOTE blocks, each with its
    first line's index in `features["line"]`.

    Wrapped text (lines of a printed page): blank lines separate blocks; a double-spaced run
    (a blank line after every line) is one layout, its lines joined up to each sentence end;
    a block that stops mid-sentence continues in the next block (a page break or a blank line
    of the double-spaced layout); a short line standing alone after a sentence end, followed
    by body text, is a heading (two or three such lines are one heading printed over several
    lines). Unwrapped text (one paragraph per line, as scraped from the web): every line is a
    paragraph, and the same heading rule applies. An opening double-spaced box followed by
    more text is the summary (`features["summary"]`).
    """
    content = [line for line in lines if line.strip()]
    if not content:
        return []
    width = line_width(lines)
    wrapped = is_wrapped(lines)
    breaks = LineBreaks.of(lines) if wrapped else LineBreaks()  # unwrapped: no breaks to read

    budget_check()
    if wrapped:
        blocks = _split_blocks(lines)
        blocks = _split_off_trailing_headings(blocks, width=width, marks=breaks.marks)
        budget_check()
        blocks = _merge_double_spaced(blocks, width)
    else:
        blocks = _unwrapped_blocks(lines)
    budget_check()
    blocks = _mark_headings(blocks)
    if wrapped:
        blocks = _join_continued(blocks)
    budget_check()

    out: list[Block] = []
    opening = True
    for n, block in enumerate(blocks):
        if n % 1024 == 0:
            budget_check()
        if block.kind == "heading":
            out.append(
                Block(
                    b.HEADING,
                    block.heading,
                    level=heading_level_of(block.heading),
                    marker=(found.marker if (found := numbering(block.heading)) else ""),
                    why=block.why,
                    features={"line": block.start},
                )
            )
            opening = False
            continue
        summary = block.kind == "double" and opening
        groups = _split_list_items(block.lines, width) if wrapped else [block.lines]
        block_breaks = breaks if wrapped or len(block.lines) == 1 else LineBreaks(inside_words=True)
        offset = 0
        for group in groups:
            text = join_lines(group, breaks=block_breaks)
            features: dict = {"line": block.start + offset}
            offset += len(group)
            if summary:
                features["summary"] = True
            marker = _LIST_MARKER.match(text)
            if marker:
                why = "starts with a list marker"
                out.append(Block(b.LIST_ITEM, text, marker=marker.group(1), why=why, features=features))
            elif len(group) == 1 and is_quoted_line(text):
                out.append(Block(b.QUOTE, text, why="a line wholly in quotation marks", features=features))
            else:
                why = block.why or (
                    "double-spaced lines joined up to a sentence end"
                    if block.kind == "double"
                    else "lines joined up to a blank line"
                    if wrapped
                    else "one paragraph per line (unwrapped text)"
                )
                out.append(Block(b.PARAGRAPH, text, why=why, features=features))
        if block.kind != "double":
            opening = False
    # An opening double-spaced box is a summary only if the text goes on after it.
    if all(block.features.get("summary") for block in out):
        for block in out:
            block.features.pop("summary", None)
    for block in out:
        if block.features.get("summary"):
            block.why = "the opening double-spaced box: the summary"
    return out


# --- the reader ----------------------------------------------------------------------------


def _furniture(text: str, why: str, line: int) -> Block:
    return Block(b.FURNITURE, text, why=why, features={"line": line})


def split_pages(text: str) -> tuple[list[str], list[int]]:
    """Return the text's lines and, when it marks page breaks with form feeds (as pdftotext
    does), the 1-based page of each line ([] when it has none). A page break is a blank line."""
    if "\f" not in text:
        return text.split("\n"), []
    lines: list[str] = []
    pages: list[int] = []
    for number, page in enumerate(text.split("\f"), start=1):
        page_lines = page.split("\n")
        lines.extend([*page_lines, ""])
        pages.extend([number] * (len(page_lines) + 1))
    return lines, pages


def read_text(text: str, *, filename: str = "") -> BlockDocument:
    """Read plain text (already decoded) into blocks and the metadata it states."""
    lines, pages = split_pages(text.replace("\r\n", "\n").replace("\r", "\n"))
    budget_check()
    lines = [line.replace("\t", " ") for line in lines]
    original = list(lines)
    side: list[Block] = []  # FURNITURE and TITLE blocks, placed by line afterwards
    metadata: dict = {}

    def take(index: int, why: str, kind: str = b.FURNITURE) -> None:
        if original[index].strip():
            side.append(Block(kind, original[index].strip(), why=why, features={"line": index}))
        lines[index] = ""

    # The tail of a scraped page (image and link lists, teasers), and link-only lines.
    kept = len(strip_trailing_junk(lines))
    for i in range(kept, len(lines)):
        take(i, "scraped link list or teaser in the page's tail")
    for i, line in enumerate(lines):
        if line.strip() and is_link_only(line):
            take(i, "a line of links or images only")

    found, notice = find_copyright(lines)
    for i, (rest, match) in found.items():
        side.append(_furniture(match, "copyright notice → copyright", i))
        lines[i] = rest
    if notice:
        metadata["copyright"] = notice

    notes_start, notes = find_closing_notes(lines)
    if notes:
        for i in range(notes_start, len(lines)):
            take(i, "closing note (※) → notes")
        metadata["notes"] = notes

    furniture, series_code = find_page_furniture(lines)
    footers = [lines[i] for i, why in furniture.items() if why.startswith("running footer")]
    for i, why in furniture.items():
        take(i, why)
    if series_code:
        metadata["series_code"] = series_code

    dates, first_date = find_opening_dates(lines)
    for i, why in dates.items():
        take(i, why)
    for i, line in enumerate(lines):
        if line.strip() and is_closing_marker(line):
            take(i, "closing marker")

    # Title and byline; a title block is cut out of its paragraph, so lines are renumbered.
    origin = list(range(len(lines)))
    title = ""
    block = find_title_block(lines)
    if block is not None:
        i, j, title = block
        side.append(
            Block(
                b.TITLE,
                title,
                why="short lines inside a paragraph that stops mid-sentence",
                features={"line": i + 1},
            )
        )
        lines, origin = lines[: i + 1] + lines[j:], origin[: i + 1] + origin[j:]
    index, authors = find_byline(lines)
    if index is not None:
        take_at = origin[index]
        side.append(_furniture(lines[index].strip(), "byline on top → authors", take_at))
        lines[index] = ""
    if not title:
        index = find_first_line_title(lines)
        if index is not None:
            title = lines[index].strip()
            side.append(
                Block(b.TITLE, title, why="a short standalone first line", features={"line": origin[index]})
            )
            lines[index] = ""
            if not authors:
                index, authors = find_byline(lines)  # a byline under the title
                if index is not None:
                    side.append(
                        _furniture(lines[index].strip(), "byline under the title → authors", origin[index])
                    )
                    lines[index] = ""
    authors = authors or news_byline_authors(lines)

    body = structure_blocks(lines)
    for blk in body:
        blk.features["line"] = origin[blk.features["line"]]
    blocks = sorted(body + side, key=lambda blk: blk.features["line"])  # stable: body first on ties
    if pages:
        for blk in blocks:
            blk.page = pages[blk.features["line"]]

    if title:
        metadata["title"] = normalise_spaces(title)
    if authors:
        metadata["authors"] = authors
    organisation = find_organisation(footers, authors)
    if organisation:
        metadata["organisation"] = organisation
    year = detect_year(notice, lines)
    if first_date:
        metadata["publication_date"] = first_date
        year = year or int(first_date[:4])
    if year:
        metadata["publication_year"] = year
    return BlockDocument(blocks=blocks, format="txt", metadata=metadata, structured=False)


def parse_text(text: str, *, filename: str = "", title_hint: str = "") -> ParsedDocument:
    """Parse plain text (already decoded) into a document: read_text, then the sectioner."""
    document = read_text(text, filename=filename)
    if title_hint and not document.metadata.get("title"):
        document.metadata["title"] = title_hint
    return document_from_blocks(document, filename=filename)
