from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from annotations.models import Annotation
from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db


def _create(section, author, **kwargs) -> Annotation:
    fields = {"start": 0, "end": 2, "quote": section.text[0:2]} | kwargs
    with transaction.atomic():
        return Annotation.objects.create(section=section, author=author, **fields)


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"start": -1, "end": 1, "quote": "xx"}, "annotation_start_not_negative"),
        # An empty or reversed span breaks more than one rule: either refusal will do.
        ({"start": 3, "end": 3, "quote": ""}, "annotation_(start_before_end|quote_not_empty)"),
        ({"start": 4, "end": 2, "quote": "xx"}, "annotation_(start_before_end|quote_matches_span)"),
        ({"start": 0, "end": 2, "quote": ""}, "annotation_(quote_not_empty|quote_matches_span)"),
        ({"start": 0, "end": 5, "quote": "이번"}, "annotation_quote_matches_span"),
        ({"actor": "mars"}, "annotation_actor_valid"),
        ({"visibility": "public"}, "annotation_visibility_valid"),
        ({"note": "x" * 5001}, "annotation_note_max_length"),
    ],
)
def test_database_refuses_invalid_annotations(section, annotator, fields, constraint):
    with pytest.raises(IntegrityError, match=constraint):
        _create(section, annotator, **fields)


def test_quote_length_constraint_counts_code_points(section, annotator):
    start = section.text.index("🇰🇷")
    annotation = _create(section, annotator, start=start, end=start + 2, quote="🇰🇷")
    assert annotation.pk


def test_section_with_annotations_cannot_be_deleted(section, annotator):
    AnnotationFactory(section=section, author=annotator)
    with pytest.raises(ProtectedError):
        section.delete()


def test_brief_with_annotations_cannot_be_deleted(section, annotator):
    AnnotationFactory(section=section, author=annotator)
    with pytest.raises(ProtectedError):
        section.brief.delete()


def test_alive_excludes_soft_deleted(section, annotator):
    from django.utils import timezone

    kept = AnnotationFactory(section=section, author=annotator)
    AnnotationFactory(section=section, author=annotator, deleted_at=timezone.now())
    assert list(Annotation.objects.alive()) == [kept]
