"""The codebook as a file: CSV (for spreadsheets) and a REFI-QDA codebook (.qdc).

A .qdc is the exchange format of MAXQDA, NVivo, ATLAS.ti, QualCoder and Taguette
(namespace urn:QDA-XML:codebook:1.0; <CodeBook><Codes><Code guid name isCodable color>
<Description/><Code…/></Code></Codes></CodeBook>). Categories become parent codes and tags
their child codes; the fields the standard has no place for travel in the Description after
a marker line, so our own export comes back unchanged.

Import is two steps through one plan: parse (to rows, with per-row errors), plan (what would
be created, updated or left unchanged, checked by the editor's rules against the codebook as it
will be), then apply the plan all-or-nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import uuid
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from annotations import codebook_editor as editor
from annotations.admin import INDEXED_TAG_FIELDS
from annotations.codebook_forms import LABELS
from annotations.export.formats.tabular import looks_like_formula
from annotations.models import Category, Tag
from search.services import tag_index_refresh

MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ENTRIES = 2000
DEFAULT_COLOUR = Tag._meta.get_field("colour").default

CSV_COLUMNS = [
    "category_code",
    "category_label_ko",
    "category_label_en",
    "tag_code",
    "tag_label_ko",
    "tag_label_en",
    "description",
    "decision_rule",
    "example",
    "colour",
    "shortcut",
    "active",
    "position",
]

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
QDC_SCHEMA = "urn:QDA-XML:codebook:1.0 http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"
MARKER = "[marginalia] "
MARKER_RE = re.compile(r"^(?P<text>.*?)(?:\n\n)?\[marginalia\] (?P<data>\{.*\})\s*$", re.DOTALL)
GUID_NAMESPACE = uuid.UUID("6f1c3f0e-5b7a-4c1e-9a57-3d0c2b8e9a10")


class CodebookFileError(Exception):
    """The file cannot be read as a codebook at all (not one row could be taken from it)."""


@dataclass
class CategoryRow:
    row: int
    code: str
    label_ko: str
    label_en: str
    description: str | None = None  # None: keep the existing one (CSV has no column for it)
    position: int | None = None


@dataclass
class TagRow:
    row: int
    category_code: str | None
    code: str
    label_ko: str
    label_en: str
    description: str = ""
    decision_rule: str = ""
    example: str = ""
    colour: str = DEFAULT_COLOUR
    shortcut: str = ""
    active: bool = True
    position: int = 0


@dataclass
class Parsed:
    categories: list[CategoryRow] = field(default_factory=list)
    tags: list[TagRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------------------- CSV


def _neutralise(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (undone on import)."""
    # The exports' rule (also behind spaces, invisible characters and full-width forms).
    if looks_like_formula(value) or (value.startswith("'") and looks_like_formula(value[1:])):
        return "'" + value
    return value


def _restore(value: str) -> str:
    if value.startswith("'") and (looks_like_formula(value[1:]) or value[1:].startswith("'")):
        return value[1:]
    return value


