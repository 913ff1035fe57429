"""Security headers that neither Django nor django-csp sets on their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:  # config.settings imports this module: keep its imports light
    from django.http import HttpRequest, HttpResponse


class PermissionsPolicyMiddleware:
    """Add settings.MARGINALIA_PERMISSIONS_POLICY to every response that has none."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.MARGINALIA_PERMISSIONS_POLICY)
        return response


def static_headers(headers: dict[str, str], path: str, url: str) -> None:
    """Refuse framing of static files too; whitenoise serves them before the clickjacking middleware."""
    headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
