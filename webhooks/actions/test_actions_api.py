"""Interactive messages and dialogs over the API, against a real HTTP receiver: clicks on buttons and
menus sent to the sealed integration with Mattermost's fields, the answers applied, trigger ids, and
dialogs opened for a user and submitted."""

from __future__ import annotations

import base64
import json

import pytest

from hub import signing
from hub.ids import new_id, now_ms
from tests.fixtures import assert_app_error
from tests.receiver import Answer, Receiver
from webhooks import actions

SIGNING_SECRET = "actions-signing-secret"
NO_ACTION = "api.post.do_action.action_id.app_error"


@pytest.fixture
def receiver(hub):
    hub.config["ServiceSettings"]["AllowedUntrustedInternalConnections"] = "127.0.0.1"
    hub.config["ServiceSettings"]["OutgoingIntegrationRequestsTimeout"] = 5
    hub.config["ServiceSettings"]["IntegrationActionsSigningSecret"] = SIGNING_SECRET
    server = Receiver()
    yield server
    server.close()


def buttons(url: str, **context) -> list[dict]:
    return [
        {
            "text": "Deploy to production?",
            "actions": [
                {
                    "id": "approve",
                    "name": "Approve",
                    "style": "good",
                    "integration": {"url": url, "context": {"verdict": "yes", **context}},
                },
                {
                    "name": "Environment",
                    "type": "select",
                    "options": [{"text": "Staging", "value": "staging"}, {"text": "Prod", "value": "prod"}],
                    "integration": {"url": url, "context": {"menu": True}},
                },
            ],
        }
    ]


