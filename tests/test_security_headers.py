"""Security headers on every page (a strict CSP, Permissions-Policy, no framing) and the deploy settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from briefs import previews
from tests.factories import AnnotationFactory, BriefFactory, SectionFactory
from tests.html import page_tree

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "object-src": ["'none'"],
}


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def pages(editor, codebook, kinu_bytes) -> dict[str, str]:
    """Every kind of HTML page, with tagged annotations so colours are on them."""
    brief = BriefFactory(slug="csp-brief")
    section = SectionFactory(brief=brief, text="영변의 모든 핵시설을 영구적으로 폐기하는 방안.")
    tag = codebook["end-of-war-declaration"]
    AnnotationFactory(section=section, author=editor, visibility="shared", tags=[tag])
    preview = previews.preview_create(owner=editor, data=kinu_bytes, filename="kinu.txt")
    return {
        "library": reverse("briefs:library"),
        "reader": reverse("briefs:reader", args=[brief.slug]),
        "search": reverse("search:search") + "?q=영변&kind=annotations",
        "codebook": reverse("codebook"),
        "browse": reverse("annotations:browse"),
        "export": reverse("export:page"),
        "import": reverse("briefs:import"),
        "preview": reverse("briefs:preview", args=[preview.token]),
        "edit": reverse("briefs:edit", args=[brief.slug]),
        "tokens": reverse("accounts:tokens"),
        "admin": reverse("admin:index"),
        "admin tags": reverse("admin:annotations_tag_changelist"),
        "admin tag form": reverse("admin:annotations_tag_add"),
        "api docs": "/api/v1/docs",
    }


def test_every_page_has_the_strict_policy_and_nothing_inline(client, editor, pages):
    client.force_login(editor)
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        header = response["Content-Security-Policy"]
        assert "unsafe-inline" not in header and "unsafe-eval" not in header, name
        assert directives(header) == POLICY, name
        tree = page_tree(response)
        # What the policy would refuse: style attributes, inline scripts, event handler attributes.
        assert tree.xpath("//@style") == [], name
        assert tree.xpath("//script[not(@src)][not(@type='application/json')]") == [], name
        assert tree.xpath("//style") == [], name
        handlers = [a for el in tree.iter() for a in el.attrib if a.lower().startswith("on")]
        assert handlers == [], name


def test_tag_colours_travel_as_data_attributes(client, editor, pages, codebook):
    client.force_login(editor)
    colour = codebook["end-of-war-declaration"].colour
    for name in ("reader", "browse", "codebook", "search"):
        tree = page_tree(client.get(pages[name]))
        assert colour in tree.xpath("//@data-hl"), name
        assert tree.xpath("//script[contains(@src, 'js/colours.js')]"), name


def test_htmx_injects_no_indicator_style(client):
    (meta,) = page_tree(client.get(reverse("briefs:library"))).xpath("//meta[@name='htmx-config']/@content")
    config = json.loads(meta)
    assert config["includeIndicatorStyles"] is False
    assert config["responseHandling"][0] == {"code": "204", "swap": False}


def test_the_sign_in_page_and_errors_have_the_policy_too(client):
    for response in (client.get(reverse("login")), client.get("/no-such-page/")):
        assert directives(response["Content-Security-Policy"]) == POLICY


def test_pages_refuse_framing_features_and_cross_site_referrers(client):
    response = client.get(reverse("briefs:library"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()"


def test_static_files_refuse_framing_too(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve from static/ as in development, no collectstatic
    for path in ("/static/css/app.css", "/static/js/colours.js", "/static/vendor/swagger-ui/swagger-ui.css"):
        response = client.get(path)
        response.close()  # whitenoise streams the file
        assert response.status_code == 200, path
        assert "whitenoise" not in response.get("Server", "")
        assert response["X-Frame-Options"] == "DENY", path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert "camera=()" in response["Permissions-Policy"], path


def test_https_only_settings_redirect_and_send_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("briefs:library"))
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get(reverse("healthz")).status_code == 200  # a plain-HTTP health check
    secure = client.get(reverse("briefs:library"), secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MARGINALIA_"))}
    environ.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-production-secret-of-more-than-thirty-two-characters-4d9f",
    "DJANGO_SECURE": "1",
    "DJANGO_ALLOWED_HOSTS": "example.org",
}


def settings_in(**env: str) -> dict:
    names = [
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER",
    ]  # fmt: skip
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = run(["-c", code], DJANGO_SETTINGS_MODULE="config.settings", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_with_the_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_django_secure_switches_on_https_only():
    assert settings_in(**PRODUCTION) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": None,
    }
    off = settings_in(DJANGO_DEBUG="1")
    assert off["SECURE_SSL_REDIRECT"] is False and off["SECURE_HSTS_SECONDS"] == 0


def test_hsts_and_the_proxy_header_are_configurable():
    values = settings_in(
        **PRODUCTION,
        DJANGO_HSTS_SECONDS="600",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="0",
        DJANGO_HSTS_PRELOAD="0",
        DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https",
    )
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is values["SECURE_HSTS_PRELOAD"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.parametrize("header", ["X-Forwarded-Proto", ": https", "X-Forwarded-Proto:"])
def test_a_malformed_proxy_header_stops_startup(header):
    result = run(["manage.py", "check"], **PRODUCTION, DJANGO_SECURE_PROXY_SSL_HEADER=header)
    assert result.returncode != 0 and "DJANGO_SECURE_PROXY_SSL_HEADER" in result.stderr


@pytest.mark.parametrize(
    "env", [{"MARGINALIA_LOGIN_FAILURES": "0"}, {"MARGINALIA_LOGIN_COOLOFF_MINUTES": "-5"}]
)
def test_a_nonsensical_login_throttle_stops_startup(env):
    result = run(["manage.py", "check"], DJANGO_DEBUG="1", **env)
    assert result.returncode != 0 and "MARGINALIA_LOGIN_FAILURES" in result.stderr


def test_the_login_throttle_is_configurable():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds())"
    )
    result = run(
        ["-c", code],
        DJANGO_SETTINGS_MODULE="config.settings",
        MARGINALIA_LOGIN_FAILURES="10",
        MARGINALIA_LOGIN_COOLOFF_MINUTES="60",
    )
    assert result.stdout.split() == ["10", "3600.0"], result.stderr
