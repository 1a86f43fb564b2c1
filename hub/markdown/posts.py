"""A post's rendered HTML, for clients that ask for it (Hubbub's opt-in `metadata.hubbub_html`).

Plain Mattermost clients never see the field: the web client asks with the `X-Hubbub-Render: html`
header on REST calls and `?render=html` on the WebSocket URL.
"""

from __future__ import annotations

from typing import Any

from hub import jsonsafe

from .html import render_attachment_html, render_html

# Events whose `data.post` is the post as a JSON string.
POST_EVENTS = frozenset({"posted", "post_edited", "ephemeral_message"})


def rendered(post: dict[str, Any]) -> dict[str, Any]:
    """The post with `metadata.hubbub_html`: its message, and per attachment the parts Markdown applies to."""
    props = post.get("props")
    attachments = props.get("attachments") if isinstance(props, dict) else None
    if not isinstance(attachments, list):
        attachments = []
    message = post.get("message")
    metadata = dict(post.get("metadata") or {})
    metadata["hubbub_html"] = {
        "message": render_html(message if isinstance(message, str) else ""),
        "attachments": [render_attachment_html(attachment) for attachment in attachments],
    }
    return {**post, "metadata": metadata}


def rendered_event_data(data: dict[str, Any]) -> dict[str, Any]:
    """A post event's data with its post rendered; other data as it is."""
    try:
        post = jsonsafe.loads(data["post"])
    except (KeyError, TypeError, ValueError):
        return data
    if not isinstance(post, dict):
        return data
    return {**data, "post": jsonsafe.dumps(rendered(post))}
