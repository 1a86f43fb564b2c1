"""WebSocket events of posts and reactions: who receives them, with which of Mattermost's data fields."""

from __future__ import annotations

import io
import json

from PIL import Image

from hub.permissions import Actor
from hub.services.files import Upload
from tests.fixtures import assert_app_error

POSTED_KEYS = {
    "post",
    "channel_type",
    "channel_display_name",
    "channel_name",
    "sender_name",
    "team_id",
    "set_online",
}
# Events must arrive this fast after the REST call that caused them.
PROMPTLY = 1.0


def send(api, account, channel_id: str, message: str = "hello", **fields) -> dict:
    response = api.as_(account).post("posts", {"channel_id": channel_id, "message": message, **fields})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def fetched(api, account, post_id: str) -> dict:
    response = api.as_(account).get(f"posts/{post_id}")
    assert response.status_code == 200
    return response.get_json()


def named(frames: list[dict], event: str) -> list[dict]:
    return [frame for frame in frames if frame["event"] == event]


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def test_posted_reaches_every_member_with_mattermost_fields(api, room, ws_connect):
    author, reader, outsider = ws_connect(room.owner), ws_connect(room.member), ws_connect(room.outsider)
    post = send(api, room.owner, room.channel_id, "hi @member")
    for client in (author, reader):
        frame = client.expect("posted", timeout=PROMPTLY)
        data = frame["data"]
        assert set(data) == POSTED_KEYS | {"mentions"}
        assert json.loads(data["post"]) == post == fetched(api, room.owner, post["id"])
        assert data["channel_type"] == "O"
        assert data["channel_name"] == "room"
        assert data["channel_display_name"] == "Room"
        assert data["team_id"] == room.team_id
        assert data["sender_name"] == "@owner"
        assert data["set_online"] is True
        assert json.loads(data["mentions"]) == [room.member.id]
        assert frame["broadcast"]["channel_id"] == room.channel_id
        assert frame["broadcast"]["team_id"] == "" and frame["broadcast"]["user_id"] == ""
    assert named(outsider.drain(), "posted") == []


def test_private_channel_posts_reach_only_its_members(api, room, ws_connect):
    author, team_mate, outsider = ws_connect(room.owner), ws_connect(room.member), ws_connect(room.outsider)
    post = send(api, room.owner, room.private_channel_id, "just us")
    data = author.expect("posted", timeout=PROMPTLY)["data"]
    assert json.loads(data["post"])["id"] == post["id"]
    assert data["channel_type"] == "P" and data["channel_name"] == "den"
    assert "mentions" not in data
    assert named(team_mate.drain(), "posted") == []
    assert named(outsider.drain(), "posted") == []


def test_mentions_list_channel_members_only(api, hub, room, ws_connect, make_account):
    reader = ws_connect(room.member)
    send(api, room.owner, room.channel_id, "@outsider and @nobody-here, not members")
    assert "mentions" not in reader.expect("posted", timeout=PROMPTLY)["data"]
    third = make_account("third")
    with hub.store.write() as s:
        hub.teams.add_member(s, hub.teams.load(s, room.team_id), third.id)
        hub.channels.add_member(s, hub.channels.load(s, room.channel_id), third.id)
    send(api, room.owner, room.channel_id, "@channel wake up")
    data = reader.expect("posted", timeout=PROMPTLY)["data"]
    assert json.loads(data["mentions"]) == sorted([room.member.id, third.id])


def test_direct_message_is_named_after_its_sender(api, room, ws_connect):
    sender, recipient, outsider = ws_connect(room.member), ws_connect(room.owner), ws_connect(room.outsider)
    direct = api.as_(room.member).post("channels/direct", [room.member.id, room.owner.id]).get_json()
    post = send(api, room.member, direct["id"], "psst")
    for client in (sender, recipient):
        data = client.expect("posted", timeout=PROMPTLY)["data"]
        assert json.loads(data["post"]) == post
        assert data["channel_type"] == "D"
        assert data["channel_name"] == direct["name"]
        assert data["channel_display_name"] == "@member"
        assert data["team_id"] == ""
        assert data["sender_name"] == "@member"
        assert json.loads(data["mentions"]) == [room.owner.id]
    assert named(outsider.drain(), "posted") == []


def test_group_message_is_named_after_its_members(api, room, ws_connect):
    recipient = ws_connect(room.outsider)
    members = [room.owner.id, room.member.id, room.outsider.id]
    group = api.as_(room.owner).post("channels/group", members).get_json()
    send(api, room.owner, group["id"], "all three")
    data = recipient.expect("posted", timeout=PROMPTLY)["data"]
    assert data["channel_type"] == "G"
    assert data["channel_display_name"] == "member, outsider, owner"
    assert data["team_id"] == ""


