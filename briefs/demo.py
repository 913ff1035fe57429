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
from briefs.models import Brief

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


@transaction.atomic
def demo_annotations_load(entries: list[dict[str, Any]]) -> int:
    """Anchor the manifest's annotations on the first occurrence of each quote in its brief,
    through the annotation service (so every check applies); return how many were created."""
    user_model = get_user_model()
    created = 0
    for entry in entries:
        brief = Brief.objects.filter(slug=entry["brief"]).first()
        author = user_model._default_manager.filter(username=entry["author"]).first()
        if brief is None or author is None:
            raise DemoDataError(f"demo annotation {entry['quote']!r}: no brief or author of that name")
        section = next((s for s in brief.sections.order_by("position") if entry["quote"] in s.text), None)
        if section is None:
            raise DemoDataError(f"demo annotation {entry['quote']!r}: not in {brief.slug}")
        tags = list(Tag.objects.filter(code__in=entry["tags"]))
        if len(tags) != len(set(entry["tags"])):
            raise DemoDataError(f"demo annotation {entry['quote']!r}: unknown tag in {entry['tags']}")
        start = section.text.index(entry["quote"])
        if Annotation.objects.alive().filter(section=section, author=author, start=start).exists():
            continue
        annotation_create(
            user=author,
            section=section,
            start=start,
            end=start + len(entry["quote"]),
            quote=entry["quote"],
            tags=tags,
            actor=entry["actor"],
            note=entry.get("note", ""),
            visibility=entry["visibility"],
        )
        created += 1
    return created
