"""/code text: the text as a code block, each line indented by four spaces as Mattermost does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.extensions import IN_CHANNEL, CommandCall, CommandResponse, ephemeral
from webhooks.commands.builtin import Builtin

if TYPE_CHECKING:
    from hub.services import Hub

INDENT = "    "


@dataclass(frozen=True)
class Code(Builtin):
    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        if not call.text:
            return ephemeral("A message must be provided with the /code command.")
        block = "\n".join(INDENT + line for line in call.text.split("\n"))
        return CommandResponse(IN_CHANNEL, block, skip_slack_parsing=True)


COMMAND = Code("code", "code", "Display text as a code block", "[text]")
