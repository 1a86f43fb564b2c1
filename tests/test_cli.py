"""`python -m hub` commands, run in-process against a config.json that points at the test database."""

from __future__ import annotations

import json

import pytest
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select

from hub import models
from hub.errors import AppError
from hubbub import main
from tests.cli_support import fails
from tests.fixtures import PASSWORD


def test_db_migrate_creates_the_schema_of_a_new_database(config_file, run, tmp_path):
    db_path = tmp_path / "new" / "hubbub.db"
    config_file.parent.mkdir(parents=True)
    config_file.write_text(json.dumps({"SqlSettings": {"DriverName": "sqlite3", "DataSource": str(db_path)}}))
    result = run("db", "migrate")
    assert result.code == 0
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert revision is not None
    assert result.out == f"Database is at schema revision {revision}.\n"
    assert set(models.Base.metadata.tables) <= tables
    assert run("db", "migrate").out == result.out


def test_user_create_list_deactivate_and_activate(db_config, run, hub):
    created = run(
        "user",
        "create",
        "--email",
        "Boss@Example.com",
        "--username",
        "boss",
        "--password",
        PASSWORD,
        "--system-admin",
    )
    assert created.code == 0
    boss = hub.users.by_username("boss")
    assert created.out == f"Created user {boss.id}: boss (boss@example.com) [system_admin]\n"
    assert boss.roles == "system_admin system_user"
    assert boss.email_verified

    assert (
        run("user", "create", "--email", "w@example.com", "--username", "worker", "--password", PASSWORD).code
        == 0
    )
    worker = hub.users.by_username("worker")
    assert worker.roles == "system_user"

    listed = run("user", "list")
    assert listed.out.splitlines() == [
        f"{boss.id}: boss (boss@example.com) [system_admin]",
        f"{worker.id}: worker (w@example.com)",
    ]

    assert run("user", "deactivate", "w@example.com").out == "Deactivated user worker\n"
    assert not hub.users.get(worker.id).is_active
    assert f"{worker.id}: worker (w@example.com) [deactivated]" in run("user", "list").out
    assert run("user", "activate", worker.id).out == "Activated user worker\n"
    assert hub.users.get(worker.id).is_active


def test_user_errors_are_one_line_and_exit_1(db_config, run):
    assert (
        run("user", "create", "--email", "a@example.com", "--username", "alice", "--password", PASSWORD).code
        == 0
    )
    fails(
        run("user", "create", "--email", "b@example.com", "--username", "alice", "--password", PASSWORD),
        "An account with that username already exists.",
    )
    short = run("user", "create", "--email", "c@example.com", "--username", "carol", "--password", "x")
    assert short.code == 1 and short.err.startswith("Error: ")
    fails(run("user", "deactivate", "nobody"), "Unable to find the user.")
    fails(run("user", "deactivate", "a" * 26), "Unable to find the user.")


def test_teams_and_channels(db_config, run, hub):
    run("user", "create", "--email", "a@example.com", "--username", "alice", "--password", PASSWORD)
    alice = hub.users.by_username("alice")
    assert run("team", "create", "--name", "eng", "--display-name", "Engineering").code == 0
    assert run("team", "create", "--name", "board", "--display-name", "Board", "--private").code == 0
    with hub.store.read() as s:
        eng = hub.teams.load_by_name(s, "eng")
        board = hub.teams.load_by_name(s, "board")
    assert (eng.type, board.type) == ("O", "I")
    assert run("team", "list").out.splitlines() == [
        f"{board.id}: board (Board) [invite only]",
        f"{eng.id}: eng (Engineering) [open]",
    ]

    assert run("team", "add-user", "eng", "alice").out == "Added alice to team eng\n"
    assert run("team", "add-user", board.id, alice.id).code == 0
    with hub.store.read() as s:
        assert hub.teams.is_member(s, eng.id, alice.id)
        assert hub.teams.is_member(s, board.id, alice.id)
        joined = set(
            s.scalars(
                select(models.Channel.name)
                .join(models.ChannelMember, models.ChannelMember.channel_id == models.Channel.id)
                .where(models.ChannelMember.user_id == alice.id, models.Channel.team_id == eng.id)
            )
        )
    assert joined == {"town-square", "off-topic"}

    created = run(
        "channel", "create", "--team", "eng", "--name", "deploys", "--display-name", "Deploys", "--private"
    )
    assert created.code == 0
    with hub.store.read() as s:
        channel = s.scalar(select(models.Channel).where(models.Channel.name == "deploys"))
        members = s.scalars(
            select(models.ChannelMember).where(models.ChannelMember.channel_id == channel.id)
        ).all()
    assert created.out == f"Created channel eng:deploys ({channel.id})\n"
    assert (channel.team_id, channel.type, channel.display_name, channel.creator_id) == (
        eng.id,
        "P",
        "Deploys",
        "",
    )
    assert members == []


