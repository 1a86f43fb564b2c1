"""Channels of every type (O public, P private, D direct, G group) and channel membership."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from hub import events, models, serialize, validation
from hub.errors import AppError, forbidden, invalid_param
from hub.ids import is_valid_id, new_id, now_ms
from hub.permissions import (
    Actor,
    can_read_channel,
    channel_member,
    is_team_admin,
    require_manage_channel,
    require_manage_channel_roles,
    require_read_channel,
    require_self_or_admin,
    require_team_member,
)
from hub.services.teams import team_member_not_found

if TYPE_CHECKING:
    from hub.services import Hub

DEFAULT_CHANNEL = "town-square"
GROUP_MIN_USERS = 3
GROUP_MAX_USERS = 8
# Mattermost's ChannelSearchDefaultLimit: what the autocompletes answer at most (per kind of channel).
AUTOCOMPLETE_LIMIT = 50


def channel_not_found(detail: str = "") -> AppError:
    return AppError("app.channel.get.existing.app_error", "Unable to find the existing channel.", 404, detail)


def channel_name_not_found(detail: str = "") -> AppError:
    return AppError("app.channel.get_by_name.missing.app_error", "Channel does not exist.", 404, detail)


def channel_member_not_found(detail: str = "") -> AppError:
    return AppError(
        "app.channel.get_member.missing.app_error",
        "No channel member found for that user ID and channel ID.",
        404,
        detail,
    )


def direct_channel_name(user_a: str, user_b: str) -> str:
    return "__".join(sorted((user_a, user_b)))


def group_channel_name(user_ids: list[str]) -> str:
    """Mattermost's GetGroupNameFromUserIds: sha1 of the sorted ids written one after the other."""
    return hashlib.sha1("".join(sorted(user_ids)).encode()).hexdigest()


@dataclass(frozen=True)
class ChannelStats:
    channel_id: str
    member_count: int
    guest_count: int
    pinnedpost_count: int
    files_count: int


def _display_name(value: Any) -> str:
    return validation.text("display_name", value, required=True, max_len=64)


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


def _matching(term: str, *columns: Any) -> ColumnElement[bool]:
    """Mattermost's channel search terms: every word of the term within one of the columns, in any case."""
    return and_(
        true(),
        *(
            or_(*(func.lower(column).contains(word, autoescape=True) for column in columns))
            for word in term.lower().split()
        ),
    )


# Editable channel properties with their rules; D and G channels allow only the header.
_PROPERTIES: dict[str, Any] = {
    "display_name": _display_name,
    "name": lambda v: validation.handle_name("channel", v),
    "header": lambda v: validation.text("header", v, max_len=1024, multiline=True),
    "purpose": lambda v: validation.text("purpose", v, max_len=250, multiline=True),
}


