"""Query parameters across the API: an unknown one is a 400 that names it (on every GET
endpoint, as the OpenAPI schema lists them), and tag filters take both spellings, `tag` and
`tags`, on the annotation list, the export and the annotation search."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from config.api import api
from tests.api.conftest import bearer_client
from tests.factories import AnnotationFactory, SectionFactory
from tests.search.conftest import annotate


def get_operations() -> list[tuple[str, list[str]]]:
    """Return (path, query parameter names) of every GET operation in the OpenAPI schema."""
    schema = api.get_openapi_schema()
    operations = []
    for path, methods in schema["paths"].items():
        if "get" in methods:
            names = [p["name"] for p in methods["get"].get("parameters", []) if p["in"] == "query"]
            operations.append((path, names))
    return operations


def test_the_schema_has_every_get_endpoint():
    paths = {path for path, _ in get_operations()}
    assert {
        "/api/v1/briefs",
        "/api/v1/briefs/{slug}",
        "/api/v1/sections",
        "/api/v1/sections/{section_id}",
        "/api/v1/tags",
        "/api/v1/tags/{code}",
        "/api/v1/annotations",
        "/api/v1/annotations/{annotation_id}",
        "/api/v1/exports/",
        "/api/v1/search/sections",
        "/api/v1/search/annotations",
    } <= paths


@pytest.mark.parametrize(("path", "documented"), get_operations())
def test_an_unknown_query_parameter_is_a_400_naming_it(path, documented, section, editor, codebook):
    annotation = AnnotationFactory(section=section, author=editor, visibility="shared")
    url = (
        path.replace("{slug}", section.brief.slug)
        .replace("{section_id}", str(section.pk))
        .replace("{code}", "big-deal")
        .replace("{annotation_id}", str(annotation.pk))
    )
    params = {name: "" for name in documented if name != "q"} | {"tga": "big-deal", "zz": "1"}
    response = bearer_client(editor).get(url, params)
    assert response.status_code == 400, (url, response.content)
    body = response.json()
    assert body["field"] == "tga"
    assert body["detail"].startswith("Unknown query parameter: tga, zz.")
    # and what it lists as accepted is exactly what the OpenAPI schema documents
    listed = body["detail"].split("This endpoint takes: ", 1)[1].rstrip(".")
    assert sorted(documented) == ([] if listed == "none" else listed.split(", "))


def test_known_parameters_still_work_and_next_links_carry_only_known_ones(section, editor):
    client = bearer_client(editor)
    for n in range(3):
        AnnotationFactory(section=section, author=editor, start=n, length=1, visibility="shared")
    page = client.get("/api/v1/annotations", {"limit": 2, "ordering": "created"}).json()
    assert len(page["items"]) == 2
    following = client.get(page["next"])
    assert following.status_code == 200 and len(following.json()["items"]) == 1


@pytest.fixture
def tagged(section, annotator, codebook):
    """Three shared annotations: one tagged big-deal, one sanctions relief, one untagged."""
    return {
        "big": AnnotationFactory(
            section=section,
            author=annotator,
            start=0,
            length=2,
            visibility="shared",
            tags=[codebook["big-deal"]],
        ),
        "relief": AnnotationFactory(
            section=section,
            author=annotator,
            start=3,
            length=2,
            visibility="shared",
            tags=[codebook["sanctions-partial-relief"]],
        ),
        "none": AnnotationFactory(section=section, author=annotator, start=6, length=2, visibility="shared"),
    }


@pytest.mark.parametrize(
    "query",
    ["tag=big-deal", "tags=big-deal", "tag=big-deal&tags=big-deal"],
)
def test_the_annotation_list_takes_tag_and_tags(api, tagged, query):
    response = api.get(f"/api/v1/annotations?{query}")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [tagged["big"].pk]


def test_tag_and_tags_add_up_to_any_of_them(api, tagged):
    response = api.get("/api/v1/annotations?tag=big-deal&tags=sanctions-partial-relief")
    assert {item["id"] for item in response.json()["items"]} == {tagged["big"].pk, tagged["relief"].pk}


@pytest.mark.parametrize("name", ["tag", "tags"])
def test_the_export_takes_tag_and_tags(client, editor, tagged, name):
    client.force_login(editor)
    response = client.get("/api/v1/exports/", {"format": "jsonl", name: "big-deal"})
    assert response.status_code == 200, response.content
    lines = [
        json.loads(line)
        for line in b"".join(response.streaming_content if response.streaming else [response.content])
        .decode()
        .splitlines()
        if line
    ]
    assert [line["quote"] for line in lines] == [tagged["big"].quote]


@pytest.fixture
def found_by_tag(annotator, codebook):
    section = SectionFactory(text="미국은 빅딜을 요구했고 북한은 제재 완화를 요구했다. 제재는 이어졌다.")
    big = annotate(annotator, section, "빅딜을 요구했고", tags=[codebook["big-deal"]], visibility="shared")
    relief = annotate(
        annotator,
        section,
        "제재 완화를 요구했다",
        tags=[codebook["sanctions-partial-relief"]],
        visibility="shared",
    )
    return big, relief


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "big-deal"}, {"big"}),
        ({"tags": "big-deal"}, {"big"}),
        ({"tag": "big-deal", "tags": "sanctions-partial-relief"}, {"big", "relief"}),
        ({}, {"big", "relief"}),
    ],
)
def test_annotation_search_takes_tag_and_tags(api, found_by_tag, params, expected):
    big, relief = found_by_tag
    names = {big.pk: "big", relief.pk: "relief"}
    response = api.get("/api/v1/search/annotations", {"q": "요구", **params})
    assert response.status_code == 200, response.content
    assert {names[item["annotation"]] for item in response.json()["items"]} == expected


def test_an_unknown_tag_code_in_search_is_a_400_naming_it(api, found_by_tag):
    response = api.get("/api/v1/search/annotations", {"q": "요구", "tags": "no-such-tag"})
    assert response.status_code == 400
    assert response.json()["field"] == "tag" and "no-such-tag" in response.json()["detail"]


def test_the_openapi_schema_marks_annotation_reads_as_needing_credentials():
    schema = api.get_openapi_schema()
    for path in ("/api/v1/annotations", "/api/v1/annotations/{annotation_id}", "/api/v1/search/annotations"):
        assert {} not in schema["paths"][path]["get"]["security"], path
    assert {} in schema["paths"]["/api/v1/briefs"]["get"]["security"]


def test_anonymous_annotation_search_is_a_401_with_a_hint():
    response = Client().get("/api/v1/search/annotations", {"q": "제재"})
    assert response.status_code == 401
    assert re.search(r"Bearer <token>.*/accounts/tokens/", response.json()["detail"])
