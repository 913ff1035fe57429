from __future__ import annotations

import datetime as dt
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import timezone

from annotations.export.presenters import ExcerptOptions
from annotations.export.selectors import ExportFilters
from annotations.export.services import excerpt_export
from annotations.models import Annotation, Tag
from annotations.services import codebook_load_starter
from tests.factories import AnnotationFactory, BriefFactory, SectionFactory, role_user

BASE_URL = "https://marginalia.example.org"
# The official W3C assertions, vendored with the API tests (tests/api/w3c_suite).
W3C_VALIDATOR = Path(__file__).resolve().parent.parent / "api" / "w3c_suite" / "validate.py"

KO_SUMMARY = "하노이 회담은 합의 없이 끝났다. 양측은 대화를 이어가기로 했다."
KO_BODY = (
    "미국은 영변 외 추가 핵시설의 폐기를 포함한 빅딜을 요구했다. "
    "반면 북한은 영변의 모든 핵시설을 영구적으로 폐기하는 대가로 제재 일부 해제를 원했다.\n\n"
    "🇰🇷 양측은 “단계적 접근”에 대한 이견을 좁히지 못했다."
)
EN_BODY = (
    "Washington asked for a comprehensive deal, while Pyongyang offered to dismantle Yongbyon "
    "in exchange for partial sanctions relief. The talks ended early."
)


def span(text: str, quote: str) -> dict[str, int]:
    start = text.index(quote)
    return {"start": start, "length": len(quote)}


@dataclass
class World:
    """The annotations an export test works with, and who may see which."""

    editor: object
    annotator: object
    analyst: object
    tags: dict[str, Tag]
    ko_summary_hl: Annotation  # editor's own private highlight, untagged, unheaded section
    ko_bigdeal: Annotation  # annotator, shared, two tags, note, actor us
    ko_yongbyon: Annotation  # annotator, shared, one tag, actor dprk, emoji in the section
    en_relief: Annotation  # annotator, shared, English brief
    private_other: Annotation  # annotator's private: never in the editor's export
    deleted: Annotation  # shared but soft-deleted: never in any export

    @property
    def visible_to_editor(self) -> list[Annotation]:
        return [self.ko_summary_hl, self.ko_bigdeal, self.ko_yongbyon, self.en_relief]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    codebook_load_starter()
    tags = {tag.code: tag for tag in Tag.objects.all()}
    editor = role_user("editor", username="editor", first_name="Eun-ji", last_name="Kim")
    annotator = role_user("annotator", username="annotator", first_name="민수", last_name="박")
    analyst = role_user("analyst", username="analyst")

    ko = BriefFactory(
        slug="kinu-co-19-05",
        title="제2차 북미정상회담 평가와 향후 과제",
        organisation="통일연구원",
        series_code="CO 19-05",
        authors=["통일연구원 현안분석팀"],
        publication_year=2019,
        language="ko",
    )
    ko_summary = SectionFactory(
        brief=ko, position=0, heading="", kind="summary", anchor="summary", text=KO_SUMMARY
    )
    ko_body = SectionFactory(
        brief=ko, position=1, heading="양자의 입장차: 빅딜 vs. 단계적 접근", anchor="s1", text=KO_BODY
    )
    en = BriefFactory(
        slug="kinu-online-19-06",
        title="After Hanoi: What Next for Denuclearisation Talks",
        organisation="통일연구원",
        organisation_en="Korea Institute for National Unification",
        series_code="Online Series CO 19-06",
        authors=["Jane Doe", "John Roe"],
        publication_date=dt.date(2019, 3, 8),
        publication_year=2019,
        language="en",
    )
    en_body = SectionFactory(brief=en, position=1, heading="The Sticking Point", anchor="s1", text=EN_BODY)

    world = World(
        editor=editor,
        annotator=annotator,
        analyst=analyst,
        tags=tags,
        ko_summary_hl=AnnotationFactory(
            section=ko_summary, author=editor, visibility="private", **span(KO_SUMMARY, "합의 없이 끝났다")
        ),
        ko_bigdeal=AnnotationFactory(
            section=ko_body,
            author=annotator,
            visibility="shared",
            actor="us",
            note="미국의 요구: '빅딜'.\n두 번째 줄",
            tags=[tags["big-deal"], tags["beyond-yongbyon"]],
            **span(KO_BODY, "영변 외 추가 핵시설의 폐기를 포함한 빅딜을 요구했다"),
        ),
        ko_yongbyon=AnnotationFactory(
            section=ko_body,
            author=annotator,
            visibility="shared",
            actor="dprk",
            tags=[tags["yongbyon-dismantlement"]],
            **span(KO_BODY, "🇰🇷 양측은 “단계적 접근”에 대한 이견"),
        ),
        en_relief=AnnotationFactory(
            section=en_body,
            author=annotator,
            visibility="shared",
            tags=[tags["sanctions-partial-relief"]],
            note="Offer: Yongbyon for relief",
            **span(EN_BODY, "partial sanctions relief"),
        ),
        private_other=AnnotationFactory(
            section=ko_body,
            author=annotator,
            visibility="private",
            note="PRIVATE NOTE",
            tags=[tags["big-deal"]],
            **span(KO_BODY, "제재 일부 해제"),
        ),
        deleted=AnnotationFactory(
            section=ko_body,
            author=annotator,
            visibility="shared",
            note="DELETED NOTE",
            tags=[tags["big-deal"]],
            deleted_at=timezone.now(),
            **span(KO_BODY, "미국은"),
        ),
    )
    return world


def export_bytes(
    user,
    format: str,
    filters: ExportFilters | None = None,
    *,
    language: str = "ko",
    context: bool = False,
) -> bytes:
    """Run the export service and return the whole file."""
    export = excerpt_export(
        user=user,
        filters=filters or ExportFilters(),
        format=format,
        options=ExcerptOptions(language=language, context=context, base_url=BASE_URL),
        source_url=f"{BASE_URL}/export/download/?format={format}",
    )
    return b"".join(export.iter_bytes())


def w3c_validate(path: Path) -> subprocess.CompletedProcess:
    """Run the W3C Web Annotation test suite's assertions (strict) on a file."""
    assert W3C_VALIDATOR.exists(), f"W3C validator not found at {W3C_VALIDATOR}"
    return subprocess.run(
        [sys.executable, str(W3C_VALIDATOR), "--strict", "--quiet", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
