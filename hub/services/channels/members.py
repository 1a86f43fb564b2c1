"""Channel membership: joining, adding and removing members, their roles and notification settings,
the member listings and statistics, and each member's read state (viewing a channel)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from hub import events, models, serialize, validation
from hub.errors import AppError, invalid_param
from hub.ids import is_valid_id, now_ms
from hub.permissions import (
    Actor,
    channel_member,
    require_manage_channel,
    require_manage_channel_roles,
    require_read_channel,
    require_self_or_admin,
    require_team_member,
)
from hub.services.channels.lookups import ChannelLookups
from hub.services.channels.shapes import DEFAULT_CHANNEL, ChannelStats, channel_member_not_found
from hub.services.teams import team_member_not_found

_NOTIFY_LEVELS = frozenset({"default", "all", "mention", "none"})
# The channel notification settings Mattermost's UpdateChannelMemberNotifyProps takes (any other key is
# dropped, as there), with the values its ChannelMember.IsValid accepts and the error id of each; None
# marks the settings it stores unchecked.
_MEMBER_NOTIFY_PROPS: dict[str, tuple[frozenset[str], str] | None] = {
    "mark_unread": (frozenset({"all", "mention"}), "unread_level"),
    "desktop": (_NOTIFY_LEVELS, "notify_level"),
    "push": (_NOTIFY_LEVELS, "push_level"),
    "email": (frozenset({"default", "true", "false"}), "email_value"),
    "ignore_channel_mentions": (frozenset({"default", "off", "on"}), "ignore_channel_mentions_value"),
    "channel_auto_follow_threads": (frozenset({"off", "on"}), "channel_auto_follow_threads_value"),
    "desktop_threads": None,
    "push_threads": None,
    "email_threads": None,
    "desktop_sound": None,
    "desktop_notification_sound": None,
}


def _checked_member_notify_props(props: Any) -> dict[str, str]:
    changes = {}
    for key, value in validation.string_map("notify_props", props).items():
        if key not in _MEMBER_NOTIFY_PROPS:
            continue
        rule = _MEMBER_NOTIFY_PROPS[key]
        if rule is not None and value not in rule[0]:
            raise AppError(
                f"model.channel_member.is_valid.{rule[1]}.app_error",
                "Invalid notify level.",
                400,
                f"{key}={value!r}",
            )
        changes[key] = value
    return changes


class ChannelMembers(ChannelLookups):
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

    def join(self, s: Session, channel: models.Channel, user_id: str) -> models.ChannelMember:
        """Adds a member and, when they are new, tells the channel (the newcomer included): user_added."""
        existing = channel_member(s, channel.id, user_id)
        if existing is not None:
            return existing
        member = self.add_member(s, channel, user_id)
        s.flush()
        events.emit(
            s,
            events.Event(
                "user_added",
                {"user_id": user_id, "team_id": channel.team_id},
                channel_id=channel.id,
                audience=events.channel_audience(s, channel.id),
            ),
        )
        return member

    def add_members(self, actor: Actor, channel_id: str, user_ids: list[Any]) -> list[models.ChannelMember]:
        """POST /channels/{id}/members: join a public channel yourself; adding others needs membership."""
        ids = [validation.require_id("user_id", user_id) for user_id in user_ids]
        if not ids:
            raise invalid_param("user_id or user_ids")

        def work(s: Session) -> list[models.ChannelMember]:
            channel = self.load(s, channel_id)
            if channel.type in ("D", "G"):
                raise AppError(
                    "api.channel.add_user_to_channel.type.app_error",
                    "Can not add user to this channel type.",
                    400,
                )
            return [self._add_one(s, actor, channel, user_id) for user_id in ids]

        return self.hub.store.write_get_or_create(work)

    def _add_one(
        self, s: Session, actor: Actor, channel: models.Channel, user_id: str
    ) -> models.ChannelMember:
        existing = channel_member(s, channel.id, user_id)
        is_self = user_id == actor.user_id
        if is_self and channel.type == "O":
            if existing is not None:
                return existing
            require_team_member(s, actor, channel.team_id)
        else:
            require_manage_channel(s, actor, channel)
        if existing is not None:
            return existing
        if channel.delete_at:
            raise AppError(
                "api.channel.add_user_to_channel.deleted.app_error",
                "The channel has been archived or deleted.",
                400,
            )
        self.hub.users.load(s, user_id)
        membership = s.get(models.TeamMember, (channel.team_id, user_id))
        if membership is None:
            raise team_member_not_found(f"team_id={channel.team_id}, user_id={user_id}")
        if membership.delete_at:
            raise AppError(
                "api.channel.add_user.to.channel.failed.deleted.app_error",
                "Failed to add user to channel because they have been removed from the team.",
                400,
            )
        return self.join(s, channel, user_id)

    def remove_member(self, actor: Actor, channel_id: str, user_id: str) -> None:
        with self.hub.store.write() as s:
            channel = self.load(s, channel_id)
            self.hub.users.load(s, user_id)
            if channel.type not in ("O", "P"):
                raise AppError(
                    "api.channel.remove_channel_member.type.app_error",
                    "Unable to remove user from a channel.",
                    400,
                )
            if user_id != actor.user_id:
                require_manage_channel(s, actor, channel)
            if channel.name == DEFAULT_CHANNEL:
                raise AppError(
                    "api.channel.remove.default.app_error",
                    f"Unable to remove user from the default channel {DEFAULT_CHANNEL}.",
                    400,
                )
            member = channel_member(s, channel.id, user_id)
            if member is None:
                raise channel_member_not_found(f"channel_id={channel_id}, user_id={user_id}")
            s.delete(member)
            s.flush()
            # The remaining members learn it from the channel; the removed user, no longer one, directly.
            events.emit(
                s,
                events.Event(
                    "user_removed",
                    {"user_id": user_id, "remover_id": actor.user_id},
                    channel_id=channel.id,
                    audience=events.channel_audience(s, channel.id),
                ),
            )
            events.emit(
                s,
                events.Event(
                    "user_removed",
                    {"channel_id": channel.id, "remover_id": actor.user_id},
                    user_id=user_id,
                ),
            )

    def update_member_notify_props(
        self, actor: Actor, channel_id: str, user_id: str, props: Any
    ) -> models.ChannelMember:
        """Merges settings into a member's notify_props (PUT /channels/{id}/members/{user_id}/notify_props);
        the member's clients learn it from channel_member_updated."""
        validation.require_id("user_id", user_id)
        require_self_or_admin(actor, user_id)
        changes = _checked_member_notify_props(props)
        with self.hub.store.write() as s:
            self.load(s, channel_id)
            member = channel_member(s, channel_id, user_id)
            if member is None:
                raise channel_member_not_found(f"channel_id={channel_id}, user_id={user_id}")
            member.notify_props = {**(member.notify_props or {}), **changes}
            member.last_update_at = now_ms()
            _announce_member(s, member)
            return member

    def update_member_roles(
        self, actor: Actor, channel_id: str, user_id: str, flags: tuple[bool, bool]
    ) -> None:
        """PUT /channels/{id}/members/{user_id}/roles and /schemeRoles, with `flags` (scheme_user,
        scheme_admin) read by permissions.scheme_flags_from_*; the member's clients learn it from
        channel_member_updated."""
        validation.require_id("user_id", user_id)
        with self.hub.store.write() as s:
            channel = self.load(s, channel_id)
            require_manage_channel_roles(s, actor, channel)
            member = channel_member(s, channel_id, user_id)
            if member is None:
                raise channel_member_not_found(f"channel_id={channel_id}, user_id={user_id}")
            member.scheme_user, member.scheme_admin = flags
            member.roles = ""
            member.last_update_at = now_ms()
            _announce_member(s, member)

    def members(self, actor: Actor, channel_id: str, query: dict[str, Any]) -> list[models.ChannelMember]:
        page, per_page = validation.paging(query.get("page"), query.get("per_page"))
        with self.hub.store.read() as s:
            self._require_read(s, actor, channel_id)
            return list(
                s.scalars(
                    self._members_query(channel_id)
                    .order_by(models.ChannelMember.user_id)
                    .offset(page * per_page)
                    .limit(per_page)
                )
            )

    def member(self, actor: Actor, channel_id: str, user_id: str) -> models.ChannelMember:
        validation.require_id("user_id", user_id)
        with self.hub.store.read() as s:
            self._require_read(s, actor, channel_id)
            member = channel_member(s, channel_id, user_id)
            if member is None:
                raise channel_member_not_found(f"channel_id={channel_id}, user_id={user_id}")
            return member

    def members_by_ids(
        self, actor: Actor, channel_id: str, user_ids: list[Any]
    ) -> list[models.ChannelMember]:
        if not user_ids:
            raise invalid_param("user_ids", "at least one user id is required")
        ids = [validation.require_id("user_id", user_id) for user_id in user_ids]
        with self.hub.store.read() as s:
            self._require_read(s, actor, channel_id)
            return list(
                s.scalars(
                    self._members_query(channel_id)
                    .where(models.ChannelMember.user_id.in_(ids))
                    .order_by(models.ChannelMember.user_id)
                )
            )

    def _members_query(self, channel_id: str) -> Select[models.ChannelMember]:
        return select(models.ChannelMember).where(models.ChannelMember.channel_id == channel_id)

    def _require_read(self, s: Session, actor: Actor, channel_id: str) -> models.Channel:
        channel = self.load(s, channel_id)
        require_read_channel(s, actor, channel)
        return channel

    def stats(self, actor: Actor, channel_id: str, *, exclude_files_count: bool = False) -> ChannelStats:
        with self.hub.store.read() as s:
            self._require_read(s, actor, channel_id)
            users = (
                select(models.User.roles)
                .join(models.ChannelMember, models.ChannelMember.user_id == models.User.id)
                .where(models.ChannelMember.channel_id == channel_id, models.User.delete_at == 0)
            )
            roles = list(s.scalars(users))
            pinned = s.scalar(
                select(func.count())
                .select_from(models.Post)
                .where(
                    models.Post.channel_id == channel_id,
                    models.Post.is_pinned.is_(True),
                    models.Post.delete_at == 0,
                )
            )
            files = -1
            if not exclude_files_count:
                files = (
                    s.scalar(
                        select(func.count())
                        .select_from(models.FileInfo)
                        .where(models.FileInfo.channel_id == channel_id, models.FileInfo.delete_at == 0)
                    )
                    or 0
                )
        return ChannelStats(
            channel_id=channel_id,
            member_count=len(roles),
            guest_count=sum("system_guest" in r.split() for r in roles),
            pinnedpost_count=pinned or 0,
            files_count=files,
        )

    # ---- reading -------------------------------------------------------------------
    def view(self, actor: Actor, user_id: str, fields: dict[str, Any]) -> dict[str, int]:
        """Marks the viewed (and the previous) channel read: unread counts cleared, mentions reset.

        Answers {channel_id: last_viewed_at} for the channels the user belongs to."""
        require_self_or_admin(actor, user_id)
        channel_ids = []
        for key in ("channel_id", "prev_channel_id"):
            value = fields.get(key)
            if value in (None, ""):
                continue
            if not is_valid_id(value):
                raise invalid_param(f"channel_view.{key}")
            channel_ids.append(value)
        if not channel_ids:
            return {}
        now = now_ms()
        times: dict[str, int] = {}
        with self.hub.store.write() as s:
            rows = s.execute(
                select(models.ChannelMember, models.Channel)
                .join(models.Channel, models.Channel.id == models.ChannelMember.channel_id)
                .where(
                    models.ChannelMember.user_id == user_id, models.ChannelMember.channel_id.in_(channel_ids)
                )
            )
            for member, channel in rows:
                member.last_viewed_at = max(now, channel.last_post_at)
                member.msg_count = channel.total_msg_count
                member.msg_count_root = channel.total_msg_count_root
                member.mention_count = member.mention_count_root = member.urgent_mention_count = 0
                member.last_update_at = now
                times[channel.id] = member.last_viewed_at
                events.emit(s, events.Event("channel_viewed", {"channel_id": channel.id}, user_id=user_id))
        return times


def _announce_member(s: Session, member: models.ChannelMember) -> None:
    """The member's own clients learn a changed membership from channel_member_updated."""
    events.emit(
        s,
        events.Event(
            "channel_member_updated",
            {"channelMember": events.json_string(serialize.channel_member(member))},
            user_id=member.user_id,
        ),
    )
