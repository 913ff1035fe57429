"""The export's input, shared by the page, the API and the command: filters and presentation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from annotations.export.formats import FORMAT_CHOICES
from annotations.export.presenters import ExcerptOptions
from annotations.export.selectors import ExportFilters
from annotations.models import Actor, Tag
from annotations.w3c import label_language
from briefs.models import Brief, Language


class _ValuesField(forms.MultipleChoiceField):
    """Several values picked from a list, where a value that names nothing is no error.

    An unknown brief, tag or annotator simply matches no excerpt, as in the reader's
    filters: the count (page), X-Export-Total (API) and the command's warning say so.
    """

    def valid_value(self, value: str) -> bool:
        return True


def _brief_choices() -> list[tuple[str, str]]:
    return list(Brief.objects.order_by("-publication_year", "title").values_list("slug", "title"))


def _tag_choices() -> list[tuple[str, str]]:
    return [(t.code, t.label()) for t in Tag.objects.order_by("category__position", "position", "code")]


def _annotator_choices() -> list[tuple[str, str]]:
    names = get_user_model().objects.order_by("username").values_list("username", flat=True)
    return [(name, name) for name in names]


class ExportForm(forms.Form):
    """Which excerpts to export and how; every field is optional (no filter: everything visible)."""

    briefs = _ValuesField(
        choices=_brief_choices,
        required=False,
        label=_("Briefs"),
        widget=forms.CheckboxSelectMultiple,
    )
    tags = _ValuesField(
        choices=_tag_choices,
        required=False,
        label=_("Tags (any of them)"),
        widget=forms.CheckboxSelectMultiple,
    )
    actors = forms.MultipleChoiceField(
        choices=Actor.choices, required=False, label=_("Actors"), widget=forms.CheckboxSelectMultiple
    )
    annotators = _ValuesField(
        choices=_annotator_choices,
        required=False,
        label=_("Annotators"),
        widget=forms.CheckboxSelectMultiple,
    )
    created_from = forms.DateField(
        required=False, label=_("Created from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        required=False,
        label=_("Created to"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Inclusive: the whole day counts."),
    )
    q = forms.CharField(
        required=False,
        max_length=200,
        label=_("Text in the quote or note"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    context = forms.BooleanField(required=False, label=_("Include context (prefix [quote] suffix)"))
    language = forms.ChoiceField(choices=Language.choices, required=False, label=_("Label language"))
    format = forms.ChoiceField(choices=FORMAT_CHOICES, required=False, label=_("Format"))

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        # No label language chosen: the interface's (ko or en). Put into the data, not the
        # initial values, so the page's select shows it and the download uses it alike.
        if data is not None and not data.get("language"):
            data = data.copy()
            data["language"] = label_language()
        super().__init__(data, *args, **kwargs)

    def clean_format(self) -> str:
        return self.cleaned_data["format"] or "csv"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The date range is reversed: “from” must not be after “to”."))
        return data

    def filters(self) -> ExportFilters:
        """Return the cleaned filters (call after is_valid())."""
        data = self.cleaned_data
        return ExportFilters(
            briefs=list(data["briefs"]),
            tags=list(data["tags"]),
            actors=list(data["actors"]),
            annotators=list(data["annotators"]),
            created_from=_day_start(data["created_from"]),
            created_before=_day_start(data["created_to"] and data["created_to"] + dt.timedelta(days=1)),
            text=data["q"],
        )

    def options(self, *, base_url: str) -> ExcerptOptions:
        """Return how to present the excerpts (call after is_valid())."""
        data = self.cleaned_data
        return ExcerptOptions(language=data["language"], context=data["context"], base_url=base_url)


def _day_start(day: dt.date | None) -> dt.datetime | None:
    # Days are the site's days (TIME_ZONE), as the page shows them.
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def form_errors(form: forms.Form) -> str:
    """Return every error of the form as one line, each naming its field."""
    messages = []
    for name, errors in form.errors.items():
        label = "" if name == "__all__" else f"{form[name].label}: "
        messages.extend(f"{label}{error}" for error in errors)
    return " ".join(messages)
