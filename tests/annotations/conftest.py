from __future__ import annotations

import pytest

from tests.factories import BriefFactory, SectionFactory

TEXT = (
    "이번 회담에서 북한의 비핵화와 관련한 미국의 요구는 매우 포괄적이었다. "
    "반면 북한은 김정은 위원장이 양국 공동 작업으로 영변의 모든 핵시설을 영구적으로 폐기할 것이고 "
    "핵실험과 장거리 미사일 실험의 영구 중단을 문서로 확약할 것이라는 의사를 표명했다.\n\n"
    "🇰🇷 제재 완화 😀 논의는 이어졌다."
)
YONGBYON = "영변의 모든 핵시설을 영구적으로 폐기"


@pytest.fixture
def brief(db):
    return BriefFactory(slug="kinu-co-19-05", title="제2차 북미정상회담 평가와 향후 과제")


@pytest.fixture
def section(brief):
    return SectionFactory(brief=brief, position=2, heading="양자의 입장차", anchor="s2", text=TEXT)
