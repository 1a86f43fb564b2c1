"""What channels are made of, apart from the service that stores them: the errors for missing
channels and members, the names of direct and group channels and the sizes a group may have, the
channel's statistics, and the rules for its editable properties, which creation and changes share."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from hub import validation
from hub.errors import AppError

DEFAULT_CHANNEL = "town-square"
GROUP_MIN_USERS = 3
GROUP_MAX_USERS = 8


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


# Editable channel properties with their rules; D and G channels allow only the header.
_PROPERTIES: dict[str, Any] = {
    "display_name": _display_name,
    "name": lambda v: validation.handle_name("channel", v),
    "header": lambda v: validation.text("header", v, max_len=1024, multiline=True),
    "purpose": lambda v: validation.text("purpose", v, max_len=250, multiline=True),
}
