"""Posts, threads, pins and ephemeral posts over the REST API."""

from __future__ import annotations

import io

import pytest

from hub import models
from hub.ids import new_id
from hub.permissions import Actor
from hub.services.files import Upload
from tests.fixtures import assert_app_error

POST_KEYS = {
    "id",
    "create_at",
    "update_at",
    "edit_at",
    "delete_at",
    "is_pinned",
    "user_id",
    "channel_id",
    "root_id",
    "original_id",
    "message",
    "type",
    "props",
    "hashtags",
    "pending_post_id",
    "reply_count",
    "last_reply_at",
    "participants",
    "metadata",
}
POST_LIST_KEYS = {
    "order",
    "posts",
    "next_post_id",
    "prev_post_id",
    "has_next",
    "first_inaccessible_post_time",
}


def send(api, account, channel_id: str, message: str = "hello", **fields) -> dict:
    response = api.as_(account).post("posts", {"channel_id": channel_id, "message": message, **fields})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def row(hub, model, key):
    with hub.store.read() as s:
        return s.get(model, key)


def upload(hub, account, channel_id: str, name: str = "notes.txt") -> str:
    infos = hub.files.upload(
        Actor(account.id, "system_user"), channel_id, [Upload(name, io.BytesIO(b"data"))]
    )
    return infos[0].id


def archive(hub, channel_id: str) -> None:
    with hub.store.write() as s:
        s.get(models.Channel, channel_id).delete_at = 1


def test_create_answers_201_with_the_post_and_counts_it(api, hub, room):
    before = row(hub, models.Channel, room.channel_id)
    post = send(api, room.member, room.channel_id, "Ship #release-2 today, #a #9lives and (#done).")
    assert set(post) == POST_KEYS
    assert post["user_id"] == room.member.id
    assert post["channel_id"] == room.channel_id
    assert post["root_id"] == "" and post["type"] == "" and post["props"] == {}
    assert post["hashtags"] == "#release-2 #done"
    assert post["create_at"] == post["update_at"] and post["edit_at"] == 0 and post["delete_at"] == 0
    assert post["metadata"] == {}

    channel = row(hub, models.Channel, room.channel_id)
    assert channel.total_msg_count == before.total_msg_count + 1
    assert channel.total_msg_count_root == before.total_msg_count_root + 1
    assert channel.last_post_at == channel.last_root_post_at == post["create_at"]
    author = row(hub, models.ChannelMember, (room.channel_id, room.member.id))
    assert author.msg_count == channel.total_msg_count
    assert author.last_viewed_at >= post["create_at"]
    owner = row(hub, models.ChannelMember, (room.channel_id, room.owner.id))
    assert owner.msg_count == before.total_msg_count

    fetched = api.as_(room.owner).get(f"posts/{post['id']}")
    assert fetched.status_code == 200
    assert fetched.get_json() == post


@pytest.mark.parametrize("root_field", [{}, {"root_id": None}, {"root_id": ""}])
def test_root_id_may_be_missing_null_or_empty(api, room, root_field):
    assert send(api, room.member, room.channel_id, **root_field)["root_id"] == ""


def test_replies_update_the_thread_and_the_channel(api, hub, room):
    root = send(api, room.owner, room.channel_id, "root")
    reply = send(api, room.member, room.channel_id, "reply", root_id=root["id"])
    assert reply["root_id"] == root["id"]

    stored_root = row(hub, models.Post, root["id"])
    assert stored_root.reply_count == 1
    assert stored_root.last_reply_at == reply["create_at"]
    assert stored_root.update_at >= reply["create_at"]
    channel = row(hub, models.Channel, room.channel_id)
    assert channel.total_msg_count == 2 and channel.total_msg_count_root == 1
    assert channel.last_root_post_at == root["create_at"]
    assert channel.last_post_at == reply["create_at"]


