"""The interface language: Accept-Language by default, the header's switcher (cookie, and the
profile when signed in), the stored choice applied at sign-in, and what refuses hostile input."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from briefs.previews import preview_create
from tests.factories import role_user
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
COOKIE = settings.LANGUAGE_COOKIE_NAME
SET_LANGUAGE = reverse("set_language")


@pytest.fixture
def ann(db):
    return role_user("annotator", username="ann")


def html_lang(response) -> str:
    return page_tree(response).xpath("/html/@lang")[0]


def nav(response) -> list[str]:
    return texts(page_tree(response), "//nav[contains(@class, 'site-nav')]/a")


def test_english_without_a_choice_or_an_accept_language(client):
    response = client.get("/")
    assert html_lang(response) == "en"
    assert nav(response)[:3] == ["Library", "Search", "Codebook"]


def test_the_browser_accept_language_chooses_korean(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9,en;q=0.5")
    assert html_lang(response) == "ko"
    assert nav(response)[:3] == ["서재", "검색", "코드북"]
    assert texts(page_tree(response), "//a[@class='skip-link']") == ["본문 바로가기"]


def test_the_switcher_is_a_plain_form_naming_each_language_in_itself(client):
    tree = page_tree(client.get("/search/?q=x"))
    (form,) = tree.xpath("//header//form[contains(@class, 'language-switcher')]")
    assert form.get("method") == "post"
    assert form.get("action") == SET_LANGUAGE
    assert form.get("aria-label") == "Interface language"
    assert form.xpath(".//input[@name='csrfmiddlewaretoken']")
    assert form.xpath(".//input[@name='next']/@value") == ["/search/?q=x"]
    buttons = [
        (b.get("value"), b.get("lang"), b.text_content(), b.get("aria-pressed"))
        for b in form.xpath(".//button")
    ]
    assert buttons == [("en", "en", "English", "true"), ("ko", "ko", "한국어", "false")]


def test_choosing_korean_sets_the_cookie_and_returns_to_the_page(client):
    response = client.post(SET_LANGUAGE, {"language": "ko", "next": "/search/?q=x"})
    assert response.status_code == 302
    assert response["Location"] == "/search/?q=x"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "ko"
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]
    assert int(cookie["max-age"]) == settings.LANGUAGE_COOKIE_AGE
    # The cookie outranks the browser's own Accept-Language from then on.
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(page) == "ko"
    assert page_tree(page).xpath("//button[@aria-pressed='true']/@value") == ["ko"]
    # Each language keeps its own name, whatever the interface language.
    assert texts(page_tree(page), "//form[contains(@class, 'language-switcher')]//button") == [
        "English",
        "한국어",
    ]


@pytest.mark.parametrize("language", ["fr", "", "xx-evil", "ko\u0000", "en" * 100])
def test_a_language_not_offered_is_refused_and_sets_nothing(client, ann, language):
    client.force_login(ann)
    response = client.post(SET_LANGUAGE, {"language": language, "next": "/"})
    assert response.status_code == 400
    assert COOKIE not in response.cookies
    assert not Profile.objects.filter(user=ann).exists()


def test_the_refusal_says_so_in_the_reader_language(client):
    response = client.post(SET_LANGUAGE, {"language": "fr"}, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 400
    assert html_lang(response) == "ko"
    assert (
        texts(page_tree(response), "//main/p")[0]
        == "제공하지 않는 언어입니다. English 또는 한국어를 선택하세요."
    )


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_a_next_address_off_the_site_is_not_followed(client, next_url):
    response = client.post(SET_LANGUAGE, {"language": "ko", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[COOKIE].value == "ko"  # the choice itself is still fine


def test_the_switcher_takes_only_a_post_with_its_csrf_token(ann):
    client = Client(enforce_csrf_checks=True)
    assert client.get(SET_LANGUAGE).status_code == 405
    response = client.post(SET_LANGUAGE, {"language": "ko", "next": "/"})
    assert response.status_code == 403
    assert COOKIE not in response.cookies


def test_a_signed_in_choice_is_stored_on_the_profile(client, ann):
    client.force_login(ann)
    client.post(SET_LANGUAGE, {"language": "ko", "next": "/"})
    assert Profile.objects.get(user=ann).language == "ko"
    client.post(SET_LANGUAGE, {"language": "en", "next": "/"})
    assert Profile.objects.get(user=ann).language == "en"


def sign_in(client: Client, username: str = "ann"):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD, "next": "/"})


def test_signing_in_applies_the_stored_language_on_a_fresh_browser(ann):
    Profile.objects.create(user=ann, language="ko")
    fresh = Client()
    response = sign_in(fresh)
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "ko"
    assert response.cookies[COOKIE]["httponly"]  # set as the switcher sets it
    assert html_lang(fresh.get("/", HTTP_ACCEPT_LANGUAGE="en")) == "ko"


def test_the_stored_language_wins_over_this_browser_cookie(client, ann):
    Profile.objects.create(user=ann, language="en")
    client.cookies[COOKIE] = "ko"
    assert sign_in(client).cookies[COOKIE].value == "en"


def test_a_choice_made_before_signing_in_is_stored_when_none_was(client, ann):
    client.post(SET_LANGUAGE, {"language": "ko", "next": "/"})
    sign_in(client)
    assert Profile.objects.get(user=ann).language == "ko"


def test_a_forged_language_cookie_is_not_stored_at_sign_in(client, ann):
    client.cookies[COOKIE] = "fr"
    response = sign_in(client)
    assert response.status_code == 302
    assert not Profile.objects.filter(user=ann).exists()
    assert COOKIE not in response.cookies


def test_a_wrong_password_stores_nothing(client, ann):
    client.cookies[COOKIE] = "ko"
    response = client.post(reverse("login"), {"username": "ann", "password": "wrong", "next": "/"})
    assert response.status_code == 200
    assert not Profile.objects.filter(user=ann).exists()


def test_the_database_refuses_a_language_not_offered(ann):
    with pytest.raises(IntegrityError):
        Profile.objects.create(user=ann, language="fr")


def test_the_input_guard_page_speaks_the_reader_language_and_the_api_stays_english(client):
    page = client.get("/search/?q=%00", HTTP_ACCEPT_LANGUAGE="ko")
    assert page.status_code == 400
    assert html_lang(page) == "ko"
    assert texts(page_tree(page), "//main/p")[0] == "쿼리 문자열에 NUL 문자가 들어 있습니다."
    api = client.get("/api/v1/briefs?q=%00", HTTP_ACCEPT_LANGUAGE="ko")
    assert api.status_code == 400
    assert api.json()["detail"] == "The query string contains a NUL character."


def test_dates_follow_the_language(client, editor, kinu_bytes):
    preview = preview_create(owner=editor, data=kinu_bytes, filename="kinu.txt")
    preview.created_at = datetime.datetime(2026, 3, 5, 14, 7, tzinfo=ZoneInfo(settings.TIME_ZONE))
    preview.save()
    client.force_login(editor)
    english = " ".join(texts(page_tree(client.get("/import/")), "//section[@class='pending-previews']//span"))
    korean = " ".join(
        texts(
            page_tree(client.get("/import/", HTTP_ACCEPT_LANGUAGE="ko")),
            "//section[@class='pending-previews']//span",
        )
    )
    assert "read 03/05/2026 2:07 p.m." in english
    assert "2026-3-5 14:07에 읽음" in korean


def test_in_production_the_language_cookie_is_secure_like_the_session_cookie():
    import json

    from tests.test_security_headers import PRODUCTION, run

    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.LANGUAGE_COOKIE_SECURE, settings.LANGUAGE_COOKIE_HTTPONLY]))"
    )
    production = run(["-c", code], DJANGO_SETTINGS_MODULE="config.settings", **PRODUCTION)
    assert production.returncode == 0, production.stderr
    assert json.loads(production.stdout) == [True, True]
    local = run(["-c", code], DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="1")
    assert json.loads(local.stdout) == [False, True]  # plain http://localhost keeps its choice
