"""API schemas for search results: snippets as plain text plus the spans that matched."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema

Q_DESCRIPTION = (
    "Words (Korean particles and endings do not matter: 제재를 finds 제재), English words "
    '(stemmed), a "quoted phrase" for exact text; partial words and typos fall back to '
    "substring and similarity matching."
)


class SearchParams(Schema):
    """The search page's parameters (validated by its SearchForm) plus paging."""

    q: str = Field(description=Q_DESCRIPTION, examples=["제재 완화"])
    brief: str | None = Field(None, description="A brief's slug.", examples=["kinu-co-19-05"])
    language: Literal["ko", "en"] | None = None
    year_from: int | None = Field(None, ge=1800, le=2200, description="Published in or after.")
    year_to: int | None = Field(None, ge=1800, le=2200, description="Published in or before.")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


class AnnotationSearchParams(SearchParams):
    tag: list[str] = Field(
        [],
        description="Tag codes (repeat the parameter): any of them.",
        examples=[["end-of-war-declaration"]],
    )
    tags: list[str] = Field(
        [], description="The same as `tag` (the spelling the export takes); both may be given.", examples=[[]]
    )


class Marked(Schema):
    text: str = Field(
        description="Plain text of the snippet (… where it skips part of the field).",
        examples=["… 미국은 북한이 영변 핵시설 폐기에 대한 상응조치로 전면적 제재 해제를 요구했지만 …"],
    )
    highlights: list[tuple[int, int]] = Field(
        description="[start, end) of each match in `text`, in Unicode code points.", examples=[[[42, 44]]]
    )


class SectionHitOut(Schema):
    section: int = Field(description="The section's id (GET /api/v1/sections/{id}).", examples=[12])
    brief: str = Field(description="The brief's slug.", examples=["kinu-co-19-05"])
    brief_title: str = Field(examples=["제2차 북미정상회담 평가와 향후 과제"])
    position: int = Field(examples=[2])
    heading: Marked
    snippet: Marked
    rank: float = Field(description="Relevance within this result list (higher first).", examples=[0.42])
    mode: str = Field(
        description="How it matched: fts (words), phrase (exact), fuzzy (partial words, typos).",
        examples=["fts"],
    )
    url: str = Field(
        description="The section in the reader.", examples=["https://host/briefs/kinu-co-19-05/#s2"]
    )


class AnnotationHitOut(Schema):
    annotation: int = Field(description="The annotation's id (GET /api/v1/annotations/{id}).", examples=[7])
    brief: str = Field(examples=["kinu-co-19-05"])
    section: int = Field(examples=[12])
    section_heading: str = Field(examples=["양자의 입장차: 빅딜 vs. 단계적 접근"])
    quote: Marked
    note: Marked
    tags: list[str] = Field(description="Tag codes.", examples=[["sanctions-partial-relief"]])
    actor: str = Field(examples=["dprk"])
    author: str = Field(examples=["annotator"])
    visibility: str = Field(examples=["shared"])
    rank: float = Field(examples=[0.3])
    mode: str = Field(examples=["fts"])
    url: str = Field(
        description="The annotation's permalink in the reader.",
        examples=["https://host/briefs/x/#annotation-7"],
    )


class SectionSearchPage(Schema):
    items: list[SectionHitOut]
    count: int = Field(examples=[5])
    next: str | None = Field(description="URL of the next page, if any.", examples=[None])
    did_you_mean: str | None = Field(
        description=(
            "The query with its misspelt words spelt as the briefs spell them (null when every "
            "word is known): run it as q for what the typo missed."
        ),
        examples=["종전선언"],
    )


class AnnotationSearchPage(Schema):
    items: list[AnnotationHitOut]
    count: int = Field(examples=[3])
    next: str | None = Field(description="URL of the next page, if any.", examples=[None])
    did_you_mean: str | None = Field(
        description=(
            "The query with its misspelt words spelt as the briefs spell them (null when every "
            "word is known): run it as q for what the typo missed."
        ),
        examples=["종전선언"],
    )
