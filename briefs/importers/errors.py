"""The one exception the importers raise."""

from __future__ import annotations


class DocumentError(ValueError):
    """The document cannot be read: the message is one line, fit to show to the user."""
