"""Highlights rendered into a section's text, and the margin list beside it: the one place
that marks HTML safe.

The text is cut at every annotation boundary; each piece is escaped, and the pieces
are wrapped in <mark> elements nested longest-outermost, so the shortest annotation
over any point is the innermost element there and so the click target. An annotation
that crosses another's boundary is split into several fragments; only the first one
carries id="annotation-<id>", the permalink target. The marks add no text, so the
container's textContent stays exactly the section text, which the browser script
counts offsets over.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, override

from annotations.models import Actor, Tag, pick_label

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _escape(text: str) -> str:
    """Escape text for HTML, as django.utils.html.escape does (without its lazy-string wrapper,
    which costs more than the escaping on a page of a thousand annotations)."""
    return html.escape(text)


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


def _mark_attributes(span: Span) -> tuple[str, str]:
    """Return a span's <mark> attributes that never change: its classes, and its colour and title."""
    classes = "hl hl-tagged" if span.colour else "hl hl-plain"
    if span.private:
        classes += " hl-private"
    tail = f' data-hl="{span.colour}"' if span.colour and _COLOUR.match(span.colour) else ""
    if span.title:
        tail += f' title="{_escape(span.title)}"'
    return classes, tail


def _open_tags(span: Span) -> tuple[str, str, str]:
    """Return a span's <mark> opening as its first fragment and later ones begin, and its end:
    everything but the data-annotation-ids list, which depends on the marks around it."""
    classes, tail = _mark_attributes(span)
    ids = f'data-annotation-id="{span.id}" data-annotation-ids="'
    return (
        f'<mark id="annotation-{span.id}" class="{classes}" {ids}',
        f'<mark class="{classes} hl-cont" {ids}',
        f'"{tail}>',
    )


# A middle dot joins Korean words ("남·북", "생·화학무기"): browsers may break a line before it
# (it is not a letter, so word-break: keep-all leaves it breakable, and line-break: strict
# does not cover it). Each run of words joined by dots is kept on one line by a span,
# which leaves the text, and so every offset counted in it, as it is.
MAX_JOINED = 16
_DOT_JOINED = re.compile(r"[^\s·・‧]+(?:[·・‧][^\s·・‧]+)+")


def _escape_text(piece: str) -> str:
    """Escape a piece of section text, keeping dot-joined words together."""
    if "·" not in piece and "・" not in piece and "‧" not in piece:
        return _escape(piece)
    out: list[str] = []
    at = 0
    for match in _DOT_JOINED.finditer(piece):
        if len(match.group()) > MAX_JOINED:
            continue  # unbreakable, it could run past a phone's width: let it wrap
        out.append(_escape(piece[at : match.start()]))
        out.append(f'<span class="kr-joined">{_escape(match.group())}</span>')
        at = match.end()
    out.append(_escape(piece[at:]))
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
    stack: list[int] = []  # ids of the open marks, outermost first
    joined: list[str] = []  # joined[k]: the ids of stack[: k + 1], as data-annotation-ids lists them
    active: dict[int, tuple] = {}  # id -> (its nesting order, id): sorting them sorts the nesting
    seen: set[int] = set()
    tags = {s.id: _open_tags(s) for s in valid}
    for here, there in zip(boundaries, boundaries[1:], strict=False):
        for s in ends.get(here, ()):
            active.pop(s.id, None)
        for s in starts.get(here, ()):
            active[s.id] = order[s.id]
        wanted = [key[-1] for key in sorted(active.values())]
        keep = 0
        while keep < len(stack) and keep < len(wanted) and stack[keep] == wanted[keep]:
            keep += 1
        if keep < len(stack):
            out.append("</mark>" * (len(stack) - keep))
            del stack[keep:]
            del joined[keep:]
        for span_id in wanted[keep:]:
            stack.append(span_id)
            joined.append(f"{joined[-1]} {span_id}" if joined else str(span_id))
            first, later, end = tags[span_id]
            out.append(first if span_id not in seen else later)
            out.append(joined[-1])
            out.append(end)
            seen.add(span_id)
        out.append(_escape_text(text[here:there]))
    out.append("</mark>" * len(stack))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


