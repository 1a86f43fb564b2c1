"""`user`, `token` and `bot`: accounts, personal access tokens and bot accounts."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from hub import models
from hub.cli.lookups import LOCAL_ACTOR, PAGE_SIZE, describe_user, find_user, paged
from hub.errors import AppError

if TYPE_CHECKING:
    from hub.cli import Cli
    from hub.services import Hub


# ---- users -------------------------------------------------------------------------------------
def cmd_user_create(hub: Hub, args: argparse.Namespace) -> None:
    user = hub.users.create(
        None,
        {"email": args.email, "username": args.username, "password": args.password},
        system_admin=args.system_admin,
        trusted=True,
    )
    print(f"Created user {describe_user(user)}")


def cmd_user_list(hub: Hub, _args: argparse.Namespace) -> None:
    for user in paged(lambda page: hub.users.list(LOCAL_ACTOR, {"page": page, "per_page": PAGE_SIZE})):
        print(describe_user(user))


def _set_user_active(active: bool) -> Callable[[Hub, argparse.Namespace], None]:
    def run(hub: Hub, args: argparse.Namespace) -> None:
        user = find_user(hub, args.user)
        hub.users.set_active(LOCAL_ACTOR, user.id, active)
        print(f"{'Activated' if active else 'Deactivated'} user {user.username}")

    return run


# ---- personal access tokens --------------------------------------------------------------------
def cmd_token_create(hub: Hub, args: argparse.Namespace) -> None:
    user = find_user(hub, args.user)
    row, token = hub.auth.create_token(None, user.id, args.description)
    print(f"Token for {user.username} (id {row.id}); it is shown only this once:")
    print(token)


def cmd_token_list(hub: Hub, args: argparse.Namespace) -> None:
    user = find_user(hub, args.user)
    for row in paged(lambda page: hub.auth.tokens_of(LOCAL_ACTOR, user.id, page, PAGE_SIZE)):
        state = "active" if row.is_active else "disabled"
        print(f"{row.id}: {row.description} [{state}]")


def cmd_token_revoke(hub: Hub, args: argparse.Namespace) -> None:
    hub.auth.revoke_token(LOCAL_ACTOR, args.token_id)
    print(f"Revoked token {args.token_id}")


# ---- bot accounts ------------------------------------------------------------------------------
def _find_bot(hub: Hub, ref: str) -> models.User:
    user = find_user(hub, ref)
    if not user.is_bot:
        raise AppError("store.sql_bot.get.missing.app_error", f"{user.username} is not a bot.", 404)
    return user


def _default_owner(hub: Hub) -> models.User:
    """Without --owner, the oldest active system admin owns the bot, as the one who runs the server."""
    admins = [
        user
        for user in paged(
            lambda page: hub.users.list(
                LOCAL_ACTOR,
                {
                    "page": page,
                    "per_page": PAGE_SIZE,
                    "role": "system_admin",
                    "active": "true",
                    "sort": "create_at",
                },
            )
        )
        if not user.is_bot
    ]
    if not admins:
        raise AppError(
            "api.bot.owner_required", "There is no system admin to own the bot: give --owner.", 400
        )
    return min(admins, key=lambda user: user.create_at)


def cmd_bot_create(hub: Hub, args: argparse.Namespace) -> None:
    owner = find_user(hub, args.owner) if args.owner else _default_owner(hub)
    fields = {"username": args.username, "display_name": args.display_name, "description": args.description}
    view = hub.bots.create(None, fields, owner_id=owner.id)
    print(f"Created bot {view.user.username} ({view.bot.user_id}), owned by {owner.username}")


def cmd_bot_list(hub: Hub, args: argparse.Namespace) -> None:
    query = {"per_page": PAGE_SIZE, "include_deleted": "true" if args.all else ""}
    for view in paged(lambda page: hub.bots.list(None, {**query, "page": page})):
        state = " [disabled]" if view.bot.delete_at else ""
        print(
            f"{view.bot.user_id}: {view.user.username} ({view.user.first_name}) owned by "
            f"{_username_or_id(hub, view.bot.owner_id)}{state}"
        )


def _username_or_id(hub: Hub, user_id: str) -> str:
    try:
        return hub.users.get(user_id).username
    except AppError:  # an owner that is not an account (Mattermost lets plugins own bots)
        return user_id


def _set_bot_active(active: bool) -> Callable[[Hub, argparse.Namespace], None]:
    def run(hub: Hub, args: argparse.Namespace) -> None:
        bot = _find_bot(hub, args.bot)
        hub.bots.set_active(None, bot.id, active)
        print(f"{'Enabled' if active else 'Disabled'} bot {bot.username}")

    return run


def cmd_bot_assign(hub: Hub, args: argparse.Namespace) -> None:
    bot, owner = _find_bot(hub, args.bot), find_user(hub, args.owner)
    hub.bots.assign(None, bot.id, owner.id)
    print(f"Bot {bot.username} is now owned by {owner.username}")


def cmd_bot_token(hub: Hub, args: argparse.Namespace) -> None:
    bot = _find_bot(hub, args.bot)
    row, token = hub.auth.create_token(None, bot.id, args.description)
    print(f"Token for bot {bot.username} (id {row.id}); it is shown only this once:")
    print(token)


def register(cli: Cli) -> None:
    user = cli.group("user", "Accounts.")
    create = cli.hub_command(user, "create", cmd_user_create, "Create an account.")
    create.add_argument("--email", required=True)
    create.add_argument("--username", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--system-admin", action="store_true", help="give the account the system_admin role")
    cli.hub_command(user, "list", cmd_user_list, "List every account.")
    for name, active in (("deactivate", False), ("activate", True)):
        action = cli.hub_command(user, name, _set_user_active(active), f"{name.capitalize()} an account.")
        action.add_argument("user", help="username, email or id")

    token = cli.group("token", "Personal access tokens.")
    create = cli.hub_command(token, "create", cmd_token_create, "Create a token; it is printed once.")
    create.add_argument("user", help="username, email or id")
    create.add_argument("--description", required=True)
    listing = cli.hub_command(token, "list", cmd_token_list, "List a user's tokens.")
    listing.add_argument("user", help="username, email or id")
    revoke = cli.hub_command(token, "revoke", cmd_token_revoke, "Revoke a token.")
    revoke.add_argument("token_id")

    bot = cli.group("bot", "Bot accounts.")
    create = cli.hub_command(bot, "create", cmd_bot_create, "Create a bot account.")
    create.add_argument("username")
    create.add_argument("--display-name", default="")
    create.add_argument("--description", default="")
    create.add_argument("--owner", help="username, email or id (default: the first system admin)")
    listing = cli.hub_command(bot, "list", cmd_bot_list, "List the bot accounts.")
    listing.add_argument("--all", action="store_true", help="disabled bots too")
    for name, active in (("disable", False), ("enable", True)):
        action = cli.hub_command(bot, name, _set_bot_active(active), f"{name.capitalize()} a bot account.")
        action.add_argument("bot", help="username or id")
    assign = cli.hub_command(bot, "assign", cmd_bot_assign, "Give a bot to another owner.")
    assign.add_argument("bot", help="username or id")
    assign.add_argument("owner", help="username, email or id")
    token = cli.hub_command(bot, "token", cmd_bot_token, "Create a token for a bot; it is printed once.")
    token.add_argument("bot", help="username or id")
    token.add_argument("--description", required=True)
