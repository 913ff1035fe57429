"""Management commands start in about a second: they run the models' checks, not the URL
checks that import the whole API (every router, schema and export format)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.core.management import get_commands, load_command_class

from config.commands import AppCommand

ROOT = Path(__file__).resolve().parent.parent
OUR_APPS = ("accounts", "annotations", "briefs", "search")

PROBE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from django.core.management import execute_from_command_line
try:
    execute_from_command_line(["manage.py", "import_brief", "/nonexistent/brief.pdf"])
except SystemExit as exc:
    print("exit", exc.code)
print("loaded:", " ".join(m for m in ("config.urls", "config.api", "openpyxl") if m in sys.modules))
"""


def test_every_command_of_ours_is_an_app_command():
    ours = {name: app for name, app in get_commands().items() if app in OUR_APPS}
    assert {"create_user", "import_brief", "load_demo", "rebuild_search_index"} <= set(ours)
    for name, app in ours.items():
        command = load_command_class(app, name)
        assert isinstance(command, AppCommand), name
        assert "urls" not in command.requires_system_checks, name


def test_a_command_runs_its_checks_without_importing_the_api():
    """The command really runs (its checks, then its own error): the URLconf stays unloaded."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert "cannot read the file" in result.stderr, result.stderr[-2000:]
    assert "exit 1" in result.stdout
    assert result.stdout.strip().endswith("loaded:"), result.stdout
