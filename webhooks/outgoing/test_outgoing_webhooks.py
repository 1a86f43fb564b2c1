"""Outgoing webhooks: their management under /api/v4/hooks/outgoing (delivery is not here yet)."""

from __future__ import annotations

import pytest
from mattermostdriver import Driver
from mattermostdriver.exceptions import InvalidOrMissingParameters, NotEnoughPermissions

from hub.ids import is_valid_id, new_id
from hub.permissions import Actor
from tests.fixtures import PASSWORD, assert_app_error

HOOK_KEYS = {
    "id",
    "token",
    "create_at",
    "update_at",
    "delete_at",
    "creator_id",
    "channel_id",
    "team_id",
    "trigger_words",
    "trigger_when",
    "callback_urls",
    "display_name",
    "description",
    "content_type",
    "username",
    "icon_url",
    # Hubbub's additions for the delivery engine
    "consecutive_failures",
    "disabled_reason",
}
CALLBACK = "https://ci.example.com/hook"
REASON = "callback answered 500 twelve times"
FORM = "application/x-www-form-urlencoded"


def make_hook(api, account, team_id: str, **fields) -> dict:
    body = {"team_id": team_id, "trigger_words": ["deploy"], "callback_urls": [CALLBACK], **fields}
    response = api.as_(account).post("hooks/outgoing", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    # Only the create answer shows the signing secret (tests/test_security_signing.py); these tests
    # compare the hook with what the other routes answer.
    assert len(created.pop("signing_secret")) == 64
    return created


@pytest.fixture
def hook(api, room) -> dict:
    return make_hook(api, room.owner, room.team_id, display_name="Deployer", description="ships it")


@pytest.fixture
def rival(hub, make_account):
    """The admin of another team."""
    account = make_account("rival")
    team = hub.teams.create(Actor(account.id, "system_user"), {"name": "rivals", "display_name": "Rivals"})
    return account, team.id


def test_team_admin_creates_reads_updates_lists_and_deletes(api, room, hook):
    owner = api.as_(room.owner)
    assert set(hook) == HOOK_KEYS
    assert is_valid_id(hook["id"]) and is_valid_id(hook["token"]) and hook["token"] != hook["id"]
    assert hook["create_at"] == hook["update_at"] > 0 and hook["delete_at"] == 0
    assert (hook["creator_id"], hook["team_id"], hook["channel_id"]) == (room.owner.id, room.team_id, "")
    assert (hook["trigger_words"], hook["trigger_when"], hook["callback_urls"]) == (["deploy"], 0, [CALLBACK])
    assert (hook["display_name"], hook["description"], hook["content_type"]) == ("Deployer", "ships it", FORM)
    assert (hook["username"], hook["icon_url"]) == ("", "")
    assert (hook["consecutive_failures"], hook["disabled_reason"]) == (0, "")

    assert owner.get(f"hooks/outgoing/{hook['id']}").get_json() == hook
    assert owner.get(f"hooks/outgoing?team_id={room.team_id}").get_json() == [hook]

    changes = {
        "id": hook["id"],
        "channel_id": room.channel_id,
        "trigger_words": ["ship", "release"],
        "trigger_when": 1,
        "callback_urls": ["http://a.example.com/x", "https://b.example.com/y"],
        "content_type": "application/json",
        "display_name": "Shipper",
        "username": "shipbot",
        "icon_url": "https://example.com/ship.png",
    }
    response = owner.put(f"hooks/outgoing/{hook['id']}", changes)
    assert response.status_code == 200, response.get_data(as_text=True)
    updated = response.get_json()
    assert {name: updated[name] for name in changes} == changes
    # What the body did not name stays, and the token, creator and team never change on a PUT.
    assert updated["description"] == "ships it"
    assert (updated["token"], updated["creator_id"], updated["team_id"]) == (
        hook["token"],
        room.owner.id,
        room.team_id,
    )
    assert updated["update_at"] >= hook["update_at"] and updated["create_at"] == hook["create_at"]
    assert owner.get(f"hooks/outgoing/{hook['id']}").get_json() == updated

    # A channel is enough without trigger words: every post of the channel is sent.
    channel_only = owner.put(f"hooks/outgoing/{hook['id']}", {"id": hook["id"], "trigger_words": []})
    assert channel_only.status_code == 200
    assert channel_only.get_json()["trigger_words"] == []

    assert owner.delete(f"hooks/outgoing/{hook['id']}").get_json() == {"status": "OK"}
    assert_app_error(owner.get(f"hooks/outgoing/{hook['id']}"), 404, "app.webhooks.get_outgoing.app_error")
    assert_app_error(owner.delete(f"hooks/outgoing/{hook['id']}"), 404)
    assert owner.get(f"hooks/outgoing?team_id={room.team_id}").get_json() == []


def test_only_team_and_system_admins_manage_hooks(api, room, admin, hook, rival):
    rival_account, rival_team_id = rival
    hook_path = f"hooks/outgoing/{hook['id']}"
    for stranger in (room.member, room.outsider, rival_account):
        client = api.as_(stranger)
        body = {"team_id": room.team_id, "trigger_words": ["x"], "callback_urls": [CALLBACK]}
        assert_app_error(client.post("hooks/outgoing", body), 403, "api.context.permissions.app_error")
        assert_app_error(client.get(hook_path), 403)
        assert_app_error(client.put(hook_path, {**hook, "display_name": "mine"}), 403)
        assert_app_error(client.post(f"{hook_path}/regen_token"), 403)
        assert_app_error(client.delete(hook_path), 403)
        assert_app_error(client.get(f"hooks/outgoing?team_id={room.team_id}"), 403)
        assert_app_error(client.get(f"hooks/outgoing?channel_id={room.channel_id}"), 403)
    # The rival manages the hooks of its own team only.
    theirs = make_hook(api, rival_account, rival_team_id)
    assert api.as_(rival_account).get(f"hooks/outgoing?team_id={rival_team_id}").get_json() == [theirs]
    # Without a team or channel, only a system admin sees every hook.
    assert_app_error(api.as_(room.owner).get("hooks/outgoing"), 403)
    system_admin = api.as_(admin)
    assert system_admin.get("hooks/outgoing").get_json() == [hook, theirs]
    assert system_admin.get(hook_path).get_json() == hook
    # A system admin makes hooks in any team; their answers are posted as one of its members.
    made = make_hook(api, admin, room.team_id, trigger_words=["admin"], creator_id=room.member.id)
    assert made["creator_id"] == room.member.id
    assert_app_error(api.as_(None).get(hook_path), 401)
    # Unchanged by all the refusals above.
    assert api.as_(room.owner).get(hook_path).get_json() == hook


def test_a_team_admin_may_name_the_creator(api, hub, room):
    named = make_hook(api, room.owner, room.team_id, creator_id=room.member.id)
    assert named["creator_id"] == room.member.id
    owner = api.as_(room.owner)
    body = {"team_id": room.team_id, "trigger_words": ["x"], "callback_urls": [CALLBACK]}
    assert_app_error(owner.post("hooks/outgoing", {**body, "creator_id": new_id()}), 404)
    hub.users.set_active(Actor("", "system_admin"), room.member.id, False)
    assert_app_error(
        owner.post("hooks/outgoing", {**body, "creator_id": room.member.id}),
        400,
        "api.context.invalid_param.app_error",
    )


def test_channels_must_be_public_channels_of_the_team(api, hub, room, rival):
    _, rival_team_id = rival
    owner = api.as_(room.owner)
    base = {"team_id": room.team_id, "callback_urls": [CALLBACK]}
    assert_app_error(
        owner.post("hooks/outgoing", {**base, "channel_id": room.private_channel_id}),
        403,
        "api.webhook.create_outgoing.not_open.app_error",
    )
    rival_town = hub.channels.by_name(Actor("", "system_admin"), rival_team_id, "town-square")
    assert_app_error(
        owner.post("hooks/outgoing", {**base, "channel_id": rival_town.id}),
        403,
        "api.webhook.create_outgoing.permissions.app_error",
    )
    direct = hub.channels.direct(Actor(room.owner.id, "system_user"), [room.owner.id, room.member.id])
    assert_app_error(owner.post("hooks/outgoing", {**base, "channel_id": direct.id}), 403)
    assert_app_error(owner.post("hooks/outgoing", {**base, "channel_id": new_id()}), 404)
    assert_app_error(
        owner.post("hooks/outgoing", base), 400, "api.webhook.create_outgoing.triggers.app_error"
    )
    made = make_hook(api, room.owner, room.team_id, channel_id=room.channel_id, trigger_words=[])
    assert (made["channel_id"], made["trigger_words"]) == (room.channel_id, [])
    # Moving it to no channel needs trigger words; to a private channel is refused.
    path = f"hooks/outgoing/{made['id']}"
    assert_app_error(
        owner.put(path, {"id": made["id"], "channel_id": ""}),
        400,
        "api.webhook.create_outgoing.triggers.app_error",
    )
    assert_app_error(owner.put(path, {"id": made["id"], "channel_id": room.private_channel_id}), 403)
    assert owner.get(path).get_json() == made


def test_validation_errors_carry_mattermost_ids(api, room, hook):
    owner = api.as_(room.owner)
    base = {"team_id": room.team_id, "trigger_words": ["go"], "callback_urls": [CALLBACK]}
    invalid_param = "api.context.invalid_param.app_error"
    cases = [
        ({"team_id": "nope"}, invalid_param),
        ({"team_id": None}, invalid_param),
        ({"trigger_words": ["go", ""]}, "model.outgoing_hook.is_valid.trigger_words.app_error"),
        ({"trigger_words": ["two words"]}, "model.outgoing_hook.is_valid.trigger_words.app_error"),
        ({"trigger_words": "go"}, "model.outgoing_hook.is_valid.words.app_error"),
        ({"trigger_words": [1]}, "model.outgoing_hook.is_valid.words.app_error"),
        ({"trigger_words": ["w" * 100] * 11}, "model.outgoing_hook.is_valid.words.app_error"),
        ({"callback_urls": []}, "model.outgoing_hook.is_valid.callback.app_error"),
        ({"callback_urls": None}, "model.outgoing_hook.is_valid.callback.app_error"),
        ({"callback_urls": {"a": 1}}, "model.outgoing_hook.is_valid.callback.app_error"),
        (
            {"callback_urls": ["https://x.example.com/" + "p" * 1010]},
            "model.outgoing_hook.is_valid.callback.app_error",
        ),
        ({"callback_urls": ["ftp://example.com/x"]}, "model.outgoing_hook.is_valid.url.app_error"),
        ({"callback_urls": ["not a url"]}, "model.outgoing_hook.is_valid.url.app_error"),
        ({"trigger_when": 2}, "model.outgoing_hook.is_valid.trigger_when.app_error"),
        ({"trigger_when": True}, "model.outgoing_hook.is_valid.trigger_when.app_error"),
        ({"trigger_when": "0"}, "model.outgoing_hook.is_valid.trigger_when.app_error"),
        ({"content_type": "text/plain"}, "model.outgoing_hook.is_valid.content_type.app_error"),
        ({"display_name": "x" * 65}, "model.outgoing_hook.is_valid.display_name.app_error"),
        ({"description": "x" * 501}, "model.outgoing_hook.is_valid.description.app_error"),
        ({"username": "x" * 65}, "model.outgoing_hook.username.app_error"),
        ({"icon_url": "x" * 1025}, "model.outgoing_hook.icon_url.app_error"),
        ({"display_name": 5}, "model.outgoing_hook.is_valid.display_name.app_error"),
        ({"channel_id": "nope"}, invalid_param),
        ({"channel_id": 7}, invalid_param),
        ({"creator_id": "nope"}, invalid_param),
    ]
    for change, error_id in cases:
        assert_app_error(owner.post("hooks/outgoing", {**base, **change}), 400, error_id)
    assert_app_error(owner.post("hooks/outgoing", [base]), 400)
    assert_app_error(
        owner.request("POST", "hooks/outgoing", data="{", headers={"Content-Type": "application/json"}), 400
    )
    # The longest values allowed are taken.
    longest = make_hook(
        api,
        room.owner,
        room.team_id,
        trigger_words=["w" * 1022],
        display_name="d" * 64,
        description="e" * 500,
        username="u" * 64,
        icon_url="i" * 1024,
        content_type="application/json",
    )
    assert longest["trigger_words"] == ["w" * 1022]

    path = f"hooks/outgoing/{hook['id']}"
    # A null is a field not given when updating.
    field_cases = [(change, error_id) for change, error_id in cases[2:22] if None not in change.values()]
    for change, error_id in field_cases:
        assert_app_error(owner.put(path, {"id": hook["id"], **change}), 400, error_id)
    assert_app_error(owner.put(path, {**hook, "id": new_id()}), 400, invalid_param)
    assert_app_error(owner.put(path, {"display_name": "no id"}), 400, invalid_param)
    moved = owner.put(path, {"id": hook["id"], "team_id": new_id()})
    assert_app_error(moved, 400, "api.webhook.team_mismatch.app_error")
    assert_app_error(owner.put(path, {"id": hook["id"], "disabled_reason": 3}), 400)
    assert owner.get(path).get_json() == hook

    assert_app_error(owner.get(f"hooks/outgoing/{new_id()}"), 404, "app.webhooks.get_outgoing.app_error")
    assert_app_error(owner.get("hooks/outgoing/nope"), 400, invalid_param)
    assert_app_error(owner.post("hooks/outgoing/nope/regen_token"), 400, invalid_param)
    assert_app_error(owner.get(f"hooks/outgoing?team_id={room.team_id}&page=x"), 400)
    assert_app_error(owner.get(f"hooks/outgoing?team_id={room.team_id}&per_page=-1"), 400)
    assert_app_error(owner.get("hooks/outgoing?team_id=nope"), 400)
    assert_app_error(owner.get(f"hooks/outgoing?team_id={new_id()}"), 404)
    assert_app_error(owner.get(f"hooks/outgoing?channel_id={new_id()}"), 404)


def test_the_same_trigger_word_to_the_same_url_twice_is_refused(api, room, hook):
    owner = api.as_(room.owner)
    overlapping = {"team_id": room.team_id, "trigger_words": ["build", "deploy"], "callback_urls": [CALLBACK]}
    assert_app_error(
        owner.post("hooks/outgoing", overlapping), 400, "api.webhook.create_outgoing.intersect.app_error"
    )
    # Another URL, another channel or other words are no conflict.
    make_hook(api, room.owner, room.team_id, callback_urls=["https://other.example.com/"])
    in_channel = make_hook(api, room.owner, room.team_id, channel_id=room.channel_id)
    other_words = make_hook(api, room.owner, room.team_id, trigger_words=["build"])
    assert_app_error(
        owner.put(f"hooks/outgoing/{other_words['id']}", {**other_words, "trigger_words": ["deploy"]}),
        400,
        "api.webhook.update_outgoing.intersect.app_error",
    )
    assert_app_error(
        owner.put(f"hooks/outgoing/{in_channel['id']}", {"id": in_channel["id"], "channel_id": ""}),
        400,
        "api.webhook.update_outgoing.intersect.app_error",
    )
    # A hook does not conflict with itself, and a deleted hook conflicts with nothing.
    again = owner.put(f"hooks/outgoing/{hook['id']}", {**hook, "display_name": "Again"})
    assert again.status_code == 200, again.get_data(as_text=True)
    owner.delete(f"hooks/outgoing/{hook['id']}")
    assert owner.post("hooks/outgoing", {**overlapping, "trigger_words": ["deploy"]}).status_code == 201


def test_regen_token_answers_the_hook_with_a_new_token(api, room, admin, hook):
    owner = api.as_(room.owner)
    response = owner.post(f"hooks/outgoing/{hook['id']}/regen_token")
    assert response.status_code == 200, response.get_data(as_text=True)
    regenerated = response.get_json()
    assert is_valid_id(regenerated["token"]) and regenerated["token"] != hook["token"]
    assert {k: v for k, v in regenerated.items() if k not in ("token", "update_at")} == {
        k: v for k, v in hook.items() if k not in ("token", "update_at")
    }
    assert owner.get(f"hooks/outgoing/{hook['id']}").get_json()["token"] == regenerated["token"]
    again = api.as_(admin).post(f"hooks/outgoing/{hook['id']}/regen_token").get_json()
    assert again["token"] not in (hook["token"], regenerated["token"])
    assert_app_error(owner.post(f"hooks/outgoing/{new_id()}/regen_token"), 404)


def test_an_empty_disabled_reason_switches_a_hook_back_on(api, hub, room, hook):
    from hub import models

    with hub.store.write() as s:
        row = s.get(models.OutgoingWebhook, hook["id"])
        row.consecutive_failures, row.disabled_reason = 12, REASON
    owner = api.as_(room.owner)
    path = f"hooks/outgoing/{hook['id']}"
    disabled = owner.get(path).get_json()
    assert (disabled["consecutive_failures"], disabled["disabled_reason"]) == (12, REASON)
    # Sending the hook back as read keeps it off; a client cannot set the failure count.
    kept = owner.put(path, {**disabled, "consecutive_failures": 0}).get_json()
    assert (kept["consecutive_failures"], kept["disabled_reason"]) == (12, REASON)
    enabled = owner.put(path, {"id": hook["id"], "disabled_reason": ""}).get_json()
    assert (enabled["consecutive_failures"], enabled["disabled_reason"]) == (0, "")
    # An admin may switch a hook off by hand.
    paused = owner.put(path, {"id": hook["id"], "disabled_reason": "paused for maintenance"}).get_json()
    assert (paused["consecutive_failures"], paused["disabled_reason"]) == (0, "paused for maintenance")
    assert_app_error(owner.put(path, {"id": hook["id"], "disabled_reason": "x" * 256}), 400)


def test_paging_and_filters(api, hub, room, admin, rival):
    rival_account, rival_team_id = rival
    owner = api.as_(room.owner)
    second = hub.channels.create(
        Actor(room.owner.id, "system_user"), {"team_id": room.team_id, "name": "ops", "display_name": "Ops"}
    )
    made = [
        make_hook(api, room.owner, room.team_id, trigger_words=[f"w{i}"], channel_id=channel)
        for i, channel in enumerate([room.channel_id, second.id, "", room.channel_id, ""])
    ]
    make_hook(api, admin, rival_team_id, creator_id=rival_account.id)
    listed = owner.get(f"hooks/outgoing?team_id={room.team_id}").get_json()
    assert [h["id"] for h in listed] == [h["id"] for h in made]
    pages = [
        owner.get(f"hooks/outgoing?team_id={room.team_id}&page={page}&per_page=2").get_json()
        for page in range(4)
    ]
    assert [[h["id"] for h in page] for page in pages] == [
        [made[0]["id"], made[1]["id"]],
        [made[2]["id"], made[3]["id"]],
        [made[4]["id"]],
        [],
    ]
    in_room = owner.get(f"hooks/outgoing?channel_id={room.channel_id}").get_json()
    assert [h["id"] for h in in_room] == [made[0]["id"], made[3]["id"]]
    in_second = owner.get(f"hooks/outgoing?channel_id={second.id}&team_id={room.team_id}").get_json()
    assert [h["id"] for h in in_second] == [made[1]["id"]]
    assert owner.get(f"hooks/outgoing?channel_id={room.channel_id}&page=1&per_page=1").get_json() == [made[3]]
    everything = api.as_(admin).get("hooks/outgoing?per_page=3").get_json()
    assert [h["id"] for h in everything] == [h["id"] for h in made[:3]]
    assert len(api.as_(admin).get("hooks/outgoing").get_json()) == 6


def test_disabled_setting_answers_501_everywhere(api, hub, room, hook):
    hub.config["ServiceSettings"]["EnableOutgoingWebhooks"] = False
    owner = api.as_(room.owner)
    path = f"hooks/outgoing/{hook['id']}"
    for response in (
        owner.post("hooks/outgoing", {"team_id": room.team_id, "trigger_words": ["a"], "callback_urls": []}),
        owner.get(f"hooks/outgoing?team_id={room.team_id}"),
        owner.get(path),
        owner.put(path, hook),
        owner.post(f"{path}/regen_token"),
        owner.delete(path),
    ):
        assert_app_error(response, 501, "api.outgoing_webhook.disabled.app_error")
    hub.config["ServiceSettings"]["EnableOutgoingWebhooks"] = True
    assert owner.get(path).get_json() == hook


# ---- the mattermostdriver package ----------------------------------------------------------------
def _driver(server, username: str) -> Driver:
    options = {"url": "127.0.0.1", "port": server.port, "scheme": "http", "verify": False}
    driver = Driver({**options, "login_id": username, "password": PASSWORD})
    driver.login()
    return driver


def test_mattermostdriver_manages_outgoing_hooks(hub, live_server, room):
    driver = _driver(live_server, "owner")
    webhooks = driver.webhooks
    created = webhooks.create_outgoing_hook(
        {"team_id": room.team_id, "channel_id": room.channel_id, "trigger_words": ["deploy"],
         "callback_urls": [CALLBACK], "display_name": "Deployer"}
    )  # fmt: skip
    assert set(created) == HOOK_KEYS | {"signing_secret"}
    del created["signing_secret"]
    assert webhooks.get_outgoing_hook(created["id"]) == created
    assert webhooks.list_outgoing_hooks({"team_id": room.team_id}) == [created]
    assert webhooks.list_outgoing_hooks({"channel_id": room.channel_id, "page": 1, "per_page": 1}) == []
    updated = webhooks.update_outgoing_hook(created["id"], {"id": created["id"], "display_name": "Shipper"})
    assert updated["display_name"] == "Shipper"
    # mattermostdriver 7.3.2 sends regen_token as a PUT; Mattermost (and Hubbub) route it for POST only.
    regenerated = driver.client.post(f"/hooks/outgoing/{created['id']}/regen_token")
    assert regenerated["token"] != created["token"]
    with pytest.raises(InvalidOrMissingParameters):
        webhooks.create_outgoing_hook({"team_id": room.team_id, "trigger_words": ["x"], "callback_urls": []})
    with pytest.raises(NotEnoughPermissions):
        _driver(live_server, "member").webhooks.get_outgoing_hook(created["id"])
    webhooks.delete_outgoing_hook(created["id"])
    assert webhooks.list_outgoing_hooks({"team_id": room.team_id}) == []
