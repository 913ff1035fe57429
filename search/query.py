"""Turn what an analyst types into a tsquery built only from quoted lexemes.

    제재 완화              → '제재' & '완화'
    종전선언               → ( '종전선언' | '종전' <-> '선언' | ( '종전' & '선언' ) )
    "하노이 선언"           → an exact-phrase filter on the section text
    sanctions relief       → ( ( 'sanction' & 'relief' ) | ( '제재' & '완화' ) )   (glossary)

Nothing the user typed reaches to_tsquery(): operators such as & | ! : * ( ) <-> are not
letters, so the analyser never turns them into lexemes, and each lexeme is quoted.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy

from search import analysis
from search.glossary import GLOSSARY

MAX_QUERY_CHARS = 200


def _too_long() -> str:
    return gettext("That search is too long: keep it under %(limit)s characters.") % {
        "limit": MAX_QUERY_CHARS
    }


# Lazy: the page shows them in the reader's language; the API asks for them in English.
EMPTY_MESSAGE = gettext_lazy("Type a word or a phrase to search for.")
TOO_LONG_MESSAGE = lazy(_too_long, str)()
NO_WORDS_MESSAGE = gettext_lazy(
    "There is nothing to search for in that: type words, not only punctuation or search "
    "operators such as & | ! : * ( ) <->."
)

_QUOTED = re.compile(r"[\"“”„]([^\"“”„]*)[\"“”„]")
_QUOTE_CHARS = re.compile(r"[\"“”„]")
_OPERATOR_CHARS = re.compile(r"[&|!:*()<>\\'\"“”„]+")


@dataclass(frozen=True)
class Lex:
    """Lexemes that must occur at consecutive positions (one lexeme: just that lexeme)."""

    lexemes: tuple[str, ...]

    def render(self) -> str:
        return " <-> ".join(analysis.quote_lexeme(lexeme) for lexeme in self.lexemes)


@dataclass(frozen=True)
class Any:
    children: tuple[Node, ...]

    def render(self) -> str:
        return "( " + " | ".join(child.render() for child in self.children) + " )"


@dataclass(frozen=True)
class All:
    children: tuple[Node, ...]

    def render(self) -> str:
        return "( " + " & ".join(child.render() for child in self.children) + " )"


Node = Lex | Any | All


def _any(children: list[Node]) -> Node | None:
    unique = list(dict.fromkeys(children))
    if not unique:
        return None
    return unique[0] if len(unique) == 1 else Any(tuple(unique))


def _all(children: list[Node]) -> Node | None:
    unique = list(dict.fromkeys(children))
    if not unique:
        return None
    return unique[0] if len(unique) == 1 else All(tuple(unique))


def lex_units(node: Node | None) -> list[tuple[str, ...]]:
    """Return every lexeme sequence in the query tree, for highlighting."""
    if node is None:
        return []
    if isinstance(node, Lex):
        return [node.lexemes]
    units: list[tuple[str, ...]] = []
    for child in node.children:
        units.extend(lex_units(child))
    return list(dict.fromkeys(units))


@dataclass(frozen=True)
class ParsedQuery:
    """A query, analysed: the tsquery tree, exact phrases, and the text for fuzzy matching."""

    text: str
    node: Node | None = None
    phrases: tuple[str, ...] = ()
    fuzzy_text: str = ""
    error: str | None = None
    units: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def tsquery(self) -> str:
        """Return the tsquery literal ('' when there is nothing for full-text search)."""
        return self.node.render() if self.node is not None else ""

    @property
    def prefix_tsquery(self) -> str:
        """Return a tsquery for the typed words as lexeme prefixes ('연락사':* finds 연락사무소)."""
        words = self.fuzzy_text.lower().split()
        return " & ".join(analysis.quote_lexeme(word) + ":*" for word in words)

    @property
    def is_valid(self) -> bool:
        return self.error is None


@dataclass
class _Word:
    text: str
    english: list[str]  # stems, when the word is foreign (Latin-script) only
    node: Node | None


def _word_node(occurrences: list[analysis.Occurrence]) -> Node | None:
    """Return the query node for one whitespace-separated word."""
    singles: dict[int, analysis.Occurrence] = {}
    compounds: list[analysis.Occurrence] = []
    for occ in occurrences:
        if occ.position in singles:
            compounds.append(occ)
        else:
            singles[occ.position] = occ
    parts = [singles[p] for p in sorted(singles)]
    if not parts:
        return None
    every_part = _all([Lex((p.lexeme,)) for p in parts])
    if compounds or len(parts) > 1 and _contiguous(parts):
        # A compound finds what its parts typed apart find (제재완화 = 제재 완화): the text may
        # write it either way. The compound and the adjacent parts stay as alternatives, so
        # they are highlighted as one run and rank first (cover density favours them).
        widest = max(compounds, key=lambda occ: occ.end - occ.start, default=None)
        alternatives: list[Node] = []
        if widest is not None:
            alternatives.append(Lex((widest.lexeme,)))
        if _contiguous(parts):
            alternatives.append(Lex(tuple(p.lexeme for p in parts)))
        if every_part is not None:
            alternatives.append(every_part)
        return _any(alternatives)
    return every_part


def _contiguous(parts: list[analysis.Occurrence]) -> bool:
    return all(a.end == b.start for a, b in zip(parts, parts[1:], strict=False))


def _analyse_words(words: list[str]) -> list[_Word]:
    fields = analysis.analyse_documents([[(word, "D")] for word in words])
    result = []
    for word, analysed in zip(words, fields, strict=True):
        occurrences = analysed[0].occurrences
        foreign = bool(occurrences) and all(_is_latin(word, occ) for occ in occurrences)
        node = _word_node(occurrences)
        english = [occ.lexeme for occ in occurrences] if foreign else []
        result.append(_Word(word, english, node))
    return result


def _is_latin(word: str, occ: analysis.Occurrence) -> bool:
    return word[occ.start : occ.end].isascii()


@functools.cache
def _glossary_keys() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Return the glossary keyed by the English stems of each entry."""
    entries = [(analysis.nfc(english).split(), korean) for english, korean in GLOSSARY.items()]
    # Every entry's words in one analysis: one round trip for their stems, not one per entry.
    analysed = iter(_analyse_words([word for words, _ in entries for word in words]))
    keys: dict[tuple[str, ...], tuple[str, ...]] = {}
    for words, korean in entries:
        stems = [stem for _ in words for stem in next(analysed).english]
        if stems:
            keys.setdefault(tuple(stems), korean)
    return keys


