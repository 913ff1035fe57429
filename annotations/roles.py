"""Roles are Django groups; what each may do is a set of model permissions.

Analyst    private highlights and notes (tags allowed, but only privately).
Annotator  tags claims and shares them with every signed-in user.
Editor     everything an annotator does, plus the codebook, export, importing, editing and
           deleting briefs, and editing or deleting anyone's shared annotations. Editors are
           staff, for the admin.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ANALYST = "analyst"
    ANNOTATOR = "annotator"
    EDITOR = "editor"

    @property
    def group_name(self) -> str:
        return self.value.capitalize()


_ANALYST = ["annotations.add_annotation"]
_ANNOTATOR = [*_ANALYST, "annotations.share_annotation"]
_CODEBOOK = [
    f"annotations.{action}_{model}"
    for model in ("category", "tag")
    for action in ("add", "change", "delete", "view")
]
_EDITOR = [
    *_ANNOTATOR,
    "annotations.moderate_annotation",
    "annotations.export_annotation",
    "annotations.view_annotation",
    *_CODEBOOK,
    *[f"annotations.{action}_event" for action in ("add", "change", "delete", "view")],
    "briefs.add_brief",
    "briefs.change_brief",
    "briefs.delete_brief",
]

# "app_label.codename" of every permission each role's group holds.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.ANALYST: _ANALYST,
    Role.ANNOTATOR: _ANNOTATOR,
    Role.EDITOR: _EDITOR,
}
STAFF_ROLES = frozenset({Role.EDITOR})
