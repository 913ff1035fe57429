"""Filtered, cursor-paged annotation lists and the race-free change feed (API and Protocol).

Everything starts from the selectors' visibility rule, so the API can show no more
than the pages do.

Cursor pages
    A page is the next ``limit`` rows after the cursor in a total order that ends in
    the primary key, so pages neither skip nor repeat rows while the data stands
    still. The cursor is opaque: base64url of [ordering, sort key..., id].

The change feed (``ordering=updated``)
    A naive cursor on (updated_at, id) loses rows: updated_at is taken when a
    transaction writes, but the transaction may commit after a later-stamped one
    whose row a consumer has already paged past. The feed therefore orders rows by
    their *change sequence* (Annotation.change_seq), the 64-bit id (xid8) of the
    transaction that last wrote the row, which a trigger stores on every insert and
    update whatever the code path (migration 0005), and hands out only rows written by
    transactions below the *horizon*: the oldest transaction still in progress
    (from pg_current_snapshot()), or the next id to be assigned when none is.
    Every transaction below the horizon has finished, and any later write gets a
    larger id than any the consumer has seen, so "everything after my cursor"
    is exact: nothing committed late is missed, nothing is handed out twice unless
    it changed again. A long transaction delays the feed until it ends; it never
    makes it skip. A page is one range scan of the index on (change_seq, id), from
    the cursor up to the horizon, so it costs the page, not the table.

    Details that keep it exact (see Horizon): PostgreSQL may reuse a snapshot while
    no transaction completes, so a reader inside its own writing transaction (tests)
    is handed its own rows, the ones stamped with its id, in the order of the
    savepoints that wrote them (their xmin); a cursor beyond the database's
    transaction counter (a restore into a new cluster) is refused with 400
    so the consumer resyncs instead of waiting forever. Such a restore carries the
    stored sequences along: rows stamped beyond the new cluster's counter are held
    back until it passes them (delayed, never lost); any UPDATE restamps them at once.
    Rows last written before the column existed carry the sequence the feed used to
    compute from their xmin, so the cursors it handed out then stay valid.

    With include_deleted=true the feed also tells the consumer what left its
    results: an annotation it could see (shared, or its own) that was deleted, or
    edited out of the filters (a tag removed, the actor or note changed), comes as a
    stub {id, deleted: true, updated}. Filters that cannot change after creation
    (brief, section, author, publication date, created_*) bound the stream itself.
    Deleting a brief turns all its annotations into tombstones detached from their
    section (briefs.services.brief_delete); they still match the brief and section
    filters by the slug and section id they remember, and pass any publication date.
    An annotation someone else made private comes as a stub once, dated when it was made
    private (unshared_at): its author's later private edits neither bring it back nor
    date it (see _unshared_not_passed).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Field,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, LessThan

from annotations.models import Annotation, Tag, Visibility
from annotations.selectors import annotations_in_sight_of, annotations_visible_to, visible_to_q
from briefs.models import Section

User = AbstractBaseUser | AnonymousUser

ORDERINGS = ("position", "created", "-created", "updated", "-updated")
FEED_ORDERING = "updated"


class CursorError(ValidationError):
    """The cursor is not one this API handed out for this ordering (answered 400)."""

    def __init__(self, message: str) -> None:
        super().__init__({"cursor": ValidationError(message, code="bad_request")})


@dataclass(frozen=True)
class AnnotationFilters:
    """The API's filters; each is optional. Timestamps must be timezone-aware."""

    brief: str | None = None  # slug
    section: int | None = None
    tags: tuple[str, ...] = ()
    tag_mode: str = "any"  # any | all
    actor: str | None = None
    author: str | None = None  # username
    visibility: str | None = None
    q: str | None = None  # every word, as annotation search matches them
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    updated_after: dt.datetime | None = None
    updated_before: dt.datetime | None = None
    published_since: dt.date | None = None

    def fixed_q(self) -> Q:
        """Conditions a row meets for life (its brief, section, author and creation never change)."""
        q = Q()
        # A tombstone detached from its deleted brief (section null) keeps matching where
        # it was, so a consumer syncing that brief or section learns it is gone.
        if self.brief:
            q &= Q(section__brief__slug=self.brief) | Q(section__isnull=True, former_brief_slug=self.brief)
        if self.section is not None:
            q &= Q(section_id=self.section) | Q(section__isnull=True, former_section_id=self.section)
        if self.author:
            q &= Q(author__username=self.author)
        if self.created_after:
            q &= Q(created_at__gt=self.created_after)
        if self.created_before:
            q &= Q(created_at__lt=self.created_before)
        if self.updated_after:
            q &= Q(updated_at__gt=self.updated_after)
        if self.updated_before:
            q &= Q(updated_at__lt=self.updated_before)
        if self.published_since:
            since = self.published_since
            # A brief known only by its year is in if its year is (inclusive).
            # A detached tombstone no longer knows its brief's date: it passes, as a stub a
            # consumer without that annotation simply ignores.
            q &= (
                Q(section__brief__publication_date__gte=since)
                | Q(
                    section__brief__publication_date__isnull=True,
                    section__brief__publication_year__gte=since.year,
                )
                | Q(section__isnull=True)
            )
        return q

    def editable_q(self) -> Q:
        """Conditions an edit can change: tags, actor, visibility, note."""
        q = Q()
        through = Annotation.tags.through
        if self.tags:
            if self.tag_mode == "all":
                for code in dict.fromkeys(self.tags):
                    q &= Exists(through.objects.filter(annotation_id=OuterRef("pk"), tag__code=code))
            else:
                q &= Exists(through.objects.filter(annotation_id=OuterRef("pk"), tag__code__in=self.tags))
        if self.actor:
            q &= Q(actor=self.actor)
        if self.visibility:
            q &= Q(visibility=self.visibility)
        if self.q:
            # The search's rules (every word, Korean-aware), so the list and search agree.
            from search.selectors import annotation_text_q

            q &= annotation_text_q(self.q)
        return q


