"""Export helpers for templates: {% load exports %}.

{% export_these_url form %} is the export page's address carrying the Annotations page's
filters; {{ annotation|citation }} is the citation the exports print for an excerpt.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms, template
from django.urls import reverse

from annotations.export.citations import annotation_citation
from annotations.export.permissions import can_export
from annotations.models import Annotation

register = template.Library()


@register.simple_tag(takes_context=True)
def export_these_url(context: template.Context, form: forms.Form) -> str:
    """Return the export page with the browse form's valid filters, or "" if the user may not export."""
    request = context.get("request")
    if request is None or not can_export(request.user):
        return ""
    found = form.filters()  # the same cleaned values the Annotations page filters by
    annotator = request.user.get_username() if found.get("mine") else found.get("author")
    params = [
        ("briefs", found.get("brief")),
        ("tags", found.get("tag")),
        ("actors", found.get("actor")),
        ("annotators", annotator),
        ("q", found.get("q")),
    ]
    query = urlencode([(name, value) for name, value in params if value])
    return reverse("export:page") + (f"?{query}" if query else "")


@register.filter
def citation(annotation: Annotation) -> str:
    """Return the excerpt's citation (brief, section, pages), as the exports print it."""
    return annotation_citation(annotation)
