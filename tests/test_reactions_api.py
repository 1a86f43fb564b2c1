"""Reactions over the REST API."""

from __future__ import annotations

from hub import models
from hub.ids import new_id
from tests.fixtures import assert_app_error

REACTION_KEYS = {
    "user_id",
    "post_id",
    "emoji_name",
    "create_at",
    "update_at",
    "delete_at",
    "remote_id",
    "channel_id",
}


def send(api, account, channel_id: str, message: str = "hello") -> dict:
    response = api.as_(account).post("posts", {"channel_id": channel_id, "message": message})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def react(api, account, post_id: str, emoji_name: str):
    return api.as_(account).post(
        "reactions", {"user_id": account.id, "post_id": post_id, "emoji_name": emoji_name}
    )


def stored_post(hub, post_id: str) -> models.Post:
    with hub.store.read() as s:
        return s.get(models.Post, post_id)


def test_a_reaction_is_saved_once_and_shown_on_the_post(api, hub, room):
    post = send(api, room.owner, room.channel_id)
    saved = react(api, room.member, post["id"], "+1")
    assert saved.status_code == 201
    reaction = saved.get_json()
    assert set(reaction) == REACTION_KEYS
    assert reaction["user_id"] == room.member.id and reaction["post_id"] == post["id"]
    assert reaction["emoji_name"] == "+1" and reaction["channel_id"] == room.channel_id
    assert reaction["delete_at"] == 0 and reaction["remote_id"] == ""
    stored = stored_post(hub, post["id"])
    assert stored.has_reactions is True and stored.update_at >= reaction["create_at"]

    assert react(api, room.member, post["id"], "+1").status_code == 201
    listed = api.as_(room.owner).get(f"posts/{post['id']}/reactions")
    assert listed.status_code == 200
    assert [(r["user_id"], r["emoji_name"]) for r in listed.get_json()] == [(room.member.id, "+1")]
    assert (
        api.as_(room.owner).get(f"posts/{post['id']}").get_json()["metadata"]["reactions"][0]["emoji_name"]
        == "+1"
    )
    # Clients build this path with a doubled slash; it must still reach the route.
    assert api.as_(room.owner).get(f"posts/{post['id']}//reactions").get_json() == listed.get_json()


def test_reaction_input_is_checked(api, hub, room):
    post = send(api, room.owner, room.channel_id)
    as_member = api.as_(room.member)
    body = {"user_id": room.member.id, "post_id": post["id"], "emoji_name": "smile"}
    assert_app_error(
        as_member.post("reactions", {**body, "user_id": room.owner.id}),
        403,
        "api.reaction.save_reaction.user_id.app_error",
    )
    assert_app_error(
        as_member.post("reactions", {**body, "post_id": "bad"}),
        400,
        "api.reaction.save_reaction.invalid.app_error",
    )
    assert_app_error(
        as_member.post("reactions", {**body, "emoji_name": 3}),
        400,
        "api.reaction.save_reaction.invalid.app_error",
    )
    for name in ("", "smile face", "x" * 65, "smile!"):
        assert_app_error(
            as_member.post("reactions", {**body, "emoji_name": name}),
            400,
            "model.reaction.is_valid.emoji_name.app_error",
        )
    assert react(api, room.member, post["id"], "Thumbs_Up-2").get_json()["emoji_name"] == "thumbs_up-2"
    assert_app_error(as_member.post("reactions", [body]), 400)
    assert_app_error(
        as_member.request("POST", "reactions", data="{", headers={"Content-Type": "application/json"}), 400
    )
    assert_app_error(api.post("reactions", body), 401)
    assert_app_error(react(api, room.member, new_id(), "smile"), 404, "app.post.get.app_error")


