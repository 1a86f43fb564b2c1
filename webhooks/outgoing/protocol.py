"""Outgoing webhooks' rules, apart from storage: which hook a post triggers (Mattermost's trigger words
and trigger_when), the request body it sends, and what its answer asks to post."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from hub import jsonsafe

JSON_CONTENT_TYPE = "application/json"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
EXACT_MATCH, STARTS_WITH = 0, 1
COMMENT = "comment"


def trigger_word(
    message: str, trigger_words: Sequence[str], trigger_when: int, has_channel: bool
) -> str | None:
    """The trigger word a message fires a hook with, "" for a channel hook without trigger words (every
    post fires it), or None when it does not fire."""
    if not trigger_words:
        return "" if has_channel else None
    words = message.split()
    if not words:
        return None
    first = words[0]
    if trigger_when == STARTS_WITH:
        return next((word for word in trigger_words if first.startswith(word)), None)
    return first if first in trigger_words else None


@dataclass(frozen=True)
class TriggeredPost:
    """What Mattermost's OutgoingWebhookPayload tells the receiver about the post."""

    token: str
    team_id: str
    team_domain: str
    channel_id: str
    channel_name: str
    timestamp: int
    user_id: str
    user_name: str
    post_id: str
    text: str
    trigger_word: str
    file_ids: Sequence[str] = ()

    def body(self, content_type: str) -> str:
        fields = {
            "token": self.token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": self.channel_id,
            "channel_name": self.channel_name,
            "timestamp": self.timestamp,
            "user_id": self.user_id,
            "user_name": self.user_name,
            "post_id": self.post_id,
            "text": self.text,
            "trigger_word": self.trigger_word,
            "file_ids": ",".join(self.file_ids),
        }
        if content_type == JSON_CONTENT_TYPE:
            return jsonsafe.dumps(fields)
        return urlencode(fields)


@dataclass(frozen=True)
class HookAnswer:
    """Mattermost's OutgoingWebhookResponse: what the receiver asks to post back."""

    text: str = ""
    username: str = ""
    icon_url: str = ""
    type: str = ""
    response_type: str = ""
    props: dict[str, Any] = field(default_factory=dict)
    attachments: list[dict[str, Any]] | None = None

    @property
    def posts_something(self) -> bool:
        return bool(self.text or self.attachments)


def parse_answer(body: bytes) -> HookAnswer | None:
    """The answer, or None when the receiver answered nothing usable (an empty or non-JSON body is a
    plain acknowledgement, as in Mattermost)."""
    try:
        data = jsonsafe.loads(body) if body.strip() else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None

    def text(name: str) -> str:
        value = data.get(name)
        return value if isinstance(value, str) else ""

    props = data.get("props")
    if not isinstance(props, dict):
        props = {}
    attachments = data.get("attachments")
    if not (isinstance(attachments, list) and all(isinstance(a, dict) for a in attachments)):
        attachments = None
    return HookAnswer(
        text=text("text"),
        username=text("username"),
        icon_url=text("icon_url"),
        type=text("type"),
        response_type=text("response_type"),
        props=props,
        attachments=attachments,
    )
