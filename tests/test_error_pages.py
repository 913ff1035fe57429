"""The error pages speak the reader's language: 404, 403, the CSRF refusal and 500."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "heading", "lang"),
    [("en", "Page not found (404)", "en"), ("ko", "페이지를 찾을 수 없습니다 (404)", "ko")],
)
def test_a_missing_page_is_a_404_page_in_the_chosen_language(client, language, heading, lang):
    client.cookies["django_language"] = language
    response = client.get("/briefs/no-such-brief/")
    assert response.status_code == 404
    html = response.content.decode()
    assert heading in html
    assert f'<html lang="{lang}">' in html
    assert reverse("search:search") in html  # the way on: search and the library


def test_the_404_page_follows_accept_language_without_a_cookie(client):
    client.force_login(UserFactory())
    response = client.get("/annotations/999999/", headers={"accept-language": "ko-KR,ko;q=0.9"})
    assert response.status_code == 404
    assert "페이지를 찾을 수 없습니다" in response.content.decode()


def test_a_post_without_its_csrf_token_gets_the_translated_refusal():
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "ko"
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "양식이 만료되었습니다 (403)" in html
    assert "아무것도 저장되지 않았습니다" in html


@override_settings(DEBUG=False)
def test_a_bug_shows_the_translated_500_page():
    with translation.override("ko"):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "서버 오류 (500)" in response.content.decode()