def make_post(api, account, channel_id: str, attachments: list[dict], message: str = "release 7") -> dict:
    body = {"channel_id": channel_id, "message": message, "props": {"attachments": attachments}}
    response = api.as_(account).post("posts", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def actions_of(post: dict) -> list[dict]:
    return post["props"]["attachments"][0]["actions"]


def click(api, account, post_id: str, action_id: str, **body):
    return api.as_(account).post(f"posts/{post_id}/actions/{action_id}", body or None)


def stored_post(api, account, post_id: str) -> dict:
    return api.as_(account).get(f"posts/{post_id}").get_json()


# ---- sealing -------------------------------------------------------------------------------
def test_actions_get_ids_and_their_integration_stays_on_the_server(api, room, receiver):
    post = make_post(api, room.owner, room.channel_id, buttons(receiver.url("/act")))
    approve, menu = actions_of(post)
    assert approve["id"] == "approve" and len(menu["id"]) == 26
    assert "integration" not in approve and "integration" not in menu
    assert (approve["name"], approve["style"], menu["options"][1]["value"]) == ("Approve", "good", "prod")
    assert actions_of(stored_post(api, room.member, post["id"])) == [approve, menu]


def test_bad_action_definitions_are_refused(api, room, receiver):
    for bad in (
        {"name": "x", "integration": {"url": "ftp://example.com/x"}},
        {"name": "x", "integration": {"url": receiver.url(), "context": "not an object"}},
        {"name": "x", "type": "slider", "integration": {"url": receiver.url()}},
        {"name": "x", "integration": "https://example.com"},
    ):
        response = api.as_(room.owner).post(
            "posts",
            {"channel_id": room.channel_id, "message": "x", "props": {"attachments": [{"actions": [bad]}]}},
        )
        assert_app_error(response, 400)


# ---- clicks --------------------------------------------------------------------------------
def test_button_click_reaches_the_integration_with_mattermosts_fields(api, hub, room, receiver):
    post = make_post(api, room.owner, room.channel_id, buttons(receiver.url("/act")))
    answer = click(api, room.member, post["id"], "approve")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["status"] == "OK" and len(body["trigger_id"]) == 26 and "goto_location" not in body
    request = receiver.next()
    assert (request.method, request.path) == ("POST", "/act")
    assert request.headers["Content-Type"] == "application/json"
    assert signing.verify(SIGNING_SECRET, request.headers, request.body)
    sent = request.json()
    trigger_id = sent.pop("trigger_id")
    assert sent == {
        "user_id": room.member.id,
        "user_name": "member",
        "channel_id": room.channel_id,
        "channel_name": "room",
        "team_id": room.team_id,
        "team_domain": "crew",
        "post_id": post["id"],
        "type": "button",
        "data_source": "",
        "context": {"verdict": "yes"},
    }
    assert actions.service(hub).verify_trigger_id(trigger_id) == (body["trigger_id"], room.member.id)


def test_select_sends_the_selected_option(api, room, receiver):
    post = make_post(api, room.owner, room.channel_id, buttons(receiver.url("/act")))
    menu_id = actions_of(post)[1]["id"]
    assert click(api, room.member, post["id"], menu_id, selected_option="prod").status_code == 200
    sent = receiver.next().json()
    assert sent["type"] == "select" and sent["context"] == {"menu": True, "selected_option": "prod"}


def test_update_answer_replaces_the_post_and_keeps_actions_sealed(api, room, receiver, ws_connect):
    post = make_post(api, room.owner, room.channel_id, buttons(receiver.url("/act")))
    watcher = ws_connect(room.owner)
    undo = {"id": "undo", "name": "Undo", "integration": {"url": receiver.url("/undo")}}
    attachments = [{"text": "Approved", "actions": [undo]}]
    updated = {"message": "release 7: approved", "props": {"attachments": attachments}}
    receiver.answer = Answer.json({"update": updated})
    assert click(api, room.member, post["id"], "approve").status_code == 200
    receiver.next()
    edited = json.loads(watcher.expect("post_edited", timeout=3)["data"]["post"])
    assert edited["message"] == "release 7: approved"
    current = stored_post(api, room.member, post["id"])
    assert current["message"] == "release 7: approved"
    assert actions_of(current) == [{"id": "undo", "name": "Undo"}]
    assert_app_error(click(api, room.member, post["id"], "approve"), 404, NO_ACTION)
    receiver.answer = Answer.json({})
    assert click(api, room.member, post["id"], "undo").status_code == 200
    assert receiver.next().path == "/undo"


def test_update_without_props_keeps_the_post_props(api, room, receiver):
    post = make_post(api, room.owner, room.channel_id, buttons(receiver.url("/act")))
    receiver.answer = Answer.json({"update": {"message": "still waiting"}})
    assert click(api, room.member, post["id"], "approve").status_code == 200
    receiver.next()
    current = stored_post(api, room.member, post["id"])
    assert current["message"] == "still waiting" and actions_of(current) == actions_of(post)
    assert click(api, room.member, post["id"], "approve").status_code == 200


def test_ephemeral_and_goto_answers(api, room, receiver, ws_connect):
    post = make_post(api, room.owner, room.channel_id, buttons(receiver.url("/act")))
    clicker, other = ws_connect(room.member), ws_connect(room.owner)
    receiver.answer = Answer.json(
        {"ephemeral_text": "See <https://ci.example/7|build 7>", "goto_location": "https://ci.example/7"}
    )
    body = click(api, room.member, post["id"], "approve").get_json()
    assert body["goto_location"] == "https://ci.example/7"
    shown = json.loads(clicker.expect("ephemeral_message", timeout=3)["data"]["post"])
    assert shown["message"] == "See [build 7](https://ci.example/7)"
    assert (shown["channel_id"], shown["root_id"]) == (room.channel_id, post["id"])
    assert shown["type"] == "system_ephemeral"
    assert not [f for f in other.drain() if f.get("event") == "ephemeral_message"]


def test_an_edited_button_still_reaches_the_sealed_url(api, room, receiver):
    post = make_post(api, room.owner, room.channel_id, buttons(receiver.url("/act")))
    elsewhere = Receiver()
    try:
        forged = post["props"]["attachments"]
        forged_integration = {"url": elsewhere.url("/steal"), "context": {"verdict": "forged"}}
        forged[0]["actions"][0]["integration"] = forged_integration
        patched = api.as_(room.owner).put(f"posts/{post['id']}/patch", {"props": {"attachments": forged}})
        assert patched.status_code == 200, patched.get_data(as_text=True)
        assert "integration" not in actions_of(patched.get_json())[0]
        assert click(api, room.member, post["id"], "approve").status_code == 200
        request = receiver.next()
        assert request.path == "/act" and request.json()["context"] == {"verdict": "yes"}
        assert elsewhere.requests.empty()
    finally:
        elsewhere.close()


def test_an_edit_that_drops_an_action_removes_it(api, room, receiver):
    post = make_post(api, room.owner, room.channel_id, buttons(receiver.url("/act")))
    kept = [{**post["props"]["attachments"][0], "actions": actions_of(post)[1:]}]
    patched = api.as_(room.owner).put(f"posts/{post['id']}/patch", {"props": {"attachments": kept}})
    assert patched.status_code == 200
    assert_app_error(click(api, room.member, post["id"], "approve"), 404)


def test_incoming_webhook_and_command_posts_have_working_actions(api, room, receiver):
    hook = api.as_(room.owner).post("hooks/incoming", {"channel_id": room.channel_id}).get_json()
    sent = api.as_(None).request(
        "POST",
        f"/hooks/{hook['id']}",
        data=json.dumps({"text": "from a hook", "attachments": buttons(receiver.url("/hook-act"))}),
        headers={"Content-Type": "application/json"},
    )
    assert sent.status_code == 200, sent.get_data(as_text=True)
    listed = api.as_(room.member).get(f"channels/{room.channel_id}/posts").get_json()
    hook_post = listed["posts"][listed["order"][0]]
    assert click(api, room.member, hook_post["id"], "approve").status_code == 200
    assert receiver.next().path == "/hook-act"

    command = {"team_id": room.team_id, "trigger": "ship", "url": receiver.url("/command"), "method": "P"}
    assert api.as_(room.owner).post("commands", command).status_code == 201
    receiver.answer = Answer.json(
        {
            "response_type": "in_channel",
            "text": "ship it?",
            "attachments": buttons(receiver.url("/command-act")),
        }
    )
    execute = {"channel_id": room.channel_id, "command": "/ship"}
    answered = api.as_(room.member).post("commands/execute", execute)
    assert answered.status_code == 200, answered.get_data(as_text=True)
    receiver.next()
    listed = api.as_(room.member).get(f"channels/{room.channel_id}/posts").get_json()
    command_post = listed["posts"][listed["order"][0]]
    receiver.answer = Answer.json({})
    assert click(api, room.member, command_post["id"], "approve").status_code == 200
    assert receiver.next().path == "/command-act"


def test_ephemeral_posts_actions_work_through_their_cookie(api, room, receiver, ws_connect):
    command = {"team_id": room.team_id, "trigger": "ask", "url": receiver.url("/command"), "method": "P"}
    assert api.as_(room.owner).post("commands", command).status_code == 201
    caller = ws_connect(room.member)
    receiver.answer = Answer.json({"text": "only you", "attachments": buttons(receiver.url("/private-act"))})
    api.as_(room.member).post("commands/execute", {"channel_id": room.channel_id, "command": "/ask"})
    receiver.next()
    shown = json.loads(caller.expect("ephemeral_message", timeout=3)["data"]["post"])
    approve = actions_of(shown)[0]
    assert "integration" not in approve and approve["cookie"]
    assert_app_error(click(api, room.member, shown["id"], "approve"), 404)
    forged = approve["cookie"][:-4] + "AAA="
    assert_app_error(click(api, room.member, shown["id"], "approve", cookie=forged), 400)
    assert_app_error(
        click(api, room.member, shown["id"], "approve", cookie=approve["cookie"] + "\u00e9"), 400
    )
    other_post = new_id()
    assert_app_error(click(api, room.member, other_post, "approve", cookie=approve["cookie"]), 400)
    assert_app_error(click(api, room.outsider, shown["id"], "approve", cookie=approve["cookie"]), 403)
    receiver.answer = Answer.json({"ephemeral_text": "noted"})
    assert click(api, room.member, shown["id"], "approve", cookie=approve["cookie"]).status_code == 200
    sent = receiver.next()
    assert sent.path == "/private-act"
    assert (sent.json()["post_id"], sent.json()["context"]) == (shown["id"], {"verdict": "yes"})


def test_unknown_posts_and_actions_and_no_access(api, room, receiver):
    post = make_post(api, room.owner, room.channel_id, buttons(receiver.url("/act")))
    assert_app_error(click(api, room.member, new_id(), "approve"), 404)
    assert_app_error(click(api, room.member, post["id"], "nosuch"), 404, NO_ACTION)
    assert_app_error(click(api, room.member, "bad", "approve"), 400)
    assert_app_error(click(api, room.outsider, post["id"], "approve"), 403)
    private = make_post(api, room.owner, room.private_channel_id, buttons(receiver.url("/act")))
    assert_app_error(click(api, room.member, private["id"], "approve"), 403)
    assert_app_error(click(api, None, post["id"], "approve"), 401)
    assert_app_error(click(api, room.member, post["id"], "approve", selected_option=5), 400)
    assert receiver.requests.empty()


def test_failing_integrations_are_clear_errors(api, room, receiver):
    post = make_post(api, room.owner, room.channel_id, buttons(receiver.url("/act")))
    receiver.answer = Answer.text("boom", status=500)
    failed = assert_app_error(click(api, room.member, post["id"], "approve"), 502)
    assert "HTTP 500" in failed["detailed_error"]
    receiver.answer = Answer(200, b"{not json", "application/json")
    assert_app_error(click(api, room.member, post["id"], "approve"), 502)
    receiver.answer = Answer.json({"update": "not a post"})
    assert_app_error(click(api, room.member, post["id"], "approve"), 502)
    closed = Receiver()
    url = closed.url("/gone")
    closed.close()
    gone = make_post(api, room.owner, room.channel_id, buttons(url))
    assert_app_error(click(api, room.member, gone["id"], "approve"), 502)


def test_internal_urls_are_refused_unless_allowed(api, hub, room, receiver):
    post = make_post(api, room.owner, room.channel_id, buttons(receiver.url("/act")))
    hub.config["ServiceSettings"]["AllowedUntrustedInternalConnections"] = ""
    refused = assert_app_error(click(api, room.member, post["id"], "approve"), 502)
    assert "internal" in refused["detailed_error"]
    assert receiver.requests.empty()


# ---- trigger ids and dialogs ---------------------------------------------------------------
DIALOG = {
    "callback_id": "deploy-form",
    "title": "Deploy",
    "introduction_text": "Where to?",
    "submit_label": "Go",
    "notify_on_cancel": True,
    "state": "release-7",
    "elements": [
        {"display_name": "Reason", "name": "reason", "type": "text", "min_length": 3, "max_length": 20},
        {"display_name": "Email", "name": "email", "type": "text", "subtype": "email", "optional": True},
        {
            "display_name": "Target",
            "name": "target",
            "type": "select",
            "options": [{"text": "Staging", "value": "staging"}, {"text": "Prod", "value": "prod"}],
        },
        {"display_name": "Notify", "name": "notify", "type": "bool"},
        {"display_name": "Notes", "name": "notes", "type": "textarea", "optional": True},
    ],
}


def trigger_from_click(api, room, receiver) -> str:
    post = make_post(api, room.owner, room.channel_id, buttons(receiver.url("/act")))
    assert click(api, room.member, post["id"], "approve").status_code == 200
    return receiver.next().json()["trigger_id"]


def open_dialog(api, trigger_id: str, url: str, dialog: dict | None = None):
    body = {"trigger_id": trigger_id, "url": url, "dialog": dialog or DIALOG}
    return api.as_(None).post("actions/dialogs/open", body)


def test_dialog_opens_for_the_clicking_user(api, hub, room, receiver, ws_connect):
    clicker, other = ws_connect(room.member), ws_connect(room.owner)
    trigger_id = trigger_from_click(api, room, receiver)
    opened = open_dialog(api, trigger_id, receiver.url("/dialog"))
    assert opened.status_code == 200 and opened.get_json() == {"status": "OK"}
    shown = json.loads(clicker.expect("open_dialog", timeout=3)["data"]["dialog"])
    assert shown["dialog"]["title"] == "Deploy" and shown["dialog"]["callback_id"] == "deploy-form"
    names = [e["name"] for e in shown["dialog"]["elements"]]
    assert names == ["reason", "email", "target", "notify", "notes"]
    assert actions.service(hub).verify_trigger_id(trigger_id)[0] == shown["trigger_id"]
    assert receiver.url() not in shown["url"]
    assert not [f for f in other.drain() if f.get("event") == "open_dialog"]


def test_command_trigger_ids_open_dialogs_too(api, room, receiver):
    command = {"team_id": room.team_id, "trigger": "form", "url": receiver.url("/command"), "method": "P"}
    api.as_(room.owner).post("commands", command)
    receiver.answer = Answer.text("")
    api.as_(room.member).post("commands/execute", {"channel_id": room.channel_id, "command": "/form"})
    trigger_id = receiver.next().form["trigger_id"]
    assert open_dialog(api, trigger_id, receiver.url("/dialog")).status_code == 200


def test_bad_or_expired_trigger_ids_and_bad_dialogs_are_refused(api, hub, room, receiver):
    url = receiver.url("/dialog")
    _, expired = actions.service(hub).issue_trigger_id(room.member.id, issued_at=now_ms() - 4 * 60 * 1000)
    assert_app_error(open_dialog(api, expired, url), 400, "interactive_message.decode_trigger_id.expired")
    client_id, valid = actions.service(hub).issue_trigger_id(room.member.id)
    payload = base64.b64decode(valid).decode().split(":")
    payload[1] = room.owner.id
    forged = base64.b64encode(":".join(payload).encode()).decode()
    forged_answer = open_dialog(api, forged, url)
    assert_app_error(forged_answer, 400, "interactive_message.decode_trigger_id.verify_signature_failed")
    assert_app_error(open_dialog(api, "not base64!", url), 400)
    assert_app_error(open_dialog(api, base64.b64encode(b"a:b").decode(), url), 400)
    for non_ascii in ("a:b:\u00b2:sig", f"{client_id}:{room.member.id}:{now_ms()}:sig\u00e9"):
        assert_app_error(open_dialog(api, base64.b64encode(non_ascii.encode()).decode(), url), 400)
    assert_app_error(open_dialog(api, "", url), 400)
    assert_app_error(open_dialog(api, valid, ""), 400)
    assert_app_error(open_dialog(api, valid, "ftp://example.com/x"), 400)
    for bad in (
        {**DIALOG, "title": ""},
        {**DIALOG, "title": "t" * 25},
        {**DIALOG, "elements": [{"display_name": "A", "name": "a", "type": "slider"}]},
        {**DIALOG, "elements": [{"display_name": "A", "name": "a", "type": "text", "subtype": "colour"}]},
        {**DIALOG, "elements": [{"display_name": "A", "name": "a", "type": "text", "min_length": 5}]},
        {**DIALOG, "elements": [{"display_name": "", "name": "a", "type": "text"}]},
        {**DIALOG, "elements": [{"display_name": "A", "name": "a", "type": "text"}] * 2},
        {**DIALOG, "elements": [{"display_name": "A", "name": "a", "type": "select", "default": "x"}]},
        {**DIALOG, "elements": [{"display_name": "A", "name": "a", "type": "bool", "default": "yes"}]},
        {**DIALOG, "elements": "none"},
    ):
        assert_app_error(open_dialog(api, valid, url, bad), 400, "api.dialog.open.invalid_dialog.app_error")


def opened_dialog(api, room, receiver, ws_connect) -> dict:
    clicker = ws_connect(room.member)
    trigger_id = trigger_from_click(api, room, receiver)
    assert open_dialog(api, trigger_id, receiver.url("/dialog")).status_code == 200
    return json.loads(clicker.expect("open_dialog", timeout=3)["data"]["dialog"])


def submit(api, account, shown: dict, room, submission, **extra):
    body = {
        "url": shown["url"],
        "callback_id": shown["dialog"]["callback_id"],
        "state": shown["dialog"]["state"],
        "channel_id": room.channel_id,
        "team_id": room.team_id,
        "submission": submission,
        **extra,
    }
    return api.as_(account).post("actions/dialogs/submit", body)


GOOD_ANSWERS = {"reason": "hotfix", "target": "prod", "notify": True}


def test_submission_is_checked_then_sent_to_the_sealed_url(api, room, receiver, ws_connect):
    shown = opened_dialog(api, room, receiver, ws_connect)
    wrong = {"reason": "no", "email": "nope", "target": "moon", "notify": "x"}
    invalid = submit(api, room.member, shown, room, wrong)
    assert invalid.status_code == 200
    assert set(invalid.get_json()["errors"]) == {"reason", "email", "target", "notify"}
    missing = submit(api, room.member, shown, room, {})
    assert set(missing.get_json()["errors"]) == {"reason", "target"}
    assert receiver.requests.empty()
    receiver.answer = Answer.json({})
    done = submit(api, room.member, shown, room, GOOD_ANSWERS, callback_id="forged", state="forged")
    assert done.status_code == 200 and done.get_json() == {}
    request = receiver.next()
    assert request.path == "/dialog" and signing.verify(SIGNING_SECRET, request.headers, request.body)
    assert request.json() == {
        "type": "dialog_submission",
        "url": receiver.url("/dialog"),
        "callback_id": "deploy-form",
        "state": "release-7",
        "user_id": room.member.id,
        "channel_id": room.channel_id,
        "team_id": room.team_id,
        "submission": GOOD_ANSWERS,
        "cancelled": False,
    }
    # A dialog answered without errors is closed.
    closed = submit(api, room.member, shown, room, GOOD_ANSWERS)
    assert_app_error(closed, 404, "api.dialog.submit.not_found.app_error")


def test_integration_errors_come_back_and_the_dialog_stays_open(api, room, receiver, ws_connect):
    shown = opened_dialog(api, room, receiver, ws_connect)
    receiver.answer = Answer.json({"errors": {"reason": "Production is frozen"}, "error": "Not now"})
    answer = submit(api, room.member, shown, room, GOOD_ANSWERS)
    assert answer.get_json() == {"errors": {"reason": "Production is frozen"}, "error": "Not now"}
    receiver.next()
    receiver.answer = Answer.text("down", status=503)
    assert_app_error(submit(api, room.member, shown, room, GOOD_ANSWERS), 502)
    receiver.next()
    receiver.answer = Answer.json({})
    assert submit(api, room.member, shown, room, GOOD_ANSWERS).get_json() == {}


def test_cancel_is_sent_when_asked_for_and_others_cannot_submit(api, room, receiver, ws_connect):
    shown = opened_dialog(api, room, receiver, ws_connect)
    assert_app_error(submit(api, room.owner, shown, room, GOOD_ANSWERS), 404)
    unsealed = {**shown, "url": receiver.url("/dialog")}
    assert_app_error(submit(api, room.member, unsealed, room, GOOD_ANSWERS), 404)
    private = room.private_channel_id
    assert_app_error(submit(api, room.member, shown, room, GOOD_ANSWERS, channel_id=private), 403)
    assert_app_error(submit(api, room.member, shown, room, "x"), 400)
    assert_app_error(submit(api, None, shown, room, GOOD_ANSWERS), 401)
    receiver.answer = Answer.text("")
    assert submit(api, room.member, shown, room, {}, cancelled=True).get_json() == {}
    sent = receiver.next().json()
    assert sent["cancelled"] is True and sent["submission"] == {}
