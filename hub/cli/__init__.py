"""The `python -m hub` command line: serving, the worker, migrations and administration of the
configured database. The core's groups live beside this module; extensions add theirs through `Cli`
(the composition root, hubbub/, decides which).

Like `mmctl --local`, the administrative commands act with system-admin rights and no login: whoever
can read config.json can already reach the database.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hub import config as hub_config
from hub.errors import AppError
from hub.store import check_connection

if TYPE_CHECKING:
    from hub.services import Hub

ConfigCommand = Callable[[hub_config.Config, argparse.Namespace], int]
HubCommand = Callable[["Hub", argparse.Namespace], None]


class Cli:
    """The argparse tree. `open_hub` builds a hub with the process's extensions; `wsgi_app` is what
    `serve` hands to gunicorn."""

    def __init__(self, build_hub: Callable[[hub_config.Config], Hub], wsgi_app: str) -> None:
        self.build_hub = build_hub
        self.wsgi_app = wsgi_app
        self.parser = argparse.ArgumentParser(
            prog="python -m hub",
            description="Hubbub server and administration. The configuration file is config/config.json, "
            "or the file named by MM_CONFIG; MM_<SECTION>_<SETTING> variables override its settings.",
        )
        self._top = self.parser.add_subparsers(dest="group", required=True, metavar="COMMAND")
        self._groups: dict[str, Any] = {}

    def open_hub(self, config: hub_config.Config) -> Hub:
        """A hub on a reachable database at the current schema (migrating is a no-op when it already is)."""
        hub = self.build_hub(config)
        check_connection(hub.store)
        hub.store.migrate()
        return hub

    def top_command(self, name: str, handler: ConfigCommand, help_text: str) -> argparse.ArgumentParser:
        return self._add(self._top, name, handler, help_text)

    def group(self, name: str, help_text: str) -> Any:
        """The subcommands of `name`, made on first use: several extensions may add to one group."""
        if name not in self._groups:
            parser = self._top.add_parser(name, help=help_text)
            self._groups[name] = parser.add_subparsers(dest="command", required=True, metavar="ACTION")
        return self._groups[name]

    def command(
        self, group: Any, name: str, handler: ConfigCommand, help_text: str
    ) -> argparse.ArgumentParser:
        return self._add(group, name, handler, help_text)

    def hub_command(
        self, group: Any, name: str, command: HubCommand, help_text: str
    ) -> argparse.ArgumentParser:
        """A command that works on an open hub, closed afterwards."""

        def run(config: hub_config.Config, args: argparse.Namespace) -> int:
            hub = self.open_hub(config)
            try:
                command(hub, args)
            finally:
                hub.close()
            return 0

        return self._add(group, name, run, help_text)

    @staticmethod
    def _add(group: Any, name: str, handler: ConfigCommand, help_text: str) -> argparse.ArgumentParser:
        made: argparse.ArgumentParser = group.add_parser(name, help=help_text, description=help_text)
        made.set_defaults(handler=handler)
        return made

    def run(self, argv: list[str] | None = None) -> int:
        args = self.parser.parse_args(argv)
        try:
            path = hub_config.config_path()
            first_start = not path.exists()
            config = hub_config.load()
            if first_start:
                print(f"Created {path} with the default settings.", file=sys.stderr)
            logging.basicConfig(
                level=config["LogSettings"]["ConsoleLevel"].upper(),
                format="%(levelname)s %(name)s: %(message)s",
            )
            # Alembic announces each of its plugins at INFO on every run.
            logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
            handler: ConfigCommand = args.handler
            return handler(config, args)
        except AppError as exc:
            print(f"Error: {exc.message}", file=sys.stderr)
            return 1


def add_core_commands(cli: Cli) -> None:
    from hub.cli import accounts, places, server, settings

    server.register(cli)
    accounts.register(cli)
    places.register(cli)
    settings.register(cli)
