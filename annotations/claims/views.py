"""The claims pages (matrix, timeline, co-occurrence) and their CSV/XLSX downloads.

Each page reads its GET parameters (the view's options and the shared ClaimsFilterForm),
asks queries.py for the payload once, and renders it three ways from that one dict: the
JSON the chart is drawn from (json_script; the API returns the same), an HTML table under
the chart, and the downloads, which parse the same parameters through the same function.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, IntegerField, OuterRef
from django.db.models.functions import Coalesce, ExtractYear
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from annotations import selectors
from annotations.claims import downloads
from annotations.claims.events import timeline_events
from annotations.claims.filters import (
    NO_CATEGORY,
    NO_ORGANISATION,
    UNDATED,
    VISIBILITY_CHOICES,
    ClaimsFilterForm,
    ClaimsFilters,
)
from annotations.claims.queries import (
    BUCKETS,
    DIMENSION_LABELS,
    DIMENSIONS,
    SCOPES,
    SERIES,
    ClaimsQueryError,
    claims_cooccurrence,
    claims_matrix,
    claims_timeline,
)
from annotations.models import Actor, Category
from briefs.models import Brief, Language

# The heat map's shades: a cell's share of the largest count, in HEAT_LEVELS steps (claims.css
# has one class per step; the CSP forbids style attributes, so no per-cell colour is written).
HEAT_LEVELS = 6
_CHOICE_ERROR = {"invalid_choice": _("Choose one of the listed values.")}


class _Options(forms.Form):
    """A view's own GET options: each valid value, or its default (the error is shown)."""

    DEFAULTS: dict[str, str] = {}

    def values(self) -> dict[str, str]:
        """Return the options to use: the valid ones, the defaults for the rest."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or default for name, default in self.DEFAULTS.items()}


def _dimension_choices() -> list[tuple[str, Any]]:
    return [(name, DIMENSION_LABELS[name]) for name in DIMENSIONS]


class MatrixOptions(_Options):
    DEFAULTS = {"rows": "brief", "columns": "tag", "measure": "count", "sort": "natural"}

    rows = forms.ChoiceField(
        choices=_dimension_choices, required=False, label=_("Rows"), error_messages=_CHOICE_ERROR
    )
    columns = forms.ChoiceField(
        choices=_dimension_choices, required=False, label=_("Columns"), error_messages=_CHOICE_ERROR
    )
    measure = forms.ChoiceField(
        choices=[("count", _("Number of claims")), ("share", _("Share of the row"))],
        required=False,
        label=_("Cells show"),
        error_messages=_CHOICE_ERROR,
    )
    sort = forms.ChoiceField(
        choices=[
            ("natural", _("Natural order")),
            ("total", _("Largest total first")),
            ("label", _("Alphabetical")),
        ],
        required=False,
        label=_("Sort rows and columns"),
        error_messages=_CHOICE_ERROR,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("rows") and data.get("rows") == data.get("columns"):
            self.add_error(
                "columns", _("Rows and columns must be different: tag × tag is the co-occurrence view.")
            )
        return data

    def values(self) -> dict[str, str]:
        found = super().values()
        if found["rows"] == found["columns"]:  # one of them was refused and fell back
            found["columns"] = next(d for d in ("tag", "brief") if d != found["rows"])
        return found


class TimelineOptions(_Options):
    DEFAULTS = {"series": "tag", "bucket": "year"}

    series = forms.ChoiceField(
        choices=[(name, DIMENSION_LABELS[name]) for name in SERIES],
        required=False,
        label=_("One line per"),
        error_messages=_CHOICE_ERROR,
    )
    bucket = forms.ChoiceField(
        choices=[
            ("brief", _("Brief (its publication date)")),
            ("month", _("Month")),
            ("quarter", _("Quarter")),
            ("year", _("Year")),
        ],
        required=False,
        label=_("Count per"),
        error_messages=_CHOICE_ERROR,
    )


class CooccurrenceOptions(_Options):
    DEFAULTS = {"scope": "passage"}

    scope = forms.ChoiceField(
        choices=[("passage", _("The same or overlapping passages")), ("section", _("The same section"))],
        required=False,
        label=_("Tags count together in"),
        error_messages=_CHOICE_ERROR,
    )


assert set(dict(TimelineOptions.base_fields["bucket"].choices)) == set(BUCKETS)
assert set(dict(CooccurrenceOptions.base_fields["scope"].choices)) == set(SCOPES)

TITLES = {
    "matrix": _("Claims matrix"),
    "timeline": _("Claims over time"),
    "cooccurrence": _("Tag co-occurrence"),
}


@dataclass
class ClaimsView:
    """One claims view as the request asks for it: parsed options and filters, and the payload."""

    kind: str
    options_form: _Options
    filter_form: ClaimsFilterForm
    options: dict[str, str]
    filters: ClaimsFilters
    payload: dict[str, Any]
    errors: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(TITLES[self.kind])

    @property
    def query_items(self) -> list[tuple[str, str]]:
        """The GET parameters that reproduce the view (options first, then the filters)."""
        return [*self.options.items(), *self.filters.query_items()]

    def generated_at(self) -> dt.datetime:
        """Return when the payload was counted, in the site's time zone."""
        return timezone.localtime(dt.datetime.fromisoformat(self.payload["generated_at"]))

    def describe(self) -> list[tuple[str, str]]:
        """Return (label, value) lines saying what was counted, for a downloaded file's head."""
        form = self.options_form
        lines = [
            (str(form.fields[name].label), str(dict(form.fields[name].choices).get(value, value)))
            for name, value in self.options.items()
        ]
        return lines + self.filters.describe()


