"""Who may do what. Roles follow Mattermost's names: system_admin/system_user, team_admin/team_user,
channel_admin/channel_user."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from hub import models
from hub.errors import AppError, forbidden


@dataclass(frozen=True)
class Actor:
    """The authenticated caller of a service."""

    user_id: str
    roles: str
    session_id: str = ""
    token_id: str = ""
    is_bot: bool = False

    @property
    def is_system_admin(self) -> bool:
        return "system_admin" in self.roles.split()


def team_member(s: Session, team_id: str, user_id: str) -> models.TeamMember | None:
    member = s.get(models.TeamMember, (team_id, user_id))
    return member if member is not None and member.delete_at == 0 else None


def channel_member(s: Session, channel_id: str, user_id: str) -> models.ChannelMember | None:
    return s.get(models.ChannelMember, (channel_id, user_id))


def require_admin(actor: Actor) -> None:
    if not actor.is_system_admin:
        raise forbidden("system_admin role required")


def require_self_or_admin(actor: Actor, user_id: str) -> None:
    if actor.user_id != user_id and not actor.is_system_admin:
        raise forbidden("only the user themself or a system admin")


def require_team_member(s: Session, actor: Actor, team_id: str) -> None:
    if not actor.is_system_admin and team_member(s, team_id, actor.user_id) is None:
        raise forbidden(f"not a member of team {team_id}")


def is_team_admin(s: Session, actor: Actor, team_id: str) -> bool:
    if actor.is_system_admin:
        return True
    member = team_member(s, team_id, actor.user_id)
    return member is not None and member.scheme_admin


def require_team_admin(s: Session, actor: Actor, team_id: str) -> None:
    if not is_team_admin(s, actor, team_id):
        raise forbidden(f"team admin role required on team {team_id}")


def can_read_channel(s: Session, actor: Actor, channel: models.Channel) -> bool:
    if actor.is_system_admin:
        return True
    if channel.type == "O":
        return team_member(s, channel.team_id, actor.user_id) is not None
    return channel_member(s, channel.id, actor.user_id) is not None


def require_read_channel(s: Session, actor: Actor, channel: models.Channel) -> None:
    if not can_read_channel(s, actor, channel):
        raise forbidden(f"no read access to channel {channel.id}")


def require_channel_member(s: Session, actor: Actor, channel: models.Channel) -> None:
    """Posting and reacting need membership; system admins may act anywhere, as in Mattermost."""
    if actor.is_system_admin:
        return
    if channel_member(s, channel.id, actor.user_id) is None:
        raise forbidden(f"not a member of channel {channel.id}")


def can_manage_channel(s: Session, actor: Actor, channel: models.Channel) -> bool:
    if actor.is_system_admin:
        return True
    if channel.type in ("D", "G"):
        return channel_member(s, channel.id, actor.user_id) is not None
    member = channel_member(s, channel.id, actor.user_id)
    if member is None:
        return False
    # Mattermost's default scheme lets every channel member manage public and private channels.
    return True if channel.team_id == "" else team_member(s, channel.team_id, actor.user_id) is not None


def require_manage_channel(s: Session, actor: Actor, channel: models.Channel) -> None:
    if not can_manage_channel(s, actor, channel):
        raise forbidden(f"cannot manage channel {channel.id}")


def deny_if_archived(channel: models.Channel) -> None:
    if channel.delete_at:
        raise AppError(
            "api.channel.archived.app_error",
            "This channel has been archived.",
            403,
            f"channel {channel.id} is archived",
        )
