"""Incoming webhooks: management under /api/v4/hooks/incoming and posting through POST /hooks/{id}."""

from __future__ import annotations

import json
import threading

import pytest
import requests

from hub.ids import new_id
from hub.permissions import Actor
from tests.fixtures import assert_app_error

HOOK_KEYS = {
    "id",
    "create_at",
    "update_at",
    "delete_at",
    "user_id",
    "channel_id",
    "team_id",
    "display_name",
    "description",
    "username",
    "icon_url",
    "channel_locked",
    # Hubbub's additions for the CI adapters
    "adapter",
    "has_secret",
    "event_filter",
    "last_unhandled_event",
    "last_unhandled_at",
}


def make_hook(api, account, channel_id: str, **fields) -> dict:
    response = api.as_(account).post("hooks/incoming", {"channel_id": channel_id, **fields})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def send(
    api,
    hook_id: str,
    payload,
    *,
    content_type: str | None = "application/json",
    headers: dict[str, str] | None = None,
    path: str = "",
    method: str = "POST",
):
    data = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    sent = {"Content-Type": content_type} if content_type else {}
    return api.as_(None).request(
        method, f"/hooks/{hook_id}{path}", data=data, headers={**sent, **(headers or {})}
    )


def assert_ok(response) -> None:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_data() == b"ok"
    assert response.headers["Content-Type"].startswith("text/plain")


def channel_posts(api, account, channel_id: str) -> list[dict]:
    """The channel's posts, oldest first."""
    body = api.as_(account).get(f"channels/{channel_id}/posts").get_json()
    return [body["posts"][post_id] for post_id in reversed(body["order"])]


def last_post(api, account, channel_id: str) -> dict:
    return channel_posts(api, account, channel_id)[-1]


def settings(hub, **values) -> None:
    hub.config["ServiceSettings"].update(values)


@pytest.fixture
def hook(api, room) -> dict:
    return make_hook(api, room.owner, room.channel_id, display_name="CI", description="builds")


