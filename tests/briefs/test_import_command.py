"""manage.py import_brief: one line per file, errors on stderr, exit status 1 on failure."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from briefs.models import Brief, Section

pytestmark = pytest.mark.django_db

NEWS_WARNINGS = [
    "  warning: the document states no title; it was taken from its first sentence: check it",
    "  warning: 15 block(s), 2,759 characters, left out as page furniture: check them",
]


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_brief", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def kinu_path(tmp_path, kinu_bytes):
    path = tmp_path / "kinu.txt"
    path.write_bytes(kinu_bytes)
    return path


@pytest.fixture
def news_path(tmp_path, news_bytes):
    path = tmp_path / "news.txt"
    path.write_bytes(news_bytes)
    return path


def test_imports_one_file_and_prints_one_line(kinu_path):
    out, err = run(str(kinu_path))
    assert out == "created 제2차-북미정상회담-평가와-향후-과제: 6 sections\n"
    assert err == ""
    assert Section.objects.filter(brief__slug="제2차-북미정상회담-평가와-향후-과제").count() == 6


def test_importing_again_reports_unchanged(kinu_path):
    run(str(kinu_path))
    out, _ = run(str(kinu_path))
    assert out == "unchanged 제2차-북미정상회담-평가와-향후-과제: this content is already imported\n"
    assert Brief.objects.count() == 1


def test_several_files_continue_past_errors_and_exit_with_status_1(tmp_path, kinu_path, news_path, capsys):
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 4)
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ\x90\x00")
    missing = tmp_path / "missing.txt"
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="3 of 5 file") as excinfo:
        call_command(
            "import_brief",
            str(junk),
            str(kinu_path),
            str(exe),
            str(missing),
            str(news_path),
            stdout=out,
            stderr=err,
        )
    assert excinfo.value.returncode == 1
    assert out.getvalue().splitlines() == [
        "created 제2차-북미정상회담-평가와-향후-과제: 6 sections",
        "created 미국-국무부와-외교부에-따르면-폼페이오-장관은-지난-17일-강-장관과-두-차례-"
        "전화통화를-했다: 1 section",
        # No printed title, and a scraped tail of image links and teasers that outweighs the
        # article: both worth a look.
        *NEWS_WARNINGS,
    ]
    errors = err.getvalue().splitlines()
    assert len(errors) == 3
    assert errors[0].startswith(f"error: {junk}: contains NUL bytes")
    assert (
        errors[1]
        == f"error: {exe}: unsupported file type '.exe' (expected .txt, .md, .html, .pdf, .docx or .hwpx)"
    )
    assert errors[2].startswith(f"error: {missing}: cannot read the file")
    assert Brief.objects.count() == 2
    assert "importing" in capsys.readouterr().err  # the progress bar, on the real stderr


def test_no_progress_bar_for_a_single_file(kinu_path, capsys):
    run(str(kinu_path))
    assert capsys.readouterr().err == ""


def test_metadata_options_override_detection(kinu_path):
    out, _ = run(
        str(kinu_path),
        "--title",
        "하노이 회담 평가",
        "--subtitle",
        "현안 분석",
        "--organisation",
        "통일연구원",
        "--organisation-en",
        "Korea Institute for National Unification",
        "--series",
        "CO 19-05",
        "--author",
        "가",
        "--author",
        "나",
        "--language",
        "ko",
        "--date",
        "2019-03-04",
        "--url",
        "https://www.example.org/co19-05.pdf",
        "--slug",
        "co-19-05",
    )
    assert out == "created co-19-05: 6 sections\n"
    brief = Brief.objects.get(slug="co-19-05")
    assert (brief.title, brief.subtitle, brief.organisation) == (
        "하노이 회담 평가",
        "현안 분석",
        "통일연구원",
    )
    assert brief.organisation_en == "Korea Institute for National Unification"
    assert brief.authors == ["가", "나"]
    assert brief.publication_date == datetime.date(2019, 3, 4)
    assert brief.publication_year == 2019
    assert brief.source_url == "https://www.example.org/co19-05.pdf"


def test_year_option(kinu_path):
    run(str(kinu_path), "--year", "2020")
    assert Brief.objects.get().publication_year == 2020


def test_slug_with_several_files_is_refused(kinu_path, news_path):
    with pytest.raises(CommandError, match="--slug can only be used with a single file"):
        run(str(kinu_path), str(news_path), "--slug", "x")
    assert Brief.objects.count() == 0


def test_conflict_needs_replace(kinu_path, news_path):
    run(str(kinu_path), "--slug", "brief")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 1 file"):
        call_command("import_brief", str(news_path), "--slug", "brief", stdout=out, stderr=err)
    assert out.getvalue() == ""
    assert err.getvalue() == (
        f"error: {news_path}: a brief with slug 'brief' already exists with different "
        "content; pass --replace to replace it\n"
    )
    out, err = run(str(news_path), "--slug", "brief", "--replace")
    assert out == "replaced brief: 1 section (1 kept, 0 added, 5 removed)\n" + "".join(
        f"{w}\n" for w in NEWS_WARNINGS
    )
    assert Brief.objects.get().source_filename == "news.txt"


def test_format_option_overrides_the_extension(tmp_path):
    path = tmp_path / "memo.txt"
    path.write_text("# 메모 제목\n\n## 배경\n\n배경 설명이다.\n", encoding="utf-8")
    out, _ = run(str(path), "--format", "md")
    assert out == "created 메모-제목: 1 section\n"
    assert Section.objects.get().heading == "배경"


def test_oversized_file_is_refused_before_reading(settings, kinu_path):
    settings.MARGINALIA_MAX_IMPORT_BYTES = 100
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("import_brief", str(kinu_path), stdout=out, stderr=err)
    assert err.getvalue().startswith(f"error: {kinu_path}: the file is too large")
    assert Brief.objects.count() == 0


def test_bad_date_is_an_argument_error(kinu_path):
    with pytest.raises(CommandError, match="is not a date"):
        run(str(kinu_path), "--date", "March 2019")


def test_dry_run_prints_the_preview_and_saves_nothing(kinu_path):
    out, err = run(str(kinu_path), "--dry-run", "--explain")
    assert Brief.objects.count() == 0
    lines = out.splitlines()
    assert lines[0] == f"== {kinu_path} (txt): nothing saved"
    assert "title: 제2차 북미정상회담 평가와 향후 과제" in lines
    assert "sections: 6" in lines
    assert any(line.startswith("  [2] L2 양자의 입장차: 빅딜 vs. 단계적 접근") for line in lines)
    assert "blocks:" in lines  # --explain: every block with its kind and why
    assert any("heading" in line and "양자의 입장차" in line for line in lines[lines.index("blocks:") :])


def test_dry_run_says_what_importing_would_do(kinu_path, tmp_path):
    out, _ = run(str(kinu_path), "--dry-run", "--slug", "kinu")
    assert out.splitlines()[-1] == "would create kinu: 6 section(s)"
    run(str(kinu_path), "--slug", "kinu")
    out, _ = run(str(kinu_path), "--dry-run")
    assert out.splitlines()[-1] == "would leave unchanged: this content is already imported as kinu"
    changed = tmp_path / "kinu-v2.txt"
    changed.write_bytes(kinu_path.read_bytes().replace("하노이".encode(), "베트남 하노이".encode(), 1))
    out, _ = run(str(changed), "--dry-run", "--slug", "kinu")
    assert out.splitlines()[-1].startswith("would refuse: a brief with slug 'kinu' already exists")
    out, _ = run(str(changed), "--dry-run", "--slug", "kinu", "--replace")
    assert "would replace kinu: 5 kept, 1 changed (0 annotation(s) re-anchored, 0 to check)" in out
    assert "  changed: introduction" in out.splitlines()
    assert "베트남" not in "".join(Brief.objects.get().sections.values_list("text", flat=True))
