"""HTML: the article of a page (or all of a fragment) as blocks, with the page's metadata.

A page's main content is found by trafilatura, which leaves out the site around the article
(navigation, share widgets, "related / latest / most viewed" lists, bylines, photo credits);
its XML is walked into blocks (`head` → HEADING, `p` → PARAGRAPH, `list/item` → LIST_ITEM,
`table/row/cell` → TABLE, `quote` → QUOTE, `code` → CODE; a `graphic`'s text → FURNITURE, as
the image itself is not imported). When trafilatura has nothing to remove (a fragment: no
`<html>`/`<head>`/`<body>`, or its extract covers nearly all of the visible text) or finds too
little, the HTML itself is walked structurally instead (h1–h6, p, ul/ol/li, table, blockquote,
pre, figure). Before either, what is never text goes: scripts, page chrome (nav, footer,
aside, the page header), hidden elements, in-page tables of contents, edit links and heading
permalinks. Blocks made only of links, a figure's caption (its image is not imported), short
header lines before the body (a date or product line) and a byline opening the article (it
names the authors or the date the metadata gives) are FURNITURE.

The title is the article's own `<h1>` (the one that is the stated title, else the one h1 of
the article or outside the masthead), else `og:title`/`<title>` with a trailing site-name
segment removed, else a fragment's first short line; that h1 becomes a TITLE block. Date,
authors, canonical URL, site name and language come from `<meta>`, JSON-LD, trafilatura's
metadata and `<html lang>`.
"""

from __future__ import annotations

import copy
import json
import re
import warnings

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction
from lxml import etree

from briefs.importers import blocks as b
from briefs.importers.blocks import Block, BlockDocument
from briefs.importers.errors import DocumentError
from briefs.importers.structure import normalise_spaces
from briefs.importers.text import extract_copyright

# Use the structural walk when trafilatura's extract covers at least this share of the
# page's visible text (nothing to remove, and the walk keeps what the extractor may lose)...
WHOLE_SHARE = 0.9
# ...or at most this share of it, or fewer characters than this (it found too little).
TOO_LITTLE_SHARE = 0.05
TOO_LITTLE_CHARS = 200
# A figure (or a one-column table around an image) with more text than this is not a figure.
FIGURE_MAX_CHARS = 600
# An <article>/<main> is the content root when it holds at least this share of the body's text.
ROOT_MIN_SHARE = 0.3
# Elements nested deeper than this are read as plain text (the walk is recursive).
MAX_NESTING = 150
# A line before the first body text, shorter than this and not a sentence, is page header.
HEADER_LINE_MAX_CHARS = 160

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
# MediaWiki-style and generic in-page tables of contents and section edit links.
_DROP_SELECTORS = ("#toc", ".toc", ".mw-editsection", "[role=doc-toc]", ".editsection")
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
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
    "caption",
    "address",
    "hr",
    "details",
    "summary",
}
# Zero-width characters pages leave inside words ("Biden-\u2060Harris").
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MASTHEAD = re.compile(r"^(?:site-?|page-?|global-?)?(?:header|masthead|banner|branding)(?:-inner)?$", re.I)
_SKIP_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)
_ARTICLE_TYPES = re.compile(r"(?:Article|Report|BlogPosting|Posting|WebPage)$")
_DATE = re.compile(
    r"\b(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{4}\s*년\s*\d{1,2}\s*월"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4})",
    re.IGNORECASE,
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}
_SITE_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|·|»)\s+")
_SENTENCE_END = (".", "!", "?", "다", "요", "。")
_GENERIC_LABELS = {"www", "com", "org", "net", "gov", "edu", "news", "blog", "blogs"}


def _collapse(text: str) -> str:
    """Return text with every run of whitespace (newlines of the source too) as one space."""
    return normalise_spaces(re.sub(r"\s+", " ", _INVISIBLE.sub("", text)))


