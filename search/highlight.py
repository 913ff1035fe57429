"""Snippets: find where a query hit the original text, cut windows around it, mark it up.

`highlighted_html` is the only place in search that marks a string safe: every piece of text
is escaped there, and only the <mark> tags it adds are markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ELLIPSIS = "…"
SNIPPET_WIDTH = 110
MAX_WINDOWS = 2
LEAD_WIDTH = 160  # the opening of a text shown when nothing in it can be highlighted
# Between two lexemes of a compound or phrase: a space, or a particle and a space (북한의 핵시설).
_PHRASE_GAP = re.compile(r"\s?\w{0,2}\s?")

_SPACES = re.compile(r"\s+")

Span = tuple[int, int]
Pieces = list[tuple[str, bool]]


def highlighted_html(pieces: Iterable[tuple[str, bool]]) -> SafeString:
    """Return HTML for (text, is_hit) pieces: each escaped, hits wrapped in <mark>."""
    html = "".join(f"<mark>{escape(text)}</mark>" if hit else escape(text) for text, hit in pieces)
    return mark_safe(html)  # noqa: S308 - every piece above is escaped


def merged(spans: Iterable[Span]) -> list[Span]:
    """Return spans sorted, overlapping and touching ones joined."""
    return _merge(spans)


def _merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _valid(spans: Iterable[Sequence[int]], length: int) -> list[Span]:
    # Stored spans may predate an edit of the text; never trust them past its end.
    return [(int(s), int(e)) for s, e in spans if 0 <= s < e <= length]


def lexeme_spans(
    text: str, spans: Mapping[str, Sequence[Sequence[int]]], units: Iterable[tuple[str, ...]]
) -> list[Span]:
    """Return where the query's lexeme units occur in text, from the document's stored spans.

    A one-lexeme unit hits wherever that lexeme was found; a longer unit (종전 <-> 선언) only
    where its lexemes follow each other, and then as one span from the first to the last.
    """
    hits: list[Span] = []
    for unit in units:
        first = _valid(spans.get(unit[0], ()), len(text))
        if len(unit) == 1:
            hits.extend(first)
            continue
        rest = [sorted(_valid(spans.get(lexeme, ()), len(text))) for lexeme in unit[1:]]
        for start, end in first:
            current = end
            for candidates in rest:
                following = next(
                    (
                        e
                        for s, e in candidates
                        if s >= current and _PHRASE_GAP.fullmatch(text[current:s]) is not None
                    ),
                    None,
                )
                if following is None:
                    break
                current = following
            else:
                hits.append((start, current))
    return _merge(hits)


def prefix_lexeme_spans(
    text: str, spans: Mapping[str, Sequence[Sequence[int]]], prefixes: Iterable[str]
) -> list[Span]:
    """Return the words whose lexeme starts with one of the prefixes, as the prefix search
    matched them ('연락사':* lights up the whole of 연락사무소, never a syllable inside it)."""
    wanted = [p.lower() for p in prefixes if p]
    hits: list[Span] = []
    for lexeme, found in spans.items():
        if any(lexeme.startswith(prefix) for prefix in wanted):
            hits.extend(_valid(found, len(text)))
    return _merge(hits)


def substring_spans(text: str, needles: Iterable[str]) -> list[Span]:
    """Return every case-insensitive occurrence of the needles in text."""
    lowered = text.lower()
    hits: list[Span] = []
    for needle in needles:
        needle = needle.lower()
        if not needle:
            continue
        start = lowered.find(needle)
        while start != -1:
            hits.append((start, start + len(needle)))
            start = lowered.find(needle, start + len(needle))
    return _merge(hits)


def _trigrams(word: str) -> set[str]:
    padded = f"  {word.lower()} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similar_word_spans(text: str, needles: Iterable[str], threshold: float = 0.5) -> list[Span]:
    """Return the words of text that look like one of the needles (pg_trgm-style similarity)."""
    wanted = [_trigrams(n) for needle in needles for n in re.findall(r"\w+", needle)]
    hits: list[Span] = []
    for match in re.finditer(r"\w+", text):
        grams = _trigrams(match.group())
        if any(len(grams & w) / len(grams | w) >= threshold for w in wanted):
            hits.append(match.span())
    return hits


def _snap_start(text: str, start: int) -> int:
    if start <= 0:
        return 0
    space = text.rfind(" ", max(0, start - 12), start)
    return space + 1 if space != -1 else start


def _snap_end(text: str, end: int) -> int:
    if end >= len(text):
        return len(text)
    space = text.find(" ", end, end + 12)
    return space if space != -1 else end


def _windows(text: str, hits: list[Span], width: int, limit: int) -> list[Span]:
    """Return up to `limit` windows of about `width` characters covering the most hits."""
    candidates = []
    for start, end in hits:
        lead = max(0, (width - (end - start)) // 3)
        w_start = max(0, start - lead)
        w_end = min(len(text), max(end, w_start + width))
        covered = sum(1 for s, e in hits if s >= w_start and e <= w_end)
        candidates.append((covered, -start, (w_start, w_end)))
    chosen: list[Span] = []
    for _, _, (w_start, w_end) in sorted(candidates, reverse=True):
        if len(chosen) == limit:
            break
        if all(w_end <= s or w_start >= e for s, e in chosen):
            chosen.append((w_start, w_end))
    return sorted((_snap_start(text, s), _snap_end(text, e)) for s, e in chosen)


def _flat(text: str) -> str:
    # Paragraph breaks read as spaces inside a one-line snippet.
    return _SPACES.sub(" ", text)


def snippet_pieces(text: str, hits: Sequence[Span], *, width: int = SNIPPET_WIDTH) -> Pieces:
    """Return (text, is_hit) pieces for windows of text around its best hits."""
    hits = _merge(hits)
    windows = _windows(text, hits, width, MAX_WINDOWS) if hits else [(0, _snap_end(text, LEAD_WIDTH))]
    pieces: Pieces = []
    previous_end = 0
    for w_start, w_end in windows:
        w_start = max(w_start, previous_end)
        if w_start >= w_end:
            continue
        if w_start > previous_end or (w_start > 0 and not pieces):
            pieces.append((ELLIPSIS + " " if not pieces else " " + ELLIPSIS + " ", False))
        cursor = w_start
        for s, e in hits:
            s, e = max(s, w_start), min(e, w_end)
            if s >= e or s < cursor:
                continue
            if s > cursor:
                pieces.append((_flat(text[cursor:s]), False))
            pieces.append((_flat(text[s:e]), True))
            cursor = e
        if cursor < w_end:
            pieces.append((_flat(text[cursor:w_end]), False))
        previous_end = w_end
    if previous_end < len(text):
        pieces.append((" " + ELLIPSIS, False))
    return pieces


def full_pieces(text: str, hits: Sequence[Span]) -> Pieces:
    """Return (text, is_hit) pieces for the whole of a short text (a heading)."""
    pieces: Pieces = []
    cursor = 0
    for s, e in _merge(hits):
        if s > cursor:
            pieces.append((text[cursor:s], False))
        pieces.append((text[s:e], True))
        cursor = e
    if cursor < len(text):
        pieces.append((text[cursor:], False))
    return pieces
