"""`config get|set|show`: settings in config.json."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from hub import config as hub_config

if TYPE_CHECKING:
    from hub.cli import Cli


# ---- configuration -----------------------------------------------------------------------------
def _print_value(value: Any) -> None:
    print(value if isinstance(value, str) else json.dumps(value))


def cmd_config_get(config: hub_config.Config, args: argparse.Namespace) -> int:
    _print_value(config.get(args.key))
    return 0


def cmd_config_set(config: hub_config.Config, args: argparse.Namespace) -> int:
    """Changes the file only: an MM_* variable set for the same key still wins at run time."""
    assert config.path is not None  # the command line's configuration is always read from a file
    stored = hub_config.load_file(config.path)
    stored.get(args.key)
    changed = stored.with_setting(args.key, args.value)
    changed.save()
    section, _, setting = args.key.partition(".")
    variable = f"MM_{section.upper()}_{setting.upper()}"
    print(f"{args.key} = {json.dumps(changed.get(args.key))} (saved to {changed.path})")
    if variable in os.environ:
        print(f"Note: {variable} is set and overrides this value while it is.", file=sys.stderr)
    return 0


def cmd_config_show(config: hub_config.Config, _args: argparse.Namespace) -> int:
    print(json.dumps(config.data, indent=2))
    return 0


def register(cli: Cli) -> None:
    settings = cli.group("config", "Settings in config.json.")
    get = cli.command(settings, "get", cmd_config_get, "Print one setting (environment overrides applied).")
    get.add_argument("key", metavar="Section.Setting")
    set_ = cli.command(settings, "set", cmd_config_set, "Change one setting in the configuration file.")
    set_.add_argument("key", metavar="Section.Setting")
    set_.add_argument("value")
    cli.command(
        settings, "show", cmd_config_show, "Print the whole configuration (environment overrides applied)."
    )
