"""The codebook editor's rules and services: shortcuts, colours, the lost-update guard, the
search index, order, and the race a duplicate key can lose only to the database."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from annotations import codebook_editor as editor
from annotations.models import Tag
from tests.factories import AnnotationFactory, CategoryFactory, TagFactory

pytestmark = pytest.mark.django_db
READER_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "reader.js"


def test_reserved_shortcuts_are_the_readers_keys():
    """The contract with the reader: one exported constant at the top of reader.js."""
    lines = [line for line in READER_JS.read_text(encoding="utf-8").splitlines() if "READER_KEYS =" in line]
    assert lines, "static/js/reader.js must declare `const READER_KEYS = [...]` on one line"
    literal = re.search(r"READER_KEYS\s*=\s*(\[.*?\])", lines[0])[1]
    assert sorted(json.loads(literal)) == sorted(editor.RESERVED_SHORTCUTS)


def test_every_single_key_the_reader_handles_is_reserved():
    handled = set(re.findall(r'e\.key === "(.)"', READER_JS.read_text(encoding="utf-8")))
    assert handled and handled <= set(editor.RESERVED_SHORTCUTS)


def test_shortcuts_refuse_reader_keys_long_values_invisible_keys_and_duplicates():
    other = TagFactory(code="big-deal", label_en="Big deal", shortcut="b")
    assert editor.shortcut_problem("", others=[other]) is None
    assert editor.shortcut_problem("q", others=[other]) is None
    assert "The reader already uses the key “a”" in editor.shortcut_problem("a", others=[])
    assert "The reader already uses the key “/”" in editor.shortcut_problem("/", others=[])
    assert editor.shortcut_problem("A", others=[]).startswith("The reader already uses")  # caps lock
    assert editor.shortcut_problem("bb", others=[]) == "A shortcut is a single key, for example “b”."
    assert editor.shortcut_problem("\x00", others=[]) == "A shortcut must be a visible character."
    assert editor.shortcut_problem(" ", others=[]) == "A shortcut must be a visible character."
    assert editor.shortcut_problem("b", others=[other]) == (
        "The key “b” is already the shortcut of “Big deal” (big-deal)."
    )


def test_colours_must_be_hex_and_are_kept_in_lower_case():
    assert editor.colour_normalise(" #64B5F6 ") == "#64b5f6"
    for bad in ["64b5f6", "#64b5f", "#64b5f6a", "red", "#gggggg", "", "#64b5f6\x00"]:
        with pytest.raises(ValidationError):
            editor.colour_normalise(bad)


def test_dark_colours_get_a_contrast_warning_light_ones_do_not():
    assert editor.contrast_warning("#ffd54f") is None
    assert editor.highlight_contrast("#ffd54f") > editor.MIN_CONTRAST
    warning = editor.contrast_warning("#1a237e")
    assert warning.startswith("Text on this colour as a highlight has a contrast of ")
    assert editor.highlight_contrast("#1a237e") < editor.MIN_CONTRAST


def test_the_starter_codebooks_colours_pass_their_own_checks(codebook):
    for tag in codebook.values():
        others = [t for t in codebook.values() if t.pk != tag.pk]
        editor.tag_check(tag, others=others, before=Tag(colour="#000000", shortcut=tag.shortcut, active=True))
        assert editor.tag_warnings(tag) == []


def test_an_edit_is_not_refused_over_a_key_the_tag_already_had_but_a_restore_is(codebook):
    # A tag whose key the reader took later (set here behind the editor's back, as an old
    # database or the admin could): renaming the tag must still work, restoring it must not.
    Tag.objects.filter(code="peace-treaty").update(shortcut="h")
    treaty = Tag.objects.get(code="peace-treaty")
    editor.tag_update(tag=treaty, fields={"label_en": "Peace treaty (regime)"})
    editor.tag_set_active(tag=treaty, active=False)
    with pytest.raises(ValidationError) as refused:
        editor.tag_set_active(tag=treaty, active=True)
    assert refused.value.message_dict["shortcut"][0].startswith("The reader already uses the key “h”")
    with pytest.raises(ValidationError):
        editor.tag_update(tag=treaty, fields={"shortcut": "a"})


def test_a_near_identical_colour_is_refused_naming_the_other_active_tag():
    TagFactory(code="phased", label_en="Phased approach", colour="#64b5f6")
    with pytest.raises(ValidationError) as refused:
        editor.tag_create(fields={"code": "new", "label_ko": "새", "label_en": "New", "colour": "#65b4f7"})
    message = refused.value.message_dict["colour"][0]
    assert "almost the same as the one of “Phased approach” (phased) (#64b5f6" in message
    assert not Tag.objects.filter(code="new").exists()
    # A retired tag's colour is free, and so is a clearly different one.
    Tag.objects.filter(code="phased").update(active=False)
    editor.tag_create(fields={"code": "new", "label_ko": "새", "label_en": "New", "colour": "#65b4f7"})
    editor.tag_create(fields={"code": "red", "label_ko": "빨강", "label_en": "Red", "colour": "#e57373"})


def test_a_duplicate_shortcut_is_refused_with_the_other_tag_named():
    TagFactory(code="big-deal", label_en="Big deal", shortcut="b", colour="#e57373")
    with pytest.raises(ValidationError) as refused:
        editor.tag_create(fields={"code": "n", "label_ko": "n", "label_en": "N", "shortcut": "b"})
    assert refused.value.message_dict == {
        "shortcut": ["The key “b” is already the shortcut of “Big deal” (big-deal)."]
    }


def test_an_edit_from_a_stale_page_is_refused_and_changes_nothing():
    tag = TagFactory(code="t", label_en="Before")
    version = editor.fingerprint(tag)
    editor.tag_update(tag=tag, fields={"label_en": "Theirs"}, expected_version=version)
    with pytest.raises(editor.StaleEdit):
        editor.tag_update(tag=tag, fields={"label_en": "Mine"}, expected_version=version)
    tag.refresh_from_db()
    assert tag.label_en == "Theirs"
    category = CategoryFactory(code="c")
    version = editor.fingerprint(category)
    editor.category_update(category=category, fields={"label_en": "Theirs"}, expected_version=version)
    with pytest.raises(editor.StaleEdit):
        editor.category_update(category=category, fields={"label_en": "Mine"}, expected_version=version)


def _indexed_text(annotation) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT vector::text FROM search_annotationdocument WHERE annotation_id = %s", [annotation.pk]
        )
        return cursor.fetchone()[0]


def test_renaming_a_tag_reindexes_its_annotations():
    from search.services import annotation_index_refresh

    tag = TagFactory(code="t", label_en="Before")
    annotation = AnnotationFactory(tags=[tag])
    annotation_index_refresh(annotations=[annotation])
    editor.tag_update(tag=tag, fields={"label_en": "Zanzibar"})
    assert "zanzibar" in _indexed_text(annotation)
    editor.tag_update(tag=tag, fields={"decision_rule": "Mozambique"})  # not in the document
    assert "mozambique" not in _indexed_text(annotation)


def test_retiring_keeps_the_tag_on_its_annotations_and_restoring_rechecks_it():
    tag = TagFactory(code="old", colour="#64b5f6", shortcut="q")
    annotation = AnnotationFactory(tags=[tag])
    editor.tag_set_active(tag=tag, active=False)
    assert list(annotation.tags.all()) == [tag]
    TagFactory(code="new", label_en="Newcomer", colour="#64b5f7")  # takes the colour meanwhile
    with pytest.raises(ValidationError) as refused:
        editor.tag_set_active(tag=tag, active=True)
    assert "“Newcomer” (new)" in refused.value.messages[0]
    assert Tag.objects.get(code="old").active is False


def test_moving_swaps_neighbours_and_stops_at_the_ends():
    category = CategoryFactory()
    first, second, third = (TagFactory(category=category, code=c, position=0) for c in "xyz")
    editor.codebook_move(entry=third, direction=editor.UP)
    order = list(Tag.objects.filter(category=category).order_by("position").values_list("code", flat=True))
    assert order == ["x", "z", "y"]
    editor.codebook_move(entry=first, direction=editor.UP)  # already first
    order = list(Tag.objects.filter(category=category).order_by("position").values_list("code", flat=True))
    assert order == ["x", "z", "y"]
    editor.codebook_move(entry=category, direction=editor.DOWN)  # the only category
    c2 = CategoryFactory(code="zz", position=5)
    editor.codebook_move(entry=c2, direction=editor.UP)
    assert list(editor.category_list().values_list("code", flat=True)) == ["zz", category.code]


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_key_that_loses_the_race_to_the_constraint_gets_the_same_message():
    """The other editor's tag is not committed when the check looks, so only the unique index
    sees both: the loser waits on it, then must hear which tag took the key."""
    category = CategoryFactory(code="race")
    dsn = connection.settings_dict
    other = psycopg.connect(
        host=dsn["HOST"], port=dsn["PORT"], user=dsn["USER"], dbname=dsn["NAME"], password=dsn["PASSWORD"]
    )
    other.execute(
        "INSERT INTO annotations_tag (category_id, code, label_ko, label_en, description, decision_rule,"
        " example, colour, shortcut, active, position) VALUES (%s, 'winner', '승자', 'Winner', '', '', '',"
        " '#e57373', 'q', true, 0)",
        [category.pk],
    )
    outcome: dict = {}

    def lose() -> None:
        try:
            editor.tag_create(
                fields={"code": "loser", "label_ko": "패자", "label_en": "Loser", "shortcut": "q"}
            )
        except ValidationError as exc:
            outcome["error"] = exc.message_dict
        finally:
            connection.close()

    thread = threading.Thread(target=lose)
    # Watched from a connection of its own in autocommit: inside a transaction PostgreSQL
    # answers pg_stat_activity from a snapshot taken at its first read, which never changes.
    watch = psycopg.connect(
        host=dsn["HOST"],
        port=dsn["PORT"],
        user=dsn["USER"],
        dbname=dsn["NAME"],
        password=dsn["PASSWORD"],
        autocommit=True,
    )
    try:
        thread.start()
        for _ in range(400):  # until the loser waits on the winner's row lock
            waiting = watch.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = %s",
                [dsn["NAME"]],
            ).fetchone()[0]
            if waiting:
                break
            time.sleep(0.05)
        assert waiting, "the second insert never waited on the first"
        other.commit()
    finally:
        # Whatever happened, release the winner's lock so the loser (and the suite) can go on.
        other.close()
        watch.close()
        thread.join(30)
    assert outcome["error"] == {"shortcut": ["The key “q” is already the shortcut of “Winner” (winner)."]}
    assert not Tag.objects.filter(code="loser").exists()
