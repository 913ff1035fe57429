"""The reader's Claims panel: every count equals an independent SQL count, privacy holds, and
each count's link filters the reader to exactly the passages it counts."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains

from annotations.claims.overview import brief_claims_overview
from annotations.models import Annotation, Tag
from tests.claims.conftest import world_build
from tests.factories import (
    AnnotationFactory,
    BriefFactory,
    CategoryFactory,
    SectionFactory,
    TagFactory,
    UserFactory,
)
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db

TEXT = "미국은 빅딜을 요구했고 북한은 단계적 접근을 고수했다. 제재 완화가 핵심 쟁점이었다."


@pytest.fixture
def panel_world(annotator, annotator2, analyst):
    """A brief with three sections and claims of every kind, and a second brief beside it."""
    brief = BriefFactory(slug="kinu-co-19-05", title="제2차 북미정상회담 평가")
    s1 = SectionFactory(brief=brief, position=1, heading="회담 개관", anchor="s1", text=TEXT)
    s2 = SectionFactory(brief=brief, position=2, heading="양자의 입장차", anchor="s2", text=TEXT)
    s3 = SectionFactory(brief=brief, position=3, heading="", kind="summary", anchor="s3", text=TEXT)
    approach = CategoryFactory(code="approach", label_en="Approach", label_ko="협상 방식", position=1)
    demands = CategoryFactory(code="demands", label_en="Demands", label_ko="요구", position=2)
    tags = {
        "big-deal": TagFactory(code="big-deal", label_en="Big deal", label_ko="빅딜", category=approach),
        "phased": TagFactory(code="phased", label_en="Phased approach", label_ko="단계적", category=approach),
        "relief": TagFactory(
            code="relief", label_en="Sanctions relief", label_ko="제재 완화", category=demands, active=False
        ),
        "loose": TagFactory(code="loose", label_en="Loose end", label_ko="기타 주장", category=None),
    }
    outsider = UserFactory(username="outsider")

    def claim(section, author, tag_codes, *, actor="unspecified", shared=True, start=0, length=5, **kw):
        return AnnotationFactory(
            section=section,
            author=author,
            tags=[tags[code] for code in tag_codes],
            actor=actor,
            visibility="shared" if shared else "private",
            start=start,
            length=length,
            **kw,
        )

    made = {
        "a_shared": claim(s1, annotator, ["big-deal"], actor="dprk"),
        "a_private_two_tags": claim(s2, annotator, ["big-deal", "phased"], actor="us", shared=False),
        "b_shared": claim(s2, annotator2, ["big-deal"], actor="dprk", start=6),
        "b_shared_2": claim(s1, annotator2, ["big-deal"], actor="dprk", start=10),
        "b_retired": claim(s3, annotator2, ["relief"]),
        "b_retired_2": claim(s3, annotator2, ["relief", "phased"], actor="dprk", start=8),
        "b_private": claim(s1, annotator2, ["big-deal", "relief"], actor="china", shared=False, start=3),
        "b_deleted": claim(s1, annotator2, ["big-deal"], actor="rok", deleted_at=timezone.now()),
        "c_private": claim(s3, outsider, ["phased"], actor="us", shared=False),
        "a_highlight": claim(s1, annotator, [], start=12),
        "b_highlight": claim(s2, annotator2, [], actor="us", start=14),
        "b_loose": claim(s1, annotator2, ["loose"], actor="rok", start=20),
        "analyst_private": claim(s2, analyst, ["phased"], actor="china", shared=False, start=2),
    }
    other = SectionFactory(brief=BriefFactory(slug="other"), anchor="o1", text=TEXT)
    made["other_brief"] = claim(other, annotator2, ["big-deal"], actor="dprk")
    return {"brief": brief, "sections": [s1, s2, s3], "tags": tags, "made": made, "outsider": outsider}


# The independent count: plain SQL over the tables, the visibility rule written out again.
VISIBLE = """
    FROM annotations_annotation a
    JOIN briefs_section s ON s.id = a.section_id
    JOIN annotations_annotation_tags x ON x.annotation_id = a.id
    JOIN annotations_tag t ON t.id = x.tag_id
    LEFT JOIN annotations_category c ON c.id = t.category_id
    WHERE s.brief_id = %(brief)s AND a.deleted_at IS NULL
      AND (a.visibility = 'shared' OR a.author_id = %(user)s)
