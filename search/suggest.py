"""'Did you mean …?': near spellings of a query's words, from the corpus' own vocabulary.

The vocabulary is every lexeme the section index holds (PostgreSQL's ts_stat over the
section documents), so a suggestion is always something the briefs say. A query word whose
lexemes are all in it is left alone; for one that is not, the nearest lexeme by edit distance
wins, ties going to the more common one. Hangul is compared letter by letter (jamo, from
Unicode's canonical decomposition), so 종전선얻 is one letter (ㄷ for ㄴ) from 종전선언 rather
than one whole syllable; Latin-script words by their letters.

Only sections feed it: annotation notes are private to their authors, and a suggestion must
never reveal what someone else wrote.
"""

from __future__ import annotations

import bisect
import threading
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Max
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from search import analysis
from search.models import SectionDocument
from search.query import ParsedQuery

_lock = threading.Lock()
_cache: dict[str, object] = {}


@dataclass(frozen=True)
class Vocabulary:
    """Lexemes with the number of sections holding each, and their letters for matching."""

    counts: dict[str, int]
    letters: list[str]
    lexemes: list[str]


def letters(text: str) -> str:
    """Return text as letters: Hangul syllables decomposed into their jamo (NFD)."""
    return unicodedata.normalize("NFD", text.lower())


def vocabulary() -> Vocabulary:
    """Return the section index's vocabulary (rebuilt when the index changes)."""
    key = tuple(SectionDocument.objects.aggregate(n=Count("pk"), last=Max("indexed_at")).values())
    with _lock:
        if _cache.get("key") == key:
            return _cache["vocabulary"]  # type: ignore[return-value]
    table = connection.ops.quote_name(SectionDocument._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT word, ndoc FROM ts_stat('SELECT vector FROM {table}')")  # noqa: S608
        counts = {word: ndoc for word, ndoc in cursor.fetchall() if len(word) > 1}
    lexemes = sorted(counts)
    built = Vocabulary(counts=counts, letters=[letters(w) for w in lexemes], lexemes=lexemes)
    with _lock:
        _cache.update(key=key, vocabulary=built)
    return built


def _max_distance(word: str) -> int:
    """How many letters a typo may get wrong: one in a short word, more in a long one."""
    size = len(letters(word))
    return 1 if size <= 6 else 2 if size <= 12 else 3


def nearest(lexeme: str, vocab: Vocabulary) -> str | None:
    """Return the vocabulary's nearest lexeme to one it lacks, or None if none is near."""
    limit = _max_distance(lexeme)
    found = process.extract(
        letters(lexeme), vocab.letters, scorer=Levenshtein.distance, score_cutoff=limit, limit=20
    )
    if not found:
        return None
    best = min(found, key=lambda m: (m[1], -vocab.counts[vocab.lexemes[m[2]]], vocab.lexemes[m[2]]))
    return vocab.lexemes[best[2]]


def _surface(lexeme: str) -> str:
    """Return a lexeme as some section writes it ('sanction' -> 'sanctions')."""
    document = (
        SectionDocument.objects.select_related("section")
        .extra(where=["vector @@ %s::tsquery"], params=[analysis.quote_lexeme(lexeme)])
        .first()
    )
    if document is not None:
        for field in ("text", "heading"):
            spans = document.spans.get(field, {}).get(lexeme)
            if spans:
                start, end = spans[0]
                return getattr(document.section, field)[start:end]
    return lexeme


# Kiwi tags that only ever follow a stem: particles (J…), endings (E…), suffixes (XS…).
_TAIL_TAGS = ("J", "E", "XS")
_NOUNISH_TAGS = (*analysis.NOUN_TAGS, *analysis.AFFIX_TAGS)


def _known(stems: list[str], vocab: Vocabulary) -> bool:
    # A word the prefix search completes (연락사 → 연락사무소) is partial, not misspelt.
    return any(stem in vocab.counts or _has_prefix(stem, vocab) for stem in stems)


def _has_prefix(stem: str, vocab: Vocabulary) -> bool:
    i = bisect.bisect_left(vocab.lexemes, stem)
    return i < len(vocab.lexemes) and vocab.lexemes[i].startswith(stem)


def _korean_correction(word: str, vocab: Vocabulary) -> str | None:
    tokens = analysis.kiwi().tokenize(word)
    stem_end = len(word)
    for token in reversed(tokens):
        if not token.tag.startswith(_TAIL_TAGS) or token.start >= stem_end:
            break
        stem_end = token.start
    stems = list(dict.fromkeys(w for w in (word, word[:stem_end]) if len(w) > 1))
    # Without its particle a stem must be a lexeme itself: 폼페이 (of 폼페이요) only starts one.
    if not stems or _known([word], vocab) or word[:stem_end] in vocab.counts:
        return None
    nouns = [t.form for t in tokens if t.tag.split("-")[0] in analysis.NOUN_TAGS]
    if all(t.tag.split("-")[0] in _NOUNISH_TAGS or t.tag.startswith(_TAIL_TAGS) for t in tokens) and all(
        n in vocab.counts for n in nouns
    ):
        return None  # a compound of known nouns the briefs happen to write apart
    best: tuple[int, str] | None = None
    for stem in stems:
        replacement = nearest(stem, vocab)
        if replacement is not None:
            distance = Levenshtein.distance(letters(stem), letters(replacement))
            if best is None or distance < best[0]:
                best = (distance, replacement + word[len(stem) :])
    return best[1] if best else None


def _latin_correction(word: str, vocab: Vocabulary) -> str | None:
    key = "".join(ch for ch in word.lower() if ch.isalnum())
    if not key:
        return None
    stem = analysis.english_stems([key]).get(key, key)
    if not stem or _known([stem, key], vocab):
        return None  # a stop word, or a word the briefs have
    replacement = nearest(stem, vocab)
    return _surface(replacement) if replacement is not None else None


def _corrected(word: str, vocab: Vocabulary) -> str | None:
    """Return the word spelt as the briefs spell it, or None if it is known (or nothing is near)."""
    if word.isascii():
        return _latin_correction(word, vocab)
    if any(not ch.isalpha() for ch in word):
        return None
    return _korean_correction(word, vocab)


def did_you_mean(query: ParsedQuery) -> str | None:
    """Return the query with its misspelt words corrected, or None when none is misspelt."""
    if not query.is_valid or not query.fuzzy_text:
        return None
    vocab = vocabulary()
    if not vocab.counts:
        return None
    text = query.text
    changed = False
    for word in dict.fromkeys(query.fuzzy_text.split()):
        corrected = _corrected(word, vocab)
        if corrected is not None:
            text = text.replace(word, corrected)
            changed = True
    return text if changed else None
