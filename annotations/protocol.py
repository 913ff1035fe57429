"""The W3C Web Annotation Protocol: one LDP BasicContainer of the annotations you may see.

    /api/v1/w3c/annotations/            GET HEAD OPTIONS POST    the container
    /api/v1/w3c/annotations/?page=N     GET HEAD OPTIONS         AnnotationPage N (0-based)
    /api/v1/w3c/annotations/<id>        GET HEAD OPTIONS PUT DELETE

Choices (REC-annotation-protocol-20170223):
- JSON-LD with the anno.jsonld profile by default; application/json gets the same body
  with that content type; any other Accept is answered 406. Bodies sent must be
  application/ld+json or application/json (415 otherwise).
- Prefer: return=representation;include="…PreferMinimalContainer" leaves the first page
  out, "…PreferContainedIRIs" lists IRIs instead of descriptions (pages then carry
  iris=1); descriptions are the default.
- Pages hold PAGE_SIZE annotations in creation order. Their next and prev links carry the
  key of the item they continue from (after=, before=), so walking the pages reads each off
  an index (no OFFSET), as cheap at page 1,000 as at page 1.
- PUT and DELETE require If-Match with the current ETag: 428 without it, 412 if stale,
  so two clients cannot silently overwrite each other.
- The anchor (target) is fixed at creation; PUT changes the bodies: tags (purpose
  tagging, by tag IRI, code or label), the actor (purpose classifying) and the note
  (purpose commenting, or a bodyValue). Visibility is not part of the W3C model: POST
  creates private annotations; PUT keeps the current visibility.
- A POSTed annotation's own id is replaced by ours and kept in via; its canonical is kept
  and a PUT may not change it (400). POST takes an Idempotency-Key as the JSON API does.
- PUT and DELETE compare If-Match with the row locked in their transaction: of two
  writers with the same ETag exactly one wins, the other gets 412.
- Auth as the JSON API (config.api_support): reads need a token or the session (without
  any credentials a GET is a 401 whose detail says how to get them, SignedInAuth's hint),
  writes a read-write token or the session with its CSRF token. OPTIONS stays open.
- A GET/HEAD with a query parameter the resource does not take (the container takes page
  and iris, an annotation none) is a 400 naming it, worded as the JSON API words it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from ninja.errors import HttpError

from accounts.auth import authenticate_request
from annotations import selectors, services
from annotations.feed import (
    PreconditionFailed,
    annotation_etag,
    annotation_prefetch,
    if_match_ok,
)
from annotations.models import Actor, Annotation, Tag
from annotations.w3c import (
    ACTOR_URN_PREFIX,
    ANNO_CONTEXT,
    JSONLD_MEDIA_TYPE,
    LDP_CONTEXT,
    W3CPresenter,
    annotation_jsonld,
    container_id,
    w3c_datetime,
)
from briefs.models import Section
from config.api_support import (
    base_url,
    body_size_check,
    error_payload,
    signed_in_auth,
    unknown_query_error,
)
from config.input_guard import UnreadableInput, json_body_load

PAGE_SIZE = 100
JSON_MEDIA_TYPE = "application/json"
PREFER_MINIMAL = "http://www.w3.org/ns/ldp#PreferMinimalContainer"
PREFER_IRIS = "http://www.w3.org/ns/oa#PreferContainedIRIs"
PREFER_DESCRIPTIONS = "http://www.w3.org/ns/oa#PreferContainedDescriptions"
CONTAINER_LINKS = (
    '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", '
    '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
)
RESOURCE_LINK = '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
CONTAINER_ALLOW = "GET, HEAD, OPTIONS, POST"
ANNOTATION_ALLOW = "GET, HEAD, OPTIONS, PUT, DELETE"
ACCEPT_POST = f"{JSONLD_MEDIA_TYPE}, {JSON_MEDIA_TYPE}"
CONTAINER_QUERY = frozenset({"page", "iris", "after", "before"})
ANNOTATION_QUERY: frozenset[str] = frozenset()

View = Callable[..., HttpResponse]


# Errors, negotiation, responses ----------------------------------------------------------


def protocol_errors(view: View) -> View:
    """Answer refusals as JSON {"detail", "field"} with a 4xx, like the JSON API."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Exception as exc:
            payload = error_payload(exc)
            if payload is None:
                raise
            status, body, headers = payload
            response = JsonResponse(body, status=status)
            for name, value in headers.items():
                response[name] = value
            return response

    return csrf_exempt(wrapped)  # session writes are CSRF-checked in authenticate_request


