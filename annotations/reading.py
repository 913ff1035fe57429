"""Everything the reader page shows about annotations, built once for page and partials."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from annotations import permissions, selectors
from annotations.models import Actor, Annotation, Category, Tag, Visibility
from annotations.rendering import MarginLabels, Span, render_highlights, render_margin, resolve_anchor
from briefs.models import Brief, Section

User = AbstractBaseUser | AnonymousUser


@dataclass
class ReaderSection:
    section: Section
    html: SafeString
    annotations: list[ReaderAnnotation]  # margin list, reading order; .anchor_lost marks lost ones
    # How many annotations the section has under the filters; past the page's bound only the
    # first `len(annotations)` are highlighted and listed, the rest come on demand.
    total: int = 0
    more_url: str = ""
    margin: SafeString = SafeString("")  # the margin list's HTML (rendering.render_margin)

    @property
    def hidden(self) -> int:
        return self.total - len(self.annotations)


@dataclass(frozen=True)
class SectionBound:
    """How many annotations each section shows: `per_section`, or `limit` for one section
    the reader asked to see more of."""

    per_section: int
    section_id: int | None = None
    limit: int = 0

    def q(self) -> Q:
        bound = Q(rank__lte=self.per_section)
        if self.section_id is not None:
            bound |= Q(section_id=self.section_id, rank__lte=self.limit)
        return bound


@dataclass
class ReaderFilters:
    tag: str | None = None
    author: str | None = None
    actor: str | None = None
    mine: bool = False

    @property
    def active(self) -> bool:
        return bool(self.tag or self.author or self.actor or self.mine)


@dataclass
class TagGroup:
    """One labelled group of the tag picker: a codebook category and its active tags."""

    category: Category | None  # None: the trailing group of uncategorised tags
    tags: list[Tag]

    @property
    def code(self) -> str:
        return self.category.code if self.category else "other"

    @property
    def label_ko(self) -> str:
        return self.category.label_ko if self.category else "기타"

    @property
    def label_en(self) -> str:
        return self.category.label_en if self.category else "Other"


def tag_groups_build(tags: Sequence[Tag], *, active_only: bool = True) -> list[TagGroup]:
    """Group tags by category in codebook order, uncategorised ones last (the picker: active
    tags only; the codebook page: all of them).

    The tags come in codebook order with their categories joined (selectors.tag_list),
    so this is a regrouping in memory, never a query per tag or per category.
    Categories without a tag to show are left out.
    """
    groups: dict[int | None, TagGroup] = {}
    for tag in tags:
        if tag.active or not active_only:
            group = groups.setdefault(tag.category_id, TagGroup(category=tag.category, tags=[]))
            group.tags.append(tag)

    def order(group: TagGroup) -> tuple:
        category = group.category
        return (1, 0, "") if category is None else (0, category.position, category.code)

    return sorted(groups.values(), key=order)


@dataclass
class Reader:
    sections: list[ReaderSection]
    filters: ReaderFilters
    facets: selectors.AnnotationFacets
    tags: list[Tag] = field(default_factory=list)  # the whole codebook, inactive included
    can_annotate: bool = False
    can_share: bool = False
    shown: int = 0

    @property
    def tag_groups(self) -> list[TagGroup]:
        return tag_groups_build(self.tags)

    @property
    def actor_choices(self) -> list[tuple[str, str]]:
        return list(Actor.choices)

    @property
    def tag_facets(self) -> list[tuple[Tag, int]]:
        return [(t, self.facets.tags[t.pk]) for t in self.tags if t.pk in self.facets.tags]

    @property
    def actor_facets(self) -> list[tuple[str, str, int]]:
        return [(v, label, self.facets.actors[v]) for v, label in Actor.choices if v in self.facets.actors]


PLAIN_COLOUR = "#ffe066"


@dataclass(slots=True)
class ReaderAnnotation:
    """One annotation as the reader shows it: its highlight, margin entry and filters' input.

    Read as plain values (no model instance, no author object): a brief with 1,000
    annotations builds 1,000 of these in a few milliseconds.
    """

    pk: int
    section_id: int
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    note: str
    actor: str
    is_shared: bool
    author_name: str
    tag_list: list[Tag]
    colour: str = PLAIN_COLOUR
    anchor_lost: bool = False


_READER_FIELDS = (
    "pk", "section_id", "start", "end", "quote", "prefix", "suffix", "note", "actor",
    "visibility", "author__username", "tag_ids", "in_section",
)  # fmt: skip


def _span(annotation: ReaderAnnotation, start: int, end: int, labels: MarginLabels) -> Span:
    names = ", ".join(labels.tag_names[t.pk] for t in annotation.tag_list) or labels.highlight
    return Span(
        id=annotation.pk,
        start=start,
        end=end,
        colour=annotation.tag_list[0].colour if annotation.tag_list else None,
        title=f"{names} · {labels.actors[annotation.actor]} · {annotation.author_name}",
        private=not annotation.is_shared,
    )


def reader_section_build(
    section: Section, annotations: Sequence[ReaderAnnotation], labels: MarginLabels, *, quote_lang: str
) -> ReaderSection:
    """Render one section's text with its annotations' highlights and margin, re-anchoring moved ones.

    Each annotation gets its colour (its first tag's, or the plain highlight's) and
    anchor_lost (its passage is no longer in the text).
    """
    spans = []
    for annotation in annotations:
        annotation.colour = annotation.tag_list[0].colour if annotation.tag_list else PLAIN_COLOUR
        anchor = _resolve(section.text, annotation) if annotation.section_id == section.pk else None
        annotation.anchor_lost = anchor is None
        if anchor is not None:
            spans.append(_span(annotation, *anchor, labels))
    return ReaderSection(
        section=section,
        html=render_highlights(section.text, spans),
        annotations=list(annotations),
        margin=render_margin(annotations, labels, quote_lang=quote_lang),
    )


def _resolve(text: str, annotation: ReaderAnnotation) -> tuple[int, int] | None:
    return resolve_anchor(
        text,
        start=annotation.start,
        end=annotation.end,
        quote=annotation.quote,
        prefix=annotation.prefix,
        suffix=annotation.suffix,
    )


def reader_build(
    *,
    user: User,
    brief: Brief,
    sections: Sequence[Section],
    filters: ReaderFilters,
    only: int | None = None,
    bound: SectionBound | None = None,
) -> Reader:
    """Return the reader's sections with highlights, the filter counts and the codebook.

    only: a section id, to rebuild just that section after a write (the partial).
    bound: how many annotations a section shows (the page stays small whatever their number);
    each ReaderSection says how many it has in all.
    Anonymous visitors get the plain text and no annotation queries at all.
    """
    bound = bound or SectionBound(per_section=settings.MARGINALIA_READER_ANNOTATIONS_PER_SECTION)
    if not user.is_authenticated:
        plain = [ReaderSection(s, render_highlights(s.text, ()), []) for s in sections]
        return Reader(sections=plain, filters=ReaderFilters(), facets=selectors.AnnotationFacets())
    if only is not None:
        sections = [s for s in sections if s.pk == only]
    qs = selectors.annotation_list(
        user=user,
        brief=brief,
        tag=filters.tag,
        author=filters.author,
        actor=filters.actor,
        mine=filters.mine,
    )
    if only is not None:
        qs = qs.filter(section_id=only)
    # The page has the whole codebook anyway: map each annotation's tag ids onto it rather
    # than prefetching a Tag object per annotation (the slowest part with 1,000 of them).
    codebook = list(selectors.tag_list())
    order = {tag.pk: (i, tag) for i, tag in enumerate(codebook)}
    tag_ids = Annotation.tags.through.objects.filter(annotation_id=OuterRef("pk")).values("tag_id")
    # One query: each annotation's rank in its section (reading order) and the section's
    # total, then only the ranks within the bound.
    in_section = {"partition_by": [F("section_id")]}
    ranked = qs.prefetch_related(None).annotate(
        tag_ids=ArraySubquery(tag_ids),
        rank=Window(RowNumber(), order_by=[F("start").asc(), F("end").desc(), F("pk").asc()], **in_section),
        in_section=Window(Count("pk"), **in_section),
    )
    by_section: dict[int, list[ReaderAnnotation]] = defaultdict(list)
    totals: dict[int, int] = {}
    # The row's first nine values are ReaderAnnotation's first nine fields, in order.
    for *fields, visibility, author, tags, total in ranked.filter(bound.q()).values_list(*_READER_FIELDS):
        tag_list = [order[i][1] for i in sorted(tags, key=lambda i: order[i][0])]
        entry = ReaderAnnotation(*fields, visibility == Visibility.SHARED, author, tag_list)
        section_id = entry.section_id
        by_section[section_id].append(entry)
        totals[section_id] = total
    language = get_language() or settings.LANGUAGE_CODE
    labels = MarginLabels.build(codebook, language=language)
    built = []
    for section in sections:
        rs = reader_section_build(section, by_section.get(section.pk, []), labels, quote_lang=brief.language)
        rs.total = totals.get(section.pk, 0)
        built.append(rs)
    return Reader(
        sections=built,
        filters=filters,
        facets=selectors.annotation_facets(user=user, brief=brief),
        tags=codebook,
        can_annotate=permissions.can_annotate(user),
        can_share=permissions.can_share(user),
        shown=sum(totals.values()),
    )
