"""The export_excerpts management command (annotations/management/commands/export_excerpts.py)."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command


def test_command_writes_a_csv_file_for_the_given_users_view(world, tmp_path):
    out = tmp_path / "excerpts.csv"
    stderr = io.StringIO()
    call_command("export_excerpts", "--format", "csv", "--user", "editor", "-o", str(out), stderr=stderr)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert {int(r["id"]) for r in rows} == {a.pk for a in world.visible_to_editor}
    assert rows[0]["permalink"].startswith("http://127.0.0.1:8000/briefs/")
    assert "Exported 4 excerpt(s) as csv" in stderr.getvalue()


def test_command_visibility_follows_the_user(world, tmp_path):
    out = tmp_path / "excerpts.jsonl"
    call_command(
        "export_excerpts", "--format", "jsonl", "--user", "annotator", "-o", str(out), stderr=io.StringIO()
    )
    ids = {json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()}
    assert world.private_other.pk in ids
    assert world.ko_summary_hl.pk not in ids  # the editor's private highlight
    assert world.deleted.pk not in ids


def test_command_filters_and_options(world, tmp_path):
    out = tmp_path / "excerpts.xlsx"
    call_command(
        "export_excerpts",
        "--format=xlsx",
        "--user=editor",
        "--brief=kinu-co-19-05",
        "--tag=big-deal",
        "--tag=yongbyon-dismantlement",
        "--actor=dprk",
        "--annotator=annotator",
        "--created-from=2000-01-01",
        "--created-to=2999-12-31",
        "--context",
        "--language=en",
        "--base-url=https://marginalia.example.org/",
        f"--output={out}",
        stderr=io.StringIO(),
    )
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 1
    record = dict(zip(header, body[0], strict=True))
    assert record["id"] == world.ko_yongbyon.pk
    assert record["tag_labels"] == "Yongbyon dismantlement"
    assert (
        record["permalink"]
        == f"https://marginalia.example.org/briefs/kinu-co-19-05/#annotation-{world.ko_yongbyon.pk}"
    )
    assert "context" in header


def test_command_writes_text_formats_to_stdout(world):
    stdout = io.StringIO()
    call_command("export_excerpts", "--format", "md", "--user", "editor", stdout=stdout, stderr=io.StringIO())
    assert stdout.getvalue().startswith("# 발췌 모음\n")
    assert "「제2차 북미정상회담 평가와 향후 과제」" in stdout.getvalue()


def test_command_refuses_binary_formats_on_a_text_stdout(world):
    with pytest.raises(CommandError, match="binary format"):
        call_command("export_excerpts", "--format", "docx", "--user", "editor", stdout=io.StringIO())


def test_command_rejects_unknown_users_and_filters(world):
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("export_excerpts", "--format", "csv", "--user", "nobody")
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("export_excerpts", "--format", "csv", "--user", "editor", "--actor", "martians")
    with pytest.raises(CommandError, match="range is reversed"):
        call_command(
            "export_excerpts",
            "--format=csv",
            "--user=editor",
            "--created-from=2024-02-01",
            "--created-to=2024-01-01",
        )


def test_command_warns_about_filter_values_that_name_nothing(world, tmp_path):
    out, stderr = tmp_path / "excerpts.csv", io.StringIO()
    call_command(
        "export_excerpts",
        "--format=csv",
        "--user=editor",
        "--tag=no-such-tag",
        "--tag=big-deal",
        "--annotator=nobody",
        "-o",
        str(out),
        stderr=stderr,
    )
    assert "Warning: no tag 'no-such-tag': it matches nothing." in stderr.getvalue()
    assert "Warning: no annotator 'nobody': it matches nothing." in stderr.getvalue()
    assert "big-deal" not in stderr.getvalue()
    assert "Exported 0 excerpt(s)" in stderr.getvalue()
