"""/shrug [text]: the message followed by a shrug."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.extensions import IN_CHANNEL, CommandCall, CommandResponse
from webhooks.commands.builtin import Builtin

if TYPE_CHECKING:
    from hub.services import Hub

# Escaped so that Markdown shows the backslash and does not read the underscores as emphasis.
SHRUG = r"¯\\\_(ツ)\_/¯"


@dataclass(frozen=True)
class Shrug(Builtin):
    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        return CommandResponse(IN_CHANNEL, f"{call.text} {SHRUG}" if call.text else SHRUG)


COMMAND = Shrug("shrug", "shrug", "Adds ¯\\_(ツ)_/¯ to your message", "[message]")
