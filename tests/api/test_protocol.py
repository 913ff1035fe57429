"""The W3C Web Annotation Protocol container at /api/v1/w3c/annotations/."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotations import protocol
from annotations.models import Annotation
from annotations.w3c import JSONLD_MEDIA_TYPE
from config.api_support import SignedInAuth
from tests.api.conftest import TEXT, YONGBYON, bearer_client
from tests.api.helpers import w3c_must_failures
from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db
CONTAINER = "/api/v1/w3c/annotations/"
PREFER = 'return=representation;include="{}"'


def post(client: Client, doc: dict, **headers):
    return client.post(CONTAINER, json.dumps(doc), content_type=JSONLD_MEDIA_TYPE, headers=headers)


def new_doc(section, quote: str = YONGBYON, bodies: list | None = None) -> dict:
    start = TEXT.index(quote)
    doc = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "target": {
            "type": "SpecificResource",
            "source": f"http://testserver/briefs/{section.brief.slug}/#{section.anchor}",
            "selector": [
                {"type": "TextQuoteSelector", "exact": quote},
                {"type": "TextPositionSelector", "start": start, "end": start + len(quote)},
            ],
        },
    }
    if bodies is not None:
        doc["body"] = bodies
    return doc


def links(response) -> str:
    return response["Link"]


# Container -----------------------------------------------------------------------------------


def test_container_headers_and_collection(api, section, annotator):
    AnnotationFactory(section=section, author=annotator)
    response = api.get(CONTAINER)
    assert response.status_code == 200
    assert response["Content-Type"] == JSONLD_MEDIA_TYPE
    assert '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type"' in links(response)
    assert (
        '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
        in links(response)
    )
    assert response["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert {"Accept", "Prefer"} <= {v.strip() for v in response["Vary"].split(",")}
    assert response["ETag"]
    assert "application/ld+json" in response["Accept-Post"]
    doc = response.json()
    assert doc["type"] == ["BasicContainer", "AnnotationCollection"]
    assert doc["@context"] == ["http://www.w3.org/ns/anno.jsonld", "http://www.w3.org/ns/ldp.jsonld"]
    assert doc["total"] == 1 and doc["first"]["type"] == "AnnotationPage"
    assert doc["last"] == "http://testserver/api/v1/w3c/annotations/?page=0"
    assert w3c_must_failures(doc) == []


def test_container_paging(api, section, annotator, monkeypatch):
    monkeypatch.setattr(protocol, "PAGE_SIZE", 2)
    made = [AnnotationFactory(section=section, author=annotator, start=i) for i in range(5)]
    doc = api.get(CONTAINER).json()
    assert doc["last"].endswith("?page=2")
    assert doc["first"]["next"].endswith(f"?page=1&after={protocol._key(made[1])}")
    page = api.get(CONTAINER + "?page=1").json()
    assert page["type"] == "AnnotationPage"
    assert (
        page["partOf"]["id"] == "http://testserver/api/v1/w3c/annotations/" and page["partOf"]["total"] == 5
    )
    assert page["startIndex"] == 2
    assert page["prev"].endswith(f"?page=0&before={protocol._key(made[2])}")
    assert page["next"].endswith(f"?page=2&after={protocol._key(made[3])}")
    assert [item["id"].rsplit("/", 1)[1] for item in page["items"]] == [str(made[2].pk), str(made[3].pk)]
    assert w3c_must_failures(page) == []
    assert api.get(CONTAINER + "?page=3").status_code == 404
    assert api.get(CONTAINER + "?page=x").status_code == 404
    for key in ("x", "1-", "-1", "9" * 30 + "-1"):
        assert api.get(CONTAINER + f"?page=1&after={key}").status_code == 400


def _item_ids(page: dict) -> list[int]:
    return [int(item["id"].rsplit("/", 1)[1]) for item in page["items"]]


def test_container_pages_are_walked_by_key_not_offset(api, section, annotator, monkeypatch):
    monkeypatch.setattr(protocol, "PAGE_SIZE", 3)
    made = [AnnotationFactory(section=section, author=annotator, start=i) for i in range(11)]
    Annotation.objects.filter(pk=made[4].pk).update(created_at=made[0].created_at)  # a tie on the time
    want = [a.pk for a in sorted(Annotation.objects.all(), key=lambda a: (a.created_at, a.pk))]
    seen, url, offsets = [], api.get(CONTAINER).json()["first"]["next"], []
    seen += _item_ids(api.get(CONTAINER + "?page=0").json())
    while url:
        with CaptureQueriesContext(connection) as queries:
            page = api.get(url).json()
        offsets += [q["sql"] for q in queries if "OFFSET" in q["sql"]]
        seen += _item_ids(page)
        url = page.get("next")
    assert seen == want and offsets == []
    # back from the last page by prev links, and the bare last page read from the end
    last = api.get(CONTAINER).json()["last"]
    page = api.get(last).json()
    assert _item_ids(page) == want[9:]
    back = []
    while "prev" in page:
        page = api.get(page["prev"]).json()
        back = _item_ids(page) + back
    assert back == want[:9]


def test_prefer_minimal_iris_and_descriptions(api, section, annotator):
    a = AnnotationFactory(section=section, author=annotator)
    minimal = api.get(CONTAINER, headers={"Prefer": PREFER.format(protocol.PREFER_MINIMAL)})
    assert minimal.json()["first"] == "http://testserver/api/v1/w3c/annotations/?page=0"
    assert minimal["Preference-Applied"] == "return=representation"
    iris = api.get(CONTAINER, headers={"Prefer": PREFER.format(protocol.PREFER_IRIS)})
    assert iris.json()["id"].endswith("?iris=1")
    assert iris["Content-Location"].endswith("?iris=1")
    assert iris.json()["first"]["items"] == [f"http://testserver/api/v1/w3c/annotations/{a.pk}"]
    assert iris.json()["first"]["id"].endswith("?iris=1&page=0")
    page = api.get(CONTAINER + "?iris=1&page=0").json()
    assert page["items"] == [f"http://testserver/api/v1/w3c/annotations/{a.pk}"]
    descriptions = api.get(CONTAINER, headers={"Prefer": PREFER.format(protocol.PREFER_DESCRIPTIONS)})
    assert descriptions.json()["first"]["items"][0]["type"] == "Annotation"


def test_anonymous_readers_are_told_to_authenticate_not_given_an_empty_container(section, annotator):
    shared = AnnotationFactory(section=section, author=annotator, visibility="shared")
    for url in (CONTAINER, CONTAINER + "?page=0", f"{CONTAINER}{shared.pk}"):
        for method in ("get", "head"):
            response = getattr(Client(), method)(url)
            assert response.status_code == 401, (method, url)
            assert response["WWW-Authenticate"].startswith("Bearer"), url
        body = Client().get(url).json()
        # the native API's hint, word for word
        assert body == {"detail": SignedInAuth.HINT, "field": None}, url
        assert "Authorization: Bearer <token>" in body["detail"] and "/accounts/tokens/" in body["detail"]
    # OPTIONS stays open: it describes the container, not its annotations
    assert Client().options(CONTAINER).status_code == 200


def test_a_signed_in_session_reads_the_container(section, annotator):
    AnnotationFactory(section=section, author=annotator)
    client = Client()
    client.force_login(annotator)
    response = client.get(CONTAINER)
    assert response.status_code == 200 and response.json()["total"] == 1


@pytest.mark.parametrize(
    ("path", "query", "accepted"),
    [
        ("", "?pgae=1", "after, before, iris, page"),
        ("", "?page=0&zz=1&pgae=1", "after, before, iris, page"),
        ("{pk}", "?pgae=1", "none"),
    ],
)
def test_an_unknown_query_parameter_is_a_400_naming_it(api, section, annotator, path, query, accepted):
    made = AnnotationFactory(section=section, author=annotator)
    url = CONTAINER + path.format(pk=made.pk) + query
    for method in ("get", "head"):
        assert getattr(api, method)(url).status_code == 400, (method, url)
    body = api.get(url).json()
    unknown = sorted(name for name in ("pgae", "zz") if name in query)
    assert body["field"] == unknown[0]
    assert body["detail"] == (
        f"Unknown query parameter: {', '.join(unknown)}. This endpoint takes: {accepted}."
    )
    # unknown parameters are refused before credentials are asked for, as in the native API
    assert Client().get(url).status_code == 400


def test_known_query_parameters_still_work(api, section, annotator):
    AnnotationFactory(section=section, author=annotator)
    assert api.get(CONTAINER + "?iris=1&page=0").status_code == 200
    assert api.get(CONTAINER + "?iris=1").json()["id"].endswith("?iris=1")


def test_content_negotiation(api, section):
    assert api.get(CONTAINER, headers={"Accept": "application/json"})["Content-Type"] == "application/json"
    assert api.get(CONTAINER, headers={"Accept": "*/*"})["Content-Type"] == JSONLD_MEDIA_TYPE
    assert api.get(CONTAINER, headers={"Accept": "application/ld+json"})["Content-Type"] == JSONLD_MEDIA_TYPE
    prefer_json = "application/ld+json;q=0.5, application/json"
    assert api.get(CONTAINER, headers={"Accept": prefer_json})["Content-Type"] == "application/json"
    refused = api.get(CONTAINER, headers={"Accept": "text/turtle"})
    assert refused.status_code == 406
    assert set(refused.json()) == {"detail", "field"}
    other_profile = 'application/ld+json; profile="http://www.w3.org/ns/activitystreams"'
    assert api.get(CONTAINER, headers={"Accept": other_profile}).status_code == 406


def test_options_and_head(api, section, annotator):
    options = api.options(CONTAINER)
    assert options.status_code == 200 and options["Allow"] == "GET, HEAD, OPTIONS, POST"
    head = api.head(CONTAINER)
    assert head.status_code == 200 and head.content == b""
    assert api.patch(CONTAINER).status_code == 405


# Create ----------------------------------------------------------------------------------------


def test_post_creates_201_with_location_and_etag(api, section, codebook):
    doc = new_doc(
        section,
        bodies=[
            {"type": "TextualBody", "purpose": "tagging", "value": "Partial sanctions relief"},
            {
                "type": "SpecificResource",
                "purpose": "classifying",
                "source": "http://testserver/api/v1/tags/big-deal",
            },
            {"type": "SpecificResource", "purpose": "classifying", "source": "urn:marginalia:actor:dprk"},
            {"type": "TextualBody", "purpose": "commenting", "value": "Hanoi"},
        ],
    )
    response = post(api, doc)
    assert response.status_code == 201, response.content
    created = response.json()
    assert response["Location"] == created["id"]
    assert response["ETag"] and response["Content-Type"] == JSONLD_MEDIA_TYPE
    assert '<http://www.w3.org/ns/ldp#Resource>; rel="type"' in links(response)
    annotation = Annotation.objects.get(pk=int(created["id"].rsplit("/", 1)[1]))
    assert sorted(t.code for t in annotation.tags.all()) == ["big-deal", "sanctions-partial-relief"]
    assert annotation.actor == "dprk" and annotation.note == "Hanoi" and annotation.visibility == "private"
    assert annotation.quote == YONGBYON
    assert w3c_must_failures(created) == []
    assert api.get(response["Location"]).json() == created


def test_post_round_trips_our_own_json_ld(api, section, codebook):
    first = post(
        api, new_doc(section, bodies=[{"type": "TextualBody", "purpose": "tagging", "value": "big-deal"}])
    )
    again = dict(first.json())
    again.pop("id")
    second = post(api, again)
    assert second.status_code == 201
    for key in ("body", "target", "motivation"):
        assert second.json()[key] == first.json()[key]


def test_post_by_quote_only(api, section):
    doc = new_doc(section)
    doc["target"]["selector"] = {"type": "TextQuoteSelector", "exact": YONGBYON, "prefix": "작업으로 "}
    response = post(api, doc)
    assert response.status_code == 201
    assert response.json()["target"]["selector"][1]["start"] == TEXT.index(YONGBYON)


def test_post_refusals(api, section, annotator):
    assert post(Client(), new_doc(section)).status_code == 401
    assert post(bearer_client(annotator, scope="read"), new_doc(section)).status_code == 403
    bad_source = new_doc(section)
    bad_source["target"]["source"] = "http://example.org/elsewhere"
    assert post(api, bad_source).status_code == 422
    missing = new_doc(section)
    del missing["target"]
    assert post(api, missing).json()["field"] == "target"
    wrong_quote = new_doc(section)
    wrong_quote["target"]["selector"][0]["exact"] = "다른 글"
    assert post(api, wrong_quote).status_code == 409
    unknown_tag = new_doc(section, bodies=[{"type": "TextualBody", "purpose": "tagging", "value": "nope"}])
    assert post(api, unknown_tag).status_code == 422
    as_text = api.post(CONTAINER, json.dumps(new_doc(section)), content_type="text/plain")
    assert as_text.status_code == 415
    broken = api.post(CONTAINER, "{", content_type=JSONLD_MEDIA_TYPE)
    assert broken.status_code == 400
    listed = api.post(CONTAINER, "[]", content_type=JSONLD_MEDIA_TYPE)
    assert listed.status_code == 400


def test_session_post_needs_csrf(section, annotator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(annotator)
    assert post(client, new_doc(section)).status_code == 403
    client.get("/accounts/tokens/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    assert post(client, new_doc(section), **{"X-CSRFToken": token}).status_code == 201


# One annotation --------------------------------------------------------------------------------


def test_get_one_with_etag_and_conditional_get(api, section, annotator, annotator2):
    a = AnnotationFactory(section=section, author=annotator)
    url = f"{CONTAINER}{a.pk}"
    response = api.get(url)
    assert response.status_code == 200
    assert response["ETag"] and response["Allow"] == "GET, HEAD, OPTIONS, PUT, DELETE"
    assert "Accept" in response["Vary"]
    assert '<http://www.w3.org/ns/ldp#Resource>; rel="type"' in links(response)
    assert response.json()["id"] == f"http://testserver{url}"
    assert api.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304
    assert Client().get(url).status_code == 401  # anonymous: told to authenticate
    assert bearer_client(annotator2).get(url).status_code == 404  # someone else's private one
    assert api.get(f"{CONTAINER}999999").status_code == 404


def test_put_needs_a_current_if_match(api, section, annotator, codebook):
    a = AnnotationFactory(section=section, author=annotator, visibility="shared")
    url = f"{CONTAINER}{a.pk}"
    got = api.get(url)
    doc = got.json()
    doc["body"] = [
        {"type": "TextualBody", "purpose": "tagging", "value": "Partial sanctions relief"},
        {"type": "TextualBody", "purpose": "commenting", "value": "revised"},
    ]
    body = json.dumps(doc)
    missing = api.put(url, body, content_type=JSONLD_MEDIA_TYPE)
    assert missing.status_code == 428
    stale = api.put(url, body, content_type=JSONLD_MEDIA_TYPE, headers={"If-Match": '"stale"'})
    assert stale.status_code == 412
    ok = api.put(url, body, content_type=JSONLD_MEDIA_TYPE, headers={"If-Match": got["ETag"]})
    assert ok.status_code == 200, ok.content
    assert ok["ETag"] != got["ETag"]
    a.refresh_from_db()
    assert a.note == "revised" and [t.code for t in a.tags.all()] == ["sanctions-partial-relief"]
    assert a.visibility == "shared"  # not in the W3C model: kept
    again = api.put(url, body, content_type=JSONLD_MEDIA_TYPE, headers={"If-Match": got["ETag"]})
    assert again.status_code == 412


def test_put_cannot_move_the_target(api, section, annotator):
    from tests.factories import SectionFactory

    a = AnnotationFactory(section=section, author=annotator)
    other = SectionFactory(brief=section.brief, anchor="s9", text=TEXT)
    got = api.get(f"{CONTAINER}{a.pk}")
    doc = got.json()
    doc["target"]["source"] = f"http://testserver/briefs/{section.brief.slug}/#{other.anchor}"
    response = api.put(
        f"{CONTAINER}{a.pk}",
        json.dumps(doc),
        content_type=JSONLD_MEDIA_TYPE,
        headers={"If-Match": got["ETag"]},
    )
    assert response.status_code == 422 and response.json()["field"] == "target"


def test_delete_204_then_gone(api, section, annotator, annotator2):
    a = AnnotationFactory(section=section, author=annotator)
    url = f"{CONTAINER}{a.pk}"
    etag = api.get(url)["ETag"]
    assert api.delete(url).status_code == 428
    assert api.delete(url, headers={"If-Match": '"x"'}).status_code == 412
    response = api.delete(url, headers={"If-Match": etag})
    assert response.status_code == 204 and response.content == b""
    assert api.get(url).status_code == 410
    theirs = AnnotationFactory(section=section, author=annotator2, deleted_at=timezone.now())
    assert api.get(f"{CONTAINER}{theirs.pk}").status_code == 404  # never visible: not even gone


def test_others_may_not_change_my_annotation(section, annotator, annotator2):
    a = AnnotationFactory(section=section, author=annotator, visibility="shared")
    client = bearer_client(annotator2)
    url = f"{CONTAINER}{a.pk}"
    etag = client.get(url)["ETag"]
    assert client.delete(url, headers={"If-Match": etag}).status_code == 403


def test_container_pages_cost_the_same_queries_at_any_size(api, section, annotator, codebook, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(30):
        AnnotationFactory(section=section, author=annotator, start=i, tags=[codebook["big-deal"]][: i % 2])
    api.get(CONTAINER)  # the token's last-used stamp is written once a minute

    def count(size: int) -> int:
        monkeypatch.setattr(protocol, "PAGE_SIZE", size)
        with CaptureQueriesContext(connection) as ctx:
            page = api.get(CONTAINER + "?page=0").json()
        assert len(page["items"]) == size
        return len(ctx.captured_queries)

    assert count(1) == count(30)


def test_korean_slugs_and_anchors_round_trip(api, annotator):
    from tests.factories import BriefFactory, SectionFactory

    section = SectionFactory(brief=BriefFactory(slug="북미-정상회담"), anchor="양자의-입장차", text=TEXT)
    made = AnnotationFactory(
        section=section, author=annotator, start=TEXT.index(YONGBYON), length=len(YONGBYON)
    )
    doc = api.get(f"{CONTAINER}{made.pk}").json()
    source = doc["target"]["source"]
    assert source.isascii() and "#" in source  # an IRI sent as a percent-encoded URI
    assert w3c_must_failures(doc) == []
    doc.pop("id")
    created = post(api, doc)
    assert created.status_code == 201, created.content
    assert Annotation.objects.get(pk=int(created.json()["id"].rsplit("/", 1)[1])).section == section
