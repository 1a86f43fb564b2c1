"""Payload reading and Markdown helpers shared by the adapters: typed field access that turns a
malformed payload into a 400, escaping, safe links and Slack-style attachments."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeGuard
from urllib.parse import quote

from hub.errors import AppError
from webhooks.incoming.adapters import RequestHeaders

MAX_LISTED_COMMITS = 5
MAX_BODY_CHARS = 500
_MISSING = object()


def invalid_payload(detail: str) -> AppError:
    return AppError("webhooks.adapter.invalid_payload.app_error", f"Invalid webhook payload: {detail}.", 400)


def _walk(payload: Any, path: str) -> Any:
    value = payload
    for key in path.split("."):
        if isinstance(value, list) and key.isdigit():
            value = value[int(key)] if int(key) < len(value) else _MISSING
        elif isinstance(value, dict):
            value = value.get(key, _MISSING)
        else:
            raise invalid_payload(f"'{path}' is not inside an object")
        if value is _MISSING or value is None:
            return None
    return value


def _check_type(value: Any, path: str, kind: type | tuple[type, ...]) -> Any:
    # bool is an int subclass; a JSON true is never a valid number here.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise invalid_payload(f"'{path}' has the wrong type")
    return value


def need(payload: Any, path: str, kind: type | tuple[type, ...] = str) -> Any:
    """The value at a dotted path, which must be present and of the given type."""
    value = _walk(payload, path)
    if value is None:
        raise invalid_payload(f"'{path}' is missing")
    return _check_type(value, path, kind)


def maybe(payload: Any, path: str, kind: type | tuple[type, ...] = str) -> Any:
    """The value at a dotted path, or None when absent or null; a present value must have the type."""
    value = _walk(payload, path)
    return None if value is None else _check_type(value, path, kind)


# Everything Mattermost Markdown gives a meaning inline: escapes, code spans, emphasis and
# strikethrough, link and image brackets, HTML and autolinks in angle brackets.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>~])")
# An @ that could start a mention (the server's rule: not right after a word character, as in an
# e-mail address). A backslash would not help: mentions are found in the raw message, not in the
# rendered Markdown, so \@channel would still notify everyone.
_MENTION_AT = re.compile(r"(?<!\w)@(?=[\w.\-])")
# U+2060 WORD JOINER: invisible, zero-width and not a word character, so "@\u2060channel" looks like
# "@channel" but no longer matches a mention; unlike U+200D it cannot join neighbouring emoji.
_MENTION_BREAK = "@\u2060"
# Characters that would end a Markdown link destination early or smuggle in markup.
_URL_UNSAFE = re.compile(r"[\s()<>`\"\\\x00-\x1f\x7f]")
MAX_SUBJECT_CHARS = 255


def quiet_mentions(text: str) -> str:
    """The text with its @names shown as they are but mentioning no one (no @channel, @all, @here)."""
    return _MENTION_AT.sub(_MENTION_BREAK, text)


def escape(text: str) -> str:
    """User-written text made inert in a post: no links, images, emphasis, code spans, HTML or
    mentions; it still reads the same."""
    return quiet_mentions(_MARKDOWN_SPECIAL.sub(r"\\\1", text))


def code(text: str) -> str:
    """Inline code for branch, tag and commit names; escaped text when a backtick would end it early."""
    return f"`{quiet_mentions(text)}`" if "`" not in text else escape(text)


def is_web_url(url: str | None) -> TypeGuard[str]:
    return url is not None and url.lower().startswith(("https://", "http://"))


def safe_url(url: str | None) -> str:
    """The URL when it is http(s), with the characters that would end a Markdown link encoded; else ""."""
    if not is_web_url(url):
        return ""
    # Mentions are found in the raw message, link targets included ("https://host/@all").
    return _MENTION_AT.sub("%40", _URL_UNSAFE.sub(lambda match: quote(match.group()), url))


def link(text: str, url: str | None, *, as_code: bool = False) -> str:
    """A Markdown link labelled with the escaped text (or the text as inline code); the bare label when
    the URL is not http(s) (e.g. javascript:)."""
    # A line break would end the link's label early.
    text = " ".join(text.split())
    label = code(text) if as_code else escape(text)
    target = safe_url(url)
    return f"[{label}]({target})" if target else label


def subject(kind: str, key: str) -> str:
    """The stable key of what an outcome is about; the kind keeps a job and a pipeline apart."""
    return f"{kind}:{key}"[:MAX_SUBJECT_CHARS]


def header(headers: RequestHeaders, name: str) -> str:
    """A header's value whatever the case of its name ('' when absent)."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), "")


def first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0].strip()


def clip(text: str, limit: int = MAX_BODY_CHARS) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def attachment(
    *,
    fallback: str,
    color: str,
    title: str,
    title_link: str | None = None,
    text: str = "",
    fields: Sequence[tuple[str, str, bool]] = (),
    author: tuple[str, str | None, str | None] | None = None,
    footer: str,
) -> dict[str, Any]:
    """A Slack-style attachment; links that are not http(s) and empty optional parts are left out."""
    result: dict[str, Any] = {"fallback": fallback, "color": color, "title": escape(title)}
    if is_web_url(title_link):
        result["title_link"] = title_link
    result["text"] = text
    result["fields"] = [{"title": name, "value": value, "short": short} for name, value, short in fields]
    if author:
        name, icon, url = author
        result["author_name"] = name
        if is_web_url(icon):
            result["author_icon"] = icon
        if is_web_url(url):
            result["author_link"] = url
    result["footer"] = footer
    return result