def _norm(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


# --- metadata -----------------------------------------------------------------------------


def _meta(soup: BeautifulSoup, *names: str) -> str:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            tag = soup.find("meta", attrs={attr: name})
            if isinstance(tag, Tag) and tag.get("content"):
                return normalise_spaces(str(tag["content"]))
    return ""


def _json_ld(soup: BeautifulSoup) -> dict:
    """Return the JSON-LD object describing the article (an Article/Report type), if any."""
    found: list[dict] = []
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        raw = (script.string or script.get_text() or "").strip()
        raw = re.sub(r"^\s*<!\[CDATA\[|\]\]>\s*$", "", raw).strip()
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.extend(item["@graph"] if isinstance(item["@graph"], list) else [item["@graph"]])
                kinds = item.get("@type")
                kinds = kinds if isinstance(kinds, list) else [kinds]
                if any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds):
                    found.append(item)
    # An Article beats a WebPage.
    found.sort(key=lambda item: "WebPage" in str(item.get("@type")))
    return found[0] if found else {}


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [v for v in (normalise_spaces(p) for p in re.split(r"\s*[;,]\s*|\s+and\s+", value)) if v]
    if isinstance(value, dict):
        return _names(value.get("name") or "")
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def iso_date(value: str) -> str:
    """Return a date as YYYY-MM-DD (from ISO, "2024.3.5", "2024년 3월 5일", "Dec. 6, 2024")."""
    value = value.strip()
    match = re.search(r"(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})", value)
    if match:
        y, m, d = (int(g) for g in match.groups())
        return f"{y:04d}-{m:02d}-{d:02d}" if 1 <= m <= 12 and 1 <= d <= 31 else ""
    match = re.search(
        r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})", value, re.I
    )
    if match:
        return f"{int(match.group(3)):04d}-{_MONTHS[match.group(1).lower()]:02d}-{int(match.group(2)):02d}"
    return ""


def _strip_site(title: str, site_names: list[str]) -> str:
    """Remove a trailing " | Site" / " - Site" / " :: Site" segment naming the site."""
    parts = _SITE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    last = _norm(parts[-1])
    for site in site_names:
        key = _norm(site)
        if key and last and (last == key or last in key or key in last):
            match = list(_SITE_SEPARATOR.finditer(title))[-1]
            return title[: match.start()].strip()
    return title


def _metadata(soup: BeautifulSoup, trafilatura_meta: dict[str, str]) -> dict:
    ld = _json_ld(soup)
    meta: dict = {}
    date = (
        _meta(soup, "article:published_time", "citation_publication_date", "dc.date", "date", "pubdate")
        or str(ld.get("datePublished") or "")
        or trafilatura_meta.get("date", "")
    )
    if iso_date(date):
        meta["publication_date"] = iso_date(date)
    authors = (
        _names(_meta(soup, "citation_author", "author", "dc.creator", "article:author"))
        or _names(ld.get("author"))
        or _names(trafilatura_meta.get("author", ""))
    )
    authors = [a for a in authors if not re.match(r"https?://", a)]
    if authors:
        meta["authors"] = list(dict.fromkeys(authors))
    url = _meta(soup, "og:url")
    if not url:
        link = soup.find("link", attrs={"rel": "canonical"})
        url = str(link.get("href") or "") if isinstance(link, Tag) else ""
    url = url or str(ld.get("url") or "") or trafilatura_meta.get("url", "")
    if re.match(r"https?://", url):
        meta["source_url"] = url
    site = _meta(soup, "og:site_name", "application-name", "citation_publisher", "dc.publisher")
    site = site or trafilatura_meta.get("sitename", "")
    if site:
        meta["organisation"] = site
    html_tag = soup.find("html")
    lang = str(html_tag.get("lang") or "") if isinstance(html_tag, Tag) else ""
    if lang[:2].lower() in ("ko", "en"):
        meta["language"] = lang[:2].lower()
    return meta


