"""Codebook labels in the interface's language: {% load codebook %} … {{ tag|label }}."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def label(entry) -> str:
    """Return a tag's or category's label in the active language."""
    return entry.label()