def _media_ranges(header: str) -> list[tuple[float, int, str, dict[str, str]]]:
    ranges = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        params: dict[str, str] = {}
        for field in fields[1:]:
            name, _, value = field.partition("=")
            params[name.strip().lower()] = value.strip().strip('"')
        try:
            q = float(params.pop("q", "1"))
        except ValueError:
            q = 0.0
        ranges.append((q, index, media, params))
    return sorted(ranges, key=lambda r: (-r[0], r[1]))


def negotiate(request: HttpRequest) -> str:
    """Return the media type to answer with (raises HttpError 406 if none is acceptable)."""
    header = request.headers.get("Accept", "").strip()
    if not header:
        return JSONLD_MEDIA_TYPE
    for q, _, media, params in _media_ranges(header):
        if q <= 0:
            continue
        if media == "application/ld+json":
            profiles = params.get("profile", ANNO_CONTEXT).split()
            if ANNO_CONTEXT in profiles or LDP_CONTEXT in profiles:
                return JSONLD_MEDIA_TYPE
        elif media == JSON_MEDIA_TYPE:
            return JSON_MEDIA_TYPE
        elif media in ("*/*", "application/*"):
            return JSONLD_MEDIA_TYPE
    raise HttpError(406, f"Not acceptable: this container serves {JSONLD_MEDIA_TYPE} or {JSON_MEDIA_TYPE}.")


def _prefer_includes(request: HttpRequest) -> set[str]:
    header = request.headers.get("Prefer", "")
    included: set[str] = set()
    for pref in header.split(","):
        fields = [f.strip() for f in pref.split(";")]
        if not fields or fields[0].replace(" ", "") != "return=representation":
            continue
        for field in fields[1:]:
            name, _, value = field.partition("=")
            if name.strip().lower() == "include":
                included.update(value.strip().strip('"').split())
    return included


def _json_response(
    request: HttpRequest, doc: dict | None, media_type: str, *, status: int = 200, headers: dict[str, str]
) -> HttpResponse:
    body = b"" if doc is None else json.dumps(doc, ensure_ascii=False, indent=1).encode()
    response = HttpResponse(b"" if request.method == "HEAD" else body, status=status, content_type=media_type)
    for name, value in headers.items():
        response[name] = value
    if request.method == "HEAD":
        response["Content-Length"] = str(len(body))
    return response


def _read_json(request: HttpRequest) -> Any:
    body_size_check(request)
    content_type = request.content_type.lower() if request.content_type else ""
    if content_type not in ("application/ld+json", JSON_MEDIA_TYPE):
        raise HttpError(415, f"Send the annotation as {JSONLD_MEDIA_TYPE} (or {JSON_MEDIA_TYPE}).")
    try:
        doc = json_body_load(request.body)
    except UnreadableInput as exc:
        raise HttpError(400, str(exc)) from exc
    if not isinstance(doc, dict):
        raise HttpError(400, "The request body must be a JSON object: one Annotation.")
    return doc


