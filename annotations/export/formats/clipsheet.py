"""Clip sheets: quotes grouped by tag, then by brief, each with its citation and permalink.

Markdown streams as text. DOCX is a zip, so it is written to a file: python-docx makes
the skeleton (styles, page setup) and the body is streamed into word/document.xml, so
memory stays flat however many excerpts there are.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape

import docx
import docx.document
import docx.styles.style
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

from annotations.export.formats.base import FLUSH_BYTES, ExportJob, ZipSink, buffered, xml_safe
from annotations.export.presenters import ExcerptPresenter, quote_in_context
from annotations.models import Annotation

_TEXT = {
    "ko": {
        "title": "발췌 모음",
        "summary": "발췌 {total}건 · {date} · {user}",
        "empty": "조건에 맞는 발췌가 없습니다.",
        "untagged": "태그 없음",
        "note": "메모",
    },
    "en": {
        "title": "Clip sheet",
        "summary": "{total} excerpts · exported {date} by {user}",
        "empty": "No excerpts match these filters.",
        "untagged": "Untagged",
        "note": "Note",
    },
}
EAST_ASIAN_FONT = "맑은 고딕"  # Malgun Gothic: Word's default Hangul face on Windows
_STYLES_WITH_HANGUL = ("Normal", "Title", "Heading 1", "Heading 2", "Quote")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")
_UPRIGHT = '<w:rPr><w:i w:val="0"/><w:iCs w:val="0"/></w:rPr>'


@dataclass(frozen=True)
class Clip:
    """One excerpt as printed: quote (maybe in context), citation, permalink and note."""

    quote: str
    citation: str
    permalink: str
    note: str


def clip_text(language: str) -> dict[str, str]:
    """Return the clip sheet's fixed wording in the label language."""
    return _TEXT["ko" if language == "ko" else "en"]


def clip_events(job: ExportJob) -> Iterator[tuple[str, str | Clip]]:
    """Yield ("group", label), ("brief", title) and ("clip", Clip) in printing order.

    Rows come from excerpt_list_by_tag(): one per (excerpt, tag), untagged ones last.
    """
    text = clip_text(job.options.language)
    presenter = ExcerptPresenter(job.options)
    group = brief = None
    for annotation in job.rows:
        row_group = _group_label(annotation, job.options.language) or text["untagged"]
        if row_group != group:
            group, brief = row_group, None
            yield "group", row_group
        if annotation.section.brief_id != brief:
            brief = annotation.section.brief_id
            yield "brief", annotation.section.brief.title
        yield "clip", _clip(annotation, job, presenter)


def _group_label(annotation: Annotation, language: str) -> str | None:
    code = getattr(annotation, "group_code", None)
    if code is None:
        return None
    label = annotation.group_label_ko if language == "ko" else annotation.group_label_en
    return f"{label} ({code})"


def _clip(annotation: Annotation, job: ExportJob, presenter: ExcerptPresenter) -> Clip:
    quote = quote_in_context(annotation) if job.options.context else annotation.quote
    return Clip(
        quote=quote,
        citation=presenter.citation(annotation),
        permalink=presenter.permalink(annotation),
        note=annotation.note,
    )


def _summary(job: ExportJob) -> str:
    return clip_text(job.options.language)["summary"].format(
        total=job.total, date=job.exported_at.isoformat(timespec="minutes"), user=job.exported_by
    )


# Markdown ---------------------------------------------------------------------------------

_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]<>#|~&])")
# List items and setext underlines are only markup at the start of a line.
_MD_LINE_MARKER = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))", re.MULTILINE)


def _line_marker(match: re.Match[str]) -> str:
    indent, marker = match[1], match[2]
    return f"{indent}{marker}\\" if marker.isdigit() else f"{indent}\\{marker}"


def md_escape(text: str) -> str:
    """Return text that Markdown prints literally (no emphasis, links, HTML, lists or headings)."""
    return _MD_LINE_MARKER.sub(_line_marker, _MD_PUNCTUATION.sub(r"\\\1", text))


def markdown_stream(job: ExportJob) -> Iterator[bytes]:
    """Yield the clip sheet as Markdown (UTF-8)."""
    return buffered(_markdown_pieces(job))


def _markdown_pieces(job: ExportJob) -> Iterator[str]:
    text = clip_text(job.options.language)
    yield f"# {text['title']}\n\n{md_escape(_summary(job))}\n"
    empty = True
    for kind, value in clip_events(job):
        empty = False
        if kind == "group":
            yield f"\n## {md_escape(value)}\n"
        elif kind == "brief":
            yield f"\n### {md_escape(value)}\n"
        else:
            quote = "\n".join(f"> {md_escape(line)}".rstrip() for line in value.quote.split("\n"))
            yield f"\n{quote}\n\n— {md_escape(value.citation)}  \n<{value.permalink}>\n"
            if value.note:
                # Emphasis renders as italic, which Hangul does not have: the Korean label is bold.
                mark = "**" if has_hangul(text["note"]) else "*"
                yield f"\n{mark}{text['note']}:{mark} {md_escape(value.note)}\n"
    if empty:
        yield f"\n{text['empty']}\n"


