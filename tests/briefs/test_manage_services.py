"""brief_update and brief_delete: validation like the importer's, the lost-update guard,
anchors kept, the search index in step, annotations left behind as tombstones."""

from __future__ import annotations

import datetime
import unicodedata

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotations.models import Annotation
from briefs.models import Brief, Section
from briefs.permissions import can_delete, can_edit
from briefs.services import BriefDeleteError, BriefEditError, brief_delete, brief_update
from search.models import AnnotationDocument, SectionDocument
from search.selectors import section_search
from search.services import annotation_index_refresh, section_index_refresh
from tests.factories import AnnotationFactory, BriefFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def brief():
    brief = BriefFactory(slug="kinu-co-19-05", title="제2차 북미정상회담 평가", publication_year=2019)
    SectionFactory(brief=brief, position=0, heading="요약", anchor="summary", level=2, text="요약문이다.")
    SectionFactory(brief=brief, position=1, heading="평가", anchor="pyeongga", level=2, text="평가한다.")
    SectionFactory(brief=brief, position=2, heading="제1장", anchor="chapter-1", level=1, text="")
    section_index_refresh(sections=brief.sections.all())
    return brief


def sections_of(brief: Brief) -> list[Section]:
    return list(brief.sections.order_by("position"))


# Permissions ---------------------------------------------------------------------------------


def test_only_editors_may_edit_and_delete(analyst, annotator, editor):
    assert [can_edit(u) for u in (analyst, annotator, editor)] == [False, False, True]
    assert [can_delete(u) for u in (analyst, annotator, editor)] == [False, False, True]


def test_the_migration_gave_existing_editor_groups_the_permissions():
    held = {p.codename for p in Group.objects.get(name="Editor").permissions.all()}
    assert {"add_brief", "change_brief", "delete_brief"} <= held


# brief_update: metadata ------------------------------------------------------------------------


def test_update_changes_the_metadata_and_normalises_it(brief):
    title = "제2차 북미정상회담 평가와 과제"
    updated = brief_update(
        brief=brief,
        fields={
            "title": f"  {unicodedata.normalize('NFD', title)}  ",
            "subtitle": "",
            "authors": ["홍길동", " ", "Kim"],
            "language": "en",
            "publication_date": "2019-03-05",
            "source_url": "https://www.kinu.or.kr/brief.pdf",
        },
    )
    brief.refresh_from_db()
    assert brief.title == title == updated.title
    assert brief.authors == ["홍길동", "Kim"]
    assert brief.language == "en"
    assert brief.publication_date == datetime.date(2019, 3, 5)
    assert brief.publication_year == 2019  # derived from the date
    assert brief.slug == "kinu-co-19-05"  # never edited


def test_an_empty_value_clears_a_field_but_never_the_title(brief):
    brief_update(brief=brief, fields={"organisation": "", "publication_year": None, "authors": []})
    brief.refresh_from_db()
    assert (brief.organisation, brief.publication_year, brief.authors) == ("", None, [])
    with pytest.raises(BriefEditError, match="needs a title") as exc:
        brief_update(brief=brief, fields={"title": "   "})
    assert exc.value.field == "title"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "x" * 501}, "title", "at most 500 characters"),
        ({"title": "평가\x00"}, "title", "null characters"),
        ({"notes": "bad \ud800 surrogate"}, "notes", "lone surrogate"),
        ({"authors": ["ok", "bad\x00"]}, "authors", "null characters"),
        ({"authors": 42}, "authors", "list of names"),
        ({"authors": ["a" * 301]}, "authors", "at most 300"),
        ({"publication_date": "2019-02-30"}, "publication_date", "not YYYY-MM-DD"),
        ({"publication_date": "yesterday"}, "publication_date", "not YYYY-MM-DD"),
        ({"publication_year": "abc"}, "publication_year", "not a number"),
        ({"publication_year": 1799}, "publication_year", "out of range"),
        ({"publication_year": 2201}, "publication_year", "out of range"),
        ({"publication_date": "1700-01-01"}, "publication_date", "out of range"),
        ({"publication_date": "2019-03-05", "publication_year": 2018}, "publication_year", "does not match"),
        ({"language": "fr"}, "language", "not supported"),
        ({"language": ""}, "language", "choose"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "valid URL"),
        ({"source_url": "https://e.org/" + "a" * 1000}, "source_url", "at most 1000"),
        ({"series_code": "s" * 101}, "series_code", "at most 100"),
    ],
)
def test_update_refuses_bad_metadata_and_saves_nothing(brief, fields, field, message):
    before = Brief.objects.values().get(pk=brief.pk)
    with pytest.raises(BriefEditError, match=message) as exc:
        brief_update(brief=brief, fields=fields)
    assert exc.value.field == field
    assert Brief.objects.values().get(pk=brief.pk) == before


def test_a_year_that_contradicts_the_stored_date_is_refused(brief):
    brief_update(brief=brief, fields={"publication_date": "2019-03-05"})
    with pytest.raises(BriefEditError, match="does not match"):
        brief_update(brief=brief, fields={"publication_year": 2020})


