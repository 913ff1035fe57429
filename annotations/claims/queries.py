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

from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from annotations.claims.filters import (
    NO_CATEGORY,
    NO_ORGANISATION,
    UNDATED,
    ClaimsFilters,
    claims_annotations,
)
from annotations.models import Actor, Annotation, Category, Tag
from annotations.selectors import User
from briefs.models import Brief, Section

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
BRIEFS_PER_POINT = 10  # briefs named in a timeline point's tooltip (the count says how many)


class ClaimsQueryError(ValueError):
    """A request the claims views cannot answer (say, the same dimension for rows and columns)."""


def _tables() -> dict[str, str]:
    user_model = get_user_model()
    quote = connection.ops.quote_name
    return {
        "annotation": quote(Annotation._meta.db_table),
        "annotation_tags": quote(Annotation.tags.through._meta.db_table),
        "tag": quote(Tag._meta.db_table),
        "category": quote(Category._meta.db_table),
        "section": quote(Section._meta.db_table),
        "brief": quote(Brief._meta.db_table),
        "user": quote(user_model._meta.db_table),
        "username": quote(user_model._meta.get_field(user_model.USERNAME_FIELD).column),
    }


def _korean() -> bool:
    return (get_language() or "en").startswith("ko")


@dataclass(frozen=True)
class _Dimension:
    """How one dimension reads in SQL: its key, label, natural sort, and what it joins."""

    key: str
    label: str
    sort: str  # natural order (aggregated with MIN)
    colour: str = "NULL"
    active: str = "TRUE"
    joins: frozenset[str] = frozenset()


def _tag_sort(tag: str, category: str) -> str:
    """The codebook's order (category position, tag position, code) as one sortable string."""
    return (
        f"lpad(COALESCE({category}.position, 999999)::text, 8, '0') || lpad({tag}.position::text, 8, '0') "
        f"|| {tag}.code"
    )


def _dimension(name: str) -> _Dimension:
    korean = _korean()
    t = _tables()
    year = "COALESCE(EXTRACT(YEAR FROM b.publication_date)::int, b.publication_year)"
    actor_order = (
        "CASE a.actor "
        + " ".join(f"WHEN '{value}' THEN {i}" for i, value in enumerate(Actor.values))
        + " END"
    )
    label_column = "label_ko" if korean else "label_en"
    found = {
        "brief": _Dimension(
            key="b.slug",
            label="b.title",
            sort="COALESCE(b.publication_date, make_date(b.publication_year, 1, 1), DATE '9999-12-31')::text",
        ),
        "organisation": _Dimension(
            key=f"COALESCE(NULLIF(b.organisation, ''), '{NO_ORGANISATION}')",
            label="NULLIF(b.organisation, '')"
            if korean
            else "COALESCE(NULLIF(b.organisation_en, ''), NULLIF(b.organisation, ''))",
            sort="lower(b.organisation)",
        ),
        "actor": _Dimension(key="a.actor", label="a.actor", sort=f"lpad(({actor_order})::text, 4, '0')"),
        "tag": _Dimension(
            key="tg.code",
            label=f"tg.{label_column}",
            sort=_tag_sort("tg", "cat"),
            colour="tg.colour",
            active="tg.active",
            joins=frozenset({"tags"}),
        ),
        "category": _Dimension(
            key=f"COALESCE(cat.code, '{NO_CATEGORY}')",
            label=f"cat.{label_column}",
            sort="lpad(COALESCE(cat.position, 999999)::text, 8, '0') || COALESCE(cat.code, '')",
            joins=frozenset({"tags"}),
        ),
        "annotator": _Dimension(
            key=f"u.{t['username']}",
            label=f"u.{t['username']}",
            sort=f"lower(u.{t['username']})",
            joins=frozenset({"user"}),
        ),
        "year": _Dimension(
            key=f"COALESCE(({year})::text, '{UNDATED}')",
            label=f"({year})::text",
            sort=f"lpad(COALESCE({year}, 9999)::text, 4, '0')",
        ),
    }
    if name not in found:
        raise ClaimsQueryError(f"unknown dimension {name!r}: one of {', '.join(DIMENSIONS)}")
    return found[name]


def _selection(*, user: User, filters: ClaimsFilters) -> tuple[str, list[Any]]:
    """Return the SQL and parameters selecting the ids of the claims counted."""
    qs = claims_annotations(user=user, filters=filters).order_by().values("pk")
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def _tag_join_condition(filters: ClaimsFilters) -> tuple[str, list[Any]]:
    """The tag and category filters, as a condition on the joined tag (tg) and category (cat):
    a tag-wise count counts only the tags the filter asks for."""
    parts, params = [], []
    if filters.tags:
        parts.append("tg.code = ANY(%s)")
        params.append(list(filters.tags))
    if filters.categories:
        named = [code for code in filters.categories if code != NO_CATEGORY]
        clause = "cat.code = ANY(%s)"
        if NO_CATEGORY in filters.categories:
            clause = f"({clause} OR cat.id IS NULL)"
        parts.append(clause)
        params.append(named)
    return (" AND ".join(parts) or "TRUE"), params


