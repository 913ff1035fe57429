"""Input refused at the edges (config.input_guard) and the error handlers (config.errors)."""

from __future__ import annotations

import json
import socket

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from config.input_guard import MAX_JSON_DEPTH, UnreadableInput, json_body_load
from tests.factories import AnnotationFactory, BriefFactory, SectionFactory
from tests.html import page_tree, texts

DEEP = "[" * 100_000 + "]" * 100_000


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


# A urlconf of our own to provoke a real 500: the site's handlers, one view that fails.
urlpatterns = [path("api/v1/boom", _boom), path("boom", _boom)]
handler500 = "config.errors.server_error"


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def section(db):
    brief = BriefFactory(slug="edges", title="Edges")
    return SectionFactory(brief=brief, position=1, anchor="s1", text="이번 회담에서 북한의 비핵화")


# The middleware: path, query string, urlencoded forms ----------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/briefs/%00/", "/?language=%00", "/search/?q=ok&%00=1", "/codebook/?x=a%00b"],
)
def test_unreadable_address_is_a_400_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "NUL" in texts(page_tree(response), "//main/p[1]")[0]


def test_korean_and_invalid_utf8_pass(client, db):
    # Django reads invalid UTF-8 (a surrogate's bytes among it) as U+FFFD: harmless, not refused.
    assert client.get("/search/?q=%EB%B9%84%ED%95%B5").status_code == 200
    assert client.get("/search/?q=%ED%A0%80").status_code == 200
    assert client.get("/briefs/%ED%A0%80/").status_code == 404


@pytest.mark.parametrize("param", ["annotators", "briefs", "tags"])
@pytest.mark.parametrize("page", ["/export/", "/export/download/"])
def test_export_refuses_nul(client, editor, page, param):
    client.force_login(editor)
    assert client.get(f"{page}?{param}=%00").status_code == 400


def test_admin_changelist_refuses_nul(client, editor):
    client.force_login(editor)
    assert client.get("/admin/annotations/annotation/?visibility__exact=%00").status_code == 400


def test_api_refusal_is_json(client, db):
    response = client.get("/api/v1/briefs?q=%00")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_reader_refusal_is_the_readers_json(client, annotator, section):
    client.force_login(annotator)
    response = client.post("/annotations/?tag=%00", "{}", content_type="application/json")
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]


def test_form_with_nul_is_refused(client, db):
    response = client.post(
        "/accounts/login/", "username=a%00&password=b", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "form" in texts(page_tree(response), "//main/p[1]")[0]


# JSON bodies -----------------------------------------------------------------------------------


def test_json_body_load_bounds():
    nested = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert json_body_load(nested.encode()) is not None
    with pytest.raises(UnreadableInput, match="nested"):
        json_body_load(("[" + nested + "]").encode())
    # Brackets inside strings are text, not nesting.
    assert json_body_load(json.dumps({"note": "[" * 1000}).encode()) == {"note": "[" * 1000}
    for body, reason in [
        (b'{"a": "\\u0000"}', "NUL"),
        (b'{"\\u0000": 1}', "NUL"),
        (b'["\\ud800"]', "surrogate"),
        (b'{"a": NaN}', "finite"),
        (b"9" * 5000, "not valid JSON"),
        (b"\xff", "not valid JSON"),
    ]:
        with pytest.raises(UnreadableInput, match=reason):
            json_body_load(body)


def test_json_body_load_size(settings):
    settings.MARGINALIA_API_MAX_BODY_BYTES = 10
    with pytest.raises(UnreadableInput, match="too large"):
        json_body_load(b'{"note": "long enough"}')


def test_reader_create_refuses_lone_surrogate(client, annotator, section):
    client.force_login(annotator)
    body = json.dumps({"section": section.pk, "start": 0, "end": 2, "quote": "이번", "note": "\ud800"})
    response = client.post("/annotations/", body, content_type="application/json")
    assert response.status_code == 400
    assert "surrogate" in response.json()["error"]


def test_reader_edit_refuses_lone_surrogate(client, annotator, section):
    annotation = AnnotationFactory(section=section, author=annotator, length=2)
    client.force_login(annotator)
    response = client.post(
        f"/annotations/{annotation.pk}/edit/", '{"note": "\\ud800"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "surrogate" in response.json()["error"]


def test_deep_json_is_a_400_everywhere(client, annotator, section):
    client.force_login(annotator)
    response = client.post("/annotations/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["error"]
    for url in ("/api/v1/w3c/annotations/", "/api/v1/annotations"):
        response = client.post(url, DEEP, content_type="application/json")
        assert response.status_code == 400, url
        assert "nested" in response.json()["detail"], url


def test_api_body_with_nul_names_the_problem(client, annotator, section):
    client.force_login(annotator)
    body = json.dumps({"section": section.pk, "start": 0, "end": 2, "quote": "이번", "note": "\x00"})
    response = client.post("/api/v1/annotations", body, content_type="application/json")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


# Error handlers --------------------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_a_bug_under_api_is_a_json_500(client, db):
    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json()["detail"]
    assert client.get("/boom").status_code == 500


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_database_outage_is_a_503_with_retry_after(client, annotator):
    client.force_login(annotator)  # so the JSON writes reach the database (the session)
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    try:
        responses = {
            "page": client.get("/"),
            "api": client.get("/api/v1/briefs"),
            "w3c": client.post("/api/v1/w3c/annotations/", "{}", content_type="application/ld+json"),
            "reader": client.post("/annotations/", "{}", content_type="application/json"),
        }
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    for name, response in responses.items():
        assert response.status_code == 503, name
        assert response["Retry-After"] == "5", name
    assert responses["page"]["Content-Type"].startswith("text/html")
    assert "unavailable" in texts(page_tree(responses["page"]), "//h1")[0].lower()
    for name in ("api", "w3c", "reader"):
        assert "database" in responses[name].json()["detail"], name
    assert "database" in responses["reader"].json()["error"]  # what the reader's script shows
    assert client.get("/api/v1/briefs").status_code == 200  # and back again
