"""Who may export: editors (the export_annotation permission) and superusers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from annotations.selectors import User

EXPORT_PERMISSION = "annotations.export_annotation"
EXPORT_FORBIDDEN = _(
    "Exporting excerpts is for editors: ask an editor or an administrator for the Editor role."
)


def can_export(user: User) -> bool:
    """Return whether the user may export excerpts on the page or through the API."""
    return bool(user.is_authenticated and user.has_perm(EXPORT_PERMISSION))
