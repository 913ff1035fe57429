"""Rules about what a heading looks like, shared by the layout readers (PDF, plain text).

Pure functions on a line's text and features: numbering schemes (Ⅰ. / 1. / 1.1 / 가. / (1) /
① / 제1장 …), letter-spaced headings ("검 토 보 고", "해 제"), and heading-shaped text. None of
them knows a document's strings; each has a unit test in tests/briefs/test_classify.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefs.importers.structure import heading_like

_ROMAN_UPPER = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"
_ROMAN_LOWER = "ⅰⅱⅲⅳⅴⅵⅶⅷⅸⅹⅺⅻ"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_HANGUL_ORDINALS = "가나다라마바사아자차카타파하"
_ASCII_ROMAN = re.compile(r"^(?=[IVX])(X{0,3})(IX|IV|V?I{0,3})$")

# (scheme, pattern); the first group is the ordinal as printed. Order matters: most specific first.
_SCHEMES: list[tuple[str, re.Pattern[str]]] = [
    ("chapter", re.compile(r"^(제\s*\d{1,3}\s*[장편부])(?:\s+|$)")),
    ("clause", re.compile(r"^(제\s*\d{1,3}\s*[절조관항])(?:\s+|[(（]|$)")),
    ("roman", re.compile(rf"^([{_ROMAN_UPPER}])\s*[.．]?(?:\s+|(?=[^\s.]))")),
    ("roman", re.compile(r"^((?=[IVX])X{0,3}(?:IX|IV|V?I{0,3}))[.．]\s+")),
    ("decimal", re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+")),
    ("arabic", re.compile(r"^(\d{1,2})[.．]\s*(?=\S)")),
    ("arabic_paren", re.compile(r"^(\d{1,2})\)\s*(?=\S)")),
    ("paren_arabic", re.compile(r"^[(（](\d{1,2})[)）]\s*(?=\S)")),
    ("hangul", re.compile(rf"^([{_HANGUL_ORDINALS}])[.．]\s*(?=\S)")),
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
