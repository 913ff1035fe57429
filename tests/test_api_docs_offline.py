"""/api/v1/docs serves Swagger UI from our own static files: no CDN, no inline script."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.html import page_tree

pytestmark = pytest.mark.django_db

VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "swagger-ui"
DOCS = "/api/v1/docs"


def test_the_docs_page_names_no_other_origin(client):
    response = client.get(DOCS)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r"(?:https?:)?//[\w.-]+", html) == []  # not one absolute or protocol-relative URL
    tree = page_tree(response)
    refs = tree.xpath("//script/@src | //link/@href | //img/@src")
    assert sorted(refs) == [
        "/static/js/api-docs.js",
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui.css",
    ]
    assert tree.xpath("//script[not(@src)]") == []  # the start-up code is static/js/api-docs.js


def test_the_docs_settings_point_at_our_schema(client):
    (root,) = page_tree(client.get(DOCS)).xpath("//*[@id='swagger-ui']")
    settings = json.loads(root.get("data-settings"))
    assert settings["url"] == "/api/v1/openapi.json"
    assert client.get(settings["url"]).status_code == 200


def test_the_docs_assets_are_served(client, settings):
    settings.WHITENOISE_USE_FINDERS = True
    for ref in page_tree(client.get(DOCS)).xpath("//script/@src | //link/@href"):
        response = client.get(ref)
        response.close()  # whitenoise streams the file
        assert response.status_code == 200, ref


def test_the_vendored_copy_is_pinned_and_licensed():
    package = json.loads((VENDOR / "package.json").read_text())
    assert package["name"] == "swagger-ui-dist"
    assert re.fullmatch(r"5\.\d+\.\d+", package["version"])
    assert package["license"] == "Apache-2.0"
    assert "Apache License" in (VENDOR / "LICENSE").read_text()
    assert package["version"] in (VENDOR / "README.md").read_text()
