from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def pick_label(label_ko: str, label_en: str, language: str | None = None) -> str:
    """Return the Korean or English label of a codebook entry (the active language by default)."""
    language = language or get_language() or settings.LANGUAGE_CODE
    return label_ko if language.startswith("ko") else label_en


class Category(models.Model):
    """A group of codebook tags, e.g. "negotiation approach"."""

    code = models.SlugField(max_length=60, unique=True)
    label_ko = models.CharField(max_length=200)
    label_en = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.label_en} ({self.label_ko})"

    def label(self, language: str | None = None) -> str:
        """Return the label in `language`, by default the interface's active language."""
        return pick_label(self.label_ko, self.label_en, language)


class Tag(models.Model):
    """A codebook tag an annotator applies to a claim."""

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="tags", null=True, blank=True
    )
    code = models.SlugField(max_length=60, unique=True)
    label_ko = models.CharField(max_length=200)
    label_en = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    decision_rule = models.TextField(blank=True)
    example = models.TextField(blank=True)
    colour = models.CharField(max_length=7, default="#ffd54f", help_text="#rrggbb")
    shortcut = models.CharField(max_length=1, blank=True)
    active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["category__position", "position", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(colour__regex=r"^#[0-9a-fA-F]{6}$"), name="tag_colour_hex"),
            models.UniqueConstraint(
                fields=["shortcut"], condition=~Q(shortcut=""), name="tag_unique_shortcut"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label_en} ({self.label_ko})"

    def label(self, language: str | None = None) -> str:
        """Return the label in `language`, by default the interface's active language."""
        return pick_label(self.label_ko, self.label_en, language)


def codebook_order(tag: Tag) -> tuple:
    """Sort key of tags in codebook order: category position (uncategorised last), position, code.

    What order_by("category__position", "position", "code") gives; the tag's category loaded.
    """
    position = tag.category.position if tag.category_id is not None else None
    return (position is None, position or 0, tag.position, tag.code)


class Actor(models.TextChoices):
    """Who a claim is attributed to."""

    US = "us", _("United States")
    DPRK = "dprk", _("North Korea (DPRK)")
    ROK = "rok", _("South Korea (ROK)")
    CHINA = "china", _("China")
    OTHER = "other", _("Other")
    UNSPECIFIED = "unspecified", _("Unspecified")


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Private (only me)")
    SHARED = "shared", _("Shared with every signed-in user")


class AnnotationQuerySet(models.QuerySet):
    def alive(self) -> AnnotationQuerySet:
        return self.filter(deleted_at__isnull=True)


