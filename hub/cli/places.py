"""`team` and `channel`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from hub.cli.lookups import LOCAL_ACTOR, PAGE_SIZE, find_team, find_user, paged
from hub.errors import AppError

if TYPE_CHECKING:
    from hub.cli import Cli
    from hub.services import Hub


# ---- teams and channels ------------------------------------------------------------------------
def cmd_team_create(hub: Hub, args: argparse.Namespace) -> None:
    team = hub.teams.create(
        None, {"name": args.name, "display_name": args.display_name, "type": "I" if args.private else "O"}
    )
    print(f"Created team {team.name} ({team.id})")


def cmd_team_add_user(hub: Hub, args: argparse.Namespace) -> None:
    user = find_user(hub, args.user)
    if not user.is_active:
        raise AppError("api.team.add_user.deactivated", f"User {user.username} is deactivated.", 400)
    with hub.store.write() as s:
        team = find_team(hub, s, args.team)
        hub.teams.add_member(s, team, user.id)
        team_name = team.name
    print(f"Added {user.username} to team {team_name}")


def cmd_team_list(hub: Hub, _args: argparse.Namespace) -> None:
    for view in paged(lambda page: hub.teams.list(LOCAL_ACTOR, {"page": page, "per_page": PAGE_SIZE})[0]):
        kind = "open" if view.team.type == "O" else "invite only"
        print(f"{view.team.id}: {view.team.name} ({view.team.display_name}) [{kind}]")


def cmd_channel_create(hub: Hub, args: argparse.Namespace) -> None:
    with hub.store.read() as s:
        team_id = find_team(hub, s, args.team).id
    channel = hub.channels.create(
        None,
        {
            "team_id": team_id,
            "name": args.name,
            "display_name": args.display_name,
            "type": "P" if args.private else "O",
        },
    )
    print(f"Created channel {args.team}:{channel.name} ({channel.id})")


def register(cli: Cli) -> None:
    team = cli.group("team", "Teams.")
    create = cli.hub_command(team, "create", cmd_team_create, "Create a team.")
    create.add_argument("--name", required=True)
    create.add_argument("--display-name", required=True)
    create.add_argument("--private", action="store_true", help="invite only")
    add_user = cli.hub_command(team, "add-user", cmd_team_add_user, "Add an account to a team.")
    add_user.add_argument("team", help="team name or id")
    add_user.add_argument("user", help="username, email or id")
    cli.hub_command(team, "list", cmd_team_list, "List the teams.")

    channel = cli.group("channel", "Channels.")
    create = cli.hub_command(channel, "create", cmd_channel_create, "Create a channel in a team.")
    create.add_argument("--team", required=True, help="team name or id")
    create.add_argument("--name", required=True)
    create.add_argument("--display-name", required=True)
    create.add_argument("--private", action="store_true")
