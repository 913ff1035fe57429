"""An annotation made private leaves other users' sync copies once, dated when it was made
private: its author's later private edits do not show in their feeds."""

from __future__ import annotations

import datetime as dt

import pytest

from annotations import services
from annotations.models import Annotation
from tests.api.conftest import TEXT, bearer_client
from tests.api.test_sync import Consumer

# Committed writes, as in production: the feed's own-transaction ordering plays no part.
pytestmark = pytest.mark.django_db(transaction=True)


def edit(annotation: Annotation, **fields) -> None:
    services.annotation_update(user=annotation.author, annotation=annotation, **fields)


def test_private_edits_after_unsharing_do_not_reach_other_users(section, annotator, annotator2):
    theirs = services.annotation_create(
        user=annotator2, section=section, start=0, end=2, quote=TEXT[:2], visibility="shared"
    )
    consumer = Consumer(bearer_client(annotator))
    consumer.drain()
    assert set(consumer.copy) == {theirs.pk}

    edit(theirs, visibility="private")
    theirs.refresh_from_db()
    assert theirs.unshared_at == theirs.updated_at and theirs.unshared_seq == theirs.change_seq
    first = consumer.client.get(consumer.next).json()
    assert [(item["id"], item["deleted"]) for item in first["items"]] == [(theirs.pk, True)]
    stub = first["items"][0]
    after_stub = first["next"]

    author = Consumer(bearer_client(annotator2))
    author.drain()
    for note in ("one", "two", "three"):
        edit(theirs, note=note)
    theirs.refresh_from_db()
    assert theirs.updated_at > theirs.unshared_at

    later = consumer.client.get(after_stub).json()
    assert later["items"] == [], later
    # A consumer syncing from scratch gets the same stub, dated when it was made private.
    fresh = Consumer(bearer_client(annotator))
    fresh.next += "&limit=500"
    body = fresh.client.get(fresh.next).json()
    assert [item for item in body["items"] if item["id"] == theirs.pk] == [stub]
    # Its author still sees every edit.
    author.drain()
    assert author.copy[theirs.pk]["note"] == "three"


def test_shared_again_then_private_again_is_announced_again(section, annotator, annotator2):
    theirs = services.annotation_create(
        user=annotator2, section=section, start=0, end=2, quote=TEXT[:2], visibility="shared"
    )
    consumer = Consumer(bearer_client(annotator))
    consumer.drain()
    edit(theirs, visibility="private")
    consumer.drain()
    assert consumer.copy == {}
    edit(theirs, visibility="shared", note="back")
    consumer.drain()
    assert consumer.copy[theirs.pk]["note"] == "back"
    edit(theirs, visibility="private")
    theirs.refresh_from_db()
    body = consumer.client.get(consumer.next).json()
    assert [(item["id"], item["deleted"]) for item in body["items"]] == [(theirs.pk, True)]
    assert dt.datetime.fromisoformat(body["items"][0]["updated"]) == theirs.unshared_at


def test_deleting_it_after_unsharing_is_no_news_to_others(section, annotator, annotator2):
    theirs = services.annotation_create(
        user=annotator2, section=section, start=0, end=2, quote=TEXT[:2], visibility="shared"
    )
    consumer = Consumer(bearer_client(annotator))
    consumer.drain()
    edit(theirs, visibility="private")
    consumer.drain()
    before = consumer.deliveries
    services.annotation_delete(user=annotator2, annotation=theirs)
    consumer.drain()
    assert consumer.deliveries == before
