from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from annotations.models import Category, Tag
from briefs.models import Brief, Section
from tests.conftest import SAMPLES

pytestmark = pytest.mark.django_db
MANIFEST = json.loads((SAMPLES / "demo.json").read_text(encoding="utf-8"))


def test_load_demo_is_idempotent():
    first, second = StringIO(), StringIO()
    call_command("load_demo", stdout=first)
    counts = (Brief.objects.count(), Section.objects.count(), Category.objects.count(), Tag.objects.count())
    call_command("load_demo", stdout=second)
    assert (
        Brief.objects.count(),
        Section.objects.count(),
        Category.objects.count(),
        Tag.objects.count(),
    ) == counts
    assert counts[0] == len(MANIFEST["documents"]) == 6
    assert Brief.objects.get(slug="kinu-co-19-05").sections.count() == 6
    assert Tag.objects.filter(code="yongbyon-dismantlement", label_ko="영변 핵시설 폐기").exists()
    assert "created kinu-co-19-05" in first.getvalue()
    assert "unchanged kinu-co-19-05" in second.getvalue()


def test_kinu_reader_shows_six_sections_under_their_headings(client):
    call_command("load_demo", stdout=StringIO())
    response = client.get("/briefs/kinu-co-19-05/")
    assert response.status_code == 200
    headings = [s.heading for s in response.context["sections"]]
    assert headings == [
        "",
        "",
        "양자의 입장차: 빅딜 vs. 단계적 접근",
        "준비된 합의문과 합의의 실패: 미국의 협상전략? 혹은 미국 국내정치 문제?",
        "협상 재개 전망의 근거: 종전선언 등 중요 의제에 대한 공감, 쌍중단과 협상 의지의 지속",
        "향후 과제: 특사파견, 남북 및 한미 정상회담 추진을 통한 북미협상 중재·촉진",
    ]
    html = response.content.decode()
    for banned in ("[06578]", "www.kinu.or.kr", "중요해졌\n다"):
        assert banned not in html
    assert "CO 19-05" in html  # in the metadata header, not in the text


def test_with_users_adds_demo_accounts_and_annotations_once(settings, client):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", "--with-users", stdout=out)
    from django.contrib.auth import get_user_model

    from annotations.models import Annotation
    from briefs.demo import DEMO_PASSWORD

    fields = ("pk", "section_id", "start", "end", "author__username")
    first = set(Annotation.objects.values_list(*fields))
    call_command("load_demo", "--with-users", stdout=StringIO())
    assert set(Annotation.objects.values_list(*fields)) == first  # the second run added none

    users = {u.username: u for u in get_user_model().objects.all()}
    assert {entry["username"] for entry in MANIFEST["users"]} == set(users)
    assert [g.name for g in users["editor"].groups.all()] == ["Editor"] and users["editor"].is_staff
    assert users["annotator"].check_password(DEMO_PASSWORD)
    annotations = Annotation.objects.alive()
    assert annotations.count() == len(MANIFEST["annotations"])  # every entry, once
    for annotation in annotations:  # anchored by the service: the quote is the text at the offsets
        assert annotation.section.text[annotation.start : annotation.end] == annotation.quote
    # Every entry is there as written: its brief, author, tags, actor and visibility.
    made = {
        (a.section.brief.slug, a.quote, a.author.username): (
            sorted(t.code for t in a.tags.all()),
            a.actor,
            a.visibility,
        )
        for a in annotations.select_related("section__brief", "author").prefetch_related("tags")
    }
    for entry in MANIFEST["annotations"]:
        key = (entry["brief"], entry["quote"], entry["author"])
        assert made[key] == (sorted(entry["tags"]), entry["actor"], entry["visibility"]), key
    # Every brief of the manifest has shared annotations, so every claims view shows something.
    for doc in MANIFEST["documents"]:
        slug = doc["metadata"]["slug"]
        assert annotations.filter(section__brief__slug=slug, visibility="shared").exists(), slug
    # Analysts may only annotate privately: theirs are private, and no one else's shared ones are.
    for annotation in annotations.filter(author__groups__name="Analyst"):
        assert annotation.visibility == "private"
    assert "demo users: analyst, annotator, editor" in out.getvalue()
    # The demo reads as intended: the annotator sees the shared claims and their own, not the
    # analysts' notes.
    client.force_login(users["annotator"])
    page = client.get("/briefs/kinu-co-19-05/").content.decode()
    on_kinu = annotations.filter(section__brief__slug="kinu-co-19-05")
    visible = (
        on_kinu.filter(visibility="shared").count()
        + on_kinu.filter(visibility="private", author=users["annotator"]).count()
    )
    assert page.count('class="margin-item') == visible


