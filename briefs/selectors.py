"""Reads for briefs and sections, shared by pages, API, export and admin."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet

from annotations.models import Annotation, Visibility
from briefs.models import Brief, Section

User = AbstractBaseUser | AnonymousUser


def brief_list(*, language: str | None = None) -> QuerySet[Brief]:
    """Return briefs for the library, each with its number of sections."""
    qs = Brief.objects.with_section_count()
    if language:
        qs = qs.filter(language=language)
    return qs.order_by("-publication_year", "-publication_date", "title", "pk")


def brief_get(*, slug: str) -> Brief:
    """Return one brief with its sections in order (raises Brief.DoesNotExist)."""
    sections = Prefetch("sections", queryset=Section.objects.order_by("position"))
    return Brief.objects.prefetch_related(sections).get(slug=slug)


def section_list(*, brief: Brief | None = None) -> QuerySet[Section]:
    """Return sections in reading order, optionally of one brief."""
    qs = Section.objects.select_related("brief")
    if brief is not None:
        qs = qs.filter(brief=brief)
    return qs.order_by("brief_id", "position")


@dataclass(frozen=True)
class BriefDeletePreview:
    """What deleting a brief would take with it, as one user may be told."""

    sections: int
    mine: int  # the user's own live annotations
    others_shared: int  # other people's live shared annotations
    # Whether other people hold any live annotation, private ones included: deleting then
    # needs a confirmation. A yes/no only, never their number.
    others: bool


def brief_delete_preview(*, user: User, brief: Brief) -> BriefDeletePreview:
    """Return what deleting the brief would delete, counting only what the user may see."""
    others = ~Q(author_id=user.pk)
    counts = (
        Annotation.objects.alive()
        .filter(section__brief=brief)
        .aggregate(
            mine=Count("pk", filter=Q(author_id=user.pk)),
            others_shared=Count("pk", filter=others & Q(visibility=Visibility.SHARED)),
            others=Count("pk", filter=others),
        )
    )
    return BriefDeletePreview(
        sections=brief.sections.count(),
        mine=counts["mine"],
        others_shared=counts["others_shared"],
        others=counts["others"] > 0,
    )
