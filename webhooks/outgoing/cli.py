"""`python -m hub webhook create-outgoing|modify-outgoing|regen-token|regen-signing-secret`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from hub import models
from hub.cli.lookups import LOCAL_ACTOR, channel_ref, find_channel, find_team, find_user
from webhooks import outgoing
from webhooks.incoming.cli import GROUP
from webhooks.outgoing.protocol import EXACT_MATCH, FORM_CONTENT_TYPE, JSON_CONTENT_TYPE, STARTS_WITH

if TYPE_CHECKING:
    from hub.cli import Cli
    from hub.services import Hub

TRIGGER_WHEN = {"exact": EXACT_MATCH, "start": STARTS_WITH}


def place(s: Session, hook: models.OutgoingWebhook) -> str:
    if hook.channel_id:
        return channel_ref(s, hook.channel_id)
    return f"{s.get_one(models.Team, hook.team_id).name} (every public channel)"


def _fields(hub: Hub, args: argparse.Namespace) -> dict[str, Any]:
    given = {
        "trigger_words": args.trigger_word,
        "trigger_when": TRIGGER_WHEN.get(args.trigger_when),
        "callback_urls": args.url,
        "content_type": args.content_type,
        "display_name": args.display_name,
        "description": args.description,
        "icon_url": args.icon,
        "username": args.username,
    }
    fields = {name: value for name, value in given.items() if value is not None}
    if args.channel is not None:
        fields["channel_id"] = find_channel(hub, args.channel).id if args.channel else ""
    return fields


def _print_hook(hub: Hub, verb: str, hook: models.OutgoingWebhook) -> None:
    with hub.store.read() as s:
        where = place(s, hook)
    print(f"{verb} outgoing webhook {hook.id} in {where}; the token its callbacks receive:")
    print(hook.token)


def _print_signing_secret(signing_secret: str) -> None:
    # Printed only when it is made: nothing shows it again, so a leak has to come from its receiver.
    print("The secret that signs its requests (shown only now; keep it with the receiver):")
    print(signing_secret)


def cmd_create(hub: Hub, args: argparse.Namespace) -> None:
    with hub.store.read() as s:
        team_id = find_team(hub, s, args.team).id
    creator = find_user(hub, args.user)
    fields = {**_fields(hub, args), "team_id": team_id, "creator_id": creator.id}
    hook = outgoing.service(hub).create(LOCAL_ACTOR, fields)
    _print_hook(hub, "Created", hook)
    _print_signing_secret(hook.signing_secret)


def cmd_regen_token(hub: Hub, args: argparse.Namespace) -> None:
    _print_hook(hub, "New token for", outgoing.service(hub).regenerate_token(LOCAL_ACTOR, args.hook_id))


def cmd_regen_signing_secret(hub: Hub, args: argparse.Namespace) -> None:
    hook = outgoing.service(hub).regenerate_signing_secret(LOCAL_ACTOR, args.hook_id)
    print(f"New signing secret for outgoing webhook {hook.id}; the old one no longer verifies.")
    _print_signing_secret(hook.signing_secret)


def cmd_modify(hub: Hub, args: argparse.Namespace) -> None:
    hooks = outgoing.service(hub)
    current = hooks.get(LOCAL_ACTOR, args.hook_id)
    fields = _fields(hub, args)
    if args.enable:
        fields["disabled_reason"] = ""
    hook = hooks.update(LOCAL_ACTOR, current.id, {**fields, "id": current.id})
    _print_hook(hub, "Modified", hook)


def _add_options(parser: argparse.ArgumentParser, *, modifying: bool) -> None:
    """The settings create-outgoing and modify-outgoing share; when modifying, given trigger words
    replace the hook's, and an empty --channel makes it listen to the whole team again."""
    channel_help = "TEAM:CHANNEL or id of a public channel of the team"
    parser.add_argument("--channel", help=channel_help + ('; "" for every channel' if modifying else ""))
    parser.add_argument("--trigger-word", action="append", metavar="WORD", help="repeat for several")
    parser.add_argument(
        "--trigger-when",
        choices=sorted(TRIGGER_WHEN),
        help="the first word of a post is a trigger word, or starts with one",
    )
    parser.add_argument(
        "--content-type", choices=[FORM_CONTENT_TYPE, JSON_CONTENT_TYPE], help="how the post is sent"
    )
    parser.add_argument("--display-name")
    parser.add_argument("--description")
    parser.add_argument("--icon", metavar="URL", help="the answers' icon")
    parser.add_argument("--username", metavar="NAME", help="the name the answers show")


def register(cli: Cli) -> None:
    webhook = cli.group(*GROUP)
    create = cli.hub_command(webhook, "create-outgoing", cmd_create, "Create an outgoing webhook.")
    create.add_argument("--team", required=True, help="team name or id")
    create.add_argument("--user", required=True, help="who the answers are posted as: username, email or id")
    create.add_argument("--url", action="append", required=True, help="a callback URL (repeat for several)")
    _add_options(create, modifying=False)
    modify = cli.hub_command(webhook, "modify-outgoing", cmd_modify, "Change an outgoing webhook.")
    modify.add_argument("hook_id")
    modify.add_argument("--url", action="append", help="a callback URL (repeat for several); replaces all")
    modify.add_argument("--enable", action="store_true", help="switch a hook back on after failures")
    _add_options(modify, modifying=True)
    regen = cli.hub_command(webhook, "regen-token", cmd_regen_token, "Give an outgoing webhook a new token.")
    regen.add_argument("hook_id")
    regen_secret = cli.hub_command(
        webhook,
        "regen-signing-secret",
        cmd_regen_signing_secret,
        "Give an outgoing webhook a new signing secret; it is printed once.",
    )
    regen_secret.add_argument("hook_id")
