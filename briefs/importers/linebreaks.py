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

Word wrap or character wrap? Each Hangul-Hangul break of a bounded sample (SAMPLE_BREAKS,
spread evenly over the document) is decided as below. In word-wrapped text almost none falls
inside a word (0-2.3 % on re-wrapped samples: the analyser's noise and the source's own loose
spacing such as "2016년 부터"); in character-wrapped text about half of them do. A document
whose share is at least INSIDE_WORD_SHARE (and at least INSIDE_WORD_MIN breaks) is taken as
character-wrapped and each Hangul break is decided; below that every break stays a space, so
the source's spacing is never rewritten.

Deciding a break costs a Kiwi analysis (about 0.2 ms), so the document's own words answer
first: a line's inner words (all but its first and last, which may be pieces) are whole words
as the document spells them. When the two pieces written together are such a word and
neither piece is, the break fell inside a word. Only the breaks this leaves open go to Kiwi,
once per distinct pair of pieces, BATCH_PAIRS pairs to one analysis, each on a line of its
own ending with a full stop (read so, Kiwi agrees with one analysis per pair on all but a
few breaks; joined by spaces the pairs read as one phrase and it does not).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from briefs.importers.budget import budget_check

# Share of a document's lines ending with a space above which trailing spaces are marks.
MARKED_LINE_SHARE = 0.3
# Share of Hangul-Hangul breaks inside words from which a document is character-wrapped.
INSIDE_WORD_SHARE = 0.15
# ...and at least this many of them: one or two hits among a handful of breaks are noise.
INSIDE_WORD_MIN = 3
# How many distinct Hangul breaks the convention is measured on.
SAMPLE_BREAKS = 2000
# Pairs analysed per Kiwi call, and what separates them in the analysed text.
BATCH_PAIRS = 128
_BATCH_SEPARATOR = ".\n"
# Morpheme tags that cannot start a word: endings (E*), particles (J*), suffixes (XS*), copula.
_DEPENDENT_TAGS = ("E", "J", "XS", "VCP")
# No word is ever broken right after these.
_CLOSING_PUNCTUATION = ".,;:!?)]’”"


def _is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def uses_boundary_marks(lines: Sequence[str]) -> bool:
    """Return whether a trailing space marks the real word boundaries at line ends."""
    content = marked = 0
    for line in lines:
        if line and not line.isspace():
            content += 1
            marked += line[-1].isspace()
    return content >= 2 and marked / content >= MARKED_LINE_SHARE


def hangul_junction(previous: str, following: str) -> tuple[str, str] | None:
    """Return the last word of `previous` and the first of `following` when the break between
    the two lines falls between two Hangul syllables (else None)."""
    left, right = previous.rstrip(), following.lstrip()
    if not (left and right and _is_hangul(left[-1]) and _is_hangul(right[0])):
        return None
    return left.rsplit(None, 1)[-1], right.split(None, 1)[0]


def _tokenize(texts: list[str]):
    from search.analysis import kiwi_tokenize  # the search index's analyser, once per process

    return kiwi_tokenize(texts)


def breaks_inside_word(left: str, right: str) -> bool:
    """Return whether `left` and `right`, split by a line break, are one word by morphology."""
    return _decide_all([(left, right)])[0]


def _inside_word(junction: int, tokens: Iterable) -> bool:
    """Read Kiwi's tokens of two pieces written together, the break at offset `junction`."""
    for token in tokens:
        if token.start < junction < token.start + token.len:
            return True  # one morpheme straddles the break: 정상회 / 담
        if token.start >= junction:
            return token.tag.startswith(_DEPENDENT_TAGS)
    return False


_known: dict[tuple[str, str], bool] = {}  # decisions so far, shared by the process's imports
_KNOWN_MAX = 16384
# Work done by Kiwi for line breaks in this process (for tests and benchmarks).
kiwi_work = {"calls": 0, "pairs": 0, "chars": 0}


def _analyse(pairs: Sequence[tuple[str, str]]) -> list[bool]:
    """Decide pairs by Kiwi, BATCH_PAIRS of them written into one text per analysis."""
    texts: list[str] = []
    spans: list[list[tuple[int, int, int]]] = []  # per text: (start, junction, end) of each pair
    for first in range(0, len(pairs), BATCH_PAIRS):
        parts: list[str] = []
        batch: list[tuple[int, int, int]] = []
        offset = 0
        for left, right in pairs[first : first + BATCH_PAIRS]:
            if parts:
                parts.append(_BATCH_SEPARATOR)
                offset += len(_BATCH_SEPARATOR)
            parts.append(left + right)
            batch.append((offset, offset + len(left), offset + len(left) + len(right)))
            offset += len(left) + len(right)
        texts.append("".join(parts))
        spans.append(batch)
    kiwi_work["calls"] += len(texts)
    kiwi_work["pairs"] += len(pairs)
    kiwi_work["chars"] += sum(len(text) for text in texts)
    decided: list[bool] = []
    for batch, tokens in zip(spans, _tokenize(texts), strict=True):
        budget_check()
        tokens = list(tokens)
        i = 0
        for start, junction, end in batch:
            while i < len(tokens) and tokens[i].start < start:
                i += 1
            j = i
            while j < len(tokens) and tokens[j].start < end:
                j += 1
            decided.append(_inside_word(junction, tokens[i:j]))
            i = j
    return decided


