"""A tag that annotations use can be retired (active = false) but never deleted.

The through table's foreign key already stops a bare DELETE of a used tag, but Django's
delete (a shell, a script, any admin path missed) removes the tag's annotation_tags rows
first, silently untagging annotations. This constraint trigger checks each removed row at
commit: removing a tag from an annotation is fine (the tag is still there); removing it
because the tag itself is gone is refused (SQLSTATE 23503, an IntegrityError in Django).
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION annotations_tag_in_use_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM annotations_tag WHERE id = OLD.tag_id) THEN
        RAISE EXCEPTION 'tag % is used by annotations and cannot be deleted: retire it (active = false)', OLD.tag_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER annotations_tag_in_use_guard
    AFTER DELETE ON annotations_annotation_tags
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION annotations_tag_in_use_guard();
"""

REVERSE = """
DROP TRIGGER IF EXISTS annotations_tag_in_use_guard ON annotations_annotation_tags;
DROP FUNCTION IF EXISTS annotations_tag_in_use_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("annotations", "0007_hardening")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
