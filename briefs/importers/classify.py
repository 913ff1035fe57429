"""Rules about what a heading looks like, shared by the layout readers (PDF, plain text).

Pure functions on a line's text and features: numbering schemes (Ⅰ. / 1. / 1.1 / 가. / (1) /
① / 제1장 …), letter-spaced headings ("검 토 보 고", "해 제"), and heading-shaped text. None of
them knows a document's strings; each has a unit test in tests/briefs/test_classify.py.

Never headings, whatever their style: a line starting with a lowercase letter in English (the
wrapped end of a caption or a sentence), a contact line (an e-mail address, a telephone number),
and a stack of lines whose first is a short name over a longer one at about the body size (a
name over a job title, an address). A letter-spaced line and a normal one are two headings,
never one wrapped heading.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from briefs.importers import blocks as b
from briefs.importers.blocks import Block
from briefs.importers.structure import heading_like

_ROMAN_UPPER = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"
_ROMAN_LOWER = "ⅰⅱⅲⅳⅴⅵⅶⅷⅸⅹⅺⅻ"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_HANGUL_ORDINALS = "가나다라마바사아자차카타파하"
_ASCII_ROMAN = re.compile(r"^(?=[IVX])(X{0,3})(IX|IV|V?I{0,3})$")

# (scheme, pattern); the first group is the ordinal as printed. Order matters: most specific first.
_SCHEMES: list[tuple[str, re.Pattern[str]]] = [
    ("chapter", re.compile(r"^(제\s*\d{1,3}\s*[장편부])(?:\s+|$)")),
    ("clause", re.compile(r"^(제\s*\d{1,3}\s*[절조관항])(?:\s+|(?=[(（])|$)")),
    # An annex label: "[첨부 1]", "<붙임2>", "[서식 3]", "【별표 1】", "[Annex 2]".
    (
        "annex",
        re.compile(
            r"^((?![\[<〈【]\s*(?:표|그림|사진|도표|figure|fig|table|chart|box)\s*\d)"
            r"[\[<〈【]\s*[\uac00-\ud7a3A-Za-z]{1,8}\s*\d{1,2}(?:\s*호)?\s*[\]>〉】])\s*",
            re.IGNORECASE,
        ),
    ),
    # ...and one printed without brackets: "별첨 3 누출금지 대상 정보", "Appendix 2. Data".
    (
        "annex",
        re.compile(
            r"^((?:별첨|붙임|첨부|별표|별지|부록|appendix|annex|attachment)\s*\d{1,2})(?:[.:：)]\s*|\s+|$)",
            re.IGNORECASE,
        ),
    ),
    ("roman", re.compile(rf"^([{_ROMAN_UPPER}])\s*[.．]?(?:\s+|(?=[^\s.])|$)")),
    ("roman", re.compile(r"^((?=[IVX])X{0,3}(?:IX|IV|V?I{0,3}))[.．]\s+")),
    ("decimal", re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+")),
    ("arabic", re.compile(r"^(\d{1,2})[.．](?:\s*(?=\S)|\s*$)")),
    ("arabic_paren", re.compile(r"^(\d{1,2})\)\s*(?=\S)")),
    ("paren_arabic", re.compile(r"^[(（](\d{1,2})[)）]\s*(?=\S)")),
    ("hangul", re.compile(rf"^([{_HANGUL_ORDINALS}])[.．](?:\s*(?=\S)|\s*$)")),
    ("hangul_paren", re.compile(rf"^([{_HANGUL_ORDINALS}])\)\s*(?=\S)")),
    ("paren_hangul", re.compile(rf"^[(（]([{_HANGUL_ORDINALS}])[)）]\s*(?=\S)")),
    ("circled", re.compile(rf"^([{_CIRCLED}])\s*(?=\S)")),
    ("roman_lower", re.compile(rf"^([{_ROMAN_LOWER}])\s*[.．]?\s*(?=\S)")),
    ("reference", re.compile(r"^(※)\s*(?=\S)")),
    ("square", re.compile(r"^([□■◼◻▣])\s*(?=\S)")),
    ("circle", re.compile(r"^([○●◦❍◯])\s*(?=\S)")),
    ("diamond", re.compile(r"^([◇◆❖])\s*(?=\S)")),
    ("triangle", re.compile(r"^([▶▷►▸‣])\s*(?=\S)")),
    ("dash", re.compile(r"^([-–—ㅇ·∙•])\s+(?=\S)")),
]

# The usual depth of each scheme in Korean public documents and numbered reports:
# Ⅰ. > 1. > 가. > (1)/1) > (가)/가) > ① . Outline symbols (□ ○ - ·) sit below numbering.
SCHEME_DEPTH = {
    "annex": 1,
    "chapter": 1,
    "roman": 1,
    "clause": 2,
    "arabic": 2,
    "decimal": 3,
    "hangul": 3,
    "arabic_paren": 4,
    "paren_arabic": 4,
    "hangul_paren": 5,
    "paren_hangul": 5,
    "circled": 6,
    "roman_lower": 6,
}
# Schemes that mark list items or notes, not headings, unless the layout says otherwise.
LIST_SCHEMES = ("reference", "square", "circle", "diamond", "triangle", "dash")


@dataclass(frozen=True)
class Numbering:
    scheme: str
    ordinal: str  # as printed: "Ⅱ", "3", "1.2", "나", "②"
    marker: str  # the whole marker as printed, with its punctuation: "Ⅱ.", "(3)", "나."
    rest: str  # the text after the marker

    @property
    def depth(self) -> int | None:
        return SCHEME_DEPTH.get(self.scheme)

    @property
    def value(self) -> int | None:
        """Return the ordinal as a number (Ⅲ → 3, 다 → 3, ③ → 3, 1.2 → 2), if it has one."""
        o = self.ordinal
        if self.scheme in ("roman",) and o in _ROMAN_UPPER:
            return _ROMAN_UPPER.index(o) + 1
        if self.scheme == "roman":
            return _roman_value(o)
        if self.scheme == "roman_lower":
            return _ROMAN_LOWER.index(o) + 1
        if self.scheme in ("hangul", "hangul_paren", "paren_hangul"):
            return _HANGUL_ORDINALS.index(o) + 1
        if self.scheme == "circled":
            return _CIRCLED.index(o) + 1
        digits = re.findall(r"\d+", o)
        return int(digits[-1]) if digits else None


def _roman_value(text: str) -> int | None:
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for ch, nxt in zip(text, text[1:] + " ", strict=True):
        v = values[ch]
        total += -v if values.get(nxt, 0) > v else v
    return total or None


def numbering(text: str) -> Numbering | None:
    """Return the numbering marker a line starts with, or None."""
    line = text.strip()
    for scheme, pattern in _SCHEMES:
        match = pattern.match(line)
        if match:
            if scheme == "roman" and not match.group(1):
                continue
            rest = line[match.end() :].strip()
            marker = line[: match.end()].strip()
            return Numbering(scheme=scheme, ordinal=match.group(1), marker=marker, rest=rest)
    return None


_SPACED_TOKEN = re.compile(r"^[\uac00-\ud7a3]$")


def letter_spaced(text: str) -> bool:
    """Return whether the line is a word printed with a space between its syllables ("해 제",
    "검 토 보 고", "부 칙"): two to twelve single Hangul syllables and nothing else."""
    tokens = text.split()
    return 2 <= len(tokens) <= 12 and all(_SPACED_TOKEN.match(t) for t in tokens)


def unspace(text: str) -> str:
    """Return a letter-spaced word closed up ("검 토 보 고" → "검토보고"); other text unchanged."""
    return "".join(text.split()) if letter_spaced(text) else text


def numbered_heading_like(text: str) -> bool:
    """Return whether a line is a numbered heading candidate: a numbering marker followed by
    short, heading-shaped text (not a sentence)."""
    found = numbering(text)
    if found is None or found.scheme in LIST_SCHEMES or not found.rest:
        return False
    return heading_like(found.rest)


# ---------------------------------------------------------------------------------------------
# Headings in layout formats: `classify_layout` decides which PARAGRAPH blocks are headings.
#
# A heading is told by its style relative to the body text (larger, or bold where the body is
# not), by its numbering (Ⅰ. / 1. / 가. …, when its sibling items are headings too, not
# sentences), or by letter spacing; it is short, heading-shaped and stands alone. Captions,
# footnote-sized text, dates, salutations, table-of-contents lines and a cover page's lines are
# not headings. Levels come from the rank of the heading styles (largest first) and, within a
# style, from the order in which the numbering schemes first appear.

# A block is "larger" than the body from this ratio and by at least this many points.
LARGER_RATIO = 1.08
LARGER_MIN_POINTS = 0.8
# Bold at the body size marks a heading only where bold body text is rare (below this share).
BOLD_RARE_SHARE = 0.2
# A bold line indented this much past the text after it is a label in a box.
INDENT_POINTS = 6.0
# Sizes this close are the same size.
SAME_SIZE_POINTS = 0.5
# Heading sizes closer than this share are one style (17 and 18 pt, 20 and 21 pt).
SIZE_CLUSTER_RATIO = 0.065
# The body size near a page is measured on the page and its neighbours when they hold at least
# this many characters of paragraphs; else the document's body size is used.
LOCAL_BODY_MIN_CHARS = 500
MAX_HEADING_LINES = 3
# A page holding the title (in a document of a few pages) with less text than this is a cover:
# no headings on it.
COVER_MAX_CHARS = 600
COVER_MIN_PAGES = 3
# Share of sibling items that must be heading-shaped for body-size numbered items to be headings.
SIBLING_HEADING_SHARE = 0.8
# Body-size numbered headings are short: at most this many words (Korean; other scripts).
MAX_NUMBERED_WORDS_KO = 4
MAX_NUMBERED_WORDS = 8
# ...and at least this share of them must have text of their own between them (else a list).
SEPARATED_SHARE = 0.5
# A wrapped heading's next line follows within this share of the font size.
WRAP_GAP_RATIO = 0.8
# A page with this many dot-leader lines is a table of contents.
TOC_MIN_LEADER_LINES = 3
# ...among the first pages of the document (this many, or the first tenth).
TOC_EARLY_PAGES = 5

# Schemes that, at body size and without a style of their own, mark list items, not headings.
_BODY_SIZE_LIST_SCHEMES = (*LIST_SCHEMES, "circled", "roman_lower")
_OUTLINE_SCHEMES = ("roman", "arabic", "hangul", "decimal")
# A ※ note or a □/◇ line is a heading only when set larger than the body and bold; other
# bullets (○ - · ▶) never are.
_MARKED_HEADING_SCHEMES = ("reference", "square", "diamond")

# The label of a table, figure or source line, as printed: "표 1", "<그림 2>", "표 Ⅱ-1", "Figure 1.",
# "Table 2:", "Source:", "자료:". Shared by every reader that has to tell captions from headings.
CAPTION_LINE = re.compile(
    r"^\s*[<\[〈《(【]?\s*(?:표|그림|사진|도표|도식|차트|그래프|figure|fig\.|table|chart|exhibit|map|box|graph)\s*"
    r"(?:\d+(?:[-.]\d+)*|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]-?\d*)\s*[>\]〉》)】]?\s*[.:：．]?(?:\s|$)"
    r"|^\s*(?:sources?|notes?|자료|출처|주)\s*[:：]",
    re.IGNORECASE,
)
_CAPTION_LINE = CAPTION_LINE
# A whole line in angle brackets: the title of a table or figure ("< 추진 방향 >").
_BRACKETED_LINE = re.compile(r"^\s*[<〈《]\s*[^<>〈〉《》]+?\s*[>〉》]\s*$")
_DOT_LEADER = re.compile(r"(?:[.·‥…ㆍ・∙]\s?){5,}\s*\d{0,4}\s*$")
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_LINE = re.compile(
    r"^\s*(?:(?:updated|revised|published|posted)\s+)?(?:"
    rf"{_MONTHS}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTHS}\s+\d{{4}}|{_MONTHS}\s+\d{{4}}"
    r"|[\uac00-\ud7a3]{0,3}\s*\d{0,4}\s*(?:\(\s*\d{4}\s*\))?\s*년\s*\d{0,2}\s*월\s*(?:\d{0,2}\s*일)?"
    r"(?:\s*\d{1,2}\s*시(?:\s*\d{1,2}\s*분)?)?"
    r"|\d{4}\s*[./-]\s*\d{1,2}\s*(?:[./-]\s*\d{1,2})?\s*\.?"
    r")\s*$",
    re.IGNORECASE,
)
# An addressee or salutation line: "한국남부발전 귀하", "Dear colleagues".
_ADDRESSEE = re.compile(r"귀하\s*$|^\s*dear\s", re.IGNORECASE)
# A label and its value on one line ("사업기간 : 13개월", "일시 및 장소: 별도 안내").
_LABEL_VALUE = re.compile(r"\S\s*[:：]\s*\S")
_COLON_NUMBER = re.compile(r"[:：]\s*\d|\s[:：]\s*\S")
_TRAILING_MARKER = re.compile(rf"\s([{_ROMAN_UPPER}])\.?$")
_PRIVATE_USE = re.compile(r"^[\ue000-\uf8ff\s]+")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _line_count(block: Block) -> int:
    count = block.features.get("line_count")
    return int(count) if count else len([line for line in block.text.split("\n") if line.strip()]) or 1


def _letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def _mostly_symbols(text: str) -> bool:
    """Return whether a line is mostly digits and punctuation (a page number, "20 . . .")."""
    visible = [ch for ch in text if not ch.isspace()]
    letters = _letters(text)
    return letters < 2 or letters < 0.5 * len(visible)


def _squash(text: str) -> str:
    return "".join(text.split())


def is_caption(text: str) -> bool:
    """Return whether a line is the caption of a table or figure ("표 1", "<그림 2>",
    "Figure 1.", "Table 2:", "Source:", "자료:", "< 추진 체계 >")."""
    line = _flat(text)
    if _CAPTION_LINE.match(line):
        return True
    if _BRACKETED_LINE.match(line):
        found = numbering(line)
        return not (found and found.scheme == "annex" and not found.rest)
    return False


@dataclass(frozen=True)
class BodyStyle:
    """The style of the body text: the (size, weight) covering the most characters."""

    size: float | None
    bold: bool = False
    bold_share: float = 0.0  # share of the characters at the body size that are bold

    def __str__(self) -> str:
        if self.size is None:
            return "no font sizes"
        return f"{self.size:.1f}{' bold' if self.bold else ''}"


def _style_counts(blocks: list[Block]) -> Counter:
    counts: Counter = Counter()
    for block in blocks:
        if block.kind in (b.PARAGRAPH, b.LIST_ITEM) and block.font_size:
            counts[(round(block.font_size * 2) / 2, block.bold)] += len(_squash(block.text))
    return counts


def body_style(blocks: list[Block]) -> BodyStyle:
    """Return the document's body style: the font size and weight of most characters of text."""
    counts = _style_counts(blocks)
    if not counts:
        return BodyStyle(None)
    (size, bold), _ = counts.most_common(1)[0]
    return BodyStyle(size, bold, _bold_share(counts, size))


