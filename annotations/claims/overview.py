"""The claims overview of one brief: what its tagged claims say, by tag, actor and section.

One aggregate query (GROUPING SETS) over the annotations the user may see, so the reader's
Claims panel costs the page one query whatever the number of annotations. A claim is an
annotation with at least one tag: untagged highlights are not counted. Retired tags still
count (their annotations keep them) and are marked.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from annotations.claims.filters import NO_CATEGORY, ClaimsFilters
from annotations.models import Actor, Annotation, Category, Tag, pick_label
from annotations.selectors import annotations_visible_to, of_brief_q
from briefs.models import Brief, Section, SectionKind

User = AbstractBaseUser | AnonymousUser

HEAT_LEVELS = 4  # CSS classes heat-1 … heat-4 (static/css/claims-overview.css); 0 is empty

# GROUPING(category, tag, actor, section): a bit is set for each column the row is NOT
# grouped by, the first column the highest bit.
_CATEGORY_ACTOR, _CATEGORY = 0b0101, 0b0111
_TAG_ACTOR, _TAG, _TAG_SECTION = 0b1001, 0b1011, 0b1010
_SECTION, _ACTOR, _TOTAL = 0b1110, 0b1101, 0b1111


def _sql(sub_sql: str) -> str:
    q = connection.ops.quote_name
    tables = {
        "through": q(Annotation.tags.through._meta.db_table),
        "tag": q(Tag._meta.db_table),
        "category": q(Category._meta.db_table),
        "section": q(Section._meta.db_table),
    }
    return f"""
        WITH counts AS (
            SELECT GROUPING(g.category_id, t.tag_id, a.actor, a.section_id) AS grouping_set,
                   g.category_id, t.tag_id, a.actor, a.section_id, COUNT(DISTINCT a.id) AS n
            FROM ({sub_sql}) a
            JOIN {tables["through"]} t ON t.annotation_id = a.id
            JOIN {tables["tag"]} g ON g.id = t.tag_id
            GROUP BY GROUPING SETS (
                (g.category_id, a.actor), (g.category_id),
                (t.tag_id, a.actor), (t.tag_id), (t.tag_id, a.section_id),
                (a.section_id), (a.actor), ()
            )
        )
        SELECT c.grouping_set, c.category_id, c.tag_id, c.actor, c.section_id, c.n,
               cat.code, cat.label_ko, cat.label_en, cat.position,
               tg.code, tg.label_ko, tg.label_en, tg.colour, tg.active, tg.position, tg.category_id,
               s.anchor, s.heading, s.kind, s.position
        FROM counts c
        LEFT JOIN {tables["category"]} cat ON cat.id = c.category_id
        LEFT JOIN {tables["tag"]} tg ON tg.id = c.tag_id
        LEFT JOIN {tables["section"]} s ON s.id = c.section_id
    """


def _rows(user: User, brief: Brief) -> list[tuple]:
    # The visible rows as the derived table the counts read (not "id IN (...)", which
    # looked every row up again by its key).
    visible = (
        annotations_visible_to(user).filter(of_brief_q(brief)).order_by().values("id", "actor", "section_id")
    )
    sub_sql, params = visible.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_sql(sub_sql), params)
        return cursor.fetchall()


def _section_label(heading: str, kind: str) -> str:
    if heading:
        return heading
    return _("Summary") if kind == SectionKind.SUMMARY else _("Introduction")


def _heat(count: int, top: int) -> int:
    return 0 if count <= 0 or top <= 0 else max(1, math.ceil(HEAT_LEVELS * count / top))


def empty_overview() -> dict[str, Any]:
    """Return the overview of a brief without claims (or for an anonymous visitor)."""
    return {
        "total": 0,
        "browse_url": "",
        "actors": [],
        "categories": [],
        "tags": [],
        "sections": [],
        "section_rows": [],
        "summary": "",
        "most_claimed": None,
    }


def brief_claims_overview(*, user: User, brief: Brief) -> dict[str, Any]:
    """Return a brief's claims by category, tag, actor and section, counted in one query.

    Counts are distinct annotations the user may see (theirs and everyone's shared ones);
    every "url" is the reader filtered to exactly the annotations counted. The reader has no
    category filter and its actor filter keeps untagged highlights, so category and actor
    totals link ("browse_url") to the Annotations page's claims list, which counts as this does.
    """
    if not user.is_authenticated:
        return empty_overview()
    language = get_language()
    reader_url = reverse("briefs:reader", args=[brief.slug])

    def url(fragment: str = "annotated", **query: str) -> str:
        return f"{reader_url}?{urlencode(query)}#{fragment}"

    def browse_url(**narrowed: tuple[str, ...]) -> str:
        filters = ClaimsFilters(briefs=(brief.slug,), **narrowed)
        return f"{reverse('annotations:browse')}?{urlencode([('claims', '1'), *filters.query_items()])}"

    total = 0
    actor_totals: dict[str, int] = {}
    categories: dict[int | None, dict[str, Any]] = {}
    category_actor: dict[int | None, dict[str, int]] = defaultdict(dict)
    tags: dict[int, dict[str, Any]] = {}
    tag_actor: dict[int, dict[str, int]] = defaultdict(dict)
    tag_section: dict[tuple[int, int], int] = {}
    sections: dict[int, dict[str, Any]] = {}
    for row in _rows(user, brief):
        grouping, category_id, tag_id, actor, section_id, n = row[:6]
        cat_code, cat_ko, cat_en, cat_position = row[6:10]
        tag_code, tag_ko, tag_en, colour, active, tag_position, tag_category = row[10:17]
        anchor, heading, kind, section_position = row[17:21]
        if grouping == _TOTAL:
            total = n
        elif grouping == _ACTOR:
            actor_totals[actor] = n
        elif grouping == _CATEGORY:
            categories[category_id] = {
                "key": cat_code or "",
                "label": pick_label(cat_ko, cat_en, language) if cat_code else _("Uncategorised"),
                "count": n,
                "browse_url": browse_url(categories=(cat_code or NO_CATEGORY,)),
                "order": (0, cat_position, cat_code) if cat_code else (1, 0, ""),
            }
        elif grouping == _CATEGORY_ACTOR:
            category_actor[category_id][actor] = n
        elif grouping == _TAG:
            tags[tag_id] = {
                "key": tag_code,
                "label": pick_label(tag_ko, tag_en, language),
                "colour": colour,
                "active": active,
                "count": n,
                "url": url(tag=tag_code),
                "category_id": tag_category,
                "order": (tag_position, tag_code),
            }
        elif grouping == _TAG_ACTOR:
            tag_actor[tag_id][actor] = n
        elif grouping == _TAG_SECTION:
            tag_section[(tag_id, section_id)] = n
        elif grouping == _SECTION:
            sections[section_id] = {
                "id": section_id,
                "anchor": anchor,
                "label": _section_label(heading, kind),
                "is_heading": bool(heading),  # the brief's language; else the interface's
                "count": n,
                "url": f"#{anchor}",
                "position": section_position,
            }
    if not total:
        return empty_overview()

    actors = [
        {
            "key": value,
            "label": str(label),
            "count": actor_totals[value],
            "browse_url": browse_url(actors=(value,)),
        }
        for value, label in Actor.choices
        if value in actor_totals
    ]
    tag_order = sorted(tags, key=lambda pk: (categories[tags[pk]["category_id"]]["order"], tags[pk]["order"]))
    for pk in tag_order:
        tag = tags[pk]
        tag["cells"] = [
            {
                "actor": a["key"],
                "actor_label": a["label"],
                "count": tag_actor[pk].get(a["key"], 0),
                "url": url(tag=tag["key"], actor=a["key"]) if tag_actor[pk].get(a["key"]) else "",
            }
            for a in actors
        ]
    grouped = []
    for category_id in sorted(categories, key=lambda pk: categories[pk]["order"]):
        category = categories[category_id]
        code = category["key"] or NO_CATEGORY
        category["cells"] = [
            {
                "actor": a["key"],
                "actor_label": a["label"],
                "count": category_actor[category_id].get(a["key"], 0),
                "browse_url": browse_url(categories=(code,), actors=(a["key"],)),
            }
            for a in actors
        ]
        category["tags"] = [tags[pk] for pk in tag_order if tags[pk]["category_id"] == category_id]
        grouped.append(category)

    section_order = sorted(sections, key=lambda pk: sections[pk]["position"])
    top = max(tag_section.values(), default=0)
    section_rows = []
    for section_pk in section_order:
        cells = []
        for tag_pk in tag_order:
            count = tag_section.get((tag_pk, section_pk), 0)
            cells.append(
                {
                    "tag": tags[tag_pk]["key"],
                    "tag_label": tags[tag_pk]["label"],
                    "count": count,
                    "heat": _heat(count, top),
                    "url": url(sections[section_pk]["anchor"], tag=tags[tag_pk]["key"]) if count else "",
                }
            )
        section_rows.append({**sections[section_pk], "cells": cells})

    most = _most_claimed(tags, tag_order, tag_actor, tag_section, sections)
    return {
        "total": total,
        "browse_url": browse_url(),
        "actors": actors,
        "categories": grouped,
        "tags": [tags[pk] for pk in tag_order],
        "sections": [sections[pk] for pk in section_order],
        "section_rows": section_rows,
        "summary": _summary(most, tags, sections) if most else "",
        "most_claimed": most,
    }


def _most_claimed(
    tags: dict[int, dict],
    tag_order: list[int],
    tag_actor: dict[int, dict[str, int]],
    tag_section: dict[tuple[int, int], int],
    sections: dict[int, dict],
) -> dict[str, Any] | None:
    """Return the most claimed tag (ties: codebook order), its leading actor and sections."""
    if not tag_order:
        return None
    best = max(tags[pk]["count"] for pk in tag_order)
    leaders = [pk for pk in tag_order if tags[pk]["count"] == best]
    pk = leaders[0]
    by_actor = tag_actor[pk]
    actor, actor_count = max(
        by_actor.items(), key=lambda item: (item[1], -Actor.values.index(item[0])), default=("", 0)
    )
    in_sections = {s: n for (t, s), n in tag_section.items() if t == pk}
    most_in = max(in_sections.values(), default=0)
    top_sections = sorted(
        (s for s, n in in_sections.items() if n == most_in), key=lambda s: sections[s]["position"]
    )
    return {
        "tag": tags[pk]["key"],
        "count": best,
        "tied_with": [tags[other]["key"] for other in leaders[1:]],
        "actor": actor if actor_count * 2 > best else "",
        "actor_count": actor_count,
        "sections": top_sections,
        "all_in_one_section": len(in_sections) == 1,
    }


def _summary(most: dict[str, Any], tags: dict[int, dict], sections: dict[int, dict]) -> str:
    """Say the most claimed tag in one line: how often, mostly by whom, mostly where."""
    by_key = {tag["key"]: tag for tag in tags.values()}
    tag = by_key[most["tag"]]
    label = tag["label"] if tag["active"] else _("%(tag)s (retired)") % {"tag": tag["label"]}
    count = most["count"]
    details = [ngettext("%(count)d annotation", "%(count)d annotations", count) % {"count": count}]
    if most["tied_with"]:
        details.append(
            _("tied with %(tags)s") % {"tags": ", ".join(by_key[key]["label"] for key in most["tied_with"])}
        )
    actor = most["actor"]
    if actor == Actor.UNSPECIFIED:
        details.append(_("mostly with no actor named"))
    elif actor:
        every = most["actor_count"] == count
        phrase = _("all attributed to %(actor)s") if every else _("mostly attributed to %(actor)s")
        details.append(phrase % {"actor": Actor(actor).label})
    names = ", ".join(f"“{sections[pk]['label']}”" for pk in most["sections"])
    if most["all_in_one_section"]:
        details.append(_("all in %(section)s") % {"section": names})
    elif len(most["sections"]) == 1:
        details.append(_("mostly in %(section)s") % {"section": names})
    else:
        details.append(_("most in %(sections)s") % {"sections": names})
    return _("Most claimed: %(tag)s — %(details)s.") % {"tag": label, "details": ", ".join(details)}
