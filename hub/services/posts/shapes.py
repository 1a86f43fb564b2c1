"""What posts are made of, apart from the service that stores them: the value types the API and the
integrations pass around, the rules for the props only the server may set, and the text rules
(hashtags, mentions, priority) that need no database."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from hub import events, models, serialize
from hub.errors import AppError, invalid_param, not_found

logger = logging.getLogger(__name__)

MAX_HASHTAGS_LENGTH = 1000
SYSTEM_TYPE_PREFIX = "system_"
CUSTOM_TYPE_PREFIX = "custom_"
EPHEMERAL_TYPE = "system_ephemeral"

# Mattermost's hashtag rules (model.ParseHashtags): a letter after '#', then letters, digits,
# '-', '_' or '.', ending in a letter or digit; punctuation around a word does not count.
_HASHTAG = re.compile(r"#[^\W\d_][\w\-.]*[^\W_]")
_LEADING_PUNCTUATION = re.compile(r"^(?:[^\w\s#]|_)+")
_TRAILING_PUNCTUATION = re.compile(r"(?:[^\w\s]|_)+$")
_REPEATED_HASHES = re.compile(r"^#{2,}")
# An @ that starts a word: "mail@example.com" mentions nobody.
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9.\-_]+)")
# Props that make a post show as an integration's, or under another name or icon. Only the server sets
# them (override_props, and each integration for its own posts); whatever a client sends is dropped.
SERVER_ONLY_PROPS = frozenset(
    {
        "from_webhook",
        "from_bot",
        "from_plugin",
        "from_oauth_app",
        "override_username",
        "override_icon_url",
        "override_icon_emoji",
        "webhook_display_name",
    }
)


def client_props(props: dict[str, Any]) -> dict[str, Any]:
    """Props from outside the server (a user, a webhook's sender, an integration's answer) without the
    server-only ones."""
    dropped = sorted(key for key in props if key in SERVER_ONLY_PROPS)
    if not dropped:
        return props
    logger.info("dropped the server-only props %s sent by a client", dropped)
    return {key: value for key, value in props.items() if key not in SERVER_ONLY_PROPS}


def server_props(props: dict[str, Any] | None) -> dict[str, Any]:
    """The server-only props a stored post carries, which an edit from outside keeps as they were."""
    return {key: value for key, value in (props or {}).items() if key in SERVER_ONLY_PROPS}


def override_props(
    settings: dict[str, Any], username: str, icon_url: str, icon_emoji: str = ""
) -> dict[str, Any]:
    """The props by which an integration's post shows another name or icon, where the admin allows it."""
    props: dict[str, Any] = {}
    if settings["EnablePostUsernameOverride"] and username:
        props["override_username"] = username
    if settings["EnablePostIconOverride"]:
        if icon_url:
            props["override_icon_url"] = icon_url
        if icon_emoji:
            props["override_icon_emoji"] = icon_emoji
    return props


def refuse_deleted_channel(channel: models.Channel) -> None:
    if channel.delete_at:
        raise AppError(
            "api.post.create_post.can_not_post_to_deleted.error",
            "Can not post to deleted channel.",
            400,
            f"channel_id={channel.id}",
        )


def post_not_found(detail: str = "") -> AppError:
    return not_found("post", detail)


@dataclass(frozen=True)
class PostView:
    """A post with the rows its JSON metadata shows."""

    post: models.Post
    files: tuple[models.FileInfo, ...] = ()
    reactions: tuple[models.Reaction, ...] = ()
    priority: models.PostPriority | None = None

    def to_api(self) -> dict[str, Any]:
        return serialize.post(self.post, files=self.files, reactions=self.reactions, priority=self.priority)


def post_json(view: PostView) -> str:
    """The post as GET /posts/{id} answers it, as the JSON string Mattermost's events carry."""
    return events.json_string(view.to_api())


@dataclass(frozen=True)
class PostList:
    """Mattermost's PostList: `order` newest first; `posts` may also hold the roots of replies."""

    order: tuple[str, ...]
    posts: tuple[PostView, ...]
    next_post_id: str = ""
    prev_post_id: str = ""
    has_next: bool = False


@dataclass(frozen=True)
class Priority:
    """Mattermost's PostPriority, as a post's metadata.priority carries it."""

    priority: str = ""
    requested_ack: bool = False
    persistent_notifications: bool = False


PRIORITY_LEVELS = ("", "important", "urgent")


def parse_priority(value: Any) -> Priority | None:
    """metadata.priority of a new post (or a webhook's `priority`); None when it asks for nothing."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid_param("priority", "priority must be an object")
    level = value.get("priority") or ""
    if level not in PRIORITY_LEVELS:
        raise invalid_param("priority", 'priority.priority must be "", "important" or "urgent"')
    flags = {}
    for name in ("requested_ack", "persistent_notifications"):
        flag = value.get(name)
        if flag is not None and not isinstance(flag, bool):
            raise invalid_param("priority", f"priority.{name} must be true or false")
        flags[name] = bool(flag)
    if flags["persistent_notifications"] and level != "urgent":
        raise invalid_param("priority", "persistent notifications need the urgent priority")
    if not level and not any(flags.values()):
        return None
    return Priority(level, **flags)


@dataclass(frozen=True)
class NewPost:
    """The checked body of POST /posts."""

    channel_id: str
    message: str
    root_id: str
    type: str
    props: dict[str, Any]
    file_ids: list[str]
    pending_post_id: str
    create_at: int
    priority: Priority | None = None


def parse_hashtags(message: str) -> str:
    tags = []
    for word in message.split():
        word = _REPEATED_HASHES.sub("#", _TRAILING_PUNCTUATION.sub("", _LEADING_PUNCTUATION.sub("", word)))
        if _HASHTAG.fullmatch(word):
            tags.append(word)
    text = " ".join(tags)
    if len(text) > MAX_HASHTAGS_LENGTH:
        text = text[: MAX_HASHTAGS_LENGTH - 1]
        text = text[: text.rfind(" ")] if " " in text else ""
    return text


def mention_names(message: str) -> set[str]:
    """Lowercased @names, each also without the punctuation that may end a sentence ("@bob.")."""
    names: set[str] = set()
    for match in _MENTION.finditer(message):
        name = match.group(1).lower()
        names.update((name, name.rstrip(".-_")))
    names.discard("")
    return names