def _decide_all(pairs: Sequence[tuple[str, str]]) -> list[bool]:
    """breaks_inside_word for many pairs, with batched Kiwi calls for the new ones."""
    decided = {pair: known for pair in pairs if (known := _known.get(pair)) is not None}
    todo = [pair for pair in dict.fromkeys(pairs) if pair not in decided]
    if todo:
        decided.update(zip(todo, _analyse(todo), strict=True))
        if len(_known) + len(todo) > _KNOWN_MAX:
            _known.clear()
        if len(todo) <= _KNOWN_MAX:
            _known.update((pair, decided[pair]) for pair in todo)
    return [decided[pair] for pair in pairs]


# The longest word tail kept by Vocabulary: endings and particles are short.
TAIL_CHARS = 5


@dataclass
class Vocabulary:
    """The words of a document that no line break touches: each line's words but its first
    and last, which may be pieces of words broken across lines; and their short tails."""

    words: set[str]
    tails: set[str]  # proper tails of those words, up to TAIL_CHARS characters (국가기관: 기관, 관)

    @classmethod
    def of(cls, lines: Iterable[str]) -> Vocabulary:
        words: set[str] = set()
        for line in lines:
            parts = line.split()
            if len(parts) > 2:
                words.update(parts[1:-1])
        tails = {
            word[-n:] for word in words for n in range(1, min(len(word), TAIL_CHARS + 1)) if n < len(word)
        }
        return cls(words, tails)


def by_vocabulary(left: str, right: str, vocabulary: Vocabulary) -> bool | None:
    """Decide a break from the document's own words; None when they do not tell.

    Inside a word when the two pieces written together are a word and neither piece is one.
    Between two words when both pieces are words, together they are not, and the second piece
    never ends a longer word: 할, 이, 에, 한다 are words of their own but also the endings of
    others (추가할, 서명이), so "추가 / 할" is left to Kiwi."""
    words = vocabulary.words
    whole, left_word, right_word = left + right in words, left in words, right in words
    if whole and not left_word and not right_word:
        return True
    if left_word and right_word and not whole and right not in vocabulary.tails:
        return False
    return None


def _decide_in(pairs: Iterable[tuple[str, str]], words: Vocabulary, decided: dict) -> None:
    """Add the decisions for `pairs` to `decided`: by the words when they tell, else by Kiwi."""
    todo = []
    for pair in pairs:
        if pair in decided:
            continue
        verdict = by_vocabulary(*pair, words)
        if verdict is None:
            todo.append(pair)
        else:
            decided[pair] = verdict
    todo = list(dict.fromkeys(todo))
    decided.update(zip(todo, _decide_all(todo), strict=True))


@dataclass(frozen=True)
class LineBreaks:
    """The line-break convention of one document (see the module docstring)."""

    marks: bool = False
    inside_words: bool = False  # character-wrapped: Hangul breaks are decided by morphology
    # The document's Hangul breaks, decided once when it was measured.
    decided: dict[tuple[str, str], bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, lines: Sequence[str]) -> LineBreaks:
        """Measure the convention of a document's lines (blank lines separate paragraphs)."""
        if uses_boundary_marks(lines):
            return cls(marks=True)
        # The breaks between two lines, and those across blank lines: blocks that stop
        # mid-sentence are joined across a blank line (a page break). The convention is
        # measured on the first kind; both are decided, so that joining the lines never waits
        # on Kiwi one break at a time.
        pairs: list[tuple[str, str]] = []
        across: list[tuple[str, str]] = []
        previous, blank = "", False
        for line in lines:
            if not line or line.isspace():
                blank = True
                continue
            if previous and (junction := hangul_junction(previous, line)):
                (across if blank else pairs).append(junction)
            previous, blank = line, False
        if not pairs:
            return cls()
        sample = pairs
        if len(pairs) > SAMPLE_BREAKS:
            sample = [pairs[i * len(pairs) // SAMPLE_BREAKS] for i in range(SAMPLE_BREAKS)]
        words = Vocabulary.of(lines)
        decided: dict[tuple[str, str], bool] = {}
        _decide_in(sample, words, decided)
        inside = sum(decided[pair] for pair in sample)
        if not (inside >= INSIDE_WORD_MIN and inside / len(sample) >= INSIDE_WORD_SHARE):
            return cls()
        _decide_in(pairs + across, words, decided)
        return cls(inside_words=True, decided=decided)

    def separator(self, previous: str, following: str) -> str:
        """Return what stands between two lines of one paragraph: " " or ""."""
        if previous.rstrip()[-1:] in _CLOSING_PUNCTUATION:
            return " "
        if self.marks:
            return " " if previous[-1:].isspace() or following[:1].isspace() else ""
        if self.inside_words and (junction := hangul_junction(previous, following)):
            inside = self.decided.get(junction)
            if inside is None:
                inside = breaks_inside_word(*junction)
            return "" if inside else " "
        return " "
