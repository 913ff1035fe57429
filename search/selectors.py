"""Reads for search, shared by the search page and (later) the API's `q` parameter.

Sections and annotations are searched the same way (full-text on the Kiwi lexemes, then an
exact phrase, a substring or a near spelling); only the fields differ. Annotations start
from annotations_visible_to(user), so a private one is never found, counted or quoted for
anyone but its author.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQueryField, SearchRank, TrigramWordSimilarity
from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear, Greatest, Length, Lower, Replace

from annotations.models import Annotation, Tag
from annotations.selectors import User, annotations_visible_to
from briefs.models import Brief, Section
from search.models import AnnotationDocument
from search.query import ParsedQuery, search_query_parse

# ts_rank_cd normalisation 1: divide by 1 + log(document length), so a long section does not
# win on length alone but still beats a one-line mention.
RANK_NORMALIZATION = 1
# In the substring fallbacks, an occurrence in a heading counts as much as this many in the
# body, and one in an annotation's quote as much as this many in its note.
PHRASE_HEADING_FACTOR = 5
PHRASE_QUOTE_FACTOR = 2


class SearchMode:
    FTS = "fts"
    PHRASE = "phrase"
    FUZZY = "fuzzy"


class TsMatch(Func):
    """vector @@ query, with the query given as an expression (never re-parsed)."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class ILike(Func):
    """column ILIKE pattern: unlike Django's icontains (UPPER(col) LIKE ...), the trigram
    indexes serve it."""

    arg_joiner = " ILIKE "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _contains(field: str, needle: str) -> ILike:
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return ILike(F(field), Value(f"%{escaped}%"))


def tsquery(text: str) -> Cast:
    """Return a tsquery expression from a literal built by search.query (quoted lexemes only)."""
    return Cast(Value(text), output_field=SearchQueryField())


def _brief_filtered(
    qs: QuerySet,
    *,
    path: str,
    brief: Brief | str | None,
    language: str | None,
    year_from: int | None,
    year_to: int | None,
) -> QuerySet:
    """Filter qs by the brief reached through `path` ("brief" or "section__brief")."""
    if brief is not None:
        qs = qs.filter(**{f"{path}__slug" if isinstance(brief, str) else path: brief})
    if language:
        qs = qs.filter(**{f"{path}__language": language})
    if year_from is not None or year_to is not None:
        qs = qs.annotate(
            publication_year_any=Coalesce(
                ExtractYear(f"{path}__publication_date"),
                f"{path}__publication_year",
                output_field=IntegerField(),
            )
        )
        if year_from is not None:
            qs = qs.filter(publication_year_any__gte=year_from)
        if year_to is not None:
            qs = qs.filter(publication_year_any__lte=year_to)
    return qs


@dataclass(frozen=True)
class _Fields:
    """Where a kind of result keeps its lexemes and its text."""

    vector: str
    texts: dict[str, float]  # text field -> weight of an occurrence in the substring fallbacks
    similar: tuple[str, ...]  # the fields near spellings are looked for in


SECTION_FIELDS = _Fields(
    vector="search_document__vector",
    texts={"text": 1.0, "heading": float(PHRASE_HEADING_FACTOR)},
    similar=("text",),
)
ANNOTATION_FIELDS = _Fields(
    vector="search_document__vector",
    texts={"note": 1.0, "quote": float(PHRASE_QUOTE_FACTOR)},
    similar=("quote", "note"),
)


def _phrase_filter(fields: _Fields, phrases: tuple[str, ...]) -> Q:
    condition = Q()
    for phrase in phrases:
        either = Q()
        for field in fields.texts:
            either |= Q(_contains(field, phrase))
        condition &= either
    return condition


def _occurrences(field: str, phrase: str) -> Func:
    # (length(lower(f)) - length(replace(lower(f), lower(p), ''))) / length(p)
    lowered = Lower(field)
    removed = Length(lowered) - Length(Replace(lowered, Value(phrase.lower()), Value("")))
    return Cast(removed, FloatField()) / Value(float(len(phrase)))


def _substring(base: QuerySet, fields: _Fields, needles: tuple[str, ...], mode: str) -> QuerySet:
    """Rows whose text fields hold every needle, ranked by weighted occurrences."""
    rank = sum(
        (Value(weight) * _occurrences(field, n) for n in needles for field, weight in fields.texts.items()),
        start=Value(0.0),
    )
    return base.filter(_phrase_filter(fields, needles)).annotate(
        rank=rank, search_mode=Value(mode, output_field=CharField())
    )


def _lexeme_match(base: QuerySet, fields: _Fields, literal: str, mode: str) -> QuerySet:
    """Rows whose document matches a tsquery literal, ranked by cover density."""
    ts = tsquery(literal)
    vector = F(fields.vector)
    return base.filter(TsMatch(vector, ts)).annotate(
        rank=SearchRank(vector, ts, cover_density=True, normalization=Value(RANK_NORMALIZATION)),
        search_mode=Value(mode, output_field=CharField()),
    )


