from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from annotations.models import Category, Tag
from briefs.models import Brief, Section

pytestmark = pytest.mark.django_db


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
    assert counts[0] == 2
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
    call_command("load_demo", "--with-users", stdout=StringIO())
    from django.contrib.auth import get_user_model

    from annotations.models import Annotation
    from briefs.demo import DEMO_PASSWORD

    users = {u.username: u for u in get_user_model().objects.all()}
    assert {"analyst", "annotator", "editor"} <= set(users)
    assert [g.name for g in users["editor"].groups.all()] == ["Editor"] and users["editor"].is_staff
    assert users["annotator"].check_password(DEMO_PASSWORD)
    annotations = Annotation.objects.alive()
    assert annotations.count() == 10  # the second run added none
    for annotation in annotations:  # anchored by the service: the quote is the text at the offsets
        assert annotation.section.text[annotation.start : annotation.end] == annotation.quote
    assert annotations.filter(visibility="private").get().author == users["analyst"]
    assert "demo users: analyst, annotator, editor" in out.getvalue()
    # The demo reads as intended: the annotator sees the shared claims, not the analyst's note.
    client.force_login(users["annotator"])
    page = client.get("/briefs/kinu-co-19-05/").content.decode()
    assert page.count('class="margin-item') == 9


def test_with_users_is_skipped_when_debug_is_off(settings):
    settings.DEBUG = False
    err = StringIO()
    call_command("load_demo", "--with-users", stdout=StringIO(), stderr=err)
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.exists()
    assert "published password" in err.getvalue()
    assert Brief.objects.count() == 2  # the briefs and the codebook still load


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"quote": "이 문장은 브리프에 없다"}, "not in kinu-co-19-05"),
        ({"tags": ["no-such-tag"]}, "unknown tag"),
        ({"brief": "no-such-brief"}, "no brief or author"),
        ({"author": "nobody"}, "no brief or author"),
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
