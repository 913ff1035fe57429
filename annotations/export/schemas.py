"""API input for exports: the same filters as the page, as query parameters."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


class ExportQuery(Schema):
    # Unknown slugs, codes and usernames are no error: they match nothing.
    briefs: list[str] = Field(default_factory=list, description="Brief slugs (repeat the parameter).")
    tags: list[str] = Field(default_factory=list, description="Tag codes; an excerpt matches with any.")
    tag: list[str] = Field(
        default_factory=list, description="The same as `tags` (the spelling the annotation list takes)."
    )
    actors: list[Literal["us", "dprk", "rok", "china", "other", "unspecified"]] = Field(
        default_factory=list, description="Who the claim is attributed to."
    )
    annotators: list[str] = Field(default_factory=list, description="Usernames.")
    # Strings, not dates: pydantic would also take 0 or 1700000000 as a date; the form parses.
    created_from: str | None = Field(
        None,
        pattern=DATE_PATTERN,
        json_schema_extra={"format": "date"},
        description="Created on or after (YYYY-MM-DD).",
    )
    created_to: str | None = Field(
        None,
        pattern=DATE_PATTERN,
        json_schema_extra={"format": "date"},
        description="Created on or before (YYYY-MM-DD).",
    )
    q: str | None = Field(
        None, max_length=200, description="Text in the quote or the note (case-insensitive)."
    )
    context: bool = Field(False, description="Add prefix [quote] suffix.")
    language: Literal["ko", "en"] = Field("ko", description="Language of tag labels and section names.")
    format: Literal["csv", "xlsx", "jsonl", "w3c", "md", "docx"] = "csv"


class ExportErrorOut(Schema):
    """A refusal, in the shape config.api gives every error."""

    detail: str
    field: str | None = None
