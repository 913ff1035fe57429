"""A search-quality set over the two sample briefs, and the measures we hold search to.

Each case lists the sections a query must find, by brief slug and section position (the
KINU brief's six sections are those samples/README.md expects; the news article is one
section). The expected sets were read off the texts: every section that speaks of the
thing asked for, in any inflected form, and nothing that merely shares a syllable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Value

from briefs.models import Section
from search.selectors import section_search

KINU = "kinu-co-19-05"
NEWS = "fntimes-pompeo-kang-call"
TOP_K = 10

Target = tuple[str, int]


def k(*positions: int) -> tuple[Target, ...]:
    return tuple((KINU, p) for p in positions)


NEWS_ARTICLE: tuple[Target, ...] = ((NEWS, 0),)


@dataclass(frozen=True)
class Case:
    query: str
    expected: tuple[Target, ...]


CASES: tuple[Case, ...] = (
    # Korean: particles and endings must not get in the way
    Case("제재", k(2, 3, 4, 5) + NEWS_ARTICLE),
    Case("제재를", k(2, 3, 4, 5) + NEWS_ARTICLE),
    Case("제재 완화", k(3, 4, 5)),
    Case("제재 해제", k(2, 4)),
    Case("완화하는", k(3, 4, 5)),
    Case("종전선언", k(0, 1, 4) + NEWS_ARTICLE),
    Case("연락사무소를", k(0, 1, 4)),
    Case("영변", k(2, 3, 5)),
    Case("영변 핵시설", k(2, 3, 5)),
    Case("빅딜", k(0, 2, 3)),
    Case("단계적 접근", k(0, 2, 3, 5)),
    Case("쌍중단", k(4)),
    Case("특사 파견", k(0, 5)),
    Case("한미연합훈련", k(0, 5)),
    Case("코언의 청문회", k(3)),
    Case("플루토늄", k(3)),
    Case("평화체제", k(1, 4, 5) + NEWS_ARTICLE),
    Case("남북정상회담", k(5)),
    Case("금강산 관광", k(4, 5)),
    Case("개성공단", k(4, 5)),
    Case("신뢰구축", k(5)),
    Case("폼페이오", k(2, 4) + NEWS_ARTICLE),
    Case("노딜", k(3)),
    Case("상응조치", k(2, 5)),
    Case("협상 재개", k(0, 1, 4, 5)),
    Case("국내정치", k(0, 3)),
    Case("JSA", k(5)),
    Case("평화협정", k(4, 5)),
    Case("원자로", k(3)),
    # Exact phrases
    Case('"하노이 선언"', k(1)),
    Case('"준비된 합의문"', k(3)),
    # English, through the glossary
    Case("end-of-war declaration", k(0, 1, 4) + NEWS_ARTICLE),
    Case("sanctions relief", k(3, 4, 5)),
    Case("sanctions", k(2, 3, 4, 5) + NEWS_ARTICLE),
    Case("liaison office", k(0, 1, 4)),
    Case("Yongbyon", k(2, 3, 5)),
    Case("big deal", k(0, 2, 3)),
    Case("special envoy", k(0, 5)),
    Case("Kaesong industrial complex", k(4, 5)),
    Case("peace regime", k(1, 4, 5) + NEWS_ARTICLE),
    Case("No Deal", k(3)),
    Case("dual suspension", k(4)),
    # A partial word: only the trigram fallback can find it
    Case("연락사", k(0, 1, 4)),
)

SearchFunction = Callable[[str], Sequence[Target]]


@dataclass(frozen=True)
class Quality:
    recall_at_k: float
    mrr: float
    misses: tuple[tuple[str, tuple[Target, ...]], ...]


def evaluate(search: SearchFunction, cases: Sequence[Case] = CASES, top_k: int = TOP_K) -> Quality:
    """Return mean recall@k and mean reciprocal rank of `search` over the cases."""
    recalls, reciprocal_ranks, misses = [], [], []
    for case in cases:
        found = list(search(case.query))[:top_k]
        expected = set(case.expected)
        hit = expected.intersection(found)
        recalls.append(len(hit) / len(expected))
        first = next((i for i, target in enumerate(found, start=1) if target in expected), None)
        reciprocal_ranks.append(1 / first if first else 0.0)
        if hit != expected:
            misses.append((case.query, tuple(sorted(expected - hit))))
    return Quality(
        recall_at_k=sum(recalls) / len(recalls),
        mrr=sum(reciprocal_ranks) / len(reciprocal_ranks),
        misses=tuple(misses),
    )


def ours(query: str) -> list[Target]:
    """Return the top sections from search.selectors.section_search."""
    return [(s.brief.slug, s.position) for s in section_search(query=query)[:TOP_K]]


def baseline(query: str) -> list[Target]:
    """Return the top sections of a whitespace-tokenised search ('simple' config, raw text)."""
    vector = SearchVector("heading", weight="A", config="simple") + SearchVector(
        "text", weight="D", config="simple"
    )
    ts = SearchQuery(query, config="simple", search_type="plain")
    sections = (
        Section.objects.annotate(vector=vector, rank=SearchRank(vector, ts, cover_density=True))
        .filter(vector=ts)
        .select_related("brief")
        .order_by("-rank", "brief_id", "position")
        .annotate(baseline=Value(True))
    )
    return [(s.brief.slug, s.position) for s in sections[:TOP_K]]


# Annotations ------------------------------------------------------------------------------
# A small codebook-tagged set on the KINU brief: (key, section position, quote, tag codes,
# note). A case expects the annotations that quote, tag or note the thing asked for.

ANNOTATIONS: tuple[tuple[str, int, str, tuple[str, ...], str], ...] = (
    ("declaration", 4, "종전선언과 연락사무소 설치 필요성에 공감한", ("end-of-war-declaration",), ""),
    ("office", 0, "종전선언과 연락사무소 설치에 공감한", ("liaison-office",), "연락사무소 개설 합의 근접"),
    ("yongbyon", 2, "영변의 모든 핵시설을 영구적으로 폐기할 것", ("yongbyon-dismantlement",), ""),
    ("partial-relief", 2, "제재의 일부 해제를 요구했다고", ("sanctions-partial-relief",), "북한의 요구"),
    ("big-deal", 3, "별도로 준비한 최대치의 ‘빅딜’ 안을 제시한", ("big-deal",), "협상 전략 차원"),
    ("phased", 2, "북한은 단계적 접근 방식을 고수했다", ("phased-approach",), ""),
    ("domestic", 3, "마이클 코언의 청문회 증언", ("us-domestic-politics",), "트럼프의 국내정치적 위기"),
    ("envoy", 5, "대북특사를 파견 하여", ("rok-mediation",), "특사 외교의 선례"),
    ("plain", 3, "일정한 범위의 제재 완화 혹은 면제를 포함했을", (), "제재 완화 범위는 추정"),
)

ANNOTATION_CASES: tuple[Case, ...] = (
    Case("종전선언", (("a", "declaration"), ("a", "office"))),
    Case("end-of-war declaration", (("a", "declaration"), ("a", "office"))),
    Case("연락사무소를", (("a", "declaration"), ("a", "office"))),
    Case("영변", (("a", "yongbyon"),)),
    Case("Yongbyon dismantlement", (("a", "yongbyon"),)),
    Case("sanctions relief", (("a", "partial-relief"), ("a", "plain"))),
    Case("제재 완화", (("a", "partial-relief"), ("a", "plain"))),
    Case("빅딜", (("a", "big-deal"),)),
    Case("phased approach", (("a", "phased"),)),
    Case("국내정치", (("a", "domestic"),)),
    Case("특사 파견", (("a", "envoy"),)),
    Case('"협상 전략"', (("a", "big-deal"),)),
)
