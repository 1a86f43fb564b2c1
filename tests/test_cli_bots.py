"""`python -m hub bot ...`: bot accounts from the command line."""

from __future__ import annotations

import pytest

from hub.errors import AppError
from tests.cli_support import fails
from tests.fixtures import PASSWORD


def test_bot_create_list_token_disable_enable_assign(db_config, run, hub):
    run(
        "user",
        "create",
        "--email",
        "root@example.com",
        "--username",
        "root",
        "--password",
        PASSWORD,
        "--system-admin",
    )
    run("user", "create", "--email", "ops@example.com", "--username", "ops", "--password", PASSWORD)
    created = run("bot", "create", "ci-bot", "--display-name", "CI", "--description", "Builds")
    assert created.code == 0, created.err
    bot = hub.users.by_username("ci-bot")
    assert created.out == f"Created bot ci-bot ({bot.id}), owned by root\n"
    assert (bot.is_bot, bot.first_name, bot.bot_description) == (True, "CI", "Builds")
    assert run("bot", "list").out == f"{bot.id}: ci-bot (CI) owned by root\n"

    token = run("bot", "token", "ci-bot", "--description", "pipeline")
    assert token.out.splitlines()[0].startswith("Token for bot ci-bot (id ")
    secret = token.out.splitlines()[-1]
    assert hub.auth.resolve(secret)[0].user_id == bot.id

    assert run("bot", "assign", "ci-bot", "ops").out == "Bot ci-bot is now owned by ops\n"
    assert run("bot", "disable", bot.id).out == "Disabled bot ci-bot\n"
    with pytest.raises(AppError):
        hub.auth.resolve(secret)
    assert run("bot", "list").out == ""
    assert run("bot", "list", "--all").out == f"{bot.id}: ci-bot (CI) owned by ops [disabled]\n"
    assert run("bot", "enable", "ci-bot").out == "Enabled bot ci-bot\n"
    assert hub.auth.resolve(secret)[0].user_id == bot.id


def test_bot_errors(db_config, run):
    fails(run("bot", "create", "lonely"), "There is no system admin to own the bot: give --owner.")
    run(
        "user",
        "create",
        "--email",
        "root@example.com",
        "--username",
        "root",
        "--password",
        PASSWORD,
        "--system-admin",
    )
    fails(run("bot", "create", "Bad Name"), "Invalid bot username.")
    fails(run("bot", "disable", "root"), "root is not a bot.")
    fails(run("bot", "create", "x-bot", "--owner", "nobody"), "Unable to find the user.")