# ---- management ----------------------------------------------------------------------------
def test_team_admin_creates_reads_updates_lists_and_deletes(api, room, hook):
    assert set(hook) == HOOK_KEYS
    assert hook["user_id"] == room.owner.id
    assert hook["team_id"] == room.team_id
    assert (hook["display_name"], hook["description"], hook["channel_locked"]) == ("CI", "builds", False)
    owner = api.as_(room.owner)
    assert owner.get(f"hooks/incoming/{hook['id']}").get_json() == hook
    listed = owner.get(f"hooks/incoming?team_id={room.team_id}").get_json()
    assert listed == [hook]
    assert owner.get(f"hooks/incoming?team_id={room.team_id}&page=1&per_page=1").get_json() == []

    changed = owner.put(
        f"hooks/incoming/{hook['id']}",
        {**hook, "display_name": "Deploys", "channel_id": room.private_channel_id, "channel_locked": True},
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    body = changed.get_json()
    assert (body["display_name"], body["channel_id"], body["channel_locked"]) == (
        "Deploys",
        room.private_channel_id,
        True,
    )
    assert body["update_at"] >= hook["update_at"]

    assert owner.delete(f"hooks/incoming/{hook['id']}").get_json() == {"status": "OK"}
    assert_app_error(owner.get(f"hooks/incoming/{hook['id']}"), 404, "app.webhooks.get_incoming.app_error")
    assert owner.get(f"hooks/incoming?team_id={room.team_id}").get_json() == []


def test_only_team_and_system_admins_manage_hooks(api, room, admin, hook):
    member = api.as_(room.member)
    assert_app_error(member.post("hooks/incoming", {"channel_id": room.channel_id}), 403)
    assert_app_error(member.get(f"hooks/incoming/{hook['id']}"), 403)
    assert_app_error(member.put(f"hooks/incoming/{hook['id']}", hook), 403)
    assert_app_error(member.delete(f"hooks/incoming/{hook['id']}"), 403)
    assert_app_error(member.get(f"hooks/incoming?team_id={room.team_id}"), 403)
    # Without a team, only a system admin sees every hook.
    assert_app_error(api.as_(room.owner).get("hooks/incoming"), 403)
    assert api.as_(admin).get("hooks/incoming").get_json() == [hook]
    assert api.as_(admin).get(f"hooks/incoming/{hook['id']}").get_json() == hook
    assert_app_error(api.as_(None).get(f"hooks/incoming/{hook['id']}"), 401)


def test_private_channel_needs_membership(api, hub, room, make_account):
    boss = make_account("boss")
    with hub.store.write() as s:
        hub.teams.add_member(s, hub.teams.load(s, room.team_id), boss.id, admin=True)
    assert_app_error(api.as_(boss).post("hooks/incoming", {"channel_id": room.private_channel_id}), 403)
    make_hook(api, boss, room.channel_id)
    make_hook(api, room.owner, room.private_channel_id)


def test_bad_management_input(api, room, hook):
    owner = api.as_(room.owner)
    invalid_param = "api.context.invalid_param.app_error"
    assert_app_error(owner.post("hooks/incoming", {"channel_id": "nope"}), 400, invalid_param)
    assert_app_error(owner.post("hooks/incoming", {"channel_id": new_id()}), 404)
    assert_app_error(
        owner.post("hooks/incoming", {"channel_id": room.channel_id, "display_name": "x" * 65}),
        400,
        "model.incoming_hook.display_name.app_error",
    )
    locked_as_text = {"channel_id": room.channel_id, "channel_locked": "yes"}
    assert_app_error(owner.post("hooks/incoming", locked_as_text), 400, invalid_param)
    assert_app_error(owner.post("hooks/incoming", [room.channel_id]), 400)
    assert_app_error(owner.get(f"hooks/incoming/{new_id()}"), 404, "app.webhooks.get_incoming.app_error")
    assert_app_error(owner.get("hooks/incoming/nope"), 400)
    assert_app_error(owner.put(f"hooks/incoming/{hook['id']}", {**hook, "id": new_id()}), 400)
    assert_app_error(owner.get(f"hooks/incoming?team_id={room.team_id}&page=x"), 400)


def test_disabled_setting_answers_501_everywhere(api, hub, room, hook):
    settings(hub, EnableIncomingWebhooks=False)
    owner = api.as_(room.owner)
    for response in (
        owner.post("hooks/incoming", {"channel_id": room.channel_id}),
        owner.get(f"hooks/incoming?team_id={room.team_id}"),
        owner.get(f"hooks/incoming/{hook['id']}"),
        owner.put(f"hooks/incoming/{hook['id']}", hook),
        owner.delete(f"hooks/incoming/{hook['id']}"),
        send(api, hook["id"], {"text": "hi"}),
    ):
        assert_app_error(response, 501, "web.incoming_webhook.disabled.app_error")


# ---- posting -------------------------------------------------------------------------------
def test_json_post_made_as_owner(api, room, hook):
    assert_ok(send(api, hook["id"], {"text": "build **passed**", "props": {"build": 7}}))
    post = last_post(api, room.member, room.channel_id)
    assert post["user_id"] == room.owner.id
    assert post["message"] == "build **passed**"
    assert post["type"] == ""
    assert post["props"] == {"build": 7, "from_webhook": "true", "webhook_display_name": "CI"}


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/x-www-form-urlencoded", "payload=" + '{"text": "a %26 b"}'),
        (None, '{"text": "a & b"}'),
        ("application/json; charset=utf-8", '{"text": "a & b"}'),
        ("text/plain", '{"text": "a & b"}'),
    ],
)
def test_payload_forms(api, room, hook, content_type, body):
    assert_ok(send(api, hook["id"], body, content_type=content_type))
    assert last_post(api, room.owner, room.channel_id)["message"] == "a & b"


def test_overrides_only_when_enabled(api, hub, room, hook):
    # The icon URL points nowhere: the server must store it, never fetch it.
    icon = "http://127.0.0.1:1/i.png"
    payload = {"text": "x", "username": "robot", "icon_url": icon, "icon_emoji": "ghost"}
    assert_ok(send(api, hook["id"], payload))
    props = last_post(api, room.owner, room.channel_id)["props"]
    assert not {"override_username", "override_icon_url", "override_icon_emoji"} & set(props)

    settings(hub, EnablePostUsernameOverride=True, EnablePostIconOverride=True)
    assert_ok(send(api, hook["id"], payload))
    props = last_post(api, room.owner, room.channel_id)["props"]
    assert props["override_username"] == "robot"
    assert props["override_icon_url"] == icon
    assert props["override_icon_emoji"] == "ghost"


