"""Sign-in throttling (django-axes): per username and address, a 429 page, a lock that ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.services import api_token_create
from tests.factories import role_user
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")


def sign_in(client: Client, username: str, password: str, url: str = LOGIN, **extra):
    return client.post(url, {"username": username, "password": password, "next": "/"}, **extra)


def fail(client: Client, username: str, times: int, url: str = LOGIN, **extra) -> list[int]:
    """Sign in with a wrong password `times` times; return the statuses."""
    return [sign_in(client, username, "wrong password", url, **extra).status_code for _ in range(times)]


@pytest.fixture
def ann(db):
    return role_user("annotator", username="ann")


@pytest.fixture
def kim(db):
    return role_user("annotator", username="kim")


def test_the_limit_is_five_failures_for_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_five_wrong_passwords_lock_out_even_the_right_one_with_a_429_page(client, ann):
    # The form again with its error four times; the fifth failure is already answered by the lock.
    assert fail(client, "ann", 5) == [200, 200, 200, 200, 429]
    response = sign_in(client, "ann", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    tree = page_tree(response)
    (notice,) = texts(tree, "//main//div[@role='alert']")
    assert "Too many failed sign-in attempts" in notice
    assert "try again in 15 minutes" in notice
    assert tree.xpath("//main//div[@role='alert']//time/@datetime")  # when, machine-readable too
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60
    # The sign-in form stays, filled with the username, for when the pause is over.
    assert tree.xpath("//main//form//input[@name='username']/@value") == ["ann"]
    assert tree.xpath("//main//form//input[@name='next']/@value") == ["/"]


def test_four_wrong_passwords_still_let_the_right_one_in_and_reset_the_count(client, ann):
    assert fail(client, "ann", 4) == [200] * 4
    assert sign_in(client, "ann", PASSWORD).status_code == 302
    client.logout()
    assert fail(client, "ann", 4) == [200] * 4  # a fresh count: nine failures in all, but never five in a row
    assert sign_in(client, "ann", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, ann):
    fail(client, "ann", 5)
    assert sign_in(client, "ann", PASSWORD).status_code == 429
    # Move the failures sixteen minutes into the past instead of waiting.
    for attempt in AccessAttempt.objects.filter(username="ann"):
        attempt.attempt_time -= timedelta(minutes=16)
        attempt.save(update_fields=["attempt_time"])
    response = sign_in(client, "ann", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"


def test_attempts_during_the_lock_do_not_prolong_it(client, ann):
    fail(client, "ann", 5)
    for attempt in AccessAttempt.objects.filter(username="ann"):
        attempt.attempt_time -= timedelta(minutes=10)
        attempt.save(update_fields=["attempt_time"])
    response = sign_in(client, "ann", "wrong again")
    assert response.status_code == 429
    assert "try again in 5 minutes" in texts(page_tree(response), "//div[@role='alert']")[0]


def test_another_username_from_the_same_address_is_not_locked(client, ann, kim):
    fail(client, "ann", 5)
    assert sign_in(client, "ann", PASSWORD).status_code == 429
    assert sign_in(client, "kim", PASSWORD).status_code == 302


def test_the_same_username_from_another_address_is_not_locked(client, ann):
    """An attacker's failures elsewhere cannot keep a user out of their own desk."""
    fail(client, "ann", 5, REMOTE_ADDR="203.0.113.7")
    assert sign_in(client, "ann", PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert sign_in(client, "ann", PASSWORD, REMOTE_ADDR="198.51.100.20").status_code == 302


def test_unknown_usernames_are_locked_the_same_way(client):
    fail(client, "nobody", 5)
    assert sign_in(client, "nobody", "anything").status_code == 429


def test_the_admin_sign_in_is_throttled_too(client, db):
    editor = role_user("editor", username="ed")
    fail(client, "ed", 5, ADMIN_LOGIN)
    response = sign_in(client, "ed", PASSWORD, ADMIN_LOGIN)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in texts(page_tree(response), "//div[@role='alert']")[0]
    # And the two forms share one count: the site's sign-in is locked for the pair as well.
    assert sign_in(client, "ed", PASSWORD).status_code == 429
    assert editor.is_staff


def test_api_tokens_are_not_affected_by_a_lock(client, ann):
    _, raw = api_token_create(user=ann, name="script")
    fail(client, "ann", 5)
    assert sign_in(client, "ann", PASSWORD).status_code == 429
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/v1/annotations").status_code == 200


@pytest.mark.parametrize(
    "username",
    ["", "a" * 5000, "ann\x00", "ann%00", "%ED%A0%80", "<script>alert(1)</script>", "ann' OR 1=1 --"],
)
def test_hostile_usernames_never_500(client, ann, username):
    # Raw form bodies, so percent-escapes reach Django undecoded (%ED%A0%80 is a lone surrogate).
    body = f"username={username}&password=x%00" if "%" in username else None
    for _ in range(7):
        if body:
            response = client.post(LOGIN, body, content_type="application/x-www-form-urlencoded")
        else:
            response = client.post(LOGIN, {"username": username, "password": "x\x00"})
        assert response.status_code in {200, 400, 429}  # 400: the input guard refuses a NUL
    assert sign_in(client, "ann", PASSWORD).status_code == 302  # ann herself is untouched


def test_wrong_types_never_500(client, ann):
    response = client.post(LOGIN, {"username": ["ann", "kim"], "password": ["a", "b"]})
    assert response.status_code == 200
    response = client.post(LOGIN, "username=ann&password", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200


def test_an_overlong_username_is_a_failed_sign_in_not_a_500(client):
    for _ in range(2):
        response = client.post("/accounts/login/", {"username": "x" * 3000, "password": "wrong"})
        assert response.status_code == 200
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get().username == "x" * 150
