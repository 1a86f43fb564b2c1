"""The `python -m hub` command line: serving, migrations and administration of the configured database.

Like `mmctl --local`, the administrative commands act with system-admin rights and no login: whoever
can read config.json can already reach the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy.orm import Session

from hub import config as hub_config
from hub import models
from hub.errors import AppError
from hub.ids import is_valid_id
from hub.permissions import Actor
from hub.services import Hub
from hub.services import outgoing_webhooks
from hub.services.users import user_not_found
from hub.services.webhooks import EventFilter
from hub.services.webhooks import to_api as hook_to_api
from hub.store import check_connection
from hub.worker import DeliveryLoop
from webhooks.adapters import registry as adapter_registry

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "server" / "gunicorn_conf.py"
LOCAL_ACTOR = Actor(user_id="", roles="system_admin system_user")
PAGE_SIZE = 200


def _open_hub(config: hub_config.Config) -> Hub:
    """A hub on a reachable database at the current schema (migrating is a no-op when it already is)."""
    hub = Hub(config)
    check_connection(hub.store)
    hub.store.migrate()
    return hub


def _paged(fetch: Callable[[int], list]) -> Iterator:
    page = 0
    while True:
        rows = fetch(page)
        yield from rows
        if len(rows) < PAGE_SIZE:
            return
        page += 1


def _find_user(hub: Hub, ref: str) -> models.User:
    """A user by username, email or id, as mmctl accepts any of them."""
    lookups: list[Callable[[str], models.User]] = [hub.users.by_username]
    if "@" in ref:
        lookups.insert(0, hub.users.by_email)
    if is_valid_id(ref):
        lookups.append(hub.users.get)
    for lookup in lookups:
        try:
            return lookup(ref)
        except AppError as exc:
            if exc.status_code != 404:
                raise
    raise user_not_found(f"user={ref}")


def _find_team(hub: Hub, s: Session, ref: str) -> models.Team:
    try:
        return hub.teams.load_by_name(s, ref)
    except AppError:
        if not is_valid_id(ref):
            raise
        return hub.teams.load(s, ref)


def _find_channel(hub: Hub, ref: str) -> models.Channel:
    """A channel as TEAM:CHANNEL (team name or id, channel name) or by id, as mmctl accepts them."""
    team_ref, separator, name = ref.rpartition(":")
    if not separator:
        return hub.channels.get(LOCAL_ACTOR, ref)
    with hub.store.read() as s:
        team_id = _find_team(hub, s, team_ref).id
    return hub.channels.by_name(LOCAL_ACTOR, team_id, name)


def _channel_ref(s: Session, channel_id: str) -> str:
    channel = s.get(models.Channel, channel_id)
    team = s.get(models.Team, channel.team_id)
    return f"{team.name}:{channel.name}"


def _describe_user(user: models.User) -> str:
    flags = ["system_admin"] if "system_admin" in user.roles.split() else []
    if not user.is_active:
        flags.append("deactivated")
    suffix = f" [{', '.join(flags)}]" if flags else ""
    return f"{user.id}: {user.username} ({user.email}){suffix}"


# ---- serve and db ------------------------------------------------------------------------------
def cmd_serve(config: hub_config.Config, _args: argparse.Namespace) -> int:
    hub = _open_hub(config)
    try:
        has_users = bool(hub.users.list(LOCAL_ACTOR, {"per_page": 1}))
    finally:
        hub.close()
    print(f"Hubbub is starting on {config.site_url} (database: {config['SqlSettings']['DriverName']})")
    if not has_users:
        print(
            "No account exists yet. Create the first system admin with\n"
            "  python -m hub user create --email EMAIL --username NAME --password PASSWORD --system-admin\n"
            f"or sign up at {config.site_url}: the first account becomes the system admin."
        )
    sys.stdout.flush()
    # A fresh interpreter, so that gevent patches the worker before psycopg or requests are imported.
    argv = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "server.wsgi:app"]
    os.execv(sys.executable, argv)


def cmd_worker(config: hub_config.Config, _args: argparse.Namespace) -> int:
    """The worker process: an asyncio program whose jobs (the delivery loop for now) stop on SIGTERM/SIGINT."""
    if config["CacheSettings"]["CacheType"] != "redis":
        # With the in-process bus, the posts an answer makes here would never reach the web's clients.
        raise AppError(
            "cli.worker.needs_redis",
            "The worker process needs CacheSettings.CacheType redis; without it the web process sends the "
            "deliveries itself.",
            400,
        )
    hub = _open_hub(config)
    stop = threading.Event()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        print("Hubbub worker is running (deliveries).", flush=True)
        await asyncio.to_thread(DeliveryLoop(hub).run, stop)

    try:
        asyncio.run(main())
    finally:
        hub.close()
    return 0


def cmd_db_migrate(config: hub_config.Config, _args: argparse.Namespace) -> int:
    hub = _open_hub(config)
    try:
        print(f"Database is at schema revision {hub.store.current_revision()}.")
    finally:
        hub.close()
    return 0


# ---- users -------------------------------------------------------------------------------------
def cmd_user_create(hub: Hub, args: argparse.Namespace) -> None:
    user = hub.users.create(
        None,
        {"email": args.email, "username": args.username, "password": args.password},
        system_admin=args.system_admin,
        trusted=True,
    )
    print(f"Created user {_describe_user(user)}")


def cmd_user_list(hub: Hub, _args: argparse.Namespace) -> None:
    for user in _paged(lambda page: hub.users.list(LOCAL_ACTOR, {"page": page, "per_page": PAGE_SIZE})):
        print(_describe_user(user))


def _set_user_active(active: bool) -> Callable[[Hub, argparse.Namespace], None]:
    def run(hub: Hub, args: argparse.Namespace) -> None:
        user = _find_user(hub, args.user)
        hub.users.set_active(LOCAL_ACTOR, user.id, active)
        print(f"{'Activated' if active else 'Deactivated'} user {user.username}")

    return run


# ---- teams and channels ------------------------------------------------------------------------
def cmd_team_create(hub: Hub, args: argparse.Namespace) -> None:
    team = hub.teams.create(
        None, {"name": args.name, "display_name": args.display_name, "type": "I" if args.private else "O"}
    )
    print(f"Created team {team.name} ({team.id})")


def cmd_team_add_user(hub: Hub, args: argparse.Namespace) -> None:
    user = _find_user(hub, args.user)
    if not user.is_active:
        raise AppError("api.team.add_user.deactivated", f"User {user.username} is deactivated.", 400)
    with hub.store.write() as s:
        team = _find_team(hub, s, args.team)
        hub.teams.add_member(s, team, user.id)
        team_name = team.name
    print(f"Added {user.username} to team {team_name}")


def cmd_team_list(hub: Hub, _args: argparse.Namespace) -> None:
    for view in _paged(lambda page: hub.teams.list(LOCAL_ACTOR, {"page": page, "per_page": PAGE_SIZE})[0]):
        kind = "open" if view.team.type == "O" else "invite only"
        print(f"{view.team.id}: {view.team.name} ({view.team.display_name}) [{kind}]")


def cmd_channel_create(hub: Hub, args: argparse.Namespace) -> None:
    with hub.store.read() as s:
        team_id = _find_team(hub, s, args.team).id
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


# ---- personal access tokens --------------------------------------------------------------------
def cmd_token_create(hub: Hub, args: argparse.Namespace) -> None:
    user = _find_user(hub, args.user)
    row, token = hub.auth.create_token(None, user.id, args.description)
    print(f"Token for {user.username} (id {row.id}); it is shown only this once:")
    print(token)


def cmd_token_list(hub: Hub, args: argparse.Namespace) -> None:
    user = _find_user(hub, args.user)
    for row in _paged(lambda page: hub.auth.tokens_of(LOCAL_ACTOR, user.id, page, PAGE_SIZE)):
        state = "active" if row.is_active else "disabled"
        print(f"{row.id}: {row.description} [{state}]")


def cmd_token_revoke(hub: Hub, args: argparse.Namespace) -> None:
    hub.auth.revoke_token(LOCAL_ACTOR, args.token_id)
    print(f"Revoked token {args.token_id}")


# ---- bot accounts ------------------------------------------------------------------------------
def _find_bot(hub: Hub, ref: str) -> models.User:
    user = _find_user(hub, ref)
    if not user.is_bot:
        raise AppError("store.sql_bot.get.missing.app_error", f"{user.username} is not a bot.", 404)
    return user


def _default_owner(hub: Hub) -> models.User:
    """Without --owner, the oldest active system admin owns the bot, as the one who runs the server."""
    admins = [
        user for user in _paged(lambda page: hub.users.list(LOCAL_ACTOR, {"page": page, "per_page": PAGE_SIZE,
                                                                          "role": "system_admin", "active": "true",
                                                                          "sort": "create_at"}))
        if not user.is_bot
    ]
    if not admins:
        raise AppError("api.bot.owner_required", "There is no system admin to own the bot: give --owner.", 400)
    return min(admins, key=lambda user: user.create_at)


def cmd_bot_create(hub: Hub, args: argparse.Namespace) -> None:
    owner = _find_user(hub, args.owner) if args.owner else _default_owner(hub)
    fields = {"username": args.username, "display_name": args.display_name, "description": args.description}
    view = hub.bots.create(None, fields, owner_id=owner.id)
    print(f"Created bot {view.user.username} ({view.bot.user_id}), owned by {owner.username}")


def cmd_bot_list(hub: Hub, args: argparse.Namespace) -> None:
    query = {"per_page": PAGE_SIZE, "include_deleted": "true" if args.all else ""}
    for view in _paged(lambda page: hub.bots.list(None, {**query, "page": page})):
        state = " [disabled]" if view.bot.delete_at else ""
        print(f"{view.bot.user_id}: {view.user.username} ({view.user.first_name}) owned by "
              f"{_username_or_id(hub, view.bot.owner_id)}{state}")


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
    bot, owner = _find_bot(hub, args.bot), _find_user(hub, args.owner)
    hub.bots.assign(None, bot.id, owner.id)
    print(f"Bot {bot.username} is now owned by {owner.username}")


def cmd_bot_token(hub: Hub, args: argparse.Namespace) -> None:
    bot = _find_bot(hub, args.bot)
    row, token = hub.auth.create_token(None, bot.id, args.description)
    print(f"Token for bot {bot.username} (id {row.id}); it is shown only this once:")
    print(token)


# ---- incoming webhooks -------------------------------------------------------------------------
def _hook_url(config: hub_config.Config, hook: models.IncomingWebhook) -> str:
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


def cmd_webhook_create_incoming(hub: Hub, args: argparse.Namespace) -> None:
    channel = _find_channel(hub, args.channel)
    owner = _find_user(hub, args.user)
    fields = _hook_fields(args, EventFilter().to_api())
    hook = hub.webhooks.create(LOCAL_ACTOR, {**fields, "channel_id": channel.id, "user_id": owner.id})
    with hub.store.read() as s:
        place = _channel_ref(s, hook.channel_id)
    print(f"Created incoming webhook {hook.id} in {place}, posting as {owner.username}; its URL:")
    print(_hook_url(hub.config, hook))


def cmd_webhook_modify_incoming(hub: Hub, args: argparse.Namespace) -> None:
    current = hub.webhooks.get(LOCAL_ACTOR, args.hook_id)
    fields = _hook_fields(args, hook_to_api(current)["event_filter"])
    if args.channel is not None:
        fields["channel_id"] = _find_channel(hub, args.channel).id
    hook = hub.webhooks.update(LOCAL_ACTOR, current.id, {**fields, "id": current.id})
    print(f"Modified incoming webhook {hook.id}; its URL:")
    print(_hook_url(hub.config, hook))


def cmd_webhook_list(hub: Hub, args: argparse.Namespace) -> None:
    team_id = ""
    if args.team is not None:
        with hub.store.read() as s:
            team_id = _find_team(hub, s, args.team).id
    hooks = _paged(
        lambda page: hub.webhooks.list(LOCAL_ACTOR, {"team_id": team_id, "page": page, "per_page": PAGE_SIZE})
    )
    for hook in hooks:
        with hub.store.read() as s:
            place = _channel_ref(s, hook.channel_id)
        adapter = f" [{hook.adapter}]" if hook.adapter else ""
        print(f"{hook.id}: {place} ({hook.display_name}){adapter}")
    if not hub.config["ServiceSettings"]["EnableOutgoingWebhooks"]:
        return
    outgoing = _paged(
        lambda page: hub.outgoing_webhooks.list(
            LOCAL_ACTOR, {"team_id": team_id, "page": page, "per_page": PAGE_SIZE}
        )
    )
    for hook in outgoing:
        with hub.store.read() as s:
            place = _outgoing_place(s, hook)
        words = ", ".join(hook.trigger_words) or "every post"
        disabled = f" [disabled: {hook.disabled_reason}]" if hook.disabled_reason else ""
        print(f"{hook.id}: {place} ({hook.display_name}) [outgoing on {words}]{disabled}")


def _is_outgoing(hub: Hub, hook_id: str) -> bool:
    """Hook ids are unique across both kinds, so the id tells which one a command means."""
    with hub.store.read() as s:
        return is_valid_id(hook_id) and s.get(models.OutgoingWebhook, hook_id) is not None


def cmd_webhook_show(hub: Hub, args: argparse.Namespace) -> None:
    if _is_outgoing(hub, args.hook_id):
        shown = outgoing_webhooks.to_api(hub.outgoing_webhooks.get(LOCAL_ACTOR, args.hook_id))
    else:
        shown = hook_to_api(hub.webhooks.get(LOCAL_ACTOR, args.hook_id))
    print(json.dumps(shown, indent=2))


def cmd_webhook_delete(hub: Hub, args: argparse.Namespace) -> None:
    if _is_outgoing(hub, args.hook_id):
        hub.outgoing_webhooks.delete(LOCAL_ACTOR, args.hook_id)
        print(f"Deleted outgoing webhook {args.hook_id}")
        return
    hub.webhooks.delete(LOCAL_ACTOR, args.hook_id)
    print(f"Deleted incoming webhook {args.hook_id}")


# ---- outgoing webhooks -------------------------------------------------------------------------
TRIGGER_WHEN = {
    "exact": outgoing_webhooks.TRIGGER_WHEN_EXACT,
    "start": outgoing_webhooks.TRIGGER_WHEN_STARTS_WITH,
}


def _outgoing_place(s: Session, hook: models.OutgoingWebhook) -> str:
    if hook.channel_id:
        return _channel_ref(s, hook.channel_id)
    return f"{s.get(models.Team, hook.team_id).name} (every public channel)"


def _outgoing_fields(hub: Hub, args: argparse.Namespace) -> dict[str, Any]:
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
        fields["channel_id"] = _find_channel(hub, args.channel).id if args.channel else ""
    return fields


def _print_outgoing(hub: Hub, verb: str, hook: models.OutgoingWebhook) -> None:
    with hub.store.read() as s:
        place = _outgoing_place(s, hook)
    print(f"{verb} outgoing webhook {hook.id} in {place}; the token its callbacks receive:")
    print(hook.token)


def _print_signing_secret(signing_secret: str) -> None:
    # Printed only when it is made: nothing shows it again, so a leak has to come from its receiver.
    print("The secret that signs its requests (shown only now; keep it with the receiver):")
    print(signing_secret)


def cmd_webhook_create_outgoing(hub: Hub, args: argparse.Namespace) -> None:
    with hub.store.read() as s:
        team_id = _find_team(hub, s, args.team).id
    creator = _find_user(hub, args.user)
    fields = {**_outgoing_fields(hub, args), "team_id": team_id, "creator_id": creator.id}
    hook = hub.outgoing_webhooks.create(LOCAL_ACTOR, fields)
    _print_outgoing(hub, "Created", hook)
    _print_signing_secret(hook.signing_secret)


def cmd_webhook_regen_token(hub: Hub, args: argparse.Namespace) -> None:
    _print_outgoing(hub, "New token for", hub.outgoing_webhooks.regenerate_token(LOCAL_ACTOR, args.hook_id))


def cmd_webhook_regen_signing_secret(hub: Hub, args: argparse.Namespace) -> None:
    hook = hub.outgoing_webhooks.regenerate_signing_secret(LOCAL_ACTOR, args.hook_id)
    print(f"New signing secret for outgoing webhook {hook.id}; the old one no longer verifies.")
    _print_signing_secret(hook.signing_secret)


def cmd_webhook_modify_outgoing(hub: Hub, args: argparse.Namespace) -> None:
    current = hub.outgoing_webhooks.get(LOCAL_ACTOR, args.hook_id)
    fields = _outgoing_fields(hub, args)
    if args.enable:
        fields["disabled_reason"] = ""
    hook = hub.outgoing_webhooks.update(LOCAL_ACTOR, current.id, {**fields, "id": current.id})
    _print_outgoing(hub, "Modified", hook)


# ---- configuration -----------------------------------------------------------------------------
def _print_value(value: Any) -> None:
    print(value if isinstance(value, str) else json.dumps(value))


def cmd_config_get(config: hub_config.Config, args: argparse.Namespace) -> int:
    _print_value(config.get(args.key))
    return 0


def cmd_config_set(config: hub_config.Config, args: argparse.Namespace) -> int:
    """Changes the file only: an MM_* variable set for the same key still wins at run time."""
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


# ---- wiring ------------------------------------------------------------------------------------
def _with_hub(command: Callable[[Hub, argparse.Namespace], None]) -> Callable[[hub_config.Config, argparse.Namespace], int]:
    def run(config: hub_config.Config, args: argparse.Namespace) -> int:
        hub = _open_hub(config)
        try:
            command(hub, args)
        finally:
            hub.close()
        return 0

    return run


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


def _add_outgoing_options(parser: argparse.ArgumentParser, *, modifying: bool) -> None:
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
        "--content-type",
        choices=[outgoing_webhooks.FORM_CONTENT_TYPE, outgoing_webhooks.JSON_CONTENT_TYPE],
        help="how the post is sent",
    )
    parser.add_argument("--display-name")
    parser.add_argument("--description")
    parser.add_argument("--icon", metavar="URL", help="the answers' icon")
    parser.add_argument("--username", metavar="NAME", help="the name the answers show")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hub",
        description="Hubbub server and administration. The configuration file is config/config.json, "
        "or the file named by MM_CONFIG; MM_<SECTION>_<SETTING> variables override its settings.",
    )
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")

    def command(sub, name: str, handler, help_text: str) -> argparse.ArgumentParser:
        made = sub.add_parser(name, help=help_text, description=help_text)
        made.set_defaults(handler=handler)
        return made

    def group(name: str, help_text: str):
        return groups.add_parser(name, help=help_text).add_subparsers(dest="command", required=True, metavar="ACTION")

    command(groups, "serve", cmd_serve, "Migrate the database and serve HTTP with gunicorn and gevent.")

    command(groups, "worker", cmd_worker, "Run the background jobs (deliveries to integrations); needs Redis.")

    db = group("db", "Database schema.")
    command(db, "migrate", cmd_db_migrate, "Upgrade the database schema to the latest revision.")

    user = group("user", "Accounts.")
    create = command(user, "create", _with_hub(cmd_user_create), "Create an account.")
    create.add_argument("--email", required=True)
    create.add_argument("--username", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--system-admin", action="store_true", help="give the account the system_admin role")
    command(user, "list", _with_hub(cmd_user_list), "List every account.")
    for name, active in (("deactivate", False), ("activate", True)):
        action = command(user, name, _with_hub(_set_user_active(active)), f"{name.capitalize()} an account.")
        action.add_argument("user", help="username, email or id")

    team = group("team", "Teams.")
    create = command(team, "create", _with_hub(cmd_team_create), "Create a team.")
    create.add_argument("--name", required=True)
    create.add_argument("--display-name", required=True)
    create.add_argument("--private", action="store_true", help="invite only")
    add_user = command(team, "add-user", _with_hub(cmd_team_add_user), "Add an account to a team.")
    add_user.add_argument("team", help="team name or id")
    add_user.add_argument("user", help="username, email or id")
    command(team, "list", _with_hub(cmd_team_list), "List the teams.")

    channel = group("channel", "Channels.")
    create = command(channel, "create", _with_hub(cmd_channel_create), "Create a channel in a team.")
    create.add_argument("--team", required=True, help="team name or id")
    create.add_argument("--name", required=True)
    create.add_argument("--display-name", required=True)
    create.add_argument("--private", action="store_true")

    token = group("token", "Personal access tokens.")
    create = command(token, "create", _with_hub(cmd_token_create), "Create a token; it is printed once.")
    create.add_argument("user", help="username, email or id")
    create.add_argument("--description", required=True)
    listing = command(token, "list", _with_hub(cmd_token_list), "List a user's tokens.")
    listing.add_argument("user", help="username, email or id")
    revoke = command(token, "revoke", _with_hub(cmd_token_revoke), "Revoke a token.")
    revoke.add_argument("token_id")

    bot = group("bot", "Bot accounts.")
    create = command(bot, "create", _with_hub(cmd_bot_create), "Create a bot account.")
    create.add_argument("username")
    create.add_argument("--display-name", default="")
    create.add_argument("--description", default="")
    create.add_argument("--owner", help="username, email or id (default: the first system admin)")
    listing = command(bot, "list", _with_hub(cmd_bot_list), "List the bot accounts.")
    listing.add_argument("--all", action="store_true", help="disabled bots too")
    for name, active in (("disable", False), ("enable", True)):
        action = command(bot, name, _with_hub(_set_bot_active(active)), f"{name.capitalize()} a bot account.")
        action.add_argument("bot", help="username or id")
    assign = command(bot, "assign", _with_hub(cmd_bot_assign), "Give a bot to another owner.")
    assign.add_argument("bot", help="username or id")
    assign.add_argument("owner", help="username, email or id")
    token = command(bot, "token", _with_hub(cmd_bot_token), "Create a token for a bot; it is printed once.")
    token.add_argument("bot", help="username or id")
    token.add_argument("--description", required=True)

    webhook = group("webhook", "Incoming and outgoing webhooks.")
    create = command(
        webhook, "create-incoming", _with_hub(cmd_webhook_create_incoming), "Create an incoming webhook."
    )
    create.add_argument("--channel", required=True, help="TEAM:CHANNEL or channel id")
    create.add_argument("--user", required=True, help="the account the hook posts as: username, email or id")
    _add_hook_options(create, modifying=False)
    listing = command(webhook, "list", _with_hub(cmd_webhook_list), "List webhooks (of one team).")
    listing.add_argument("team", nargs="?", help="team name or id")
    show = command(webhook, "show", _with_hub(cmd_webhook_show), "Print a webhook as JSON.")
    show.add_argument("hook_id")
    modify = command(
        webhook, "modify-incoming", _with_hub(cmd_webhook_modify_incoming), "Change an incoming webhook."
    )
    modify.add_argument("hook_id")
    modify.add_argument("--channel", help="TEAM:CHANNEL or channel id, in the hook's team")
    _add_hook_options(modify, modifying=True)
    delete = command(webhook, "delete", _with_hub(cmd_webhook_delete), "Delete a webhook.")
    delete.add_argument("hook_id")
    create = command(
        webhook, "create-outgoing", _with_hub(cmd_webhook_create_outgoing), "Create an outgoing webhook."
    )
    create.add_argument("--team", required=True, help="team name or id")
    create.add_argument("--user", required=True, help="who the answers are posted as: username, email or id")
    create.add_argument("--url", action="append", required=True, help="a callback URL (repeat for several)")
    _add_outgoing_options(create, modifying=False)
    modify = command(
        webhook, "modify-outgoing", _with_hub(cmd_webhook_modify_outgoing), "Change an outgoing webhook."
    )
    modify.add_argument("hook_id")
    modify.add_argument("--url", action="append", help="a callback URL (repeat for several); replaces all")
    modify.add_argument("--enable", action="store_true", help="switch a hook back on after failures")
    _add_outgoing_options(modify, modifying=True)
    regen = command(
        webhook, "regen-token", _with_hub(cmd_webhook_regen_token), "Give an outgoing webhook a new token."
    )
    regen.add_argument("hook_id")
    regen_secret = command(
        webhook,
        "regen-signing-secret",
        _with_hub(cmd_webhook_regen_signing_secret),
        "Give an outgoing webhook a new signing secret; it is printed once.",
    )
    regen_secret.add_argument("hook_id")

    settings = group("config", "Settings in config.json.")
    get = command(settings, "get", cmd_config_get, "Print one setting (environment overrides applied).")
    get.add_argument("key", metavar="Section.Setting")
    set_ = command(settings, "set", cmd_config_set, "Change one setting in the configuration file.")
    set_.add_argument("key", metavar="Section.Setting")
    set_.add_argument("value")
    command(settings, "show", cmd_config_show, "Print the whole configuration (environment overrides applied).")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        path = hub_config.config_path()
        first_start = not path.exists()
        config = hub_config.load()
        if first_start:
            print(f"Created {path} with the default settings.", file=sys.stderr)
        logging.basicConfig(level=config["LogSettings"]["ConsoleLevel"].upper(), format="%(levelname)s %(name)s: %(message)s")
        # Alembic announces each of its plugins at INFO on every run.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
        return args.handler(config, args)
    except AppError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        return 1