def test_bad_roots_are_refused(api, room):
    root = send(api, room.owner, room.channel_id, "root")
    reply = send(api, room.owner, room.channel_id, "reply", root_id=root["id"])
    elsewhere = send(api, room.owner, room.private_channel_id, "private root")
    as_member = api.as_(room.member)
    body = {"channel_id": room.channel_id, "message": "x"}
    assert_app_error(
        as_member.post("posts", {**body, "root_id": reply["id"]}),
        400,
        "api.post.create_post.root_id.app_error",
    )
    assert_app_error(
        as_member.post("posts", {**body, "root_id": new_id()}), 400, "api.post.create_post.root_id.app_error"
    )
    assert_app_error(
        as_member.post("posts", {**body, "root_id": elsewhere["id"]}),
        400,
        "api.post.create_post.channel_root_id.app_error",
    )
    assert_app_error(
        as_member.post("posts", {**body, "root_id": "nope"}), 400, "model.post.is_valid.root_id.app_error"
    )
    assert_app_error(
        as_member.post("posts", {**body, "root_id": 7}), 400, "model.post.is_valid.root_id.app_error"
    )
    api.as_(room.owner).delete(f"posts/{root['id']}")
    assert_app_error(
        as_member.post("posts", {**body, "root_id": root["id"]}),
        400,
        "api.post.create_post.root_id.app_error",
    )


def test_message_length_and_type_are_checked(api, room):
    as_member = api.as_(room.member)
    body = {"channel_id": room.channel_id}
    assert send(api, room.member, room.channel_id, "é" * 16383)["message"] == "é" * 16383
    assert_app_error(
        as_member.post("posts", {**body, "message": "x" * 16384}), 400, "model.post.is_valid.msg.app_error"
    )
    assert_app_error(
        as_member.post("posts", {**body, "message": 5}), 400, "api.context.invalid_param.app_error"
    )
    assert_app_error(
        as_member.post("posts", {**body, "message": "x", "type": "system_join_channel"}),
        400,
        "api.context.invalid_param.app_error",
    )
    assert_app_error(
        as_member.post("posts", {**body, "message": "x", "type": "poll"}),
        400,
        "model.post.is_valid.type.app_error",
    )
    assert send(api, room.member, room.channel_id, "x", type="custom_poll")["type"] == "custom_poll"
    assert_app_error(as_member.post("posts", {**body, "props": []}), 400)
    assert send(api, room.member, room.channel_id, "x", props={"card": "c"})["props"] == {"card": "c"}


def test_bad_bodies_and_callers(api, room):
    as_member = api.as_(room.member)
    assert_app_error(
        as_member.request("POST", "posts", data="{nope", headers={"Content-Type": "application/json"}), 400
    )
    assert_app_error(as_member.post("posts", [room.channel_id]), 400)
    assert_app_error(as_member.post("posts", {"message": "no channel"}), 400)
    assert_app_error(as_member.post("posts", {"channel_id": "bad", "message": "x"}), 400)
    assert_app_error(as_member.post("posts", {"channel_id": new_id(), "message": "x"}), 404)
    assert_app_error(api.post("posts", {"channel_id": room.channel_id, "message": "x"}), 401)
    assert_app_error(api.get(f"channels/{room.channel_id}/posts"), 401)


def test_only_channel_members_post_and_archived_channels_take_no_posts(api, hub, room, admin):
    body = {"channel_id": room.channel_id, "message": "hi"}
    assert_app_error(api.as_(room.outsider).post("posts", body), 403, "api.context.permissions.app_error")
    assert_app_error(api.as_(room.member).post("posts", {**body, "channel_id": room.private_channel_id}), 403)
    assert send(api, admin, room.private_channel_id, "admins post anywhere")["user_id"] == admin.id
    archive(hub, room.channel_id)
    assert_app_error(
        api.as_(room.member).post("posts", body), 400, "api.post.create_post.can_not_post_to_deleted.error"
    )


def test_reading_needs_read_access(api, hub, room):
    public = send(api, room.owner, room.channel_id, "public")
    private = send(api, room.owner, room.private_channel_id, "private")
    # A team member who has not joined a public channel may still read it.
    with hub.store.write() as s:
        s.delete(s.get(models.ChannelMember, (room.channel_id, room.member.id)))
    assert api.as_(room.member).get(f"posts/{public['id']}").status_code == 200
    assert api.as_(room.member).get(f"channels/{room.channel_id}/posts").status_code == 200
    assert_app_error(api.as_(room.member).get(f"posts/{private['id']}"), 403)
    assert_app_error(api.as_(room.member).get(f"channels/{room.private_channel_id}/posts"), 403)
    assert_app_error(api.as_(room.outsider).get(f"posts/{public['id']}"), 403)
    assert_app_error(api.as_(room.outsider).get(f"posts/{private['id']}/thread"), 403)
    assert_app_error(api.as_(room.member).get("posts/" + "x" * 26), 404, "app.post.get.app_error")
    assert_app_error(api.as_(room.member).get("posts/short"), 400)


