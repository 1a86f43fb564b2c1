"""/leave: leave the current channel and go to the team's default channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.errors import AppError
from hub.extensions import CommandCall, CommandResponse, ephemeral
from hub.services.channels import DEFAULT_CHANNEL
from webhooks.commands.builtin import Builtin, team_url

if TYPE_CHECKING:
    from hub.services import Hub


@dataclass(frozen=True)
class Leave(Builtin):
    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        try:
            hub.channels.remove_member(call.actor, call.channel_id, call.actor.user_id)
        except AppError as error:
            if error.id == "api.channel.remove.default.app_error":
                return ephemeral(f"Unable to leave the default channel {DEFAULT_CHANNEL}.")
            raise
        return CommandResponse(goto_location=f"{team_url(hub, call)}/channels/{DEFAULT_CHANNEL}")


COMMAND = Leave(
    "leave",
    "leave",
    "Leave the current channel",
    forbidden_text="An error occurred while leaving the channel.",
)
