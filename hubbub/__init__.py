"""The composition root: the one place that knows every part. It assembles a Hub with the extensions
(each installs its services and hooks through hub.extensions), the Flask app with the core's and the
extensions' routes, the command line with the core's and the extensions' groups, and so the worker's
job list. Adding an integration is adding it to the lists below."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from hub import config as hub_config
from hub.cli import Cli, add_core_commands
from hub.events import Bus
from hub.services import Hub
from hub.store import Store
from webhooks import actions, commands, incoming, outgoing
from webhooks import cli as webhook_cli
from webhooks.incoming import cli as incoming_cli
from webhooks.outgoing import cli as outgoing_cli

if TYPE_CHECKING:
    from flask import Blueprint, Flask


class WebExtension(Protocol):
    """An extension as the composition root sees it: it installs into a hub and brings routes."""

    name: str

    def install(self, hub: Hub) -> None: ...

    def blueprints(self) -> list[Blueprint]: ...


EXTENSIONS: tuple[WebExtension, ...] = (
    incoming.EXTENSION,
    outgoing.EXTENSION,
    commands.EXTENSION,
    actions.EXTENSION,
)
CLI_GROUPS: tuple[Callable[[Cli], None], ...] = (
    add_core_commands,
    incoming_cli.register,
    outgoing_cli.register,
    webhook_cli.register,
)
WSGI_APP = "hubbub.wsgi:app"


def build_hub(config: hub_config.Config, store: Store | None = None, bus: Bus | None = None) -> Hub:
    return Hub(config, store, bus, extensions=EXTENSIONS)


def create_app(config: hub_config.Config | None = None, hub: Hub | None = None) -> Flask:
    from server.app import create_app as create_server_app

    if hub is None:
        hub = build_hub(config or hub_config.load())
    return create_server_app(hub, [bp for extension in EXTENSIONS for bp in extension.blueprints()])


def build_cli() -> Cli:
    cli = Cli(build_hub, WSGI_APP)
    for register in CLI_GROUPS:
        register(cli)
    return cli


def main(argv: list[str] | None = None) -> int:
    return build_cli().run(argv)