def _errors(*forms_: forms.Form) -> list[str]:
    """Return the forms' errors as lines "Label: message" (non-field errors bare)."""
    lines = []
    for form in forms_:
        for name, messages in form.errors.items():
            label = form.fields[name].label if name in form.fields else None
            lines += [f"{label}: {message}" if label else str(message) for message in messages]
    return lines


def _parse(request: HttpRequest, kind: str) -> ClaimsView:
    """Read a view's options and filters from the query string and count its claims, once."""
    options_form = {
        "matrix": MatrixOptions,
        "timeline": TimelineOptions,
        "cooccurrence": CooccurrenceOptions,
    }[kind](request.GET)
    filter_form = ClaimsFilterForm(request.GET)
    options = options_form.values()
    filters = filter_form.claims_filters()
    try:
        payload = _count(kind, user=request.user, filters=filters, options=options)
    except ClaimsQueryError as exc:  # the forms refuse all of these; a last guard, never a 500
        options_form.add_error(None, str(exc))
        options = dict(options_form.DEFAULTS)
        payload = _count(kind, user=request.user, filters=filters, options=options)
    return ClaimsView(
        kind=kind,
        options_form=options_form,
        filter_form=filter_form,
        options=options,
        filters=filters,
        payload=payload,
        errors=_errors(options_form, filter_form),
    )


def _count(kind: str, *, user: Any, filters: ClaimsFilters, options: dict[str, str]) -> dict[str, Any]:
    """Return the payload of one view: one call of its query function."""
    if kind == "matrix":
        return claims_matrix(
            user=user, filters=filters, rows=options["rows"], columns=options["columns"], sort=options["sort"]
        )
    if kind == "timeline":
        # With the shared events list, as the API answers it (the chart's markers).
        return timeline_events(
            claims_timeline(user=user, filters=filters, series=options["series"], bucket=options["bucket"])
        )
    return claims_cooccurrence(user=user, filters=filters, scope=options["scope"])


# Tables under the charts -------------------------------------------------------------------


def _level(count: float, peak: float) -> int:
    """Return the heat-map shade of a value: 0 for none, 1..HEAT_LEVELS relative to the peak."""
    if not count or not peak:
        return 0
    return max(1, min(HEAT_LEVELS, round(HEAT_LEVELS * count / peak)))


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%" if share >= 0.01 or not share else "<1%"