def test_files_are_flagged_and_shown_in_the_post_metadata(api, hub, room, ws_connect):
    reader = ws_connect(room.member)

    def upload(name: str, content: bytes) -> str:
        actor = Actor(room.owner.id, "system_user")
        return hub.files.upload(actor, room.channel_id, [Upload(name, io.BytesIO(content))])[0].id

    notes, picture = upload("notes.txt", b"text"), upload("pic.png", png_bytes())
    more = upload("more.txt", b"x")
    post = send(api, room.owner, room.channel_id, "with files", file_ids=[notes, picture])
    data = reader.expect("posted", timeout=PROMPTLY)["data"]
    assert data["otherFile"] == "true" and data["image"] == "true"
    announced = json.loads(data["post"])
    assert announced == fetched(api, room.member, post["id"])
    assert [info["id"] for info in announced["metadata"]["files"]] == [notes, picture]

    send(api, room.owner, room.channel_id, "no image", file_ids=[more])
    data = reader.expect("posted", timeout=PROMPTLY)["data"]
    assert data["otherFile"] == "true" and "image" not in data


def test_replies_are_posted_with_their_root(api, room, ws_connect):
    reader = ws_connect(room.member)
    root = send(api, room.owner, room.channel_id, "root")
    reader.expect("posted", timeout=PROMPTLY)
    reply = send(api, room.member, room.channel_id, "reply", root_id=root["id"])
    announced = json.loads(reader.expect("posted", timeout=PROMPTLY)["data"]["post"])
    assert announced == reply and announced["root_id"] == root["id"]


def test_edits_and_pins_are_announced_as_post_edited(api, room, ws_connect):
    author, reader, outsider = ws_connect(room.owner), ws_connect(room.member), ws_connect(room.outsider)
    post = send(api, room.owner, room.channel_id, "first")
    as_owner = api.as_(room.owner)
    changes = [
        lambda: as_owner.put(f"posts/{post['id']}/patch", {"message": "second"}),
        lambda: as_owner.put(f"posts/{post['id']}", {"id": post["id"], "message": "third"}),
        lambda: as_owner.post(f"posts/{post['id']}/pin"),
        lambda: as_owner.post(f"posts/{post['id']}/unpin"),
    ]
    for change in changes:
        assert change().status_code == 200
        current = fetched(api, room.owner, post["id"])
        for client in (author, reader):
            frame = client.expect("post_edited", timeout=PROMPTLY)
            assert frame["data"] == {"post": json.dumps(current, separators=(",", ":"))}
            assert json.loads(frame["data"]["post"]) == current
            assert frame["broadcast"]["channel_id"] == room.channel_id
    assert named(author.drain(), "post_edited") == []
    assert named(outsider.drain(), "post_edited") == []


def test_pinning_in_a_private_channel_stays_private(api, room, ws_connect):
    team_mate = ws_connect(room.member)
    post = send(api, room.owner, room.private_channel_id, "secret")
    assert api.as_(room.owner).post(f"posts/{post['id']}/pin").status_code == 200
    assert named(team_mate.drain(), "post_edited") == []


def test_deleting_a_root_announces_it_once_and_tells_admins_who_did_it(api, hub, room, admin, ws_connect):
    with hub.store.write() as s:
        hub.channels.add_member(s, hub.channels.load(s, room.channel_id), admin.id)
    reader, watcher, outsider = ws_connect(room.member), ws_connect(admin), ws_connect(room.outsider)
    root = send(api, room.owner, room.channel_id, "root")
    send(api, room.member, room.channel_id, "reply", root_id=root["id"])
    before = fetched(api, room.owner, root["id"])
    assert api.as_(room.owner).delete(f"posts/{root['id']}").status_code == 200

    frame = reader.expect("post_deleted", timeout=PROMPTLY)
    assert frame["data"] == {"post": json.dumps(before, separators=(",", ":"))}
    assert frame["broadcast"]["channel_id"] == room.channel_id
    admin_frame = watcher.expect("post_deleted", timeout=PROMPTLY)
    assert admin_frame["data"] == {"post": frame["data"]["post"], "delete_by": room.owner.id}
    assert named(reader.drain(), "post_deleted") == []
    assert named(watcher.drain(), "post_deleted") == []
    assert named(outsider.drain(), "post_deleted") == []


def test_deleting_a_reply_announces_the_reply(api, room, ws_connect):
    reader = ws_connect(room.member)
    root = send(api, room.owner, room.channel_id, "root")
    reply = send(api, room.member, room.channel_id, "reply", root_id=root["id"])
    assert api.as_(room.member).delete(f"posts/{reply['id']}").status_code == 200
    announced = json.loads(reader.expect("post_deleted", timeout=PROMPTLY)["data"]["post"])
    assert announced["id"] == reply["id"] and announced["root_id"] == root["id"]


