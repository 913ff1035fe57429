"""Import previews: corrections on the stored document, and the services that guard them."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from briefs import previews
from briefs.models import Brief, ImportPreview
from briefs.previews import PreviewError


def doc(*sections: tuple[str, int, list[str]]) -> list[dict]:
    return [
        {
            "heading": h,
            "level": level,
            "kind": "body",
            "paragraphs": [[t, n + 1] for n, t in enumerate(paras)],
        }
        for h, level, paras in sections
    ]


def shape(sections: list[dict]) -> list[tuple[str, int, list[str]]]:
    return [(s["heading"], s["level"], [t for t, _ in s["paragraphs"]]) for s in sections]


def test_promote_makes_a_paragraph_the_heading_of_the_paragraphs_after_it():
    sections = doc(("A", 2, ["a1", "B", "b1", "b2"]))
    previews.promote(sections, 0, 1)
    assert shape(sections) == [("A", 2, ["a1"]), ("B", 3, ["b1", "b2"])]
    assert sections[1]["paragraphs"][0][1] == 3  # pages travel with their paragraphs


def test_promoting_the_first_paragraph_of_a_headless_section_gives_it_a_heading():
    sections = doc(("", 2, ["Title", "text"]))
    previews.promote(sections, 0, 0)
    assert shape(sections) == [("Title", 2, ["text"])]


def test_promoting_a_long_paragraph_is_refused():
    sections = doc(("A", 2, ["가" * 501]))
    with pytest.raises(PreviewError, match="too long to be a heading"):
        previews.promote(sections, 0, 0)
    assert shape(sections) == [("A", 2, ["가" * 501])]


def test_promote_joins_a_paragraph_of_several_lines_into_one_heading():
    sections = doc(("A", 2, ["1. 첫째\n줄", "x"]))
    previews.promote(sections, 0, 0)
    assert shape(sections) == [("A", 2, []), ("1. 첫째 줄", 3, ["x"])]


def test_demote_puts_the_heading_into_the_text_of_the_section_before():
    sections = doc(("A", 2, ["a1"]), ("B", 3, ["b1"]))
    previews.demote(sections, 1)
    assert shape(sections) == [("A", 2, ["a1", "B", "b1"])]


def test_demoting_the_first_heading_leaves_an_unheaded_section():
    sections = doc(("A", 2, ["a1"]), ("B", 2, ["b1"]))
    previews.demote(sections, 0)
    assert shape(sections) == [("", 2, ["A", "a1"]), ("B", 2, ["b1"])]


def test_merge_appends_the_text_and_drops_the_heading():
    sections = doc(("A", 2, ["a1"]), ("Running head", 2, ["b1"]))
    previews.merge(sections, 1)
    assert shape(sections) == [("A", 2, ["a1", "b1"])]
    with pytest.raises(PreviewError, match="first section"):
        previews.merge(sections, 0)


def test_split_starts_an_unheaded_section_at_a_paragraph():
    sections = doc(("A", 2, ["a1", "a2", "a3"]))
    previews.split(sections, 0, 2)
    assert shape(sections) == [("A", 2, ["a1", "a2"]), ("", 2, ["a3"])]
    with pytest.raises(PreviewError, match="before its first paragraph"):
        previews.split(sections, 0, 0)


@pytest.mark.parametrize("level", [0, 7, "abc", None, "3.5"])
def test_retitle_refuses_a_level_outside_1_to_6(level):
    sections = doc(("A", 2, ["a1"]))
    with pytest.raises(PreviewError, match="from 1 to 6"):
        previews.retitle(sections, 0, "A", level)


@pytest.mark.parametrize("heading", ["a\x00b", "a\ud800b"])
def test_a_heading_no_database_text_can_hold_is_refused(heading):
    sections = doc(("A", 2, ["a1"]))
    with pytest.raises(PreviewError, match="cannot contain"):
        previews.retitle(sections, 0, heading, 2)


def test_retitle_normalises_and_refuses_blanking_a_heading_without_text():
    sections = doc(("A", 2, []), ("B", 2, ["b"]))
    previews.retitle(sections, 1, "  새  제목 ", "3")
    assert shape(sections)[1] == ("새 제목", 3, ["b"])
    with pytest.raises(PreviewError, match="needs its heading"):
        previews.retitle(sections, 0, "   ", 2)


@pytest.mark.parametrize(
    ("op", "section", "paragraph"),
    [
        ("promote", 5, 0),
        ("promote", 0, 9),
        ("promote", -1, 0),
        ("split", 0, -1),
        ("demote", 3, 0),
        ("evil", 0, 0),
    ],
)
def test_out_of_range_or_unknown_corrections_are_refused(op, section, paragraph):
    document = {"sections": doc(("A", 2, ["a1"]))}
    with pytest.raises(PreviewError):
        previews.operation_apply(document, op=op, section=section, paragraph=paragraph)
    assert shape(document["sections"]) == [("A", 2, ["a1"])]


def test_the_parsed_document_round_trips_through_the_preview(kinu_bytes):
    from briefs.services import brief_parse

    parsed = brief_parse(data=kinu_bytes, filename="kinu.txt")
    again = previews.parsed_from_document(previews.document_from_parsed(parsed, sha256="0" * 64))
    assert again.sections == parsed.sections
    assert (again.title, again.series_code, again.authors) == (
        parsed.title,
        parsed.series_code,
        parsed.authors,
    )


# Services: owner, version, expiry, confirm once -------------------------------------------------


@pytest.fixture
def preview(db, editor, kinu_bytes) -> ImportPreview:
    return previews.preview_create(owner=editor, data=kinu_bytes, filename="kinu.txt")


def test_a_stale_version_is_refused_and_changes_nothing(preview, editor):
    previews.preview_correct(owner=editor, token=preview.token, version=1, op="merge", section=1)
    with pytest.raises(previews.StalePreview):
        previews.preview_correct(owner=editor, token=preview.token, version=1, op="merge", section=1)
    preview.refresh_from_db()
    assert preview.version == 2


def test_another_users_or_a_made_up_token_is_gone(preview, annotator):
    for owner, token in [
        (annotator, preview.token),
        (preview.owner, uuid.uuid4()),
        (preview.owner, "nonsense"),
    ]:
        with pytest.raises(previews.PreviewGone):
            previews.preview_get(owner=owner, token=token)


def test_an_expired_preview_is_gone_and_purged(preview, editor, kinu_bytes):
    ImportPreview.objects.filter(pk=preview.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with pytest.raises(previews.PreviewGone):
        previews.preview_confirm(owner=editor, token=preview.token, version=1)
    previews.preview_create(owner=editor, data=kinu_bytes, filename="again.txt")  # purges on the way
    assert list(ImportPreview.objects.values_list("filename", flat=True)) == ["again.txt"]
    assert not Brief.objects.exists()


def test_confirm_saves_once(preview, editor):
    result = previews.preview_confirm(owner=editor, token=preview.token, version=1)
    assert result.status == "created"
    with pytest.raises(PreviewError, match="already confirmed") as refused:
        previews.preview_confirm(owner=editor, token=preview.token, version=1)
    assert refused.value.brief == result.brief
    assert Brief.objects.count() == 1


def test_confirm_after_someone_else_imported_the_same_file_writes_nothing(preview, editor, kinu_bytes):
    from briefs.services import brief_import

    brief_import(data=kinu_bytes, filename="kinu.txt", metadata={"slug": "theirs"})
    with pytest.raises(PreviewError, match="already in the library") as refused:
        previews.preview_confirm(owner=editor, token=preview.token, version=1)
    assert refused.value.brief.slug == "theirs"
    assert Brief.objects.count() == 1
    preview.refresh_from_db()
    assert preview.confirmed_at is None


def test_confirm_after_the_address_was_taken_writes_nothing(preview, editor, news_bytes):
    from briefs.services import brief_import

    brief_import(
        data=news_bytes, filename="news.txt", metadata={"slug": preview.document["metadata"]["slug"]}
    )
    with pytest.raises(PreviewError, match="belongs to another brief"):
        previews.preview_confirm(owner=editor, token=preview.token, version=1)
    assert Brief.objects.count() == 1


def test_warnings_seen_in_the_preview_are_not_kept_on_the_brief(db, editor):
    long_text = "\n\n".join("제목 없이 길게 이어지는 글의 한 문단입니다. " * 12 for _ in range(30))
    preview = previews.preview_create(owner=editor, data=long_text.encode(), filename="long.txt")
    assert any(w.startswith("no headings found") for w in preview.document["warnings"])
    result = previews.preview_confirm(owner=editor, token=preview.token, version=1)
    assert result.brief.import_warnings == []


def test_the_replace_plan_counts_only_what_the_viewer_sees_but_any_annotation_refuses(
    db, editor, annotator, kinu_bytes
):
    from briefs.services import brief_import, brief_parse, brief_replace_plan
    from tests.briefs.test_importers import KINU_HEADINGS
    from tests.factories import AnnotationFactory

    brief = brief_import(data=kinu_bytes, filename="kinu.txt").brief
    stance = brief.sections.get(heading=KINU_HEADINGS[2])
    AnnotationFactory(section=stance, author=annotator, visibility="private")
    renamed = kinu_bytes.replace(KINU_HEADINGS[2].encode(), "전혀 다른 제목".encode())
    plan = brief_replace_plan(brief=brief, parsed=brief_parse(data=renamed, filename="k.txt"), user=editor)
    assert [(c.heading, c.annotations) for c in plan.refused] == [(KINU_HEADINGS[2], 0)]
    assert [c.heading for c in plan.of("added")] == ["전혀 다른 제목"]
    everyone = brief_replace_plan(brief=brief, parsed=brief_parse(data=renamed, filename="k.txt"))
    assert [c.annotations for c in everyone.refused] == [1]  # the command line sees all
