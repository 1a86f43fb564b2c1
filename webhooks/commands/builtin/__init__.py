"""The slash commands Hubbub answers itself, one module each (Mattermost's app/slashcommands). Each works
through the hub's services as the caller; `registry()` at the end lists them."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.errors import AppError
from hub.extensions import CommandCall, CommandResponse, ProvidedCommand, ephemeral

if TYPE_CHECKING:
    from hub import models
    from hub.services import Hub

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Builtin(ABC):
    """Base of the built-in commands: a subclass implements `run`. A service's AppError becomes an
    ephemeral answer with its message, or with `forbidden_text` when the service refused permission,
    so that a refusal reads in the command's words as in Mattermost."""

    trigger: str
    display_name: str
    auto_complete_desc: str
    auto_complete_hint: str = ""
    forbidden_text: str = ""

    def execute(self, hub: Hub, call: CommandCall) -> CommandResponse:
        try:
            return self.run(hub, call)
        except AppError as error:
            logger.info(
                "/%s by %s refused: %s %s", self.trigger, call.actor.user_id, error.id, error.detailed_error
            )
            if error.status_code == 403 and self.forbidden_text:
                return ephemeral(self.forbidden_text)
            return ephemeral(error.message)

    @abstractmethod
    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        """The command's work; `execute` turns a service's refusal into an ephemeral answer."""


def channel_handle(word: str) -> str:
    """`~town-square` or `town-square` → the channel name."""
    return word.removeprefix("~").strip().lower()


def user_handle(word: str) -> str:
    """`@alice` or `alice` → the username."""
    return word.removeprefix("@").strip().lower()


def active_user(hub: Hub, username: str) -> models.User | None:
    """The active user of that name, or None: commands answer a deactivated user as a missing one."""
    try:
        user = hub.users.by_username(username)
    except AppError:
        return None
    return user if user.delete_at == 0 else None


def team_url(hub: Hub, call: CommandCall) -> str:
    """`<site_url>/<team name>`: where the web app shows the caller's current team."""
    team = hub.teams.get(call.actor, call.team_id).team
    return f"{call.site_url.rstrip('/')}/{team.name}"


def registry() -> dict[str, ProvidedCommand]:
    """The built-in commands by trigger. An explicit list: adding a command is adding it here."""
    from webhooks.commands.builtin import (
        channel_fields,
        code,
        echo,
        expand_collapse,
        groupmsg,
        invite,
        join,
        leave,
        logout,
        me,
        msg,
        mute,
        remove,
        search,
        shrug,
        status,
    )
    from webhooks.commands.builtin import (
        help as help_command,
    )

    commands: list[ProvidedCommand] = [
        status.AWAY,
        status.ONLINE,
        status.OFFLINE,
        status.DND,
        echo.COMMAND,
        me.COMMAND,
        shrug.COMMAND,
        code.COMMAND,
        channel_fields.HEADER,
        channel_fields.PURPOSE,
        channel_fields.RENAME,
        join.JOIN,
        join.OPEN,
        leave.COMMAND,
        remove.KICK,
        remove.REMOVE,
        invite.COMMAND,
        msg.COMMAND,
        groupmsg.COMMAND,
        mute.COMMAND,
        search.COMMAND,
        expand_collapse.EXPAND,
        expand_collapse.COLLAPSE,
        help_command.COMMAND,
        logout.COMMAND,
    ]
    return {command.trigger: command for command in commands}