def annotation_prefetch(qs: QuerySet[Annotation]) -> QuerySet[Annotation]:
    """Load what both presenters need: author, section and brief, tags in codebook order.

    Prefetched rather than joined: a page shares a few sections and authors, so each is
    built once (not once per row) and the sections' long texts are not fetched at all.
    """
    tags = Prefetch("tags", queryset=Tag.objects.order_by("category__position", "position", "code"))
    sections = Prefetch(
        "section",
        queryset=Section.objects.select_related("brief").only(
            "id", "brief_id", "position", "anchor", "brief__id", "brief__slug"
        ),
    )
    authors = Prefetch(
        "author",
        queryset=get_user_model().objects.only(
            "id", get_user_model().USERNAME_FIELD, "first_name", "last_name"
        ),
    )
    return qs.prefetch_related(tags, sections, authors)


def annotation_native_rows(qs: QuerySet[Annotation]) -> QuerySet[Annotation]:
    """Join in what the native presenter reads off the relations: the brief's slug, the author.

    With with_tags() after it a page is two queries, not four (annotations.schemas.
    annotation_native reads these values when they are there).
    """
    return qs.annotate(
        brief_slug=F("section__brief__slug"),
        author_username=F(f"author__{get_user_model().USERNAME_FIELD}"),
    )


def with_tags(rows: list[Annotation]) -> list[Annotation]:
    """Attach each row's tags in codebook order (tag_list, read by Annotation.listed_tags),
    with one query for the page.

    Not a subquery in the page's own select list: PostgreSQL would run it for every row it
    sorts (the whole result, in reading order), not for the page it keeps.
    """
    tags: dict[int, list[Tag]] = {a.pk: [] for a in rows}
    links = (
        Annotation.tags.through.objects.filter(annotation_id__in=list(tags))
        .select_related("tag")
        .order_by("annotation_id", "tag__category__position", "tag__position", "tag__code")
    )
    for link in links:
        tags[link.annotation_id].append(link.tag)
    for annotation in rows:
        annotation.tag_list = tags[annotation.pk]
    return rows


# Cursors ---------------------------------------------------------------------------------


