"""A world of claims for the counting tests: four briefs (dated, year only, undated; two
organisations and none; Korean and English), four users, shared and private, deleted and
untagged annotations, overlapping passages, a retired tag and one without a category."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import pytest
from django.utils import timezone

from annotations.models import Actor, Annotation, Tag
from tests.factories import AnnotationFactory, BriefFactory, SectionFactory, TagFactory, role_user

TEXT = (
    "미국은 영변 이외의 핵시설 폐기를 요구했고 북한은 제재 완화를 먼저 요구했다. "
    "한국은 종전선언과 연락사무소 설치로 협상을 촉진하려 했다."
)


@dataclass
class World:
    users: dict
    briefs: dict
    tags: dict
    annotations: list


def world_build(seed: int = 13, count: int = 90) -> World:
    """Build the world (deterministic for a seed)."""
    rng = random.Random(seed)
    users = {
        "alice": role_user("annotator", username="alice"),
        "bob": role_user("annotator", username="bob"),
        "carol": role_user("analyst", username="carol"),
        "dave": role_user("editor", username="dave"),
    }
    briefs = {
        "dated": BriefFactory(
            slug="dated",
            organisation="통일연구원",
            organisation_en="KINU",
            language="ko",
            publication_date=dt.date(2019, 3, 5),
            publication_year=2019,
        ),
        "crs": BriefFactory(
            slug="crs",
            organisation="CRS",
            language="en",
            publication_date=dt.date(2018, 6, 20),
            publication_year=None,
        ),
        "year-only": BriefFactory(
            slug="year-only", organisation="", publication_date=None, publication_year=2019
        ),
        "undated": BriefFactory(
            slug="undated", organisation="CRS", language="en", publication_date=None, publication_year=None
        ),
    }
    sections = [SectionFactory(brief=brief, text=TEXT) for brief in briefs.values() for _ in range(2)]
    tags = {tag.code: tag for tag in Tag.objects.all()}
    retired = rng.choice(list(tags.values()))
    retired.active = False
    retired.save(update_fields=["active"])
    tags["no-category"] = TagFactory(code="no-category", category=None)
    pool = list(tags.values())
    annotations = []
    for _ in range(count):
        section = rng.choice(sections)
        start = rng.randrange(0, len(TEXT) - 25)
        annotation = AnnotationFactory(
            section=section,
            author=rng.choice(list(users.values())),
            start=start,
            length=rng.randrange(3, 24),
            actor=rng.choice(Actor.values),
            visibility=rng.choice(["shared", "shared", "private"]),
            tags=rng.sample(pool, rng.choice([0, 1, 1, 1, 2, 2, 3])),
        )
        if rng.random() < 0.1:
            annotation.deleted_at = timezone.now()
            annotation.save(update_fields=["deleted_at"])
        annotations.append(annotation)
    return World(users=users, briefs=briefs, tags=tags, annotations=annotations)


@pytest.fixture
def world(codebook) -> World:
    return world_build()


def private_claim_add(world: World, author) -> Annotation:
    """Add one private, tagged claim by `author` on the first brief."""
    section = world.briefs["dated"].sections.order_by("position").first()
    return AnnotationFactory(
        section=section,
        author=author,
        start=2,
        length=10,
        actor="us",
        visibility="private",
        tags=[world.tags["no-category"], next(iter(world.tags.values()))],
    )