def test_team_and_channel_errors(db_config, run):
    run("user", "create", "--email", "a@example.com", "--username", "alice", "--password", PASSWORD)
    run("team", "create", "--name", "eng", "--display-name", "Engineering")
    fails(
        run("team", "create", "--name", "eng", "--display-name", "Again"),
        "A team with that name already exists.",
    )
    fails(run("team", "add-user", "nope", "alice"), "Unable to find the existing team.")
    fails(run("team", "add-user", "eng", "nobody"), "Unable to find the user.")
    run("user", "deactivate", "alice")
    fails(run("team", "add-user", "eng", "alice"), "User alice is deactivated.")
    fails(
        run("channel", "create", "--team", "nope", "--name", "x-y", "--display-name", "X"),
        "Unable to find the existing team.",
    )
    run("channel", "create", "--team", "eng", "--name", "deploys", "--display-name", "Deploys")
    fails(
        run("channel", "create", "--team", "eng", "--name", "deploys", "--display-name", "Deploys"),
        "A channel with that name already exists on the same team.",
    )


def test_tokens_are_printed_once_listed_and_revoked(db_config, run, hub):
    run("user", "create", "--email", "bot@example.com", "--username", "ci-bot", "--password", PASSWORD)
    user = hub.users.by_username("ci-bot")
    created = run("token", "create", "ci-bot", "--description", "deploys")
    assert created.code == 0
    token = created.out.splitlines()[-1]
    actor, _ = hub.auth.resolve(token)
    assert actor.user_id == user.id
    with hub.store.read() as s:
        row = s.scalar(select(models.UserAccessToken).where(models.UserAccessToken.user_id == user.id))
    assert created.out.splitlines()[0] == f"Token for ci-bot (id {row.id}); it is shown only this once:"
    assert token not in run("token", "list", "bot@example.com").out
    assert run("token", "list", "ci-bot").out == f"{row.id}: deploys [active]\n"

    assert run("token", "revoke", row.id).out == f"Revoked token {row.id}\n"
    assert run("token", "list", "ci-bot").out == ""
    with pytest.raises(AppError):
        hub.auth.resolve(token)
    fails(run("token", "revoke", row.id), "Unable to find the token.")
    fails(run("token", "revoke", "not-an-id"), "Invalid or missing token_id in request.")
    fails(run("token", "create", "ci-bot", "--description", ""), "Invalid or missing description in request.")