def _from_clause(joins: set[str], filters: ClaimsFilters) -> tuple[str, list[Any]]:
    t = _tables()
    sql = [
        f"FROM {t['annotation']} a",
        f"JOIN {t['section']} s ON s.id = a.section_id",
        f"JOIN {t['brief']} b ON b.id = s.brief_id",
    ]
    params: list[Any] = []
    if "user" in joins:
        sql.append(f"JOIN {t['user']} u ON u.id = a.author_id")
    if "tags" in joins:
        condition, params = _tag_join_condition(filters)
        sql += [
            f"JOIN {t['annotation_tags']} at ON at.annotation_id = a.id",
            f"JOIN {t['tag']} tg ON tg.id = at.tag_id",
            f"LEFT JOIN {t['category']} cat ON cat.id = tg.category_id",
            f"WHERE {condition}",
        ]
    return "\n".join(sql), params


def _browse_url(filters: ClaimsFilters, **extra: str) -> str:
    items = [("claims", "1"), *filters.query_items(), *extra.items()]
    return f"{reverse('annotations:browse')}?{urlencode(items)}"


def _narrowed(filters: ClaimsFilters, dimension: str, key: str) -> ClaimsFilters:
    """Return the filters narrowed to one value of a dimension (a row, column or series)."""
    if dimension == "brief":
        return filters.replace(briefs=(key,))
    if dimension == "organisation":
        return filters.replace(organisations=(key,))
    if dimension == "actor":
        return filters.replace(actors=(key,))
    if dimension == "tag":
        return filters.replace(tags=(key,))
    if dimension == "category":
        return filters.replace(categories=(key,))
    if dimension == "annotator":
        return filters.replace(annotators=(key,))
    if dimension == "year":
        return filters.replace(years=(None if key == UNDATED else int(key),))
    raise ClaimsQueryError(f"unknown dimension {dimension!r}")


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
    row, column = _dimension(rows), _dimension(columns)
    selection, selection_params = _selection(user=user, filters=filters)
    from_sql, join_params = _from_clause(set(row.joins | column.joins), filters)
    where = "AND" if "WHERE" in from_sql else "WHERE"
    sql = f"""
        SELECT GROUPING(x.rk), GROUPING(x.ck), x.rk, x.ck, COUNT(DISTINCT x.id),
               MIN(x.rl), MIN(x.rs), MIN(x.rc), bool_and(x.ra),
               MIN(x.cl), MIN(x.cs), MIN(x.cc), bool_and(x.ca)
        FROM (
            SELECT a.id,
                   {row.key} AS rk, {row.label} AS rl, {row.sort} AS rs, {row.colour} AS rc,
                   {row.active} AS ra,
                   {column.key} AS ck, {column.label} AS cl, {column.sort} AS cs, {column.colour} AS cc,
                   {column.active} AS ca
            {from_sql}
            {where} a.id IN ({selection})
        ) x
        GROUP BY GROUPING SETS ((x.rk, x.ck), (x.rk), (x.ck), ())
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*join_params, *selection_params])
        fetched = cursor.fetchall()
    row_keys, column_keys, cells, total = [], [], [], 0
    row_totals: dict[str, int] = {}
    for g_row, g_column, rk, ck, count, rl, rs, rc, ra, cl, cs, cc, ca in fetched:
        if g_row and g_column:
            total = count
        elif g_column:  # a row's total
            row_totals[rk] = count
            row_keys.append(_key(rows, rk, rl, rs, rc, ra, count, filters))
        elif g_row:
            column_keys.append(_key(columns, ck, cl, cs, cc, ca, count, filters))
        else:
            cells.append({"row": rk, "column": ck, "count": count})
    for cell in cells:
        narrowed = _narrowed(_narrowed(filters, rows, cell["row"]), columns, cell["column"])
        cell["share"] = (
            round(cell["count"] / row_totals[cell["row"]], 4) if row_totals.get(cell["row"]) else 0.0
        )
        cell["url"] = _browse_url(narrowed)
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
        total_url=_browse_url(filters),
        sort=sort,
    )


def _key(
    dimension: str,
    key: str,
    label: str | None,
    sort: str | None,
    colour: str | None,
    active: bool | None,
    total: int,
    filters: ClaimsFilters,
) -> dict[str, Any]:
    found = {"key": key, "label": _label(dimension, key, label), "total": total, "_sort": sort or ""}
    if dimension == "tag":
        found["colour"] = colour
        found["active"] = bool(active)
    found["url"] = _browse_url(_narrowed(filters, dimension, key))
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
    dimension = _dimension(series)
    day = "COALESCE(b.publication_date, make_date(b.publication_year, 1, 1))"
    period = day if bucket == "brief" else f"date_trunc('{bucket}', {day})::date"
    brief_key = "b.slug" if bucket == "brief" else "''"
    selection, selection_params = _selection(user=user, filters=filters)
    from_sql, join_params = _from_clause(set(dimension.joins), filters)
    where = "AND" if "WHERE" in from_sql else "WHERE"
    sql = f"""
        SELECT GROUPING(x.period), GROUPING(x.sk), x.period, x.bk, x.sk, COUNT(DISTINCT x.id),
               MIN(x.sl), MIN(x.ss), MIN(x.sc), COUNT(DISTINCT x.brief_id),
               (array_agg(DISTINCT x.brief))[1:{BRIEFS_PER_POINT}]
        FROM (
            SELECT a.id, {period} AS period, {brief_key} AS bk, b.id AS brief_id,
                   b.slug || chr(31) || b.title AS brief,
                   {dimension.key} AS sk, {dimension.label} AS sl, {dimension.sort} AS ss,
                   {dimension.colour} AS sc
            {from_sql}
            {where} a.id IN ({selection})
        ) x
        GROUP BY GROUPING SETS ((x.period, x.bk, x.sk), (x.sk), (x.period))
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*join_params, *selection_params])
        fetched = cursor.fetchall()
    keys, points, undated = [], [], 0
    for g_period, g_series, period_day, brief_slug, sk, count, sl, ss, sc, n_briefs, briefs in fetched:
        if g_period:  # a series' total
            keys.append(_key(series, sk, sl, ss, sc, True, count, filters))
        elif g_series:
            if period_day is None:
                undated = count
        elif period_day is not None:
            first, last, period_label = _period_bounds(bucket, period_day)
            narrowed = _narrowed(filters, series, sk)
            if bucket == "brief":
                narrowed = narrowed.replace(briefs=(brief_slug,))
            else:
                narrowed = narrowed.replace(
                    date_from=max(first, filters.date_from or first),
                    date_to=min(last, filters.date_to or last),
                )
            points.append(
                {
                    "period": period_day.isoformat(),
                    "period_label": period_label,
                    "series": sk,
                    "count": count,
                    "brief_count": n_briefs,
                    "briefs": [
                        dict(zip(("slug", "title"), one.split(chr(31), 1), strict=True)) for one in briefs
                    ],
                    "url": _browse_url(narrowed),
                }
            )
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
        undated_url=_browse_url(filters.replace(years=(None,))) if undated else None,
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
    korean = _korean()
    label_column = "label_ko" if korean else "label_en"
    selection, selection_params = _selection(user=user, filters=filters)
    condition, condition_params = _tag_join_condition(filters)
    meets = 'x.id = y.id OR (x.start < y."end" AND y.start < x."end")' if scope == "passage" else "TRUE"
    sql = f"""
        WITH v AS MATERIALIZED (
            SELECT a.id, a.section_id, a.start, a."end", tg.id AS tag_id
            FROM {t["annotation"]} a
            JOIN {t["annotation_tags"]} at ON at.annotation_id = a.id
            JOIN {t["tag"]} tg ON tg.id = at.tag_id
            LEFT JOIN {t["category"]} cat ON cat.id = tg.category_id
            WHERE {condition} AND a.id IN ({selection})
        ),
        pairs AS (
            SELECT DISTINCT x.tag_id AS t1, y.tag_id AS t2, x.id
            FROM v x JOIN v y ON y.section_id = x.section_id AND ({meets})
        )
        SELECT tg1.code, tg2.code, COUNT(DISTINCT p.id), MIN(tg1.{label_column}), MIN(tg1.colour),
               bool_and(tg1.active),
               MIN({_tag_sort("tg1", "c1")})
        FROM (SELECT LEAST(t1, t2) AS t1, GREATEST(t1, t2) AS t2, id FROM pairs) p
        JOIN {t["tag"]} tg1 ON tg1.id = p.t1
        JOIN {t["tag"]} tg2 ON tg2.id = p.t2
        LEFT JOIN {t["category"]} c1 ON c1.id = tg1.category_id
        GROUP BY p.t1, tg1.code, p.t2, tg2.code
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*condition_params, *selection_params])
        fetched = cursor.fetchall()
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
                pair_filters = filters.replace(tags=tuple(dict.fromkeys((row["key"], column["key"]))))
                url = _browse_url(pair_filters, pair=f"{row['key']},{column['key']}", scope=scope)
                cells.append({"row": row["key"], "column": column["key"], "count": count, "url": url})
    for key in keys:
        key["url"] = _browse_url(filters.replace(tags=(key["key"],)))
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
