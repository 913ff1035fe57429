"""The events pages' form: it parses the fields; annotations.claims.events checks the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from annotations.claims import events
from annotations.models import Event

_DATE_ATTRS = {"type": "date", "min": f"{events.YEAR_MIN}-01-01", "max": f"{events.YEAR_MAX}-12-31"}


class EventForm(forms.Form):
    """An event of the timeline: a day or a span of days, labelled in both languages."""

    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs=_DATE_ATTRS, format="%Y-%m-%d"),
        error_messages={
            "invalid": _("Enter a date as YYYY-MM-DD."),
            "required": _("Enter the event's date."),
        },
    )
    end_date = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=forms.DateInput(attrs=_DATE_ATTRS, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
        help_text=_("Only for an event of several days."),
    )
    # No max_length here: the service says how long a label may be, in one message for every
    # way in; the browser's maxlength only spares a typist the round trip.
    label_ko = forms.CharField(
        label=_("Korean label"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": events.LABEL_MAX_LENGTH, "lang": "ko"}),
    )
    label_en = forms.CharField(
        label=_("English label"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": events.LABEL_MAX_LENGTH, "lang": "en"}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": events.DESCRIPTION_MAX_LENGTH}),
    )

    @classmethod
    def for_event(cls, event: Event) -> EventForm:
        """Return the form filled with an event's values."""
        return cls(initial={name: getattr(event, name) for name in events.EVENT_FIELDS})

    def values(self) -> dict[str, Any]:
        """Return the parsed fields for event_create / event_update."""
        return {name: self.cleaned_data.get(name) for name in events.EVENT_FIELDS}
