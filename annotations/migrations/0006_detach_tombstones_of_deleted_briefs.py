"""Let a deleted brief's annotations outlive it as tombstones (briefs.services.brief_delete).

Annotation.section becomes nullable, but only for deleted annotations (a check constraint);
former_brief_slug and former_section_id remember where a detached tombstone was, so the sync
feed's brief and section filters still hand it out.

Reversing drops the detached tombstones first: the old schema cannot hold them.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def drop_detached(apps, schema_editor):
    Annotation = apps.get_model("annotations", "Annotation")
    # Deferred foreign-key checks pending on the table would stop the ALTER TABLE that follows.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    Annotation.objects.filter(section__isnull=True).delete()
    schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):

    dependencies = [
        ('annotations', '0005_change_seq'),
        ('briefs', '0003_import_pages_and_version'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='annotation',
            name='former_brief_slug',
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.AddField(
            model_name='annotation',
            name='former_section_id',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='annotation',
            name='section',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='annotations', to='briefs.section'),
        ),
        migrations.RunPython(migrations.RunPython.noop, drop_detached, elidable=False),
        migrations.AddConstraint(
            model_name='annotation',
            constraint=models.CheckConstraint(condition=models.Q(('section__isnull', False), ('deleted_at__isnull', False), _connector='OR'), name='annotation_section_or_tombstone'),
        ),
    ]
