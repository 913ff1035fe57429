"""Writes for briefs: importing a document as a brief with its sections, editing, deleting."""

from __future__ import annotations

import datetime
import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from briefs.importers import IMPORTER_VERSION, DocumentError, ParsedDocument, ParsedSection, parse_document
from briefs.models import Brief, Language, Section
from search.services import section_index_refresh

ImportStatus = Literal["created", "unchanged", "replaced"]

METADATA_FIELDS = (
    "title",
    "subtitle",
    "organisation",
    "organisation_en",
    "series_code",
    "authors",
    "language",
    "publication_date",
    "publication_year",
    "source_url",
    "copyright",
    "notes",
    "slug",
)
SLUG_MAX_CHARS = 80
ANCHOR_MAX_CHARS = 60


class BriefImportError(ValueError):
    """A document could not be imported; the message is one line naming the problem."""


@dataclass(frozen=True)
class ImportResult:
    brief: Brief
    status: ImportStatus
    message: str
    # What the editor should check in this import (empty when the importer is confident).
    warnings: tuple[str, ...] = ()


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def _clean_metadata(metadata: dict[str, Any] | None) -> dict[str, Any]:
    """Return the given metadata without unset values, validated and normalised."""
    given = {key: value for key, value in (metadata or {}).items() if value not in (None, "", [], ())}
    unknown = sorted(set(given) - set(METADATA_FIELDS))
    if unknown:
        raise BriefImportError(f"unknown metadata field(s): {', '.join(unknown)}")
    clean: dict[str, Any] = {}
    for key, value in given.items():
        if key == "authors":
            values = [value] if isinstance(value, str) else list(value)
            clean[key] = [_nfc(str(v)) for v in values if str(v).strip()]
        elif key == "publication_year":
            try:
                clean[key] = int(value)
            except (TypeError, ValueError):
                raise BriefImportError(f"publication year {value!r} is not a number") from None
        elif key == "publication_date":
            if isinstance(value, datetime.date):
                clean[key] = value
            else:
                try:
                    clean[key] = datetime.date.fromisoformat(str(value))
                except ValueError:
                    raise BriefImportError(f"publication date {value!r} is not YYYY-MM-DD") from None
        elif key == "language":
            if value not in Language.values:
                raise BriefImportError(
                    f"language {value!r} is not supported (expected one of: {', '.join(Language.values)})"
                )
            clean[key] = value
        else:
            clean[key] = _nfc(str(value))
    if "publication_date" in clean and "publication_year" not in clean:
        clean["publication_year"] = clean["publication_date"].year
    return clean


def slug_for(title: str, sha256: str) -> str:
    slug = slugify(title, allow_unicode=True)[:SLUG_MAX_CHARS].strip("-_")
    return slug or sha256[:12]


PAGE_FIELDS = ("page_start", "page_end", "page_offsets", "page_numbers")


def section_pages(section: ParsedSection) -> dict[str, Any]:
    """Return a section's page fields: its page range and, for each paragraph that starts a
    new page, the paragraph's offset in the text and its page."""
    offsets: list[int] = []
    numbers: list[int] = []
    offset = 0
    paragraphs = section.text.split("\n\n") if section.text else []
    for paragraph, page in zip(paragraphs, section.pages, strict=False):
        if page is not None and page > 0 and (not numbers or numbers[-1] != page):
            offsets.append(offset)
            numbers.append(page)
        offset += len(paragraph) + 2
    start, end = (min(numbers), max(numbers)) if numbers else (None, None)
    return {"page_start": start, "page_end": end, "page_offsets": offsets, "page_numbers": numbers}


# Larger than any real section count: old positions are parked above it during a replace.
POSITION_SHIFT = 1_000_000


