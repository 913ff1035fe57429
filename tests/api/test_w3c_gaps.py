"""W3C Protocol details: Content-Location, a self-contained first page, canonical and via."""

from __future__ import annotations

import json

import pytest

from annotations.models import Annotation
from annotations.w3c import JSONLD_MEDIA_TYPE
from tests.api.helpers import w3c_must_failures, w3c_validate_cli
from tests.api.test_protocol import CONTAINER, new_doc, post
from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db
ORIGIN = "http://testserver"
CANONICAL = "urn:uuid:dbfb1861-0ecf-41ad-be94-a584e5c4f1df"
THEIR_ID = "https://client.example.net/annotations/7"


def put(client, pk: int, doc: dict, etag: str):
    return client.put(
        f"{CONTAINER}{pk}", json.dumps(doc), content_type=JSONLD_MEDIA_TYPE, headers={"If-Match": etag}
    )


def test_the_container_says_which_representation_it_is_without_prefer(api, section, annotator):
    AnnotationFactory(section=section, author=annotator)
    assert api.get(CONTAINER)["Content-Location"] == ORIGIN + CONTAINER
    assert api.get(CONTAINER + "?iris=1")["Content-Location"] == ORIGIN + CONTAINER + "?iris=1"
    assert not api.get(CONTAINER).has_header("Preference-Applied")


def test_the_embedded_first_page_stands_alone(api, section, annotator, tmp_path):
    AnnotationFactory(section=section, author=annotator)
    doc = api.get(CONTAINER).json()
    first = doc["first"]
    assert first["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert first["partOf"] == {"id": ORIGIN + CONTAINER, "total": 1}
    assert w3c_must_failures(doc) == []
    assert w3c_must_failures(first, kind="page") == []
    assert w3c_validate_cli(doc, tmp_path).returncode == 0


def test_post_keeps_canonical_and_puts_the_clients_id_in_via(api, section, tmp_path):
    response = post(api, new_doc(section) | {"id": THEIR_ID, "canonical": CANONICAL})
    assert response.status_code == 201, response.content
    doc = response.json()
    annotation = Annotation.objects.get()
    assert doc["id"] == f"{ORIGIN}{CONTAINER}{annotation.pk}"
    assert (doc["canonical"], doc["via"]) == (CANONICAL, THEIR_ID)
    again = api.get(response["Location"]).json()
    assert (again["canonical"], again["via"]) == (CANONICAL, THEIR_ID)
    assert w3c_must_failures(again) == []
    assert w3c_validate_cli(again, tmp_path).returncode == 0


def test_without_id_or_canonical_neither_is_said(api, section):
    doc = post(api, new_doc(section)).json()
    assert "canonical" not in doc and "via" not in doc


def test_put_may_not_change_canonical(api, section):
    created = post(api, new_doc(section) | {"canonical": CANONICAL})
    pk, etag = Annotation.objects.get().pk, created["ETag"]
    other = "urn:uuid:00000000-0000-0000-0000-000000000000"
    changed = put(api, pk, created.json() | {"canonical": other}, etag)
    assert changed.status_code == 400
    assert changed.json() == {
        "detail": "An annotation's canonical IRI cannot change: it is kept from its creation.",
        "field": "canonical",
    }
    dropped = put(api, pk, {k: v for k, v in created.json().items() if k != "canonical"}, etag)
    assert dropped.status_code == 200 and dropped.json()["canonical"] == CANONICAL
    same = put(api, pk, dropped.json() | {"bodyValue": "kept"}, dropped["ETag"])
    assert same.status_code == 200 and same.json()["canonical"] == CANONICAL


def test_put_may_not_add_a_canonical_later(api, section):
    created = post(api, new_doc(section))
    doc = created.json() | {"canonical": CANONICAL}
    response = put(api, Annotation.objects.get().pk, doc, created["ETag"])
    assert response.status_code == 400 and response.json()["field"] == "canonical"


@pytest.mark.parametrize(
    "value", [123, "", "not an iri", "urn:x:" + "a" * 2000, "urn:x:\x00", "urn:x:\ud800", ["urn:x:1"]]
)
def test_hostile_canonical_or_id_is_refused(api, section, value):
    for name in ("canonical", "id"):
        doc = json.dumps(new_doc(section) | {name: value})  # a lone surrogate survives as \ud800
        response = api.post(CONTAINER, doc, content_type=JSONLD_MEDIA_TYPE)
        if isinstance(value, str) and ("\x00" in value or "\ud800" in value):
            # Refused earlier, by the one bounded JSON reader every endpoint parses with.
            assert response.status_code == 400, response.content
            assert response.json()["detail"]
            continue
        assert response.status_code == 422, response.content
        assert response.json()["field"] == name
    assert not Annotation.objects.exists()
