"""The payload of POST /hooks/{id}, as Mattermost and Slack clients send it, parsed into post fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from hub import jsonsafe
from hub.answers import slack_links_to_markdown, slack_text_to_markdown
from hub.errors import AppError
from hub.services.posts import Priority, parse_priority
from webhooks.incoming.adapters import RequestHeaders

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
# Headers that identify one delivery, so that a sender's retry is recognised: the generic one first,
# then the ids GitHub and GitLab put on every delivery (the same on a redelivery).
DELIVERY_KEY_HEADERS = ("Idempotency-Key", "X-GitHub-Delivery", "X-Gitlab-Event-UUID")
MAX_DELIVERY_KEY = 255
# Fields a multipart/form-data body may carry, each a plain string (as Mattermost decodes them).
_FORM_FIELDS = ("text", "channel", "username", "icon_url", "icon_emoji", "type")


@dataclass(frozen=True)
class WebhookMessage:
    """Mattermost's IncomingWebhookRequest."""

    text: str = ""
    channel: str = ""
    username: str = ""
    icon_url: str = ""
    icon_emoji: str = ""
    type: str = ""
    props: dict[str, Any] = field(default_factory=dict)
    attachments: list[dict[str, Any]] | None = None
    priority: Priority | None = None


def parse_error(detail: str) -> AppError:
    return AppError("web.incoming_webhook.parse.app_error", "Unable to parse incoming data.", 400, detail)


def parse_payload(body: bytes, content_type: str) -> WebhookMessage:
    """A form body carries the JSON in its `payload` field; anything else is JSON itself."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise parse_error(f"the body is not UTF-8: {exc}") from None
    if media_type == FORM_CONTENT_TYPE:
        payloads = parse_qs(text, keep_blank_values=True).get("payload", [])
        if not payloads:
            raise parse_error("the form has no payload field")
        text = payloads[0]
    return _message(json_object(text))


def json_object(text: str | bytes) -> dict[str, Any]:
    try:
        data = jsonsafe.loads(text)
    except ValueError as exc:  # UnicodeDecodeError included
        raise parse_error(f"the payload is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise parse_error("the payload must be a JSON object")
    return data


def delivery_key_from(headers: RequestHeaders) -> str:
    """The delivery's key from the first of DELIVERY_KEY_HEADERS it carries, or ""."""
    for name in DELIVERY_KEY_HEADERS:
        value = headers.get(name, "").strip()
        if value:
            if len(value) > MAX_DELIVERY_KEY:
                raise AppError(
                    "web.incoming_webhook.delivery_key.app_error",
                    "The delivery key is too long.",
                    400,
                    f"{name} has {len(value)} characters, at most {MAX_DELIVERY_KEY} are kept",
                )
            return value
    return ""


def parse_form_fields(fields: Mapping[str, str]) -> WebhookMessage:
    """A multipart/form-data body: its fields are the message's own (text=..., channel=...)."""
    return _message({name: fields[name] for name in _FORM_FIELDS if name in fields})


def _string(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise parse_error(f"{name} must be a string")
    return value


def _message(data: dict[str, Any]) -> WebhookMessage:
    props = data.get("props")
    if props is None:
        props = {}
    if not isinstance(props, dict):
        raise parse_error("props must be an object")
    attachments = data.get("attachments")
    if attachments is not None and (
        not isinstance(attachments, list) or not all(isinstance(a, dict) for a in attachments)
    ):
        raise parse_error("attachments must be a list of objects")
    return WebhookMessage(
        text=slack_text_to_markdown(_string(data, "text")),
        channel=_string(data, "channel"),
        username=_string(data, "username"),
        icon_url=_string(data, "icon_url"),
        icon_emoji=_string(data, "icon_emoji"),
        type=_string(data, "type"),
        props=props,
        attachments=None if attachments is None else [_attachment_to_markdown(a) for a in attachments],
        priority=parse_priority(data.get("priority")),
    )


def _attachment_to_markdown(attachment: dict[str, Any]) -> dict[str, Any]:
    """Mattermost rewrites the links of an attachment's text, pretext and field values."""
    converted = dict(attachment)
    for name in ("text", "pretext"):
        if isinstance(converted.get(name), str):
            converted[name] = slack_links_to_markdown(converted[name])
    if isinstance(converted.get("fields"), list):
        converted["fields"] = [
            {**f, "value": slack_links_to_markdown(f["value"])}
            if isinstance(f, dict) and isinstance(f.get("value"), str)
            else f
            for f in converted["fields"]
        ]
    return converted
