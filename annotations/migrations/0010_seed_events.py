"""Editors keep the timeline's events (annotations.Event); start the list with the summits.

The dates are the meetings' own (local time). Codenames frozen, as in 0003_roles.
"""

import datetime as dt

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {"Editor": ["add_event", "change_event", "delete_event", "view_event"]}

EVENTS = [
    # date, end date, Korean label, English label
    ("2018-04-27", None, "제1차 남북정상회담 (판문점)", "Inter-Korean summit, Panmunjom"),
    ("2018-06-12", None, "싱가포르 북미정상회담", "Singapore summit"),
    ("2018-09-18", "2018-09-20", "평양 남북정상회담", "Pyongyang inter-Korean summit"),
    ("2019-02-27", "2019-02-28", "하노이 북미정상회담", "Hanoi summit"),
    ("2019-06-30", None, "판문점 북미정상 회동", "Panmunjom DMZ meeting"),
    ("2019-10-05", None, "스톡홀름 북미 실무협상", "Stockholm working-level talks"),
]


def _day(value):
    return dt.date.fromisoformat(value) if value else None


def forward(apps, schema_editor):
    app_config = apps.get_app_config("annotations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="annotations", codename__in=codenames)
        )
    Event = apps.get_model("annotations", "Event")
    for date, end_date, label_ko, label_en in EVENTS:
        Event.objects.get_or_create(
            date=_day(date), label_en=label_en, defaults={"end_date": _day(end_date), "label_ko": label_ko}
        )


def reverse(apps, schema_editor):
    Event = apps.get_model("annotations", "Event")
    for date, _end, _ko, label_en in EVENTS:
        Event.objects.filter(date=_day(date), label_en=label_en).delete()
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="annotations", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [("annotations", "0009_events")]

    operations = [migrations.RunPython(forward, reverse)]