# DOCX -------------------------------------------------------------------------------------

_PLACEHOLDER = "MARGINALIA-BODY-PLACEHOLDER"


def _docx_skeleton(job: ExportJob) -> tuple[bytes, str, str]:
    """Return a python-docx document as bytes and its document.xml split where the body goes."""
    document = docx.Document()
    text = clip_text(job.options.language)
    document.core_properties.title = text["title"]
    document.core_properties.author = job.exported_by
    document.core_properties.language = "ko-KR" if job.options.language == "ko" else "en-US"
    _page_setup(document, job.options.language)
    for name in _STYLES_WITH_HANGUL:
        _east_asian_font(document.styles[name])
    document.add_heading(text["title"], level=0)
    document.add_paragraph(_summary(job))
    document.add_paragraph(_PLACEHOLDER)
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    start = xml.rindex("<w:p>", 0, xml.index(_PLACEHOLDER))
    end = xml.index("</w:p>", start) + len("</w:p>")
    return buffer.getvalue(), xml[:start], xml[end:]


def _page_setup(document: docx.document.Document, language: str) -> None:
    # A4 where the export is Korean (and the rest of the world), US Letter for English.
    width, height = (Mm(215.9), Mm(279.4)) if language == "en" else (Mm(210), Mm(297))
    for section in document.sections:
        section.page_width, section.page_height = width, height


def _east_asian_font(style: docx.styles.style.BaseStyle) -> None:
    """Set the style's Hangul face and proofing language (Korean) for East Asian text.

    The template's headings take their East Asian face from the theme (eastAsiaTheme),
    which would win over the face set here: it goes, so Hangul headings are not set in
    whatever the theme's East Asian face is (a Japanese Mincho on many systems).
    """
    properties = style.element.get_or_add_rPr()
    fonts = properties.get_or_add_rFonts()
    fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    lang.set(qn("w:eastAsia"), "ko-KR")


def has_hangul(text: str) -> bool:
    """Return whether the text holds Hangul (syllables or jamo)."""
    return bool(_HANGUL.search(text))


def _runs(text: str, properties: str = "") -> str:
    lines = [escape(xml_safe(line)) for line in text.split("\n")]
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{line}</w:t>' for line in lines)
    return f"<w:r>{properties}{body}</w:r>"


def _paragraph(content: str, style: str | None = None) -> str:
    properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{properties}{content}</w:p>"


def _hyperlink(url: str) -> str:
    # A HYPERLINK field needs no relationship entry, so nothing but the body is streamed.
    instruction = escape(f'HYPERLINK "{url}"')
    link_style = '<w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr>'
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{_runs(url, link_style)}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def _docx_body(job: ExportJob) -> Iterator[str]:
    text = clip_text(job.options.language)
    empty = True
    for kind, value in clip_events(job):
        empty = False
        if kind == "group":
            yield _paragraph(_runs(value), "Heading1")
        elif kind == "brief":
            yield _paragraph(_runs(value), "Heading2")
        else:
            # Hangul has no italic: Word slants it mechanically, which Korean readers find hard to
            # read, so a quote with Hangul in it is set upright (the style stays italic for the rest).
            upright = _UPRIGHT if has_hangul(value.quote) else ""
            yield _paragraph(_runs(value.quote, upright), "Quote")
            yield _paragraph(f"{_runs('— ' + value.citation)}<w:r><w:br/></w:r>{_hyperlink(value.permalink)}")
            if value.note:
                emphasis = "<w:b/>" if has_hangul(text["note"]) else "<w:i/>"
                label = _runs(f"{text['note']}: ", f"<w:rPr>{emphasis}</w:rPr>")
                yield _paragraph(label + _runs(value.note))
    if empty:
        yield _paragraph(_runs(text["empty"]))


def docx_stream(job: ExportJob) -> Iterator[bytes]:
    """Yield the clip sheet as a Word document: python-docx's skeleton (styles, page), then
    the body written into word/document.xml and sent on about every FLUSH_BYTES of zip."""
    skeleton, head, tail = _docx_skeleton(job)
    sink = ZipSink()
    with (
        zipfile.ZipFile(io.BytesIO(skeleton)) as source,
        zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename != "word/document.xml":
                target.writestr(item, source.read(item.filename), zipfile.ZIP_DEFLATED)
                continue
            with target.open("word/document.xml", "w") as body:
                body.write(head.encode("utf-8"))
                for chunk in buffered(_docx_body(job)):
                    body.write(chunk)
                    if sink.pending >= FLUSH_BYTES // 4:
                        yield sink.drain()
                body.write(tail.encode("utf-8"))
    yield sink.drain()
