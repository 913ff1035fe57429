"""The public API, /api/v1/: each app's router mounted on one NinjaAPI.

Auth, limits and the error format are in config.api_support (shared with the W3C
Protocol views): every refusal is JSON {"detail": "...", "field": "..."} with a 4xx.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from accounts.auth import NotAuthenticated, RateLimited
from annotations.api import router as annotations_router
from annotations.api import tags_router
from briefs.api import router as briefs_router
from briefs.api import sections_router
from config.api_support import PayloadTooLarge, error_payload, read_auth, reject_unknown_query
from config.errors import outage_response
from config.input_guard import UnreadableInput, json_body_load


class PreciseEncoder(NinjaJSONEncoder):
    """Keep timestamps to the microsecond (Django's encoder cuts them to milliseconds), so a
    value read from the API can be sent back as updated_after without losing rows."""

    def default(self, o: object) -> object:
        if isinstance(o, dt.datetime):
            return o.isoformat()
        return super().default(o)


class PreciseJSONRenderer(JSONRenderer):
    encoder_class = PreciseEncoder
    json_dumps_params = {"ensure_ascii": False}


class BoundedParser(Parser):
    """Parse bodies with the site's bounded JSON reader (depth, size, NUL, lone surrogates)."""

    def parse_body(self, request: HttpRequest) -> Any:
        return json_body_load(request.body)


api = NinjaAPI(
    title="Marginalia API",
    version="1",
    description=(
        "Briefs, sections, the codebook and annotations (native JSON; W3C Web Annotation "
        "JSON-LD at /api/v1/w3c/annotations/).\n\n"
        "**Auth**: `Authorization: Bearer <token>` with a personal token from your profile "
        "page (/accounts/tokens/), or the browser session (unsafe methods need the "
        "`X-CSRFToken` header). Anonymous callers see briefs, sections, the codebook and "
        "section search; the annotation endpoints answer them 401 with a hint. A query "
        "parameter an endpoint does not take is a 400 naming it. Read-only tokens get 403 "
        "on writes. Token clients are rate limited (429 with Retry-After).\n\n"
        "**Sync**: `GET /api/v1/annotations?ordering=updated&include_deleted=true&<filters>`; "
        "follow `next` while `has_more`, store the last `next`, and fetch it later for "
        "everything changed since, deletions as `{id, deleted: true, updated}` stubs. "
        "Upsert items and drop stubs by id.\n\n"
        "**Search**: `GET /api/v1/search/sections?q=…` and `/api/v1/search/annotations?q=…`, "
        "the search page's Korean-aware query (particles and endings do not matter), ranked, "
        "with snippets whose matches are given as code-point spans."
    ),
    urls_namespace="api",
    auth=read_auth,
    renderer=PreciseJSONRenderer(),
    parser=BoundedParser(),
)


def _handle(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, HttpError) and isinstance(exc.__cause__, UnreadableInput):
        # ninja wraps every parser error as "Cannot parse request body": say what was wrong.
        exc = HttpError(400, str(exc.__cause__))
    payload = error_payload(exc)
    if payload is None:
        raise exc
    status, body, headers = payload
    response = api.create_response(request, body, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


for _exc in (
    NotAuthenticated,
    RateLimited,
    PayloadTooLarge,
    RequestDataTooBig,
    NinjaValidationError,
    DjangoValidationError,
    PermissionDenied,
    Http404,
    ObjectDoesNotExist,
    HttpError,
    IntegrityError,
    DataError,
    ValueError,
    SuspiciousOperation,
):
    api.add_exception_handler(_exc, _handle)


def _outage(request: HttpRequest, exc: Exception) -> HttpResponse:
    return outage_response(request)


api.add_exception_handler(OperationalError, _outage)
api.add_exception_handler(InterfaceError, _outage)


# Every GET refuses query parameters it does not take (400 naming them).
api.add_decorator(reject_unknown_query, mode="view")

api.add_router("/briefs", briefs_router)
api.add_router("/sections", sections_router)
api.add_router("/tags", tags_router)
api.add_router("/annotations", annotations_router)
api.add_router("/exports/", "annotations.export.api.router")
api.add_router("/search", "search.api.router")
api.add_router("/claims", "annotations.claims.api.router")