def _title(soup: BeautifulSoup, meta: dict, ld: dict) -> str:
    """Return the article's own h1, else its stated title without the site's name."""
    host = re.sub(r"^https?://(?:www\.)?([^/:]+).*$", r"\1", str(meta.get("source_url") or ""))
    sites = [
        str(meta.get("organisation") or ""),
        _meta(soup, "twitter:site").lstrip("@"),
        # the labels of the page's host name that name the site ("nbcnews" of www.nbcnews.com)
        *(label for label in host.split(".")[:-1] if len(label) >= 3 and label not in _GENERIC_LABELS),
    ]
    stated = [
        _strip_site(t, sites)
        for t in (
            _meta(soup, "og:title", "citation_title", "dc.title", "twitter:title"),
            str(ld.get("headline") or ""),
            normalise_spaces(soup.title.get_text()) if soup.title else "",
        )
        if t
    ]
    all_h1s = [(h, _inline_text(h)) for h in soup.find_all("h1")]
    all_h1s = [(h, text) for h, text in all_h1s if text]
    inside = [text for h, text in all_h1s if h.find_parent(["article", "main"]) is not None]
    # An h1 that is the stated title, wherever it sits, is the article's own.
    # (A masthead's h1 must be the whole stated title: "Blog name: post title" starts with it.)
    own = ""
    candidates = [(text, False) for text in inside] + [(text, _masthead(h)) for h, text in all_h1s]
    for candidate, masthead in candidates:
        key = _norm(candidate)
        if any(key == _norm(s) or (not masthead and _norm(s).startswith(key)) for s in stated):
            own = candidate
            break
    if not own:
        # Else the one h1 of the article, or the page's one h1 outside its masthead.
        outside = [text for h, text in all_h1s if not _masthead(h)]
        own = inside[0] if len(inside) == 1 else (outside[0] if len(outside) == 1 else "")
    return own or (stated[0] if stated else "")


def _inline_text(tag: Tag) -> str:
    """The text of a heading as the page shows it: inline markup adds no space, <br> does."""
    parts = []
    for node in tag.descendants:
        if isinstance(node, Tag):
            if node.name == "br":
                parts.append(" ")
        elif isinstance(node, NavigableString) and not isinstance(node, _SKIP_STRINGS):
            parts.append(str(node))
    return _collapse("".join(parts))


def _trailing_text(tag: Tag, *, skip: int) -> bool:
    """Whether letters or digits follow `tag` inside its parent (past `skip` closing "]")."""
    rest = ""
    for node in tag.next_siblings:
        rest += node.get_text() if isinstance(node, Tag) else str(node)
    rest = rest.strip()
    if skip and rest.startswith("]"):
        rest = rest[1:]
    return any(ch.isalnum() for ch in rest)


def _masthead(tag: Tag) -> bool:
    """Whether a heading sits in the site's masthead (a page header or banner outside the
    article), where an h1 names the site, not the article."""
    if tag.find_parent(["article", "main"]) is not None:
        return False
    for parent in tag.parents:
        if not isinstance(parent, Tag) or parent.name in ("body", "html"):
            break
        if parent.name in ("header", "nav") or str(parent.get("role") or "").lower() == "banner":
            return True
        tokens = [str(parent.get("id") or ""), *(parent.get("class") or [])]
        if any(_MASTHEAD.match(token) for token in tokens):
            return True
    return False


def _tidy(soup: BeautifulSoup) -> None:
    """A heading's permalink anchor ("¶", "#") and its bracketed edit link ("[edit]", "[편집]"
    closing the heading) go."""
    for heading in soup.find_all(list(_HEADINGS)):
        for link in heading.find_all("a"):
            if not any(ch.isalnum() for ch in link.get_text()):
                link.decompose()
                continue
            before, after = link.previous_sibling, link.next_sibling
            text = link.get_text().strip()
            wrapped = text.startswith("[") and text.endswith("]")
            bracketed = (
                isinstance(before, NavigableString)
                and before.rstrip().endswith("[")
                and isinstance(after, NavigableString)
                and after.lstrip().startswith("]")
            )
            if not (wrapped or bracketed) or _trailing_text(link, skip=1 if bracketed else 0):
                continue
            if bracketed:
                before.replace_with(before.rstrip()[:-1])
                after.replace_with(after.lstrip()[1:])
            link.decompose()


# --- trafilatura --------------------------------------------------------------------------