class MarginEntry(Protocol):
    """What the margin shows of an annotation (reading.ReaderAnnotation)."""

    pk: int
    quote: str
    note: str
    actor: str
    is_shared: bool
    author_name: str
    tag_list: list[Tag]
    colour: str
    anchor_lost: bool


@dataclass(frozen=True)
class MarginLabels:
    """The interface's words for one page, translated once rather than once per annotation."""

    highlight: str
    private: str
    private_title: str
    note: str
    lost: str
    actors: dict[str, str]  # actor value -> label
    tag_names: dict[int, str]  # tag id -> label
    chips: dict[int, str]  # tag id -> its chip's HTML, escaped

    @classmethod
    def build(cls, codebook: Iterable[Tag], *, language: str) -> MarginLabels:
        """Return the labels in `language` for a page whose tags come from `codebook`."""
        with override(language):
            words = {
                "highlight": gettext("Highlight"),
                "private": gettext("private"),
                "private_title": gettext("Only you can see this"),
                "note": gettext("note"),
                "lost": gettext("text changed: passage not found"),
            }
            actors = {value: str(label) for value, label in Actor.choices}
        names = {tag.pk: pick_label(tag.label_ko, tag.label_en, language) for tag in codebook}
        chips = {
            tag.pk: f'<span class="chip" data-hl="{_escape(tag.colour)}">{_escape(names[tag.pk])}</span>'
            for tag in codebook
        }
        return cls(**words, actors=actors, tag_names=names, chips=chips)


_QUOTE_CHARS = 90  # the margin shows a quote's first 90 characters (truncatechars)


def _truncated(quote: str) -> str:
    """Return the quote as truncatechars:90 shows it (Truncator only when it is longer)."""
    return quote if len(quote) <= _QUOTE_CHARS else Truncator(quote).chars(_QUOTE_CHARS)


def render_margin(entries: Sequence[MarginEntry], labels: MarginLabels, *, quote_lang: str) -> SafeString:
    """Return a section's margin list, one entry per annotation in reading order ("" if none).

    Rendered here rather than in a template loop: with 1,000 annotations the template's
    per-variable lookups were most of the reader page's time.
    """
    if not entries:
        return SafeString("")
    lang = _escape(quote_lang)
    plain_chip = f'<span class="chip chip-plain">{_escape(labels.highlight)}</span>'
    private_title, private_word = _escape(labels.private_title), _escape(labels.private)
    private = f' <span class="private-badge" title="{private_title}">{private_word}</span>'

    lost = f' <span class="lost-badge">{_escape(labels.lost)}</span>'
    note_word = _escape(labels.note)
    out = ['<ol class="margin-list">']
    for a in entries:
        colour = _escape(a.colour)
        chips = "".join(labels.chips[t.pk] for t in a.tag_list) or plain_chip
        actor = (
            f' <span class="margin-actor">{_escape(labels.actors.get(a.actor, a.actor))}</span>'
            if a.actor != Actor.UNSPECIFIED
            else ""
        )
        note = f' <span class="margin-note" title="{_escape(a.note)}">✎ {note_word}</span>' if a.note else ""
        out.append(
            f'<li class="margin-item{" margin-lost" if a.anchor_lost else ""}" data-annotation-id="{a.pk}"'
            f' data-hl="{colour}"><button type="button" class="margin-open" data-annotation-id="{a.pk}"'
            f' data-hl="{colour}"><q lang="{lang}">{_escape(_truncated(a.quote))}</q></button>'
            f' <span class="margin-meta">{chips}{actor}'
            f' <span class="margin-author">{_escape(a.author_name)}</span>'
            f"{'' if a.is_shared else private}{note}{lost if a.anchor_lost else ''}</span></li>"
        )
    out.append("</ol>")
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped
