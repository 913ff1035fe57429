"""Authentication backends whose permissions cost one query per request, not two.

Django's ModelBackend reads a user's own permissions and their groups' in two queries, the
first time a request checks one (then it caches them on the user). These read both in one.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesBackend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class OnePermissionQuery:
    """Mixin for a ModelBackend: get_all_permissions() in one query, cached as Django caches it."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                permissions = Permission.objects.all()
            else:
                permissions = Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
            pairs = permissions.values_list("content_type__app_label", "codename").order_by().distinct()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in pairs}
        return user_obj._perm_cache


class AxesPermissionBackend(OnePermissionQuery, AxesBackend):
    """axes' backend (lockouts first), with its inherited permissions in one query."""


class PermissionBackend(OnePermissionQuery, ModelBackend):
    """Django's ModelBackend, with its permissions in one query."""
