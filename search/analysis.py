"""Korean-aware text analysis for search: Kiwi morphemes in, PostgreSQL lexemes out.

Index and query go through the same steps, so a particle or an ending never stands between
a query and a section: 제재를, 제재의 and 제재 all give the lexeme 제재, and 완화하는 gives 완화.

- Nouns (NNG, NNP), roots (XR), hanja (SH) and numbers (SN) are lexemes as Kiwi writes them.
- Verb and adjective stems (VV, VA) become their dictionary form (좁혀질 → 좁히다): the 다 is
  the marker that keeps a stem from colliding with a noun of the same spelling.
- Nouns written together form a compound: 종전선언 gives 종전, 선언 and 종전선언 (and every
  run of two or more parts inside a longer compound). A compound shares the position of its
  first part, so the query 종전 <-> 선언 matches both 종전선언 and "종전 선언".
- Foreign words (SL) are stemmed by PostgreSQL's English Snowball dictionary, so "sanctions"
  and "sanction" meet; English stop words are dropped.

The tsvector is written as a tsvector literal rather than fed to to_tsvector(): PostgreSQL
never re-tokenises our lexemes (whatever the server's locale), and positions and weights are
exactly ours. The same goes for queries: a tsquery is only ever built from quoted lexemes.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
import threading
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection

from briefs.importers.budget import budget_check

# kiwi-2: without Kiwi's multi-word dictionary, so 펠로시 finds 낸시 펠로시.
ANALYSER_VERSION = "kiwi-2"

NOUN_TAGS = frozenset({"NNG", "NNP", "XR", "SH", "SN"})
# Affixes that glue onto a noun run without being lexemes themselves (비핵+화, 단계+적).
AFFIX_TAGS = frozenset({"XPN", "XSN"})
VERB_TAGS = frozenset({"VV", "VA"})
FOREIGN_TAGS = frozenset({"SL"})
# Stems so common that indexing them only inflates every document.
VERB_STOPWORDS = frozenset({"하다", "되다", "있다", "없다", "않다", "같다", "이다", "아니다"})

MAX_LEXEME_CHARS = 60
MAX_POSITION = 16383  # PostgreSQL's limit for a tsvector position
MAX_POSITIONS_PER_LEXEME = 256  # and for the positions kept per lexeme
MAX_COMPOUND_PARTS = 5
HEADING_GAP = 10  # keeps a phrase from spanning the heading and the body

_WORD_CHARS = re.compile(r"\w", re.UNICODE)
# Kiwi sometimes cuts a Latin-script word in two ("r" + "elief"); we take its word boundaries.
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def nfc(text: str) -> str:
    """Return text in Unicode NFC, the form every stored text and query is compared in."""
    return unicodedata.normalize("NFC", text)


_threads_pid: int | None = None  # the process where the analyser's worker threads run, if any
_single_threaded = False  # set by kiwi_preload, before a fork


@functools.cache
def _kiwi():
    global _threads_pid
    from kiwipiepy import Kiwi

    # Without the multi-word dictionary, which reads a name such as 낸시 펠로시 as one token
    # (the surname alone would not find it); it is also 180 MB of the model's 510.
    if _single_threaded:
        with warnings.catch_warnings():  # "num_workers=0 changed in 0.21": single-threaded is meant
            warnings.simplefilter("ignore", DeprecationWarning)
            return Kiwi(num_workers=0, load_multi_dict=False)
    analyser = Kiwi(load_multi_dict=False)
    _threads_pid = os.getpid()
    return analyser


_kiwi_lock = threading.Lock()


def _after_fork_in_child() -> None:
    # A lock held by another thread at the fork would stay held in the child for ever.
    global _kiwi_lock
    _kiwi_lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


def kiwi():
    """Return the process-wide Kiwi analyser (loading its model takes about a second)."""
    with _kiwi_lock:
        return _kiwi()


def kiwi_preload() -> None:
    """Build the analyser and everything it builds on its first analysis, before a fork.

    Kiwi reads the model at construction (about 280 MB) but builds the rest of its tables
    (about 220 MB more) on the first analysis. Done in gunicorn's master, both halves are
    shared by the workers it forks, copy on write; nothing in an analysis writes to them.

    It is built without worker threads: threads do not survive a fork, and a forked worker
    whose Kiwi had them aborted when it exited (Kiwi joined threads it did not have), which
    made every gunicorn stop or restart wait for its graceful timeout.
    """
    global _single_threaded
    with _kiwi_lock:
        if not _kiwi.cache_info().currsize:
            _single_threaded = True
    kiwi().tokenize("영변 핵시설 폐기와 제재 완화를 논의했다. Sanctions relief was discussed.")


@dataclass(frozen=True)
class Occurrence:
    """One lexeme found in a text: its position in the tsvector and its span in the text."""

    lexeme: str
    position: int
    start: int
    end: int


@dataclass(slots=True)
class _Token:
    form: str
    tag: str
    start: int
    end: int
    lemma: str


# Below this much text, Kiwi's worker threads cost more to hand the work to than they save.
BATCH_TOKENIZE_MIN_CHARS = 2000


def kiwi_tokenize(texts: Sequence[str], *, batch: bool = True) -> Iterable[list]:
    """Return Kiwi's tokens of each text, with `batch` in one call spread over its worker threads.

    Under gunicorn's --preload the analyser is built in the master without threads
    (kiwi_preload), and a process forked after a threaded one was built has the model but not
    its threads: they stayed in the parent, and a batched call would wait for them for ever.
    In both, each text is analysed in turn, on the calling thread.
    """
    analyser = kiwi()
    if batch and _threads_pid == os.getpid():
        return analyser.tokenize(texts)
    return (analyser.tokenize(text) if text else [] for text in texts)


def tokenize(texts: Sequence[str]) -> list[list[_Token]]:
    """Return each text's tokens; a large batch goes to Kiwi in one call, spread over its threads."""
    batch = len(texts) > 1 and sum(map(len, texts)) >= BATCH_TOKENIZE_MIN_CHARS
    raw = kiwi_tokenize(texts, batch=batch)
    return [[_Token(t.form, t.tag.split("-")[0], t.start, t.end, t.lemma) for t in tokens] for tokens in raw]


