"""`python -m hub webhook ...` for outgoing webhooks, run in-process against a config.json on the test
database (the fixtures of tests/cli_support.py)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hub import models
from hub.cli.lookups import LOCAL_ACTOR
from tests.cli_support import fails
from tests.fixtures import PASSWORD
from webhooks import outgoing
from webhooks.outgoing.service import to_api

CALLBACK = "https://ci.example.com/hook"


@pytest.fixture
def crew(db_config, run):
    """Team crew with the public channel builds, the private channel vault and the member carol;
    team other with a channel other:lobby."""
    run("user", "create", "--email", "carol@example.com", "--username", "carol", "--password", PASSWORD)
    run("team", "create", "--name", "crew", "--display-name", "Crew")
    run("team", "create", "--name", "other", "--display-name", "Other")
    run("team", "add-user", "crew", "carol")
    for team, name, *private in (("crew", "builds"), ("crew", "vault", "--private"), ("other", "lobby")):
        title = name.title()
        created = run("channel", "create", "--team", team, "--name", name, "--display-name", title, *private)
        assert created.code == 0, created.err


def _channel_id(hub, team_name: str, name: str) -> str:
    with hub.store.read() as s:
        team = hub.teams.load_by_name(s, team_name)
        return s.scalar(
            select(models.Channel.id).where(models.Channel.team_id == team.id, models.Channel.name == name)
        )


def _create(run, *options: str):
    return run("webhook", "create-outgoing", "--team", "crew", "--user", "carol", *options)


def _hook_id(result) -> str:
    assert result.code == 0, result.err
    return result.out.splitlines()[0].split()[3]


def test_create_modify_show_list_and_delete(crew, run, hub):
    created = _create(
        run, "--url", CALLBACK, "--url", "http://second.example.com/x", "--trigger-word", "deploy",
        "--trigger-word", "ship", "--trigger-when", "start", "--display-name", "Deployer",
        "--description", "ships builds", "--content-type", "application/json", "--icon",
        "https://example.com/i.png", "--username", "shipbot",
    )  # fmt: skip
    hook_id = _hook_id(created)
    hook = outgoing.service(hub).get(LOCAL_ACTOR, hook_id)
    assert created.out.splitlines() == [
        f"Created outgoing webhook {hook_id} in crew (every public channel); "
        "the token its callbacks receive:",
        hook.token,
        "The secret that signs its requests (shown only now; keep it with the receiver):",
        hook.signing_secret,
    ]
    carol = hub.users.by_username("carol")
    assert (hook.creator_id, hook.channel_id) == (carol.id, "")
    assert (hook.trigger_words, hook.trigger_when) == (["deploy", "ship"], 1)
    assert hook.callback_urls == [CALLBACK, "http://second.example.com/x"]
    assert (hook.display_name, hook.description) == ("Deployer", "ships builds")
    assert hook.content_type == "application/json"
    assert (hook.icon_url, hook.username) == ("https://example.com/i.png", "shipbot")

    shown = run("webhook", "show", hook_id)
    assert json.loads(shown.out) == to_api(hook)

    builds = _channel_id(hub, "crew", "builds")
    modified = run(
        "webhook", "modify-outgoing", hook_id, "--channel", "crew:builds", "--trigger-word", "release",
        "--trigger-when", "exact", "--url", "https://third.example.com/", "--display-name", "Releaser",
    )  # fmt: skip
    assert modified.code == 0, modified.err
    assert modified.out.splitlines()[0] == (
        f"Modified outgoing webhook {hook_id} in crew:builds; the token its callbacks receive:"
    )
    hook = outgoing.service(hub).get(LOCAL_ACTOR, hook_id)
    assert (hook.channel_id, hook.trigger_words, hook.trigger_when) == (builds, ["release"], 0)
    assert (hook.callback_urls, hook.display_name, hook.description) == (
        ["https://third.example.com/"],
        "Releaser",
        "ships builds",
    )
    channel_only = _hook_id(_create(run, "--url", CALLBACK, "--channel", "crew:builds"))
    assert run("webhook", "list").out.splitlines() == [
        f"{hook_id}: crew:builds (Releaser) [outgoing on release]",
        f"{channel_only}: crew:builds () [outgoing on every post]",
    ]
    assert run("webhook", "list", "other").out == ""
    # Back to the whole team.
    assert run("webhook", "modify-outgoing", channel_only, "--channel", "", "--trigger-word", "x").code == 0
    assert outgoing.service(hub).get(LOCAL_ACTOR, channel_only).channel_id == ""

    assert run("webhook", "delete", hook_id).out == f"Deleted outgoing webhook {hook_id}\n"
    listed = run("webhook", "list", "crew").out
    assert listed == f"{channel_only}: crew (every public channel) () [outgoing on x]\n"
    fails(run("webhook", "show", hook_id), "Unable to get the webhook.")
    fails(run("webhook", "delete", hook_id), "Unable to get the webhook.")
    fails(run("webhook", "modify-outgoing", hook_id, "--display-name", "X"), "Unable to get the webhook.")


def test_incoming_and_outgoing_are_listed_together(crew, run, hub):
    incoming = run("webhook", "create-incoming", "--channel", "crew:builds", "--user", "carol")
    incoming_id = _hook_id(incoming)
    outgoing_id = _hook_id(_create(run, "--url", CALLBACK, "--trigger-word", "go", "--display-name", "Go"))
    assert run("webhook", "list", "crew").out.splitlines() == [
        f"{incoming_id}: crew:builds ()",
        f"{outgoing_id}: crew (every public channel) (Go) [outgoing on go]",
    ]
    shown = json.loads(run("webhook", "show", incoming_id).out)
    assert shown["channel_id"] == _channel_id(hub, "crew", "builds")
    assert run("webhook", "delete", incoming_id).out == f"Deleted incoming webhook {incoming_id}\n"


def test_a_disabled_hook_is_listed_and_enable_switches_it_back_on(crew, run, hub):
    hook_id = _hook_id(_create(run, "--url", CALLBACK, "--trigger-word", "go"))
    with hub.store.write() as s:
        row = s.get(models.OutgoingWebhook, hook_id)
        row.consecutive_failures, row.disabled_reason = 5, "timeouts"
    assert run("webhook", "list").out == (
        f"{hook_id}: crew (every public channel) () [outgoing on go] [disabled: timeouts]\n"
    )
    assert run("webhook", "modify-outgoing", hook_id, "--enable").code == 0
    hook = outgoing.service(hub).get(LOCAL_ACTOR, hook_id)
    assert (hook.consecutive_failures, hook.disabled_reason) == (0, "")


def test_bad_values_are_errors(crew, run, hub):
    fails(_create(run, "--url", CALLBACK), "Either trigger_words or channel_id must be set.")
    fails(_create(run, "--url", "ftp://x.example.com", "--trigger-word", "go"), "Invalid callback URL.")
    fails(
        _create(run, "--url", CALLBACK, "--channel", "crew:vault"),
        "Outgoing webhooks can only be created for public channels.",
    )
    fails(
        _create(run, "--url", CALLBACK, "--channel", "other:lobby"),
        "Invalid permissions to create outgoing webhook.",
    )
    fails(
        run("webhook", "create-outgoing", "--team", "nope", "--user", "carol", "--url", CALLBACK),
        "Unable to find the existing team.",
    )
    too_long = _create(run, "--url", CALLBACK, "--display-name", "x" * 65, "--trigger-word", "go")
    fails(too_long, "Invalid display name.")
    hook_id = _hook_id(_create(run, "--url", CALLBACK, "--trigger-word", "go"))
    fails(
        _create(run, "--url", CALLBACK, "--trigger-word", "go"),
        "Another outgoing webhook already sends these trigger words to these callback URLs.",
    )
    fails(run("webhook", "modify-outgoing", hook_id, "--channel", "crew:vault"),
          "Outgoing webhooks can only be created for public channels.")  # fmt: skip
    assert outgoing.service(hub).get(LOCAL_ACTOR, hook_id).channel_id == ""


def test_usage_errors(crew, run, capsys):
    for options in ((), ("--url", CALLBACK, "--trigger-when", "sometimes")):
        with pytest.raises(SystemExit) as exit_info:
            _create(run, *options)
        assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "the following arguments are required: --url" in err
    assert "invalid choice: 'sometimes'" in err


def test_disabled_outgoing_webhooks_are_refused_and_not_listed(crew, run, clean_env):
    incoming_id = _hook_id(run("webhook", "create-incoming", "--channel", "crew:builds", "--user", "carol"))
    outgoing_id = _hook_id(_create(run, "--url", CALLBACK, "--trigger-word", "go"))
    clean_env.setenv("MM_SERVICESETTINGS_ENABLEOUTGOINGWEBHOOKS", "false")
    disabled = "Outgoing webhooks have been disabled by the system admin."
    fails(_create(run, "--url", CALLBACK, "--trigger-word", "other"), disabled)
    fails(run("webhook", "show", outgoing_id), disabled)
    assert run("webhook", "list").out == f"{incoming_id}: crew:builds ()\n"


def test_regen_token_prints_the_new_token(crew, run, hub):
    hook_id = _hook_id(_create(run, "--url", CALLBACK, "--trigger-word", "deploy"))
    old_token = outgoing.service(hub).get(LOCAL_ACTOR, hook_id).token
    regenerated = run("webhook", "regen-token", hook_id)
    assert regenerated.code == 0, regenerated.err
    new_token = outgoing.service(hub).get(LOCAL_ACTOR, hook_id).token
    assert new_token != old_token and regenerated.out.splitlines()[-1] == new_token
    assert run("webhook", "regen-token", "nosuchhook0000000000000000").code == 1
