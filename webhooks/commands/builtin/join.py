"""/join ~channel (and its alias /open): join a channel of the current team and go to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.errors import AppError
from hub.extensions import CommandCall, CommandResponse, ephemeral
from webhooks.commands.builtin import Builtin, channel_handle, team_url

if TYPE_CHECKING:
    from hub.services import Hub

JOIN_FAILED = "An error occurred while joining the channel."


@dataclass(frozen=True)
class Join(Builtin):
    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        name = channel_handle(call.text.split()[0]) if call.text else ""
        if not name:
            return ephemeral("Unable to find the channel.")
        try:
            channel = hub.channels.by_name(call.actor, call.team_id, name)
        except AppError as error:
            if error.status_code == 404:
                return ephemeral("Unable to find the channel.")
            raise
        hub.channels.add_members(call.actor, channel.id, [call.actor.user_id])
        return CommandResponse(goto_location=f"{team_url(hub, call)}/channels/{channel.name}")


JOIN = Join("join", "join", "Join the open channel", "~[channel]", forbidden_text=JOIN_FAILED)
OPEN = Join("open", "open", "Open a channel", "~[channel]", forbidden_text=JOIN_FAILED)
