"""Writes for the codebook, roles and annotations.

Services validate before saving and raise ValidationError (bad input; code
"quote_mismatch" when the text no longer matches) or PermissionDenied; views turn
those into 4xx answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations import codebook, permissions
from annotations.feed import PreconditionFailed, if_match_ok
from annotations.models import Actor, Annotation, Category, IdempotencyKey, Tag, Visibility
from annotations.roles import ROLE_PERMISSIONS, STAFF_ROLES, Role
from briefs.models import Section
from search.services import annotation_index_refresh

if TYPE_CHECKING:
    from annotations.bulk import Draft, Problem


@transaction.atomic
def codebook_load_starter() -> tuple[int, int]:
    """Create or update the starter codebook; return (categories, tags) written."""
    categories: dict[str, Category] = {}
    for position, data in enumerate(codebook.CATEGORIES):
        category, _ = Category.objects.update_or_create(
            code=data["code"],
            defaults={
                "label_en": data["label_en"],
                "label_ko": data["label_ko"],
                "position": position,
            },
        )
        categories[category.code] = category
    for position, data in enumerate(codebook.TAGS):
        fields = {k: v for k, v in data.items() if k not in {"code", "category"}}
        fields["category"] = categories[data["category"]] if data["category"] else None
        fields["position"] = position
        Tag.objects.update_or_create(code=data["code"], defaults=fields)
    return len(categories), len(codebook.TAGS)


# Roles and users -----------------------------------------------------------------------


@transaction.atomic
def role_group_sync(*, role: Role) -> Group:
    """Create the role's group if missing and give it exactly the role's permissions."""
    group, _ = Group.objects.get_or_create(name=role.group_name)
    wanted = [perm.split(".", 1) for perm in ROLE_PERMISSIONS[role]]
    perms = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in wanted
    ]
    group.permissions.set(perms)
    return group


@transaction.atomic
def user_create(*, username: str, role: Role, password: str, email: str = "") -> AbstractBaseUser:
    """Create a user in one role's group; editors are staff so they can use the admin."""
    user_model = get_user_model()
    username = user_model.normalize_username(username.strip())
    if not username:
        raise ValidationError(_("A username is required."))
    if user_model._default_manager.filter(username__iexact=username).exists():
        raise ValidationError(_("A user named %(name)s already exists.") % {"name": repr(username)})
    user = user_model(username=username, email=email, is_staff=role in STAFF_ROLES)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.add(role_group_sync(role=role))
    return user


# Annotations ---------------------------------------------------------------------------


def _quote_context(text: str, start: int, end: int) -> tuple[str, str]:
    n = Annotation.QUOTE_CONTEXT
    return text[max(0, start - n) : start], text[end : end + n]


def _new_annotation(
    *,
    user: AbstractBaseUser,
    section: Section,
    start: int,
    end: int,
    actor: str,
    note: str,
    visibility: str,
    canonical: str,
    via: str,
) -> Annotation:
    """Return the unsaved row of a checked new annotation: its quote and context from the text."""
    text = section.text
    prefix, suffix = _quote_context(text, start, end)
    return Annotation(
        section=section,
        start=start,
        end=end,
        quote=text[start:end],
        prefix=prefix,
        suffix=suffix,
        actor=actor,
        note=note,
        visibility=visibility,
        ever_shared=visibility == Visibility.SHARED,
        author=user,
        canonical=canonical,
        via=via,
    )


def _validate_span(text: str, start: int, end: int, quote: str) -> None:
    if not 0 <= start < end <= len(text):
        raise ValidationError(
            _("Offsets %(start)s–%(end)s are out of range for this section (0–%(length)s).")
            % {"start": start, "end": end, "length": len(text)},
            code="invalid",
        )
    if unicodedata.normalize("NFC", quote) != text[start:end]:
        raise ValidationError(
            _("The selected text no longer matches the section: reload the page and select it again."),
            code="quote_mismatch",
        )


def _validate_fields(
    *, user: AbstractBaseUser, tags: Sequence[Tag], actor: str, note: str, visibility: str, sharing: bool
) -> None:
    if actor not in Actor.values:
        raise ValidationError(_("Unknown actor %(actor)s.") % {"actor": repr(actor)}, code="invalid")
    if visibility not in Visibility.values:
        message = _("Unknown visibility %(visibility)s.") % {"visibility": repr(visibility)}
        raise ValidationError(message, code="invalid")
    if sharing and not permissions.can_share(user):
        raise PermissionDenied(_("Your role keeps annotations private: you may not share them."))
    inactive = sorted(tag.code for tag in tags if not tag.active)
    if inactive:
        raise ValidationError(_("Inactive tag(s): %(tags)s.") % {"tags": ", ".join(inactive)}, code="invalid")
    if len(note) > Annotation.NOTE_MAX_LENGTH:
        raise ValidationError(
            _("The note is too long (%(length)s characters; at most %(limit)s).")
            % {"length": len(note), "limit": Annotation.NOTE_MAX_LENGTH},
            code="invalid",
        )


