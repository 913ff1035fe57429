"""One aggregate query per claims view: the matrix, the timeline and tag co-occurrence.

Each function selects the claims with filters.claims_annotations() (the visibility rule and
the filters, written once), hands PostgreSQL that selection as a subquery, and lets it count
with GROUP BY / GROUPING SETS: labels, colours and sort keys come back in the same rows, so
a view is one round trip whatever the number of annotations. The payload is the JSON the API
returns and the pages chart; every count carries the URL of the Annotations page listing
exactly the claims it counts.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from psycopg.errors import QueryCanceled

from annotations.claims.filters import (
    NO_CATEGORY,
    NO_ORGANISATION,
    UNDATED,
    ClaimsFilters,
    claims_selection_sql,
)
from annotations.models import Actor, Annotation, Category, Tag
from annotations.selectors import User
from briefs.models import Brief

DIMENSIONS = ("brief", "organisation", "actor", "tag", "category", "annotator", "year")
DIMENSION_LABELS = {
    "brief": _("Brief"),
    "organisation": _("Organisation"),
    "actor": _("Actor"),
    "tag": _("Tag"),
    "category": _("Category"),
    "annotator": _("Annotator"),
    "year": _("Year"),
}
SERIES = ("tag", "actor", "category")
BUCKETS = ("brief", "month", "quarter", "year")
SCOPES = ("passage", "section")
SORTS = ("natural", "total", "label")
CLAIMS_WORK_MEM = "64MB"
BRIEFS_PER_POINT = 10  # briefs named in a timeline point's tooltip (the count says how many)


class ClaimsQueryError(ValueError):
    """A request the claims views cannot answer (say, the same dimension for rows and columns)."""


def _tables() -> dict[str, str]:
    user_model = get_user_model()
    quote = connection.ops.quote_name
    return {
        "annotation_tags": quote(Annotation.tags.through._meta.db_table),
        "tag": quote(Tag._meta.db_table),
        "category": quote(Category._meta.db_table),
        "brief": quote(Brief._meta.db_table),
        "user": quote(user_model._meta.db_table),
        "username": quote(user_model._meta.get_field(user_model.USERNAME_FIELD).column),
    }


def _korean() -> bool:
    return (get_language() or "en").startswith("ko")


@dataclass(frozen=True)
class _Dimension:
    """How one dimension is counted: in two steps, so the work per claim stays small.

    Step one groups the claims (alias x) by a small key (`group`: a section id, a tag id, an
    actor); step two joins the few groups to the tables that name them (`joins`) and adds the
    groups up by the dimension's `key`, with its label, natural sort, colour and active flag.
    A per-claim dimension (brief, organisation, actor, annotator, year) has one value per
    claim, so it partitions them and totals across it are sums; a tag or category dimension
    joins the claim's tags under its own aliases, so tag × category counts the claims with
    that tag and a tag in that category, as the filters read them.
    """

    name: str
    group: str
    key: str
    label: str
    sort: str
    colour: str = "NULL"
    active: str = "TRUE"
    joins: tuple[str, ...] = ()
    aggregated: bool = False  # label and sort are aggregates already

    @property
    def per_claim(self) -> bool:
        return self.name not in ("tag", "category")


def _tag_sort(tag: str, category: str) -> str:
    """The codebook's order (category position, tag position, code) as one sortable string."""
    return (
        f"lpad(COALESCE({category}.position, 999999)::text, 8, '0') || lpad({tag}.position::text, 8, '0') "
        f"|| {tag}.code"
    )


