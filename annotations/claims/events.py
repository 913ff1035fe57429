"""The claims timeline's shared events list (annotations.Event): reads, checked writes, payload.

Editors keep it through the events pages (events_views) and the admin; both go through
event_check, so an event ending before it starts, an empty label or a year nobody meant is
refused with the same message wherever it comes from.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from annotations.models import Event

LABEL_MAX_LENGTH = Event._meta.get_field("label_en").max_length
DESCRIPTION_MAX_LENGTH = 2000
# Policy briefs and the events they discuss are modern; a date outside this is a typo
# (the same bounds as a brief's publication year).
YEAR_MIN, YEAR_MAX = 1800, 2200
EVENT_FIELDS = ("date", "end_date", "label_ko", "label_en", "description")


# ---------------------------------------------------------------------------------- selectors


def event_list(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> QuerySet[Event]:
    """Return the events that touch the period (all of them by default), in date order.

    An event of several days is in the period if any of its days is.
    """
    qs = Event.objects.all()
    if date_from is not None:
        qs = qs.filter(Q(end_date__gte=date_from) | Q(end_date__isnull=True, date__gte=date_from))
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("date", "pk")


def event_payload(events: QuerySet[Event] | list[Event], language: str | None) -> list[dict[str, Any]]:
    """Return the events as the timeline JSON's markers, labelled in `language`."""
    return [
        {
            "date": event.date.isoformat(),
            "end_date": event.end_date.isoformat() if event.end_date else None,
            "label": event.label(language),
            "id": event.pk,
        }
        for event in events
    ]


def timeline_events(payload: dict[str, Any]) -> dict[str, Any]:
    """Add the shared events list to a timeline payload (its chart's markers), labelled in the
    interface's language, as the API and the timeline page both answer it."""
    payload["events"] = [
        {key: value for key, value in event.items() if key != "id"}
        for event in event_payload(event_list(), get_language())
    ]
    return payload


# ------------------------------------------------------------------------------------- checks


def _text(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value or "")).strip()


def event_check(fields: dict[str, Any], *, instance: Event | None = None) -> dict[str, Any]:
    """Return the event's fields cleaned (labels trimmed, NFC), or raise ValidationError by field."""
    errors: dict[str, list[str]] = {}
    clean = {
        "date": fields.get("date"),
        "end_date": fields.get("end_date") or None,
        "label_ko": _text(fields.get("label_ko")),
        "label_en": _text(fields.get("label_en")),
        "description": _text(fields.get("description")),
    }
    for name in ("date", "end_date"):
        value = clean[name]
        if value is None:
            if name == "date":
                errors.setdefault(name, []).append(_("Enter the event's date."))
        elif not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            errors.setdefault(name, []).append(_("Enter a date as YYYY-MM-DD."))
        elif not YEAR_MIN <= value.year <= YEAR_MAX:
            errors.setdefault(name, []).append(
                _("Enter a date between the years %(min)s and %(max)s.") % {"min": YEAR_MIN, "max": YEAR_MAX}
            )
    start, end = clean["date"], clean["end_date"]
    if "date" not in errors and "end_date" not in errors and end is not None and end < start:
        errors.setdefault("end_date", []).append(_("The end date is before the start date."))
    for name in ("label_ko", "label_en"):
        if not clean[name]:
            errors.setdefault(name, []).append(_("Enter a label in Korean and in English."))
        elif len(clean[name]) > LABEL_MAX_LENGTH:
            errors.setdefault(name, []).append(
                _("A label has at most %(max)d characters (this one has %(length)d).")
                % {"max": LABEL_MAX_LENGTH, "length": len(clean[name])}
            )
    if len(clean["description"]) > DESCRIPTION_MAX_LENGTH:
        errors.setdefault("description", []).append(
            _("The description has at most %(max)d characters (this one has %(length)d).")
            % {"max": DESCRIPTION_MAX_LENGTH, "length": len(clean["description"])}
        )
    if not errors and _duplicate(clean, instance=instance):
        errors["label_en"] = [_duplicate_message(clean)]
    if errors:
        raise ValidationError(errors)
    return clean


def _duplicate(clean: dict[str, Any], *, instance: Event | None) -> bool:
    same = Event.objects.filter(date=clean["date"], label_en=clean["label_en"])
    if instance is not None and instance.pk is not None:
        same = same.exclude(pk=instance.pk)
    return same.exists()


def _duplicate_message(clean: dict[str, Any]) -> str:
    return _("There is already an event “%(label)s” on %(date)s.") % {
        "label": clean["label_en"],
        "date": clean["date"].isoformat(),
    }


# ------------------------------------------------------------------------------------- writes


def _save(event: Event, clean: dict[str, Any]) -> Event:
    for name, value in clean.items():
        setattr(event, name, value)
    try:
        # A savepoint: two editors adding the same event at once both pass the check, and
        # the loser's unique violation must not break the caller's transaction.
        with transaction.atomic():
            event.save()
    except IntegrityError as exc:
        raise ValidationError({"label_en": [_duplicate_message(clean)]}) from exc
    return event


@transaction.atomic
def event_create(
    *,
    date: dt.date,
    label_ko: str,
    label_en: str,
    end_date: dt.date | None = None,
    description: str = "",
) -> Event:
    """Add an event to the timeline's list (raises ValidationError by field)."""
    fields = {
        "date": date,
        "end_date": end_date,
        "label_ko": label_ko,
        "label_en": label_en,
        "description": description,
    }
    return _save(Event(), event_check(fields))


@transaction.atomic
def event_update(*, event: Event, **fields: Any) -> Event:
    """Change an event; fields left out keep their values (raises ValidationError by field)."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields: {', '.join(sorted(unknown))}")
    merged = {name: fields.get(name, getattr(event, name)) for name in EVENT_FIELDS}
    return _save(event, event_check(merged, instance=event))


@transaction.atomic
def event_delete(*, event: Event) -> None:
    """Remove an event from the timeline's list."""
    event.delete()
