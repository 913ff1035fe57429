"""Annotations and the codebook over the native JSON API.

Reads go through annotations.feed (which starts from the selectors' visibility rule);
writes through annotations.services, so the API allows exactly what the pages allow.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Header, Query, Router, Status

from annotations import selectors, services
from annotations.bulk import JSON_LINES_TYPES, BatchInvalid, batch_drafts, batch_items
from annotations.feed import (
    AnnotationFilters,
    annotation_etag,
    annotation_feed,
    annotation_prefetch,
)
from annotations.models import Annotation, Tag, Visibility, codebook_order
from annotations.schemas import (
    AnnotationCreateIn,
    AnnotationFilterIn,
    AnnotationOut,
    AnnotationPageOut,
    AnnotationPatchIn,
    AnnotationUpdateIn,
    BulkErrorOut,
    BulkOut,
    TagOut,
    VisibilityValue,
    annotation_native,
    tombstone_native,
)
from briefs.models import Section
from config.api_support import (
    ERRORS,
    OPEN_READ,
    bulk_auth,
    json_answer,
    signed_in_auth,
    url_with,
    write_auth,
)

router = Router(tags=["annotations"])
tags_router = Router(tags=["codebook"])


# The codebook ------------------------------------------------------------------------------


@tags_router.get(
    "", response={200: list[TagOut], **ERRORS}, summary="List the codebook's tags", openapi_extra=OPEN_READ
)
def tag_list(request: HttpRequest, active: bool | None = Query(None)) -> list[Tag]:
    """Tags in codebook order, with their categories."""
    return list(selectors.tag_list(active=active))


@tags_router.get(
    "/{code}",
    response={200: TagOut, **ERRORS},
    url_name="tag_get",
    summary="Get a tag",
    openapi_extra=OPEN_READ,
)
def tag_get(request: HttpRequest, code: str) -> Tag:
    """One tag by its code (the IRI that W3C tagging bodies carry as their id)."""
    return selectors.tag_list().get(code=code)


# Helpers --------------------------------------------------------------------------------------


def _published_since(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date(int(value), 1, 1) if len(value) == 4 else dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError({"published_since": "Not a date: use YYYY or YYYY-MM-DD."}) from exc


def annotation_filters(params: AnnotationFilterIn) -> AnnotationFilters:
    """Turn the list's query parameters into feed filters."""
    return AnnotationFilters(
        brief=params.brief or None,
        section=params.section,
        tags=tuple(dict.fromkeys(code for code in [*params.tag, *params.tags] if code)),
        tag_mode=params.tag_mode,
        actor=params.actor,
        author=params.author or None,
        visibility=params.visibility,
        q=params.q or None,
        created_after=params.created_after,
        created_before=params.created_before,
        updated_after=params.updated_after,
        updated_before=params.updated_before,
        published_since=_published_since(params.published_since),
    )


def tags_from_codes(codes: list[str]) -> list[Tag]:
    """Return the tags with these codes in the given order (ValidationError for unknown ones)."""
    wanted = list(dict.fromkeys(codes))
    found = {tag.code: tag for tag in Tag.objects.filter(code__in=wanted).select_related("category")}
    missing = [code for code in wanted if code not in found]
    if missing:
        raise ValidationError({"tags": f"Unknown tag code(s): {', '.join(missing)}."})
    return [found[code] for code in wanted]


def _reloaded(request: HttpRequest, pk: int) -> Annotation:
    return annotation_prefetch(selectors.annotations_visible_to(request.user)).get(pk=pk)


def _present(annotation: Annotation, response: HttpResponse) -> dict:
    response["ETag"] = annotation_etag(annotation)
    return annotation_native(annotation)


def _present_written(annotation: Annotation, response: HttpResponse) -> dict:
    """Present what a service just wrote, not read back (four statements fewer).

    Its section, brief and author are those the write started from; its tags are those
    the service wrote (tag_list), their categories loaded, here put in codebook order.
    """
    annotation.tag_list = sorted(annotation.tag_list, key=codebook_order)
    return _present(annotation, response)