def test_hook_defaults_used_as_overrides(api, hub, room):
    settings(hub, EnablePostUsernameOverride=True, EnablePostIconOverride=True)
    hook = make_hook(api, room.owner, room.channel_id, username="deployer", icon_url="http://x/y.png")
    assert_ok(send(api, hook["id"], {"text": "x"}))
    props = last_post(api, room.owner, room.channel_id)["props"]
    assert (props["override_username"], props["override_icon_url"]) == ("deployer", "http://x/y.png")


def test_channel_by_name_and_locked_hook(api, hub, room):
    other = hub.channels.create(
        Actor(room.owner.id, "system_user"),
        {"team_id": room.team_id, "name": "other", "display_name": "Other"},
    )
    free = make_hook(api, room.owner, room.channel_id)
    assert_ok(send(api, free["id"], {"text": "to other", "channel": "other"}))
    assert last_post(api, room.owner, other.id)["message"] == "to other"
    assert_ok(send(api, free["id"], {"text": "hashed", "channel": "#other"}))
    assert last_post(api, room.owner, other.id)["message"] == "hashed"
    assert_app_error(
        send(api, free["id"], {"text": "x", "channel": "missing"}),
        404,
        "web.incoming_webhook.channel.app_error",
    )

    locked = make_hook(api, room.owner, room.channel_id, channel_locked=True)
    assert_app_error(
        send(api, locked["id"], {"text": "x", "channel": "other"}),
        403,
        "web.incoming_webhook.channel_locked.app_error",
    )
    assert_ok(send(api, locked["id"], {"text": "home", "channel": "room"}))
    assert last_post(api, room.owner, room.channel_id)["message"] == "home"


def test_at_username_posts_in_direct_channel_with_owner(api, room, hook):
    assert_ok(send(api, hook["id"], {"text": "psst", "channel": "@member"}))
    direct = api.as_(room.member).post("channels/direct", [room.member.id, room.owner.id]).get_json()
    post = last_post(api, room.member, direct["id"])
    assert (post["message"], post["user_id"]) == ("psst", room.owner.id)
    assert_app_error(
        send(api, hook["id"], {"text": "x", "channel": "@nobody"}), 400, "web.incoming_webhook.user.app_error"
    )


def test_long_text_is_split_with_attachments_on_the_last_post(api, hub, room, hook):
    settings(hub, MaximumPostLength=10)
    text = "é" * 10 + "0123456789" + "abc"
    attachments = [{"text": "details", "color": "#ff0000"}]
    assert_ok(send(api, hook["id"], {"text": text, "attachments": attachments}))
    posts = channel_posts(api, room.owner, room.channel_id)[-3:]
    assert [p["message"] for p in posts] == ["é" * 10, "0123456789", "abc"]
    assert [p["create_at"] - posts[0]["create_at"] for p in posts] == [0, 1, 2]
    assert ["attachments" in p["props"] for p in posts] == [False, False, True]
    assert posts[-1]["props"]["attachments"] == attachments
    assert all(p["type"] == "slack_attachment" for p in posts)


def test_attachments_without_text(api, room, hook):
    assert_ok(send(api, hook["id"], {"attachments": [{"title": "t"}]}))
    post = last_post(api, room.owner, room.channel_id)
    assert (post["message"], post["type"]) == ("", "slack_attachment")
    assert post["props"]["attachments"] == [{"title": "t"}]


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"text": "\xff\xfe"}',
        b'["text"]',
        b'{"text": "x", "attachments": {"title": "t"}}',
        b'{"text": "x", "attachments": [null]}',
        b'{"text": "x", "props": "p"}',
        b'{"text": 5}',
    ],
)
def test_unparseable_payloads(api, room, hook, body):
    assert_app_error(send(api, hook["id"], body), 400, "web.incoming_webhook.parse.app_error")


def test_form_without_payload_field(api, hook):
    response = send(api, hook["id"], "text=hi", content_type="application/x-www-form-urlencoded")
    assert_app_error(response, 400, "web.incoming_webhook.parse.app_error")


def test_empty_text_and_bad_type(api, hook):
    assert_app_error(send(api, hook["id"], {"text": ""}), 400, "web.incoming_webhook.text.app_error")
    assert_app_error(send(api, hook["id"], {"text": "x", "type": "system_join_channel"}), 400)
    assert_ok(send(api, hook["id"], {"text": "x", "type": "custom_build"}))


