"""Idempotency-Key on the three creates: the API, the W3C container and the reader's JSON."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from annotations.models import Annotation, IdempotencyKey
from tests.api.conftest import TEXT, YONGBYON, bearer_client
from tests.api.test_protocol import new_doc, post

pytestmark = pytest.mark.django_db
API = "/api/v1/annotations"
READER = "/annotations/"


def body(section, **fields) -> dict:
    start = TEXT.index(YONGBYON)
    return {"section": section.pk, "start": start, "end": start + len(YONGBYON), "quote": YONGBYON} | fields


def api_post(client: Client, data: dict, key: str | None = "k-1"):
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(API, json.dumps(data), content_type="application/json", headers=headers)


def test_a_repeated_key_replays_the_first_answer(api, section):
    first = api_post(api, body(section, note="once"))
    again = api_post(api, body(section, note="once"))
    assert (first.status_code, again.status_code) == (201, 201), again.content
    assert again.json()["id"] == first.json()["id"]
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Annotation.objects.count() == 1


def test_the_same_key_with_another_body_is_422(api, section):
    api_post(api, body(section, note="once"))
    response = api_post(api, body(section, note="twice"))
    assert response.status_code == 422
    assert "Idempotency-Key was already used with a different request body" in response.json()["detail"]
    assert Annotation.objects.count() == 1


def test_without_a_key_each_create_makes_an_annotation(api, section):
    assert [api_post(api, body(section), key=None).status_code for _ in range(2)] == [201, 201]
    assert Annotation.objects.count() == 2


def test_keys_are_per_user(api, annotator2, section):
    mine = api_post(api, body(section))
    theirs = api_post(bearer_client(annotator2), body(section))
    assert theirs.status_code == 201 and theirs.json()["id"] != mine.json()["id"]
    assert theirs.json()["author"] == "annotator2"


def test_a_key_expires_after_a_day(api, section):
    first = api_post(api, body(section))
    IdempotencyKey.objects.update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=25))
    again = api_post(api, body(section))
    assert again.status_code == 201 and again.json()["id"] != first.json()["id"]
    assert not again.has_header("Idempotent-Replayed")
    assert IdempotencyKey.objects.count() == 1


def test_a_users_expired_keys_are_swept_on_their_next_create(api, section):
    for n in range(3):
        api_post(api, body(section), key=f"old-{n}")
    IdempotencyKey.objects.update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=25))
    api_post(api, body(section), key="new")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_a_failed_create_keeps_no_key(api, section):
    wrong = api_post(api, body(section, quote="영변의 모든 핵시설을 영구적으로 폐기X"))
    assert wrong.status_code == 409, wrong.content
    assert not IdempotencyKey.objects.exists()
    fixed = api_post(api, body(section))
    assert fixed.status_code == 201 and not fixed.has_header("Idempotent-Replayed")


@pytest.mark.parametrize("key", ["", "   ", "k" * 256, "키", "a\x00b", "a\tb"])
def test_hostile_keys_are_refused_with_400(api, section, key):
    response = api_post(api, body(section), key=key)
    assert response.status_code == 400, response.content
    assert "Idempotency-Key" in response.json()["detail"]
    assert not Annotation.objects.exists()


def test_a_replay_of_a_deleted_annotation_is_404_not_a_new_one(api, section):
    first = api_post(api, body(section))
    assert api.delete(f"{API}/{first.json()['id']}").status_code == 204
    assert api_post(api, body(section)).status_code == 404
    assert Annotation.objects.count() == 1


def test_w3c_post_replays_and_refuses_another_body(api, section):
    first = post(api, new_doc(section), **{"Idempotency-Key": "w-1"})
    again = post(api, new_doc(section), **{"Idempotency-Key": "w-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Location"] == first["Location"] and again["Idempotent-Replayed"] == "true"
    other = new_doc(section) | {"bodyValue": "another note"}
    refused = post(api, other, **{"Idempotency-Key": "w-1"})
    assert refused.status_code == 422 and "different request body" in refused.json()["detail"]
    assert Annotation.objects.count() == 1


def test_the_api_and_the_w3c_container_keep_their_own_keys(api, section):
    api_post(api, body(section), key="shared-key")
    assert post(api, new_doc(section), **{"Idempotency-Key": "shared-key"}).status_code == 201
    assert Annotation.objects.count() == 2


def test_the_readers_create_replays_a_double_submit(client, section, annotator):
    client.force_login(annotator)
    data = json.dumps(body(section, tags=[], actor="unspecified", note="", visibility="private"))

    def send(payload: str = data):
        key = {"Idempotency-Key": "r-1"}
        return client.post(READER, payload, content_type="application/json", headers=key)

    first, again = send(), send()
    assert (first.status_code, again.status_code) == (201, 201), again.content
    assert again.json()["id"] == first.json()["id"]
    assert Annotation.objects.count() == 1
    refused = send(data.replace('"note": ""', '"note": "changed"'))
    assert refused.status_code == 422 and "different request body" in refused.json()["error"]
    assert send('"a\x00"').status_code == 400
