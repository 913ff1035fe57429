"""Create the Analyst, Annotator and Editor groups with their permissions.

The permission lists are frozen here on purpose: annotations.roles may change later,
and a migration must do today what it did when it was written.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Analyst": ["add_annotation"],
    "Annotator": ["add_annotation", "share_annotation"],
    "Editor": [
        "add_annotation",
        "share_annotation",
        "moderate_annotation",
        "export_annotation",
        "view_annotation",
        "add_category",
        "change_category",
        "delete_category",
        "view_category",
        "add_tag",
        "change_tag",
        "delete_tag",
        "view_tag",
    ],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after the last migration (post_migrate): make
    # them now so the groups can hold them.
    app_config = apps.get_app_config("annotations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(content_type__app_label="annotations", codename__in=codenames)
        group.permissions.add(*perms)


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0002_annotation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
