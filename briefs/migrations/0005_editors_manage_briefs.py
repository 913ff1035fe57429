"""Editors may edit and delete briefs from the reader: briefs.change_brief and delete_brief.

The codenames are frozen here, as in 0002_editors_import_briefs.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {"Editor": ["change_brief", "delete_brief"]}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("briefs")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="briefs", codename__in=codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="briefs", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("briefs", "0004_import_preview"),
        ("annotations", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