def _dimension(name: str, i: int, bucket: str = "brief") -> _Dimension:
    """Return dimension `name` in slot `i` of a query (its aliases end in i)."""
    t = _tables()
    korean = _korean()
    label_column = "label_ko" if korean else "label_en"
    k = f"d.k{i}"
    b, tg, cat, u = f"b{i}", f"tg{i}", f"cat{i}", f"u{i}"
    brief_joins = (f"JOIN {t['brief']} {b} ON {b}.id = {k}",)
    day = f"COALESCE({b}.publication_date, make_date({b}.publication_year, 1, 1))"
    year = f"EXTRACT(YEAR FROM {day})::int"
    actor_order = (
        f"CASE {k} " + " ".join(f"WHEN '{value}' THEN {n}" for n, value in enumerate(Actor.values)) + " END"
    )
    found: dict[str, dict[str, Any]] = {
        "brief": {
            "group": "x.brief_id",
            "key": f"{b}.slug",
            "label": f"{b}.title",
            "sort": f"COALESCE({day}, DATE '9999-12-31')::text",
            "joins": brief_joins,
        },
        "organisation": {
            "group": "x.brief_id",
            "key": f"COALESCE(NULLIF({b}.organisation, ''), '{NO_ORGANISATION}')",
            "label": f"NULLIF({b}.organisation, '')"
            if korean
            else f"COALESCE(NULLIF({b}.organisation_en, ''), NULLIF({b}.organisation, ''))",
            "sort": f"lower({b}.organisation)",
            "joins": brief_joins,
        },
        "year": {
            "group": "x.brief_id",
            "key": f"COALESCE({year}::text, '{UNDATED}')",
            "label": f"{year}::text",
            "sort": f"lpad(COALESCE({year}, 9999)::text, 4, '0')",
            "joins": brief_joins,
        },
        "period": {  # the timeline's: a brief's day (bucket "brief") or the period holding it;
            # its "label" lists the period's briefs (up to BRIEFS_PER_POINT), its "sort" counts them
            "group": "x.brief_id",
            "key": f"{day}::text || chr(31) || {b}.slug"
            if bucket == "brief"
            else f"date_trunc('{bucket}', {day})::date::text",
            "label": f"array_to_string((array_agg(DISTINCT {b}.slug || chr(31) || {b}.title))"
            f"[1:{BRIEFS_PER_POINT}], chr(30))",
            "sort": f"COUNT(DISTINCT {b}.id)::text",
            "joins": brief_joins,
            "aggregated": True,
        },
        "actor": {"group": "x.actor", "key": k, "label": k, "sort": f"lpad(({actor_order})::text, 4, '0')"},
        "annotator": {
            "group": "x.author_id",
            "key": f"{u}.{t['username']}",
            "label": f"{u}.{t['username']}",
            "sort": f"lower({u}.{t['username']})",
            "joins": (f"JOIN {t['user']} {u} ON {u}.id = {k}",),
        },
        "tag": {
            "group": f"at{i}.tag_id",
            "key": f"{tg}.code",
            "label": f"{tg}.{label_column}",
            "sort": _tag_sort(tg, cat),
            "colour": f"{tg}.colour",
            "active": f"{tg}.active",
            "joins": (
                f"JOIN {t['tag']} {tg} ON {tg}.id = {k}",
                f"LEFT JOIN {t['category']} {cat} ON {cat}.id = {tg}.category_id",
            ),
        },
        "category": {
            "group": f"at{i}_tag.category_id",
            "key": f"COALESCE({cat}.code, '{NO_CATEGORY}')",
            "label": f"{cat}.{label_column}",
            "sort": f"lpad(COALESCE({cat}.position, 999999)::text, 8, '0') || COALESCE({cat}.code, '')",
            "joins": (f"LEFT JOIN {t['category']} {cat} ON {cat}.id = {k}",),
        },
    }
    if name not in found:
        raise ClaimsQueryError(f"unknown dimension {name!r}: one of {', '.join(DIMENSIONS)}")
    return _Dimension(name=name, **found[name])


def _with_claims(*, user: User, filters: ClaimsFilters) -> tuple[str, list[Any]]:
    """Return the WITH clause every view starts with, and its parameters: `claims`, the
    claims the user may see with the filters but without the test that each has a tag,
    and `sel`, those with a tag. A count that joins the tag links reads `claims` (the join
    is the test); PostgreSQL inlines both into each count that reads them."""
    selection, params = claims_selection_sql(user=user, filters=filters, tagged=False)
    t = _tables()
    return (
        f"WITH claims AS NOT MATERIALIZED ({selection}), "
        f"sel AS NOT MATERIALIZED (SELECT * FROM claims c WHERE EXISTS "
        f"(SELECT 1 FROM {t['annotation_tags']} ct WHERE ct.annotation_id = c.id)) ",
        params,
    )


def _category_condition(cat: str, filters: ClaimsFilters) -> tuple[str, list[Any]]:
    named = [code for code in filters.categories if code != NO_CATEGORY]
    clause = f"{cat}.code = ANY(%s)"
    if NO_CATEGORY in filters.categories:
        clause = f"({clause} OR {cat}.id IS NULL)"
    return clause, [named]