IF_MATCH = Header(None, alias="If-Match", description="An ETag: 412 if the annotation changed.")
IDEMPOTENCY_KEY = Header(
    None,
    alias="Idempotency-Key",
    description=(
        "Any unique string (a UUID) per intended create: a retry with it within 24 h returns "
        "the first answer instead of a second annotation; 422 if the body differs."
    ),
)


# Annotations ---------------------------------------------------------------------------------


@router.get(
    "",
    auth=signed_in_auth,
    response={200: AnnotationPageOut, **ERRORS},
    summary="List or sync annotations",
)
def annotation_list(request: HttpRequest, params: Query[AnnotationFilterIn]) -> HttpResponse:
    """The annotations you may see, filtered, one cursor page at a time.

    Anonymous callers get a 401 saying how to sign in. For incremental sync use
    ordering=updated&include_deleted=true and keep the last `next`.
    """
    page = annotation_feed(
        user=request.user,
        filters=annotation_filters(params),
        ordering=params.ordering,
        cursor=params.cursor,
        limit=params.limit,
        include_deleted=params.include_deleted,
    )
    items = [tombstone_native(a) if a.gone else annotation_native(a) for a in page.items]
    next_url = url_with(request, cursor=page.next_cursor) if page.next_cursor else None
    return json_answer({"items": items, "next": next_url, "has_more": page.has_more})


@router.post("", auth=write_auth, response={201: AnnotationOut, **ERRORS}, summary="Create an annotation")
def annotation_create(
    request: HttpRequest,
    payload: AnnotationCreateIn,
    response: HttpResponse,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> Status:
    """Anchor a new annotation; quote must equal the section's text[start:end] (409 if not)."""

    def create() -> Annotation:
        section = Section.objects.filter(pk=payload.section).select_related("brief").first()
        if section is None:
            raise ValidationError({"section": "No such section."})
        return services.annotation_create(
            user=request.user,
            section=section,
            start=payload.start,
            end=payload.end,
            quote=payload.quote,
            tags=tags_from_codes(payload.tags),
            actor=payload.actor,
            note=payload.note,
            visibility=payload.visibility,
        )

    idempotency = services.Idempotency.of_request(idempotency_key, scope="api", body=request.body)
    annotation, status, replayed = services.annotation_create_once(
        user=request.user, idempotency=idempotency, create=create
    )
    if replayed:  # the first request's annotation, as it is now
        response["Idempotent-Replayed"] = "true"
        body = _present(_reloaded(request, annotation.pk), response)
    else:
        body = _present_written(annotation, response)
    response["Location"] = request.build_absolute_uri(reverse("api:annotation_get", args=[annotation.pk]))
    return Status(status, body)


BULK_VISIBILITY = Query(
    Visibility.PRIVATE.value, description="For items whose format carries none (W3C, excerpts, Label Studio)."
)
_BULK_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"type": "array", "items": AnnotationCreateIn.json_schema(), "minItems": 1},
        },
        "application/ld+json": {
            "schema": {
                "type": "object",
                "description": "A W3C AnnotationCollection (its first page embedded), a page or an array.",
            }
        },
        "application/x-ndjson": {"schema": {"type": "string", "description": "One object per line."}},
    },
}


