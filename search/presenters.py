"""Search results as the page and the API show them: snippets with highlights."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from annotations.models import Annotation, Tag
from briefs.models import Brief, Section, SectionKind
from search import highlight
from search.query import ParsedQuery
from search.selectors import SearchMode

# A quote is the passage the annotator chose: show more of it than of a section.
QUOTE_SNIPPET_WIDTH = 220


@dataclass(frozen=True)
class SectionHit:
    """One search result: a section, how well it matched, and its highlighted snippet."""

    section: Section
    brief: Brief
    rank: float
    mode: str
    heading_html: SafeString
    snippet_html: SafeString
    url: str
    heading_pieces: highlight.Pieces = field(default_factory=list)
    snippet_pieces: highlight.Pieces = field(default_factory=list)


def section_label(section: Section) -> str:
    """Return the section's heading, or what the reader calls an unheaded section."""
    if section.heading:
        return section.heading
    return "요약 · Summary" if section.kind == SectionKind.SUMMARY else "들어가며 · Introduction"


# The reader highlights each `hl` word everywhere in the brief: a handful is plenty.
MAX_HL_WORDS = 10


def hl_words(*marked: tuple[str, Iterable[highlight.Span]]) -> list[str]:
    """Return the distinct words the highlighter marks in (text, hits) pairs, in text order."""
    words: dict[str, None] = {}
    for text, hits in marked:
        for start, end in highlight.merged(hits):
            word = " ".join(text[start:end].split())
            if word:
                words.setdefault(word)
    return list(words)[:MAX_HL_WORDS]


def _reader_url(slug: str, fragment: str, words: Iterable[str]) -> str:
    query = urlencode([("hl", word) for word in words])
    return reverse("briefs:reader", args=[slug]) + (f"?{query}" if query else "") + "#" + fragment


def section_url(section: Section, words: Iterable[str] = ()) -> str:
    """Return the reader address of a section, asking it to highlight `words` (?hl=…)."""
    return _reader_url(section.brief.slug, section.anchor, words)


def _hits(text: str, spans: dict, query: ParsedQuery, mode: str) -> list[highlight.Span]:
    """Return where the query hit text, from the document's spans of that field (`spans`)."""
    if not text:
        return []
    hits = highlight.substring_spans(text, query.phrases)
    if mode == SearchMode.FTS:
        hits += highlight.lexeme_spans(text, spans, query.units)
    elif mode == SearchMode.FUZZY:
        words = query.fuzzy_text.split()
        by_prefix = highlight.prefix_lexeme_spans(text, spans, words)
        if by_prefix:
            return hits + by_prefix
        # Substrings and near spellings: a lone syllable (미) is marked only where it is a
        # word of its own, never inside an unrelated one (미사일, 북미).
        needles = [n for n in dict.fromkeys([query.fuzzy_text, *words]) if len(n) > 1]
        hits += highlight.substring_spans(text, needles)
        for word in words:
            if len(word) == 1:
                hits += highlight.lexeme_spans(text, spans, [(word.lower(),)])
        hits += highlight.similar_word_spans(text, [w for w in words if len(w) > 1])
    return hits


def _field_spans(obj: Section | Annotation, field: str) -> dict:
    document = getattr(obj, "search_document", None)
    return document.spans.get(field, {}) if document is not None else {}


def section_hits(*, sections: Iterable[Section], query: ParsedQuery) -> list[SectionHit]:
    """Return results with highlighted snippets for sections from search.selectors.section_search."""
    results = []
    for section in sections:
        mode = getattr(section, "search_mode", SearchMode.FTS)
        heading_hits = _hits(section.heading, _field_spans(section, "heading"), query, mode)
        label = section_label(section)
        heading_pieces = highlight.full_pieces(label, heading_hits if section.heading else [])
        text_hits = _hits(section.text, _field_spans(section, "text"), query, mode)
        snippet = highlight.snippet_pieces(section.text, text_hits)
        results.append(
            SectionHit(
                section=section,
                brief=section.brief,
                rank=float(getattr(section, "rank", 0.0) or 0.0),
                mode=mode,
                heading_html=highlight.highlighted_html(heading_pieces),
                snippet_html=highlight.highlighted_html(snippet),
                url=section_url(
                    section, hl_words((section.heading, heading_hits), (section.text, text_hits))
                ),
                heading_pieces=heading_pieces,
                snippet_pieces=snippet,
            )
        )
    return results


@dataclass(frozen=True)
class AnnotationHit:
    """One annotation found: its quote and note with highlights, tags, author and permalink."""

    annotation: Annotation
    section_label: str
    brief: Brief
    rank: float
    mode: str
    quote_html: SafeString
    note_html: SafeString  # empty when the annotation has no note
    tags: list[Tag]
    author: str
    url: str
    quote_pieces: highlight.Pieces = field(default_factory=list)
    note_pieces: highlight.Pieces = field(default_factory=list)


def annotation_url(annotation: Annotation, words: Iterable[str] = ()) -> str:
    """Return the reader address of an annotation (its permalink target), with `hl` words."""
    return _reader_url(annotation.section.brief.slug, f"annotation-{annotation.pk}", words)


def annotation_hits(*, annotations: Iterable[Annotation], query: ParsedQuery) -> list[AnnotationHit]:
    """Return results with highlighted quote and note for search.selectors.annotation_search."""
    results = []
    for annotation in annotations:
        mode = getattr(annotation, "search_mode", SearchMode.FTS)
        quote_hits = _hits(annotation.quote, _field_spans(annotation, "quote"), query, mode)
        note_hits = _hits(annotation.note, _field_spans(annotation, "note"), query, mode)
        note = highlight.snippet_pieces(annotation.note, note_hits) if annotation.note else []
        quote = highlight.snippet_pieces(annotation.quote, quote_hits, width=QUOTE_SNIPPET_WIDTH)
        results.append(
            AnnotationHit(
                annotation=annotation,
                section_label=section_label(annotation.section),
                brief=annotation.section.brief,
                rank=float(getattr(annotation, "rank", 0.0) or 0.0),
                mode=mode,
                quote_html=highlight.highlighted_html(quote),
                note_html=highlight.highlighted_html(note),
                tags=list(annotation.tags.all()),
                author=annotation.author.get_username(),
                # Only the quote's words: they are in the section text the reader shows.
                url=annotation_url(annotation, hl_words((annotation.quote, quote_hits))),
                quote_pieces=quote,
                note_pieces=note,
            )
        )
    return results


def marked_text(pieces: highlight.Pieces) -> tuple[str, list[tuple[int, int]]]:
    """Return a snippet as plain text and the [start, end) code-point spans of its matches."""
    text, spans = "", []
    for piece, hit in pieces:
        if hit:
            spans.append((len(text), len(text) + len(piece)))
        text += piece
    return text, spans
