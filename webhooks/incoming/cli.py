"""`python -m hub webhook create-incoming|modify-incoming`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from hub import config as hub_config
from hub import models
from hub.cli.lookups import LOCAL_ACTOR, channel_ref, find_channel, find_user
from webhooks import incoming
from webhooks.incoming.adapters import registry as adapter_registry
from webhooks.incoming.service import EventFilter, to_api

if TYPE_CHECKING:
    from hub.cli import Cli
    from hub.services import Hub

GROUP = ("webhook", "Incoming and outgoing webhooks.")


def hook_url(config: hub_config.Config, hook: models.IncomingWebhook) -> str:
    adapter_suffix = f"/{hook.adapter}" if hook.adapter else ""
    return f"{config.site_url}/hooks/{hook.id}{adapter_suffix}"


def _hook_fields(args: argparse.Namespace, current_filter: dict[str, Any]) -> dict[str, Any]:
    """The service's fields for the options given on the command line; the event filter's parts
    that were not given keep their current value."""
    given = {
        "display_name": args.display_name,
        "description": args.description,
        "icon_url": args.icon,
        "username": args.username,
        "channel_locked": args.lock_to_channel,
        "adapter": args.adapter,
        "secret": args.secret,
    }
    fields = {name: value for name, value in given.items() if value is not None}
    filter_changes = {
        name: value
        for name, value in (
            ("include", args.include_events),
            ("exclude", args.exclude_events),
            ("failures_and_recoveries_only", args.failures_only),
        )
        if value is not None
    }
    if filter_changes:
        fields["event_filter"] = {**current_filter, **filter_changes}
    return fields


def cmd_create(hub: Hub, args: argparse.Namespace) -> None:
    channel = find_channel(hub, args.channel)
    owner = find_user(hub, args.user)
    fields = _hook_fields(args, EventFilter().to_api())
    hook = incoming.service(hub).create(
        LOCAL_ACTOR, {**fields, "channel_id": channel.id, "user_id": owner.id}
    )
    with hub.store.read() as s:
        place = channel_ref(s, hook.channel_id)
    print(f"Created incoming webhook {hook.id} in {place}, posting as {owner.username}; its URL:")
    print(hook_url(hub.config, hook))


def cmd_modify(hub: Hub, args: argparse.Namespace) -> None:
    hooks = incoming.service(hub)
    current = hooks.get(LOCAL_ACTOR, args.hook_id)
    fields = _hook_fields(args, to_api(current)["event_filter"])
    if args.channel is not None:
        fields["channel_id"] = find_channel(hub, args.channel).id
    hook = hooks.update(LOCAL_ACTOR, current.id, {**fields, "id": current.id})
    print(f"Modified incoming webhook {hook.id}; its URL:")
    print(hook_url(hub.config, hook))


def _add_hook_options(parser: argparse.ArgumentParser, *, modifying: bool) -> None:
    """The settings create-incoming and modify-incoming share; when modifying, a switch can also be
    turned off (--no-...) and an empty --adapter removes the adapter."""
    switch = argparse.BooleanOptionalAction if modifying else "store_true"
    adapters = sorted(adapter_registry())
    parser.add_argument("--display-name")
    parser.add_argument("--description")
    parser.add_argument("--icon", metavar="URL", help="the posts' icon")
    parser.add_argument("--username", metavar="NAME", help="the name the posts show")
    parser.add_argument(
        "--lock-to-channel", action=switch, default=None, help="refuse payloads naming another channel"
    )
    parser.add_argument(
        "--adapter",
        choices=[*adapters, ""] if modifying else adapters,
        metavar="|".join(adapters),
        help="the CI tool whose deliveries it renders" + ('; "" removes it' if modifying else ""),
    )
    parser.add_argument("--secret", help="the CI tool's token or signing secret")
    parser.add_argument("--include-events", nargs="*", metavar="PATTERN", help="post only these events")
    parser.add_argument("--exclude-events", nargs="*", metavar="PATTERN", help="never post these events")
    parser.add_argument(
        "--failures-only", action=switch, default=None, help="post only failures and the recovery after one"
    )


def register(cli: Cli) -> None:
    webhook = cli.group(*GROUP)
    create = cli.hub_command(webhook, "create-incoming", cmd_create, "Create an incoming webhook.")
    create.add_argument("--channel", required=True, help="TEAM:CHANNEL or channel id")
    create.add_argument("--user", required=True, help="the account the hook posts as: username, email or id")
    _add_hook_options(create, modifying=False)
    modify = cli.hub_command(webhook, "modify-incoming", cmd_modify, "Change an incoming webhook.")
    modify.add_argument("hook_id")
    modify.add_argument("--channel", help="TEAM:CHANNEL or channel id, in the hook's team")
    _add_hook_options(modify, modifying=True)
