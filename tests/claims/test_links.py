"""Every count of the claims views links to the Annotations page listing exactly those claims."""

from __future__ import annotations

import re

import pytest

from annotations.claims.filters import ClaimsFilters
from annotations.claims.queries import claims_cooccurrence, claims_matrix, claims_timeline
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db


def listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    (status,) = texts(page_tree(response), "//p[contains(@class, 'browse-count')]")
    return int(re.search(r"\d+", status).group())


def every_link(payload: dict) -> list[tuple[str, int]]:
    links = []
    for name in ("row_keys", "column_keys", "series", "tags"):
        links += [(k["url"], k["total"]) for k in payload.get(name, [])]
    for name in ("cells", "points"):
        links += [(c["url"], c["count"]) for c in payload.get(name, [])]
    if "total_url" in payload:
        links.append((payload["total_url"], payload["total"]))
    if payload.get("undated_url"):
        links.append((payload["undated_url"], payload["undated"]))
    return links


@pytest.mark.parametrize(
    "build",
    [
        lambda u: claims_matrix(user=u, rows="brief", columns="tag", filters=ClaimsFilters()),
        lambda u: claims_matrix(
            user=u, rows="tag", columns="category", filters=ClaimsFilters(actors=("us", "dprk"))
        ),
        lambda u: claims_matrix(
            user=u, rows="year", columns="organisation", filters=ClaimsFilters(visibility="mine")
        ),
        lambda u: claims_matrix(
            user=u, rows="annotator", columns="actor", filters=ClaimsFilters(categories=("sanctions",))
        ),
        lambda u: claims_timeline(user=u, series="tag", bucket="month", filters=ClaimsFilters()),
        lambda u: claims_timeline(user=u, series="actor", bucket="brief", filters=ClaimsFilters()),
        lambda u: claims_cooccurrence(user=u, scope="passage", filters=ClaimsFilters()),
        lambda u: claims_cooccurrence(user=u, scope="section", filters=ClaimsFilters(years=(2019, None))),
    ],
)
def test_every_count_links_to_exactly_its_claims(world, client, build):
    alice = world.users["alice"]
    client.force_login(alice)
    links = every_link(build(alice))
    assert links
    for url, count in links:
        assert listed(client, url) == count, url


def test_the_listing_never_shows_another_users_private_claim(world, client):
    carol = world.users["carol"]
    client.force_login(carol)
    response = client.get("/annotations/browse/?claims=1&annotator=alice&annotator=bob")
    hrefs = page_tree(response).xpath("//a[@class='browse-quote']/@href")
    shown = {int(href.rsplit("-", 1)[1]) for href in hrefs}
    private = {a.pk for a in world.annotations if a.visibility == "private" and a.author_id != carol.pk}
    assert shown and not shown & private


@pytest.mark.parametrize(
    "query",
    [
        "claims=1&year=99999",
        "claims=1&date_from=2019-02-30",
        "claims=1&date_from=" + "9" * 5000,
        "claims=1&actor=nobody",
        "claims=1&pair=a,b,c&scope=paragraph",
        "claims=1&tag=" + "x" * 100,
        "claims=1&" + "&".join(f"brief=b{i}" for i in range(300)),
    ],
)
def test_bad_claims_links_say_what_is_wrong(world, client, query):
    client.force_login(world.users["alice"])
    response = client.get(f"/annotations/browse/?{query}")
    assert response.status_code == 200
    errors = texts(page_tree(response), "//section[@class='browse-claims']//ul[@class='errorlist']/li")
    assert errors, query
