"""The in-app codebook editor's rules, reads and writes (categories and tags).

Every write path (the editor's pages and the CSV / REFI-QDA import) goes through the checks
here, so a shortcut the reader already uses, a duplicate key or a colour nobody can tell from
another tag's is refused with the same message wherever it comes from.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterable

from coloraide import Color
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from annotations.admin import INDEXED_TAG_FIELDS
from annotations.models import Category, Tag
from search.services import tag_index_refresh

# The reader's own single-key commands (static/js/reader.js, READER_KEYS): a tag may not take
# one, or pressing it in the reader would do two things.
RESERVED_SHORTCUTS: tuple[str, ...] = ("a", "h", "/")

# A tag's colour is shown as a highlight under dark body text (static/css/annotations.css:
# `color-mix(in srgb, var(--hl) 70%, #fff)` on hover, the strongest everyday mix).
INK = "#1d1f23"
HIGHLIGHT_STRENGTH = 0.7
MIN_CONTRAST = 4.5  # WCAG 2 AA for body text
# CIEDE2000 distance under which two highlights are practically the same colour (about two
# just-noticeable differences; the starter codebook's closest pair is 6.9 apart).
NEAR_DELTA_E = 5.0

COLOUR_RE = re.compile(r"^#[0-9a-f]{6}$")
TAG_FIELDS = (
    "category",
    "code",
    "label_ko",
    "label_en",
    "description",
    "decision_rule",
    "example",
    "colour",
    "shortcut",
    "active",
    "position",
)
CATEGORY_FIELDS = ("code", "label_ko", "label_en", "description", "position")


class StaleEdit(ValidationError):
    """Someone else saved the entry since this editor opened it."""


# ---------------------------------------------------------------------------------- selectors


def category_list() -> QuerySet[Category]:
    """Return every category in codebook order."""
    return Category.objects.order_by("position", "code")


def tag_named(tag: Tag) -> str:
    """Return how a message names a tag: its label in the active language and its code."""
    return _("“%(label)s” (%(code)s)") % {"label": tag.label(), "code": tag.code}


# ------------------------------------------------------------------------------------- checks


def colour_normalise(value: str) -> str:
    """Return the colour as #rrggbb in lower case, or raise ValidationError."""
    colour = (value or "").strip().lower()
    if not COLOUR_RE.match(colour):
        raise ValidationError(
            _("Enter a colour as # and six hexadecimal digits, for example #64b5f6."), code="colour"
        )
    return colour


def highlight_contrast(colour: str) -> float:
    """Return the WCAG contrast ratio of the body text on this colour as a highlight."""
    highlight = Color(colour).mix("white", 1 - HIGHLIGHT_STRENGTH, space="srgb")
    return highlight.contrast(Color(INK))


def contrast_warning(colour: str) -> str | None:
    """Return a warning when dark text is hard to read on this colour as a highlight."""
    ratio = highlight_contrast(colour)
    if ratio >= MIN_CONTRAST:
        return None
    return _(
        "Text on this colour as a highlight has a contrast of %(ratio).1f:1, below the %(minimum).1f:1 "
        "that WCAG asks for body text: choose a lighter colour."
    ) % {"ratio": ratio, "minimum": MIN_CONTRAST}


def near_colour(colour: str, *, others: Iterable[Tag]) -> tuple[Tag, float] | None:
    """Return the other tag whose colour is closest to this one if they are too close to tell apart."""
    target = Color(colour)
    closest = None
    for other in others:
        distance = target.delta_e(Color(other.colour), method="2000")
        if distance < NEAR_DELTA_E and (closest is None or distance < closest[1]):
            closest = (other, distance)
    return closest


def shortcut_problem(shortcut: str, *, others: Iterable[Tag]) -> str | None:
    """Return why this key cannot be a tag's shortcut (None when it can)."""
    if shortcut == "":
        return None
    if len(shortcut) != 1:
        return _("A shortcut is a single key, for example “b”.")
    if not shortcut.isprintable() or shortcut.isspace():
        return _("A shortcut must be a visible character.")
    if shortcut.lower() in RESERVED_SHORTCUTS:
        return _("The reader already uses the key “%(key)s” (reserved: %(keys)s): choose another.") % {
            "key": shortcut,
            "keys": " ".join(RESERVED_SHORTCUTS),
        }
    for other in others:
        if other.shortcut == shortcut:
            return _("The key “%(key)s” is already the shortcut of %(tag)s.") % {
                "key": shortcut,
                "tag": tag_named(other),
            }
    return None


def tag_check(tag: Tag, *, others: list[Tag], before: Tag | None = None) -> None:
    """Raise ValidationError (by field) if this tag's values break a codebook rule.

    `others` are the other tags as they will be (the database's, or an import's final state).
    With `before` (the tag as saved), only what this change brings is checked: renaming a tag
    is not refused over a key or colour it already had, but restoring it checks both again.
    """
    errors: dict[str, list[str]] = {}
    revived = before is None or (tag.active and not before.active)
    try:
        tag.colour = colour_normalise(tag.colour)
    except ValidationError as exc:
        errors["colour"] = exc.messages
    else:
        if tag.active and (revived or tag.colour != before.colour):
            near = near_colour(tag.colour, others=[o for o in others if o.active])
            if near:
                errors["colour"] = [
                    _(
                        "This colour is almost the same as the one of %(tag)s (%(colour)s, "
                        "ΔE %(distance).1f): readers could not tell their highlights apart."
                    )
                    % {"tag": tag_named(near[0]), "colour": near[0].colour, "distance": near[1]}
                ]
    problem = None
    if revived or tag.shortcut != before.shortcut:
        problem = shortcut_problem(tag.shortcut, others=others)
    if problem:
        errors["shortcut"] = [problem]
    if errors:
        raise ValidationError(errors)


