"""The claims views over the API: /api/v1/claims/matrix, /timeline and /cooccurrence.

Each answers the payload its page charts (annotations.claims.queries), from the same
filters read by the same form, so the page, its downloads and the API cannot disagree.
Signed-in callers only: a private annotation counts for its author alone.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from annotations.claims.events import timeline_events
from annotations.claims.filters import MAX_VALUES, ClaimsFilterForm, ClaimsFilters
from annotations.claims.queries import ClaimsQueryError, claims_cooccurrence, claims_matrix, claims_timeline
from config.api_support import ERRORS, json_answer, signed_in_auth

router = Router(tags=["claims"])

Dimension = Literal["brief", "organisation", "actor", "tag", "category", "annotator", "year"]


class ClaimsFilterIn(Schema):
    """The claims filters (all optional); a list parameter repeats (tag=a&tag=b means a or b)."""

    brief: list[str] = Field(
        [], max_length=MAX_VALUES, description="Brief slugs.", examples=[["kinu-co-19-05"]]
    )
    organisation: list[str] = Field(
        [], max_length=MAX_VALUES, description="Organisations as the briefs name them; `(none)` for none."
    )
    language: Literal["ko", "en"] | None = Field(None, description="The briefs' language.")
    date_from: str | None = Field(
        None,
        description="Published on or after (YYYY-MM-DD; a brief with only a year is 1 January).",
        examples=["2018-01-01"],
    )
    date_to: str | None = Field(
        None, description="Published on or before (YYYY-MM-DD).", examples=["2019-12-31"]
    )
    year: list[str] = Field([], max_length=MAX_VALUES, description="Publication years; `undated` for none.")
    tag: list[str] = Field([], max_length=MAX_VALUES, description="Tag codes: claims with any of them.")
    category: list[str] = Field(
        [], max_length=MAX_VALUES, description="Category codes: claims with a tag in one; `(none)` for none."
    )
    actor: list[str] = Field([], max_length=MAX_VALUES, description="Actors the claims are attributed to.")
    annotator: list[str] = Field([], max_length=MAX_VALUES, description="Usernames of the annotators.")
    visibility: Literal["mine", "shared"] | None = Field(
        None, description="Only your own claims, or only shared ones (yours included)."
    )


class MatrixIn(ClaimsFilterIn):
    rows: Dimension = Field("brief", description="What the rows count by.")
    columns: Dimension = Field("tag", description="What the columns count by.")
    sort: Literal["natural", "total", "label"] = Field(
        "natural", description="Order of rows and columns: codebook/date order, by total, or by label."
    )


class TimelineIn(ClaimsFilterIn):
    series: Literal["tag", "actor", "category"] = Field("tag", description="One line per value of this.")
    bucket: Literal["brief", "month", "quarter", "year"] = Field(
        "year", description="Points per brief (its publication date) or per calendar period."
    )


class CooccurrenceIn(ClaimsFilterIn):
    scope: Literal["passage", "section"] = Field(
        "passage", description="Tags on the same or overlapping passages, or in the same section."
    )


class KeyOut(Schema):
    key: str
    label: str
    total: int
    url: str
    colour: str | None = None
    active: bool | None = None


class AxisOut(Schema):
    dimension: str
    label: str


class MatrixCellOut(Schema):
    row: str
    column: str
    count: int
    share: float = Field(description="The count as a share of its row's total.")
    url: str = Field(description="The Annotations page listing exactly the claims counted.")


class MatrixOut(Schema):
    kind: Literal["matrix"]
    rows: AxisOut
    columns: AxisOut
    row_keys: list[KeyOut]
    column_keys: list[KeyOut]
    cells: list[MatrixCellOut] = Field(description="Non-empty cells only, in row then column order.")
    total: int = Field(description="Distinct claims counted (a claim with two tags counts once).")
    total_url: str
    sort: str
    filters: dict[str, list[str]]
    generated_at: str


class BriefRefOut(Schema):
    slug: str
    title: str


class PointOut(Schema):
    period: str = Field(description="The period's first day (bucket brief: the publication date).")
    period_label: str
    series: str
    count: int
    brief_count: int
    briefs: list[BriefRefOut] = Field(description="Up to ten of the briefs counted.")
    url: str


class EventOut(Schema):
    date: str
    end_date: str | None = Field(
        None, description="The last day of an event of several days; absent for one day."
    )
    label: str


class TimelineOut(Schema):
    kind: Literal["timeline"]
    series_dimension: str
    series_label: str
    bucket: str
    series: list[KeyOut]
    points: list[PointOut]
    undated: int = Field(description="Claims in briefs with no publication date or year.")
    undated_url: str | None = Field(None, description="Absent when no claim is undated.")
    events: list[EventOut] = Field(description="The shared events list, drawn as markers.")
    filters: dict[str, list[str]]
    generated_at: str


class CooccurrenceCellOut(Schema):
    row: str
    column: str
    count: int
    url: str


class CooccurrenceOut(Schema):
    kind: Literal["cooccurrence"]
    scope: str
    tags: list[KeyOut]
    cells: list[CooccurrenceCellOut] = Field(
        description="Both orders of each pair; the diagonal is the tag's claims."
    )
    filters: dict[str, list[str]]
    generated_at: str


def claims_filters_read(request: HttpRequest) -> ClaimsFilters:
    """Read the filters with the pages' form; the first invalid one is a 422 naming it."""
    form = ClaimsFilterForm(request.GET)
    filters = form.claims_filters()
    if form.errors:
        name, messages = next(iter(form.errors.items()))
        raise ValidationError({name: messages})
    return filters


