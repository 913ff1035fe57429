"""Who may import briefs: editors (the add_brief permission) and superusers."""

from __future__ import annotations

from annotations.selectors import User

IMPORT_PERMISSION = "briefs.add_brief"
IMPORT_FORBIDDEN = "Importing briefs is for editors: ask an editor or an administrator for the Editor role."


def can_import(user: User) -> bool:
    """Return whether the user may import briefs (and replace them) from the import page."""
    return bool(user.is_authenticated and user.has_perm(IMPORT_PERMISSION))
