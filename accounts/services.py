"""Writes for API tokens: create (the secret is returned once), revoke, record use, count."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiRateCounter, ApiToken, Profile, TokenScope
from accounts.tokens import token_digest, token_generate, token_prefix
from config.auth import permission_names_sql, permissions_cache

MAX_ACTIVE_TOKENS = 20
# last_used_at is a hint for the profile page: one write a minute per token is plenty.
LAST_USED_RESOLUTION = dt.timedelta(seconds=60)
# Each rate-limit hit deletes at most this many counter rows of ended windows.
RATE_COUNTER_SWEEP = 100

_COUNTER = ApiRateCounter._meta.db_table
# Ended windows (any token) swept by the statement that counts a request: see api_rate_counter_hit.
_SWEEP_SQL = f"""
ended AS (
    DELETE FROM {_COUNTER}
    WHERE (token_id, window_start) IN (
        SELECT token_id, window_start FROM {_COUNTER}
        WHERE window_start < %(window_start)s
        LIMIT %(sweep)s
        FOR UPDATE SKIP LOCKED
    )
)"""
_COUNT_SQL = f"""
ON CONFLICT (token_id, window_start)
DO UPDATE SET count = {_COUNTER}.count + 1
RETURNING count"""
_RATE_COUNTER_HIT_SQL = f"""
WITH {_SWEEP_SQL}
INSERT INTO {_COUNTER} (token_id, window_start, count)
VALUES (%(token_id)s, %(window_start)s, 1) {_COUNT_SQL}
"""


def _token_hit_sql() -> tuple[str, list[str], list[str]]:
    """The SQL of api_token_hit, and the token's and its user's field names in its columns."""
    user_model = get_user_model()
    quote = connection.ops.quote_name
    token_fields = ApiToken._meta.concrete_fields
    user_fields = user_model._meta.concrete_fields
    columns = [f"t.{quote(f.column)} AS t_{f.column}" for f in token_fields]
    columns += [f"u.{quote(f.column)} AS u_{f.column}" for f in user_fields]
    # The user's permissions too, so a write's permission check costs no statement of its own.
    permissions = permission_names_sql(user_id="found.u_id", is_superuser="found.u_is_superuser")
    sql = f"""
WITH found AS (
    SELECT {", ".join(columns)}
    FROM {quote(ApiToken._meta.db_table)} t
    JOIN {quote(user_model._meta.db_table)} u ON u.{quote(user_model._meta.pk.column)} = t.user_id
    WHERE t.prefix = %(prefix)s AND t.digest = %(digest)s AND t.revoked_at IS NULL AND u.is_active
),
{_SWEEP_SQL},
hit AS (
    INSERT INTO {_COUNTER} (token_id, window_start, count)
    SELECT t_id, %(window_start)s, 1 FROM found {_COUNT_SQL}
)
SELECT found.*, ({permissions}) AS permissions, (SELECT count FROM hit) FROM found
"""
    return sql, [f.attname for f in token_fields], [f.attname for f in user_fields]


def api_token_hit(*, raw: str, window_start: dt.datetime) -> tuple[ApiToken | None, int]:
    """Find the active token of an active user a raw bearer string stands for, and count
    one request of it in the window starting then, in one round trip.

    Return the token (its user loaded) and the window's count, or (None, 0) for a malformed,
    unknown or revoked token, or a deactivated user: nothing is counted for those, so a
    caller who knows a token's prefix cannot spend its owner's allowance. The digest is
    compared in SQL: it is the SHA-256 of a 256-bit secret, so its timing reveals nothing
    that helps forge one (accounts.tokens).
    """
    prefix = token_prefix(raw)
    if prefix is None:
        return None, 0
    sql, token_names, user_names = _token_hit_sql()
    params = {
        "prefix": prefix,
        "digest": token_digest(raw),
        "window_start": window_start,
        "sweep": RATE_COUNTER_SWEEP,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None, 0
    token = ApiToken.from_db(connection.alias, token_names, row[: len(token_names)])
    user_values = row[len(token_names) : len(token_names) + len(user_names)]
    token.user = get_user_model().from_db(connection.alias, user_names, user_values)
    permissions_cache(token.user, row[-2])
    return token, row[-1]


@transaction.atomic
def api_token_create(
    *, user: AbstractBaseUser, name: str = "", scope: str = TokenScope.READ
) -> tuple[ApiToken, str]:
    """Create a token for the user; return it and the raw token, which is never stored."""
    name = name.strip()
    if scope not in TokenScope.values:
        raise ValidationError(_("Unknown scope %(scope)r."), code="invalid", params={"scope": scope})
    if len(name) > 100:
        raise ValidationError(_("The name is too long (at most 100 characters)."), code="invalid")
    if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("You already have %(count)d active tokens: revoke one first."),
            params={"count": MAX_ACTIVE_TOKENS},
        )
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


def api_rate_counter_hit(*, token_id: int, window_start: dt.datetime) -> int:
    """Count one request of the token in the window starting then; return the window's count.

    One statement, so one round trip, atomic without a transaction: concurrent callers in
    any process serialise on the row in INSERT ... ON CONFLICT DO UPDATE and each gets its
    own count back (a get-then-set would let them all read the same value).

    The same statement sweeps ended windows (any token, window_start before this one): an
    index range scan on window_start that finds nothing except just after a window turns
    over. LIMIT keeps each request's share of the work bounded, and SKIP LOCKED lets
    concurrent requests split the rows instead of queueing behind each other. Each request
    adds at most one row and removes up to RATE_COUNTER_SWEEP ended ones, so the table
    holds about one row per token active in the current window; no cron job needed.
    Not @transaction.atomic on purpose: in autocommit the count is committed at once and a
    savepoint would cost two more round trips inside an outer transaction.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            _RATE_COUNTER_HIT_SQL,
            {"token_id": token_id, "window_start": window_start, "sweep": RATE_COUNTER_SWEEP},
        )
        (count,) = cursor.fetchone()
    return count


def profile_language_set(*, user: AbstractBaseUser, language: str) -> Profile:
    """Store the user's interface language ("" forgets it); refuse a language we do not offer."""
    if language not in {"", *dict(settings.LANGUAGES)}:
        raise ValidationError(_("Unknown language %(code)r."), code="invalid", params={"code": language})
    profile, _created = Profile.objects.update_or_create(user=user, defaults={"language": language})
    return profile