def test_html_is_stored_as_given(api, room, hook):
    text = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert_ok(send(api, hook["id"], {"text": text, "attachments": [{"text": text}]}))
    post = last_post(api, room.owner, room.channel_id)
    assert post["message"] == text
    assert post["props"]["attachments"] == [{"text": text}]


def test_unknown_and_deleted_hooks(api, room, hook):
    invalid = "web.incoming_webhook.invalid.app_error"
    assert_app_error(send(api, new_id(), {"text": "x"}), 400, invalid)
    assert_app_error(send(api, "not-an-id", {"text": "x"}), 400, invalid)
    api.as_(room.owner).delete(f"hooks/incoming/{hook['id']}")
    assert_app_error(send(api, hook["id"], {"text": "x"}), 400, invalid)


def test_payload_over_the_limit_is_refused(api, hub, hook):
    settings(hub, MaximumPayloadSizeBytes=100)
    too_large = send(api, hook["id"], {"text": "x" * 200})
    assert_app_error(too_large, 413, "api.context.request_body_too_large.app_error")
    assert_ok(send(api, hook["id"], {"text": "x" * 50}))


def test_deactivated_owner_cannot_post(api, hub, room, hook, admin):
    assert api.as_(admin).delete(f"users/{room.owner.id}").status_code == 200
    assert_app_error(send(api, hook["id"], {"text": "x"}), 403, "web.incoming_webhook.user.app_error")


def test_owner_who_left_private_channel_cannot_post_there(api, hub, room):
    hook = make_hook(api, room.owner, room.private_channel_id)
    hub.channels.remove_member(Actor(room.owner.id, "system_user"), room.private_channel_id, room.owner.id)
    assert_app_error(send(api, hook["id"], {"text": "x"}), 403, "web.incoming_webhook.permissions.app_error")


def test_posted_event_reaches_channel_members_only(api, room, hook, ws_connect):
    reader, outsider = ws_connect(room.member), ws_connect(room.outsider)
    assert_ok(send(api, hook["id"], {"text": "deployed"}))
    frame = reader.expect("posted", timeout=2)
    assert frame["broadcast"]["channel_id"] == room.channel_id
    post = json.loads(frame["data"]["post"])
    assert (post["message"], post["props"]["from_webhook"]) == ("deployed", "true")
    assert post == last_post(api, room.member, room.channel_id)
    assert not [f for f in outsider.drain() if f.get("event") == "posted"]


def test_slack_markup_becomes_markdown(api, room, hook):
    payload = {
        "text": "<!channel> see <https://ci.example/1|build 1>",
        "attachments": [
            {
                "pretext": "<https://a.example|a>",
                "text": "<https://b.example|b> <notalink>",
                "fields": [{"title": "f", "value": "<https://c.example|c>"}],
            }
        ],
    }
    assert_ok(send(api, hook["id"], payload))
    post = last_post(api, room.owner, room.channel_id)
    assert post["message"] == "@channel see [build 1](https://ci.example/1)"
    assert post["props"]["attachments"] == [
        {
            "pretext": "[a](https://a.example)",
            "text": "[b](https://b.example) <notalink>",
            "fields": [{"title": "f", "value": "[c](https://c.example)"}],
        }
    ]


def test_slack_user_and_channel_mentions(api, room, hook):
    text = f"<@{room.member.id}> and <@{room.member.username.upper()}> and <@U024BE7LH|bob> and <@U999> in <#C1|town-square>"
    assert_ok(send(api, hook["id"], {"text": text}))
    message = last_post(api, room.owner, room.channel_id)["message"]
    username = room.member.username
    assert message == f"@{username} and @{username} and @bob and <@U999> in ~town-square"


def test_multipart_form_fields(api, hub, room, hook):
    settings(hub, EnablePostUsernameOverride=True)
    boundary = "hubbubboundary"
    parts = [("text", "from a form"), ("username", "ci-bot")]
    body = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in parts
        )
        + f"--{boundary}--\r\n"
    )
    assert_ok(send(api, hook["id"], body, content_type=f"multipart/form-data; boundary={boundary}"))
    post = last_post(api, room.owner, room.channel_id)
    assert (post["message"], post["props"]["override_username"]) == ("from a form", "ci-bot")
    broken = send(api, hook["id"], b"--x\r\nno headers", content_type="multipart/form-data; boundary=x")
    assert broken.status_code == 400


