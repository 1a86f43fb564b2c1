"""What integrations ask to post (a webhook's message, a command's or an outgoing webhook's answer, an
action's update), and the Slack-compatible text rules Mattermost applies to it. PostService.post_answer
turns an Answer into posts, the same way for every integration."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub.services.posts import Priority

SLACK_ATTACHMENT_TYPE = "slack_attachment"
# Slack's <url|label> links and <!channel>-style announcements, as Mattermost rewrites them.
# <@user>, <#channel> and <!command> are Slack's special forms, not links.
_SLACK_LINK = re.compile(r"<([^\n<|>@#!][^\n<|>]*)\|([^\n>]+)>")
_SLACK_CHANNEL_MENTION = re.compile(r"<#[A-Za-z0-9]+\|([a-z0-9_-]+)>")
_SLACK_ANNOUNCEMENTS = {"<!channel>": "@channel", "<!here>": "@here", "<!all>": "@all"}
# Slack's user mentions: <@U024BE7LH> or <@U024BE7LH|bob>.
_SLACK_USER_MENTION = re.compile(r"<@([A-Za-z0-9._-]+)(?:\|([^\n<>|]+))?>")


@dataclass(frozen=True)
class Answer:
    """Posts an integration makes in one user's name. `props` already holds the overrides and markers
    (from_webhook, webhook_display_name); `attachments` go on the last part of a split text, and every
    part gets the attachment type, as Mattermost's split posts do."""

    text: str
    props: dict[str, Any]
    post_type: str = ""
    attachments: list[dict[str, Any]] | None = None
    priority: Priority | None = None

    def parts(self, limit: int) -> list[tuple[str, str, dict[str, Any]]]:
        """(message, type, props) of each post, in order."""
        texts = split_message(self.text, limit)
        if not self.attachments:
            return [(text, self.post_type, self.props) for text in texts]
        with_attachments = {**self.props, "attachments": self.attachments}
        last = len(texts) - 1
        return [
            (text, SLACK_ATTACHMENT_TYPE, with_attachments if index == last else self.props)
            for index, text in enumerate(texts)
        ]


def slack_text_to_markdown(text: str) -> str:
    for announcement, mention in _SLACK_ANNOUNCEMENTS.items():
        text = text.replace(announcement, mention)
    text = _SLACK_CHANNEL_MENTION.sub(r"~\1", text)
    return slack_links_to_markdown(text)


def resolve_slack_mentions(text: str, username_of: Callable[[str], str | None]) -> str:
    """<@id> becomes @username when the id (or name) is a known account, <@id|name> becomes @name;
    an unknown bare id is left as written."""

    def mention(match: re.Match[str]) -> str:
        username = username_of(match.group(1))
        if username:
            return "@" + username
        if match.group(2):
            return "@" + match.group(2).strip()
        return match.group(0)

    if "<@" not in text:
        return text
    return _SLACK_USER_MENTION.sub(mention, text)


def slack_links_to_markdown(text: str) -> str:
    return _SLACK_LINK.sub(r"[\2](\1)", text)


def split_message(text: str, limit: int) -> list[str]:
    """Mattermost splits an over-long webhook text into posts of at most `limit` characters."""
    if len(text) <= limit:
        return [text]
    return [text[start : start + limit] for start in range(0, len(text), limit)]
