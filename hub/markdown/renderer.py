"""HTML for the tokens: code in <pre class="code">, links with target, images as links, formatting spans.

Every name and URL goes out through escapeHtml into text or a quoted attribute value.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from .highlight import MAX_HIGHLIGHTED_CHARS, canonical_language, highlight_code, lexer_for
from .urls import is_file_image, is_relative

IMAGE_LINK_CLASS = "markdown-image-link"


def link_open_tag(href: str, title: str | None = None, css_class: str | None = None) -> str:
    # rel is added to every <a> by the sanitizer, in one place.
    attributes = [f'href="{escapeHtml(href)}"']
    if css_class:
        attributes.append(f'class="{css_class}"')
    if title:
        attributes.append(f'title="{escapeHtml(title)}"')
    if not is_relative(href):
        attributes.append('target="_blank"')
    return "<a " + " ".join(attributes) + ">"


class HubbubRenderer(RendererHTML):
    def link_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        return link_open_tag(str(token.attrGet("href") or ""), _optional(token.attrGet("title")))

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        alt = self.renderInlineAsText(token.children, options, env)
        title = _optional(token.attrGet("title"))
        if is_file_image(src):
            title_attribute = f' title="{escapeHtml(title)}"' if title else ""
            return f'<img src="{escapeHtml(src)}" alt="{escapeHtml(alt)}"{title_attribute}>'
        # Loading another host's image would leak every viewer's address to it: show a link instead.
        return link_open_tag(src, title, IMAGE_LINK_CLASS) + escapeHtml(alt or src) + "</a>"

    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        info = unescapeAll(token.info).strip()
        language = info.split(maxsplit=1)[0] if info else ""
        lexer = lexer_for(language) if language else None
        if lexer is None or len(token.content) > MAX_HIGHLIGHTED_CHARS:
            return _code_block(escapeHtml(token.content))
        return _code_block(highlight_code(token.content, lexer), "language-" + canonical_language(lexer))

    def code_block(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return _code_block(escapeHtml(tokens[idx].content))

    def mention(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        css_class = "mention mention-special" if token.meta["special"] else "mention"
        return _span(css_class, "data-mention", token.meta["name"], token.content)

    def channel_mention(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        return _span("channel-mention", "data-channel-mention", token.meta["name"], token.content)

    def hashtag(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        return _span("hashtag", "data-hashtag", token.meta["tag"], token.content)

    def emoji(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        return _span("emoji", "title", token.content, token.meta["character"])


def _code_block(body: str, language_class: str | None = None) -> str:
    code_open = f'<code class="{language_class}">' if language_class else "<code>"
    return f'<pre class="code">{code_open}{body}</code></pre>\n'


def _span(css_class: str, attribute: str, value: str, text: str) -> str:
    return f'<span class="{css_class}" {attribute}="{escapeHtml(value)}">{escapeHtml(text)}</span>'


def _optional(value: object) -> str | None:
    return str(value) if value else None