def _groups(dimensions: list[_Dimension], filters: ClaimsFilters) -> tuple[str, list[Any]]:
    """Return step one: the claims grouped by the dimensions' small keys, as
    (k0, k1, n). A claim appears once per tag it joins, so counting rows is exact unless a
    category is involved (two tags of one category) or two tag dimensions meet: then the
    claim is made distinct first. A tag dimension counts only the tags the tag filter names,
    a category dimension only the categories its filter names."""
    t = _tables()
    joined = any(not d.per_claim for d in dimensions)
    source, where, params = [f"FROM {'claims' if joined else 'sel'} x"], ["TRUE"], []
    for i, d in enumerate(dimensions):
        if d.per_claim:
            continue
        at = f"at{i}"
        source.append(f"JOIN {t['annotation_tags']} {at} ON {at}.annotation_id = x.id")
        if d.name == "tag" and filters.tags:
            source.append(f"JOIN {t['tag']} {at}_tag ON {at}_tag.id = {at}.tag_id")
            where.append(f"{at}_tag.code = ANY(%s)")
            params.append(list(filters.tags))
        if d.name == "category":
            source.append(f"JOIN {t['tag']} {at}_tag ON {at}_tag.id = {at}.tag_id")
            if filters.categories:
                source.append(f"LEFT JOIN {t['category']} {at}_cat ON {at}_cat.id = {at}_tag.category_id")
                clause, clause_params = _category_condition(f"{at}_cat", filters)
                where.append(clause)
                params += clause_params
    keys = [f"{d.group} AS k{i}" for i, d in enumerate(dimensions)]
    keys += [f"NULL::int AS k{i}" for i in range(len(dimensions), 2)]
    distinct = any(d.name == "category" for d in dimensions) or sum(not d.per_claim for d in dimensions) > 1
    rows = (
        f"SELECT {'DISTINCT x.id, ' if distinct else ''}{', '.join(keys)} {' '.join(source)} "
        f"WHERE {' AND '.join(where)}"
    )
    return f"SELECT k0, k1, COUNT(*) AS n FROM ({rows}) r GROUP BY k0, k1", params


def _count_part(
    part: int, names: list[str], filters: ClaimsFilters, bucket: str = "brief"
) -> tuple[str, list[Any]]:
    """Return one SELECT of a view's UNION: claims counted by these (up to two) dimensions.

    Columns: part, key 0, key 1, count, then label, sort, colour, active of each.
    """
    dimensions = [_dimension(name, i, bucket) for i, name in enumerate(names)]
    groups, params = _groups(dimensions, filters)
    joins, outer, keys = [], [], []
    for i in range(2):
        if i >= len(dimensions):
            outer += ["NULL"] * 5
            continue
        d = dimensions[i]
        joins += d.joins
        keys.append(d.key)
        label, sort = (d.label, d.sort) if d.aggregated else (f"MIN({d.label})", f"MIN({d.sort})")
        outer += [d.key, label, sort, f"MIN({d.colour})", f"bool_and({d.active})"]
    k0, l0, s0, c0, a0, k1, l1, s1, c1, a1 = outer
    group = f"GROUP BY {', '.join(keys)}" if keys else ""
    sql = f"""
        SELECT {part}, {k0}, {k1}, SUM(d.n)::bigint, {l0}, {s0}, {c0}, {a0}, {l1}, {s1}, {c1}, {a1}
        FROM ({groups}) d {" ".join(joins)} {group}
    """
    return sql, params


def _fetch(sql: str, params: list[Any]) -> list[tuple]:
    """Run a view's one aggregate query under settings.MARGINALIA_CLAIMS_SECONDS: past it,
    PostgreSQL cancels the query and the caller hears it as a ClaimsQueryError."""
    milliseconds = max(1, int(settings.MARGINALIA_CLAIMS_SECONDS * 1000))
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # For this transaction only: the time limit, room to hash the groups in memory, and
            # no JIT: the self-joins' row estimates are far too high, and compiling the plan
            # they price took longer (0.6 s) than running it.
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true), set_config('work_mem', %s, true), "
                "set_config('jit', 'off', true)",
                [str(milliseconds), CLAIMS_WORK_MEM],
            )
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            # A read keeps nothing: rolling its block back also ends the time limit and the
            # memory setting with it, where a caller's transaction goes on (they are LOCAL to
            # the transaction, and a released savepoint would keep them).
            transaction.set_rollback(True)
            return rows
    except OperationalError as exc:
        if not isinstance(exc.__cause__, QueryCanceled):
            raise
        raise ClaimsQueryError(
            str(
                _("Counting these claims took longer than %(seconds)s seconds: narrow the filters.")
                % {"seconds": f"{settings.MARGINALIA_CLAIMS_SECONDS:g}"}
            )
        ) from exc


