"""The W3C JSON-LD presenter: every kind of annotation passes the official MUST assertions."""

from __future__ import annotations

import pytest
from django.utils import timezone

from annotations.feed import annotation_prefetch
from annotations.models import Annotation
from annotations.w3c import ANNO_CONTEXT, annotation_id, annotation_jsonld
from tests.api.conftest import TEXT, YONGBYON
from tests.api.helpers import w3c_must_failures, w3c_validate_cli
from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db
BASE = "https://marginalia.example.org"


@pytest.fixture
def kinds(section, annotator, codebook) -> dict[str, Annotation]:
    at = TEXT.index(YONGBYON)
    made = {
        "highlight": AnnotationFactory(section=section, author=annotator, start=0, length=2),
        "tagged": AnnotationFactory(
            section=section,
            author=annotator,
            start=at,
            length=len(YONGBYON),
            visibility="shared",
            tags=[codebook["sanctions-partial-relief"]],
        ),
        "multi_tag": AnnotationFactory(
            section=section,
            author=annotator,
            start=3,
            length=4,
            visibility="shared",
            actor="dprk",
            tags=[codebook["sanctions-partial-relief"], codebook["yongbyon-dismantlement"]],
        ),
        "note": AnnotationFactory(
            section=section, author=annotator, start=10, length=5, note="A note <b>&</b>"
        ),
        "private": AnnotationFactory(
            section=section, author=annotator, start=20, length=3, tags=[codebook["big-deal"]], note="mine"
        ),
        # A quote at the very end of the section: no suffix.
        "edge": AnnotationFactory(section=section, author=annotator, start=len(TEXT) - 3, length=3),
        "deleted": AnnotationFactory(
            section=section, author=annotator, start=30, length=3, deleted_at=timezone.now()
        ),
    }
    loaded = annotation_prefetch(Annotation.objects.filter(pk__in=[a.pk for a in made.values()]))
    by_pk = {a.pk: a for a in loaded}
    return {name: by_pk[a.pk] for name, a in made.items()}


@pytest.mark.parametrize("kind", ["highlight", "tagged", "multi_tag", "note", "private", "edge"])
def test_every_kind_passes_the_w3c_musts(kinds, kind):
    doc = annotation_jsonld(kinds[kind], base_url=BASE)
    assert doc["type"] == "Annotation"
    assert w3c_must_failures(doc) == []


def test_a_deleted_annotation_is_a_tombstone_not_an_annotation(kinds):
    doc = annotation_jsonld(kinds["deleted"], base_url=BASE)
    assert doc["type"] == "as:Tombstone"
    assert doc["id"] == annotation_id(kinds["deleted"], base_url=BASE)
    assert "target" not in doc and "body" not in doc
    # Checked as an Annotation it must fail: it is not one.
    assert w3c_must_failures(doc, kind="annotation") != []


def test_the_cli_validates_a_page_of_every_kind(kinds, tmp_path):
    page = {
        "@context": ANNO_CONTEXT,
        "id": f"{BASE}/api/v1/w3c/annotations/?page=0",
        "type": "AnnotationPage",
        "partOf": {"id": f"{BASE}/api/v1/w3c/annotations/", "total": 6},
        "startIndex": 0,
        "items": [
            annotation_jsonld(a, base_url=BASE, with_context=False)
            for name, a in kinds.items()
            if name != "deleted"
        ],
    }
    result = w3c_validate_cli(page, tmp_path)
    assert result.returncode == 0, result.stdout
    assert "RESULT: PASS" in result.stdout


def test_mapping_of_selectors_bodies_and_creator(kinds):
    doc = annotation_jsonld(kinds["multi_tag"], base_url=BASE)
    quote, position = doc["target"]["selector"]
    annotation = kinds["multi_tag"]
    assert quote == {
        "type": "TextQuoteSelector",
        "exact": annotation.quote,
        "prefix": annotation.prefix,
        "suffix": annotation.suffix,
    }
    assert position == {"type": "TextPositionSelector", "start": 3, "end": 7}
    assert doc["target"]["source"] == f"{BASE}/briefs/kinu-co-19-05/#s2"
    labels = [b["value"] for b in doc["body"] if b["purpose"] == "tagging"]
    assert labels == [tag.label_en for tag in annotation.tags.all()]
    assert "Partial sanctions relief" in labels
    classified = [b["source"] for b in doc["body"] if b["purpose"] == "classifying"]
    assert classified == [
        *(f"{BASE}/api/v1/tags/{tag.code}" for tag in annotation.tags.all()),
        "urn:marginalia:actor:dprk",
    ]
    assert doc["creator"] == {
        "id": "acct:annotator@marginalia.example.org",
        "type": "Person",
        "name": "annotator",
        "nickname": "annotator",
    }
    assert doc["motivation"] == ["tagging", "classifying"]
    assert doc["created"].endswith("Z") and doc["modified"].endswith("Z")


def test_note_and_highlight_motivations(kinds):
    note = annotation_jsonld(kinds["note"], base_url=BASE)
    assert note["motivation"] == "commenting"
    assert note["body"] == {
        "type": "TextualBody",
        "purpose": "commenting",
        "value": "A note <b>&</b>",
        "format": "text/plain",
    }
    highlight = annotation_jsonld(kinds["highlight"], base_url=BASE)
    assert highlight["motivation"] == "highlighting"
    assert "body" not in highlight
    edge = annotation_jsonld(kinds["edge"], base_url=BASE)
    assert "suffix" not in edge["target"]["selector"][0]


def test_without_context_for_embedding(kinds):
    assert "@context" not in annotation_jsonld(kinds["tagged"], base_url=BASE, with_context=False)


def test_presenting_a_prefetched_page_costs_no_queries(kinds, django_assert_num_queries):
    annotations = list(kinds.values())
    with django_assert_num_queries(0):
        for annotation in annotations:
            annotation_jsonld(annotation, base_url=BASE)
