"""A deleted brief's annotations reach sync consumers as tombstones (native and W3C), by the
same visibility rule as any deletion, through every ordering and the brief/section filters."""

from __future__ import annotations

import pytest
from django.test import Client

from annotations.feed import AnnotationFilters, annotation_feed, annotation_prefetch
from annotations.models import Annotation
from annotations.w3c import annotation_id, annotation_jsonld, tombstone_jsonld
from briefs.services import brief_delete
from tests.api.conftest import TEXT, bearer_client
from tests.api.helpers import w3c_must_failures
from tests.api.test_sync import Consumer
from tests.factories import AnnotationFactory, BriefFactory, SectionFactory

pytestmark = pytest.mark.django_db
BASE = "https://marginalia.example.org"
FEED = "/api/v1/annotations?ordering=updated&include_deleted=true"


@pytest.fixture
def made(section, annotator, annotator2):
    """The annotator's private and shared annotations, annotator2's shared, private, and
    once-shared-now-private ones, all on the brief about to be deleted."""
    return {
        "mine": AnnotationFactory(section=section, author=annotator, start=0, length=2),
        "mine_shared": AnnotationFactory(
            section=section, author=annotator, start=2, length=2, visibility="shared"
        ),
        "theirs_shared": AnnotationFactory(
            section=section, author=annotator2, start=4, length=2, visibility="shared"
        ),
        "theirs_private": AnnotationFactory(section=section, author=annotator2, start=6, length=2),
        "theirs_once_shared": AnnotationFactory(
            section=section, author=annotator2, start=8, length=2, visibility="private", ever_shared=True
        ),
    }


def stubs(client: Client, url: str) -> dict[int, bool]:
    found: dict[int, bool] = {}
    while url:
        body = client.get(url).json()
        found.update({item["id"]: item["deleted"] for item in body["items"]})
        url = body["next"] if body["has_more"] else None
    return found


def test_a_consumers_copy_learns_every_annotation_of_the_deleted_brief_is_gone(api, made, brief, editor):
    consumer = Consumer(api)
    consumer.drain()
    assert set(consumer.copy) == {made["mine"].pk, made["mine_shared"].pk, made["theirs_shared"].pk}
    brief_delete(user=editor, brief=brief, with_annotations=True)
    body = api.get(consumer.next).json()
    assert {item["id"] for item in body["items"]} == {
        made["mine"].pk,
        made["mine_shared"].pk,
        made["theirs_shared"].pk,
        made["theirs_once_shared"].pk,  # shared once: other users' copies must drop it
    }
    assert all(set(item) == {"id", "deleted", "updated"} and item["deleted"] for item in body["items"])
    consumer.drain()
    assert consumer.copy == {}


def test_a_private_annotation_becomes_a_tombstone_only_in_its_authors_feed(
    api, made, brief, editor, annotator2
):
    brief_delete(user=editor, brief=brief, with_annotations=True)
    assert made["theirs_private"].pk not in stubs(api, FEED)
    assert made["theirs_private"].pk not in stubs(bearer_client(editor), FEED)
    authors = stubs(bearer_client(annotator2), FEED)
    theirs = {made[k].pk for k in ("theirs_private", "theirs_shared", "theirs_once_shared")}
    assert theirs <= set(authors)
    assert all(authors.values())


@pytest.mark.parametrize(
    ("query", "other_stays"),
    [
        ("&brief=kinu-co-19-05", False),
        ("&section={section}", False),
        ("&brief=kinu-co-19-05&section={section}", False),
        ("&published_since=2019", True),
        ("&author=annotator", True),
    ],
)
def test_filtered_feeds_still_hand_out_the_tombstones(api, made, brief, section, editor, query, other_stays):
    query = query.format(section=section.pk)
    other_brief = AnnotationFactory(
        section=SectionFactory(brief=BriefFactory(slug="other", publication_year=2020)),
        author=made["mine"].author,
    )
    consumer = Consumer(api, query=query)
    consumer.drain()
    assert made["mine"].pk in consumer.copy
    brief_delete(user=editor, brief=brief, with_annotations=True)
    consumer.drain()
    assert set(consumer.copy) == ({other_brief.pk} if other_stays else set())


