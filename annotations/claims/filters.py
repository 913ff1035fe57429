"""The filters every claims view shares, and the annotations they select.

A claim is a live annotation with at least one tag. The matrix, timeline, co-occurrence,
their API and downloads, and the Annotations page a count links to all read the same GET
parameters through ClaimsFilterForm and select with claims_annotations(), so a cell's count
and the list behind its link cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any

from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotations.models import Actor, Annotation, Tag
from annotations.selectors import User, annotations_visible_to
from briefs.models import Language

# Keys of "no value" where a dimension can be empty: a brief without organisation or date,
# a tag without category. Neither can be a real slug, year or (plausibly) organisation name.
NO_ORGANISATION = "(none)"
NO_CATEGORY = "(none)"
UNDATED = "undated"

MAX_VALUES = 200  # values of one multi-valued filter (a GET parameter repeated)
MIN_YEAR, MAX_YEAR = 1800, 2200

VISIBILITY_CHOICES = [("", _("Mine and shared")), ("mine", _("Only mine")), ("shared", _("Only shared"))]


@dataclass(frozen=True)
class ClaimsFilters:
    """Which claims to count; empty means no restriction."""

    briefs: tuple[str, ...] = ()  # slugs
    organisations: tuple[str, ...] = ()  # Brief.organisation, or NO_ORGANISATION
    language: str | None = None
    date_from: dt.date | None = None  # publication date; a brief with only a year is 1 January
    date_to: dt.date | None = None
    years: tuple[int | None, ...] = ()  # None: undated briefs
    tags: tuple[str, ...] = ()  # codes: the annotation carries one of them
    categories: tuple[str, ...] = ()  # codes, or NO_CATEGORY: ... in one of these categories
    actors: tuple[str, ...] = ()
    annotators: tuple[str, ...] = ()  # usernames
    visibility: str | None = None  # "mine" | "shared"

    def replace(self, **changes: Any) -> ClaimsFilters:
        """Return a copy with some filters changed."""
        return replace(self, **changes)

    def query_items(self) -> list[tuple[str, str]]:
        """Return the GET parameters (name, value) that ClaimsFilterForm reads back as these."""
        items: list[tuple[str, str]] = []
        for name, param in PARAMS.items():
            value = getattr(self, name)
            if value in (None, (), ""):
                continue
            values = value if isinstance(value, tuple) else (value,)
            for one in values:
                if one is None:
                    items.append((param, UNDATED))
                elif isinstance(one, dt.date):
                    items.append((param, one.isoformat()))
                else:
                    items.append((param, str(one)))
        return items

    def as_dict(self) -> dict[str, list[str]]:
        """Return the GET parameters as {name: [values]}, for JSON payloads."""
        found: dict[str, list[str]] = {}
        for param, value in self.query_items():
            found.setdefault(param, []).append(value)
        return found

    def describe(self) -> list[tuple[str, str]]:
        """Return (label, values) lines a person can read, for the head of a downloaded file
        and the Annotations page: tags, categories and briefs by name (a query each, if used)."""
        names = self._names()
        lines = []
        for field in fields(self):
            values = [value for param, value in self.query_items() if param == PARAMS[field.name]]
            if values:
                named = [names.get((field.name, value), value) for value in values]
                lines.append((str(LABELS[field.name]), ", ".join(named)))
        return lines or [(gettext("Filters"), gettext("none (every claim you may see)"))]

    def _names(self) -> dict[tuple[str, str], str]:
        from annotations.models import Category, Tag
        from briefs.models import Brief

        names: dict[tuple[str, str], str] = {("years", UNDATED): gettext("Undated")}
        names |= {("actors", value): str(label) for value, label in Actor.choices}
        names |= {("visibility", value): str(label) for value, label in VISIBILITY_CHOICES if value}
        names[("organisations", NO_ORGANISATION)] = gettext("No organisation")
        names[("categories", NO_CATEGORY)] = gettext("No category")
        if self.tags:
            names |= {("tags", t.code): t.label() for t in Tag.objects.filter(code__in=self.tags)}
        if self.categories:
            names |= {
                ("categories", c.code): c.label() for c in Category.objects.filter(code__in=self.categories)
            }
        if self.briefs:
            names |= {
                ("briefs", b.slug): b.title
                for b in Brief.objects.filter(slug__in=self.briefs).only("slug", "title")
            }
        return names

    @property
    def active(self) -> bool:
        return bool(self.query_items())


# Dataclass field -> GET parameter (the Annotations page's names where it has the filter).
PARAMS = {
    "briefs": "brief",
    "organisations": "organisation",
    "language": "language",
    "date_from": "date_from",
    "date_to": "date_to",
    "years": "year",
    "tags": "tag",
    "categories": "category",
    "actors": "actor",
    "annotators": "annotator",
    "visibility": "visibility",
}
LABELS = {
    "briefs": _("Briefs"),
    "organisations": _("Organisations"),
    "language": _("Language"),
    "date_from": _("Published from"),
    "date_to": _("Published until"),
    "years": _("Years"),
    "tags": _("Tags"),
    "categories": _("Categories"),
    "actors": _("Actors"),
    "annotators": _("Annotators"),
    "visibility": _("Visibility"),
}


class _Values(forms.Field):
    """A repeated GET parameter: a list of bounded strings, each checked by `clean_one`."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        self.max_length = max_length
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> list[str]:
        if value in (None, ""):
            return []
        values = [value] if isinstance(value, str) else list(value)
        values = [str(one).strip() for one in values if str(one).strip()]
        if len(values) > MAX_VALUES:
            raise forms.ValidationError(
                _("At most %(max)s values, please (got %(n)s)."), params={"max": MAX_VALUES, "n": len(values)}
            )
        for one in values:
            if len(one) > self.max_length or "\x00" in one:
                raise forms.ValidationError(_("A value is too long or unreadable."))
        return list(dict.fromkeys(values))


