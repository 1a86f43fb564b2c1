"""`python -m hub webhook ...`: incoming webhooks managed from the command line, run in-process against a
config.json on the test database (the fixtures of tests/cli_support.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from hub import models
from hub.cli.lookups import LOCAL_ACTOR
from tests.cli_support import fails
from tests.fixtures import PASSWORD
from webhooks import incoming
from webhooks.incoming.service import to_api

SITE_URL = "http://localhost:8065"
GITLAB_FIXTURES = Path(__file__).resolve().parent / "adapters" / "gitlab" / "fixtures"


@pytest.fixture
def eng(db_config, run):
    """Team eng with the public channels deploys and alerts, and alice as a member; bob is in no team;
    team ops has a channel ops:oncall."""
    run("user", "create", "--email", "alice@example.com", "--username", "alice", "--password", PASSWORD)
    run("user", "create", "--email", "bob@example.com", "--username", "bob", "--password", PASSWORD)
    run("team", "create", "--name", "eng", "--display-name", "Engineering")
    run("team", "create", "--name", "ops", "--display-name", "Operations")
    run("team", "add-user", "eng", "alice")
    for place in ("eng:deploys", "eng:alerts", "ops:oncall"):
        team, name = place.split(":")
        created = run("channel", "create", "--team", team, "--name", name, "--display-name", name.title())
        assert created.code == 0


def _channel_id(hub, team_name: str, name: str) -> str:
    with hub.store.read() as s:
        team = hub.teams.load_by_name(s, team_name)
        return s.scalar(
            select(models.Channel.id).where(models.Channel.team_id == team.id, models.Channel.name == name)
        )


def _create(run, channel: str, user: str, *options: str):
    return run("webhook", "create-incoming", "--channel", channel, "--user", user, *options)


def _modify(run, hook_id: str, *options: str):
    return run("webhook", "modify-incoming", hook_id, *options)


def _event_filter(include: list[str], exclude: list[str], failures_only: bool) -> dict:
    return {"include": include, "exclude": exclude, "failures_and_recoveries_only": failures_only}


def _created_hook_id(result) -> str:
    assert result.code == 0, result.err
    first_line = result.out.splitlines()[0]
    return first_line.split()[3]


def _channel_posts(hub, channel_id: str) -> list[models.Post]:
    with hub.store.read() as s:
        stmt = select(models.Post).where(models.Post.channel_id == channel_id).order_by(models.Post.create_at)
        return list(s.scalars(stmt))


def test_create_incoming_prints_the_url_and_the_hook_accepts_posts(eng, run, hub, api):
    created = _create(
        run, "eng:deploys", "alice", "--display-name", "Deploys", "--description", "from the deploy script",
        "--icon", "https://example.com/rocket.png", "--username", "deploy-bot",
    )  # fmt: skip
    hook_id = _created_hook_id(created)
    assert created.out.splitlines() == [
        f"Created incoming webhook {hook_id} in eng:deploys, posting as alice; its URL:",
        f"{SITE_URL}/hooks/{hook_id}",
    ]
    hook = incoming.service(hub).get(LOCAL_ACTOR, hook_id)
    alice = hub.users.by_username("alice")
    deploys = _channel_id(hub, "eng", "deploys")
    assert (hook.user_id, hook.channel_id) == (alice.id, deploys)
    assert (hook.display_name, hook.description) == ("Deploys", "from the deploy script")
    assert (hook.icon_url, hook.username) == ("https://example.com/rocket.png", "deploy-bot")
    assert (hook.channel_locked, hook.adapter, hook.secret) == (False, "", "")
    assert hook.event_filter == _event_filter([], [], False)

    response = api.as_(None).post(f"/hooks/{hook_id}", {"text": "Deployed **api** v1.4.2"})
    assert response.status_code == 200, response.get_data(as_text=True)
    [post] = _channel_posts(hub, deploys)
    assert (post.user_id, post.message) == (alice.id, "Deployed **api** v1.4.2")
    assert post.props["from_webhook"] == "true"


def test_create_incoming_with_an_adapter_and_an_event_filter(eng, run, hub, api):
    alerts = _channel_id(hub, "eng", "alerts")
    created = _create(
        run, alerts, "alice@example.com", "--adapter", "gitlab", "--secret", "s3cret", "--lock-to-channel",
        "--include-events", "pipeline", "merge_request*", "--exclude-events", "push", "--failures-only",
    )  # fmt: skip
    hook_id = _created_hook_id(created)
    assert created.out.splitlines()[1] == f"{SITE_URL}/hooks/{hook_id}/gitlab"
    shown = json.loads(run("webhook", "show", hook_id).out)
    assert (shown["channel_id"], shown["adapter"]) == (alerts, "gitlab")
    assert (shown["has_secret"], shown["channel_locked"]) == (True, True)
    assert shown["event_filter"] == _event_filter(["pipeline", "merge_request*"], ["push"], True)
    assert incoming.service(hub).get(LOCAL_ACTOR, hook_id).secret == "s3cret"

    failed = json.loads((GITLAB_FIXTURES / "pipeline-failed.json").read_text())
    headers = {"X-Gitlab-Event": "Pipeline Hook", "X-Gitlab-Token": "s3cret"}
    response = api.as_(None).request("POST", f"/hooks/{hook_id}/gitlab", json=failed, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "X-Hubbub-Skipped" not in response.headers
    [post] = _channel_posts(hub, alerts)
    assert post.user_id == hub.users.by_username("alice").id

    push = json.loads((GITLAB_FIXTURES / "push-delete.json").read_text())
    headers = {"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "s3cret"}
    response = api.as_(None).request("POST", f"/hooks/{hook_id}/gitlab", json=push, headers=headers)
    assert response.status_code == 200
    assert response.headers["X-Hubbub-Skipped"]
    assert len(_channel_posts(hub, alerts)) == 1


def test_list_show_modify_and_delete(eng, run, hub):
    run("team", "add-user", "ops", "alice")
    deploys_hook = _created_hook_id(_create(run, "eng:deploys", "alice", "--display-name", "Deploys"))
    oncall_hook = _created_hook_id(_create(run, "ops:oncall", "alice", "--adapter", "jenkins"))
    everything = run("webhook", "list")
    assert sorted(everything.out.splitlines()) == sorted(
        [f"{deploys_hook}: eng:deploys (Deploys)", f"{oncall_hook}: ops:oncall () [jenkins]"]
    )
    assert run("webhook", "list", "eng").out == f"{deploys_hook}: eng:deploys (Deploys)\n"
    with hub.store.read() as s:
        ops_id = hub.teams.load_by_name(s, "ops").id
    assert run("webhook", "list", ops_id).out == f"{oncall_hook}: ops:oncall () [jenkins]\n"

    shown = run("webhook", "show", deploys_hook)
    assert shown.code == 0
    assert json.loads(shown.out) == to_api(incoming.service(hub).get(LOCAL_ACTOR, deploys_hook))
    assert shown.out.startswith('{\n  "id": ')

    modified = _modify(
        run, deploys_hook, "--channel", "eng:alerts", "--display-name", "Alerts", "--lock-to-channel",
        "--adapter", "github", "--exclude-events", "push", "--failures-only",
    )  # fmt: skip
    assert modified.out.splitlines() == [
        f"Modified incoming webhook {deploys_hook}; its URL:",
        f"{SITE_URL}/hooks/{deploys_hook}/github",
    ]
    hook = incoming.service(hub).get(LOCAL_ACTOR, deploys_hook)
    assert (hook.channel_id, hook.display_name) == (_channel_id(hub, "eng", "alerts"), "Alerts")
    assert (hook.channel_locked, hook.adapter) == (True, "github")
    assert hook.event_filter == _event_filter([], ["push"], True)

    # Only the options given change, the event filter's parts included.
    _modify(run, deploys_hook, "--include-events", "workflow_run", "--no-lock-to-channel")
    hook = incoming.service(hub).get(LOCAL_ACTOR, deploys_hook)
    assert (hook.display_name, hook.channel_locked, hook.adapter) == ("Alerts", False, "github")
    assert hook.event_filter == _event_filter(["workflow_run"], ["push"], True)
    removed = _modify(run, deploys_hook, "--adapter", "", "--exclude-events", "--no-failures-only")
    assert removed.out.splitlines()[1] == f"{SITE_URL}/hooks/{deploys_hook}"
    hook = incoming.service(hub).get(LOCAL_ACTOR, deploys_hook)
    assert hook.adapter == ""
    assert hook.event_filter == _event_filter(["workflow_run"], [], False)

    assert run("webhook", "delete", oncall_hook).out == f"Deleted incoming webhook {oncall_hook}\n"
    assert run("webhook", "list").out == f"{deploys_hook}: eng:alerts (Alerts)\n"
    assert run("webhook", "list", "ops").out == ""
    fails(run("webhook", "show", oncall_hook), "Unable to get the webhook.")
    fails(run("webhook", "delete", oncall_hook), "Unable to get the webhook.")
    fails(_modify(run, oncall_hook, "--display-name", "X"), "Unable to get the webhook.")


def test_bad_channels_users_and_values_are_errors(eng, run, hub):
    fails(_create(run, "eng:nope", "alice"), "Channel does not exist.")
    fails(_create(run, "nope:deploys", "alice"), "Unable to find the existing team.")
    fails(_create(run, "a" * 26, "alice"), "Unable to find the existing channel.")
    fails(_create(run, "deploys", "alice"), "Invalid or missing channel_id in request.")
    fails(_create(run, "eng:deploys", "nobody"), "Unable to find the user.")
    # bob is in no team, so he cannot post in the channel.
    not_a_member = "The webhook's user must be a member of the webhook's team and channel."
    fails(_create(run, "eng:deploys", "bob"), not_a_member)
    fails(_create(run, "eng:deploys", "alice", "--display-name", "x" * 65), "Invalid display name.")
    assert run("webhook", "list").out == ""

    hook_id = _created_hook_id(_create(run, "eng:deploys", "alice"))
    fails(_modify(run, hook_id, "--channel", "ops:oncall"), "Invalid or missing channel_id in request.")
    assert incoming.service(hub).get(LOCAL_ACTOR, hook_id).channel_id == _channel_id(hub, "eng", "deploys")
    fails(run("webhook", "list", "nope"), "Unable to find the existing team.")
    fails(run("webhook", "show", "not-an-id"), "Invalid or missing hook_id in request.")


def test_unknown_adapter_is_a_usage_error(eng, run, capsys):
    with pytest.raises(SystemExit) as exit_info:
        _create(run, "eng:deploys", "alice", "--adapter", "travis")
    assert exit_info.value.code == 2
    assert "invalid choice: 'travis'" in capsys.readouterr().err


def test_disabled_incoming_webhooks_are_refused(eng, run, clean_env):
    clean_env.setenv("MM_SERVICESETTINGS_ENABLEINCOMINGWEBHOOKS", "false")
    fails(_create(run, "eng:deploys", "alice"), "Incoming webhooks have been disabled by the system admin.")
    fails(run("webhook", "list"), "Incoming webhooks have been disabled by the system admin.")
