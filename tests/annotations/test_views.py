from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from annotations.models import Annotation
from tests.annotations.conftest import YONGBYON
from tests.factories import AnnotationFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db
CREATE = "/annotations/"


def post(client: Client, url: str, body, **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **extra)


@pytest.fixture
def as_annotator(client, annotator):
    client.force_login(annotator)
    return client


def payload(section, quote=YONGBYON, **extra):
    start = section.text.index(quote)
    return {"section": section.pk, "start": start, "end": start + len(quote), "quote": quote} | extra


def test_create_returns_the_rerendered_section(as_annotator, section, codebook):
    body = payload(section, tags=["yongbyon-dismantlement"], actor="dprk", visibility="shared", note="n")
    response = post(as_annotator, CREATE, body)
    assert response.status_code == 201, response.content
    data = response.json()
    annotation = Annotation.objects.get()
    assert data["id"] == annotation.pk and data["shown"] is True
    assert data["permalink"] == f"/annotations/{annotation.pk}/"
    assert data["message"] == "Saved shared tagged claim."
    assertContains(
        _html(data["section_html"]),
        f'<mark id="annotation-{annotation.pk}" class="hl hl-tagged" data-annotation-id="{annotation.pk}"'
        f' data-annotation-ids="{annotation.pk}" data-hl="#ffb74d"'
        f' title="Yongbyon dismantlement · North Korea (DPRK) · annotator">{YONGBYON}</mark>',
        html=True,
    )
    assert 'id="annotation-filters"' in data["filters_html"]
    assert (annotation.actor, annotation.note, annotation.visibility) == ("dprk", "n", "shared")


def _html(fragment: str):
    from django.http import HttpResponse

    return HttpResponse(fragment)


def test_create_rerenders_under_the_pages_filters(as_annotator, section, codebook):
    response = post(as_annotator, CREATE + "?tag=big-deal", payload(section))
    assert response.status_code == 201
    assert response.json()["shown"] is False
    assert "<mark" not in response.json()["section_html"]


def test_create_plain_highlight_via_http(as_annotator, section):
    response = post(as_annotator, CREATE, payload(section))
    assert response.status_code == 201
    assert response.json()["message"] == "Saved private highlight."


def _status_and_error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]


@pytest.mark.parametrize(
    ("mutate", "status", "message"),
    [
        (lambda p: p | {"start": -5}, 400, "start"),
        (lambda p: p | {"start": p["end"], "end": p["start"]}, 400, "reversed"),
        (lambda p: p | {"end": 10**9}, 400, "out of range"),
        (lambda p: p | {"start": "abc"}, 400, "start"),
        (lambda p: p | {"start": 1.5}, 400, "start"),
        (lambda p: p | {"start": True}, 400, "start"),
        (lambda p: p | {"section": "1 OR 1=1"}, 400, "no longer exists"),
        (lambda p: p | {"section": 10**15}, 400, "no longer exists"),
        (lambda p: p | {"section": None}, 400, "section"),
        (lambda p: p | {"quote": p["quote"][1:] + "x"}, 409, "no longer matches"),
        (lambda p: p | {"quote": ""}, 400, "quote"),
        (lambda p: p | {"tags": ["no-such-tag"]}, 400, "Unknown or inactive tag"),
        (lambda p: p | {"tags": "big-deal"}, 400, "list"),
        (lambda p: p | {"tags": [{"$ne": 1}]}, 400, "tag"),
        (lambda p: p | {"actor": "mars"}, 400, "actor"),
        (lambda p: p | {"visibility": "public"}, 400, "visibility"),
        (lambda p: p | {"note": "가" * 5001}, 400, "note"),
        (lambda p: {}, 400, "required"),
    ],
)
def test_create_rejects_hostile_input(as_annotator, section, codebook, mutate, status, message):
    response = post(as_annotator, CREATE, mutate(payload(section)))
    code, error = _status_and_error(response)
    assert code == status, error
    assert message.lower() in error.lower()
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    "body",
    ["{not json", "", "[1, 2, 3]", '"a string"', "null", b"\xff\xfe\x00garbage"],
)
def test_create_rejects_garbage_bodies(as_annotator, body):
    response = post(as_annotator, CREATE, body)
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_create_rejects_an_inactive_tag(as_annotator, section):
    TagFactory(code="retired", active=False)
    code, error = _status_and_error(post(as_annotator, CREATE, payload(section, tags=["retired"])))
    assert code == 400 and "retired" in error


