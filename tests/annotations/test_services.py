from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotations.models import Annotation
from annotations.roles import Role
from annotations.services import (
    annotation_create,
    annotation_delete,
    annotation_update,
    user_create,
)
from tests.annotations.conftest import YONGBYON
from tests.factories import AnnotationFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def _create(user, section, quote=YONGBYON, **kwargs) -> Annotation:
    start = section.text.index(quote)
    fields = {"start": start, "end": start + len(quote), "quote": quote} | kwargs
    return annotation_create(user=user, section=section, **fields)


def test_create_tagged_claim_with_context(section, annotator, codebook):
    tag = codebook["yongbyon-dismantlement"]
    annotation = _create(annotator, section, tags=[tag], actor="dprk", note="DPRK offer", visibility="shared")
    annotation.refresh_from_db()
    start = section.text.index(YONGBYON)
    assert (annotation.start, annotation.end, annotation.quote) == (start, start + 20, YONGBYON)
    assert annotation.prefix == section.text[start - 32 : start]
    assert annotation.suffix == section.text[annotation.end : annotation.end + 32]
    assert len(annotation.prefix) == len(annotation.suffix) == 32
    assert list(annotation.tags.all()) == [tag]
    assert (annotation.actor, annotation.visibility, annotation.author) == ("dprk", "shared", annotator)


def test_create_prefix_is_short_at_the_start_of_the_text(section, analyst):
    annotation = _create(analyst, section, quote="이번")
    assert annotation.prefix == "" and annotation.suffix == section.text[2:34]


def test_create_counts_code_points_around_emoji(section, analyst):
    start = section.text.index("제재 완화")  # Python indexes code points
    annotation = _create(analyst, section, quote="제재 완화")
    assert annotation.start == start
    assert section.text[annotation.start - 3 : annotation.start] == "🇰🇷 "
    assert len(section.text.encode("utf-16-le")) // 2 > len(section.text)  # UTF-16 would differ


def test_create_plain_highlight_is_private_by_default(section, analyst):
    annotation = _create(analyst, section)
    assert annotation.visibility == "private" and not annotation.tags.exists()


def test_analyst_may_tag_privately(section, analyst, codebook):
    annotation = _create(analyst, section, tags=[codebook["big-deal"]])
    assert annotation.tags.count() == 1


def test_analyst_may_not_share(section, analyst):
    with pytest.raises(PermissionDenied, match="private"):
        _create(analyst, section, visibility="shared")
    assert not Annotation.objects.exists()


def test_user_without_role_may_not_annotate(section):
    with pytest.raises(PermissionDenied):
        _create(UserFactory(), section)


@pytest.mark.parametrize(
    ("start", "end"),
    [(-1, 3), (5, 5), (9, 4), (0, 10_000), (10**12, 10**12 + 1)],
)
def test_create_rejects_offsets_out_of_range(section, annotator, start, end):
    with pytest.raises(ValidationError, match="out of range"):
        annotation_create(user=annotator, section=section, start=start, end=end, quote="x")
    assert not Annotation.objects.exists()


def test_create_rejects_quote_mismatch(section, annotator):
    start = section.text.index(YONGBYON)
    with pytest.raises(ValidationError) as excinfo:
        annotation_create(user=annotator, section=section, start=start + 1, end=start + 21, quote=YONGBYON)
    assert excinfo.value.code == "quote_mismatch"


def test_create_compares_quote_as_nfc(section, annotator):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", YONGBYON)
    assert decomposed != YONGBYON
    start = section.text.index(YONGBYON)
    annotation = annotation_create(
        user=annotator, section=section, start=start, end=start + 20, quote=decomposed
    )
    assert annotation.quote == YONGBYON


def test_create_rejects_inactive_tag(section, annotator):
    tag = TagFactory(active=False)
    with pytest.raises(ValidationError, match="Inactive"):
        _create(annotator, section, tags=[tag])


@pytest.mark.parametrize(("field", "value"), [("actor", "mars"), ("visibility", "public")])
def test_create_rejects_unknown_choices(section, annotator, field, value):
    with pytest.raises(ValidationError):
        _create(annotator, section, **{field: value})


def test_create_rejects_huge_note(section, annotator):
    with pytest.raises(ValidationError, match="too long"):
        _create(annotator, section, note="가" * 5001)


