"""Security review, issue 9: integrations may not post as accounts their maker could not act as (finding 1),
clients may not set the props only the server sets (finding 10), and an integration's answer may not send
a client to a javascript: or other non-http location (finding 13)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from hub import models
from hub.integrations import client_location
from hub.permissions import Actor
from tests.fixtures import assert_app_error
from tests.receiver import Answer
from webhooks import incoming

CALLBACK = "https://ci.example.com/hook"
FORGED_PROPS = {
    "from_webhook": "true",
    "from_bot": "true",
    "from_plugin": "true",
    "from_oauth_app": "true",
    "override_username": "System",
    "override_icon_url": "https://evil.example/admin.png",
    "override_icon_emoji": "shield",
    "webhook_display_name": "Security team",
}
UNSAFE_LOCATIONS = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/login",
    "/\\evil.example/login",
    "http:/evil.example",
    "https://",
    "ftp://files.example/x",
    "mailto:someone@example.com",
    "channels/town-square",
]
SAFE_LOCATIONS = [
    "https://ci.example/7",
    "http://ci.example:8080/a?b=c#d",
    "/crew/channels/town-square",
    "/login",
]


@pytest.fixture
def own_team(api, make_account):
    """Any account may make a team, and is then its admin: (the account, the team's id, town-square's id)."""
    mallory = make_account("mallory")
    created = api.as_(mallory).post("teams", {"name": "mallory", "display_name": "Mallory", "type": "O"})
    assert created.status_code == 201, created.get_data(as_text=True)
    team_id = created.get_json()["id"]
    town_square = api.as_(mallory).get(f"teams/{team_id}/channels/name/town-square").get_json()
    return mallory, team_id, town_square["id"]


def create_incoming(api, account, channel_id: str, **fields):
    return api.as_(account).post("hooks/incoming", {"channel_id": channel_id, **fields})


def create_outgoing(api, account, team_id: str, **fields):
    body = {"team_id": team_id, "trigger_words": ["deploy"], "callback_urls": [CALLBACK], **fields}
    return api.as_(account).post("hooks/outgoing", body)


def created(response) -> dict:
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def deliver(api, hook_id: str, payload: dict):
    headers = {"Content-Type": "application/json"}
    return api.as_(None).post(f"/hooks/{hook_id}", data=json.dumps(payload), headers=headers)


def direct_channel_count(hub) -> int:
    with hub.store.read() as s:
        return s.scalar(select(func.count()).select_from(models.Channel).where(models.Channel.type == "D"))


def last_post(api, account, channel_id: str) -> dict:
    body = api.as_(account).get(f"channels/{channel_id}/posts").get_json()
    return body["posts"][body["order"][0]]


def run_command(api, account, channel_id: str, command: str):
    return api.as_(account).post("commands/execute", {"channel_id": channel_id, "command": command})


def join_team(hub, team_id: str, user_id: str) -> None:
    with hub.store.write() as s:
        hub.teams.add_member(s, hub.teams.load(s, team_id), user_id)


# ---- finding 1: whom an integration posts as ---------------------------------------------------
def test_a_team_admin_cannot_make_an_incoming_hook_post_as_the_system_admin(api, hub, admin, own_team):
    mallory, team_id, town_square = own_team
    # Even once the system admin is in the team, only a system admin may hand out their name.
    join_team(hub, team_id, admin.id)
    assert_app_error(
        create_incoming(api, mallory, town_square, user_id=admin.id),
        403,
        "api.webhook.incoming.user_role.app_error",
    )
    with hub.store.read() as s:
        assert s.scalar(select(func.count()).select_from(models.IncomingWebhook)) == 0
    assert created(create_incoming(api, mallory, town_square))["user_id"] == mallory.id
    assert created(create_incoming(api, admin, town_square, user_id=admin.id))["user_id"] == admin.id


def test_the_named_owner_must_be_an_active_member_of_the_team_and_private_channel(
    api, hub, room, admin, own_team
):
    mallory, team_id, town_square = own_team
    # room.member's rights do not exceed mallory's, but room.member is not in mallory's team.
    assert_app_error(
        create_incoming(api, mallory, town_square, user_id=room.member.id),
        403,
        "api.webhook.incoming.user_membership.app_error",
    )
    # In room's team, room.member is a member of the public channel but not of the private one.
    assert created(create_incoming(api, room.owner, room.channel_id, user_id=room.member.id))
    assert_app_error(
        create_incoming(api, room.owner, room.private_channel_id, user_id=room.member.id),
        403,
        "api.webhook.incoming.user_membership.app_error",
    )
    # A system admin's right to read every channel is no membership.
    join_team(hub, room.team_id, admin.id)
    assert_app_error(
        create_incoming(api, admin, room.private_channel_id),
        403,
        "api.webhook.incoming.user_membership.app_error",
    )
    hub.users.set_active(Actor("", "system_admin"), room.member.id, False)
    assert_app_error(
        create_incoming(api, room.owner, room.channel_id, user_id=room.member.id),
        400,
        "api.context.invalid_param.app_error",
    )


def test_the_owner_check_applies_to_updates_of_incoming_hooks(api, hub, room, admin):
    join_team(hub, room.team_id, admin.id)
    admins_hook = created(create_incoming(api, admin, room.channel_id, user_id=admin.id))
    unlocked = {**admins_hook, "channel_locked": False}
    assert_app_error(
        api.as_(room.owner).put(f"hooks/incoming/{admins_hook['id']}", unlocked),
        403,
        "api.webhook.incoming.user_role.app_error",
    )
    members_hook = created(create_incoming(api, room.owner, room.channel_id, user_id=room.member.id))
    moved = {**members_hook, "channel_id": room.private_channel_id}
    assert_app_error(
        api.as_(room.owner).put(f"hooks/incoming/{members_hook['id']}", moved),
        403,
        "api.webhook.incoming.user_membership.app_error",
    )
    assert api.as_(room.owner).get(f"hooks/incoming/{members_hook['id']}").get_json() == members_hook


def test_an_unlocked_hook_reaches_only_channels_its_owner_belongs_to(api, hub, room, admin):
    join_team(hub, room.team_id, admin.id)
    hook = created(create_incoming(api, admin, room.channel_id))
    assert deliver(api, hook["id"], {"text": "public"}).status_code == 200
    assert_app_error(
        deliver(api, hook["id"], {"text": "into the den", "channel": "den"}),
        403,
        "web.incoming_webhook.permissions.app_error",
    )
    assert api.as_(room.owner).get(f"channels/{room.private_channel_id}/posts").get_json()["order"] == []


def test_direct_messages_of_a_hook_stay_within_its_team(api, hub, room, own_team):
    mallory, _, town_square = own_team
    hook = created(create_incoming(api, mallory, town_square))
    before = direct_channel_count(hub)
    assert_app_error(
        deliver(api, hook["id"], {"text": "hello from mallory", "channel": "@member"}),
        400,
        "web.incoming_webhook.user.app_error",
    )
    assert direct_channel_count(hub) == before
    # Within the team it still works.
    team_hook = created(create_incoming(api, room.owner, room.channel_id))
    assert deliver(api, team_hook["id"], {"text": "psst", "channel": "@member"}).status_code == 200
    assert direct_channel_count(hub) == before + 1


def test_a_locked_hook_refuses_a_direct_message_before_making_the_channel(api, hub, room):
    hook = created(create_incoming(api, room.owner, room.channel_id, channel_locked=True))
    assert_app_error(
        deliver(api, hook["id"], {"text": "psst", "channel": "@member"}),
        403,
        "web.incoming_webhook.channel_locked.app_error",
    )
    assert direct_channel_count(hub) == 0


def test_outgoing_hook_creators_follow_the_same_rules(api, hub, room, admin, own_team):
    mallory, team_id, _ = own_team
    join_team(hub, team_id, admin.id)
    assert_app_error(
        create_outgoing(api, mallory, team_id, creator_id=admin.id),
        403,
        "api.webhook.outgoing.user_role.app_error",
    )
    assert_app_error(
        create_outgoing(api, mallory, team_id, creator_id=room.member.id),
        403,
        "api.webhook.outgoing.user_membership.app_error",
    )
    admins_hook = created(create_outgoing(api, admin, team_id, creator_id=admin.id))
    renamed = {"id": admins_hook["id"], "display_name": "x"}
    assert_app_error(
        api.as_(mallory).put(f"hooks/outgoing/{admins_hook['id']}", renamed),
        403,
        "api.webhook.outgoing.user_role.app_error",
    )
    assert created(create_outgoing(api, mallory, team_id, trigger_words=["ship"]))["creator_id"] == mallory.id


def test_an_outgoing_answer_is_dropped_once_its_creator_left_the_team(api, hub, room, receiver):
    hook = created(
        create_outgoing(
            api, room.owner, room.team_id, channel_id=room.channel_id, creator_id=room.member.id,
            callback_urls=[receiver.url("/hook")],
        )
    )  # fmt: skip
    hub.teams.leave(Actor(room.member.id, "system_user"), room.team_id, room.member.id)
    receiver.answer = Answer.json({"text": "posted as someone who left"})
    api.as_(room.owner).post("posts", {"channel_id": room.channel_id, "message": "deploy now"})
    with ThreadPoolExecutor(2) as pool:
        while hub.deliveries.run_due(pool):
            pass
    assert receiver.next().path == "/hook"
    assert hook["creator_id"] == room.member.id
    assert last_post(api, room.owner, room.channel_id)["message"] == "deploy now"


def test_the_command_line_goes_through_the_same_owner_check(hub, room, db_config, run):
    hook = incoming.service(hub).create(
        Actor("", "system_admin"), {"channel_id": room.channel_id, "user_id": room.member.id}
    )
    moved = run("webhook", "modify-incoming", hook.id, "--channel", room.private_channel_id)
    assert moved.code == 1
    assert moved.err == "Error: The webhook's user must be a member of the webhook's team and channel.\n"
    assert incoming.service(hub).get(Actor("", "system_admin"), hook.id).channel_id == room.channel_id


# ---- finding 10: server-only props ---------------------------------------------------------------
def test_user_posts_lose_the_server_only_props(api, room, admin):
    as_owner = api.as_(room.owner)
    made = as_owner.post(
        "posts", {"channel_id": room.channel_id, "message": "hi", "props": {**FORGED_PROPS, "build": 7}}
    )
    post = created(made)
    assert post["props"] == {"build": 7}
    patched = as_owner.put(f"posts/{post['id']}/patch", {"props": {**FORGED_PROPS, "build": 8}}).get_json()
    assert patched["props"] == {"build": 8}
    updated = as_owner.put(f"posts/{post['id']}", {"id": post["id"], "message": "hi", "props": FORGED_PROPS})
    assert updated.get_json()["props"] == {}
    shown = {"channel_id": room.channel_id, "message": "x", "props": FORGED_PROPS}
    ephemeral = api.as_(admin).post("posts/ephemeral", {"user_id": room.member.id, "post": shown})
    assert ephemeral.status_code == 201, ephemeral.get_data(as_text=True)
    assert ephemeral.get_json()["props"] == {}


def test_an_owner_edit_keeps_what_the_server_set_on_a_webhook_post(api, hub, room):
    hub.config["ServiceSettings"]["EnablePostUsernameOverride"] = True
    hook = created(create_incoming(api, room.owner, room.channel_id, display_name="CI", username="ci-bot"))
    assert deliver(api, hook["id"], {"text": "built"}).status_code == 200
    post = last_post(api, room.owner, room.channel_id)
    patched = api.as_(room.owner).put(f"posts/{post['id']}/patch", {"props": {"from_webhook": "false"}})
    assert patched.get_json()["props"] == {
        "from_webhook": "true",
        "webhook_display_name": "CI",
        "override_username": "ci-bot",
    }


def test_incoming_hook_payload_props_lose_the_server_only_props(api, room):
    hook = created(create_incoming(api, room.owner, room.channel_id, display_name="CI"))
    assert deliver(api, hook["id"], {"text": "x", "props": {**FORGED_PROPS, "build": 7}}).status_code == 200
    # The overrides are off, so the post shows as its owner; the hook's own name is the server's.
    assert last_post(api, room.owner, room.channel_id)["props"] == {
        "build": 7,
        "webhook_display_name": "CI",
        "from_webhook": "true",
    }


def test_slash_command_answers_lose_the_server_only_props(api, room, receiver):
    command = {"team_id": room.team_id, "trigger": "deploy", "url": receiver.url("/x"), "method": "P"}
    assert api.as_(room.owner).post("commands", command).status_code == 201
    receiver.answer = Answer.json({"response_type": "in_channel", "text": "shipped", "props": FORGED_PROPS})
    answer = run_command(api, room.member, room.channel_id, "/deploy")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["props"] == {}
    assert last_post(api, room.member, room.channel_id)["props"] == {"from_webhook": "true"}


def test_outgoing_hook_answers_lose_the_server_only_props(api, hub, room, receiver):
    callbacks = {"channel_id": room.channel_id, "callback_urls": [receiver.url("/h")]}
    created(create_outgoing(api, room.owner, room.team_id, **callbacks))
    receiver.answer = Answer.json({"text": "on it", "props": {**FORGED_PROPS, "build": 7}})
    api.as_(room.member).post("posts", {"channel_id": room.channel_id, "message": "deploy"})
    with ThreadPoolExecutor(2) as pool:
        while hub.deliveries.run_due(pool):
            pass
    answer = last_post(api, room.member, room.channel_id)
    assert answer["message"] == "on it"
    assert answer["props"] == {"build": 7, "from_webhook": "true", "webhook_display_name": ""}


def action_post(api, account, channel_id: str, url: str) -> dict:
    attachments = [{"actions": [{"id": "go", "name": "Go", "integration": {"url": url}}]}]
    body = {"channel_id": channel_id, "message": "release 7", "props": {"attachments": attachments}}
    return created(api.as_(account).post("posts", body))


def test_action_updates_lose_the_server_only_props(api, room, receiver):
    post = action_post(api, room.owner, room.channel_id, receiver.url("/act"))
    receiver.answer = Answer.json({"update": {"message": "approved", "props": {**FORGED_PROPS, "build": 7}}})
    assert api.as_(room.member).post(f"posts/{post['id']}/actions/go").status_code == 200
    assert api.as_(room.member).get(f"posts/{post['id']}").get_json()["props"] == {"build": 7}


# ---- finding 13: where an answer may send a client ---------------------------------------------
@pytest.mark.parametrize("location", UNSAFE_LOCATIONS)
def test_unsafe_locations_are_dropped(location):
    assert client_location(location) == ""


@pytest.mark.parametrize("location", SAFE_LOCATIONS)
def test_http_urls_and_site_paths_are_kept(location):
    assert client_location(location) == location


def test_an_action_answer_cannot_send_the_client_to_javascript(api, room, receiver):
    post = action_post(api, room.owner, room.channel_id, receiver.url("/act"))
    for location in ("javascript:alert(document.cookie)", "data:text/html,x", "//evil.example"):
        receiver.answer = Answer.json({"goto_location": location})
        answer = api.as_(room.member).post(f"posts/{post['id']}/actions/go")
        assert answer.status_code == 200 and "goto_location" not in answer.get_json()
    receiver.answer = Answer.json({"goto_location": "/crew/channels/room"})
    assert api.as_(room.member).post(f"posts/{post['id']}/actions/go").get_json()["goto_location"] == (
        "/crew/channels/room"
    )


def test_a_command_answer_cannot_send_the_client_to_javascript(api, room, receiver):
    command = {"team_id": room.team_id, "trigger": "deploy", "url": receiver.url("/x"), "method": "P"}
    assert api.as_(room.owner).post("commands", command).status_code == 201
    receiver.answer = Answer.json({"text": "x", "goto_location": "javascript:alert(1)"})
    answer = run_command(api, room.member, room.channel_id, "/deploy")
    assert answer.get_json()["goto_location"] == ""