def _korean_node(text: str) -> Node | None:
    return _all([w.node for w in _analyse_words(text.split()) if w.node is not None])


def _with_glossary(words: list[_Word]) -> list[Node]:
    """Return one node per word, English runs matching the glossary expanded to Korean."""
    keys = _glossary_keys()
    longest = max((len(k) for k in keys), default=0)
    nodes: list[Node] = []
    i = 0
    while i < len(words):
        match = None
        if words[i].english:
            # Longest run of consecutive English words whose stems form a glossary key.
            for j in range(len(words), i, -1):
                run = words[i:j]
                if not all(w.english for w in run):
                    continue
                stems = tuple(s for w in run for s in w.english)
                if len(stems) <= longest and stems in keys:
                    match = (j, stems, keys[stems])
                    break
        if match is None:
            if words[i].node is not None:
                nodes.append(words[i].node)
            i += 1
            continue
        j, stems, korean = match
        english = _all([Lex((s,)) for s in stems])
        expansions = [_korean_node(term) for term in korean]
        node = _any([n for n in [english, *expansions] if n is not None])
        if node is not None:
            nodes.append(node)
        i = j
    return nodes


def search_query_parse(raw: str) -> ParsedQuery:
    """Analyse a user's query (NFC first); an unusable one comes back with an error message."""
    text = analysis.nfc(raw or "").strip()
    if not text:
        return ParsedQuery(text=text, error=EMPTY_MESSAGE)
    if len(text) > MAX_QUERY_CHARS:
        return ParsedQuery(text=text, error=TOO_LONG_MESSAGE)
    if not analysis.has_word_characters(text):
        return ParsedQuery(text=text, error=NO_WORDS_MESSAGE)

    phrases = tuple(
        dict.fromkeys(" ".join(p.split()) for p in _QUOTED.findall(text) if analysis.has_word_characters(p))
    )
    rest = _QUOTE_CHARS.sub(" ", _QUOTED.sub(" ", text))
    words = [w for w in rest.split() if analysis.has_word_characters(w)]
    node = _all(_with_glossary(_analyse_words(words))) if words else None
    fuzzy_text = " ".join(_OPERATOR_CHARS.sub(" ", " ".join(words)).split())
    units = tuple(lex_units(node))
    return ParsedQuery(text=text, node=node, phrases=phrases, fuzzy_text=fuzzy_text, units=units)
