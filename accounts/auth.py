"""Who is calling the API: a personal bearer token, or the browser session (CSRF kept on).

Used by the ninja API (config.api) and the W3C Protocol views alike, so both admit the
same callers on the same terms:

- ``Authorization: Bearer mgl_…``: the token's user; a malformed, unknown or revoked
  token is a 401 even if a session cookie is present too; read-only tokens get a 403
  on writes; token clients are rate limited (a fixed window per token, see below).
- otherwise the session user; unsafe methods must pass Django's CSRF check.
- otherwise anonymous, where the endpoint allows it (anonymous sees no annotations).

Rate limit: MARGINALIA_API_RATE_LIMIT = "<requests>/<seconds>" (default "600/60", both
positive integers; config.settings refuses to start with anything else). Windows are fixed
and aligned to multiples of <seconds> since the epoch; past the allowance the answer is a
429 with Retry-After set to the seconds left in the window. The count lives in PostgreSQL
(accounts.models.ApiRateCounter, an UNLOGGED table), so every worker and process shares one
budget per token: one INSERT ... ON CONFLICT DO UPDATE ... RETURNING round trip per token
request, which also sweeps counters of ended windows and, for a request, finds its token in
the same statement (accounts.services.api_token_hit).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest
from ninja.utils import check_csrf

from accounts.models import ApiToken
from accounts.services import api_rate_counter_hit, api_token_hit, api_token_touch

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
DEFAULT_RATE_LIMIT = "600/60"
# Same format as config.settings checks at startup; re-checked here for overridden settings.
_RATE_LIMIT_RE = re.compile(r"\s*([1-9][0-9]*)\s*/\s*([1-9][0-9]*)\s*")


class NotAuthenticated(Exception):
    """No acceptable credentials: answered 401 with WWW-Authenticate: Bearer."""

    def __init__(self, message: str = "Authentication required: send Authorization: Bearer <token>.") -> None:
        super().__init__(message)
        self.message = message


class RateLimited(Exception):
    """Too many requests for this token in the current window: answered 429."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Rate limit exceeded: retry in {retry_after} s.")
        self.retry_after = retry_after


def rate_limit() -> tuple[int, int]:
    """Return (requests, seconds) from MARGINALIA_API_RATE_LIMIT."""
    value = getattr(settings, "MARGINALIA_API_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    match = _RATE_LIMIT_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ImproperlyConfigured(
            f'MARGINALIA_API_RATE_LIMIT must be "<requests>/<seconds>" with positive integers, '
            f"like {DEFAULT_RATE_LIMIT!r}; got {value!r}."
        )
    return int(match[1]), int(match[2])


def _window() -> tuple[int, dt.datetime, int]:
    """Return the allowance, the current window's start and the seconds left in it."""
    allowed, window = rate_limit()
    now = time.time()
    start = int(now // window) * window
    return allowed, dt.datetime.fromtimestamp(start, tz=dt.UTC), max(1, math.ceil(start + window - now))


def rate_limit_hit(token: ApiToken) -> None:
    """Count one request for the token; raise RateLimited past the window's allowance."""
    allowed, start, left = _window()
    if api_rate_counter_hit(token_id=token.pk, window_start=start) > allowed:
        raise RateLimited(retry_after=left)


def _csrf_check(request: HttpRequest) -> None:
    if check_csrf(request) is not None:
        raise PermissionDenied("CSRF check failed: send the X-CSRFToken header with the csrftoken cookie.")


def bearer_token(request: HttpRequest) -> str | None:
    """Return the raw token of an Authorization: Bearer header (None without the header)."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise NotAuthenticated("Unsupported Authorization header: send Authorization: Bearer <token>.")
    return credentials.strip()


def authenticate_request(
    request: HttpRequest, *, write: bool, anonymous: bool = False
) -> AbstractBaseUser | AnonymousUser:
    """Return the caller; set request.user (and request.api_token for token callers).

    Raises NotAuthenticated, PermissionDenied (read-only token writing, CSRF) or
    RateLimited.
    """
    raw = bearer_token(request)
    if raw is not None:
        allowed, start, left = _window()
        token, count = api_token_hit(raw=raw, window_start=start)  # one round trip
        if token is None:
            raise NotAuthenticated("Invalid or revoked API token.")
        if count > allowed:
            raise RateLimited(retry_after=left)
        if write and not token.can_write:
            raise PermissionDenied("This API token is read-only: create a read-write token to make changes.")
        api_token_touch(token=token)
        request.user = token.user
        request.api_token = token  # type: ignore[attr-defined]
        return token.user
    user: Any = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if request.method not in SAFE_METHODS:
            _csrf_check(request)
        return user
    if anonymous and not write:
        return AnonymousUser()
    raise NotAuthenticated()
