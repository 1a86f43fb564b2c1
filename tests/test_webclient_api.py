"""What the web client asks at start and per team: unread counts by team, channel autocompletes and a
member's notification settings, in Mattermost's shapes (api4/team.go, api4/channel.go)."""

import pytest

from hub.ids import new_id
from hub.permissions import Actor
from tests.fixtures import assert_app_error

NO_THREADS = {"thread_count": 0, "thread_mention_count": 0, "thread_urgent_mention_count": 0}
DEFAULT_MEMBER_NOTIFY_PROPS = {
    "channel_auto_follow_threads": "off",
    "desktop": "default",
    "email": "default",
    "ignore_channel_mentions": "default",
    "mark_unread": "all",
    "push": "default",
}


def post(api, account, channel_id, message, **fields) -> dict:
    response = api.as_(account).post("posts", {"channel_id": channel_id, "message": message, **fields})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def unread(team_id, msg_count=0, mention_count=0, mention_count_root=0, msg_count_root=0) -> dict:
    return {
        "team_id": team_id,
        "msg_count": msg_count,
        "mention_count": mention_count,
        "mention_count_root": mention_count_root,
        "msg_count_root": msg_count_root,
        **NO_THREADS,
    }


def as_actor(account) -> Actor:
    return Actor(account.id, "system_user")


# ---- unread counts by team ---------------------------------------------------------------------
@pytest.fixture
def busy(api, hub, room):
    """In `room`'s team, the owner posts two roots (one mentions the member) and a reply; the member also
    belongs to a second team, `quiet`, whose town-square they muted and where one post mentions them, and
    gets a direct message (teamless: never counted)."""
    root = post(api, room.owner, room.channel_id, "release today")
    post(api, room.owner, room.channel_id, "@member can you check?")
    post(api, room.owner, room.channel_id, "done", root_id=root["id"])
    quiet = hub.teams.create(as_actor(room.owner), {"name": "quiet", "display_name": "Quiet"})
    with hub.store.write() as s:
        hub.teams.add_member(s, quiet, room.member.id)
    town = hub.channels.by_name(as_actor(room.owner), quiet.id, "town-square")
    hub.channels.update_member_notify_props(
        as_actor(room.member), town.id, room.member.id, {"mark_unread": "mention"}
    )
    post(api, room.owner, town.id, "muted chatter")
    post(api, room.owner, town.id, "@member but this reaches you")
    direct = api.as_(room.owner).post("channels/direct", [room.owner.id, room.member.id]).get_json()
    post(api, room.owner, direct["id"], "psst")
    return quiet


def test_teams_unread_sums_each_teams_channels_and_skips_muted_messages(api, room, busy):
    answer = api.as_(room.member).get("users/me/teams/unread")
    assert answer.status_code == 200
    assert sorted(answer.get_json(), key=lambda u: u["team_id"]) == sorted(
        [
            unread(room.team_id, msg_count=3, mention_count=1, mention_count_root=1, msg_count_root=2),
            # Muted to mentions: its messages are not counted, its mention is.
            unread(busy.id, mention_count=1, mention_count_root=1),
        ],
        key=lambda u: u["team_id"],
    )
    by_id = api.as_(room.member).get(f"users/{room.member.id}/teams/unread?include_collapsed_threads=true")
    assert by_id.get_json() == answer.get_json()


def test_teams_unread_excludes_a_team_and_clears_when_read(api, room, busy):
    as_member = api.as_(room.member)
    assert as_member.get(f"users/me/teams/unread?exclude_team={room.team_id}").get_json() == [
        unread(busy.id, mention_count=1, mention_count_root=1)
    ]
    viewed = as_member.post("channels/members/me/view", {"channel_id": room.channel_id})
    assert viewed.status_code == 200
    assert as_member.get(f"users/me/teams/{room.team_id}/unread").get_json() == unread(room.team_id)


def test_team_unread_of_one_team(api, admin, room, busy):
    expected = unread(room.team_id, msg_count=3, mention_count=1, mention_count_root=1, msg_count_root=2)
    assert api.as_(room.member).get(f"users/me/teams/{room.team_id}/unread").get_json() == expected
    assert api.as_(admin).get(f"users/{room.member.id}/teams/{room.team_id}/unread").get_json() == expected
    # The owner has read everything they wrote.
    assert api.as_(room.owner).get(f"users/me/teams/{room.team_id}/unread").get_json() == unread(room.team_id)


