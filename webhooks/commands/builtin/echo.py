"""/echo 'message' [delay]: post the message as the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.extensions import IN_CHANNEL, CommandCall, CommandResponse, ephemeral
from webhooks.commands.builtin import Builtin

if TYPE_CHECKING:
    from hub.services import Hub

MAX_DELAY_SECONDS = 10000


def parse(text: str) -> tuple[str, int]:
    """Mattermost's reading: a quoted message may be followed by a delay; an unquoted one may end with one."""
    if text.startswith('"') and text.rfind('"') > 1:
        end = text.rfind('"')
        tail = text[end:].strip(' "')
        return text[1:end], int(tail) if _is_int(tail) else 0
    message, _, last = text.rpartition(" ")
    if message and _is_int(last):
        return message, int(last)
    return text, 0


def _is_int(value: str) -> bool:
    try:
        int(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Echo(Builtin):
    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        if not call.text:
            return ephemeral("A message must be provided with the /echo command.")
        message, delay = parse(call.text)
        if delay > MAX_DELAY_SECONDS:
            return ephemeral(f"Delays must be under {MAX_DELAY_SECONDS} seconds.")
        if delay > 0:
            # A delayed post needs a scheduler that outlives the request; Hubbub has none for commands yet.
            return ephemeral("Delayed echo is not supported on this server; send /echo without a delay.")
        return CommandResponse(IN_CHANNEL, message)


COMMAND = Echo("echo", "echo", "Echo back text from your account", "'message' [delay in seconds]")
