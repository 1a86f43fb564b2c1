"""Channels and channel membership over the REST API, checked against Mattermost's api4/channel.go."""

import hashlib

import pytest

from hub import models
from hub.ids import new_id, now_ms
from tests.fixtures import assert_app_error
from tests.test_teams_api import join, make_team

CHANNEL_FIELDS = {
    "id",
    "create_at",
    "update_at",
    "delete_at",
    "team_id",
    "type",
    "display_name",
    "name",
    "header",
    "purpose",
    "last_post_at",
    "total_msg_count",
    "extra_update_at",
    "creator_id",
    "scheme_id",
    "props",
    "group_constrained",
    "shared",
    "total_msg_count_root",
    "policy_id",
    "last_root_post_at",
}


@pytest.fixture
def world(api, make_account):
    """A team with its owner, two members and an outsider; `team` is the team's JSON."""

    class World:
        owner = make_account("owner")
        bob = make_account("bob")
        carol = make_account("carol")
        outsider = make_account("outsider")
        team = make_team(api, owner, "alpha")

    join(api, World.bob, World.team["id"])
    join(api, World.carol, World.team["id"])
    return World


def create_channel(api, account, team_id, name, channel_type="O", **fields) -> dict:
    response = api.as_(account).post(
        "channels",
        {"team_id": team_id, "name": name, "display_name": name.title(), "type": channel_type, **fields},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def channel_by_name(api, account, team_id, name) -> dict:
    return api.as_(account).get(f"teams/{team_id}/channels/name/{name}").get_json()


def test_create_channel_answers_201_with_the_creator_as_admin(api, world):
    response = api.as_(world.bob).post(
        "channels",
        {
            "team_id": world.team["id"],
            "name": "project-x",
            "display_name": "Project X",
            "type": "P",
            "purpose": "why",
        },
    )
    assert response.status_code == 201
    channel = response.get_json()
    assert set(channel) == CHANNEL_FIELDS
    assert (channel["type"], channel["name"], channel["purpose"], channel["creator_id"]) == (
        "P",
        "project-x",
        "why",
        world.bob.id,
    )
    member = api.as_(world.bob).get(f"channels/{channel['id']}/members/me").get_json()
    assert member["roles"] == "channel_user channel_admin" and member["scheme_admin"] is True
    assert set(member["notify_props"]) == {
        "channel_auto_follow_threads",
        "desktop",
        "email",
        "ignore_channel_mentions",
        "mark_unread",
        "push",
    }


def test_create_channel_refuses_bad_input_and_outsiders(api, world):
    team_id = world.team["id"]
    as_bob = api.as_(world.bob)
    create_channel(api, world.bob, team_id, "taken")
    assert_app_error(
        as_bob.post("channels", {"team_id": team_id, "name": "taken", "display_name": "T"}),
        400,
        "store.sql_channel.save_channel.exists.app_error",
    )
    assert_app_error(
        as_bob.post("channels", {"team_id": team_id, "name": "dm", "display_name": "D", "type": "D"}),
        400,
        "api.channel.create_channel.direct_channel.app_error",
    )
    assert_app_error(as_bob.post("channels", {"team_id": team_id, "name": "x y", "display_name": "D"}), 400)
    assert_app_error(as_bob.post("channels", {"team_id": team_id, "name": "fine", "display_name": ""}), 400)
    assert_app_error(as_bob.post("channels", {"team_id": "", "name": "fine", "display_name": "F"}), 400)
    assert_app_error(as_bob.post("channels", {"team_id": "h" * 26, "name": "fine", "display_name": "F"}), 404)
    assert_app_error(
        as_bob.post("channels", {"team_id": team_id, "name": "fine", "display_name": "F", "header": 3}), 400
    )
    assert_app_error(
        api.as_(world.outsider).post("channels", {"team_id": team_id, "name": "fine", "display_name": "F"}),
        403,
        "api.context.permissions.app_error",
    )


def test_get_channel_public_for_team_members_private_for_members(api, world):
    team_id = world.team["id"]
    public = create_channel(api, world.bob, team_id, "open-talk")
    private = create_channel(api, world.bob, team_id, "secret", "P")

    assert api.as_(world.carol).get(f"channels/{public['id']}").get_json() == public
    assert_app_error(api.as_(world.outsider).get(f"channels/{public['id']}"), 403)
    assert_app_error(
        api.as_(world.carol).get(f"channels/{private['id']}"), 403, "api.context.permissions.app_error"
    )
    assert api.as_(world.bob).get(f"channels/{private['id']}").status_code == 200
    assert_app_error(
        api.as_(world.bob).get(f"channels/{'j' * 26}"), 404, "app.channel.get.existing.app_error"
    )
    assert_app_error(api.as_(world.bob).get("channels/short"), 400)


def test_channel_by_name_hides_private_channels_and_archived_ones(api, world):
    team_id = world.team["id"]
    create_channel(api, world.bob, team_id, "secret", "P")
    public = create_channel(api, world.bob, team_id, "open-talk")

    assert channel_by_name(api, world.carol, team_id, "open-talk")["id"] == public["id"]
    assert (
        api.as_(world.carol).get("teams/name/alpha/channels/name/open-talk").get_json()["id"] == public["id"]
    )
    for path in (f"teams/{team_id}/channels/name/secret", "teams/name/alpha/channels/name/secret"):
        assert_app_error(api.as_(world.carol).get(path), 404, "app.channel.get_by_name.missing.app_error")
        assert api.as_(world.bob).get(path).status_code == 200
        # Team admins may look private channels up, as in Mattermost.
        assert api.as_(world.owner).get(path).status_code == 200
    assert_app_error(api.as_(world.outsider).get(f"teams/{team_id}/channels/name/open-talk"), 403)
    assert_app_error(
        api.as_(world.bob).get(f"teams/{team_id}/channels/name/none"),
        404,
        "app.channel.get_by_name.missing.app_error",
    )
    assert_app_error(
        api.as_(world.bob).get("teams/name/nosuch/channels/name/open-talk"),
        404,
        "app.team.get_by_name.missing.app_error",
    )

    api.as_(world.bob).delete(f"channels/{public['id']}")
    assert_app_error(api.as_(world.bob).get(f"teams/{team_id}/channels/name/open-talk"), 404)
    archived = api.as_(world.bob).get(f"teams/{team_id}/channels/name/open-talk?include_deleted=true")
    assert archived.status_code == 200 and archived.get_json()["delete_at"] > 0


def test_public_channel_listing_never_shows_private_channels(api, world):
    team_id = world.team["id"]
    create_channel(api, world.bob, team_id, "secret", "P")
    for name in ("zulu", "yankee", "xray"):
        create_channel(api, world.bob, team_id, name)

    names = [c["name"] for c in api.as_(world.bob).get(f"teams/{team_id}/channels").get_json()]
    assert names == ["off-topic", "town-square", "xray", "yankee", "zulu"]
    paged = api.as_(world.carol).get(f"teams/{team_id}/channels?page=1&per_page=2").get_json()
    assert [c["name"] for c in paged] == ["xray", "yankee"]
    assert_app_error(api.as_(world.outsider).get(f"teams/{team_id}/channels"), 403)
    assert_app_error(api.as_(world.bob).get(f"teams/{'k' * 26}/channels"), 404)


def test_archived_channel_listing(api, world):
    team_id = world.team["id"]
    public = create_channel(api, world.bob, team_id, "old-public")
    private = create_channel(api, world.bob, team_id, "old-secret", "P")
    create_channel(api, world.bob, team_id, "live")
    for channel in (public, private):
        assert api.as_(world.bob).delete(f"channels/{channel['id']}").status_code == 200

    assert [c["name"] for c in api.as_(world.bob).get(f"teams/{team_id}/channels/deleted").get_json()] == [
        "old-public",
        "old-secret",
    ]
    assert [c["name"] for c in api.as_(world.carol).get(f"teams/{team_id}/channels/deleted").get_json()] == [
        "old-public"
    ]
    assert "old-public" not in [
        c["name"] for c in api.as_(world.bob).get(f"teams/{team_id}/channels").get_json()
    ]
    assert_app_error(api.as_(world.outsider).get(f"teams/{team_id}/channels/deleted"), 403)


def test_my_channels_in_a_team_include_direct_and_group_channels(api, admin, world):
    team_id = world.team["id"]
    create_channel(api, world.bob, team_id, "secret", "P")
    create_channel(api, world.carol, team_id, "carols-room", "P")
    direct = api.as_(world.bob).post("channels/direct", [world.bob.id, world.carol.id]).get_json()
    group = api.as_(world.bob).post("channels/group", [world.carol.id, world.owner.id]).get_json()

    mine = api.as_(world.bob).get(f"users/me/teams/{team_id}/channels").get_json()
    assert {c["id"] for c in mine} >= {direct["id"], group["id"]}
    assert {c["name"] for c in mine if c["team_id"]} == {"town-square", "off-topic", "secret"}
    assert [
        c["name"] for c in api.as_(admin).get(f"users/{world.bob.id}/teams/{team_id}/channels").get_json()
    ] == [c["name"] for c in mine]
    memberships = api.as_(world.bob).get(f"users/{world.bob.id}/teams/{team_id}/channels/members").get_json()
    assert {m["channel_id"] for m in memberships} == {c["id"] for c in mine}
    assert all(m["user_id"] == world.bob.id for m in memberships)

    assert_app_error(api.as_(world.carol).get(f"users/{world.bob.id}/teams/{team_id}/channels"), 403)
    assert_app_error(api.as_(world.carol).get(f"users/{world.bob.id}/teams/{team_id}/channels/members"), 403)
    assert_app_error(api.as_(world.outsider).get(f"users/me/teams/{team_id}/channels"), 403)


def test_patch_and_update_channel(api, world):
    team_id = world.team["id"]
    channel = create_channel(api, world.bob, team_id, "project")
    as_bob = api.as_(world.bob)

    patched = as_bob.put(
        f"channels/{channel['id']}/patch", {"header": "Read the wiki", "display_name": "Project!"}
    )
    assert patched.status_code == 200
    assert (
        patched.get_json()["header"],
        patched.get_json()["display_name"],
        patched.get_json()["purpose"],
    ) == ("Read the wiki", "Project!", "")
    assert_app_error(
        as_bob.put(f"channels/{channel['id']}/patch", {}),
        400,
        "api.channel.patch_update_channel.no_changes.app_error",
    )
    assert_app_error(as_bob.put(f"channels/{channel['id']}/patch", {"name": "Bad Name"}), 400)
    taken = create_channel(api, world.bob, team_id, "taken")
    assert_app_error(
        as_bob.put(f"channels/{channel['id']}/patch", {"name": "taken"}),
        400,
        "store.sql_channel.update.exists.app_error",
    )
    assert_app_error(api.as_(world.carol).put(f"channels/{channel['id']}/patch", {"header": "mine"}), 403)

    body = {**patched.get_json(), "purpose": "shipping", "header": ""}
    updated = as_bob.put(f"channels/{channel['id']}", body)
    assert updated.status_code == 200
    assert (updated.get_json()["purpose"], updated.get_json()["header"]) == ("shipping", "")
    assert_app_error(
        as_bob.put(f"channels/{channel['id']}", {**body, "id": taken["id"]}),
        400,
        "api.context.invalid_param.app_error",
    )
    assert_app_error(
        as_bob.put(f"channels/{channel['id']}", {**body, "type": "P"}),
        400,
        "api.channel.update_channel.typechange.app_error",
    )

    town_square = channel_by_name(api, world.bob, team_id, "town-square")
    assert_app_error(
        as_bob.put(f"channels/{town_square['id']}/patch", {"name": "plaza"}),
        400,
        "api.channel.update_channel.tried.app_error",
    )
    assert (
        as_bob.put(f"channels/{town_square['id']}/patch", {"name": "town-square", "header": "hi"}).status_code
        == 200
    )

    as_bob.delete(f"channels/{channel['id']}")
    assert_app_error(
        as_bob.put(f"channels/{channel['id']}/patch", {"header": "late"}),
        400,
        "api.channel.update_channel.deleted.app_error",
    )


def test_direct_channel_header_may_change_but_not_its_name(api, world):
    direct = api.as_(world.bob).post("channels/direct", [world.bob.id, world.carol.id]).get_json()
    as_bob = api.as_(world.bob)
    assert (
        as_bob.put(f"channels/{direct['id']}/patch", {"header": "about us"}).get_json()["header"]
        == "about us"
    )
    assert (
        as_bob.put(f"channels/{direct['id']}", {**direct, "header": "again"}).get_json()["header"] == "again"
    )
    assert_app_error(
        as_bob.put(f"channels/{direct['id']}/patch", {"display_name": "Us"}),
        400,
        "api.channel.patch_update_channel.update_direct_or_group_messages_not_allowed.app_error",
    )
    assert_app_error(
        api.as_(world.owner).put(f"channels/{direct['id']}/patch", {"header": "snoop"}),
        403,
        "api.channel.patch_update_channel.forbidden.app_error",
    )


def test_archive_and_restore_channel(api, admin, world):
    team_id = world.team["id"]
    channel = create_channel(api, world.bob, team_id, "project")
    town_square = channel_by_name(api, world.bob, team_id, "town-square")
    direct = api.as_(world.bob).post("channels/direct", [world.bob.id, world.carol.id]).get_json()

    assert_app_error(
        api.as_(world.bob).delete(f"channels/{town_square['id']}"),
        400,
        "api.channel.delete_channel.cannot.app_error",
    )
    assert_app_error(
        api.as_(world.bob).delete(f"channels/{direct['id']}"), 400, "api.channel.delete_channel.type.invalid"
    )
    assert_app_error(api.as_(world.carol).delete(f"channels/{channel['id']}"), 403)
    assert_app_error(
        api.as_(world.bob).delete(f"channels/{channel['id']}?permanent=true"),
        401,
        "api.user.delete_channel.not_enabled.app_error",
    )

    deleted = api.as_(world.bob).delete(f"channels/{channel['id']}")
    assert deleted.status_code == 200 and deleted.get_json() == {"status": "OK"}
    assert api.as_(world.bob).get(f"channels/{channel['id']}").get_json()["delete_at"] > 0
    assert_app_error(
        api.as_(world.bob).delete(f"channels/{channel['id']}"),
        400,
        "api.channel.delete_channel.deleted.app_error",
    )

    assert_app_error(api.as_(world.bob).post(f"channels/{channel['id']}/restore"), 403)
    restored = api.as_(world.owner).post(f"channels/{channel['id']}/restore")
    assert restored.status_code == 200 and restored.get_json()["delete_at"] == 0
    assert_app_error(
        api.as_(world.owner).post(f"channels/{channel['id']}/restore"),
        400,
        "api.channel.restore_channel.restored.app_error",
    )
    assert_app_error(api.as_(world.bob).post(f"channels/{direct['id']}/restore"), 403)


def test_joining_and_adding_channel_members(api, world, make_account):
    team_id = world.team["id"]
    public = create_channel(api, world.bob, team_id, "open-talk")
    private = create_channel(api, world.bob, team_id, "secret", "P")

    joined = api.as_(world.carol).post(f"channels/{public['id']}/members", {"user_id": world.carol.id})
    assert joined.status_code == 201
    member = joined.get_json()
    assert (member["channel_id"], member["user_id"], member["roles"]) == (
        public["id"],
        world.carol.id,
        "channel_user",
    )
    assert member["mention_count"] == 0 and member["msg_count"] == 0 and member["last_viewed_at"] > 0
    assert (
        api.as_(world.carol).post(f"channels/{public['id']}/members", {"user_id": world.carol.id}).status_code
        == 201
    )

    assert_app_error(
        api.as_(world.carol).post(f"channels/{private['id']}/members", {"user_id": world.carol.id}), 403
    )
    assert_app_error(
        api.as_(world.outsider).post(f"channels/{public['id']}/members", {"user_id": world.outsider.id}), 403
    )
    other_public = create_channel(api, world.bob, team_id, "bobs-public")
    assert_app_error(
        api.as_(world.carol).post(f"channels/{other_public['id']}/members", {"user_id": world.owner.id}), 403
    )

    added = api.as_(world.bob).post(
        f"channels/{private['id']}/members", {"user_ids": [world.carol.id, world.owner.id]}
    )
    assert added.status_code == 201
    assert sorted(m["user_id"] for m in added.get_json()) == sorted([world.carol.id, world.owner.id])

    assert_app_error(
        api.as_(world.bob).post(f"channels/{public['id']}/members", {"user_id": world.outsider.id}),
        404,
        "app.team.get_member.missing.app_error",
    )
    assert_app_error(api.as_(world.bob).post(f"channels/{public['id']}/members", {"user_id": "z" * 26}), 404)
    assert_app_error(api.as_(world.bob).post(f"channels/{public['id']}/members", {"user_id": "bad"}), 400)
    assert_app_error(api.as_(world.bob).post(f"channels/{public['id']}/members", {}), 400)

    direct = api.as_(world.bob).post("channels/direct", [world.bob.id, world.carol.id]).get_json()
    assert_app_error(
        api.as_(world.bob).post(f"channels/{direct['id']}/members", {"user_id": world.owner.id}),
        400,
        "api.channel.add_user_to_channel.type.app_error",
    )

    api.as_(world.bob).delete(f"channels/{other_public['id']}")
    assert_app_error(
        api.as_(world.bob).post(f"channels/{other_public['id']}/members", {"user_id": world.carol.id}),
        400,
        "api.channel.add_user_to_channel.deleted.app_error",
    )

    api.as_(world.owner).delete(f"teams/{team_id}/members/{world.carol.id}")
    assert_app_error(
        api.as_(world.bob).post(f"channels/{public['id']}/members", {"user_id": world.carol.id}),
        400,
        "api.channel.add_user.to.channel.failed.deleted.app_error",
    )


def test_listing_and_looking_up_channel_members(api, world):
    team_id = world.team["id"]
    private = create_channel(api, world.bob, team_id, "secret", "P")
    api.as_(world.bob).post(
        f"channels/{private['id']}/members", {"user_ids": [world.carol.id, world.owner.id]}
    )
    everyone = sorted([world.bob.id, world.carol.id, world.owner.id])

    assert [
        m["user_id"] for m in api.as_(world.carol).get(f"channels/{private['id']}/members").get_json()
    ] == everyone
    paged = api.as_(world.carol).get(f"channels/{private['id']}/members?page=1&per_page=2").get_json()
    assert [m["user_id"] for m in paged] == everyone[2:]
    by_ids = api.as_(world.carol).post(
        f"channels/{private['id']}/members/ids", [world.bob.id, world.outsider.id]
    )
    assert [m["user_id"] for m in by_ids.get_json()] == [world.bob.id]
    assert_app_error(api.as_(world.carol).post(f"channels/{private['id']}/members/ids", []), 400)
    assert (
        api.as_(world.carol).get(f"channels/{private['id']}/members/{world.bob.id}").get_json()["user_id"]
        == world.bob.id
    )
    assert_app_error(
        api.as_(world.carol).get(f"channels/{private['id']}/members/{world.outsider.id}"),
        404,
        "app.channel.get_member.missing.app_error",
    )

    town_square = channel_by_name(api, world.bob, team_id, "town-square")
    assert len(api.as_(world.carol).get(f"channels/{town_square['id']}/members").get_json()) == 3
    for path in (f"channels/{private['id']}/members", f"channels/{private['id']}/members/{world.bob.id}"):
        assert_app_error(api.as_(world.outsider).get(path), 403)
    assert_app_error(
        api.as_(world.outsider).post(f"channels/{private['id']}/members/ids", [world.bob.id]), 403
    )


def test_leaving_and_removing_channel_members(api, world):
    team_id = world.team["id"]
    channel = create_channel(api, world.bob, team_id, "project")
    api.as_(world.bob).post(
        f"channels/{channel['id']}/members", {"user_ids": [world.carol.id, world.owner.id]}
    )

    assert_app_error(
        api.as_(world.outsider).delete(f"channels/{channel['id']}/members/{world.carol.id}"), 403
    )
    left = api.as_(world.carol).delete(f"channels/{channel['id']}/members/me")
    assert left.status_code == 200 and left.get_json() == {"status": "OK"}
    assert_app_error(api.as_(world.carol).delete(f"channels/{channel['id']}/members/{world.owner.id}"), 403)
    assert api.as_(world.bob).delete(f"channels/{channel['id']}/members/{world.owner.id}").status_code == 200
    remaining = api.as_(world.bob).get(f"channels/{channel['id']}/members").get_json()
    assert [m["user_id"] for m in remaining] == [world.bob.id]
    assert_app_error(
        api.as_(world.bob).delete(f"channels/{channel['id']}/members/{world.carol.id}"),
        404,
        "app.channel.get_member.missing.app_error",
    )
    assert_app_error(
        api.as_(world.bob).delete(f"channels/{channel['id']}/members/{'m' * 26}"),
        404,
        "app.user.missing_account.const",
    )

    town_square = channel_by_name(api, world.bob, team_id, "town-square")
    assert_app_error(
        api.as_(world.bob).delete(f"channels/{town_square['id']}/members/me"),
        400,
        "api.channel.remove.default.app_error",
    )
    direct = api.as_(world.bob).post("channels/direct", [world.bob.id, world.carol.id]).get_json()
    assert_app_error(
        api.as_(world.bob).delete(f"channels/{direct['id']}/members/me"),
        400,
        "api.channel.remove_channel_member.type.app_error",
    )


def _bump_channel(hub, channel_id: str, *, posts: int, mentions_for: str) -> None:
    with hub.store.write() as s:
        channel = s.get(models.Channel, channel_id)
        channel.total_msg_count += posts
        channel.last_post_at = now_ms() + 60_000
        s.get(models.ChannelMember, (channel_id, mentions_for)).mention_count = 2


def test_viewing_a_channel_marks_it_read(api, hub, world):
    team_id = world.team["id"]
    town_square = channel_by_name(api, world.bob, team_id, "town-square")
    off_topic = channel_by_name(api, world.bob, team_id, "off-topic")
    _bump_channel(hub, town_square["id"], posts=3, mentions_for=world.bob.id)
    _bump_channel(hub, off_topic["id"], posts=1, mentions_for=world.bob.id)

    before = api.as_(world.bob).get(f"channels/{town_square['id']}/members/me").get_json()
    assert (before["msg_count"], before["mention_count"]) == (0, 2)
    viewed = api.as_(world.bob).post(
        f"channels/members/{world.bob.id}/view",
        {"channel_id": town_square["id"], "prev_channel_id": off_topic["id"]},
    )
    assert viewed.status_code == 200
    body = viewed.get_json()
    assert body["status"] == "OK" and set(body["last_viewed_at_times"]) == {
        town_square["id"],
        off_topic["id"],
    }
    after = api.as_(world.bob).get(f"channels/{town_square['id']}/members/me").get_json()
    assert (after["msg_count"], after["mention_count"]) == (3, 0)
    assert (
        after["last_viewed_at"] == body["last_viewed_at_times"][town_square["id"]] >= before["last_viewed_at"]
    )
    # Unread is last_post_at > last_viewed_at, so viewing must reach the channel's last post.
    assert (
        after["last_viewed_at"]
        >= api.as_(world.bob).get(f"channels/{town_square['id']}").get_json()["last_post_at"]
    )

    secret = create_channel(api, world.carol, team_id, "secret", "P")
    not_mine = api.as_(world.bob).post("channels/members/me/view", {"channel_id": secret["id"]})
    assert not_mine.get_json() == {"status": "OK", "last_viewed_at_times": {}}
    assert (
        api.as_(world.bob)
        .post("channels/members/me/view", {"channel_id": ""})
        .get_json()["last_viewed_at_times"]
        == {}
    )
    assert_app_error(
        api.as_(world.bob).post(f"channels/members/{world.carol.id}/view", {"channel_id": secret["id"]}), 403
    )
    assert_app_error(api.as_(world.bob).post("channels/members/me/view", {"channel_id": "nope"}), 400)
    assert_app_error(api.as_(world.bob).post("channels/members/me/view", [1]), 400)


def test_channel_stats_count_members_pins_and_files(api, admin, hub, world):
    channel = create_channel(api, world.bob, world.team["id"], "project")
    api.as_(world.bob).post(
        f"channels/{channel['id']}/members", {"user_ids": [world.carol.id, world.owner.id]}
    )
    api.as_(admin).delete(f"users/{world.owner.id}")
    now = now_ms()
    with hub.store.write() as s:
        for pinned, deleted in ((True, 0), (True, now), (False, 0)):
            s.add(
                models.Post(
                    id=new_id(),
                    create_at=now,
                    update_at=now,
                    user_id=world.bob.id,
                    channel_id=channel["id"],
                    is_pinned=pinned,
                    delete_at=deleted,
                )
            )
        for deleted in (0, 0, now):
            s.add(
                models.FileInfo(
                    id=new_id(),
                    user_id=world.bob.id,
                    channel_id=channel["id"],
                    create_at=now,
                    update_at=now,
                    delete_at=deleted,
                    path="x",
                    name="x.txt",
                )
            )

    stats = api.as_(world.carol).get(f"channels/{channel['id']}/stats")
    assert stats.get_json() == {
        "channel_id": channel["id"],
        "member_count": 2,
        "guest_count": 0,
        "pinnedpost_count": 1,
        "files_count": 2,
    }
    assert (
        api.as_(world.carol)
        .get(f"channels/{channel['id']}/stats?exclude_files_count=true")
        .get_json()["files_count"]
        == -1
    )
    assert_app_error(api.as_(world.outsider).get(f"channels/{channel['id']}/stats"), 403)


def test_direct_channels_are_one_per_pair(api, admin, world):
    bob, carol = world.bob, world.carol
    first = api.as_(bob).post("channels/direct", [bob.id, carol.id])
    assert first.status_code == 201
    channel = first.get_json()
    assert set(channel) == CHANNEL_FIELDS
    assert (channel["type"], channel["team_id"], channel["display_name"]) == ("D", "", "")
    assert channel["name"] == f"{min(bob.id, carol.id)}__{max(bob.id, carol.id)}"
    again = api.as_(carol).post("channels/direct", [bob.id, carol.id])
    assert again.status_code == 201 and again.get_json()["id"] == channel["id"]
    members = api.as_(bob).get(f"channels/{channel['id']}/members").get_json()
    assert sorted(m["user_id"] for m in members) == sorted([bob.id, carol.id])
    assert_app_error(api.as_(world.owner).get(f"channels/{channel['id']}"), 403)

    myself = api.as_(bob).post("channels/direct", [bob.id])
    assert myself.status_code == 201 and myself.get_json()["name"] == f"{bob.id}__{bob.id}"
    assert api.as_(bob).post("channels/direct", [bob.id, bob.id]).get_json()["id"] == myself.get_json()["id"]

    assert_app_error(api.as_(bob).post("channels/direct", [carol.id, world.owner.id]), 403)
    assert api.as_(admin).post("channels/direct", [carol.id, world.owner.id]).status_code == 201
    assert_app_error(api.as_(bob).post("channels/direct", [bob.id, carol.id, world.owner.id]), 400)
    assert_app_error(api.as_(bob).post("channels/direct", [bob.id, "bad"]), 400)
    assert_app_error(
        api.as_(bob).post("channels/direct", [bob.id, "n" * 26]),
        400,
        "api.channel.create_direct_channel.invalid_user.app_error",
    )
    assert_app_error(api.as_(bob).post("channels/direct", {"a": 1}), 400)


def test_group_channels_are_named_by_their_members(api, world, make_account):
    bob, carol, owner = world.bob, world.carol, world.owner
    created = api.as_(bob).post("channels/group", [carol.id, owner.id])
    assert created.status_code == 201
    channel = created.get_json()
    ids = sorted([bob.id, carol.id, owner.id])
    assert channel["name"] == hashlib.sha1("".join(ids).encode()).hexdigest()
    assert (channel["type"], channel["team_id"], channel["display_name"]) == ("G", "", "bob, carol, owner")
    members = api.as_(bob).get(f"channels/{channel['id']}/members").get_json()
    assert sorted(m["user_id"] for m in members) == ids
    assert (
        api.as_(owner).post("channels/group", [bob.id, carol.id, owner.id]).get_json()["id"] == channel["id"]
    )

    assert_app_error(
        api.as_(bob).post("channels/group", [carol.id]), 400, "api.channel.create_group.bad_size.app_error"
    )
    many = [make_account(f"extra{i}").id for i in range(8)]
    assert_app_error(
        api.as_(bob).post("channels/group", many), 400, "api.channel.create_group.bad_size.app_error"
    )
    assert_app_error(
        api.as_(bob).post("channels/group", [carol.id, "p" * 26]),
        400,
        "api.channel.create_group.bad_user.app_error",
    )
    assert_app_error(api.as_(bob).post("channels/group", []), 400)
    assert_app_error(api.as_(bob).post("channels/group", [carol.id, 5]), 400)


def test_simultaneous_direct_channel_creation_yields_one_channel(hub, world):
    """Several clients opening the same DM at once all get the one channel, never a 500."""
    import threading

    from hub.permissions import Actor

    bob, carol = world.bob, world.carol
    barrier = threading.Barrier(6)
    results: list = []

    def open_dm(user) -> None:
        barrier.wait()
        try:
            results.append(hub.channels.direct(Actor(user.id, "system_user"), [bob.id, carol.id]).id)
        except Exception as exc:  # collected so the assertion below shows it
            results.append(exc)

    threads = [threading.Thread(target=open_dm, args=(bob if n % 2 else carol,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and isinstance(results[0], str), results
    with hub.store.read() as s:
        members = s.query(models.ChannelMember).filter_by(channel_id=results[0]).count()
    assert members == 2