def test_the_demo_briefs_span_the_years_with_their_metadata():
    call_command("load_demo", stdout=StringIO())
    years = {b.slug: b.year for b in Brief.objects.all()}
    assert years == {
        "dprk-joint-editorial-1995": 1995,
        "dprk-new-year-2013": 2013,
        "fntimes-pompeo-kang-call": 2018,
        "kinu-co-19-05": 2019,
        "wh-dprk-press-call-2021": 2021,
        "wh-camp-david-fact-sheet-2023": 2023,
    }
    editorial = Brief.objects.get(slug="dprk-joint-editorial-1995")
    assert [s.heading for s in editorial.sections.order_by("position")] == ["해 제", "원 문"]
    assert Brief.objects.get(slug="wh-dprk-press-call-2021").language == "en"
    assert Brief.objects.get(slug="wh-camp-david-fact-sheet-2023").organisation == "The White House"


def test_an_entry_can_anchor_on_a_later_occurrence_in_a_named_section():
    from annotations.models import Annotation
    from briefs.demo import demo_annotations_load, demo_users_load

    call_command("load_demo", stdout=StringIO())
    demo_users_load([{"username": "editor", "role": "editor"}])
    entry = {
        "brief": "kinu-co-19-05",
        "quote": "쌍중단",
        "tags": ["freeze-for-freeze"],
        "actor": "unspecified",
        "author": "editor",
        "visibility": "shared",
    }
    assert demo_annotations_load([entry, {**entry, "section": 4, "occurrence": 1}]) == 2
    assert demo_annotations_load([entry, {**entry, "section": 4, "occurrence": 1}]) == 0
    first, second = Annotation.objects.order_by("pk")
    section = Section.objects.get(brief__slug="kinu-co-19-05", position=4)
    # The first occurrence in the brief is in that section too (the heading is not text).
    assert (first.section, first.start) == (section, section.text.index("쌍중단"))
    assert second.section == section
    assert second.start == section.text.index("쌍중단", section.text.index("쌍중단") + 1)


def test_with_users_is_skipped_when_debug_is_off(settings):
    settings.DEBUG = False
    err = StringIO()
    call_command("load_demo", "--with-users", stdout=StringIO(), stderr=err)
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.exists()
    assert "published password" in err.getvalue()
    assert Brief.objects.count() == len(MANIFEST["documents"])  # the briefs and the codebook still load


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"quote": "이 문장은 브리프에 없다"}, "not in kinu-co-19-05"),
        ({"tags": ["no-such-tag"]}, "unknown tag"),
        ({"brief": "no-such-brief"}, "no brief or author"),
        ({"author": "nobody"}, "no brief or author"),
        ({"section": 99}, "not in kinu-co-19-05 section 99"),
        ({"section": 2, "occurrence": 5}, "only 1 occurrence"),
        ({"occurrence": -1}, "occurrence must be"),
        ({"occurrence": "1"}, "occurrence must be"),
        ({"section": "2"}, "section must be"),
        ({"quote": ""}, "empty quote"),
    ],
)
def test_a_bad_demo_annotation_is_refused_and_none_is_written(settings, change, message):
    from annotations.models import Annotation
    from briefs.demo import DemoDataError, demo_annotations_load, demo_users_load

    call_command("load_demo", stdout=StringIO())
    demo_users_load([{"username": "annotator", "role": "annotator"}])
    good = {
        "brief": "kinu-co-19-05",
        "quote": "영변의 모든 핵시설을 영구적으로 폐기",
        "tags": ["yongbyon-dismantlement"],
        "actor": "dprk",
        "author": "annotator",
        "visibility": "shared",
    }
    with pytest.raises(DemoDataError, match=message):
        demo_annotations_load([good, {**good, **change}])
    assert not Annotation.objects.exists()  # the good one before it was rolled back too
