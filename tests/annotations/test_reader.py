from __future__ import annotations

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from annotations.models import Annotation
from tests.annotations.conftest import YONGBYON
from tests.factories import AnnotationFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db


def reader_url(brief, **params) -> str:
    from urllib.parse import urlencode

    url = reverse("briefs:reader", args=[brief.slug])
    return f"{url}?{urlencode(params)}" if params else url


@pytest.fixture
def secret(section, annotator, codebook):
    start = section.text.index(YONGBYON)
    return AnnotationFactory(
        section=section,
        author=annotator,
        start=start,
        length=len(YONGBYON),
        note="my private thought",
        tags=[codebook["yongbyon-dismantlement"]],
        actor="dprk",
    )


def test_reader_renders_highlight_margin_and_counts(client, annotator, secret, brief):
    client.force_login(annotator)
    response = client.get(reader_url(brief))
    assertContains(response, f'<mark id="annotation-{secret.pk}"', count=1)
    assertContains(
        response,
        f'<q lang="ko">{YONGBYON}</q>',
        html=True,
    )
    assertContains(
        response, '<span class="private-badge" title="Only you can see this">private</span>', html=True
    )
    assertContains(
        response,
        '<option value="yongbyon-dismantlement">영변 핵시설 폐기 · Yongbyon dismantlement (1)</option>',
        html=True,
    )
    assertContains(response, '<option value="annotator">annotator (1)</option>', html=True)
    assertContains(response, '<option value="dprk">North Korea (DPRK) (1)</option>', html=True)
    assertContains(response, "Only mine (1)")
    assertContains(response, 'data-create-url="/annotations/"')


def test_second_user_never_sees_the_first_users_private_highlight(client, annotator2, secret, brief):
    client.force_login(annotator2)
    response = client.get(reader_url(brief))
    html = response.content.decode()
    assert "<mark" not in html  # not in the text
    assert f'data-annotation-id="{secret.pk}"' not in html  # not in the margin list
    assert "my private thought" not in html
    assertContains(response, "0 annotations visible to you")  # not in the counts
    assertNotContains(response, "Yongbyon dismantlement (1)")
    assertNotContains(response, '<option value="annotator">')
    assert response.context["reader"].facets.total == 0
    # nor through the card, the permalink or a filter
    assert client.get(f"/annotations/{secret.pk}/card/").status_code == 404
    assert client.get(f"/annotations/{secret.pk}/").status_code == 404
    filtered = client.get(reader_url(brief, annotator="annotator", tag="yongbyon-dismantlement"))
    assert "<mark" not in filtered.content.decode()


def test_anonymous_reader_has_no_annotations_and_no_annotation_queries(
    client, secret, brief, django_assert_num_queries
):
    secret.visibility = "shared"
    secret.save()
    with django_assert_num_queries(2):
        response = client.get(reader_url(brief))
    html = response.content.decode()
    assert "<mark" not in html and "annotation-filters" not in html and "reader.js" not in html
    assertContains(response, "to see and add annotations.")


def test_shared_annotation_is_visible_to_others_without_edit_rights(client, annotator2, secret, brief):
    secret.visibility = "shared"
    secret.save()
    client.force_login(annotator2)
    response = client.get(reader_url(brief))
    assertContains(response, f'<mark id="annotation-{secret.pk}"', count=1)
    assertNotContains(response, "private-badge")


def test_filters_narrow_highlights_and_margin(client, annotator, secret, section, brief):
    plain = AnnotationFactory(section=section, author=annotator, start=0, length=2)
    client.force_login(annotator)
    response = client.get(reader_url(brief, tag="yongbyon-dismantlement"))
    html = response.content.decode()
    assert f'id="annotation-{secret.pk}"' in html and f'id="annotation-{plain.pk}"' not in html
    assertContains(response, "Showing 1 of 2 annotations")
    assertContains(response, "Clear filters")
    response = client.get(reader_url(brief, actor="us"))
    assert "<mark" not in response.content.decode()
    response = client.get(reader_url(brief, mine="1", actor="not-an-actor", tag="<script>"))
    assert response.status_code == 200  # invalid filters are dropped, never a 500
    assert response.context["reader"].filters.mine is True
    assert response.context["reader"].filters.actor is None


