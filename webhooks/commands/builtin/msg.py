"""/msg @user [message]: open the direct channel with the user, post the message if given, go there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.extensions import CommandCall, CommandResponse, ephemeral
from webhooks.commands.builtin import Builtin, active_user, team_url, user_handle

if TYPE_CHECKING:
    from hub.services import Hub


@dataclass(frozen=True)
class Msg(Builtin):
    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        words = call.text.split(maxsplit=1)
        user = active_user(hub, user_handle(words[0])) if words else None
        message = words[1].strip() if len(words) > 1 else ""
        if user is None or user.id == call.actor.user_id:
            return ephemeral("Unable to find the user.")
        channel = hub.channels.direct(call.actor, [call.actor.user_id, user.id])
        if message:
            hub.posts.create(call.actor, {"channel_id": channel.id, "message": message})
        return CommandResponse(goto_location=f"{team_url(hub, call)}/messages/@{user.username}")


COMMAND = Msg(
    "msg",
    "message",
    "Send Direct Message to a user",
    "@[username] 'message'",
    forbidden_text="You don't have the appropriate permissions to direct message this user.",
)
