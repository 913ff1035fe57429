"""Incremental sync: the change feed (ordering=updated) with stubs for what left the results."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from annotations import services
from annotations.models import Annotation
from tests.api.conftest import TEXT, YONGBYON, bearer_client
from tests.factories import AnnotationFactory, BriefFactory, SectionFactory

FEED = "/api/v1/annotations?ordering=updated&include_deleted=true&limit={limit}"


class Consumer:
    """A notebook's copy: upsert items by id, drop stubs; keep the last `next`."""

    def __init__(self, client: Client, query: str = "", limit: int = 7) -> None:
        self.client = client
        self.next = FEED.format(limit=limit) + query
        self.copy: dict[int, dict] = {}
        self.deliveries = 0

    def poll(self) -> bool:
        """Fetch one page; return whether more are waiting."""
        response = self.client.get(self.next)
        assert response.status_code == 200, response.content
        body = response.json()
        for item in body["items"]:
            self.deliveries += 1
            if item["deleted"]:
                self.copy.pop(item["id"], None)
            else:
                self.copy[item["id"]] = item
        self.next = body["next"]
        return body["has_more"]

    def drain(self) -> None:
        while self.poll():
            pass


def truth(client: Client, query: str = "") -> dict[int, dict]:
    """What the API lists now (reading order, all pages)."""
    found: dict[int, dict] = {}
    url = "/api/v1/annotations?limit=500" + query
    while url:
        body = client.get(url).json()
        found.update({item["id"]: item for item in body["items"]})
        url = body["next"]
    return found


# Single-threaded behaviour ---------------------------------------------------------------------


@pytest.mark.django_db
def test_deletions_arrive_as_stubs(api, section, annotator, annotator2):
    mine = AnnotationFactory(section=section, author=annotator)
    theirs = AnnotationFactory(section=section, author=annotator2, visibility="shared")
    secret = AnnotationFactory(section=section, author=annotator2)
    consumer = Consumer(api)
    consumer.drain()
    assert set(consumer.copy) == {mine.pk, theirs.pk}

    services.annotation_delete(user=annotator2, annotation=theirs)
    services.annotation_delete(user=annotator2, annotation=secret)
    body = api.get(consumer.next).json()
    stub = {"id": theirs.pk, "deleted": True, "updated": body["items"][0]["updated"]}
    # someone else's private annotation was never visible: no stub for it either
    assert body["items"] == [stub]


@pytest.mark.django_db
def test_edits_out_of_the_filters_arrive_as_stubs(api, section, annotator, codebook):
    relief = codebook["sanctions-partial-relief"]
    kept = AnnotationFactory(section=section, author=annotator, tags=[relief])
    untagged_later = AnnotationFactory(section=section, author=annotator, tags=[relief])
    consumer = Consumer(api, query="&tag=sanctions-partial-relief&published_since=2019")
    consumer.drain()
    assert set(consumer.copy) == {kept.pk, untagged_later.pk}

    services.annotation_update(
        user=annotator, annotation=untagged_later, tags=[], actor="us", note="", visibility="private"
    )
    new = services.annotation_create(
        user=annotator, section=section, start=0, end=2, quote=TEXT[:2], tags=[relief]
    )
    consumer.drain()
    assert set(consumer.copy) == {kept.pk, new.pk}


@pytest.mark.django_db
def test_without_include_deleted_only_current_matches_come(api, section, annotator):
    gone = AnnotationFactory(section=section, author=annotator, deleted_at=timezone.now())
    alive = AnnotationFactory(section=section, author=annotator)
    items = api.get("/api/v1/annotations?ordering=updated").json()["items"]
    assert [i["id"] for i in items] == [alive.pk]
    with_stubs = api.get("/api/v1/annotations?ordering=updated&include_deleted=true").json()["items"]
    assert {i["id"]: i["deleted"] for i in with_stubs} == {gone.pk: True, alive.pk: False}


@pytest.mark.django_db
def test_fixed_filters_bound_the_stream(api, section, annotator):
    """Another brief's changes do not reach a consumer of one brief, not even as stubs."""
    other = AnnotationFactory(section=SectionFactory(brief=BriefFactory()), author=annotator)
    here = AnnotationFactory(section=section, author=annotator)
    consumer = Consumer(api, query="&brief=kinu-co-19-05")
    consumer.drain()
    services.annotation_delete(user=annotator, annotation=other)
    body = api.get(consumer.next).json()
    assert body["items"] == []
    assert set(consumer.copy) == {here.pk}


@pytest.mark.django_db
def test_an_idle_feed_keeps_its_place(api, section, annotator):
    AnnotationFactory(section=section, author=annotator)
    consumer = Consumer(api)
    consumer.drain()
    before = consumer.deliveries
    for _ in range(3):
        assert consumer.poll() is False
    assert consumer.deliveries == before


