"""Reads for API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from accounts.models import ApiToken, Profile


def api_token_list(*, user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """Return a user's tokens, active ones first, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-revoked_at", "-created_at", "-pk")


def profile_language(*, user: AbstractBaseUser) -> str:
    """Return the interface language the user chose, or "" when they never chose one."""
    return Profile.objects.filter(user=user).values_list("language", flat=True).first() or ""
