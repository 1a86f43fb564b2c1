"""Channels of every type (O public, P private, D direct, G group) and channel membership."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import models, validation
from hub.errors import AppError
from hub.ids import new_id, now_ms
from hub.permissions import Actor, require_team_member

if TYPE_CHECKING:
    from hub.services import Hub


def channel_not_found(detail: str = "") -> AppError:
    return AppError("app.channel.get.existing.app_error", "Unable to find the existing channel.", 404, detail)


class ChannelService:
    def __init__(self, hub: "Hub") -> None:
        self.hub = hub

    def load(self, s: Session, channel_id: str) -> models.Channel:
        validation.require_id("channel_id", channel_id)
        channel = s.get(models.Channel, channel_id)
        if channel is None:
            raise channel_not_found(f"channel_id={channel_id}")
        return channel

    def create(self, actor: Actor, fields: dict[str, Any]) -> models.Channel:
        """Public or private channel in a team; the creator joins it as channel admin."""
        team_id = validation.require_id("team_id", fields.get("team_id"))
        name = validation.handle_name("channel", fields.get("name"))
        display_name = validation.require_str("display_name", fields.get("display_name"), required=True, max_len=64)
        channel_type = fields.get("type") or "O"
        if channel_type not in ("O", "P"):
            raise AppError("model.channel.is_valid.type.app_error", "Invalid channel type.", 400)
        now = now_ms()
        with self.hub.store.write() as s:
            self.hub.teams.load(s, team_id)
            require_team_member(s, actor, team_id)
            existing = s.scalar(
                select(models.Channel).where(models.Channel.team_id == team_id, models.Channel.name == name)
            )
            if existing is not None:
                raise AppError(
                    "store.sql_channel.save_channel.exists.app_error",
                    "A channel with that name already exists on the same team.",
                    400,
                )
            channel = models.Channel(
                id=new_id(),
                create_at=now,
                update_at=now,
                team_id=team_id,
                type=channel_type,
                name=name,
                display_name=display_name,
                header=validation.require_str("header", fields.get("header"), max_len=1024),
                purpose=validation.require_str("purpose", fields.get("purpose"), max_len=250),
                creator_id=actor.user_id,
            )
            s.add(channel)
            s.flush()
            self.add_member(s, channel, actor.user_id, admin=True)
        return channel

    def add_member(
        self, s: Session, channel: models.Channel, user_id: str, *, admin: bool = False
    ) -> models.ChannelMember:
        member = s.get(models.ChannelMember, (channel.id, user_id))
        if member is None:
            now = now_ms()
            member = models.ChannelMember(
                channel_id=channel.id,
                user_id=user_id,
                scheme_user=True,
                scheme_admin=admin,
                # A new member has read what was there before they came.
                last_viewed_at=now,
                msg_count=channel.total_msg_count,
                msg_count_root=channel.total_msg_count_root,
                last_update_at=now,
            )
            s.add(member)
        return member