def test_pending_post_id_makes_a_send_idempotent(api, hub, room):
    first = send(api, room.member, room.channel_id, "once", pending_post_id=f"{room.member.id}:1")
    again = send(api, room.member, room.channel_id, "once", pending_post_id=f"{room.member.id}:1")
    assert again["id"] == first["id"]
    assert row(hub, models.Channel, room.channel_id).total_msg_count == 1
    other = send(api, room.owner, room.channel_id, "once", pending_post_id=f"{room.member.id}:1")
    assert other["id"] != first["id"]
    assert (
        send(api, room.member, room.channel_id, "twice", pending_post_id=f"{room.member.id}:2")["id"]
        != first["id"]
    )


def test_files_are_attached_in_the_same_transaction(api, hub, room):
    mine = [upload(hub, room.member, room.channel_id, f"f{i}.txt") for i in range(2)]
    theirs = upload(hub, room.owner, room.channel_id)
    post = send(
        api, room.member, room.channel_id, "files", file_ids=[*mine, theirs, mine[0], new_id(), "junk"]
    )
    assert post["file_ids"] == mine
    assert [f["id"] for f in post["metadata"]["files"]] == mine
    assert all(
        f["post_id"] == post["id"] and f["channel_id"] == room.channel_id for f in post["metadata"]["files"]
    )
    assert row(hub, models.FileInfo, theirs).post_id == ""

    infos = api.as_(room.owner).get(f"posts/{post['id']}/files/info")
    assert infos.status_code == 200
    assert [f["id"] for f in infos.get_json()] == mine
    assert_app_error(api.as_(room.outsider).get(f"posts/{post['id']}/files/info"), 403)

    # An attached file cannot move to another post.
    again = send(api, room.member, room.channel_id, "same files", file_ids=mine)
    assert "file_ids" not in again and again["metadata"] == {}
    too_many = [new_id() for _ in range(11)]
    assert_app_error(
        api.as_(room.member).post("posts", {"channel_id": room.channel_id, "file_ids": too_many}),
        400,
        "model.post.is_valid.file_ids.app_error",
    )
    assert_app_error(
        api.as_(room.member).post("posts", {"channel_id": room.channel_id, "file_ids": "x"}), 400
    )


def test_mentions_count_for_the_members_named(api, hub, room):
    def mentions(account):
        member = row(hub, models.ChannelMember, (room.channel_id, account.id))
        return member.mention_count, member.mention_count_root

    root = send(api, room.owner, room.channel_id, "hey @Member, and @outsider and mail@member.com")
    assert mentions(room.member) == (1, 1)
    send(api, room.owner, room.channel_id, "again @member.", root_id=root["id"])
    assert mentions(room.member) == (2, 1)
    send(api, room.owner, room.channel_id, "@owner talks to self")
    assert mentions(room.owner) == (0, 0)
    send(api, room.member, room.channel_id, "@here all of you")
    assert mentions(room.owner) == (1, 1)
    # The author's own posts leave their channel read.
    assert mentions(room.member) == (0, 0)


def test_every_direct_message_mentions_the_other_member(api, hub, room):
    channel_id = new_id()
    a, b = sorted([room.owner.id, room.member.id])
    with hub.store.write() as s:
        channel = models.Channel(
            id=channel_id, create_at=1, update_at=1, team_id="", type="D", name=f"{a}__{b}"
        )
        s.add(channel)
        s.flush()
        hub.channels.add_member(s, channel, room.owner.id)
        hub.channels.add_member(s, channel, room.member.id)
    send(api, room.owner, channel_id, "no names here")
    assert row(hub, models.ChannelMember, (channel_id, room.member.id)).mention_count == 1
    assert row(hub, models.ChannelMember, (channel_id, room.owner.id)).mention_count == 0