def test_ephemeral_posts_reach_only_their_target(api, room, admin, ws_connect):
    target, owner, sender = ws_connect(room.member), ws_connect(room.owner), ws_connect(admin)
    response = api.as_(admin).post(
        "posts/ephemeral",
        {"user_id": room.member.id, "post": {"channel_id": room.channel_id, "message": "only you"}},
    )
    assert response.status_code == 201
    frame = target.expect("ephemeral_message", timeout=PROMPTLY)
    assert set(frame["data"]) == {"post"}
    assert json.loads(frame["data"]["post"]) == response.get_json()
    assert frame["broadcast"]["user_id"] == room.member.id
    assert frame["broadcast"]["channel_id"] == room.channel_id
    assert named(owner.drain(), "ephemeral_message") == []
    assert named(sender.drain(), "ephemeral_message") == []


def test_reactions_are_announced_to_the_channel(api, room, ws_connect):
    author, reactor, outsider = ws_connect(room.owner), ws_connect(room.member), ws_connect(room.outsider)
    post = send(api, room.owner, room.channel_id, "react to me")
    fields = {"user_id": room.member.id, "post_id": post["id"], "emoji_name": "tada"}
    saved = api.as_(room.member).post("reactions", fields)
    assert saved.status_code == 201
    for client in (author, reactor):
        frame = client.expect("reaction_added", timeout=PROMPTLY)
        assert set(frame["data"]) == {"reaction"}
        assert json.loads(frame["data"]["reaction"]) == saved.get_json()
        assert frame["broadcast"]["channel_id"] == room.channel_id

    removal = f"users/{room.member.id}/posts/{post['id']}/reactions/tada"
    assert api.as_(room.member).delete(removal).status_code == 200
    for client in (author, reactor):
        reaction = json.loads(client.expect("reaction_removed", timeout=PROMPTLY)["data"]["reaction"])
        assert {k: reaction[k] for k in fields} == fields
        assert reaction["channel_id"] == room.channel_id
        assert reaction["delete_at"] > 0 and reaction["create_at"] == saved.get_json()["create_at"]
    # Removing it again changes nothing, so nothing is announced.
    assert api.as_(room.member).delete(removal).status_code == 200
    assert named(reactor.drain(), "reaction_removed") == []
    frames = outsider.drain()
    assert named(frames, "reaction_added") == [] and named(frames, "reaction_removed") == []


def test_reactions_in_a_private_channel_stay_private(api, room, ws_connect):
    owner, team_mate = ws_connect(room.owner), ws_connect(room.member)
    post = send(api, room.owner, room.private_channel_id, "secret")
    fields = {"user_id": room.owner.id, "post_id": post["id"], "emoji_name": "eyes"}
    assert api.as_(room.owner).post("reactions", fields).status_code == 201
    owner.expect("reaction_added", timeout=PROMPTLY)
    assert named(team_mate.drain(), "reaction_added") == []


def test_refused_and_repeated_requests_announce_nothing(api, room, ws_connect):
    owner = ws_connect(room.owner)
    intrusion = {"channel_id": room.private_channel_id, "message": "let me in"}
    assert_app_error(api.as_(room.outsider).post("posts", intrusion), 403)
    post = send(api, room.owner, room.channel_id, "once", pending_post_id="pending-1")
    assert send(api, room.owner, room.channel_id, "once", pending_post_id="pending-1")["id"] == post["id"]
    assert_app_error(api.as_(room.member).put(f"posts/{post['id']}/patch", {"message": "not yours"}), 403)
    assert_app_error(api.as_(room.outsider).delete(f"posts/{post['id']}"), 403)
    frames = owner.drain()
    assert [json.loads(f["data"]["post"])["id"] for f in named(frames, "posted")] == [post["id"]]
    assert named(frames, "post_edited") == [] and named(frames, "post_deleted") == []


def test_sequence_numbers_count_every_event_without_gaps(api, room, ws_connect):
    client = ws_connect(room.member)
    post = send(api, room.owner, room.channel_id, "one")
    send(api, room.member, room.channel_id, "two", root_id=post["id"])
    reaction = {"user_id": room.member.id, "post_id": post["id"], "emoji_name": "ok"}
    assert api.as_(room.member).post("reactions", reaction).status_code == 201
    api.as_(room.member).delete(f"users/{room.member.id}/posts/{post['id']}/reactions/ok")
    api.as_(room.owner).put(f"posts/{post['id']}/patch", {"message": "one, edited"})
    api.as_(room.owner).delete(f"posts/{post['id']}")
    last = client.expect("post_deleted", timeout=PROMPTLY)
    frames = sorted([*client.drain(), last], key=lambda frame: frame["seq"])
    assert [frame["seq"] for frame in frames] == list(range(1, len(frames) + 1))
    ours = {"posted", "reaction_added", "reaction_removed", "post_edited", "post_deleted"}
    assert [frame["event"] for frame in frames if frame["event"] in ours] == [
        "posted",
        "posted",
        "reaction_added",
        "reaction_removed",
        "post_edited",
        "post_deleted",
    ]
