"""Every URL pattern, hostile values in the path, the query, forms and JSON: never a 5xx.

The walk reads the URL patterns from the resolver, so a new page is walked without anyone
remembering to add it. Failures are collected and printed together.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from tests.factories import AnnotationFactory, BriefFactory, SectionFactory, UserFactory, role_user

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
LONG = "x" * 3000
# Percent-encoded, as they appear in an address: NUL, a lone surrogate as (invalid) UTF-8,
# an escaped slash climbing out, a long value, and numbers at and past the edges.
HOSTILE_PATH_VALUES = ["%00", "%ED%A0%80", "..%2F..%2Fetc", LONG, "0", "-1", HUGE]
HOSTILE_QUERY_VALUES = ["%00", "%ED%A0%80", LONG, "-1", HUGE, "bogus", "[]"]
QUERY_NAMES = [
    "q", "page", "p", "o", "offset", "limit", "ordering", "format", "language", "tag", "tags",
    "actor", "actors", "visibility", "annotator", "annotators", "brief", "briefs", "section",
    "include_deleted", "updated_after", "created_from", "created_to", "mine", "context",
    "visibility__exact", "actor__exact", "active__exact", "category__id__exact",
    "tags__id__exact", "next", "cursor", "since",
]  # fmt: skip


def _queries() -> list[str]:
    """NUL everywhere, a surrogate everywhere, then the other values spread over the names."""
    refused, spread = HOSTILE_QUERY_VALUES[:2], HOSTILE_QUERY_VALUES[2:]
    queries = ["&".join(f"{name}={value}" for name in QUERY_NAMES) for value in refused]
    for shift in range(2):
        pairs = (f"{name}={spread[(i + shift) % len(spread)]}" for i, name in enumerate(QUERY_NAMES))
        queries.append("&".join(pairs))
    return queries


QUERIES = _queries()
SCHEMA_ROUTES = {"api/v1/openapi.json", "api/v1/docs"}
FORM_NAMES = [
    "username", "password", "name", "scope", "title", "slug", "text", "note", "tags", "actor",
    "visibility", "quote", "start", "end", "section", "code", "label_en", "label_ko", "colour",
    "position", "file", "action", "_selected_action", "post", "version", "headings",
]  # fmt: skip


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def _json_bodies(section_id: int, annotation_id: int) -> list[str]:
    anchor = {"section": section_id, "start": 0, "end": 3, "quote": "이번 "}
    w3c_target = {"source": f"http://testserver/briefs/x/#s{section_id}"}
    return [
        _deep(100_000),
        '{"a":' * 5_000 + "1" + "}" * 5_000,
        json.dumps({**anchor, "note": "\x00", "tags": ["\x00"]}),
        '{"note": "\\ud800", "quote": "\\udfff", "tags": ["\\ud800"], "\\ud800": 1}',
        json.dumps({**anchor, "start": int(HUGE), "end": int(HUGE) * 2}),
        json.dumps({**anchor, "start": -(10**30), "end": 1e308}),
        '{"start": NaN, "end": Infinity}',
        "9" * 5000,
        json.dumps({**anchor, "actor": "martian", "visibility": "cosmic", "ordering": "sideways"}),
        json.dumps({"section": [], "start": {}, "end": "x", "quote": 7, "tags": "big-deal", "note": []}),
        json.dumps([annotation_id, None, True]),
        json.dumps({"target": w3c_target, "body": {"value": "\x00"}, "motivation": 42}),
        json.dumps({"target": {"source": {"id": [1]}, "selector": "nope"}, "body": [None]}),
        "not json at all",
        "",
    ]


def _form_bodies() -> list[dict[str, str]]:
    # The client encodes these as urlencoded bodies; NUL and surrogates are sent raw below.
    mixed = {name: (LONG, "-1", "bogus")[i % 3] for i, name in enumerate(FORM_NAMES)}
    return [dict.fromkeys(FORM_NAMES, HUGE), mixed]


RAW_FORM_BODIES = [
    "&".join(f"{n}=%00" for n in FORM_NAMES),
    "&".join(f"{n}=%ED%A0%80" for n in FORM_NAMES),
]


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + _route(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + _route(entry.pattern)


def _route(pattern: RoutePattern | RegexPattern) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern)
    # A regex route: each named group becomes a placeholder, anchors go.
    text = str(pattern).lstrip("^").rstrip("$").replace("\\Z", "")
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<str:\1>", text)


_PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _fill(route: str, value_for) -> str:
    return "/" + _PLACEHOLDER.sub(lambda m: value_for(m.group(1) or "str", m.group(2)), route)


def _order(route: str) -> tuple[int, str]:
    # Destructive pages last, so the others still find the brief and the session.
    destructive = any(word in route for word in ("delete", "logout", "revoke", "cancel", "confirm"))
    return (1 if destructive else 0, route)


@pytest.fixture
def quiet_logging():
    # Thousands of refusals would each log a line (and each 500 a traceback): the list of
    # failures the test prints is what to read.
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


@pytest.fixture
def world(codebook):
    brief = BriefFactory(slug="walk-brief", title="Walk brief")
    text = "이번 회담에서 북한의 비핵화와 관련한 요구"
    section = SectionFactory(brief=brief, position=1, anchor="s1", text=text)
    annotator = role_user("annotator", username="walker")
    other = role_user("annotator", username="other-walker")
    editor = role_user("editor", username="walk-editor")
    admin = UserFactory(username="walk-admin", is_staff=True, is_superuser=True)
    tag = codebook["big-deal"]
    shared = AnnotationFactory(section=section, author=annotator, visibility="shared", tags=[tag])
    AnnotationFactory(section=section, author=other, start=3, length=4, tags=[tag])
    return {
        "section": section,
        "annotation": shared,
        "users": {"anonymous": None, "annotator": annotator, "editor": editor, "admin": admin},
        "real": {
            "slug": brief.slug,
            "pk": str(shared.pk),
            "annotation_id": str(shared.pk),
            "section_id": str(section.pk),
            "code": tag.code,
            "object_id": str(tag.pk),
            "token_id": "1",
            "token": "00000000-0000-0000-0000-000000000000",
        },
    }


def test_no_url_answers_5xx_to_hostile_input(world, quiet_logging):
    routes = sorted(set(_patterns(get_resolver())), key=_order)
    real = world["real"]
    json_bodies = _json_bodies(world["section"].pk, world["annotation"].pk)
    failures: list[str] = []

    def check(client: Client, who: str, method: str, url: str, **kwargs) -> None:
        response = getattr(client, method)(url, **kwargs)
        if response.status_code >= 500:
            body = kwargs.get("data", "")
            shown = body[:80] if isinstance(body, str) else str(body)[:80]
            failures.append(f"{who} {method.upper()} {url[:120]} body={shown!r} -> {response.status_code}")

    for who, user in world["users"].items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        for route in routes:
            if user is not None and "logout" in route:
                continue  # signing out would make the rest of the walk anonymous
            url = _fill(route, lambda _conv, name: real.get(name, "1"))
            check(client, who, "get", url)
            for query in QUERIES:
                check(client, who, "get", f"{url}?{query}")
            # One hostile name at a time too: among many, an invalid one can stop a form before
            # another reaches the database (the export's annotators=%00 once did).
            for name in QUERY_NAMES:
                check(client, who, "get", f"{url}?{name}=%00")
            if route in SCHEMA_ROUTES:
                continue  # generated documents: a GET is all they take, and each is slow
            for form in _form_bodies():
                check(client, who, "post", url, data=form)
            for raw in RAW_FORM_BODIES:
                check(client, who, "post", url, data=raw, content_type="application/x-www-form-urlencoded")
            # Pages that read no JSON get the few bodies that must be refused before any view.
            reads_json = route.startswith(("api/", "annotations/"))
            for body in json_bodies if reads_json else json_bodies[:4]:
                check(client, who, "post", url, data=body, content_type="application/json")
                if route.startswith("api/") and "<" in route:
                    for method in ("put", "patch"):
                        check(client, who, method, url, data=body, content_type="application/json")
            if "<" in route:
                for value in HOSTILE_PATH_VALUES:
                    hostile = _fill(route, lambda _conv, _name, v=value: v)
                    check(client, who, "get", hostile)
                    check(client, who, "post", hostile, data=json_bodies[2], content_type="application/json")

    assert not failures, f"{len(failures)} responses >= 500:\n" + "\n".join(failures)