# Reading an annotation sent by a client ------------------------------------------------------


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _section_from_source(source: Any, known: dict[str, Section] | None = None) -> Section:
    """Return the section a target's source names; known caches them by IRI (a bulk batch)."""
    if isinstance(source, dict):
        source = source.get("id")
    if not isinstance(source, str) or not source:
        raise _invalid("target.source", "The target needs a source: a section's IRI in the reader.")
    if known is not None:
        if source not in known:
            known[source] = _section_from_source(source)
        return known[source]
    parts = urlsplit(source)
    try:
        match = resolve(unquote(parts.path))
    except Resolver404 as exc:
        raise _invalid("target.source", "The target's source is not a section of this site.") from exc
    if match.view_name == "briefs:reader" and parts.fragment:
        section = Section.objects.filter(
            brief__slug=match.kwargs.get("slug"), anchor=unquote(parts.fragment)
        ).first()
    elif match.view_name == "api:section_get":
        section = Section.objects.filter(pk=match.kwargs.get("section_id")).first()
    else:
        section = None
    if section is None:
        raise _invalid("target.source", "The target's source is not a section of this site.")
    return section


def _selectors(target: dict) -> list[dict]:
    found = []
    pending = _as_list(target.get("selector"))
    while pending:
        selector = pending.pop(0)
        if isinstance(selector, dict):
            found.append(selector)
            pending.extend(_as_list(selector.get("refinedBy")))
    return found


def _locate_quote(text: str, exact: str, prefix: str, suffix: str) -> int:
    """Return where the quote is in the text, the prefix and suffix deciding between repeats."""
    starts = []
    at = text.find(exact)
    while at != -1:
        starts.append(at)
        at = text.find(exact, at + 1)
    if not starts:
        raise ValidationError("The quoted text is not in the section.", code="quote_mismatch")

    def fit(start: int) -> int:
        before = text[:start].endswith(prefix) if prefix else False
        after = text[start + len(exact) :].startswith(suffix) if suffix else False
        return int(before) + int(after)

    return max(starts, key=fit)


def anchor(doc: dict, known: dict[str, Section] | None = None) -> tuple[Section, int, int, str]:
    """Return the section, start, end and quote a W3C annotation's target selects.

    known caches sections by their IRI across the annotations of one bulk batch.
    """
    targets = _as_list(doc.get("target"))
    if len(targets) != 1 or not isinstance(targets[0], dict):
        raise _invalid("target", "Send exactly one target: a SpecificResource on a section with selectors.")
    target = targets[0]
    section = _section_from_source(target.get("source"), known)
    position = quote = None
    for selector in _selectors(target):
        if selector.get("type") == "TextPositionSelector":
            position = selector
        elif selector.get("type") == "TextQuoteSelector":
            quote = selector
    text = section.text
    if position is not None:
        start, end = position.get("start"), position.get("end")
        if type(start) is not int or type(end) is not int:
            raise _invalid("target.selector", "TextPositionSelector start and end must be integers.")
        exact = quote.get("exact") if quote is not None else None
        if exact is None:
            exact = text[start:end] if 0 <= start < end <= len(text) else ""
        if not isinstance(exact, str):
            raise _invalid("target.selector", "TextQuoteSelector exact must be a string.")
        return section, start, end, exact
    if quote is not None:
        exact, prefix, suffix = (quote.get(k, "") for k in ("exact", "prefix", "suffix"))
        if not all(isinstance(v, str) for v in (exact, prefix, suffix)) or not exact:
            raise _invalid("target.selector", "TextQuoteSelector exact, prefix and suffix must be strings.")
        exact = unicodedata.normalize("NFC", exact)
        start = _locate_quote(text, exact, prefix, suffix)
        return section, start, start + len(exact), exact
    raise _invalid("target.selector", "The target needs a TextPositionSelector or a TextQuoteSelector.")


IRI_MAX_LENGTH = 2000