class _Years(_Values):
    def to_python(self, value: Any) -> list[int | None]:
        years: list[int | None] = []
        for one in super().to_python(value):
            if one == UNDATED:
                years.append(None)
                continue
            if not one.isascii() or not one.isdigit() or not MIN_YEAR <= int(one) <= MAX_YEAR:
                raise forms.ValidationError(
                    _("A year is four digits between %(min)s and %(max)s, or “undated”."),
                    params={"min": MIN_YEAR, "max": MAX_YEAR},
                )
            years.append(int(one))
        return years


class _Actors(_Values):
    def to_python(self, value: Any) -> list[str]:
        actors = super().to_python(value)
        unknown = [one for one in actors if one not in Actor.values]
        if unknown:
            raise forms.ValidationError(
                _("Unknown actor: %(value)s (one of %(known)s)."),
                params={"value": unknown[0][:40], "known": ", ".join(Actor.values)},
            )
        return actors


class _Date(forms.DateField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, input_formats=["%Y-%m-%d"], **kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, str) and len(value) > 10:
            raise forms.ValidationError(_("Enter a date as YYYY-MM-DD."))
        found = super().to_python(value)
        if found is not None and not MIN_YEAR <= found.year <= MAX_YEAR:
            raise forms.ValidationError(
                _("Enter a date between the years %(min)s and %(max)s."),
                params={"min": MIN_YEAR, "max": MAX_YEAR},
            )
        return found


