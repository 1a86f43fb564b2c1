"""Models to Mattermost's JSON shapes. Everything a client reads passes through here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hub import models

_DEFAULT_NOTIFY_PROPS = {
    "channel": "true",
    "comments": "never",
    "desktop": "mention",
    "desktop_sound": "true",
    "email": "true",
    "first_name": "false",
    "mention_keys": "",
    "push": "mention",
    "push_status": "away",
}
_DEFAULT_TIMEZONE = {"automaticTimezone": "", "manualTimezone": "", "useAutomaticTimezone": "true"}


def user(
    u: models.User, *, full: bool, show_email: bool = True, show_full_name: bool = True
) -> dict[str, Any]:
    """`full` is for the user themself and system admins; others get a sanitised profile."""
    data: dict[str, Any] = {
        "id": u.id,
        "create_at": u.create_at,
        "update_at": u.update_at,
        "delete_at": u.delete_at,
        "username": u.username,
        "auth_data": "",
        "auth_service": u.auth_service,
        "email": u.email if (full or show_email) else "",
        "nickname": u.nickname,
        "first_name": u.first_name if (full or show_full_name) else "",
        "last_name": u.last_name if (full or show_full_name) else "",
        "position": u.position,
        "roles": u.roles,
        "props": u.props or {},
        "last_picture_update": u.last_picture_update,
        "locale": u.locale,
        "timezone": u.timezone or dict(_DEFAULT_TIMEZONE),
        "is_bot": u.is_bot,
        "disable_welcome_email": False,
    }
    if u.is_bot:
        data["bot_description"] = u.bot_description
    if full:
        data.update(
            email_verified=u.email_verified,
            notify_props={**_DEFAULT_NOTIFY_PROPS, **(u.notify_props or {})},
            last_password_update=u.last_password_update,
            failed_attempts=u.failed_attempts,
            mfa_active=u.mfa_active,
            allow_marketing=u.allow_marketing,
        )
    return data


def bot(b: models.Bot, u: models.User) -> dict[str, Any]:
    """Mattermost's Bot: display_name, description and last_icon_update are left out when empty."""
    data: dict[str, Any] = {"user_id": b.user_id, "username": u.username}
    if u.first_name:
        data["display_name"] = u.first_name
    if u.bot_description:
        data["description"] = u.bot_description
    data["owner_id"] = b.owner_id
    if b.last_icon_update:
        data["last_icon_update"] = b.last_icon_update
    data.update(create_at=b.create_at, update_at=b.update_at, delete_at=b.delete_at)
    return data


def session(s: models.Session) -> dict[str, Any]:
    return {
        "id": s.id,
        "token": "",
        "create_at": s.create_at,
        "expires_at": s.expires_at,
        "last_activity_at": s.last_activity_at,
        "user_id": s.user_id,
        "device_id": s.device_id,
        "roles": s.roles,
        "is_oauth": s.is_oauth,
        "props": s.props or {},
        "team_members": [],
        "local": False,
    }


def access_token(t: models.UserAccessToken, token: str = "") -> dict[str, Any]:
    data = {"id": t.id, "user_id": t.user_id, "description": t.description, "is_active": t.is_active}
    if token:
        data["token"] = token
    return data


def team(t: models.Team, *, show_invite: bool = False) -> dict[str, Any]:
    return {
        "id": t.id,
        "create_at": t.create_at,
        "update_at": t.update_at,
        "delete_at": t.delete_at,
        "display_name": t.display_name,
        "name": t.name,
        "description": t.description,
        "email": t.email if show_invite else "",
        "type": t.type,
        "company_name": t.company_name,
        "allowed_domains": t.allowed_domains,
        "invite_id": t.invite_id if show_invite else "",
        "allow_open_invite": t.allow_open_invite,
        "last_team_icon_update": t.last_team_icon_update,
        "scheme_id": None,
        "group_constrained": None,
        "policy_id": None,
        "cloud_limits_archived": False,
    }


def _role_names(explicit: str, scheme: str, scheme_user: bool, scheme_admin: bool) -> str:
    names = [f"{scheme}_user"] if scheme_user else []
    if scheme_admin:
        names.append(f"{scheme}_admin")
    return " ".join(names + [r for r in explicit.split() if r not in names])


def team_member(m: models.TeamMember) -> dict[str, Any]:
    return {
        "team_id": m.team_id,
        "user_id": m.user_id,
        "roles": _role_names(m.roles, "team", m.scheme_user, m.scheme_admin),
        "delete_at": m.delete_at,
        "scheme_guest": False,
        "scheme_user": m.scheme_user,
        "scheme_admin": m.scheme_admin,
        "explicit_roles": m.roles,
        "create_at": m.create_at,
    }


