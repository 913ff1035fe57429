"""Reading a batch of annotations in the formats other tools write, for one all-or-nothing create.

Used by POST /api/v1/annotations/bulk and ``manage.py import_annotations``. A batch is
JSON Lines (one object per line) or one JSON document: an array, a W3C
AnnotationCollection (its embedded first page) or AnnotationPage, or one annotation.
Each object is recognised by its shape:

- ours, as the API takes it: ``{"section": 12, "start", "end", "quote", "tags": [codes],
  "actor", "note", "visibility"}`` (annotations.schemas.AnnotationCreateIn);
- a W3C Web Annotation, as the Protocol container takes it (annotations.protocol);
- an excerpt of our JSON Lines export: ``brief_slug`` and ``section_position`` name the
  section, ``start``/``end``/``quote``/``tags``/``actor``/``note`` the rest, so an export
  moves to another Marginalia;
- a Label Studio task (its JSON export): ``data`` names the section (``section``: an id,
  or ``brief_slug`` with ``section_position``, or failing both the section whose text is
  ``data.text``), and each ``labels`` region of each of its ``annotations`` becomes one
  annotation, its labels read as tag codes or labels, a ``textarea`` on the same region
  as its note.

Every problem is reported with the item's number (1-based) and, for JSON Lines, its line,
so a client can fix them all at once; nothing is written while any remains
(annotations.services.annotation_bulk_create).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from pydantic import ValidationError as SchemaError

from annotations import selectors
from annotations.models import Actor, Tag, Visibility
from annotations.protocol import anchor, body_fields, iri_property, tag_by_label
from annotations.schemas import AnnotationCreateIn
from briefs.models import Section
from config.input_guard import UnreadableInput, json_body_load

JSON_LINES_TYPES = (
    "application/jsonl",
    "application/x-ndjson",
    "application/x-jsonlines",
    "application/json-lines",
)
MAX_PROBLEMS_SHOWN = 200


@dataclass
class Problem:
    """What is wrong with one item of a batch."""

    item: int  # 1-based, in the order sent
    line: int | None  # JSON Lines only
    field: str | None
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"item": self.item, "line": self.line, "field": self.field, "detail": self.detail}

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else f"item {self.item}"
        return f"{where}: {self.field + ': ' if self.field else ''}{self.detail}"


class BatchInvalid(Exception):
    """The batch holds problems (or cannot be read at all); nothing was written."""

    def __init__(self, problems: list[Problem], detail: str | None = None) -> None:
        self.problems = problems
        self.detail = (
            detail or f"{len(problems)} item(s) of the batch cannot be created; nothing was written."
        )
        super().__init__(self.detail)

    def as_dict(self) -> dict[str, Any]:
        return {
            "detail": self.detail,
            "errors": [p.as_dict() for p in self.problems[:MAX_PROBLEMS_SHOWN]],
            "error_count": len(self.problems),
        }


@dataclass
class Draft:
    """One annotation to create, read from any format, its section found and tags resolved."""

    item: int
    line: int | None
    section: Section
    start: int
    end: int
    quote: str
    tags: list[Tag] = field(default_factory=list)
    actor: str = Actor.UNSPECIFIED
    note: str = ""
    visibility: str = Visibility.PRIVATE
    canonical: str = ""
    via: str = ""


# Reading the body ----------------------------------------------------------------------------


def batch_items(raw: bytes, *, json_lines: bool, bounded: bool = True) -> list[tuple[int, int | None, Any]]:
    """Return the batch's objects as (item, line, object); BatchInvalid if it cannot be read.

    bounded applies MARGINALIA_BULK_MAX_BYTES and MARGINALIA_BULK_MAX_ITEMS (a request);
    manage.py import_annotations reads a file of any size.
    """
    limit = settings.MARGINALIA_BULK_MAX_BYTES if bounded else max(len(raw), 1)
    if len(raw) > limit:
        raise BatchInvalid([], f"The batch is too large (at most {limit} bytes).")
    if json_lines:
        items = []
        problems = []
        for number, line in enumerate(raw.split(b"\n"), start=1):
            if not line.strip():
                continue
            try:
                items.append((len(items) + len(problems) + 1, number, json_body_load(line, limit=limit)))
            except UnreadableInput as exc:
                problems.append(Problem(len(items) + len(problems) + 1, number, None, str(exc)))
        if problems:
            raise BatchInvalid(problems)
    else:
        try:
            document = json_body_load(raw, limit=limit)
        except UnreadableInput as exc:
            raise BatchInvalid([], str(exc)) from exc
        items = [(number, None, obj) for number, obj in enumerate(_unwrap(document), start=1)]
    if not items:
        raise BatchInvalid([], "The batch holds no annotations.")
    if bounded and len(items) > settings.MARGINALIA_BULK_MAX_ITEMS:
        raise BatchInvalid(
            [],
            f"The batch holds {len(items)} items; "
            f"send at most {settings.MARGINALIA_BULK_MAX_ITEMS} at a time.",
        )
    return items


def _unwrap(document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        raise BatchInvalid([], "Send an array of annotations, a W3C collection or page, or JSON Lines.")
    kinds = document.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "AnnotationCollection" in kinds:
        first = document.get("first")
        if isinstance(first, dict) and isinstance(first.get("items"), list):
            return first["items"]
        raise BatchInvalid(
            [], "The collection embeds no first page with its items: send the pages themselves."
        )
    if isinstance(document.get("items"), list):  # a W3C AnnotationPage, or a page of our API
        return document["items"]
    return [document]


# Reading each object ---------------------------------------------------------------------------


class _Batch:
    """The lookups one batch shares: the codebook and the sections it names, each read once."""

    def __init__(self) -> None:
        self.tags = {tag.code: tag for tag in selectors.tag_list()}
        self.sections_by_id: dict[int, Section | None] = {}
        self.sections_by_place: dict[tuple[str, int], Section | None] = {}
        self.sections_by_iri: dict[str, Section] = {}
        self.sections_by_text: dict[str, list[Section]] = {}

    def section(self, pk: Any) -> Section:
        if type(pk) is not int or not 0 < pk < 2**63:
            raise ValidationError({"section": "A section is named by its id, a positive integer."})
        if pk not in self.sections_by_id:
            self.sections_by_id[pk] = Section.objects.filter(pk=pk).first()
        found = self.sections_by_id[pk]
        if found is None:
            raise ValidationError({"section": "No such section."})
        return found

    def section_at(self, slug: Any, position: Any) -> Section:
        if not isinstance(slug, str) or type(position) is not int:
            raise ValidationError(
                {"brief_slug": "brief_slug must be a string and section_position an integer."}
            )
        key = (slug, position)
        if key not in self.sections_by_place:
            self.sections_by_place[key] = Section.objects.filter(brief__slug=slug, position=position).first()
        found = self.sections_by_place[key]
        if found is None:
            raise ValidationError({"brief_slug": f"No section {position} in a brief {slug!r}."})
        return found

    def section_with_text(self, text: Any) -> Section:
        if not isinstance(text, str) or not text:
            raise ValidationError({"data": "The task names no section: give data.section or data.text."})
        text = unicodedata.normalize("NFC", text)
        if text not in self.sections_by_text:
            self.sections_by_text[text] = list(Section.objects.filter(text=text)[:2])
        found = self.sections_by_text[text]
        if len(found) > 1:
            raise ValidationError({"data.text": "Several sections have this text: give data.section."})
        if not found:
            raise ValidationError({"data.text": "No section has this text: give data.section."})
        return found[0]

    def tags_named(self, names: Any, *, where: str) -> list[Tag]:
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValidationError({where: "Tags are a list of codes or labels."})
        found = []
        for name in names:
            tag = self.tags.get(name) or tag_by_label(name, self.tags)
            if tag is None:
                raise ValidationError({where: f"Unknown tag: {name!r}."})
            found.append(tag)
        return list(dict.fromkeys(found))


def batch_drafts(
    items: list[tuple[int, int | None, Any]], *, visibility: str = Visibility.PRIVATE
) -> tuple[list[Draft], list[Problem]]:
    """Return a Draft per annotation the items hold, and a Problem for each that cannot be read.

    visibility is for the formats that carry none (W3C, excerpts, Label Studio). The
    service checks the drafts and reports their problems with these, in item order.
    """
    batch = _Batch()
    drafts: list[Draft] = []
    problems: list[Problem] = []
    for item, line, obj in items:
        try:
            drafts.extend(_drafts(batch, item, line, obj, visibility))
        except ValidationError as exc:
            problems.extend(_problems(item, line, exc))
    return drafts, problems


def _problems(item: int, line: int | None, exc: ValidationError) -> Iterator[Problem]:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                yield Problem(item, line, name, message)
    else:
        for message in exc.messages:
            yield Problem(item, line, None, message)


def _drafts(batch: _Batch, item: int, line: int | None, obj: Any, visibility: str) -> list[Draft]:
    if not isinstance(obj, dict):
        raise ValidationError("Each item must be an object.")
    if isinstance(obj.get("data"), dict) and isinstance(obj.get("annotations"), list):
        return _label_studio(batch, item, line, obj, visibility)
    if "target" in obj:
        return [_w3c(batch, item, line, obj, visibility)]
    if "brief_slug" in obj or "section_position" in obj:
        return [_excerpt(batch, item, line, obj, visibility)]
    if "section" in obj:
        return [_native(batch, item, line, obj)]
    raise ValidationError(
        "Not an annotation: expected ours (section, start, end, quote), a W3C annotation (target), "
        "an exported excerpt (brief_slug, section_position) or a Label Studio task (data, annotations)."
    )


def _native(batch: _Batch, item: int, line: int | None, obj: dict) -> Draft:
    try:
        payload = AnnotationCreateIn.model_validate(obj)
    except SchemaError as exc:
        raise ValidationError(
            {".".join(str(p) for p in error["loc"]) or "item": error["msg"] for error in exc.errors()}
        ) from exc
    return Draft(
        item=item,
        line=line,
        section=batch.section(payload.section),
        start=payload.start,
        end=payload.end,
        quote=payload.quote,
        tags=batch.tags_named(payload.tags, where="tags"),
        actor=payload.actor,
        note=payload.note,
        visibility=payload.visibility,
    )


def _w3c(batch: _Batch, item: int, line: int | None, obj: dict, visibility: str) -> Draft:
    section, start, end, quote = anchor(obj, batch.sections_by_iri)
    fields = body_fields(obj, batch.tags)
    return Draft(
        item=item,
        line=line,
        section=section,
        start=start,
        end=end,
        quote=quote,
        visibility=visibility,
        canonical=iri_property(obj, "canonical"),
        via=iri_property(obj, "id"),
        **fields,
    )


def _int(obj: dict, name: str) -> int:
    value = obj.get(name)
    if type(value) is not int or not 0 <= value < 2**31:
        raise ValidationError({name: f"{name} must be a non-negative integer."})
    return value


def _text(obj: dict, name: str, *, default: str | None = None) -> str:
    value = obj.get(name, default)
    if value is None:
        value = default
    if not isinstance(value, str):
        raise ValidationError({name: f"{name} must be a string."})
    return value


def _actor(value: Any) -> str:
    if value in (None, ""):
        return Actor.UNSPECIFIED
    if value not in Actor.values:
        raise ValidationError({"actor": f"Unknown actor {value!r}."})
    return value


def _excerpt(batch: _Batch, item: int, line: int | None, obj: dict, visibility: str) -> Draft:
    return Draft(
        item=item,
        line=line,
        section=batch.section_at(obj.get("brief_slug"), obj.get("section_position")),
        start=_int(obj, "start"),
        end=_int(obj, "end"),
        quote=_text(obj, "quote"),
        tags=batch.tags_named(obj.get("tags") or [], where="tags"),
        actor=_actor(obj.get("actor")),
        note=_text(obj, "note", default=""),
        visibility=visibility,
    )


def _label_studio(batch: _Batch, item: int, line: int | None, task: dict, visibility: str) -> list[Draft]:
    data = task["data"]
    if "section" in data:
        section = batch.section(data["section"])
    elif "brief_slug" in data:
        section = batch.section_at(data.get("brief_slug"), data.get("section_position"))
    else:
        section = batch.section_with_text(data.get("text"))
    drafts = []
    for annotation in task["annotations"]:
        if not isinstance(annotation, dict) or annotation.get("was_cancelled"):
            continue
        results = [r for r in annotation.get("result") or [] if isinstance(r, dict)]
        notes = {
            r.get("id"): "\n\n".join(
                t for t in (r.get("value") or {}).get("text") or [] if isinstance(t, str)
            )
            for r in results
            if r.get("type") == "textarea"
        }
        for result in results:
            if result.get("type") != "labels":
                continue
            value = result.get("value")
            if not isinstance(value, dict):
                raise ValidationError({"result.value": "A labels result needs a value."})
            start, end = _int(value, "start"), _int(value, "end")
            start, end = _code_points(section.text, start, end, value.get("text"))
            drafts.append(
                Draft(
                    item=item,
                    line=line,
                    section=section,
                    start=start,
                    end=end,
                    quote=_text(value, "text", default=section.text[start:end]),
                    tags=batch.tags_named(value.get("labels") or [], where="result.value.labels"),
                    note=notes.get(result.get("id"), ""),
                    visibility=visibility,
                )
            )
    if not drafts:
        raise ValidationError({"annotations": "The task has no labelled region to import."})
    return drafts


def _textarea(result: dict) -> str:
    value = result.get("value")
    texts = value.get("text") if isinstance(value, dict) else None
    return "\n\n".join(t for t in texts if isinstance(t, str)) if isinstance(texts, list) else ""


def _code_points(text: str, start: int, end: int, quote: Any) -> tuple[int, int]:
    """Return the span in code points: Label Studio's editor counts UTF-16 units in a browser.

    Where the text has characters beyond the BMP (emoji, rare Hanja) the two differ; the
    quote it saved decides which the offsets are.
    """
    if not isinstance(quote, str) or text[start:end] == unicodedata.normalize("NFC", quote):
        return start, end
    units = [0]
    for char in text:
        units.append(units[-1] + (2 if ord(char) > 0xFFFF else 1))
    try:
        return units.index(start), units.index(end)
    except ValueError:
        return start, end
