"""API schemas for briefs and sections (output only: briefs are imported, not posted)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class SectionOut(Schema):
    id: int = Field(examples=[12])
    brief: str = Field(description="The brief's slug.", examples=["kinu-co-19-05"])
    position: int = Field(examples=[2])
    heading: str = Field(examples=["양자의 입장차"])
    level: int = Field(examples=[2])
    kind: str = Field(description="summary | body", examples=["body"])
    anchor: str = Field(description="The section's fragment in the reader.", examples=["s2"])
    text: str = Field(
        description="NFC text; annotation offsets count its Unicode code points.",
        examples=["이번 회담에서 북한의 비핵화와 관련한 미국의 요구는 매우 포괄적이었다."],
    )
    char_count: int = Field(examples=[38])
    page_start: int | None = Field(description="Printed page the section starts on, if known.", examples=[3])
    page_end: int | None = Field(description="Printed page the section ends on, if known.", examples=[4])
    page_offsets: list[int] = Field(
        description="Code-point offsets in `text` of the first paragraph on each new page.",
        examples=[[0, 812]],
    )
    page_numbers: list[int] = Field(
        description="The page of each offset in `page_offsets`.", examples=[[3, 4]]
    )

    @staticmethod
    def resolve_brief(obj) -> str:
        return obj.brief.slug


class BriefOut(Schema):
    slug: str = Field(examples=["kinu-co-19-05"])
    title: str = Field(examples=["제2차 북미정상회담 평가와 향후 과제"])
    subtitle: str = Field(examples=[""])
    organisation: str = Field(examples=["통일연구원"])
    organisation_en: str = Field(examples=["Korea Institute for National Unification"])
    series_code: str = Field(examples=["CO 19-05"])
    authors: list[str] = Field(examples=[["현안분석팀"]])
    language: str = Field(examples=["ko"])
    publication_date: dt.date | None = Field(examples=["2019-03-04"])
    publication_year: int | None = Field(examples=[2019])
    source_url: str = Field(examples=["https://www.kinu.or.kr/"])
    section_count: int = Field(examples=[7])
    importer_version: int = Field(description="Version of the importer that made the sections.", examples=[2])
    import_warnings: list[str] = Field(
        description="What the importer asks an editor to check.",
        examples=[["no headings found in 9,120 characters"]],
    )


class BriefDetailOut(BriefOut):
    sections: list[SectionOut]

    @staticmethod
    def resolve_section_count(obj) -> int:
        return len(obj.sections.all())

    @staticmethod
    def resolve_sections(obj) -> list:
        return list(obj.sections.all())


class BriefPageOut(Schema):
    items: list[BriefOut]
    count: int = Field(examples=[2])
    next: str | None = Field(description="URL of the next page, if any.", examples=[None])


class SectionPageOut(Schema):
    items: list[SectionOut]
    count: int = Field(examples=[14])
    next: str | None = Field(description="URL of the next page, if any.", examples=[None])
