"""GET /api/v1/search/sections and /annotations: the page's search, as JSON, no leaks."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.services import api_token_create
from tests.search.conftest import annotate

pytestmark = pytest.mark.django_db
SECTIONS = "/api/v1/search/sections"
ANNOTATIONS = "/api/v1/search/annotations"


def token_client(user) -> Client:
    _, raw = api_token_create(user=user, name="search", scope="read")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def marked(value: dict) -> list[str]:
    return [value["text"][start:end] for start, end in value["highlights"]]


def test_sanctions_finds_the_kinu_sections_whatever_the_particle(client, kinu):
    body = client.get(SECTIONS, {"q": "제재", "brief": "kinu-co-19-05"}).json()
    positions = [item["section"] for item in body["items"]]
    expected = [s.pk for s in kinu.sections.all() if "제재" in s.text]
    assert sorted(positions) == sorted(expected) and body["count"] == len(expected)
    for item in body["items"]:
        assert item["mode"] == "fts" and item["brief"] == "kinu-co-19-05"
        assert item["url"].startswith("http://testserver/briefs/kinu-co-19-05/?hl=")
        words = marked(item["snippet"])
        assert words and all(word.startswith("제재") for word in words)  # 제재를, 제재의 … all marked


def test_english_query_and_phrase(client, kinu):
    english = client.get(SECTIONS, {"q": "end-of-war declaration"}).json()
    assert english["count"] >= 1 and english["items"][0]["brief"] == "kinu-co-19-05"
    phrase = client.get(SECTIONS, {"q": '"영변 핵시설 폐기"'}).json()
    assert phrase["count"] >= 1
    for item in phrase["items"]:
        assert "영변 핵시설 폐기" in marked(item["snippet"])


def test_paging_follows_next(client, kinu):
    first = client.get(SECTIONS, {"q": "북한", "limit": 2}).json()
    assert len(first["items"]) == 2 and first["count"] > 2 and first["next"]
    second = client.get(first["next"]).json()
    assert {i["section"] for i in first["items"]}.isdisjoint(i["section"] for i in second["items"])


def test_annotations_are_found_for_those_who_may_see_them(kinu, annotator, annotator2, codebook):
    section = kinu.sections.filter(text__contains="종전선언과 연락사무소").order_by("position").first()
    shared = annotate(
        annotator, section, "종전선언", tags=[codebook["end-of-war-declaration"]], visibility="shared"
    )
    private = annotate(annotator, section, "종전선언과 연락사무소", note="PRIVATE", visibility="private")
    mine = token_client(annotator).get(ANNOTATIONS, {"q": "종전선언"}).json()
    assert {i["annotation"] for i in mine["items"]} == {shared.pk, private.pk}
    theirs = token_client(annotator2).get(ANNOTATIONS, {"q": "종전선언"}).json()
    assert [i["annotation"] for i in theirs["items"]] == [shared.pk]
    item = theirs["items"][0]
    assert item["tags"] == ["end-of-war-declaration"] and marked(item["quote"]) == ["종전선언"]
    assert "PRIVATE" not in str(theirs)
    anonymous = Client().get(ANNOTATIONS, {"q": "종전선언"})
    assert anonymous.status_code == 401 and "/accounts/tokens/" in anonymous.json()["detail"]
    by_tag = token_client(annotator2).get(ANNOTATIONS, {"q": "연락사무소", "tag": "liaison-office"}).json()
    assert by_tag["count"] == 0  # the shared one is tagged end-of-war only


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "!!! ??? ..."}, "q"),
        ({"q": "제재 " * 200}, "q"),
        ({"q": "제재", "brief": "no-such-brief"}, "brief"),
        ({"q": "제재", "year_from": 2020, "year_to": 2019}, "year_to"),
    ],
)
def test_bad_queries_get_a_400_naming_the_field(client, kinu, annotator, params, field):
    for url, caller in ((SECTIONS, client), (ANNOTATIONS, token_client(annotator))):
        response = caller.get(url, params)
        assert response.status_code == 400, response.content
        assert response.json()["field"] == field and response.json()["detail"]


def test_hostile_text_is_a_4xx_never_a_500(client, kinu):
    for q in ["\x00제재", "제재' OR 1=1 --", "<script>alert(1)</script>", "😀" * 50, "a:* & !b | (c"]:
        response = client.get(SECTIONS, {"q": q})
        assert response.status_code in (200, 400), (q, response.status_code)


def test_queries_do_not_grow_with_the_page(client, kinu, annotator, django_assert_max_num_queries):
    api = token_client(annotator)
    with django_assert_max_num_queries(20) as one:
        api.get(SECTIONS, {"q": "북한", "limit": 1})
    with django_assert_max_num_queries(len(one.captured_queries)):
        api.get(SECTIONS, {"q": "북한", "limit": 50})
