"""manage.py brief_edit and brief_delete: the services from the command line, one line per
change, a CommandError (nothing changed) for unknown slugs and bad values."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotations.models import Annotation
from briefs.models import Brief
from tests.factories import AnnotationFactory, BriefFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def brief():
    brief = BriefFactory(slug="kinu-co-19-05", title="제2차 북미정상회담 평가", publication_year=2019)
    SectionFactory(brief=brief, position=0, heading="요약", anchor="summary", text="요약문이다.")
    SectionFactory(brief=brief, position=1, heading="평가", anchor="pyeongga", text="평가한다.")
    SectionFactory(brief=brief, position=2, heading="제1장", anchor="chapter-1", level=1, text="")
    return brief


def run(name: str, *args: str) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_edit_changes_metadata_and_sections_and_prints_each_change(brief):
    out = run(
        "brief_edit",
        "kinu-co-19-05",
        "--title",
        "새 제목",
        "--author",
        "홍길동",
        "--author",
        "Kim",
        "--date",
        "2019-03-05",
        "--language",
        "en",
        "--organisation-en",
        "KINU",
        "--heading",
        "1",
        "새 평가",
        "--level",
        "1",
        "3",
        "--level",
        "2",
        "2",
    )
    assert out.splitlines() == [
        "kinu-co-19-05: title: '제2차 북미정상회담 평가' -> '새 제목'",
        "kinu-co-19-05: organisation en: (empty) -> 'KINU'",
        "kinu-co-19-05: authors: '현안분석팀' -> '홍길동', 'Kim'",
        "kinu-co-19-05: language: 'ko' -> 'en'",
        "kinu-co-19-05: publication date: (empty) -> 2019-03-05",
        "kinu-co-19-05: section 1: L2 '평가' -> L3 '새 평가'",
        "kinu-co-19-05: section 2: L1 '제1장' -> L2 '제1장'",
    ]
    brief.refresh_from_db()
    assert (brief.title, brief.publication_date) == ("새 제목", datetime.date(2019, 3, 5))
    assert list(brief.sections.values_list("anchor", flat=True)) == ["summary", "pyeongga", "chapter-1"]


def test_an_empty_value_clears_and_nothing_given_changes_nothing(brief):
    assert run("brief_edit", "kinu-co-19-05") == "unchanged kinu-co-19-05\n"
    assert run("brief_edit", "kinu-co-19-05", "--organisation", "") == (
        "kinu-co-19-05: organisation: '통일연구원' -> (empty)\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--title", "x" * 501], "at most 500 characters"),
        (["--title", ""], "needs a title"),
        (["--title", "a\x00b"], "null characters"),
        (["--notes", "\ud800"], "lone surrogate"),
        (["--date", "2019-13-01"], "not YYYY-MM-DD"),
        (["--year", "abc"], "not a number"),
        (["--year", "3000"], "out of range"),
        (["--date", "2019-03-05", "--year", "2018"], "does not match"),
        (["--language", "fr"], "not supported"),
        (["--source-url", "ftp://x"], "valid URL"),
        (["--level", "1", "0"], "level must be a whole number"),
        (["--level", "1", "7"], "level must be a whole number"),
        (["--level", "1", "abc"], "not a number from 1 to 6"),
        (["--level", "x", "2"], "not a number"),
        (["--heading", "9", "없음"], "no section at position 9"),
        (["--heading", "2", ""], "needs a heading"),
    ],
)
def test_bad_values_are_a_command_error_and_change_nothing(brief, args, message):
    before = Brief.objects.values().get(pk=brief.pk)
    with pytest.raises(CommandError, match=message):
        run("brief_edit", "kinu-co-19-05", "--subtitle", "바뀌면 안 됨", *args)
    assert Brief.objects.values().get(pk=brief.pk) == before
    assert list(brief.sections.values_list("heading", "level")) == [("요약", 2), ("평가", 2), ("제1장", 1)]


@pytest.mark.parametrize("command", ["brief_edit", "brief_delete"])
def test_unknown_slugs_are_a_command_error(db, command):
    with pytest.raises(CommandError, match="no brief with slug 'no-such'"):
        run(command, "no-such")


def test_delete_prints_what_was_deleted(brief):
    assert run("brief_delete", "kinu-co-19-05") == "deleted kinu-co-19-05: 3 sections\n"
    assert not Brief.objects.exists()


def test_any_live_annotation_blocks_the_command_unless_with_annotations(brief, editor):
    AnnotationFactory(section=brief.sections.get(position=1), author=editor)
    AnnotationFactory(section=brief.sections.get(position=0), author=editor, visibility="shared")
    with pytest.raises(CommandError, match="it holds 2 live annotations; pass --with-annotations"):
        run("brief_delete", "kinu-co-19-05")
    assert Brief.objects.exists()
    out = run("brief_delete", "kinu-co-19-05", "--with-annotations")
    assert out == (
        "deleted kinu-co-19-05: 3 sections, 2 annotation(s) deleted, 2 kept as tombstones for sync\n"
    )
    assert set(Annotation.objects.values_list("section_id", "former_brief_slug")) == {(None, "kinu-co-19-05")}