@transaction.atomic
def annotation_create(
    *,
    user: AbstractBaseUser,
    section: Section,
    start: int,
    end: int,
    quote: str,
    tags: Sequence[Tag] = (),
    actor: str = Actor.UNSPECIFIED,
    note: str = "",
    visibility: str = Visibility.PRIVATE,
    canonical: str = "",
    via: str = "",
) -> Annotation:
    """Anchor a new annotation on a section; offsets count code points of the NFC text.

    canonical and via are the W3C Protocol's IRIs a client may bring (annotations.protocol).
    """
    if not permissions.can_annotate(user):
        raise PermissionDenied(_("Your account may not create annotations."))
    text = section.text
    _validate_span(text, start, end, quote)
    _validate_fields(
        user=user,
        tags=tags,
        actor=actor,
        note=note,
        visibility=visibility,
        sharing=visibility == Visibility.SHARED,
    )
    annotation = _new_annotation(
        user=user,
        section=section,
        start=start,
        end=end,
        actor=actor,
        note=note,
        visibility=visibility,
        canonical=canonical,
        via=via,
    )
    annotation.save(force_insert=True)
    annotation.tags.add(*tags)  # a new annotation has none to compare with: one INSERT
    annotation.tag_list = list(dict.fromkeys(tags))
    annotation_index_refresh(annotations=[annotation], written=True)
    return annotation


# Rows per INSERT and per search-index batch of a bulk create.
BULK_BATCH_SIZE = 2000


@transaction.atomic
def annotation_bulk_create(
    *,
    user: AbstractBaseUser,
    drafts: Sequence[Draft],
    problems: Sequence[Problem] = (),
    index_inline: int | None = None,
) -> list[Annotation]:
    """Create every draft's annotation, or none: BatchInvalid lists each draft that cannot be.

    The same checks as annotation_create, per draft, before anything is written; problems
    are those the reader found already (annotations.bulk.batch_drafts), reported with them
    in item order. Then one INSERT per BULK_BATCH_SIZE annotations and their tag links, all
    in this transaction, and the search index: in it too up to index_inline annotations
    (MARGINALIA_BULK_INDEX_INLINE), else as a background job enqueued in the same
    transaction (search.tasks), so it commits, or rolls back, with the batch.
    """
    from annotations.bulk import BatchInvalid, Problem  # the readers import this module

    if not permissions.can_annotate(user):
        raise PermissionDenied(_("Your account may not create annotations."))
    problems = list(problems)
    may_share = None
    for draft in drafts:
        try:
            _validate_span(draft.section.text, draft.start, draft.end, draft.quote)
            sharing = draft.visibility == Visibility.SHARED
            if sharing and may_share is None:
                may_share = permissions.can_share(user)
            _validate_fields(
                user=user,
                tags=draft.tags,
                actor=draft.actor,
                note=draft.note,
                visibility=draft.visibility,
                sharing=sharing and not may_share,
            )
        except PermissionDenied as exc:
            problems.append(Problem(draft.item, draft.line, "visibility", str(exc)))
        except ValidationError as exc:
            field = "quote" if exc.code == "quote_mismatch" else None
            problems.extend(Problem(draft.item, draft.line, field, m) for m in exc.messages)
    if problems:
        raise BatchInvalid(sorted(problems, key=lambda p: (p.item, p.line or 0)))
    annotations = [
        _new_annotation(
            user=user,
            section=draft.section,
            start=draft.start,
            end=draft.end,
            actor=draft.actor,
            note=draft.note,
            visibility=draft.visibility,
            canonical=draft.canonical,
            via=draft.via,
        )
        for draft in drafts
    ]
    Annotation.objects.bulk_create(annotations, batch_size=BULK_BATCH_SIZE)
    through = Annotation.tags.through
    for annotation, draft in zip(annotations, drafts, strict=True):
        annotation.tag_list = list(dict.fromkeys(draft.tags))
    links = [through(annotation_id=a.pk, tag_id=tag.pk) for a in annotations for tag in a.tag_list]
    through.objects.bulk_create(links, batch_size=BULK_BATCH_SIZE * 4)
    inline = settings.MARGINALIA_BULK_INDEX_INLINE if index_inline is None else index_inline
    if len(annotations) <= inline:
        for start in range(0, len(annotations), BULK_BATCH_SIZE):
            annotation_index_refresh(annotations=annotations[start : start + BULK_BATCH_SIZE], written=True)
    else:
        from search.tasks import annotation_index_build

        annotation_index_build.enqueue([a.pk for a in annotations])
    return annotations


