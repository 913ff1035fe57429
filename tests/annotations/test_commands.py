from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_create_user_editor_is_staff_in_the_editor_group():
    out = StringIO()
    call_command("create_user", "kim", "--role", "editor", "--password", "correct horse battery", stdout=out)
    user = get_user_model().objects.get(username="kim")
    assert user.is_staff and not user.is_superuser
    assert [g.name for g in user.groups.all()] == ["Editor"]
    assert user.check_password("correct horse battery")
    assert "Created editor kim (staff" in out.getvalue()


def test_create_user_takes_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("MARGINALIA_PASSWORD", "another long passphrase")
    call_command("create_user", "lee", "--role", "analyst", stdout=StringIO())
    user = get_user_model().objects.get(username="lee")
    assert user.check_password("another long passphrase") and not user.is_staff


def test_create_user_without_password_and_without_tty_fails(monkeypatch):
    monkeypatch.delenv("MARGINALIA_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", StringIO(""))
    with pytest.raises(CommandError, match="No password"):
        call_command("create_user", "park", "--role", "annotator")


def test_create_user_refuses_weak_passwords_and_duplicates():
    with pytest.raises(CommandError):  # the validators' message is localised (ko)
        call_command("create_user", "choi", "--role", "annotator", "--password", "abc")
    assert not get_user_model().objects.filter(username="choi").exists()
    call_command(
        "create_user", "choi", "--role", "annotator", "--password", "correct horse battery", stdout=StringIO()
    )
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_user", "choi", "--role", "editor", "--password", "correct horse battery")


def test_create_user_rejects_unknown_roles():
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("create_user", "jung", "--role", "admin", "--password", "correct horse battery")
