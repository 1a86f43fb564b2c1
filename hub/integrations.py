"""Rules every kind of integration shares: whose name a webhook may post in, and where an integration's
answer may send a client."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from hub import models
from hub.errors import AppError, invalid_param
from hub.permissions import Actor, channel_member, team_member

logger = logging.getLogger(__name__)

INCOMING_WEBHOOK = "incoming"
OUTGOING_WEBHOOK = "outgoing"


def owner_is_member(s: Session, owner_id: str, team_id: str, channel: models.Channel | None) -> bool:
    """An integration posts as its owner only where that account could post itself: in the hook's team,
    and in a channel that is not public only as one of its members (a system admin's right to read
    every channel does not count: it would let a hook reach channels its owner never joined)."""
    if team_member(s, team_id, owner_id) is None:
        return False
    return channel is None or channel.type == "O" or channel_member(s, channel.id, owner_id) is not None


def require_integration_owner(
    s: Session,
    actor: Actor,
    owner: models.User,
    team_id: str,
    channel: models.Channel | None,
    *,
    kind: str,
    field: str,
) -> None:
    """Whom a caller may make a hook of `team_id` (and `channel`, when it has one) post as, on creation
    and on every change: an active member of the team and channel whose rights do not exceed the
    caller's. Otherwise a team admin could post, and open direct messages, as a system admin."""
    if not owner.is_active:
        raise invalid_param(field, f"user {owner.id} is deactivated")
    if owner.id != actor.user_id and owner.is_system_admin and not actor.is_system_admin:
        raise AppError(
            f"api.webhook.{kind}.user_role.app_error",
            "Only a system admin may make a webhook post as a system admin.",
            403,
            f"{field}={owner.id}",
        )
    if not owner_is_member(s, owner.id, team_id, channel):
        place = f"team {team_id}" + (f" and channel {channel.id}" if channel is not None else "")
        raise AppError(
            f"api.webhook.{kind}.user_membership.app_error",
            "The webhook's user must be a member of the webhook's team and channel.",
            403,
            f"user {owner.id} is not a member of {place}",
        )


def client_location(goto_location: object) -> str:
    """Where an integration's answer may send a client: an absolute http(s) URL or a path on this site.
    Anything else (javascript:, data:, protocol-relative //host, the /\\host browsers read as //host)
    is dropped and logged; "" means nowhere."""
    if not isinstance(goto_location, str) or not goto_location:
        return ""
    if _is_safe_location(goto_location):
        return goto_location
    logger.warning("dropped the goto_location %r of an integration's answer", goto_location[:200])
    return ""


def _is_safe_location(location: str) -> bool:
    # Browsers drop tabs and newlines inside a URL ("java\tscript:") and read a backslash as a slash.
    if any(c <= " " or c in "\\\x7f" for c in location):
        return False
    if location.startswith("/"):
        return not location.startswith("//")
    try:
        parts = urlsplit(location)
    except ValueError:  # an unclosed [IPv6] host
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