def annotation_lock(
    *, annotation: Annotation, if_match: str | None = None, tag_ids: bool = False
) -> Annotation:
    """Return the annotation's row locked for this transaction, checked against If-Match.

    The ETag is compared with the locked row, not with the one the caller read: of two
    writers sending the same If-Match, the second waits for the first, then sees the new
    version and gets 412 (PreconditionFailed) instead of overwriting it. With tag_ids, the
    same statement reads the ids of its tags as they are under the lock (locked_tag_ids).
    """
    locked = Annotation.objects.select_for_update(of=("self",))
    if tag_ids:
        links = Annotation.tags.through.objects.filter(annotation_id=OuterRef("pk")).values("tag_id")
        locked = locked.annotate(locked_tag_ids=ArraySubquery(links))
    locked = locked.get(pk=annotation.pk)
    if not if_match_ok(if_match, locked):
        raise PreconditionFailed()
    # The caller's instance becomes the locked version: callers go on using it afterwards.
    for model_field in Annotation._meta.concrete_fields:
        setattr(annotation, model_field.attname, getattr(locked, model_field.attname))
    if tag_ids:
        annotation.locked_tag_ids = locked.locked_tag_ids
    return annotation


def _tags_replace(annotation: Annotation, current: Sequence[int], tags: Sequence[Tag]) -> None:
    """Give the annotation these tags, its links being `current` (read under the row lock).

    What Annotation.tags.set() does, without reading the links again: a DELETE of those
    that go and an INSERT of those that come, nothing when they are the same.
    """
    through = Annotation.tags.through
    wanted = [tag.pk for tag in tags]
    gone = set(current).difference(wanted)
    come = [pk for pk in wanted if pk not in current]  # an annotation has a few tags
    if gone:
        through.objects.filter(annotation_id=annotation.pk, tag_id__in=gone).delete()
    if come:
        through.objects.bulk_create([through(annotation_id=annotation.pk, tag_id=pk) for pk in come])
    if gone or come:  # as set() does: a prefetch of the caller's no longer holds
        getattr(annotation, "_prefetched_objects_cache", {}).pop("tags", None)


@transaction.atomic
def annotation_update(
    *,
    user: AbstractBaseUser,
    annotation: Annotation,
    tags: Sequence[Tag] | None = None,
    actor: str | None = None,
    note: str | None = None,
    visibility: str | None = None,
    if_match: str | None = None,
) -> Annotation:
    """Change an annotation's tags, actor, note and visibility (the anchor stays).

    A field left None keeps its stored value, read under the row lock, so two edits of
    different fields both stay.
    """
    annotation = annotation_lock(annotation=annotation, if_match=if_match, tag_ids=True)
    if not permissions.can_change(user, annotation):
        raise PermissionDenied(_("You may not edit this annotation."))
    if annotation.deleted_at is not None:
        raise Annotation.DoesNotExist(_("This annotation was deleted."))
    current = annotation.locked_tag_ids
    if tags is None:  # kept: the tags read under the lock, not a prefetch that may predate it
        tags = list(Tag.objects.filter(pk__in=current).select_related("category")) if current else []
    tags = list(dict.fromkeys(tags))
    actor = annotation.actor if actor is None else actor
    note = annotation.note if note is None else note
    visibility = annotation.visibility if visibility is None else visibility
    if visibility != annotation.visibility and annotation.author_id != user.pk:
        raise PermissionDenied(_("Only the author may change who sees an annotation."))
    # Keeping an annotation shared is fine; making it shared needs the right to share.
    sharing = visibility == Visibility.SHARED and not annotation.is_shared
    _validate_fields(user=user, tags=tags, actor=actor, note=note, visibility=visibility, sharing=sharing)
    annotation.actor = actor
    annotation.note = note
    annotation.visibility = visibility
    annotation.ever_shared = annotation.ever_shared or visibility == Visibility.SHARED
    annotation.save(update_fields=["actor", "note", "visibility", "ever_shared", "updated_at"])
    _tags_replace(annotation, current, tags)
    annotation.tag_list = tags
    annotation_index_refresh(annotations=[annotation], written=True)
    return annotation


