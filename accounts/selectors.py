"""Reads for API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from accounts.models import ApiToken, Profile
from accounts.tokens import token_matches, token_prefix


def api_token_list(*, user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """Return a user's tokens, active ones first, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-revoked_at", "-created_at", "-pk")


def api_token_find(*, raw: str) -> ApiToken | None:
    """Return the active token of an active user that a raw bearer string stands for, or None."""
    prefix = token_prefix(raw)
    if prefix is None:
        return None
    token = ApiToken.objects.active().select_related("user").filter(prefix=prefix).first()
    if token is None or not token.user.is_active or not token_matches(raw, token.digest):
        return None
    return token


def profile_language(*, user: AbstractBaseUser) -> str:
    """Return the interface language the user chose, or "" when they never chose one."""
    return Profile.objects.filter(user=user).values_list("language", flat=True).first() or ""
