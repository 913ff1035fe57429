from __future__ import annotations

import bisect
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _


class NFC(Func):
    """PostgreSQL normalize(text, NFC): lets the database guard that stored text is NFC."""

    function = "normalize"
    template = "%(function)s(%(expressions)s, NFC)"
    output_field = models.TextField()


class Language(models.TextChoices):
    KOREAN = "ko", "한국어"
    ENGLISH = "en", "English"


class BriefQuerySet(models.QuerySet):
    def with_section_count(self) -> BriefQuerySet:
        return self.annotate(section_count=models.Count("sections"))


class Brief(models.Model):
    slug = models.SlugField(max_length=120, unique=True, allow_unicode=True)
    title = models.CharField(max_length=500)
    subtitle = models.CharField(max_length=500, blank=True)
    organisation = models.CharField(max_length=300, blank=True)
    organisation_en = models.CharField(max_length=300, blank=True)
    series_code = models.CharField(max_length=100, blank=True)
    authors = ArrayField(models.CharField(max_length=300), default=list, blank=True)
    language = models.CharField(max_length=8, choices=Language, default=Language.KOREAN)
    publication_date = models.DateField(null=True, blank=True)
    publication_year = models.PositiveSmallIntegerField(null=True, blank=True)
    source_url = models.URLField(max_length=1000, blank=True)
    copyright = models.CharField(max_length=500, blank=True)
    notes = models.TextField(blank=True, help_text="Disclaimers and other notes printed with the brief.")
    source_filename = models.CharField(max_length=500, blank=True)
    source_format = models.CharField(max_length=16, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    # Which version of the importer made the sections (briefs.importers.IMPORTER_VERSION);
    # 0 for briefs imported before versions were recorded.
    importer_version = models.PositiveSmallIntegerField(default=0)
    # What the importer asks an editor to check ("no headings found", "the title looks like
    # page furniture", "12 block(s) left out as page furniture").
    import_warnings = ArrayField(models.CharField(max_length=500), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BriefQuerySet.as_manager()

    class Meta:
        ordering = ["-publication_year", "title"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="brief_title_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="brief_slug_not_empty"),
            models.CheckConstraint(
                condition=Q(publication_year__isnull=True)
                | Q(publication_year__gte=1800, publication_year__lte=2200),
                name="brief_publication_year_plausible",
            ),
            models.CheckConstraint(condition=Q(title=NFC(F("title"))), name="brief_title_nfc"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def year(self) -> int | None:
        if self.publication_date:
            return self.publication_date.year
        return self.publication_year


class SectionKind(models.TextChoices):
    SUMMARY = "summary", _("Summary")
    BODY = "body", _("Body")


class Section(models.Model):
    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField()
    heading = models.CharField(max_length=500, blank=True)
    level = models.PositiveSmallIntegerField(default=2)
    kind = models.CharField(max_length=16, choices=SectionKind, default=SectionKind.BODY)
    # Empty only for a heading with no text of its own (a chapter heading directly followed by
    # its sub-headings).
    text = models.TextField(blank=True)
    anchor = models.SlugField(max_length=80, allow_unicode=True)
    # Pages of the printed document, where the format has pages: the range the section spans,
    # and where in the text each page's paragraphs begin (`page_offsets[i]` is the code-point
    # offset of the first paragraph starting on page `page_numbers[i]`), for citations.
    page_start = models.PositiveIntegerField(null=True, blank=True)
    page_end = models.PositiveIntegerField(null=True, blank=True)
    page_offsets = ArrayField(models.PositiveIntegerField(), default=list, blank=True)
    page_numbers = ArrayField(models.PositiveIntegerField(), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["brief", "position"]
        constraints = [
            models.UniqueConstraint(fields=["brief", "position"], name="section_unique_position"),
            models.UniqueConstraint(fields=["brief", "anchor"], name="section_unique_anchor"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=6), name="section_level_1_6"),
            models.CheckConstraint(condition=~Q(text="") | ~Q(heading=""), name="section_text_or_heading"),
            models.CheckConstraint(
                condition=Q(page_start__isnull=True)
                | Q(page_end__isnull=True)
                | Q(page_start__lte=F("page_end")),
                name="section_pages_ordered",
            ),
            models.CheckConstraint(
                condition=Q(page_offsets__len=F("page_numbers__len")), name="section_page_marks_paired"
            ),
            models.CheckConstraint(condition=~Q(anchor=""), name="section_anchor_not_empty"),
            models.CheckConstraint(condition=Q(text=NFC(F("text"))), name="section_text_nfc"),
            models.CheckConstraint(condition=Q(heading=NFC(F("heading"))), name="section_heading_nfc"),
        ]

    def __str__(self) -> str:
        return self.heading or f"§{self.position}"

    @property
    def char_count(self) -> int:
        return len(self.text)

    def page_at(self, offset: int) -> int | None:
        """Return the printed page on which the paragraph holding `offset` starts."""
        index = bisect.bisect_right(self.page_offsets, offset) - 1
        if index < 0 or index >= len(self.page_numbers):
            return self.page_start
        return self.page_numbers[index]


class ImportPreview(models.Model):
    """An upload read but not saved yet: what the importer found, as the editor corrects it.

    Kept in the database (not the session cookie) for its owner only, until it is confirmed,
    cancelled or expires. `document` holds the metadata and the sections with their
    paragraphs and pages (see briefs.previews); `version` goes up with every correction, so a
    form from an older state (another tab, a double click) is refused instead of applied to the
    wrong paragraph.
    """

    token = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_previews"
    )
    filename = models.CharField(max_length=500)
    source_format = models.CharField(max_length=16)
    source_sha256 = models.CharField(max_length=64)
    byte_size = models.PositiveIntegerField()
    document = models.JSONField()
    # A re-import: the brief whose new version this is (its replace rules apply on confirm).
    replaces = models.ForeignKey(Brief, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    brief = models.ForeignKey(Brief, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "token"]
        indexes = [models.Index(fields=["owner", "expires_at"], name="preview_owner_expiry")]

    def __str__(self) -> str:
        return f"preview of {self.filename}"


class ImportJob(models.Model):
    """An upload being read into a preview by the background worker (many files, or a large
    one): its bytes until they are read, its progress while it is, then the preview it became
    or the reason it could not be read. Seen by its owner only."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting to be read")
        READING = "reading", _("being read")
        READY = "ready", _("read")
        FAILED = "failed", _("not read")

    token = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    filename = models.CharField(max_length=500)
    # The document until the worker has read it (then emptied: the preview keeps what was found).
    data = models.BinaryField(editable=False)
    byte_size = models.PositiveIntegerField()
    replaces = models.ForeignKey(Brief, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    # Pages read of the pages there are (PDF); 0 of 0 while a format reads in one go.
    pages_done = models.PositiveIntegerField(default=0)
    pages_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # The uploader's interface language, for the reasons the worker writes (it has no request).
    language = models.CharField(max_length=16, blank=True)
    preview = models.OneToOneField(
        ImportPreview, on_delete=models.CASCADE, null=True, blank=True, related_name="job"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "token"]
        indexes = [models.Index(fields=["owner", "created_at"], name="import_job_owner")]
        constraints = [
            models.CheckConstraint(condition=Q(pages_done__lte=F("pages_total")), name="import_job_progress"),
            models.CheckConstraint(
                condition=~Q(state="ready") | Q(preview__isnull=False), name="import_job_ready_has_preview"
            ),
        ]

    def __str__(self) -> str:
        return f"import job for {self.filename}"