class ChannelService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    # ---- lookups -------------------------------------------------------------------
    def load(self, s: Session, channel_id: str) -> models.Channel:
        validation.require_id("channel_id", channel_id)
        channel = s.get(models.Channel, channel_id)
        if channel is None:
            raise channel_not_found(f"channel_id={channel_id}")
        return channel

    def get(self, actor: Actor, channel_id: str) -> models.Channel:
        with self.hub.store.read() as s:
            channel = self.load(s, channel_id)
            require_read_channel(s, actor, channel)
            return channel

    def by_name(
        self, actor: Actor, team_id: str, name: str, *, include_deleted: bool = False
    ) -> models.Channel:
        with self.hub.store.read() as s:
            self.hub.teams.load(s, team_id)
            return self._by_name(s, actor, team_id, name, include_deleted)

    def by_team_name(
        self, actor: Actor, team_name: str, name: str, *, include_deleted: bool = False
    ) -> models.Channel:
        with self.hub.store.read() as s:
            team = self.hub.teams.load_by_name(s, team_name)
            return self._by_name(s, actor, team.id, name, include_deleted)

    def _by_name(
        self, s: Session, actor: Actor, team_id: str, name: str, include_deleted: bool
    ) -> models.Channel:
        stmt = select(models.Channel).where(models.Channel.team_id == team_id, models.Channel.name == name)
        if not include_deleted:
            stmt = stmt.where(models.Channel.delete_at == 0)
        channel = s.scalar(stmt)
        if channel is None:
            raise channel_name_not_found(f"teamId={team_id}, name={name}")
        if channel.type == "O":
            require_read_channel(s, actor, channel)
        elif not can_read_channel(s, actor, channel) and not is_team_admin(s, actor, team_id):
            # A private channel the caller cannot read answers as missing, so its name does not leak.
            raise channel_name_not_found(f"teamId={team_id}, name={name}")
        return channel

    def public_for_team(self, actor: Actor, team_id: str, query: dict[str, Any]) -> list[models.Channel]:
        return self._team_listing(actor, team_id, query, archived=False)

    def archived_for_team(self, actor: Actor, team_id: str, query: dict[str, Any]) -> list[models.Channel]:
        """Archived public channels, and the archived private ones the caller belongs to."""
        return self._team_listing(actor, team_id, query, archived=True)

    def _team_listing(
        self, actor: Actor, team_id: str, query: dict[str, Any], *, archived: bool
    ) -> list[models.Channel]:
        page, per_page = validation.paging(query.get("page"), query.get("per_page"))
        stmt = select(models.Channel).where(models.Channel.team_id == team_id)
        if archived:
            stmt = stmt.where(models.Channel.delete_at != 0)
            if not actor.is_system_admin:
                mine = select(models.ChannelMember.channel_id).where(
                    models.ChannelMember.user_id == actor.user_id
                )
                stmt = stmt.where(or_(models.Channel.type == "O", models.Channel.id.in_(mine)))
        else:
            stmt = stmt.where(models.Channel.delete_at == 0, models.Channel.type == "O")
        with self.hub.store.read() as s:
            self.hub.teams.load(s, team_id)
            require_team_member(s, actor, team_id)
            return list(
                s.scalars(
                    stmt.order_by(models.Channel.display_name, models.Channel.id)
                    .offset(page * per_page)
                    .limit(per_page)
                )
            )

    def autocomplete(self, actor: Actor, team_id: str, term: Any) -> list[models.Channel]:
        """GET /teams/{id}/channels/autocomplete: the team's public channels and the caller's private ones
        whose name, display name or purpose hold the term, by display name. Archived ones are included, as
        with Mattermost's default ExperimentalViewArchivedChannels."""
        term = validation.require_str("name", term)
        mine = select(models.ChannelMember.channel_id).where(models.ChannelMember.user_id == actor.user_id)
        stmt = select(models.Channel).where(
            models.Channel.team_id == team_id,
            or_(models.Channel.type == "O", models.Channel.id.in_(mine)),
            _matching(term, models.Channel.name, models.Channel.display_name, models.Channel.purpose),
        )
        with self.hub.store.read() as s:
            self.hub.teams.load(s, team_id)
            require_team_member(s, actor, team_id)
            return list(
                s.scalars(
                    stmt.order_by(models.Channel.display_name, models.Channel.id).limit(AUTOCOMPLETE_LIMIT)
                )
            )

    def search_autocomplete(self, actor: Actor, team_id: str, term: Any) -> list[tuple[models.Channel, str]]:
        """GET /teams/{id}/channels/search_autocomplete (the in: of a search): the caller's channels of the
        team and group channels matching the term, and their direct channels with users whose username or
        nickname holds it, each with the name to show (the other user's username for a direct channel),
        sorted by that name."""
        validation.require_id("team_id", team_id)
        term = validation.require_str("name", term)
        mine = models.ChannelMember
        others = aliased(models.ChannelMember)
        channels = (
            select(models.Channel)
            .join(mine, mine.channel_id == models.Channel.id)
            .where(
                mine.user_id == actor.user_id,
                or_(
                    models.Channel.team_id == team_id,
                    and_(models.Channel.team_id == "", models.Channel.type == "G"),
                ),
                _matching(term, models.Channel.name, models.Channel.display_name, models.Channel.purpose),
            )
            .limit(AUTOCOMPLETE_LIMIT)
        )
        directs = (
            select(models.Channel, models.User.username)
            .join(mine, mine.channel_id == models.Channel.id)
            .join(others, others.channel_id == models.Channel.id)
            .join(models.User, models.User.id == others.user_id)
            .where(
                models.Channel.type == "D",
                mine.user_id == actor.user_id,
                others.user_id != actor.user_id,
                _matching(term, models.User.username, models.User.nickname),
            )
            .limit(AUTOCOMPLETE_LIMIT)
        )
        with self.hub.store.read() as s:
            found = [(channel, channel.display_name) for channel in s.scalars(channels)]
            found += [(channel, username) for channel, username in s.execute(directs)]
        return sorted(found, key=lambda pair: pair[1].lower())

    def for_user_in_team(
        self, actor: Actor, user_id: str, team_id: str, *, include_deleted: bool = False
    ) -> list[models.Channel]:
        """The user's channels in the team plus their direct and group channels, as Mattermost lists them."""
        with self.hub.store.read() as s:
            self._require_user_in_team_scope(s, actor, user_id, team_id)
            stmt = (
                select(models.Channel)
                .join(models.ChannelMember, models.ChannelMember.channel_id == models.Channel.id)
                .where(models.ChannelMember.user_id == user_id, models.Channel.team_id.in_((team_id, "")))
            )
            if not include_deleted:
                stmt = stmt.where(models.Channel.delete_at == 0)
            return list(s.scalars(stmt.order_by(models.Channel.display_name, models.Channel.id)))

    def memberships_in_team(self, actor: Actor, user_id: str, team_id: str) -> list[models.ChannelMember]:
        with self.hub.store.read() as s:
            self._require_user_in_team_scope(s, actor, user_id, team_id)
            return list(
                s.scalars(
                    select(models.ChannelMember)
                    .join(models.Channel, models.Channel.id == models.ChannelMember.channel_id)
                    .where(
                        models.ChannelMember.user_id == user_id,
                        models.Channel.team_id.in_((team_id, "")),
                        models.Channel.delete_at == 0,
                    )
                    .order_by(models.ChannelMember.channel_id)
                )
            )

    def _require_user_in_team_scope(self, s: Session, actor: Actor, user_id: str, team_id: str) -> None:
        validation.require_id("user_id", user_id)
        require_self_or_admin(actor, user_id)
        self.hub.teams.load(s, team_id)
        require_team_member(s, actor, team_id)

    # ---- creation ------------------------------------------------------------------
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

    # ---- changes -------------------------------------------------------------------
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

    # ---- members -------------------------------------------------------------------
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

    def _members_query(self, channel_id: str) -> Select:
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
