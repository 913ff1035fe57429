"""Import previews: an upload read but not saved, corrected by an editor, then confirmed.

The preview's `document` is plain JSON, so it can wait in the database between requests:

    {"format": "pdf",
     "metadata": {"title": …, "subtitle": …, "authors": […], "publication_date": "2019-03-05", …},
     "sections": [{"heading": …, "level": 2, "kind": "body", "paragraphs": [[text, page], …]}],
     "warnings": […], "dropped": […]}

Each correction (promote a paragraph to a heading, demote a heading, merge, split, change a
heading or its level) is a pure function on that structure; the services below load, check
the version, apply and save. Confirming builds the ParsedDocument the importer would have
built and saves it with the import's own rules (briefs.services.brief_import_parsed), in one
transaction, exactly as previewed.
"""

from __future__ import annotations

import datetime
import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from briefs.importers.document import ParsedDocument, ParsedSection
from briefs.models import Brief, ImportPreview, Language
from briefs.services import (
    BriefImportError,
    ImportResult,
    ReplacePlan,
    _brief_fields,
    _one_line,
    brief_import_parsed,
    brief_parse,
    brief_replace_plan,
    import_lock,
    slug_for,
)

HEADING_MAX_CHARS = 500
LEVELS = range(1, 7)
# Metadata an editor corrects in a preview, in the order the form shows them.
PREVIEW_FIELDS = (
    "title",
    "subtitle",
    "organisation",
    "organisation_en",
    "series_code",
    "authors",
    "publication_date",
    "publication_year",
    "language",
    "source_url",
    "slug",
)


class PreviewError(ValueError):
    """A correction or confirmation that cannot be applied; the message says why, in one line."""

    def __init__(self, message: str, *, brief: Brief | None = None) -> None:
        super().__init__(message)
        self.brief = brief


class PreviewGone(PreviewError):
    """The preview does not exist for this user: never did, cancelled, or expired."""


class StalePreview(PreviewError):
    """The form was made from an older state of the preview than the one stored."""


# The document as JSON ----------------------------------------------------------------------


def document_from_parsed(parsed: ParsedDocument, *, sha256: str) -> dict[str, Any]:
    """Return the preview's JSON document for what the importer read."""
    fields = _brief_fields(parsed, {})
    date = fields.get("publication_date")
    metadata = {
        "title": fields["title"],
        "subtitle": fields["subtitle"],
        "organisation": fields["organisation"],
        "organisation_en": "",
        "series_code": fields["series_code"],
        "authors": list(fields["authors"]),
        "publication_date": date.isoformat() if date else "",
        "publication_year": fields.get("publication_year"),
        "language": fields["language"],
        "source_url": fields["source_url"],
        "copyright": fields["copyright"],
        "notes": fields["notes"],
        "slug": slug_for(fields["title"], sha256),
    }
    sections = []
    for section in parsed.sections:
        paragraphs = section.text.split("\n\n") if section.text else []
        pages = list(section.pages) + [None] * (len(paragraphs) - len(section.pages))
        sections.append(
            {
                "heading": section.heading,
                "level": section.level,
                "kind": section.kind,
                "paragraphs": [[text, page] for text, page in zip(paragraphs, pages, strict=False)],
            }
        )
    return {
        "format": parsed.format,
        "metadata": metadata,
        "sections": sections,
        "warnings": list(parsed.warnings),
        "dropped": list(parsed.dropped),
    }


def parsed_from_document(document: dict[str, Any]) -> ParsedDocument:
    """Return the ParsedDocument a preview's JSON document stands for (the inverse of
    document_from_parsed, with the editor's corrections)."""
    meta = document["metadata"]
    sections = [
        ParsedSection(
            heading=section["heading"],
            level=section["level"],
            kind=section["kind"],
            text="\n\n".join(text for text, _ in section["paragraphs"]),
            pages=tuple(page for _, page in section["paragraphs"]),
        )
        for section in document["sections"]
        if section["heading"] or section["paragraphs"]
    ]
    return ParsedDocument(
        title=meta["title"],
        subtitle=meta["subtitle"],
        organisation=meta["organisation"],
        series_code=meta["series_code"],
        authors=list(meta["authors"]),
        language=meta["language"],
        publication_year=meta["publication_year"],
        publication_date=meta["publication_date"],
        source_url=meta["source_url"],
        copyright=meta.get("copyright", ""),
        notes=meta.get("notes", ""),
        sections=sections,
        format=document["format"],
        warnings=list(document["warnings"]),
        dropped=list(document["dropped"]),
    )


