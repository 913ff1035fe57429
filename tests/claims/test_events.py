"""The claims timeline's events list: selector, services, payload, pages and their refusals."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from annotations.claims.events import (
    event_create,
    event_delete,
    event_list,
    event_payload,
    event_update,
)
from annotations.models import Event
from tests.factories import UserFactory
from tests.html import page_tree

pytestmark = pytest.mark.django_db

LIST = "/claims/events/"
NEW = "/claims/events/new/"
SEED = importlib.import_module("annotations.migrations.0010_seed_events")
SEEDED = len(SEED.EVENTS)


@pytest.fixture(autouse=True)
def seeded(db) -> None:
    """The summits of the seed migration: a transactional test elsewhere in the run (the
    browser tests) flushes the tables, migration data included."""
    for date, end_date, label_ko, label_en in SEED.EVENTS:
        Event.objects.get_or_create(
            date=SEED._day(date),
            label_en=label_en,
            defaults={"end_date": SEED._day(end_date), "label_ko": label_ko},
        )


def edit_url(event: Event) -> str:
    return f"/claims/events/{event.pk}/edit/"


def delete_url(event: Event) -> str:
    return f"/claims/events/{event.pk}/delete/"


def form(**overrides) -> dict[str, str]:
    values = {
        "date": "2019-02-27",
        "end_date": "2019-02-28",
        "label_ko": "하노이 실무회담",
        "label_en": "Hanoi working talks",
        "description": "",
    }
    return {**values, **overrides}


@pytest.fixture
def hanoi() -> Event:
    return Event.objects.get(label_en="Hanoi summit")


# Selector, services, payload ------------------------------------------------------------------


def test_the_seeded_summits_are_listed_in_date_order():
    events = list(event_list())
    assert len(events) == SEEDED
    assert [e.date for e in events] == sorted(e.date for e in events)
    assert events[1].label_en == "Singapore summit" and events[1].date == dt.date(2018, 6, 12)


def test_event_list_keeps_events_that_touch_the_period():
    # Pyongyang ran 18-20 September 2018: a period starting on the 19th still holds it.
    labels = [e.label_en for e in event_list(date_from=dt.date(2018, 9, 19), date_to=dt.date(2019, 2, 27))]
    assert labels == ["Pyongyang inter-Korean summit", "Hanoi summit"]
    assert [e.label_en for e in event_list(date_from=dt.date(2019, 10, 6))] == []
    assert [e.label_en for e in event_list(date_to=dt.date(2018, 4, 27))] == [
        "Inter-Korean summit, Panmunjom"
    ]


def test_event_payload_has_the_timeline_shape_in_either_language(hanoi):
    singapore = Event.objects.get(label_en="Singapore summit")
    assert event_payload([hanoi, singapore], "en") == [
        {"date": "2019-02-27", "end_date": "2019-02-28", "label": "Hanoi summit", "id": hanoi.pk},
        {"date": "2018-06-12", "end_date": None, "label": "Singapore summit", "id": singapore.pk},
    ]
    assert event_payload(event_list(date_from=dt.date(2019, 2, 1), date_to=dt.date(2019, 3, 1)), "ko") == [
        {"date": "2019-02-27", "end_date": "2019-02-28", "label": "하노이 북미정상회담", "id": hanoi.pk}
    ]


def test_event_create_trims_labels_and_saves():
    event = event_create(
        date=dt.date(2019, 4, 25), label_ko="  북러 정상회담 ", label_en="Kim–Putin summit\n"
    )
    event.refresh_from_db()
    assert (event.label_ko, event.label_en, event.end_date) == ("북러 정상회담", "Kim–Putin summit", None)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"end_date": dt.date(2019, 2, 26)}, "end_date", "The end date is before the start date."),
        ({"label_ko": "   "}, "label_ko", "Enter a label in Korean and in English."),
        ({"label_en": ""}, "label_en", "Enter a label in Korean and in English."),
        ({"label_en": "x" * 10_000}, "label_en", "at most 200 characters (this one has 10000)"),
        ({"description": "x" * 2001}, "description", "at most 2000 characters"),
        ({"date": dt.date(1799, 12, 31), "end_date": None}, "date", "between the years 1800 and 2200"),
        ({"end_date": dt.date(2201, 1, 1)}, "end_date", "between the years 1800 and 2200"),
        ({"date": "2019-02-27"}, "date", "Enter a date as YYYY-MM-DD."),
        ({"date": None}, "date", "Enter the event's date."),
        ({"label_en": "Hanoi summit"}, "label_en", "There is already an event “Hanoi summit” on 2019-02-27."),
    ],
)
def test_event_create_refuses_bad_values_by_field(fields, field, message):
    values = {
        "date": dt.date(2019, 2, 27),
        "end_date": dt.date(2019, 2, 28),
        "label_ko": "가",
        "label_en": "A",
    }
    with pytest.raises(ValidationError) as caught:
        event_create(**{**values, **fields})
    assert any(message in error for error in caught.value.message_dict[field]), caught.value.message_dict
    assert Event.objects.count() == SEEDED


def test_event_update_changes_only_what_it_is_given_and_may_keep_its_own_date_and_label(hanoi):
    event_update(event=hanoi, description="No deal.")
    hanoi.refresh_from_db()
    assert (hanoi.label_en, hanoi.end_date, hanoi.description) == (
        "Hanoi summit",
        dt.date(2019, 2, 28),
        "No deal.",
    )
    event_update(event=hanoi, end_date=None)
    hanoi.refresh_from_db()
    assert hanoi.end_date is None
    with pytest.raises(ValidationError):
        event_update(event=hanoi, date=dt.date(2018, 6, 12), label_en="Singapore summit")
    with pytest.raises(TypeError):
        event_update(event=hanoi, colour="#fff")


def test_a_duplicate_that_slips_past_the_check_is_still_a_clear_error(hanoi, monkeypatch):
    # Two editors saving the same event at once both pass the check; the database refuses
    # the second, and the service says why in the same words.
    from annotations.claims import events

    monkeypatch.setattr(events, "_duplicate", lambda clean, instance: False)
    with pytest.raises(ValidationError) as caught:
        event_create(date=hanoi.date, label_ko="중복", label_en=hanoi.label_en)
    assert caught.value.message_dict["label_en"] == [
        "There is already an event “Hanoi summit” on 2019-02-27."
    ]
    assert Event.objects.count() == SEEDED


def test_event_delete_removes_it(hanoi):
    event_delete(event=hanoi)
    assert not Event.objects.filter(pk=hanoi.pk).exists()


# Pages ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["analyst", "annotator", "editor"])
def test_every_signed_in_user_reads_the_list(client, role, request):
    client.force_login(request.getfixturevalue(role))
    response = client.get(LIST)
    assert response.status_code == 200
    tree = page_tree(response)
    assert len(tree.xpath("//li[contains(@class,'event-item')]")) == SEEDED
    assertContains(response, '<span lang="ko">하노이 북미정상회담</span>', html=True)
    assertContains(response, '<time datetime="2019-02-27">', count=1)
    tools = tree.xpath("//a[@href='/claims/events/new/'] | //a[contains(@href,'/edit/')]")
    assert bool(tools) is (role == "editor")


def test_a_user_without_any_role_reads_the_list_too(client):
    client.force_login(UserFactory())
    assert client.get(LIST).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, hanoi):
    for url in (LIST, NEW, edit_url(hanoi), delete_url(hanoi)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    response = client.post(NEW, form())
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post(delete_url(hanoi))
    assert response.status_code == 302
    assert Event.objects.count() == SEEDED + 0 and Event.objects.filter(pk=hanoi.pk).exists()


def test_editor_adds_an_event(client, editor):
    client.force_login(editor)
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, form())
    event = Event.objects.get(label_en="Hanoi working talks")
    assert response.status_code == 302 and response["Location"] == f"/claims/events/#event-{event.pk}"
    assert (event.date, event.end_date, event.label_ko) == (
        dt.date(2019, 2, 27),
        dt.date(2019, 2, 28),
        "하노이 실무회담",
    )
    listing = client.get(LIST)
    assertContains(listing, "Saved “Hanoi working talks”.")
    assertContains(listing, f'id="event-{event.pk}"')


def test_editor_adds_a_one_day_event_with_an_empty_last_day(client, editor):
    client.force_login(editor)
    client.post(NEW, form(end_date="", label_en="One day"))
    assert Event.objects.get(label_en="One day").end_date is None


def test_editor_edits_an_event(client, editor, hanoi):
    client.force_login(editor)
    page = client.get(edit_url(hanoi))
    assert page.status_code == 200
    assertContains(page, '<input type="text" name="label_en" value="Hanoi summit"', count=1)
    assertContains(page, 'value="2019-02-27"')
    response = client.post(
        edit_url(hanoi), form(label_ko=hanoi.label_ko, label_en="Hanoi summit (no deal)", description="결렬")
    )
    assert response.status_code == 302
    hanoi.refresh_from_db()
    assert (hanoi.label_en, hanoi.description) == ("Hanoi summit (no deal)", "결렬")


def test_editor_deletes_an_event_after_confirming(client, editor, hanoi):
    client.force_login(editor)
    confirm = client.get(delete_url(hanoi))  # GET asks; it never deletes
    assert confirm.status_code == 200
    assertContains(confirm, "Delete this event")
    assert Event.objects.filter(pk=hanoi.pk).exists()
    response = client.post(delete_url(hanoi))
    assert response.status_code == 302 and response["Location"] == "/claims/events/"
    assert not Event.objects.filter(pk=hanoi.pk).exists()
    assertContains(client.get(LIST), "Deleted “Hanoi summit”.")


@pytest.mark.parametrize("role", ["analyst", "annotator"])
def test_other_roles_are_refused_every_write(client, role, request, hanoi):
    client.force_login(request.getfixturevalue(role))
    for method, url, data in [
        ("get", NEW, None),
        ("post", NEW, form()),
        ("get", edit_url(hanoi), None),
        ("post", edit_url(hanoi), form(label_en="Renamed")),
        ("get", delete_url(hanoi), None),
        ("post", delete_url(hanoi), None),
    ]:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
        assert response.status_code == 403, (method, url)
        assertContains(response, "Only editors may change the timeline's events.", status_code=403)
    hanoi.refresh_from_db()
    assert hanoi.label_en == "Hanoi summit" and Event.objects.count() == SEEDED


def test_an_editor_who_lost_one_permission_is_refused_that_one(client, hanoi):
    from django.contrib.auth.models import Permission

    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_event"))
    client.force_login(user)
    assert client.get(edit_url(hanoi)).status_code == 200
    assert client.post(delete_url(hanoi)).status_code == 403
    assert client.get(NEW).status_code == 403
    assertNotContains(client.get(LIST), "/delete/")


# Hostile input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_date": "2019-02-26"}, "end_date", "The end date is before the start date."),
        ({"label_ko": "", "label_en": "  "}, "label_en", "Enter a label in Korean and in English."),
        ({"label_ko": "가" * 10_000}, "label_ko", "A label has at most 200 characters (this one has 10000)."),
        ({"date": "99999-01-01"}, "date", "Enter a date as YYYY-MM-DD."),
        ({"date": "2999-01-01"}, "date", "Enter a date between the years 1800 and 2200."),
        ({"date": "0001-01-01"}, "date", "Enter a date between the years 1800 and 2200."),
        ({"date": "last tuesday"}, "date", "Enter a date as YYYY-MM-DD."),
        ({"date": "2019-02-30"}, "date", "Enter a date as YYYY-MM-DD."),
        ({"end_date": "<script>alert(1)</script>"}, "end_date", "Enter a date as YYYY-MM-DD."),
        ({"date": ""}, "date", "Enter the event's date."),
        ({"label_en": "a\x00b"}, "label_en", "Null characters are not allowed."),
        ({"description": "설명" * 1001}, "description", "at most 2000 characters"),
        ({"date": "2019-02-27", "end_date": "2019-02-28", "label_en": "Hanoi summit"}, "label_en", "already"),
    ],
)
def test_hostile_form_values_are_shown_as_errors_never_saved(client, editor, overrides, field, message):
    client.force_login(editor)
    response = client.post(NEW, form(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    assert Event.objects.count() == SEEDED
    assertContains(response, "form-errors", status_code=400)


def test_hostile_values_on_edit_leave_the_event_as_it_was(client, editor, hanoi):
    client.force_login(editor)
    response = client.post(edit_url(hanoi), form(end_date="2019-01-01", label_en="x" * 10_000))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"label_en", "end_date"}  # every problem at once
    hanoi.refresh_from_db()
    assert hanoi.end_date == dt.date(2019, 2, 28) and hanoi.label_en == "Hanoi summit"


def test_labels_are_escaped_on_the_list(client, editor):
    client.force_login(editor)
    client.post(NEW, form(label_en="<img src=x onerror=alert(1)>", label_ko="<b>굵게</b>"))
    response = client.get(LIST)
    html = response.content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>굵게</b>" not in html


@pytest.mark.parametrize("pk", ["0", "999999", "99999999999999999999"])
def test_unknown_ids_are_404(client, editor, pk):
    client.force_login(editor)
    for url in (f"/claims/events/{pk}/edit/", f"/claims/events/{pk}/delete/"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, form()).status_code == 404, url
    assert Event.objects.count() == SEEDED


def test_non_numeric_ids_do_not_resolve(client, editor):
    client.force_login(editor)
    assert client.get("/claims/events/abc/edit/").status_code == 404
    assert client.post("/claims/events/-1/delete/").status_code == 404


@pytest.mark.parametrize(
    ("method", "url"), [("put", NEW), ("delete", "DELETE"), ("patch", "EDIT"), ("post", LIST)]
)
def test_wrong_methods_are_405(client, editor, hanoi, method, url):
    client.force_login(editor)
    url = {"DELETE": delete_url(hanoi), "EDIT": edit_url(hanoi)}.get(url, url)
    assert getattr(client, method)(url).status_code == 405
    assert Event.objects.filter(pk=hanoi.pk).exists()


def test_writes_without_the_csrf_token_are_refused(editor, hanoi):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    for url, data in [(NEW, form()), (edit_url(hanoi), form(label_en="Renamed")), (delete_url(hanoi), {})]:
        response = client.post(url, data)
        assert response.status_code == 403, url
    hanoi.refresh_from_db()
    assert hanoi.label_en == "Hanoi summit" and Event.objects.count() == SEEDED
    # and with the token the same client may write
    page = client.get(delete_url(hanoi))
    token = page_tree(page).xpath("//input[@name='csrfmiddlewaretoken']/@value")[0]
    assert client.post(delete_url(hanoi), {"csrfmiddlewaretoken": token}).status_code == 302
    assert not Event.objects.filter(pk=hanoi.pk).exists()


def test_the_pages_answer_in_korean(client, editor, hanoi):
    client.force_login(editor)
    response = client.get(LIST, headers={"accept-language": "ko"})
    assert response.status_code == 200
    assert page_tree(response).xpath("/html/@lang") == ["ko"]


# Admin ------------------------------------------------------------------------------------------


def test_the_admin_lists_events_and_applies_the_same_rules(client, editor, hanoi):
    client.force_login(editor)
    assert client.get(reverse("admin:annotations_event_changelist")).status_code == 200
    url = reverse("admin:annotations_event_change", args=[hanoi.pk])
    response = client.post(
        url,
        {
            "date": "2019-02-27",
            "end_date": "2019-02-20",
            "label_ko": hanoi.label_ko,
            "label_en": "Hanoi summit",
        },
    )
    assert response.status_code == 200
    assertContains(response, "The end date is before the start date.")
    response = client.post(url, {"date": "2300-02-27", "label_ko": "가", "label_en": "B"})
    assertContains(response, "Enter a date between the years 1800 and 2200.")
    hanoi.refresh_from_db()
    assert hanoi.end_date == dt.date(2019, 2, 28)