@router.post(
    "/bulk",
    auth=bulk_auth,
    response={201: BulkOut, 422: BulkErrorOut, **{k: v for k, v in ERRORS.items() if k != 422}},
    summary="Create many annotations at once, all or none",
    openapi_extra={"requestBody": _BULK_BODY},
)
def annotation_bulk(
    request: HttpRequest,
    response: HttpResponse,
    visibility: VisibilityValue = BULK_VISIBILITY,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> Status:
    """Create a batch: ours, W3C annotations, exported excerpts or Label Studio tasks.

    JSON (an array, a W3C collection or page) or JSON Lines (Content-Type
    application/x-ndjson). Every item is checked first; if any cannot be created the
    answer is a 422 listing each problem with its item number (and line) and nothing is
    written. With an Idempotency-Key a retry answers the first batch's ids. A batch of more
    than 500 is searchable once the background worker has indexed it (search_index: queued).
    """
    media = request.content_type or ""
    idempotency = services.Idempotency.of_request(idempotency_key, scope="bulk", body=request.body)

    def create() -> list[Annotation]:
        items = batch_items(request.body, json_lines=media in JSON_LINES_TYPES)
        drafts, problems = batch_drafts(items, visibility=visibility)
        return services.annotation_bulk_create(user=request.user, drafts=drafts, problems=problems)

    try:
        ids, replayed = services.annotation_bulk_create_once(
            user=request.user, idempotency=idempotency, create=create
        )
    except BatchInvalid as exc:
        return Status(422, exc.as_dict())
    if replayed:
        response["Idempotent-Replayed"] = "true"
    searchable = len(ids) <= settings.MARGINALIA_BULK_INDEX_INLINE
    return Status(201, {"created": len(ids), "ids": ids, "search_index": "done" if searchable else "queued"})


@router.get(
    "/{annotation_id}",
    auth=signed_in_auth,
    response={200: AnnotationOut, **ERRORS},
    url_name="annotation_get",
    summary="Get an annotation",
)
def annotation_get(request: HttpRequest, annotation_id: int, response: HttpResponse) -> dict:
    """One annotation you may see, with its ETag."""
    return _present(_reloaded(request, annotation_id), response)


@router.put(
    "/{annotation_id}",
    auth=write_auth,
    response={200: AnnotationOut, **ERRORS},
    summary="Replace an annotation's fields",
)
def annotation_put(
    request: HttpRequest,
    annotation_id: int,
    payload: AnnotationUpdateIn,
    response: HttpResponse,
    if_match: str | None = IF_MATCH,
) -> dict:
    """Set tags, actor, note and visibility (the anchor never changes)."""
    updated = services.annotation_update(
        user=request.user,
        annotation=selectors.annotation_for_write(user=request.user, pk=annotation_id),
        tags=tags_from_codes(payload.tags),
        actor=payload.actor,
        note=payload.note,
        visibility=payload.visibility,
        if_match=if_match,
    )
    return _present_written(updated, response)


@router.patch(
    "/{annotation_id}",
    auth=write_auth,
    response={200: AnnotationOut, **ERRORS},
    summary="Change some of an annotation's fields",
)
def annotation_patch(
    request: HttpRequest,
    annotation_id: int,
    payload: AnnotationPatchIn,
    response: HttpResponse,
    if_match: str | None = IF_MATCH,
) -> dict:
    """Change only the fields given."""
    # Only the fields sent (null, as before, keeps one too): the others keep what is
    # stored when the service locks the row, so concurrent edits of other fields stay.
    fields = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    if "tags" in fields:
        fields["tags"] = tags_from_codes(fields["tags"])
    updated = services.annotation_update(
        user=request.user,
        annotation=selectors.annotation_for_write(user=request.user, pk=annotation_id),
        if_match=if_match,
        **fields,
    )
    return _present_written(updated, response)


@router.delete(
    "/{annotation_id}", auth=write_auth, response={204: None, **ERRORS}, summary="Delete an annotation"
)
def annotation_delete(
    request: HttpRequest,
    annotation_id: int,
    if_match: str | None = IF_MATCH,
) -> Status:
    """Soft-delete: it disappears everywhere; sync consumers get a stub."""
    annotation = selectors.annotation_for_write(user=request.user, pk=annotation_id)
    services.annotation_delete(user=request.user, annotation=annotation, if_match=if_match)
    return Status(204, None)