def test_config_set_writes_the_file_and_keeps_unknown_keys(config_file, run):
    config_file.parent.mkdir(parents=True)
    config_file.write_text(
        json.dumps({"TeamSettings": {"SiteName": "Old"}, "PluginSettings": {"Enable": True}})
    )
    result = run("config", "set", "TeamSettings.SiteName", "My Hub")
    assert result.code == 0
    assert result.out == f'TeamSettings.SiteName = "My Hub" (saved to {config_file})\n'
    saved = json.loads(config_file.read_text())
    assert saved["TeamSettings"]["SiteName"] == "My Hub"
    assert saved["PluginSettings"] == {"Enable": True}
    assert run("config", "get", "TeamSettings.SiteName").out == "My Hub\n"

    assert run("config", "set", "CacheSettings.CacheType", "redis").code != 0
    assert run("config", "set", "CacheSettings.RedisAddress", "127.0.0.1:6379").code == 0
    assert run("config", "set", "CacheSettings.CacheType", "redis").code == 0
    assert run("config", "set", "ServiceSettings.WebserverWorkers", "4").code == 0
    assert run("config", "set", "RateLimitSettings.Enable", "true").code == 0
    assert run("config", "get", "ServiceSettings.WebserverWorkers").out == "4\n"
    assert run("config", "get", "RateLimitSettings.Enable").out == "true\n"
    assert json.loads(config_file.read_text())["ServiceSettings"]["WebserverWorkers"] == 4


def test_config_environment_overrides_are_shown_but_never_saved(config_file, run, clean_env):
    run("config", "show")
    clean_env.setenv("MM_TEAMSETTINGS_SITENAME", "From Env")
    assert run("config", "get", "TeamSettings.SiteName").out == "From Env\n"
    assert json.loads(run("config", "show").out)["TeamSettings"]["SiteName"] == "From Env"
    result = run("config", "set", "TeamSettings.SiteName", "In File")
    assert result.code == 0
    assert result.err == "Note: MM_TEAMSETTINGS_SITENAME is set and overrides this value while it is.\n"
    assert run("config", "get", "TeamSettings.SiteName").out == "From Env\n"
    assert json.loads(config_file.read_text())["TeamSettings"]["SiteName"] == "In File"
    clean_env.delenv("MM_TEAMSETTINGS_SITENAME")
    assert run("config", "get", "TeamSettings.SiteName").out == "In File\n"


def test_config_refuses_unknown_keys_and_invalid_values(config_file, run):
    run("config", "show")
    before = config_file.read_text()
    fails(run("config", "get", "TeamSettings.Nope"), "Unknown configuration key TeamSettings.Nope.")
    fails(run("config", "set", "TeamSettings.Nope", "1"), "Unknown configuration key TeamSettings.Nope.")
    fails(
        run("config", "set", "PasswordSettings.MinimumLength", "2"),
        "Invalid configuration value for PasswordSettings.MinimumLength: must be between 5 and 72",
    )
    fails(
        run("config", "set", "ServiceSettings.WebserverWorkers", "many"),
        "Invalid configuration value for ServiceSettings.WebserverWorkers: expected a whole number, got 'many'",
    )
    assert config_file.read_text() == before


def test_first_command_creates_the_default_config(config_file, run):
    result = run("config", "show")
    assert result.code == 0
    assert result.err == f"Created {config_file} with the default settings.\n"
    shown = json.loads(result.out)
    assert shown["SqlSettings"]["DriverName"] == "sqlite3"
    assert json.loads(config_file.read_text()) == shown
    assert run("config", "show").err == ""


def test_an_unreachable_database_is_an_error_not_a_traceback(config_file, run):
    config_file.parent.mkdir(parents=True)
    config_file.write_text(
        json.dumps(
            {"SqlSettings": {"DriverName": "postgres", "DataSource": "postgres://nobody@127.0.0.1:1/none"}}
        )
    )
    result = run("user", "list")
    assert result.code == 1
    assert result.err.startswith("Error: Unable to connect to the postgresql database:")


def test_an_invalid_environment_value_names_the_variable_key(config_file, run, clean_env):
    clean_env.setenv("MM_SQLSETTINGS_DRIVERNAME", "oracle")
    fails(
        run("config", "show"),
        "Invalid configuration value for SqlSettings.DriverName: must be one of sqlite3, postgres, mysql",
    )


def test_usage_errors_exit_2(run, config_file, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["user", "create", "--email", "a@example.com"])
    assert exit_info.value.code == 2
    assert "required" in capsys.readouterr().err