@pytest.mark.parametrize("name", ["slug", "source_sha256", "importer_version", "import_warnings", "pk"])
def test_read_only_fields_cannot_be_edited(brief, name):
    with pytest.raises(BriefEditError, match="cannot be edited"):
        brief_update(brief=brief, fields={name: "x"})


# brief_update: sections -----------------------------------------------------------------------


def test_update_changes_headings_and_levels_and_keeps_anchors(brief):
    summary, body, chapter = sections_of(brief)
    annotation = AnnotationFactory(section=body)
    brief_update(brief=brief, fields={}, sections=[(body.pk, " 새  평가 ", 3), (chapter.pk, "제1장", 2)])
    summary2, body2, chapter2 = sections_of(brief)
    assert (body2.heading, body2.level, body2.anchor) == ("새 평가", 3, "pyeongga")
    assert (chapter2.heading, chapter2.level, chapter2.anchor) == ("제1장", 2, "chapter-1")
    assert (summary2.heading, summary2.level) == ("요약", 2)
    annotation.refresh_from_db()
    assert annotation.section_id == body.pk


def test_a_changed_heading_is_reindexed(brief):
    body = sections_of(brief)[1]
    assert list(section_search(query="제재")) == []
    brief_update(brief=brief, fields={}, sections=[(body.pk, "제재 완화 논의", 2)])
    assert [section.pk for section in section_search(query="제재")] == [body.pk]


def test_a_heading_may_be_blanked_only_where_the_section_has_text(brief):
    _, body, chapter = sections_of(brief)
    brief_update(brief=brief, fields={}, sections=[(body.pk, "", 2)])
    assert Section.objects.get(pk=body.pk).heading == ""
    with pytest.raises(BriefEditError, match="needs a heading") as exc:
        brief_update(brief=brief, fields={}, sections=[(chapter.pk, "  ", 1)])
    assert (exc.value.field, exc.value.section_id) == ("heading", chapter.pk)
    assert Section.objects.get(pk=chapter.pk).heading == "제1장"


@pytest.mark.parametrize("level", [0, 7, -1, "abc", "2", 2.0, True, None])
def test_a_level_outside_1_to_6_is_refused(brief, level):
    body = sections_of(brief)[1]
    with pytest.raises(BriefEditError, match="level must be a whole number") as exc:
        brief_update(brief=brief, fields={}, sections=[(body.pk, "평가", level)])
    assert exc.value.field == "level"
    assert Section.objects.get(pk=body.pk).level == 2


@pytest.mark.parametrize(
    ("heading", "message"),
    [
        ("x" * 501, "longer than 500"),
        ("평가\x00", "null characters"),
        ("\udcff", "lone surrogate"),
        (5, "text"),
    ],
)
def test_a_bad_heading_is_refused(brief, heading, message):
    body = sections_of(brief)[1]
    with pytest.raises(BriefEditError, match=message):
        brief_update(brief=brief, fields={}, sections=[(body.pk, heading, 2)])
    assert Section.objects.get(pk=body.pk).heading == "평가"


def test_sections_of_another_brief_or_unknown_ids_are_refused(brief):
    other = SectionFactory(heading="남의 절")
    body = sections_of(brief)[1]
    for rows in (
        [(other.pk, "탈취", 2)],
        [(10**12, "없음", 2)],
        [("1", "문자열", 2)],
        [(body.pk, "둘", 2), (body.pk, "번", 3)],
        [(body.pk, "짧음")],
    ):
        with pytest.raises(BriefEditError):
            brief_update(brief=brief, fields={"title": "바뀌면 안 됨"}, sections=rows)
    other.refresh_from_db()
    brief.refresh_from_db()
    assert other.heading == "남의 절"
    assert brief.title == "제2차 북미정상회담 평가"


def test_a_stale_version_is_refused(brief):
    read_at = Brief.objects.get(pk=brief.pk).updated_at
    brief_update(brief=brief, fields={"subtitle": "먼저 저장"}, expected_updated_at=read_at)
    with pytest.raises(BriefEditError, match="someone else saved"):
        brief_update(brief=brief, fields={"subtitle": "나중 저장"}, expected_updated_at=read_at)
    assert Brief.objects.get(pk=brief.pk).subtitle == "먼저 저장"
    # the current version passes, and a section edit alone moves it on too
    current = Brief.objects.get(pk=brief.pk).updated_at
    body = sections_of(brief)[1]
    brief_update(brief=brief, fields={}, sections=[(body.pk, "평가", 4)], expected_updated_at=current)
    assert Brief.objects.get(pk=brief.pk).updated_at > current


def test_updating_a_deleted_brief_is_refused(brief):
    Brief.objects.filter(pk=brief.pk).delete()
    with pytest.raises(BriefEditError, match="no longer exists"):
        brief_update(brief=brief, fields={"title": "유령"})


# brief_delete ------------------------------------------------------------------------------------


def _live(brief: Brief):
    return Annotation.objects.filter(section__brief=brief, deleted_at__isnull=True)