"""


def sql(select: str, user, brief, group: str = "", **extra) -> list[tuple]:
    where = "".join(f" AND {condition}" for condition in extra.pop("where", []))
    query = f"SELECT {select} {VISIBLE} {where} {'GROUP BY ' + group if group else ''}"
    with connection.cursor() as cursor:
        cursor.execute(query, {"brief": brief.pk, "user": user.pk, **extra})
        return cursor.fetchall()


def sql_counts(user, brief) -> dict:
    return {
        "total": sql("COUNT(DISTINCT a.id)", user, brief)[0][0],
        "tags": dict(sql("t.code, COUNT(DISTINCT a.id)", user, brief, "t.code")),
        "tag_actor": {
            (code, actor): n
            for code, actor, n in sql("t.code, a.actor, COUNT(DISTINCT a.id)", user, brief, "t.code, a.actor")
        },
        "categories": {
            code or "": n for code, n in sql("c.code, COUNT(DISTINCT a.id)", user, brief, "c.code")
        },
        "category_actor": {
            (code or "", actor): n
            for code, actor, n in sql("c.code, a.actor, COUNT(DISTINCT a.id)", user, brief, "c.code, a.actor")
        },
        "tag_section": {
            (code, anchor): n
            for code, anchor, n in sql(
                "t.code, s.anchor, COUNT(DISTINCT a.id)", user, brief, "t.code, s.anchor"
            )
        },
        "sections": dict(sql("s.anchor, COUNT(DISTINCT a.id)", user, brief, "s.anchor")),
        "actors": dict(sql("a.actor, COUNT(DISTINCT a.id)", user, brief, "a.actor")),
    }


def overview_counts(overview: dict) -> dict:
    """The same numbers read back out of the overview's shape."""
    actors = [a["key"] for a in overview["actors"]]
    tag_actor, category_actor = {}, {}
    for category in overview["categories"]:
        for actor, cell in zip(actors, category["cells"], strict=True):
            assert cell["actor"] == actor
            if cell["count"]:
                category_actor[(category["key"], actor)] = cell["count"]
        for tag in category["tags"]:
            for cell in tag["cells"]:
                if cell["count"]:
                    tag_actor[(tag["key"], cell["actor"])] = cell["count"]
    return {
        "total": overview["total"],
        "tags": {t["key"]: t["count"] for t in overview["tags"]},
        "tag_actor": tag_actor,
        "categories": {c["key"]: c["count"] for c in overview["categories"]},
        "category_actor": category_actor,
        "tag_section": {
            (cell["tag"], row["anchor"]): cell["count"]
            for row in overview["section_rows"]
            for cell in row["cells"]
            if cell["count"]
        },
        "sections": {s["anchor"]: s["count"] for s in overview["sections"]},
        "actors": {a["key"]: a["count"] for a in overview["actors"]},
    }


@pytest.mark.parametrize("viewer", ["annotator", "annotator2", "analyst", "outsider"])
def test_every_count_equals_an_independent_sql_count(panel_world, viewer, request, django_assert_num_queries):
    user = panel_world["outsider"] if viewer == "outsider" else request.getfixturevalue(viewer)
    with django_assert_num_queries(1):
        overview = brief_claims_overview(user=user, brief=panel_world["brief"])
    expected = sql_counts(user, panel_world["brief"])
    assert overview_counts(overview) == expected
    assert expected["total"] > 0  # the fixture is not empty for anyone


def test_counts_equal_the_sql_on_a_random_world_for_every_user_and_brief(codebook):
    # The claims core's world: four briefs, four users, random tags, actors, deletions.
    built = world_build(seed=31, count=150)
    for user in built.users.values():
        for brief in built.briefs.values():
            assert overview_counts(brief_claims_overview(user=user, brief=brief)) == sql_counts(user, brief)


def test_the_fixture_counts_by_hand_for_the_first_annotator(panel_world, annotator):
    # Not only equal to the SQL: the numbers a person would count on the fixture.
    counts = overview_counts(brief_claims_overview(user=annotator, brief=panel_world["brief"]))
    # a_shared, a_private_two_tags, b_shared, b_shared_2, b_retired, b_retired_2, b_loose
    assert counts["total"] == 7
    assert counts["tags"] == {"big-deal": 4, "phased": 2, "relief": 2, "loose": 1}
    # the claim with two tags of one category counts once for the category
    assert counts["categories"] == {"approach": 5, "demands": 2, "": 1}
    assert counts["tag_actor"][("big-deal", "dprk")] == 3
    assert counts["tag_section"] == {
        ("big-deal", "s1"): 2,
        ("big-deal", "s2"): 2,
        ("phased", "s2"): 1,
        ("phased", "s3"): 1,
        ("relief", "s3"): 2,
        ("loose", "s1"): 1,
    }


