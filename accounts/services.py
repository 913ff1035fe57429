"""Writes for API tokens: create (the secret is returned once), revoke, record use."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, TokenScope
from accounts.tokens import token_digest, token_generate

MAX_ACTIVE_TOKENS = 20
# last_used_at is a hint for the profile page: one write a minute per token is plenty.
LAST_USED_RESOLUTION = dt.timedelta(seconds=60)


@transaction.atomic
def api_token_create(
    *, user: AbstractBaseUser, name: str = "", scope: str = TokenScope.READ
) -> tuple[ApiToken, str]:
    """Create a token for the user; return it and the raw token, which is never stored."""
    name = name.strip()
    if scope not in TokenScope.values:
        raise ValidationError(f"Unknown scope {scope!r}.", code="invalid")
    if len(name) > 100:
        raise ValidationError("The name is too long (at most 100 characters).", code="invalid")
    if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(f"You already have {MAX_ACTIVE_TOKENS} active tokens: revoke one first.")
    prefix, raw = token_generate()
    while ApiToken.objects.filter(prefix=prefix).exists():  # 48 random bits: all but never
        prefix, raw = token_generate()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, digest=token_digest(raw), scope=scope
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens (raises ApiToken.DoesNotExist for anyone else's)."""
    token = ApiToken.objects.select_for_update().get(pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Record that the token was just used (at most once a minute)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
