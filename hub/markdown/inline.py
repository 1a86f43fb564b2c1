"""Mattermost's text formatting (@mentions, ~channels, :emoji:, #hashtags) as tokens, after parsing.

A core rule that runs once the inline parser and linkify are done: it splits the text tokens outside
links into text and formatting tokens, so code spans, code blocks, link text and URLs are never touched
(they are not text tokens, or sit between link_open and link_close). It also turns table alignment
into classes and gives empty links their URL as text.
"""

from __future__ import annotations

import re

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .emoji_names import emoji_for

SPECIAL_MENTIONS = frozenset({"channel", "all", "here"})

# One pattern for the four kinds, so a text is scanned once. Each starts at a word boundary:
# "mail@example.com", "approx~5", "page#top" and "main.go:100:" format nothing.
_FORMATTING = re.compile(
    r"(?<![\w@])@(?P<username>[A-Za-z0-9._\-]*[A-Za-z0-9_\-])"
    r"|(?<![\w~])~(?P<channel>[A-Za-z0-9_\-]*[A-Za-z0-9])"
    r"|(?<![A-Za-z0-9]):(?P<emoji>[A-Za-z0-9_+\-]+):(?![A-Za-z0-9])"
    # Mattermost's hashtag: a letter after '#', then letters, digits, '_', '-', '.', ending in a letter
    # or digit, so "#ab" is the shortest; "##tag" is "#" and "#tag", as in Mattermost's web app.
    r"|(?<!\w)(?P<hashtag>#[^\W\d_][\w.\-]*[^\W_])"
)
_TRIGGERS = frozenset("@~:#")

_ALIGNMENT_CLASSES = {
    "text-align:left": "align-left",
    "text-align:center": "align-center",
    "text-align:right": "align-right",
}


def format_text(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.children:
            token.children = _format_children(token.children)
        elif token.type in ("th_open", "td_open"):
            _alignment_as_class(token)


def _alignment_as_class(token: Token) -> None:
    # Inline style is blocked by the client's CSP, so alignment travels as a class.
    style = token.attrs.pop("style", None)
    alignment = _ALIGNMENT_CLASSES.get(str(style)) if style is not None else None
    if alignment:
        token.attrs["class"] = alignment


def _format_children(children: list[Token]) -> list[Token]:
    formatted: list[Token] = []
    link_depth = 0
    for child in children:
        if child.type == "link_close" and formatted and formatted[-1].type == "link_open":
            # "[](url)" would be an invisible link: show where it goes.
            formatted.append(_text_token(str(formatted[-1].attrGet("href") or ""), child.level + 1))
        if child.type == "link_open":
            link_depth += 1
        elif child.type == "link_close":
            link_depth -= 1
        if child.type == "text" and link_depth == 0 and not _TRIGGERS.isdisjoint(child.content):
            formatted.extend(_split_text(child))
        else:
            formatted.append(child)
    return formatted


def _split_text(token: Token) -> list[Token]:
    text = token.content
    pieces: list[Token] = []
    plain_start = 0
    position = 0
    while (match := _FORMATTING.search(text, position)) is not None:
        formatting = _formatting_token(match, token.level)
        if formatting is None:
            # An unknown ":name:" stays text.
            position = match.end()
            continue
        if match.start() > plain_start:
            pieces.append(_text_token(text[plain_start : match.start()], token.level))
        pieces.append(formatting)
        plain_start = position = match.end()
    if not pieces:
        return [token]
    if plain_start < len(text):
        pieces.append(_text_token(text[plain_start:], token.level))
    return pieces


def _formatting_token(match: re.Match[str], level: int) -> Token | None:
    if (username := match.group("username")) is not None:
        name = username.lower()
        return Token(
            "mention",
            "span",
            0,
            level=level,
            content="@" + username,
            meta={"name": name, "special": name in SPECIAL_MENTIONS},
        )
    if (channel := match.group("channel")) is not None:
        return Token(
            "channel_mention", "span", 0, level=level, content="~" + channel, meta={"name": channel.lower()}
        )
    if (name := match.group("emoji")) is not None:
        character = emoji_for(name)
        if character is None:
            return None
        return Token("emoji", "span", 0, level=level, content=f":{name}:", meta={"character": character})
    hashtag = match.group("hashtag")
    return Token("hashtag", "span", 0, level=level, content=hashtag, meta={"tag": hashtag})


def _text_token(content: str, level: int) -> Token:
    return Token("text", "", 0, level=level, content=content)