def heat_cells_html(cells: list[dict[str, Any]], *, counts: bool = False) -> SafeString:
    """Return one table row's count cells (<td>s): the shade class, the count linking to the
    annotations it counts (with the count in brackets after a share), "0" unlinked.

    Built here, from escaped parts, rather than in the template: a matrix of 1,000 briefs by
    20 tags has 20,000 cells, which the template engine takes over half a second to render.
    """
    parts = []
    for cell in cells:
        classes = f"num heat-{int(cell['level'])}" + (" claims-diagonal" if cell.get("diagonal") else "")
        if cell.get("url"):
            text = escape(cell["display"])
            if counts:
                text += f" <small>({int(cell['count'])})</small>"
            inner = f'<a href="{escape(cell["url"])}">{text}</a>'
        else:
            inner = '<span class="claims-zero">0</span>'
        parts.append(f'<td class="{classes}">{inner}</td>')
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or an int


def matrix_table(payload: dict[str, Any], measure: str) -> dict[str, Any]:
    """Return the matrix as table rows: every cell (zeros too) with its link and shade."""
    cells = {(c["row"], c["column"]): c for c in payload["cells"]}
    value = (lambda c: c["share"]) if measure == "share" else (lambda c: c["count"])
    peak = max((value(c) for c in payload["cells"]), default=0)
    rows = []
    for row in payload["row_keys"]:
        row_cells = []
        for column in payload["column_keys"]:
            cell = cells.get((row["key"], column["key"]))
            if cell is None:
                row_cells.append({"count": 0, "display": "0", "url": None, "level": 0})
                continue
            display = _percent(cell["share"]) if measure == "share" else str(cell["count"])
            row_cells.append({**cell, "display": display, "level": _level(value(cell), peak)})
        rows.append(
            {**row, "cells": row_cells, "cells_html": heat_cells_html(row_cells, counts=measure == "share")}
        )
    return {"columns": payload["column_keys"], "rows": rows}


def cooccurrence_table(payload: dict[str, Any]) -> dict[str, Any]:
    """Return the tag × tag table: the diagonal (claims with the tag) apart from the pairs."""
    cells = {(c["row"], c["column"]): c for c in payload["cells"]}
    peak = max((c["count"] for c in payload["cells"] if c["row"] != c["column"]), default=0)
    rows = []
    for row in payload["tags"]:
        row_cells = []
        for column in payload["tags"]:
            cell = cells.get((row["key"], column["key"]))
            diagonal = row["key"] == column["key"]
            if cell is None:
                row_cells.append({"count": 0, "url": None, "level": 0, "diagonal": diagonal})
            else:
                level = 0 if diagonal else _level(cell["count"], peak)
                row_cells.append(
                    {**cell, "display": str(cell["count"]), "level": level, "diagonal": diagonal}
                )
        rows.append({**row, "cells": row_cells, "cells_html": heat_cells_html(row_cells)})
    return {"columns": payload["tags"], "rows": rows}


def timeline_table(payload: dict[str, Any]) -> dict[str, Any]:
    """Return the timeline's points as table rows, each with its series' label."""
    labels = {s["key"]: s["label"] for s in payload["series"]}
    rows = [
        {
            **point,
            "series_label": labels.get(point["series"], point["series"]),
            "more_briefs": max(0, point.get("brief_count", len(point["briefs"])) - len(point["briefs"])),
        }
        for point in payload["points"]
    ]
    return {"rows": rows}


def _is_empty(payload: dict[str, Any]) -> bool:
    if payload["kind"] == "matrix":
        return not payload["total"]
    if payload["kind"] == "timeline":
        return not payload["points"] and not payload.get("undated")
    return not payload["tags"]


# The filter form's choices -------------------------------------------------------------------


