"""`python -m hub webhook list|show|delete`, which span both kinds of webhook as mmctl's do (hook ids are
unique across kinds, so an id tells which one a command means)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from hub import models
from hub.cli.lookups import LOCAL_ACTOR, PAGE_SIZE, channel_ref, find_team, paged
from hub.ids import is_valid_id
from webhooks import incoming, outgoing
from webhooks.incoming.cli import GROUP
from webhooks.incoming.service import to_api as incoming_to_api
from webhooks.outgoing.cli import place as outgoing_place
from webhooks.outgoing.service import to_api as outgoing_to_api

if TYPE_CHECKING:
    from hub.cli import Cli
    from hub.services import Hub


def cmd_list(hub: Hub, args: argparse.Namespace) -> None:
    team_id = ""
    if args.team is not None:
        with hub.store.read() as s:
            team_id = find_team(hub, s, args.team).id
    query = {"team_id": team_id, "per_page": PAGE_SIZE}
    incoming_hooks = incoming.service(hub)
    for hook in paged(lambda page: incoming_hooks.list(LOCAL_ACTOR, {**query, "page": page})):
        with hub.store.read() as s:
            where = channel_ref(s, hook.channel_id)
        adapter = f" [{hook.adapter}]" if hook.adapter else ""
        print(f"{hook.id}: {where} ({hook.display_name}){adapter}")
    if not hub.config["ServiceSettings"]["EnableOutgoingWebhooks"]:
        return
    outgoing_hooks = outgoing.service(hub)
    for outgoing_hook in paged(lambda page: outgoing_hooks.list(LOCAL_ACTOR, {**query, "page": page})):
        with hub.store.read() as s:
            where = outgoing_place(s, outgoing_hook)
        words = ", ".join(outgoing_hook.trigger_words) or "every post"
        disabled = f" [disabled: {outgoing_hook.disabled_reason}]" if outgoing_hook.disabled_reason else ""
        print(f"{outgoing_hook.id}: {where} ({outgoing_hook.display_name}) [outgoing on {words}]{disabled}")


def _is_outgoing(hub: Hub, hook_id: str) -> bool:
    with hub.store.read() as s:
        return is_valid_id(hook_id) and s.get(models.OutgoingWebhook, hook_id) is not None


def cmd_show(hub: Hub, args: argparse.Namespace) -> None:
    if _is_outgoing(hub, args.hook_id):
        shown = outgoing_to_api(outgoing.service(hub).get(LOCAL_ACTOR, args.hook_id))
    else:
        shown = incoming_to_api(incoming.service(hub).get(LOCAL_ACTOR, args.hook_id))
    print(json.dumps(shown, indent=2))


def cmd_delete(hub: Hub, args: argparse.Namespace) -> None:
    if _is_outgoing(hub, args.hook_id):
        outgoing.service(hub).delete(LOCAL_ACTOR, args.hook_id)
        print(f"Deleted outgoing webhook {args.hook_id}")
        return
    incoming.service(hub).delete(LOCAL_ACTOR, args.hook_id)
    print(f"Deleted incoming webhook {args.hook_id}")


def register(cli: Cli) -> None:
    webhook = cli.group(*GROUP)
    listing = cli.hub_command(webhook, "list", cmd_list, "List webhooks (of one team).")
    listing.add_argument("team", nargs="?", help="team name or id")
    show = cli.hub_command(webhook, "show", cmd_show, "Print a webhook as JSON.")
    show.add_argument("hook_id")
    delete = cli.hub_command(webhook, "delete", cmd_delete, "Delete a webhook.")
    delete.add_argument("hook_id")
