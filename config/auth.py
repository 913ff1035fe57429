"""Authentication backends whose permissions cost one query per request, not two.

Django's ModelBackend reads a user's own permissions and their groups' in two queries, the
first time a request checks one (then it caches them on the user). These read both in one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from axes.backends import AxesBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


def permission_names_sql(*, user_id: str, is_superuser: str) -> str:
    """SQL of one row, one column: the "app_label.codename" array of a user's permissions.

    Every permission for a superuser, else the user's own and their groups'. user_id and
    is_superuser are SQL expressions: placeholders here, the token lookup's columns in
    accounts.services (which loads a token's user with its permissions in one statement).
    """
    user_model = get_user_model()
    quote = connection.ops.quote_name
    own = user_model.user_permissions.through._meta.db_table
    groups = user_model.groups.through._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    return f"""
    SELECT coalesce(array_agg(DISTINCT ct.app_label || '.' || p.codename), ARRAY[]::text[])
    FROM {quote(Permission._meta.db_table)} p
    JOIN {quote(ContentType._meta.db_table)} ct ON ct.id = p.content_type_id
    WHERE {is_superuser} OR p.id IN (
        SELECT permission_id FROM {quote(own)} WHERE user_id = {user_id}
        UNION
        SELECT gp.permission_id FROM {quote(group_permissions)} gp
        JOIN {quote(groups)} ug ON ug.group_id = gp.group_id WHERE ug.user_id = {user_id}
    )"""


def permissions_cache(user_obj: Any, names: Iterable[str]) -> None:
    """Keep a user's permissions where Django's ModelBackend looks for them first."""
    user_obj._perm_cache = set(names)


class OnePermissionQuery:
    """Mixin for a ModelBackend: get_all_permissions() in one query, cached as Django caches it."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as cursor:
                cursor.execute(
                    permission_names_sql(user_id="%s", is_superuser="%s"),
                    [user_obj.is_superuser, user_obj.pk, user_obj.pk],
                )
                permissions_cache(user_obj, cursor.fetchone()[0])
        return user_obj._perm_cache


class AxesPermissionBackend(OnePermissionQuery, AxesBackend):
    """axes' backend (lockouts first), with its inherited permissions in one query."""


class PermissionBackend(OnePermissionQuery, ModelBackend):
    """Django's ModelBackend, with its permissions in one query."""
