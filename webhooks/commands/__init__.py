"""Slash commands: what a command is called with and what it answers, shared by the built-in commands
(webhooks/commands/builtin/, one module each) and the custom commands that call an integration's URL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from hub.permissions import Actor

if TYPE_CHECKING:
    from hub.services import Hub

IN_CHANNEL = "in_channel"
EPHEMERAL = "ephemeral"


@dataclass(frozen=True)
class CommandCall:
    """One execution of `/trigger text` by a user in a channel (Mattermost's CommandArgs)."""

    actor: Actor
    team_id: str
    channel_id: str
    root_id: str
    trigger: str  # without the slash, lowercased: "echo"
    text: str  # what follows the trigger, stripped: "hello 2"
    site_url: str


@dataclass(frozen=True)
class CommandResponse:
    """Mattermost's CommandResponse. `in_channel` answers become a post in the channel by the caller
    (or with the overrides a custom command may set); `ephemeral` answers are shown to the caller only."""

    response_type: str = EPHEMERAL
    text: str = ""
    username: str = ""
    icon_url: str = ""
    channel_id: str = ""
    type: str = ""
    props: dict[str, Any] = field(default_factory=dict)
    goto_location: str = ""
    trigger_id: str = ""
    skip_slack_parsing: bool = False
    attachments: list[dict[str, Any]] | None = None
    extra_responses: tuple["CommandResponse", ...] = ()

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "response_type": self.response_type,
            "text": self.text,
            "username": self.username,
            "channel_id": self.channel_id,
            "icon_url": self.icon_url,
            "type": self.type,
            "props": self.props,
            "goto_location": self.goto_location,
            "trigger_id": self.trigger_id,
            "skip_slack_parsing": self.skip_slack_parsing,
        }
        if self.attachments is not None:
            data["attachments"] = self.attachments
        if self.extra_responses:
            data["extra_responses"] = [extra.to_api() for extra in self.extra_responses]
        return data


def ephemeral(text: str) -> CommandResponse:
    return CommandResponse(EPHEMERAL, text)


class BuiltinCommand(Protocol):
    """A command Hubbub answers itself. `execute` works through the hub's services as the caller
    (call.actor), so permissions are the caller's; bad arguments answer an ephemeral message
    (Mattermost's style), and hub.errors.AppError from a service becomes one too."""

    trigger: str
    display_name: str
    auto_complete_desc: str
    auto_complete_hint: str

    def execute(self, hub: "Hub", call: CommandCall) -> CommandResponse: ...