def _eojeol_end(text: str, index: int) -> int:
    end = index
    while end < len(text) and not text[end].isspace():
        end += 1
    return end


def _foreign_key(form: str) -> str:
    return _NON_WORD.sub("", form).lower()


def _occurrences(
    text: str, tokens: list[_Token], first_position: int
) -> tuple[list[Occurrence], list[str], int]:
    """Return the Korean occurrences, the foreign words still to stem, and the next position.

    Foreign words come back as occurrences whose lexeme is the lower-cased word; `english`
    replaces them with their stem (or drops them) once the stems are known.
    """
    occurrences: list[Occurrence] = []
    foreign: list[str] = []
    position = first_position
    run: list[_Token] = []  # the noun run being collected: nouns and affixes, no gaps

    def close_run() -> None:
        parts = [t for t in run if t.tag in NOUN_TAGS]
        if parts:
            # Compounds: each contiguous slice of two or more nouns, spelt as written.
            limit = min(len(parts), MAX_COMPOUND_PARTS)
            for i in range(len(parts)):
                for j in range(i + 2, min(len(parts), i + limit) + 1):
                    if all(parts[k].end == parts[k + 1].start for k in range(i, j - 1)):
                        form = text[parts[i].start : parts[j - 1].end]
                        occurrences.append(Occurrence(form, base + i, parts[i].start, parts[j - 1].end))
            # The whole run with its affixes (비핵화, 단계적) when that differs from the nouns.
            whole = text[run[0].start : run[-1].end]
            if len(run) > len(parts) and whole not in {p.form for p in parts}:
                occurrences.append(Occurrence(whole, base, run[0].start, run[-1].end))
        run.clear()

    latin = [m.span() for m in _LATIN_WORD.finditer(text)]
    latin_starts = [start for start, _ in latin]
    last_latin: tuple[int, int] | None = None

    base = position
    for token in tokens:
        contiguous = bool(run) and run[-1].end == token.start
        if token.tag in NOUN_TAGS or (token.tag in AFFIX_TAGS and (contiguous or token.tag == "XPN")):
            if not contiguous:
                close_run()
                base = position
            run.append(token)
            if token.tag in NOUN_TAGS:
                occurrences.append(Occurrence(token.form, position, token.start, token.end))
                position += 1
            continue
        close_run()
        if token.tag in VERB_TAGS:
            lemma = token.lemma if token.lemma.endswith("다") else token.form + "다"
            if lemma not in VERB_STOPWORDS:
                # Highlight the whole inflected word: 좁혀질, not 좁혀.
                occurrences.append(Occurrence(lemma, position, token.start, _eojeol_end(text, token.start)))
                position += 1
        elif token.tag in FOREIGN_TAGS:
            i = bisect.bisect_right(latin_starts, token.start) - 1
            if i >= 0 and latin[i][0] <= token.start < latin[i][1]:
                if latin[i] == last_latin:
                    continue  # the rest of a word Kiwi cut in two
                last_latin = latin[i]
                start, end = latin[i]
            else:
                start, end = token.start, token.end
            key = _foreign_key(text[start:end])
            if key:
                foreign.append(key)
                occurrences.append(Occurrence("\0" + key, position, start, end))
                position += 1
    close_run()
    return occurrences, foreign, position