def iri_property(doc: dict, name: str) -> str:
    """Return the document's IRI-valued property name ("" if absent), refusing what is no IRI."""
    value = doc.get(name)
    if value is None:
        return ""
    if (
        not isinstance(value, str)
        or not 0 < len(value) <= IRI_MAX_LENGTH
        or not value.isprintable()
        or any(0xD800 <= ord(c) <= 0xDFFF for c in value)
        or not urlsplit(value).scheme
    ):
        raise _invalid(name, f"{name} must be an absolute IRI of at most {IRI_MAX_LENGTH} characters.")
    return value


def _tag_by_iri(iri: str, tags: dict[str, Tag]) -> Tag | None:
    code = unquote(urlsplit(iri).path.rstrip("/").rsplit("/", 1)[-1])
    return tags.get(code)


def tag_by_label(value: str, tags: dict[str, Tag]) -> Tag | None:
    wanted = value.strip().casefold()
    for tag in tags.values():
        if wanted in (tag.code.casefold(), tag.label_en.casefold(), tag.label_ko.casefold()):
            return tag
    return None


def _source_iri(body: dict) -> str | None:
    source = body.get("source")
    if isinstance(source, dict):
        source = source.get("id")
    return source if isinstance(source, str) else None


def _actor_value(value: str) -> str | None:
    wanted = value.strip().casefold()
    for actor in Actor:
        if wanted in (actor.value, actor.label.casefold()):
            return actor.value
    return None


def body_fields(doc: dict, tags_by_code: dict[str, Tag] | None = None) -> dict[str, Any]:
    """Return tags, actor and note from the annotation's bodies (as annotation_jsonld writes them).

    Tags: TextualBody purpose tagging (label or code), or a tag IRI (a bare body IRI or a
    SpecificResource source). Actor: a SpecificResource whose source is an actor URN.
    Note: TextualBody purpose commenting/describing/none, or bodyValue. tags_by_code is
    the codebook, when the caller (a bulk batch) has read it already.
    """
    if tags_by_code is None:
        tags_by_code = {tag.code: tag for tag in selectors.tag_list()}
    tags: list[Tag] = []
    actor = Actor.UNSPECIFIED.value
    notes: list[str] = []
    if isinstance(doc.get("bodyValue"), str):
        notes.append(doc["bodyValue"])
    for body in _as_list(doc.get("body")):
        if isinstance(body, str):
            body = {"type": "SpecificResource", "source": body}
        if not isinstance(body, dict):
            raise _invalid("body", "Each body must be an object or a tag IRI.")
        purpose, value = body.get("purpose"), body.get("value")
        if body.get("type") == "SpecificResource" or "source" in body:
            iri = _source_iri(body) or ""
            if iri.startswith(ACTOR_URN_PREFIX):
                found_actor = _actor_value(iri[len(ACTOR_URN_PREFIX) :])
                if found_actor is None:
                    raise _invalid("body", f"Unknown actor: {iri!r}.")
                actor = found_actor
                continue
            tag = _tag_by_iri(iri, tags_by_code)
            if tag is None:
                raise _invalid("body", f"Unknown tag: {iri!r} (use a tag IRI from /api/v1/tags).")
            tags.append(tag)
        elif not isinstance(value, str):
            raise _invalid("body", "A TextualBody needs a string value.")
        elif purpose == "tagging":
            tag = tag_by_label(value, tags_by_code)
            if tag is None:
                raise _invalid("body", f"Unknown tag: {value!r} (use a tag label or code).")
            tags.append(tag)
        elif purpose in (None, "commenting", "describing"):
            notes.append(value)
        else:
            raise _invalid("body", f"Unsupported body purpose {purpose!r}: use tagging or commenting.")
    return {"tags": list(dict.fromkeys(tags)), "actor": actor, "note": "\n\n".join(notes)}


# Presenting --------------------------------------------------------------------------------


def _annotation_headers(annotation: Annotation) -> dict[str, str]:
    return {
        "ETag": annotation_etag(annotation),
        "Link": RESOURCE_LINK,
        "Allow": ANNOTATION_ALLOW,
        "Vary": "Accept, Accept-Language, Authorization, Cookie",
    }


