"""Slash commands over the API: custom commands' management, execution of built-ins and of custom
commands against a real HTTP receiver, answers in the channel or to the caller, and response_url."""

from __future__ import annotations

import json

from hub import models, signing
from hub.ids import new_id
from tests.fixtures import assert_app_error
from tests.receiver import Answer
from webhooks import actions

COMMAND_KEYS = {
    "id",
    "token",
    "create_at",
    "update_at",
    "delete_at",
    "creator_id",
    "team_id",
    "trigger",
    "method",
    "username",
    "icon_url",
    "auto_complete",
    "auto_complete_desc",
    "auto_complete_hint",
    "display_name",
    "description",
    "url",
    "plugin_id",
}


def make_command(api, room, url: str, **fields) -> dict:
    body = {"team_id": room.team_id, "trigger": "deploy", "url": url, "method": "P", **fields}
    response = api.as_(room.owner).post("commands", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    # Only the create answer shows the signing secret (tests/test_security_signing.py); these tests
    # compare the command with what the other routes answer.
    assert len(created.pop("signing_secret")) == 64
    return created


def execute(api, account, channel_id: str, command: str, **extra):
    return api.as_(account).post("commands/execute", {"channel_id": channel_id, "command": command, **extra})


def channel_posts(api, account, channel_id: str) -> list[dict]:
    body = api.as_(account).get(f"channels/{channel_id}/posts").get_json()
    return [body["posts"][post_id] for post_id in reversed(body["order"])]


# ---- management ----------------------------------------------------------------------------
def test_team_admin_manages_custom_commands(api, room):
    created = make_command(api, room, "https://example.com/deploy", display_name="Deploy", auto_complete=True)
    assert set(created) == COMMAND_KEYS
    assert (created["trigger"], created["creator_id"], len(created["token"])) == ("deploy", room.owner.id, 26)
    as_owner = api.as_(room.owner)
    assert as_owner.get(f"commands/{created['id']}").get_json() == created
    updated = as_owner.put(
        f"commands/{created['id']}", {**created, "trigger": "ship", "method": "G"}
    ).get_json()
    assert (updated["trigger"], updated["method"]) == ("ship", "G")
    token = as_owner.put(f"commands/{created['id']}/regen_token").get_json()["token"]
    assert (
        token != created["token"] and as_owner.get(f"commands/{created['id']}").get_json()["token"] == token
    )
    listed = as_owner.get(f"commands?team_id={room.team_id}&custom_only=true").get_json()
    assert [c["id"] for c in listed] == [created["id"]]
    assert as_owner.delete(f"commands/{created['id']}").status_code == 200
    assert as_owner.get(f"commands?team_id={room.team_id}&custom_only=true").get_json() == []
    assert_app_error(as_owner.get(f"commands/{created['id']}"), 404)


def test_members_see_sanitised_commands_and_builtins(api, room):
    make_command(api, room, "https://example.com/deploy", auto_complete=True, auto_complete_desc="Ship it")
    make_command(api, room, "https://example.com/quiet", trigger="quiet")
    as_member = api.as_(room.member)
    assert_app_error(
        as_member.post("commands", {"team_id": room.team_id, "trigger": "x", "url": "https://e.x"}), 403
    )
    assert_app_error(as_member.get(f"commands?team_id={room.team_id}&custom_only=true"), 403)
    listed = {c["trigger"]: c for c in as_member.get(f"commands?team_id={room.team_id}").get_json()}
    assert {"echo", "away", "deploy", "quiet"} <= set(listed)
    assert (listed["deploy"]["token"], listed["deploy"]["url"]) == ("", "")
    menu = {c["trigger"]: c for c in as_member.get(f"teams/{room.team_id}/commands/autocomplete").get_json()}
    assert "deploy" in menu and "quiet" not in menu and "shrug" in menu
    assert menu["deploy"]["auto_complete_desc"] == "Ship it" and menu["deploy"]["token"] == ""
    assert_app_error(api.as_(room.outsider).get(f"teams/{room.team_id}/commands/autocomplete"), 403)


def test_bad_command_definitions(api, room):
    as_owner = api.as_(room.owner)
    base = {"team_id": room.team_id, "trigger": "deploy", "url": "https://example.com/x"}
    for bad in (
        {"trigger": "/deploy"},
        {"trigger": "two words"},
        {"trigger": ""},
        {"trigger": "x" * 129},
        {"url": ""},
        {"url": "ftp://example.com/x"},
        {"url": "not a url"},
        {"method": "X"},
        {"display_name": "d" * 65},
        {"team_id": "nope"},
        {"trigger": 5},
    ):
        assert as_owner.post("commands", {**base, **bad}).status_code == 400, bad
    make_command(api, room, "https://example.com/x")
    duplicate = as_owner.post("commands", {**base, "trigger": "DEPLOY"})
    assert_app_error(duplicate, 400, "api.command.duplicate_trigger.app_error")


def test_disabled_commands_answer_501_but_builtins_work(api, hub, room):
    created = make_command(api, room, "https://example.com/x")
    hub.config["ServiceSettings"]["EnableCommands"] = False
    assert_app_error(
        api.as_(room.owner).get(f"commands/{created['id']}"), 501, "api.command.disabled.app_error"
    )
    assert execute(api, room.owner, room.channel_id, "/echo still here").status_code == 200


# ---- built-ins -----------------------------------------------------------------------------
def test_builtin_in_channel_answer_becomes_the_callers_post(api, room):
    answer = execute(api, room.member, room.channel_id, "/shrug oh well")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["response_type"] == "in_channel"
    post = channel_posts(api, room.member, room.channel_id)[-1]
    assert (post["user_id"], post["message"]) == (room.member.id, "oh well ¯\\\\\\_(ツ)\\_/¯")
    assert "from_webhook" not in post["props"]


def test_builtin_reply_in_a_thread(api, room):
    root = api.as_(room.member).post("posts", {"channel_id": room.channel_id, "message": "root"}).get_json()
    assert (
        execute(api, room.member, room.channel_id, "/echo in thread", root_id=root["id"]).status_code == 200
    )
    assert channel_posts(api, room.member, room.channel_id)[-1]["root_id"] == root["id"]


def test_builtin_ephemeral_answer_reaches_the_caller_only(api, room, ws_connect):
    caller, other = ws_connect(room.member), ws_connect(room.owner)
    answer = execute(api, room.member, room.channel_id, "/echo")
    assert answer.get_json()["response_type"] == "ephemeral"
    frame = caller.expect("ephemeral_message", timeout=3)
    post = json.loads(frame["data"]["post"])
    assert (post["type"], post["channel_id"]) == ("system_ephemeral", room.channel_id)
    assert "message must be provided" in post["message"]
    assert not [f for f in other.drain() if f.get("event") == "ephemeral_message"]


def test_unknown_trigger_and_bad_requests(api, room):
    assert_app_error(
        execute(api, room.member, room.channel_id, "/nosuchthing x"),
        404,
        "api.command.execute_command.not_found.app_error",
    )
    assert_app_error(execute(api, room.member, room.channel_id, "echo x"), 400)
    assert_app_error(execute(api, room.member, room.channel_id, "/"), 400)
    assert_app_error(execute(api, room.member, "bad", "/echo x"), 400)
    assert_app_error(execute(api, room.outsider, room.channel_id, "/echo x"), 403)
    assert_app_error(execute(api, room.member, room.private_channel_id, "/echo x"), 403)


# ---- custom commands -----------------------------------------------------------------------
def test_custom_command_is_called_with_mattermosts_fields_and_signed(api, hub, room, receiver):
    command = make_command(api, room, receiver.url("/deploy"))
    receiver.answer = Answer.json(
        {"response_type": "in_channel", "text": "Deploying <https://ci.example/7|#7>"}
    )
    answer = execute(api, room.member, room.channel_id, "/deploy  api prod ")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    request = receiver.next()
    assert (request.method, request.path, request.headers["Content-Type"]) == (
        "POST",
        "/deploy",
        "application/x-www-form-urlencoded",
    )
    form = request.form
    assert form["text"] == "api prod" and form["command"] == "/deploy" and form["token"] == command["token"]
    assert (form["channel_id"], form["channel_name"], form["team_id"], form["team_domain"]) == (
        room.channel_id,
        "room",
        room.team_id,
        "crew",
    )
    assert (form["user_id"], form["user_name"]) == (room.member.id, room.member.username)
    assert form["response_url"].startswith(hub.config.site_url + "/hooks/commands/")
    assert actions.service(hub).verify_trigger_id(form["trigger_id"])[1] == room.member.id
    assert request.headers["Authorization"] == f"Token {command['token']}"
    with hub.store.read() as s:
        signing_secret = s.get(models.Command, command["id"]).signing_secret
    assert signing.verify(signing_secret, request.headers, request.body)
    assert not signing.verify(command["token"], request.headers, request.body)
    post = channel_posts(api, room.member, room.channel_id)[-1]
    assert (post["user_id"], post["message"]) == (room.member.id, "Deploying [#7](https://ci.example/7)")
    assert post["props"]["from_webhook"] == "true"


def test_get_command_sends_a_query(api, room, receiver):
    make_command(api, room, receiver.url("/status?verbose=1"), method="G")
    receiver.answer = Answer.text("all green")
    assert execute(api, room.member, room.channel_id, "/deploy now").status_code == 200
    request = receiver.next()
    assert request.method == "GET" and request.query["verbose"] == "1" and request.query["text"] == "now"


def test_every_answer_shape(api, hub, room, receiver, ws_connect):
    hub.config["ServiceSettings"]["EnablePostUsernameOverride"] = True
    make_command(api, room, receiver.url("/x"), username="deploybot")
    caller = ws_connect(room.member)
    attachments = [{"color": "#2DA44E", "title": "done", "title_link": "javascript:alert(1)"}]
    receiver.answer = Answer.json(
        {
            "response_type": "in_channel",
            "text": "<!here> shipped",
            "skip_slack_parsing": True,
            "attachments": attachments,
            "props": {"build": 7},
            "type": "custom_deploy",
            "goto_location": "https://ci.example/7",
            "extra_responses": [{"response_type": "ephemeral", "text": "only you see this"}],
        }
    )
    answer = execute(api, room.member, room.channel_id, "/deploy").get_json()
    assert answer["goto_location"] == "https://ci.example/7"
    post = channel_posts(api, room.member, room.channel_id)[-1]
    assert post["message"] == "<!here> shipped" and post["type"] == "slack_attachment"
    assert post["props"]["attachments"] == attachments and post["props"]["build"] == 7
    assert post["props"]["override_username"] == "deploybot"
    shown = json.loads(caller.expect("ephemeral_message", timeout=3)["data"]["post"])
    assert shown["message"] == "only you see this"


def test_custom_command_wins_over_the_builtin(api, room, receiver):
    make_command(api, room, receiver.url("/echo"), trigger="echo")
    receiver.answer = Answer.json({"response_type": "in_channel", "text": "custom echo"})
    execute(api, room.member, room.channel_id, "/echo hi")
    assert receiver.next().form["text"] == "hi"
    assert channel_posts(api, room.member, room.channel_id)[-1]["message"] == "custom echo"


def test_failing_integrations_are_clear_errors(api, room, receiver):
    make_command(api, room, receiver.url("/x"))
    receiver.answer = Answer.text("boom", status=500)
    failed = assert_app_error(execute(api, room.member, room.channel_id, "/deploy"), 502)
    assert "HTTP 500" in failed["detailed_error"]
    receiver.answer = Answer(200, b"{not json", "application/json")
    assert_app_error(execute(api, room.member, room.channel_id, "/deploy"), 400)
    receiver.answer = Answer.json({"response_type": "in_channel", "text": "x", "type": "system_join_channel"})
    assert_app_error(execute(api, room.member, room.channel_id, "/deploy"), 502)


def test_internal_urls_are_refused_unless_allowed(api, hub, room, receiver):
    make_command(api, room, receiver.url("/x"))
    hub.config["ServiceSettings"]["AllowedUntrustedInternalConnections"] = ""
    refused = assert_app_error(execute(api, room.member, room.channel_id, "/deploy"), 502)
    assert "127.0.0.1" in refused["detailed_error"] or "internal" in refused["detailed_error"]
    assert receiver.requests.empty()


def test_response_url_takes_five_delayed_answers(api, room, receiver):
    make_command(api, room, receiver.url("/x"))
    receiver.answer = Answer.text("")
    execute(api, room.member, room.channel_id, "/deploy")
    response_url = receiver.next().form["response_url"]
    path = response_url.split("://", 1)[1].split("/", 1)[1]
    for number in range(1, 6):
        body = json.dumps({"response_type": "in_channel", "text": f"step {number}"})
        delayed = api.as_(None).request(
            "POST", f"/{path}", data=body, headers={"Content-Type": "application/json"}
        )
        assert delayed.status_code == 200 and delayed.get_data() == b"ok"
    sixth = api.as_(None).request(
        "POST", f"/{path}", data='{"text": "6"}', headers={"Content-Type": "application/json"}
    )
    assert_app_error(sixth, 400, "app.command_webhook.try_use.invalid.app_error")
    messages = [p["message"] for p in channel_posts(api, room.member, room.channel_id)]
    assert messages[-5:] == [f"step {n}" for n in range(1, 6)]
    unknown = api.as_(None).request(
        "POST", f"/hooks/commands/{new_id()}", data="{}", headers={"Content-Type": "application/json"}
    )
    assert_app_error(unknown, 404, "app.command_webhook.get.missing")