def test_channel_posts_page_newest_first_with_cursors(api, room):
    ids = [send(api, room.member, room.channel_id, f"m{i}")["id"] for i in range(5)]
    as_owner = api.as_(room.owner)

    everything = as_owner.get(f"channels/{room.channel_id}/posts?unknown=1")
    body = everything.get_json()
    assert set(body) == POST_LIST_KEYS
    assert body["order"] == ids[::-1]
    assert set(body["posts"]) == set(ids)
    assert (body["next_post_id"], body["prev_post_id"], body["has_next"]) == ("", "", False)
    assert body["first_inaccessible_post_time"] == 0

    page = as_owner.get(f"channels/{room.channel_id}/posts?page=1&per_page=2").get_json()
    assert page["order"] == [ids[2], ids[1]]
    assert (page["next_post_id"], page["prev_post_id"]) == (ids[3], ids[0])

    before = as_owner.get(f"channels/{room.channel_id}/posts?before={ids[3]}&per_page=2").get_json()
    assert before["order"] == [ids[2], ids[1]]
    assert (before["next_post_id"], before["prev_post_id"]) == (ids[3], ids[0])

    after = as_owner.get(f"channels/{room.channel_id}/posts?after={ids[1]}&per_page=2").get_json()
    assert after["order"] == [ids[3], ids[2]]
    assert (after["next_post_id"], after["prev_post_id"]) == (ids[4], ids[1])

    end = as_owner.get(f"channels/{room.channel_id}/posts?after={ids[4]}").get_json()
    assert end["order"] == [] and end["prev_post_id"] == ids[4]

    assert as_owner.get(f"channels/{room.channel_id}/posts?per_page=500").status_code == 200
    assert_app_error(as_owner.get(f"channels/{room.channel_id}/posts?before=nope"), 400)
    assert_app_error(as_owner.get(f"channels/{room.channel_id}/posts?since=yesterday"), 400)
    assert_app_error(as_owner.get(f"channels/{room.channel_id}/posts?page=-1"), 400)
    assert_app_error(as_owner.get(f"channels/{new_id()}/posts"), 404)


def test_since_answers_posts_created_or_changed_after(api, room):
    old = send(api, room.member, room.channel_id, "old")
    new = send(api, room.member, room.channel_id, "new")
    as_member = api.as_(room.member)
    edited = as_member.put(f"posts/{old['id']}/patch", {"message": "old, edited"}).get_json()
    since = as_member.get(f"channels/{room.channel_id}/posts?since={new['create_at'] - 1}").get_json()
    assert set(since["order"]) == {old["id"], new["id"]}
    since = as_member.get(f"channels/{room.channel_id}/posts?since={edited['update_at'] - 1}").get_json()
    assert since["order"] == [old["id"]]
    assert since["posts"][old["id"]]["message"] == "old, edited"


def test_deleted_posts_are_gone_and_roots_take_their_threads(api, hub, room):
    root = send(api, room.member, room.channel_id, "root")
    replies = [send(api, room.owner, room.channel_id, f"r{i}", root_id=root["id"])["id"] for i in range(2)]
    as_member = api.as_(room.member)

    assert_app_error(as_member.delete(f"posts/{replies[0]}"), 403)
    deleted = api.as_(room.owner).delete(f"posts/{replies[0]}", json={})
    assert deleted.status_code == 200 and deleted.get_json() == {"status": "OK"}
    assert_app_error(as_member.get(f"posts/{replies[0]}"), 404, "app.post.get.app_error")
    assert row(hub, models.Post, root["id"]).reply_count == 1
    assert row(hub, models.Post, replies[0]).props["deleteBy"] == room.owner.id

    assert as_member.delete(f"posts/{root['id']}").get_json() == {"status": "OK"}
    for post_id in (root["id"], replies[1]):
        assert_app_error(as_member.get(f"posts/{post_id}"), 404)
    assert as_member.get(f"channels/{room.channel_id}/posts").get_json()["order"] == []
    assert_app_error(as_member.delete(f"posts/{root['id']}"), 404)


def test_channel_admins_and_system_admins_delete_others_posts(api, hub, room, admin, make_account):
    by_member = send(api, room.member, room.channel_id, "mine")
    other = make_account("other")
    with hub.store.write() as s:
        hub.channels.add_member(s, s.get(models.Channel, room.channel_id), other.id)
    assert_app_error(api.as_(other).delete(f"posts/{by_member['id']}"), 403)
    assert api.as_(room.owner).delete(f"posts/{by_member['id']}").status_code == 200
    again = send(api, room.member, room.channel_id, "mine again")
    assert api.as_(admin).delete(f"posts/{again['id']}").status_code == 200
    kept = send(api, room.member, room.channel_id, "kept")
    archive(hub, room.channel_id)
    assert_app_error(
        api.as_(admin).delete(f"posts/{kept['id']}"),
        400,
        "api.post.delete_post.can_not_delete_post_in_deleted.error",
    )


