"""Who may do what with annotations: one place, used by views, services and templates."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from annotations.models import Annotation

User = AbstractBaseUser | AnonymousUser


def can_annotate(user: User) -> bool:
    """Return whether the user may create annotations at all."""
    return bool(user.is_authenticated and user.has_perm("annotations.add_annotation"))


def can_share(user: User) -> bool:
    """Return whether the user may share annotations with every signed-in user."""
    return bool(user.is_authenticated and user.has_perm("annotations.share_annotation"))


def can_change(user: User, annotation: Annotation) -> bool:
    """Return whether the user may edit or delete the annotation.

    Authors may change their own; editors may change anyone's *shared* annotation,
    never someone else's private one (which they cannot even see).
    """
    if not user.is_authenticated or annotation.deleted_at is not None:
        return False
    if annotation.author_id == user.pk:
        return True
    return annotation.is_shared and user.has_perm("annotations.moderate_annotation")
