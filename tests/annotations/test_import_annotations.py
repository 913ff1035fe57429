"""manage.py import_annotations: a migration from another tool, all or none, problems by line."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Annotation
from tests.api.conftest import TEXT, YONGBYON
from tests.factories import BriefFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def section(db):
    brief = BriefFactory(slug="kinu-co-19-05")
    return SectionFactory(brief=brief, position=2, anchor="s2", text=TEXT)


def line(section, quote: str, **fields) -> str:
    start = section.text.index(quote)
    excerpt = {
        "brief_slug": "kinu-co-19-05",
        "section_position": 2,
        "start": start,
        "end": start + len(quote),
    }
    return json.dumps({**excerpt, "quote": quote, **fields}, ensure_ascii=False)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_annotations", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_an_export_file_is_imported_for_a_user(tmp_path, section, annotator, codebook):
    path = tmp_path / "excerpts.jsonl"
    path.write_text(
        line(section, YONGBYON, tags=["big-deal"], actor="dprk") + "\n" + line(section, "제재 완화") + "\n"
    )
    out, _ = run(str(path), "--user", "annotator", "--visibility", "shared")
    assert "Imported 2 annotations" in out
    made = Annotation.objects.order_by("start")
    assert [(a.quote, a.visibility, a.author.username) for a in made] == [
        (YONGBYON, "shared", "annotator"),
        ("제재 완화", "shared", "annotator"),
    ]
    assert [t.code for t in made[0].tags.all()] == ["big-deal"] and made[0].actor == "dprk"


def test_a_file_with_problems_imports_nothing_and_says_where(tmp_path, section, annotator, codebook):
    path = tmp_path / "excerpts.jsonl"
    good = line(section, YONGBYON)
    bad_tag = line(section, "제재 완화", tags=["no-such-tag"])
    moved = json.loads(line(section, YONGBYON))
    moved["quote"] = "다른 글"
    path.write_text("\n".join([good, "", bad_tag, json.dumps(moved, ensure_ascii=False), "[1"]) + "\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        run(str(path), "--user", "annotator")
    path.write_text("\n".join([good, "", bad_tag, json.dumps(moved, ensure_ascii=False)]) + "\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 item"):
        call_command("import_annotations", str(path), "--user", "annotator", stderr=err)
    assert "excerpts.jsonl, line 3: tags: Unknown tag: 'no-such-tag'." in err.getvalue()
    assert "excerpts.jsonl, line 4: quote: " in err.getvalue()
    assert Annotation.objects.count() == 0


def test_a_dry_run_checks_and_writes_nothing(tmp_path, section, annotator):
    path = tmp_path / "excerpts.jsonl"
    path.write_text(line(section, YONGBYON) + "\n")
    out, _ = run(str(path), "--user", "annotator", "--dry-run")
    assert "Checked 1 annotations" in out and Annotation.objects.count() == 0


def test_the_command_takes_more_than_one_request_may(tmp_path, section, annotator, settings):
    settings.MARGINALIA_BULK_MAX_ITEMS = 2
    settings.MARGINALIA_BULK_MAX_BYTES = 100
    path = tmp_path / "excerpts.json"
    path.write_text(json.dumps([json.loads(line(section, q)) for q in (YONGBYON, "제재 완화", "이번 회담")]))
    out, _ = run(str(path), "--user", "annotator")
    assert "Imported 3 annotations" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.jsonl", "--user", "annotator"], "Cannot read"),
        (["{path}", "--user", "nobody"], "No user 'nobody'"),
    ],
)
def test_bad_arguments_are_clear(tmp_path, section, annotator, args, message):
    path = tmp_path / "a.jsonl"
    path.write_text(line(section, YONGBYON))
    args = [
        a.replace("{path}", str(path)).replace("missing.jsonl", str(tmp_path / "missing.jsonl")) for a in args
    ]
    with pytest.raises(CommandError, match=message):
        run(*args)
