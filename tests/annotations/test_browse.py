"""The annotations page: everything the user may see across briefs, filtered, never others' private."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import AnnotationFactory, BriefFactory, SectionFactory
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db
BROWSE = reverse("annotations:browse")


def listed(response) -> list[int]:
    hrefs = page_tree(response).xpath("//ol[@class='browse-list']//a[@class='browse-quote']/@href")
    return [int(href.rsplit("#annotation-", 1)[1]) for href in hrefs]


@pytest.fixture
def world(annotator, annotator2, codebook):
    one = SectionFactory(brief=BriefFactory(slug="one", title="첫째 브리프"))
    two = SectionFactory(brief=BriefFactory(slug="two", title="둘째 브리프"))
    return {
        "mine_private": AnnotationFactory(
            section=one, author=annotator, visibility="private", note="<b>x</b>"
        ),
        "mine_shared": AnnotationFactory(
            section=two, author=annotator, visibility="shared", tags=[codebook["big-deal"]], actor="us"
        ),
        "theirs_shared": AnnotationFactory(section=one, author=annotator2, visibility="shared", actor="dprk"),
        "theirs_private": AnnotationFactory(
            section=two, author=annotator2, visibility="private", note="SECRET"
        ),
        "deleted": AnnotationFactory(
            section=one, author=annotator, visibility="shared", deleted_at=timezone.now(), note="GONE"
        ),
    }


def test_sign_in_is_required(client):
    assert client.get(BROWSE).status_code == 302


def test_lists_what_the_user_may_see_newest_first(client, annotator, world):
    client.force_login(annotator)
    response = client.get(BROWSE)
    tree = page_tree(response)
    assert sorted(listed(response)) == sorted(
        world[k].pk for k in ("mine_private", "mine_shared", "theirs_shared")
    )
    assert "SECRET" not in response.content.decode() and "GONE" not in response.content.decode()
    assert texts(tree, "//p[@class='browse-note']") == ["<b>x</b>"]  # shown as text
    assert not tree.xpath("//p[@class='browse-note']/b")  # never as markup
    assert texts(tree, "//p[@class='browse-count']") == ["3 annotations."]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"brief": "two"}, ["mine_shared"]),
        ({"tag": "big-deal"}, ["mine_shared"]),
        ({"actor": "dprk"}, ["theirs_shared"]),
        ({"annotator": "annotator2"}, ["theirs_shared"]),
        ({"mine": "1"}, ["mine_private", "mine_shared"]),
        ({"q": "<b>"}, ["mine_private"]),
        ({"brief": "two", "annotator": "annotator2"}, []),  # their private one stays hidden
    ],
)
def test_filters(client, annotator, annotator2, world, params, expected):
    client.force_login(annotator)
    assert sorted(listed(client.get(BROWSE, params))) == sorted(world[k].pk for k in expected)


@pytest.mark.parametrize(
    "params",
    [
        {"page": "999"},
        {"page": "-1"},
        {"page": "x"},
        {"actor": "nobody"},
        {"brief": "../x"},
        {"q": "a" * 500},
    ],
)
def test_hostile_parameters_never_break_the_page(client, annotator, world, params):
    client.force_login(annotator)
    assert client.get(BROWSE, params).status_code == 200


def test_queries_do_not_grow_with_the_rows(client, annotator, codebook, django_assert_max_num_queries):
    client.force_login(annotator)
    section = SectionFactory()
    AnnotationFactory(section=section, author=annotator, tags=[codebook["big-deal"]])
    with django_assert_max_num_queries(12) as few:
        client.get(BROWSE)
    for _ in range(40):
        AnnotationFactory(section=SectionFactory(), author=annotator, tags=[codebook["big-deal"]])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(BROWSE)


EXPORT_CASES = [
    {},
    {"brief": "two"},
    {"tag": "big-deal"},
    {"actor": "dprk"},
    {"annotator": "annotator2"},
    {"mine": "1"},
    {"q": "<b>"},
    {"brief": "one", "actor": "dprk", "q": ""},
    {"actor": "nobody", "brief": "one"},  # an invalid filter is dropped, on both pages alike
]


@pytest.mark.parametrize("params", EXPORT_CASES)
def test_export_these_carries_the_filters_to_the_export(client, annotator2, world, params):
    from urllib.parse import parse_qs, urlsplit

    from tests.factories import role_user

    editor = role_user("editor", username="editor")
    AnnotationFactory(section=world["mine_private"].section, author=editor, visibility="private", note="<b>y")
    client.force_login(editor)
    response = client.get(BROWSE, params)
    shown = sorted(listed(response))
    links = page_tree(response).xpath("//a[@class='browse-export']/@href")
    assert len(links) == 1
    url = urlsplit(links[0])
    assert url.path == reverse("export:page")
    query = parse_qs(url.query)
    if params.get("mine"):
        assert query["annotators"] == ["editor"]
    exported = client.get(reverse("export:download"), {**query, "format": "jsonl"})
    assert exported.status_code == 200
    ids = sorted(json.loads(line)["id"] for line in b"".join(exported).splitlines())
    assert ids == shown


def test_no_export_link_for_those_who_may_not_export(client, annotator, world):
    client.force_login(annotator)
    assert not page_tree(client.get(BROWSE)).xpath("//a[@class='browse-export']")


def test_filters_fold_behind_one_button(client, annotator, world):
    client.force_login(annotator)
    tree = page_tree(client.get(BROWSE, {"tag": "big-deal"}))
    (fold,) = tree.xpath("//details[@data-browse-fold]")
    assert fold.get("open") is not None  # open without a script: browse.js folds it on a phone
    assert texts(fold, "./summary") == ["Filters (in use)"]
    assert fold.xpath("./form[@class='browse-filters']")
