"""/mute [~channel]: toggle whether the current (or named) channel marks itself unread for every post
or for mentions only; the caller's notify_props.mark_unread holds it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.errors import AppError
from hub.extensions import CommandCall, CommandResponse, ephemeral
from webhooks.commands.builtin import Builtin, channel_handle

if TYPE_CHECKING:
    from hub.services import Hub

MUTED = "mention"
UNMUTED = "all"


@dataclass(frozen=True)
class Mute(Builtin):
    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        name = channel_handle(call.text.split()[0]) if call.text else ""
        try:
            if name:
                channel = hub.channels.by_name(call.actor, call.team_id, name)
            else:
                channel = hub.channels.get(call.actor, call.channel_id)
        except AppError:
            which = f"the channel {name}" if name else "the specified channel"
            return ephemeral(f"Could not find {which}. Please use the channel handle to identify channels.")
        try:
            member = hub.channels.member(call.actor, channel.id, call.actor.user_id)
        except AppError:
            return ephemeral(f"Could not mute channel {name or channel.name} as you are not a member.")
        muting = (member.notify_props or {}).get("mark_unread", UNMUTED) != MUTED
        hub.channels.update_member_notify_props(
            call.actor, channel.id, call.actor.user_id, {"mark_unread": MUTED if muting else UNMUTED}
        )
        # Direct and group messages have no title worth naming.
        if channel.type in ("D", "G"):
            subject, unmuted = "this channel", "This channel"
        else:
            subject = unmuted = channel.display_name
        if muting:
            return ephemeral(
                f"You will not receive notifications for {subject} until channel mute is turned off."
            )
        return ephemeral(f"{unmuted} is no longer muted.")


COMMAND = Mute(
    "mute",
    "mute",
    "Turns off desktop, email and push notifications for the current channel or the [channel] specified.",
    "~[channel]",
)