class _Links:
    """The Annotations page's URLs of a view's counts: the filters are encoded once, and each
    count adds its own values (a dimension's GET parameter is its name), replacing the
    filter's values of those parameters, as ClaimsFilterForm reads them back."""

    def __init__(self, filters: ClaimsFilters) -> None:
        self.base = reverse("annotations:browse")
        self.items = filters.query_items()
        self.prefixes: dict[frozenset[str], str] = {}
        self.encoded: dict[tuple[str, str | tuple[str, ...]], str] = {}  # a matrix repeats its keys

    def url(self, **values: str | list[str]) -> str:
        names = frozenset(values)
        prefix = self.prefixes.get(names)
        if prefix is None:
            kept = [("claims", "1"), *[(name, value) for name, value in self.items if name not in names]]
            prefix = self.prefixes[names] = f"{self.base}?{urlencode(kept)}"
        parts = [prefix]
        for name, value in values.items():
            key = (name, value if isinstance(value, str) else tuple(value))
            part = self.encoded.get(key)
            if part is None:
                part = self.encoded[key] = urlencode({name: value}, doseq=True)
            parts.append(part)
        return "&".join(parts)


def _label(dimension: str, key: str, label: str | None) -> str:
    if dimension == "actor":
        return str(Actor(key).label) if key in Actor.values else key
    if label:
        return label
    if dimension == "year":
        return str(_("Undated"))
    if dimension == "organisation":
        return str(_("No organisation"))
    if dimension == "category":
        return str(_("No category"))
    return key