def _trafilatura(html: str) -> tuple[list[Block], dict[str, str], int] | None:
    """Return the blocks of trafilatura's extract, its metadata and its text length."""
    import trafilatura  # imported here: it is slow to import and only pages need it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            xml = trafilatura.extract(
                html,
                output_format="xml",
                include_tables=True,
                include_formatting=False,
                include_links=False,
                include_images=True,
                include_comments=False,
                with_metadata=True,
                favor_precision=False,
            )
    except Exception:  # trafilatura fails on some malformed pages: walk them instead
        return None
    if not xml:
        return None
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError:
        return None
    tmeta = {key: str(value) for key, value in root.attrib.items()}
    body = root.find("main")
    if body is None:
        body = root
    blocks: list[Block] = []
    _walk_xml(body, blocks)
    length = sum(len(_collapse(blk.text)) for blk in blocks if blk.kind != b.FURNITURE)
    return blocks, tmeta, length


def _xml_text(element, *, skip: tuple[str, ...] = ()) -> str:
    parts: list[str] = [element.text or ""]
    for child in element:
        if child.tag in skip:
            parts.append(child.tail or "")
            continue
        if child.tag == "lb":
            parts.append(" ")
        else:
            parts.append(_xml_text(child, skip=skip))
        parts.append(child.tail or "")
    return "".join(parts)


def _lines(text: str) -> str:
    return "\n".join(line for line in (_collapse(part) for part in text.split("\n")) if line)


def _walk_xml(element, blocks: list[Block], depth: int = 0) -> None:
    _loose_text(element.text, blocks)
    for child in element:
        tag = child.tag
        if tag == "head":
            level = int(str(child.get("rend", "h2")).lstrip("h") or 2) if child.get("rend") else 2
            text = _collapse(_xml_text(child))
            if text:
                blocks.append(
                    Block(b.HEADING, text, level=level, style=f"h{level}", why=f"heading element (h{level})")
                )
        elif tag == "p":
            text = _lines(_xml_text(child))
            if text:
                blocks.append(Block(b.PARAGRAPH, text, style="p", why="paragraph of the article"))
        elif tag == "list":
            ordered = str(child.get("rend", "")).lower() == "ol"
            number = 0
            for item in child:
                if item.tag != "item":
                    continue
                number += 1
                text = _lines(_xml_text(item, skip=("list",)))
                if text:
                    blocks.append(
                        Block(
                            b.LIST_ITEM,
                            text,
                            marker=f"{number}." if ordered else "•",
                            level=depth + 1,
                            style="li",
                            why="item of a list",
                        )
                    )
                nested = [sub for sub in item if sub.tag == "list"]
                if nested:
                    holder = etree.Element("div")
                    holder.extend(copy.deepcopy(sub) for sub in nested)
                    _walk_xml(holder, blocks, depth + 1)
        elif tag == "table":
            rows = []
            for row in child.iter("row"):
                cells = [_collapse(_xml_text(cell)) for cell in row if cell.tag == "cell"]
                if any(cells):
                    rows.append(cells)
            if rows:
                blocks.append(
                    Block(b.TABLE, b.table_text(rows), rows=rows, style="table", why="table element")
                )
        elif tag == "quote":
            text = _lines(_xml_text(child))
            if text:
                blocks.append(Block(b.QUOTE, text, style="blockquote", why="quotation element"))
        elif tag == "code":
            text = _xml_text(child).strip("\n")
            if text.strip():
                blocks.append(Block(b.CODE, text, style="pre", why="code element"))
        elif tag == "graphic":
            text = _collapse(str(child.get("alt") or child.get("title") or ""))
            if text:
                blocks.append(
                    Block(b.FURNITURE, text, style="img", why="text of an image, which is not imported")
                )
        elif tag in ("div", "main", "section"):
            _walk_xml(child, blocks, depth)
        _loose_text(child.tail, blocks)


def _loose_text(text: str | None, blocks: list[Block]) -> None:
    """Text between the extract's elements (after a heading, around a formula) is body text."""
    text = _collapse(text or "")
    if text and any(ch.isalnum() for ch in text):
        blocks.append(Block(b.PARAGRAPH, text, style="p", why="text of the article between its elements"))


# --- structural walk ----------------------------------------------------------------------


