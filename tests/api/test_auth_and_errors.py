"""Who may call, rate limits, body limits and the error format."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.test import Client

from accounts.models import ApiToken
from accounts.services import api_token_revoke
from tests.api.conftest import YONGBYON, bearer_client
from tests.api.helpers import span
from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db


def payload(section) -> dict:
    return {"section": section.pk, **span(section.text, YONGBYON)}


def test_anonymous_writes_are_401_with_a_bearer_challenge(section):
    response = Client().post("/api/v1/annotations", payload(section), content_type="application/json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {
        "detail": "Authentication required: send Authorization: Bearer <token>.",
        "field": None,
    }


@pytest.mark.parametrize(
    "header", ["Bearer nope", "Bearer mgl_0123456789ab_" + "x" * 43, "Basic dXNlcjpwYXNz", "Bearer"]
)
def test_bad_credentials_are_401_even_with_a_session(section, annotator, header):
    client = Client(headers={"Authorization": header})
    client.force_login(annotator)
    assert client.get("/api/v1/annotations").status_code == 401


def test_revoked_tokens_and_inactive_users_are_refused(annotator):
    from accounts.services import api_token_create

    token, raw = api_token_create(user=annotator, scope="write")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get("/api/v1/annotations").status_code == 200
    api_token_revoke(user=annotator, token_id=token.pk)
    assert client.get("/api/v1/annotations").status_code == 401
    _, raw2 = api_token_create(user=annotator)
    annotator.is_active = False
    annotator.save()
    assert Client(headers={"Authorization": f"Bearer {raw2}"}).get("/api/v1/annotations").status_code == 401


def test_read_only_tokens_get_403_on_every_write(section, annotator):
    mine = AnnotationFactory(section=section, author=annotator)
    client = bearer_client(annotator, scope="read")
    assert client.get(f"/api/v1/annotations/{mine.pk}").status_code == 200
    url = f"/api/v1/annotations/{mine.pk}"
    fields = {"tags": [], "actor": "us", "note": "", "visibility": "private"}
    responses = [
        client.post("/api/v1/annotations", payload(section), content_type="application/json"),
        client.put(url, fields, content_type="application/json"),
        client.patch(url, {"note": "x"}, content_type="application/json"),
        client.delete(url),
    ]
    for response in responses:
        assert response.status_code == 403
        assert "read-only" in response.json()["detail"]


def test_session_writes_keep_csrf_on(section, annotator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(annotator)
    assert client.get("/api/v1/annotations").status_code == 200  # safe methods need no token
    refused = client.post("/api/v1/annotations", payload(section), content_type="application/json")
    assert refused.status_code == 403
    client.get("/accounts/tokens/")
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/annotations",
        payload(section),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 201


def test_token_clients_are_rate_limited(annotator, settings, monkeypatch):
    settings.MARGINALIA_API_RATE_LIMIT = "3/60"
    # A fixed window: stop the clock mid-window so the test never straddles two windows.
    monkeypatch.setattr("accounts.auth.time", SimpleNamespace(time=lambda: 6_000_030.0))
    client = bearer_client(annotator)
    for _ in range(3):
        assert client.get("/api/v1/tags").status_code == 200
    limited = client.get("/api/v1/tags")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) == 30
    assert "Rate limit" in limited.json()["detail"]
    # another token has its own allowance; the session is not counted
    assert bearer_client(annotator).get("/api/v1/tags").status_code == 200
    session = Client()
    session.force_login(annotator)
    assert session.get("/api/v1/tags").status_code == 200
    # the W3C container counts against the same allowance
    assert client.get("/api/v1/w3c/annotations/").status_code == 429


def test_last_used_is_recorded(annotator):
    client = bearer_client(annotator)
    token = ApiToken.objects.get(user=annotator)
    assert token.last_used_at is None
    client.get("/api/v1/tags")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_oversized_bodies_are_413_before_parsing(api, section, settings):
    settings.MARGINALIA_API_MAX_BODY_BYTES = 1000
    body = json.dumps({**payload(section), "note": "x" * 2000})
    response = api.post("/api/v1/annotations", body, content_type="application/json")
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    # declared too big: refused on Content-Length alone
    response = api.generic(
        "POST", "/api/v1/annotations", b"{}", content_type="application/json", CONTENT_LENGTH="999999999"
    )
    assert response.status_code == 413
    w3c = api.post("/api/v1/w3c/annotations/", body, content_type="application/ld+json")
    assert w3c.status_code == 413


def test_values_the_database_cannot_take_are_4xx_not_500(api, section):
    assert api.get("/api/v1/annotations?q=a%00b").status_code == 400
    assert api.get("/api/v1/annotations?brief=a%00b").status_code == 400
    assert api.get("/api/v1/briefs/a%00b").status_code in (400, 404)
    assert api.get("/api/v1/sections/99999999999999999999999").status_code in (404, 422)
    assert api.get("/api/v1/annotations/99999999999999999999999").status_code in (404, 422)
    note = {**payload(section), "note": "a\x00b"}
    assert api.post("/api/v1/annotations", note, content_type="application/json").status_code == 400


def test_unknown_routes_and_methods(api):
    assert api.get("/api/v1/nothing-here").status_code == 404
    assert api.put("/api/v1/briefs").status_code == 405


def test_openapi_docs_with_examples(db):
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    schema = Client().get("/api/v1/openapi.json").json()
    create = schema["components"]["schemas"]["AnnotationCreateIn"]
    assert create["properties"]["quote"]["examples"] == ["영변의 모든 핵시설을 영구적으로 폐기"]
    assert schema["components"]["securitySchemes"]["ApiAuth"] == {"type": "http", "scheme": "bearer"}
    list_op = schema["paths"]["/api/v1/annotations"]["get"]
    assert {"401", "403", "422", "429"} <= set(list_op["responses"])