def test_htmx_request_gets_the_partial(client, annotator, secret, brief):
    client.force_login(annotator)
    response = client.get(reader_url(brief), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="annotated"')
    assert "<html" not in html and f'id="annotation-{secret.pk}"' in html


def test_annotation_whose_text_moved_is_reanchored_or_flagged(client, annotator, secret, section, brief):
    Annotation.objects.filter(pk=secret.pk).update(start=0, end=len(YONGBYON))  # stale offsets
    gone = AnnotationFactory(section=section, author=annotator, start=0, length=3)
    Annotation.objects.filter(pk=gone.pk).update(quote="없는말", prefix="", suffix="")
    client.force_login(annotator)
    response = client.get(reader_url(brief))
    html = response.content.decode()
    assert f'id="annotation-{secret.pk}"' in html  # found again by its quote
    assert f'id="annotation-{gone.pk}"' not in html
    assertContains(response, '<span class="lost-badge">text changed: passage not found</span>', html=True)


def test_reader_queries_stay_constant_with_a_thousand_annotations(
    client, section, brief, annotator, annotator2, codebook, django_assert_num_queries
):
    tags = list(codebook.values())
    second = SectionFactory(brief=brief, position=3, anchor="s3", text="가나다라마바사아자차카타파하" * 40)
    objs = []
    for i in range(1000):
        target = section if i % 2 else second
        start = (i * 7) % (len(target.text) - 12)
        end = start + 3 + i % 9
        objs.append(
            Annotation(
                section=target,
                author=annotator if i % 3 else annotator2,
                start=start,
                end=end,
                quote=target.text[start:end],
                visibility="shared" if i % 4 else "private",
                actor=["us", "dprk", "rok", "china"][i % 4],
            )
        )
    created = Annotation.objects.bulk_create(objs)
    through = Annotation.tags.through
    through.objects.bulk_create(
        through(annotation_id=a.pk, tag_id=tags[i % len(tags)].pk) for i, a in enumerate(created) if i % 5
    )
    client.force_login(annotator)
    # session, user, permissions (user's and groups' in one: config.auth), brief, sections,
    # the codebook, the annotations (authors joined, tag ids in an array), the facet counts
    # and the Claims panel's counts: constant however many annotations there are.
    with django_assert_num_queries(9):
        response = client.get(reader_url(brief))
    assert response.status_code == 200
    visible = sum(1 for i in range(1000) if i % 4 or (i % 3))
    assert response.context["reader"].shown == visible
    assert response.context["reader"].facets.total == visible
    with django_assert_num_queries(9):
        client.get(reader_url(brief, tag=tags[1].code))


def test_a_user_without_role_reads_but_cannot_annotate(client, secret, brief):
    client.force_login(UserFactory())
    response = client.get(reader_url(brief))
    assert response.status_code == 200
    assertNotContains(response, "data-create-url")
    assertNotContains(response, 'id="annotator"')


def test_the_brief_s_annotations_are_read_by_their_stored_position(client, annotator, secret, brief):
    # The reader, its filter counts and its Claims panel pick the brief's annotations by the
    # brief id kept on each (annotations.selectors.of_brief_q, one index range), not through
    # a join of the brief's sections: with 100,000 annotations elsewhere that join scanned the
    # whole "shared" index once per section (reader page 120 -> 78 ms, bench_reader.py).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(annotator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reader_url(brief))
    assert response.status_code == 200 and response.context["reader"].shown == 1
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "annotations_annotation"' in q["sql"]]
    assert len(reads) >= 3  # the annotations, the filter counts, the Claims panel
    for sql in reads:
        assert "position_brief" in sql, sql
        assert 'INNER JOIN "briefs_section"' not in sql, sql
        assert " IN (SELECT" not in sql, sql  # the counts read the visible rows as a table


def test_a_brief_s_annotations_follow_a_section_moved_to_another_brief(annotator, secret, brief):
    from annotations.selectors import annotation_list
    from tests.factories import BriefFactory

    other = BriefFactory()
    assert list(annotation_list(user=annotator, brief=brief)) == [secret]
    type(secret.section).objects.filter(pk=secret.section_id).update(brief=other, position=99)
    assert list(annotation_list(user=annotator, brief=brief)) == []
    assert list(annotation_list(user=annotator, brief=other)) == [secret]