def test_team_unreads_are_for_the_user_themself_or_a_system_admin(api, admin, room, busy):
    as_owner = api.as_(room.owner)
    assert_app_error(
        as_owner.get(f"users/{room.member.id}/teams/unread"), 403, "api.context.permissions.app_error"
    )
    assert_app_error(
        as_owner.get(f"users/{room.member.id}/teams/{room.team_id}/unread"),
        403,
        "api.context.permissions.app_error",
    )
    assert api.as_(admin).get(f"users/{room.member.id}/teams/unread").status_code == 200
    # A team the caller is not in, and one that does not exist.
    assert_app_error(
        api.as_(room.outsider).get(f"users/me/teams/{room.team_id}/unread"),
        403,
        "api.context.permissions.app_error",
    )
    assert_app_error(
        api.as_(room.member).get(f"users/me/teams/{new_id()}/unread"), 404, "app.team.get.find.app_error"
    )
    assert api.as_(room.outsider).get("users/me/teams/unread").get_json() == []
    assert_app_error(api.as_(room.member).get("users/not-an-id/teams/unread"), 400)
    assert_app_error(api.get("users/me/teams/unread"), 401)


def test_a_team_left_no_longer_counts(api, hub, room, busy):
    hub.teams.leave(as_actor(room.member), busy.id, room.member.id)
    assert [u["team_id"] for u in api.as_(room.member).get("users/me/teams/unread").get_json()] == [
        room.team_id
    ]


# ---- channel autocomplete ----------------------------------------------------------------------
@pytest.fixture
def channels(api, hub, room):
    """Besides `room` (public) and `den` (private, the owner's): Release Notes, Deploys (its purpose
    mentions releases), Old Releases (archived) and Reliability (private, the member's)."""
    owner, member = as_actor(room.owner), as_actor(room.member)
    made = {}
    for name, display, purpose, actor, kind in (
        ("release-notes", "Release Notes", "what shipped", owner, "O"),
        ("deploys", "Deploys", "Release pipeline", owner, "O"),
        ("old-releases", "Old Releases", "", owner, "O"),
        ("reliability", "Reliability", "", member, "P"),
    ):
        made[name] = hub.channels.create(
            actor,
            {
                "team_id": room.team_id,
                "name": name,
                "display_name": display,
                "purpose": purpose,
                "type": kind,
            },
        ).id
    hub.channels.archive(owner, made["old-releases"])
    return made


def channel_json(api, account, channel_id) -> dict:
    return api.as_(account).get(f"channels/{channel_id}").get_json()


def test_autocomplete_matches_name_display_name_and_purpose_by_display_name(api, admin, room, channels):
    answer = api.as_(room.member).get(f"teams/{room.team_id}/channels/autocomplete?name=REL")
    assert answer.status_code == 200
    expected = [channels[n] for n in ("deploys", "old-releases", "release-notes", "reliability")]
    assert answer.get_json() == [channel_json(api, admin, channel_id) for channel_id in expected]
    # The owner sees the same public ones, but not the member's private channel.
    owner_sees = api.as_(room.owner).get(f"teams/{room.team_id}/channels/autocomplete?name=rel").get_json()
    assert [c["name"] for c in owner_sees] == ["deploys", "old-releases", "release-notes"]


def test_autocomplete_words_and_private_channels(api, room, channels):
    as_owner = api.as_(room.owner)
    assert [
        c["name"]
        for c in as_owner.get(f"teams/{room.team_id}/channels/autocomplete?name=notes release").get_json()
    ] == ["release-notes"]
    everything = as_owner.get(f"teams/{room.team_id}/channels/autocomplete").get_json()
    assert [c["display_name"] for c in everything] == [
        "Den",
        "Deploys",
        "Off-Topic",
        "Old Releases",
        "Release Notes",
        "Room",
        "Town Square",
    ]
    # LIKE's wildcards are only characters here.
    assert as_owner.get(f"teams/{room.team_id}/channels/autocomplete?name=%25").get_json() == []


def test_autocomplete_answers_at_most_50(api, hub, room):
    for number in range(52):
        hub.channels.create(
            as_actor(room.owner),
            {"team_id": room.team_id, "name": f"bulk-{number:02}", "display_name": f"Bulk {number:02}"},
        )
    found = api.as_(room.member).get(f"teams/{room.team_id}/channels/autocomplete?name=bulk").get_json()
    assert [c["name"] for c in found] == [f"bulk-{number:02}" for number in range(50)]


def test_autocomplete_is_for_team_members(api, admin, room, channels):
    assert_app_error(
        api.as_(room.outsider).get(f"teams/{room.team_id}/channels/autocomplete?name=rel"),
        403,
        "api.context.permissions.app_error",
    )
    assert_app_error(
        api.as_(room.member).get(f"teams/{new_id()}/channels/autocomplete"),
        404,
        "app.team.get.find.app_error",
    )
    # A system admin lists a team's public channels without being in it (private ones need membership).
    admin_sees = api.as_(admin).get(f"teams/{room.team_id}/channels/autocomplete?name=rel").get_json()
    assert [c["name"] for c in admin_sees] == ["deploys", "old-releases", "release-notes"]


