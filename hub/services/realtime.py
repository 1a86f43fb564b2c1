"""What WebSocket clients ask of the server directly: typing notices, and how long their session lasts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub import events, models, validation
from hub.permissions import Actor, require_channel_member

if TYPE_CHECKING:
    from hub.services import Hub


class RealtimeService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def session_expires_at(self, session_id: str) -> int:
        """When the session ends (ms), as stored now: activity may have extended it since the socket opened.
        0 when it is gone."""
        with self.hub.store.read() as s:
            session = s.get(models.Session, session_id)
            return session.expires_at if session is not None else 0

    def typing(self, actor: Actor, channel_id: Any, parent_id: Any = "") -> None:
        """Tells the channel's other members that the actor is typing (Mattermost's `typing` event)."""
        channel_id = validation.require_id("channel_id", channel_id)
        parent_id = validation.require_str("parent_id", parent_id, max_len=26)
        with self.hub.store.read() as s:
            channel = self.hub.channels.load(s, channel_id)
            require_channel_member(s, actor, channel)
            audience = events.channel_audience(s, channel.id)
        self.hub.bus.publish(
            [
                events.Event(
                    "typing",
                    {"parent_id": parent_id, "user_id": actor.user_id},
                    channel_id=channel.id,
                    omit_users=(actor.user_id,),
                    audience=audience,
                )
            ]
        )
