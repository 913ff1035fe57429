"""The stored reading position behind ordering=position: its triggers and its index."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.feed import AnnotationFilters, annotation_feed
from annotations.models import Annotation
from briefs.models import Brief, Section
from briefs.services import brief_import
from tests.factories import AnnotationFactory, BriefFactory, SectionFactory, UserFactory


def _positions(*annotations: Annotation) -> list[tuple[int, int]]:
    rows = Annotation.objects.filter(pk__in=[a.pk for a in annotations]).order_by("pk")
    return list(rows.values_list("position_brief", "position_section"))


def _change_seqs(*annotations: Annotation) -> list[int]:
    rows = Annotation.objects.filter(pk__in=[a.pk for a in annotations]).order_by("pk")
    return list(rows.values_list("change_seq", flat=True))


@pytest.mark.django_db
def test_a_new_annotation_takes_its_sections_place():
    section = SectionFactory(position=7)
    annotation = AnnotationFactory(section=section)
    assert _positions(annotation) == [(section.brief_id, 7)]


@pytest.mark.django_db
def test_bulk_created_annotations_take_their_sections_places():
    first, second = SectionFactory(position=2), SectionFactory(position=3)
    made = Annotation.objects.bulk_create(
        [AnnotationFactory.build(section=s, author=UserFactory()) for s in (first, second)]
    )
    assert _positions(*made) == [(first.brief_id, 2), (second.brief_id, 3)]


@pytest.mark.django_db
def test_a_moved_section_moves_its_annotations_without_restamping_them_in_the_feed():
    section = SectionFactory(position=1)
    annotations = [AnnotationFactory(section=section), AnnotationFactory(section=section)]
    before = _change_seqs(*annotations)
    Section.objects.filter(pk=section.pk).update(position=40)
    assert _positions(*annotations) == [(section.brief_id, 40)] * 2
    # A consumer's copy holds the section, not its position: nothing to send it again.
    assert _change_seqs(*annotations) == before


@pytest.mark.django_db
def test_an_annotation_moved_to_another_section_takes_its_place():
    here, there = SectionFactory(position=1), SectionFactory(position=9)
    annotation = AnnotationFactory(section=here)
    annotation.section = there
    annotation.save()
    assert _positions(annotation) == [(there.brief_id, 9)]


@pytest.mark.django_db
def test_a_value_written_by_hand_is_put_right():
    section = SectionFactory(position=4)
    annotation = AnnotationFactory(section=section)
    Annotation.objects.filter(pk=annotation.pk).update(position_brief=999, position_section=999)
    assert _positions(annotation) == [(section.brief_id, 4)]


@pytest.mark.django_db
def test_a_detached_tombstone_sorts_first():
    section = SectionFactory(position=4)
    annotation = AnnotationFactory(section=section)
    Annotation.objects.filter(pk=annotation.pk).update(
        deleted_at="2026-01-01T00:00:00Z", section=None, former_section_id=section.pk
    )
    assert _positions(annotation) == [(0, -1)]


DOC = "# 보고서\n\n## 가\n\n가의 본문이다.\n\n## 나\n\n나의 본문이다.\n"
DOC_WITH_A_NEW_FIRST_SECTION = DOC.replace("## 가", "## 새 절\n\n새 본문이다.\n\n## 가")


@pytest.mark.django_db
def test_a_reimport_that_renumbers_sections_keeps_the_positions_right():
    brief_import(data=DOC.encode(), filename="doc.md", metadata={"slug": "doc"})
    brief = Brief.objects.get(slug="doc")
    last = brief.sections.order_by("position").last()
    annotation = AnnotationFactory(section=last)
    edited = DOC_WITH_A_NEW_FIRST_SECTION.encode()
    brief_import(data=edited, filename="doc.md", metadata={"slug": "doc"}, replace=True)
    annotation.refresh_from_db()
    assert annotation.section_id == last.pk
    assert _positions(annotation) == [(brief.pk, Section.objects.get(pk=last.pk).position)]
    assert annotation.position_section == last.position + 1


@pytest.mark.django_db
def test_a_reading_order_page_is_an_index_scan_not_a_sort():
    user = UserFactory()
    brief = BriefFactory()
    sections = [SectionFactory(brief=brief, position=i) for i in range(3)]
    for section in sections:
        AnnotationFactory.create_batch(3, section=section, author=user)
    page = annotation_feed(user=user, filters=AnnotationFilters(), ordering="position", limit=4)
    expected = list(
        Annotation.objects.filter(author=user)
        .order_by("section__brief_id", "section__position", "start", "pk")
        .values_list("pk", flat=True)
    )
    assert [a.pk for a in page.items] == expected[:4]
    rest = annotation_feed(
        user=user, filters=AnnotationFilters(), ordering="position", limit=10, cursor=page.next_cursor
    )
    assert [a.pk for a in rest.items] == expected[4:]
    # The page's own query, as the feed sent it, can be answered in order from the index
    # (a tiny table: sorting is switched off so that the plan shows whether it can).
    with CaptureQueriesContext(connection) as queries:
        annotation_feed(user=user, filters=AnnotationFilters(), ordering="position", limit=4)
    [page_sql] = [q["sql"] for q in queries.captured_queries if "annotations_annotation_tags" not in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + page_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "annotation_reading_order" in plan
    assert "Sort" not in plan


def _plan_nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from _plan_nodes(child)


@pytest.mark.django_db(transaction=True)  # committed rows: the feed reads them by change_seq
@pytest.mark.parametrize("ordering", ["position", "updated"])
def test_a_page_after_the_cursor_reads_a_page_of_rows_when_many_share_the_first_key(ordering):
    """One section (reading order) or one transaction (the sync feed) holds every row: the
    planner, estimating the cursor's row comparison by its first column, expected almost
    nothing after the cursor and joined and sorted all of it. The page reads a page."""
    user = UserFactory()
    brief = BriefFactory()
    sections = [SectionFactory(brief=brief, position=i, text="가" * 100) for i in range(100)]
    Annotation.objects.bulk_create(
        [
            AnnotationFactory.build(section=sections[i % 100], author=user, start=i % 90, length=3 + i % 5)
            for i in range(3000)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE annotations_annotation")
    first = annotation_feed(user=user, filters=AnnotationFilters(), ordering=ordering, limit=10)
    with CaptureQueriesContext(connection) as queries:
        page = annotation_feed(
            user=user, filters=AnnotationFilters(), ordering=ordering, limit=10, cursor=first.next_cursor
        )
    assert len(page.items) == 10 and page.items[0].pk not in {a.pk for a in first.items}
    [page_sql] = [q["sql"] for q in queries.captured_queries if '"annotations_annotation"."id"' in q["sql"]]
    # At this size the planner may find the good plan either way; at 100,000 rows it did not
    # (bench/README.md, "Reading order by index"): the page's ids are chosen, limited, on
    # their own, and only they are joined.
    assert re.search(r'\."id" IN \(SELECT U0\."id" AS "pk" FROM .* LIMIT 11\)', page_sql), page_sql
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + page_sql)
        [[explained]] = cursor.fetchall()
    read = [
        node["Actual Rows"] * node["Actual Loops"]
        for node in _plan_nodes(explained[0]["Plan"])
        if node.get("Relation Name") == "annotations_annotation"
    ]
    assert read and max(read) <= 11, read
