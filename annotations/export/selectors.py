"""Reads for export: the annotations a user may export, filtered, in a stable order.

Everything starts from annotations.selectors.annotations_visible_to(), so an export can
never hold another user's private annotation or a deleted one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
)

from annotations.export.context import add_contexts
from annotations.models import Annotation, Tag, codebook_order
from annotations.selectors import User, annotations_visible_to
from briefs.models import Brief, Section

# Rows fetched per round trip of the server-side cursor; the sections (with briefs), authors
# and tags a chunk brings for the first time are read once per chunk.
CHUNK_SIZE = 1000

# Library order (newest first), then reading order inside each brief.
_BRIEF_ORDER = (
    F("section__brief__publication_year").desc(nulls_last=True),
    "section__brief__title",
    "section__brief_id",
)
_READING_ORDER = ("section__position", "start", "-end", "pk")
# What the presenters read (ExcerptPresenter, citations, annotations.w3c): leaving out the
# rest (section text, brief notes, password hashes, ...) keeps each row and chunk small.
# A field missing here costs a query per object: the query-count tests would catch it.
_SECTION_FIELDS = (
    "brief_id",
    "position",
    "heading",
    "kind",
    "anchor",
    "page_start",
    "page_offsets",
    "page_numbers",
    "brief__slug",
    "brief__title",
    "brief__organisation",
    "brief__organisation_en",
    "brief__series_code",
    "brief__authors",
    "brief__language",
    "brief__publication_date",
    "brief__publication_year",
)
_AUTHOR_FIELDS = ("username", "first_name", "last_name")


@dataclass(frozen=True)
class ExportFilters:
    """What to export; empty sequences and None mean "no filter"."""

    briefs: Sequence[str] = ()  # brief slugs
    tags: Sequence[str] = ()  # tag codes: an excerpt matches with any of them
    actors: Sequence[str] = ()
    annotators: Sequence[str] = ()  # usernames
    created_from: datetime | None = None  # inclusive
    created_before: datetime | None = None  # exclusive
    text: str = ""  # in the quote or the note (case-insensitive), as the Annotations page filters


def excerpt_filter(*, user: User, filters: ExportFilters) -> QuerySet[Annotation]:
    """Return the annotations the user may see that match the filters, unordered, one row each."""
    qs = annotations_visible_to(user)
    if filters.briefs:
        qs = qs.filter(section__brief__slug__in=filters.briefs)
    if filters.tags:
        # Exists, not a join: an excerpt with two of the chosen tags stays one row.
        through = Annotation.tags.through.objects.filter(
            annotation_id=OuterRef("pk"), tag__code__in=filters.tags
        )
        qs = qs.filter(Exists(through))
    if filters.actors:
        qs = qs.filter(actor__in=filters.actors)
    if filters.annotators:
        qs = qs.filter(author__username__in=filters.annotators)
    if filters.created_from is not None:
        qs = qs.filter(created_at__gte=filters.created_from)
    if filters.created_before is not None:
        qs = qs.filter(created_at__lt=filters.created_before)
    if filters.text:
        qs = qs.filter(Q(quote__icontains=filters.text) | Q(note__icontains=filters.text))
    return qs


def excerpt_count(*, user: User, filters: ExportFilters) -> int:
    """Return how many excerpts an export with these filters holds."""
    return excerpt_filter(user=user, filters=filters).count()


# The annotation's own columns the presenters read, in ExcerptRow's order.
_ROW_FIELDS = (
    "id",
    "section_id",
    "author_id",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "actor",
    "note",
    "created_at",
    "updated_at",
    "deleted_at",
    "canonical",
    "via",
)


class ExcerptRow:
    """One exported excerpt, read as the presenters read an Annotation.

    It holds the columns of _ROW_FIELDS from a values_list() tuple, the section (with its
    brief) and the author as model instances shared by the whole export, and the tags as a
    list. Building a model instance per row was a third of an export's time at 100,000.
    """

    __slots__ = (
        *_ROW_FIELDS,
        "section",
        "author",
        "tag_list",
        "in_context",  # annotations.export.context.add_contexts
        # excerpt_list_by_tag's annotations: the tag the row is grouped under
        "group_code",
        "group_label_ko",
        "group_label_en",
        "untagged",
    )

    def __init__(  # noqa: PLR0913 - the row's columns, in _ROW_FIELDS order
        self, id, section_id, author_id, start, end, quote, prefix, suffix, actor, note,
        created_at, updated_at, deleted_at, canonical, via,
    ) -> None:  # fmt: skip
        self.id = id
        self.section_id = section_id
        self.author_id = author_id
        self.start = start
        self.end = end
        self.quote = quote
        self.prefix = prefix
        self.suffix = suffix
        self.actor = actor
        self.note = note
        self.created_at = created_at
        self.updated_at = updated_at
        self.deleted_at = deleted_at
        self.canonical = canonical
        self.via = via
        self.group_code = None

    @property
    def pk(self) -> int:
        return self.id

    def listed_tags(self) -> list[Tag]:
        """Return the tags in codebook order, as Annotation.listed_tags() does."""
        return self.tag_list


_TAG_LINKS_SQL = "SELECT annotation_id, tag_id FROM {table} WHERE annotation_id = ANY(%s)"


def excerpt_rows(
    qs: QuerySet[Annotation], *, context: bool = False, chunk_size: int = CHUNK_SIZE
) -> Iterator[ExcerptRow]:
    """Yield the excerpts of excerpt_list()/excerpt_list_by_tag() ready for the presenters.

    Rows come through a server-side cursor, chunk_size at a time, as values_list() tuples
    made into ExcerptRow (no model instance per row): each gets its section (with brief),
    author and tags (in codebook order) from caches kept for the whole export, filled once
    per chunk for the ids it has not seen yet. A brief's sections, an annotator and a tag
    are built once per export, not once per chunk or per excerpt; a chunk costs at most
    five queries, whatever its size. With context, each chunk's quotes in context are cut
    with one Kiwi call (add_contexts).
    """
    sections: dict[int, Section] = {}
    authors: dict[int, Any] = {}
    tags: dict[int, Tag] = {}
    section_qs = Section.objects.select_related("brief").only(*_SECTION_FIELDS)
    author_qs = get_user_model().objects.only(*_AUTHOR_FIELDS)
    tag_qs = Tag.objects.select_related("category")
    database = connections[qs.db]  # the rows' database (the replica, if the router chose it)
    links_sql = _TAG_LINKS_SQL.format(table=database.ops.quote_name(Annotation.tags.through._meta.db_table))
    extra = tuple(qs.query.annotations)  # excerpt_list_by_tag's group_* columns
    width = len(_ROW_FIELDS)
    rows = qs.values_list(*_ROW_FIELDS, *extra).iterator(chunk_size=chunk_size)
    while values := list(islice(rows, chunk_size)):
        chunk = [ExcerptRow(*v[:width]) for v in values]
        if extra:  # excerpt_list_by_tag's group_* columns follow the row's own
            for row, v in zip(chunk, values, strict=True):
                for name, value in zip(extra, v[width:], strict=True):
                    setattr(row, name, value)
        _fill(sections, section_qs, {a.section_id for a in chunk})
        _fill(authors, author_qs, {a.author_id for a in chunk})
        tag_ids: dict[int, list[int]] = {}
        # Fetched per chunk, not joined into the rows: a subquery in the select list would
        # run for every row before the sort hands over the first one. One array parameter,
        # not a placeholder per id.
        with database.cursor() as cursor:
            cursor.execute(links_sql, [[a.id for a in chunk]])
            for annotation_id, tag_id in cursor.fetchall():
                tag_ids.setdefault(annotation_id, []).append(tag_id)
        _fill(tags, tag_qs, {t for ids in tag_ids.values() for t in ids})
        ordered: dict[tuple[int, ...], list[Tag]] = {(): []}
        for row in chunk:
            row.section = sections[row.section_id]
            row.author = authors[row.author_id]
            ids = tuple(tag_ids.get(row.id, ()))
            listed = ordered.get(ids)
            if listed is None:
                listed = ordered[ids] = sorted((tags[t] for t in ids), key=codebook_order)
            row.tag_list = listed
        if context:
            add_contexts(chunk)
        yield from chunk


def _fill(cache: dict[int, Any], qs: QuerySet, ids: set[int]) -> None:
    missing = ids.difference(cache)
    if missing:
        cache.update(qs.in_bulk(missing))


def excerpt_list(*, user: User, filters: ExportFilters) -> QuerySet[Annotation]:
    """Return the matching excerpts, brief by brief in reading order.

    Read them through excerpt_rows(), which adds the section, brief, author and tags.
    """
    qs = excerpt_filter(user=user, filters=filters)
    return qs.order_by(*_BRIEF_ORDER, *_READING_ORDER)


def excerpt_list_by_tag(*, user: User, filters: ExportFilters) -> QuerySet[Annotation]:
    """Return one row per (excerpt, tag) in codebook order, then the untagged excerpts.

    Each row carries the tag it is grouped under as group_code, group_label_ko and
    group_label_en (None for untagged). With a tag filter only the chosen tags are
    groups, and untagged excerpts do not match at all.
    """
    qs = excerpt_filter(user=user, filters=filters)
    condition = Q(tags__code__in=filters.tags) if filters.tags else Q(tags__isnull=False)
    qs = qs.annotate(group_tag=FilteredRelation("tags", condition=condition)).annotate(
        group_code=F("group_tag__code"),
        group_label_ko=F("group_tag__label_ko"),
        group_label_en=F("group_tag__label_en"),
        untagged=ExpressionWrapper(Q(group_tag__id__isnull=True), output_field=BooleanField()),
    )
    if filters.tags:
        # The condition filters the tag join, not the join table before it: an excerpt's
        # other tags come through as NULL rows, which are not "untagged".
        qs = qs.filter(untagged=False)
    return qs.order_by(
        "untagged",
        F("group_tag__category__position").asc(nulls_last=True),
        "group_tag__position",
        "group_tag__code",
        *_BRIEF_ORDER,
        *_READING_ORDER,
    )


def unknown_filter_values(*, filters: ExportFilters) -> dict[str, list[str]]:
    """Return the brief slugs, tag codes and usernames in the filters that name nothing."""
    user_model = get_user_model()
    known = {
        "briefs": set(Brief.objects.filter(slug__in=filters.briefs).values_list("slug", flat=True)),
        "tags": set(Tag.objects.filter(code__in=filters.tags).values_list("code", flat=True)),
        "annotators": set(
            user_model.objects.filter(**{f"{user_model.USERNAME_FIELD}__in": filters.annotators}).values_list(
                user_model.USERNAME_FIELD, flat=True
            )
        ),
    }
    unknown = {name: [v for v in getattr(filters, name) if v not in known[name]] for name in known}
    return {name: values for name, values in unknown.items() if values}