def test_reacting_needs_channel_membership_and_a_live_channel(api, hub, room):
    public = send(api, room.owner, room.channel_id)
    private = send(api, room.owner, room.private_channel_id)
    assert_app_error(react(api, room.outsider, public["id"], "smile"), 403)
    assert_app_error(react(api, room.member, private["id"], "smile"), 403)
    assert_app_error(api.as_(room.member).get(f"posts/{private['id']}/reactions"), 403)
    api.as_(room.owner).delete(f"posts/{public['id']}")
    assert_app_error(react(api, room.member, public["id"], "smile"), 404)

    live = send(api, room.owner, room.channel_id)
    assert react(api, room.member, live["id"], "smile").status_code == 201
    with hub.store.write() as s:
        s.get(models.Channel, room.channel_id).delete_at = 1
    assert_app_error(
        react(api, room.member, live["id"], "wave"), 403, "api.reaction.save.archived_channel.app_error"
    )
    assert_app_error(
        api.as_(room.member).delete(f"users/me/posts/{live['id']}/reactions/smile"),
        403,
        "api.reaction.delete.archived_channel.app_error",
    )


def test_a_post_takes_at_most_50_different_emojis(api, room):
    post = send(api, room.owner, room.channel_id)
    for i in range(50):
        assert react(api, room.owner, post["id"], f"e{i}").status_code == 201
    assert_app_error(
        react(api, room.member, post["id"], "e50"), 400, "app.reaction.save.save.too_many_reactions"
    )
    assert react(api, room.member, post["id"], "e7").status_code == 201


def test_removing_reactions(api, hub, room, admin):
    post = send(api, room.owner, room.channel_id)
    react(api, room.member, post["id"], "+1")
    react(api, room.owner, post["id"], "+1")

    assert_app_error(
        api.as_(room.owner).delete(f"users/{room.member.id}/posts/{post['id']}/reactions/+1"), 403
    )
    removed = api.as_(room.member).delete(f"users/me/posts/{post['id']}/reactions/+1")
    assert removed.status_code == 200 and removed.get_json() == {"status": "OK"}
    assert stored_post(hub, post["id"]).has_reactions is True
    # An admin may remove anyone's reaction; removing one that is not there is fine.
    assert api.as_(admin).delete(f"users/{room.owner.id}/posts/{post['id']}/reactions/+1").status_code == 200
    assert api.as_(room.member).delete(f"users/me/posts/{post['id']}/reactions/+1").status_code == 200
    assert stored_post(hub, post["id"]).has_reactions is False
    assert api.as_(room.owner).get(f"posts/{post['id']}/reactions").get_json() == []

    assert_app_error(api.as_(room.member).delete(f"users/me/posts/{post['id']}/reactions/bad!name"), 400)
    assert_app_error(api.as_(room.member).delete("users/me/posts/nope/reactions/smile"), 400)
    assert_app_error(api.as_(room.outsider).delete(f"users/me/posts/{post['id']}/reactions/smile"), 403)


def test_reactions_of_many_posts(api, room):
    first, second = send(api, room.owner, room.channel_id, "1"), send(api, room.owner, room.channel_id, "2")
    private = send(api, room.owner, room.private_channel_id)
    react(api, room.member, first["id"], "wave")
    found = api.as_(room.member).post("posts/ids/reactions", [first["id"], second["id"]])
    assert found.status_code == 200
    body = found.get_json()
    assert set(body) == {first["id"], second["id"]}
    assert [r["emoji_name"] for r in body[first["id"]]] == ["wave"] and body[second["id"]] == []
    assert api.as_(room.member).post("posts/ids/reactions", []).get_json() == {}
    assert_app_error(api.as_(room.member).post("posts/ids/reactions", [first["id"], private["id"]]), 403)
    assert_app_error(api.as_(room.member).post("posts/ids/reactions", [new_id()]), 403)
    assert_app_error(api.as_(room.member).post("posts/ids/reactions", {"ids": []}), 400)
    assert_app_error(api.as_(room.member).post("posts/ids/reactions", [5]), 400)