@transaction.atomic
def annotation_delete(
    *, user: AbstractBaseUser, annotation: Annotation, if_match: str | None = None
) -> Annotation:
    """Soft-delete an annotation: it disappears everywhere but stays in the database."""
    annotation = annotation_lock(annotation=annotation, if_match=if_match)
    if not permissions.can_change(user, annotation):
        raise PermissionDenied(_("You may not delete this annotation."))
    if annotation.deleted_at is not None:
        raise Annotation.DoesNotExist(_("This annotation was deleted."))
    annotation.deleted_at = timezone.now()
    annotation.save(update_fields=["deleted_at", "updated_at"])
    annotation_index_refresh(annotations=[annotation], written=True)
    return annotation


# Idempotent creates ----------------------------------------------------------------------


class IdempotencyMismatch(ValidationError):
    """The Idempotency-Key was used for another request body (answered 422)."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This Idempotency-Key was already used with a different request body: "
                "send a new key for a new request."
            ),
            code="idempotency_mismatch",
        )


@dataclass(frozen=True)
class Idempotency:
    """A create request's Idempotency-Key, the endpoint it was sent to and its body's hash."""

    key: str
    scope: str
    request_hash: str

    @classmethod
    def of_request(cls, key: str | None, *, scope: str, body: bytes) -> Idempotency | None:
        """Return the request's idempotency, None without a key (ValidationError if malformed)."""
        if key is None:
            return None
        key = key.strip()
        if not key or len(key) > IdempotencyKey.KEY_MAX_LENGTH or not key.isascii() or not key.isprintable():
            raise ValidationError(
                _("Idempotency-Key must be 1 to %(limit)s printable ASCII characters.")
                % {"limit": IdempotencyKey.KEY_MAX_LENGTH},
                code="bad_request",
            )
        return cls(key=key, scope=scope, request_hash=hashlib.sha256(body).hexdigest())


def _idempotency_claim(*, user: AbstractBaseUser, idempotency: Idempotency) -> IdempotencyKey:
    """Return the key's row, locked: inserted by us (no annotation yet) or the first request's."""
    mine = {"user": user, "scope": idempotency.scope, "key": idempotency.key}
    expired = timezone.now() - dt.timedelta(hours=IdempotencyKey.TTL_HOURS)
    # The user's expired keys go on the way (this one's too, if it expired): the table stays small.
    IdempotencyKey.objects.filter(user=user, created_at__lt=expired).delete()
    # INSERT … ON CONFLICT DO NOTHING: a racing request with the same key blocks here on
    # the first one's uncommitted row until that commits (then conflicts) or rolls back.
    IdempotencyKey.objects.bulk_create(
        [IdempotencyKey(**mine, request_hash=idempotency.request_hash)], ignore_conflicts=True
    )
    return IdempotencyKey.objects.select_for_update().get(**mine)


def annotation_create_once(
    *, user: AbstractBaseUser, idempotency: Idempotency | None, create: Callable[[], Annotation]
) -> tuple[Annotation, int, bool]:
    """Run create() once per idempotency key; return (annotation, status, whether replayed).

    A repeat of the key with the same body returns the first request's annotation and
    status; with another body it is refused (IdempotencyMismatch). A failed create keeps
    no key (the transaction rolls back), so the client may retry it.
    """
    if idempotency is None:
        return create(), 201, False
    with transaction.atomic():
        return _annotation_create_claimed(user=user, idempotency=idempotency, create=create)


def _annotation_create_claimed(
    *, user: AbstractBaseUser, idempotency: Idempotency, create: Callable[[], Annotation]
) -> tuple[Annotation, int, bool]:
    record = _idempotency_claim(user=user, idempotency=idempotency)
    if record.request_hash != idempotency.request_hash:
        raise IdempotencyMismatch()
    if record.annotation_id is not None:
        return record.annotation, record.status, True
    annotation = create()
    record.annotation = annotation
    record.save(update_fields=["annotation"])
    return annotation, record.status, False


@transaction.atomic
def annotation_bulk_create_once(
    *, user: AbstractBaseUser, idempotency: Idempotency | None, create: Callable[[], list[Annotation]]
) -> tuple[list[int], bool]:
    """Run create() once per idempotency key; return the created ids and whether replayed.

    As annotation_create_once, for a batch: a repeat with the same body answers the first
    batch's ids and creates nothing; a failed batch keeps no key.
    """
    if idempotency is None:
        return [a.pk for a in create()], False
    record = _idempotency_claim(user=user, idempotency=idempotency)
    if record.request_hash != idempotency.request_hash:
        raise IdempotencyMismatch()
    if record.result is not None:
        return list(record.result["ids"]), True
    ids = [a.pk for a in create()]
    record.result = {"ids": ids}
    record.save(update_fields=["result"])
    return ids, False