# Process-wide cache of English stems: word -> stem, or "" for a stop word.
_stem_cache: dict[str, str] = {}
_STEM_CACHE_LIMIT = 50_000


def english_stems(words: Iterable[str]) -> dict[str, str]:
    """Return PostgreSQL's English Snowball stem of each word ("" for a stop word)."""
    wanted = {w for w in words if w}
    missing = sorted(w for w in wanted if w not in _stem_cache)
    if missing:
        with connection.cursor() as cursor:
            cursor.execute("SELECT w, ts_lexize('english_stem', w) FROM unnest(%s::text[]) AS w", [missing])
            found = {w: (lexemes[0] if lexemes else "") for w, lexemes in cursor.fetchall()}
        if len(_stem_cache) + len(found) > _STEM_CACHE_LIMIT:
            _stem_cache.clear()
        _stem_cache.update(found)
    return {w: _stem_cache.get(w, w) for w in wanted}


def _stemmed(occurrences: list[Occurrence], stems: dict[str, str]) -> list[Occurrence]:
    result = []
    for occ in occurrences:
        lexeme = occ.lexeme
        if lexeme.startswith("\0"):
            lexeme = stems.get(lexeme[1:], lexeme[1:])
            if not lexeme:
                continue  # an English stop word
        if len(lexeme) > MAX_LEXEME_CHARS:
            continue
        result.append(Occurrence(lexeme, occ.position, occ.start, occ.end))
    return result


@dataclass
class AnalysedField:
    """A field's occurrences, its weight letter, and where the next field's positions start."""

    weight: str
    occurrences: list[Occurrence] = field(default_factory=list)


def analyse_fields(fields: Sequence[tuple[str, str]]) -> list[AnalysedField]:
    """Analyse (text, weight) pairs into one position space, as one document's fields."""
    return analyse_documents([fields])[0]


def analyse_documents(documents: Sequence[Sequence[tuple[str, str]]]) -> list[list[AnalysedField]]:
    """Analyse many documents at once: one Kiwi call, and one round trip for English stems."""
    texts = [nfc(text) for fields in documents for text, _ in fields]
    tokens = iter(tokenize(texts))
    normalised = iter(texts)
    pending: list[list[tuple[str, list[Occurrence]]]] = []
    foreign: set[str] = set()
    for fields in documents:
        budget_check()
        position = 1
        analysed = []
        for _, weight in fields:
            occurrences, words, end = _occurrences(next(normalised), next(tokens), position)
            foreign.update(words)
            analysed.append((weight, occurrences))
            position = end + HEADING_GAP
        pending.append(analysed)
    stems = english_stems(foreign)
    return [
        [AnalysedField(weight, _stemmed(occurrences, stems)) for weight, occurrences in analysed]
        for analysed in pending
    ]


def quote_lexeme(lexeme: str) -> str:
    """Return a lexeme quoted for a tsvector or tsquery literal."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(fields: Sequence[AnalysedField]) -> str:
    """Return the tsvector literal of a document's analysed fields."""
    positions: dict[str, list[tuple[int, str]]] = {}
    for analysed in fields:
        weight = "" if analysed.weight == "D" else analysed.weight
        for occ in analysed.occurrences:
            positions.setdefault(occ.lexeme, []).append((min(occ.position, MAX_POSITION), weight))
    parts = []
    for lexeme in sorted(positions):
        seen = sorted(set(positions[lexeme]))[:MAX_POSITIONS_PER_LEXEME]
        parts.append(quote_lexeme(lexeme) + ":" + ",".join(f"{p}{w}" for p, w in seen))
    return " ".join(parts)


def spans_by_lexeme(analysed: AnalysedField) -> dict[str, list[list[int]]]:
    """Return {lexeme: [[start, end], ...]} for mapping query hits back to the original text."""
    spans: dict[str, list[list[int]]] = {}
    for occ in analysed.occurrences:
        spans.setdefault(occ.lexeme, []).append([occ.start, occ.end])
    return spans


def has_word_characters(text: str) -> bool:
    """Return whether text holds anything but punctuation, spaces and operators."""
    return bool(_WORD_CHARS.search(text.replace("_", "")))
