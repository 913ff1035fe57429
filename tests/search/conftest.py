from __future__ import annotations

import json

import pytest

from annotations.models import Annotation
from annotations.services import annotation_create
from briefs.models import Brief, Section
from briefs.services import brief_import
from tests.conftest import KINU_SAMPLE, NEWS_SAMPLE, SAMPLES


@pytest.fixture
def sample_briefs(db) -> dict[str, Brief]:
    """Import both samples as `make run` does (the import indexes their sections).

    Only these two: the quality set was written for them, and the demo's other briefs would
    change what "no match" means (the 2013 New Year address says 백두산, for one).
    """
    manifest = json.loads((SAMPLES / "demo.json").read_text(encoding="utf-8"))
    briefs = {}
    for doc in manifest["documents"]:
        if doc["path"] not in (KINU_SAMPLE.name, NEWS_SAMPLE.name):
            continue
        path = SAMPLES / doc["path"]
        result = brief_import(data=path.read_bytes(), filename=path.name, metadata=doc["metadata"])
        briefs[result.brief.slug] = result.brief
    return briefs


@pytest.fixture
def kinu(sample_briefs) -> Brief:
    return sample_briefs["kinu-co-19-05"]


def annotate(user, section: Section, quote: str, occurrence: int = 0, **fields) -> Annotation:
    """Create an annotation through the service on the `occurrence`-th `quote` in the section."""
    start = -1
    for _ in range(occurrence + 1):
        start = section.text.index(quote, start + 1)
    return annotation_create(
        user=user, section=section, start=start, end=start + len(quote), quote=quote, **fields
    )
