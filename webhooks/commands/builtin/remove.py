"""/remove @user (and its alias /kick): remove a member from the current channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.errors import AppError
from hub.extensions import CommandCall, CommandResponse, ephemeral
from webhooks.commands.builtin import Builtin, active_user, user_handle

if TYPE_CHECKING:
    from hub.services import Hub


@dataclass(frozen=True)
class Remove(Builtin):
    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        channel = hub.channels.get(call.actor, call.channel_id)
        if channel.type in ("D", "G"):
            return ephemeral("You can't remove someone from a direct message channel.")
        if not call.text:
            return ephemeral("A message must be provided with the /remove or /kick command.")
        user = active_user(hub, user_handle(call.text.split()[0]))
        if user is None:
            return ephemeral(
                "We couldn't find the user. They may have been deactivated by the System Administrator."
            )
        try:
            hub.channels.member(call.actor, channel.id, user.id)
        except AppError as error:
            if error.status_code == 404:
                return ephemeral(f"@{user.username} is not a member of this channel.")
            raise
        hub.channels.remove_member(call.actor, channel.id, user.id)
        return CommandResponse()


_REFUSED = "You don't have the appropriate permissions to remove the member."
_DESCRIPTION = "Remove a member from the channel"
REMOVE = Remove("remove", "remove", _DESCRIPTION, "@[username]", forbidden_text=_REFUSED)
KICK = Remove("kick", "kick", _DESCRIPTION, "@[username]", forbidden_text=_REFUSED)
