"""W3C bodies carry the codebook labels in the chosen language: the export's, or the API's active one."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from annotations.w3c import annotation_jsonld
from tests.api.conftest import bearer_client
from tests.export.conftest import BASE_URL, export_bytes

CONTAINER = "/api/v1/w3c/annotations/"


def tagging(doc: dict) -> list[tuple[str, str]]:
    bodies = doc.get("body", [])
    bodies = bodies if isinstance(bodies, list) else [bodies]
    return [(b["value"], b["language"]) for b in bodies if b.get("purpose") == "tagging"]


def korean(annotation) -> list[tuple[str, str]]:
    return [(t.label_ko, "ko") for t in annotation.tags.order_by("category__position", "position", "code")]


def english(annotation) -> list[tuple[str, str]]:
    return [(t.label_en, "en") for t in annotation.tags.order_by("category__position", "position", "code")]


@pytest.mark.parametrize(("language", "labels"), [("ko", korean), ("en", english)])
def test_w3c_export_follows_the_label_language(world, language, labels):
    doc = json.loads(export_bytes(world.editor, "w3c", language=language))
    items = {item["id"].rsplit("/", 1)[1]: item for item in doc["first"]["items"]}
    annotation = world.ko_bigdeal
    assert tagging(items[str(annotation.pk)]) == labels(annotation)
    assert len(labels(annotation)) == 2


def test_presenter_defaults_to_the_active_language(world):
    from django.utils import translation

    annotation = world.ko_bigdeal
    with translation.override("ko"):
        assert tagging(annotation_jsonld(annotation, base_url=BASE_URL)) == korean(annotation)
    with translation.override("en"):
        assert tagging(annotation_jsonld(annotation, base_url=BASE_URL)) == english(annotation)
    with translation.override("en"):
        explicit = annotation_jsonld(annotation, base_url=BASE_URL, language="ko")
        assert tagging(explicit) == korean(annotation)


def _client(world, **headers) -> Client:
    client = bearer_client(world.annotator)
    client.defaults.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    return client


@pytest.mark.parametrize(
    ("headers", "cookie", "labels"),
    [
        ({"Accept-Language": "ko-KR,ko;q=0.9"}, None, korean),
        ({"Accept-Language": "en-US,en;q=0.9"}, None, english),
        ({"Accept-Language": "en"}, "ko", korean),  # the language cookie wins, as on the pages
        ({}, None, english),  # LANGUAGE_CODE
    ],
)
def test_protocol_bodies_follow_the_requested_language_everywhere(world, settings, headers, cookie, labels):
    client = _client(world, **headers)
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    annotation = world.ko_bigdeal
    one = client.get(f"{CONTAINER}{annotation.pk}")
    assert one.status_code == 200
    assert tagging(json.loads(one.content)) == labels(annotation)
    assert "Accept-Language" in {v.strip() for v in one["Vary"].split(",")}
    page = client.get(CONTAINER, {"page": 0})
    assert page.status_code == 200
    items = {item["id"]: item for item in json.loads(page.content)["items"]}
    assert tagging(items[f"http://testserver{CONTAINER}{annotation.pk}"]) == labels(annotation)
    container = client.get(CONTAINER)
    assert "Accept-Language" in {v.strip() for v in container["Vary"].split(",")}