def cursor_encode(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str, ordering: str) -> list[Any]:
    """Return the sort key a cursor holds (raises CursorError if it is not ours)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise CursorError("The cursor is not valid: use the `next` URL as given.") from exc
    if not isinstance(values, list) or not values or values[0] != ordering:
        raise CursorError("The cursor belongs to another ordering: use the `next` URL as given.")
    key = values[1:]
    expected = {"position": [int, int, int, int], "updated": [int, int]}.get(ordering, [str, int])
    if len(key) != len(expected) or not all(
        type(v) is t
        for v, t in zip(key, expected, strict=True)  # noqa: E721 - bool is not int here
    ):
        raise CursorError("The cursor is not valid: use the `next` URL as given.")
    if expected[0] is str:
        try:
            key[0] = dt.datetime.fromisoformat(key[0])
        except ValueError as exc:
            raise CursorError("The cursor is not valid: use the `next` URL as given.") from exc
        if key[0].tzinfo is None:
            raise CursorError("The cursor is not valid: use the `next` URL as given.")
    return key


def _after(fields: list[tuple[str, bool]], key: list[Any]) -> GreaterThan | LessThan:
    """Return the rows after `key` in the order of `fields` ((name, descending) pairs, one direction).

    Written as a row comparison, (a, b) > (x, y), not as a > x OR (a = x AND b > y):
    PostgreSQL starts an index scan on (a, b) right at the key, which is what keeps a
    feed page O(page) when many rows share a change sequence.
    """
    (descending,) = {desc for _, desc in fields}

    def row(*values: Any) -> Func:
        return Func(*values, function="ROW", output_field=Field())

    after = LessThan if descending else GreaterThan
    return after(row(*[F(name) for name, _ in fields]), row(*[Value(v) for v in key]))


# The change sequence ---------------------------------------------------------------------

_XID_WRAP = 1 << 32
_MAX_ID = (1 << 63) - 1


@dataclass(frozen=True)
class Horizon:
    """Where the feed stands in transaction ids (64-bit xid8), read from one snapshot.

    below   every transaction id below it that could write here has finished: the
            oldest one of this database still in progress, or the snapshot's xmax.
    xmax    the snapshot's first unassigned id (PostgreSQL may reuse a snapshot while no
            transaction completes, so the caller's own id can be at or above it).
    own     the caller's transaction id, if it has written (only tests and other
            atomic blocks read the feed inside a writing transaction).
    standby whether it was read on a streaming replica, which may lag behind a cursor
            the primary handed out (config.replica).
    """

    below: int
    xmax: int
    own: int | None
    standby: bool = False

    def settled(self) -> Q:
        """Return the rows the feed may hand out now.

        Rows written below the horizon, plus the caller's own uncommitted rows, which
        only it can see. The trigger stamps those with its top-level id, even inside a
        savepoint, and no other row it can see carries that id (a transaction that
        committed meanwhile has another), so no pg_xact_status is needed to tell them.
        """
        q = Q(change_seq__lt=self.below)
        if self.own is not None:
            q |= Q(change_seq=self.own)
        return q

    def seq(self) -> F | _OwnRowsSeq:
        """Return the feed's sort key: change_seq, except for the caller's own rows.

        Those all carry the caller's id, so a caller reading the feed between its own
        writes would never get a row again once paged past it. They are placed instead
        by the (sub)transaction that last wrote them, as before change_seq was stored: a
        savepoint's id lies above the top-level one and within 2^31 of it, which fixes
        the epoch of the row's 32-bit xmin, so each savepoint (each atomic service call)
        comes after the previous one.
        """
        return F("change_seq") if self.own is None else _OwnRowsSeq(self.own)


class _OwnRowsSeq(Expression):
    """Horizon.seq() for a caller with rows of its own: SQL on the row's xmin, which is no
    model field, written against whatever alias the annotation table has in the query that
    compiles it (a page's ids are selected in a subquery, where it is U0)."""

    output_field = BigIntegerField()

    def __init__(self, own: int) -> None:
        super().__init__()
        self.own = own

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[int, ...]]:  # noqa: ARG002
        db_table = Annotation._meta.db_table
        [alias] = [
            alias
            for alias, table in compiler.query.alias_map.items()
            if table.table_name == db_table and table.join_type is None
        ]
        table = compiler.quote_name_unless_alias(alias)
        offset = f"mod(mod({table}.xmin::text::bigint - %s, {_XID_WRAP}) + {_XID_WRAP}, {_XID_WRAP})"
        sql = f"(CASE WHEN {table}.change_seq = %s THEN %s + {offset} ELSE {table}.change_seq END)"
        return sql, (self.own, self.own, self.own % _XID_WRAP)


def feed_horizon(using: str = DEFAULT_DB_ALIAS) -> Horizon:
    """Return the current horizon of the database `using` (two queries, one on a replica).

    Transaction ids are shared by every database of the cluster, but only transactions
    connected to this database can write its rows: the oldest of *those* bounds the
    feed, so a long transaction elsewhere on a shared server does not hold it back.
    The backends are read after the snapshot (a transaction that starts in between has
    an id at or above the snapshot's xmax, which bounds the feed anyway). If some
    backends of this database are hidden from our role, every running id counts.

    On a streaming replica the primary's transactions are not among its backends, and its
    snapshot lists none of them as running (it keeps them apart, as the ids the primary's
    WAL has named); its xmin is the oldest of them, of every database of the cluster, so
    that is the horizon there.
    """
    with connections[using].cursor() as cursor:
        return horizon_read(cursor)


