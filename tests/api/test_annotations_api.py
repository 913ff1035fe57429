"""The native annotation endpoints: create, read, update, delete, filters, paging, speed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from annotations.models import Annotation
from tests.api.conftest import TEXT, YONGBYON, bearer_client
from tests.api.helpers import span
from tests.factories import AnnotationFactory, BriefFactory, SectionFactory

pytestmark = pytest.mark.django_db


def create(client: Client, section, quote: str = YONGBYON, **fields):
    payload = {"section": section.pk, **span(section.text, quote), **fields}
    return client.post("/api/v1/annotations", payload, content_type="application/json")


# Writes ----------------------------------------------------------------------------------------


def test_create_returns_201_location_and_etag(api, section, codebook):
    response = create(api, section, tags=["sanctions-partial-relief"], note="Hanoi", visibility="shared")
    assert response.status_code == 201
    body = response.json()
    annotation = Annotation.objects.get(pk=body["id"])
    assert response["Location"] == f"http://testserver/api/v1/annotations/{annotation.pk}"
    assert response["ETag"].startswith('"')
    assert body["tags"] == ["sanctions-partial-relief"]
    assert body["quote"] == YONGBYON and body["brief"] == "kinu-co-19-05" and body["section"] == section.pk
    assert body["author"] == "annotator" and body["visibility"] == "shared" and body["deleted"] is False
    assert annotation.prefix and annotation.suffix  # the service computed the quote context


def test_create_maps_service_refusals_to_4xx(api, section, codebook):
    mismatch = create(api, section, quote=YONGBYON)
    assert mismatch.status_code == 201
    payload = {"section": section.pk, "start": 0, "end": 3, "quote": "다른말"}
    response = api.post("/api/v1/annotations", payload, content_type="application/json")
    assert response.status_code == 409
    assert "no longer matches" in response.json()["detail"]

    out_of_range = {"section": section.pk, "start": 0, "end": len(TEXT) + 5, "quote": "x" * (len(TEXT) + 5)}
    response = api.post("/api/v1/annotations", out_of_range, content_type="application/json")
    assert response.status_code == 422 and "out of range" in response.json()["detail"]

    response = create(api, section, tags=["no-such-tag"])
    assert response.status_code == 422
    assert response.json() == {"detail": "Unknown tag code(s): no-such-tag.", "field": "tags"}

    payload = {"section": 999999, "start": 0, "end": 2, "quote": "이번"}
    response = api.post("/api/v1/annotations", payload, content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "section"


def test_schema_violations_are_422_with_the_field(api, section):
    response = api.post(
        "/api/v1/annotations",
        {"section": section.pk, "start": -1, "end": 2, "quote": "이번"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "start"
    response = create(api, section, visibility="public")
    assert response.status_code == 422 and response.json()["field"] == "visibility"


@pytest.mark.parametrize("body", ["[null, null]", "[]", "1", '"x"', "null"])
def test_bodies_must_be_objects(api, section, annotator, body):
    mine = AnnotationFactory(section=section, author=annotator)
    for method in (api.post, api.put, api.patch):
        url = "/api/v1/annotations" if method == api.post else f"/api/v1/annotations/{mine.pk}"
        response = method(url, body, content_type="application/json")
        assert response.status_code == 422
        assert response.json()["detail"] == "The request body must be a JSON object."


def test_malformed_json_is_400(api):
    response = api.post("/api/v1/annotations", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "field"}


def test_analyst_may_not_share(section):
    from tests.factories import role_user

    client = bearer_client(role_user("analyst", username="analyst"))
    assert create(client, section, visibility="shared").status_code == 403
    assert create(client, section, visibility="private").status_code == 201


def test_get_put_patch_delete_with_etags(api, section, codebook):
    created = create(api, section, tags=["big-deal"]).json()
    url = f"/api/v1/annotations/{created['id']}"
    got = api.get(url)
    assert got.status_code == 200 and got.json() == created
    etag = got["ETag"]

    put = {"tags": ["sanctions-partial-relief"], "actor": "dprk", "note": "new", "visibility": "shared"}
    replaced = api.put(url, put, content_type="application/json", headers={"If-Match": etag})
    assert replaced.status_code == 200
    assert replaced.json()["tags"] == ["sanctions-partial-relief"] and replaced.json()["actor"] == "dprk"
    assert replaced["ETag"] != etag

    stale = api.put(url, put, content_type="application/json", headers={"If-Match": etag})
    assert stale.status_code == 412
    assert "changed since you read it" in stale.json()["detail"]

    patched = api.patch(url, {"note": "only the note"}, content_type="application/json")
    assert patched.status_code == 200
    assert patched.json()["note"] == "only the note"
    assert patched.json()["tags"] == ["sanctions-partial-relief"] and patched.json()["visibility"] == "shared"

    assert api.delete(url, headers={"If-Match": etag}).status_code == 412
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert Annotation.objects.get(pk=created["id"]).deleted_at is not None


def test_others_private_annotations_are_404_and_shared_ones_403(api, section, annotator2):
    private = AnnotationFactory(section=section, author=annotator2)
    shared = AnnotationFactory(section=section, author=annotator2, visibility="shared")
    assert api.get(f"/api/v1/annotations/{private.pk}").status_code == 404
    assert api.delete(f"/api/v1/annotations/{private.pk}").status_code == 404
    assert api.get(f"/api/v1/annotations/{shared.pk}").status_code == 200
    response = api.patch(f"/api/v1/annotations/{shared.pk}", {"note": "x"}, content_type="application/json")
    assert response.status_code == 403


def test_editor_moderates_shared_annotations(section, annotator, editor):
    shared = AnnotationFactory(section=section, author=annotator, visibility="shared")
    client = bearer_client(editor)
    response = client.patch(
        f"/api/v1/annotations/{shared.pk}", {"note": "fixed"}, content_type="application/json"
    )
    assert response.status_code == 200
    # but only the author may change who sees it
    response = client.patch(
        f"/api/v1/annotations/{shared.pk}", {"visibility": "private"}, content_type="application/json"
    )
    assert response.status_code == 403


# Filters ---------------------------------------------------------------------------------------


@pytest.fixture
def corpus(section, annotator, annotator2, codebook):
    old_brief = BriefFactory(slug="old", publication_year=2017)
    dated = BriefFactory(slug="dated", publication_year=None, publication_date=dt.date(2019, 6, 1))
    return {
        "mine": AnnotationFactory(section=section, author=annotator, start=0, length=2, note="Hanoi talks"),
        "relief": AnnotationFactory(
            section=section,
            author=annotator2,
            start=3,
            length=3,
            visibility="shared",
            actor="dprk",
            tags=[codebook["sanctions-partial-relief"]],
        ),
        "both": AnnotationFactory(
            section=section,
            author=annotator,
            start=8,
            length=2,
            visibility="shared",
            actor="us",
            tags=[codebook["sanctions-partial-relief"], codebook["big-deal"]],
        ),
        "old": AnnotationFactory(
            section=SectionFactory(brief=old_brief),
            author=annotator,
            visibility="shared",
            tags=[codebook["sanctions-partial-relief"]],
        ),
        "dated": AnnotationFactory(
            section=SectionFactory(brief=dated), author=annotator, visibility="shared"
        ),
        "hidden": AnnotationFactory(section=section, author=annotator2, start=1, length=2),
        "deleted": AnnotationFactory(
            section=section, author=annotator, visibility="shared", deleted_at=timezone.now()
        ),
    }


def ids(client: Client, query: str = "") -> set[int]:
    response = client.get(f"/api/v1/annotations?limit=500&{query}")
    assert response.status_code == 200, response.json()
    return {item["id"] for item in response.json()["items"]}


def test_filters(api, corpus, section):
    c = {name: a.pk for name, a in corpus.items()}
    visible = {c["mine"], c["relief"], c["both"], c["old"], c["dated"]}
    assert ids(api) == visible
    assert ids(api, "brief=kinu-co-19-05") == {c["mine"], c["relief"], c["both"]}
    assert ids(api, f"section={section.pk}") == {c["mine"], c["relief"], c["both"]}
    assert ids(api, "tag=sanctions-partial-relief") == {c["relief"], c["both"], c["old"]}
    assert ids(api, "tag=sanctions-partial-relief&tag=big-deal") == {c["relief"], c["both"], c["old"]}
    assert ids(api, "tag=sanctions-partial-relief&tag=big-deal&tag_mode=all") == {c["both"]}
    assert ids(api, "actor=dprk") == {c["relief"]}
    assert ids(api, "author=annotator2") == {c["relief"]}
    assert ids(api, "visibility=private") == {c["mine"]}
    assert ids(api, "q=hanoi") == {c["mine"]}
    assert ids(api, "q=" + TEXT[3:6]) == {c["relief"]}
    assert ids(api, "published_since=2019") == visible - {c["old"]}
    assert ids(api, "published_since=2019-07-01") == visible - {c["old"], c["dated"]}
    assert ids(api, "tag=sanctions-partial-relief&published_since=2019") == {c["relief"], c["both"]}


def test_time_filters(api, corpus):
    c = {name: a.pk for name, a in corpus.items()}
    past = timezone.now() - dt.timedelta(days=3)
    Annotation.objects.filter(pk=c["mine"]).update(created_at=past, updated_at=past)
    cut = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert ids(api, f"created_before={cut.replace('+', '%2B')}") == {c["mine"]}
    assert c["mine"] not in ids(api, f"created_after={cut.replace('+', '%2B')}")
    assert ids(api, f"updated_before={cut.replace('+', '%2B')}") == {c["mine"]}
    assert c["mine"] not in ids(api, f"updated_after={cut.replace('+', '%2B')}")
    naive = (timezone.localtime() - dt.timedelta(days=1)).replace(tzinfo=None).isoformat()
    for unclear in (naive, "2024-01-01", "1700000000", "0.5"):
        response = api.get(f"/api/v1/annotations?updated_before={unclear}")
        assert response.status_code == 422 and response.json()["field"] == "updated_before"


def test_anonymous_callers_are_told_to_authenticate_not_given_an_empty_list(corpus):
    for url in ("/api/v1/annotations", f"/api/v1/annotations/{corpus['relief'].pk}"):
        response = Client().get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "/accounts/tokens/" in response.json()["detail"]
        assert "Authorization: Bearer" in response.json()["detail"]


def test_bad_filter_values(api, corpus):
    assert api.get("/api/v1/annotations?published_since=2019-02-30").status_code == 422
    assert api.get("/api/v1/annotations?published_since=19").json()["field"] == "published_since"
    assert api.get("/api/v1/annotations?limit=0").status_code == 422
    assert api.get("/api/v1/annotations?limit=501").status_code == 422
    assert api.get("/api/v1/annotations?ordering=sideways").status_code == 422
    assert api.get("/api/v1/annotations?actor=martians").status_code == 422


# Paging ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("ordering", ["position", "created", "-created", "updated", "-updated"])
def test_cursor_pages_cover_everything_once(api, section, annotator, ordering):
    made = [AnnotationFactory(section=section, author=annotator, start=i % 20, length=2) for i in range(23)]
    # ties on the sort key must still page cleanly: give several rows the same stamps
    same = timezone.now()
    Annotation.objects.filter(pk__in=[a.pk for a in made[:6]]).update(created_at=same, updated_at=same)
    seen: list[int] = []
    url = f"/api/v1/annotations?ordering={ordering}&limit=5"
    while url:
        body = api.get(url).json()
        seen += [item["id"] for item in body["items"]]
        url = body["next"] if body["has_more"] else None
    assert sorted(seen) == sorted(a.pk for a in made)
    assert len(seen) == len(set(seen))


def test_position_ordering_is_reading_order(api, section, annotator):
    later = SectionFactory(brief=section.brief, position=section.position + 1, anchor="s3")
    b = AnnotationFactory(section=later, author=annotator, start=0)
    a2 = AnnotationFactory(section=section, author=annotator, start=9)
    a1 = AnnotationFactory(section=section, author=annotator, start=1)
    items = api.get("/api/v1/annotations?ordering=position").json()["items"]
    assert [i["id"] for i in items] == [a1.pk, a2.pk, b.pk]


def test_next_is_null_at_the_end_except_for_the_feed(api, section, annotator):
    AnnotationFactory(section=section, author=annotator)
    assert api.get("/api/v1/annotations").json()["next"] is None
    feed = api.get("/api/v1/annotations?ordering=updated").json()
    assert feed["next"] and feed["has_more"] is False


def test_bad_cursors_are_400(api, section, annotator):
    AnnotationFactory.create_batch(3, section=section, author=annotator)
    body = api.get("/api/v1/annotations?ordering=created&limit=1").json()
    cursor = body["next"].split("cursor=")[1]
    other = api.get(f"/api/v1/annotations?ordering=updated&cursor={cursor}")
    assert other.status_code == 400 and other.json()["field"] == "cursor"
    for junk in ["!!!", "e30", "WyJjcmVhdGVkIl0", "WyJjcmVhdGVkIiwibm90IGEgZGF0ZSIsMV0"]:
        response = api.get(f"/api/v1/annotations?ordering=created&cursor={junk}")
        assert response.status_code == 400, junk


# Speed -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("ordering", ["position", "updated"])
def test_list_queries_do_not_grow_with_the_page(
    api, section, annotator, codebook, ordering, django_assert_num_queries
):
    tags = [codebook["big-deal"], codebook["sanctions-partial-relief"]]
    for i in range(210):
        AnnotationFactory(section=section, author=annotator, start=i % 30, length=2, tags=tags[: i % 3])
    api.get("/api/v1/annotations?limit=1")  # token's last-used stamp written once a minute

    def count(limit: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = api.get(f"/api/v1/annotations?limit={limit}&ordering={ordering}&include_deleted=true")
        assert len(response.json()["items"]) == limit
        return len(ctx.captured_queries)

    small = count(1)
    with django_assert_num_queries(small):
        api.get(f"/api/v1/annotations?limit=200&ordering={ordering}&include_deleted=true")
    assert count(200) == small
    # token lookup with its rate-limit count (one statement), (the feed's horizon: snapshot,
    # backends), the page with its brief and author joined in, then its tag codes
    assert small == (5 if ordering == "updated" else 3)


@pytest.mark.parametrize("ordering", ["position", "updated"])
def test_a_listing_answers_exactly_what_its_schema_would(api, section, annotator, codebook, ordering):
    """The listing sends its own JSON (no second validation): it must be what ninja's
    validation of the same data through AnnotationPageOut would have sent, byte for value."""
    from annotations.feed import annotation_prefetch
    from annotations.schemas import AnnotationPageOut, annotation_native, tombstone_native

    tags = [codebook["sanctions-partial-relief"], codebook["big-deal"]]
    for i in range(6):
        AnnotationFactory(
            section=section, author=annotator, start=i, length=3, tags=tags[: i % 3], note=f"메모 {i}"
        )
    gone = AnnotationFactory(section=section, author=annotator, visibility="shared")
    gone.deleted_at = timezone.now()
    gone.save()
    body = api.get(f"/api/v1/annotations?ordering={ordering}&include_deleted=true&limit=50").json()
    ids = [item["id"] for item in body["items"]]
    by_id = {a.pk: a for a in annotation_prefetch(Annotation.objects.filter(pk__in=ids))}
    expected_items = [
        tombstone_native(by_id[pk]) if by_id[pk].deleted_at else annotation_native(by_id[pk]) for pk in ids
    ]
    if ordering == "updated":  # a tombstone's "updated" is when it left, as the feed says
        expected_items = [
            {**want, "updated": got["updated"]} if want["deleted"] else want
            for want, got in zip(expected_items, body["items"], strict=True)
        ]
    expected = AnnotationPageOut.model_validate(
        {"items": expected_items, "next": body["next"], "has_more": body["has_more"]}
    ).model_dump(mode="json")
    assert body == expected
    assert [t for item in body["items"] if not item["deleted"] for t in item["tags"]]  # tags came through


def test_a_create_costs_a_fixed_handful_of_statements(api, section, codebook):
    """One POST, statement by statement (the test's own transaction makes the request's
    blocks savepoints: those are left out, as they are BEGIN/COMMIT in production)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    create(api, section, tags=["big-deal"], note="warm")  # token's last-used stamp written once
    tags = ["sanctions-partial-relief", "big-deal"]
    with CaptureQueriesContext(connection) as ctx:
        response = create(api, section, tags=tags, note="Hanoi", visibility="shared")
    assert response.status_code == 201 and sorted(response.json()["tags"]) == sorted(tags)
    # (the English stems of the note's words are looked up only when not cached in-process)
    statements = [
        q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"] and "ts_lexize" not in q["sql"]
    ]
    # token with its rate count and the user's permissions (one statement), section with its
    # brief, tags with their categories, the INSERT, the tag links, the search document
    # (its upsert: indexed from what was written, not read back, was 3 statements); the
    # answer is presented from what was written
    assert len(statements) == 6, "\n".join(s[:120] for s in statements)
    assert not any(s.startswith("SELECT") and "auth_permission" in s for s in statements)
    saved = Annotation.objects.get(pk=response.json()["id"])
    assert sorted(saved.tags.values_list("code", flat=True)) == sorted(tags)
    # and it is what a read of it answers, tag order and ETag included
    again = api.get(f"/api/v1/annotations/{saved.pk}")
    assert again.json() == response.json() and again["ETag"] == response["ETag"]


