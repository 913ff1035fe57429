"""API schemas for the codebook and annotations: inputs and outputs kept apart.

annotation_native() is the native JSON presenter (the W3C one is annotations.w3c); its
dicts follow AnnotationOut (and TombstoneOut for what left a sync's results).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import model_validator

from annotations.models import Annotation
from config.api_support import StrictDateTime

ActorValue = Literal["us", "dprk", "rok", "china", "other", "unspecified"]
VisibilityValue = Literal["private", "shared"]
OrderingValue = Literal["position", "created", "-created", "updated", "-updated"]
MAX_TAGS = 50
MAX_QUOTE = 100_000


class TagOut(Schema):
    code: str = Field(examples=["sanctions-partial-relief"])
    label_en: str = Field(examples=["Partial sanctions relief"])
    label_ko: str = Field(examples=["부분적 제재 완화"])
    category: str | None = Field(description="The category's code.", examples=["negotiation"])
    description: str = Field(examples=[""])
    colour: str = Field(examples=["#64b5f6"])
    active: bool = Field(examples=[True])

    @staticmethod
    def resolve_category(obj) -> str | None:
        return obj.category.code if obj.category_id else None


class AnnotationOut(Schema):
    """An annotation, as the native API shows it."""

    id: int = Field(examples=[42])
    brief: str = Field(description="The brief's slug.", examples=["kinu-co-19-05"])
    section: int = Field(description="The section's id.", examples=[12])
    start: int = Field(description="First code point (0-based).", examples=[57])
    end: int = Field(description="Code point after the last one.", examples=[76])
    quote: str = Field(examples=["영변의 모든 핵시설을 영구적으로 폐기"])
    prefix: str = Field(examples=["김정은 위원장이 양국 공동 작업으로 "])
    suffix: str = Field(examples=["할 것이고 핵실험과"])
    tags: list[str] = Field(
        description="Tag codes, in codebook order.", examples=[["sanctions-partial-relief"]]
    )
    actor: ActorValue = Field(examples=["dprk"])
    note: str = Field(examples=["Offer made at Hanoi."])
    author: str = Field(description="The author's username.", examples=["annotator"])
    visibility: VisibilityValue = Field(examples=["shared"])
    created: dt.datetime = Field(examples=["2024-05-02T09:14:03.512+00:00"])
    updated: dt.datetime = Field(examples=["2024-05-02T09:20:11.004+00:00"])
    deleted: Literal[False] = Field(False, description="Always false here; see TombstoneOut.")


def _joined(annotation: Annotation, name: str, otherwise: Callable[[Annotation], Any]) -> Any:
    # A value the listing's query joined in (annotation_native_rows), else read off the relations.
    values = annotation.__dict__
    return values[name] if name in values else otherwise(annotation)


def annotation_native(annotation: Annotation) -> dict[str, Any]:
    """Return the annotation as the native API shows it (AnnotationOut).

    Expects author, section__brief and tags loaded (annotations.feed.annotation_prefetch),
    or the values annotations.feed.annotation_native_rows adds to a listing's rows.
    """
    return {
        "id": annotation.pk,
        "brief": _joined(annotation, "brief_slug", lambda a: a.section.brief.slug),
        "section": annotation.section_id,
        "start": annotation.start,
        "end": annotation.end,
        "quote": annotation.quote,
        "prefix": annotation.prefix,
        "suffix": annotation.suffix,
        "tags": [tag.code for tag in annotation.listed_tags()],
        "actor": annotation.actor,
        "note": annotation.note,
        "author": _joined(annotation, "author_username", lambda a: a.author.get_username()),
        "visibility": annotation.visibility,
        "created": annotation.created_at,
        "updated": annotation.updated_at,
        "deleted": False,
    }


def tombstone_native(annotation: Annotation) -> dict[str, Any]:
    """Return the stub that tells a sync consumer an annotation left its results (TombstoneOut)."""
    # The feed sets gone_at: when someone else's annotation was made private, not its last edit.
    gone_at = getattr(annotation, "gone_at", annotation.updated_at)
    return {"id": annotation.pk, "deleted": True, "updated": gone_at}


class TombstoneOut(Schema):
    """An annotation that left the results: deleted, or edited out of the filters."""

    id: int = Field(examples=[41])
    deleted: Literal[True] = Field(True, examples=[True])
    updated: dt.datetime = Field(examples=["2024-05-03T11:00:00+00:00"])


class AnnotationPageOut(Schema):
    items: list[AnnotationOut | TombstoneOut]
    next: str | None = Field(
        description=(
            "URL of the next page. With ordering=updated it is always set: fetch it later "
            "for what changed since."
        ),
        examples=[
            "https://marginalia.example.org/api/v1/annotations?ordering=updated&cursor=WyJ1cGRhdGVkIiwxMjM0LDQyXQ"
        ],
    )
    has_more: bool = Field(description="Whether `next` already has items.", examples=[False])


class ObjectIn(Schema):
    """A request body: a JSON object, nothing else."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # ninja would read a list, a number or null as an object with no fields. (Its own
        # wrapper, DjangoGetter, holds the parsed body by the time this runs.)
        body = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(body, dict):
            raise ValueError("The request body must be a JSON object.")
        return data


