from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import ApiRateCounter, ApiToken
from accounts.selectors import api_token_list
from accounts.services import MAX_ACTIVE_TOKENS, api_token_create, api_token_hit, api_token_revoke
from accounts.tokens import token_prefix
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):
    return UserFactory(username="reader")


def test_only_a_hash_of_the_token_is_stored(user):
    token, raw = api_token_create(user=user, name="notebook", scope="read")
    assert raw.startswith(f"mgl_{token.prefix}_") and len(raw) == 4 + 12 + 1 + 43
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw not in [str(v) for v in stored.values()]
    assert raw.split("_", 2)[2] not in str(stored)


def test_find_by_raw_token_counts_only_real_ones(user):
    """One statement finds the token (its user loaded) and counts the request; a forged,
    malformed or revoked token, or a deactivated user, finds nothing and counts nothing."""
    token, raw = api_token_create(user=user)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    found, count = api_token_hit(raw=raw, window_start=start)
    assert found == token and found.user == user and found.user.username == "reader" and count == 1
    forged = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert token_prefix(forged) == token.prefix
    assert api_token_hit(raw=forged, window_start=start) == (None, 0)  # same prefix, wrong secret
    assert api_token_hit(raw="mgl_nothex______" + "x" * 43, window_start=start) == (None, 0)
    assert api_token_hit(raw="", window_start=start) == (None, 0)
    assert api_token_hit(raw=raw, window_start=start)[1] == 2  # the forgeries spent nothing
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert api_token_hit(raw=raw, window_start=start) == (None, 0)
    user.is_active = True
    user.save(update_fields=["is_active"])
    api_token_revoke(user=user, token_id=token.pk)
    assert api_token_hit(raw=raw, window_start=start) == (None, 0)
    assert ApiRateCounter.objects.get(token_id=token.pk, window_start=start).count == 2


def test_scope_and_name_are_checked(user):
    with pytest.raises(ValidationError):
        api_token_create(user=user, scope="admin")
    with pytest.raises(ValidationError):
        api_token_create(user=user, name="x" * 101)


def test_active_tokens_are_capped(user):
    for _ in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=user)
    with pytest.raises(ValidationError):
        api_token_create(user=user)


def test_nobody_revokes_someone_elses_token(user):
    token, _ = api_token_create(user=user)
    with pytest.raises(ApiToken.DoesNotExist):
        api_token_revoke(user=UserFactory(), token_id=token.pk)


def test_list_puts_active_tokens_first(user):
    old, _ = api_token_create(user=user, name="old")
    new, _ = api_token_create(user=user, name="new")
    api_token_revoke(user=user, token_id=new.pk)
    assert list(api_token_list(user=user)) == [old, new]


# The profile page -----------------------------------------------------------------------------


def test_profile_page_needs_login(db):
    response = Client().get("/accounts/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_token_is_shown_once(user):
    client = Client()
    client.force_login(user)
    response = client.post("/accounts/tokens/", {"name": "sync notebook", "scope": "write"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    raw = response.context["new_token"]["raw"]
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    again = client.get("/accounts/profile/")
    assert raw not in again.content.decode()
    assert f"mgl_{token.prefix}_" in again.content.decode()
    assert token.scope == "write" and token.name == "sync notebook"


def test_create_form_errors_are_400(user):
    client = Client()
    client.force_login(user)
    assert client.post("/accounts/tokens/", {"scope": "root"}).status_code == 400
    assert not ApiToken.objects.exists()


def test_revoke_from_the_page(user):
    token, raw = api_token_create(user=user)
    client = Client()
    client.force_login(user)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/annotations").status_code == 401
    other = Client()
    other.force_login(UserFactory())
    assert other.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405


def test_the_page_keeps_csrf_on(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post("/accounts/tokens/", {"scope": "read"}).status_code == 403
