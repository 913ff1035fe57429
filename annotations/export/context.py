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

from annotations.models import Annotation

ELLIPSIS = "…"
# Kiwi tags that continue the word before them: particles (J*), endings (E*), suffixes (XS*),
# the copula (VCP) and punctuation (S* but foreign words, Chinese characters and numbers).
_CONTINUING = ("J", "E", "XS", "VCP", "SF", "SP", "SS", "SE", "SO", "SW", "W_")


def word_starts(text: str) -> list[int]:
    """Return the offsets in text (after 0) at which a whole word begins."""
    from search.analysis import kiwi  # loaded on first use: about a second

    starts = []
    for token in kiwi().tokenize(text):
        if token.start == 0:
            continue
        after_break = text[token.start - 1].isspace() or not text[token.start - 1].isalnum()
        if after_break or not token.tag.startswith(_CONTINUING):
            starts.append(token.start)
    return starts


def trim_prefix(prefix: str, *, full: bool) -> str:
    """Return the prefix from its first whole word (with an ellipsis), if it may start mid-word."""
    if not full or not prefix:
        return prefix
    if prefix[0].isspace():  # the cut fell between words
        return ELLIPSIS + prefix.lstrip()
    starts = word_starts(prefix)
    return ELLIPSIS + prefix[starts[0] :].lstrip() if starts else ELLIPSIS


def trim_suffix(suffix: str, *, full: bool) -> str:
    """Return the suffix up to its last whole word (with an ellipsis), if it may end mid-word."""
    if not full or not suffix:
        return suffix
    if suffix[-1].isspace():
        return suffix.rstrip() + ELLIPSIS
    starts = word_starts(suffix)
    return suffix[: starts[-1]].rstrip() + ELLIPSIS if starts else ELLIPSIS


def quote_in_context(annotation: Annotation) -> str:
    """Return prefix + [quote] + suffix, the context cut at word boundaries."""
    limit = Annotation.QUOTE_CONTEXT
    prefix = trim_prefix(annotation.prefix, full=len(annotation.prefix) >= limit)
    suffix = trim_suffix(annotation.suffix, full=len(annotation.suffix) >= limit)
    return f"{prefix}[{annotation.quote}]{suffix}"
