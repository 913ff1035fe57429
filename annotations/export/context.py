"""An excerpt's context as printed: prefix [quote] suffix, cut at word boundaries.

The stored prefix and suffix are the QUOTE_CONTEXT code points either side of the quote
(the W3C TextQuoteSelector needs them exact), so a full-length prefix usually begins,
and a full-length suffix ends, in the middle of a word. For print they are cut back to
the nearest word boundary, with an ellipsis where text was left out.

Word boundaries come from Kiwi's tokens (search.analysis.kiwi, the analyser search
uses): a token that follows a space or punctuation starts a word, and so does a content
morpheme (noun, verb, adverb, foreign word, number, ...) inside an unspaced run, as in
"대북제재완화"; particles, endings and suffixes (조사, 어미, 접미사) never start one.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotations.models import Annotation

ELLIPSIS = "…"
# Kiwi tags that continue the word before them: particles (J*), endings (E*), suffixes (XS*),
# the copula (VCP) and punctuation (S* but foreign words, Chinese characters and numbers).
_CONTINUING = ("J", "E", "XS", "VCP", "SF", "SP", "SS", "SE", "SO", "SW", "W_")


def word_starts(text: str) -> list[int]:
    """Return the offsets in text (after 0) at which a whole word begins."""
    return _word_starts_many([text])[0]


def _word_starts_many(texts: Sequence[str]) -> list[list[int]]:
    from search.analysis import tokenize  # Kiwi, loaded on first use: about a second

    return [_starts(text, tokens) for text, tokens in zip(texts, tokenize(texts), strict=True)]


def _starts(text: str, tokens: Sequence) -> list[int]:
    starts = []
    for token in tokens:
        if token.start == 0:
            continue
        after_break = text[token.start - 1].isspace() or not text[token.start - 1].isalnum()
        if after_break or not token.tag.startswith(_CONTINUING):
            starts.append(token.start)
    return starts


def _prefix_needs_words(prefix: str, *, full: bool) -> bool:
    return full and bool(prefix) and not prefix[0].isspace()


def _suffix_needs_words(suffix: str, *, full: bool) -> bool:
    return full and bool(suffix) and not suffix[-1].isspace()


def trim_prefix(prefix: str, *, full: bool, starts: list[int] | None = None) -> str:
    """Return the prefix from its first whole word (with an ellipsis), if it may start mid-word.

    starts are the prefix's word_starts(), when the caller has them already.
    """
    if not full or not prefix:
        return prefix
    if prefix[0].isspace():  # the cut fell between words
        return ELLIPSIS + prefix.lstrip()
    starts = word_starts(prefix) if starts is None else starts
    return ELLIPSIS + prefix[starts[0] :].lstrip() if starts else ELLIPSIS


def trim_suffix(suffix: str, *, full: bool, starts: list[int] | None = None) -> str:
    """Return the suffix up to its last whole word (with an ellipsis), if it may end mid-word."""
    if not full or not suffix:
        return suffix
    if suffix[-1].isspace():
        return suffix.rstrip() + ELLIPSIS
    starts = word_starts(suffix) if starts is None else starts
    return suffix[: starts[-1]].rstrip() + ELLIPSIS if starts else ELLIPSIS


def quote_in_context(annotation: Annotation) -> str:
    """Return prefix + [quote] + suffix, the context cut at word boundaries.

    An export computes it for a whole chunk at once (add_contexts); this reads that.
    """
    attached = getattr(annotation, "in_context", None)
    if attached is not None:
        return attached
    add_contexts([annotation])
    return annotation.in_context


def add_contexts(annotations: Sequence[Annotation]) -> None:
    """Set each annotation's in_context, with one Kiwi call for all the word boundaries they need.

    Only the word cut at the edge is analysed: a prefix's first whole word starts inside its
    first run of non-space characters or right after it, a suffix's last one inside its last
    run or at its start, so Kiwi reads a few characters an excerpt, not the whole context.
    """
    limit = Annotation.QUOTE_CONTEXT
    prefixes = {}  # id(annotation) -> (its first run, where the next word starts or None)
    suffixes = {}  # id(annotation) -> (where its last run starts, that run)
    for a in annotations:
        if _prefix_needs_words(a.prefix, full=len(a.prefix) >= limit):
            run, _, rest = _split_first(a.prefix)
            after = len(a.prefix) - len(rest.lstrip()) if rest.strip() else None
            prefixes[id(a)] = (run, after)
        if _suffix_needs_words(a.suffix, full=len(a.suffix) >= limit):
            begin = _last_run_start(a.suffix)
            suffixes[id(a)] = (begin, a.suffix[begin:])
    texts = [run for run, _ in prefixes.values()] + [run for _, run in suffixes.values()]
    found = iter(_word_starts_many(texts) if texts else ())
    prefix_starts = {}
    for key, (_run, after) in prefixes.items():
        inside = next(found)
        prefix_starts[key] = inside[:1] or ([after] if after is not None else [])
    suffix_starts = {}
    for key, (begin, _run) in suffixes.items():
        inside = next(found)
        suffix_starts[key] = [begin + inside[-1]] if inside else ([begin] if begin else [])
    for a in annotations:
        prefix = trim_prefix(a.prefix, full=len(a.prefix) >= limit, starts=prefix_starts.get(id(a)))
        suffix = trim_suffix(a.suffix, full=len(a.suffix) >= limit, starts=suffix_starts.get(id(a)))
        a.in_context = f"{prefix}[{a.quote}]{suffix}"


def _split_first(text: str) -> tuple[str, str, str]:
    # Like str.partition(), at the first whitespace of any kind.
    for index, char in enumerate(text):
        if char.isspace():
            return text[:index], char, text[index + 1 :]
    return text, "", ""


def _last_run_start(text: str) -> int:
    index = len(text)
    while index > 0 and not text[index - 1].isspace():
        index -= 1
    return index