def test_priority(api, room, hook):
    priority = {"priority": "urgent", "requested_ack": True, "persistent_notifications": False}
    assert_ok(send(api, hook["id"], {"text": "prod is down", "priority": priority}))
    post = last_post(api, room.owner, room.channel_id)
    assert post["metadata"]["priority"] == priority
    assert api.as_(room.member).get(f"posts/{post['id']}").get_json()["metadata"]["priority"] == priority
    for bad in (
        {"priority": "shouting"},
        {"priority": "important", "persistent_notifications": True},
        "urgent",
    ):
        assert send(api, hook["id"], {"text": "x", "priority": bad}).status_code == 400


def test_post_api_accepts_priority_metadata(api, room):
    body = {
        "channel_id": room.channel_id,
        "message": "heads up",
        "metadata": {"priority": {"priority": "important"}},
    }
    created = api.as_(room.owner).post("posts", body)
    assert created.status_code == 201
    assert created.get_json()["metadata"]["priority"] == {
        "priority": "important",
        "requested_ack": False,
        "persistent_notifications": False,
    }
    plain = api.as_(room.owner).post("posts", {"channel_id": room.channel_id, "message": "calm"}).get_json()
    assert "priority" not in plain["metadata"]


def test_ten_thousand_attachments(api, room, hook):
    attachments = [{"text": f"a{i}"} for i in range(10_000)]
    assert_ok(send(api, hook["id"], {"text": "many", "attachments": attachments}))
    post = last_post(api, room.owner, room.channel_id)
    assert len(post["props"]["attachments"]) == 10_000
    assert post["props"]["attachments"][-1] == {"text": "a9999"}


def test_javascript_links_are_stored_as_given(api, room, hook):
    attachment = {"title": "t", "title_link": "javascript:alert(1)", "author_link": "javascript:x"}
    assert_ok(send(api, hook["id"], {"text": "[click](javascript:alert(1))", "attachments": [attachment]}))
    post = last_post(api, room.owner, room.channel_id)
    assert post["message"] == "[click](javascript:alert(1))"
    assert post["props"]["attachments"] == [attachment]


# ---- delivery keys, answers with the post, and edits through the hook ------------------------
def test_idempotency_key_posts_once(api, room, hook):
    first = send(api, hook["id"], {"text": "deploy 1"}, headers={"Idempotency-Key": "deploy-1"})
    assert_ok(first)
    assert "Idempotent-Replayed" not in first.headers
    again = send(api, hook["id"], {"text": "deploy 1 (retry)"}, headers={"Idempotency-Key": "deploy-1"})
    assert_ok(again)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert_ok(send(api, hook["id"], {"text": "deploy 2"}, headers={"Idempotency-Key": "Deploy-1"}))
    messages = [p["message"] for p in channel_posts(api, room.owner, room.channel_id)]
    assert messages.count("deploy 1") == 1
    assert "deploy 1 (retry)" not in messages and "deploy 2" in messages


def test_delivery_id_headers_and_keys_per_hook(api, room, hook):
    other = make_hook(api, room.owner, room.channel_id)
    for header in ("X-GitHub-Delivery", "X-Gitlab-Event-UUID"):
        key = {header: f"{header}-72d3162e"}
        for hook_id in (hook["id"], hook["id"], other["id"]):
            assert_ok(send(api, hook_id, {"text": header}, headers=key))
    messages = [p["message"] for p in channel_posts(api, room.owner, room.channel_id)]
    assert messages.count("X-GitHub-Delivery") == 2 and messages.count("X-Gitlab-Event-UUID") == 2
    too_long = send(api, hook["id"], {"text": "x"}, headers={"Idempotency-Key": "k" * 256})
    assert_app_error(too_long, 400, "web.incoming_webhook.delivery_key.app_error")


def test_concurrent_duplicate_deliveries_make_one_post(live_server, api, room, hook):
    answers: list[requests.Response] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def deliver() -> None:
        start.wait()
        answer = requests.post(
            f"{live_server.url}/hooks/{hook['id']}?return=post",
            json={"text": "pipeline #7 failed"},
            headers={"X-GitHub-Delivery": "6f1e9a10-concurrent"},
            timeout=30,
        )
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200] * 8, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 7
    messages = [p["message"] for p in channel_posts(api, room.owner, room.channel_id)]
    assert messages.count("pipeline #7 failed") == 1


