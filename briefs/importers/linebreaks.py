"""What a line break in wrapped text stands for: a space between two words, or nothing.

Three conventions reach the importer, and which one a document follows is measured on the
document as a whole:

marks
    Some PDF extractors end a line with a space where the break falls between words and with
    nothing where it falls inside a word. When a good share of lines end with a space, those
    marks are the source's own word boundaries and are trusted.
word wrap
    Lines break only between words (most Latin-script text, and Korean set with word-level
    wrapping, 어절 단위). Every break is a space.
character wrap
    Korean typeset with character-level wrapping (글자 단위, common in HWP and PDF output)
    breaks lines anywhere, inside words too: "중요해졌" / "다.". Without marks, a break between
    two Hangul syllables is decided by morphology: Kiwi analyses the two words written
    together, and the break fell inside a word when a morpheme straddles it or when the part
    after it opens with a morpheme that cannot start a word (an ending, a particle, a
    suffix, the copula: 다, 를, 하여, 이며).

Word wrap or character wrap? Kiwi is asked about every Hangul-Hangul break of the document.
In word-wrapped text it finds almost none inside a word (0-2.3 % on re-wrapped samples: the
analyser's noise and the source's own loose spacing such as "2016년 부터"); in
character-wrapped text about half of the breaks fall inside words. A document whose share is
at least INSIDE_WORD_SHARE (and at least INSIDE_WORD_MIN breaks) is taken as character-wrapped
and each Hangul break is decided by morphology; below that every break stays a space, so the
source's spacing is never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Share of a document's lines ending with a space above which trailing spaces are marks.
MARKED_LINE_SHARE = 0.3
# Share of Hangul-Hangul breaks inside words from which a document is character-wrapped.
INSIDE_WORD_SHARE = 0.15
# ...and at least this many of them: one or two hits among a handful of breaks are noise.
INSIDE_WORD_MIN = 3
# Morpheme tags that cannot start a word: endings (E*), particles (J*), suffixes (XS*), copula.
_DEPENDENT_TAGS = ("E", "J", "XS", "VCP")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# No word is ever broken right after these.
_CLOSING_PUNCTUATION = ".,;:!?)]’”"


def uses_boundary_marks(lines: Sequence[str]) -> bool:
    """Return whether a trailing space marks the real word boundaries at line ends."""
    content = [line for line in lines if line.strip()]
    if len(content) < 2:
        return False
    marked = sum(1 for line in content if line[-1:].isspace())
    return marked / len(content) >= MARKED_LINE_SHARE


def hangul_junction(previous: str, following: str) -> tuple[str, str] | None:
    """Return the last word of `previous` and the first of `following` when the break between
    the two lines falls between two Hangul syllables (else None)."""
    left, right = previous.rstrip(), following.lstrip()
    if not (left and right and _HANGUL.fullmatch(left[-1]) and _HANGUL.fullmatch(right[0])):
        return None
    return left.split()[-1], right.split()[0]


def _analyser():
    from search.analysis import kiwi  # the search index's analyser, loaded once per process

    return kiwi()


def breaks_inside_word(left: str, right: str) -> bool:
    """Return whether `left` and `right`, split by a line break, are one word by morphology."""
    return _decide_all([(left, right)])[0]


def _inside_word(left: str, right: str, tokens: Iterable) -> bool:
    junction = len(left)
    for token in tokens:
        if token.start < junction < token.start + token.len:
            return True  # one morpheme straddles the break: 정상회 / 담
        if token.start >= junction:
            return token.tag.startswith(_DEPENDENT_TAGS)
    return False


_known: dict[tuple[str, str], bool] = {}  # decisions so far, shared by the process's imports
_KNOWN_MAX = 16384


def _decide_all(pairs: Sequence[tuple[str, str]]) -> list[bool]:
    """breaks_inside_word for many pairs, with one batched Kiwi call for the new ones."""
    decided = {pair: known for pair in pairs if (known := _known.get(pair)) is not None}
    todo = [pair for pair in dict.fromkeys(pairs) if pair not in decided]
    if todo:
        results = _analyser().tokenize([left + right for left, right in todo])
        for pair, tokens in zip(todo, results, strict=True):
            decided[pair] = _inside_word(*pair, tokens)
        if len(_known) + len(todo) > _KNOWN_MAX:
            _known.clear()
        _known.update((pair, decided[pair]) for pair in todo)
    return [decided[pair] for pair in pairs]


@dataclass(frozen=True)
class LineBreaks:
    """The line-break convention of one document (see the module docstring)."""

    marks: bool = False
    inside_words: bool = False  # character-wrapped: Hangul breaks are decided by morphology

    @classmethod
    def of(cls, lines: Sequence[str]) -> LineBreaks:
        """Measure the convention of a document's lines (blank lines separate paragraphs)."""
        if uses_boundary_marks(lines):
            return cls(marks=True)
        pairs = [
            junction
            for previous, following in zip(lines, lines[1:], strict=False)
            if (junction := hangul_junction(previous, following))
        ]
        if not pairs:
            return cls()
        inside = sum(_decide_all(pairs))
        return cls(inside_words=inside >= INSIDE_WORD_MIN and inside / len(pairs) >= INSIDE_WORD_SHARE)

    def separator(self, previous: str, following: str) -> str:
        """Return what stands between two lines of one paragraph: " " or ""."""
        if previous.rstrip()[-1:] in _CLOSING_PUNCTUATION:
            return " "
        if self.marks:
            return " " if previous[-1:].isspace() or following[:1].isspace() else ""
        if self.inside_words and (junction := hangul_junction(previous, following)):
            return "" if breaks_inside_word(*junction) else " "
        return " "
