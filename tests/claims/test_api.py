"""The claims API: the pages' payloads, the same filters, the visibility rule, clear refusals."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.services import api_token_create
from annotations.claims.filters import ClaimsFilters
from annotations.claims.queries import claims_cooccurrence, claims_matrix, claims_timeline
from tests.claims.conftest import private_claim_add
from tests.claims.test_queries import sql_count

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/claims/matrix?rows=brief&columns=tag",
    "/api/v1/claims/matrix?rows=annotator&columns=category&actor=us&actor=dprk",
    "/api/v1/claims/timeline?series=tag&bucket=month",
    "/api/v1/claims/timeline?series=actor&bucket=brief&year=2019&year=undated",
    "/api/v1/claims/cooccurrence?scope=passage",
    "/api/v1/claims/cooccurrence?scope=section&visibility=shared",
]


def token_client(user) -> Client:
    _, raw = api_token_create(user=user, name="claims", scope="read")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def without_time(payload: dict) -> dict:
    payload = dict(payload)
    payload.pop("generated_at")
    return payload


def test_the_api_answers_the_payload_the_pages_chart(world):
    alice = world.users["alice"]
    client = token_client(alice)
    got = client.get("/api/v1/claims/matrix?rows=actor&columns=tag&tag=big-deal&tag=phased-approach").json()
    expected = claims_matrix(
        user=alice, rows="actor", columns="tag", filters=ClaimsFilters(tags=("big-deal", "phased-approach"))
    )
    assert without_time(got) == without_time(expected)
    assert got["total"] == sql_count(
        alice,
        "EXISTS (SELECT 1 FROM annotations_annotation_tags x JOIN annotations_tag t ON t.id = x.tag_id "
        "WHERE x.annotation_id = a.id AND t.code IN ('big-deal', 'phased-approach'))",
    )
    timeline = client.get("/api/v1/claims/timeline?series=category&bucket=quarter").json()
    assert without_time({k: v for k, v in timeline.items() if k != "events"}) == without_time(
        claims_timeline(user=alice, series="category", bucket="quarter", filters=ClaimsFilters())
    )
    assert {"date": "2019-02-27", "end_date": "2019-02-28", "label": "Hanoi summit"} in timeline["events"]
    pairs = client.get("/api/v1/claims/cooccurrence?scope=section").json()
    assert without_time(pairs) == without_time(
        claims_cooccurrence(user=alice, scope="section", filters=ClaimsFilters())
    )


@pytest.mark.parametrize("url", ENDPOINTS)
def test_another_users_private_annotation_never_changes_a_number(world, url):
    alice, bob = world.users["alice"], world.users["bob"]
    alice_client, bob_client = token_client(alice), token_client(bob)
    before_alice, before_bob = alice_client.get(url).json(), bob_client.get(url).json()
    private_claim_add(world, author=bob)
    assert without_time(alice_client.get(url).json()) == without_time(before_alice)
    after_bob = without_time(bob_client.get(url).json())
    if "visibility=shared" in url:  # not even its author's shared-only view
        assert after_bob == without_time(before_bob)
    else:
        assert after_bob != without_time(before_bob), "the author's own numbers do include it"


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_callers_get_401_with_a_hint(world, url):
    response = Client().get(url)
    assert response.status_code == 401
    assert "token" in response.json()["detail"].lower() or "sign" in response.json()["detail"].lower()


@pytest.mark.parametrize(
    "query,status,field",
    [
        ("matrix?rows=tag&columns=tag", 422, None),
        ("matrix?rows=bogus", 422, "rows"),
        ("matrix?sort=random()", 422, "sort"),
        ("matrix?year=20x9", 422, "year"),
        ("matrix?date_from=2019-13-01", 422, "date_from"),
        ("matrix?date_from=2019-05-01&date_to=2019-01-01", 422, "date_to"),
        ("matrix?actor=martians", 422, "actor"),
        ("matrix?tag=" + "t" * 61, 422, "tag"),
        ("matrix?" + "&".join(f"brief=b{i}" for i in range(201)), 422, "brief"),
        ("matrix?color=red", 400, "color"),
        ("timeline?bucket=week", 422, "bucket"),
        ("timeline?series=brief", 422, "series"),
        ("cooccurrence?scope=paragraph", 422, "scope"),
        ("cooccurrence?visibility=everyone", 422, "visibility"),
        ("cooccurrence?language=fr", 422, "language"),
    ],
)
def test_bad_parameters_are_refused_naming_the_field(world, query, status, field):
    response = token_client(world.users["alice"]).get(f"/api/v1/claims/{query}")
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert response.json()["detail"]


def test_each_endpoint_costs_a_constant_number_of_queries(world, django_assert_max_num_queries):
    client = token_client(world.users["alice"])
    for url in ENDPOINTS:
        # token with its user and rate count (one statement), the last-use stamp; the view's
        # one count and its time limit (in a savepoint here, the test's transaction being
        # open, and rolled back); the events list
        with django_assert_max_num_queries(7):
            assert client.get(url).status_code == 200


def test_openapi_documents_the_three_endpoints_and_their_filters(client):
    schema = client.get("/api/v1/openapi.json").json()
    for name in ("matrix", "timeline", "cooccurrence"):
        operation = schema["paths"][f"/api/v1/claims/{name}"]["get"]
        params = {p["name"] for p in operation["parameters"]}
        assert {"brief", "tag", "actor", "annotator", "date_from", "date_to", "visibility"} <= params
        assert "200" in operation["responses"] and "401" in operation["responses"]


def _nulls(value, path="") -> list[str]:
    if isinstance(value, dict):
        return [p for name, item in value.items() for p in _nulls(item, f"{path}.{name}")]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _nulls(item, f"{path}[{i}]")]
    return [path] if value is None else []


@pytest.mark.parametrize("path", ENDPOINTS)
def test_each_answer_is_what_its_response_schema_documents(world, path):
    """The endpoints answer their payload without ninja re-validating it: the schema must
    still describe it exactly, with absent (not null) optional fields."""
    from annotations.claims.api import CooccurrenceOut, MatrixOut, TimelineOut

    schema = {"matrix": MatrixOut, "timeline": TimelineOut, "cooccurrence": CooccurrenceOut}
    response = token_client(world.users["alice"]).get(path)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    payload = response.json()
    schema[payload["kind"]].model_validate(payload, strict=True)
    assert _nulls(payload) == []
    assert payload.get("cells") or payload.get("points")
