from __future__ import annotations

from pathlib import Path

import pytest

from annotations.models import Tag
from annotations.services import codebook_load_starter
from tests.factories import role_user

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
KINU_SAMPLE = SAMPLES / "001_b5edd7b7062599dc.txt"
NEWS_SAMPLE = SAMPLES / "000_44f3ef2e00101653.txt"


@pytest.fixture
def kinu_bytes() -> bytes:
    return KINU_SAMPLE.read_bytes()


@pytest.fixture
def news_bytes() -> bytes:
    return NEWS_SAMPLE.read_bytes()


@pytest.fixture
def codebook(db) -> dict[str, Tag]:
    codebook_load_starter()
    return {tag.code: tag for tag in Tag.objects.all()}


@pytest.fixture
def analyst(db):
    return role_user("analyst", username="analyst")


@pytest.fixture
def annotator(db):
    return role_user("annotator", username="annotator")


@pytest.fixture
def annotator2(db):
    return role_user("annotator", username="annotator2")


@pytest.fixture
def editor(db):
    return role_user("editor", username="editor")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _interface_language_reset():
    """Start every test in the default language: LocaleMiddleware leaves the last request's
    language active in the thread, so a Korean page would otherwise translate the next test."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
