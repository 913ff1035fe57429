from __future__ import annotations

import pytest

from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db


def test_editor_can_edit_the_codebook_in_the_admin(client, editor, codebook):
    client.force_login(editor)
    tag = codebook["big-deal"]
    assert client.get("/admin/annotations/tag/").status_code == 200
    response = client.get(f"/admin/annotations/tag/{tag.pk}/change/")
    assert response.status_code == 200
    assert b"decision_rule" in response.content
    assert client.get("/admin/annotations/category/add/").status_code == 200


def test_annotator_has_no_admin(client, annotator):
    client.force_login(annotator)
    assert client.get("/admin/annotations/tag/").status_code == 302


def test_used_tag_cannot_be_deleted_only_deactivated(client, editor, codebook, section, annotator):
    client.force_login(editor)
    used, unused = codebook["big-deal"], codebook["peace-treaty"]
    AnnotationFactory(section=section, author=annotator, tags=[used])
    # Refused with a redirect to the tag and a message (tests/annotations/test_codebook_integrity.py).
    response = client.get(f"/admin/annotations/tag/{used.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/annotations/tag/{used.pk}/change/"
    assert client.get(f"/admin/annotations/tag/{unused.pk}/delete/").status_code == 200


def test_annotation_admin_is_read_only_and_hides_private(client, editor, section, annotator):
    private = AnnotationFactory(section=section, author=annotator, start=0, length=4)
    shared = AnnotationFactory(section=section, author=annotator, start=5, length=4, visibility="shared")
    client.force_login(editor)
    response = client.get("/admin/annotations/annotation/")
    assert response.status_code == 200
    ids = [obj.pk for obj in response.context["cl"].result_list]
    assert ids == [shared.pk]
    assert client.get(f"/admin/annotations/annotation/{private.pk}/change/").status_code == 302
    assert client.get("/admin/annotations/annotation/add/").status_code == 403
