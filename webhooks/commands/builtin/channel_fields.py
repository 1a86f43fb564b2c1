"""/header, /purpose and /rename: set one field of the current channel from the command's text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.extensions import CommandCall, CommandResponse, ephemeral
from webhooks.commands.builtin import Builtin

if TYPE_CHECKING:
    from hub.services import Hub


@dataclass(frozen=True)
class SetChannelField(Builtin):
    field: str = ""
    max_length: int = 0
    empty_text: str = ""
    too_long_text: str = ""
    # Direct and group channels have a header but no purpose and no name of their own.
    direct_text: str = ""

    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        if self.direct_text and hub.channels.get(call.actor, call.channel_id).type in ("D", "G"):
            return ephemeral(self.direct_text)
        if not call.text:
            return ephemeral(self.empty_text)
        if len(call.text) > self.max_length:
            return ephemeral(self.too_long_text)
        hub.channels.patch(call.actor, call.channel_id, {self.field: call.text})
        return CommandResponse()


def _too_long(what: str, limit: int) -> str:
    return (
        f"The text entered exceeds the character limit. The channel {what} is limited to {limit} characters."
    )


HEADER = SetChannelField(
    "header",
    "header",
    "Edit the channel header",
    "[text]",
    forbidden_text="You don't have the appropriate permissions to edit the channel header.",
    field="header",
    max_length=1024,
    empty_text="Text must be provided with the /header command.",
    too_long_text=_too_long("header", 1024),
)
PURPOSE = SetChannelField(
    "purpose",
    "purpose",
    "Edit the channel purpose",
    "[text]",
    forbidden_text="You don't have the appropriate permissions to edit the channel purpose.",
    field="purpose",
    max_length=250,
    empty_text="A message must be provided with the /purpose command.",
    too_long_text=_too_long("purpose", 250),
    direct_text="Unable to set purpose for direct message channels. Use /header to set the header instead.",
)
RENAME = SetChannelField(
    "rename",
    "rename",
    "Rename the channel",
    "[text]",
    forbidden_text="You don't have the appropriate permissions to rename the channel.",
    field="display_name",
    max_length=64,
    empty_text="A message must be provided with the /rename command.",
    too_long_text="Channel name must be 64 or fewer characters.",
    direct_text="Unable to rename direct message channels.",
)
