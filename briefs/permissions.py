"""Who may import, edit and delete briefs: editors (the brief model permissions) and superusers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from annotations.selectors import User

IMPORT_PERMISSION = "briefs.add_brief"
IMPORT_FORBIDDEN = _(
    "Importing briefs is for editors: ask an editor or an administrator for the Editor role."
)
EDIT_PERMISSION = "briefs.change_brief"
EDIT_FORBIDDEN = _("Editing briefs is for editors: ask an editor or an administrator for the Editor role.")
DELETE_PERMISSION = "briefs.delete_brief"
DELETE_FORBIDDEN = _("Deleting briefs is for editors: ask an editor or an administrator for the Editor role.")


def can_import(user: User) -> bool:
    """Return whether the user may import briefs (and replace them) from the import page."""
    return bool(user.is_authenticated and user.has_perm(IMPORT_PERMISSION))


def can_edit(user: User) -> bool:
    """Return whether the user may change a brief's metadata and section headings."""
    return bool(user.is_authenticated and user.has_perm(EDIT_PERMISSION))


def can_delete(user: User) -> bool:
    """Return whether the user may delete a brief (and, when confirmed, others' annotations on it)."""
    return bool(user.is_authenticated and user.has_perm(DELETE_PERMISSION))
