"""Demo data beyond the briefs and the codebook: sign-in users and a few annotations.

Only for a local demo (`make run`): the users share one published password, so the command
refuses to create them with DEBUG off. Everything here is idempotent: a user or annotation
that is already there is left as it is.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from annotations.models import Annotation, Tag
from annotations.roles import Role
from annotations.services import annotation_create, user_create
from briefs.models import Brief, Section

DEMO_PASSWORD = "marginalia-demo"


class DemoDataError(Exception):
    """The demo manifest names something that is not there (a brief, a quote, a tag, a user)."""


@transaction.atomic
def demo_users_load(entries: list[dict[str, Any]]) -> list[str]:
    """Create the manifest's users (username, role) with DEMO_PASSWORD; return those created."""
    user_model = get_user_model()
    created = []
    for entry in entries:
        if user_model._default_manager.filter(username__iexact=entry["username"]).exists():
            continue
        user_create(username=entry["username"], role=Role(entry["role"]), password=DEMO_PASSWORD)
        created.append(entry["username"])
    return created


def _anchor(brief: Brief, entry: dict[str, Any]) -> tuple[Section, int]:
    """Return the section and offset of the entry's quote: its `occurrence`-th appearance
    (0-based, default 0) in reading order, only in the section at position `section` if given."""
    quote = entry["quote"]
    wanted = entry.get("occurrence", 0)
    position = entry.get("section")
    if not isinstance(wanted, int) or isinstance(wanted, bool) or wanted < 0:
        raise DemoDataError(f"demo annotation {quote!r}: occurrence must be a whole number >= 0")
    if position is not None and (not isinstance(position, int) or isinstance(position, bool)):
        raise DemoDataError(f"demo annotation {quote!r}: section must be a section position")
    sections = brief.sections.order_by("position")
    if position is not None:
        sections = sections.filter(position=position)
    seen = 0
    for section in sections:
        start = section.text.find(quote)
        while start != -1:
            if seen == wanted:
                return section, start
            seen += 1
            start = section.text.find(quote, start + 1)
    where = brief.slug if position is None else f"{brief.slug} section {position}"
    if seen:
        raise DemoDataError(f"demo annotation {quote!r}: only {seen} occurrence(s) in {where}")
    raise DemoDataError(f"demo annotation {quote!r}: not in {where}")


@transaction.atomic
def demo_annotations_load(entries: list[dict[str, Any]]) -> int:
    """Anchor the manifest's annotations on their quotes (the first occurrence in the brief,
    unless the entry names a `section` position or an `occurrence`) through the annotation
    service, so every check applies; return how many were created."""
    user_model = get_user_model()
    created = 0
    for entry in entries:
        brief = Brief.objects.filter(slug=entry["brief"]).first()
        author = user_model._default_manager.filter(username=entry["author"]).first()
        if brief is None or author is None:
            raise DemoDataError(f"demo annotation {entry['quote']!r}: no brief or author of that name")
        if not entry["quote"]:
            raise DemoDataError("demo annotation with an empty quote")
        section, start = _anchor(brief, entry)
        tags = list(Tag.objects.filter(code__in=entry["tags"]))
        if len(tags) != len(set(entry["tags"])):
            raise DemoDataError(f"demo annotation {entry['quote']!r}: unknown tag in {entry['tags']}")
        end = start + len(entry["quote"])
        # One author's annotation of one span is the same entry, however often this runs.
        if Annotation.objects.alive().filter(section=section, author=author, start=start, end=end).exists():
            continue
        annotation_create(
            user=author,
            section=section,
            start=start,
            end=end,
            quote=entry["quote"],
            tags=tags,
            actor=entry["actor"],
            note=entry.get("note", ""),
            visibility=entry["visibility"],
        )
        created += 1
    return created