def _container_headers() -> dict[str, str]:
    return {
        "Link": CONTAINER_LINKS,
        "Allow": CONTAINER_ALLOW,
        "Accept-Post": ACCEPT_POST,
        "Vary": "Accept, Accept-Language, Prefer, Authorization, Cookie",
    }


def _page_iri(collection: str, page: int, iris: bool, *, after: str = "", before: str = "") -> str:
    key = f"&after={after}" if after else f"&before={before}" if before else ""
    return f"{collection}?{'iris=1&' if iris else ''}page={page}{key}"


def _key(annotation: Annotation) -> str:
    """Return the annotation's place in container order, for a page link: micros-pk."""
    created = annotation.created_at
    micros = (created - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
    return f"{micros}-{annotation.pk}"


def _parse_key(value: str) -> tuple[dt.datetime, int]:
    micros, _, pk = value.partition("-")
    if not (micros.isdigit() and pk.isdigit()) or len(micros) > 18 or len(pk) > 18:
        raise HttpError(400, "after and before take the key a page link carries.")
    created = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=int(micros))
    return created, int(pk)


def _page_rows(qs, *, page: int, total: int, after: str | None, before: str | None) -> list[Annotation]:
    """Return one page in container order (created_at, pk), by keyset where the link has a key.

    next and prev links carry the key of the item they continue from, so following them
    reads PAGE_SIZE rows off the index whatever the page number; a bare ?page=N (a
    client's jump, or last) counts from the nearer end.
    """
    rows = annotation_prefetch(qs)
    if after:
        created, pk = _parse_key(after)
        # created_at >= … bounds the index scan; the OR only breaks ties on the time.
        later = Q(created_at__gte=created) & (Q(created_at__gt=created) | Q(pk__gt=pk))
        return list(rows.filter(later).order_by("created_at", "pk")[:PAGE_SIZE])
    if before:
        created, pk = _parse_key(before)
        earlier = Q(created_at__lte=created) & (Q(created_at__lt=created) | Q(pk__lt=pk))
        return list(rows.filter(earlier).order_by("-created_at", "-pk")[:PAGE_SIZE])[::-1]
    start = page * PAGE_SIZE
    size = min(PAGE_SIZE, total - start)
    from_end = total - start - size
    if from_end < start:
        return list(rows.order_by("-created_at", "-pk")[from_end : from_end + size])[::-1]
    return list(rows.order_by("created_at", "pk")[start : start + size])


def _page_doc(
    request: HttpRequest,
    qs,
    *,
    page: int,
    total: int,
    collection: str,
    iris: bool,
    after: str | None = None,
    before: str | None = None,
) -> dict:
    base = base_url(request)
    rows = _page_rows(qs, page=page, total=total, after=after, before=before)
    presenter = W3CPresenter(base_url=base)
    items: list[Any] = [
        presenter.annotation_id(a) if iris else presenter.annotation(a, with_context=False) for a in rows
    ]
    # An embedded first page carries its context and collection too, so it stands alone
    # when a client keeps the page without the container around it.
    doc: dict[str, Any] = {"@context": ANNO_CONTEXT}
    doc.update({"id": _page_iri(collection, page, iris), "type": "AnnotationPage"})
    doc["partOf"] = {"id": collection + ("?iris=1" if iris else ""), "total": total}
    doc["startIndex"] = page * PAGE_SIZE
    if (page + 1) * PAGE_SIZE < total:
        doc["next"] = _page_iri(collection, page + 1, iris, after=_key(rows[-1]) if rows else "")
    if page > 0:
        doc["prev"] = _page_iri(collection, page - 1, iris, before=_key(rows[0]) if rows else "")
    doc["items"] = items
    return doc


