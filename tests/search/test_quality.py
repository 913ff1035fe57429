from __future__ import annotations

import pytest

from search.selectors import annotation_search
from tests.search.conftest import annotate
from tests.search.quality_set import (
    ANNOTATION_CASES,
    ANNOTATIONS,
    CASES,
    TOP_K,
    baseline,
    evaluate,
    ours,
)

# Measured on the two samples (see bench/README.md): ours 1.00 / 1.00, baseline 0.53 / 0.60.
MIN_RECALL_AT_10 = 0.95
MIN_MRR = 0.9


def test_the_quality_set_is_large_enough():
    assert len(CASES) >= 30
    assert any(case.query.isascii() for case in CASES)


def test_search_quality_meets_the_thresholds(sample_briefs):
    quality = evaluate(ours)
    assert quality.recall_at_k >= MIN_RECALL_AT_10, quality.misses
    assert quality.mrr >= MIN_MRR, quality.misses


def test_morphology_beats_whitespace_tokenisation(sample_briefs):
    ours_quality, baseline_quality = evaluate(ours), evaluate(baseline)
    assert ours_quality.recall_at_k > baseline_quality.recall_at_k + 0.2
    assert ours_quality.mrr > baseline_quality.mrr + 0.2


def test_evaluate_counts_recall_and_reciprocal_rank():
    from tests.search.quality_set import Case

    cases = [Case("a", (("x", 1), ("x", 2))), Case("b", (("x", 3),))]
    results = {"a": [("x", 9), ("x", 1)], "b": []}
    quality = evaluate(lambda q: results[q], cases)
    assert quality.recall_at_k == 0.25
    assert quality.mrr == 0.25


@pytest.fixture
def annotated(kinu, annotator, codebook) -> dict[int, str]:
    """The quality set's annotations on the KINU brief, shared: {pk: key}."""
    keys = {}
    for key, position, quote, tag_codes, note in ANNOTATIONS:
        tags = [codebook[code] for code in tag_codes]
        section = kinu.sections.get(position=position)
        annotation = annotate(annotator, section, quote, tags=tags, note=note, visibility="shared")
        keys[annotation.pk] = key
    return keys


def test_annotation_search_quality(annotated, annotator2):
    def search(query: str) -> list[tuple[str, str]]:
        results = annotation_search(query=query, user=annotator2)[:TOP_K]
        return [("a", annotated[a.pk]) for a in results]

    # Measured: 1.00 / 1.00 (tag labels in both languages, quote, note, phrase).
    quality = evaluate(search, ANNOTATION_CASES)
    assert quality.recall_at_k >= MIN_RECALL_AT_10, quality.misses
    assert quality.mrr >= MIN_MRR, quality.misses
