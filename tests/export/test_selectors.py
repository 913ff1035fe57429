from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from annotations.export.selectors import ExportFilters, excerpt_count, excerpt_list, excerpt_list_by_tag
from annotations.models import Annotation, codebook_order
from tests.export.conftest import export_bytes
from tests.factories import AnnotationFactory, SectionFactory, TagFactory


def ids(qs) -> set[int]:
    return {a.pk for a in qs}


def test_no_filter_is_everything_the_user_may_see(world):
    assert ids(excerpt_list(user=world.editor, filters=ExportFilters())) == {
        a.pk for a in world.visible_to_editor
    }
    assert excerpt_count(user=world.editor, filters=ExportFilters()) == 4


def test_anonymous_users_export_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert excerpt_count(user=AnonymousUser(), filters=ExportFilters()) == 0


def test_filters_by_several_briefs_tags_actors_and_annotators(world):
    def match(**kwargs) -> set[int]:
        return ids(excerpt_list(user=world.editor, filters=ExportFilters(**kwargs)))

    assert match(briefs=["kinu-online-19-06"]) == {world.en_relief.pk}
    assert match(briefs=["kinu-online-19-06", "kinu-co-19-05"]) == {a.pk for a in world.visible_to_editor}
    assert match(tags=["big-deal", "yongbyon-dismantlement"]) == {world.ko_bigdeal.pk, world.ko_yongbyon.pk}
    assert match(actors=["us", "dprk"]) == {world.ko_bigdeal.pk, world.ko_yongbyon.pk}
    assert match(annotators=["editor"]) == {world.ko_summary_hl.pk}
    assert match(annotators=["editor", "annotator"]) == {a.pk for a in world.visible_to_editor}
    assert match(tags=["big-deal"], actors=["dprk"]) == set()


def test_an_excerpt_with_two_chosen_tags_is_one_row(world):
    rows = list(excerpt_list(user=world.editor, filters=ExportFilters(tags=["big-deal", "beyond-yongbyon"])))
    assert [a.pk for a in rows] == [world.ko_bigdeal.pk]
    assert excerpt_count(user=world.editor, filters=ExportFilters(tags=["big-deal", "beyond-yongbyon"])) == 1


def test_created_range_is_inclusive_of_whole_days_in_site_time(world):
    seoul_midnight = timezone.make_aware(dt.datetime(2024, 5, 2, 0, 30))  # 2024-05-01 15:30 UTC
    Annotation.objects.filter(pk=world.ko_bigdeal.pk).update(created_at=seoul_midnight)
    Annotation.objects.filter(pk=world.ko_yongbyon.pk).update(
        created_at=timezone.make_aware(dt.datetime(2024, 5, 3, 23, 59))
    )
    day = dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime(2024, 5, 2))
    found = ids(
        excerpt_list(
            user=world.editor, filters=ExportFilters(created_from=start, created_before=start + 2 * day)
        )
    )
    assert found == {world.ko_bigdeal.pk, world.ko_yongbyon.pk}
    found = ids(excerpt_list(user=world.editor, filters=ExportFilters(created_from=start + day)))
    assert world.ko_bigdeal.pk not in found and world.ko_yongbyon.pk in found


def test_by_tag_lists_an_excerpt_under_each_tag_then_untagged(world):
    rows = list(excerpt_list_by_tag(user=world.editor, filters=ExportFilters()))
    assert [(a.pk, a.group_code) for a in rows] == [
        (world.ko_bigdeal.pk, "big-deal"),
        (world.ko_yongbyon.pk, "yongbyon-dismantlement"),
        (world.ko_bigdeal.pk, "beyond-yongbyon"),
        (world.en_relief.pk, "sanctions-partial-relief"),
        (world.ko_summary_hl.pk, None),
    ]


def test_by_tag_with_a_tag_filter_groups_only_under_the_chosen_tags(world):
    rows = list(excerpt_list_by_tag(user=world.editor, filters=ExportFilters(tags=["beyond-yongbyon"])))
    assert [(a.pk, a.group_code) for a in rows] == [(world.ko_bigdeal.pk, "beyond-yongbyon")]
    # the excerpt still carries all its tags
    assert [t.code for t in rows[0].tags.all()] == ["big-deal", "beyond-yongbyon"]


def _more_annotations(world, n: int) -> None:
    for i in range(n):
        brief_section = SectionFactory(text="북미 협상은 교착 상태에 빠졌다. 양측은 입장을 바꾸지 않았다.")
        tag = TagFactory()
        AnnotationFactory(
            section=brief_section,
            author=world.annotator if i % 2 else world.editor,
            visibility="shared",
            note=f"note {i}",
            tags=[tag, world.tags["big-deal"]],
        )


@pytest.mark.parametrize("format", ["csv", "xlsx", "jsonl", "w3c", "md", "docx"])
def test_query_count_does_not_grow_with_rows(world, django_assert_num_queries, format):
    _more_annotations(world, 6)  # 10 visible
    # count, the excerpts, then per chunk: the sections (with briefs), authors, tag links
    # and tags it brings for the first time
    with django_assert_num_queries(6):
        export_bytes(world.editor, format)
    _more_annotations(world, 40)  # 50 visible, on 40 more briefs, sections, tags
    with django_assert_num_queries(6):
        export_bytes(world.editor, format)


def test_rows_read_as_the_annotations_they_stand_for(world):
    # excerpt_rows builds no model instance per row: each ExcerptRow carries the columns,
    # relations and tags (codebook order) the presenters read off an Annotation.
    from annotations.export.selectors import ExcerptRow, excerpt_rows

    _more_annotations(world, 6)
    for grouped in (excerpt_list, excerpt_list_by_tag):
        rows = list(excerpt_rows(grouped(user=world.editor, filters=ExportFilters()), chunk_size=4))
        assert rows and all(type(row) is ExcerptRow for row in rows)
        models = Annotation.objects.in_bulk([row.pk for row in rows])
        for row in rows:
            model = models[row.pk]
            for name in ("pk", "quote", "prefix", "suffix", "note", "actor", "start", "end", "created_at"):
                assert getattr(row, name) == getattr(model, name), name
            assert row.section == model.section and row.section.brief == model.section.brief
            assert row.author == model.author
            assert row.listed_tags() == sorted(model.tags.all(), key=codebook_order)
        if grouped is excerpt_list_by_tag:
            assert {row.group_code for row in rows} > {None}
