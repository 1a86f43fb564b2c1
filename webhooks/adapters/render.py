"""Payload reading and Markdown helpers shared by the adapters: typed field access that turns a
malformed payload into a 400, escaping, safe links and Slack-style attachments."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from hub.errors import AppError

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


def escape(text: str) -> str:
    """Text safe to put in a post: brackets can no longer open or close a Markdown link."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def is_web_url(url: str | None) -> bool:
    return url is not None and url.lower().startswith(("https://", "http://"))


def link(text: str, url: str | None) -> str:
    """A Markdown link, or the bare (escaped) text when the URL is not http(s) (e.g. javascript:)."""
    # A line break would end the link text early.
    label = escape(" ".join(text.split()))
    if url is None or not is_web_url(url):
        return label
    safe_url = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{label}]({safe_url})"


def header(headers: Mapping[str, str], name: str) -> str:
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
