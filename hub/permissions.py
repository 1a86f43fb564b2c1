"""Who may do what. Roles follow Mattermost's names: system_admin/system_user, team_admin/team_user,
channel_admin/channel_user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


def require_manage_channel_roles(s: Session, actor: Actor, channel: models.Channel) -> None:
    """Mattermost's manage_channel_roles: the channel's admins, its team's admins and system admins."""
    if channel.type not in ("D", "G") and is_team_admin(s, actor, channel.team_id):
        return
    member = channel_member(s, channel.id, actor.user_id)
    if actor.is_system_admin or (
        member is not None and member.scheme_admin and channel.type not in ("D", "G")
    ):
        return
    raise forbidden(f"channel admin role required on channel {channel.id}")


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


# ---- member roles ---------------------------------------------------------------------------------
# Hubbub has no custom roles and no guests: a membership's roles are its scheme's user and admin roles.
_SYSTEM_ROLES = {
    "system_user",
    "system_admin",
    "system_guest",
    "system_user_access_token",
    "system_post_all",
    "system_post_all_public",
    "system_manager",
    "system_read_only_admin",
    "system_user_manager",
}


def scheme_flags_from_roles(roles: Any, scheme: str) -> tuple[bool, bool]:
    """(scheme_user, scheme_admin) for PUT .../members/{user_id}/roles: `roles` is Mattermost's
    space-separated role names of the `scheme` ("team" or "channel"), as UpdateTeamMemberRoles reads them."""
    if not isinstance(roles, str) or len(roles) > 256:
        raise AppError(
            "api.context.invalid_param.app_error",
            "Invalid or missing roles in request.",
            400,
            "roles must be a string of role names",
        )
    names = roles.split()
    user_role, admin_role, guest_role = f"{scheme}_user", f"{scheme}_admin", f"{scheme}_guest"
    for name in names:
        if name == guest_role:
            raise _changing_guest_role(scheme)
        if name not in (user_role, admin_role):
            scheme_role = name in _SYSTEM_ROLES or name.startswith(("team_", "channel_"))
            raise AppError(
                f"api.channel.update_{scheme}_member_roles.scheme_role.app_error"
                if scheme_role
                else "app.role.get_by_name.app_error",
                "The provided role is managed by a Scheme and therefore cannot be applied directly to a "
                f"{scheme} member."
                if scheme_role
                else "Unable to get role.",
                400,
                f"role_name={name}"[:200],
            )
    return user_role in names, admin_role in names


def scheme_flags_from_body(body: Any, scheme: str) -> tuple[bool, bool]:
    """(scheme_user, scheme_admin) for PUT .../members/{user_id}/schemeRoles
    ({"scheme_admin": true, "scheme_user": true, "scheme_guest": false})."""
    if not isinstance(body, dict) or not all(
        isinstance(body.get(key, False), bool) for key in ("scheme_admin", "scheme_user", "scheme_guest")
    ):
        raise AppError(
            "api.context.invalid_param.app_error",
            "Invalid or missing scheme_roles in request.",
            400,
            "scheme_admin, scheme_user and scheme_guest are booleans",
        )
    if body.get("scheme_guest", False):
        raise _changing_guest_role(scheme)
    return body.get("scheme_user", False), body.get("scheme_admin", False)


def member_scheme_flags(body: dict[str, Any], scheme: str, *, by_role_names: bool) -> tuple[bool, bool]:
    """The (scheme_user, scheme_admin) a roles body ({"roles": "..."}) or a schemeRoles body asks for."""
    return (
        scheme_flags_from_roles(body.get("roles"), scheme)
        if by_role_names
        else scheme_flags_from_body(body, scheme)
    )


def _changing_guest_role(scheme: str) -> AppError:
    return AppError(
        f"api.channel.update_{scheme}_member_roles.changing_guest_role.app_error",
        "Invalid member update: You can't add or remove the guest role manually.",
        400,
        "Hubbub has no guest accounts",
    )