class AnnotationCreateIn(ObjectIn):
    section: int = Field(description="The section's id.", ge=1, le=2**63 - 1, examples=[12])
    start: int = Field(
        description="First code point (0-based), over the section's NFC text.",
        ge=0,
        le=2**31 - 1,
        examples=[57],
    )
    end: int = Field(description="Code point after the last one.", ge=1, le=2**31 - 1, examples=[76])
    quote: str = Field(
        description="The selected text; must equal the section's text[start:end].",
        min_length=1,
        max_length=MAX_QUOTE,
        examples=["영변의 모든 핵시설을 영구적으로 폐기"],
    )
    tags: list[str] = Field(
        [], description="Tag codes.", max_length=MAX_TAGS, examples=[["sanctions-partial-relief"]]
    )
    actor: ActorValue = Field("unspecified", examples=["dprk"])
    note: str = Field("", max_length=Annotation.NOTE_MAX_LENGTH, examples=["Offer made at Hanoi."])
    visibility: VisibilityValue = Field("private", examples=["shared"])


class AnnotationUpdateIn(ObjectIn):
    """PUT: every editable field (the anchor never changes)."""

    tags: list[str] = Field(
        description="Tag codes.", max_length=MAX_TAGS, examples=[["sanctions-partial-relief"]]
    )
    actor: ActorValue = Field(examples=["dprk"])
    note: str = Field(max_length=Annotation.NOTE_MAX_LENGTH, examples=["Offer made at Hanoi."])
    visibility: VisibilityValue = Field(examples=["shared"])


class AnnotationPatchIn(ObjectIn):
    """PATCH: only the fields to change."""

    tags: list[str] | None = Field(None, max_length=MAX_TAGS, examples=[["sanctions-partial-relief"]])
    actor: ActorValue | None = Field(None, examples=["us"])
    note: str | None = Field(
        None, max_length=Annotation.NOTE_MAX_LENGTH, examples=["Checked against the KCNA text."]
    )
    visibility: VisibilityValue | None = Field(None, examples=["private"])


class AnnotationFilterIn(Schema):
    """Filters of the annotation list (all optional; tag may repeat)."""

    brief: str | None = Field(None, max_length=120, description="A brief's slug.", examples=["kinu-co-19-05"])
    section: int | None = Field(None, ge=1, le=2**63 - 1, description="A section's id.", examples=[12])
    tag: list[str] = Field(
        [],
        max_length=MAX_TAGS,
        description="Tag codes (repeat the parameter).",
        examples=[["sanctions-partial-relief"]],
    )
    tags: list[str] = Field(
        [],
        max_length=MAX_TAGS,
        description="The same as `tag` (the spelling the export takes); both may be given.",
        examples=[["big-deal"]],
    )
    tag_mode: Literal["any", "all"] = Field(
        "any", description="Whether an annotation needs any or all of the tags."
    )
    actor: ActorValue | None = Field(None, examples=["dprk"])
    author: str | None = Field(None, max_length=150, description="A username.", examples=["annotator"])
    visibility: VisibilityValue | None = Field(None, examples=["shared"])
    q: str | None = Field(
        None,
        max_length=200,
        description=(
            "Words that must all occur (in any order) in the quote, the note or a tag label, "
            "matched as the search does (particles and endings do not matter; 제재완화 = 제재 "
            '완화); a "quoted phrase" must occur verbatim.'
        ),
        examples=["영변"],
    )
    created_after: StrictDateTime | None = Field(None, examples=["2024-01-01T00:00:00+09:00"])
    created_before: StrictDateTime | None = Field(None, examples=["2025-01-01T00:00:00+09:00"])
    updated_after: StrictDateTime | None = Field(None, examples=["2024-06-01T00:00:00+09:00"])
    updated_before: StrictDateTime | None = Field(None, examples=["2025-01-01T00:00:00+09:00"])
    published_since: str | None = Field(
        None,
        pattern=r"^\d{4}(-\d{2}-\d{2})?$",
        description="Briefs published in or after this year (YYYY) or on or after this date (YYYY-MM-DD).",
        examples=["2019"],
    )
    ordering: OrderingValue = Field(
        "position",
        description="position (reading order), created, -created, -updated; updated: the change feed.",
    )
    include_deleted: bool = Field(
        False, description="Add {id, deleted: true, updated} stubs for what left the results (for sync)."
    )
    cursor: str | None = Field(None, max_length=200, description="Opaque: take it from `next`.")
    limit: int = Field(50, ge=1, le=500)


class BulkOut(Schema):
    """A batch created: how many annotations, and their ids in the order they were sent."""

    created: int
    ids: list[int]
    search_index: Literal["done", "queued"] = Field(
        description="done: searchable now; queued: once the background worker has indexed the batch."
    )


class BulkProblemOut(Schema):
    item: int = Field(description="The item's number in the batch, from 1.")
    line: int | None = Field(None, description="Its line, for JSON Lines.")
    field: str | None = None
    detail: str


class BulkErrorOut(Schema):
    """A batch refused: nothing was written. errors lists the first 200 problems."""

    detail: str
    field: str | None = None
    errors: list[BulkProblemOut] = []
    error_count: int = 0
