from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from annotations.selectors import annotation_facets, annotation_get, annotation_list, annotations_visible_to
from tests.factories import AnnotationFactory, BriefFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(section, annotator, annotator2, codebook):
    """annotator: private untagged, shared big-deal+phased (dprk); annotator2: private, shared (us)."""
    a = {
        "a1_private": AnnotationFactory(section=section, author=annotator, start=0, length=2),
        "a1_shared": AnnotationFactory(
            section=section,
            author=annotator,
            start=3,
            length=3,
            visibility="shared",
            actor="dprk",
            tags=[codebook["big-deal"], codebook["phased-approach"]],
        ),
        "a2_private": AnnotationFactory(
            section=section, author=annotator2, start=1, length=4, tags=[codebook["big-deal"]]
        ),
        "a2_shared": AnnotationFactory(
            section=section,
            author=annotator2,
            start=8,
            length=2,
            visibility="shared",
            actor="us",
            tags=[codebook["big-deal"]],
        ),
        "a2_deleted": AnnotationFactory(
            section=section, author=annotator2, visibility="shared", deleted_at=timezone.now()
        ),
    }
    other_brief = SectionFactory(brief=BriefFactory())
    a["elsewhere"] = AnnotationFactory(section=other_brief, author=annotator, visibility="shared")
    return a


def test_anonymous_sees_nothing(corpus):
    assert not annotations_visible_to(AnonymousUser()).exists()
    assert annotation_facets(user=AnonymousUser(), brief=corpus["a1_shared"].section.brief).total == 0


def test_user_sees_own_and_shared_but_not_others_private_or_deleted(corpus, annotator, brief):
    seen = set(annotation_list(user=annotator, brief=brief))
    assert seen == {corpus["a1_private"], corpus["a1_shared"], corpus["a2_shared"]}


def test_editor_does_not_see_private_annotations_either(corpus, editor, brief):
    assert set(annotation_list(user=editor, brief=brief)) == {corpus["a1_shared"], corpus["a2_shared"]}


def test_filters(corpus, annotator, brief):
    def ids(**filters):
        return {a.pk for a in annotation_list(user=annotator, brief=brief, **filters)}

    assert ids(tag="big-deal") == {corpus["a1_shared"].pk, corpus["a2_shared"].pk}
    assert ids(tag="phased-approach") == {corpus["a1_shared"].pk}
    assert ids(author="annotator2") == {corpus["a2_shared"].pk}
    assert ids(actor="us") == {corpus["a2_shared"].pk}
    assert ids(mine=True) == {corpus["a1_private"].pk, corpus["a1_shared"].pk}
    assert ids(tag="big-deal", mine=True) == {corpus["a1_shared"].pk}
    assert ids(tag="no-such-tag") == set()


def test_list_is_in_reading_order(corpus, annotator, brief):
    starts = [a.start for a in annotation_list(user=annotator, brief=brief)]
    assert starts == sorted(starts)


def test_get_refuses_what_the_user_may_not_see(corpus, annotator):
    from annotations.models import Annotation

    assert annotation_get(user=annotator, pk=corpus["a1_private"].pk) == corpus["a1_private"]
    for key in ("a2_private", "a2_deleted"):
        with pytest.raises(Annotation.DoesNotExist):
            annotation_get(user=annotator, pk=corpus[key].pk)
    with pytest.raises(Annotation.DoesNotExist):
        annotation_get(user=AnonymousUser(), pk=corpus["a1_shared"].pk)


def test_facets_count_each_dimension_in_one_query(
    corpus, annotator, brief, codebook, django_assert_num_queries
):
    with django_assert_num_queries(1):
        facets = annotation_facets(user=annotator, brief=brief)
    assert facets.total == 3
    assert facets.untagged == 1
    assert facets.mine == 2
    assert facets.tags == {codebook["big-deal"].pk: 2, codebook["phased-approach"].pk: 1}
    assert facets.authors == [("annotator", 2), ("annotator2", 1)]
    assert facets.actors == {"unspecified": 1, "dprk": 1, "us": 1}


def test_facets_for_the_other_user_hide_the_first_users_private(corpus, annotator2, brief, codebook):
    facets = annotation_facets(user=annotator2, brief=brief)
    assert facets.total == 3  # a1_shared, a2_private, a2_shared
    assert facets.authors == [("annotator", 1), ("annotator2", 2)]
    assert facets.untagged == 0


def test_facets_for_a_user_with_nothing(corpus, brief):
    facets = annotation_facets(user=UserFactory(), brief=brief)
    assert facets.total == 2 and facets.mine == 0
