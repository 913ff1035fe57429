"""Input refused at the edge, before any view, form or query sees it.

PostgreSQL cannot store NUL in text, and a lone surrogate cannot even be encoded to send to
it, so either one used to travel down to the database and come back as a 500. Two guards
share one definition of "unreadable":

- InputGuardMiddleware: the path, the query string and urlencoded form bodies (names and
  values, decoded as Django decodes them, before Django's forms or views see them);
- json_body_load(): every JSON endpoint's parser (the reader's writes, the W3C Protocol,
  the ninja API), which also bounds size and nesting (json.loads recurses per level).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import accumulate
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

MAX_JSON_DEPTH = 64
DEFAULT_MAX_BODY_BYTES = 256 * 1024

_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
_JSON_MEDIA = re.compile(r"application/([\w.+-]+\+)?json")
_JSON_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class UnreadableInput(ValueError):
    """Input no view should see: its message says what to fix."""


def text_problem(text: str) -> str | None:
    """Return why this text cannot be accepted (NUL or a lone surrogate), else None."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    return "a NUL character" if found.group() == "\x00" else "a lone surrogate (not valid Unicode)"


# What request_problem says, translated when it reaches an HTML page (JSON answers stay English).
_PROBLEM_TEXT = {
    "a NUL character": gettext_lazy("a NUL character"),
    "a lone surrogate (not valid Unicode)": gettext_lazy("a lone surrogate (not valid Unicode)"),
}
_WHERE_TEXT = {
    "address": gettext_lazy("The address contains {problem}."),
    "query": gettext_lazy("The query string contains {problem}."),
    "form": gettext_lazy("The form contains {problem}."),
}


def _located(where: str, problem: str) -> Promise:
    return format_lazy(_WHERE_TEXT[where], problem=_PROBLEM_TEXT[problem])


def _raw_text_problem(raw: bytes) -> str | None:
    # Invalid UTF-8 (a surrogate's bytes among it) is let through: Django reads it as U+FFFD,
    # which every page and PostgreSQL take, and the library page says it ignored the filter.
    return text_problem(raw.decode("utf-8", "replace"))


def _urlencoded_problem(raw: bytes) -> str | None:
    """Check each name and value of a query string or urlencoded body, decoded strictly."""
    for pair in raw.split(b"&"):
        for part in pair.split(b"=", 1):
            problem = _raw_text_problem(unquote_to_bytes(part.replace(b"+", b" ")))
            if problem:
                return problem
    return None


def request_problem(request: HttpRequest) -> Promise | None:
    """Return what makes the request's path, query string or form body unreadable, else None."""
    problem = text_problem(request.path_info)
    if problem:
        return _located("address", problem)
    query = request.META.get("QUERY_STRING", "")
    if query:
        problem = _urlencoded_problem(query.encode("latin-1", "replace"))
        if problem:
            return _located("query", problem)
    if request.content_type == "application/x-www-form-urlencoded" and request.method not in ("GET", "HEAD"):
        try:
            body = request.body
        except RequestDataTooBig:
            return None  # Django's own limit answers this one (400) when the form is read
        problem = _urlencoded_problem(body)
        if problem:
            return _located("form", problem)
    return None


def wants_json(request: HttpRequest) -> bool:
    """Tell whether a refusal should be JSON: API paths, JSON bodies and JSON-first clients."""
    if request.path_info.startswith("/api/"):
        return True
    if _JSON_MEDIA.fullmatch(request.content_type or ""):
        return True
    accept = request.headers.get("Accept", "")
    first = accept.split(",")[0].split(";")[0].strip().lower()
    return bool(_JSON_MEDIA.fullmatch(first))


def refusal(request: HttpRequest, message: str | Promise, *, status: int = 400) -> HttpResponse:
    """Answer a refusal as the API's JSON, the reader's JSON or the small HTML error page.

    The message may be lazy: JSON bodies say it in English (what API clients match on), the
    page in the reader's language (this may run before LocaleMiddleware has chosen it)."""
    if wants_json(request):
        with translation.override("en"):
            text = str(message)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": text, "field": None}, status=status)
        # The reader's script shows "error" (annotations.views.json_errors answers so).
        return JsonResponse({"error": text, "detail": text}, status=status)
    with translation.override(translation.get_language_from_request(request)):
        html = render_to_string(f"{status}.html", {"message": message})
    return HttpResponse(html, status=status)


class InputGuardMiddleware:
    """Refuse (400) a request whose path, query string or form carries unreadable text."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = request_problem(request)
        if problem:
            return refusal(request, problem)
        return self.get_response(request)


def _depth(body: bytes) -> int:
    brackets = _JSON_STRINGS.sub(b"", body).translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    return max(accumulate(1 if b in b"[{" else -1 for b in brackets))


def _refuse_constant(name: str) -> Any:
    raise UnreadableInput(f"JSON numbers must be finite ({name} is not allowed).")


def _check_strings(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            strings = [item]
        elif isinstance(item, dict):
            strings = list(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
            continue
        else:
            continue
        for text in strings:
            problem = text_problem(text)
            if problem:
                raise UnreadableInput(f"The JSON body contains {problem}.")


def json_body_load(body: bytes, *, max_depth: int = MAX_JSON_DEPTH, limit: int | None = None) -> Any:
    """Parse a JSON request body, refusing what no endpoint should handle (UnreadableInput).

    Refused: bodies over MARGINALIA_API_MAX_BODY_BYTES (or limit), nesting deeper than
    max_depth, NaN/Infinity, and NUL or lone surrogates in any key or string.
    """
    limit = limit or getattr(settings, "MARGINALIA_API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)
    if len(body) > limit:
        raise UnreadableInput(f"The request body is too large (at most {limit} bytes).")
    if _depth(body) > max_depth:
        raise UnreadableInput(f"The JSON body is nested too deeply (at most {max_depth} levels).")
    try:
        data = json.loads(body, parse_constant=_refuse_constant)
    except UnreadableInput:
        raise
    except (ValueError, RecursionError) as exc:  # also UnicodeDecodeError, too many digits
        raise UnreadableInput("The request body is not valid JSON.") from exc
    _check_strings(data)
    return data
