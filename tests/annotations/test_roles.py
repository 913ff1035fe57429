from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from annotations import permissions
from annotations.roles import ROLE_PERMISSIONS, Role
from tests.factories import AnnotationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_migration_created_the_role_groups_with_their_permissions():
    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.group_name)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(perms)


def test_roles_reverse_migration_removes_the_groups(transactional_db):
    from django.core.management import call_command

    try:
        call_command("migrate", "annotations", "0002", verbosity=0)
        assert not Group.objects.filter(name__in=["Analyst", "Annotator", "Editor"]).exists()
    finally:
        # Going back also unapplies the migrations of apps that depend on annotations (search,
        # accounts): bring every app forward again, or later tests meet missing tables.
        call_command("migrate", verbosity=0)
    assert Group.objects.filter(name__in=["Analyst", "Annotator", "Editor"]).count() == 3


def test_capabilities_by_role(analyst, annotator, editor):
    nobody = UserFactory()
    assert [permissions.can_annotate(u) for u in (analyst, annotator, editor, nobody)] == [
        True,
        True,
        True,
        False,
    ]
    assert [permissions.can_share(u) for u in (analyst, annotator, editor, nobody)] == [
        False,
        True,
        True,
        False,
    ]
    assert editor.is_staff and not annotator.is_staff
    assert editor.has_perm("annotations.change_tag") and editor.has_perm("annotations.add_category")
    assert not annotator.has_perm("annotations.change_tag")


def test_can_change_own_and_editors_shared_only(section, analyst, annotator, editor):
    from django.contrib.auth.models import AnonymousUser

    private = AnnotationFactory(section=section, author=annotator, visibility="private")
    shared = AnnotationFactory(section=section, author=annotator, visibility="shared")
    assert permissions.can_change(annotator, private) and permissions.can_change(annotator, shared)
    assert permissions.can_change(editor, shared)
    assert not permissions.can_change(editor, private)
    assert not permissions.can_change(analyst, shared)
    assert not permissions.can_change(AnonymousUser(), shared)


def test_role_group_names():
    assert [r.group_name for r in Role] == ["Analyst", "Annotator", "Editor"]
