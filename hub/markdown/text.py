"""Messages as plain text, for notifications, e-mail, bridges and search snippets.

Markup goes; what it meant stays: links as "label (url)" when the two differ, code as its text, emoji
as Unicode, mentions, channels and hashtags as written. List items keep a "- " or "1. " marker and
quotes a "> ", since plain text has no other way to show them.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it.tree import SyntaxTreeNode

from .html import MAX_CACHED_CHARS, RENDER_CACHE_SIZE
from .parser import markdown

_AUTOMATIC_LINK_MARKUP = frozenset({"linkify", "autolink"})
_URL_PREFIXES = ("mailto:", "http://", "https://")


def plain_text(text: str) -> str:
    """The message without Markdown; "" for a non-string."""
    if not isinstance(text, str):
        return ""
    if len(text) <= MAX_CACHED_CHARS:
        return _plain_text_cached(text)
    return _plain_text(text)


def _plain_text(text: str) -> str:
    return _block(SyntaxTreeNode(markdown.parse(text))).strip("\n")


_plain_text_cached = lru_cache(maxsize=RENDER_CACHE_SIZE)(_plain_text)


def _block(node: SyntaxTreeNode) -> str:
    kind = node.type
    if kind == "inline":
        return _inline(node.children)
    if kind in ("fence", "code_block"):
        return node.content.rstrip("\n")
    if kind == "hr":
        return ""
    if kind == "bullet_list":
        return "\n".join(_list_item("- ", item) for item in node.children)
    if kind == "ordered_list":
        start = _start_number(node.attrs.get("start"))
        return "\n".join(_list_item(f"{start + n}. ", item) for n, item in enumerate(node.children))
    if kind == "blockquote":
        quoted = _blocks(node.children)
        return "\n".join("> " + line if line else ">" for line in quoted.split("\n"))
    if kind == "table":
        return "\n".join(_table_row(row) for section in node.children for row in section.children)
    return _blocks(node.children)


def _blocks(nodes: list[SyntaxTreeNode]) -> str:
    # Paragraphs, headings and lists apart by a blank line, as the reader saw them.
    return "\n\n".join(part for part in (_block(child) for child in nodes) if part)


def _list_item(marker: str, item: SyntaxTreeNode) -> str:
    body = "\n".join(_block(child) for child in item.children)
    indent = " " * len(marker)
    return marker + body.replace("\n", "\n" + indent)


def _table_row(row: SyntaxTreeNode) -> str:
    return " | ".join(_blocks(cell.children) for cell in row.children)


def _start_number(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 1


def _inline(nodes: list[SyntaxTreeNode]) -> str:
    return "".join(_inline_node(node) for node in nodes)


def _inline_node(node: SyntaxTreeNode) -> str:
    kind = node.type
    if kind in ("text", "code_inline", "mention", "channel_mention", "hashtag"):
        return node.content
    if kind in ("softbreak", "hardbreak"):
        return "\n"
    if kind == "emoji":
        return str(node.meta["character"])
    if kind == "link":
        return _labelled_url(_inline(node.children), str(node.attrs.get("href", "")), node.markup)
    if kind == "image":
        return _labelled_url(_inline(node.children), str(node.attrs.get("src", "")), "")
    return _inline(node.children)


def _labelled_url(label: str, url: str, markup: str) -> str:
    if markup in _AUTOMATIC_LINK_MARKUP or not url:
        return label
    if not label:
        return url
    bare_url = next((url[len(prefix) :] for prefix in _URL_PREFIXES if url.startswith(prefix)), url)
    if label in (url, bare_url):
        return label
    return f"{label} ({url})"