def filter_choices(*, user: Any) -> dict[str, Any]:
    """Return the values the filter form offers (a fixed number of queries, whatever the data)."""
    english = not (get_language() or "en").startswith("ko")
    organisations: dict[str, str] = {}
    for name, name_en in (
        Brief.objects.exclude(organisation="")
        .values_list("organisation", "organisation_en")
        .distinct()
        .order_by("organisation")
    ):
        organisations.setdefault(name, name_en if english and name_en else name)
    years = (
        Brief.objects.annotate(
            year=Coalesce(ExtractYear("publication_date"), "publication_year", output_field=IntegerField())
        )
        .order_by("year")
        .values_list("year", flat=True)
        .distinct()
    )
    tags = list(selectors.tag_list())
    user_model = get_user_model()
    username = user_model.USERNAME_FIELD
    # Only people whose claims the user can see: a private annotation's author is not named.
    annotators = (
        user_model.objects.filter(
            Exists(selectors.annotations_visible_to(user).filter(author_id=OuterRef("pk")))
        )
        .order_by(username)
        .values_list(username, flat=True)
    )
    return {
        "briefs": list(Brief.objects.order_by("title", "slug").values_list("slug", "title")),
        "organisations": [
            *organisations.items(),
            (NO_ORGANISATION, _("No organisation")),
        ],
        "languages": Language.choices,
        "years": [(UNDATED, _("Undated")) if y is None else (str(y), str(y)) for y in years],
        "tags": tags,
        "categories": [
            *((c.code, c.label()) for c in Category.objects.order_by("position", "code")),
            *([(NO_CATEGORY, _("No category"))] if any(t.category_id is None for t in tags) else []),
        ],
        "actors": Actor.choices,
        "annotators": list(annotators),
        "visibility": VISIBILITY_CHOICES,
    }


# Views --------------------------------------------------------------------------------------


def _page(request: HttpRequest, view: ClaimsView, table: dict[str, Any]) -> HttpResponse:
    payload = view.payload
    api_items = [(name, value) for name, value in view.query_items if name != "measure"]
    context = {
        "view": view,
        "kind": view.kind,
        "title": view.title,
        "options_form": view.options_form,
        "options": view.options,
        "option_fields": [
            {
                "name": name,
                "label": view.options_form.fields[name].label,
                "value": value,
                "choices": view.options_form.fields[name].choices,
            }
            for name, value in view.options.items()
        ],
        "options_query": urlencode(list(view.options.items())),
        "filter_form": view.filter_form,
        "selected": view.filters.as_dict(),
        "filters_active": view.filters.active,
        "choices": filter_choices(user=request.user),
        "payload": payload,
        "table": table,
        "empty": _is_empty(payload),
        "errors": view.errors,
        "query": urlencode(view.query_items),
        "filter_query": urlencode(view.filters.query_items()),
        "filename": downloads.filename(view.kind, view.generated_at().date(), ""),
        # The same payload from the API (which refuses parameters it does not take: "measure"
        # only changes how the page shows the matrix).
        "api_url": f"{reverse(f'api:{view.kind}')}?{urlencode(api_items)}",
    }
    # Refused parameters: the page still answers (with the errors and what it could count).
    status = 400 if view.errors else 200
    return render(request, f"claims/{view.kind}.html", context, status=status)


@login_required
@require_GET
def matrix(request: HttpRequest) -> HttpResponse:
    """Claims counted by two dimensions (say brief × tag), as a heat map and a table."""
    view = _parse(request, "matrix")
    return _page(request, view, matrix_table(view.payload, view.options["measure"]))


@login_required
@require_GET
def timeline(request: HttpRequest) -> HttpResponse:
    """Claims per tag, actor or category over publication dates, with the events marked."""
    view = _parse(request, "timeline")
    return _page(request, view, timeline_table(view.payload))


@login_required
@require_GET
def cooccurrence(request: HttpRequest) -> HttpResponse:
    """Which tags are applied to the same or overlapping passages, or in the same section."""
    view = _parse(request, "cooccurrence")
    return _page(request, view, cooccurrence_table(view.payload))


@login_required
@require_GET
def download(request: HttpRequest, kind: str, extension: str) -> HttpResponse:
    """A view's table as CSV or XLSX, with what was counted and when written at the top."""
    if kind not in TITLES or extension not in downloads.FORMATS:
        raise Http404("No such download.")
    view = _parse(request, kind)
    if view.errors:
        return HttpResponse("\n".join(view.errors), status=400, content_type="text/plain; charset=utf-8")
    return downloads.claims_download(
        kind=kind,
        extension=extension,
        title=view.title,
        payload=view.payload,
        describe=[
            (str(_("Counted for")), request.user.get_username()),
            *view.describe(),
        ],
        generated_at=view.generated_at(),
    )