def codebook_csv() -> bytes:
    """Return the whole codebook as CSV (UTF-8 with a BOM, so Excel reads the Korean)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    tags = list(
        Tag.objects.select_related("category").order_by(
            "category__position", "category__code", "position", "code"
        )
    )
    used = {tag.category_id for tag in tags}
    rows = []
    for category in editor.category_list():
        if category.pk not in used:
            rows.append([category.code, category.label_ko, category.label_en, *[""] * 10])
    for tag in tags:
        category = tag.category
        rows.append(
            [
                category.code if category else "",
                category.label_ko if category else "",
                category.label_en if category else "",
                tag.code,
                tag.label_ko,
                tag.label_en,
                tag.description,
                tag.decision_rule,
                tag.example,
                tag.colour,
                tag.shortcut,
                "true" if tag.active else "false",
                str(tag.position),
            ]
        )
    for row in rows:
        writer.writerow([_neutralise(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise CodebookFileError(
            _("The file is larger than %(limit)s KB: a codebook file is much smaller.")
            % {"limit": MAX_IMPORT_BYTES // 1024}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CodebookFileError(
            _("The file is not UTF-8 text: in Excel, save it as “CSV UTF-8 (comma delimited)”.")
        ) from None
    if "\x00" in text:
        raise CodebookFileError(_("The file contains NUL characters: it is not a text file."))
    return text


def _flag(value: str) -> bool | None:
    value = value.strip().lower()
    if value in ("", "true", "1", "yes", "y"):
        return True
    if value in ("false", "0", "no", "n"):
        return False
    return None


def csv_parse(data: bytes) -> Parsed:
    """Read a codebook CSV (our columns; a row without a tag code is a category alone)."""
    text = _text(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in ("category_code", "tag_code") if c not in header]
    if missing:
        raise CodebookFileError(
            _("The first row must name the columns (%(columns)s); missing: %(missing)s.")
            % {"columns": ", ".join(CSV_COLUMNS), "missing": ", ".join(missing)}
        )
    parsed = Parsed()
    seen_categories: dict[str, CategoryRow] = {}
    try:
        for number, raw in enumerate(reader, start=2):
            if number - 1 > MAX_IMPORT_ENTRIES:
                raise CodebookFileError(
                    _("The file has more than %(limit)s rows.") % {"limit": MAX_IMPORT_ENTRIES}
                )
            row = {key: _restore((value or "").strip()) for key, value in raw.items() if isinstance(key, str)}
            if None in raw:
                parsed.errors.append((number, _("This row has more cells than the header has columns.")))
                continue
            category_code = row.get("category_code", "")
            if category_code and category_code not in seen_categories:
                entry = CategoryRow(
                    row=number,
                    code=category_code,
                    label_ko=row.get("category_label_ko", ""),
                    label_en=row.get("category_label_en", ""),
                )
                seen_categories[category_code] = entry
                parsed.categories.append(entry)
            if not row.get("tag_code"):
                if not category_code:
                    parsed.errors.append((number, _("This row has neither a category code nor a tag code.")))
                continue
            active = _flag(row.get("active", ""))
            if active is None:
                parsed.errors.append((number, _("Active must be true or false.")))
                continue
            try:
                position = int(row.get("position") or 0)
                if position < 0:
                    raise ValueError
            except ValueError:
                parsed.errors.append((number, _("Position must be a whole number, 0 or more.")))
                continue
            parsed.tags.append(
                TagRow(
                    row=number,
                    category_code=category_code or None,
                    code=row["tag_code"],
                    label_ko=row.get("tag_label_ko", ""),
                    label_en=row.get("tag_label_en", ""),
                    description=row.get("description", ""),
                    decision_rule=row.get("decision_rule", ""),
                    example=row.get("example", ""),
                    colour=row.get("colour") or DEFAULT_COLOUR,
                    shortcut=row.get("shortcut", ""),
                    active=active,
                    position=position,
                )
            )
    except csv.Error as exc:
        raise CodebookFileError(
            _("The file is not a readable CSV file (%(error)s).") % {"error": exc}
        ) from None
    return parsed


# ------------------------------------------------------------------------------------ REFI-QDA


def _guid(kind: str, code: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{code}"))


def _description(text: str, data: dict) -> str:
    marker = MARKER + json.dumps(data, ensure_ascii=False, sort_keys=True)
    return f"{text}\n\n{marker}" if text else marker


def codebook_qdc(*, language: str) -> bytes:
    """Return the codebook as a REFI-QDA codebook, code names in `language` ("ko" or "en")."""
    root = Element("CodeBook", {"xmlns": QDC_NAMESPACE, "origin": "Marginalia"})
    root.set("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
    root.set("xsi:schemaLocation", QDC_SCHEMA)
    codes = SubElement(root, "Codes")
    parents: dict[int | None, Element] = {None: codes}
    for category in editor.category_list():
        element = SubElement(
            codes,
            "Code",
            {
                "guid": _guid("category", category.code),
                "name": category.label(language),
                "isCodable": "false",
            },
        )
        data = {
            "kind": "category",
            "code": category.code,
            "label_ko": category.label_ko,
            "label_en": category.label_en,
            "position": category.position,
        }
        SubElement(element, "Description").text = _description(category.description, data)
        parents[category.pk] = element
    for tag in Tag.objects.order_by("category__position", "category__code", "position", "code"):
        element = SubElement(
            parents[tag.category_id],
            "Code",
            {
                "guid": _guid("tag", tag.code),
                "name": tag.label(language),
                "isCodable": "true" if tag.active else "false",
                "color": tag.colour.upper(),
            },
        )
        data = {
            "kind": "tag",
            "code": tag.code,
            "label_ko": tag.label_ko,
            "label_en": tag.label_en,
            "decision_rule": tag.decision_rule,
            "example": tag.example,
            "shortcut": tag.shortcut,
            "active": tag.active,
            "position": tag.position,
        }
        SubElement(element, "Description").text = _description(tag.description, data)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(
        root, encoding="utf-8", xml_declaration=False
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _unique_code(name: str, guid: str, taken: set[str]) -> str:
    base = slugify(name)[:50] or f"code-{guid.strip('{}')[:8].lower()}"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    taken.add(code)
    return code


def qdc_parse(data: bytes) -> Parsed:
    """Read a REFI-QDA codebook (ours, or another tool's: deeper codes are flattened)."""
    if len(data) > MAX_IMPORT_BYTES:
        raise CodebookFileError(
            _("The file is larger than %(limit)s KB: a codebook file is much smaller.")
            % {"limit": MAX_IMPORT_BYTES // 1024}
        )
    try:
        root = safe_xml.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise CodebookFileError(
            _("The file declares a DTD or entities, which a codebook never needs: it was not read.")
        ) from None
    except (ParseError, ValueError) as exc:
        raise CodebookFileError(_("The file is not well-formed XML (%(error)s).") % {"error": exc}) from None
    if _local(root.tag) != "CodeBook" or not root.tag.startswith("{" + QDC_NAMESPACE + "}"):
        raise CodebookFileError(
            _("This is not a REFI-QDA codebook: its root must be <CodeBook> in %(namespace)s.")
            % {"namespace": QDC_NAMESPACE}
        )
    codes = _children(root, "Codes")
    parsed = Parsed()
    if not codes:
        return parsed
    taken: set[str] = set()
    flattened: list[str] = []
    count = 0
    for number, top in enumerate(_children(codes[0], "Code"), start=1):
        count += 1
        children = _children(top, "Code")
        meta = _marginalia(top)
        is_category = meta.get("kind") == "category" if meta else bool(children)
        if not is_category:
            tag = _tag_row(top, meta, number, None, taken, position=number)
            parsed.tags.append(tag) if tag else parsed.errors.append((number, _bad_code(top)))
            continue
        category = _category_row(top, meta, number, taken)
        parsed.categories.append(category)
        # Every code below the category becomes one of its tags, depth-first in file order.
        stack = [(child, 1) for child in reversed(children)]
        position = 0
        while stack:
            element, depth = stack.pop()
            count += 1
            if count > MAX_IMPORT_ENTRIES:
                raise CodebookFileError(
                    _("The file has more than %(limit)s codes.") % {"limit": MAX_IMPORT_ENTRIES}
                )
            deeper = _children(element, "Code")
            if depth > 1:
                flattened.append(element.get("name", ""))
            stack.extend((child, depth + 1) for child in reversed(deeper))
            position += 1
            tag = _tag_row(element, _marginalia(element), number, category.code, taken, position=position)
            parsed.tags.append(tag) if tag else parsed.errors.append((number, _bad_code(element)))
    if flattened:
        parsed.warnings.append(
            ngettext(
                "%(count)d code was nested more than two levels deep and became a tag of its top-level "
                "category: %(names)s.",
                "%(count)d codes were nested more than two levels deep and became tags of their top-level "
                "categories: %(names)s.",
                len(flattened),
            )
            % {"count": len(flattened), "names": ", ".join(flattened[:20])}
        )
    return parsed


def _bad_code(element: Element) -> str:
    return _("A <Code> without a name or guid (%(name)s) was left out.") % {"name": element.get("name", "?")}


def _marginalia(element: Element) -> dict:
    """Return the fields our export kept in the Description, or {} for another tool's code."""
    description = _children(element, "Description")
    match = MARKER_RE.match(description[0].text or "") if description else None
    if not match:
        return {}
    try:
        data = json.loads(match["data"])
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _plain_description(element: Element) -> str:
    description = _children(element, "Description")
    text = (description[0].text or "") if description else ""
    match = MARKER_RE.match(text)
    return (match["text"] if match else text).strip()


def _category_row(element: Element, meta: dict, number: int, taken: set[str]) -> CategoryRow:
    name = element.get("name", "").strip()
    code = str(meta.get("code") or _unique_code(name, element.get("guid", ""), taken))
    taken.add(code)
    position = meta.get("position")
    return CategoryRow(
        row=number,
        code=code,
        label_ko=str(meta.get("label_ko", name)),
        label_en=str(meta.get("label_en", name)),
        description=_plain_description(element),
        position=position if isinstance(position, int) and position >= 0 else None,
    )


def _tag_row(
    element: Element, meta: dict, number: int, category: str | None, taken: set[str], *, position: int
) -> TagRow | None:
    name = element.get("name", "").strip()
    guid = element.get("guid", "")
    if not name or not guid:
        return None
    code = str(meta.get("code") or _unique_code(name, guid, taken))
    taken.add(code)
    active = meta.get("active", element.get("isCodable", "true").strip().lower() in ("true", "1"))
    position = meta.get("position", position)
    return TagRow(
        row=number,
        category_code=category,
        code=code,
        label_ko=str(meta.get("label_ko", name)),
        label_en=str(meta.get("label_en", name)),
        description=_plain_description(element),
        decision_rule=str(meta.get("decision_rule", "")),
        example=str(meta.get("example", "")),
        colour=(element.get("color") or DEFAULT_COLOUR).lower(),
        shortcut=str(meta.get("shortcut", "")),
        active=bool(active),
        position=position if isinstance(position, int) and position >= 0 else 0,
    )


# ------------------------------------------------------------------------------ plan and apply


@dataclass
class Change:
    kind: str  # "category" or "tag"
    code: str
    status: str  # "created", "updated" or "unchanged"
    fields: list[str]
    row: int


@dataclass
class Plan:
    changes: list[Change]
    errors: list[tuple[int, str]]
    warnings: list[str]
    categories: list[Category]
    tags: list[Tag]

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, status: str) -> int:
        return sum(1 for change in self.changes if change.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in ("created", "updated", "unchanged")}

    def digest(self) -> str:
        """Return what the plan would do, as a digest: apply only what the editor previewed."""
        summary = [(c.kind, c.code, c.status, c.fields) for c in self.changes]
        return hashlib.sha256(json.dumps(summary).encode()).hexdigest()[:32]


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            f"{LABELS.get(name, name)}: {message}"
            for name, errors in exc.message_dict.items()
            for message in errors
        ]
    return exc.messages