class Annotation(models.Model):
    """A highlighted passage of a section, optionally tagged as a claim.

    The anchor follows the W3C Web Annotation selectors: start/end are a
    TextPositionSelector in Unicode code points over the section's NFC text, and
    quote/prefix/suffix a TextQuoteSelector that lets a changed text be re-anchored.
    """

    QUOTE_CONTEXT = 32  # code points of prefix and suffix kept with the quote
    NOTE_MAX_LENGTH = 5000

    # PROTECT: a re-import must never silently drop annotations with the old sections.
    # Null only for a tombstone whose brief was deleted (briefs.services.brief_delete): the
    # row stays so sync consumers learn it is gone, and remembers where it was.
    section = models.ForeignKey(
        "briefs.Section", on_delete=models.PROTECT, related_name="annotations", null=True, blank=True
    )
    former_brief_slug = models.CharField(max_length=120, blank=True)
    former_section_id = models.BigIntegerField(null=True, blank=True)
    start = models.IntegerField(help_text="First code point, 0-based, inclusive.")
    end = models.IntegerField(help_text="Code point after the last one (exclusive).")
    quote = models.TextField()
    prefix = models.TextField(blank=True)
    suffix = models.TextField(blank=True)
    tags = models.ManyToManyField(Tag, related_name="annotations", blank=True)
    actor = models.CharField(max_length=16, choices=Actor, default=Actor.UNSPECIFIED)
    note = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations")
    visibility = models.CharField(max_length=16, choices=Visibility, default=Visibility.PRIVATE)
    # Once shared, always remembered: when its author makes it private again, other users'
    # synced copies must learn it is gone (the API's change feed sends them a stub).
    ever_shared = models.BooleanField(default=False)
    # When and in which transaction it was last made private (the trigger of migration 0007
    # sets both as it leaves "shared"). Other users' sync stubs carry this moment, so the
    # author's later private edits tell them nothing (annotations/feed.py).
    unshared_at = models.DateTimeField(null=True, blank=True, editable=False)
    unshared_seq = models.BigIntegerField(null=True, blank=True, editable=False)
    # W3C Protocol: the client's IRI for it, kept from creation (canonical), and the IRI the
    # client sent as its id, which the server replaced with its own (via).
    canonical = models.CharField(max_length=2000, blank=True)
    via = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # The change feed's order (annotations/feed.py): the id (xid8) of the transaction that
    # last wrote the row. A trigger sets it on every insert and update (migration 0005), so
    # no write path can leave it stale; the default only fills Django's INSERT.
    change_seq = models.BigIntegerField(default=0, editable=False)
    # Reading order across briefs, kept by database triggers (migration 0013) from the
    # section: its brief id and position, or (0, -1) for a detached tombstone. The API's
    # reading-order pages are then one index range scan, not a sort of every visible row.
    position_brief = models.BigIntegerField(default=0, editable=False)
    position_section = models.IntegerField(default=-1, editable=False)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["section_id", "start", "-end", "pk"]
        permissions = [
            ("share_annotation", "Can share annotations with every signed-in user"),
            ("moderate_annotation", "Can edit and delete anyone's shared annotations"),
            ("export_annotation", "Can export annotations"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="annotation_start_not_negative"),
            # Only a tombstone may lose its section (its brief was deleted).
            models.CheckConstraint(
                condition=Q(section__isnull=False) | Q(deleted_at__isnull=False),
                name="annotation_section_or_tombstone",
            ),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="annotation_start_before_end"),
            models.CheckConstraint(condition=~Q(quote=""), name="annotation_quote_not_empty"),
            # char_length counts code points, as the offsets do.
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("quote")), name="annotation_quote_matches_span"
            ),
            models.CheckConstraint(condition=Q(actor__in=Actor.values), name="annotation_actor_valid"),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="annotation_visibility_valid"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), 5000), name="annotation_note_max_length"
            ),
        ]
        indexes = [
            models.Index(
                fields=["section", "start"],
                condition=Q(deleted_at__isnull=True),
                name="annotation_alive_by_section",
            ),
            models.Index(fields=["author", "visibility"], name="annotation_author_visibility"),
            # A feed page is one range scan of this: after the cursor, below the horizon, in order.
            models.Index(fields=["change_seq", "id"], name="annotation_change_seq"),
            # So is a page in reading order (ordering=position), tombstones included.
            models.Index(
                fields=["position_brief", "position_section", "start", "id"], name="annotation_reading_order"
            ),
            # The W3C container: its pages walk creation order by key, its "modified" is the
            # newest updated_at, its total counts off the third without reading the table.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(deleted_at__isnull=True),
                name="annotation_alive_created",
            ),
            models.Index(
                fields=["updated_at"], condition=Q(deleted_at__isnull=True), name="annotation_alive_updated"
            ),
            models.Index(
                fields=["visibility", "author"],
                condition=Q(deleted_at__isnull=True),
                name="annotation_alive_visible",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.quote[:40]}"

    @property
    def is_shared(self) -> bool:
        return self.visibility == Visibility.SHARED

    def listed_tags(self) -> list[Tag]:
        """Return the tags: the list a bulk reader attached as tag_list, else tags.all().

        The export (annotations.export.selectors.excerpt_rows) attaches a plain list, which
        costs nothing to read; everyone else prefetches "tags" or pays a query.
        """
        attached = self.__dict__.get("tag_list")
        return attached if attached is not None else list(self.tags.all())


class IdempotencyKey(models.Model):
    """A create request's Idempotency-Key: a retry with it replays the first answer.

    Unique per user and endpoint, so two racing requests with one key make one annotation:
    the second waits on the first's row and replays it (annotations.services).
    """

    TTL_HOURS = 24
    KEY_MAX_LENGTH = 255

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=16)  # api | w3c | reader | bulk
    key = models.CharField(max_length=KEY_MAX_LENGTH)
    request_hash = models.CharField(max_length=64)  # sha256 of the request body
    status = models.PositiveSmallIntegerField(default=201)
    # Set in the transaction that claims the key: a committed key always has its annotation,
    # or for a bulk batch (scope "bulk") its result: {"ids": [...]}.
    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, null=True, related_name="+")
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_key_unique"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_key_created")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class Event(models.Model):
    """A dated event drawn on the claims timeline (a summit, a working-level meeting).

    One shared list, kept by editors: an event of one day has no end date.
    """

    date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    label_ko = models.CharField(max_length=200)
    label_en = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("date")), name="event_end_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(label_ko="") & ~Q(label_en=""), name="event_labels_not_empty"
            ),
            models.UniqueConstraint(fields=["date", "label_en"], name="event_unique_date_label"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.label_en}"

    def label(self, language: str | None = None) -> str:
        """Return the label in `language`, by default the interface's active language."""
        return pick_label(self.label_ko, self.label_en, language)
