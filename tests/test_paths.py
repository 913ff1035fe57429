"""config.paths: the cached reverse() the presenters use answers what reverse() answers."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix

from config import paths


def test_a_cached_path_is_the_reversed_path():
    assert paths.path("briefs:reader", "kinu-co-19-05") == reverse("briefs:reader", args=["kinu-co-19-05"])
    assert paths.path("api:tag_get", "big-deal") == reverse("api:tag_get", kwargs={"code": "big-deal"})
    for pk in (1, 42, 10**12):
        assert paths.pk_path("w3c:annotation", pk) == reverse("w3c:annotation", args=[pk])


def test_the_script_prefix_is_part_of_the_key():
    before = paths.path("briefs:reader", "x")
    set_script_prefix("/marginalia/")
    try:
        assert paths.path("briefs:reader", "x") == "/marginalia" + before
        assert paths.pk_path("w3c:annotation", 7) == reverse("w3c:annotation", args=[7])
    finally:
        set_script_prefix("/")
    assert paths.path("briefs:reader", "x") == before


def test_another_urlconf_is_not_answered_from_the_cache():
    paths.path("briefs:reader", "x")
    with override_settings(ROOT_URLCONF="tests.urls_without_reader"), pytest.raises(NoReverseMatch):
        paths.path("briefs:reader", "x")


def test_a_pattern_without_an_argument_is_refused():
    with pytest.raises(NoReverseMatch):
        paths.pk_path("w3c:container", 1)