def test_thread_lists_root_and_replies(api, room):
    root = send(api, room.owner, room.channel_id, "root")
    replies = [send(api, room.member, room.channel_id, f"r{i}", root_id=root["id"]) for i in range(3)]
    send(api, room.member, room.channel_id, "unrelated")
    as_member = api.as_(room.member)

    thread = as_member.get(f"posts/{root['id']}/thread").get_json()
    assert set(thread) == POST_LIST_KEYS
    assert thread["order"] == [r["id"] for r in replies[::-1]] + [root["id"]]
    assert thread["posts"][root["id"]]["reply_count"] == 3
    assert as_member.get(f"posts/{replies[1]['id']}/thread").get_json()["order"] == thread["order"]

    first = as_member.get(f"posts/{root['id']}/thread?perPage=2&direction=down").get_json()
    assert first["order"] == [root["id"], replies[0]["id"], replies[1]["id"]] and first["has_next"] is True
    last = replies[1]
    cursor = f"fromPost={last['id']}&fromCreateAt={last['create_at']}"
    rest = as_member.get(f"posts/{root['id']}/thread?perPage=2&direction=down&{cursor}").get_json()
    assert rest["order"] == [root["id"], replies[2]["id"]] and rest["has_next"] is False

    api.as_(room.member).delete(f"posts/{replies[0]['id']}")
    assert replies[0]["id"] not in as_member.get(f"posts/{root['id']}/thread").get_json()["order"]
    assert_app_error(as_member.get(f"posts/{root['id']}/thread?direction=sideways"), 400)
    assert_app_error(as_member.get(f"posts/{root['id']}/thread?perPage=201"), 400)
    assert_app_error(as_member.get(f"posts/{root['id']}/thread?fromPost={root['id']}"), 400)


def test_patch_and_update_edit_the_post(api, room, admin):
    post = send(api, room.member, room.channel_id, "first #draft")
    as_member = api.as_(room.member)

    patched = as_member.put(f"posts/{post['id']}/patch", {"message": "second #final", "props": {"k": "v"}})
    assert patched.status_code == 200
    body = patched.get_json()
    assert body["message"] == "second #final" and body["hashtags"] == "#final" and body["props"] == {"k": "v"}
    assert body["edit_at"] > 0 and body["update_at"] >= body["edit_at"]
    assert as_member.get(f"posts/{post['id']}").get_json()["message"] == "second #final"

    pinned = as_member.put(f"posts/{post['id']}/patch", {"is_pinned": True}).get_json()
    assert pinned["is_pinned"] is True and pinned["edit_at"] == body["edit_at"]

    assert_app_error(api.as_(room.owner).put(f"posts/{post['id']}/patch", {"message": "not yours"}), 403)
    assert api.as_(admin).put(f"posts/{post['id']}/patch", {"message": "admin"}).status_code == 200
    assert_app_error(as_member.put(f"posts/{post['id']}/patch", {"is_pinned": "yes"}), 400)
    assert_app_error(as_member.put(f"posts/{post['id']}/patch", {"message": "x" * 16384}), 400)
    assert_app_error(as_member.put(f"posts/{new_id()}/patch", {"message": "x"}), 404)

    assert_app_error(as_member.put(f"posts/{post['id']}", {"id": new_id(), "message": "x"}), 400)
    updated = as_member.put(f"posts/{post['id']}", {"id": post["id"]}).get_json()
    assert updated["message"] == "" and updated["is_pinned"] is False and updated["props"] == {"k": "v"}


def test_patching_files_attaches_new_ones_and_drops_the_rest(api, hub, room):
    first, second = (upload(hub, room.member, room.channel_id, f"{n}.txt") for n in ("a", "b"))
    post = send(api, room.member, room.channel_id, "files", file_ids=[first])
    patched = api.as_(room.member).put(f"posts/{post['id']}/patch", {"file_ids": [second]}).get_json()
    assert patched["file_ids"] == [second] and patched["edit_at"] > 0
    assert [f["id"] for f in patched["metadata"]["files"]] == [second]
    assert row(hub, models.FileInfo, first).delete_at > 0