def section_anchors(sections: list[ParsedSection]) -> list[str]:
    """Return a stable, unique anchor for each section: the heading's slug, or "summary",
    "introduction" or "section-N" for an unheaded section."""
    anchors: list[str] = []
    seen: set[str] = set()
    for position, section in enumerate(sections):
        base = slugify(section.heading, allow_unicode=True)[:ANCHOR_MAX_CHARS].strip("-_")
        if not base:
            if section.kind == "summary" and "summary" not in seen:
                base = "summary"
            elif position <= 1 and "introduction" not in seen:
                base = "introduction"
            else:
                base = f"section-{position + 1}"
        anchor, n = base, 2
        while anchor in seen:
            anchor = f"{base}-{n}"
            n += 1
        seen.add(anchor)
        anchors.append(anchor)
    return anchors


def _parsed_date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _brief_fields(parsed: ParsedDocument, given: dict[str, Any]) -> dict[str, Any]:
    detected = {
        "title": parsed.title,
        "subtitle": parsed.subtitle,
        "organisation": parsed.organisation,
        "series_code": parsed.series_code,
        "authors": parsed.authors,
        "language": parsed.language if parsed.language in Language.values else Language.KOREAN,
        "publication_year": parsed.publication_year,
        "publication_date": _parsed_date(parsed.publication_date),
        "source_url": parsed.source_url[:1000]
        if parsed.source_url.startswith(("http://", "https://"))
        else "",
        "copyright": parsed.copyright[:500],
        "notes": parsed.notes,
    }
    fields = {**detected, **{k: v for k, v in given.items() if k != "slug"}}
    fields["title"] = _nfc(fields["title"] or "")[:500]
    fields["subtitle"] = (fields["subtitle"] or "")[:500]
    if fields.get("publication_date") and "publication_year" not in given:
        fields["publication_year"] = fields["publication_date"].year
    return fields


