"""Making channels: public and private ones in a team, and the one direct or group channel of a set
of users, created on first use; each starts with its members."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub import events, models, validation
from hub.errors import AppError, forbidden, invalid_param
from hub.ids import new_id, now_ms
from hub.permissions import Actor, require_team_member
from hub.services.channels.members import ChannelMembers
from hub.services.channels.shapes import (
    _PROPERTIES,
    GROUP_MAX_USERS,
    GROUP_MIN_USERS,
    _display_name,
    direct_channel_name,
    group_channel_name,
)


class ChannelCreation(ChannelMembers):
    def create(self, actor: Actor | None, fields: dict[str, Any]) -> models.Channel:
        """Public or private channel in a team; the creator joins it as channel admin.

        `actor` is None for the trusted command line, which creates channels without a member."""
        channel_type = fields.get("type") or "O"
        if channel_type in ("D", "G"):
            raise AppError(
                "api.channel.create_channel.direct_channel.app_error",
                "Must use createDirectChannel API service for direct message channel creation.",
                400,
            )
        if channel_type not in ("O", "P"):
            raise AppError(
                "model.channel.is_valid.type.app_error", "Invalid type.", 400, f"type={channel_type!r}"
            )
        team_id = validation.require_id("team_id", fields.get("team_id"))
        display_name = _display_name(fields.get("display_name"))
        name = validation.handle_name("channel", fields.get("name"))
        now = now_ms()
        with self.hub.store.write() as s:
            self.hub.teams.load(s, team_id)
            if actor is not None:
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
            limit = self.hub.config["TeamSettings"]["MaxChannelsPerTeam"]
            count = s.scalar(
                select(func.count())
                .select_from(models.Channel)
                .where(models.Channel.team_id == team_id, models.Channel.delete_at == 0)
            )
            if (count or 0) >= limit:
                raise AppError(
                    "api.channel.create_channel.max_channel_limit.app_error",
                    f"Unable to create more than {limit} channels for current team.",
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
                header=_PROPERTIES["header"](fields.get("header")),
                purpose=_PROPERTIES["purpose"](fields.get("purpose")),
                creator_id=actor.user_id if actor else "",
            )
            s.add(channel)
            s.flush()
            if actor is not None:
                self.add_member(s, channel, actor.user_id, admin=True)
                events.emit(
                    s,
                    events.Event(
                        "channel_created",
                        {"channel_id": channel.id, "team_id": team_id},
                        user_id=actor.user_id,
                    ),
                )
        return channel

    def direct(self, actor: Actor, user_ids: list[Any]) -> models.Channel:
        """The one D channel of a pair (a user may also have one with themself), created on first use."""
        unique = list(dict.fromkeys(validation.require_id("user_id", user_id) for user_id in user_ids))
        if unique == [actor.user_id]:
            unique.append(actor.user_id)
        if len(unique) != 2:
            raise invalid_param("user_ids", "exactly two user ids are required")
        if actor.user_id not in unique and not actor.is_system_admin:
            raise forbidden("only a system admin may create a direct channel for others")
        name = direct_channel_name(*unique)

        def find_or_create(s: Session) -> models.Channel:
            found = {u.id for u in s.scalars(select(models.User).where(models.User.id.in_(unique)))}
            if found != set(unique):
                raise AppError(
                    "api.channel.create_direct_channel.invalid_user.app_error",
                    "Invalid user ID for direct channel creation.",
                    400,
                    f"user_ids={unique}",
                )
            announcement = {"creator_id": unique[0], "teammate_id": unique[1]}
            return self._get_or_create_private_set(s, actor, "D", name, "", set(unique), announcement)

        return self.hub.store.write_get_or_create(find_or_create)

    def group(self, actor: Actor, user_ids: list[Any]) -> models.Channel:
        if not user_ids:
            raise invalid_param("user_ids", "at least one user id is required")
        for user_id in user_ids:
            validation.require_id("user_id", user_id)
        # Mattermost's group_added lists the ids as asked for, the creator last when not among them.
        requested = list(dict.fromkeys([*user_ids, actor.user_id]))
        members = sorted(requested)
        if not GROUP_MIN_USERS <= len(members) <= GROUP_MAX_USERS:
            raise AppError(
                "api.channel.create_group.bad_size.app_error",
                f"Group message channels must contain at least {GROUP_MIN_USERS} "
                f"and no more than {GROUP_MAX_USERS} users.",
                400,
            )

        def find_or_create(s: Session) -> models.Channel:
            users = list(s.scalars(select(models.User).where(models.User.id.in_(members))))
            if len(users) != len(members):
                raise AppError(
                    "api.channel.create_group.bad_user.app_error",
                    "One of the provided users does not exist.",
                    400,
                    f"user_ids={members}",
                )
            display_name = ", ".join(sorted(u.username for u in users))[:64]
            return self._get_or_create_private_set(
                s,
                actor,
                "G",
                group_channel_name(members),
                display_name,
                set(members),
                {"teammate_ids": events.json_string(requested)},
            )

        return self.hub.store.write_get_or_create(find_or_create)

    def _get_or_create_private_set(
        self,
        s: Session,
        actor: Actor,
        channel_type: str,
        name: str,
        display_name: str,
        user_ids: set[str],
        announcement: dict[str, Any],
    ) -> models.Channel:
        """The D or G channel of these users; a new one is announced to them (direct_added or group_added)."""
        existing = s.scalar(
            select(models.Channel).where(models.Channel.team_id == "", models.Channel.name == name)
        )
        if existing is not None:
            return existing
        now = now_ms()
        channel = models.Channel(
            id=new_id(),
            create_at=now,
            update_at=now,
            team_id="",
            type=channel_type,
            name=name,
            display_name=display_name,
            creator_id=actor.user_id,
        )
        s.add(channel)
        s.flush()
        for user_id in sorted(user_ids):
            self.add_member(s, channel, user_id)
        events.emit(
            s,
            events.Event(
                "direct_added" if channel_type == "D" else "group_added",
                announcement,
                channel_id=channel.id,
                audience=tuple(sorted(user_ids)),
            ),
        )
        return channel
