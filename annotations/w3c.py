"""The W3C Web Annotation (JSON-LD) presenter: one place that says how an annotation looks
in the W3C Data Model, used by the API, the Protocol container and the export alike.

Mapping (Web Annotation Data Model, REC 2017-02-23):

- target: a SpecificResource whose source is the section's IRI in the reader
  (``/briefs/<slug>/#<anchor>``), with two alternative selectors over the section's
  NFC text: a TextQuoteSelector (exact/prefix/suffix) and a TextPositionSelector
  (start/end in Unicode code points, as the model stores them).
- each codebook tag, twice: a TextualBody with purpose "tagging" and the label as its value
  (what any client shows) in the requested language (the export's label language; for the
  API, the active language: the language cookie or Accept-Language), tagged with that
  language, and a SpecificResource with purpose
  "classifying" whose source is the tag's IRI in the API (``/api/v1/tags/<code>``),
  which carries the code. (The official assertions forbid an id on a body with a
  purpose unless it is a SpecificResource, so the IRI cannot sit on the TextualBody.)
- the actor a claim is attributed to, unless unspecified: a SpecificResource with
  purpose "classifying" and source ``urn:marginalia:actor:<value>``.
- the note: a TextualBody with purpose "commenting".
- creator: a Person with an ``acct:`` IRI (as Hypothesis does) and a name.
- canonical and via, when a Protocol client sent them: its canonical IRI as given, and
  the id it sent (the server assigns its own).
- a soft-deleted annotation is an ActivityStreams Tombstone, not an Annotation.

Callers pass annotations with ``tags``, ``author`` and ``section__brief`` loaded
(select_related/prefetch_related) so presenting a page costs no extra queries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language

from annotations.models import Actor, Annotation, Tag
from config.paths import Paths

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
JSONLD_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
ACTOR_URN_PREFIX = "urn:marginalia:actor:"


def _origin(base_url: str) -> str:
    return base_url.rstrip("/")


def w3c_datetime(value: dt.datetime) -> str:
    """Return an xsd:dateTime in UTC with a "Z", to the second (as the spec examples)."""
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def container_id(*, base_url: str) -> str:
    """Return the IRI of the W3C Protocol annotation container."""
    return _origin(base_url) + reverse("w3c:container")


def creator_iri(username: str, *, base_url: str) -> str:
    """Return an acct: IRI for a user of this site (acct:name@host, RFC 7565)."""
    return _acct(username, urlsplit(_origin(base_url)).netloc or "localhost")


def _acct(username: str, host: str) -> str:
    return f"acct:{quote(username, safe='')}@{host}"


def label_language(language: str | None = None) -> str:
    """Return "ko" or "en": the given language, by default the active one."""
    language = language or get_language() or settings.LANGUAGE_CODE
    return "ko" if language.startswith("ko") else "en"


class W3CPresenter:
    """Presents annotations for one site address and label language: made once per page or
    export, it reads the script prefix and URLconf once (config.paths.Paths), not per row.
    """

    def __init__(self, *, base_url: str, language: str | None = None) -> None:
        self.origin = _origin(base_url)
        self.language = label_language(language)
        self._paths = Paths()
        self._host = urlsplit(self.origin).netloc or "localhost"

    def annotation_id(self, annotation: Annotation) -> str:
        """Return the annotation's IRI: its resource in the W3C Protocol container."""
        return self.origin + self._paths.pk_path("w3c:annotation", annotation.pk)

    def tag_iri(self, tag: Tag) -> str:
        """Return the tag's IRI: its entry in the codebook API."""
        return self.origin + self._paths.path("api:tag_get", tag.code)

    def section_iri(self, annotation: Annotation) -> str:
        """Return the IRI of the annotation's section in the reader (the target's source)."""
        section = annotation.section
        reader = self._paths.path("briefs:reader", section.brief.slug)
        return f"{self.origin}{reader}#{quote(section.anchor, safe='')}"

    def annotation(self, annotation: Annotation, *, with_context: bool = True) -> dict:
        """Return the annotation as annotation_jsonld() does."""
        if annotation.deleted_at is not None:
            return self.tombstone(annotation, with_context=with_context)
        bodies = self._bodies(annotation)
        doc: dict[str, Any] = {"@context": ANNO_CONTEXT} if with_context else {}
        doc.update(
            {
                "id": self.annotation_id(annotation),
                "type": "Annotation",
                "motivation": _motivation(bodies),
                "created": w3c_datetime(annotation.created_at),
                "modified": w3c_datetime(annotation.updated_at),
                "creator": self._creator(annotation),
            }
        )
        if annotation.canonical:
            doc["canonical"] = annotation.canonical
        if annotation.via:
            doc["via"] = annotation.via
        if bodies:
            doc["body"] = bodies if len(bodies) > 1 else bodies[0]
        doc["target"] = {
            "type": "SpecificResource",
            "source": self.section_iri(annotation),
            "selector": [
                _quote_selector(annotation),
                {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
            ],
        }
        return doc

    def tombstone(self, annotation: Annotation, *, with_context: bool = True) -> dict:
        """Return the ActivityStreams Tombstone that stands for a soft-deleted annotation."""
        doc: dict[str, Any] = {"@context": ANNO_CONTEXT} if with_context else {}
        doc.update(
            {
                "id": self.annotation_id(annotation),
                "type": "as:Tombstone",
                "as:formerType": {"id": "oa:Annotation"},
                "as:deleted": w3c_datetime(annotation.deleted_at or annotation.updated_at),
                "modified": w3c_datetime(annotation.updated_at),
            }
        )
        return doc

    def _creator(self, annotation: Annotation) -> dict[str, Any]:
        author = annotation.author
        username = author.get_username()
        return {
            "id": _acct(username, self._host),
            "type": "Person",
            "name": (author.get_full_name() or username) if hasattr(author, "get_full_name") else username,
            "nickname": username,
        }

    def _bodies(self, annotation: Annotation) -> list[dict[str, Any]]:
        tags = annotation.listed_tags()
        language = self.language
        bodies: list[dict[str, Any]] = [
            {
                "type": "TextualBody",
                "purpose": "tagging",
                "value": tag.label(language),
                "format": "text/plain",
                "language": language,
            }
            for tag in tags
        ]
        bodies.extend(
            {"type": "SpecificResource", "purpose": "classifying", "source": self.tag_iri(tag)}
            for tag in tags
        )
        if annotation.actor and annotation.actor != Actor.UNSPECIFIED:
            bodies.append(
                {
                    "type": "SpecificResource",
                    "purpose": "classifying",
                    "source": ACTOR_URN_PREFIX + annotation.actor,
                }
            )
        if annotation.note:
            bodies.append(
                {
                    "type": "TextualBody",
                    "purpose": "commenting",
                    "value": annotation.note,
                    "format": "text/plain",
                }
            )
        return bodies


def annotation_id(annotation: Annotation, *, base_url: str) -> str:
    """Return the annotation's IRI: its resource in the W3C Protocol container."""
    return W3CPresenter(base_url=base_url, language="en").annotation_id(annotation)


def tag_iri(tag: Tag, *, base_url: str) -> str:
    """Return the tag's IRI: its entry in the codebook API."""
    return W3CPresenter(base_url=base_url, language="en").tag_iri(tag)


def section_iri(annotation: Annotation, *, base_url: str) -> str:
    """Return the IRI of the annotation's section in the reader (the target's source)."""
    return W3CPresenter(base_url=base_url, language="en").section_iri(annotation)


def tombstone_jsonld(annotation: Annotation, *, base_url: str, with_context: bool = True) -> dict:
    """Return the ActivityStreams Tombstone that stands for a soft-deleted annotation."""
    return W3CPresenter(base_url=base_url, language="en").tombstone(annotation, with_context=with_context)


def annotation_jsonld(
    annotation: Annotation, *, base_url: str, with_context: bool = True, language: str | None = None
) -> dict:
    """Return the annotation as a W3C Web Annotation (JSON-LD, compacted with anno.jsonld).

    base_url is the site's origin, e.g. "https://marginalia.example.org" (a trailing
    slash is ignored). with_context=False leaves "@context" out, for annotations
    embedded in a page or collection that carries it. A soft-deleted annotation
    comes out as a Tombstone (see tombstone_jsonld). language ("ko" or "en") picks the
    tag labels; by default the active language. Presenting many, make one W3CPresenter
    and call its annotation() for each.
    """
    presenter = W3CPresenter(base_url=base_url, language=language)
    return presenter.annotation(annotation, with_context=with_context)


def _motivation(bodies: list[dict[str, Any]]) -> str | list[str]:
    purposes = []
    for body in bodies:
        if body["purpose"] not in purposes:
            purposes.append(body["purpose"])
    if not purposes:
        return "highlighting"
    return purposes[0] if len(purposes) == 1 else purposes


def _quote_selector(annotation: Annotation) -> dict[str, Any]:
    selector = {"type": "TextQuoteSelector", "exact": annotation.quote}
    # An empty prefix/suffix (a quote at the section's edge) is left out, not sent as "".
    if annotation.prefix:
        selector["prefix"] = annotation.prefix
    if annotation.suffix:
        selector["suffix"] = annotation.suffix
    return selector