def _section(sections: list[dict], index: int) -> dict:
    if not 0 <= index < len(sections):
        raise PreviewError(_("there is no section %(n)d in this preview") % {"n": index + 1})
    return sections[index]


def _paragraph(section: dict, index: int) -> list:
    if not 0 <= index < len(section["paragraphs"]):
        raise PreviewError(_("there is no paragraph %(n)d in that section") % {"n": index + 1})
    return section["paragraphs"][index]


def _clean_text(text: str) -> str:
    """Return a heading as stored: one line, NFC; refuse what no database text can hold."""
    if "\x00" in text:
        raise PreviewError(_("a heading cannot contain a NUL character"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise PreviewError(_("a heading cannot contain a lone surrogate (broken Unicode)")) from None
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _heading_text(text: str) -> str:
    heading = _clean_text(text)
    if not heading:
        raise PreviewError(_("an empty paragraph cannot become a heading"))
    if len(heading) > HEADING_MAX_CHARS:
        raise PreviewError(
            _(
                "that paragraph is too long to be a heading (%(length)s characters; "
                "a heading has at most %(most)d)"
            )
            % {"length": f"{len(heading):,}", "most": HEADING_MAX_CHARS}
        )
    return heading


def _level(value: Any) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        raise PreviewError(
            _("heading level %(level)r is not a number from 1 to 6") % {"level": value}
        ) from None
    if level not in LEVELS:
        raise PreviewError(_("heading level %(level)r is not a number from 1 to 6") % {"level": level})
    return level


def _body_level(sections: list[dict], index: int) -> int:
    """The level a new heading inside section `index` gets: one below that section's heading."""
    section = sections[index]
    return min(section["level"] + 1, 6) if section["heading"] else 2


def promote(sections: list[dict], index: int, paragraph: int) -> None:
    """Make a paragraph the heading of a new section holding the paragraphs after it."""
    section = _section(sections, index)
    text, _page = _paragraph(section, paragraph)
    heading = _heading_text(text)
    rest = section["paragraphs"][paragraph + 1 :]
    if paragraph == 0 and not section["heading"]:
        section["heading"], section["paragraphs"] = heading, rest
        section["level"] = 2 if index == 0 else sections[index - 1]["level"]
        return
    level = _body_level(sections, index)
    section["paragraphs"] = section["paragraphs"][:paragraph]
    sections.insert(index + 1, {"heading": heading, "level": level, "kind": "body", "paragraphs": rest})


def demote(sections: list[dict], index: int) -> None:
    """Turn a section's heading into the first paragraph of its text, which joins the section
    before (the first section simply loses its heading)."""
    section = _section(sections, index)
    if not section["heading"]:
        raise PreviewError(_("that section has no heading to demote"))
    first_page = next((page for _, page in section["paragraphs"] if page is not None), None)
    section["paragraphs"].insert(0, [section["heading"], first_page])
    section["heading"] = ""
    if index > 0:
        sections[index - 1]["paragraphs"].extend(section["paragraphs"])
        del sections[index]


def merge(sections: list[dict], index: int) -> None:
    """Append a section's text to the section before it; its heading is removed."""
    section = _section(sections, index)
    if index == 0:
        raise PreviewError(_("the first section has no section before it to merge into"))
    sections[index - 1]["paragraphs"].extend(section["paragraphs"])
    del sections[index]


def split(sections: list[dict], index: int, paragraph: int, heading: str = "") -> None:
    """Start a new section at a paragraph (without a heading unless one is given)."""
    section = _section(sections, index)
    _paragraph(section, paragraph)
    if paragraph == 0:
        raise PreviewError(_("a section cannot be split before its first paragraph"))
    new = {
        "heading": _heading_text(heading) if heading.strip() else "",
        "level": section["level"] if section["heading"] else 2,
        "kind": "body",
        "paragraphs": section["paragraphs"][paragraph:],
    }
    section["paragraphs"] = section["paragraphs"][:paragraph]
    sections.insert(index + 1, new)


def retitle(sections: list[dict], index: int, heading: str, level: Any) -> None:
    """Set a section's heading text and level; a section without text keeps a heading."""
    section = _section(sections, index)
    text = _clean_text(str(heading))
    if len(text) > HEADING_MAX_CHARS:
        raise PreviewError(
            _("a heading has at most %(most)d characters (this one %(length)s)")
            % {"most": HEADING_MAX_CHARS, "length": f"{len(text):,}"}
        )
    if not text and not section["paragraphs"]:
        raise PreviewError(_("a section without text needs its heading; merge it instead"))
    section["heading"], section["level"] = text, _level(level)


OPERATIONS = ("retitle", "promote", "demote", "merge", "split")


def operation_apply(
    document: dict[str, Any],
    *,
    op: str,
    section: int,
    paragraph: int = 0,
    heading: str = "",
    level: Any = None,
) -> tuple[str, int]:
    """Apply one correction to the document's sections in place; return what was done (for the
    page to say) and the index of the section the editor will want to look at next."""
    sections = document["sections"]
    if op == "retitle":
        retitle(sections, section, heading, level)
        return _("Section %(n)d saved.") % {"n": section + 1}, section
    if op == "promote":
        headless = paragraph == 0 and not _section(sections, section)["heading"]
        promote(sections, section, paragraph)
        return _("The paragraph is now a heading."), section if headless else section + 1
    if op == "demote":
        demote(sections, section)
        return _("The heading is now part of the text."), max(section - 1, 0)
    if op == "merge":
        merge(sections, section)
        return _("Section %(n)d was merged into the one before.") % {"n": section + 1}, section - 1
    if op == "split":
        split(sections, section, paragraph)
        return _("The section was split: give the new one a heading if it has one."), section + 1
    raise PreviewError(_("unknown correction %(op)r") % {"op": op})


# Services ----------------------------------------------------------------------------------


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=settings.MARGINALIA_IMPORT_PREVIEW_HOURS)


def preview_purge() -> int:
    """Delete expired previews (confirmed ones too, once expired); return how many."""
    deleted, _ = ImportPreview.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted


def preview_create(*, owner: Any, data: bytes, filename: str, replaces: Brief | None = None) -> ImportPreview:
    """Read an upload into a preview for its owner; raises BriefImportError (nothing stored)
    for a file that cannot be imported."""
    parsed = brief_parse(data=data, filename=filename)
    return preview_store(owner=owner, parsed=parsed, data=data, filename=filename, replaces=replaces)


@transaction.atomic
def preview_store(
    *, owner: Any, parsed: ParsedDocument, data: bytes, filename: str, replaces: Brief | None = None
) -> ImportPreview:
    """Keep what reading an upload found as a preview for its owner (the reading is done
    outside the transaction, so a long one holds no lock and its progress can be seen)."""
    preview_purge()
    sha256 = hashlib.sha256(data).hexdigest()
    document = document_from_parsed(parsed, sha256=sha256)
    if replaces is not None:
        document["metadata"]["slug"] = replaces.slug
    return ImportPreview.objects.create(
        owner=owner,
        filename=filename[:500],
        source_format=parsed.format,
        source_sha256=sha256,
        byte_size=len(data),
        document=document,
        replaces=replaces,
        expires_at=_expiry(),
    )


def preview_get(*, owner: Any, token: Any, for_update: bool = False) -> ImportPreview:
    """Return the owner's unexpired preview with that token, or raise PreviewGone."""
    qs = ImportPreview.objects.filter(owner=owner, expires_at__gte=timezone.now()).select_related(
        "replaces", "brief"
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(token=token)
    except (ImportPreview.DoesNotExist, ValidationError, ValueError, TypeError):
        raise PreviewGone(
            _(
                "This import preview no longer exists: it was cancelled, has expired, or belongs to "
                "someone else. Upload the file again."
            )
        ) from None


def preview_list(*, owner: Any) -> list[ImportPreview]:
    """Return the owner's previews still waiting for a confirmation, oldest first."""
    return list(
        ImportPreview.objects.filter(owner=owner, expires_at__gte=timezone.now(), confirmed_at__isnull=True)
        .select_related("replaces")
        .defer("document")
    )


def _check(preview: ImportPreview, version: Any) -> None:
    if preview.confirmed_at is not None:
        raise PreviewError(
            _("This preview was already confirmed; nothing more was written."), brief=preview.brief
        )
    if str(version) != str(preview.version):
        raise StalePreview(
            _(
                "This preview was changed in another window or by a double click since this page was "
                "loaded; here it is as it stands now. Nothing was changed."
            )
        )


@transaction.atomic
def preview_correct(
    *, owner: Any, token: Any, version: Any, op: str, **values: Any
) -> tuple[ImportPreview, str]:
    """Apply one correction to a preview's sections; return the preview and what was done."""
    preview = preview_get(owner=owner, token=token, for_update=True)
    _check(preview, version)
    done, focus = operation_apply(preview.document, op=op, **values)
    preview.version += 1
    preview.expires_at = _expiry()
    preview.save(update_fields=["document", "version", "expires_at"])
    return preview, done, focus


@transaction.atomic
def preview_set_metadata(*, owner: Any, token: Any, version: Any, metadata: dict[str, Any]) -> ImportPreview:
    """Store corrected metadata (already validated by the form) in a preview."""
    preview = preview_get(owner=owner, token=token, for_update=True)
    _check(preview, version)
    _store_metadata(preview, metadata)
    preview.save(update_fields=["document", "expires_at"])
    return preview


def _store_metadata(preview: ImportPreview, metadata: dict[str, Any]) -> None:
    stored = preview.document["metadata"]
    for name in PREVIEW_FIELDS:
        if name not in metadata:
            continue
        value = metadata[name]
        if name == "publication_date":
            value = value.isoformat() if value else ""
        elif name == "authors":
            value = list(value or [])
        elif name == "publication_year":
            value = value or None
        elif name == "slug" and preview.replaces_id is not None:
            continue  # a re-import keeps its brief's address
        else:
            value = value or ""
        stored[name] = value
    if stored.get("publication_date") and not stored.get("publication_year"):
        stored["publication_year"] = int(stored["publication_date"][:4])
    if stored["language"] not in Language.values:
        stored["language"] = Language.KOREAN
    # The version guards the sections' indices only: new metadata leaves them where they are.
    preview.expires_at = _expiry()


@dataclass(frozen=True)
class PreviewState:
    """What the preview page says besides the document: a clash with the library, the plan of
    a re-import, and whether confirming can work."""

    duplicate: Brief | None  # a brief already holding these bytes (not the one re-imported)
    slug_taken: Brief | None  # another brief at the preview's address
    plan: ReplacePlan | None
    blockers: tuple[str, ...]

    @property
    def can_confirm(self) -> bool:
        return not self.blockers


def preview_state(*, preview: ImportPreview, user: Any) -> PreviewState:
    """Return what stands between the preview and the library (checked again on confirm)."""
    duplicate = (
        Brief.objects.filter(source_sha256=preview.source_sha256)
        .exclude(pk=preview.replaces_id)
        .exclude(pk=preview.brief_id)
        .order_by("pk")
        .first()
    )
    slug = preview.document["metadata"]["slug"]
    slug_taken = None
    plan = None
    blockers: list[str] = []
    if preview.replaces_id is None:
        slug_taken = Brief.objects.filter(slug=slug).exclude(pk=preview.brief_id).first() if slug else None
    else:
        plan = brief_replace_plan(
            brief=preview.replaces, parsed=parsed_from_document(preview.document), user=user
        )
        if plan.refused:
            headings = ", ".join(f"“{change.heading or change.anchor}”" for change in plan.refused[:5])
            blockers.append(
                ngettext(
                    "%(count)d section of the current version holds annotations but is not in "
                    "the new one (%(headings)s): give a section of the new version the same heading, or "
                    "move or delete those annotations first.",
                    "%(count)d sections of the current version hold annotations but are not in "
                    "the new one (%(headings)s): give a section of the new version the same heading, or "
                    "move or delete those annotations first.",
                    len(plan.refused),
                )
                % {"count": len(plan.refused), "headings": headings}
            )
    if duplicate is not None:
        blockers.append(
            _("This file is already in the library as “%(title)s” (%(slug)s).")
            % {"title": duplicate.title, "slug": duplicate.slug}
        )
    if slug_taken is not None:
        blockers.append(
            _(
                "The address “%(slug)s” belongs to another brief, “%(title)s”: choose another "
                "address, or re-import from that brief's page to replace it."
            )
            % {"slug": slug, "title": slug_taken.title}
        )
    if not preview.document["metadata"]["title"]:
        blockers.append(_("The brief needs a title."))
    if not any(s["heading"] or s["paragraphs"] for s in preview.document["sections"]):
        blockers.append(_("The preview has no text left."))
    return PreviewState(duplicate=duplicate, slug_taken=slug_taken, plan=plan, blockers=tuple(blockers))


@transaction.atomic
def preview_confirm(
    *, owner: Any, token: Any, version: Any, metadata: dict[str, Any] | None = None
) -> ImportResult:
    """Save the preview as a brief, exactly as previewed, in one transaction; raises
    PreviewError, having written nothing, when it cannot (or was already) be saved."""
    preview = preview_get(owner=owner, token=token, for_update=True)
    _check(preview, version)
    if metadata is not None:
        _store_metadata(preview, metadata)
    # Checked under the import's locks: a concurrent confirm of the same file or address has
    # either committed (and is seen here) or waits for this one.
    import_lock(sha256=preview.source_sha256)
    import_lock(slug=preview.document["metadata"]["slug"])
    state = preview_state(preview=preview, user=owner)
    if not state.can_confirm:
        clash = state.duplicate or state.slug_taken
        raise PreviewError(
            _("%(reasons)s Nothing was written.") % {"reasons": " ".join(state.blockers)}, brief=clash
        )
    parsed = parsed_from_document(preview.document)
    # Every warning was shown to the editor who confirms, with the means to act on it.
    parsed.warnings = []
    meta = preview.document["metadata"]
    given = {"organisation_en": meta["organisation_en"], "slug": meta["slug"]}
    try:
        result = brief_import_parsed(
            parsed=parsed,
            sha256=preview.source_sha256,
            filename=preview.filename,
            metadata=given,
            replace=preview.replaces_id is not None,
        )
    except BriefImportError as exc:
        raise PreviewError(_("%(reason)s. Nothing was written.") % {"reason": _one_line(str(exc))}) from None
    preview.confirmed_at = timezone.now()
    preview.brief = result.brief
    preview.save()
    return result


@transaction.atomic
def preview_cancel(*, owner: Any, token: Any) -> str:
    """Delete a preview (nothing was saved from it); return its file name."""
    preview = preview_get(owner=owner, token=token, for_update=True)
    if preview.confirmed_at is not None:
        raise PreviewError(
            _("This preview was already confirmed; open the brief to change it."), brief=preview.brief
        )
    filename = preview.filename
    preview.delete()
    return filename


def preview_summary(preview: ImportPreview) -> dict[str, int]:
    """Return counts for the preview page's header: sections, headings, paragraphs, dropped."""
    sections = preview.document["sections"]
    return {
        "sections": len(sections),
        "headings": sum(1 for s in sections if s["heading"]),
        "paragraphs": sum(len(s["paragraphs"]) for s in sections),
        "dropped": len(preview.document["dropped"]),
    }