def _matching(base: QuerySet, fields: _Fields, parsed: ParsedQuery) -> QuerySet:
    """Return base narrowed to the query's matches, annotated with `rank` and `search_mode`.

    Full-text search on the lexemes first (a "quoted phrase" must also occur verbatim); when
    the words find nothing, the phrase alone; then partial words: as the start of lexemes,
    else anywhere in the text (ranked by how often they occur); and only when that finds
    nothing, near spellings by trigram similarity.
    """
    if parsed.node is not None:
        fts = _lexeme_match(base, fields, parsed.tsquery, SearchMode.FTS).filter(
            _phrase_filter(fields, parsed.phrases)
        )
        if parsed.phrases or fts.exists():
            return fts
    if parsed.phrases:
        return _substring(base, fields, parsed.phrases, SearchMode.PHRASE)
    if not parsed.fuzzy_text:
        return base.none()
    # Partial words are mostly the start of a word: the lexemes' GIN index answers that far
    # faster than rechecking the text of every trigram candidate.
    by_prefix = _lexeme_match(base, fields, parsed.prefix_tsquery, SearchMode.FUZZY)
    if by_prefix.exists():
        return by_prefix
    partial = _substring(base, fields, (parsed.fuzzy_text,), SearchMode.FUZZY)
    if partial.exists():
        return partial
    similar = Q()
    for field in fields.similar:
        similar |= Q(**{f"{field}__trigram_word_similar": parsed.fuzzy_text})
    scores = [TrigramWordSimilarity(parsed.fuzzy_text, field) for field in fields.similar]
    return base.filter(similar).annotate(
        rank=scores[0] if len(scores) == 1 else Greatest(*scores),
        search_mode=Value(SearchMode.FUZZY, output_field=CharField()),
    )


def annotation_text_q(text: str) -> Q:
    """Return a condition on Annotation for the annotation list's `q`, with the search's AND
    semantics: every word, Korean-aware (제재를 finds 제재; 제재완화 = 제재 완화), in the tag
    labels, quote or note; or else every word as a substring of the quote or the note.
    A "quoted phrase" must occur verbatim either way.
    """
    parsed = search_query_parse(text)
    phrases = Q()
    for phrase in parsed.phrases:
        phrases &= Q(_contains("quote", phrase)) | Q(_contains("note", phrase))
    substrings = Q()
    for word in parsed.fuzzy_text.split() or ([] if parsed.phrases else [text]):
        substrings &= Q(_contains("quote", word)) | Q(_contains("note", word))
    if parsed.node is None:
        return phrases & substrings
    documents = AnnotationDocument.objects.filter(annotation_id=OuterRef("pk")).filter(
        TsMatch(F("vector"), tsquery(parsed.tsquery))
    )
    return phrases & (Q(Exists(documents)) | substrings)


def _parsed(query: str | ParsedQuery) -> ParsedQuery:
    return search_query_parse(query) if isinstance(query, str) else query


def section_search(
    *,
    query: str | ParsedQuery,
    brief: Brief | str | None = None,
    language: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> QuerySet[Section]:
    """Return the sections matching a query, best first, annotated with `rank` and `search_mode`.

    Words go through full-text search on the Kiwi lexemes; "quoted phrases" must also occur
    verbatim (case-insensitively) in the heading or text. When the words find nothing, a
    trigram match on the section text (partial words, typos) takes over. An invalid query
    (see ParsedQuery.error) finds nothing. `brief` is a Brief or its slug.
    """
    parsed = _parsed(query)
    if not parsed.is_valid:
        return Section.objects.none()
    base = _brief_filtered(
        Section.objects.select_related("brief", "search_document"),
        path="brief",
        brief=brief,
        language=language,
        year_from=year_from,
        year_to=year_to,
    )
    return _matching(base, SECTION_FIELDS, parsed).order_by(
        "-rank", "-brief__publication_year", "brief__title", "brief_id", "position"
    )


def annotation_search(
    *,
    query: str | ParsedQuery,
    user: User,
    brief: Brief | str | None = None,
    tag: Tag | str | None = None,
    tags: Sequence[Tag | str] = (),
    language: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> QuerySet[Annotation]:
    """Return the annotations the user may see that match a query, best first.

    Tag labels (Korean and English), quote and note are searched as sections are; phrases
    and partial words look in the quote and the note. Annotated with `rank` and
    `search_mode`, with section, brief, author, document and tags loaded. `tag` is a Tag or
    its code, `tags` several (an annotation with any of them matches, as in the annotation
    list and the export); the other filters are section_search's.
    """
    parsed = _parsed(query)
    if not parsed.is_valid:
        return Annotation.objects.none()
    qs = annotations_visible_to(user)
    wanted = [*([] if tag is None else [tag]), *tags]
    if wanted:
        codes = [t if isinstance(t, str) else t.code for t in wanted]
        through = Annotation.tags.through
        qs = qs.filter(Exists(through.objects.filter(annotation_id=OuterRef("pk"), tag__code__in=codes)))
    base = _brief_filtered(
        qs.select_related("section__brief", "author", "search_document").prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("category__position", "position", "code"))
        ),
        path="section__brief",
        brief=brief,
        language=language,
        year_from=year_from,
        year_to=year_to,
    )
    return _matching(base, ANNOTATION_FIELDS, parsed).order_by(
        "-rank", "-section__brief__publication_year", "section__brief_id", "section__position", "start", "pk"
    )