def horizon_read(cursor: Any) -> Horizon:
    """Read the horizon through a DB-API cursor (feed_horizon's queries)."""
    # Clearing the statistics snapshot makes the next read of pg_stat_activity fresh
    # even inside a transaction (which would otherwise reuse its first read).
    cursor.execute(
        "SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned()::text::bigint,"
        " pg_stat_clear_snapshot(), pg_is_in_recovery()"
    )
    snapshot, own, _, standby = cursor.fetchone()
    if standby:
        xmin_text, xmax_text, _ = snapshot.split(":")
        return Horizon(below=int(xmin_text), xmax=int(xmax_text), own=None, standby=True)
    cursor.execute(
        "SELECT backend_xid::text::bigint, query = '<insufficient privilege>' FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        " UNION ALL SELECT transaction::text::bigint, false FROM pg_prepared_xacts"
        " WHERE database = current_database()"
    )
    backends = cursor.fetchall()
    _, xmax_text, xip_text = snapshot.split(":")
    xmax = int(xmax_text)
    running = [int(x) for x in xip_text.split(",") if x]
    if not any(hidden for _, hidden in backends):
        ours = {xid for xid, _ in backends if xid is not None}
        running = [x for x in running if x % _XID_WRAP in ours]  # backend_xid is 32-bit
    return Horizon(below=min(running, default=xmax), xmax=xmax, own=own)


# The list ----------------------------------------------------------------------------------


@dataclass
class FeedPage:
    """One page: the annotations (with .gone True for stubs), the next cursor, whether more wait."""

    items: list[Annotation] = field(default_factory=list)
    next_cursor: str | None = None
    has_more: bool = False


def _sort_fields(ordering: str) -> list[tuple[str, bool]]:
    return {
        "position": [
            ("position_brief", False),
            ("position_section", False),
            ("start", False),
            ("pk", False),
        ],
        "created": [("created_at", False), ("pk", False)],
        "-created": [("created_at", True), ("pk", True)],
        "updated": [("feed_seq", False), ("pk", False)],
        "-updated": [("updated_at", True), ("pk", True)],
    }[ordering]


def _key_of(annotation: Annotation, ordering: str) -> list[Any]:
    if ordering == "position":
        return [annotation.position_brief, annotation.position_section, annotation.start, annotation.pk]
    if ordering == "updated":
        return [annotation.feed_seq, annotation.pk]
    stamp = annotation.created_at if ordering in ("created", "-created") else annotation.updated_at
    return [stamp.isoformat(), annotation.pk]


def _unshared_not_passed(user: User, key: list[Any], horizon: Horizon) -> Q:
    """Keep another user's annotation made private only while the cursor is before its unsharing.

    Its stub stands for the moment it was made private (unshared_seq, set by the trigger of
    migration 0007): once the consumer's cursor has passed that moment it has the stub, and
    the author's later private edits, which restamp change_seq, must not send it again
    (they would tell the consumer when the author works on it). The rows stay in the
    (change_seq, id) scan, so a page is still one index range scan.
    """

    def row(*values: Any) -> Func:
        return Func(*values, function="ROW", output_field=Field())

    unshared = Coalesce(F("unshared_seq"), F("change_seq"))
    q = visible_to_q(user) | GreaterThan(row(unshared, F("pk")), row(*[Value(v) for v in key]))
    if horizon.own is not None:
        # The caller's own transaction made it private: its rows' places come from their
        # xmin (Horizon.seq), which unshared_seq cannot follow, so they are kept.
        q |= Q(unshared_seq=horizon.own)
    return q


