"""Highlights rendered into a section's text: the one place that marks HTML safe.

The text is cut at every annotation boundary; each piece is escaped, and the pieces
are wrapped in <mark> elements nested longest-outermost, so the shortest annotation
over any point is the innermost element there and so the click target. An annotation
that crosses another's boundary is split into several fragments; only the first one
carries id="annotation-<id>", the permalink target. The marks add no text, so the
container's textContent stays exactly the section text, which the browser script
counts offsets over.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Span:
    """One annotation's place in the text (code points) and how to draw it."""

    id: int
    start: int
    end: int
    colour: str | None = None  # of the first tag; None draws a plain highlight
    title: str = ""
    private: bool = False

    @property
    def length(self) -> int:
        return self.end - self.start


def resolve_anchor(
    text: str, *, start: int, end: int, quote: str, prefix: str = "", suffix: str = ""
) -> tuple[int, int] | None:
    """Return where an annotation's quote sits in text now, or None if it is lost.

    The offsets win when they still select the quote; otherwise the quote with its
    context, then the quote alone, must occur exactly once (W3C TextQuoteSelector).
    """
    if not quote:
        return None
    if 0 <= start < end <= len(text) and text[start:end] == quote:
        return start, end
    for needle, lead in ((prefix + quote + suffix, len(prefix)), (quote, 0)):
        first = text.find(needle)
        if first != -1 and text.find(needle, first + 1) == -1:
            return first + lead, first + lead + len(quote)
    return None


def _open_tag(span: Span, stack: list[Span], first: bool) -> str:
    classes = ["hl", "hl-tagged" if span.colour else "hl-plain"]
    if span.private:
        classes.append("hl-private")
    attrs = []
    if first:
        attrs.append(f'id="annotation-{span.id}"')
    else:
        classes.append("hl-cont")
    attrs.append(f'class="{" ".join(classes)}"')
    attrs.append(f'data-annotation-id="{span.id}"')
    attrs.append(f'data-annotation-ids="{" ".join(str(s.id) for s in stack)}"')
    if span.colour and _COLOUR.match(span.colour):
        attrs.append(f'data-hl="{span.colour}"')
    if span.title:
        attrs.append(f'title="{escape(span.title)}"')
    return f"<mark {' '.join(attrs)}>"


# A middle dot joins Korean words ("남·북", "생·화학무기"): browsers may break a line before it
# (it is not a letter, so word-break: keep-all leaves it breakable, and line-break: strict
# does not cover it). Each run of words joined by dots is kept on one line by a span,
# which leaves the text, and so every offset counted in it, as it is.
MAX_JOINED = 16
_DOT_JOINED = re.compile(r"[^\s·・‧]+(?:[·・‧][^\s·・‧]+)+")


def _escape_text(piece: str) -> str:
    """Escape a piece of section text, keeping dot-joined words together."""
    out: list[str] = []
    at = 0
    for match in _DOT_JOINED.finditer(piece):
        if len(match.group()) > MAX_JOINED:
            continue  # unbreakable, it could run past a phone's width: let it wrap
        out.append(escape(piece[at : match.start()]))
        out.append(f'<span class="kr-joined">{escape(match.group())}</span>')
        at = match.end()
    out.append(escape(piece[at:]))
    return "".join(out)


def render_highlights(text: str, spans: Iterable[Span]) -> SafeString:
    """Return text as HTML with every span wrapped in (possibly nested) <mark> elements."""
    valid = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    # Longest outermost; ties broken by start then id so the order is total and stable.
    order = {s.id: (-s.length, s.start, s.id) for s in valid}
    starts: dict[int, list[Span]] = {}
    ends: dict[int, list[Span]] = {}
    for s in valid:
        starts.setdefault(s.start, []).append(s)
        ends.setdefault(s.end, []).append(s)
    boundaries = sorted({0, len(text), *starts, *ends})

    out: list[str] = []
    stack: list[Span] = []  # open marks, outermost first
    active: dict[int, Span] = {}
    seen: set[int] = set()
    for here, there in zip(boundaries, boundaries[1:], strict=False):
        for s in ends.get(here, ()):
            active.pop(s.id, None)
        for s in starts.get(here, ()):
            active[s.id] = s
        wanted = sorted(active.values(), key=lambda s: order[s.id])
        keep = 0
        while keep < len(stack) and keep < len(wanted) and stack[keep].id == wanted[keep].id:
            keep += 1
        out.append("</mark>" * (len(stack) - keep))
        del stack[keep:]
        for s in wanted[keep:]:
            stack.append(s)
            out.append(_open_tag(s, stack, first=s.id not in seen))
            seen.add(s.id)
        out.append(_escape_text(text[here:there]))
    out.append("</mark>" * len(stack))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped
