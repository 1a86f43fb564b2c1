"""Slash commands: custom commands that call an integration's URL (service.py), the commands Hubbub
answers itself (builtin/, one module each, offered through the core's command-provider point), their
routes under /api/v4/commands and /hooks/commands/{id} (the response URL)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from hub.extensions import ProvidedCommand
from webhooks.commands.service import CommandService

if TYPE_CHECKING:
    from flask import Blueprint

    from hub.services import Hub

NAME = "commands"


class BuiltinCommands:
    """The built-ins as a command provider: the same for every team."""

    def commands(self, team_id: str) -> Mapping[str, ProvidedCommand]:
        from webhooks.commands.builtin import registry

        return registry()


class Commands:
    name = NAME

    def install(self, hub: Hub) -> None:
        hub.extensions.add_service(NAME, CommandService(hub))
        hub.extensions.command_providers.append(BuiltinCommands())

    def blueprints(self) -> list[Blueprint]:
        from webhooks.commands.routes import bp

        return [bp]


def service(hub: Hub) -> CommandService:
    return hub.extensions.service(NAME, CommandService)


EXTENSION = Commands()