def test_untagged_highlights_and_deleted_annotations_are_not_claims(panel_world, annotator2):
    before = brief_claims_overview(user=annotator2, brief=panel_world["brief"])
    AnnotationFactory(section=panel_world["sections"][0], author=annotator2, visibility="shared", start=30)
    Annotation.objects.filter(pk=panel_world["made"]["b_shared"].pk).update(deleted_at=timezone.now())
    after = brief_claims_overview(user=annotator2, brief=panel_world["brief"])
    assert after["total"] == before["total"] - 1
    assert overview_counts(after) == sql_counts(annotator2, panel_world["brief"])


def test_another_users_private_annotations_never_change_a_number_or_the_summary(panel_world, annotator):
    brief, sections = panel_world["brief"], panel_world["sections"]
    before = brief_claims_overview(user=annotator, brief=brief)
    secret = TagFactory(code="secret-tag", label_en="Secret claim", label_ko="비밀")
    for i in range(12):  # enough to be "most claimed" if it were counted
        AnnotationFactory(
            section=sections[i % 3],
            author=panel_world["outsider"],
            tags=[secret, panel_world["tags"]["big-deal"]],
            actor="china",
            start=i,
            visibility="private",
        )
    after = brief_claims_overview(user=annotator, brief=brief)
    assert after == before
    assert "Secret claim" not in after["summary"] and "China" not in after["summary"]
    # the outsider sees them
    assert (
        brief_claims_overview(user=panel_world["outsider"], brief=brief)["most_claimed"]["tag"] == "big-deal"
    )


def test_the_most_claimed_summary(panel_world, annotator, annotator2):
    overview = brief_claims_overview(user=annotator, brief=panel_world["brief"])
    assert overview["most_claimed"]["tag"] == "big-deal"
    assert overview["summary"] == (
        "Most claimed: Big deal — 4 annotations, mostly attributed to North Korea (DPRK), "
        "most in “회담 개관”, “양자의 입장차”."
    )
    # annotator2 sees their own private claim instead of annotator's: 4 again, elsewhere
    second = brief_claims_overview(user=annotator2, brief=panel_world["brief"])
    assert second["summary"] == (
        "Most claimed: Big deal — 4 annotations, mostly attributed to North Korea (DPRK), "
        "mostly in “회담 개관”."
    )
    # a tie is said, the codebook's order picks the first
    AnnotationFactory(
        section=panel_world["sections"][2], author=annotator2, tags=[panel_world["tags"]["relief"]], start=30
    )
    third = brief_claims_overview(user=annotator2, brief=panel_world["brief"])
    assert third["most_claimed"]["tag"] == "big-deal" and third["most_claimed"]["tied_with"] == ["relief"]
    assert "4 annotations, tied with Sanctions relief, mostly attributed" in third["summary"]


def test_a_retired_tag_still_counts_and_is_marked(panel_world, annotator2):
    brief, s3 = panel_world["brief"], panel_world["sections"][2]
    relief = panel_world["tags"]["relief"]
    for i in range(4):
        AnnotationFactory(section=s3, author=annotator2, tags=[relief], visibility="shared", start=20 + i)
    overview = brief_claims_overview(user=annotator2, brief=brief)
    tag = next(t for t in overview["tags"] if t["key"] == "relief")
    assert tag["active"] is False and tag["count"] == 7
    assert overview["summary"] == (
        "Most claimed: Sanctions relief (retired) — 7 annotations, mostly with no actor named, "
        "mostly in “Summary”."
    )