def annotation_feed(
    *,
    user: User,
    filters: AnnotationFilters,
    ordering: str = "position",
    cursor: str | None = None,
    limit: int = 50,
    include_deleted: bool = False,
) -> FeedPage:
    """Return one cursor page of the annotations the user may see that match the filters.

    ordering=updated is the change feed (see the module docstring); include_deleted
    adds stubs (annotation.gone is True) for what left the user's results.
    """
    if ordering not in ORDERINGS:
        raise ValidationError(f"Unknown ordering {ordering!r}.", code="invalid")
    key = cursor_decode(cursor, ordering) if cursor else None
    if include_deleted:
        qs = annotations_in_sight_of(user)
        if user.is_authenticated:
            # Shared once, private now: the user's copy must drop it, so it comes as a stub.
            qs = Annotation.objects.filter(visible_to_q(user) | Q(ever_shared=True))
        qs = qs.filter(filters.fixed_q())
        alive_and_matching = Q(deleted_at__isnull=True) & filters.editable_q()
        if user.is_authenticated:
            alive_and_matching &= visible_to_q(user)
        qs = qs.annotate(matching=ExpressionWrapper(alive_and_matching, output_field=BooleanField()))
    else:
        qs = annotations_visible_to(user).filter(filters.fixed_q() & filters.editable_q())
    fields = _sort_fields(ordering)
    # ordering=position reads position_brief and position_section, which the database keeps
    # from the section (detached tombstones: 0 and -1, so they come first and the row
    # comparison of the cursor never meets a NULL).
    horizon = None
    if ordering == FEED_ORDERING:
        horizon = feed_horizon(qs.db)  # where the page is read: the replica's, on a replica
        # A replica behind the cursor (it lags the primary that handed it out) answers an empty
        # page that keeps the cursor; the primary behind it was restored from an older state.
        if key is not None and horizon.own is None and not horizon.standby and key[0] >= horizon.xmax:
            raise CursorError(
                "The cursor is ahead of this database (restored from a dump?): sync again from scratch."
            )
        qs = qs.filter(horizon.settled()).annotate(feed_seq=horizon.seq())
        if include_deleted and user.is_authenticated and key is not None:
            qs = qs.filter(_unshared_not_passed(user, key, horizon))
    order = [f"-{name}" if desc else name for name, desc in fields]
    paged = qs.filter(_after(fields, key)) if key is not None else qs
    # The page's ids first, on their own, then its rows joined to brief and author: PostgreSQL
    # estimates a row comparison by its first column, so when many rows share it (one brief,
    # or one transaction's bulk import) it expects a row or two after the cursor and joins
    # and sorts everything after it (0.5 s a page at 100,000). Alone, the ids are one index
    # range scan that stops at the page's end.
    page_ids = paged.order_by(*order).values("pk")[: limit + 1]
    rows = with_tags(list(annotation_native_rows(qs.filter(pk__in=page_ids)).order_by(*order)))
    page = FeedPage(items=rows[:limit], has_more=len(rows) > limit)
    for annotation in page.items:
        annotation.gone = include_deleted and not annotation.matching
        # What someone else made private is gone since then, whatever was edited after.
        hidden = annotation.visibility != Visibility.SHARED and annotation.author_id != user.pk
        annotation.gone_at = (annotation.unshared_at if hidden else None) or annotation.updated_at
    if page.items:
        page.next_cursor = cursor_encode([ordering, *_key_of(page.items[-1], ordering)])
    if horizon is not None and not page.has_more:
        # Everything below the horizon has been handed out: resume from the horizon (or
        # from the last item, if the caller's own rows lie beyond it), so a consumer
        # polling an idle feed neither rescans nor stands still.
        resume = [horizon.below - 1, _MAX_ID]
        if key is not None:
            resume = max(resume, key)
        if page.items:
            resume = max(resume, _key_of(page.items[-1], ordering))
        page.next_cursor = cursor_encode([ordering, *resume])
    elif not page.has_more:
        page.next_cursor = None
    return page


# Versions ---------------------------------------------------------------------------------


def annotation_etag(annotation: Annotation) -> str:
    """Return a strong ETag for the annotation's current version (id and last change)."""
    version = f"{annotation.pk}:{annotation.updated_at.isoformat()}:{annotation.deleted_at is not None}"
    return '"' + hashlib.sha256(version.encode()).hexdigest()[:32] + '"'


class PreconditionFailed(ValidationError):
    """If-Match names a version that is no longer current (answered 412)."""

    def __init__(self) -> None:
        super().__init__(
            "The annotation changed since you read it (If-Match does not match its ETag): "
            "fetch it again and retry.",
            code="precondition_failed",
        )


def if_match_ok(header: str | None, annotation: Annotation) -> bool:
    """Return whether an If-Match header (absent, "*" or a list of ETags) admits the version."""
    if header is None:
        return True
    candidates = [part.strip() for part in header.split(",")]
    return "*" in candidates or annotation_etag(annotation) in candidates