def test_search_autocomplete_lists_the_callers_channels_groups_and_direct_messages(
    api, hub, make_account, room, channels
):
    dana = make_account("dana", nickname="Relay Dana")
    group = api.as_(room.member).post("channels/group", [room.owner.id, dana.id]).get_json()
    direct = api.as_(room.member).post("channels/direct", [room.member.id, dana.id]).get_json()
    found = api.as_(room.member).get(f"teams/{room.team_id}/channels/search_autocomplete?name=rel").get_json()
    # The member's own channels only: Reliability, not Release Notes or Deploys; the direct channel with
    # dana (whose nickname holds the term) under her username.
    assert found == [
        {**channel_json(api, room.member, direct["id"]), "display_name": "dana"},
        channel_json(api, room.member, channels["reliability"]),
    ]
    groups = (
        api.as_(room.member).get(f"teams/{room.team_id}/channels/search_autocomplete?name=owner").get_json()
    )
    assert [c["id"] for c in groups] == [group["id"]]
    everything = api.as_(room.member).get(f"teams/{room.team_id}/channels/search_autocomplete").get_json()
    assert [c["display_name"] for c in everything] == [
        "dana",
        group["display_name"],
        "Off-Topic",
        "Reliability",
        "Room",
        "Town Square",
    ]
    assert_app_error(api.as_(room.member).get("teams/not-an-id/channels/search_autocomplete"), 400)


# ---- a member's notification settings ---------------------------------------------------------
def test_member_notify_props_default_as_mattermosts(api, room):
    member = api.as_(room.member).get(f"channels/{room.channel_id}/members/me").get_json()
    assert member["notify_props"] == DEFAULT_MEMBER_NOTIFY_PROPS


def test_update_member_notify_props_merges_the_known_settings(api, room, ws_connect):
    socket = ws_connect(room.member)
    props = {
        "desktop": "all",
        "mark_unread": "mention",
        "email": "false",
        "push_threads": "mention",
        "desktop_threads": "all",
        "email_threads": "mention",
        "channel_auto_follow_threads": "on",
        "not_a_setting": "dropped",
    }
    answer = api.as_(room.member).put(f"channels/{room.channel_id}/members/me/notify_props", props)
    assert (answer.status_code, answer.get_json()) == (200, {"status": "OK"})
    stored = {**DEFAULT_MEMBER_NOTIFY_PROPS, **props}
    del stored["not_a_setting"]
    assert (
        api.as_(room.member).get(f"channels/{room.channel_id}/members/me").get_json()["notify_props"]
        == stored
    )
    event = socket.expect("channel_member_updated")
    assert '"mark_unread":"mention"' in event["data"]["channelMember"]
    # Later changes keep the earlier ones.
    api.as_(room.member).put(
        f"channels/{room.channel_id}/members/{room.member.id}/notify_props", {"push": "none"}
    )
    member = api.as_(room.member).get(f"channels/{room.channel_id}/members/me").get_json()
    assert member["notify_props"] == {**stored, "push": "none"}


@pytest.mark.parametrize(
    "props, error_id",
    [
        ({"desktop": "sometimes"}, "model.channel_member.is_valid.notify_level.app_error"),
        ({"push": "all_day"}, "model.channel_member.is_valid.push_level.app_error"),
        ({"mark_unread": "none"}, "model.channel_member.is_valid.unread_level.app_error"),
        ({"email": "all"}, "model.channel_member.is_valid.email_value.app_error"),
        (
            {"ignore_channel_mentions": "yes"},
            "model.channel_member.is_valid.ignore_channel_mentions_value.app_error",
        ),
        (
            {"channel_auto_follow_threads": "true"},
            "model.channel_member.is_valid.channel_auto_follow_threads_value.app_error",
        ),
        ({"desktop": True}, "api.context.invalid_param.app_error"),
    ],
)
def test_update_member_notify_props_refuses_values_mattermost_refuses(api, room, props, error_id):
    answer = api.as_(room.member).put(f"channels/{room.channel_id}/members/me/notify_props", props)
    assert_app_error(answer, 400, error_id)
    member = api.as_(room.member).get(f"channels/{room.channel_id}/members/me").get_json()
    assert member["notify_props"] == DEFAULT_MEMBER_NOTIFY_PROPS


def test_update_member_notify_props_permissions(api, admin, room):
    path = f"channels/{room.channel_id}/members/{room.member.id}/notify_props"
    assert_app_error(
        api.as_(room.owner).put(path, {"desktop": "none"}), 403, "api.context.permissions.app_error"
    )
    assert api.as_(admin).put(path, {"desktop": "none"}).get_json() == {"status": "OK"}
    assert_app_error(
        api.as_(room.member).put(
            f"channels/{room.private_channel_id}/members/me/notify_props", {"desktop": "all"}
        ),
        404,
        "app.channel.get_member.missing.app_error",
    )
    assert_app_error(
        api.as_(room.member).put(path, ["desktop"]), 400, "api.context.invalid_body_param.app_error"
    )
    assert_app_error(api.put(path, {"desktop": "all"}), 401)