# Statements per write ---------------------------------------------------------------------------


def _statements(run) -> tuple[list[str], object]:
    """The statements a request runs, without the savepoints the test's transaction makes of
    its blocks (BEGIN/COMMIT in production) or the process's English stem lookups."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        answer = run()
    sql = [
        q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"] and "ts_lexize" not in q["sql"]
    ]
    return sql, answer


def test_an_edit_and_a_delete_cost_a_fixed_few_statements(api, section, codebook):
    """Edit: token, the visible row (author, section, brief joined), the row locked with its
    tag ids, the kept tags, UPDATE, the search document: 6 (was 16: the tags read twice, the
    document's row read back, the answer's row read back with three prefetches). Delete:
    token, the visible row, locked, UPDATE, the document dropped: 5 (was 10)."""
    made = create(api, section, tags=["big-deal", "sanctions-partial-relief"], note="메모")
    pk, etag = made.json()["id"], made["ETag"]
    url = f"/api/v1/annotations/{pk}"
    headers = {"If-Match": etag}

    sql, edited = _statements(
        lambda: api.patch(url, {"note": "고친 메모"}, "application/json", headers=headers)
    )
    assert edited.status_code == 200 and len(sql) == 6, "\n".join(s[:120] for s in sql)
    assert edited.json()["tags"] == ["big-deal", "sanctions-partial-relief"]  # kept, codebook order
    # The answer is what was written: the same as reading it back, ETag included.
    again = api.get(url)
    assert again.json() == edited.json() and again["ETag"] == edited["ETag"]

    new_tags = ["sanctions-partial-relief", "yongbyon-dismantlement"]
    # + the new tags looked up, the link that goes, the one that comes; no kept tags to read
    sql, retagged = _statements(lambda: api.patch(url, {"tags": new_tags}, "application/json"))
    assert retagged.status_code == 200 and len(sql) == 8, "\n".join(s[:120] for s in sql)
    assert sorted(retagged.json()["tags"]) == sorted(new_tags)
    assert sorted(Annotation.objects.get(pk=pk).tags.values_list("code", flat=True)) == sorted(new_tags)
    assert api.get(url).json() == retagged.json()

    headers = {"If-Match": retagged["ETag"]}
    sql, deleted = _statements(lambda: api.delete(url, headers=headers))
    assert deleted.status_code == 204 and len(sql) == 5, "\n".join(s[:120] for s in sql)
    assert api.get(url).status_code == 404


def test_the_search_index_follows_each_write_without_reading_it_back(api, section, codebook):
    from search.models import AnnotationDocument

    made = create(api, section, tags=["big-deal"], note="")
    pk = made.json()["id"]
    document = AnnotationDocument.objects.get(annotation_id=pk)
    assert "빅딜" in document.vector  # the tag's label, from the tags the service wrote
    retag = {"tags": ["yongbyon-dismantlement"], "note": "플루토늄"}
    api.patch(f"/api/v1/annotations/{pk}", retag, content_type="application/json")
    document = AnnotationDocument.objects.get(annotation_id=pk)
    assert "빅딜" not in document.vector and "플루토늄" in document.vector
    api.patch(f"/api/v1/annotations/{pk}", {"note": "원자로"}, content_type="application/json")
    assert "영변" in AnnotationDocument.objects.get(annotation_id=pk).vector  # the kept tag's label
    api.delete(f"/api/v1/annotations/{pk}")
    assert not AnnotationDocument.objects.filter(annotation_id=pk).exists()


def test_permissions_read_with_the_token_are_those_of_this_request(api, annotator, section, codebook):
    assert create(api, section).status_code == 201
    annotator.groups.clear()  # the role taken away: the very next request knows it
    assert create(api, section).status_code == 403