def channel(c: models.Channel) -> dict[str, Any]:
    return {
        "id": c.id,
        "create_at": c.create_at,
        "update_at": c.update_at,
        "delete_at": c.delete_at,
        "team_id": c.team_id,
        "type": c.type,
        "display_name": c.display_name,
        "name": c.name,
        "header": c.header,
        "purpose": c.purpose,
        "last_post_at": c.last_post_at,
        "total_msg_count": c.total_msg_count,
        "extra_update_at": c.extra_update_at,
        "creator_id": c.creator_id,
        "scheme_id": None,
        "props": c.props,
        "group_constrained": None,
        "shared": None,
        "total_msg_count_root": c.total_msg_count_root,
        "policy_id": None,
        "last_root_post_at": c.last_root_post_at,
    }


def channel_member(m: models.ChannelMember) -> dict[str, Any]:
    return {
        "channel_id": m.channel_id,
        "user_id": m.user_id,
        "roles": _role_names(m.roles, "channel", m.scheme_user, m.scheme_admin),
        "last_viewed_at": m.last_viewed_at,
        "msg_count": m.msg_count,
        "mention_count": m.mention_count,
        "mention_count_root": m.mention_count_root,
        "urgent_mention_count": m.urgent_mention_count,
        "msg_count_root": m.msg_count_root,
        "notify_props": {
            "channel_auto_follow_threads": "off",
            "desktop": "default",
            "email": "default",
            "ignore_channel_mentions": "default",
            "mark_unread": "all",
            "push": "default",
            **(m.notify_props or {}),
        },
        "last_update_at": m.last_update_at,
        "scheme_guest": False,
        "scheme_user": m.scheme_user,
        "scheme_admin": m.scheme_admin,
        "explicit_roles": m.roles,
    }


def reaction(r: models.Reaction) -> dict[str, Any]:
    return {
        "user_id": r.user_id,
        "post_id": r.post_id,
        "emoji_name": r.emoji_name,
        "create_at": r.create_at,
        "update_at": r.update_at,
        "delete_at": r.delete_at,
        "remote_id": "",
        "channel_id": r.channel_id,
    }


def file_info(f: models.FileInfo) -> dict[str, Any]:
    return {
        "id": f.id,
        "user_id": f.user_id,
        "post_id": f.post_id,
        "channel_id": f.channel_id,
        "create_at": f.create_at,
        "update_at": f.update_at,
        "delete_at": f.delete_at,
        "name": f.name,
        "extension": f.extension,
        "size": f.size,
        "mime_type": f.mime_type,
        "width": f.width,
        "height": f.height,
        "has_preview_image": f.has_preview_image,
        "mini_preview": f.mini_preview,
        "remote_id": "",
        "archived": False,
    }


def post(
    p: models.Post,
    *,
    files: Iterable[models.FileInfo] = (),
    reactions: Iterable[models.Reaction] = (),
    priority: models.PostPriority | None = None,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    file_list = [file_info(f) for f in files]
    reaction_list = [reaction(r) for r in reactions]
    if file_list:
        metadata["files"] = file_list
    if reaction_list:
        metadata["reactions"] = reaction_list
    if priority is not None:
        metadata["priority"] = {
            "priority": priority.priority,
            "requested_ack": priority.requested_ack,
            "persistent_notifications": priority.persistent_notifications,
        }
    data: dict[str, Any] = {
        "id": p.id,
        "create_at": p.create_at,
        "update_at": p.update_at,
        "edit_at": p.edit_at,
        "delete_at": p.delete_at,
        "is_pinned": p.is_pinned,
        "user_id": p.user_id,
        "channel_id": p.channel_id,
        "root_id": p.root_id,
        "original_id": p.original_id,
        "message": p.message,
        "type": p.type,
        "props": p.props or {},
        "hashtags": p.hashtags,
        "pending_post_id": p.pending_post_id,
        "reply_count": p.reply_count,
        "last_reply_at": p.last_reply_at,
        "participants": None,
        "metadata": metadata,
    }
    if p.file_ids:
        data["file_ids"] = list(p.file_ids)
    if p.has_reactions:
        data["has_reactions"] = True
    return data


def preference(p: models.Preference) -> dict[str, Any]:
    return {"user_id": p.user_id, "category": p.category, "name": p.name, "value": p.value}


def status(s: models.Status) -> dict[str, Any]:
    return {
        "user_id": s.user_id,
        "status": s.status,
        "manual": s.manual,
        "last_activity_at": s.last_activity_at,
        "dnd_end_time": s.dnd_end_time,
    }
