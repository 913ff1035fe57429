"""The development corpus (`../shared/import-corpus/`), as the importer tests read it.

CI lays shared/ beside the clone, so a missing file is a broken setup: the tests fail, never skip.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "import-corpus"


def corpus_file(name: str) -> Path:
    """Return the path of a corpus document, failing the test when it is not there."""
    path = CORPUS / name
    assert path.is_file(), f"corpus file missing: {path} (shared/import-corpus must sit beside the checkout)"
    return path


@cache
def _expected() -> dict:
    return json.loads(corpus_file("expected.json").read_text(encoding="utf-8"))


def corpus_spec(doc_id: str) -> dict:
    """Return expected.json's entry for one document ("01" … "13")."""
    return next(spec for spec in _expected()["documents"] if spec["id"] == doc_id)


def global_junk() -> list[tuple[str, str]]:
    return [tuple(j) for j in _expected()["global_junk"]]
