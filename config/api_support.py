"""What every API operation shares, in config.api's ninja routers and the W3C Protocol views:

- who may call (accounts.auth: bearer tokens, or the session with CSRF on; anonymous
  reads where allowed), rate limiting of token clients (429 + Retry-After);
- bodies over MAX_BODY_BYTES are refused with 413 before anything parses them;
- every refusal is JSON {"detail": "...", "field": "..."} with a 4xx status: no input
  should reach a 500.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Annotated, Any

import orjson
import pydantic
from django.conf import settings
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from pydantic import BeforeValidator

from accounts.auth import NotAuthenticated, RateLimited, authenticate_request

# Query parameters typed as these parse only what their OpenAPI format promises. Plain
# dt.datetime / dt.date would also take a number (a Unix time) or, for date-times, a bare
# date, and schema-driven fuzzers rightly count that as accepting invalid input.
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _rfc3339(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if not (isinstance(value, str) and _RFC3339.match(value)):
        raise ValueError("Use an RFC 3339 date-time with an offset, e.g. 2024-06-01T00:00:00+09:00.")
    return value


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value
    if not (isinstance(value, str) and _ISO_DATE.match(value)):
        raise ValueError("Use a date as YYYY-MM-DD.")
    return value


StrictDateTime = Annotated[dt.datetime, BeforeValidator(_rfc3339)]
StrictDate = Annotated[dt.date, BeforeValidator(_iso_date)]

# The largest request body the API reads: an annotation is a quote (a passage of one
# section) and a note of at most 5,000 characters, so 256 KiB is generous.
MAX_BODY_BYTES = 256 * 1024


class PayloadTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is too large (at most {limit} bytes).")


class ErrorOut(Schema):
    """A refusal: what went wrong and, when one input is to blame, which."""

    detail: str
    field: str | None = None


def body_size_check(request: HttpRequest, *, limit: int | None = None) -> None:
    """Refuse a body over MAX_BODY_BYTES (or limit), by its Content-Length and by what arrives.

    A limit over DATA_UPLOAD_MAX_MEMORY_SIZE (the bulk endpoint's) reads the body itself,
    at most limit + 1 bytes, so request.body holds it without Django's smaller cap.
    """
    limit = limit or getattr(settings, "MARGINALIA_API_MAX_BODY_BYTES", MAX_BODY_BYTES)
    try:
        declared = int(request.headers.get("content-length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise PayloadTooLarge(limit)
    if request.method in ("POST", "PUT", "PATCH") and limit > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        if not hasattr(request, "_body"):
            request._body = request.read(limit + 1)
        if len(request.body) > limit:
            raise PayloadTooLarge(limit)
    elif request.method in ("POST", "PUT", "PATCH"):
        try:
            size = len(request.body)  # also bounded by DATA_UPLOAD_MAX_MEMORY_SIZE
        except RequestDataTooBig as exc:
            raise PayloadTooLarge(limit) from exc
        if size > limit:
            raise PayloadTooLarge(limit)


def _field_of(loc: Any) -> str | None:
    parts = [
        str(p) for p in (loc or ()) if p not in ("body", "query", "path", "header", "payload", "filters")
    ]
    return ".".join(parts) or None


def _validation_messages(exc: DjangoValidationError) -> tuple[str, str | None, str | None]:
    """Return (message, field, code) of the first error."""
    if hasattr(exc, "error_dict"):
        name, errors = next(iter(exc.error_dict.items()))
        field = None if name == "__all__" else name
    else:
        errors, field = exc.error_list, None
    messages = [m for error in errors for m in error.messages]
    return " ".join(messages), field, errors[0].code if errors else None


def error_payload(exc: BaseException) -> tuple[int, dict[str, Any], dict[str, str]] | None:
    """Return (status, body, headers) for an exception the API answers with a 4xx, else None."""
    headers: dict[str, str] = {}
    field: str | None = None
    if isinstance(exc, pydantic.ValidationError):
        return None  # a response that breaks its own schema is our bug: let it be a 500
    if isinstance(exc, NotAuthenticated | AuthenticationError):
        status = 401
        detail = exc.message if isinstance(exc, NotAuthenticated) else "Authentication required."
        headers["WWW-Authenticate"] = 'Bearer realm="marginalia"'
    elif isinstance(exc, RateLimited):
        status, detail = 429, str(exc)
        headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, PayloadTooLarge | RequestDataTooBig):
        status, detail = (
            413,
            str(exc) if isinstance(exc, PayloadTooLarge) else "The request body is too large.",
        )
    elif isinstance(exc, NinjaValidationError):
        first = exc.errors[0] if exc.errors else {}
        detail = str(first.get("msg", "Invalid input.")).removeprefix("Value error, ")
        status, field = 422, _field_of(first.get("loc"))
    elif isinstance(exc, DjangoValidationError):
        detail, field, code = _validation_messages(exc)
        status = {"quote_mismatch": 409, "precondition_failed": 412, "bad_request": 400}.get(code, 422)
    elif isinstance(exc, PermissionDenied):
        status, detail = 403, str(exc) or "You may not do that."
    elif isinstance(exc, Http404 | ObjectDoesNotExist):
        status, detail = 404, "Not found, or not visible to you."
    elif isinstance(exc, HttpError):
        status, detail = exc.status_code, str(exc)
    elif isinstance(exc, IntegrityError):
        status, detail = 409, "The change conflicts with the stored data."
    elif isinstance(exc, DataError | ValueError | SuspiciousOperation):
        # e.g. a NUL character or an out-of-range number reaching the database.
        status, detail = 400, "The request contains a value that cannot be stored or searched."
    else:
        return None
    return status, {"detail": detail, "field": field}, headers


class ApiAuth(HttpBearer):
    """Personal token (Bearer) or session (+CSRF); anonymous reads where allowed.

    Also refuses oversize bodies: ninja runs auth before it parses anything.
    """

    def __init__(self, *, write: bool = False, anonymous: bool = False, max_body_setting: str = "") -> None:
        self.write = write
        self.anonymous = anonymous
        self.max_body_setting = max_body_setting  # "": MARGINALIA_API_MAX_BODY_BYTES
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        user = authenticate_request(request, write=self.write, anonymous=self.anonymous)
        limit = getattr(settings, self.max_body_setting) if self.max_body_setting else None
        body_size_check(request, limit=limit)
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover - __call__ does it
        return None


class SignedInAuth(ApiAuth):
    """A read that only a signed-in caller can make sense of (annotations): without any
    credentials it is a 401 that says how to get them, rather than an empty answer."""

    HINT = (
        "Annotations are visible to signed-in users only: send Authorization: Bearer <token> "
        "(create one at /accounts/tokens/) or sign in first."
    )

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if request.headers.get("Authorization") is None and not (user and user.is_authenticated):
            raise NotAuthenticated(self.HINT)
        return super().__call__(request)


read_auth = ApiAuth(anonymous=True)
signed_in_auth = SignedInAuth()
write_auth = ApiAuth(write=True)
bulk_auth = ApiAuth(write=True, max_body_setting="MARGINALIA_BULK_MAX_BYTES")

# Reads are open to anonymous callers (who see briefs and the codebook but no annotations):
# say so in the schema, next to the bearer scheme.
OPEN_READ = {"security": [{"ApiAuth": []}, {}]}


def query_parameter_names(operation: Any) -> frozenset[str]:
    """Return the query parameter names a ninja operation declares (aliases as sent)."""
    # Query[Schema] arguments are flattened into their fields: the map is keyed by the names
    # a client sends.
    return frozenset(
        name
        for model in operation.models
        if model.__ninja_param_source__ == "query"
        for name in model.__ninja_flatten_map__
    )


def unknown_query_error(request: HttpRequest, allowed: frozenset[str]) -> DjangoValidationError | None:
    """Return the 400 for a GET/HEAD with a query parameter not in `allowed` (None if all known).

    A misspelt filter would otherwise be ignored, silently. Shared by the ninja API and the
    W3C Protocol views, so both word it alike.
    """
    if request.method not in ("GET", "HEAD"):
        return None
    unknown = sorted(name for name in request.GET if name not in allowed)
    if not unknown:
        return None
    known = ", ".join(sorted(allowed)) or "none"
    return DjangoValidationError(
        {
            unknown[0]: DjangoValidationError(
                f"Unknown query parameter: {', '.join(unknown)}. This endpoint takes: {known}.",
                code="bad_request",
            )
        }
    )


def reject_unknown_query(run: Any) -> Any:
    """Wrap an operation's run() so a GET with a query parameter it does not take is a 400
    naming that parameter."""
    operation = run.__self__
    allowed = query_parameter_names(operation)

    @functools.wraps(run)
    def checked(request: HttpRequest, **kwargs: Any) -> Any:
        error = unknown_query_error(request, allowed)
        if error is not None:
            return operation.api.on_exception(request, error)
        return run(request, **kwargs)

    return checked


# Every operation may answer these; declared so the OpenAPI schema documents them.
ERRORS = dict.fromkeys((400, 401, 403, 404, 409, 412, 413, 422, 429), ErrorOut)


def url_with(request: HttpRequest, **params: Any) -> str:
    """Return the request's absolute URL with some query parameters replaced (None drops one)."""
    query = request.GET.copy()
    for name, value in params.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = str(value)
    encoded = query.urlencode()
    return request.build_absolute_uri(request.path + (f"?{encoded}" if encoded else ""))


def next_page_url(request: HttpRequest, offset: int, count: int) -> str | None:
    """Return the URL of the page at `offset`, or None past the end."""
    return url_with(request, offset=offset) if offset < count else None


def offset_page(request: HttpRequest, qs, *, offset: int, limit: int) -> dict:
    """Return one offset page of a queryset as {items, count, next}."""
    count = qs.count()
    items = list(qs[offset : offset + limit])
    return {"items": items, "count": count, "next": next_page_url(request, offset + limit, count)}


def base_url(request: HttpRequest) -> str:
    """Return the site's origin as the client addressed it, e.g. "https://host"."""
    return request.build_absolute_uri("/").rstrip("/")


def json_answer(
    payload: Any, *, status: int = 200, content_type: str = "application/json; charset=utf-8"
) -> HttpResponse:
    """Answer a payload we built ourselves, in the shape its response schema documents, as JSON.

    ninja would validate it against that schema again (for a page of 100 annotations, more
    than the query); tests hold each such answer to its schema instead. Datetimes as pydantic
    writes them: RFC 3339, UTC as Z.
    """
    body = orjson.dumps(payload, option=orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS)
    return HttpResponse(body, status=status, content_type=content_type)
