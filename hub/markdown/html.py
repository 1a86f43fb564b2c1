"""Messages and Slack-style attachments to sanitised HTML."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from markdown_it.common.utils import escapeHtml

from .parser import markdown
from .renderer import link_open_tag
from .sanitize import sanitize

RENDER_CACHE_SIZE = 4096
# Longer texts are rendered every time: a full cache of them could hold hundreds of megabytes, and
# the callers cache long posts by id anyway.
MAX_CACHED_CHARS = 4096


def render_html(text: str) -> str:
    """Mattermost-flavoured Markdown to HTML safe to insert into the page; "" for a non-string."""
    if not isinstance(text, str):
        return ""
    if len(text) <= MAX_CACHED_CHARS:
        return _render_cached(text)
    return _render(text)


def _render(text: str) -> str:
    return sanitize(markdown.render(text))


_render_cached = lru_cache(maxsize=RENDER_CACHE_SIZE)(_render)


def render_attachment_html(attachment: Any) -> dict[str, Any]:
    """The HTML of one message attachment: pretext, text and each field's value as Markdown; title and
    author as text, linked only when their link is safe; footer and field titles as text.

    Anything of the wrong type counts as absent, so client data never makes this raise."""
    if not isinstance(attachment, dict):
        attachment = {}
    raw_fields = attachment.get("fields")
    fields = raw_fields if isinstance(raw_fields, list) else []
    return {
        "pretext": render_html(_string(attachment.get("pretext"))),
        "text": render_html(_string(attachment.get("text"))),
        "title": _link_only(_string(attachment.get("title")), _string(attachment.get("title_link"))),
        "author": _link_only(_string(attachment.get("author_name")), _string(attachment.get("author_link"))),
        "footer": escapeHtml(_string(attachment.get("footer"))),
        "fields": [_field_html(field) for field in fields],
    }


def _field_html(field: Any) -> dict[str, str]:
    # One entry per input field, even a malformed one, so the client can pair them by index.
    if not isinstance(field, dict):
        field = {}
    return {
        "title": escapeHtml(_string(field.get("title"))),
        "value": render_html(_string(field.get("value"))),
    }


def _link_only(text: str, link: str) -> str:
    """The text, escaped, inside a link when the link is one a message could carry; no Markdown."""
    if not text:
        return ""
    link = link.strip()
    if not link or not _is_written_link(link):
        return escapeHtml(text)
    href = markdown.normalizeLink(link)
    if not markdown.validateLink(href):
        return escapeHtml(text)
    return sanitize(link_open_tag(href) + escapeHtml(text) + "</a>")


def _is_written_link(link: str) -> bool:
    # Browsers drop tabs and newlines inside a URL and read a backslash as a slash, so "/\t/host" and
    # "/\host" go to another host. Nobody writes such a link; refuse it rather than encode it.
    return not any(ord(char) < 0x20 or char in "\x7f\\" for char in link)


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""