def _clean(soup: BeautifulSoup) -> None:
    """Remove what is never content: scripts, chrome, tables of contents, edit links."""
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for selector in _DROP_SELECTORS:
        for tag in soup.select(selector):
            if not tag.decomposed:
                tag.decompose()
    for tag in soup.find_all("header"):
        # The page's header goes; an article's own header holds its title and stays.
        if not tag.decomposed and tag.find_parent(["article", "main"]) is None:
            tag.decompose()
    for tag in soup.find_all(attrs={"role": True}):
        if not tag.decomposed and str(tag.get("role")).lower() in _DROP_ROLES:
            tag.decompose()
    for tag in soup.find_all(_hidden):  # what the page does not show is not its text
        if not tag.decomposed:
            tag.decompose()


def _hidden(tag: Tag) -> bool:
    if tag.name in ("html", "body") or not isinstance(tag.attrs, dict):
        return False
    if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true":
        return True
    return bool(_HIDDEN_STYLE.search(str(tag.get("style") or "")))


def _content_root(soup: BeautifulSoup) -> Tag:
    """The page's article or main element when it holds a good share of the page's text (a
    page of teasers has many small <article>s), else the body."""
    body = soup.body or soup
    total = len(body.get_text(" ", strip=True))
    for selector in ("article", "main", "[role=main]"):
        found = soup.select(selector)
        if found:
            best = max(found, key=lambda tag: len(tag.get_text(" ", strip=True)))
            if len(best.get_text(" ", strip=True)) >= ROOT_MIN_SHARE * total:
                return best
    return body


def _is_image_figure(tag: Tag) -> bool:
    """A <figure> around an image (not around a table) holds only the image and its caption."""
    return (
        tag.name == "figure"
        and bool(tag.find(["img", "picture", "video"]))
        and not tag.find("table")
        and len(_collapse(tag.get_text(" "))) <= FIGURE_MAX_CHARS
    )


def _is_figure_table(table: Tag) -> bool:
    """A small one-column table around an image is a figure laid out as a table (a page laid
    out in a one-column table is not: it holds far more text than a caption)."""
    rows = table.find_all("tr")
    return (
        bool(table.find("img"))
        and all(len(row.find_all(["td", "th"], recursive=False)) <= 1 for row in rows)
        and len(_collapse(table.get_text(" "))) <= FIGURE_MAX_CHARS
    )