def test_a_brief_without_annotations_is_deleted_with_its_sections(brief, editor):
    result = brief_delete(user=editor, brief=brief, with_annotations=False)
    assert (result.slug, result.sections, result.annotations_deleted, result.tombstones) == (
        "kinu-co-19-05",
        3,
        0,
        0,
    )
    assert not Brief.objects.filter(slug="kinu-co-19-05").exists()
    assert not Section.objects.exists()
    assert not SectionDocument.objects.exists()


def test_the_editors_own_annotations_do_not_block(brief, editor):
    mine = AnnotationFactory(section=sections_of(brief)[1], author=editor)
    result = brief_delete(user=editor, brief=brief, with_annotations=False)
    assert result.annotations_deleted == 1
    mine.refresh_from_db()
    assert mine.deleted_at is not None and mine.section_id is None


@pytest.mark.parametrize("visibility", ["private", "shared"])
def test_other_peoples_annotations_block_unless_confirmed(brief, editor, annotator, visibility):
    body = sections_of(brief)[1]
    theirs = AnnotationFactory(section=body, author=annotator, visibility=visibility)
    with pytest.raises(BriefDeleteError) as exc:
        brief_delete(user=editor, brief=brief, with_annotations=False)
    # the refusal gives no count: some of them may be private
    assert str(exc.value) == (
        "'kinu-co-19-05' was not deleted: it holds annotations by other people; "
        "confirm that their annotations are to be deleted too"
    )
    assert Brief.objects.filter(pk=brief.pk).exists()
    assert _live(brief).count() == 1
    brief_delete(user=editor, brief=brief, with_annotations=True)
    theirs.refresh_from_db()
    assert theirs.deleted_at is not None
    assert (theirs.section_id, theirs.former_brief_slug, theirs.former_section_id) == (
        None,
        "kinu-co-19-05",
        body.pk,
    )


def test_nobody_means_every_live_annotation_blocks(brief, editor):
    AnnotationFactory(section=sections_of(brief)[0], author=editor)
    with pytest.raises(BriefDeleteError, match="holds 1 live annotation; pass --with-annotations"):
        brief_delete(user=None, brief=brief, with_annotations=False)
    assert brief_delete(user=None, brief=brief, with_annotations=True).annotations_deleted == 1


def test_every_annotation_becomes_a_tombstone_and_leaves_the_index(brief, editor, annotator):
    summary, body, _ = sections_of(brief)
    live = AnnotationFactory(section=body, author=annotator, visibility="shared")
    already = AnnotationFactory(section=summary, author=annotator, deleted_at=timezone.now())
    already_deleted_at = already.deleted_at
    annotation_index_refresh(annotations=[live, already])
    assert AnnotationDocument.objects.filter(annotation=live).exists()
    result = brief_delete(user=editor, brief=brief, with_annotations=True)
    assert (result.annotations_deleted, result.tombstones) == (1, 2)
    live.refresh_from_db()
    already.refresh_from_db()
    assert live.deleted_at is not None and live.updated_at == live.deleted_at
    assert already.deleted_at == already_deleted_at  # an earlier deletion keeps its time
    assert {a.section_id for a in (live, already)} == {None}
    assert {a.former_section_id for a in (live, already)} == {body.pk, summary.pk}
    assert not AnnotationDocument.objects.exists()
    assert "2 kept as tombstones" in result.message


def test_annotations_of_other_briefs_are_untouched(brief, editor):
    elsewhere = AnnotationFactory(author=editor)
    brief_delete(user=editor, brief=brief, with_annotations=True)
    elsewhere.refresh_from_db()
    assert elsewhere.deleted_at is None and elsewhere.section_id is not None


def test_deleting_a_deleted_brief_is_refused(brief, editor):
    Brief.objects.filter(pk=brief.pk).delete()
    with pytest.raises(BriefDeleteError, match="no longer exists"):
        brief_delete(user=editor, brief=brief, with_annotations=True)


def test_the_database_refuses_a_live_annotation_without_a_section(brief):
    annotation = AnnotationFactory(section=sections_of(brief)[1])
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.filter(pk=annotation.pk).update(section=None)


def test_the_migrations_reverse_and_reapply(transactional_db, brief, editor):
    """Back to before both migrations (tombstones dropped, permissions revoked), then forward."""
    AnnotationFactory(section=sections_of(brief)[1], author=editor)
    brief_delete(user=editor, brief=brief, with_annotations=True)
    kept = AnnotationFactory(author=editor)
    try:
        call_command("migrate", "annotations", "0005", verbosity=0)
        call_command("migrate", "briefs", "0003", verbosity=0)
        held = {p.codename for p in Group.objects.get(name="Editor").permissions.all()}
        assert "change_brief" not in held and "delete_brief" not in held
    finally:
        call_command("migrate", verbosity=0)
    assert list(Annotation.objects.values_list("pk", flat=True)) == [kept.pk]
    held = {p.codename for p in Group.objects.get(name="Editor").permissions.all()}
    assert {"change_brief", "delete_brief"} <= held


def test_a_user_without_rights_is_not_checked_here(brief):
    """The service trusts its caller (views and commands check the permission)."""
    assert brief_delete(user=UserFactory(), brief=brief).sections == 3
