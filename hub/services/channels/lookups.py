"""Finding channels: by id or name, a team's listings, the autocompletes and a user's channels in a
team; and `load`, which every other part of the service starts from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from hub import models, validation
from hub.permissions import (
    Actor,
    can_read_channel,
    is_team_admin,
    require_read_channel,
    require_self_or_admin,
    require_team_member,
)
from hub.services.channels.shapes import channel_name_not_found, channel_not_found

if TYPE_CHECKING:
    from hub.services import Hub

# Mattermost's ChannelSearchDefaultLimit: what the autocompletes answer at most (per kind of channel).
AUTOCOMPLETE_LIMIT = 50


def _matching(term: str, *columns: Any) -> ColumnElement[bool]:
    """Mattermost's channel search terms: every word of the term within one of the columns, in any case."""
    return and_(
        true(),
        *(
            or_(*(func.lower(column).contains(word, autoescape=True) for column in columns))
            for word in term.lower().split()
        ),
    )


class ChannelLookups:
    """The base of the other parts of ChannelService, which all load channels through it."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

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