def _signed_in_read(request: HttpRequest, *, query: frozenset[str]) -> str:
    """Check a GET/HEAD's query and credentials as the JSON API does; return the media type.

    Unknown parameters first (as the ninja view decorator runs before auth), then
    negotiation, then the caller: no credentials at all is SignedInAuth's 401 with its hint.
    """
    error = unknown_query_error(request, query)
    if error is not None:
        raise error
    media_type = negotiate(request)
    signed_in_auth(request)
    return media_type


def _container_get(request: HttpRequest) -> HttpResponse:
    media_type = _signed_in_read(request, query=CONTAINER_QUERY)
    prefer = _prefer_includes(request)
    iris = request.GET.get("iris") == "1" or (PREFER_IRIS in prefer and PREFER_DESCRIPTIONS not in prefer)
    page_param = request.GET.get("page")
    collection = container_id(base_url=base_url(request))
    qs = selectors.annotations_visible_to(request.user)
    # Two statements, not one: alone, MAX reads one entry off the updated_at index.
    stats = {"total": qs.count(), "modified": qs.aggregate(modified=Max("updated_at"))["modified"]}
    total = stats["total"]
    last_page = max(0, (total - 1) // PAGE_SIZE)
    headers = _container_headers()
    if page_param is not None:
        if not page_param.isdigit() or int(page_param) > last_page:
            raise HttpError(404, f"No such page: pages run from 0 to {last_page}.")
        doc = _page_doc(
            request,
            qs,
            page=int(page_param),
            total=total,
            collection=collection,
            iris=iris,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
        )
        if stats["modified"]:
            doc["partOf"]["modified"] = w3c_datetime(stats["modified"])
    else:
        collection_iri = collection + ("?iris=1" if iris else "")
        doc = {
            "@context": [ANNO_CONTEXT, LDP_CONTEXT],
            "id": collection_iri,
            "type": ["BasicContainer", "AnnotationCollection"],
            "label": gettext("Marginalia: the annotations visible to you"),
            "total": total,
        }
        if stats["modified"]:
            doc["modified"] = w3c_datetime(stats["modified"])
        if PREFER_MINIMAL in prefer or total == 0:
            doc["first"] = _page_iri(collection, 0, iris)
        else:
            doc["first"] = _page_doc(request, qs, page=0, total=total, collection=collection, iris=iris)
        doc["last"] = _page_iri(collection, last_page, iris)
        # Which representation this is (the IRIs or the descriptions variant), asked or not.
        headers["Content-Location"] = collection_iri
        if prefer:
            headers["Preference-Applied"] = "return=representation"
    headers["ETag"] = '"' + hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32] + '"'
    return _json_response(request, doc, media_type, headers=headers)


def _container_post(request: HttpRequest) -> HttpResponse:
    user = authenticate_request(request, write=True)
    media_type = negotiate(request)
    doc = _read_json(request)
    idempotency = services.Idempotency.of_request(
        request.headers.get("Idempotency-Key"), scope="w3c", body=request.body
    )

    def create() -> Annotation:
        section, start, end, exact = anchor(doc)
        fields = body_fields(doc)
        # The server gives the annotation its own IRI; the one the client sent goes to via,
        # canonical is kept as sent (Web Annotation Protocol 5.1, Data Model 3.3.6).
        return services.annotation_create(
            user=user,
            section=section,
            start=start,
            end=end,
            quote=exact,
            canonical=iri_property(doc, "canonical"),
            via=iri_property(doc, "id"),
            **fields,
        )

    created, status, replayed = services.annotation_create_once(
        user=user, idempotency=idempotency, create=create
    )
    annotation = annotation_prefetch(selectors.annotations_visible_to(user)).get(pk=created.pk)
    body = annotation_jsonld(annotation, base_url=base_url(request))
    headers = _annotation_headers(annotation) | {"Location": body["id"]}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return _json_response(request, body, media_type, status=status, headers=headers)


