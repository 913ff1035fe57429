"""Reads for briefs and sections, shared by pages, API, export and admin."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce, ExtractYear, Lower

from annotations.models import Annotation, Visibility
from annotations.selectors import annotations_visible_to, of_brief_q
from briefs.models import Brief, Section

User = AbstractBaseUser | AnonymousUser


def brief_list(*, language: str | None = None) -> QuerySet[Brief]:
    """Return briefs for the library, each with its number of sections."""
    qs = Brief.objects.with_section_count()
    if language:
        qs = qs.filter(language=language)
    return qs.order_by("-publication_year", "-publication_date", "title", "pk")


LIBRARY_SORTS = ("title", "organisation", "date", "annotations")
ASCENDING, DESCENDING = "asc", "desc"


class _SubqueryCount(Subquery):
    """COUNT(*) of a correlated subquery: one row, no GROUP BY."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def _count(qs: QuerySet) -> Coalesce:
    """Return how many rows qs has, per outer row (0 for a queryset that is none()).

    A subquery per count, because two Count() joins in one query multiply each other.
    """
    return Coalesce(_SubqueryCount(qs.order_by().values("pk")), 0)


def _year() -> Coalesce:
    """The year a brief is listed under: its publication date's, else its publication year."""
    return Coalesce(ExtractYear("publication_date"), "publication_year", output_field=IntegerField())


def brief_library(
    *,
    user: User,
    q: str = "",
    organisation: str = "",
    language: str = "",
    year: int | None = None,
    series: str = "",
    sort: str = "date",
    direction: str = DESCENDING,
) -> QuerySet[Brief]:
    """Return the library's briefs, filtered and sorted, with section and annotation counts.

    annotation_count counts the live annotations the user may see (annotations_visible_to:
    their own and everyone's shared ones; none for anonymous visitors).
    """
    sections = Section.objects.filter(brief=OuterRef("pk"))
    annotations = annotations_visible_to(user).filter(of_brief_q(OuterRef("pk")))
    qs = Brief.objects.annotate(
        section_count=_count(sections), annotation_count=_count(annotations), listed_year=_year()
    )
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(subtitle__icontains=q))
    if organisation:
        qs = qs.filter(organisation=organisation)
    if language:
        qs = qs.filter(language=language)
    if year is not None:
        qs = qs.filter(listed_year=year)
    if series:
        qs = qs.filter(series_code=series)
    return qs.order_by(*_library_order(sort, direction == DESCENDING))


def _library_order(sort: str, descending: bool) -> list[OrderBy]:
    def by(expression: Any) -> OrderBy:
        expression = F(expression) if isinstance(expression, str) else expression
        return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)

    title = by(Lower("title"))
    if sort == "title":
        keys = [title]
    elif sort == "organisation":
        # Briefs without an organisation come last either way, as NULL dates do.
        keys = [Case(When(organisation="", then=1), default=0).asc(), by(Lower("organisation")), title]
    elif sort == "annotations":
        keys = [by("annotation_count"), title]
    else:  # date: the listed year first, so a brief with only a year sits among its year's dated ones
        keys = [by("listed_year"), by("publication_date"), title]
    return [*keys, by("pk")]


@dataclass(frozen=True)
class LibraryOptions:
    """What the library's filters can choose from: the values present among the briefs."""

    total: int = 0
    organisations: list[str] = field(default_factory=list)
    series: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)  # newest first
    languages: list[str] = field(default_factory=list)


def brief_library_options() -> LibraryOptions:
    """Return the distinct organisations, series codes, years and languages (one query)."""
    row = Brief.objects.annotate(listed_year=_year()).aggregate(
        total=Count("pk"),
        organisations=ArrayAgg("organisation", distinct=True, filter=~Q(organisation=""), default=[]),
        series=ArrayAgg("series_code", distinct=True, filter=~Q(series_code=""), default=[]),
        years=ArrayAgg("listed_year", distinct=True, filter=Q(listed_year__isnull=False), default=[]),
        languages=ArrayAgg("language", distinct=True, default=[]),
    )
    return LibraryOptions(
        total=row["total"],
        organisations=sorted(row["organisations"], key=str.casefold),
        series=sorted(row["series"], key=str.casefold),
        years=sorted(row["years"], reverse=True),
        languages=sorted(row["languages"]),
    )


def brief_get(*, slug: str) -> Brief:
    """Return one brief with its sections in order (raises Brief.DoesNotExist)."""
    sections = Prefetch("sections", queryset=Section.objects.order_by("position"))
    return Brief.objects.prefetch_related(sections).get(slug=slug)


def section_list(*, brief: Brief | None = None) -> QuerySet[Section]:
    """Return sections in reading order, optionally of one brief."""
    qs = Section.objects.select_related("brief")
    if brief is not None:
        qs = qs.filter(brief=brief)
    return qs.order_by("brief_id", "position")


@dataclass(frozen=True)
class BriefDeletePreview:
    """What deleting a brief would take with it, as one user may be told."""

    sections: int
    mine: int  # the user's own live annotations
    others_shared: int  # other people's live shared annotations
    # Whether other people hold any live annotation, private ones included: deleting then
    # needs a confirmation. A yes/no only, never their number.
    others: bool


def brief_delete_preview(*, user: User, brief: Brief) -> BriefDeletePreview:
    """Return what deleting the brief would delete, counting only what the user may see."""
    others = ~Q(author_id=user.pk)
    counts = (
        Annotation.objects.alive()
        .filter(of_brief_q(brief))
        .aggregate(
            mine=Count("pk", filter=Q(author_id=user.pk)),
            others_shared=Count("pk", filter=others & Q(visibility=Visibility.SHARED)),
            others=Count("pk", filter=others),
        )
    )
    return BriefDeletePreview(
        sections=brief.sections.count(),
        mine=counts["mine"],
        others_shared=counts["others_shared"],
        others=counts["others"] > 0,
    )