def tag_warnings(tag: Tag) -> list[str]:
    """Return what the editor should know about a valid tag (the colour's contrast)."""
    warning = contrast_warning(tag.colour)
    return [warning] if warning else []


def _others(tag: Tag) -> list[Tag]:
    others = Tag.objects.select_related("category")
    return list(others.exclude(pk=tag.pk) if tag.pk else others)


def fingerprint(entry: Tag | Category) -> str:
    """Return a digest of an entry's editable values: the lost-update guard's version."""
    names = TAG_FIELDS if isinstance(entry, Tag) else CATEGORY_FIELDS
    values = {name: getattr(entry, f"{name}_id" if name == "category" else name) for name in names}
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:32]


STALE = _(
    "Someone else saved this entry since you opened it: reload the page to see their changes, "
    "then make yours again."
)


# ----------------------------------------------------------------------------------- services


def _integrity_message(exc: IntegrityError, tag: Tag) -> ValidationError:
    """Turn a lost race against a unique constraint into the message the check gives."""
    text = str(exc)
    if "tag_unique_shortcut" in text:
        other = Tag.objects.exclude(pk=tag.pk).filter(shortcut=tag.shortcut).first()
        if other is not None:
            return ValidationError({"shortcut": [shortcut_problem(tag.shortcut, others=[other])]})
    if "code" in text:
        return ValidationError({"code": [_("The code “%(code)s” is already taken.") % {"code": tag.code}]})
    return ValidationError(_("The codebook changed while saving: reload the page and try again."))


def _save_tag(tag: Tag, before: Tag | None = None) -> None:
    tag.full_clean(exclude=["colour", "shortcut"], validate_unique=False, validate_constraints=False)
    tag_check(tag, others=_others(tag), before=before)
    try:
        with transaction.atomic():
            tag.save()
    except IntegrityError as exc:
        raise _integrity_message(exc, tag) from None


@transaction.atomic
def tag_create(*, fields: dict) -> Tag:
    """Add a tag to the codebook (after the codebook's checks); raise ValidationError."""
    tag = Tag(**fields)
    _save_tag(tag)
    return tag


@transaction.atomic
def tag_update(*, tag: Tag, fields: dict, expected_version: str | None = None) -> Tag:
    """Change a tag, refusing if someone else saved it since `expected_version` was read.

    Annotations are searchable by their tags' labels: re-index them when those change.
    """
    locked = Tag.objects.select_for_update(of=("self",)).filter(pk=tag.pk).order_by("pk").first()
    if locked is None:
        raise ValidationError(_("This tag no longer exists."))
    if expected_version is not None and fingerprint(locked) != expected_version:
        raise StaleEdit(STALE)
    before = copy.copy(locked)
    changed = {name for name, value in fields.items() if getattr(locked, name) != value}
    for name, value in fields.items():
        setattr(locked, name, value)
    _save_tag(locked, before)
    if changed & INDEXED_TAG_FIELDS:
        tag_index_refresh(tags=[locked])
    return locked


@transaction.atomic
def tag_set_active(*, tag: Tag, active: bool) -> Tag:
    """Retire a tag (kept on its annotations, no longer offered) or restore it."""
    return tag_update(tag=tag, fields={"active": active})


def _save_category(category: Category) -> None:
    category.full_clean(validate_unique=False, validate_constraints=False)
    if Category.objects.exclude(pk=category.pk).filter(code=category.code).exists():
        raise ValidationError(
            {"code": [_("The code “%(code)s” is already taken.") % {"code": category.code}]}
        )
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        raise ValidationError(
            {"code": [_("The code “%(code)s” is already taken.") % {"code": category.code}]}
        ) from None


@transaction.atomic
def category_create(*, fields: dict) -> Category:
    """Add a category; raise ValidationError."""
    category = Category(**fields)
    _save_category(category)
    return category


@transaction.atomic
def category_update(*, category: Category, fields: dict, expected_version: str | None = None) -> Category:
    """Change a category, refusing if someone else saved it since `expected_version` was read."""
    locked = Category.objects.select_for_update().filter(pk=category.pk).order_by("pk").first()
    if locked is None:
        raise ValidationError(_("This category no longer exists."))
    if expected_version is not None and fingerprint(locked) != expected_version:
        raise StaleEdit(STALE)
    for name, value in fields.items():
        setattr(locked, name, value)
    _save_category(locked)
    return locked


UP = -1
DOWN = 1


@transaction.atomic
def codebook_move(*, entry: Tag | Category, direction: int) -> None:
    """Move a tag within its category (or a category in the codebook) one place up or down.

    The siblings are renumbered 0, 1, 2… on the way, so equal positions cannot pin an entry.
    """
    if isinstance(entry, Tag):
        siblings = list(
            Tag.objects.select_for_update(of=("self",))
            .filter(category_id=entry.category_id)
            .order_by("position", "code")
        )
    else:
        siblings = list(Category.objects.select_for_update().order_by("position", "code"))
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == entry.pk)
    target = index + direction
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])
