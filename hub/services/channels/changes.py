"""Changing channels: the editable properties (with Mattermost's checks and their order), archiving
and restoring, and the events that tell the channel's viewers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import events, models, serialize
from hub.errors import AppError, forbidden, invalid_param
from hub.ids import now_ms
from hub.permissions import Actor, channel_member, is_team_admin, require_manage_channel
from hub.services.channels.lookups import ChannelLookups
from hub.services.channels.shapes import _PROPERTIES, DEFAULT_CHANNEL


class ChannelChanges(ChannelLookups):
    def patch(self, actor: Actor, channel_id: str, fields: dict[str, Any]) -> models.Channel:
        changes = {key: fields[key] for key in _PROPERTIES if key in fields}
        if not changes:
            raise AppError(
                "api.channel.patch_update_channel.no_changes.app_error", "No changes were provided.", 400
            )
        with self.hub.store.write() as s:
            return self._apply(s, actor, self.load(s, channel_id), changes)

    def update(self, actor: Actor, channel_id: str, fields: dict[str, Any]) -> models.Channel:
        """PUT /channels/{id}: header and purpose are replaced; name and display name only when given."""
        if fields.get("id") != channel_id:
            raise invalid_param("channel_id", "the body's id differs from the URL's")
        changes = {"header": fields.get("header") or "", "purpose": fields.get("purpose") or ""}
        changes.update({key: fields[key] for key in ("display_name", "name") if fields.get(key)})
        with self.hub.store.write() as s:
            return self._apply(
                s, actor, self.load(s, channel_id), changes, new_type=fields.get("type") or None
            )

    def _apply(
        self, s: Session, actor: Actor, channel: models.Channel, raw: dict[str, Any], *, new_type: Any = None
    ) -> models.Channel:
        """Checks in Mattermost's order: permission, D/G limits, archived, type, default channel name."""
        if channel.type in ("D", "G") and channel_member(s, channel.id, actor.user_id) is None:
            raise AppError(
                "api.channel.patch_update_channel.forbidden.app_error",
                "Failed to update the channel.",
                403,
                f"not a member of channel {channel.id}",
            )
        require_manage_channel(s, actor, channel)
        # Unchanged values pass untouched, so a client may send back a whole D channel with its "a__b" name.
        changes = {
            key: _PROPERTIES[key](value) for key, value in raw.items() if value != getattr(channel, key)
        }
        if channel.type in ("D", "G") and changes.keys() & {"name", "display_name", "purpose"}:
            raise AppError(
                "api.channel.patch_update_channel.update_direct_or_group_messages_not_allowed.app_error",
                "You cannot change the name, display name or purpose of direct or group messages.",
                400,
            )
        if channel.delete_at:
            raise AppError(
                "api.channel.update_channel.deleted.app_error",
                "The channel has been archived or deleted.",
                400,
            )
        if new_type is not None and new_type != channel.type:
            raise AppError(
                "api.channel.update_channel.typechange.app_error", "Channel type cannot be updated.", 400
            )
        if "name" in changes:
            if channel.name == DEFAULT_CHANNEL:
                raise AppError(
                    "api.channel.update_channel.tried.app_error",
                    f"Tried to perform an invalid update of the default channel {DEFAULT_CHANNEL}.",
                    400,
                )
            taken = select(models.Channel.id).where(
                models.Channel.team_id == channel.team_id, models.Channel.name == changes["name"]
            )
            if s.scalar(taken):
                raise AppError(
                    "store.sql_channel.update.exists.app_error",
                    "A channel with that name already exists on the same team.",
                    400,
                )
        for key, value in changes.items():
            setattr(channel, key, value)
        channel.update_at = now_ms()
        events.emit(
            s,
            events.Event(
                "channel_updated",
                {"channel": events.json_string(serialize.channel(channel))},
                channel_id=channel.id,
                audience=events.channel_audience(s, channel.id),
            ),
        )
        return channel

    def archive(self, actor: Actor, channel_id: str, *, permanent: bool = False) -> None:
        with self.hub.store.write() as s:
            channel = self.load(s, channel_id)
            if channel.type in ("D", "G"):
                raise AppError(
                    "api.channel.delete_channel.type.invalid",
                    "Unable to delete direct or group message channels.",
                    400,
                )
            require_manage_channel(s, actor, channel)
            if permanent:
                raise AppError(
                    "api.user.delete_channel.not_enabled.for_admin.app_error"
                    if actor.is_system_admin
                    else "api.user.delete_channel.not_enabled.app_error",
                    "Permanent channel deletion feature is not enabled. "
                    "Please contact your System Administrator.",
                    401,
                    f"channelId={channel_id}",
                )
            if channel.delete_at:
                raise AppError(
                    "api.channel.delete_channel.deleted.app_error",
                    "The channel has been archived or deleted.",
                    400,
                )
            if channel.name == DEFAULT_CHANNEL:
                raise AppError(
                    "api.channel.delete_channel.cannot.app_error",
                    f"Unable to delete the default channel {DEFAULT_CHANNEL}.",
                    400,
                )
            channel.delete_at = channel.update_at = now_ms()
            self._announce_to_viewers(
                s, channel, "channel_deleted", {"channel_id": channel.id, "delete_at": channel.delete_at}
            )

    def restore(self, actor: Actor, channel_id: str) -> models.Channel:
        """Unarchiving is for team admins, as in Mattermost, not for every channel member."""
        with self.hub.store.write() as s:
            channel = self.load(s, channel_id)
            if not actor.is_system_admin and (
                not channel.team_id or not is_team_admin(s, actor, channel.team_id)
            ):
                raise forbidden("manage_team permission required")
            if not channel.delete_at:
                raise AppError(
                    "api.channel.restore_channel.restored.app_error",
                    "Unable to unarchive channel. The channel is not archived.",
                    400,
                )
            channel.delete_at = 0
            channel.update_at = now_ms()
            self._announce_to_viewers(s, channel, "channel_restored", {"channel_id": channel.id})
            return channel

    def _announce_to_viewers(
        self, s: Session, channel: models.Channel, name: str, data: dict[str, Any]
    ) -> None:
        """A team-wide event (Mattermost broadcasts archiving to the team); a private channel's only
        reaches its members, so its existence does not leak to the rest of the team."""
        audience = (
            events.team_audience(s, channel.team_id)
            if channel.type == "O"
            else events.channel_audience(s, channel.id)
        )
        events.emit(s, events.Event(name, data, team_id=channel.team_id, audience=audience))
