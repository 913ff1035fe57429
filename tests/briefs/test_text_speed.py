"""Plain-text import at scale: the work done per line break is counted, not timed.

"Speed is measured, not asserted by a clock": bench/bench_import.py measures seconds; these
tests count what costs them, Kiwi's analyses of line breaks, and check that it is bounded
(word wrap: only a sample is read) or at most linear in the distinct breaks (character wrap:
each distinct pair analysed once, many to a call), and that a large character-wrapped text
still reads right.
"""

from __future__ import annotations

import random
import re
import textwrap
from pathlib import Path

import pytest

from briefs.importers import linebreaks
from briefs.importers.linebreaks import SAMPLE_BREAKS, LineBreaks, Vocabulary, by_vocabulary, hangul_junction
from briefs.importers.sectioner import document_from_blocks
from briefs.importers.text import join_lines, parse_text, read_text

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
KINU = "001_b5edd7b7062599dc.txt"


def kinu_paragraphs() -> list[str]:
    document = parse_text((SAMPLES / KINU).read_text(encoding="utf-8"))
    return [p for section in document.sections for p in section.text.split("\n\n") if len(p) > 80]


def by_characters(paragraph: str, width: int) -> list[str]:
    """Cut every `width` characters, inside words too, with no trailing-space marks."""
    return [
        c.strip() for c in (paragraph[i : i + width] for i in range(0, len(paragraph), width)) if c.strip()
    ]


def shuffled_paragraphs(copies: int, seed: int = 1) -> list[str]:
    """The sample's sentences reshuffled `copies` times, five to a paragraph: breaks repeat
    no more than in a real long document."""
    rnd = random.Random(seed)
    sentences = [s for p in kinu_paragraphs() for s in re.split(r"(?<=[.!?])\s+", p) if s]
    out = []
    for _ in range(copies):
        rnd.shuffle(sentences)
        out.extend(" ".join(sentences[k : k + 5]) for k in range(0, len(sentences), 5))
    return out


def document_lines(paragraphs: list[list[str]]) -> list[str]:
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.extend([*paragraph, ""])
    return lines


def hangul_breaks(lines: list[str]) -> list[tuple[str, str]]:
    return [j for a, b in zip(lines, lines[1:], strict=False) if (j := hangul_junction(a, b))]


def distinct_breaks(lines: list[str]) -> int:
    return len(set(hangul_breaks(lines)))


@pytest.fixture
def kiwi_work():
    """Kiwi's line-break work from a cold start (no decision remembered from other tests)."""
    linebreaks._known.clear()
    linebreaks.kiwi_work.update(calls=0, pairs=0, chars=0)
    yield linebreaks.kiwi_work
    linebreaks._known.clear()


def measure(lines: list[str], work: dict) -> tuple[LineBreaks, dict]:
    linebreaks._known.clear()
    work.update(calls=0, pairs=0, chars=0)
    return LineBreaks.of(lines), dict(work)


def test_word_wrapped_text_is_measured_on_a_bounded_sample(kiwi_work):
    small = document_lines([textwrap.wrap(p, 31) for p in shuffled_paragraphs(6)])
    large = document_lines([textwrap.wrap(p, 31) for p in shuffled_paragraphs(48)])
    assert len(hangul_breaks(large)) > 4 * SAMPLE_BREAKS  # far more breaks than the sample
    small_breaks, small_work = measure(small, kiwi_work)
    large_breaks, large_work = measure(large, kiwi_work)
    assert small_breaks == large_breaks == LineBreaks()
    assert 0 < large_work["pairs"] <= SAMPLE_BREAKS  # bounded, not 8 times the small text's


def test_character_wrapped_work_is_at_most_linear_and_batched(kiwi_work):
    small = document_lines([by_characters(p, 37) for p in shuffled_paragraphs(1)])
    large = document_lines([by_characters(p, 37) for p in shuffled_paragraphs(8)])
    small_breaks, small_work = measure(small, kiwi_work)
    large_breaks, large_work = measure(large, kiwi_work)
    assert small_breaks.inside_words and large_breaks.inside_words
    assert large_work["pairs"] <= distinct_breaks(large)  # each distinct break at most once
    assert large_work["pairs"] <= 8 * small_work["pairs"]  # linear in the text, no worse
    # many breaks to one analysis, not one call per break
    assert large_work["calls"] <= large_work["pairs"] // linebreaks.BATCH_PAIRS + 2


def test_a_repeated_break_is_analysed_once(kiwi_work):
    paragraphs = [by_characters(p, 37) for p in kinu_paragraphs()]
    _, once = measure(document_lines(paragraphs), kiwi_work)
    _, eight_times = measure(document_lines(paragraphs * 8), kiwi_work)
    assert eight_times["pairs"] == once["pairs"]


def test_rejoining_the_lines_asks_kiwi_nothing_more(kiwi_work):
    paragraphs = [by_characters(p, 37) for p in shuffled_paragraphs(2)]
    breaks, before = measure(document_lines(paragraphs), kiwi_work)
    joined = [join_lines(lines, breaks=breaks) for lines in paragraphs]
    assert dict(kiwi_work) == before  # every break was decided when the document was measured
    assert any("중요해졌다" in p for p in joined)


def test_the_documents_own_words_decide_a_break_first():
    vocabulary = Vocabulary.of(
        [
            "한국의 역할이 더욱 중요해졌다. 그러나 추가할 것은 서명이 빠진 곳이다",
            "그러나 협상을 통해서는 합의에 이를 수 있다는 것이다",
            "없다 이 말은 추가 할 말이 있다는 것이다",
        ]
    )
    words = vocabulary.words
    assert "중요해졌다." in words and "추가" in words and "할" in words
    assert "한국의" not in words and "곳이다" not in words  # first and last words may be pieces
    assert by_vocabulary("중요해", "졌다.", vocabulary) is True  # the whole is a word, neither piece is
    assert by_vocabulary("협상을", "통해서는", vocabulary) is False  # two words, never one
    assert by_vocabulary("추가", "할", vocabulary) is None  # both words, but 할 also ends 추가할
    assert by_vocabulary("서명", "이", vocabulary) is None  # 이 is a word and ends 서명이
    assert by_vocabulary("역할", "이", vocabulary) is None  # 역할이 stands at a line's edge: unknown


def test_a_two_mebibyte_character_wrapped_text_reads_right(kiwi_work):
    paragraphs = kinu_paragraphs()
    chunks, size, n = ["정책 문서의 큰 모음\n\n"], 0, 0
    while size < 2 * 1024 * 1024:
        n += 1
        body = "\n\n".join("\n".join(by_characters(p, 40)) for p in paragraphs)
        chunk = f"{n}. 제{n}절 검토 사항\n\n{body}\n\n"
        chunks.append(chunk)
        size += len(chunk.encode())
    document = read_text("".join(chunks))
    parsed = document_from_blocks(document)
    assert parsed.title == "정책 문서의 큰 모음"
    assert [s.heading for s in parsed.sections] == [f"{i}. 제{i}절 검토 사항" for i in range(1, n + 1)]
    text = "\n\n".join(block.text for block in document.blocks)
    original = "\n\n".join(paragraphs)
    for phrase in ("중요해졌다.", "북미정상회담", "종전선언", "연락사무소", "한미연합훈련"):
        assert text.count(phrase) == n * original.count(phrase) > 0, phrase  # never split nor glued
    assert kiwi_work["pairs"] < 2 * SAMPLE_BREAKS  # the copies repeat their breaks: analysed once