def test_another_briefs_consumer_hears_nothing_of_it(api, made, brief, editor):
    AnnotationFactory(section=SectionFactory(brief=BriefFactory(slug="other")), author=made["mine"].author)
    consumer = Consumer(api, query="&brief=other")
    consumer.drain()
    brief_delete(user=editor, brief=brief, with_annotations=True)
    assert api.get(consumer.next).json()["items"] == []


@pytest.mark.parametrize("ordering", ["position", "created", "-created", "updated", "-updated"])
def test_every_ordering_pages_through_detached_tombstones(api, made, brief, editor, ordering):
    AnnotationFactory(section=SectionFactory(brief=BriefFactory()), author=made["mine"].author)
    brief_delete(user=editor, brief=brief, with_annotations=True)
    url = f"/api/v1/annotations?ordering={ordering}&include_deleted=true&limit=1"
    seen = []
    for _ in range(20):
        response = api.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [item["id"] for item in body["items"]]
        if not body["has_more"]:
            break
        url = body["next"]
    expected = {made[k].pk for k in ("mine", "mine_shared", "theirs_shared", "theirs_once_shared")}
    assert expected <= set(seen)
    assert len(seen) == len(set(seen)) == 5
    # without include_deleted they are simply gone
    items = api.get(f"/api/v1/annotations?ordering={ordering}").json()["items"]
    assert not expected & {item["id"] for item in items}


def test_the_w3c_presenter_shows_a_detached_tombstone(made, brief, editor):
    brief_delete(user=editor, brief=brief, with_annotations=True)
    detached = annotation_prefetch(Annotation.objects.filter(pk=made["theirs_shared"].pk)).get()
    assert detached.section is None
    doc = annotation_jsonld(detached, base_url=BASE)
    assert doc == tombstone_jsonld(detached, base_url=BASE)
    assert doc["type"] == "as:Tombstone"
    assert doc["id"] == annotation_id(detached, base_url=BASE)
    assert w3c_must_failures(doc, kind="annotation") != []  # not an Annotation any more


def test_the_w3c_protocol_answers_gone_and_leaves_it_out_of_the_container(api, made, brief, editor):
    brief_delete(user=editor, brief=brief, with_annotations=True)
    assert api.get(f"/api/v1/w3c/annotations/{made['mine'].pk}").status_code == 410
    assert api.get(f"/api/v1/w3c/annotations/{made['theirs_private'].pk}").status_code == 404
    container = api.get("/api/v1/w3c/annotations/").json()
    assert container["total"] == 0


def test_the_feed_function_marks_them_gone(made, brief, editor, annotator):
    brief_delete(user=editor, brief=brief, with_annotations=True)
    page = annotation_feed(
        user=annotator,
        filters=AnnotationFilters(brief="kinu-co-19-05"),
        ordering="updated",
        include_deleted=True,
    )
    assert page.items and all(item.gone and item.section_id is None for item in page.items)


def test_the_reader_browse_search_and_export_pages_ignore_them(client, made, brief, editor, annotator):
    SectionFactory(brief=BriefFactory(slug="kept"), text=TEXT)
    brief_delete(user=editor, brief=brief, with_annotations=True)
    client.force_login(annotator)
    for url in (
        "/",
        "/briefs/kept/",
        "/annotations/browse/",
        "/search/?q=%EB%B6%81%ED%95%9C",
        "/api/v1/search/annotations?q=%EB%B6%81%ED%95%9C",
        f"/annotations/{made['mine'].pk}/",
    ):
        assert client.get(url).status_code in (200, 404), url
    assert client.get("/briefs/kinu-co-19-05/").status_code == 404
