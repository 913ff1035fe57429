"""The page a throttled sign-in gets: the sign-in form, refused, with the time to try again."""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_client_ip_address, get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """Render the sign-in page with the lockout notice, status 429 and a Retry-After header."""
    username = get_client_username(request, credentials) or ""
    # Axes does not count attempts made while locked out, so the lock ends one cool-off after
    # the last counted failure of this username from this address.
    last = AccessAttempt.objects.filter(
        username=username, ip_address=get_client_ip_address(request)
    ).aggregate(last=Max("attempt_time"))["last"]
    retry_at = (last or timezone.now()) + get_cool_off(request)
    seconds = max(1, math.ceil((retry_at - timezone.now()).total_seconds()))
    context: dict[str, Any] = {
        "locked_out": True,
        "username": username,
        "retry_at": retry_at,
        "retry_minutes": math.ceil(seconds / 60),
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    response = render(request, "registration/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    response["Retry-After"] = str(seconds)
    return response


# Longer than any username can be (the user model's field), and what axes's tables hold.
USERNAME_MAX_CHARS = 150


def client_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """Return the username axes counts failures under, cut to a length a username can have
    (a 3,000-character one must be refused as a wrong sign-in, not overflow axes's tables)."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return username[:USERNAME_MAX_CHARS] if isinstance(username, str) else username