def _bold_share(counts: Counter, size: float) -> float:
    total = counts[(size, True)] + counts[(size, False)]
    return counts[(size, True)] / total if total else 0.0


def _local_bodies(blocks: list[Block], body: BodyStyle) -> dict[int | None, BodyStyle]:
    """Return the body style near each page (the page and its neighbours), where they hold
    enough text to tell; appendices and forms are often set smaller than the main text."""
    per_page: dict[int | None, Counter] = {}
    for block in blocks:
        if block.kind in (b.PARAGRAPH, b.LIST_ITEM) and block.font_size:
            key = (round(block.font_size * 2) / 2, block.bold)
            per_page.setdefault(block.page, Counter())[key] += len(_squash(block.text))
    local: dict[int | None, BodyStyle] = {}
    for page in per_page:
        window: Counter = Counter()
        for near in (page - 1, page, page + 1) if page is not None else (page,):
            window.update(per_page.get(near, Counter()))
        if sum(window.values()) >= LOCAL_BODY_MIN_CHARS:
            (size, bold), _ = window.most_common(1)[0]
            local[page] = BodyStyle(size, bold, _bold_share(window, size))
        else:
            local[page] = body
    return local


def _mark_toc(blocks: list[Block]) -> None:
    """Relabel a table of contents as FURNITURE: on a page with several dot-leader lines, the
    run from the first to the last of them, with the "Contents" line before it and the page
    numbers after it."""
    pages: dict[int | None, list[int]] = {}
    for index, block in enumerate(blocks):
        if block.kind == b.PARAGRAPH:
            leaders = sum(1 for line in block.text.split("\n") if _DOT_LEADER.search(line))
            if leaders:
                pages.setdefault(block.page, []).extend([index] * leaders)
    numbered_pages = sorted({block.page for block in blocks if block.page is not None})
    early = set(numbered_pages[: max(TOC_EARLY_PAGES, len(numbered_pages) // 10)])
    for page, indices in pages.items():
        if len(indices) < TOC_MIN_LEADER_LINES or (page is not None and page not in early):
            continue  # a dot-leader list further on (a list of forms) is content
        start, end = min(indices), max(indices)
        for _ in range(2):  # the TOC's own heading and a chapter line before the first leader
            before = blocks[start - 1] if start else None
            if (
                before is not None
                and before.page == page
                and before.kind == b.PARAGRAPH
                and _line_count(before) == 1
                and len(_flat(before.text)) <= 40
            ):
                start -= 1
            else:
                break
        while (
            end + 1 < len(blocks)
            and blocks[end + 1].page == page
            and blocks[end + 1].kind == b.PARAGRAPH
            and re.fullmatch(r"[\d\s\-–—ivxlc]*", blocks[end + 1].text.strip(), re.IGNORECASE)
        ):
            end += 1
        n = len(indices)
        for block in blocks[start : end + 1]:
            if block.kind == b.PARAGRAPH:
                block.relabel(b.FURNITURE, f"table of contents ({n} dot-leader lines on page {page})")


@dataclass
class _Candidate:
    block: Block
    text: str
    number: Numbering | None
    style: tuple[float, bool] | None  # (size, bold) when the style makes it a heading
    reason: str
    base: float = 0  # level key, filled later
    sub: int = 0


def _heading_shaped(text: str) -> bool:
    return heading_like(text) and not _mostly_symbols(text)


def _numbered_item_shaped(block: Block, found: Numbering) -> bool:
    """Return whether a numbered item reads like a heading: one short line of heading-shaped
    text that is not a "label: value" pair."""
    rest = found.rest
    return (
        bool(rest)
        and _line_count(block) == 1
        and _heading_shaped(rest)
        and not _label_value(rest)
        and not letter_spaced(found.marker)
        and (found.scheme == "annex" or _few_words(rest))
        and not _second_marker(found)
    )


def _hangul_text(text: str) -> bool:
    hangul = sum(1 for ch in text if "\uac00" <= ch <= "\ud7a3")
    return hangul >= 0.5 * max(1, _letters(text))


def _label_value(text: str) -> bool:
    """Return whether a line is a label and its value ("사업기간 : 13개월", "일시 및 장소:
    별도 안내", "Deadline: 12 May"); an English heading may hold a colon ("Trade: Overview")."""
    return bool(_LABEL_VALUE.search(text) if _hangul_text(text) else _COLON_NUMBER.search(text))


def _few_words(text: str) -> bool:
    """Return whether a numbered item's text is short enough for a heading set as body text:
    at most 4 words in Korean (8 in other scripts), parenthetical glosses left out."""
    bare = re.sub(r"\([^()]*\)|（[^（）]*）", " ", text)
    words = bare.split()
    limit = MAX_NUMBERED_WORDS_KO if _hangul_text(bare) else MAX_NUMBERED_WORDS
    return len(words) <= limit


def _second_marker(found: Numbering) -> bool:
    """Return whether the text after a marker holds another marker of the same scheme, or any
    outline marker with its full stop ("Ⅰ. 일반현황 Ⅴ. 프로젝트 관리", "2. 기능 Ⅶ. 하도급"): a
    row of a list set in columns, not a heading."""
    tokens = found.rest.split()
    for index, token in enumerate(tokens[:-1]):
        other = numbering(f"{token} {tokens[index + 1]}")
        if other is None or other.marker != token:
            continue
        if other.scheme == found.scheme or (other.scheme in _OUTLINE_SCHEMES and token.endswith((".", "．"))):
            return True
    return False


def _sibling_verdicts(blocks: list[Block]) -> dict[int, tuple[int, int, int]]:
    """Return, for each numbered PARAGRAPH block (by id), how its sibling items (the run of
    items of its scheme, from 1 or a restart on) look: how many are heading-shaped, how many
    there are, and how many of the steps from one item to the next have text in between (items
    that follow each other directly are a list, however short)."""
    runs_of: dict[str, list[list[tuple[Block, bool]]]] = {}
    last_value: dict[str, int] = {}
    content_since: dict[str, bool] = {}
    separated: dict[int, int] = {}  # id(run) → steps with text between
    for block in blocks:
        if block.kind == b.FURNITURE:
            continue
        found = numbering(_flat(block.text)) if block.kind == b.PARAGRAPH else None
        if found is None or found.scheme in LIST_SCHEMES:
            for scheme in content_since:
                content_since[scheme] = True
            continue
        value = found.value or 0
        key = found.scheme
        if key == "annex":  # "[첨부 1]" and "[서식 1]" are two series
            key += ":" + re.sub(r"[^\uac00-\ud7a3A-Za-z]", "", found.ordinal)
        for other in content_since:
            if other != key:
                content_since[other] = True
        runs = runs_of.setdefault(key, [])
        if not runs or value <= 1 or value <= last_value.get(key, 0):
            runs.append([])
        elif content_since.get(key):
            separated[id(runs[-1])] = separated.get(id(runs[-1]), 0) + 1
        last_value[key] = value
        content_since[key] = False
        runs[-1].append((block, _numbered_item_shaped(block, found)))
    verdicts: dict[int, tuple[int, int, int]] = {}
    for runs in runs_of.values():
        for run in runs:
            shaped = sum(1 for _, ok in run if ok)
            for block, _ in run:
                verdicts[id(block)] = (shaped, len(run), separated.get(id(run), 0))
    return verdicts


def _reject_reason(block: Block, text: str, local: BodyStyle, body: BodyStyle) -> str:
    """Return why a block can never be a heading, or ""."""
    if len(text) > 100:
        return ""  # a paragraph: nothing to say
    if _DATE_LINE.match(text):
        return "a date line, not a heading"
    if _ADDRESSEE.search(text):
        return "an addressee or salutation line, not a heading"
    if _CONTACT.search(text):
        return "an e-mail address or telephone number: a contact line, not a heading"
    first = next((ch for ch in text if ch.isalpha()), "")
    if first.islower() and first.isascii() and not _MIXED_CASE_WORD.match(text):
        return "starts with a lowercase letter: the continuation of a line, not a heading"
    stacked = _stacked_lines(block, local)
    if stacked:
        return stacked
    if block.font_size and local.size and block.font_size < local.size - SAME_SIZE_POINTS:
        return f"smaller than the body ({block.font_size:.1f} < {local.size:.1f}): never a heading"
    if block.font_size and body.size and block.font_size < body.size - SAME_SIZE_POINTS:
        return f"smaller than the document's body ({block.font_size:.1f} < {body.size:.1f}): never a heading"
    return ""


_CONTACT = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.-]+|\b(?:tel|phone|fax|전화|팩스)\b|\(?\d{2,4}\)?[-. ]\d{3,4}[-. ]\d{4}\b",
    re.IGNORECASE,
)
# "iPhone", "eBay": a word whose lowercase start is its spelling, not a wrapped line
_MIXED_CASE_WORD = re.compile(r"^[a-z]+[A-Z]\w*")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# An author block is printed at about the body size (a name over a job title); larger is a heading.
STACKED_MAX_RATIO = 1.2
# two to four capitalised words or initials, no digits: the shape of a person's name
_NAME_LINE = re.compile(r"^(?:[A-Z][\w'’-]*\.?,?\s+){1,3}[A-Z][a-z][\w'’-]*\.?$")


def _stacked_lines(block: Block, local: BodyStyle) -> str:
    """An English block of two or more lines whose first line is far shorter than the line
    after it is a stack of separate lines (a name over a job title, an address), not a heading
    wrapped at the column edge (which fills its first line before the next)."""
    lines = [_flat(line) for line in block.features.get("lines") or [] if line.strip()]
    if len(lines) < 2 or block.bold or any(_HANGUL.search(line) for line in lines):
        return ""  # a bold label over a title ("Appendix B" / "List of …") is a heading
    if block.font_size and local.size and block.font_size > local.size * STACKED_MAX_RATIO:
        return ""  # set well above the body: a label over a title ("Part Two" / "The …")
    if _NAME_LINE.match(lines[0]) and len(lines[0]) < 0.6 * max(len(line) for line in lines[1:]):
        return "a short line over a longer one (a name over a role, an address): stacked lines, not a heading"
    return ""


def _indented_label(block: Block, following: Block | None) -> bool:
    """Return whether a line sits further right than the text after it (and is not centred): a
    label inside a box or a figure, not a heading of the text."""
    if following is None or block.bbox is None or following.bbox is None or block.features.get("centered"):
        return False
    margin = max(INDENT_POINTS, 0.5 * (block.font_size or 0))
    return block.bbox[0] > following.bbox[0] + margin


def _candidate(
    block: Block,
    local: BodyStyle,
    body: BodyStyle,
    siblings: dict[int, tuple[int, int, int]],
    following: Block | None = None,
):
    """Return a heading candidate for the block, or a reason string why it is not one."""
    text = _flat(_PRIVATE_USE.sub("", block.text)) or _flat(block.text)
    reject = _reject_reason(block, text, local, body)
    if reject or len(text) > 100:
        return reject
    found = numbering(text)
    bare = found is not None and not found.rest and found.scheme not in LIST_SCHEMES
    lines = _line_count(block)
    size = block.font_size
    floor = max(local.size or 0, body.size or 0)
    style_reason = ""
    if size and floor:
        larger = size >= floor * LARGER_RATIO and size - floor >= LARGER_MIN_POINTS
        bold_at_body = (
            block.bold
            and not local.bold
            and local.bold_share < BOLD_RARE_SHARE
            and abs(size - (local.size or size)) <= SAME_SIZE_POINTS
        )
        if larger:
            style_reason = f"size {size:.1f} > body {floor:.1f} (+{round((size / floor - 1) * 100)}%)"
            if block.bold:
                style_reason += ", bold"
        elif bold_at_body and _indented_label(block, following):
            return f"bold at body size {size:.1f}, but indented past the text after it: a label"
        elif bold_at_body:
            style_reason = f"bold at body size {size:.1f} (body regular)"
    shaped = _heading_shaped(found.rest if found and found.rest else text)
    if found is not None and found.rest and _second_marker(found):
        shaped = False  # two markers on one line: a row of a list set in columns
    if found is not None and found.scheme in LIST_SCHEMES and found.scheme not in _MARKED_HEADING_SCHEMES:
        lead = f"{style_reason}, but " if style_reason else ""
        return f"{lead}a bulleted line ('{found.marker}'): a list item"
    if style_reason:
        if lines > MAX_HEADING_LINES:
            return f"{style_reason}, but {lines} lines long: not a heading"
        if bare:
            return _Candidate(block, text, found, (size, block.bold), style_reason + ", a bare marker")
        if not shaped:
            return f"{style_reason}, but not heading-shaped (a sentence or a fragment)"
        larger_bold = style_reason.startswith("size") and block.bold
        if found and found.scheme in _MARKED_HEADING_SCHEMES and not larger_bold:
            return f"{style_reason}: a '{found.marker}' line not set as a heading (larger and bold)"
        if found and style_reason.startswith("bold") and found.scheme not in LIST_SCHEMES:
            shaped_n, total, _ = siblings.get(id(block), (1, 1, 0))
            if total >= 2 and shaped_n < SIBLING_HEADING_SHARE * total:
                sentences = total - shaped_n
                return f"bold item '{found.marker}', but {sentences} of {total} siblings are sentences"
        return _Candidate(block, text, found, (size, block.bold), style_reason)
    spaced = lines == 1 and (letter_spaced(text) or bool(found and found.rest and letter_spaced(found.rest)))
    if spaced and not size and lines == 1:  # with fonts, the style decides
        return _Candidate(block, text, found, None, "letter-spaced short line")
    if found is None or found.scheme in _BODY_SIZE_LIST_SCHEMES:
        if found is not None and found.scheme not in LIST_SCHEMES:
            return f"numbering '{found.marker}' ({found.scheme}) at body size: a list item"
        return ""
    if bare:
        return _Candidate(block, text, found, None, f"numbering '{found.marker}' alone, a bare marker")
    if not _numbered_item_shaped(block, found):
        return ""
    shaped_n, total, apart = siblings.get(id(block), (1, 1, 0))
    if total < 2 and found.scheme != "annex":  # an annex label may stand alone
        return f"numbering '{found.marker}' ({found.scheme}) without sibling items: not a heading"
    if shaped_n < SIBLING_HEADING_SHARE * total:
        return (
            f"numbering '{found.marker}': {total - shaped_n} of {total} sibling items are sentences, a list"
        )
    if apart < SEPARATED_SHARE * (total - 1):
        return f"numbering '{found.marker}': {total} sibling items follow one another with no text, a list"
    return _Candidate(
        block,
        text,
        found,
        None,
        f"numbering '{found.marker}' ({found.scheme}), {shaped_n} of {total} siblings headings",
    )


def _same_style(a: _Candidate, b_: _Candidate) -> bool:
    if a.style is None or b_.style is None:
        return a.style is None and b_.style is None
    return abs(a.style[0] - b_.style[0]) <= SAME_SIZE_POINTS and a.style[1] == b_.style[1]


def _gap_ok(block: Block) -> bool:
    gap = block.features.get("gap_before")
    size = block.font_size
    return gap is not None and size is not None and -1 <= gap <= WRAP_GAP_RATIO * size


def _join(first: str, second: str) -> str:
    return f"{first.rstrip()} {second.lstrip()}"


def _join_wrapped(first: str, second: str) -> str:
    """Join a heading wrapped over two lines: with a space, unless the break fell inside a Korean
    word ("정상회" / "담"), which `linebreaks` decides by morphology."""
    from briefs.importers.linebreaks import breaks_inside_word, hangul_junction

    junction = hangul_junction(first, second)
    if junction is not None and breaks_inside_word(*junction):
        return f"{first.rstrip()}{second.lstrip()}"
    return _join(first, second)


def _merge(blocks: list[Block], found: list[_Candidate]) -> list[_Candidate]:
    """Join a bare marker ("Ⅵ", "[서식1]") with the heading after it and a heading wrapped over
    two blocks; drop a centred line that repeats the heading just before it."""
    position = {id(block): index for index, block in enumerate(blocks)}
    out: list[_Candidate] = []
    removed: set[int] = set()
    for cand in found:
        prev = out[-1] if out else None
        adjacent = prev is not None and position[id(cand.block)] == position[id(prev.block)] + 1
        same_page = prev is not None and prev.block.page == cand.block.page
        bare_before = prev is not None and prev.number is not None and not prev.number.rest
        unnumbered = cand.number is None or cand.number.scheme in LIST_SCHEMES
        if prev is not None and adjacent and bare_before and unnumbered:
            prev.text = _join(prev.text, cand.text)
            prev.block.text = _join(_flat(prev.block.text), _flat(cand.block.text))
            prev.number = numbering(prev.text)
            prev.reason += f", joined with the next line ({cand.reason})"
            if cand.style and (prev.style is None or cand.style[0] > prev.style[0]):
                prev.style = cand.style
            removed.add(id(cand.block))
            continue
        if prev is not None and adjacent:
            mine, theirs = _squash(cand.text), _squash(prev.number.rest if prev.number else prev.text)
            if mine and mine in _squash(prev.text) and len(mine) >= 0.6 * len(theirs):
                cand.block.why = (
                    f"repeats the heading before it ({prev.text[:40]!r}): the section's own title line"
                )
                continue
        if (
            prev is not None
            and adjacent
            and same_page
            and _same_style(prev, cand)
            and prev.style is not None
            and cand.number is None
            and letter_spaced(prev.text) == letter_spaced(cand.text)  # "발명의 설명" / "기 술 분 야": two
            and _gap_ok(cand.block)
            and not prev.text.rstrip().endswith((".", ":", "?", "!", ")"))
            and len(prev.text) + len(cand.text) <= 100
        ):
            prev.text = _join_wrapped(prev.text, cand.text)
            prev.block.text = _join_wrapped(_flat(prev.block.text), _flat(cand.block.text))
            prev.reason += ", wrapped over two lines (joined)"
            removed.add(id(cand.block))
            continue
        out.append(cand)
    if removed:
        blocks[:] = [block for block in blocks if id(block) not in removed]
    return out


def _size_clusters(sizes: list[float]) -> list[float]:
    """Return the representative (largest) size of each cluster of close sizes, largest first."""
    clusters: list[list[float]] = []
    for size in sorted(set(sizes), reverse=True):
        if clusters and clusters[-1][-1] - size <= max(
            SAME_SIZE_POINTS, SIZE_CLUSTER_RATIO * clusters[-1][-1]
        ):
            clusters[-1].append(size)
        else:
            clusters.append([size])
    return [cluster[0] for cluster in clusters]


def _assign_levels(found: list[_Candidate]) -> None:
    clusters = _size_clusters([cand.style[0] for cand in found if cand.style])

    def cluster_of(size: float) -> int:
        for index, top in enumerate(clusters):
            if size <= top + SAME_SIZE_POINTS and (
                index + 1 == len(clusters) or size > clusters[index + 1] + SAME_SIZE_POINTS
            ):
                return index
        return len(clusters) - 1

    # Levels follow the size: a heading style is a cluster of close sizes. The weight does not
    # make a level of its own (extraction and templates set one size bold here, regular there);
    # bold at the body size is a cluster of its own, being smaller than every larger style.

    def style_key(c: _Candidate) -> int:
        return cluster_of(c.style[0])  # type: ignore[index]

    def annex(c: _Candidate) -> bool:
        return c.number is not None and c.number.scheme == "annex"

    used = Counter(style_key(c) for c in found if c.style and not annex(c))
    styles = sorted(used)
    # A style used once and set above every recurring heading style (a "Disclaimer" on the last
    # page, a form's title) is not a level of its own above the document's top headings.
    recurring = [style for style in styles if used[style] >= 2]
    top = styles.index(recurring[0]) if recurring else 0
    rank = {style: max(0, index - top) for index, style in enumerate(styles)}
    # Annex labels ("[첨부 1]", "<붙임2>", "별첨 3") open top-level parts of the document,
    # whatever their size; a series set smaller than the first series is one level below it.
    first_annex = next((c for c in found if annex(c)), None)
    for cand in found:
        if annex(cand):
            smaller = (
                first_annex is not None
                and first_annex.style is not None
                and cand.style is not None
                and cluster_of(cand.style[0]) > cluster_of(first_annex.style[0])
            )
            cand.base = 1 if smaller else 0
        elif cand.style:
            cand.base = rank[style_key(cand)]
        else:
            cand.base = len(styles)
    # Within one style, numbering schemes rank in the order they first appear.
    # Within one style, numbering schemes (each used at least twice) rank in the order they
    # first appear: "Ⅰ." then "1." set alike are two levels.
    uses: Counter = Counter(
        (cand.base, cand.number.scheme) for cand in found if cand.number is not None and cand.number.rest
    )
    order: dict[float, list[str]] = {}
    for cand in found:
        if cand.number is not None and cand.number.rest and cand.number.scheme != "annex":
            if uses[(cand.base, cand.number.scheme)] < 2:
                continue
            schemes = order.setdefault(cand.base, [])
            if cand.number.scheme not in schemes:
                schemes.append(cand.number.scheme)
    for cand in found:
        schemes = order.get(cand.base, [])
        if len(schemes) > 1 and cand.number is not None and cand.number.scheme in schemes:
            cand.sub = schemes.index(cand.number.scheme)
    keys = sorted({(cand.base, cand.sub) for cand in found})
    level_of = {key: min(6, index + 1) for index, key in enumerate(keys)}
    for cand in found:
        level = level_of[(cand.base, cand.sub)]
        where = f"style rank {int(cand.base) + 1}" if cand.style else "body-size text"
        if (
            len(order.get(cand.base, [])) > 1
            and cand.number is not None
            and cand.number.scheme in order[cand.base]
        ):
            where += f", scheme {cand.sub + 1} of {len(order[cand.base])} in order of appearance"
        text = cand.text if cand.block.text.strip() == cand.text else cand.block.text
        text = _PRIVATE_USE.sub("", text).strip() or text
        trailing = _TRAILING_MARKER.search(text)
        if trailing and numbering(text) is None:  # "사 업 안 내 Ⅰ": the numeral set after the words
            text = f"{trailing.group(1)} {text[: trailing.start()].strip()}"
        cand.block.text = text
        cand.block.relabel(b.HEADING, f"{cand.reason}; {where} → level {level}", level=level)


def classify_layout(blocks: list[Block]) -> list[Block]:
    """Decide which PARAGRAPH blocks of a layout format (PDF, plain text, DOCX without heading
    styles) are headings and at what level; relabel them in place (and captions as CAPTION, a
    table of contents as FURNITURE). Blocks the reader already gave another kind are left alone.
    Wrapped headings are merged into one block, so the list may get shorter. Returns the list."""
    _mark_toc(blocks)
    body = body_style(blocks)
    local = _local_bodies(blocks, body)
    title_pages = {block.page for block in blocks if block.kind == b.TITLE and block.page is not None}
    page_chars: Counter = Counter()
    for block in blocks:
        if block.kind in (b.PARAGRAPH, b.LIST_ITEM, b.TABLE):
            page_chars[block.page] += len(_squash(block.text))
    pages = {block.page for block in blocks if block.page is not None}
    covers = set()
    if len(pages) >= COVER_MIN_PAGES:
        covers = {page for page in title_pages if page_chars[page] < COVER_MAX_CHARS and page != max(pages)}
    siblings = _sibling_verdicts(blocks)
    content = [block for block in blocks if block.kind in (*b.BODY_KINDS, b.FOOTNOTE) and block.text.strip()]
    following = {id(a): c for a, c in zip(content, content[1:], strict=False)}
    found: list[_Candidate] = []
    for block in blocks:
        if block.kind != b.PARAGRAPH:
            continue
        text = _flat(block.text)
        if not text:
            continue
        if len(text) <= 160 and is_caption(text):
            block.relabel(b.CAPTION, "caption of a table or figure")
            continue
        if block.page in covers:
            block.why = block.why or f"on the cover page {block.page}: not a heading"
            continue
        result = _candidate(block, local.get(block.page, body), body, siblings, following.get(id(block)))
        if isinstance(result, _Candidate):
            found.append(result)
        elif result:
            block.why = result
    found = _merge(blocks, found)
    kept = []
    for cand in found:
        if cand.number is not None and not cand.number.rest and _letters(cand.text) < 2:
            cand.block.why = f"{cand.reason}, with no words after it: not a heading"
        else:
            kept.append(cand)
    _assign_levels(kept)
    return blocks


def explain_blocks(blocks: list[Block]) -> str:
    """Return one line per block: page, kind and level, font size and weight, text, why."""
    lines = []
    for block in blocks:
        page = f"p{block.page}" if block.page is not None else "p-"
        level = str(block.level) if block.kind == b.HEADING and block.level else ""
        size = f"{block.font_size:g}" if block.font_size else "-"
        weight = "b" if block.bold else ""
        text = _flat(block.text)[:80]
        lines.append(f"{page} {block.kind}{level} {size}{weight} | {text} | {block.why}")
    return "\n".join(lines)