def test_pins_need_read_access_and_list_in_pinned(api, hub, room):
    post = send(api, room.owner, room.channel_id, "pin me")
    send(api, room.owner, room.channel_id, "not pinned")
    pinned = api.as_(room.member).post(f"posts/{post['id']}/pin")
    assert pinned.status_code == 200 and pinned.get_json() == {"status": "OK"}
    listed = api.as_(room.member).get(f"channels/{room.channel_id}/pinned").get_json()
    assert listed["order"] == [post["id"]] and listed["posts"][post["id"]]["is_pinned"] is True
    assert_app_error(api.as_(room.outsider).post(f"posts/{post['id']}/pin"), 403)
    assert_app_error(api.as_(room.outsider).get(f"channels/{room.channel_id}/pinned"), 403)
    assert api.as_(room.member).post(f"posts/{post['id']}/unpin").status_code == 200
    assert api.as_(room.member).get(f"channels/{room.channel_id}/pinned").get_json()["order"] == []
    archive(hub, room.channel_id)
    assert_app_error(
        api.as_(room.member).post(f"posts/{post['id']}/pin"),
        400,
        "api.post.patch_post.can_not_update_post_in_deleted.error",
    )


def test_posts_by_ids_answers_the_readable_ones(api, room):
    public = send(api, room.owner, room.channel_id, "public")
    private = send(api, room.owner, room.private_channel_id, "private")
    found = api.as_(room.member).post("posts/ids", [public["id"], private["id"], new_id(), public["id"]])
    assert found.status_code == 200
    assert [p["id"] for p in found.get_json()] == [public["id"]]
    assert [
        p["id"] for p in api.as_(room.owner).post("posts/ids", [public["id"], private["id"]]).get_json()
    ] == [
        private["id"],
        public["id"],
    ]
    assert_app_error(api.as_(room.member).post("posts/ids", []), 400)
    assert_app_error(api.as_(room.member).post("posts/ids", {"ids": []}), 400)
    assert_app_error(api.as_(room.member).post("posts/ids", [1]), 400)
    assert_app_error(api.as_(room.member).post("posts/ids", [new_id()]), 404)


def test_ephemeral_posts_are_for_system_admins_and_not_stored(api, room, admin):
    body = {"user_id": room.member.id, "post": {"channel_id": room.channel_id, "message": "only you"}}
    created = api.as_(admin).post("posts/ephemeral", body)
    assert created.status_code == 201
    post = created.get_json()
    assert set(post) == POST_KEYS
    assert (
        post["type"] == "system_ephemeral" and post["message"] == "only you" and post["user_id"] == admin.id
    )
    assert_app_error(api.as_(admin).get(f"posts/{post['id']}"), 404)
    assert api.as_(admin).get(f"channels/{room.channel_id}/posts").get_json()["order"] == []
    assert_app_error(api.as_(room.owner).post("posts/ephemeral", body), 403)
    assert_app_error(api.as_(admin).post("posts/ephemeral", {"post": body["post"]}), 400)
    assert_app_error(api.as_(admin).post("posts/ephemeral", {"user_id": room.member.id}), 400)
    assert_app_error(
        api.as_(admin).post("posts/ephemeral", {**body, "post": {"channel_id": new_id(), "message": "x"}}),
        404,
    )


def test_unread_answers_the_posts_around_the_first_unread_one(api, room):
    read = [send(api, room.member, room.channel_id, f"read{i}")["id"] for i in range(2)]
    unread = [send(api, room.owner, room.channel_id, f"new{i}")["id"] for i in range(3)]
    as_member = api.as_(room.member)
    around = as_member.get(f"users/me/channels/{room.channel_id}/posts/unread?limit_before=1&limit_after=2")
    assert around.status_code == 200
    body = around.get_json()
    assert body["order"] == [unread[1], unread[0], read[1]]
    assert (body["next_post_id"], body["prev_post_id"]) == (unread[2], read[0])
    assert_app_error(as_member.get(f"users/me/channels/{room.channel_id}/posts/unread?limit_after=0"), 400)
    assert_app_error(as_member.get(f"users/{room.owner.id}/channels/{room.channel_id}/posts/unread"), 403)
    everything_read = api.as_(room.owner).get(
        f"users/me/channels/{room.channel_id}/posts/unread?limit_before=2"
    )
    assert everything_read.get_json()["order"] == [unread[2], unread[1]]