@protocol_errors
def container(request: HttpRequest) -> HttpResponse:
    """The annotation container: GET/HEAD pages, POST creates (201 + Location + ETag)."""
    if request.method in ("GET", "HEAD"):
        return _container_get(request)
    if request.method == "POST":
        return _container_post(request)
    if request.method == "OPTIONS":
        return _json_response(request, None, JSONLD_MEDIA_TYPE, headers=_container_headers())
    response = JsonResponse(
        {"detail": f"Method {request.method} is not allowed here.", "field": None}, status=405
    )
    response["Allow"] = CONTAINER_ALLOW
    return response


# One annotation ------------------------------------------------------------------------------


def _annotation_or_gone(request: HttpRequest, pk: int) -> Annotation:
    annotation = annotation_prefetch(selectors.annotations_in_sight_of(request.user)).filter(pk=pk).first()
    if annotation is None:
        raise Annotation.DoesNotExist
    if annotation.deleted_at is not None:
        raise HttpError(410, "This annotation was deleted.")
    return annotation


def _require_if_match(request: HttpRequest, annotation: Annotation) -> str:
    """Return the If-Match header (428 without one, 412 early if already stale).

    The services check it again on the locked row, which is what decides a race.
    """
    header = request.headers.get("If-Match")
    if header is None:
        raise HttpError(428, "Send If-Match with the annotation's current ETag (from GET).")
    if not if_match_ok(header, annotation):
        raise PreconditionFailed()
    return header


@protocol_errors
def annotation(request: HttpRequest, pk: int) -> HttpResponse:
    """One annotation: GET/HEAD (ETag, 304 on If-None-Match), PUT and DELETE with If-Match."""
    if request.method == "OPTIONS":
        return _json_response(
            request, None, JSONLD_MEDIA_TYPE, headers={"Allow": ANNOTATION_ALLOW, "Link": RESOURCE_LINK}
        )
    if request.method in ("GET", "HEAD"):
        media_type = _signed_in_read(request, query=ANNOTATION_QUERY)
        found = _annotation_or_gone(request, pk)
        headers = _annotation_headers(found)
        if_none_match = request.headers.get("If-None-Match", "")
        if headers["ETag"] in [v.strip() for v in if_none_match.split(",")] or if_none_match.strip() == "*":
            response = HttpResponse(status=304)
            for name, value in headers.items():
                response[name] = value
            return response
        return _json_response(
            request, annotation_jsonld(found, base_url=base_url(request)), media_type, headers=headers
        )
    if request.method == "PUT":
        user = authenticate_request(request, write=True)
        media_type = negotiate(request)
        found = _annotation_or_gone(request, pk)
        if_match = _require_if_match(request, found)
        doc = _read_json(request)
        if doc.get("target") is not None:
            section, *_ = anchor(doc)
            if section.pk != found.section_id:
                raise _invalid("target", "An annotation's target cannot change: create a new annotation.")
        if "canonical" in doc and iri_property(doc, "canonical") != found.canonical:
            message = "An annotation's canonical IRI cannot change: it is kept from its creation."
            raise ValidationError({"canonical": ValidationError(message, code="bad_request")})
        # Visibility is no part of the W3C model: it stays as stored (read under the lock).
        services.annotation_update(user=user, annotation=found, if_match=if_match, **body_fields(doc))
        found = _annotation_or_gone(request, pk)
        body = annotation_jsonld(found, base_url=base_url(request))
        return _json_response(request, body, media_type, headers=_annotation_headers(found))
    if request.method == "DELETE":
        user = authenticate_request(request, write=True)
        found = _annotation_or_gone(request, pk)
        if_match = _require_if_match(request, found)
        services.annotation_delete(user=user, annotation=found, if_match=if_match)
        return HttpResponse(status=204)
    response = JsonResponse(
        {"detail": f"Method {request.method} is not allowed here.", "field": None}, status=405
    )
    response["Allow"] = ANNOTATION_ALLOW
    return response