@pytest.mark.parametrize("ask", [{"path": "?return=post"}, {"headers": {"Accept": "application/json"}}])
def test_answer_with_the_post(api, room, hook, ask):
    headers = {"Idempotency-Key": "k1", **ask.get("headers", {})}
    answer = send(api, hook["id"], {"text": "build 9 running"}, path=ask.get("path", ""), headers=headers)
    assert answer.status_code == 200 and answer.is_json
    post = answer.get_json()
    assert post == last_post(api, room.owner, room.channel_id)
    replay = send(api, hook["id"], {"text": "other"}, path=ask.get("path", ""), headers=headers)
    assert replay.get_json()["id"] == post["id"]


def test_plain_accept_keeps_mattermost_answer(api, hook):
    assert_ok(send(api, hook["id"], {"text": "x"}, headers={"Accept": "*/*"}))


def test_hook_updates_and_deletes_its_own_post(api, hub, room, hook, ws_connect):
    created = send(
        api,
        hook["id"],
        {"text": "pipeline #3 running", "attachments": [{"color": "#D4A72C"}]},
        path="?return=post",
    ).get_json()
    reader = ws_connect(room.member)
    update = {"text": "pipeline #3 passed", "attachments": [{"color": "#2DA44E", "title": "passed"}]}
    answer = send(api, hook["id"], update, path=f"/posts/{created['id']}", method="PUT")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    edited = answer.get_json()
    assert (edited["id"], edited["message"], edited["type"]) == (
        created["id"],
        "pipeline #3 passed",
        "slack_attachment",
    )
    assert edited["props"]["attachments"] == update["attachments"]
    assert edited["props"]["from_webhook"] == "true" and edited["edit_at"] > 0
    frame = reader.expect("post_edited", timeout=2)
    assert json.loads(frame["data"]["post"])["message"] == "pipeline #3 passed"
    assert api.as_(room.member).get(f"posts/{created['id']}").get_json()["message"] == "pipeline #3 passed"

    deleted = send(api, hook["id"], b"", content_type=None, path=f"/posts/{created['id']}", method="DELETE")
    assert deleted.status_code == 200
    assert api.as_(room.member).get(f"posts/{created['id']}").status_code == 404
    gone = send(api, hook["id"], update, path=f"/posts/{created['id']}", method="PUT")
    assert_app_error(gone, 404, "app.post.get.app_error")


def test_hook_cannot_touch_posts_it_did_not_make(api, room, hook):
    other = make_hook(api, room.owner, room.channel_id)
    theirs = send(api, other["id"], {"text": "theirs"}, path="?return=post").get_json()
    user_post = (
        api.as_(room.owner).post("posts", {"channel_id": room.channel_id, "message": "mine"}).get_json()
    )
    for post_id in (theirs["id"], user_post["id"], new_id(), "bad-id"):
        for method in ("PUT", "DELETE"):
            answer = send(api, hook["id"], {"text": "x"}, path=f"/posts/{post_id}", method=method)
            assert_app_error(answer, 404, "app.post.get.app_error")
    assert api.as_(room.owner).get(f"posts/{user_post['id']}").get_json()["message"] == "mine"
    empty = send(api, other["id"], {"text": ""}, path=f"/posts/{theirs['id']}", method="PUT")
    assert_app_error(empty, 400, "web.incoming_webhook.text.app_error")


def test_per_hook_rate_limit(api, hub, room, hook):
    hub.config["RateLimitSettings"].update(IncomingWebhookPerSec=0.01, IncomingWebhookMaxBurst=3)
    other = make_hook(api, room.owner, room.channel_id)
    for _ in range(3):
        assert_ok(send(api, hook["id"], {"text": "x"}))
    refused = send(api, hook["id"], {"text": "x"})
    assert_app_error(refused, 429, "api.context.rate_limited.app_error")
    assert int(refused.headers["Retry-After"]) >= 1
    assert_ok(send(api, other["id"], {"text": "other hook"}))
    hub.config["RateLimitSettings"].update(IncomingWebhookPerSec=0)
    assert_ok(send(api, hook["id"], {"text": "limit off"}))
