"""The site's error handlers: JSON under /api/, and 503 + Retry-After while the database is down.

Django calls handler500 inside the `except` that caught the exception, so the handler can
tell an outage (the database refused or dropped the connection) from a bug. Neither handler
touches the database or the session: both must work while PostgreSQL is unreachable.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from django.views import defaults

from config.input_guard import refusal, wants_json

OUTAGE_RETRY_AFTER_SECONDS = 5
OUTAGE_MESSAGE = gettext_lazy(
    "The database is unreachable for the moment. Please try again in a few seconds."
)


def database_outage(exc: BaseException | None) -> bool:
    """Tell whether an exception means the database cannot be reached (not that a query failed)."""
    return isinstance(exc, OperationalError | InterfaceError)


def outage_response(request: HttpRequest) -> HttpResponse:
    """Answer 503 with Retry-After, as JSON or as the HTML page."""
    response = refusal(request, OUTAGE_MESSAGE, status=503)
    response["Retry-After"] = str(OUTAGE_RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an outage is a 503; a bug is a 500, as JSON for API clients."""
    if database_outage(sys.exc_info()[1]):
        return outage_response(request)
    if wants_json(request):
        return refusal(request, "Something went wrong on our side; it has been logged.", status=500)
    return defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400 (e.g. a suspicious request): JSON for API clients, the HTML page otherwise."""
    if wants_json(request):
        return refusal(request, "The request could not be read.", status=400)
    return defaults.bad_request(request, exception)