def _validate(brief: Brief, sections: list[Section]) -> None:
    try:
        brief.full_clean(validate_unique=False)
        for section in sections:
            section.full_clean(exclude=["brief"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        problems = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
        raise BriefImportError(_one_line(f"invalid document: {problems}")) from None


def _refuse_empty_or_too_large(data: bytes) -> None:
    if not data:
        raise BriefImportError(_("the file is empty"))
    limit = settings.MARGINALIA_MAX_IMPORT_BYTES
    if len(data) > limit:
        raise BriefImportError(
            _("the file is too large (%(size)s bytes; the limit is %(limit)s bytes)")
            % {"size": f"{len(data):,}", "limit": f"{limit:,}"}
        )


def import_lock(*, sha256: str = "", slug: str = "") -> None:
    """Wait until no other transaction is importing the same bytes or the same address, and
    hold that until this transaction ends (PostgreSQL advisory locks). Bytes are always locked
    before addresses, so two imports never wait on each other in a circle."""
    with connection.cursor() as cursor:
        for key in (f"brief-sha256:{sha256}" if sha256 else "", f"brief-slug:{slug}" if slug else ""):
            if key:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def brief_parse(*, data: bytes, filename: str, fmt: str | None = None) -> ParsedDocument:
    """Read a document into metadata and sections without saving anything (for previews and
    --dry-run); raises BriefImportError for a file that cannot be imported."""
    _refuse_empty_or_too_large(data)
    try:
        return parse_document(data, filename=filename, fmt=fmt)
    except DocumentError as exc:
        raise BriefImportError(_one_line(str(exc))) from None
    except RecursionError:
        raise BriefImportError(_("the document is nested too deeply to read")) from None


@transaction.atomic
def brief_import(
    *,
    data: bytes,
    filename: str,
    fmt: str | None = None,
    metadata: dict[str, Any] | None = None,
    replace: bool = False,
) -> ImportResult:
    """Import a document as a brief with its sections.

    Metadata given explicitly overrides what was detected in the document. The same content
    (by SHA-256 of the bytes) imported again is left unchanged, unless `replace` is set: then
    it is read again with the current importer, under the same slug. A different document
    under an existing slug is refused unless `replace` is set. Raises BriefImportError, having
    written nothing, for a file that cannot be imported.
    """
    _refuse_empty_or_too_large(data)
    given = _clean_metadata(metadata)
    sha256 = hashlib.sha256(data).hexdigest()

    existing = Brief.objects.filter(source_sha256=sha256).order_by("pk").first()
    if existing is not None and not replace:
        stale = existing.importer_version < IMPORTER_VERSION
        hint = "; --replace re-reads it with the current importer" if stale else ""
        return ImportResult(
            brief=existing,
            status="unchanged",
            message=f"unchanged {existing.slug}: this content is already imported{hint}",
        )

    parsed = brief_parse(data=data, filename=filename, fmt=fmt)
    return brief_import_parsed(
        parsed=parsed, sha256=sha256, filename=filename, metadata=given, replace=replace, existing=existing
    )


@transaction.atomic
def brief_import_parsed(
    *,
    parsed: ParsedDocument,
    sha256: str,
    filename: str,
    metadata: dict[str, Any] | None = None,
    replace: bool = False,
    existing: Brief | None = None,
) -> ImportResult:
    """Save a document already read (by brief_parse, or corrected in an import preview) as a
    brief, by the rules of brief_import; `existing` is the brief holding the same bytes."""
    given = _clean_metadata(metadata)
    fields = _brief_fields(parsed, given)
    import_lock(sha256=sha256)
    if existing is None:
        # Another import of the same bytes may have committed while this one was reading.
        existing = Brief.objects.filter(source_sha256=sha256).order_by("pk").first()
        if existing is not None and not replace:
            return ImportResult(
                brief=existing,
                status="unchanged",
                message=f"unchanged {existing.slug}: this content is already imported",
            )
    # The same bytes re-read (a newer importer) keep their brief and its address.
    slug = given.get("slug") or (existing.slug if existing else slug_for(fields["title"], sha256))
    import_lock(slug=slug)
    fields.update(
        source_filename=filename[:500],
        source_format=parsed.format,
        source_sha256=sha256,
        importer_version=IMPORTER_VERSION,
        import_warnings=[_one_line(w)[:500] for w in parsed.warnings],
    )

    brief = Brief.objects.select_for_update().filter(slug=slug).first()
    status: ImportStatus
    if brief is None:
        brief = Brief(slug=slug, **fields)
        status = "created"
    elif not replace:
        raise BriefImportError(
            f"a brief with slug '{slug}' already exists with different content; pass --replace to replace it"
        )
    else:
        for name, value in fields.items():
            setattr(brief, name, value)
        status = "replaced"

    sections = [
        Section(
            position=position,
            heading=section.heading,
            level=section.level,
            kind=section.kind,
            text=section.text,
            anchor=anchor,
            **section_pages(section),
        )
        for position, (section, anchor) in enumerate(
            zip(parsed.sections, section_anchors(parsed.sections), strict=True)
        )
    ]
    _validate(brief, sections)

    try:
        with transaction.atomic():
            brief.save()
            if status == "replaced":
                sections, changes = _sections_replace(brief, sections)
            else:
                for section in sections:
                    section.brief = brief
                Section.objects.bulk_create(sections)
                changes = ""
            # The search index is part of the import: same transaction, no signals.
            section_index_refresh(sections=sections)
    except (ProtectedError, RestrictedError) as exc:
        blocking = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
        raise BriefImportError(
            _(
                "cannot replace '%(slug)s': %(count)d record(s) refer to its sections "
                "(annotations?) and protect them; remove those first"
            )
            % {"slug": slug, "count": len(blocking)}
        ) from None
    except IntegrityError as exc:
        raise BriefImportError(_one_line(f"the database refused the brief '{slug}': {exc}")) from None
    except DocumentError as exc:  # the import's time budget, spent while indexing
        raise BriefImportError(_one_line(str(exc))) from None

    noun = "section" if len(sections) == 1 else "sections"
    message = f"{status} {slug}: {len(sections)} {noun}{changes}"
    return ImportResult(brief=brief, status=status, message=message, warnings=tuple(brief.import_warnings))


def _sections_replace(brief: Brief, new: list[Section]) -> tuple[list[Section], str]:
    """Replace a brief's sections, keeping the rows (and so the annotations) of sections that
    survive under the same anchor; a removed section is deleted only if nothing refers to it.

    Annotations on a section whose text changed keep their quote and context, from which the
    reader re-anchors them (or flags them as changed)."""
    old = {section.anchor: section for section in brief.sections.all()}
    kept_anchors = {section.anchor for section in new}
    removed = [section for anchor, section in old.items() if anchor not in kept_anchors]
    # Move the old rows out of the way of the unique (brief, position) constraint first.
    brief.sections.update(position=F("position") + POSITION_SHIFT)
    if removed:
        from annotations.models import Annotation

        # A deleted annotation does not hold its section: it stays a tombstone for sync,
        # detached like those of a deleted brief (see brief_delete).
        Annotation.objects.filter(section__in=removed, deleted_at__isnull=False).update(
            section=None, former_section_id=F("section_id"), former_brief_slug=brief.slug
        )
    for section in removed:
        section.delete()  # PROTECT raises ProtectedError when live annotations refer to it
    saved: list[Section] = []
    updated = created = 0
    for section in new:
        current = old.get(section.anchor)
        if current is None:
            section.brief = brief
            section.save()
            created += 1
            saved.append(section)
            continue
        for field in ("position", "heading", "level", "kind", "text", *PAGE_FIELDS):
            setattr(current, field, getattr(section, field))
        current.save()
        updated += 1
        saved.append(current)
    return saved, f" ({updated} kept, {created} added, {len(removed)} removed)"


ChangeStatus = Literal["kept", "changed", "added", "removed", "refused"]


@dataclass(frozen=True)
class SectionChange:
    """What a re-import does to one section (by anchor, the identity replace keeps)."""

    anchor: str
    heading: str
    status: ChangeStatus
    annotations: int = 0  # the viewer's visible annotations on the current section
    reanchored: int = 0  # of those, on a changed section: found again in the new text
    lost: int = 0  # … and not found (the reader flags them as changed)


@dataclass(frozen=True)
class ReplacePlan:
    changes: tuple[SectionChange, ...]

    def of(self, status: ChangeStatus) -> list[SectionChange]:
        return [change for change in self.changes if change.status == status]

    @property
    def refused(self) -> list[SectionChange]:
        return self.of("refused")

    @property
    def counts(self) -> dict[str, int]:
        """Return how many sections each status has, and the annotations re-anchored or lost."""
        counts = {
            status: len(self.of(status)) for status in ("kept", "changed", "added", "removed", "refused")
        }
        counts["reanchored"] = sum(change.reanchored for change in self.changes)
        counts["lost"] = sum(change.lost for change in self.changes)
        return counts

    def summary(self) -> str:
        counts = self.counts
        return (
            f"{counts['kept']} kept, {counts['changed']} changed ({counts['reanchored']} annotation(s) "
            f"re-anchored, {counts['lost']} to check), {counts['added']} added, {counts['removed']} removed, "
            f"{counts['refused']} refused"
        )


def brief_replace_plan(*, brief: Brief, parsed: ParsedDocument, user: Any = None) -> ReplacePlan:
    """Return what replacing the brief's sections with the parsed ones would do, by the rules
    of _sections_replace: a section survives under its anchor; a current section missing from
    the new version is removed, or refused (the replace fails) while annotations refer to it.

    Annotation counts are the ones `user` may see (all of them when user is None, for the
    command line); whether a section blocks counts every annotation row.
    """
    from annotations.models import Annotation
    from annotations.rendering import resolve_anchor
    from annotations.selectors import annotations_visible_to, of_brief_q

    old = {section.anchor: section for section in brief.sections.order_by("position")}
    rows = Annotation.objects.filter(of_brief_q(brief))
    # Only live annotations hold a section (deleted ones are detached as tombstones).
    blocking = set(rows.alive().values_list("section_id", flat=True).distinct())
    visible_qs = rows.alive() if user is None else annotations_visible_to(user).filter(of_brief_q(brief))
    visible: dict[int, list[Annotation]] = {}
    for annotation in visible_qs.only("section_id", "start", "end", "quote", "prefix", "suffix"):
        visible.setdefault(annotation.section_id, []).append(annotation)
    changes: list[SectionChange] = []
    new_anchors = section_anchors(parsed.sections)
    for section, anchor in zip(parsed.sections, new_anchors, strict=True):
        current = old.get(anchor)
        if current is None:
            changes.append(SectionChange(anchor=anchor, heading=section.heading, status="added"))
            continue
        annotations = visible.get(current.pk, [])
        if current.text == section.text:
            changes.append(
                SectionChange(
                    anchor=anchor, heading=section.heading, status="kept", annotations=len(annotations)
                )
            )
            continue
        found = sum(
            1
            for a in annotations
            if resolve_anchor(
                section.text, start=a.start, end=a.end, quote=a.quote, prefix=a.prefix, suffix=a.suffix
            )
        )
        changes.append(
            SectionChange(
                anchor=anchor,
                heading=section.heading,
                status="changed",
                annotations=len(annotations),
                reanchored=found,
                lost=len(annotations) - found,
            )
        )
    for anchor, current in old.items():
        if anchor in set(new_anchors):
            continue
        status: ChangeStatus = "refused" if current.pk in blocking else "removed"
        changes.append(
            SectionChange(
                anchor=anchor,
                heading=current.heading,
                status=status,
                annotations=len(visible.get(current.pk, [])),
            )
        )
    return ReplacePlan(changes=tuple(changes))


# Editing and deleting ------------------------------------------------------------------

# Every metadata field but the address: that stays, so links and annotation targets keep working.
EDITABLE_FIELDS = tuple(name for name in METADATA_FIELDS if name != "slug")
YEAR_RANGE = (1800, 2200)  # as the brief_publication_year_plausible constraint
LEVELS = range(1, 7)


class BriefEditError(ValueError):
    """An edit was refused, nothing saved; `field` names the form field at fault, if one is."""

    def __init__(self, message: str, *, field: str | None = None, section_id: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.section_id = section_id  # with field "heading" or "level": the section at fault


class BriefDeleteError(ValueError):
    """A brief was not deleted; the message says why and what would allow it."""


@dataclass(frozen=True)
class BriefDeleteResult:
    slug: str
    title: str
    sections: int
    # Live annotations that became tombstones now, and all of the brief's annotations
    # (earlier tombstones included) detached from its sections.
    annotations_deleted: int
    tombstones: int
    message: str


def _storable(value: str, field: str) -> str:
    """Return the value if PostgreSQL can store it as text (no NUL, no lone surrogate)."""
    if "\x00" in value:
        raise BriefEditError(_("%(field)s: null characters are not allowed") % {"field": field}, field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        message = _("%(field)s: the text holds an invalid character (a lone surrogate)") % {"field": field}
        raise BriefEditError(message, field=field) from None
    return value


def _strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def _edited_fields(brief: Brief, fields: dict[str, Any]) -> dict[str, Any]:
    """Return the new values of the given metadata fields, validated as the importer does;
    an empty value clears the field."""
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise BriefEditError(f"these fields cannot be edited: {', '.join(map(str, unknown))}")
    for name, value in fields.items():
        for text in _strings_in(value):
            _storable(text, name)
    authors = fields.get("authors", [])
    if not isinstance(authors, str) and not (
        isinstance(authors, list | tuple) and all(isinstance(a, str) for a in authors)
    ):
        raise BriefEditError("authors: give a list of names", field="authors")
    try:
        clean = _clean_metadata(fields)
    except BriefImportError as exc:
        field = next((name for name in fields if str(exc).startswith(name.replace("_", " "))), None)
        raise BriefEditError(str(exc), field=field) from None
    empty = {"authors": [], "publication_date": None, "publication_year": None}
    new = {name: clean.get(name, empty.get(name, "")) for name in fields}
    if "publication_year" in clean and "publication_year" not in fields:
        new["publication_year"] = clean["publication_year"]  # derived from the date
    if "title" in new and not new["title"]:
        raise BriefEditError("title: a brief needs a title", field="title")
    if "language" in new and not new["language"]:
        raise BriefEditError("language: choose the brief's language", field="language")
    date = new.get("publication_date", brief.publication_date)
    year = new.get("publication_year", brief.publication_year)
    if year is not None and not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        field = "publication_year" if "publication_year" in fields else "publication_date"
        raise BriefEditError(
            f"publication year {year} is out of range ({YEAR_RANGE[0]}–{YEAR_RANGE[1]})", field=field
        )
    if date is not None and year is not None and date.year != year:
        raise BriefEditError(
            f"publication year {year} does not match the publication date {date.isoformat()}",
            field="publication_year",
        )
    return new


def _edited_sections(brief: Brief, sections: list[tuple[int, str, int]]) -> list[tuple[Section, str, int]]:
    """Return (section, new heading, new level) for each edited section of this brief."""
    if not sections:
        return []
    current = {s.pk: s for s in brief.sections.select_for_update()}
    seen: set[int] = set()
    edits: list[tuple[Section, str, int]] = []
    for row in sections:
        try:
            section_id, heading, level = row
        except (TypeError, ValueError):
            raise BriefEditError(_("each section edit is (section id, heading, level)")) from None
        if type(section_id) is not int or section_id not in current:
            raise BriefEditError(_("section %(id)r is not a section of this brief") % {"id": section_id})
        if section_id in seen:
            raise BriefEditError(_("section %(id)r is edited twice") % {"id": section_id})
        seen.add(section_id)
        section = current[section_id]
        label = _("section at position %(position)d") % {"position": section.position}
        if type(level) is not int or level not in LEVELS:
            raise BriefEditError(
                _("%(section)s: the level must be a whole number from 1 to 6, not %(level)r")
                % {"section": label, "level": level},
                field="level",
                section_id=section_id,
            )
        if not isinstance(heading, str):
            raise BriefEditError(
                _("%(section)s: the heading must be text") % {"section": label},
                field="heading",
                section_id=section_id,
            )
        try:
            heading = _one_line(_nfc(_storable(heading, _("%(section)s heading") % {"section": label})))
        except BriefEditError as exc:
            raise BriefEditError(str(exc), field="heading", section_id=section_id) from None
        max_length = Section._meta.get_field("heading").max_length
        if len(heading) > max_length:
            raise BriefEditError(
                _("%(section)s: the heading is longer than %(most)d characters")
                % {"section": label, "most": max_length},
                field="heading",
                section_id=section_id,
            )
        if not heading and not section.text:
            raise BriefEditError(
                _("%(section)s: a section without text of its own needs a heading") % {"section": label},
                field="heading",
                section_id=section_id,
            )
        edits.append((section, heading, level))
    return edits


@transaction.atomic
def brief_update(
    *,
    brief: Brief,
    fields: dict[str, Any],
    sections: list[tuple[int, str, int]] | None = None,
    expected_updated_at: datetime.datetime | None = None,
) -> Brief:
    """Change a brief's metadata and its sections' headings and levels (anchors stay, so
    annotations and links keep working).

    `fields` holds only the fields to change (an empty value clears one); `sections` is
    (section id, heading, level) for the sections to change. With `expected_updated_at`
    the edit is refused if someone else saved the brief since it was read. Raises
    BriefEditError, having saved nothing.
    """
    locked = Brief.objects.select_for_update().filter(pk=brief.pk).first()
    if locked is None:
        raise BriefEditError(_("this brief no longer exists (deleted meanwhile?)"))
    if expected_updated_at is not None and locked.updated_at != expected_updated_at:
        raise BriefEditError(
            _(
                "someone else saved this brief since you opened it: reload the page to see their "
                "changes, then make yours again"
            )
        )
    new = _edited_fields(locked, fields)
    edits = _edited_sections(locked, sections or [])
    for name, value in new.items():
        setattr(locked, name, value)
    try:
        locked.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        message = _one_line(f"{field.replace('_', ' ')}: {' '.join(messages)}")
        raise BriefEditError(message, field=field) from None
    changed_text: list[Section] = []
    for section, heading, level in edits:
        if (section.heading, section.level) == (heading, level):
            continue
        if section.heading != heading:
            changed_text.append(section)
        section.heading, section.level = heading, level
        section.save(update_fields=["heading", "level", "updated_at"])
    # Saved even for section edits alone: updated_at is what the lost-update guard compares.
    locked.save()
    # Headings are indexed (weight A); levels are not.
    section_index_refresh(sections=changed_text)
    return locked


def brief_state(brief: Brief) -> dict[str, Any]:
    """Return what an edit can change, to compare before and after (brief_changes)."""
    state: dict[str, Any] = {name: getattr(brief, name) for name in EDITABLE_FIELDS}
    for section in brief.sections.order_by("position"):
        state[f"section {section.position}"] = (section.heading, section.level)
    return state


def brief_changes(before: dict[str, Any], after: dict[str, Any], *, detail: bool = True) -> list[str]:
    """Return one line per change between two brief_state()s (only what changed, without detail)."""
    lines = []
    for key, old in before.items():
        new = after.get(key)
        if old == new:
            continue
        if not detail:
            lines.append(key.replace("_", " "))
        elif isinstance(old, tuple):
            (old_heading, old_level), (new_heading, new_level) = old, new
            lines.append(f"{key}: L{old_level} {old_heading!r} -> L{new_level} {new_heading!r}")
        else:
            lines.append(f"{key.replace('_', ' ')}: {_shown(old)} -> {_shown(new)}")
    return lines


def _shown(value: Any) -> str:
    if value in (None, "", []):
        return "(empty)"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(repr(item) for item in value)
    return repr(value)


@transaction.atomic
def brief_delete(*, user: Any | None, brief: Brief, with_annotations: bool = False) -> BriefDeleteResult:
    """Delete a brief and its sections; its annotations stay behind as tombstones.

    Refused while live annotations by anyone but `user` (everyone, for user None: the
    command line) remain, unless `with_annotations`. Every annotation of the brief, any
    author, any visibility, is soft-deleted and detached from its section, remembering the
    brief's slug and its section, so the sync feed still tells consumers it is gone.
    """
    # Imported here: annotations depends on briefs, not the other way round.
    from annotations.models import Annotation
    from search.services import annotation_index_refresh

    locked = Brief.objects.select_for_update().filter(pk=brief.pk).first()
    if locked is None:
        raise BriefDeleteError(_("this brief no longer exists (deleted meanwhile?)"))
    # Locking the sections makes a concurrent annotation_create on them wait, then fail
    # (its section is gone), instead of slipping in between the count and the delete.
    section_ids = list(locked.sections.select_for_update().values_list("pk", flat=True))
    annotations = Annotation.objects.filter(section_id__in=section_ids)
    live = annotations.filter(deleted_at__isnull=True)
    others = live if user is None else live.exclude(author_id=user.pk)
    if not with_annotations and others.exists():
        if user is None:
            count = others.count()
            reason = f"it holds {count} live annotation{'s' if count != 1 else ''}"
            raise BriefDeleteError(
                f"'{locked.slug}' was not deleted: {reason}; pass --with-annotations to delete them too"
            )
        # Never a count here: some of them may be other people's private annotations.
        raise BriefDeleteError(
            _(
                "'%(slug)s' was not deleted: it holds annotations by other people; confirm that "
                "their annotations are to be deleted too"
            )
            % {"slug": locked.slug}
        )
    ids = list(annotations.values_list("pk", flat=True))
    now = timezone.now()
    deleted = live.update(deleted_at=now, updated_at=now)
    # One UPDATE: the right-hand sides read the row as it was, section_id included.
    Annotation.objects.filter(pk__in=ids).update(
        section=None, former_section_id=F("section_id"), former_brief_slug=locked.slug, updated_at=now
    )
    annotation_index_refresh(annotations=[Annotation(pk=pk) for pk in ids])
    slug, title = locked.slug, locked.title
    sections = len(section_ids)
    locked.delete()
    noun = "section" if sections == 1 else "sections"
    message = f"deleted {slug}: {sections} {noun}"
    if ids:
        message += f", {deleted} annotation(s) deleted, {len(ids)} kept as tombstones for sync"
    return BriefDeleteResult(
        slug=slug,
        title=title,
        sections=sections,
        annotations_deleted=deleted,
        tombstones=len(ids),
        message=message,
    )