class _Walker:
    """Walk the content in document order, collecting blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.link_only: set[int] = set()
        self._text: list[str] = []
        self._link_text: list[str] = []
        self._tag = "div"
        self._nest = 0

    def flush(self, *, kind: str = b.PARAGRAPH, why: str = "", **extra) -> None:
        text = _collapse("".join(self._text))
        if text:
            block = Block(kind, text, style=self._tag, why=why or f"text of a <{self._tag}> element", **extra)
            self.blocks.append(block)
            if _collapse("".join(self._text)) == _collapse("".join(self._link_text)):
                self.link_only.add(id(block))
        self._text, self._link_text = [], []

    def walk(self, node: Tag, *, in_link: bool = False, figure: bool = False, depth: int = 0) -> None:
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
                text = _inline_text(child)
                if text:
                    level = _HEADINGS[name]
                    self.blocks.append(
                        Block(b.HEADING, text, level=level, style=name, why=f"heading element <{name}>")
                    )
                continue
            if name == "br":  # a line break inside a paragraph is a space between its words
                self._text.append(" ")
                continue
            if name == "img":
                continue
            if name in ("ul", "ol"):
                self.flush()
                self._list(child, depth=depth, figure=figure)
                continue
            if name == "table" and not _is_figure_table(child):
                self.flush()
                self._table(child)
                continue
            if name == "pre":
                self.flush()
                text = child.get_text().strip("\n")
                if text.strip():
                    self.blocks.append(Block(b.CODE, text, style="pre", why="preformatted <pre> element"))
                continue
            in_figure = figure or _is_image_figure(child) or (name == "table" and _is_figure_table(child))
            block = name in _BLOCKS or name in ("tr", "td", "th")
            if block:
                self.flush()
            previous = self._tag
            self._tag = name if block else self._tag
            self._nest += 1
            if self._nest > MAX_NESTING:  # hostile nesting: what lies deeper is read as plain text
                self._text.append(" " + child.get_text(" ") + " ")
            else:
                self.walk(child, in_link=in_link or name == "a", figure=in_figure, depth=depth)
            self._nest -= 1
            if block:
                self._flush_as(name, figure=in_figure)
            self._tag = previous

    def _flush_as(self, name: str, *, figure: bool) -> None:
        if figure:
            self.flush(kind=b.FURNITURE, why="caption or text of a figure, whose image is not imported")
        elif name == "blockquote":
            self.flush(kind=b.QUOTE, why="quotation <blockquote>")
        elif name in ("caption", "figcaption"):
            self.flush(kind=b.CAPTION, why="caption of a table")
        else:
            self.flush()

    def _list(self, node: Tag, *, depth: int, figure: bool) -> None:
        ordered = node.name == "ol"
        try:
            number = int(str(node.get("start") or 1)) - 1
        except ValueError:
            number = 0
        for item in node.find_all("li", recursive=False):
            number += 1
            marker = f"{number}." if ordered else "•"
            nested = [
                child for child in item.children if isinstance(child, Tag) and child.name in ("ul", "ol")
            ]
            for child in nested:
                child.extract()
            previous = self._tag
            self._tag = "li"
            self.walk(item, depth=depth + 1, figure=figure)
            if figure:
                self.flush(kind=b.FURNITURE, why="text of a figure, whose image is not imported")
            else:
                self.flush(kind=b.LIST_ITEM, why="item of a list", marker=marker, level=depth + 1)
            self._tag = previous
            for child in nested:
                self._list(child, depth=depth + 1, figure=figure)

    def _table(self, table: Tag) -> None:
        rows: list[list[str]] = []
        for row in table.find_all("tr"):
            if row.find_parent("table") is not table:
                continue
            cells = [_collapse(cell.get_text(" ")) for cell in row.find_all(["td", "th"], recursive=False)]
            if any(cells):
                rows.append(cells)
        caption = table.find("caption")
        if isinstance(caption, Tag) and _collapse(caption.get_text(" ")):
            self.blocks.append(
                Block(b.CAPTION, _collapse(caption.get_text(" ")), style="caption", why="caption of a table")
            )
        if rows:
            self.blocks.append(
                Block(b.TABLE, b.table_text(rows), rows=rows, style="table", why="table element")
            )


def _walked(soup: BeautifulSoup) -> tuple[list[Block], set[int]]:
    walker = _Walker()
    walker.walk(_content_root(soup))
    walker.flush()
    return walker.blocks, walker.link_only


# --- structure ----------------------------------------------------------------------------


def _is_sentence(text: str) -> bool:
    return text.rstrip(" \"'”’)").endswith(_SENTENCE_END)


def _mark_header(blocks: list[Block], meta: dict, *, has_title: bool) -> None:
    """Lines before the first heading or body paragraph: the title when the page names none,
    then short non-sentence lines (a date or product line) are page header."""
    first_body = next(
        (
            i
            for i, blk in enumerate(blocks)
            if blk.kind == b.HEADING or (blk.style == "p" and blk.kind == b.PARAGRAPH)
        ),
        None,
    )
    if first_body is None:
        return
    for block in blocks[:first_body]:
        if block.kind != b.PARAGRAPH or block.style == "p":
            continue
        text = _collapse(block.text)
        if len(text) > HEADER_LINE_MAX_CHARS or _is_sentence(text):
            continue
        if not has_title and not _DATE.search(text):
            block.relabel(b.TITLE, "first short line before the body text, not a sentence")
            has_title = True
            continue
        stated = str(meta.get("title") or "")
        head = _SITE_SEPARATOR.split(stated)
        if len(head) > 1 and _norm(" ".join(head[:-1])) == _norm(text):
            # The stated title is this line plus a trailing " - Site" segment.
            block.relabel(b.TITLE, "the page's first line, its stated title without a trailing segment")
            meta["title"] = text
            continue
        if _DATE.search(text) and "publication_date" not in meta and iso_date(text):
            meta["publication_date"] = iso_date(text)
        block.relabel(b.FURNITURE, "in the page header before the body text, short, not a sentence")


def _byline(blocks: list[Block], meta: dict) -> None:
    """Short lines opening the article that name its authors or its date (the metadata says
    who and when) are its byline and timestamp, not its text."""
    names = [_norm(name) for name in meta.get("authors") or [] if len(_norm(name)) >= 4]
    for block in blocks:
        if block.kind in (b.FURNITURE, b.TITLE):
            continue
        text = _collapse(block.text)
        if block.kind != b.PARAGRAPH or len(text) > HEADER_LINE_MAX_CHARS or _is_sentence(text):
            break
        key = _norm(text)
        if any(name in key for name in names) or (_DATE.search(text) and len(text.split()) <= 12):
            block.relabel(b.FURNITURE, "a short line opening the article with its authors or date (byline)")
            continue
        break


def _mark_title(blocks: list[Block], title: str) -> None:
    key = _norm(title)
    if not key:
        return
    for block in blocks:
        if block.kind == b.FURNITURE:
            continue
        if block.kind in (b.HEADING, b.PARAGRAPH) and _norm(block.text) == key:
            block.relabel(b.TITLE, "the article's own title (its h1)")
        break
    # An h1 equal to the title later on (after a kicker line) is the title too.
    for block in blocks:
        if block.kind == b.HEADING and block.level == 1 and _norm(block.text) == key:
            block.relabel(b.TITLE, "the article's own title (its h1)")


def _mark_links_and_tail(blocks: list[Block], link_only: set[int]) -> None:
    links = [blk for blk in blocks if id(blk) in link_only and blk.kind in (b.PARAGRAPH, b.LIST_ITEM)]
    text = [blk for blk in blocks if blk.kind in b.BODY_KINDS and id(blk) not in link_only]
    if text:  # (a page that is nothing but links keeps them)
        for block in links:
            block.relabel(b.FURNITURE, "made only of links (navigation or a link list)")
    # Headings left with nothing after them at the end (a "Related" list's heading).
    for block in reversed(blocks):
        if block.kind == b.FURNITURE:
            continue
        if block.kind == b.HEADING:
            block.relabel(b.FURNITURE, "a heading with nothing after it at the end of the page")
            continue
        break


def _copyright(blocks: list[Block], meta: dict) -> None:
    last = next((blk for blk in reversed(blocks) if blk.kind == b.PARAGRAPH), None)
    if last is None:
        return
    lines, notice = extract_copyright([last.text])
    if notice:
        meta["copyright"] = notice
        if lines and lines[0].strip():
            last.text = lines[0]
        else:
            last.relabel(b.FURNITURE, "copyright notice at the end")


def _is_fragment(text: str) -> bool:
    return not re.search(r"<(?:html|head|body)[\s>]", text[:20000], re.IGNORECASE)


def read_html(text: str, *, filename: str = "") -> BlockDocument:
    """Read an HTML page or fragment (already decoded) as blocks."""
    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as error:  # lxml is lenient; this is a last resort
        raise DocumentError(f"the HTML could not be parsed: {error}") from error
    _tidy(soup)
    ld = _json_ld(soup)
    meta = _metadata(soup, {})
    title = _title(soup, meta, ld)  # before the page header (which may hold the h1) goes
    _clean(soup)
    visible = len(_collapse((soup.body or soup).get_text(" ")))
    extracted = None if _is_fragment(text) else _trafilatura(str(soup))
    if extracted:
        for key, value in _metadata(soup, extracted[1]).items():
            meta.setdefault(key, value)
    use_extract = extracted is not None and (
        extracted[2] >= TOO_LITTLE_CHARS and TOO_LITTLE_SHARE * visible < extracted[2] < WHOLE_SHARE * visible
    )
    if use_extract:
        blocks, link_only = extracted[0], set()
    else:
        blocks, link_only = _walked(soup)
    _mark_links_and_tail(blocks, link_only)
    if title:
        meta["title"] = title
        _mark_title(blocks, title)
    _mark_header(blocks, meta, has_title=bool(title) or any(blk.kind == b.TITLE for blk in blocks))
    if not title:
        title_block = next((blk for blk in blocks if blk.kind == b.TITLE), None)
        if title_block is not None:
            meta["title"] = _collapse(title_block.text)
    _byline(blocks, meta)
    _copyright(blocks, meta)
    return BlockDocument(blocks=blocks, format="html", metadata=meta)
