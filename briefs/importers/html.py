"""HTML: the article (or main) content of a page, headings from h1–h4.

Navigation, page header and footer, scripts, styles, asides and forms are dropped, and so is
the list of image or "related" links that pages put after the article.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from briefs.importers.document import ParsedDocument
from briefs.importers.structure import (
    Heading,
    Paragraph,
    Part,
    build_sections,
    detect_language,
    filename_title,
    first_sentence_title,
    normalise_spaces,
)
from briefs.importers.text import detect_year, extract_copyright

_DROP = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "textarea",
    "iframe",
    "svg",
    "canvas",
    "object",
    "embed",
    "menu",
    "dialog",
)
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "form"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "h5",
    "h6",
    "address",
    "hr",
}
_SKIP_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)


def _collapse(text: str) -> str:
    """Return text with every run of whitespace (newlines of the source too) as one space."""
    return normalise_spaces(re.sub(r"\s+", " ", text))


def _content_root(soup: BeautifulSoup) -> Tag:
    for selector in ("article", "main", "[role=main]"):
        found = soup.select(selector)
        if found:
            return max(found, key=lambda tag: len(tag.get_text(" ", strip=True)))
    return soup.body or soup


class _Walker:
    """Walk the content in document order, collecting headings and paragraphs."""

    def __init__(self) -> None:
        self.parts: list[Part] = []
        self.link_only: list[bool] = []
        self._text: list[str] = []
        self._link_text: list[str] = []
        self._images = 0

    def flush(self) -> None:
        text = _collapse("".join(self._text))
        if text:
            link_text = _collapse("".join(self._link_text))
            self.parts.append(Paragraph(text))
            self.link_only.append(link_text == text)
        elif self._images:
            self.parts.append(Paragraph(""))
            self.link_only.append(True)
        self._text, self._link_text, self._images = [], [], 0

    def walk(self, node: Tag, *, in_link: bool = False) -> None:
        for child in node.children:
            if isinstance(child, _SKIP_STRINGS):
                continue
            if isinstance(child, NavigableString):
                self._text.append(str(child))
                if in_link:
                    self._link_text.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in _HEADINGS:
                self.flush()
                text = _collapse(child.get_text())
                if text:
                    self.parts.append(Heading(text, _HEADINGS[name]))
                    self.link_only.append(False)
                continue
            if name == "img":
                self._images += 1
                continue
            if name == "br":
                self._text.append(" ")
                continue
            block = name in _BLOCKS
            if block:
                self.flush()
            self.walk(child, in_link=in_link or name == "a")
            if block:
                self.flush()


def _meta(soup: BeautifulSoup, *names: str) -> str:
    for name in names:
        tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
        if tag and tag.get("content"):
            return normalise_spaces(str(tag["content"]))
    return ""


def parse_html(text: str, *, filename: str = "") -> ParsedDocument:
    """Parse an HTML page (already decoded) into a document."""
    soup = BeautifulSoup(text, "html.parser")
    page_title = normalise_spaces(soup.title.get_text()) if soup.title else ""
    meta_title = _meta(soup, "citation_title", "dc.title", "og:title")
    authors = [
        a for a in re.split(r"\s*[,;]\s*", _meta(soup, "citation_author", "author", "dc.creator")) if a
    ]
    organisation = _meta(soup, "citation_publisher", "dc.publisher", "og:site_name")
    date = _meta(soup, "citation_publication_date", "dc.date", "article:published_time", "date")
    html_tag = soup.find("html")
    lang = str(html_tag.get("lang", "")) if isinstance(html_tag, Tag) else ""

    for tag in soup.find_all(_DROP):
        tag.decompose()
    for tag in soup.find_all("header"):
        # The page's header goes; an article's own header holds its title and stays.
        if not tag.decomposed and tag.find_parent("article") is None:
            tag.decompose()
    for tag in soup.find_all(attrs={"role": True}):
        if not tag.decomposed and str(tag.get("role")).lower() in _DROP_ROLES:
            tag.decompose()

    walker = _Walker()
    walker.walk(_content_root(soup))
    walker.flush()
    parts, link_only = walker.parts, walker.link_only
    # The link or image list after the article ("related articles", thumbnails).
    while parts and (link_only[-1] or isinstance(parts[-1], Heading)):
        parts.pop()
        link_only.pop()
    parts = [p for p in parts if not (isinstance(p, Paragraph) and not p.text)]

    copyright_notice = ""
    if parts and isinstance(parts[-1], Paragraph):
        lines, copyright_notice = extract_copyright([parts[-1].text])
        if copyright_notice:
            parts[-1:] = [Paragraph(lines[0])] if lines[0].strip() else []

    headings = [p for p in parts if isinstance(p, Heading)]
    top = [h for h in headings if h.level == 1]
    title = meta_title
    if headings and len(top) == 1 and headings[0] is top[0]:
        title = title or top[0].text
        parts.remove(top[0])
    paragraphs = [p.text for p in parts if isinstance(p, Paragraph)]
    title = title or page_title or first_sentence_title(paragraphs) or filename_title(filename)

    year = int(date[:4]) if date[:4].isdigit() else detect_year(copyright_notice, paragraphs)
    language = lang[:2].lower() if lang[:2].lower() in ("ko", "en") else detect_language(" ".join(paragraphs))
    return ParsedDocument(
        title=title,
        organisation=organisation,
        authors=authors,
        language=language,
        publication_year=year,
        copyright=copyright_notice,
        sections=build_sections(parts),
        format="html",
    )


# Transitional: the block reader replaces this.
read_html = parse_html