def _diff(before: dict, after: dict) -> list[str]:
    return sorted(name for name, value in after.items() if before.get(name) != value)


def import_plan(parsed: Parsed) -> Plan:
    """Work out what importing these rows would change, and every row's problems."""
    errors = list(parsed.errors)
    changes: list[Change] = []
    existing_categories = {c.code: c for c in Category.objects.all()}
    existing_tags = {t.code: t for t in Tag.objects.select_related("category")}
    categories: dict[str, Category] = dict(existing_categories)
    planned_categories: list[Category] = []
    next_position = max((c.position for c in existing_categories.values()), default=-1) + 1
    seen: set[str] = set()
    for row in parsed.categories:
        if row.code in seen:
            errors.append((row.row, _("The category code “%(code)s” appears twice.") % {"code": row.code}))
            continue
        seen.add(row.code)
        current = existing_categories.get(row.code)
        category = Category(pk=current.pk if current else None, code=row.code)
        before = {n: getattr(current, n) for n in editor.CATEGORY_FIELDS} if current else {}
        for name in editor.CATEGORY_FIELDS:
            setattr(category, name, getattr(current, name) if current else getattr(category, name))
        # A row that names an existing category by its code alone keeps its labels.
        category.label_ko = row.label_ko or (current.label_ko if current else "")
        category.label_en = row.label_en or (current.label_en if current else "")
        if row.description is not None:
            category.description = row.description
        if row.position is not None:
            category.position = row.position
        elif current is None:
            category.position, next_position = next_position, next_position + 1
        try:
            category.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors.extend(
                (row.row, _("Category “%(code)s”: %(message)s") % {"code": row.code, "message": message})
                for message in _messages(exc)
            )
            continue
        after = {n: getattr(category, n) for n in editor.CATEGORY_FIELDS}
        status = "created" if current is None else ("updated" if _diff(before, after) else "unchanged")
        changes.append(Change("category", row.code, status, _diff(before, after) if current else [], row.row))
        categories[row.code] = category
        planned_categories.append(category)

    planned_tags: list[tuple[TagRow, Tag, Tag | None]] = []
    seen = set()
    for row in parsed.tags:
        if row.code in seen:
            errors.append((row.row, _("The tag code “%(code)s” appears twice.") % {"code": row.code}))
            continue
        seen.add(row.code)
        if row.category_code and row.category_code not in categories:
            errors.append(
                (
                    row.row,
                    _("There is no category “%(code)s” in the file or the codebook.")
                    % {"code": row.category_code},
                )
            )
            continue
        current = existing_tags.get(row.code)
        tag = Tag(
            pk=current.pk if current else None,
            category=categories[row.category_code] if row.category_code else None,
            code=row.code,
            label_ko=row.label_ko,
            label_en=row.label_en,
            description=row.description,
            decision_rule=row.decision_rule,
            example=row.example,
            colour=row.colour.lower(),
            shortcut=row.shortcut,
            active=row.active,
            position=row.position,
        )
        try:
            tag.full_clean(
                exclude=["category", "colour", "shortcut"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            errors.extend((row.row, message) for message in _messages(exc))
            try:  # say what is wrong with the colour too, not only after the rest is fixed
                editor.colour_normalise(tag.colour)
            except ValidationError as colour:
                errors.append((row.row, f"{LABELS['colour']}: {colour.messages[0]}"))
            continue
        planned_tags.append((row, tag, current))

    # The codebook as it will be: the tags the file leaves alone, and the file's.
    imported = {tag.code for _row, tag, _current in planned_tags}
    final = [t for t in existing_tags.values() if t.code not in imported] + [t for _r, t, _c in planned_tags]
    for row, tag, current in planned_tags:
        try:
            editor.tag_check(tag, others=[t for t in final if t.code != tag.code], before=current)
        except ValidationError as exc:
            errors.extend((row.row, message) for message in _messages(exc))
            continue
        after = _tag_values(tag)
        before = _tag_values(current) if current else {}
        fields = _diff(before, after) if current else []
        status = "created" if current is None else ("updated" if fields else "unchanged")
        changes.append(Change("tag", tag.code, status, fields, row.row))
    warnings = list(parsed.warnings)
    for _row, tag, _current in planned_tags:
        for warning in editor.tag_warnings(tag):
            warnings.append(f"{tag.code}: {warning}")
    return Plan(
        changes=changes,
        errors=sorted(errors, key=lambda e: e[0]),
        warnings=warnings,
        categories=planned_categories,
        tags=[tag for _row, tag, _current in planned_tags],
    )


def _tag_values(tag: Tag) -> dict:
    values = {name: getattr(tag, name) for name in editor.TAG_FIELDS if name != "category"}
    values["category"] = tag.category.code if tag.category else None
    return values


@transaction.atomic
def import_apply(plan: Plan) -> None:
    """Bring the planned categories and tags in, all or nothing (a plan with errors is refused)."""
    if not plan.ok:
        raise ValidationError(_("The file has errors: nothing was imported."))
    status = {(c.kind, c.code): c for c in plan.changes}
    for category in plan.categories:
        if status[("category", category.code)].status != "unchanged":
            category.save()
    tags = [t for t in plan.tags if status[("tag", t.code)].status != "unchanged"]
    # Two tags may swap keys: free every changing key first, or the unique constraint trips.
    Tag.objects.filter(pk__in=[t.pk for t in tags if t.pk]).update(shortcut="")
    refresh = []
    for tag in tags:
        tag.save()
        if INDEXED_TAG_FIELDS & set(status[("tag", tag.code)].fields):
            refresh.append(tag)
    if refresh:
        tag_index_refresh(tags=refresh)


def codebook_parse(data: bytes, filename: str) -> Parsed:
    """Parse an uploaded codebook by its extension (.csv or .qdc)."""
    name = filename.lower()
    if name.endswith(".qdc") or name.endswith(".xml"):
        return qdc_parse(data)
    if name.endswith(".csv"):
        return csv_parse(data)
    raise CodebookFileError(_("Choose a .csv or a .qdc (REFI-QDA codebook) file."))
