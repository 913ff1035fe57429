"""POST /api/v1/annotations/bulk: many annotations in one request, all or none, in four formats."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.models import Annotation
from search.models import AnnotationDocument
from tests.api.conftest import TEXT, YONGBYON, bearer_client
from tests.api.helpers import span

pytestmark = pytest.mark.django_db
URL = "/api/v1/annotations/bulk"
QUOTES = ["이번 회담에서", "미국의 요구는", YONGBYON, "핵실험과 장거리 미사일 실험", "제재 완화"]


def item(section, quote: str, **fields) -> dict:
    return {"section": section.pk, **span(section.text, quote), **fields}


def post(client, body, *, content_type: str = "application/json", **headers):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body, ensure_ascii=False)
    return client.post(URL, data, content_type=content_type, headers=headers)


def jsonl(objects: list) -> str:
    return "\n".join(json.dumps(o, ensure_ascii=False) for o in objects) + "\n"


def test_a_batch_of_ours_is_created_with_tags_and_indexed(api, section, codebook):
    batch = [
        item(section, QUOTES[0], tags=["big-deal"], note="포괄적 요구"),
        item(section, QUOTES[2], tags=["yongbyon-dismantlement", "big-deal"], actor="dprk"),
        item(section, QUOTES[4], visibility="shared"),
    ]
    response = post(api, batch)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] == 3 and len(body["ids"]) == 3
    created = {a.pk: a for a in Annotation.objects.filter(pk__in=body["ids"]).prefetch_related("tags")}
    first, second, third = (created[pk] for pk in body["ids"])  # ids come in the order sent
    assert first.quote == QUOTES[0] and first.note == "포괄적 요구" and first.prefix == ""
    assert [t.code for t in second.tags.all()] == ["big-deal", "yongbyon-dismantlement"]
    assert second.actor == "dprk" and second.suffix and second.author.username == "annotator"
    assert third.visibility == "shared" and third.ever_shared
    assert AnnotationDocument.objects.filter(annotation_id__in=body["ids"]).count() == 3
    # and the API reads them back like any other
    assert api.get(f"/api/v1/annotations/{first.pk}").json()["tags"] == ["big-deal"]


def test_one_bad_line_refuses_the_whole_batch_and_names_every_problem(api, section, codebook):
    lines = [
        item(section, QUOTES[0]),
        item(section, QUOTES[1], tags=["no-such-tag"]),
        {**item(section, QUOTES[2]), "quote": "다른 말"},
        item(section, QUOTES[3], actor="martians"),
        {"section": 10**9, "start": 0, "end": 2, "quote": "이번"},
    ]
    body = jsonl(lines[:2]) + "\n" + jsonl(lines[2:]) + "{not json\n"
    response = post(api, body, content_type="application/x-ndjson")
    assert response.status_code == 422
    answer = response.json()
    assert "nothing was written" in answer["detail"]
    assert answer["error_count"] == 1 and answer["errors"][0]["line"] == 7  # unreadable JSON first
    response = post(api, jsonl(lines[:2]) + "\n" + jsonl(lines[2:]), content_type="application/x-ndjson")
    problems = response.json()["errors"]
    assert [(p["item"], p["line"], p["field"]) for p in problems] == [
        (2, 2, "tags"),
        (3, 4, "quote"),
        (4, 5, "actor"),
        (5, 6, "section"),
    ]
    assert "no-such-tag" in problems[0]["detail"] and "no longer matches" in problems[1]["detail"]
    assert Annotation.objects.count() == 0 and AnnotationDocument.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        (b"", "application/json", 422, "not valid JSON"),
        (b"[]", "application/json", 422, "no annotations"),
        (b"\n\n", "application/x-ndjson", 422, "no annotations"),
        (b'"text"', "application/json", 422, "Send an array"),
        (b"[1, null, []]", "application/json", 422, "must be an object"),
        (b'[{"section": 1, "start": 0, "end": 2, "quote": "\\u0000"}]', "application/json", 422, "NUL"),
        (b'[{"start": "0"}]', "application/json", 422, "Not an annotation"),
        (b"[" * 200 + b"]" * 200, "application/json", 422, "nested too deeply"),
        (b'[{"section": "1", "start": 0, "end": 2, "quote": "x"}]', "application/json", 422, "section"),
        (b'{"type": "AnnotationCollection", "first": "p1"}', "application/ld+json", 422, "first page"),
    ],
)
def test_hostile_batches_are_refused_clearly(api, section, body, content_type, status, words):
    response = post(api, body, content_type=content_type)
    assert response.status_code == status, response.content
    assert words in json.dumps(response.json(), ensure_ascii=False)
    assert Annotation.objects.count() == 0


def test_batches_are_bounded_in_items_and_bytes(api, section, settings):
    settings.MARGINALIA_BULK_MAX_ITEMS = 2
    response = post(api, [item(section, q) for q in QUOTES[:3]])
    assert response.status_code == 422 and "at most 2" in response.json()["detail"]
    settings.MARGINALIA_BULK_MAX_BYTES = 300
    response = post(api, [item(section, q, note="가" * 200) for q in QUOTES[:2]])
    assert response.status_code == 413
    assert Annotation.objects.count() == 0


def test_a_batch_may_exceed_the_single_request_body_limit(api, section, settings):
    settings.MARGINALIA_API_MAX_BODY_BYTES = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(api, [item(section, q, note="메모 " * 100) for q in QUOTES])
    assert response.status_code == 201 and response.json()["created"] == len(QUOTES)


def test_who_may_bulk_create(client, section, annotator, analyst):
    assert post(client, [item(section, QUOTES[0])]).status_code == 401
    read_only = bearer_client(annotator, scope="read")
    assert post(read_only, [item(section, QUOTES[0])]).status_code == 403
    response = post(bearer_client(analyst), [item(section, QUOTES[0], visibility="shared")])
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "visibility"
    assert Annotation.objects.count() == 0


def test_an_idempotency_key_replays_the_first_batch(api, section):
    batch = [item(section, q) for q in QUOTES[:2]]
    first = post(api, batch, **{"Idempotency-Key": "batch-1"})
    again = post(api, batch, **{"Idempotency-Key": "batch-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Annotation.objects.count() == 2
    other = post(api, batch[:1], **{"Idempotency-Key": "batch-1"})
    assert other.status_code == 422 and Annotation.objects.count() == 2
    refused = post(api, [{"section": 10**9}], **{"Idempotency-Key": "batch-2"})
    assert refused.status_code == 422
    # a refused batch keeps no key: the corrected batch may be sent with it
    assert post(api, batch, **{"Idempotency-Key": "batch-2"}).status_code == 201


def test_a_batch_costs_the_same_queries_whatever_its_size(api, section, codebook):
    def statements(n: int) -> int:
        batch = [item(section, QUOTES[i % len(QUOTES)], tags=["big-deal"], note=f"{i}") for i in range(n)]
        with CaptureQueriesContext(connection) as queries:
            assert post(api, batch).status_code == 201
        return len(queries)

    statements(2)  # warm: the first request also loads what every later one finds cached
    assert statements(10) == statements(200)


def test_our_w3c_export_comes_back_in(api, editor, section, codebook):
    from annotations.export.presenters import ExcerptOptions
    from annotations.export.selectors import ExportFilters
    from annotations.export.services import excerpt_export

    assert (
        post(api, [item(section, q, tags=["big-deal"], note="원본") for q in QUOTES[:3]]).status_code == 201
    )
    annotator = Annotation.objects.first().author
    for kind in ("w3c", "jsonl"):
        exported = b"".join(
            excerpt_export(
                user=annotator,
                filters=ExportFilters(),
                format=kind,
                options=ExcerptOptions(base_url="http://testserver"),
                source_url="http://testserver/export/",
            ).iter_bytes()
        )
        content_type = "application/ld+json" if kind == "w3c" else "application/x-ndjson"
        response = post(bearer_client(editor), exported, content_type=content_type)
        assert response.status_code == 201, response.content
        copies = Annotation.objects.filter(pk__in=response.json()["ids"]).prefetch_related("tags")
        assert sorted(a.quote for a in copies) == sorted(QUOTES[:3])
        assert {a.author.username for a in copies} == {"editor"}
        assert all([t.code for t in a.tags.all()] == ["big-deal"] and a.note == "원본" for a in copies)


def test_a_label_studio_export_comes_in_with_utf16_offsets(api, section, codebook):
    emoji_quote = "제재 완화"
    at = TEXT.index(emoji_quote)
    utf16_at = len(TEXT[:at].encode("utf-16-le")) // 2  # the flag and the face are two units each
    assert utf16_at > at
    tasks = [
        {
            "id": 7,
            "data": {"text": TEXT},
            "annotations": [
                {
                    "result": [
                        {
                            "id": "r1",
                            "type": "labels",
                            "from_name": "label",
                            "to_name": "text",
                            "value": {
                                "start": utf16_at,
                                "end": utf16_at + len(emoji_quote),
                                "text": emoji_quote,
                                "labels": ["빅딜·일괄타결"],
                            },
                        },
                        {"id": "r1", "type": "textarea", "value": {"text": ["라벨 스튜디오 메모"]}},
                        {
                            "id": "r2",
                            "type": "labels",
                            "value": {
                                "start": TEXT.index(YONGBYON),
                                "end": TEXT.index(YONGBYON) + len(YONGBYON),
                                "text": YONGBYON,
                                "labels": ["big-deal"],
                            },
                        },
                    ]
                },
                {"was_cancelled": True, "result": [{"type": "labels", "value": {"start": 0, "end": 1}}]},
            ],
        }
    ]
    response = post(api, tasks)
    assert response.status_code == 201, response.content
    made = Annotation.objects.filter(pk__in=response.json()["ids"]).order_by("start")
    assert [(a.quote, a.note) for a in made] == [(YONGBYON, ""), (emoji_quote, "라벨 스튜디오 메모")]
    assert made[1].start == at


def test_the_openapi_document_describes_the_bulk_endpoint(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/annotations/bulk"]["post"]
    assert set(operation["requestBody"]["content"]) == {
        "application/json",
        "application/ld+json",
        "application/x-ndjson",
    }
    assert {"201", "413", "422"} <= set(operation["responses"])


@pytest.mark.django_db(transaction=True)  # the worker reads committed jobs on its own terms
def test_a_large_batch_is_indexed_by_the_background_worker(api, section, codebook, settings):
    from django.core.management import call_command

    settings.MARGINALIA_BULK_INDEX_INLINE = 2
    batch = [item(section, q, tags=["big-deal"], note="영변 폐기 제안") for q in QUOTES]
    response = post(api, batch)
    assert response.status_code == 201 and response.json()["search_index"] == "queued"
    ids = response.json()["ids"]
    assert AnnotationDocument.objects.filter(annotation_id__in=ids).count() == 0
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())
    assert AnnotationDocument.objects.filter(annotation_id__in=ids).count() == len(QUOTES)
    found = api.get("/api/v1/search/annotations", {"q": "영변 폐기"}).json()["items"]
    assert {hit["annotation"] for hit in found} >= set(ids)
    small = post(api, batch[:2])
    assert small.json()["search_index"] == "done"
    assert AnnotationDocument.objects.filter(annotation_id__in=small.json()["ids"]).count() == 2


def test_label_studio_tasks_name_their_section_or_are_told_why_not(api, section, brief, codebook):
    from tests.factories import SectionFactory

    region = {"type": "labels", "value": {"start": 0, "end": 2, "text": "이번", "labels": ["big-deal"]}}
    task = {"data": {"text": "어디에도 없는 글"}, "annotations": [{"result": [region]}]}
    SectionFactory(brief=brief, position=3, anchor="s3", text=TEXT)  # the same text twice
    twice = {"data": {"text": TEXT}, "annotations": [{"result": [region]}]}
    response = post(api, [task, twice, twice, {"data": {"section": section.pk}, "annotations": []}])
    assert response.status_code == 422
    problems = [(p["item"], p["field"], p["detail"].split(":")[0]) for p in response.json()["errors"]]
    assert problems == [
        (1, "data.text", "No section has this text"),
        (2, "data.text", "Several sections have this text"),
        (3, "data.text", "Several sections have this text"),
        (4, "annotations", "The task has no labelled region to import."),
    ]
    assert Annotation.objects.count() == 0