# Every write path moves a row up the feed --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_writes_that_bypass_the_services_still_reach_the_feed(section, annotator):
    """The trigger stamps change_seq on QuerySet.update(), bulk_create() and raw SQL alike."""
    edited, by_sql = AnnotationFactory.create_batch(2, section=section, author=annotator)
    client = bearer_client(annotator)
    consumer = Consumer(client)
    consumer.drain()
    before = dict(Annotation.objects.values_list("pk", "change_seq"))

    Annotation.objects.filter(pk=edited.pk).update(note="edited with update()")
    made = Annotation.objects.bulk_create(
        [
            Annotation(section=section, author=annotator, start=i, end=i + 2, quote=TEXT[i : i + 2])
            for i in range(3)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE annotations_annotation SET note = 'edited in SQL' WHERE id = %s", [by_sql.pk])

    after = dict(Annotation.objects.values_list("pk", "change_seq"))
    assert after[edited.pk] > before[edited.pk]
    assert {after[a.pk] for a in made} == {after[made[0].pk]} != {0}  # one transaction, one sequence
    assert after[edited.pk] < after[made[0].pk] < after[by_sql.pk]
    seen = consumer.deliveries
    consumer.drain()
    assert consumer.deliveries - seen == 5
    assert consumer.copy[edited.pk]["note"] == "edited with update()"
    assert consumer.copy[by_sql.pk]["note"] == "edited in SQL"
    assert consumer.copy == truth(client)


@pytest.mark.django_db(transaction=True)
def test_a_transaction_stamps_its_own_id_even_inside_a_savepoint(section, annotator):
    annotation = AnnotationFactory(section=section, author=annotator)
    pk = annotation.pk
    with transaction.atomic():
        with transaction.atomic():  # a savepoint: the row's xmin is a subtransaction's id
            Annotation.objects.filter(pk=pk).update(note="in a savepoint")
            with connection.cursor() as cursor:
                cursor.execute("SELECT xmin::text::bigint FROM annotations_annotation WHERE id = %s", [pk])
                (xmin,) = cursor.fetchone()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()::text::bigint")
            (own,) = cursor.fetchone()
    annotation.refresh_from_db()
    assert annotation.change_seq == own
    assert xmin % (1 << 32) != own % (1 << 32)


# The commit-order race ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_late_is_not_skipped(section, annotator, codebook):
    """T1 writes first (earlier updated_at) but commits after T2: the feed must still deliver it.

    A consumer paging by updated_at would have moved past T2's timestamp and never see T1.
    """
    early = AnnotationFactory(section=section, author=annotator, start=0, length=2)
    client = bearer_client(annotator)
    consumer = Consumer(client)
    consumer.drain()
    naive_seen = max(item["updated"] for item in consumer.copy.values())

    written, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                annotation = Annotation.objects.get(pk=early.pk)
                services.annotation_update(
                    user=annotator,
                    annotation=annotation,
                    tags=[],
                    actor="dprk",
                    note="slow",
                    visibility="private",
                )
                written.set()
                assert release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    try:
        _race(client, consumer, early, annotator, section, written, release, thread, naive_seen)
    finally:
        release.set()
        thread.join(30)
    consumer.drain()
    assert consumer.copy[early.pk]["note"] == "slow"
    assert consumer.copy == truth(client)


def _race(client, consumer, early, annotator, section, written, release, thread, naive_seen) -> None:
    assert written.wait(30)
    at = TEXT.index(YONGBYON)
    fast = services.annotation_create(  # T2: later updated_at, committed first
        user=annotator, section=section, start=at, end=at + len(YONGBYON), quote=YONGBYON
    )

    # T1 is still in flight: the feed holds back everything written after it began.
    body = client.get(consumer.next).json()
    assert body["items"] == []
    # The naive consumer sees T2 and moves its high-water mark past T1's timestamp.
    naive = client.get(
        "/api/v1/annotations?ordering=-updated&updated_after=" + naive_seen.replace("+", "%2B")
    )
    naive_items = naive.json()["items"]
    assert [i["id"] for i in naive_items] == [fast.pk]
    naive_seen = naive_items[0]["updated"]

    release.set()
    thread.join(30)  # T1 commits
    consumer.drain()
    assert consumer.copy[early.pk]["note"] == "slow"
    assert fast.pk in consumer.copy
    # ...whereas the naive consumer has lost T1's change for good.
    later = client.get("/api/v1/annotations?updated_after=" + naive_seen.replace("+", "%2B")).json()
    assert early.pk not in [i["id"] for i in later["items"]]


def _open_transaction_in(dbname: str):
    """Open a raw connection to a database and start a transaction that holds an xid."""
    import psycopg

    params = connection.get_connection_params()
    params["dbname"] = dbname
    raw = psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
    raw.execute("SELECT pg_current_xact_id()")  # assigns the transaction an id
    return raw


@pytest.mark.django_db(transaction=True)
def test_only_this_databases_transactions_hold_the_feed_back(section, annotator):
    client = bearer_client(annotator)
    consumer = Consumer(client)
    consumer.drain()
    elsewhere = _open_transaction_in("postgres")  # another database on the same server
    try:
        first = AnnotationFactory(section=section, author=annotator)
        consumer.drain()
        assert first.pk in consumer.copy
        here = _open_transaction_in(connection.settings_dict["NAME"])
        try:
            second = AnnotationFactory(section=section, author=annotator)
            consumer.drain()
            assert second.pk not in consumer.copy  # held back behind our database's open transaction
        finally:
            here.rollback()
            here.close()
        consumer.drain()
        assert second.pk in consumer.copy
    finally:
        elsewhere.rollback()
        elsewhere.close()


@pytest.mark.django_db(transaction=True)
def test_sync_through_concurrent_writes_ends_identical(section, annotator, annotator2, codebook):
    """Writers create, edit and delete in overlapping transactions while consumers page along."""
    brief2 = BriefFactory(slug="older", publication_year=2017)
    old_section = SectionFactory(brief=brief2, text=TEXT, anchor="old")
    sections = [section, old_section]
    tags = [codebook["sanctions-partial-relief"], codebook["big-deal"], codebook["phased-approach"]]
    errors: list[BaseException] = []

    def writer(user, seed: int) -> None:
        rng = random.Random(seed)
        mine: list[int] = []
        try:
            for _ in range(30):
                with transaction.atomic():
                    op = rng.random()
                    if op < 0.45 or not mine:
                        start = rng.randrange(0, len(TEXT) - 5)
                        sec = rng.choice(sections)
                        made = services.annotation_create(
                            user=user,
                            section=sec,
                            start=start,
                            end=start + 4,
                            quote=TEXT[start : start + 4],
                            tags=rng.sample(tags, rng.randrange(0, 3)),
                            visibility=rng.choice(["shared", "private"]),
                        )
                        mine.append(made.pk)
                    elif op < 0.85:
                        annotation = Annotation.objects.select_for_update().get(pk=rng.choice(mine))
                        services.annotation_update(
                            user=user,
                            annotation=annotation,
                            tags=rng.sample(tags, rng.randrange(0, 3)),
                            actor=rng.choice(["us", "dprk", "unspecified"]),
                            note=f"edit {rng.random():.6f}",
                            visibility=annotation.visibility,
                        )
                    else:
                        pk = mine.pop(rng.randrange(len(mine)))
                        services.annotation_delete(user=user, annotation=Annotation.objects.get(pk=pk))
                    # Hold the transaction open a while: commits land out of updated_at order.
                    time.sleep(rng.uniform(0, 0.03))
                time.sleep(rng.uniform(0, 0.005))
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)
        finally:
            connection.close()

    client = bearer_client(annotator)
    everything = Consumer(client, limit=5)
    relief = Consumer(client, query="&tag=sanctions-partial-relief&published_since=2019", limit=3)
    threads = [
        threading.Thread(target=writer, args=(user, seed))
        for seed, user in enumerate([annotator, annotator, annotator2, annotator2])
    ]
    for thread in threads:
        thread.start()
    polls = 0
    while any(thread.is_alive() for thread in threads):
        everything.poll()
        relief.poll()
        polls += 1
    for thread in threads:
        thread.join()
    assert not errors, errors
    everything.drain()
    relief.drain()

    assert polls > 10  # the consumers really did page along while the writers wrote
    assert everything.copy == truth(client)
    assert relief.copy == truth(client, "&tag=sanctions-partial-relief&published_since=2019")
    assert relief.copy and len(relief.copy) < len(everything.copy)
    # Someone else's private annotations never reached the copy.
    assert all(
        item["author"] == "annotator" or item["visibility"] == "shared" for item in everything.copy.values()
    )


@pytest.mark.django_db
def test_an_annotation_made_private_again_leaves_other_users_copies(section, annotator, annotator2):
    shared = services.annotation_create(
        user=annotator2, section=section, start=0, end=2, quote=TEXT[:2], visibility="shared"
    )
    never_shared = services.annotation_create(
        user=annotator2, section=section, start=2, end=4, quote=TEXT[2:4], visibility="private"
    )
    consumer = Consumer(bearer_client(annotator))
    consumer.drain()
    assert set(consumer.copy) == {shared.pk}

    services.annotation_update(
        user=annotator2, annotation=shared, tags=[], actor="us", note="", visibility="private"
    )
    body = consumer.client.get(consumer.next).json()
    assert [(item["id"], item["deleted"]) for item in body["items"]] == [(shared.pk, True)]
    assert set(body["items"][0]) == {"id", "deleted", "updated"}  # a stub says nothing more
    consumer.copy.pop(shared.pk)
    assert never_shared.pk not in consumer.copy
    # its author still gets it in full
    own = Consumer(bearer_client(annotator2))
    own.drain()
    assert set(own.copy) == {shared.pk, never_shared.pk}
