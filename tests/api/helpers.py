"""Shared helpers for the API tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.api.w3c_suite import validate as w3c_validate

SUITE = Path(__file__).resolve().parent / "w3c_suite"


def w3c_must_failures(doc: dict, kind: str | None = None) -> list[str]:
    """Return the failing MUST assertions of the official W3C suite (--strict)."""
    return w3c_validate.must_failures(doc, kind=kind, strict=True)


def w3c_validate_cli(doc: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run validate.py --strict on a document, as a consumer would."""
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(SUITE / "validate.py"), "--strict", "--quiet", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def span(text: str, quote: str) -> dict:
    """Return start/end/quote of the first occurrence of quote in text."""
    start = text.index(quote)
    return {"start": start, "end": start + len(quote), "quote": quote}
