from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import BriefFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_briefs_list_and_detail_are_public(section):
    client = Client()
    listing = client.get("/api/v1/briefs")
    assert listing.status_code == 200
    assert [b["slug"] for b in listing.json()["items"]] == ["kinu-co-19-05"]
    assert listing.json()["items"][0]["section_count"] == 1
    detail = client.get("/api/v1/briefs/kinu-co-19-05")
    assert detail.status_code == 200
    assert [s["anchor"] for s in detail.json()["sections"]] == ["s2"]
    assert detail.json()["sections"][0]["text"] == section.text


def test_brief_not_found_is_json_404(db):
    response = Client().get("/api/v1/briefs/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found, or not visible to you.", "field": None}


def test_briefs_page_with_limit_and_offset(db):
    BriefFactory.create_batch(3)
    first = Client().get("/api/v1/briefs?limit=2").json()
    assert len(first["items"]) == 2 and first["count"] == 3
    second = Client().get(first["next"]).json()
    assert len(second["items"]) == 1 and second["next"] is None


def test_sections_of_a_brief_in_order(brief):
    SectionFactory(brief=brief, position=3, anchor="c")
    SectionFactory(brief=brief, position=1, anchor="a")
    SectionFactory(anchor="elsewhere")
    body = Client().get("/api/v1/sections?brief=kinu-co-19-05").json()
    assert [s["anchor"] for s in body["items"]] == ["a", "c"]
    one = body["items"][0]
    assert Client().get(f"/api/v1/sections/{one['id']}").json()["anchor"] == "a"
    assert Client().get("/api/v1/sections?brief=nope").status_code == 404


def test_codebook_tags(codebook):
    tags = Client().get("/api/v1/tags").json()
    assert "sanctions-partial-relief" in [t["code"] for t in tags]
    tag = Client().get("/api/v1/tags/sanctions-partial-relief").json()
    assert tag["label_en"] == "Partial sanctions relief"
    assert Client().get("/api/v1/tags/nope").status_code == 404