def test_anonymous_visitors_get_an_empty_overview_without_a_query(panel_world, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        overview = brief_claims_overview(user=AnonymousUser(), brief=panel_world["brief"])
    assert overview["total"] == 0 and overview["summary"] == ""


def test_a_brief_without_claims_says_so(client, annotator):
    brief = BriefFactory()
    SectionFactory(brief=brief, text=TEXT)
    client.force_login(annotator)
    response = client.get(f"/briefs/{brief.slug}/")
    assertContains(response, "No tagged claims you can see in this brief yet.")
    assertContains(response, "0 tagged claims")


def test_labels_follow_the_interface_language(panel_world, annotator):
    with translation.override("ko"):
        overview = brief_claims_overview(user=annotator, brief=panel_world["brief"])
        uncategorised = translation.gettext("Uncategorised")
    assert [c["label"] for c in overview["categories"]] == ["협상 방식", "요구", uncategorised]
    assert [t["label"] for t in overview["tags"]] == ["빅딜", "단계적", "제재 완화", "기타 주장"]


# The panel on the page ----------------------------------------------------------------------------


def reader(client, brief, **query):
    return client.get(f"/briefs/{brief.slug}/", query)


def margin_ids(tree, anchor: str | None = None) -> set[int]:
    scope = f"//section[@id='{anchor}']" if anchor else ""
    return {int(i) for i in tree.xpath(f"{scope}//li[contains(@class,'margin-item')]/@data-annotation-id")}


def counted_ids(user, brief, *, tag: str, actor: str | None = None, anchor: str | None = None) -> set[int]:
    where = ["t.code = %(tag)s"]
    if actor:
        where.append("a.actor = %(actor)s")
    if anchor:
        where.append("s.anchor = %(anchor)s")
    rows = sql("DISTINCT a.id", user, brief, where=where, tag=tag, actor=actor, anchor=anchor)
    return {row[0] for row in rows}


def test_the_panel_shows_the_counts_and_marks_the_retired_tag(client, panel_world, annotator):
    client.force_login(annotator)
    response = reader(client, panel_world["brief"])
    tree = page_tree(response)
    panel = tree.xpath("//details[@id='claims-overview']")[0]
    assert " ".join(panel.xpath("./summary")[0].text_content().split()) == "Claims 7 tagged claims"
    assert texts(panel, ".//p[@class='claims-summary']")[0].startswith(
        "Most claimed: Big deal — 4 annotations"
    )
    retired = panel.xpath(".//tr[@data-tag='relief']")[0]
    assert "is-retired" in retired.get("class") and retired.xpath(".//span[@class='retired-badge']")
    heads = texts(panel, ".//table[contains(@class,'claims-by-tag')]/thead//th")
    assert heads == [
        "Category and tag",
        "All actors",
        "United States",
        "North Korea (DPRK)",
        "South Korea (ROK)",
        "Unspecified",
    ]
    # section names link to the section anchors; the unnamed summary section is named for what it is
    links = panel.xpath(".//table[contains(@class,'claims-heat')]/tbody//th/a")
    assert [(a.get("href"), a.text_content()) for a in links] == [
        ("#s1", "회담 개관"),
        ("#s2", "양자의 입장차"),
        ("#s3", "Summary"),
    ]
    assert [a.get("lang") for a in links] == ["ko", "ko", None]
    # heat through classes only: the CSP forbids style attributes
    assert panel.xpath(".//*[@style]") == []
    heat = Counter(
        td.get("class") for td in panel.xpath(".//table[contains(@class,'claims-heat')]//td[@class]")
    )
    assert heat["heat-4"] == 3 and heat["heat-0"] > 0  # the three cells of 2, the maximum


def test_the_panel_is_only_for_signed_in_readers_and_only_on_the_whole_page(client, panel_world, annotator):
    brief = panel_world["brief"]
    assertNotContains(reader(client, brief), "claims-overview")
    client.force_login(annotator)
    partial = client.get(f"/briefs/{brief.slug}/", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "claims-overview" not in partial.content.decode()


def test_every_count_links_to_exactly_the_passages_it_counts(client, panel_world, annotator, settings):
    settings.MARGINALIA_READER_ANNOTATIONS_PER_SECTION = 50  # the whole fixture on the page
    brief = panel_world["brief"]
    client.force_login(annotator)
    overview = brief_claims_overview(user=annotator, brief=brief)
    checked = 0
    for tag in overview["tags"]:
        links = [(tag["url"], tag["count"], None, None)]
        links += [(c["url"], c["count"], c["actor"], None) for c in tag["cells"] if c["count"]]
        for row in overview["section_rows"]:
            for cell in row["cells"]:
                if cell["tag"] == tag["key"] and cell["count"]:
                    links.append((cell["url"], cell["count"], None, row["anchor"]))
        for url, count, actor, anchor in links:
            parts = urlsplit(url)
            assert parts.path == f"/briefs/{brief.slug}/"
            assert parts.fragment == (anchor or "annotated")
            tree = page_tree(client.get(f"{parts.path}?{parts.query}"))
            shown = margin_ids(tree, anchor)
            expected = counted_ids(annotator, brief, tag=tag["key"], actor=actor, anchor=anchor)
            assert shown == expected and len(shown) == count, (url, shown, expected)
            checked += 1
    assert checked >= 15


def browse_ids(client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200
    page = response.context["page"]
    assert not page.has_other_pages()
    return {a.pk for a in page.object_list}


def test_category_and_actor_totals_link_to_exactly_their_claims_on_the_annotations_page(
    client, panel_world, annotator
):
    brief = panel_world["brief"]
    client.force_login(annotator)
    overview = brief_claims_overview(user=annotator, brief=brief)
    everything = {row[0] for row in sql("DISTINCT a.id", annotator, brief)}
    assert browse_ids(client, overview["browse_url"]) == everything
    for actor in overview["actors"]:
        expected = {
            row[0]
            for row in sql(
                "DISTINCT a.id", annotator, brief, where=["a.actor = %(actor)s"], actor=actor["key"]
            )
        }
        assert browse_ids(client, actor["browse_url"]) == expected and len(expected) == actor["count"]
    for category in overview["categories"]:
        in_category = "c.code = %(category)s" if category["key"] else "c.id IS NULL"
        expected = {
            row[0]
            for row in sql("DISTINCT a.id", annotator, brief, where=[in_category], category=category["key"])
        }
        assert browse_ids(client, category["browse_url"]) == expected and len(expected) == category["count"]
        for cell in category["cells"]:
            expected = {
                row[0]
                for row in sql(
                    "DISTINCT a.id",
                    annotator,
                    brief,
                    where=[in_category, "a.actor = %(actor)s"],
                    category=category["key"],
                    actor=cell["actor"],
                )
            }
            assert browse_ids(client, cell["browse_url"]) == expected and len(expected) == cell["count"]


def test_the_links_on_the_page_are_the_overviews(client, panel_world, annotator):
    client.force_login(annotator)
    tree = page_tree(reader(client, panel_world["brief"]))
    hrefs = tree.xpath("//details[@id='claims-overview']//td/a/@href")
    assert "/briefs/kinu-co-19-05/?tag=big-deal&actor=dprk#annotated" in hrefs
    assert "/briefs/kinu-co-19-05/?tag=relief#s3" in hrefs
    counts = [int(n) for n in tree.xpath("//details[@id='claims-overview']//td/a/@data-count")]
    assert all(n > 0 for n in counts)


def test_hostile_labels_and_headings_are_escaped(client, annotator):
    brief = BriefFactory()
    section = SectionFactory(brief=brief, heading="<img src=x onerror=alert(1)>", anchor="h1", text=TEXT)
    tag = TagFactory(code="xss", label_en="<script>alert(1)</script>", label_ko="<b>굵게</b>")
    AnnotationFactory(section=section, author=annotator, tags=[tag])
    client.force_login(annotator)
    html = reader(client, brief).content.decode()
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "Most claimed: &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_korean_interface(client, panel_world, annotator):
    client.force_login(annotator)
    response = client.get(f"/briefs/{panel_world['brief'].slug}/", headers={"accept-language": "ko"})
    tree = page_tree(response)
    panel = tree.xpath("//details[@id='claims-overview']")[0]
    assert panel.get("lang") == "ko"
    assert "빅딜" in texts(panel, ".//tr[@data-tag='big-deal']/th")[0]
    heads = texts(panel, ".//table[contains(@class,'claims-heat')]/thead//th")
    assert [head.split()[0] for head in heads[1:5]] == ["빅딜", "단계적", "제재", "기타"]


def test_the_reader_adds_one_query_for_the_panel_whatever_the_claims(
    client, panel_world, annotator, django_assert_max_num_queries
):
    from django.test.utils import CaptureQueriesContext

    client.force_login(annotator)
    reader(client, panel_world["brief"])
    with CaptureQueriesContext(connection) as few:
        reader(client, panel_world["brief"])
    tags = list(Tag.objects.all())
    for i in range(200):
        AnnotationFactory(
            section=panel_world["sections"][i % 3],
            author=annotator,
            tags=[tags[i % len(tags)]],
            actor=["us", "dprk", "rok"][i % 3],
            start=i % 30,
            visibility="shared",
        )
    with CaptureQueriesContext(connection) as many:
        reader(client, panel_world["brief"])
    assert len(many) == len(few)
    claims_queries = [q for q in many.captured_queries if "GROUPING(g.category_id" in q["sql"]]
    assert len(claims_queries) == 1