def _sorted(keys: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort == "total":
        return sorted(keys, key=lambda k: (-k["total"], k["_sort"], k["key"]))
    if sort == "label":
        return sorted(keys, key=lambda k: (k["label"].casefold(), k["key"]))
    return sorted(keys, key=lambda k: (k["_sort"] or "", k["key"]))


def _payload(kind: str, filters: ClaimsFilters, **content: Any) -> dict[str, Any]:
    return {"kind": kind, **content, "filters": filters.as_dict(), "generated_at": timezone.now().isoformat()}


def claims_matrix(
    *, user: User, rows: str, columns: str, filters: ClaimsFilters, sort: str = "natural"
) -> dict[str, Any]:
    """Return the count of claims per (row, column) value, with row, column and grand totals.

    Totals count distinct claims: one with two tags counts once in its brief's total, so a
    total need not be the sum of its cells.
    """
    if rows == columns:
        raise ClaimsQueryError(
            str(_("Rows and columns must be different: tag × tag is the co-occurrence view."))
        )
    if sort not in SORTS:
        raise ClaimsQueryError(f"unknown sort {sort!r}: one of {', '.join(SORTS)}")
    row, column = _dimension(rows, 0), _dimension(columns, 1)
    links = _Links(filters)
    selection, selection_params = _with_claims(user=user, filters=filters)
    # Cells, then each total a sum cannot give: across a per-claim dimension (a partition of
    # the claims) totals are sums of cells; across tags they are not (a claim has several).
    parts = [_count_part(0, [rows, columns], filters)]
    if not column.per_claim:
        parts.append(_count_part(1, [rows], filters))
    if not row.per_claim:
        parts.append(_count_part(2, [columns], filters))
    if not row.per_claim and not column.per_claim:
        parts.append(_count_part(3, [], filters))
    sql = selection + " UNION ALL ".join(part for part, _ in parts)
    fetched = _fetch(sql, [*selection_params, *[p for _, params in parts for p in params]])
    cells, total = [], 0
    row_info: dict[str, dict[str, Any]] = {}
    column_info: dict[str, dict[str, Any]] = {}
    row_totals: dict[str, int] = {}
    column_totals: dict[str, int] = {}
    for part, k0, k1, count, l0, s0, c0, a0, l1, s1, c1, a1 in fetched:
        if part == 0:
            cells.append({"row": k0, "column": k1, "count": count})
            row_info.setdefault(k0, {"label": l0, "sort": s0, "colour": c0, "active": a0})
            column_info.setdefault(k1, {"label": l1, "sort": s1, "colour": c1, "active": a1})
            if column.per_claim:
                row_totals[k0] = row_totals.get(k0, 0) + count
            if row.per_claim:
                column_totals[k1] = column_totals.get(k1, 0) + count
        elif part == 1:
            row_totals[k0] = count
        elif part == 2:
            column_totals[k0] = count
        else:
            total = count
    if row.per_claim:
        total = sum(row_totals.values())
    elif column.per_claim:
        total = sum(column_totals.values())
    row_keys = [_key(rows, key, **row_info[key], total=row_totals[key], links=links) for key in row_info]
    column_keys = [
        _key(columns, key, **column_info[key], total=column_totals[key], links=links) for key in column_info
    ]
    for cell in cells:
        cell["share"] = (
            round(cell["count"] / row_totals[cell["row"]], 4) if row_totals.get(cell["row"]) else 0.0
        )
        cell["url"] = links.url(**{rows: cell["row"], columns: cell["column"]})
    row_keys, column_keys = _sorted(row_keys, sort), _sorted(column_keys, sort)
    row_order = {k["key"]: i for i, k in enumerate(row_keys)}
    column_order = {k["key"]: i for i, k in enumerate(column_keys)}
    cells.sort(key=lambda c: (row_order[c["row"]], column_order[c["column"]]))
    return _payload(
        "matrix",
        filters,
        rows={"dimension": rows, "label": str(DIMENSION_LABELS[rows])},
        columns={"dimension": columns, "label": str(DIMENSION_LABELS[columns])},
        row_keys=[_public(k) for k in row_keys],
        column_keys=[_public(k) for k in column_keys],
        cells=cells,
        total=total,
        total_url=links.url(),
        sort=sort,
    )


def _key(
    dimension: str,
    key: str,
    *,
    label: str | None,
    sort: str | None,
    colour: str | None,
    active: bool | None,
    total: int,
    links: _Links,
) -> dict[str, Any]:
    found = {"key": key, "label": _label(dimension, key, label), "total": total, "_sort": sort or ""}
    if dimension == "tag":
        found["colour"] = colour
        found["active"] = bool(active)
    found["url"] = links.url(**{dimension: key})
    return found


def _public(key: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in key.items() if not name.startswith("_")}


def _period_bounds(bucket: str, day: dt.date) -> tuple[dt.date, dt.date, str]:
    """Return the first and last day of the bucket holding `day`, and its label."""
    if bucket == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), f"{day.year}"
    if bucket == "quarter":
        first_month = 3 * ((day.month - 1) // 3) + 1
        last_month = first_month + 2
        last = calendar.monthrange(day.year, last_month)[1]
        return (
            dt.date(day.year, first_month, 1),
            dt.date(day.year, last_month, last),
            f"{day.year} Q{(day.month - 1) // 3 + 1}",
        )
    if bucket == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return dt.date(day.year, day.month, 1), dt.date(day.year, day.month, last), f"{day:%Y-%m}"
    return day, day, f"{day:%Y-%m-%d}"


def claims_timeline(*, user: User, series: str, bucket: str, filters: ClaimsFilters) -> dict[str, Any]:
    """Return claims per series value (tag, actor or category) over publication dates.

    A brief with only a year is dated 1 January of it; claims in undated briefs are counted
    in "undated". With bucket "brief" each point is one brief on its publication date.
    """
    if series not in SERIES:
        raise ClaimsQueryError(f"unknown series {series!r}: one of {', '.join(SERIES)}")
    if bucket not in BUCKETS:
        raise ClaimsQueryError(f"unknown bucket {bucket!r}: one of {', '.join(BUCKETS)}")
    links = _Links(filters)
    selection, selection_params = _with_claims(user=user, filters=filters)
    parts = [_count_part(0, ["period", series], filters, bucket), _count_part(1, ["year"], filters)]
    sql = selection + " UNION ALL ".join(part for part, _ in parts)
    fetched = _fetch(sql, [*selection_params, *[p for _, params in parts for p in params]])
    info: dict[str, dict[str, Any]] = {}
    totals: dict[str, int] = {}
    points, undated = [], 0
    for part, k0, k1, count, briefs, n_briefs, _c0, _a0, l1, s1, c1, a1 in fetched:
        if part == 1:
            undated = count if k0 == UNDATED else undated
            continue
        # The period partitions the claims (one brief each), so a series' total is a sum.
        info.setdefault(k1, {"label": l1, "sort": s1, "colour": c1, "active": a1})
        totals[k1] = totals.get(k1, 0) + count
        if k0 is None:
            continue
        day_text, _, brief_slug = k0.partition(chr(31))
        period_day = dt.date.fromisoformat(day_text)
        first, last, period_label = _period_bounds(bucket, period_day)
        if bucket == "brief":
            url = links.url(**{series: k1, "brief": brief_slug})
        else:
            url = links.url(
                **{
                    series: k1,
                    "date_from": max(first, filters.date_from or first).isoformat(),
                    "date_to": min(last, filters.date_to or last).isoformat(),
                }
            )
        points.append(
            {
                "period": period_day.isoformat(),
                "period_label": period_label,
                "series": k1,
                "count": count,
                "brief_count": int(n_briefs),
                "briefs": [
                    dict(zip(("slug", "title"), one.split(chr(31), 1), strict=True))
                    for one in briefs.split(chr(30))
                ],
                "url": url,
            }
        )
    keys = [_key(series, key, **info[key], total=totals[key], links=links) for key in info]
    keys = _sorted(keys, "natural")
    order = {k["key"]: i for i, k in enumerate(keys)}
    points.sort(key=lambda p: (p["period"], order[p["series"]]))
    for key in keys:
        key.pop("active", None)
    return _payload(
        "timeline",
        filters,
        series_dimension=series,
        series_label=str(DIMENSION_LABELS[series]),
        bucket=bucket,
        series=[_public(k) for k in keys],
        points=points,
        undated=undated,
        undated_url=links.url(year=UNDATED) if undated else None,
    )


def claims_cooccurrence(*, user: User, scope: str, filters: ClaimsFilters) -> dict[str, Any]:
    """Return, for each pair of tags, how many claims take part in their co-occurrence.

    scope "passage": a claim with one tag whose passage is, or overlaps, a passage with the
    other (one annotation with both tags included); "section": a claim with one tag in a
    section where a claim has the other. The diagonal is the claims with the tag. Both orders
    of a pair are given, with the same count; each links to exactly the claims counted.
    """
    if scope not in SCOPES:
        raise ClaimsQueryError(f"unknown scope {scope!r}: one of {', '.join(SCOPES)}")
    t = _tables()
    links = _Links(filters)
    label_column = "label_ko" if _korean() else "label_en"
    selection, selection_params = claims_selection_sql(user=user, filters=filters)
    # The claims' tags, as the tag filter keeps them.
    tag_filter, params = "", []
    if filters.tags:
        tag_filter = f"JOIN {t['tag']} ft ON ft.id = at.tag_id AND ft.code = ANY(%s)"
        params.append(list(filters.tags))
    if scope == "section":
        # Per section and tag, n claims; per section and pair of tags, the claims with both.
        # The claims of a pair in a section where both occur: n(first) + n(second) - n(both).
        pairs = """
            st AS (SELECT section_id, tag_id, COUNT(*) AS n FROM xt GROUP BY section_id, tag_id),
            both_tags AS (
                SELECT a.section_id, a.tag_id AS t1, b.tag_id AS t2, COUNT(*) AS n
                FROM xt a JOIN xt b ON b.id = a.id AND a.tag_id < b.tag_id
                GROUP BY a.section_id, a.tag_id, b.tag_id
            ),
            counted AS (
                SELECT p.tag_id AS t1, q.tag_id AS t2, SUM(p.n + q.n - COALESCE(bo.n, 0)) AS n
                FROM st p JOIN st q ON q.section_id = p.section_id AND p.tag_id < q.tag_id
                LEFT JOIN both_tags bo
                    ON bo.section_id = p.section_id AND bo.t1 = p.tag_id AND bo.t2 = q.tag_id
                GROUP BY p.tag_id, q.tag_id
                UNION ALL
                SELECT tag_id, tag_id, SUM(n) FROM st GROUP BY tag_id
            )
        """
    else:
        # A claim takes part in a pair when it has one tag and itself, or a claim whose
        # passage overlaps it in the same section, has the other.
        pairs = """
            overlapping AS (
                SELECT x.id AS xid, y.id AS yid FROM sel x
                JOIN sel y ON y.section_id = x.section_id AND x.start < y."end" AND y.start < x."end"
                    AND y.id <> x.id
            ),
            involved AS (
                SELECT LEAST(a.tag_id, b.tag_id) AS t1, GREATEST(a.tag_id, b.tag_id) AS t2, a.id
                FROM xt a JOIN xt b ON b.id = a.id
                UNION
                SELECT LEAST(a.tag_id, b.tag_id), GREATEST(a.tag_id, b.tag_id), o.xid
                FROM overlapping o JOIN xt a ON a.id = o.xid JOIN xt b ON b.id = o.yid
            ),
            counted AS (SELECT t1, t2, COUNT(*) AS n FROM involved GROUP BY t1, t2)
        """
    sql = f"""
        WITH sel AS MATERIALIZED ({selection}),
        xt AS MATERIALIZED (
            SELECT x.id, x.section_id, at.tag_id FROM sel x
            JOIN {t["annotation_tags"]} at ON at.annotation_id = x.id {tag_filter}
        ),
        {pairs}
        SELECT tg1.code, tg2.code, c.n::bigint, tg1.{label_column}, tg1.colour, tg1.active,
               {_tag_sort("tg1", "c1")}
        FROM counted c
        JOIN {t["tag"]} tg1 ON tg1.id = c.t1
        JOIN {t["tag"]} tg2 ON tg2.id = c.t2
        LEFT JOIN {t["category"]} c1 ON c1.id = tg1.category_id
    """
    fetched = _fetch(sql, [*selection_params, *params])
    counts: dict[tuple[str, str], int] = {}
    tags: dict[str, dict[str, Any]] = {}
    for code1, code2, count, label, colour, active, sort in fetched:
        counts[(code1, code2)] = counts[(code2, code1)] = count
        if code1 == code2:  # every claim pairs with itself, so every tag counted has this row
            tags[code1] = {
                "key": code1,
                "label": label or code1,
                "colour": colour,
                "active": bool(active),
                "total": count,
                "_sort": sort,
            }
    keys = _sorted(list(tags.values()), "natural")
    cells = []
    for row in keys:
        for column in keys:
            count = counts.get((row["key"], column["key"]))
            if count:
                pair = list(dict.fromkeys((row["key"], column["key"])))
                url = links.url(tag=pair, pair=f"{row['key']},{column['key']}", scope=scope)
                cells.append({"row": row["key"], "column": column["key"], "count": count, "url": url})
    for key in keys:
        key["url"] = links.url(tag=key["key"])
    return _payload("cooccurrence", filters, scope=scope, tags=[_public(k) for k in keys], cells=cells)


def claims_table_rows(payload: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Return a payload as a table (header, rows), for downloads and the table under a chart."""
    kind = payload["kind"]
    if kind == "matrix":
        columns = payload["column_keys"]
        counts = {(c["row"], c["column"]): c["count"] for c in payload["cells"]}
        header = [
            f"{payload['rows']['label']} \\ {payload['columns']['label']}",
            *[c["label"] for c in columns],
            str(_("Total")),
        ]
        rows = [
            [r["label"], *[counts.get((r["key"], c["key"]), 0) for c in columns], r["total"]]
            for r in payload["row_keys"]
        ]
        rows.append([str(_("Total")), *[c["total"] for c in columns], payload["total"]])
        return header, rows
    if kind == "timeline":
        labels = {s["key"]: s["label"] for s in payload["series"]}
        header = [str(_("Period")), payload["series_label"], str(_("Claims")), str(_("Briefs"))]
        rows = [
            [
                p["period_label"],
                labels.get(p["series"], p["series"]),
                p["count"],
                "; ".join(b["title"] for b in p["briefs"]),
            ]
            for p in payload["points"]
        ]
        if payload["undated"]:
            rows.append([str(_("Undated")), "", payload["undated"], ""])
        return header, rows
    if kind == "cooccurrence":
        tags = payload["tags"]
        counts = {(c["row"], c["column"]): c["count"] for c in payload["cells"]}
        header = [str(_("Tag")), *[t["label"] for t in tags]]
        rows = [[r["label"], *[counts.get((r["key"], c["key"]), 0) for c in tags]] for r in tags]
        return header, rows
    raise ClaimsQueryError(f"unknown payload kind {kind!r}")