def test_update_changes_fields_not_anchor(section, annotator, codebook):
    annotation = _create(annotator, section)
    annotation_update(
        user=annotator,
        annotation=annotation,
        tags=[codebook["big-deal"], codebook["phased-approach"]],
        actor="us",
        note="재검토",
        visibility="shared",
    )
    annotation.refresh_from_db()
    assert (annotation.actor, annotation.note, annotation.visibility) == ("us", "재검토", "shared")
    assert {t.code for t in annotation.tags.all()} == {"big-deal", "phased-approach"}
    assert annotation.quote == YONGBYON


def test_editor_may_edit_shared_but_not_change_its_visibility(section, annotator, editor, codebook):
    annotation = _create(annotator, section, visibility="shared")
    annotation_update(
        user=editor,
        annotation=annotation,
        tags=[codebook["big-deal"]],
        actor="dprk",
        note="",
        visibility="shared",
    )
    with pytest.raises(PermissionDenied, match="author"):
        annotation_update(
            user=editor, annotation=annotation, tags=[], actor="dprk", note="", visibility="private"
        )


def test_others_may_not_edit_or_delete(section, annotator, annotator2, editor):
    private = _create(annotator, section)
    shared = _create(annotator, section, visibility="shared")
    for user, annotation in [(annotator2, private), (annotator2, shared), (editor, private)]:
        with pytest.raises(PermissionDenied):
            annotation_update(
                user=user, annotation=annotation, tags=[], actor="us", note="", visibility="private"
            )
        with pytest.raises(PermissionDenied):
            annotation_delete(user=user, annotation=annotation)


def test_demoted_author_keeps_a_shared_annotation_shared(section, annotator):
    annotation = _create(annotator, section, visibility="shared")
    annotator.groups.clear()
    annotator = type(annotator).objects.get(pk=annotator.pk)  # drop the permission cache
    annotation_update(
        user=annotator, annotation=annotation, tags=[], actor="us", note="ok", visibility="shared"
    )
    assert annotation.note == "ok"


def test_analyst_may_not_share_by_editing(section, analyst):
    annotation = _create(analyst, section)
    with pytest.raises(PermissionDenied):
        annotation_update(
            user=analyst, annotation=annotation, tags=[], actor="us", note="", visibility="shared"
        )


def test_delete_is_soft_and_final(section, annotator, editor):
    shared = _create(annotator, section, visibility="shared")
    annotation_delete(user=editor, annotation=shared)
    shared.refresh_from_db()
    assert shared.deleted_at is not None
    assert Annotation.objects.filter(pk=shared.pk).exists()
    with pytest.raises(PermissionDenied):
        annotation_delete(user=annotator, annotation=shared)


def test_user_create_puts_user_in_role_group(db):
    editor = user_create(username="kim", role=Role.EDITOR, password="correct horse battery")
    annotator = user_create(username="lee", role=Role.ANNOTATOR, password="correct horse battery")
    assert editor.is_staff and not annotator.is_staff
    assert [g.name for g in editor.groups.all()] == ["Editor"]
    assert annotator.check_password("correct horse battery")


def test_user_create_refuses_duplicates_and_weak_passwords(db):
    user_create(username="kim", role=Role.ANALYST, password="correct horse battery")
    with pytest.raises(ValidationError, match="already exists"):
        user_create(username="KIM", role=Role.ANALYST, password="correct horse battery")
    with pytest.raises(ValidationError):
        user_create(username="park", role=Role.ANALYST, password="1234")


def test_factory_annotation_matches_service_invariants(section, annotator):
    annotation = AnnotationFactory(section=section, author=annotator, start=3, length=4)
    assert annotation.quote == section.text[3:7]


def test_an_edit_of_the_tags_drops_the_callers_stale_prefetch(db, codebook):
    from annotations.selectors import annotation_get
    from annotations.services import annotation_update
    from tests.factories import AnnotationFactory

    made = AnnotationFactory(visibility="private")
    made.tags.add(codebook["big-deal"])
    fetched = annotation_get(user=made.author, pk=made.pk)  # its tags prefetched
    assert [t.code for t in fetched.tags.all()] == ["big-deal"]
    annotation_update(user=made.author, annotation=fetched, tags=[codebook["sanctions-partial-relief"]])
    assert [t.code for t in fetched.tags.all()] == ["sanctions-partial-relief"]
