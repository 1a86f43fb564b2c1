"""/logout: end the caller's current session and send the client to the login page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.extensions import CommandCall, CommandResponse
from webhooks.commands.builtin import Builtin

if TYPE_CHECKING:
    from hub.services import Hub


@dataclass(frozen=True)
class Logout(Builtin):
    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        # Mattermost leaves the logout to its client; revoking it here also covers a client that only
        # follows the link.
        hub.auth.logout(call.actor)
        return CommandResponse(goto_location="/login")


COMMAND = Logout("logout", "logout", "Logout of Hubbub")
