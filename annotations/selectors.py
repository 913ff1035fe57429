"""Reads for the codebook and annotations, shared by pages, API, export and admin.

Every read of annotations starts from annotations_visible_to(), so a private
annotation can never reach anyone but its author, whatever the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet

from annotations.models import Annotation, Tag, Visibility
from briefs.models import Brief, Section

User = AbstractBaseUser | AnonymousUser


def tag_list(*, active: bool | None = None) -> QuerySet[Tag]:
    """Return the codebook's tags in codebook order, with their categories."""
    qs = Tag.objects.select_related("category")
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("category__position", "position", "code")


def annotation_browse(
    *,
    user: User,
    brief: str | None = None,
    tag: str | None = None,
    actor: str | None = None,
    author: str | None = None,
    q: str | None = None,
    within: QuerySet[Annotation] | None = None,
) -> QuerySet[Annotation]:
    """Return annotation_list's annotations across all briefs (brief is a slug), optionally
    with every word of `q` in the quote, note or a tag label (search.selectors.annotation_text_q),
    and only those of `within` (the claims behind a count), newest change first, section and
    brief loaded."""
    qs = annotation_list(user=user, tag=tag, author=author, actor=actor)
    if within is not None:
        qs = qs.filter(pk__in=within.values("pk"))
    if brief:
        qs = qs.filter(section__brief__slug=brief)
    if q:
        # The search's rules (every word, Korean-aware), as the API's list and search use.
        from search.selectors import annotation_text_q

        qs = qs.filter(annotation_text_q(q))
    return qs.select_related("section__brief").order_by("-updated_at", "-pk")


def tag_usage(user: User) -> dict[int, int]:
    """Return {tag id: number of live annotations the user may see with that tag} (one query)."""
    rows = (
        annotations_visible_to(user)
        .filter(tags__isnull=False)
        .values("tags")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    return {row["tags"]: row["n"] for row in rows}


def annotations_visible_to(user: User) -> QuerySet[Annotation]:
    """Return the live annotations the user may see: their own, and everyone's shared ones.

    Anonymous visitors see none: "shared" means shared with every signed-in user.
    """
    return annotations_in_sight_of(user).alive()


def annotations_in_sight_of(user: User) -> QuerySet[Annotation]:
    """Return the annotations the user may see, deleted ones included (for sync tombstones).

    The one place the visibility rule is written: its author's, or shared with signed-in users.
    """
    if not user.is_authenticated:
        return Annotation.objects.none()
    return Annotation.objects.filter(visible_to_q(user))


def of_brief_q(brief: Brief | OuterRef) -> Q:
    """The annotations of a brief (a Brief, or OuterRef to a brief's id), as a condition.

    It reads the brief id the database keeps on each annotation with its reading position
    (migration 0013's triggers: always its section's brief, 0 for a detached tombstone), so
    it is one range of the reading-order index, not a join of every section: the section
    join let PostgreSQL scan the whole "shared" index once per section of the brief.
    """
    return Q(position_brief=brief.pk if isinstance(brief, Brief) else brief)


def visible_to_q(user: User) -> Q:
    """The visibility rule as a condition, for a signed-in user."""
    return Q(visibility=Visibility.SHARED) | Q(author_id=user.pk)


def annotation_list(
    *,
    user: User,
    brief: Brief | None = None,
    section: Section | None = None,
    tag: str | None = None,
    author: str | None = None,
    actor: str | None = None,
    mine: bool = False,
) -> QuerySet[Annotation]:
    """Return the annotations the user may see, filtered, in reading order.

    tag is a tag code, author a username; untagged highlights have no tag.
    """
    qs = annotations_visible_to(user)
    if brief is not None:
        qs = qs.filter(of_brief_q(brief))
    if section is not None:
        qs = qs.filter(section=section)
    if tag:
        qs = qs.filter(tags__code=tag)
    if author:
        qs = qs.filter(author__username=author)
    if actor:
        qs = qs.filter(actor=actor)
    if mine:
        qs = qs.filter(author_id=user.pk)
    return (
        qs.select_related("author")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("category__position", "position")))
        .order_by("position_section", "start", "-end", "pk")  # position_section: its section's position
    )


def annotation_get(*, user: User, pk: int) -> Annotation:
    """Return one annotation the user may see (raises Annotation.DoesNotExist otherwise)."""
    return annotation_list(user=user).select_related("section__brief").get(pk=pk)


def annotation_for_write(*, user: User, pk: int) -> Annotation:
    """Return one annotation the user may see, to change (raises Annotation.DoesNotExist).

    With what its answer presents joined in (author, section and brief, not the section's
    text) and without its tags: the service reads those under the row's lock.
    """
    return (
        annotations_visible_to(user)
        .select_related("author", "section__brief")
        .defer("section__text")
        .get(pk=pk)
    )


@dataclass(frozen=True)
class AnnotationFacets:
    """Counts of the annotations a user may see in a brief, by each filter's values."""

    total: int = 0
    untagged: int = 0
    mine: int = 0
    tags: dict[int, int] = field(default_factory=dict)  # tag id -> count
    authors: list[tuple[str, int]] = field(default_factory=list)  # (username, count), by name
    actors: dict[str, int] = field(default_factory=dict)  # actor value -> count


def annotation_facets(*, user: User, brief: Brief) -> AnnotationFacets:
    """Return the filter counts for a brief in one aggregate query.

    GROUPING SETS counts every dimension (tag, author, actor, total) in one pass; the
    ORM cannot say it, so the visible set comes from the same selector, as the derived
    table it reads (not "id IN (...)", which looked every row up again by its key).
    """
    if not user.is_authenticated:
        return AnnotationFacets()
    visible = (
        annotations_visible_to(user).filter(of_brief_q(brief)).order_by().values("id", "author_id", "actor")
    )
    sub_sql, params = visible.query.sql_with_params()
    user_model = get_user_model()
    tables = {
        "t": connection.ops.quote_name(Annotation.tags.through._meta.db_table),
        "u": connection.ops.quote_name(user_model._meta.db_table),
        "username": connection.ops.quote_name(user_model._meta.get_field(user_model.USERNAME_FIELD).column),
    }
    sql = f"""
        SELECT GROUPING(t.tag_id), GROUPING(a.author_id), GROUPING(a.actor),
               t.tag_id, a.author_id, u.{tables["username"]}, a.actor, COUNT(DISTINCT a.id)
        FROM ({sub_sql}) a
        LEFT JOIN {tables["t"]} t ON t.annotation_id = a.id
        JOIN {tables["u"]} u ON u.id = a.author_id
        GROUP BY GROUPING SETS ((t.tag_id), (a.author_id, u.{tables["username"]}), (a.actor), ())
    """
    total = untagged = mine = 0
    tags: dict[int, int] = {}
    authors: list[tuple[str, int]] = []
    actors: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for g_tag, g_author, g_actor, tag_id, author_id, username, actor, count in cursor.fetchall():
            if g_tag and g_author and g_actor:
                total = count
            elif not g_tag:
                if tag_id is None:
                    untagged = count
                else:
                    tags[tag_id] = count
            elif not g_author:
                authors.append((username, count))
                if author_id == user.pk:
                    mine = count
            else:
                actors[actor] = count
    authors.sort(key=lambda pair: pair[0].casefold())
    return AnnotationFacets(
        total=total, untagged=untagged, mine=mine, tags=tags, authors=authors, actors=actors
    )
