"""Read pages as HTML, not as strings: elements by XPath, their text as a reader sees it."""

from __future__ import annotations

import lxml.html


def page_tree(response) -> lxml.html.HtmlElement:
    """Return the parsed page of a Django test response."""
    return lxml.html.fromstring(response.content.decode())


def texts(tree: lxml.html.HtmlElement, xpath: str) -> list[str]:
    """Return the whitespace-normalised text of every element the XPath selects."""
    return [" ".join(element.text_content().split()) for element in tree.xpath(xpath)]