class ClaimsFilterForm(forms.Form):
    """The claims filters from a query string (multi-valued ones repeat the parameter)."""

    brief = _Values(max_length=120, label=_("Briefs"))
    organisation = _Values(max_length=300, label=_("Organisations"))
    language = forms.ChoiceField(
        choices=[("", _("Any language")), *Language.choices], required=False, label=_("Language")
    )
    date_from = _Date(label=_("Published from"))
    date_to = _Date(label=_("Published until"))
    year = _Years(max_length=8, label=_("Years"))
    tag = _Values(max_length=60, label=_("Tags"))
    category = _Values(max_length=60, label=_("Categories"))
    actor = _Actors(max_length=16, label=_("Actors"))
    annotator = _Values(max_length=150, label=_("Annotators"))
    visibility = forms.ChoiceField(choices=VISIBILITY_CHOICES, required=False, label=_("Visibility"))

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and hasattr(data, "getlist"):
            # A QueryDict gives the last value of a repeated parameter: hand the fields lists.
            data = {
                name: data.getlist(name) if isinstance(field, _Values) else data.get(name)
                for name, field in self.base_fields.items()
                if name in data
            }
        super().__init__(data, *args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def claims_filters(self) -> ClaimsFilters:
        """Return the valid filters (a field with an error is left out: the page shows it)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return ClaimsFilters(
            briefs=tuple(data.get("brief") or ()),
            organisations=tuple(data.get("organisation") or ()),
            language=data.get("language") or None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            years=tuple(data.get("year") or ()),
            tags=tuple(data.get("tag") or ()),
            categories=tuple(data.get("category") or ()),
            actors=tuple(data.get("actor") or ()),
            annotators=tuple(data.get("annotator") or ()),
            visibility=data.get("visibility") or None,
        )


def tag_filter_q(filters: ClaimsFilters) -> Q:
    """Return the tag and category filters as conditions on an annotation: a tag among the
    tags asked for, and a tag (the same or another) in one of the categories asked for."""
    condition = Q()
    through = Annotation.tags.through.objects.filter(annotation_id=OuterRef("pk"))
    if filters.tags:
        condition &= Exists(through.filter(tag__code__in=filters.tags))
    if filters.categories:
        named = [code for code in filters.categories if code != NO_CATEGORY]
        in_category = Q(tag__category__code__in=named)
        if NO_CATEGORY in filters.categories:
            in_category |= Q(tag__category__isnull=True)
        condition &= Exists(through.filter(in_category))
    return condition


def publication_day_q(filters: ClaimsFilters) -> Q:
    """Return the date range and years as a condition on the brief (through section__brief)."""
    condition = Q()
    brief = "section__brief__"
    if filters.date_from or filters.date_to:
        # A brief with only a year is dated 1 January of it; an undated one never matches a range.
        dated = Q(**{f"{brief}publication_date__isnull": False})
        year_only = Q(**{f"{brief}publication_date__isnull": True, f"{brief}publication_year__isnull": False})
        if filters.date_from:
            dated &= Q(**{f"{brief}publication_date__gte": filters.date_from})
            year_only &= Q(**{f"{brief}publication_year__gte": _first_full_year(filters.date_from)})
        if filters.date_to:
            dated &= Q(**{f"{brief}publication_date__lte": filters.date_to})
            year_only &= Q(**{f"{brief}publication_year__lte": filters.date_to.year})
        condition &= dated | year_only
    if filters.years:
        named = [year for year in filters.years if year is not None]
        in_years = Q(**{f"{brief}publication_date__year__in": named}) | Q(
            **{f"{brief}publication_date__isnull": True, f"{brief}publication_year__in": named}
        )
        if None in filters.years:
            in_years |= Q(
                **{f"{brief}publication_date__isnull": True, f"{brief}publication_year__isnull": True}
            )
        condition &= in_years
    return condition


def _first_full_year(day: dt.date) -> int:
    """The first year whose 1 January is on or after `day`."""
    return day.year if (day.month, day.day) == (1, 1) else day.year + 1


def claims_annotations(*, user: User, filters: ClaimsFilters, tagged: bool = True) -> QuerySet[Annotation]:
    """Return the claims the user may see (live, tagged, theirs or shared), filtered.

    tagged=False leaves out the test that an annotation has a tag, for a query that joins
    the tag links anyway (the join keeps only tagged ones).
    """
    qs = annotations_visible_to(user).filter(section__isnull=False)
    if tagged:
        qs = qs.filter(Exists(Annotation.tags.through.objects.filter(annotation_id=OuterRef("pk"))))
    qs = qs.filter(tag_filter_q(filters))
    if filters.briefs:
        qs = qs.filter(section__brief__slug__in=filters.briefs)
    if filters.organisations:
        named = [name for name in filters.organisations if name != NO_ORGANISATION]
        by_name = Q(section__brief__organisation__in=named)
        if NO_ORGANISATION in filters.organisations:
            by_name |= Q(section__brief__organisation="")
        qs = qs.filter(by_name)
    if filters.language:
        qs = qs.filter(section__brief__language=filters.language)
    qs = qs.filter(publication_day_q(filters))
    if filters.actors:
        qs = qs.filter(actor__in=filters.actors)
    if filters.annotators:
        qs = qs.filter(author__username__in=filters.annotators)
    if filters.visibility == "mine":
        qs = qs.filter(author_id=user.pk)
    elif filters.visibility == "shared":
        qs = qs.filter(visibility="shared")
    return qs


def claims_selection_sql(*, user: User, filters: ClaimsFilters, tagged: bool = True) -> tuple[str, list[Any]]:
    """Return the SQL and parameters of the claims counted, one row each (id, section, span,
    actor, author): the ORM writes it from claims_annotations, the one visibility rule."""
    qs = (
        claims_annotations(user=user, filters=filters, tagged=tagged)
        .order_by()
        .values("id", "section_id", "start", "end", "actor", "author_id", brief_id=F("section__brief_id"))
    )
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # nobody to count for (an anonymous visitor): select no row
        return (
            'SELECT NULL::bigint AS id, NULL::bigint AS section_id, 0 AS start, 0 AS "end", '
            "''::text AS actor, NULL::bigint AS author_id, NULL::bigint AS brief_id WHERE FALSE",
            [],
        )
    return sql, list(params)


def claims_pair_ids(*, user: User, filters: ClaimsFilters, pair: tuple[str, str], scope: str) -> RawSQL:
    """Return the ids of a co-occurrence cell's claims: a claim with one tag of the pair that
    meets (shares or overlaps a passage, or a section) a counted claim with the other.

    The counted claims with either tag are materialised once and joined to themselves, as
    claims_cooccurrence counts them; a correlated subquery per row of the visibility rule
    is what PostgreSQL 18 planned as a loop over the whole table.
    """
    first, second = pair
    # Without the has-a-tag test: joining the tag links below is that test.
    selection, params = claims_selection_sql(user=user, filters=filters, tagged=False)
    t = {
        "annotation_tags": connection.ops.quote_name(Annotation.tags.through._meta.db_table),
        "tag": connection.ops.quote_name(Tag._meta.db_table),
    }
    # A claim with both tags meets itself; in a passage, another claim meets it by overlapping.
    where = 'AND (b.id = a.id OR (a.start < b."end" AND b.start < a."end"))' if scope == "passage" else ""
    sql = f"""
        WITH sel AS MATERIALIZED ({selection}),
        xt AS MATERIALIZED (
            SELECT x.id, x.section_id, x.start, x."end", tg.code FROM sel x
            JOIN {t["annotation_tags"]} at ON at.annotation_id = x.id
            JOIN {t["tag"]} tg ON tg.id = at.tag_id AND tg.code IN (%s, %s)
        )
        SELECT DISTINCT a.id FROM xt a
        JOIN xt b ON b.section_id = a.section_id
            AND (b.code <> a.code OR %s) {where}
    """
    return RawSQL(sql, (*params, first, second, first == second))


def claims_browse(
    *, user: User, filters: ClaimsFilters, pair: tuple[str, str] | None = None, scope: str = "passage"
) -> QuerySet[Annotation]:
    """Return the claims behind a count of the claims views, for the Annotations page."""
    qs = claims_annotations(user=user, filters=filters)
    if pair is not None:
        ids = claims_pair_ids(user=user, filters=filters, pair=pair, scope=scope)
        qs = Annotation.objects.filter(pk__in=ids)
    return qs


@dataclass(frozen=True)
class ClaimsSelection:
    """The claims behind a link of the claims views, as the Annotations page reads it."""

    form: ClaimsFilterForm
    filters: ClaimsFilters
    pair: tuple[str, str] | None
    scope: str
    annotations: QuerySet[Annotation]
    errors: list[str]

    def describe(self) -> list[tuple[str, str]]:
        lines = self.filters.describe() if self.filters.active else []
        if self.pair:
            label = (
                gettext("Same or overlapping passage") if self.scope == "passage" else gettext("Same section")
            )
            names = self.filters._names()
            lines.append((label, " + ".join(names.get(("tags", code), code) for code in self.pair)))
        return lines


PAIR_SCOPES = ("passage", "section")


def claims_selection_read(data: Any, *, user: User) -> ClaimsSelection:
    """Read a claims link's GET parameters (filters, and a co-occurrence pair with its scope)."""
    form = ClaimsFilterForm(data)
    filters = form.claims_filters()
    errors = [
        f"{form.fields[name].label}: {messages[0]}" if name in form.fields else messages[0]
        for name, messages in form.errors.items()
    ]
    pair, scope = None, data.get("scope") or "passage"
    if scope not in PAIR_SCOPES:
        errors.append(gettext("Unknown scope: passage or section."))
        scope = "passage"
    raw_pair = data.get("pair") or ""
    if raw_pair:
        codes = [code.strip() for code in raw_pair.split(",")]
        if len(codes) == 2 and all(0 < len(code) <= 60 for code in codes):
            pair = (codes[0], codes[1])
        else:
            errors.append(gettext("A pair is two tag codes separated by a comma."))
    annotations = claims_browse(user=user, filters=filters, pair=pair, scope=scope)
    return ClaimsSelection(
        form=form, filters=filters, pair=pair, scope=scope, annotations=annotations, errors=errors
    )
