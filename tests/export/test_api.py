from __future__ import annotations

import io
import json

import docx
from django.urls import reverse

URL = reverse("api:export_excerpts")


def test_the_api_is_mounted_at_exports():
    assert URL == "/api/v1/exports/"


def test_anonymous_callers_get_401(client, world):
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 401
    assert "export" in response.json()["detail"]


def test_non_editors_get_403_with_a_reason(client, world):
    client.force_login(world.annotator)
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Exporting excerpts is for editors")


def test_jsonl_export_with_the_same_filters_as_the_page(client, world):
    client.force_login(world.editor)
    response = client.get(
        URL,
        {
            "format": "jsonl",
            "tags": ["big-deal", "sanctions-partial-relief"],
            "language": "en",
            "context": "true",
        },
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="marginalia-excerpts-')
    assert response["Content-Disposition"].endswith('.jsonl"')
    records = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert {r["id"] for r in records} == {world.ko_bigdeal.pk, world.en_relief.pk}
    assert all("context" in r for r in records)
    assert {tuple(r["tag_labels"]) for r in records} == {
        ("Big deal / comprehensive deal", "Facilities beyond Yongbyon"),
        ("Partial sanctions relief",),
    }


def test_docx_export_is_a_word_file(client, world):
    client.force_login(world.editor)
    response = client.get(URL, {"format": "docx", "briefs": "kinu-online-19-06"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.docx"')
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert quotes == ["partial sanctions relief"]


def test_unknown_filter_values_match_nothing(client, world):
    client.force_login(world.editor)
    response = client.get(URL, {"format": "csv", "briefs": "no-such-brief", "tags": "big-deal"})
    assert response.status_code == 200
    assert response["X-Export-Total"] == "0"


def test_a_reversed_date_range_is_400(client, world):
    client.force_login(world.editor)
    response = client.get(URL, {"format": "csv", "created_from": "2024-02-01", "created_to": "2024-01-01"})
    assert response.status_code == 400
    assert "date range is reversed" in response.json()["detail"]


def test_unknown_formats_and_actors_are_422(client, world):
    client.force_login(world.editor)
    assert client.get(URL, {"format": "pdf"}).status_code == 422
    assert client.get(URL, {"actors": "martians"}).status_code == 422


def test_w3c_export_has_the_json_ld_media_type(client, world):
    client.force_login(world.editor)
    response = client.get(URL, {"format": "w3c"})
    assert response["Content-Type"] == 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
    doc = json.loads(b"".join(response.streaming_content))
    assert doc["total"] == 4
    assert doc["id"].startswith("http://testserver/api/v1/exports/?format=w3c")


def test_dates_must_be_iso_days(client, world):
    client.force_login(world.editor)
    assert client.get(URL, {"created_to": "0"}).status_code == 422
    assert client.get(URL, {"created_to": "2024-13-45"}).status_code == 400
    response = client.get(URL, {"format": "jsonl", "created_from": "2000-01-01", "created_to": "2999-12-31"})
    assert response["X-Export-Total"] == "4"


def test_the_text_filter_is_in_the_api_too(client, world):
    client.force_login(world.editor)
    response = client.get(URL, {"format": "jsonl", "q": "빅딜을"})
    assert response.status_code == 200
    records = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert [r["id"] for r in records] == [world.ko_bigdeal.pk]
    assert client.get(URL, {"q": "가" * 201}).status_code in (400, 422)
