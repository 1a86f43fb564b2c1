"""The one MarkdownIt instance: js-default (raw HTML off), breaks, linkify, strikethrough, tables.

Built once at import. Rendering keeps its state in per-call objects (StateCore, env), and nothing here
changes the instance afterwards, so threads and greenlets share it.
"""

from __future__ import annotations

# linkify-it-py ships neither annotations nor a py.typed marker.
from linkify_it import LinkifyIt  # type: ignore[import-untyped]
from linkify_it.main import Match  # type: ignore[import-untyped]
from markdown_it import MarkdownIt

from .inline import format_text
from .renderer import HubbubRenderer
from .urls import is_safe_url


class _SchemeOrWwwLinkify(LinkifyIt):  # type: ignore[misc]  # LinkifyIt is Any: the library is untyped
    """Bare host names ("setup.py", "README.md": both real TLDs) are not links, as in Mattermost, which
    autolinks only URLs with a scheme, "www." hosts and e-mail addresses."""

    def match(self, text: str) -> list[Match] | None:
        links: list[Match] | None = super().match(text)
        if not links:
            return links
        return [link for link in links if link.schema or link.raw.lower().startswith("www.")]


class _HubbubMarkdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        # Replaces markdown-it's denylist (javascript:, vbscript:, file:, data:) with an allowlist; a
        # link that fails stays text.
        return is_safe_url(url)


def _build() -> MarkdownIt:
    md = _HubbubMarkdown(
        "js-default", {"html": False, "breaks": True, "linkify": True}, renderer_cls=HubbubRenderer
    )
    md.enable(["strikethrough", "table", "linkify"])
    md.linkify = _SchemeOrWwwLinkify()
    md.core.ruler.push("hubbub_formatting", format_text)
    return md


markdown = _build()