def _answer(run: Any) -> dict[str, Any]:
    try:
        return run()
    except ClaimsQueryError as exc:
        raise ValidationError(str(exc)) from exc


# Lists whose items never hold a None, so the response need not look at each of them.
_DENSE = frozenset({"cells", "points"})


def _json(payload: dict[str, Any]) -> HttpResponse:
    """Answer a view's payload as built, with its None values left out (as exclude_none would).

    The payload comes from our own counting code, in the shape the response schemas document
    (tests/claims/test_api.py validates each answer against its schema, strictly): having
    ninja re-validate a matrix of 16,000 cells cost more than counting them. The schemas
    stay in the decorators, for the OpenAPI document.
    """
    stripped = {}
    for name, value in payload.items():
        if value is None:
            continue
        if isinstance(value, list) and name not in _DENSE:
            value = [
                {k: v for k, v in item.items() if v is not None} if isinstance(item, dict) else item
                for item in value
            ]
        stripped[name] = value
    return json_answer(stripped, content_type="application/json")


@router.get(
    "/matrix",
    auth=signed_in_auth,
    response={200: MatrixOut, **ERRORS},
    summary="Claims matrix",
)
def matrix(request: HttpRequest, params: Query[MatrixIn]) -> HttpResponse:
    """Count the claims you may see by two dimensions (rows × columns), with totals.

    A private annotation counts only for its author, in every cell and total.
    """
    filters = claims_filters_read(request)
    return _json(
        _answer(
            lambda: claims_matrix(
                user=request.user, rows=params.rows, columns=params.columns, filters=filters, sort=params.sort
            )
        )
    )


@router.get(
    "/timeline",
    auth=signed_in_auth,
    response={200: TimelineOut, **ERRORS},
    summary="Claims timeline",
)
def timeline(request: HttpRequest, params: Query[TimelineIn]) -> HttpResponse:
    """Count the claims you may see per tag, actor or category over publication dates."""
    filters = claims_filters_read(request)
    return _json(
        timeline_events(
            _answer(
                lambda: claims_timeline(
                    user=request.user, series=params.series, bucket=params.bucket, filters=filters
                )
            )
        )
    )


@router.get(
    "/cooccurrence",
    auth=signed_in_auth,
    response={200: CooccurrenceOut, **ERRORS},
    summary="Tag co-occurrence",
)
def cooccurrence(request: HttpRequest, params: Query[CooccurrenceIn]) -> HttpResponse:
    """Count, per pair of tags, the claims you may see that take part in their co-occurrence."""
    filters = claims_filters_read(request)
    return _json(_answer(lambda: claims_cooccurrence(user=request.user, scope=params.scope, filters=filters)))