def test_create_rejects_a_body_over_the_size_limit(as_annotator, section, settings):
    body = json.dumps(payload(section, note="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)))
    response = post(as_annotator, CREATE, body)
    assert response.status_code == 400
    assert not Annotation.objects.exists()


def test_create_on_a_deleted_section(as_annotator, section):
    body = payload(section)
    gone = SectionFactory()
    body["section"] = gone.pk
    gone.delete()
    code, error = _status_and_error(post(as_annotator, CREATE, body))
    assert code == 400 and "no longer exists" in error


def test_analyst_may_not_share_over_http(client, analyst, section):
    client.force_login(analyst)
    code, error = _status_and_error(post(client, CREATE, payload(section, visibility="shared")))
    assert code == 403 and "private" in error
    assert post(client, CREATE, payload(section)).status_code == 201


def test_anonymous_may_not_write(client, section, annotator):
    annotation = AnnotationFactory(section=section, author=annotator, visibility="shared")
    for url in (CREATE, f"/annotations/{annotation.pk}/edit/", f"/annotations/{annotation.pk}/delete/"):
        code, error = _status_and_error(post(client, url, payload(section)))
        assert code == 401 and "Sign in" in error
    assert Annotation.objects.count() == 1 and Annotation.objects.alive().count() == 1


def test_missing_csrf_token_is_refused(annotator, section):
    client = Client(enforce_csrf_checks=True)
    client.force_login(annotator)
    response = post(client, CREATE, payload(section))
    assert response.status_code == 403
    assert not Annotation.objects.exists()


def test_csrf_token_in_header_is_accepted(annotator, section):
    client = Client(enforce_csrf_checks=True)
    client.force_login(annotator)
    page = client.get(reverse("briefs:reader", args=[section.brief.slug]))
    token = page.context["csrf_token"]
    response = post(client, CREATE, payload(section), headers={"x-csrftoken": str(token)})
    assert response.status_code == 201


def test_writes_refuse_get(as_annotator):
    assert as_annotator.get(CREATE).status_code == 405


def test_update_and_delete_own(as_annotator, section, annotator, codebook):
    annotation = AnnotationFactory(section=section, author=annotator)
    response = post(
        as_annotator,
        f"/annotations/{annotation.pk}/edit/",
        {"tags": ["big-deal"], "actor": "us", "note": "수정", "visibility": "shared"},
    )
    assert response.status_code == 200, response.content
    annotation.refresh_from_db()
    assert (annotation.actor, annotation.note, annotation.visibility) == ("us", "수정", "shared")
    response = post(as_annotator, f"/annotations/{annotation.pk}/delete/", {})
    assert response.status_code == 200
    assert response.json()["message"] == "Annotation deleted."
    annotation.refresh_from_db()
    assert annotation.deleted_at is not None
    assert "<mark" not in response.json()["section_html"]


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_someone_elses_private_annotation_is_404(client, annotator2, section, annotator, action):
    annotation = AnnotationFactory(section=section, author=annotator, note="secret")
    client.force_login(annotator2)
    code, error = _status_and_error(post(client, f"/annotations/{annotation.pk}/{action}/", {}))
    assert code == 404 and "not visible" in error
    annotation.refresh_from_db()
    assert annotation.note == "secret" and annotation.deleted_at is None


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_someone_elses_shared_annotation_is_403(client, annotator2, section, annotator, action):
    annotation = AnnotationFactory(section=section, author=annotator, visibility="shared", note="mine")
    client.force_login(annotator2)
    body = {"note": "vandal", "visibility": "shared"}
    code, error = _status_and_error(post(client, f"/annotations/{annotation.pk}/{action}/", body))
    assert code == 403 and "may not" in error
    annotation.refresh_from_db()
    assert annotation.note == "mine" and annotation.deleted_at is None


def test_editor_moderates_shared_annotations(client, editor, section, annotator):
    annotation = AnnotationFactory(section=section, author=annotator, visibility="shared")
    client.force_login(editor)
    body = {"tags": [], "actor": "rok", "note": "", "visibility": "shared"}
    assert post(client, f"/annotations/{annotation.pk}/edit/", body).status_code == 200
    assert post(client, f"/annotations/{annotation.pk}/delete/", {}).status_code == 200


def test_deleted_annotation_cannot_be_edited(as_annotator, section, annotator):
    annotation = AnnotationFactory(section=section, author=annotator, deleted_at=timezone.now())
    response = post(as_annotator, f"/annotations/{annotation.pk}/edit/", {"note": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path", ["/annotations/abc/edit/", "/annotations/-1/delete/", "/annotations/1.5/card/"]
)
def test_non_integer_ids_are_404(as_annotator, path):
    assert as_annotator.post(path).status_code == 404


def test_edit_with_hostile_input(as_annotator, section, annotator):
    annotation = AnnotationFactory(section=section, author=annotator)
    url = f"/annotations/{annotation.pk}/edit/"
    assert post(as_annotator, url, "{{{").status_code == 400
    assert post(as_annotator, url, {"note": "x" * 6000}).status_code == 400
    assert post(as_annotator, url, {"tags": ["nope"]}).status_code == 400
    annotation.refresh_from_db()
    assert annotation.note == ""


def test_card_shows_details_and_actions_when_permitted(client, section, annotator, annotator2, codebook):
    annotation = AnnotationFactory(
        section=section,
        author=annotator,
        visibility="shared",
        actor="dprk",
        note="<b>note</b>",
        tags=[codebook["yongbyon-dismantlement"]],
    )
    client.force_login(annotator)
    response = client.get(f"/annotations/{annotation.pk}/card/")
    assertContains(response, "<dd>North Korea (DPRK)</dd>", html=True)
    assertContains(response, "<dd>&lt;b&gt;note&lt;/b&gt;</dd>", html=True)
    assertContains(response, "<dd>annotator</dd>", html=True)
    assertContains(
        response, f'<a class="card-permalink" href="/annotations/{annotation.pk}/">Permalink</a>', html=True
    )
    assertContains(response, 'data-action="delete-annotation"')
    client.force_login(annotator2)
    response = client.get(f"/annotations/{annotation.pk}/card/")
    assert response.status_code == 200
    assertNotContains(response, 'data-action="edit-annotation"')
    assertNotContains(response, 'data-action="delete-annotation"')


def test_permalink_redirects_to_the_reader_anchor(client, section, annotator):
    annotation = AnnotationFactory(section=section, author=annotator)
    client.force_login(annotator)
    response = client.get(f"/annotations/{annotation.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/briefs/{section.brief.slug}/#annotation-{annotation.pk}"


def test_permalink_for_anonymous_asks_to_sign_in(client, section, annotator):
    annotation = AnnotationFactory(section=section, author=annotator, visibility="shared")
    response = client.get(f"/annotations/{annotation.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_edit_keeps_fields_left_out(as_annotator, section, annotator, codebook):
    annotation = AnnotationFactory(
        section=section, author=annotator, actor="dprk", visibility="shared", tags=[codebook["big-deal"]]
    )
    response = post(as_annotator, f"/annotations/{annotation.pk}/edit/", {"note": "덧붙임"})
    assert response.status_code == 200, response.content
    annotation.refresh_from_db()
    assert (annotation.actor, annotation.visibility, annotation.note) == ("dprk", "shared", "덧붙임")
    assert [t.code for t in annotation.tags.all()] == ["big-deal"]
