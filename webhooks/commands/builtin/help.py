"""/help: the built-in commands with their arguments, shown to the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.extensions import CommandCall, CommandResponse, ephemeral
from webhooks.commands.builtin import Builtin

if TYPE_CHECKING:
    from hub.services import Hub


@dataclass(frozen=True)
class Help(Builtin):
    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        from webhooks.commands.builtin import registry  # the registry lists this module too

        lines = ["Built-in commands:"]
        for trigger, command in sorted(registry().items()):
            usage = f"/{trigger} {command.auto_complete_hint}".rstrip()
            lines.append(f"- `{usage}`: {command.auto_complete_desc}")
        return ephemeral("\n".join(lines))


COMMAND = Help("help", "help", "Show the available commands")
