"""/me text: an action, shown in italics as a post of type "me"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.extensions import IN_CHANNEL, CommandCall, CommandResponse
from webhooks.commands.builtin import Builtin

if TYPE_CHECKING:
    from hub.services import Hub


@dataclass(frozen=True)
class Me(Builtin):
    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        return CommandResponse(IN_CHANNEL, f"*{call.text}*", type="me")


COMMAND = Me("me", "me", "Do an action", "[message]")
